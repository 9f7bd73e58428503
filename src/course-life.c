/*
 * course-life.c - life events, corrections and cancellations of a course
 * (course.h, life-event.h, doc/life-events.md): what life_event_transition
 * decides, carried out on the store in one savepoint.
 */
#include "course-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "course-log.h"
#include "life-event.h"
#include "outbox.h"
#include "retention.h"
#include "sha256.h"
#include "xmalloc.h"

/* "withdrawn-" and the hex SHA-256 of a notification id: what replaces
 * the id once its citizen withdrew consent. */
#define COURSE_WITHDRAWN_PREFIX "withdrawn-"
#define COURSE_WITHDRAWN_LEN (sizeof COURSE_WITHDRAWN_PREFIX - 1 + 2 * SHA256_LEN + 1)

static void course_withdrawn_id(const char *notification_id, char out[COURSE_WITHDRAWN_LEN])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char hash[SHA256_LEN];
	size_t n = sizeof COURSE_WITHDRAWN_PREFIX - 1;

	sha256(notification_id, strlen(notification_id), hash);
	memcpy(out, COURSE_WITHDRAWN_PREFIX, n);
	for (size_t i = 0; i < SHA256_LEN; i++) {
		out[n + 2 * i] = digits[hash[i] >> 4];
		out[n + 2 * i + 1] = digits[hash[i] & 0xf];
	}
	out[n + 2 * SHA256_LEN] = '\0';
}

/* The course id of a notification id as stored, or 0. */
static int course_id_of(struct course_db *db, const char *notification_id, int64_t *id,
			struct error *err)
{
	sqlite3_stmt *s = db->by_notification;
	int rc;

	*id = 0;
	sqlite3_bind_text(s, 1, notification_id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "looking up a notification");
	return 0;
}

int course_by_notification(struct course_db *db, const char *notification_id, struct course **out,
			   struct error *err)
{
	char withdrawn[COURSE_WITHDRAWN_LEN];
	int64_t id;

	if (course_id_of(db, notification_id, &id, err) != 0)
		return -1;
	if (id == 0) {
		course_withdrawn_id(notification_id, withdrawn);
		if (course_id_of(db, withdrawn, &id, err) != 0)
			return -1;
	}
	if (id == 0)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no notification %.60s",
				 notification_id);
	return course_get(db, id, out, err);
}

int course_open_of_cpr(struct course_db *db, const char *cpr, int64_t **ids, size_t *count,
		       struct error *err)
{
	sqlite3_bind_text(db->open_of_cpr, 1, cpr, -1, SQLITE_TRANSIENT);
	return course_select_ids(db, db->open_of_cpr, ids, count, err);
}

int course_cpr_deceased(struct course_db *db, const char *cpr, bool *deceased, struct error *err)
{
	int64_t *ids;
	size_t n;

	*deceased = false;
	sqlite3_bind_text(db->deceased_cpr, 1, cpr, -1, SQLITE_TRANSIENT);
	if (course_select_ids(db, db->deceased_cpr, &ids, &n, err) != 0)
		return -1;
	free(ids);
	*deceased = n > 0;
	return 0;
}

int course_event_seen(struct course_db *db, const unsigned char hash[32],
		      const unsigned char content[32], bool *seen, bool *same, struct error *err)
{
	sqlite3_stmt *s = db->event_seen;
	int rc;

	*seen = *same = false;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seen = true;
		*same = sqlite3_column_type(s, 0) == SQLITE_NULL ||
			(sqlite3_column_bytes(s, 0) == 32 &&
			 memcmp(sqlite3_column_blob(s, 0), content, 32) == 0);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "looking up a life event");
	return 0;
}

int course_remember_event(struct course_db *db, const unsigned char hash[32],
			  const unsigned char content[32], time_t now, struct error *err)
{
	sqlite3_stmt *s = db->event_key;
	int rc;

	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_blob(s, 3, content, 32, SQLITE_TRANSIENT);
	rc = sql_step_done(db->db, s, "remembering a life event", err);
	sqlite3_clear_bindings(s);
	return rc;
}

