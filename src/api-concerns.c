/*
 * api-concerns.c - GET /v1/concerns and POST /v1/concerns/{id}/handled
 * (admin): the coordinators' list of concerns for citizens' safety, and
 * marking one followed up (concern.h, doc/api.md).
 *
 * Contract: ?state=open (the default), handled or all; paged by ?after=
 * and ?limit= (api.h). Each row names the citizen, so each listed row is
 * an audit row for its course. Handling logs "concern_handled" in the
 * course log and is audited; 404 for an unknown concern, 409 for one
 * already handled.
 */
#include "api-routes.h"

#include <stdlib.h>

#include "api.h"
#include "clock.h"
#include "concern.h"
#include "mentord.h"

static int concern_page(struct store *store, void *arg, int64_t after, size_t limit, json_t **rows,
			struct error *err)
{
	return concern_list(store, *(enum concern_filter *)arg, after, limit, rows, err);
}

static int list_work(struct api_job *job, struct store *store)
{
	enum concern_filter filter = CONCERN_OPEN;
	char *state = api_query_param(job->req, "state");
	struct field_errors errors;
	size_t i;
	json_t *page, *row;

	field_errors_init(&errors);
	if (state != NULL && concern_filter_parse(state, &filter) != 0)
		field_error_add(&errors, "state", "must be open, handled or all");
	free(state);
	if (api_job_page(job, store, &errors, "concerns", concern_page, &filter) != 0)
		return -1;
	/* Every concern on the page is a citizen's, read; a refusal drops the
	 * reply, so the page is held here while it is walked. */
	page = json_incref(json_object_get(job->reply, "concerns"));
	json_array_foreach (page, i, row) {
		json_int_t course = json_integer_value(json_object_get(row, "course_id"));
		if (api_job_audit(job, store, "read", course,
				  "list concerns for citizens' safety") != 0) {
			json_decref(page);
			return -1;
		}
	}
	json_decref(page);
	return 0;
}

static int handled_work(struct api_job *job, struct store *store)
{
	char author[API_AUTHOR_LEN];
	struct error err;
	int64_t id, course_id;
	time_t now = clock_now(job->m->clock);

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No concern with this id.", NULL);
	api_job_author(job, author, sizeof author);
	if (concern_handle(store, job->m->course_log, id, now, author, &course_id, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "concern_handled", course_id,
			  "follow up a concern for the citizen's safety") != 0)
		return -1;
	job->reply = json_pack("{s:I, s:I, s:b}", "id", (json_int_t)id, "course_id",
			       (json_int_t)course_id, "handled", 1);
	return 0;
}

#define ADMIN API_ROLE(AUTH_ADMIN)

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/concerns", ADMIN, false, list_work},
	{EVHTTP_REQ_POST, "/v1/concerns/{id}/handled", ADMIN, false, handled_work},
};

const struct api_routes api_concerns_routes = {routes, sizeof routes / sizeof routes[0]};
