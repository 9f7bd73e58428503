/*
 * api-courses.c - /v1/courses: a course with its recovery-oriented log,
 * lists by state and mentor, and the coordinator's and mentor's actions on
 * a course (inbound contact, resume, end). Also GET /v1/audit.
 *
 * Contract: a mentor sees and acts on their own citizens' courses only;
 * every read of a course writes an audit row in the same transaction.
 */
#include "api-routes.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "clock.h"
#include "concern.h"
#include "config.h"
#include "course-log.h"
#include "course-search.h"
#include "course.h"
#include "log.h"
#include "mentor.h"
#include "mentord.h"
#include "message.h"

static json_t *time_json(time_t t)
{
	char text[CLOCK_RFC3339_LEN];

	clock_format_rfc3339(t, text);
	return json_string(text);
}

/* Whether a mentor standing in today may read c: its pending call is in
 * their queue today, and the call goes better knowing the course so far.
 * Changing the course (contacts, resume, end) stays with its own mentor. */
static bool stand_in_reads(struct api_job *job, const struct course *c)
{
	struct course_result status;
	struct error err;

	if (course_status(job->m->courses, c->id, &status, &err) != 0) {
		log_err("course %lld: %s", (long long)c->id, err.message);
		return false;
	}
	return status.next_call_id > 0 &&
	       api_job_stands_in(job, c->mentor_id, status.next_call_due);
}

/* Load the course named in the path, refusing what the role may not
 * reach (api_job_reaches_course) and another mentor's citizen (unless
 * reading it as the stand-in of today's call). */
static int load_course(struct api_job *job, bool reading, struct course **out)
{
	struct error err;
	int64_t id;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No course with this id.", NULL);
	if (course_get(job->m->courses, id, out, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_reaches_course(job, *out) != 0) {
		course_free(*out);
		*out = NULL;
		return -1;
	}
	if (job->who.role == AUTH_MENTOR && (*out)->mentor_id != job->who.mentor_id &&
	    !(reading && stand_in_reads(job, *out))) {
		course_free(*out);
		*out = NULL;
		return api_job_fail(job, 403, "Forbidden",
				    "This course belongs to another mentor's citizen.", NULL);
	}
	return 0;
}

/* Data minimisation: a mentor phones the citizen and never needs the
 * CPR number, so no reply to the mentor role carries it; a coordinator's
 * does, to tell citizens apart. */
static bool sees_cpr(const struct api_job *job)
{
	return job->who.role != AUTH_MENTOR;
}

static json_t *course_json(const struct programme_set *programmes, const struct course *c,
			   bool with_cpr)
{
	const struct programme *p = programme_of(programmes, c->programme);
	json_t *preferred =
		c->preferred_from[0] != '\0'
			? json_pack("{s:s, s:s}", "from", c->preferred_from, "to", c->preferred_to)
			: json_null();
	json_t *out = json_pack(
		"{s:I, s:s, s:s?, s:s, s:{s:s, s:s?, s:s, s:o}, s:s?, s:o, s:o, s:o, s:s?, s:o}",
		"id", (json_int_t)c->id, "notification_id", c->notification_id, "state_reason",
		c->state_reason, "state", course_state_name(c->state), "citizen", "name", c->name,
		"cpr", c->cpr, "phone", c->phone, "preferred_call_time", preferred, "unit", c->unit,
		"discharge_date", api_day_json(c->window.discharge), "window_ends",
		api_day_json(c->window.end), "mentor_id",
		c->mentor_id > 0 ? json_integer(c->mentor_id) : json_null(), "flag", c->flag,
		"created_at", time_json(c->created_at));

	/* Absent, not null: null would say the citizen has no CPR number. */
	if (!with_cpr)
		json_object_del(json_object_get(out, "citizen"), "cpr");
	/* doc/life-events.md: the page says since when a paused citizen has
	 * been back in hospital. */
	json_object_set_new(out, "paused_since",
			    c->state == COURSE_PAUSED ? time_json(c->paused_at) : json_null());
	json_object_set_new(out, "readmissions", json_integer(c->readmissions));
	json_object_set_new(out, "source", json_string(c->source != NULL ? c->source : ""));
	/* doc/programmes.md: the programme it runs under (a programme no
	 * longer configured runs under the discharge programme, as named). */
	json_object_set_new(out, "programme", json_string(p != NULL ? p->id : c->programme));
	json_object_set_new(out, "programme_name", json_string(p != NULL ? p->name : ""));
	/* doc/programmes.md, "Matching": the wishes a referral or a discharge
	 * notification gave, whatever brought the course. */
	json_object_set_new(out, "wishes",
			    c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : json_null());
	if (c->need_identified_on != CAL_NO_DAY) {
		json_t *wishes = c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : NULL;
		json_object_set_new(
			out, "referral",
			json_pack("{s:o, s:o, s:o, s:o}", "need_identified_on",
				  api_day_json(c->need_identified_on), "decision_due",
				  api_day_json(c->decision_due), "decided_at",
				  c->decided_at > 0 ? time_json(c->decided_at) : json_null(),
				  "wishes", wishes != NULL ? wishes : json_null()));
	}
	return out;
}

/* A mentor's name, or null: the log keeps ids, a reader wants names. */
static json_t *mentor_name_json(struct api_job *job, int64_t id)
{
	struct error err;
	struct mentor *mt;
	json_t *name;

	if (id <= 0 || mentor_get(job->m->mentors, id, &mt, &err) != 0)
		return json_null();
	name = json_string(mt->name);
	mentor_free(mt);
	return name;
}

/* The log with each author's display name, and the names of the mentors
 * an assignment names added to its details (the stored log keeps ids). */
static json_t *log_json(struct api_job *job, const struct course_log_entry *entries, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *details = json_loads(entries[i].details, 0, NULL);
		if (!json_is_object(details)) {
			json_decref(details);
			details = json_object();
		}
		if (strcmp(entries[i].kind, "mentor_assigned") == 0) {
			json_t *previous = json_object_get(details, "previous_mentor_id");
			json_object_set_new(
				details, "mentor_name",
				mentor_name_json(job, json_integer_value(json_object_get(
							      details, "mentor_id"))));
			if (previous != NULL)
				json_object_set_new(
					details, "previous_mentor_name",
					mentor_name_json(job, json_integer_value(previous)));
		}
		json_array_append_new(list, json_pack("{s:I, s:o, s:s, s:s?, s:s, s:o}", "id",
						      (json_int_t)entries[i].id, "at",
						      time_json(entries[i].at), "author",
						      entries[i].author, "author_name",
						      entries[i].author_name, "kind",
						      entries[i].kind, "details", details));
	}
	return list;
}

