/*
 * api-mentor-time.c - a mentor's terms in /v1/mentors (external,
 * hourly_rate, terms_from) and their weekly time, /v1/mentors/{id}/time
 * (the mentor themself or a coordinator). mentor-time.h has the rules.
 *
 * Kept apart from api-mentors.c, which only calls the three functions of
 * api-routes.h's "terms" block, so the mentor's other attributes can grow
 * there without touching money.
 */
#include "api-routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "mentor-time.h"
#include "mentor.h"
#include "mentord.h"
#include "programme.h"

#define TIME_NOTE_MAX 500
/* GET .../time reads at most ten years of weeks at once, and POST takes
 * no week further back than that, so every entry can be read back. */
#define TIME_SPAN_MAX_DAYS (10 * 366)

void api_mentor_terms_read(struct api_job *job, bool patch, struct api_mentor_terms *t,
			   struct field_errors *errors)
{
	json_t *rate = json_object_get(job->body, "hourly_rate");
	const char *from = field_get_string(job->body, "terms_from", "terms_from", false,
					    CAL_DATE_LEN, errors);

	memset(t, 0, sizeof *t);
	t->from = cal_day_of_instant(clock_now(job->m->clock));
	/* doc/api.md: null is a member left out in a POST; in a PATCH it
	 * clears the rate, and external cannot be cleared. */
	if (patch)
		field_refuse_null(job->body, "external", "external", errors);
	t->has_external = field_get_bool(job->body, "external", "external", &t->external, errors);
	if (!patch && json_is_null(rate))
		rate = NULL;
	if (rate != NULL) {
		t->has_rate = true;
		t->rate = MENTOR_TIME_NO_RATE;
		if (!json_is_null(rate) && mentor_time_parse_kr(rate, &t->rate) != 0)
			field_error_add(errors, "hourly_rate",
					"must be kroner with at most two decimals, e.g. \"450.50\","
					" 0 to %d, or null",
					MENTOR_TIME_RATE_MAX / 100);
	}
	if (from != NULL) {
		if (cal_day_parse(from, &t->from) != 0)
			field_error_add(errors, "terms_from", "must be a date \"YYYY-MM-DD\"");
		else if (!t->has_external && !t->has_rate)
			field_error_add(errors, "terms_from",
					"goes with external or hourly_rate: the terms it dates");
	}
}

int api_mentor_terms_save(struct api_job *job, int64_t mentor_id, const struct api_mentor_terms *t,
			  struct error *err)
{
	struct mentor_terms now, next;
	char author[API_AUTHOR_LEN];

	if (!t->has_external && !t->has_rate)
		return 0;
	if (mentor_time_terms_at(job->m->store, mentor_id, t->from, &now, err) != 0)
		return -1;
	next = now;
	next.valid_from = t->from;
	if (t->has_external)
		next.external = t->external;
	if (t->has_rate)
		next.hourly_rate = t->rate;
	/* Internal without a rate after external: the rate goes with the
	 * contract unless one is given. */
	if (t->has_external && !t->external && now.external && !t->has_rate)
		next.hourly_rate = MENTOR_TIME_NO_RATE;
	if (next.external == now.external && next.hourly_rate == now.hourly_rate &&
	    now.valid_from != CAL_NO_DAY)
		return 0;
	api_job_author(job, author, sizeof author);
	return mentor_time_terms_add(job->m->store, mentor_id, &next, author,
				     clock_now(job->m->clock), err);
}

int api_mentor_terms_show(struct api_job *job, json_t *mentor, int64_t mentor_id, struct error *err)
{
	struct mentor_terms t;

	if (mentor_time_terms_at(job->m->store, mentor_id,
				 cal_day_of_instant(clock_now(job->m->clock)), &t, err) != 0)
		return -1;
	mentor_time_terms_json(mentor, &t);
	return 0;
}

/* The mentor of the path, who must exist; a mentor may only reach their
 * own time. */
static int time_mentor(struct api_job *job, int64_t *id)
{
	struct mentor *mt;
	struct error err;

	if (!api_parse_id(http_param(&job->params, "id"), id))
		return api_job_fail(job, 404, "Not Found", "No mentor with this id.", NULL);
	if (job->who.role == AUTH_MENTOR && job->who.mentor_id != *id)
		return api_job_fail(job, 403, "Forbidden",
				    "A mentor may only see and record their own time.", NULL);
	if (mentor_get(job->m->mentors, *id, &mt, &err) != 0)
		return api_job_fail_sched(job, &err);
	mentor_free(mt);
	return 0;
}

/* The programme of an entry: the course's, else the one named, else the
 * discharge programme. */
static const char *entry_programme(struct api_job *job, int64_t mentor_id, int64_t course_id,
				   char buf[MENTOR_TIME_PROGRAMME_LEN], struct field_errors *errors,
				   struct error *err)
{
	const struct programme_set *set = &job->m->config->programmes;
	const char *named = field_get_string(job->body, "programme", "programme", false,
					     MENTOR_TIME_PROGRAMME_LEN - 1, errors);
	int64_t course_mentor;

