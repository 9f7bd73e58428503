/*
 * api-system.c - routes about the daemon itself: /healthz and the test clock.
 *
 * Contract: GET /healthz needs no token and says nothing about citizens:
 * version, uptime, whether the database answers, and the verdict of
 * health.h: 200 "ok", or 503 with every reason ("unavailable" when the
 * database does not answer, else "unhealthy").
 * PUT /v1/test/clock is registered only when the clock is in test mode, so
 * without --test-clock it is a plain 404.
 */
#include "api-routes.h"

#include <event2/http.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "health.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "mentord.h"
#include "outbox-worker.h"
#include "store.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* health.h: the database's part, then what only this process knows:
 * its failing write transactions and the job failures it could not
 * record. */
static void health_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	struct jobs_failure failures[8];
	struct store_health writes;
	struct health h;
	const char *status;
	json_t *db;
	size_t n;

	(void)params;
	health_read(m->store, health_outbox_max_age(m->config), clock_now(m->clock), &h);
	store_get_health(m->store, &writes);
	health_add_writes(&h, &writes);
	n = m->jobs != NULL ? jobs_failures(m->jobs, failures, 8) : 0;
	for (size_t i = 0; i < n; i++)
		health_add_job(&h, failures[i].job, failures[i].at, failures[i].error);
	db = h.database_ok
		     ? json_pack("{s:s, s:i}", "status", "ok", "schema_version", h.schema_version)
		     : json_pack("{s:s}", "status", "unavailable");
	status = health_ok(&h) ? "ok" : h.database_ok ? "unhealthy" : "unavailable";
	http_reply_json(req, health_ok(&h) ? 200 : 503,
			json_pack("{s:s, s:s, s:I, s:o, s:o}", "status", status, "version",
				  PACKAGE_VERSION, "uptime_seconds",
				  (json_int_t)(time(NULL) - m->started), "database", db, "reasons",
				  health_reasons_json(&h)));
}

static void test_clock_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	json_t *body = http_read_json(req);
	const char *now_text;
	char *cause = NULL, formatted[CLOCK_RFC3339_LEN];
	time_t now;

	(void)params;
	if (body == NULL)
		return;
	now_text = json_string_value(json_object_get(body, "now"));
	if (now_text == NULL || clock_parse_rfc3339(now_text, &now) != 0) {
		http_reply_problem(req, 422, "Unprocessable Content", "The clock was not changed.",
				   json_pack("[{s:s, s:s}]", "field", "now", "message",
					     "must be an RFC 3339 date-time with an offset"));
		json_decref(body);
		return;
	}
	json_decref(body);
	if (clock_set(m->clock, now, &cause) != 0) {
		http_reply_problem(req, 404, "Not Found", cause, NULL);
		free(cause);
		return;
	}
	clock_format_rfc3339(now, formatted);
	log_notice("test clock set to %s", formatted);
	/* Whatever became due at the new time runs before the reply, so a
	 * test sees its effect at once; sends that became due start now
	 * (their results arrive after the reply). */
	jobs_run_due(m);
	outbox_worker_kick(m->worker);
	http_reply_json(req, 200, json_pack("{s:s}", "now", formatted));
}

void api_system_register(struct mentord *m)
{
	http_server_route(m->http, EVHTTP_REQ_GET, "/healthz", health_cb, m, NULL);
	if (clock_is_test(m->clock))
		http_server_route(m->http, EVHTTP_REQ_PUT, "/v1/test/clock", test_clock_cb, m,
				  NULL);
}
