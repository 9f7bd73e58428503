/*
 * api-mentors.c - /v1/mentors: the coordinator manages the mentors, their
 * working days, absences and whether they take new courses (admin only).
 */
#include "api-routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "match.h"
#include "mentor-profile.h"
#include "mentor.h"
#include "mentord.h"
#include "phone.h"
#include "session.h"
#include "workload.h"
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
		field_error_add(errors, "working_days",
				"must be a list of weekdays 1 (Monday) to 7");
		return;
	}
	json_array_foreach (days, i, day) {
		char field[48]; /* "working_days[" and any size_t */

		/* The range before the cast: 4294967297 must not become 1. */
		if (!json_is_integer(day) || json_integer_value(day) < 1 ||
		    json_integer_value(day) > 7) {
			field_error_add(errors, "working_days",
					"must be a list of weekdays 1 to 7");
			return;
		}
		list[n] = (int)json_integer_value(day);
		/* The schema's uniqueItems: [1, 1] is a typo, not Monday. */
		for (size_t j = 0; j < n; j++)
			if (list[j] == list[n]) {
				snprintf(field, sizeof field, "working_days[%zu]", i);
				field_error_add(errors, field, "is already in the list");
				return;
			}
		n++;
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
	json_array_foreach (list, i, a) {
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

	/* A PATCH's null would clear them: a mentor needs both. */
	if (partial) {
		field_refuse_null(body, "name", "name", errors);
		field_refuse_null(body, "phone", "phone", errors);
	}
	name = field_get_name(body, "name", "name", !partial, MENTOR_NAME_MAX, errors);
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
	if (mentor_profile_show(job->m->store, id, job->reply, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_mentor_terms_show(job, job->reply, id, &err) != 0)
		return api_job_fail_store(job, &err);
	return 0;
}

static int create_work(struct api_job *job, struct store *store)
{
	struct mentor mt = {.working_days = MENTOR_MONDAY_TO_FRIDAY, .active = true};
	struct api_mentor_terms terms;
	struct field_errors errors;
	struct error err;
	json_t *profile;
	int64_t id;
	int rc;

	field_errors_init(&errors);
	read_mentor(job->body, false, &mt, &errors);
	profile = match_read_profile(job->body, false, &errors);
	api_mentor_terms_read(job, false, &terms, &errors);
	if (field_errors_any(&errors)) {
		free(mt.name);
		free(mt.phone);
		free(mt.absences);
		json_decref(profile);
		return invalid(job, &errors);
	}
	field_errors_clear(&errors);
	rc = mentor_add(job->m->mentors, &mt, clock_now(job->m->clock), &id, &err);
	free(mt.name);
	free(mt.phone);
	free(mt.absences);
	if (rc == 0)
		rc = mentor_profile_put(store, id, profile, &err);
	json_decref(profile);
	if (rc == 0)
		rc = api_mentor_terms_save(job, id, &terms, &err);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	job->status = 201;
	snprintf(job->location, sizeof job->location, "/v1/mentors/%lld", (long long)id);
	return reply_mentor(job, id);
}

static int update_work(struct api_job *job, struct store *store)
{
	struct api_mentor_terms terms;
	struct field_errors errors;
	struct error err;
	struct mentor *mt;
	json_t *profile;
	int64_t id;
	int rc;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No mentor with this id.", NULL);
	if (mentor_get(job->m->mentors, id, &mt, &err) != 0)
		return api_job_fail_sched(job, &err);
	field_errors_init(&errors);
	read_mentor(job->body, true, mt, &errors);
	profile = match_read_profile(job->body, true, &errors);
	api_mentor_terms_read(job, true, &terms, &errors);
	if (field_errors_any(&errors)) {
		mentor_free(mt);
		json_decref(profile);
		return invalid(job, &errors);
	}
	field_errors_clear(&errors);
	rc = mentor_update(job->m->mentors, mt, &err);
	/* Deactivation ends the mentor's sessions for good, not only while
	 * inactive (doc/sessions-and-sso.md). */
	if (rc == 0 && !mt->active)
		rc = session_end_mentor(store, id, &err);
	mentor_free(mt);
	if (rc == 0)
		rc = mentor_profile_put(store, id, profile, &err);
	json_decref(profile);
	if (rc == 0)
		rc = api_mentor_terms_save(job, id, &terms, &err);
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

	if (mentor_list(job->m->mentors, &list, &n, &err) != 0) {
		json_decref(out);
		return api_job_fail_sched(job, &err);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *mentor = mentor_to_json(&list[i]);
		json_array_append_new(out, mentor);
		if (mentor_profile_show(store, list[i].id, mentor, &err) != 0 ||
		    api_mentor_terms_show(job, mentor, list[i].id, &err) != 0) {
			mentor_list_free(list, n);
			json_decref(out);
			return api_job_fail_store(job, &err);
		}
	}
	mentor_list_free(list, n);
	job->reply = json_pack("{s:o}", "mentors", out);
	return 0;
}

/* ?from= (default today) and ?to= (default from + 6). */
static int read_load_period(struct api_job *job, cal_day *from, cal_day *to)
{
	char *from_text = api_query_param(job->req, "from");
	char *to_text = api_query_param(job->req, "to");
	struct field_errors errors;

	field_errors_init(&errors);
	*from = cal_day_of_instant(clock_now(job->m->clock));
	if (from_text != NULL && cal_day_parse(from_text, from) != 0)
		field_error_add(&errors, "from", "must be a date \"YYYY-MM-DD\"");
	*to = *from + 6;
	if (to_text != NULL && cal_day_parse(to_text, to) != 0)
		field_error_add(&errors, "to", "must be a date \"YYYY-MM-DD\"");
	free(from_text);
	free(to_text);
	return api_job_check(job, &errors, "Bad query parameter.");
}

static bool mentor_absent(const struct mentor *mt, cal_day day)
{
	for (size_t i = 0; i < mt->nabsences; i++)
		if (day >= mt->absences[i].from && day <= mt->absences[i].to)
			return true;
	return false;
}

/* One mentor's days (row NULL: no calls), absences overlapping the period. */
static json_t *load_mentor_json(const struct mentor *mt, const struct workload *w,
				const struct workload_row *row)
{
	json_t *out = mentor_to_json(mt), *days = json_array(), *absences = json_array();
	char from[CAL_DATE_LEN], to[CAL_DATE_LEN];

	for (int d = 0; d < w->ndays; d++) {
		cal_day day = w->from + d;
		bool absent = mentor_absent(mt, day);
		bool works = (mt->working_days & MENTOR_WEEKDAY(cal_weekday(day))) != 0;
		json_array_append_new(
			days, json_pack("{s:o, s:I, s:I, s:b, s:b}", "date", api_day_json(day),
					"due", (json_int_t)(row != NULL ? row->due[d] : 0), "queue",
					(json_int_t)(row != NULL ? row->queue[d] : 0), "absent",
					absent, "available", mt->active && works && !absent));
	}
	for (size_t i = 0; i < mt->nabsences; i++) {
		if (mt->absences[i].to < w->from || mt->absences[i].from >= w->from + w->ndays)
			continue;
		cal_day_format(mt->absences[i].from, from);
		cal_day_format(mt->absences[i].to, to);
		json_array_append_new(absences, json_pack("{s:s, s:s}", "from", from, "to", to));
	}
	json_object_set_new(out, "absences_in_period", absences);
	json_object_set_new(out, "overdue", json_integer(row != NULL ? row->overdue : 0));
	json_object_set_new(out, "days", days);
	return out;
}

/* GET /v1/mentors/load: counts only, so no audit row. */
static int load_work(struct api_job *job, struct store *store)
{
	const struct cal_closures *closures = &job->m->config->schedule.closures;
	const struct workload_row *none;
	struct workload *w;
	struct mentor *list;
	struct error err;
	cal_day from, to;
	size_t n;
	json_t *days, *mentors, *unassigned;

	if (read_load_period(job, &from, &to) != 0)
		return -1;
	if (workload_read(store, job->m->mentors, from, to, &w, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (mentor_list(job->m->mentors, &list, &n, &err) != 0) {
		workload_free(w);
		return api_job_fail_sched(job, &err);
	}
	days = json_array();
	mentors = json_array();
	unassigned = json_array();
	none = workload_find(w, 0);
	for (int d = 0; d < w->ndays; d++) {
		json_array_append_new(days, json_pack("{s:o, s:b}", "date", api_day_json(from + d),
						      "working_day",
						      cal_is_working_day(closures, from + d)));
		json_array_append_new(unassigned,
				      json_pack("{s:o, s:I}", "date", api_day_json(from + d), "due",
						(json_int_t)(none != NULL ? none->due[d] : 0)));
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(mentors,
				      load_mentor_json(&list[i], w, workload_find(w, list[i].id)));
	job->reply =
		json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:o}}", "from", api_day_json(from),
			  "to", api_day_json(to), "days", days, "mentors", mentors, "unassigned",
			  "active_courses", (json_int_t)w->unassigned_courses, "overdue",
			  (json_int_t)(none != NULL ? none->overdue : 0), "days", unassigned);
	mentor_list_free(list, n);
	workload_free(w);
	return 0;
}

#define ADMIN API_ROLE(AUTH_ADMIN)

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/mentors", ADMIN, false, list_work},
	/* Before /v1/mentors/{id}, which would take "load" for an id. */
	{EVHTTP_REQ_GET, "/v1/mentors/load", ADMIN, false, load_work},
	{EVHTTP_REQ_POST, "/v1/mentors", ADMIN, true, create_work},
	{EVHTTP_REQ_GET, "/v1/mentors/{id}", ADMIN, false, get_work},
	{EVHTTP_REQ_PATCH, "/v1/mentors/{id}", ADMIN, true, update_work},
};

const struct api_routes api_mentors_routes = {routes, sizeof routes / sizeof routes[0]};