/* Whether a concern of the list names call_id. */
static bool has_concern(json_t *concerns, int64_t call_id)
{
	size_t i;
	json_t *c;

	json_array_foreach (concerns, i, c)
		if (json_integer_value(json_object_get(c, "call_id")) == call_id)
			return true;
	return false;
}

/* A stored JSON array text as an array; [] when none was recorded (the
 * store keeps NULL for an empty list), so a client needs no null check. */
static json_t *array_json(const char *text)
{
	json_t *a = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (json_is_array(a))
		return a;
	json_decref(a);
	return json_array();
}

/* The calls with their outcomes: the log keeps only ids and codes, so the
 * mentor's free-text note is read back from here. */
static json_t *calls_json(const struct call_entry *entries, size_t n, json_t *concerns)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct call_entry *e = &entries[i];
		const struct call *c = &e->call;
		json_array_append_new(
			list,
			json_pack(
				"{s:I, s:s, s:s, s:i, s:o, s:s, s:s?, s:o, s:o, s:o, s:o, s:s?, s:s?, "
				"s:b}",
				"call_id", (json_int_t)c->id, "kind",
				c->meeting ? "meeting" : "call", "reason",
				schedule_reason_name(c->reason), "attempt", c->attempt, "due_date",
				api_day_json(c->due), "state", call_state_name(c->state), "result",
				c->has_result ? call_result_name(c->result) : NULL, "call_date",
				api_day_json(c->call_date), "duration_minutes",
				e->duration_minutes >= 0 ? json_integer(e->duration_minutes)
							 : json_null(),
				"topics", array_json(e->topics), "offers", array_json(e->offers),
				"note", e->note, "agreed_topic", c->agreed_topic, "concern",
				has_concern(concerns, c->id)));
	}
	return list;
}

/* The course c (freed here) with its next call, log and calls, as GET
 * shows it. */
