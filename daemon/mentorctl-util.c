/*
 * mentorctl-util.c - argument parsing and shared helpers of mentorctl (mentorctl.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "config.h"
#include "error.h"
#include "mentorctl.h"
#include "store.h"
#include "xmalloc.h"

int ctl_fail(char *cause)
{
	fprintf(stderr, "mentorctl: %s\n", cause != NULL ? cause : "failed");
	free(cause);
	return CTL_FAIL;
}

int ctl_error(const struct error *err)
{
	fprintf(stderr, "mentorctl: %s\n", err->message[0] != '\0' ? err->message : "failed");
	return CTL_FAIL;
}

bool ctl_blank(const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	return *text == '\0';
}

int ctl_usage_error(const struct ctl *ctl, const char *problem, const char *arg)
{
	fprintf(stderr, "mentorctl: %s: %s%s%s\n", ctl->cmd->words, problem, arg ? " " : "",
		arg ? arg : "");
	fprintf(stderr, "usage: mentorctl %s %s\n", ctl->cmd->words, ctl->cmd->synopsis);
	return CTL_USAGE;
}

static struct ctl_opt *ctl_find_opt(struct ctl_opt *opts, size_t n, const char *arg)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(opts[i].name);
		if (arg[1] == '-' && strncmp(arg + 2, opts[i].name, len) == 0 &&
		    (arg[2 + len] == '\0' || arg[2 + len] == '='))
			return &opts[i];
		if (arg[1] != '-' && opts[i].short_name == arg[1] && arg[2] == '\0')
			return &opts[i];
	}
	return NULL;
}

int ctl_parse(struct ctl *ctl, int argc, char **argv, struct ctl_opt *opts, size_t nopts,
	      size_t min_pos, size_t max_pos, struct ctl_args *args)
{
	bool options = true;

	args->npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		struct ctl_opt *o;

		if (options && strcmp(arg, "--") == 0) {
			options = false;
		} else if (options && (strcmp(arg, "--json") == 0 || strcmp(arg, "-j") == 0)) {
			/* As before the command: "mentorctl status --json" works too. */
			ctl->json = 1;
		} else if (options && arg[0] == '-' && arg[1] != '\0') {
			if ((o = ctl_find_opt(opts, nopts, arg)) == NULL)
				return ctl_usage_error(ctl, "unknown option", arg);
			const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
			if (o->flag && eq != NULL)
				return ctl_usage_error(ctl, "takes no value:", arg);
			if (!o->flag && eq == NULL && i + 1 == argc)
				return ctl_usage_error(ctl, "needs a value:", arg);
			o->value = o->flag ? "" : eq != NULL ? eq + 1 : argv[++i];
		} else if (args->npos == max_pos) {
			return ctl_usage_error(ctl, "unexpected argument", arg);
		} else {
			args->pos[args->npos++] = arg;
		}
	}
	if (args->npos < min_pos)
		return ctl_usage_error(ctl, "missing argument", NULL);
	return CTL_OK;
}

/* A positive id, or a usage error. */
int ctl_id(const struct ctl *ctl, const char *text, int64_t *id)
{
	char *end;
	long long v = strtoll(text, &end, 10);

	if (!isdigit((unsigned char)text[0]) || *end != '\0' || v <= 0)
		return ctl_usage_error(ctl, "not a positive id:", text);
	*id = v;
	return CTL_OK;
}

int ctl_date(const struct ctl *ctl, const char *text, cal_day *day)
{
	if (text == NULL || cal_day_parse(text, day) != 0)
		return ctl_usage_error(ctl, "dates are YYYY-MM-DD, got", text ? text : "none");
	return CTL_OK;
}

/* The configuration, read once; it also sets the time zone local dates
 * are counted in. */
int ctl_config(struct ctl *ctl)
{
	char *cause = NULL;

	if (ctl->config != NULL)
		return CTL_OK;
	if (config_load(ctl->config_path, &ctl->config, &cause) != 0) {
		char *hinted;
		xasprintf(&hinted,
			  "%s (name the configuration with --config FILE, or the database"
			  " with --database FILE)",
			  cause);
		free(cause);
		return ctl_fail(hinted);
	}
	if (clock_use_timezone(ctl->config->timezone, &cause) != 0)
		return ctl_fail(cause);
	return CTL_OK;
}

/* The database: --database, else the configured one. A file that is not
 * there is refused unless the command sets up a new installation
 * (may_create): opened anyway, SQLite would create an empty database, and
 * a mistyped path would back up, export or list it and succeed every
 * night. mentord creates its own at its first start. */
int ctl_store(struct ctl *ctl)
{
	const char *path;
	struct stat st;
	char *cause = NULL;
	bool missing;

	if (ctl->store != NULL)
		return CTL_OK;
	if (ctl->database == NULL && ctl_config(ctl) != CTL_OK)
		return CTL_FAIL;
	/* --database alone reads no configuration: dates are still counted in
	 * the default zone, not in whatever TZ the admin's shell has. */
	if (ctl->config == NULL && clock_use_timezone(CONFIG_DEFAULT_TIMEZONE, &cause) != 0)
		return ctl_fail(cause);
	path = ctl->database != NULL ? ctl->database : ctl->config->database;
	missing = stat(path, &st) != 0 && errno == ENOENT;
	if (missing && (ctl->cmd == NULL || !ctl->cmd->may_create)) {
		xasprintf(&cause,
			  "database %s does not exist (mentord creates it when it first starts;"
			  " check --database or the configuration's database setting)",
			  path);
		return ctl_fail(cause);
	}
	if (store_open(path, &ctl->store, &cause) != 0)
		return ctl_fail(cause);
	if (missing)
		fprintf(stderr, "mentorctl: created a new database %s\n", path);
	return CTL_OK;
}

void ctl_print_json(json_t *value)
{
	json_dumpf(value, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(value);
}

void ctl_print_cell(const char *text, int width)
{
	int chars = 0;

	/* UTF-8: every byte but a continuation byte (10xxxxxx) starts one. */
	for (const char *p = text; *p != '\0'; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	printf("%s%*s ", text, chars < width ? width - chars : 0, "");
}
