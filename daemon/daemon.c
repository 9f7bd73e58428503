/*
 * daemon.c - wiring of mentord's parts and its life cycle (daemon.h).
 *
 * Signals arrive as libevent events (evsignal), so their handlers run in
 * the loop like everything else and may safely touch state.
 */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api-routes.h"
#include "clock.h"
#include "config-check.h"
#include "config.h"
#include "course-log.h"
#include "course.h"
#include "group-commit.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "mentor.h"
#include "message.h"
#include "metrics.h"
#include "outbox.h"
#include "outbox-worker.h"
#include "publish.h"
#include "queue.h"
#include "mentord.h"
#include "sdnotify.h"
#include "store.h"
#include "web.h"
#include "writer.h"
#include "xmalloc.h"

/* How long SIGTERM waits for owed replies before closing anyway. */
#define DAEMON_DRAIN_SECONDS 10
/* evhttp only tells us about a request once it is fully received, so a
 * request whose body is still arriving at SIGTERM is invisible. Keep
 * serving the open connections this long even when nothing is owed, so
 * such a request is still answered. */
#define DAEMON_DRAIN_GRACE_MS 1000

struct daemon {
	struct mentord m;
	char *config_path;
	char *database_override;
	char *web_root_override;
	struct web *web; /* the mentors' page; outlives the HTTP server */
	struct event *on_sigterm;
	struct event *on_sigint;
	struct event *on_sighup;
	struct event *watchdog;
	struct event *drain;
	struct event *checkpoint; /* store_defer_checkpoints() */
	struct timeval drain_started;
	int exit_code;
};

static struct http_limits limits_of(const struct config *c)
{
	return (struct http_limits){
		.max_body_bytes = HTTP_MAX_BODY_BYTES,
		.max_header_bytes = (size_t)c->http_max_header_bytes,
		.timeout_s = c->http_timeout_s,
		.max_connections = c->http_max_connections,
		.max_connections_per_peer = c->http_max_connections_per_peer,
		.header_timeout_s = c->http_header_timeout_s,
		.body_timeout_s = c->http_body_timeout_s,
		.idle_timeout_s = c->http_idle_timeout_s,
	};
}

/* With epoll, the changes a turn of the loop makes to what it watches go
 * to the kernel together, once per fd, before it waits: every request
 * turns reading and writing on and off, and an epoll_ctl for each was a
 * tenth of the loop's time under load (GET /healthz: 28,600/s, 34,300-
 * 36,300/s with the change list; tests/bench/intake.sh). libevent warns
 * that fds made by dup() confuse it; mentord watches none. */
static struct event_base *new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

/* The WAL is copied back into the database in a turn of the loop of its
 * own, not inside the COMMIT that filled it (store.h). */
static void checkpoint_due(void *arg)
{
	struct daemon *d = arg;
	struct timeval yield = {0, JOBS_YIELD_MS * 1000};

	/* Not at once: the COMMIT that asked may end a daily job's chunk,
	 * and the loop serves requests between the two (jobs.h). */
	event_base_update_cache_time(d->m.base);
	evtimer_add(d->checkpoint, &yield);
}

static void checkpoint_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct error err;

	(void)fd;
	(void)what;
	error_clear(&err);
	if (store_checkpoint(d->m.store, &err) != 0)
		log_warning("checkpoint: %s", err.message);
	if (d->m.jobs != NULL)
		jobs_yield(d->m.jobs);
}

/* config_check() with the command line's overrides; switches nothing. */
static int load_config(struct daemon *d, struct config **out, struct message_templates **templates,
		       char **cause)
{
	struct config *c;

	if (config_check(d->config_path, &c, templates, cause) != 0)
		return -1;
	if (d->database_override != NULL) {
		free(c->database);
		c->database = xstrdup(d->database_override);
	}
	if (d->web_root_override != NULL) {
		free(c->web_root);
		c->web_root = xstrdup(d->web_root_override);
	}
	*out = c;
	return 0;
}

