/*
 * api-calls.c - the mentor's day: GET /v1/queue and
 * POST /v1/calls/{id}/outcome.
 *
 * Contract: a mentor sees only the calls routed to them and records
 * outcomes only of calls of their own citizens or routed to them today;
 * an admin may act for any mentor. Every citizen shown is written to the
 * audit log in the same transaction as the read.
 */
#include "api-routes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "call.h"
#include "clock.h"
#include "concern.h"
#include "config.h"
#include "course.h"
#include "mentor.h"
#include "mentord.h"
#include "message.h"
#include "offer.h"
#include "queue.h"
#include "sha256.h"
#include "xmalloc.h"

#define OUTCOME_MAX_TOPICS 16
#define OUTCOME_MAX_OFFERS 32

static json_t *queue_entry_json(const struct programme_set *programmes, const struct queue_entry *e)
{
	const struct programme *p = programme_of(programmes, e->programme);
	json_t *out;
	json_t *preferred =
		e->preferred_from[0] != '\0'
			? json_pack("{s:s, s:s}", "from", e->preferred_from, "to", e->preferred_to)
			: json_null();
	json_t *last = e->has_last_contact
			       ? json_pack("{s:s, s:o}", "result", call_result_name(e->last_result),
					   "date", api_day_json(e->last_contact_date))
			       : json_null();

	out = json_pack("{s:I, s:I, s:{s:s, s:s}, s:s, s:b, s:i, s:o, s:i, s:s?, s:o, s:i, s:o}",
			"call_id", (json_int_t)e->call_id, "course_id", (json_int_t)e->course_id,
			"citizen", "name", e->name, "phone", e->phone, "reason",
			schedule_reason_name(e->reason), "first_contact", e->first_contact,
			"attempt", e->attempt, "due_date", api_day_json(e->due_date),
			"overdue_days", e->overdue_days, "agreed_topic", e->agreed_topic,
			"preferred_call_time", preferred, "days_since_discharge",
			e->days_since_discharge, "last_contact", last);
	/* doc/programmes.md: the page names the programme when there is
	 * more than one. */
	json_object_set_new(out, "programme", json_string(p != NULL ? p->id : e->programme));
	/* doc/programmes.md: a follow-up meeting is a call of its own kind. */
	json_object_set_new(out, "kind", json_string(e->meeting ? "meeting" : "call"));
	return out;
}

/* Which mentor's queue: a mentor's own unless an admin names one. */
static int queue_mentor(struct api_job *job, int64_t *mentor_id)
{
	char *text = api_query_param(job->req, "mentor");
	bool given = text != NULL, ok = !given || api_parse_id(text, mentor_id);

	free(text);
	if (!ok)
		return api_job_fail(job, 422, "Unprocessable Content", "Bad query parameter.",
				    json_pack("[{s:s, s:s}]", "field", "mentor", "message",
					      "must be a mentor id"));
	if (job->who.role == AUTH_MENTOR) {
		if (given && *mentor_id != job->who.mentor_id)
			return api_job_fail(job, 403, "Forbidden",
					    "A mentor may only see their own queue.", NULL);
		*mentor_id = job->who.mentor_id;
	} else if (!given) {
		return api_job_fail(job, 422, "Unprocessable Content", "Missing query parameter.",
				    json_pack("[{s:s, s:s}]", "field", "mentor", "message",
					      "is required for an admin"));
	}
	return 0;
}

static int queue_day(struct api_job *job, cal_day *day)
{
	char *text = api_query_param(job->req, "date");
	int rc = 0;

	*day = cal_day_of_instant(clock_now(job->m->clock));
	if (text != NULL && cal_day_parse(text, day) != 0)
		rc = api_job_fail(job, 422, "Unprocessable Content", "Bad query parameter.",
				  json_pack("[{s:s, s:s}]", "field", "date", "message",
					    "must be a date \"YYYY-MM-DD\""));
	free(text);
	return rc;
}

/* A mentor stands in for an absent or off-duty colleague on the day
 * itself: their queue for another day holds their own citizens only, so
 * no date shows a colleague's citizens ahead of (or after) the day the
 * mentor covers. An admin sees every queue whole. */