static int reply_course(struct api_job *job, struct course *c)
{
	struct course_log_entry *entries = NULL;
	struct call_entry *calls = NULL;
	struct course_result status;
	struct error err;
	size_t n = 0, ncalls = 0;
	json_t *concerns = NULL, *goals = NULL;
	int rc = -1;

	if (course_log_list(job->m->course_log, c->id, &entries, &n, &err) != 0 ||
	    course_list_calls(job->m->courses, c->id, &calls, &ncalls, &err) != 0 ||
	    course_status(job->m->courses, c->id, &status, &err) != 0 ||
	    concern_list_course(job->m->store, c->id, &concerns, &err) != 0 ||
	    course_goals_json(job->m->courses, c->id, &goals, &err) != 0) {
		api_job_fail_sched(job, &err);
		goto out;
	}
	json_t *result = api_course_result_json(&status);
	job->reply = course_json(&job->m->config->programmes, c, sees_cpr(job));
	json_object_set(job->reply, "next_call", json_object_get(result, "next_call"));
	json_decref(result);
	json_object_set_new(job->reply, "mentor_name", mentor_name_json(job, c->mentor_id));
	json_object_set_new(job->reply, "log", log_json(job, entries, n));
	json_object_set_new(job->reply, "calls", calls_json(calls, ncalls, concerns));
	json_object_set_new(job->reply, "concerns", concerns);
	concerns = NULL;
	/* doc/programmes.md: the goals agreed, each with its latest progress,
	 * and the closing checklist of the programme (no items: none). */
	json_object_set_new(job->reply, "goals", goals);
	goals = NULL;
	{
		struct course_op op;
		char author[API_AUTHOR_LEN];
		json_t *checklist;
		api_job_course_op(job, author, &op);
		if (course_checklist_json(job->m->courses, &op, c, &checklist, &err) != 0) {
			api_job_fail_sched(job, &err);
			goto out;
		}
		json_object_set_new(job->reply, "checklist", checklist);
	}
	rc = 0;
out:
	json_decref(concerns);
	call_entries_free(calls, ncalls);
	course_log_entries_free(entries, n);
	course_free(c);
	return rc;
}

static int get_work(struct api_job *job, struct store *store)
{
	struct course *c;
	int64_t id;

	if (load_course(job, true, &c) != 0)
		return -1;
	id = c->id;
	if (reply_course(job, c) != 0)
		return -1;
	return api_job_audit(job, store, "read", id, "view the course and its log");
}

/* PATCH /v1/courses/{id} {"mentor_id", "reason"?}: a coordinator assigns
 * the mentor of a course stored without one, or hands it to another. The
 * reply is the course as GET shows it, as PATCH of a mentor or offer
 * replies. Re-matching a referral programme's course that has a mentor
 * needs a reason, logged with the change (doc/programmes.md); a
 * caseworker re-matches only the courses they referred (load_course). */