	if (course_id > 0) {
		if (mentor_time_course(job->m->store, course_id, buf, &course_mentor, err) != 0) {
			if (err->kind != ERROR_INVALID)
				return NULL;
			field_error_add(errors, "course_id", "no course with this id");
			return "";
		}
		if (job->who.role == AUTH_MENTOR && course_mentor != mentor_id)
			field_error_add(errors, "course_id", "is not a course of yours");
		if (named != NULL && strcmp(named, buf) != 0)
			field_error_add(errors, "programme", "is not the course's programme");
		return buf;
	}
	if (named != NULL) {
		if (programme_find(set, named) == NULL)
			field_error_add(errors, "programme", "is not a configured programme");
		return named;
	}
	return programme_discharge(set)->id;
}

/* Time is recorded once spent: a week after this one (2099-W14) would be
 * counted in a report years ahead; one beyond what GET reads back is a
 * typing error too. */
static void week_plausible(struct api_job *job, cal_day monday, struct field_errors *errors)
{
	cal_day today = cal_day_of_instant(clock_now(job->m->clock));

	if (monday > today - (cal_weekday(today) - 1))
		field_error_add(errors, "week", "must not be after the current week");
	else if (monday < today - TIME_SPAN_MAX_DAYS)
		field_error_add(errors, "week", "must not be more than ten years ago");
}

static int time_add_work(struct api_job *job, struct store *store)
{
	char programme[MENTOR_TIME_PROGRAMME_LEN], author[API_AUTHOR_LEN];
	struct mentor_time_entry e = {0};
	struct field_errors errors;
	const char *week;
	int64_t id, minutes = 0, course_id = 0, entry;
	struct error err;

	if (time_mentor(job, &id) != 0)
		return -1;
	field_errors_init(&errors);
	week = field_get_string(job->body, "week", "week", true, 16, &errors);
	if (week != NULL && mentor_time_week_parse(week, &e.week_start) != 0)
		field_error_add(&errors, "week",
				"must be an ISO week \"YYYY-Www\" (\"2026-W49\") or a date");
	else if (week != NULL)
		week_plausible(job, e.week_start, &errors);
	field_get_int(job->body, "minutes", "minutes", true, 1, MENTOR_TIME_WEEK_MINUTES, &minutes,
		      &errors);
	field_get_int(job->body, "course_id", "course_id", false, 1, INT64_MAX, &course_id,
		      &errors);
	e.note = field_get_text(job->body, "note", "note", false, TIME_NOTE_MAX, &errors);
	e.programme = entry_programme(job, id, course_id, programme, &errors, &err);
	if (e.programme == NULL) {
		field_errors_clear(&errors);
		return api_job_fail_store(job, &err);
	}
	if (api_job_check(job, &errors, "The time was not recorded.") != 0)
		return -1;
	api_job_author(job, author, sizeof author);
	e.mentor_id = id;
	e.course_id = course_id;
	e.minutes = (int)minutes;
	e.author = author;
	e.at = clock_now(job->m->clock);
	if (mentor_time_add(store, &e, &entry, &err) != 0 ||
	    mentor_time_get(store, entry, &job->reply, &err) != 0)
		return api_job_fail_sched(job, &err);
	job->status = 201;
	return 0;
}

static int time_list_work(struct api_job *job, struct store *store)
{
	char *from_text = api_query_param(job->req, "from");
	char *to_text = api_query_param(job->req, "to");
	char from_week[MENTOR_TIME_WEEK_LEN], to_week[MENTOR_TIME_WEEK_LEN];
	cal_day today = cal_day_of_instant(clock_now(job->m->clock)), from, to;
	struct field_errors errors;
	json_t *entries;
	int64_t id, minutes;
	struct error err;

	if (time_mentor(job, &id) != 0) {
		free(from_text);
		free(to_text);
		return -1;
	}
	field_errors_init(&errors);
	to = today - (cal_weekday(today) - 1);
	if (to_text != NULL && mentor_time_week_parse(to_text, &to) != 0)
		field_error_add(&errors, "to", "must be an ISO week \"YYYY-Www\" or a date");
	from = to - 7 * 52;
	if (from_text != NULL && mentor_time_week_parse(from_text, &from) != 0)
		field_error_add(&errors, "from", "must be an ISO week \"YYYY-Www\" or a date");
	else if (from > to)
		field_error_add(&errors, "from", "must not be after to");
	else if (to - from > TIME_SPAN_MAX_DAYS)
		field_error_add(&errors, "from", "at most ten years before to");
	free(from_text);
	free(to_text);
	if (api_job_check(job, &errors, "Bad query parameter.") != 0)
		return -1;
	if (mentor_time_list(store, id, from, to, &entries, &minutes, &err) != 0)
		return api_job_fail_store(job, &err);
	mentor_time_week_format(from, from_week);
	mentor_time_week_format(to, to_week);
	job->reply = json_pack("{s:I, s:s, s:s, s:o, s:I}", "mentor_id", (json_int_t)id, "from",
			       from_week, "to", to_week, "entries", entries, "minutes",
			       (json_int_t)minutes);
	return 0;
}

#define ADMIN_OR_MENTOR (API_ROLE(AUTH_ADMIN) | API_ROLE(AUTH_MENTOR))

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/mentors/{id}/time", ADMIN_OR_MENTOR, false, time_list_work},
	{EVHTTP_REQ_POST, "/v1/mentors/{id}/time", ADMIN_OR_MENTOR, true, time_add_work},
};

const struct api_routes api_mentor_time_routes = {routes, sizeof routes / sizeof routes[0]};
