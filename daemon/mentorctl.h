/*
 * mentorctl.h - what mentorctl's command files share: its state, argument
 * parsing and the ways a command ends.
 *
 * Contract:
 *  - A command is cmd_NAME(ctl, argc, argv), given the arguments after its
 *    words ("mentor add"). It returns CTL_OK; CTL_FAIL after printing the
 *    cause on standard error; or CTL_USAGE after printing its usage.
 *  - ctl_config() and ctl_store() read the configuration and open the
 *    database on first use; main() frees both after the command.
 *  - The work itself is done by src/; a command parses, calls and prints.
 */
#ifndef MENTORD_MENTORCTL_H
#define MENTORD_MENTORCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

#define CTL_OK 0
#define CTL_FAIL 1
#define CTL_USAGE 2

#define CTL_MAX_POS 2

struct ctl_command;

struct ctl {
	const char *config_path;
	const char *database;
	int json;
	const struct ctl_command *cmd; /* the command running */
	struct config *config;	       /* read when a command needs it */
	struct store *store;	       /* opened when a command needs it */
};

struct ctl_command {
	const char *words; /* "mentor add" */
	const char *synopsis;
	const char *summary;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	/* It may create a database that does not exist yet: the first steps
	 * of a new installation, before mentord first starts. */
	bool may_create;
};

/* An option of a command: "--name VALUE" (or "--name=VALUE"), or a flag
 * without value. */
struct ctl_opt {
	const char *name;
	char short_name; /* 0: none */
	bool flag;
	const char *value; /* NULL: not given; "" for a given flag */
};

struct ctl_args {
	const char *pos[CTL_MAX_POS];
	size_t npos;
};

/* mentorctl-util.c */
/* Print "mentorctl: cause", free it, return CTL_FAIL: for start-up
 * (configuration, opening the database) and files. */
int ctl_fail(char *cause);
/* Print "mentorctl: message" of a run-time failure, return CTL_FAIL. */
struct error;
int ctl_error(const struct error *err);
/* Nothing but white space (or nothing at all). */
bool ctl_blank(const char *text);
/* Print the problem and the command's usage, return CTL_USAGE. */
int ctl_usage_error(const struct ctl *ctl, const char *problem, const char *arg);
/* Sort a command's arguments into opts and min_pos..max_pos positional
 * ones; "--" ends the options. --json (-j) is taken here as well as
 * before the command. */
int ctl_parse(struct ctl *ctl, int argc, char **argv, struct ctl_opt *opts, size_t nopts,
	      size_t min_pos, size_t max_pos, struct ctl_args *args);
int ctl_id(const struct ctl *ctl, const char *text, int64_t *id);
int ctl_date(const struct ctl *ctl, const char *text, cal_day *day);
int ctl_config(struct ctl *ctl);
int ctl_store(struct ctl *ctl);
/* Print value (stolen) indented, with a final newline. */
void ctl_print_json(json_t *value);
/* text and a space, padded to width characters (not bytes: names have
 * æ, ø and å), as printf's %-*s would for ASCII. */
void ctl_print_cell(const char *text, int width);

/* mentorctl-admin.c */
int cmd_check_config(struct ctl *ctl, int argc, char **argv);
int cmd_token_add(struct ctl *ctl, int argc, char **argv);
int cmd_token_list(struct ctl *ctl, int argc, char **argv);
int cmd_token_revoke(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_backup(struct ctl *ctl, int argc, char **argv);
int cmd_export(struct ctl *ctl, int argc, char **argv);
int cmd_purge(struct ctl *ctl, int argc, char **argv);

/* mentorctl-mentor.c */
int cmd_mentor_add(struct ctl *ctl, int argc, char **argv);
int cmd_mentor_list(struct ctl *ctl, int argc, char **argv);
int cmd_mentor_set(struct ctl *ctl, int argc, char **argv);
int cmd_mentor_absence(struct ctl *ctl, int argc, char **argv);

/* mentorctl-offer.c */
int cmd_offer_import(struct ctl *ctl, int argc, char **argv);
int cmd_offer_list(struct ctl *ctl, int argc, char **argv);

/* mentorctl-outbox.c */
int cmd_outbox_list(struct ctl *ctl, int argc, char **argv);
int cmd_outbox_retry(struct ctl *ctl, int argc, char **argv);

#endif