int course_set_window(struct course_db *db, const struct course_op *op, struct course *c,
		      cal_day discharge, bool restart, struct error *err)
{
	sqlite3_stmt *s = db->set_window;

	schedule_window_init(course_rules(op, c), discharge, &c->window);
	sqlite3_bind_int64(s, 1, c->id);
	sql_bind_day(s, 2, c->window.discharge);
	sql_bind_day(s, 3, c->window.end);
	sqlite3_bind_int(s, 4, restart ? 1 : 0);
	if (sql_step_done(db->db, s, "setting a course's window", err) != 0)
		return -1;
	if (restart)
		c->readmissions++;
	return 0;
}

/* Consent withdrawn: name, phone, CPR and notes go now, as the retention
 * purge would erase them, and the notification id gives way to its hash
 * (so the DELETE can be repeated). */
static int course_erase(struct course_db *db, const struct course_op *op, struct course *c,
			struct error *err)
{
	char withdrawn[COURSE_WITHDRAWN_LEN];
	sqlite3_stmt *s = db->set_notification;

	if (retention_erase_course(db->store, c->id, op->now, err) != 0)
		return -1;
	course_withdrawn_id(c->notification_id, withdrawn);
	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_text(s, 2, withdrawn, -1, SQLITE_TRANSIENT);
	if (sql_step_done(db->db, s, "replacing a notification id", err) != 0)
		return -1;
	c->anonymised = true;
	return 0;
}

static json_t *course_instant_json(time_t t)
{
	char buf[CLOCK_RFC3339_LEN];

	clock_format_rfc3339(t, buf);
	return json_string(buf);
}

/* The log kind of an event: cancellations share one, an expiry closes. */
static const char *course_event_kind(enum course_event ev)
{
	switch (ev) {
	case COURSE_EVENT_ENTERED_IN_ERROR:
	case COURSE_EVENT_CONSENT_WITHDRAWN:
		return "cancellation";
	case COURSE_EVENT_EXPIRED:
		return "closed";
	default:
		return life_event_name(ev);
	}
}

/* The course as an admission, discharge or death finds it. */
static int course_effect_begin(struct course_db *db, const struct course *c, enum course_event ev,
			       time_t at, unsigned effects, struct course_effect *e,
			       struct error *err)
{
	struct call *pending = NULL;

	memset(e, 0, sizeof *e);
	e->course_id = c->id;
	e->event = ev;
	e->at = at;
	e->from = c->state;
	snprintf(e->from_reason, sizeof e->from_reason, "%s",
		 c->state_reason != NULL ? c->state_reason : "");
	e->from_discharge = c->window.discharge;
	e->from_window_end = c->window.end;
	e->from_paused_at = c->state == COURSE_PAUSED ? c->paused_at : 0;
	e->from_paused_from = c->paused_from;
	e->from_readmissions = c->readmissions;
	e->from_mentor = c->mentor_id;
	if (!(effects & LIFE_WITHDRAW_CALL))
		return 0;
	if (call_pending(db->calls, c->id, &pending, err) != 0)
		return -1;
	e->from_call = pending != NULL ? pending->id : 0;
	call_free(pending);
	return 0;
}

static bool course_effect_kept(enum course_event ev)
{
	return ev == COURSE_EVENT_ADMITTED || ev == COURSE_EVENT_DISCHARGED ||
	       ev == COURSE_EVENT_DECEASED;
}

/* The pending call and meeting are cancelled; with recall, a task of
 * either the gateway may already have is cancelled there too. */
static int course_life_stop_calls(struct course_db *db, const struct course_op *op,
				  int64_t course_id, bool recall, const char *why,
				  struct error *err)
{
	if (recall) {
		if (course_recall_call(db, op, course_id, why, err) != 0)
			return -1;
		return course_recall_meeting(db, op, course_id, why, err);
	}
	if (course_cancel_call(db, op, course_id, why, err) != 0)
		return -1;
	return course_cancel_meeting(db, op, course_id, why, err);
}

static int course_event_tx(struct course_db *db, const struct course_op *op, struct course *c,
			   enum course_event ev, time_t at, bool *changed,
			   struct course_effect *effect, struct error *err)
{
	const char *kind = course_event_kind(ev);
	cal_day day = cal_day_of_instant(at);
	struct life_facts facts = {
		.later_discharge = c->window.discharge != CAL_NO_DAY && day > c->window.discharge,
		.erased = c->anonymised,
		.paused_from = c->paused_from,
		.before_discharge = c->window.discharge != CAL_NO_DAY && day < c->window.discharge,
		.before_admission = c->state == COURSE_PAUSED && at < c->paused_at,
	};
	struct life_transition t;
	struct course_created created;
	enum course_state from = c->state;
	const char *why = strcmp(kind, "cancellation") == 0 ? "cancelled" : life_event_name(ev);
	json_t *extra;

