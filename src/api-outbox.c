/*
 * api-outbox.c - GET /v1/outbox (api-outbox.h).
 */
#include "api-outbox.h"

#include <stdlib.h>

#include "api.h"
#include "mentord.h"
#include "outbox.h"

/* GET /v1/outbox[?state=]: a page of rows; sent rows are kept and dead
 * letters may pile up while the gateway is down, so never all at once. */
static int list_work(struct api_job *job, struct store *store)
{
	struct field_errors errors;
	struct error err;
	int64_t after;
	size_t limit;
	json_t *list, *next;
	char *state;
	int rc;

	(void)store;
	field_errors_init(&errors);
	api_read_page(job, &after, &limit, &errors);
	if (api_job_check(job, &errors, "Bad query parameter.") != 0)
		return -1;
	/* One more than the page, to know whether another page follows. */
	state = api_query_param(job->req, "state");
	rc = outbox_list(job->m->outbox, state, after, limit + 1, &list, &err);
	free(state);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	next = api_page_next(list, limit);
	job->reply = json_pack("{s:o, s:o}", "outbox", list, "next_after", next);
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/outbox", API_ROLE(AUTH_ADMIN), false, list_work},
};

void api_outbox_register(struct mentord *m)
{
	api_register(m, routes, sizeof routes / sizeof routes[0]);
}