static bool queue_shows(const struct api_job *job, cal_day day, const struct queue_entry *e)
{
	return job->who.role != AUTH_MENTOR || e->assigned_mentor_id == job->who.mentor_id ||
	       day == cal_day_of_instant(clock_now(job->m->clock));
}

static int queue_work(struct api_job *job, struct store *store)
{
	struct queue_list *list;
	struct error err;
	int64_t mentor_id = 0;
	cal_day day;
	json_t *calls;
	const struct programme *programme = NULL;

	if (queue_mentor(job, &mentor_id) != 0 || queue_day(job, &day) != 0 ||
	    api_programme_param(job, &programme) != 0)
		return -1;
	if (queue_build(job->m->queue, mentor_id, day, &list, &err) != 0)
		return api_job_fail_sched(job, &err);
	calls = json_array();
	for (size_t i = 0; i < list->count; i++) {
		if (!queue_shows(job, day, &list->entries[i]) ||
		    (programme != NULL && programme_of(&job->m->config->programmes,
						       list->entries[i].programme) != programme))
			continue;
		json_t *entry = queue_entry_json(&job->m->config->programmes, &list->entries[i]);
		json_t *goals;
		/* A meeting shows the goals it follows up. */
		if (list->entries[i].meeting) {
			if (course_goals_json(job->m->courses, list->entries[i].course_id, &goals,
					      &err) != 0) {
				json_decref(entry);
				json_decref(calls);
				queue_list_free(list);
				return api_job_fail_sched(job, &err);
			}
			json_object_set_new(entry, "goals", goals);
		}
		json_array_append_new(calls, entry);
		if (api_job_audit(job, store, "read", list->entries[i].course_id,
				  "daily call queue") != 0) {
			json_decref(calls);
			queue_list_free(list);
			return -1;
		}
	}
	queue_list_free(list);
	job->reply = json_pack("{s:o, s:I, s:o}", "date", api_day_json(day), "mentor_id",
			       (json_int_t)mentor_id, "calls", calls);
	return 0;
}

/* The parsed outcome body; the strings point into the request body. */
struct outcome_body {
	struct call_outcome o;
	const char *topics[OUTCOME_MAX_TOPICS];
	int64_t offers[OUTCOME_MAX_OFFERS];
	struct call_goal_progress goals[COURSE_MAX_GOALS];
};

/* A meeting's "goals": [{"goal_id", "progress", "note"?}]; whether each
 * goal is the course's is the course layer's to say. */
static void read_goals(json_t *body, struct outcome_body *ob, struct field_errors *errors)
{
	json_t *list = field_get_value(body, "goals"), *g;
	size_t i;

	if (list == NULL)
		return;
	if (!json_is_array(list) || json_array_size(list) > COURSE_MAX_GOALS) {
		field_error_add(errors, "goals", "must be a list of at most %d goals",
				COURSE_MAX_GOALS);
		return;
	}
	json_array_foreach (list, i, g) {
		struct call_goal_progress *p = &ob->goals[ob->o.ngoals];
		char field[32], f_id[48], f_progress[48], f_note[48];
		int64_t goal_id = 0;

		snprintf(field, sizeof field, "goals[%zu]", i);
		if (!json_is_object(g)) {
			field_error_add(errors, field, "must be an object");
			continue;
		}
		snprintf(f_id, sizeof f_id, "goals[%zu].goal_id", i);
		snprintf(f_progress, sizeof f_progress, "goals[%zu].progress", i);
		snprintf(f_note, sizeof f_note, "goals[%zu].note", i);
		field_get_int(g, "goal_id", f_id, true, 1, INT64_MAX, &goal_id, errors);
		p->goal_id = goal_id;
		p->progress = field_get_string(g, "progress", f_progress, true, 16, errors);
		if (p->progress != NULL && !course_progress_valid(p->progress))
			field_error_add(errors, f_progress, "must be none, some, good or achieved");
		p->note = field_get_text(g, "note", f_note, false, 2000, errors);
		ob->o.ngoals++;
	}
	ob->o.goals = ob->goals;
}

/* Whether topic or offer id was given before in the list: counted twice
 * in the reports and shown twice in the follow-up, it is refused rather
 * than silently merged, so the mentor sees what was sent. */