/* Apply what can change without a restart; keep the old config otherwise. */
static void reload(struct daemon *d)
{
	struct config *fresh = NULL, *old = d->m.config;
	struct message_templates *templates = NULL;
	struct http_limits limits;
	char *cause = NULL;

	sdnotify_reloading();
	/* The writer thread idle while the zone and config change: its
	 * queued changes point into the old config. */
	writer_drain(d->m.writer);
	/* The gateway is changed last: it is the one step that acts. */
	if (load_config(d, &fresh, &templates, &cause) != 0 ||
	    clock_use_timezone(fresh->timezone, &cause) != 0 ||
	    outbox_worker_configure(d->m.worker, fresh, &cause) != 0) {
		log_err("reload rejected, configuration unchanged: %s", cause);
		free(cause);
		cause = NULL;
		/* The new zone may be in force already: the old one is known good. */
		if (fresh != NULL && clock_use_timezone(old->timezone, &cause) != 0)
			free(cause);
		config_free(fresh);
		message_templates_free(templates);
		sdnotify_ready();
		sdnotify_status("Serving; last reload rejected, see the log");
		return;
	}
	if (strcmp(fresh->listen_address, old->listen_address) != 0 ||
	    fresh->listen_port != old->listen_port || strcmp(fresh->database, old->database) != 0)
		log_warning("listen address, port and database change only with a restart");
	/* The writer thread is started or not once (writer.h). */
	if (fresh->store_writer_thread != old->store_writer_thread)
		log_warning("store.writer_thread changes only with a restart");
	log_set_level(fresh->log_level);
	if (store_tune(d->m.store, fresh->store_cache_mib, fresh->store_mmap_mib, &cause) != 0 ||
	    writer_tune(d->m.writer, fresh->store_cache_mib, &cause) != 0) {
		log_warning("store: %s", cause);
		free(cause);
		cause = NULL;
	}
	limits = limits_of(fresh);
	http_server_set_limits(d->m.http, &limits);
	d->m.config = fresh;
	config_free(old);
	message_templates_free(d->m.templates);
	d->m.templates = templates;
	web_load(d->web, d->m.config->web_root);
	log_notice("configuration reloaded from %s", d->config_path);
	sdnotify_ready();
	sdnotify_status("Serving; configuration reloaded");
}

static void drain_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval now, waited;

	(void)fd;
	(void)what;
	event_base_gettimeofday_cached(d->m.base, &now);
	evutil_timersub(&now, &d->drain_started, &waited);
	long waited_ms = (long)waited.tv_sec * 1000 + waited.tv_usec / 1000;
	bool idle = http_server_in_flight(d->m.http) == 0 && waited_ms >= DAEMON_DRAIN_GRACE_MS;

	if (idle || waited.tv_sec >= DAEMON_DRAIN_SECONDS) {
		if (http_server_in_flight(d->m.http) > 0)
			log_warning("stopping with %d replies still owed",
				    http_server_in_flight(d->m.http));
		event_base_loopexit(d->m.base, NULL);
		return;
	}
	event_add(d->drain, &(struct timeval){0, 20000});
}

static void begin_shutdown(struct daemon *d, const char *why)
{
	if (d->drain != NULL)
		return;
	log_notice("%s: no new connections, finishing %d in-flight requests", why,
		   http_server_in_flight(d->m.http));
	sdnotify_stopping();
	sdnotify_status("Stopping");
	/* A chunk of a daily job may wait seconds for a locked database:
	 * none starts after the signal. */
	jobs_stop(d->m.jobs);
	http_server_drain(d->m.http);
	event_base_gettimeofday_cached(d->m.base, &d->drain_started);
	d->drain = evtimer_new(d->m.base, drain_check_cb, d);
	event_active(d->drain, EV_TIMEOUT, 0);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP)
		reload(d);
	else
		begin_shutdown(d, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Pinging from a loop timer means a stuck loop stops the pings, and systemd
 * then restarts us: the watchdog checks the loop, not just the process. */
static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sdnotify_watchdog();
}

static int start_watchdog(struct daemon *d)
{
	uint64_t usec = sdnotify_watchdog_usec();
	struct timeval half;

	if (usec == 0)
		return 0;
	half.tv_sec = (time_t)(usec / 2 / 1000000);
	half.tv_usec = (suseconds_t)(usec / 2 % 1000000);
	d->watchdog = event_new(d->m.base, -1, EV_PERSIST, watchdog_cb, d);
	if (d->watchdog == NULL || event_add(d->watchdog, &half) != 0)
		return -1;
	log_info("watchdog: pinging every %llu ms", (unsigned long long)(usec / 2000));
	return 0;
}

