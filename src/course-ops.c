/*
 * course-ops.c - the operations on a course (course.h): each validates,
 * opens a savepoint, runs its steps from course.c and releases the
 * savepoint, or rolls back to it so a refused request changes nothing.
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "mentor.h"
#include "mentor-profile.h"
#include "outbox.h"
#include "xmalloc.h"
#include "sql.h"

#define COURSE_MAX_TEXT 200

static bool course_same(const char *a, const char *b)
{
	if (a == NULL || *a == '\0')
		return b == NULL || *b == '\0';
	return b != NULL && strcmp(a, b) == 0;
}

/* course_create trusts the one validation (discharge_check), and only
 * refuses a discharge that did not pass it. */
static int course_validate(const struct discharge *d, struct error *err)
{
	if (!d->checked)
		return error_set(err, ERROR_INVALID,
				 discharge_field_name(DISCHARGE_NOTIFICATION_ID),
				 "the notification was not validated");
	return 0;
}

/* An optional text of a discharge: NULL for "" too. */
static const char *course_opt(const char *text)
{
	return text != NULL && text[0] != '\0' ? text : NULL;
}

#define COURSE_DAY_SECONDS (24 * 60 * 60)

/* doc/api.md: not more than a day ahead, not older than the window, so a
 * course never starts already expired. For a new notification
 * course_create_tx asks after the idempotency lookup, so a repetition of
 * one accepted before is replayed even once its window has ended. The
 * messages are the intake's, whose 422 this is. */
int course_check_timely(const struct course_op *op, cal_day day, time_t at, const char *field,
			struct error *err)
{
	cal_day today = course_today(op);

	if (day > today + 1 || at > op->now + COURSE_DAY_SECONDS)
		return error_set(err, ERROR_INVALID, field,
				 "must not be more than one day in the future");
	if (schedule_window_end(op->rules, day) < today)
		return error_set(err, ERROR_INVALID, field,
				 "is older than the %d-month window: "
				 "the course has already ended",
				 op->rules->window_months);
	return 0;
}

static bool course_same_discharge(const struct course *c, const struct discharge *d)
{
	return course_same(c->name, d->name) && course_same(c->cpr, d->cpr) &&
	       course_same(c->phone, d->phone) && course_same(c->preferred_from, d->call_from) &&
	       course_same(c->preferred_to, d->call_to) && course_same(c->unit, d->unit) &&
	       c->notified_discharge == d->discharge_day &&
	       c->consent_given_at == d->consent_given_at && course_same(c->wishes, d->wishes);
}

/* The first id a one-column, at most one-row statement gives, or 0. */
static int course_select_id(struct course_db *db, sqlite3_stmt *s, int64_t *id, struct error *err)
{
	int64_t *ids;
	size_t n;

	if (course_select_ids(db, s, &ids, &n, err) != 0)
		return -1;
	*id = n > 0 ? ids[0] : 0;
	free(ids);
	return 0;
}

/* The reply a notification got the first time, for its repetition
 * (course-replay.c), and the course it superseded then. */
static int course_replay(struct course_db *db, const struct course *c, struct course_created *out,
			 struct error *err)
{
	out->existing = true;
	out->course_id = c->id;
	sqlite3_bind_int64(db->superseded_of, 1, c->id);
	if (course_select_id(db, db->superseded_of, &out->superseded_id, err) != 0)
		return -1;
	return course_replay_reply(db, c, out, err);
}

/* The course of a notification id (0: none) and its intake fingerprint
 * (NULL if none was stored; the caller frees it). */
static int course_notification(struct course_db *db, const char *notification_id, int64_t *id,
			       char **fingerprint, struct error *err)
{
	sqlite3_stmt *s = db->by_notification;
	int rc;

	*id = 0;
	sqlite3_bind_text(s, 1, notification_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*fingerprint = sql_column_strdup(s, 1);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "looking up a notification");
	return 0;
}

/* 1 if the notification is known (out filled), 0 if new, -1 on error. */
static int course_known(struct course_db *db, const struct discharge *d, const char *fingerprint,
			struct course_created *out, struct error *err)
{
	struct course *c;
	int64_t id;
	int rc;

	char *stored = NULL;
	bool same;

	if (course_notification(db, d->notification_id, &id, &stored, err) != 0)
		return -1;
	if (id == 0)
		return 0;
	/* The fingerprint covers the whole body as sent (discharge time,
	 * extra fields); the fields alone only what was stored. */
	same = stored == NULL || strcmp(stored, fingerprint) == 0;
	free(stored);
	if (course_get(db, id, &c, err) != 0)
		return -1;
	if (!same || !course_same_discharge(c, d))
		rc = error_set(err, ERROR_CONFLICT, discharge_field_name(DISCHARGE_NOTIFICATION_ID),
			       "notification %.60s was received with other content",
			       d->notification_id);
	else
		rc = course_replay(db, c, out, err) == 0 ? 1 : -1;
	course_free(c);
	return rc;
}

const char *course_discharge_programme(const struct course_op *op)
{
	const struct programme *p = programme_discharge(op->programmes);

	return p != NULL ? p->id : PROGRAMME_DEFAULT_ID;
}

/* mentor is 0 when the course is stored without one (course_pick_mentor);
 * w->discharge is CAL_NO_DAY for a referral made during the stay. */