static bool topic_listed(const struct outcome_body *ob, const char *topic)
{
	for (size_t i = 0; i < ob->o.ntopics; i++)
		if (strcmp(ob->topics[i], topic) == 0)
			return true;
	return false;
}

static bool offer_listed(const struct outcome_body *ob, int64_t id)
{
	for (size_t i = 0; i < ob->o.noffers; i++)
		if (ob->offers[i] == id)
			return true;
	return false;
}

static void read_topics(json_t *body, struct outcome_body *ob, struct field_errors *errors)
{
	json_t *list = field_get_value(body, "topics"), *t;
	size_t i;

	if (list == NULL)
		return;
	if (!json_is_array(list) || json_array_size(list) > OUTCOME_MAX_TOPICS) {
		field_error_add(errors, "topics", "must be a list of topic names");
		return;
	}
	json_array_foreach (list, i, t) {
		char field[32];
		snprintf(field, sizeof field, "topics[%zu]", i);
		if (!json_is_string(t) || !call_topic_valid(json_string_value(t)))
			field_error_add(errors, field, "is not a known topic");
		else if (topic_listed(ob, json_string_value(t)))
			field_error_add(errors, field, "is listed twice");
		else
			ob->topics[ob->o.ntopics++] = json_string_value(t);
	}
	ob->o.topics = ob->topics;
}

static void read_offers(json_t *body, struct store *store, struct outcome_body *ob,
			struct field_errors *errors)
{
	json_t *list = field_get_value(body, "offers"), *v, *offer;
	size_t i;

	if (list == NULL)
		return;
	if (!json_is_array(list) || json_array_size(list) > OUTCOME_MAX_OFFERS) {
		field_error_add(errors, "offers", "must be a list of at most %d offer ids",
				OUTCOME_MAX_OFFERS);
		return;
	}
	json_array_foreach (list, i, v) {
		char field[32];
		snprintf(field, sizeof field, "offers[%zu]", i);
		if (json_is_integer(v) && offer_listed(ob, json_integer_value(v))) {
			field_error_add(errors, field, "is listed twice");
			continue;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    offer_get(store, json_integer_value(v), &offer, NULL) != 0 || offer == NULL) {
			field_error_add(errors, field, "is not an offer in the catalogue");
			continue;
		}
		json_decref(offer);
		ob->offers[ob->o.noffers++] = json_integer_value(v);
	}
	ob->o.offers = ob->offers;
}

static void read_next(json_t *body, struct outcome_body *ob, struct field_errors *errors)
{
	json_t *next = field_get_object(body, "next", "next", false, errors);
	const char *action, *date;

	ob->o.next = CALL_NEXT_CONTINUE;
	ob->o.next_date = CAL_NO_DAY;
	if (next == NULL)
		return;
	ob->o.next_given = true;
	action = field_get_string(next, "action", "next.action", true, 16, errors);
	if (action != NULL && strcmp(action, "end") == 0) {
		ob->o.next = CALL_NEXT_END;
		ob->o.end_reason = field_get_text(next, "reason", "next.reason", true, 500, errors);
		return;
	}
	if (action != NULL && strcmp(action, "continue") != 0) {
		field_error_add(errors, "next.action", "must be \"continue\" or \"end\"");
		return;
	}
	date = field_get_string(next, "date", "next.date", false, 10, errors);
	if (date != NULL && cal_day_parse(date, &ob->o.next_date) != 0)
		field_error_add(errors, "next.date", "must be a date \"YYYY-MM-DD\"");
	ob->o.next_topic = field_get_string(next, "topic", "next.topic", false, 500, errors);
}