	*changed = false;
	life_event_transition(from, ev, &facts, &t);
	/* A stay in psychiatry is the discharge programme's business: it
	 * neither pauses nor starts the course of a referral programme
	 * (doc/programmes.md), which only notes it. */
	if ((ev == COURSE_EVENT_ADMITTED || ev == COURSE_EVENT_DISCHARGED) &&
	    course_programme(op, c) != NULL &&
	    course_programme(op, c)->intake == PROGRAMME_INTAKE_REFERRAL)
		t.verdict = LIFE_IGNORE;
	if (t.verdict == LIFE_REFUSE)
		return error_set(err, ERROR_CONFLICT, NULL, "course %lld is %s: %s does not apply",
				 (long long)c->id, course_state_name(from), life_event_name(ev));
	if (t.verdict == LIFE_IGNORE) {
		/* An open course notes what it heard, for the coordinator,
		 * and why a stale event changed nothing. */
		if (!course_state_open(from))
			return 0;
		extra = json_pack("{s:o, s:b}", "at", course_instant_json(at), "changed", false);
		if (t.stale != NULL)
			json_object_set_new(extra, "stale", json_string(t.stale));
		return course_log_add(db, op, c->id, kind, extra, err);
	}
	*changed = true;
	if ((t.effects & LIFE_NEW_WINDOW) && course_check_timely(op, day, at, "at", err) != 0)
		return -1;
	if (effect != NULL && course_effect_kept(ev) &&
	    course_effect_begin(db, c, ev, at, t.effects, effect, err) != 0)
		return -1;
	if ((t.effects & LIFE_WITHDRAW_CALL) &&
	    course_life_stop_calls(db, op, c->id, (t.effects & LIFE_CANCEL_TASK) != 0, why, err) !=
		    0)
		return -1;
	if ((t.effects & LIFE_WITHDRAW_MESSAGES) &&
	    course_withdraw_messages(db, op, c->id, why, err) != 0)
		return -1;
	if ((t.effects & LIFE_NEW_WINDOW) &&
	    course_set_window(db, op, c, day, from != COURSE_AWAITING_DISCHARGE, err) != 0)
		return -1;
	if (t.to == COURSE_PAUSED) {
		c->paused_at = at;
		c->paused_from = from;
	}
	/* The log says when it happened, and the window it moved; a
	 * consent withdrawn keeps only who and when (the entry's own), and
	 * why, also on a course that was over and keeps its state. */
	extra = ev == COURSE_EVENT_CONSENT_WITHDRAWN
			? json_pack("{s:s}", "reason", "consent_withdrawn")
		: ev == COURSE_EVENT_EXPIRED ? json_object()
					     : json_pack("{s:o}", "at", course_instant_json(at));
	if (extra != NULL && (t.effects & LIFE_NEW_WINDOW)) {
		json_t *window = course_window_json(c);
		json_object_update(extra, window);
		json_decref(window);
		json_object_set_new(extra, "restart",
				    json_boolean(from != COURSE_AWAITING_DISCHARGE));
	}
	if (course_set_state_with(db, op, c, t.to, t.to != from ? t.reason : c->state_reason, kind,
				  extra, err) != 0)
		return -1;
	if ((t.effects & LIFE_FIRST_CONTACT) &&
	    course_first_contact(db, op, c, true, &created, err) != 0)
		return -1;
	if (effect != NULL && course_effect_kept(ev)) {
		effect->to = t.to;
		effect->to_changed_at = op->now;
		effect->to_discharge = c->window.discharge;
	}
	return (t.effects & LIFE_ERASE) ? course_erase(db, op, c, err) : 0;
}

/* Consent withdrawn erases the citizen's data, not one notification's:
 * the courses c superseded (its own earlier notifications, carried
 * forward), and the finished courses of c's CPR number in its programme,
 * each as c was (doc/life-events.md). Open courses are not touched: each
 * runs on a consent of its own, which its sender withdraws by its id. */
