/*
 * daemon.h - start-up, signals, reload, watchdog and shutdown of mentord.
 *
 * Contract: daemon_start() brings the parts up in order (config, time zone,
 * event base, store, HTTP, signals, watchdog) and reports READY=1 only when
 * the store is open and a socket is bound; on failure it returns -1 with a
 * cause and leaves nothing running. daemon_run() runs the loop until SIGTERM
 * or SIGINT has drained in-flight requests. daemon_free() releases it all.
 */
#ifndef MENTORD_DAEMON_H
#define MENTORD_DAEMON_H

#include <stdbool.h>

struct daemon;

struct daemon_options {
	const char *config_path;
	const char *database;  /* overrides the config when not NULL */
	const char *port_file; /* where to write the bound port, or NULL */
	const char *web_root;  /* overrides the config's web.root when not NULL */
	bool test_clock;
};

int daemon_start(const struct daemon_options *options, struct daemon **out, char **cause);
int daemon_run(struct daemon *d);
void daemon_free(struct daemon *d);

#endif
