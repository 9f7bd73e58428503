/*
 * api-outbox.c - GET /v1/outbox (api-outbox.h).
 */
#include "api-outbox.h"

#include <stdlib.h>

#include "api.h"
#include "mentord.h"
#include "outbox.h"

static int list_work(struct api_job *job, struct store *store)
{
	char *state = api_query_param(job->req, "state");
	struct sched_error err;
	json_t *list;
	int rc;

	(void)store;
	rc = outbox_list(job->m->outbox, state, &list, &err);
	free(state);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	job->reply = json_pack("{s:o}", "outbox", list);
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/outbox", API_ROLE(AUTH_ADMIN), false, list_work},
};

void api_outbox_register(struct mentord *m)
{
	api_register(m, routes, sizeof routes / sizeof routes[0]);
}