static int course_erase_related(struct course_db *db, const struct course_op *op,
				const struct course *c, const char *cpr, bool *changed,
				struct error *err)
{
	sqlite3_stmt *s = db->withdrawn_related;
	struct course *r;
	int64_t *ids;
	size_t n;
	bool one;
	int rc = 0;

	sqlite3_bind_int64(s, 1, c->id);
	sql_bind_text(s, 2, cpr);
	sqlite3_bind_text(s, 3, c->programme, -1, SQLITE_TRANSIENT);
	if (course_select_ids(db, s, &ids, &n, err) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((rc = course_get(db, ids[i], &r, err)) != 0)
			break;
		rc = course_event_tx(db, op, r, COURSE_EVENT_CONSENT_WITHDRAWN, op->now, &one, NULL,
				     err);
		course_free(r);
		if (rc == 0 && one)
			*changed = true;
	}
	free(ids);
	return rc;
}

int course_apply_event(struct course_db *db, const struct course_op *op, int64_t id,
		       enum course_event ev, time_t at, struct course_result *out, bool *changed,
		       struct course_effect *effect, struct error *err)
{
	struct course *c;
	bool ignored;
	int rc;

	if (changed == NULL)
		changed = &ignored;
	*changed = false;
	if ((unsigned)ev >= COURSE_NEVENTS)
		return error_set(err, ERROR_INVALID, "event", "unknown event");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	rc = course_get(db, id, &c, err);
	if (rc == 0) {
		rc = course_event_tx(db, op, c, ev, at, changed, effect, err);
		/* c still holds the CPR number the erasure took from the
		 * store (NULL if an earlier one did). */
		if (rc == 0 && ev == COURSE_EVENT_CONSENT_WITHDRAWN)
			rc = course_erase_related(db, op, c, c->cpr, changed, err);
		course_free(c);
	}
	if (rc == 0 && out != NULL)
		rc = course_status(db, id, out, err);
	return sql_savepoint_end(&db->tx, rc, err);
}

/* The call an admission or a restart withdrew, planned again as it was
 * (its due date, reason, attempt and topic), if it still fits the window. */
static int course_restore_call(struct course_db *db, const struct course_op *op,
			       const struct course *c, int64_t call_id, struct error *err)
{
	struct schedule_call sc;
	struct call *old;
	int64_t id;
	int rc;

	if (call_id == 0)
		return 0;
	if (call_get(db->calls, call_id, &old, err) != 0)
		return -1;
	sc.due = old->course_id == c->id && old->due <= c->window.end ? old->due : CAL_NO_DAY;
	sc.reason = old->reason;
	sc.attempt = old->attempt;
	sc.first_contact = old->first_contact;
	rc = course_schedule(db, op, c->id, &sc, old->agreed_topic, &id, err);
	call_free(old);
	return rc;
}

static int course_restore(struct course_db *db, const struct course_op *op, struct course *c,
			  const struct course_effect *e, const struct life_transition *t,
			  struct error *err)
{
	sqlite3_stmt *s = db->restore;
	bool window = (t->effects & LIFE_RESTORE_WINDOW) != 0;
	const char *reason = t->reason != NULL		 ? t->reason
			     : e->from_reason[0] != '\0' ? e->from_reason
							 : NULL;
	int rc;

	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_text(s, 2, course_state_name(t->to), -1, SQLITE_STATIC);
	sql_bind_text(s, 3, reason);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)op->now);
	if (t->to == COURSE_PAUSED) {
		sqlite3_bind_int64(s, 5, (sqlite3_int64)e->from_paused_at);
		sqlite3_bind_text(s, 6, course_state_name(e->from_paused_from), -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(s, 5);
		sqlite3_bind_null(s, 6);
	}
	sql_bind_day(s, 7, e->from_discharge);
	sql_bind_day(s, 8, e->from_window_end);
	sqlite3_bind_int(s, 9, e->from_readmissions);
	if (e->from_mentor != 0)
		sqlite3_bind_int64(s, 10, e->from_mentor);
	else
		sqlite3_bind_null(s, 10);
	sqlite3_bind_int(s, 11, window ? 1 : 0);
	rc = sql_step_done(db->db, s, "undoing a life event", err);
	sqlite3_clear_bindings(s);
	if (rc != 0)
		return -1;
	c->state = t->to;
	if (window) {
		c->window.discharge = e->from_discharge;
		c->window.end = e->from_window_end;
		c->readmissions = e->from_readmissions;
		c->mentor_id = e->from_mentor;
	}
	return 0;
}