int course_insert(struct course_db *db, const struct course_op *op, const struct discharge *d,
		  const char *fingerprint, const struct schedule_window *w, int64_t mentor,
		  const struct course_referral *r, int64_t *id, struct error *err)
{
	sqlite3_stmt *s = db->insert;
	bool awaiting = w->discharge == CAL_NO_DAY;
	enum course_state state = awaiting ? COURSE_AWAITING_DISCHARGE : COURSE_ACTIVE;
	int rc;

	sqlite3_bind_text(s, 1, d->notification_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)op->now);
	sqlite3_bind_text(s, 3, d->name, -1, SQLITE_TRANSIENT);
	sql_bind_text(s, 4, course_opt(d->cpr));
	sqlite3_bind_text(s, 5, d->phone, -1, SQLITE_TRANSIENT);
	sql_bind_text(s, 6, course_opt(d->call_from));
	sql_bind_text(s, 7, course_opt(d->call_to));
	sql_bind_text(s, 8, d->unit);
	sql_bind_day(s, 9, w->discharge);
	sql_bind_day(s, 10, w->end);
	sql_bind_day(s, 11, d->consent_given_at);
	sql_bind_text(s, 12, fingerprint);
	if (mentor > 0)
		sqlite3_bind_int64(s, 13, mentor);
	if (r != NULL)
		state = COURSE_AWAITING_DECISION;
	sqlite3_bind_text(s, 14, course_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 15, d->source != NULL ? d->source : DISCHARGE_SOURCE_PSYCHIATRY, -1,
			  SQLITE_TRANSIENT);
	if (d->sender_token_id > 0)
		sqlite3_bind_int64(s, 16, d->sender_token_id);
	sqlite3_bind_text(s, 17, r != NULL ? r->programme : course_discharge_programme(op), -1,
			  SQLITE_TRANSIENT);
	if (r != NULL) {
		sql_bind_day(s, 18, r->need_identified_on);
		sql_bind_day(s, 19, r->decision_due);
		sql_bind_text(s, 20, r->wishes);
		sql_bind_day(s, 21, r->at_risk_on);
	} else {
		sql_bind_text(s, 20, d->wishes);
	}
	rc = sql_step_done(db->db, s, "adding a course", err);
	sqlite3_clear_bindings(s);
	if (rc != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db->db);
	if (r != NULL)
		return course_log_add(db, op, *id, "referral",
				      json_pack("{s:s, s:s, s:o, s:o, s:b}", "notification_id",
						d->notification_id, "programme", r->programme,
						"need_identified_on",
						course_day_json(r->need_identified_on),
						"decision_due", course_day_json(r->decision_due),
						"wishes", r->wishes != NULL),
				      err);
	return course_log_add(db, op, *id, "discharge",
			      json_pack("{s:s, s:o, s:o, s:b}", "notification_id",
					d->notification_id, "discharge_date",
					course_day_json(w->discharge), "window_end",
					course_day_json(w->end), "awaiting_discharge", awaiting),
			      err);
}

static int course_supersede(struct course_db *db, const struct course_op *op, int64_t old_id,
			    int64_t new_id, int64_t *mentor, struct error *err)
{
	struct course *c;
	int rc = -1;

	if (course_get(db, old_id, &c, err) != 0)
		return -1;
	*mentor = c->mentor_id;
	sqlite3_bind_int64(db->set_superseded, 1, old_id);
	sqlite3_bind_int64(db->set_superseded, 2, new_id);
	if (course_cancel_call(db, op, old_id, "superseded", err) == 0 &&
	    course_cancel_meeting(db, op, old_id, "superseded", err) == 0 &&
	    sql_step_done(db->db, db->set_superseded, "superseding a course", err) == 0 &&
	    course_set_state(db, op, c, COURSE_SUPERSEDED, "superseded", "superseded", err) == 0)
		rc = course_log_add(db, op, new_id, "supersedes",
				    json_pack("{s:I}", "course_id", (json_int_t)old_id), err);
	course_free(c);
	return rc;
}

/* Log the mentor a new course got, with the match that chose them
 * (taken, may be NULL); without one, say why. */
static int course_log_mentor(struct course_db *db, const struct course_op *op, int64_t id,
			     int64_t mentor, json_t *match, struct error *err)
{
	json_t *details;
	int64_t any;

	if (mentor != 0) {
		details = json_pack("{s:I}", "mentor_id", (json_int_t)mentor);
		if (match != NULL)
			json_object_set_new(details, "match", match);
		return course_log_add(db, op, id, "mentor_assigned", details, err);
	}
	json_decref(match);
	if (mentor_least_loaded(db->mentors, &any, err) != 0)
		return -1;
	return course_log_add(
		db, op, id, "mentor_unassigned",
		json_pack("{s:s}", "reason", any != 0 ? "no mentor available" : "no active mentor"),
		err);
}

int course_pick_mentor(struct course_db *db, int64_t previous, cal_day first_day, int64_t *mentor,
		       struct error *err)
{
	struct mentor *m;
	int64_t *available;
	size_t n;
	bool active;

	*mentor = 0;
	if (previous > 0) {
		if (mentor_get(db->mentors, previous, &m, err) != 0)
			return err->kind == ERROR_NOT_FOUND ? 0 : -1;
		active = m->active;
		mentor_free(m);
		if (active) {
			*mentor = previous;
			return 0;
		}
	}
	if (first_day == CAL_NO_DAY)
		return mentor_least_loaded(db->mentors, mentor, err);
	/* mentor_available lists them least loaded first, ties to the lowest id. */
	if (mentor_available(db->mentors, first_day, &available, &n, err) != 0)
		return -1;
	*mentor = n > 0 ? available[0] : 0;
	free(available);
	return 0;
}

/* A course's mentor chosen by wishes (doc/programmes.md, "Matching"):
 * the active mentors ranked as the referral's proposals are (match.h),
 * the best one at work on first_day (any day: CAL_NO_DAY); 0 when none
 * is. *match is what the log shows, as a referral decision's: chosen by
 * the proposal, its score, reasons and rank among all active mentors. */