static int write_port_file(const char *path, int port, char **cause)
{
	char *tmp;
	FILE *f;
	int ok;

	/* Written whole then renamed, so a reader never sees half a number. */
	xasprintf(&tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	ok = f != NULL && fprintf(f, "%d\n", port) > 0;
	ok = (f != NULL && fclose(f) == 0) && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok)
		xasprintf(cause, "cannot write port file %s: %s", path, strerror(errno));
	free(tmp);
	return ok ? 0 : -1;
}

/* An IPv6 address goes in brackets in a URL (RFC 3986): http://[::]:8080/. */
static const char *listen_url(const char *address, int port, char *buf, size_t size)
{
	bool v6 = strchr(address, ':') != NULL;

	snprintf(buf, size, "http://%s%s%s:%d/", v6 ? "[" : "", address, v6 ? "]" : "", port);
	return buf;
}

static int start_http(struct daemon *d, const struct daemon_options *o, char **cause)
{
	struct http_limits limits = limits_of(d->m.config);
	char url[INET6_ADDRSTRLEN + 32];
	int inherited;

	d->m.http = http_server_new(d->m.base, &limits);
	if (d->m.http == NULL) {
		xasprintf(cause, "cannot create the HTTP server");
		return -1;
	}
	inherited = http_server_adopt_systemd(d->m.http, cause);
	if (inherited < 0)
		return -1;
	if (inherited == 0 && http_server_bind(d->m.http, d->m.config->listen_address,
					       d->m.config->listen_port, cause) != 0) {
		char *why = *cause;

		config_setting_error(cause, d->m.config, "listen.address", "%s", why);
		free(why);
		return -1;
	}
	api_routes_register(&d->m);
	metrics_register(&d->m);
	/* A missing page is logged, never fatal: the API is what matters. */
	d->web = web_new();
	web_load(d->web, d->m.config->web_root);
	web_register(d->web, d->m.http);
	if (inherited > 0)
		log_notice("listening on %d socket(s) from systemd", inherited);
	else
		log_notice("listening on %s",
			   listen_url(d->m.config->listen_address, http_server_port(d->m.http), url,
				      sizeof url));
	if (o->port_file != NULL &&
	    write_port_file(o->port_file, http_server_port(d->m.http), cause) != 0)
		return -1;
	return 0;
}

/* The scheduling core's modules, each with its statements prepared once. */
static int start_core(struct mentord *m, char **cause)
{
	if ((m->mentors = mentor_db_new(m->store, cause)) == NULL ||
	    (m->course_log = course_log_new(m->store, cause)) == NULL ||
	    (m->outbox = outbox_new(m->store, cause)) == NULL ||
	    (m->courses = course_db_new(m->store, m->mentors, m->course_log, m->outbox, cause)) ==
		    NULL ||
	    (m->queue = queue_new(m->store, m->mentors, cause)) == NULL)
		return -1;
	return 0;
}

/* The messaging gateway's side: late call tasks and the outbox sender. */
static int start_sender(struct mentord *m, char **cause)
{
	publish_attach(m);
	if ((m->worker = outbox_worker_new(m, cause)) == NULL)
		return -1;
	return outbox_worker_configure(m->worker, m->config, cause);
}

static void stop_core(struct mentord *m)
{
	queue_free(m->queue);
	course_db_free(m->courses);
	outbox_free(m->outbox);
	course_log_free(m->course_log);
	mentor_db_free(m->mentors);
}

static void sender_started(void *arg)
{
	jobs_begin(arg);
}

/* Daily jobs are looked for every minute and run a chunk per loop turn;
 * the first look comes from the loop once the outbox sender has got
 * going, so the daemon answers (and has said READY=1), and what waited in
 * the outbox is on its way, before an overdue job begins. */
static int start_jobs(struct daemon *d)
{
	if ((d->m.jobs = jobs_new(&d->m)) == NULL)
		return -1;
	outbox_worker_on_started(d->m.worker, sender_started, d->m.jobs);
	return jobs_start(d->m.jobs);
}