static int read_outcome(struct api_job *job, struct store *store, struct outcome_body *ob)
{
	struct field_errors errors;
	const char *result;
	int64_t duration = -1;

	memset(ob, 0, sizeof *ob);
	field_errors_init(&errors);
	result = field_get_string(job->body, "result", "result", true, 16, &errors);
	if (result != NULL && call_result_parse(result, &ob->o.result) != 0)
		field_error_add(&errors, "result",
				"must be reached, no_answer, wrong_number or declined");
	field_get_int(job->body, "duration_minutes", "duration_minutes", false, 0,
		      CALL_MAX_DURATION, &duration, &errors);
	ob->o.duration_minutes = (int)duration;
	read_topics(job->body, ob, &errors);
	ob->o.note = field_get_text(job->body, "note", "note", false, CALL_MAX_NOTE, &errors);
	read_offers(job->body, store, ob, &errors);
	/* doc/api.md: null for any of these is the member left out. */
	field_get_bool(job->body, "send_followup", "send_followup", &ob->o.send_followup, &errors);
	field_get_bool(job->body, "concern", "concern", &ob->o.concern, &errors);
	read_next(job->body, ob, &errors);
	read_goals(job->body, ob, &errors);
	/* no_answer, wrong_number and declined decide what follows; a "next"
	 * with them would be ignored while the mentor believes it stands. */
	if (field_get_value(job->body, "next") != NULL && result != NULL &&
	    ob->o.result != CALL_REACHED)
		field_error_add(&errors, "next", "is only taken with result \"reached\"");
	if (!field_errors_any(&errors)) {
		field_errors_clear(&errors);
		return 0;
	}
	api_job_fail(job, 422, "Unprocessable Content", "The outcome was not recorded.",
		     errors.list);
	errors.list = NULL;
	field_errors_clear(&errors);
	return -1;
}

/* A mentor may record calls of their own citizens, and a colleague's
 * citizen's call that is in their queue today: pending, due by today and
 * routed to them for today because the assigned mentor is away. */
static int may_record(struct api_job *job, const struct call *c)
{
	struct error err;
	struct course *course;
	bool ok;

	if (job->who.role == AUTH_ADMIN)
		return 0;
	if (course_get(job->m->courses, c->course_id, &course, &err) != 0)
		return api_job_fail_sched(job, &err);
	ok = course->mentor_id == job->who.mentor_id ||
	     (c->state == CALL_PENDING && api_job_stands_in(job, course->mentor_id, c->due));
	course_free(course);
	if (!ok)
		return api_job_fail(job, 403, "Forbidden",
				    "This call belongs to another mentor's citizen.", NULL);
	return 0;
}

/* A digest of the body as sent, whatever the order of its keys: the same
 * correction sent again is recognised by it (course.h). */
static void outcome_fingerprint(const struct api_job *job, char hex[2 * SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char hash[SHA256_LEN];
	char *text = json_dumps(job->body, JSON_COMPACT | JSON_SORT_KEYS);

	sha256(text != NULL ? text : "", text != NULL ? strlen(text) : 0, hash);
	free(text);
	for (size_t i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0xf];
	}
	hex[2 * SHA256_LEN] = '\0';
}

