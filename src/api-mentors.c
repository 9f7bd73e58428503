/*
 * api-mentors.c - GET/POST /v1/mentors, GET/PATCH /v1/mentors/{id}.
 */
#include "api-mentors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "mentor.h"
#include "mentord.h"
#include "phone.h"
#include "xmalloc.h"

#define MENTOR_NAME_MAX 200
#define MENTOR_MAX_ABSENCES 100

static void read_working_days(json_t *body, struct mentor *mt, struct field_errors *errors)
{
	json_t *days = json_object_get(body, "working_days"), *day;
	int list[7];
	size_t i, n = 0;

	if (days == NULL)
		return;
	if (!json_is_array(days) || json_array_size(days) > 7) {
		field_error_add(errors, "working_days", "must be a list of weekdays 1 (Monday) to 7");
		return;
	}
	json_array_foreach(days, i, day) {
		/* The range before the cast: 4294967297 must not become 1. */
		if (!json_is_integer(day) || json_integer_value(day) < 1 ||
		    json_integer_value(day) > 7) {
			field_error_add(errors, "working_days", "must be a list of weekdays 1 to 7");
			return;
		}
		list[n++] = (int)json_integer_value(day);
	}
	if (mentor_weekdays_mask(list, n, &mt->working_days) != 0)
		field_error_add(errors, "working_days", "must be a list of weekdays 1 to 7");
}

static void read_absences(json_t *body, struct mentor *mt, struct field_errors *errors)
{
	json_t *list = json_object_get(body, "absences"), *a;
	size_t i;

	if (list == NULL)
		return;
	if (!json_is_array(list) || json_array_size(list) > MENTOR_MAX_ABSENCES) {
		field_error_add(errors, "absences", "must be a list of at most %d {from, to}",
			      MENTOR_MAX_ABSENCES);
		return;
	}
	free(mt->absences);
	mt->absences = xcalloc(json_array_size(list), sizeof *mt->absences);
	mt->nabsences = 0;
	json_array_foreach(list, i, a) {
		const char *from = json_string_value(json_object_get(a, "from"));
		const char *to = json_string_value(json_object_get(a, "to"));
		struct mentor_absence *ab = &mt->absences[mt->nabsences];
		char field[32];

		snprintf(field, sizeof field, "absences[%zu]", i);
		if (from == NULL || to == NULL || cal_day_parse(from, &ab->from) != 0 ||
		    cal_day_parse(to, &ab->to) != 0 || ab->from > ab->to) {
			field_error_add(errors, field,
				      "must be {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}"
				      " with from <= to");
			continue;
		}
		mt->nabsences++;
	}
}

/* Fill mt from body; with partial only the fields present change. */
static void read_mentor(json_t *body, bool partial, struct mentor *mt, struct field_errors *errors)
{
	const char *name, *phone;
	char normal[PHONE_LEN];
	json_t *active = json_object_get(body, "active");

	name = field_get_string(body, "name", "name", !partial, MENTOR_NAME_MAX, errors);
	if (name != NULL) {
		free(mt->name);
		mt->name = xstrdup(name);
	}
	phone = field_get_string(body, "phone", "phone", !partial, 32, errors);
	if (phone != NULL) {
		if (phone_normalise(phone, normal) != 0) {
			field_error_add(errors, "phone", "must be a Danish or E.164 phone number");
		} else {
			free(mt->phone);
			mt->phone = xstrdup(normal);
		}
	}
	read_working_days(body, mt, errors);
	read_absences(body, mt, errors);
	if (active != NULL && !json_is_boolean(active))
		field_error_add(errors, "active", "must be true or false");
	else if (active != NULL)
		mt->active = json_is_true(active);
}

static int invalid(struct api_job *job, struct field_errors *errors)
{
	api_job_fail(job, 422, "Unprocessable Content", "The mentor was not saved.", errors->list);
	errors->list = NULL;
	field_errors_clear(errors);
	return -1;
}

static int reply_mentor(struct api_job *job, int64_t id)
{
	struct error err;
	struct mentor *mt;

	if (mentor_get(job->m->mentors, id, &mt, &err) != 0)
		return api_job_fail_sched(job, &err);
	job->reply = mentor_to_json(mt);
	mentor_free(mt);
	return 0;
}

static int create_work(struct api_job *job, struct store *store)
{
	struct mentor mt = {.working_days = MENTOR_MONDAY_TO_FRIDAY, .active = true};
	struct field_errors errors;
	struct error err;
	int64_t id;
	int rc;

	(void)store;
	field_errors_init(&errors);
	read_mentor(job->body, false, &mt, &errors);
	if (field_errors_any(&errors)) {
		free(mt.name);
		free(mt.phone);
		free(mt.absences);
		return invalid(job, &errors);
	}
	field_errors_clear(&errors);
	rc = mentor_add(job->m->mentors, &mt, clock_now(job->m->clock), &id, &err);
	free(mt.name);
	free(mt.phone);
	free(mt.absences);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	job->status = 201;
	snprintf(job->location, sizeof job->location, "/v1/mentors/%lld", (long long)id);
	return reply_mentor(job, id);
}

static int update_work(struct api_job *job, struct store *store)
{
	struct field_errors errors;
	struct error err;
	struct mentor *mt;
	int64_t id;
	int rc;

	(void)store;
	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No mentor with this id.", NULL);
	if (mentor_get(job->m->mentors, id, &mt, &err) != 0)
		return api_job_fail_sched(job, &err);
	field_errors_init(&errors);
	read_mentor(job->body, true, mt, &errors);
	if (field_errors_any(&errors)) {
		mentor_free(mt);
		return invalid(job, &errors);
	}
	field_errors_clear(&errors);
	rc = mentor_update(job->m->mentors, mt, &err);
	mentor_free(mt);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	return reply_mentor(job, id);
}

static int get_work(struct api_job *job, struct store *store)
{
	int64_t id;

	(void)store;
	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No mentor with this id.", NULL);
	return reply_mentor(job, id);
}

static int list_work(struct api_job *job, struct store *store)
{
	struct error err;
	struct mentor *list;
	size_t n;
	json_t *out = json_array();

	(void)store;
	if (mentor_list(job->m->mentors, &list, &n, &err) != 0) {
		json_decref(out);
		return api_job_fail_sched(job, &err);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, mentor_to_json(&list[i]));
	mentor_list_free(list, n);
	job->reply = json_pack("{s:o}", "mentors", out);
	return 0;
}

#define ADMIN API_ROLE(AUTH_ADMIN)

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/mentors", ADMIN, false, list_work},
	{EVHTTP_REQ_POST, "/v1/mentors", ADMIN, true, create_work},
	{EVHTTP_REQ_GET, "/v1/mentors/{id}", ADMIN, false, get_work},
	{EVHTTP_REQ_PATCH, "/v1/mentors/{id}", ADMIN, true, update_work},
};

void api_mentors_register(struct mentord *m)
{
	api_register(m, routes, sizeof routes / sizeof routes[0]);
}
