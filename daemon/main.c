/*
 * main.c - mentord: parse the command line, start the daemon, run the loop.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "config-check.h"
#include "daemon.h"
#include "log.h"

#define DEFAULT_CONFIG MENTORD_SYSCONFDIR "/mentord.conf"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mentord [options]\n"
		"  -c, --config FILE     configuration file (default %s)\n"
		"  -d, --database FILE   use this database instead of the configured one\n"
		"      --port-file FILE  write the bound TCP port to FILE when ready\n"
		"      --web-root DIR    serve the mentors' page from DIR instead of web.root\n"
		"      --test-clock      allow PUT /v1/test/clock (tests only)\n"
		"  -t, --check-config    validate the configuration and exit\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n",
		DEFAULT_CONFIG);
}

/* Validate without side effects: exit 0 if the file would be accepted. */
static int check_config(const char *path)
{
	char *cause = NULL;

	if (config_check(path, NULL, NULL, &cause) != 0) {
		fprintf(stderr, "mentord: %s\n", cause);
		free(cause);
		return 1;
	}
	printf("%s: configuration OK\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_PORT_FILE = 256, OPT_TEST_CLOCK, OPT_WEB_ROOT };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"database", required_argument, NULL, 'd'},
		{"port-file", required_argument, NULL, OPT_PORT_FILE},
		{"test-clock", no_argument, NULL, OPT_TEST_CLOCK},
		{"web-root", required_argument, NULL, OPT_WEB_ROOT},
		{"check-config", no_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct daemon_options options = {.config_path = DEFAULT_CONFIG};
	struct daemon *d;
	char *cause = NULL;
	int opt, only_check = 0, rc;

	/* The database, its WAL and every file mentord writes hold or name
	 * health data: private to mentord's user, also when an admin starts it
	 * from a shell rather than from the unit (UMask=0077). */
	umask(077);
	while ((opt = getopt_long(argc, argv, "c:d:tVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			options.config_path = optarg;
			break;
		case 'd':
			options.database = optarg;
			break;
		case OPT_PORT_FILE:
			options.port_file = optarg;
			break;
		case OPT_TEST_CLOCK:
			options.test_clock = true;
			break;
		case OPT_WEB_ROOT:
			options.web_root = optarg;
			break;
		case 't':
			only_check = 1;
			break;
		case 'V':
			printf("mentord %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (only_check)
		return check_config(options.config_path);

	log_open("mentord", LOG_INFO);
	if (daemon_start(&options, &d, &cause) != 0) {
		log_err("cannot start: %s", cause);
		free(cause);
		return 1;
	}
	rc = daemon_run(d);
	daemon_free(d);
	return rc == 0 ? 0 : 1;
}
