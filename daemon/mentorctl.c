/*
 * mentorctl.c - the administrator's command line for mentord.
 *
 * It works on the same SQLite database as the running daemon (WAL lets both
 * use it at once) and reads the same configuration file. This file holds
 * the command table and the dispatch; the commands are in mentorctl-*.c,
 * and the work itself in the library in src/, which the daemon shares.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "mentorctl.h"
#include "store.h"

#define DEFAULT_CONFIG MENTORD_SYSCONFDIR "/mentord.conf"

static const struct ctl_command ctl_commands[] = {
	{"check-config", "", "validate the configuration", cmd_check_config, false},
	{"token add",
	 "--role ROLE --name NAME [--mentor ID] | --role ROLE --login LOGIN [--mentor ID]",
	 "create a token, print it once; or map a single sign-on login", cmd_token_add, true},
	{"token list", "", "list tokens (never the secrets)", cmd_token_list, false},
	{"token revoke", "ID", "revoke a token", cmd_token_revoke, false},
	{"mentor add",
	 "--name NAME --phone PHONE [--days 1,2,3,4,5] [--gender G] [--languages LIST]"
	 " [--competences LIST] [--interests LIST]",
	 "add a mentor, with a matching profile", cmd_mentor_add, true},
	{"mentor list", "", "list mentors with load and absences", cmd_mentor_list, false},
	{"mentor set",
	 "ID [--name NAME] [--phone PHONE] [--days LIST] [--active yes|no] [--login LOGIN]"
	 " [--gender G] [--languages LIST] [--competences LIST] [--interests LIST]",
	 "change a mentor; --login maps a single sign-on login (\"\" removes it)", cmd_mentor_set,
	 false},
	{"mentor absence", "ID --from DATE --to DATE", "add an absence (inclusive dates)",
	 cmd_mentor_absence, false},
	{"offer import", "FILE.csv", "add or update offers from CSV, all or nothing",
	 cmd_offer_import, false},
	{"offer list", "", "list the offers", cmd_offer_list, false},
	{"status", "[--url URL]",
	 "courses, calls, outbox, last publication and purge, and mentord's health", cmd_status,
	 false},
	{"backup", "FILE", "copy the live database to a new FILE", cmd_backup, false},
	{"export", "courses|calls --from DATE --to DATE", "pseudonymous CSV to stdout", cmd_export,
	 false},
	{"purge", "[--dry-run]", "erase personal data of courses past retention.days", cmd_purge,
	 false},
	{"outbox list", "[--state pending|sent|dead|all]",
	 "rows for the messaging gateway (default: the dead letters)", cmd_outbox_list, false},
	{"outbox retry", "ID", "send a dead letter again, with the same key", cmd_outbox_retry,
	 false},
};

#define CTL_NCOMMANDS (sizeof ctl_commands / sizeof ctl_commands[0])

static bool ctl_in_group(const struct ctl_command *c, const char *group)
{
	size_t len = strlen(group);

	return strncmp(c->words, group, len) == 0 &&
	       (c->words[len] == ' ' || c->words[len] == '\0');
}

/* A word that only starts commands ("mentor" of "mentor add"). */
static bool ctl_is_group(const char *word)
{
	size_t len = strlen(word);

	for (size_t i = 0; i < CTL_NCOMMANDS; i++)
		if (strncmp(ctl_commands[i].words, word, len) == 0 &&
		    ctl_commands[i].words[len] == ' ')
			return true;
	return false;
}

/* Print the commands of group ("mentor"), or all if none is in it. */
static void ctl_list_commands(FILE *out, const char *group)
{
	bool any = false;

	for (size_t i = 0; i < CTL_NCOMMANDS; i++)
		any = any || ctl_in_group(&ctl_commands[i], group);
	for (size_t i = 0; i < CTL_NCOMMANDS; i++) {
		const struct ctl_command *c = &ctl_commands[i];
		if (!any || ctl_in_group(c, group))
			fprintf(out, "  %s%s%s\n      %s\n", c->words, c->synopsis[0] ? " " : "",
				c->synopsis, c->summary);
	}
}

static void usage(FILE *out, const char *group)
{
	fprintf(out, "usage: mentorctl [--config FILE] [--database FILE] [--json] COMMAND ...\n"
		     "\ncommands:\n");
	ctl_list_commands(out, group);
	fprintf(out,
		"\n"
		"options:\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  -d, --database FILE  database (default: the configured one)\n"
		"  -j, --json           machine-readable output where a command lists\n"
		"  -h, --help           this help; COMMAND --help for one command\n"
		"\n"
		"exit codes: 0 success, 1 failure, 2 usage error\n",
		DEFAULT_CONFIG);
}

/* The command argv starts with; *used is how many words it took. */
static const struct ctl_command *ctl_lookup(int argc, char **argv, int *used)
{
	for (size_t i = 0; i < CTL_NCOMMANDS; i++) {
		const char *w = ctl_commands[i].words, *space = strchr(w, ' ');
		size_t len = space != NULL ? (size_t)(space - w) : strlen(w);
		if (argc < 1 || strncmp(argv[0], w, len) != 0 || argv[0][len] != '\0')
			continue;
		if (space == NULL) {
			*used = 1;
			return &ctl_commands[i];
		}
		if (argc >= 2 && strcmp(argv[1], space + 1) == 0) {
			*used = 2;
			return &ctl_commands[i];
		}
	}
	return NULL;
}

static bool ctl_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static int ctl_dispatch(struct ctl *ctl, int argc, char **argv)
{
	int used;

	if (argc == 0 || strcmp(argv[0], "help") == 0) {
		usage(argc == 0 ? stderr : stdout, argc > 1 ? argv[1] : "");
		return argc == 0 ? CTL_USAGE : CTL_OK;
	}
	if ((ctl->cmd = ctl_lookup(argc, argv, &used)) == NULL) {
		/* "mentorctl mentor" or "mentorctl mentor --help": the group. */
		if (ctl_wants_help(argc, argv)) {
			usage(stdout, argv[0]);
			return CTL_OK;
		}
		if (ctl_is_group(argv[0]) && (argc == 1 || argv[1][0] == '-'))
			fprintf(stderr, "mentorctl: %s: the subcommand is missing\n", argv[0]);
		else
			fprintf(stderr, "mentorctl: unknown command: %s%s%s\n", argv[0],
				argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		usage(stderr, argv[0]);
		return CTL_USAGE;
	}
	if (ctl_wants_help(argc - used, argv + used)) {
		printf("usage: mentorctl %s %s\n  %s\n\nexit codes: 0 success, 1 failure, 2 usage"
		       " error\n",
		       ctl->cmd->words, ctl->cmd->synopsis, ctl->cmd->summary);
		return CTL_OK;
	}
	return ctl->cmd->run(ctl, argc - used, argv + used);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"database", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl ctl = {.config_path = DEFAULT_CONFIG};
	int opt, rc;

	/* The database it may create, backups and exports hold personal data. */
	umask(077);
	/* "+" stops at the first non-option: the command's own flags follow it. */
	while ((opt = getopt_long(argc, argv, "+c:d:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'd':
			ctl.database = optarg;
			break;
		case 'j':
			ctl.json = 1;
			break;
		case 'h':
			usage(stdout, "");
			return CTL_OK;
		default:
			usage(stderr, "");
			return CTL_USAGE;
		}
	}
	rc = ctl_dispatch(&ctl, argc - optind, argv + optind);
	store_free(ctl.store);
	config_free(ctl.config);
	return rc;
}