static int course_undo_tx(struct course_db *db, const struct course_op *op,
			  const struct course_effect *e, const char *source, const char *message,
			  bool *undone, struct error *err)
{
	struct life_transition t;
	struct course *c;
	enum course_state now;
	int withdrawn;
	json_t *details;
	int rc = -1;

	if (course_get(db, e->course_id, &c, err) != 0)
		return -1;
	now = c->state;
	life_event_undo(e->event, e->from, e->to, now,
			!c->anonymised && c->state_changed_at == e->to_changed_at &&
				c->window.discharge == e->to_discharge,
			&t);
	if (t.verdict != LIFE_APPLY) {
		rc = 0;
		goto out;
	}
	if ((t.effects & LIFE_WITHDRAW_CALL) &&
	    course_recall_call(db, op, c->id, "undone", err) != 0)
		goto out;
	if ((t.effects & LIFE_WITHDRAW_MESSAGES) &&
	    course_withdraw_messages(db, op, c->id, "undone", err) != 0)
		goto out;
	if (t.effects & LIFE_WITHDRAW_WELCOME) {
		if (outbox_withdraw_messages(db->outbox, c->id, "welcome", &withdrawn, err) != 0)
			goto out;
		if (withdrawn > 0 &&
		    course_log_add(db, op, c->id, "message_withdrawn",
				   json_pack("{s:s, s:s, s:i}", "type", "welcome", "reason",
					     "undone", "count", withdrawn),
				   err) != 0)
			goto out;
	}
	if (course_restore(db, op, c, e, &t, err) != 0)
		goto out;
	details = json_pack("{s:s, s:o, s:s, s:s, s:s}", "event", life_event_name(e->event), "at",
			    course_instant_json(e->at), "from", course_state_name(now), "to",
			    course_state_name(t.to), "source", source);
	if (message != NULL)
		json_object_set_new(details, "message", json_string(message));
	if (t.reason != NULL)
		json_object_set_new(details, "reason", json_string(t.reason));
	if (t.effects & LIFE_RESTORE_WINDOW) {
		json_t *window = course_window_json(c);
		json_object_update(details, window);
		json_decref(window);
	}
	if (course_log_add(db, op, c->id, "event_undone", details, err) != 0)
		goto out;
	if ((t.effects & LIFE_RESTORE_CALL) &&
	    course_restore_call(db, op, c, e->from_call, err) != 0)
		goto out;
	*undone = true;
	rc = 0;
out:
	course_free(c);
	return rc;
}

int course_undo_event(struct course_db *db, const struct course_op *op,
		      const struct course_effect *e, const char *source, const char *message,
		      bool *undone, struct error *err)
{
	*undone = false;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx, course_undo_tx(db, op, e, source, message, undone, err),
				 err);
}

/* A referral waits intake.await_days from its receipt for a discharge; a
 * paused course as long from its admission, once its window has ended
 * (until then the discharge restarts it). */
