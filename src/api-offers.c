/*
 * api-offers.c - /v1/offers: the catalogue (mentors read, admins edit).
 */
#include "api-routes.h"

#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "clock.h"
#include "mentord.h"
#include "offer.h"

static int offer_id(struct api_job *job, int64_t *id)
{
	if (!api_parse_id(http_param(&job->params, "id"), id))
		return api_job_fail(job, 404, "Not Found", "No offer with this id.", NULL);
	return 0;
}

static int list_work(struct api_job *job, struct store *store)
{
	struct error err;
	json_t *list;

	if (offer_list(store, &list, &err) != 0)
		return api_job_fail_store(job, &err);
	job->reply = json_pack("{s:o}", "offers", list);
	return 0;
}

static int get_work(struct api_job *job, struct store *store)
{
	struct error err;
	int64_t id;

	if (offer_id(job, &id) != 0)
		return -1;
	if (offer_get(store, id, &job->reply, &err) != 0)
		return api_job_fail_store(job, &err);
	if (job->reply == NULL)
		return api_job_fail(job, 404, "Not Found", "No offer with this id.", NULL);
	return 0;
}

static json_t *validated(struct api_job *job, bool partial)
{
	struct field_errors errors;
	json_t *fields;

	field_errors_init(&errors);
	fields = offer_from_json(job->body, partial, &errors);
	if (fields == NULL) {
		api_job_fail(job, 422, "Unprocessable Content", "The offer was not saved.",
			     errors.list);
		errors.list = NULL;
	}
	field_errors_clear(&errors);
	return fields;
}

static int create_work(struct api_job *job, struct store *store)
{
	json_t *fields = validated(job, false);
	struct error err;
	int64_t id;

	if (fields == NULL)
		return -1;
	if (offer_create(store, fields, clock_now(job->m->clock), &id, &err) != 0) {
		json_decref(fields);
		return api_job_fail_store(job, &err);
	}
	json_decref(fields);
	snprintf(job->location, sizeof job->location, "/v1/offers/%lld", (long long)id);
	job->status = 201;
	if (offer_get(store, id, &job->reply, &err) != 0)
		return api_job_fail_store(job, &err);
	return 0;
}

static int update_work(struct api_job *job, struct store *store)
{
	json_t *fields;
	struct error err;
	int64_t id;
	int rc;

	if (offer_id(job, &id) != 0 || (fields = validated(job, true)) == NULL)
		return -1;
	rc = offer_update(store, id, fields, clock_now(job->m->clock), &err);
	json_decref(fields);
	if (rc < 0)
		return api_job_fail_store(job, &err);
	if (rc > 0)
		return api_job_fail(job, 404, "Not Found", "No offer with this id.", NULL);
	if (offer_get(store, id, &job->reply, &err) != 0)
		return api_job_fail_store(job, &err);
	return 0;
}

static int delete_work(struct api_job *job, struct store *store)
{
	struct error err;
	int64_t id;
	int rc;

	if (offer_id(job, &id) != 0)
		return -1;
	rc = offer_delete(store, id, clock_now(job->m->clock), &err);
	if (rc < 0)
		return api_job_fail_store(job, &err);
	if (rc > 0)
		return api_job_fail(job, 404, "Not Found", "No offer with this id.", NULL);
	job->status = 200;
	job->reply = json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1);
	return 0;
}

#define READERS (API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))
#define ADMIN API_ROLE(AUTH_ADMIN)

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/offers", READERS, false, list_work},
	{EVHTTP_REQ_POST, "/v1/offers", ADMIN, true, create_work},
	{EVHTTP_REQ_GET, "/v1/offers/{id}", READERS, false, get_work},
	{EVHTTP_REQ_PATCH, "/v1/offers/{id}", ADMIN, true, update_work},
	{EVHTTP_REQ_DELETE, "/v1/offers/{id}", ADMIN, false, delete_work},
};

const struct api_routes api_offers_routes = {routes, sizeof routes / sizeof routes[0]};