static int course_pick_matched(struct course_db *db, const char *wishes_text, cal_day first_day,
			       int64_t *mentor, json_t **match, struct error *err)
{
	json_t *wishes = json_loads(wishes_text, 0, NULL), *profile;
	struct match_candidate *list = NULL;
	struct mentor *mentors = NULL;
	int64_t *available = NULL;
	size_t n = 0, navailable = 0, k = 0;
	int rc = -1;

	*mentor = 0;
	*match = NULL;
	if (mentor_list(db->mentors, &mentors, &n, err) != 0)
		goto out;
	if (first_day != CAL_NO_DAY &&
	    mentor_available(db->mentors, first_day, &available, &navailable, err) != 0)
		goto out;
	list = xcalloc(n > 0 ? n : 1, sizeof *list);
	for (size_t i = 0; i < n; i++) {
		if (!mentors[i].active)
			continue;
		if (mentor_profile_get(db->store, mentors[i].id, &profile, err) != 0)
			goto out;
		list[k].mentor_id = mentors[i].id;
		list[k].score = match_score(profile, wishes, NULL, NULL);
		list[k].active_courses = mentors[i].load;
		list[k].available = first_day == CAL_NO_DAY;
		for (size_t a = 0; a < navailable; a++)
			list[k].available = list[k].available || available[a] == mentors[i].id;
		json_decref(profile);
		k++;
	}
	qsort(list, k, sizeof *list, match_compare);
	for (size_t i = 0; i < k && *mentor == 0; i++) {
		json_t *m, *u;

		if (!list[i].available)
			continue;
		/* The reasons only for the one chosen. */
		if (mentor_profile_get(db->store, list[i].mentor_id, &profile, err) != 0)
			goto out;
		m = json_array();
		u = json_array();
		match_score(profile, wishes, m, u);
		json_decref(profile);
		*mentor = list[i].mentor_id;
		*match = json_pack("{s:s, s:i, s:o, s:o, s:I}", "chosen_by", "proposal", "score",
				   list[i].score, "matched", m, "unmatched", u, "rank",
				   (json_int_t)i + 1);
	}
	rc = 0;
out:
	free(list);
	free(available);
	mentor_list_free(mentors, n);
	json_decref(wishes);
	return rc;
}

/* course_pick_mentor, and for a course with wishes whose mentor is not
 * kept by continuity, course_pick_matched: continuity wins over wishes. */
static int course_pick_wished(struct course_db *db, int64_t previous, cal_day first_day,
			      const char *wishes, int64_t *mentor, json_t **match,
			      struct error *err)
{
	*match = NULL;
	if (course_pick_mentor(db, previous, first_day, mentor, err) != 0)
		return -1;
	if (wishes == NULL || (previous > 0 && *mentor == previous))
		return 0;
	return course_pick_matched(db, wishes, first_day, mentor, match, err);
}

static int course_give_mentor_with(struct course_db *db, const struct course_op *op, int64_t id,
				   int64_t mentor, json_t *match, struct error *err)
{
	sqlite3_stmt *s = db->set_mentor;

	if (mentor != 0) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, mentor);
		if (sql_step_done(db->db, s, "assigning a mentor", err) != 0) {
			json_decref(match);
			return -1;
		}
	}
	return course_log_mentor(db, op, id, mentor, match, err);
}

int course_give_mentor(struct course_db *db, const struct course_op *op, int64_t id, int64_t mentor,
		       struct error *err)
{
	return course_give_mentor_with(db, op, id, mentor, NULL, err);
}

/* The optional welcome message: who will call, and when. Without a mentor
 * or a first call there is nothing to promise, so none is sent. A late
 * notification's first call is already overdue: the citizen is promised
 * the first working day from today instead, never a day gone by (and
 * nothing when the window has no working day left). */
static int course_welcome(struct course_db *db, const struct course_op *op, const struct course *c,
			  const struct course_created *out, struct error *err)
{
	cal_day promised;

	if ((course_messages(op, c) & COURSE_MSG_WELCOME) == 0 || out->mentor_id == 0 ||
	    out->first_call_id == 0)
		return 0;
	promised = schedule_promised_day(course_rules(op, c), &c->window, course_today(op),
					 out->first_call_due);
	if (promised == CAL_NO_DAY)
		return 0;
	return course_message(
		db, op, c, "welcome",
		json_pack("{s:{s:o}}", "next_call", "date", course_day_json(promised)), err);
}

/* The day a first contact due on due is first in a mentor's queue: its
 * due date, or for an overdue one the first working day from today. The
 * mentor of a new course must be at work then (doc/scheduling.md). */
static cal_day course_first_day(const struct course_op *op, const struct schedule_rules *rules,
				const struct schedule_window *w, cal_day due)
{
	return schedule_promised_day(rules, w, course_today(op), due);
}

int course_first_contact(struct course_db *db, const struct course_op *op, struct course *c,
			 bool pick, struct course_created *out, struct error *err)
{
	struct schedule_call sc;
	int64_t mentor = c->mentor_id;
	json_t *match = NULL;

	const struct schedule_rules *rules = course_rules(op, c);

	schedule_first_contact(rules, &c->window, &sc);
	if (pick &&
	    course_pick_wished(db, c->mentor_id, course_first_day(op, rules, &c->window, sc.due),
			       c->wishes, &mentor, &match, err) != 0)
		return -1;
	if (pick && (mentor != c->mentor_id || mentor == 0)) {
		if (course_give_mentor_with(db, op, c->id, mentor, match, err) != 0)
			return -1;
		c->mentor_id = mentor;
	} else {
		json_decref(match);
	}
	out->course_id = c->id;
	out->mentor_id = mentor;
	out->window_end = c->window.end;
	out->first_call_due = sc.due;
	if (course_schedule(db, op, c->id, &sc, NULL, &out->first_call_id, err) != 0 ||
	    course_schedule_meeting(db, op, c, course_today(op), err) != 0)
		return -1;
	return course_welcome(db, op, c, out, err);
}