static int outcome_work(struct api_job *job, struct store *store)
{
	struct outcome_body ob;
	struct course_result result;
	struct error err;
	struct call *c;
	char author[API_AUTHOR_LEN], fingerprint[2 * SHA256_LEN + 1];
	int64_t id, concern_id = 0;
	struct course_op op;
	bool meeting;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No call with this id.", NULL);
	if (course_get_call(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (may_record(job, c) != 0) {
		call_free(c);
		return -1;
	}
	meeting = c->meeting;
	call_free(c);
	if (read_outcome(job, store, &ob) != 0)
		return -1;
	outcome_fingerprint(job, fingerprint);
	ob.o.fingerprint = fingerprint;
	api_job_course_op(job, author, &op);
	if (course_record_outcome(job->m->courses, &op, id, &ob.o, &result, &err) != 0)
		return api_job_fail_sched(job, &err);
	/* In the outcome's transaction: a concern, and the coordinators'
	 * notification, exist exactly when the outcome does. */
	if (ob.o.concern &&
	    concern_record(store, job->m->outbox, job->m->config->crisis_notify_phone,
			   result.course_id, id, op.now, author, &concern_id, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "outcome", result.course_id, "record a call's outcome") != 0)
		return -1;
	job->reply = api_course_result_json(&result);
	if (concern_id > 0)
		json_object_set_new(job->reply, "concern_id", json_integer(concern_id));
	if (meeting) {
		int64_t next_id;
		cal_day next_due;
		if (course_next_meeting(job->m->courses, result.course_id, &next_id, &next_due,
					&err) != 0)
			return api_job_fail_sched(job, &err);
		json_object_set_new(job->reply, "next_meeting",
				    next_id > 0 ? json_pack("{s:I, s:o}", "call_id",
							    (json_int_t)next_id, "due_date",
							    api_day_json(next_due))
						: json_null());
	}
	return 0;
}

/* A correction is the recorder's, or a coordinator's: a colleague who
 * stood in and a colleague who did not would otherwise undo each other.
 * The recorder is a token ("mentor:7"); any token or login of the same
 * mentor counts as the same mentor. */
static int may_correct(struct api_job *job, const struct call *c)
{
	struct auth_identity recorder;
	struct error err;
	char *author, own[API_AUTHOR_LEN];
	long long token = 0;
	bool ok;

	if (job->who.role == AUTH_ADMIN)
		return 0;
	/* A call without an outcome: the course layer answers 409, for
	 * whoever may record it. */
	if (c->state != CALL_DONE)
		return may_record(job, c);
	if (course_call_recorded_by(job->m->courses, c->id, &author, &err) != 0)
		return api_job_fail_sched(job, &err);
	api_job_author(job, own, sizeof own);
	ok = author != NULL &&
	     (strcmp(author, own) == 0 ||
	      (sscanf(author, "mentor:%lld", &token) == 1 &&
	       auth_token_identity(job->m->store, token, &recorder) == 0 &&
	       recorder.role == AUTH_MENTOR && recorder.mentor_id == job->who.mentor_id));
	free(author);
	if (!ok)
		return api_job_fail(job, 403, "Forbidden",
				    "Only the mentor who recorded this outcome, or a coordinator,"
				    " may correct it.",
				    NULL);
	return 0;
}

static int correct_work(struct api_job *job, struct store *store)
{
	struct outcome_body ob;
	struct course_correction cc;
	struct error err;
	struct call *c;
	char author[API_AUTHOR_LEN], fingerprint[2 * SHA256_LEN + 1];
	int64_t id, concern_id = 0, withdrawn_concern = 0;
	struct course_op op;
	int rc;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No call with this id.", NULL);
	if (course_get_call(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	rc = may_correct(job, c);
	call_free(c);
	if (rc != 0 || read_outcome(job, store, &ob) != 0)
		return -1;
	outcome_fingerprint(job, fingerprint);
	ob.o.fingerprint = fingerprint;
	api_job_course_op(job, author, &op);
	if (course_correct_outcome(job->m->courses, &op, id, &ob.o, &cc, &err) != 0)
		return api_job_fail_sched(job, &err);
	/* The concern follows the outcome in the same transaction: added,
	 * or removed with its notification if that has not gone yet. */
	if (!cc.unchanged && ob.o.concern && !cc.had_concern &&
	    concern_record(store, job->m->outbox, job->m->config->crisis_notify_phone,
			   cc.result.course_id, id, op.now, author, &concern_id, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (!cc.unchanged && !ob.o.concern &&
	    concern_withdraw(store, job->m->outbox, job->m->course_log, id, op.now, author,
			     &withdrawn_concern, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "outcome", cc.result.course_id, "correct a call's outcome") !=
	    0)
		return -1;
	job->reply = api_course_result_json(&cc.result);
	json_object_set_new(job->reply, "corrected", json_boolean(!cc.unchanged));
	json_object_set_new(job->reply, "previous_result",
			    json_string(call_result_name(cc.previous)));
	json_object_set_new(job->reply, "messages_withdrawn", json_integer(cc.withdrawn));
	json_object_set_new(job->reply, "messages_kept", json_integer(cc.kept));
	if (concern_id > 0)
		json_object_set_new(job->reply, "concern_id", json_integer(concern_id));
	if (withdrawn_concern > 0)
		json_object_set_new(job->reply, "concern_withdrawn",
				    json_integer(withdrawn_concern));
	return 0;
}

#define MENTORS (API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/queue", MENTORS, false, queue_work},
	{EVHTTP_REQ_POST, "/v1/calls/{id}/outcome", MENTORS, true, outcome_work},
	{EVHTTP_REQ_PUT, "/v1/calls/{id}/outcome", MENTORS, true, correct_work},
};

const struct api_routes api_calls_routes = {routes, sizeof routes / sizeof routes[0]};