/* The first instant of a local date (Copenhagen has a midnight every day). */
static time_t course_midnight(cal_day day)
{
	struct tm tm = {0};
	int y, m, d;

	cal_day_to_ymd(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Close the courses s selects (bound but for its limit, parameter
 * limit_at), at most limit of them. */
static int course_expire_ids(struct course_db *db, const struct course_op *op, sqlite3_stmt *s,
			     int limit_at, long long limit, size_t *closed, struct error *err)
{
	int64_t *ids;
	size_t n;
	bool changed;
	int rc = 0;

	sqlite3_bind_int64(s, limit_at, limit);
	if (course_select_ids(db, s, &ids, &n, err) != 0)
		return -1;
	/* The query is the judge: every course it names is closed by the
	 * event (life-event.c), so none is ever selected twice. */
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = course_apply_event(db, op, ids[i], COURSE_EVENT_EXPIRED, op->now, NULL,
					&changed, NULL, err);
	free(ids);
	if (rc == 0)
		*closed += n;
	return rc;
}

int course_expire_waiting(struct course_db *db, const struct course_op *op, long long limit,
			  size_t *closed, struct error *err)
{
	cal_day today = course_today(op);
	/* A wait that began on day d is over when d + await_days < today. */
	time_t cutoff = course_midnight(today - op->rules->await_days);
	size_t before = *closed;

	sqlite3_bind_int64(db->awaiting_expired, 1, (sqlite3_int64)cutoff);
	if (course_expire_ids(db, op, db->awaiting_expired, 2, limit, closed, err) != 0)
		return -1;
	if (limit >= 0) {
		limit -= (long long)(*closed - before);
		if (limit <= 0)
			return 0;
	}
	sqlite3_bind_int64(db->paused_expired, 1, (sqlite3_int64)cutoff);
	sql_bind_day(db->paused_expired, 2, today);
	return course_expire_ids(db, op, db->paused_expired, 3, limit, closed, err);
}

/* ------------------------------------------------------------------------ */

static bool course_same_text(const char *a, const char *b)
{
	if (a == NULL || *a == '\0')
		return b == NULL || *b == '\0';
	return b != NULL && strcmp(a, b) == 0;
}

static const char *course_opt_text(const char *text)
{
	return text != NULL && text[0] != '\0' ? text : NULL;
}

static void course_note_field(struct course_corrected *out, enum discharge_field f)
{
	if (out->nfields < COURSE_FIELDS_MAX)
		out->fields[out->nfields++] = discharge_field_name(f);
}

/* The fields whose stored value d changes. */
static void course_changed_fields(const struct course *c, const struct discharge *d,
				  struct course_corrected *out)
{
	if (!course_same_text(c->name, d->name))
		course_note_field(out, DISCHARGE_NAME);
	if (!course_same_text(c->cpr, d->cpr))
		course_note_field(out, DISCHARGE_CPR);
	if (!course_same_text(c->phone, d->phone))
		course_note_field(out, DISCHARGE_PHONE);
	if (!course_same_text(c->preferred_from, d->call_from))
		course_note_field(out, DISCHARGE_CALL_FROM);
	if (!course_same_text(c->preferred_to, d->call_to))
		course_note_field(out, DISCHARGE_CALL_TO);
	if (c->notified_discharge != d->discharge_day)
		course_note_field(out, DISCHARGE_DISCHARGED_AT);
	if (!course_same_text(c->unit, d->unit))
		course_note_field(out, DISCHARGE_UNIT);
	if (c->consent_given_at != d->consent_given_at)
		course_note_field(out, DISCHARGE_CONSENT_GIVEN_AT);
	/* The wishes are the notification's too: left out, there are none. */
	if (!course_same_text(c->wishes, d->wishes) && out->nfields < COURSE_FIELDS_MAX)
		out->fields[out->nfields++] = "wishes";
}

static bool course_field_changed(const struct course_corrected *out, enum discharge_field f)
{
	for (size_t i = 0; i < out->nfields; i++)
		if (strcmp(out->fields[i], discharge_field_name(f)) == 0)
			return true;
	return false;
}

/* Whether the date may move: not taken back, not on a course whose plan
 * restarted after a readmission (its window counts from that stay, which
 * the notification knows nothing of), and timely. */
static int course_check_new_date(const struct course_op *op, const struct course *c,
				 const struct discharge *d, struct error *err)
{
	const char *field = discharge_field_name(DISCHARGE_DISCHARGED_AT);

	if (d->discharge_day == CAL_NO_DAY)
		return error_set(err, ERROR_INVALID, field,
				 "was given before and cannot be taken back; cancel the "
				 "notification instead");
	if (c->state == COURSE_PAUSED || c->readmissions > 0)
		return error_set(err, ERROR_CONFLICT, field,
				 "course %lld restarted after a readmission: its window counts "
				 "from that discharge",
				 (long long)c->id);
	return course_check_timely(op, d->discharge_day, d->discharged_at, field, err);
}

static int course_store_correction(struct course_db *db, const struct course *c,
				   const struct discharge *d, const char *fingerprint,
				   struct error *err)
{
	sqlite3_stmt *s = db->correct;
	int rc;

	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_text(s, 2, d->name, -1, SQLITE_TRANSIENT);
	sql_bind_text(s, 3, course_opt_text(d->cpr));
	sqlite3_bind_text(s, 4, d->phone, -1, SQLITE_TRANSIENT);
	sql_bind_text(s, 5, course_opt_text(d->call_from));
	sql_bind_text(s, 6, course_opt_text(d->call_to));
	sql_bind_text(s, 7, d->unit);
	sql_bind_day(s, 8, d->consent_given_at);
	sql_bind_day(s, 9, d->discharge_day);
	sqlite3_bind_text(s, 10, fingerprint, -1, SQLITE_TRANSIENT);
	sql_bind_text(s, 11, d->wishes);
	rc = sql_step_done(db->db, s, "correcting a notification", err);
	sqlite3_clear_bindings(s);
	return rc;
}

/* The date and the outcome count of the course's calls with an outcome. */
static int course_done_calls(struct course_db *db, int64_t id, cal_day *last, int64_t *done,
			     struct error *err)
{
	sqlite3_stmt *s = db->last_done;
	int rc;

	*last = CAL_NO_DAY;
	*done = 0;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*last = sql_column_day(s, 0);
		*done = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_error(err, db->db, "reading a course's calls");
	return 0;
}

/* An active course's next call after its window moved, or after its
 * number was corrected (doc/life-events.md): a call agreed with the
 * citizen that still fits the window stays; before any call the first
 * contact of the new window; else the first plan step of the new window
 * from min_gap_days after the last call, and not before today. The
 * pending call is replaced only when that is another call. */
static int course_replan(struct course_db *db, const struct course_op *op, const struct course *c,
			 bool replace, struct error *err)
{
	struct schedule_call sc = {.reason = SCHEDULE_FOLLOW_UP, .attempt = 1};
	struct call *pending = NULL;
	cal_day last, today = course_today(op), from;
	int64_t done, id;
	int rc = -1;

	if (call_pending(db->calls, c->id, &pending, err) != 0)
		return -1;
	if (pending == NULL && replace)
		return 0;
	if (pending != NULL && !replace &&
	    (pending->reason == SCHEDULE_AGREED || pending->reason == SCHEDULE_RESUMED) &&
	    pending->due <= c->window.end) {
		call_free(pending);
		return 0;
	}
	if (course_done_calls(db, c->id, &last, &done, err) != 0)
		goto out;
	if (done == 0) {
		schedule_first_contact(course_rules(op, c), &c->window, &sc);
	} else {
		from = last + course_rules(op, c)->min_gap_days;
		sc.due = schedule_step_from(course_rules(op, c), &c->window,
					    from > today ? from : today);
	}
	if (pending != NULL && !replace && pending->due == sc.due && pending->reason == sc.reason) {
		rc = 0;
		goto out;
	}
	if (pending != NULL && replace) {
		/* Same call, new task: the mentor's copy had the old number. */
		sc.due = pending->due;
		sc.reason = pending->reason;
		sc.attempt = pending->attempt;
		sc.first_contact = pending->first_contact;
	}
	if (course_recall_call(db, op, c->id, "corrected", err) != 0)
		goto out;
	rc = course_schedule(db, op, c->id, &sc, pending != NULL ? pending->agreed_topic : NULL,
			     &id, err);
out:
	call_free(pending);
	return rc;
}

/* A corrected phone or name: the pending meeting's task names the citizen
 * as the call's does, so it is replaced the same way (course_reissue_call),
 * or the mentor would meet someone by the old number. */
static int course_reissue_meeting(struct course_db *db, const struct course_op *op,
				  int64_t course_id, struct error *err)
{
	struct call *meeting;
	int rc;

	if (call_meeting(db->calls, course_id, &meeting, err) != 0)
		return -1;
	if (meeting == NULL)
		return 0;
	rc = course_reissue_call(db, op, meeting, "corrected", "corrected", err);
	call_free(meeting);
	return rc;
}

static int course_correct_tx(struct course_db *db, const struct course_op *op,
			     const struct discharge *d, struct course_corrected *out,
			     struct error *err)
{
	char fingerprint[DISCHARGE_FINGERPRINT_LEN];
	struct course_created created;
	struct course *c;
	json_t *fields, *details;
	bool date, contact, replan = false;
	int rc = -1;

	if (course_by_notification(db, d->notification_id, &c, err) != 0)
		return -1;
	out->course_id = c->id;
	if (!course_state_open(c->state)) {
		error_set(err, ERROR_CONFLICT, NULL,
			  "course %lld is %s: a correction cannot change it", (long long)c->id,
			  course_state_name(c->state));
		goto out;
	}
	discharge_fingerprint(d, fingerprint);
	course_changed_fields(c, d, out);
	if (out->nfields == 0) {
		/* The same notification again (or one that differs only in
		 * what nothing depends on, the hour of discharge): the newest
		 * spelling is the one repeats are compared with. */
		out->changed = false;
		rc = course_store_correction(db, c, d, fingerprint, err);
		goto out;
	}
	date = course_field_changed(out, DISCHARGE_DISCHARGED_AT);
	contact = course_field_changed(out, DISCHARGE_PHONE) ||
		  course_field_changed(out, DISCHARGE_NAME);
	if (date && course_check_new_date(op, c, d, err) != 0)
		goto out;
	if (course_field_changed(out, DISCHARGE_CPR) && d->cpr[0] != '\0') {
		bool deceased;
		if (course_cpr_deceased(db, d->cpr, &deceased, err) != 0)
			goto out;
		if (deceased) {
			error_set(err, ERROR_CONFLICT, discharge_field_name(DISCHARGE_CPR),
				  "the citizen of this CPR number has died");
			goto out;
		}
	}
	if (course_store_correction(db, c, d, fingerprint, err) != 0)
		goto out;
	out->changed = true;
	/* New wishes choose the mentor of a course still waiting for its
	 * discharge; one assigned stays (re-matching is the coordinator's). */
	free(c->wishes);
	c->wishes = d->wishes != NULL ? xstrdup(d->wishes) : NULL;
	/* The window moves with the date; a referral gets its discharge. */
	if (date && course_set_window(db, op, c, d->discharge_day, false, err) != 0)
		goto out;
	fields = json_array();
	for (size_t i = 0; i < out->nfields; i++)
		json_array_append_new(fields, json_string(out->fields[i]));
	details = date ? course_window_json(c) : json_object();
	json_object_set_new(details, "fields", fields);
	if (course_log_add(db, op, c->id, "corrected", details, err) != 0)
		goto out;
	/* A wrong number corrected: the course can be called again. */
	if (course_field_changed(out, DISCHARGE_PHONE) && c->flag != NULL &&
	    strcmp(c->flag, "wrong_number") == 0) {
		sqlite3_bind_int64(db->set_flag, 1, c->id);
		sqlite3_bind_null(db->set_flag, 2);
		sqlite3_bind_null(db->set_flag, 3);
		if (sql_step_done(db->db, db->set_flag, "clearing a flag", err) != 0 ||
		    course_log_add(
			    db, op, c->id, "flag_cleared",
			    json_pack("{s:s, s:s}", "flag", "wrong_number", "reason", "corrected"),
			    err) != 0)
			goto out;
		free(c->flag);
		c->flag = NULL;
		replan = true; /* a flagged course has no call pending */
	}
	rc = 0;
	if (c->state == COURSE_AWAITING_DISCHARGE && date)
		rc = course_set_state(db, op, c, COURSE_ACTIVE, NULL, "discharged", err) == 0 &&
				     course_first_contact(db, op, c, true, &created, err) == 0
			     ? 0
			     : -1;
	else if (c->state == COURSE_ACTIVE && (date || contact || replan))
		rc = course_replan(db, op, c, !date && !replan && contact, err);
	if (rc == 0 && contact)
		rc = course_reissue_meeting(db, op, c->id, err);
out:
	course_free(c);
	return rc;
}

int course_correct(struct course_db *db, const struct course_op *op, const struct discharge *d,
		   struct course_corrected *out, struct error *err)
{
	memset(out, 0, sizeof *out);
	if (!d->checked)
		return error_set(err, ERROR_INVALID,
				 discharge_field_name(DISCHARGE_NOTIFICATION_ID),
				 "the notification was not validated");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	int rc = course_correct_tx(db, op, d, out, err);
	if (rc == 0 && out->course_id > 0)
		rc = course_status(db, out->course_id, &out->result, err);
	return sql_savepoint_end(&db->tx, rc, err);
}