static int assign_work(struct api_job *job, struct store *store)
{
	const struct programme *p;
	struct field_errors errors;
	struct error err;
	struct course *c;
	char author[API_AUTHOR_LEN];
	int64_t id, mentor_id = 0;
	const char *reason;
	struct course_op op;
	bool referral, had_mentor;

	if (load_course(job, false, &c) != 0)
		return -1;
	id = c->id;
	p = programme_of(&job->m->config->programmes, c->programme);
	referral = p != NULL && p->intake == PROGRAMME_INTAKE_REFERRAL;
	had_mentor = c->mentor_id > 0;
	course_free(c);
	field_errors_init(&errors);
	field_get_int(job->body, "mentor_id", "mentor_id", true, 1, INT64_MAX, &mentor_id, &errors);
	reason = field_get_text(job->body, "reason", "reason", false, 500, &errors);
	/* A reason of blanks says nothing. */
	if (reason != NULL && reason[strspn(reason, " \t\r\n")] == '\0')
		reason = NULL;
	if (reason == NULL && referral && had_mentor &&
	    field_get_value(job->body, "reason") == NULL)
		field_error_add(&errors, "reason",
				"is required to move the course to another mentor");
	else if (reason == NULL && referral && had_mentor)
		field_error_add(&errors, "reason", "must not be empty");
	if (api_job_check(job, &errors, "Nothing was changed.") != 0)
		return -1;
	api_job_course_op(job, author, &op);
	if (course_rematch(job->m->courses, &op, id, mentor_id, reason, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "assign_mentor", id, "assign the course's mentor") != 0)
		return -1;
	if (course_get(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	return reply_course(job, c);
}

/* ?mentor=, ?after= and ?limit= into f; each bad one is named in errors. */
static void read_list_query(struct api_job *job, struct course_filter *f,
			    struct field_errors *errors)
{
	char *text = api_query_param(job->req, "mentor");

	if (text != NULL && !api_parse_id(text, &f->mentor_id))
		field_error_add(errors, "mentor", "must be a mentor id");
	free(text);
	api_read_page(job, &f->after, &f->limit, errors);
}

static bool state_known(const char *state)
{
	for (int i = 0; strcmp(course_state_name((enum course_state)i), "unknown") != 0; i++)
		if (strcmp(course_state_name((enum course_state)i), state) == 0)
			return true;
	return false;
}

/* ?q=: the courses whose citizen's name or phone contains q, or whose
 * number q is (course-search.h), within f's mentor and state; each course
 * shown is audited like any list. */
static int search_work(struct api_job *job, struct store *store, const char *text,
		       const struct course_filter *f)
{
	struct course_search_scope scope = {
		.mentor_id = f->mentor_id,
		.state = f->state,
		.after = f->after,
		.limit = f->limit,
	};
	struct course_search_query q;
	struct error err;
	struct course *c;
	const char *problem = NULL;
	int64_t *ids = NULL, next = 0;
	size_t n = 0;
	json_t *out;
	int rc = -1;

	for (const char *p = text; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			problem = "must not contain control characters";
	if (problem == NULL && f->state != NULL && !state_known(f->state))
		return api_job_fail(
			job, 422, "Unprocessable Content", "Bad query parameter.",
			json_pack("[{s:s, s:s}]", "field", "state", "message", "unknown state"));
	if (problem != NULL || course_search_parse(text, &q, &problem) != 0)
		return api_job_fail(job, 422, "Unprocessable Content", "Bad query parameter.",
				    json_pack("[{s:s, s:s}]", "field", "q", "message", problem));
	if (course_search(store, &q, &scope, &ids, &n, &next, &err) != 0)
		return api_job_fail_store(job, &err);
	out = json_array();
	for (size_t i = 0; i < n; i++) {
		if (course_get(job->m->courses, ids[i], &c, &err) != 0) {
			api_job_fail_sched(job, &err);
			goto out;
		}
		/* The search index knows names and phones only: a programme
		 * narrows the page it found (it may come out shorter). */
		if (f->programme != NULL &&
		    programme_of(&job->m->config->programmes, c->programme) !=
			    programme_find(&job->m->config->programmes, f->programme)) {
			course_free(c);
			continue;
		}
		json_array_append_new(out,
				      course_json(&job->m->config->programmes, c, sees_cpr(job)));
		course_free(c);
		if (api_job_audit(job, store, "read", ids[i], "find a citizen") != 0)
			goto out;
	}
	job->reply = json_pack("{s:O, s:o}", "courses", out, "next_after",
			       next > 0 ? json_integer(next) : json_null());
	rc = 0;
out:
	json_decref(out);
	free(ids);
	return rc;
}

static int list_work(struct api_job *job, struct store *store)
{
	struct course_filter f = {.state = NULL};
	const struct programme *programme = NULL;
	char *state = NULL, *q = NULL;
	struct field_errors errors;
	struct error err;
	struct course *list = NULL;
	size_t n = 0, page;
	int rc = -1;

	if (api_programme_param(job, &programme) != 0)
		return -1;
	f.programme = programme != NULL ? programme->id : NULL;
	state = api_query_param(job->req, "state");
	q = api_query_param(job->req, "q");
	field_errors_init(&errors);
	read_list_query(job, &f, &errors);
	if (api_job_check(job, &errors, "Bad query parameter.") != 0)
		goto out;
	if (job->who.role == AUTH_MENTOR) {
		if (f.mentor_id != 0 && f.mentor_id != job->who.mentor_id) {
			api_job_fail(job, 403, "Forbidden",
				     "A mentor may only list their own citizens' courses.", NULL);
			goto out;
		}
		f.mentor_id = job->who.mentor_id;
	}
	if (q != NULL) {
		f.state = state;
		rc = search_work(job, store, q, &f);
		goto out;
	}
	/* One more than the page, to know whether another page follows. */
	page = f.limit;
	f.state = state;
	f.limit = page + 1;
	if (course_list(job->m->courses, &f, &list, &n, &err) != 0) {
		api_job_fail_sched(job, &err);
		goto out;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n && i < page; i++) {
		json_array_append_new(
			out, course_json(&job->m->config->programmes, &list[i], sees_cpr(job)));
		if (api_job_audit(job, store, "read", list[i].id, "list courses") != 0) {
			json_decref(out);
			goto out;
		}
	}
	job->reply = json_pack("{s:o, s:o}", "courses", out, "next_after",
			       n > page ? json_integer(list[page - 1].id) : json_null());
	rc = 0;
out:
	course_list_free(list, n);
	free(state);
	free(q);
	return rc;
}

/* Optional {"date", "topic"} of contacts and resume. */
static int read_agreement(struct api_job *job, cal_day *date, const char **topic)
{
	struct field_errors errors;
	const char *text;

	*date = CAL_NO_DAY;
	field_errors_init(&errors);
	text = field_get_string(job->body, "date", "date", false, 10, &errors);
	if (text != NULL && cal_day_parse(text, date) != 0)
		field_error_add(&errors, "date", "must be a date \"YYYY-MM-DD\"");
	*topic = field_get_string(job->body, "topic", "topic", false, 500, &errors);
	if (!field_errors_any(&errors)) {
		field_errors_clear(&errors);
		return 0;
	}
	api_job_fail(job, 422, "Unprocessable Content", "Nothing was changed.", errors.list);
	errors.list = NULL;
	field_errors_clear(&errors);
	return -1;
}

enum course_action { ACTION_CONTACT, ACTION_RESUME, ACTION_END };

static int act(struct api_job *job, struct store *store, enum course_action action)
{
	struct course_result result;
	struct error err;
	struct course *c;
	const char *topic = NULL, *reason = NULL;
	char author[API_AUTHOR_LEN];
	cal_day date = CAL_NO_DAY;
	int64_t id;
	int rc;
	struct course_op op;

	if (load_course(job, false, &c) != 0)
		return -1;
	id = c->id;
	course_free(c);
	if (action == ACTION_END) {
		struct field_errors errors;
		field_errors_init(&errors);
		reason = field_get_text(job->body, "reason", "reason", true, 500, &errors);
		if (field_errors_any(&errors)) {
			api_job_fail(job, 422, "Unprocessable Content", "Nothing was changed.",
				     errors.list);
			errors.list = NULL;
			field_errors_clear(&errors);
			return -1;
		}
		field_errors_clear(&errors);
	} else if (read_agreement(job, &date, &topic) != 0) {
		return -1;
	}
	api_job_course_op(job, author, &op);
	if (action == ACTION_CONTACT)
		rc = course_contact(job->m->courses, &op, id, date, topic, &result, &err);
	else if (action == ACTION_RESUME)
		rc = course_resume(job->m->courses, &op, id, date, topic, &result, &err);
	else
		rc = course_end(job->m->courses, &op, id, reason, &result, &err);
	if (rc != 0)
		return api_job_fail_sched(job, &err);
	static const char *const actions[] = {"contact", "resume", "end"};
	if (api_job_audit(job, store, actions[action], id, "act on the course") != 0)
		return -1;
	job->reply = api_course_result_json(&result);
	return 0;
}

static int contact_work(struct api_job *job, struct store *store)
{
	return act(job, store, ACTION_CONTACT);
}

static int resume_work(struct api_job *job, struct store *store)
{
	return act(job, store, ACTION_RESUME);
}

static int end_work(struct api_job *job, struct store *store)
{
	return act(job, store, ACTION_END);
}

void api_goals_read(json_t *list, const char **texts, size_t *n, struct field_errors *errors)
{
	json_t *v;
	size_t i;

	*n = 0;
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > COURSE_MAX_GOALS) {
		field_error_add(errors, "goals", "must be a list of 1 to %d goals",
				COURSE_MAX_GOALS);
		return;
	}
	json_array_foreach (list, i, v) {
		char field[32];
		snprintf(field, sizeof field, "goals[%zu]", i);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > COURSE_MAX_GOAL_TEXT)
			field_error_add(errors, field, "must be a goal of 1 to %d characters",
					COURSE_MAX_GOAL_TEXT);
		else
			texts[(*n)++] = json_string_value(v);
	}
}

/* POST /v1/courses/{id}/goals {"goals": ["text", ...]}: goals agreed at
 * the start (or added later) by the course's mentor, the caseworker who
 * referred it, or a coordinator. 201 with every goal of the course. */
static int goals_work(struct api_job *job, struct store *store)
{
	struct field_errors errors;
	struct error err;
	struct course *c;
	const char *texts[COURSE_MAX_GOALS];
	int64_t ids[COURSE_MAX_GOALS], id;
	json_t *goals;
	char author[API_AUTHOR_LEN];
	struct course_op op;
	size_t n;

	if (load_course(job, false, &c) != 0)
		return -1;
	id = c->id;
	course_free(c);
	field_errors_init(&errors);
	api_goals_read(json_object_get(job->body, "goals"), texts, &n, &errors);
	if (api_job_check(job, &errors, "No goal was agreed.") != 0)
		return -1;
	api_job_course_op(job, author, &op);
	if (course_add_goals(job->m->courses, &op, id, texts, n, ids, &err) != 0 ||
	    course_goals_json(job->m->courses, id, &goals, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "goals", id, "agree the course's goals") != 0) {
		json_decref(goals);
		return -1;
	}
	job->status = 201;
	job->reply = json_pack("{s:I, s:o}", "course_id", (json_int_t)id, "goals", goals);
	return 0;
}

/* POST (tick) and DELETE (untick) /v1/courses/{id}/checklist/{item}: the
 * course's mentor or a coordinator works the closing checklist; the reply
 * is the checklist. */
static int checklist_act(struct api_job *job, struct store *store, bool tick)
{
	const char *item = http_param(&job->params, "item");
	struct error err;
	struct course *c;
	char author[API_AUTHOR_LEN];
	struct course_op op;
	json_t *checklist;
	int64_t id;

	if (load_course(job, false, &c) != 0)
		return -1;
	id = c->id;
	course_free(c);
	api_job_course_op(job, author, &op);
	if (course_tick(job->m->courses, &op, id, item != NULL ? item : "", tick, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (course_get(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (course_checklist_json(job->m->courses, &op, c, &checklist, &err) != 0) {
		course_free(c);
		return api_job_fail_sched(job, &err);
	}
	json_object_set_new(checklist, "state", json_string(course_state_name(c->state)));
	course_free(c);
	if (api_job_audit(job, store, "checklist", id, "work the closing checklist") != 0) {
		json_decref(checklist);
		return -1;
	}
	job->reply = checklist;
	return 0;
}

static int tick_work(struct api_job *job, struct store *store)
{
	return checklist_act(job, store, true);
}

static int untick_work(struct api_job *job, struct store *store)
{
	return checklist_act(job, store, false);
}

/* GET /v1/audit[?course=]: the trail of one course or of all, a page at
 * a time; it gains rows on every read and is kept. */
static int audit_page(struct store *store, void *arg, int64_t after, size_t limit, json_t **rows,
		      struct error *err)
{
	return audit_list(store, *(int64_t *)arg, after, limit, rows, err);
}

static int audit_work(struct api_job *job, struct store *store)
{
	char *text = api_query_param(job->req, "course");
	struct field_errors errors;
	int64_t course_id = 0;

	field_errors_init(&errors);
	if (text != NULL && !api_parse_id(text, &course_id))
		field_error_add(&errors, "course", "must be a course id");
	free(text);
	return api_job_page(job, store, &errors, "audit", audit_page, &course_id);
}

#define MENTORS (API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/courses", MENTORS, false, list_work},
	{EVHTTP_REQ_GET, "/v1/courses/{id}", MENTORS, false, get_work},
	{EVHTTP_REQ_PATCH, "/v1/courses/{id}", API_ROLE(AUTH_ADMIN) | API_ROLE(AUTH_CASEWORKER),
	 true, assign_work},
	{EVHTTP_REQ_POST, "/v1/courses/{id}/contacts", MENTORS, true, contact_work},
	{EVHTTP_REQ_POST, "/v1/courses/{id}/resume", MENTORS, true, resume_work},
	{EVHTTP_REQ_POST, "/v1/courses/{id}/end", MENTORS, true, end_work},
	{EVHTTP_REQ_POST, "/v1/courses/{id}/goals", MENTORS | API_ROLE(AUTH_CASEWORKER), true,
	 goals_work},
	{EVHTTP_REQ_POST, "/v1/courses/{id}/checklist/{item}", MENTORS, false, tick_work},
	{EVHTTP_REQ_DELETE, "/v1/courses/{id}/checklist/{item}", MENTORS, false, untick_work},
	{EVHTTP_REQ_GET, "/v1/audit", API_ROLE(AUTH_ADMIN), false, audit_work},
};

const struct api_routes api_courses_routes = {routes, sizeof routes / sizeof routes[0]};