/* A citizen known to have died gets no new course (doc/life-events.md). */
static int course_refuse_deceased(struct course_db *db, const struct discharge *d,
				  struct error *err)
{
	int64_t *ids;
	size_t n;

	if (d->cpr[0] == '\0')
		return 0;
	sqlite3_bind_text(db->deceased_cpr, 1, d->cpr, -1, SQLITE_TRANSIENT);
	if (course_select_ids(db, db->deceased_cpr, &ids, &n, err) != 0)
		return -1;
	free(ids);
	if (n > 0)
		return error_set(err, ERROR_CONFLICT, discharge_field_name(DISCHARGE_CPR),
				 "the citizen has died: no course is started");
	return 0;
}

static int course_create_tx(struct course_db *db, const struct course_op *op,
			    const struct discharge *d, struct course_created *out,
			    struct error *err)
{
	char fingerprint[DISCHARGE_FINGERPRINT_LEN];
	struct schedule_window w = {CAL_NO_DAY, CAL_NO_DAY};
	struct schedule_call sc = {.due = CAL_NO_DAY};
	bool awaiting = d->discharge_day == CAL_NO_DAY;
	int64_t *open = NULL, previous = 0, mentor = 0;
	json_t *match = NULL;
	size_t nopen = 0;
	struct course *c;
	int rc;

	discharge_fingerprint(d, fingerprint);
	if ((rc = course_known(db, d, fingerprint, out, err)) != 0)
		return rc < 0 ? -1 : 0;
	/* Not stored under its id: perhaps under its hash, its citizen
	 * having withdrawn consent. A resend must not bring the data back. */
	if (course_by_notification(db, d->notification_id, &c, err) == 0) {
		course_free(c);
		return error_set(
			err, ERROR_CONFLICT, discharge_field_name(DISCHARGE_NOTIFICATION_ID),
			"notification %.60s was cancelled: consent withdrawn", d->notification_id);
	}
	if (err->kind != ERROR_NOT_FOUND)
		return -1;
	if (course_refuse_deceased(db, d, err) != 0 ||
	    (!awaiting &&
	     course_check_timely(op, d->discharge_day, d->discharged_at,
				 discharge_field_name(DISCHARGE_DISCHARGED_AT), err) != 0))
		return -1;
	if (!awaiting) {
		schedule_window_init(op->rules, d->discharge_day, &w);
		schedule_first_contact(op->rules, &w, &sc);
	}
	sql_bind_text(db->open_of_citizen, 1, course_opt(d->cpr));
	sqlite3_bind_text(db->open_of_citizen, 2, d->phone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->open_of_citizen, 3, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->open_of_citizen, 4, course_discharge_programme(op), -1,
			  SQLITE_TRANSIENT);
	if (course_select_ids(db, db->open_of_citizen, &open, &nopen, err) != 0)
		return -1;
	/* With nothing to supersede the least-loaded mentor is the same now as
	 * after the INSERT, so it goes into the INSERT: an UPDATE (and its load
	 * trigger) less on every first intake of a citizen. A referral waiting
	 * for its discharge gets its mentor then. */
	rc = nopen == 0 && !awaiting
		     ? course_pick_wished(db, 0, course_first_day(op, op->rules, &w, sc.due),
					  d->wishes, &mentor, &match, err)
		     : 0;
	if (rc == 0)
		rc = course_insert(db, op, d, fingerprint, &w, mentor, NULL, &out->course_id, err);
	for (size_t i = 0; rc == 0 && i < nopen; i++)
		rc = course_supersede(db, op, open[i], out->course_id, &previous, err);
	out->superseded_id = nopen > 0 ? open[nopen - 1] : 0;
	free(open);
	if (rc != 0) {
		json_decref(match);
		return -1;
	}
	/* Continuity: the citizen keeps the mentor of the course this one
	 * replaces while that mentor is active (course_pick_mentor), wishes
	 * or not. A referral waiting for its discharge is matched then. */
	if (nopen > 0 && (awaiting ? course_pick_mentor(db, previous, CAL_NO_DAY, &mentor, err)
				   : course_pick_wished(db, previous,
							course_first_day(op, op->rules, &w, sc.due),
							d->wishes, &mentor, &match, err)) != 0)
		return -1;
	if (awaiting) {
		out->mentor_id = nopen > 0 && previous == mentor ? mentor : 0;
		if (out->mentor_id != 0 &&
		    course_give_mentor(db, op, out->course_id, out->mentor_id, err) != 0)
			return -1;
		return 0;
	}
	if ((nopen > 0 ? course_give_mentor_with(db, op, out->course_id, mentor, match, err)
		       : course_log_mentor(db, op, out->course_id, mentor, match, err)) != 0)
		return -1;
	if (course_get(db, out->course_id, &c, err) != 0)
		return -1;
	rc = course_first_contact(db, op, c, false, out, err);
	course_free(c);
	return rc;
}