static int start_signals(struct daemon *d)
{
	d->on_sigterm = evsignal_new(d->m.base, SIGTERM, signal_cb, d);
	d->on_sigint = evsignal_new(d->m.base, SIGINT, signal_cb, d);
	d->on_sighup = evsignal_new(d->m.base, SIGHUP, signal_cb, d);
	if (d->on_sigterm == NULL || d->on_sigint == NULL || d->on_sighup == NULL)
		return -1;
	if (event_add(d->on_sigterm, NULL) != 0 || event_add(d->on_sigint, NULL) != 0 ||
	    event_add(d->on_sighup, NULL) != 0)
		return -1;
	return 0;
}

int daemon_start(const struct daemon_options *o, struct daemon **out, char **cause)
{
	struct daemon *d = xcalloc(1, sizeof *d);

	d->config_path = xstrdup(o->config_path);
	d->database_override = o->database != NULL ? xstrdup(o->database) : NULL;
	d->web_root_override = o->web_root != NULL ? xstrdup(o->web_root) : NULL;
	d->m.clock = clock_new(o->test_clock);
	d->m.started = time(NULL);
	sdnotify_status("Loading configuration");
	if (load_config(d, &d->m.config, &d->m.templates, cause) != 0 ||
	    clock_use_timezone(d->m.config->timezone, cause) != 0)
		goto fail;
	log_set_level(d->m.config->log_level);
	d->m.base = new_base();
	if (d->m.base == NULL) {
		xasprintf(cause, "cannot create the event loop");
		goto fail;
	}
	sdnotify_status("Opening the database");
	if (store_open(d->m.config->database, &d->m.store, cause) != 0 ||
	    store_tune(d->m.store, d->m.config->store_cache_mib, d->m.config->store_mmap_mib,
		       cause) != 0)
		goto fail;
	if ((d->checkpoint = evtimer_new(d->m.base, checkpoint_cb, d)) == NULL) {
		xasprintf(cause, "cannot set up the checkpoint event");
		goto fail;
	}
	store_defer_checkpoints(d->m.store, checkpoint_due, d);
	d->m.commits = group_commit_new(d->m.base, d->m.store);
	if (start_core(&d->m, cause) != 0 || start_sender(&d->m, cause) != 0 ||
	    (d->m.config->store_writer_thread && (d->m.writer = writer_new(&d->m, cause)) == NULL))
		goto fail;
	if (start_http(d, o, cause) != 0)
		goto fail;
	if (start_signals(d) != 0 || start_watchdog(d) != 0 || start_jobs(d) != 0) {
		xasprintf(cause, "cannot set up signal or watchdog events");
		goto fail;
	}
	if (o->test_clock)
		log_warning("test clock enabled: PUT /v1/test/clock can move time");
	*out = d;
	return 0;

fail:
	daemon_free(d);
	return -1;
}

int daemon_run(struct daemon *d)
{
	sdnotify_ready();
	sdnotify_status("Serving");
	if (event_base_dispatch(d->m.base) < 0) {
		log_err("the event loop failed");
		return -1;
	}
	log_notice("stopped");
	return d->exit_code;
}

void daemon_free(struct daemon *d)
{
	if (d == NULL)
		return;
	if (d->on_sigterm != NULL)
		event_free(d->on_sigterm);
	if (d->on_sigint != NULL)
		event_free(d->on_sigint);
	if (d->on_sighup != NULL)
		event_free(d->on_sighup);
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	if (d->drain != NULL)
		event_free(d->drain);
	/* The sender must not start jobs that are gone. */
	if (d->m.worker != NULL)
		outbox_worker_on_started(d->m.worker, NULL, NULL);
	jobs_free(d->m.jobs);
	/* Sends on the wire are cancelled (their rows stay pending); results
	 * already in go to the group commit, and curl lets go of its socket
	 * events before the base is freed (curl's multi-event.c order). */
	outbox_worker_free(d->m.worker);
	/* Queued changes are committed and answered before connections close. */
	writer_free(d->m.writer);
	group_commit_free(d->m.commits);
	http_server_free(d->m.http);
	web_free(d->web);
	stop_core(&d->m);
	/* After the store: its last COMMIT (PRAGMA optimize) may ask for a
	 * checkpoint, which store_free() makes anyway. */
	store_free(d->m.store);
	if (d->checkpoint != NULL)
		event_free(d->checkpoint);
	if (d->m.base != NULL)
		event_base_free(d->m.base);
	config_free(d->m.config);
	message_templates_free(d->m.templates);
	clock_free(d->m.clock);
	free(d->database_override);
	free(d->web_root_override);
	free(d->config_path);
	free(d);
}
