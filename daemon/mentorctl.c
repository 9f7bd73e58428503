/*
 * mentorctl.c - the administrator's command line for mentord.
 *
 * It works on the same SQLite database as the running daemon (WAL lets both
 * use it at once) and reads the same configuration file.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "clock.h"
#include "config.h"
#include "store.h"

#define DEFAULT_CONFIG MENTORD_SYSCONFDIR "/mentord.conf"

struct ctl {
	const char *config_path;
	const char *database;
	int json;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mentorctl [--config FILE] [--database FILE] [--json] COMMAND ...\n"
		"\n"
		"commands:\n"
		"  check-config                         validate the configuration\n"
		"  token add --role ROLE --name NAME [--mentor ID]\n"
		"                                       create a token, print it once\n"
		"  token list                           list tokens (never the secrets)\n"
		"  token revoke ID                      revoke a token\n"
		"\n"
		"options:\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  -d, --database FILE  database (default: the configured one)\n"
		"  -j, --json           machine-readable output where a command lists\n"
		"  -h, --help           this help\n"
		"\n"
		"exit codes: 0 success, 1 failure, 2 usage error\n",
		DEFAULT_CONFIG);
}

static int fail(char *cause)
{
	fprintf(stderr, "mentorctl: %s\n", cause);
	free(cause);
	return 1;
}

static int open_store(const struct ctl *ctl, struct store **store)
{
	struct config *c = NULL;
	char *cause = NULL;
	const char *path = ctl->database;
	int rc;

	if (path == NULL) {
		if (config_load(ctl->config_path, &c, &cause) != 0)
			return fail(cause);
		path = c->database;
	}
	rc = store_open(path, store, &cause);
	config_free(c);
	return rc == 0 ? 0 : fail(cause);
}

static int cmd_check_config(const struct ctl *ctl)
{
	struct config *c;
	char *cause = NULL;

	if (config_load(ctl->config_path, &c, &cause) != 0 ||
	    clock_use_timezone(c->timezone, &cause) != 0)
		return fail(cause);
	printf("%s: configuration OK\n", ctl->config_path);
	config_free(c);
	return 0;
}

static int cmd_token_add(const struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"role", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"mentor", required_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	const char *role = NULL, *name = NULL;
	char token[AUTH_TOKEN_LEN], *cause = NULL, *end;
	long long mentor = 0;
	int64_t id;
	struct store *store;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "r:n:m:", longopts, NULL)) != -1) {
		if (opt == 'r')
			role = optarg;
		else if (opt == 'n')
			name = optarg;
		else if (opt == 'm' && (mentor = strtoll(optarg, &end, 10)) > 0 && *end == '\0')
			continue;
		else
			return 2;
	}
	if (role == NULL || name == NULL || optind != argc) {
		fprintf(stderr, "mentorctl: token add needs --role and --name\n");
		return 2;
	}
	if (open_store(ctl, &store) != 0)
		return 1;
	rc = auth_token_add(store, name, role, mentor, time(NULL), token, &id, &cause);
	store_free(store);
	if (rc != 0)
		return fail(cause);
	printf("%s\n", token);
	fprintf(stderr, "token %lld created for %s (%s); it is shown only now\n", (long long)id,
		name, role);
	return 0;
}

static int cmd_token(const struct ctl *ctl, int argc, char **argv)
{
	struct store *store;
	char *cause = NULL, *end;
	int rc;

	if (argc < 1)
		return 2;
	if (strcmp(argv[0], "add") == 0)
		return cmd_token_add(ctl, argc, argv);
	if (strcmp(argv[0], "list") == 0 && argc == 1) {
		if (open_store(ctl, &store) != 0)
			return 1;
		rc = auth_token_list(store, stdout, ctl->json, &cause);
	} else if (strcmp(argv[0], "revoke") == 0 && argc == 2) {
		long long id = strtoll(argv[1], &end, 10);
		if (id <= 0 || *end != '\0')
			return 2;
		if (open_store(ctl, &store) != 0)
			return 1;
		rc = auth_token_revoke(store, id, time(NULL), &cause);
	} else {
		return 2;
	}
	store_free(store);
	return rc == 0 ? 0 : fail(cause);
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
	int opt, rc = 2;

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
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "check-config") == 0 && argc == 1)
		rc = cmd_check_config(&ctl);
	else if (argc >= 1 && strcmp(argv[0], "token") == 0)
		rc = cmd_token(&ctl, argc - 1, argv + 1);
	if (rc == 2)
		usage(stderr);
	return rc;
}