int course_create(struct course_db *db, const struct course_op *op, const struct discharge *d,
		  struct course_created *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	out->first_call_due = CAL_NO_DAY;
	out->window_end = CAL_NO_DAY;
	if (course_validate(d, err) != 0 || sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	if (sql_savepoint_end(&db->tx, course_create_tx(db, op, d, out, err), err) != 0) {
		/* The ids in out were rolled back with everything else. */
		memset(out, 0, sizeof *out);
		out->first_call_due = CAL_NO_DAY;
		out->window_end = CAL_NO_DAY;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */

json_t *course_outcome_details(const struct call *call, const struct call_outcome *o)
{
	json_t *details, *topics = json_array(), *offers = json_array();

	for (size_t i = 0; i < o->ntopics; i++)
		json_array_append_new(topics, json_string(o->topics[i]));
	/* The referrals belong in the citizen's timeline as much as the topics. */
	for (size_t i = 0; i < o->noffers; i++)
		json_array_append_new(offers, json_integer(o->offers[i]));
	details = json_pack("{s:I, s:s, s:i, s:o, s:o, s:b}", "call_id", (json_int_t)call->id,
			    "result", call_result_name(o->result), "attempt", call->attempt,
			    "topics", topics, "offers", offers, "followup", o->send_followup);
	if (o->duration_minutes >= 0)
		json_object_set_new(details, "duration_minutes", json_integer(o->duration_minutes));
	if (o->result == CALL_REACHED)
		json_object_set_new(details, "next",
				    json_string(o->next == CALL_NEXT_END ? "end" : "continue"));
	if (o->concern)
		json_object_set_new(details, "concern", json_true());
	if (o->fingerprint != NULL)
		json_object_set_new(details, "fingerprint", json_string(o->fingerprint));
	return details;
}

static int course_log_outcome(struct course_db *db, const struct course_op *op,
			      const struct call *call, const struct call_outcome *o,
			      struct error *err)
{
	return course_log_add(db, op, call->course_id, "outcome", course_outcome_details(call, o),
			      err);
}

/* The contact is given up after its last failed attempt. */
static int course_unreached(struct course_db *db, const struct course_op *op,
			    const struct course *c, const struct call *call, struct error *err)
{
	if (course_log_add(db, op, c->id, "unreached",
			   json_pack("{s:I, s:i}", "call_id", (json_int_t)call->id, "attempts",
				     call->attempt),
			   err) != 0)
		return -1;
	if ((course_messages(op, c) & COURSE_MSG_UNREACHED) == 0)
		return 0;
	return course_message(db, op, c, "unreached", json_pack("{s:i}", "attempts", call->attempt),
			      err);
}

/* After a reached call that raised a concern for the citizen's safety and
 * agreed no date: a follow-up the next working day, or, when that is after
 * the window, whatever the plan has (nothing, then). */
static int course_concern_call(struct course_db *db, const struct course_op *op,
			       const struct course *c, const char *topic, struct error *err)
{
	struct schedule_call sc;
	const struct schedule_rules *rules = course_rules(op, c);
	cal_day next = cal_next_working_day(&rules->closures, course_today(op) + 1);
	int64_t id;

	if (next <= c->window.end)
		sc = (struct schedule_call){
			.due = next, .reason = SCHEDULE_FOLLOW_UP, .attempt = 1};
	else if (schedule_after_reached(rules, &c->window, course_today(op), CAL_NO_DAY, &sc,
					err) != 0)
		return -1;
	return course_schedule(db, op, c->id, &sc, topic, &id, err);
}

bool course_early_reason(const char *reason)
{
	return reason != NULL && (strcmp(reason, COURSE_EARLY_CITIZEN_WISH) == 0 ||
				  strcmp(reason, COURSE_EARLY_PROFESSIONAL) == 0);
}

int course_end_planned(struct course_db *db, const struct course_op *op, struct course *c,
		       const char *reason, const char *field, struct error *err)
{
	cal_day min_end = schedule_min_end(course_rules(op, c), &c->window);
	char day[CAL_DATE_LEN];

	if (min_end == CAL_NO_DAY || course_today(op) >= min_end)
		return course_finish(db, op, c, COURSE_ENDED, reason, true, err);
	cal_day_format(min_end, day);
	if (!course_early_reason(reason))
		return error_set(err, ERROR_INVALID, field,
				 "before %s the course may end only for \"%s\" or \"%s\"", day,
				 COURSE_EARLY_CITIZEN_WISH, COURSE_EARLY_PROFESSIONAL);
	return course_finish_with(db, op, c, COURSE_ENDED, reason, true,
				  json_pack("{s:s}", "before_min_end", day), err);
}

int course_after_outcome(struct course_db *db, const struct course_op *op, struct course *c,
			 const struct call *call, const struct call_outcome *o, bool *unreached,
			 struct error *err)
{
	struct schedule_call sc;
	cal_day today = course_today(op);
	const char *topic;
	int64_t id;

	*unreached = false;
	switch (o->result) {
	case CALL_REACHED:
		if (o->next == CALL_NEXT_END)
			return course_end_planned(db, op, c, o->end_reason, "next.reason", err);
		if (o->concern && o->next_date == CAL_NO_DAY)
			return course_concern_call(db, op, c, o->next_topic, err);
		if (schedule_after_reached(course_rules(op, c), &c->window, today, o->next_date,
					   &sc, err) != 0)
			return -1;
		return course_schedule(db, op, c->id, &sc, o->next_topic, &id, err);
	case CALL_NO_ANSWER:
		schedule_after_no_answer(course_rules(op, c), &c->window, today, call->attempt,
					 call->first_contact, &sc, unreached);
		if (*unreached && course_unreached(db, op, c, call, err) != 0)
			return -1;
		/* A retry is the same contact: it keeps the agreed topic. */
		topic = sc.reason == SCHEDULE_RETRY ? call->agreed_topic : NULL;
		return course_schedule(db, op, c->id, &sc, topic, &id, err);
	case CALL_WRONG_NUMBER:
		/* No retries and no further plan calls: the number reaches
		 * someone else. The coordinator corrects it. */
		return course_flag(db, op, c, "wrong_number", err);
	case CALL_DECLINED:
		return course_finish(db, op, c, COURSE_ENDED, "declined", true, err);
	}
	return error_set(err, ERROR_INVALID, "result", "unknown result");
}

int course_followup(struct course_db *db, const struct course_op *op, const struct course *c,
		    const struct call *call, const struct call_outcome *o, struct error *err)
{
	json_t *extra, *offers = json_array(), *next = json_null();
	struct call *pending = NULL;

	/* The next agreed call becomes the message's action (doc/gateway.md). Only a reached call that continues agreed one, on a
	 * date or at the next plan step; after any other outcome a pending
	 * call was not agreed with the citizen. */
	if (o->result == CALL_REACHED && o->next == CALL_NEXT_CONTINUE &&
	    call_pending(db->calls, c->id, &pending, err) != 0) {
		json_decref(offers);
		return -1;
	}
	for (size_t i = 0; i < o->noffers; i++)
		json_array_append_new(offers, json_integer(o->offers[i]));
	if (pending != NULL) {
		json_decref(next);
		next = json_pack("{s:o}", "date", course_day_json(pending->due));
		if (pending->agreed_topic != NULL)
			json_object_set_new(next, "topic", json_string(pending->agreed_topic));
	}
	call_free(pending);
	extra = json_pack("{s:I, s:o, s:o}", "call_id", (json_int_t)call->id, "offers", offers,
			  "next_call", next);
	return course_message(db, op, c, "followup", extra, err);
}

static int course_outcome_tx(struct course_db *db, const struct course_op *op, int64_t call_id,
			     const struct call_outcome *o, struct course_result *out,
			     struct error *err)
{
	struct call *call;
	struct course *c = NULL;
	bool unreached, ends;
	int rc = -1;

	if (call_get(db->calls, call_id, &call, err) != 0)
		return -1;
	if (call->state != CALL_PENDING) {
		error_set(err, ERROR_CONFLICT, NULL, "call %lld %s", (long long)call_id,
			  call->state == CALL_DONE ? "already has an outcome" : "was cancelled");
		goto out;
	}
	if (course_get(db, call->course_id, &c, err) != 0)
		goto out;
	if (!call->meeting && o->ngoals > 0) {
		error_set(err, ERROR_INVALID, "goals", "progress is recorded at a meeting only");
		goto out;
	}
	/* Even {"action": "continue"}: taken, it would tell the mentor that
	 * something was agreed when the rhythm decides (doc/programmes.md). */
	if (call->meeting && (o->next_given || o->next == CALL_NEXT_END ||
			      o->next_date != CAL_NO_DAY || o->next_topic != NULL)) {
		error_set(err, ERROR_INVALID, "next",
			  "a meeting neither ends the course nor agrees a call: the next meeting"
			  " follows the rhythm");
		goto out;
	}
	if (call_record(db->calls, call_id, o, course_today(op), op->now, op->author, err) != 0 ||
	    course_log_outcome(db, op, call, o, err) != 0 ||
	    course_withdraw_tasks(db, op, call->course_id, call_id, "outcome", err) != 0)
		goto out;
	/* A follow-up meeting records progress and schedules the next
	 * meeting; the contact calls go on beside it untouched. */
	if (call->meeting) {
		if (course_meeting_outcome(db, op, c, call, o, err) == 0 &&
		    (!o->send_followup || course_followup(db, op, c, call, o, err) == 0))
			rc = course_status(db, c->id, out, err);
		goto out;
	}
	/* The follow-up is about this call. A course's messages go out in the
	 * order written: when the call ends the course the follow-up comes
	 * before the closing message; otherwise after the next call is
	 * scheduled, which it names. */
	ends = o->result == CALL_DECLINED ||
	       (o->result == CALL_REACHED && o->next == CALL_NEXT_END);
	if ((ends && o->send_followup && course_followup(db, op, c, call, o, err) != 0) ||
	    course_after_outcome(db, op, c, call, o, &unreached, err) != 0 ||
	    (!ends && o->send_followup && course_followup(db, op, c, call, o, err) != 0))
		goto out;
	if ((rc = course_status(db, c->id, out, err)) == 0)
		out->unreached = unreached;
out:
	course_free(c);
	call_free(call);
	return rc;
}

int course_record_outcome(struct course_db *db, const struct course_op *op, int64_t call_id,
			  const struct call_outcome *o, struct course_result *out,
			  struct error *err)
{
	if (call_outcome_validate(o, err) != 0)
		return -1;
	if (o->next_topic != NULL && strlen(o->next_topic) > COURSE_MAX_TEXT)
		return error_set(err, ERROR_INVALID, "next.topic", "the topic is too long");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx, course_outcome_tx(db, op, call_id, o, out, err), err);
}

/* ------------------------------------------------------------------------ */

/* ended -> active with the next call, and the closing message withdrawn if
 * it has not gone yet; refused after the window. */
static int course_reopen(struct course_db *db, const struct course_op *op, struct course *c,
			 cal_day agreed, const char *topic, struct error *err)
{
	struct schedule_call sc;
	int64_t id;
	int withdrawn;

	if (schedule_resume(course_rules(op, c), &c->window, course_today(op), agreed, &sc, err) !=
		    0 ||
	    course_set_state(db, op, c, COURSE_ACTIVE, NULL, "resumed", err) != 0 ||
	    outbox_withdraw_messages(db->outbox, c->id, "closing", &withdrawn, err) != 0 ||
	    course_schedule_meeting(db, op, c, course_today(op) + 1, err) != 0)
		return -1;
	if (withdrawn > 0 &&
	    course_log_add(db, op, c->id, "message_withdrawn",
			   json_pack("{s:s, s:s}", "type", "closing", "reason", "resumed"),
			   err) != 0)
		return -1;
	return course_schedule(db, op, c->id, &sc, topic, &id, err);
}

static int course_not_in(const struct course *c, const char *what, struct error *err)
{
	return error_set(err, ERROR_CONFLICT, NULL, "course %lld is %s: cannot %s",
			 (long long)c->id, course_state_name(c->state), what);
}

/* On an active course the citizen and mentor agreed a call: it replaces
 * the pending one (also the way back for a course flagged wrong_number
 * or past its last plan step). */
static int course_agree_call(struct course_db *db, const struct course_op *op,
			     const struct course *c, cal_day agreed, const char *topic,
			     struct error *err)
{
	struct schedule_call sc = {.reason = SCHEDULE_AGREED, .attempt = 1};
	int64_t id;

	if (schedule_agreed_date(course_rules(op, c), &c->window, course_today(op), agreed, "date",
				 &sc.due, err) != 0 ||
	    course_cancel_call(db, op, c->id, "rescheduled", err) != 0)
		return -1;
	return course_schedule(db, op, c->id, &sc, topic, &id, err);
}

/* An inbound contact: logged; an ended course resumes; an active one takes
 * an agreed call if one was given. */
static int course_contacted(struct course_db *db, const struct course_op *op, struct course *c,
			    cal_day agreed, const char *topic, struct error *err)
{
	bool ended = c->state == COURSE_ENDED;

	if (!ended && c->state != COURSE_ACTIVE)
		return course_not_in(c, "take a contact", err);
	if (course_log_add(db, op, c->id, "contact", json_pack("{s:b}", "resumes", ended), err) !=
	    0)
		return -1;
	if (ended)
		return course_reopen(db, op, c, agreed, topic, err);
	return agreed != CAL_NO_DAY ? course_agree_call(db, op, c, agreed, topic, err) : 0;
}

enum course_verb {
	COURSE_CONTACT,
	COURSE_RESUME,
	COURSE_END,
};

static int course_verb_tx(struct course_db *db, const struct course_op *op, int64_t id,
			  enum course_verb verb, cal_day agreed, const char *text,
			  struct course_result *out, struct error *err)
{
	struct course *c;
	bool resumes;
	int rc;

	if (course_get(db, id, &c, err) != 0)
		return -1;
	resumes = verb != COURSE_END && c->state == COURSE_ENDED;
	switch (verb) {
	case COURSE_CONTACT:
		rc = course_contacted(db, op, c, agreed, text, err);
		break;
	case COURSE_RESUME:
		rc = resumes ? course_reopen(db, op, c, agreed, text, err)
			     : course_not_in(c, "resume it", err);
		break;
	case COURSE_END:
	default:
		rc = c->state == COURSE_ACTIVE ? course_end_planned(db, op, c, text, "reason", err)
					       : course_not_in(c, "end it", err);
		break;
	}
	course_free(c);
	if (rc == 0 && (rc = course_status(db, id, out, err)) == 0)
		out->resumed = resumes;
	return rc;
}

static int course_verb(struct course_db *db, const struct course_op *op, int64_t id,
		       enum course_verb verb, cal_day agreed, const char *text,
		       struct course_result *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	out->next_call_due = CAL_NO_DAY;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx, course_verb_tx(db, op, id, verb, agreed, text, out, err),
				 err);
}

int course_contact(struct course_db *db, const struct course_op *op, int64_t course_id,
		   cal_day agreed, const char *topic, struct course_result *out, struct error *err)
{
	if (topic != NULL && strlen(topic) > COURSE_MAX_TEXT)
		return error_set(err, ERROR_INVALID, "topic", "the topic is too long");
	return course_verb(db, op, course_id, COURSE_CONTACT, agreed, topic, out, err);
}

int course_resume(struct course_db *db, const struct course_op *op, int64_t course_id,
		  cal_day agreed, const char *topic, struct course_result *out, struct error *err)
{
	if (topic != NULL && strlen(topic) > COURSE_MAX_TEXT)
		return error_set(err, ERROR_INVALID, "topic", "the topic is too long");
	return course_verb(db, op, course_id, COURSE_RESUME, agreed, topic, out, err);
}

int course_end(struct course_db *db, const struct course_op *op, int64_t course_id,
	       const char *reason, struct course_result *out, struct error *err)
{
	if (reason == NULL || *reason == '\0' || strlen(reason) > COURSE_MAX_TEXT)
		return error_set(err, ERROR_INVALID, "reason",
				 "a reason of 1 to %d characters is required", COURSE_MAX_TEXT);
	return course_verb(db, op, course_id, COURSE_END, CAL_NO_DAY, reason, out, err);
}

/* ------------------------------------------------------------------------ */

/* Unknown and inactive mentors are the request's fault, not missing
 * courses: both are ERROR_INVALID on the field that named them. */
int course_check_mentor(struct course_db *db, int64_t mentor_id, struct error *err)
{
	struct mentor *mt;
	bool active;

	if (mentor_get(db->mentors, mentor_id, &mt, err) != 0)
		return err->kind == ERROR_NOT_FOUND
			       ? error_set(err, ERROR_INVALID, "mentor_id", "no mentor %lld",
					   (long long)mentor_id)
			       : -1;
	active = mt->active;
	mentor_free(mt);
	if (!active)
		return error_set(err, ERROR_INVALID, "mentor_id", "mentor %lld is not active",
				 (long long)mentor_id);
	return 0;
}

/* The course's pending call and meeting follow it to its new mentor. */
static int course_republish(struct course_db *db, const struct course_op *op, int64_t course_id,
			    struct error *err)
{
	struct call *pending = NULL, *meeting = NULL;
	int rc = -1;

	if (call_pending(db->calls, course_id, &pending, err) != 0 ||
	    call_meeting(db->calls, course_id, &meeting, err) != 0)
		goto out;
	if ((pending == NULL ||
	     course_reissue_call(db, op, pending, "reassigned", "mentor_changed", err) == 0) &&
	    (meeting == NULL ||
	     course_reissue_call(db, op, meeting, "reassigned", "mentor_changed", err) == 0))
		rc = 0;
out:
	call_free(meeting);
	call_free(pending);
	return rc;
}

static int course_set_mentor_tx(struct course_db *db, const struct course_op *op, int64_t course_id,
				int64_t mentor_id, const char *reason, struct error *err)
{
	sqlite3_stmt *s = db->set_mentor;
	struct course *c;
	json_t *details;
	int64_t previous;

	if (course_get(db, course_id, &c, err) != 0)
		return -1;
	previous = c->mentor_id;
	if (!course_state_open(c->state)) {
		course_not_in(c, "assign a mentor", err);
		course_free(c);
		return -1;
	}
	course_free(c);
	if (course_check_mentor(db, mentor_id, err) != 0)
		return -1;
	/* A repeated PATCH changes nothing, so it logs nothing. */
	if (previous == mentor_id)
		return 0;
	/* The load triggers (store-migrate.c) move the active course from the
	 * old mentor's count to the new one's. */
	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_int64(s, 2, mentor_id);
	if (sql_step_done(db->db, s, "assigning a mentor", err) != 0)
		return -1;
	details = json_pack("{s:I, s:o}", "mentor_id", (json_int_t)mentor_id, "previous_mentor_id",
			    previous > 0 ? json_integer(previous) : json_null());
	if (reason != NULL)
		json_object_set_new(details, "reason", json_string(reason));
	if (course_log_add(db, op, course_id, "mentor_assigned", details, err) != 0)
		return -1;
	return course_republish(db, op, course_id, err);
}

int course_set_mentor(struct course_db *db, const struct course_op *op, int64_t course_id,
		      int64_t mentor_id, struct error *err)
{
	if (mentor_id <= 0)
		return error_set(err, ERROR_INVALID, "mentor_id", "a mentor id is required");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(
		&db->tx, course_set_mentor_tx(db, op, course_id, mentor_id, NULL, err), err);
}

int course_rematch(struct course_db *db, const struct course_op *op, int64_t course_id,
		   int64_t mentor_id, const char *reason, struct error *err)
{
	if (mentor_id <= 0)
		return error_set(err, ERROR_INVALID, "mentor_id", "a mentor id is required");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(
		&db->tx, course_set_mentor_tx(db, op, course_id, mentor_id, reason, err), err);
}

/* ------------------------------------------------------------------------ */

static int course_close_tx(struct course_db *db, const struct course_op *op, long long limit,
			   size_t *closed, struct error *err)
{
	struct course *c;
	int64_t *ids;
	size_t n;
	int rc = 0;

	sql_bind_day(db->expired, 1, course_today(op));
	sqlite3_bind_int64(db->expired, 2, limit);
	if (course_select_ids(db, db->expired, &ids, &n, err) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((rc = course_get(db, ids[i], &c, err)) != 0)
			break;
		json_t *missing = NULL;
		/* A course with closing items not ticked is never lost: it
		 * waits, ended, for its checklist (doc/programmes.md). */
		if ((rc = course_checklist_missing(db, op, c, &missing, err)) == 0 &&
		    json_array_size(missing) > 0)
			rc = course_await_checklist(db, op, c, missing, err);
		/* An ended course had its closing message when it ended. */
		else if (rc == 0) {
			json_decref(missing);
			rc = course_finish(db, op, c, COURSE_CLOSED, "window_end",
					   c->state == COURSE_ACTIVE, err);
		}
		course_free(c);
	}
	free(ids);
	if (rc != 0)
		return -1;
	*closed = n;
	/* Then, while the chunk has room, the referrals and paused courses
	 * that waited too long. */
	if (limit < 0 || (long long)n < limit)
		rc = course_expire_waiting(db, op, limit < 0 ? -1 : limit - (long long)n, closed,
					   err);
	return rc;
}

/* No savepoint around the chunk: the caller's transaction is rolled back
 * if it fails. A savepoint would keep every page the chunk journals in
 * SQLite's in-memory statement journal, a list of 1 KiB pieces that each
 * statement's end walks from its start: a quarter of the job's time at
 * 100 courses a chunk. Without one, each statement's journal holds only
 * its own pages. */
int course_close_expired_some(struct course_db *db, const struct course_op *op, size_t limit,
			      size_t *closed, struct error *err)
{
	*closed = 0;
	error_clear(err);
	if (sql_require_transaction(db->tx.db, "closing courses", err) != 0)
		return -1;
	return course_close_tx(db, op, (long long)limit, closed, err);
}

int course_close_expired(struct course_db *db, const struct course_op *op, size_t *closed,
			 struct error *err)
{
	*closed = 0;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx, course_close_tx(db, op, -1, closed, err), err);
}
