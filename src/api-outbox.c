/*
 * api-outbox.c - GET /v1/outbox (admin): what is queued for the messaging
 * gateway, and its dead letters (doc/gateway.md); POST
 * /v1/outbox/{id}/retry (admin) sends a dead letter again.
 *
 * Contract: ?state=pending|sent|dead filters (absent: every row); any
 * other state is 422 naming "state". Rows come without their payloads
 * (outbox.h), so the listing names no citizen and writes no audit row.
 * A retry is outbox_retry(), as `mentorctl outbox retry`: 404 for no such
 * row, 409 for a row that is not dead; it is audited on the row's course
 * and answers the row as it is now (pending).
 */
#include "api-routes.h"

#include <stdlib.h>

#include "api.h"
#include "clock.h"
#include "mentord.h"
#include "outbox-worker.h"
#include "outbox.h"

/* GET /v1/outbox[?state=]: a page of rows; sent rows are kept and dead
 * letters may pile up while the gateway is down, so never all at once. */
struct outbox_page {
	struct outbox *outbox;
	const char *state;
};

static int outbox_page(struct store *store, void *arg, int64_t after, size_t limit, json_t **rows,
		       struct error *err)
{
	const struct outbox_page *p = arg;

	(void)store;
	return outbox_list(p->outbox, p->state, after, limit, rows, err);
}

static int list_work(struct api_job *job, struct store *store)
{
	struct outbox_page p = {job->m->outbox, api_query_param(job->req, "state")};
	struct field_errors errors;
	int rc;

	field_errors_init(&errors);
	rc = api_job_page(job, store, &errors, "outbox", outbox_page, &p);
	free((char *)p.state);
	return rc;
}

/* POST /v1/outbox/{id}/retry: a dead letter pending again, with the same
 * key, as `mentorctl outbox retry` does it (outbox_retry); audited, as it
 * sends a citizen's message or a mentor's call task once more. */
static int retry_work(struct api_job *job, struct store *store)
{
	struct error err;
	json_t *row;
	int64_t id, course_id;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No outbox row with this id.", NULL);
	if (outbox_retry(job->m->outbox, id, clock_now(job->m->clock), &err) != 0)
		return api_job_fail_sched(job, &err);
	if (outbox_get(job->m->outbox, id, &row, &err) != 0)
		return api_job_fail_sched(job, &err);
	course_id = json_integer_value(json_object_get(row, "course_id"));
	if (api_job_audit(job, store, "outbox_retry", course_id, "send a dead letter again") != 0) {
		json_decref(row);
		return -1;
	}
	/* Due at once: the sender looks now rather than at its next poll. */
	outbox_worker_kick(job->m->worker);
	job->reply = row;
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/outbox", API_ROLE(AUTH_ADMIN), false, list_work},
	{EVHTTP_REQ_POST, "/v1/outbox/{id}/retry", API_ROLE(AUTH_ADMIN), false, retry_work},
};

const struct api_routes api_outbox_routes = {routes, sizeof routes / sizeof routes[0]};
