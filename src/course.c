/*
 * course.c - a citizen's course: storage and shared transitions (course.h).
 *
 * The operations themselves (create, outcome, contact, resume, end, close)
 * are in course-ops.c; this file owns the courses table and the steps they
 * are built from, each of which logs what it did.
 */
#include "course-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course-log.h"
#include "mentor.h"
#include "outbox.h"
#include "store.h"
#include "xmalloc.h"
#include "sql.h"

/* paused_from last: the query-plan test knows a course's SELECT by it. */
#define COURSE_COLUMNS \
	"id, notification_id, state, state_reason, citizen_name, cpr, phone," \
	" preferred_from, preferred_to, unit, discharge_date, window_end, mentor_id," \
	" consent_given_at, flag, superseded_by, created_at, anonymised_at, source," \
	" intake_token_id, notified_discharge_date, readmissions, programme," \
	" need_identified_on, decision_due, decided_at, wishes, at_risk_on, paused_at," \
	" paused_from, state_changed_at"

/* The open states (course_state_open) as an SQL list. */
#define COURSE_OPEN "('active', 'ended', 'awaiting_discharge', 'paused', 'awaiting_decision')"

/* courses_expiry (migrations 10, 14), named so the plan cannot drift to
 * walking every open course by state: with a million courses that is
 * seconds, with the index it is the expired ones only. ?2 < 0: all. */
#define COURSE_EXPIRED_SQL \
	"SELECT id FROM courses INDEXED BY courses_expiry" \
	" WHERE (state = 'active' OR state = 'ended') AND window_end < ?1" \
	" AND state_reason IS NOT '" COURSE_AWAITING_CHECKLIST "'" \
	" ORDER BY window_end, id LIMIT ?2"

/* The daily job's referrals and paused courses waiting too long, a chunk
 * at a time through their own indexes (migration 14): ?1 the first
 * instant too recent, ?2 (paused) today, last the limit. */
#define COURSE_AWAITING_EXPIRED_SQL \
	"SELECT id FROM courses INDEXED BY courses_awaiting" \
	" WHERE state = 'awaiting_discharge' AND created_at < ?1" \
	" ORDER BY created_at, id LIMIT ?2"
#define COURSE_PAUSED_EXPIRED_SQL \
	"SELECT id FROM courses INDEXED BY courses_paused" \
	" WHERE state = 'paused' AND paused_at < ?1 AND window_end < ?2" \
	" ORDER BY paused_at, id LIMIT ?3"

const char *course_expired_query(size_t i)
{
	static const char *const queries[] = {COURSE_EXPIRED_SQL, COURSE_AWAITING_EXPIRED_SQL,
					      COURSE_PAUSED_EXPIRED_SQL};

	return i < sizeof queries / sizeof queries[0] ? queries[i] : NULL;
}

static const struct sql_statement course_sql[] = {
	{offsetof(struct course_db, insert),
	 "INSERT INTO courses (notification_id, state_changed_at, created_at, citizen_name,"
	 " cpr, phone, preferred_from, preferred_to, unit, discharge_date, window_end,"
	 " consent_given_at, intake_fingerprint, mentor_id, state, source, intake_token_id,"
	 " notified_discharge_date, programme, need_identified_on, decision_due, wishes,"
	 " at_risk_on)"
	 " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	 " ?9, ?17, ?18, ?19, ?20, ?21)"},
	{offsetof(struct course_db, set_decided),
	 "UPDATE courses SET decided_at = ?2 WHERE id = ?1"},
	/* The referrals awaiting a decision, of a programme (?1 NULL: any), at
	 * risk of missing their deadline by ?2 (NULL: all), sent by token ?5
	 * (0: any), a page by id. */
	{offsetof(struct course_db, referrals),
	 "SELECT " COURSE_COLUMNS " FROM courses WHERE state = 'awaiting_decision'"
	 " AND (?1 IS NULL OR programme = ?1) AND (?2 IS NULL OR at_risk_on <= ?2)"
	 " AND (?5 = 0 OR intake_token_id = ?5) AND id > ?3 ORDER BY id LIMIT ?4"},
	{offsetof(struct course_db, get), "SELECT " COURSE_COLUMNS " FROM courses WHERE id = ?1"},
	{offsetof(struct course_db, state_of), "SELECT state FROM courses WHERE id = ?1"},
	{offsetof(struct course_db, by_notification),
	 "SELECT id, intake_fingerprint FROM courses WHERE notification_id = ?1"},
	/* doc/scheduling.md: the same CPR, else the same phone and name. A
	 * course stored without a CPR still matches on phone and name. */
	{offsetof(struct course_db, open_of_citizen),
	 /* Two branches, not one OR, so each can use its index (cpr,
	  * phone): with OR SQLite scans every open course per intake. */
	 /* A course supersedes the citizen's open course of its own
	  * programme only (?4): a youth course and the preventive scheme
	  * may run side by side (doc/programmes.md). */
	 /* +programme: never through courses_programme, whose id order
	  * tempts the planner into reading every course of the programme
	  * when it has no statistics yet (a new installation's first day). */
	 "SELECT id FROM courses WHERE ?1 IS NOT NULL AND cpr = ?1"
	 "  AND state IN " COURSE_OPEN " AND +programme = ?4 UNION"
	 " SELECT id FROM courses WHERE phone = ?2 AND citizen_name = ?3"
	 "  AND (?1 IS NULL OR cpr IS NULL) AND state IN " COURSE_OPEN
	 "  AND +programme = ?4 ORDER BY id"},
	/* doc/life-events.md: the courses a life event acts on, and whether
	 * the citizen is known to have died (a course kept that says so). */
	{offsetof(struct course_db, open_of_cpr),
	 "SELECT id FROM courses WHERE cpr = ?1 AND state IN " COURSE_OPEN " ORDER BY id"},
	/* +state: through courses_cpr, never the range of every course that
	 * ever ended in death (the planner's choice without statistics). */
	{offsetof(struct course_db, deceased_cpr),
	 "SELECT id FROM courses WHERE cpr = ?1 AND +state = 'deceased' ORDER BY id LIMIT 1"},
	/* The daily job's referrals and paused courses waiting too long, a
	 * chunk at a time through their own indexes (migration 14): ?1 the
	 * first instant too recent, ?2 (paused) today, last the limit. */
	{offsetof(struct course_db, awaiting_expired), COURSE_AWAITING_EXPIRED_SQL},
	{offsetof(struct course_db, paused_expired), COURSE_PAUSED_EXPIRED_SQL},
	{offsetof(struct course_db, event_key),
	 "INSERT INTO life_event_keys (hash, received_at, content) VALUES (?1, ?2, ?3)"},
	{offsetof(struct course_db, event_seen),
	 "SELECT content FROM life_event_keys WHERE hash = ?1"},
	/* A paused course remembers its admission and where it returns to;
	 * the schema holds both to the state (migration 14). */
	{offsetof(struct course_db, set_state),
	 "UPDATE courses SET state = ?2, state_reason = ?3, state_changed_at = ?4,"
	 " paused_at = CASE WHEN ?2 = 'paused' THEN ?5 END,"
	 " paused_from = CASE WHEN ?2 = 'paused' THEN ?6 END"
	 " WHERE id = ?1"},
	{offsetof(struct course_db, correct),
	 "UPDATE courses SET citizen_name = ?2, cpr = ?3, phone = ?4, preferred_from = ?5,"
	 " preferred_to = ?6, unit = ?7, consent_given_at = ?8, notified_discharge_date = ?9,"
	 " intake_fingerprint = ?10, wishes = ?11 WHERE id = ?1"},
	{offsetof(struct course_db, set_window),
	 "UPDATE courses SET discharge_date = ?2, window_end = ?3,"
	 " readmissions = readmissions + ?4 WHERE id = ?1"},
	/* An admission, discharge or death undone (course_undo_event): the
	 * state, pause and reason as before; with ?11 the window,
	 * readmissions and mentor too. */
	{offsetof(struct course_db, restore),
	 "UPDATE courses SET state = ?2, state_reason = ?3, state_changed_at = ?4,"
	 " paused_at = ?5, paused_from = ?6,"
	 " discharge_date = CASE WHEN ?11 THEN ?7 ELSE discharge_date END,"
	 " window_end = CASE WHEN ?11 THEN ?8 ELSE window_end END,"
	 " readmissions = CASE WHEN ?11 THEN ?9 ELSE readmissions END,"
	 " mentor_id = CASE WHEN ?11 THEN ?10 ELSE mentor_id END WHERE id = ?1"},
	{offsetof(struct course_db, set_notification),
	 "UPDATE courses SET notification_id = ?2 WHERE id = ?1"},
	/* The date of the course's last call with an outcome (calls_course). */
	{offsetof(struct course_db, last_done),
	 "SELECT max(call_date), count(*), count(*) FILTER (WHERE result IN"
	 " ('reached', 'declined')) FROM calls WHERE course_id = ?1 AND state = 'done'"},
	{offsetof(struct course_db, set_superseded),
	 "UPDATE courses SET superseded_by = ?2 WHERE id = ?1"},
	{offsetof(struct course_db, set_mentor), "UPDATE courses SET mentor_id = ?2 WHERE id = ?1"},
	{offsetof(struct course_db, set_flag),
	 "UPDATE courses SET flag = ?2, flagged_at = ?3 WHERE id = ?1"},
	{offsetof(struct course_db, expired), COURSE_EXPIRED_SQL},
	{offsetof(struct course_db, superseded_of),
	 "SELECT id FROM courses WHERE superseded_by = ?1 ORDER BY id LIMIT 1"},
	/* Consent withdrawn on course ?1 (doc/life-events.md, "Consent
	 * withdrawn"): the courses it superseded, transitively, and the
	 * finished courses of its CPR number ?2 in its programme ?3, along
	 * courses_superseded_by and courses_cpr. A handful of rows. */
	{offsetof(struct course_db, withdrawn_related),
	 "WITH RECURSIVE chain(id) AS (SELECT p.id FROM courses p WHERE p.superseded_by = ?1"
	 " UNION SELECT p.id FROM courses p JOIN chain ON p.superseded_by = chain.id)"
	 " SELECT id FROM chain UNION"
	 " SELECT id FROM courses WHERE ?2 IS NOT NULL AND cpr = ?2 AND +programme = ?3"
	 "  AND +state IN ('closed', 'superseded', 'cancelled') AND anonymised_at IS NULL"
	 "  AND id <> ?1 ORDER BY id"},
	/* One statement per filter, each along its own index (the primary
	 * key, courses_state, courses_mentor, courses_state_mentor): with
	 * "?1 IS NULL OR state = ?1" a page of a rare state walked every
	 * course by id. Same parameters in all four. */
	{offsetof(struct course_db, list[0]),
	 "SELECT " COURSE_COLUMNS " FROM courses WHERE ?1 IS NULL AND ?2 = 0"
	 " AND id > ?3 AND (?5 IS NULL OR programme = ?5) ORDER BY id LIMIT ?4"},
	{offsetof(struct course_db, list[1]),
	 "SELECT " COURSE_COLUMNS " FROM courses WHERE state = ?1 AND ?2 = 0"
	 " AND id > ?3 AND (?5 IS NULL OR programme = ?5) ORDER BY id LIMIT ?4"},
	{offsetof(struct course_db, list[2]),
	 "SELECT " COURSE_COLUMNS " FROM courses WHERE ?1 IS NULL AND mentor_id = ?2"
	 " AND id > ?3 AND (?5 IS NULL OR programme = ?5) ORDER BY id LIMIT ?4"},
	{offsetof(struct course_db, list[3]),
	 "SELECT " COURSE_COLUMNS " FROM courses WHERE state = ?1 AND mentor_id = ?2"
	 " AND id > ?3 AND (?5 IS NULL OR programme = ?5) ORDER BY id LIMIT ?4"},
};

#define COURSE_NSQL (sizeof course_sql / sizeof course_sql[0])

static const char *const course_states[COURSE_NSTATES] = {
	[COURSE_ACTIVE] = "active",
	[COURSE_ENDED] = "ended",
	[COURSE_CLOSED] = "closed",
	[COURSE_SUPERSEDED] = "superseded",
	[COURSE_AWAITING_DISCHARGE] = "awaiting_discharge",
	[COURSE_PAUSED] = "paused",
	[COURSE_CANCELLED] = "cancelled",
	[COURSE_DECEASED] = "deceased",
	[COURSE_AWAITING_DECISION] = "awaiting_decision",
};

const char *course_state_name(enum course_state state)
{
	return (size_t)state < COURSE_NSTATES ? course_states[state] : "unknown";
}

int course_state_parse(const char *text)
{
	for (size_t i = 0; text != NULL && i < COURSE_NSTATES; i++)
		if (strcmp(text, course_states[i]) == 0)
			return (int)i;
	return -1;
}

bool course_state_open(enum course_state state)
{
	return state == COURSE_ACTIVE || state == COURSE_ENDED ||
	       state == COURSE_AWAITING_DISCHARGE || state == COURSE_PAUSED ||
	       state == COURSE_AWAITING_DECISION;
}

const struct programme *course_programme(const struct course_op *op, const struct course *c)
{
	return op->programmes != NULL ? programme_of(op->programmes, c->programme) : NULL;
}

const struct schedule_rules *course_rules(const struct course_op *op, const struct course *c)
{
	const struct programme *p = course_programme(op, c);

	return p != NULL ? &p->rules : op->rules;
}

unsigned course_messages(const struct course_op *op, const struct course *c)
{
	const struct programme *p = course_programme(op, c);

	if (p == NULL)
		return op->messages;
	return (p->unreached ? COURSE_MSG_UNREACHED : 0) | (p->closing ? COURSE_MSG_CLOSING : 0) |
	       (p->welcome ? COURSE_MSG_WELCOME : 0);
}

/* Only a state this build does not know reads as closed: final, so
 * nothing tries to call the citizen. */
static enum course_state course_state_read(const char *text)
{
	int state = course_state_parse(text);

	return state >= 0 ? (enum course_state)state : COURSE_CLOSED;
}

struct course_db *course_db_new(struct store *store, struct mentor_db *mentors,
				struct course_log *log, struct outbox *outbox, char **cause)
{
	struct course_db *db = xcalloc(1, sizeof *db);

	db->db = store_db(store);
	db->store = store;
	db->mentors = mentors;
	db->log = log;
	db->outbox = outbox;
	if ((db->calls = call_db_new(store, cause)) == NULL ||
	    sql_savepoint_init(&db->tx, db->db, "course_op", cause) != 0 ||
	    sql_prepare_table(db->db, db, course_sql, COURSE_NSQL, cause) != 0 ||
	    course_goals_prepare(db, cause) != 0 || course_closing_prepare(db, cause) != 0) {
		course_db_free(db);
		return NULL;
	}
	return db;
}

void course_db_free(struct course_db *db)
{
	if (db == NULL)
		return;
	sql_finalize_table(db, course_sql, COURSE_NSQL);
	course_goals_finalize(db);
	course_closing_finalize(db);
	sql_savepoint_clear(&db->tx);
	call_db_free(db->calls);
	free(db);
}

void course_db_set_schedule_hook(struct course_db *db, course_schedule_hook hook, void *arg)
{
	db->on_schedule = hook;
	db->on_schedule_arg = arg;
}

cal_day course_today(const struct course_op *op)
{
	return cal_day_of_instant(op->now);
}

/* ------------------------------------------------------------------------ */

static void course_copy_time(char dst[COURSE_TIME_LEN], const unsigned char *src)
{
	snprintf(dst, COURSE_TIME_LEN, "%s", src != NULL ? (const char *)src : "");
}

void course_read_row(sqlite3_stmt *s, struct course *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->notification_id = sql_column_strdup(s, 1);
	c->state = course_state_read((const char *)sqlite3_column_text(s, 2));
	c->state_reason = sql_column_strdup(s, 3);
	c->name = sql_column_strdup(s, 4);
	c->cpr = sql_column_strdup(s, 5);
	c->phone = sql_column_strdup(s, 6);
	course_copy_time(c->preferred_from, sqlite3_column_text(s, 7));
	course_copy_time(c->preferred_to, sqlite3_column_text(s, 8));
	c->unit = sql_column_strdup(s, 9);
	c->window.discharge = sql_column_day(s, 10);
	c->window.end = sql_column_day(s, 11);
	c->mentor_id = sqlite3_column_int64(s, 12);
	c->consent_given_at = sql_column_day(s, 13);
	c->flag = sql_column_strdup(s, 14);
	c->superseded_by = sqlite3_column_int64(s, 15);
	c->created_at = (time_t)sqlite3_column_int64(s, 16);
	c->anonymised = sqlite3_column_type(s, 17) != SQLITE_NULL;
	c->source = sql_column_strdup(s, 18);
	c->intake_token_id = sqlite3_column_int64(s, 19);
	c->notified_discharge = sql_column_day(s, 20);
	c->readmissions = sqlite3_column_int(s, 21);
	c->programme = sql_column_strdup(s, 22);
	c->need_identified_on = sql_column_day(s, 23);
	c->decision_due = sql_column_day(s, 24);
	c->decided_at = (time_t)sqlite3_column_int64(s, 25);
	c->wishes = sql_column_strdup(s, 26);
	c->at_risk_on = sql_column_day(s, 27);
	c->paused_at = (time_t)sqlite3_column_int64(s, 28);
	c->paused_from = sqlite3_column_type(s, 29) == SQLITE_NULL
				 ? COURSE_ACTIVE
				 : course_state_read((const char *)sqlite3_column_text(s, 29));
	c->state_changed_at = (time_t)sqlite3_column_int64(s, 30);
}

int course_get(struct course_db *db, int64_t id, struct course **out, struct error *err)
{
	sqlite3_stmt *s = db->get;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = xcalloc(1, sizeof **out);
		course_read_row(s, *out);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no course %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return sql_error(err, db->db, "reading a course");
	return 0;
}

int course_state_of(struct course_db *db, int64_t id, enum course_state *state, struct error *err)
{
	sqlite3_stmt *s = db->state_of;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*state = course_state_read((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no course %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return sql_error(err, db->db, "reading a course's state");
	return 0;
}

static void course_clear(struct course *c)
{
	free(c->notification_id);
	free(c->state_reason);
	free(c->name);
	free(c->cpr);
	free(c->phone);
	free(c->unit);
	free(c->flag);
	free(c->source);
	free(c->programme);
	free(c->wishes);
}

void course_free(struct course *c)
{
	if (c == NULL)
		return;
	course_clear(c);
	free(c);
}

int course_list(struct course_db *db, const struct course_filter *f, struct course **out,
		size_t *count, struct error *err)
{
	sqlite3_stmt *s = db->list[(f->state != NULL) | ((f->mentor_id != 0) << 1)];
	struct course *list = NULL;
	size_t n = 0;
	int rc = SQLITE_DONE;

	if (f->state != NULL && course_state_parse(f->state) < 0)
		return error_set(err, ERROR_INVALID, "state", "unknown state");
	if (f->limit > 0)
		list = xcalloc(f->limit, sizeof *list);
	sql_bind_text(s, 1, f->state);
	sql_bind_text(s, 5, f->programme);
	sqlite3_bind_int64(s, 2, f->mentor_id);
	sqlite3_bind_int64(s, 3, f->after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)f->limit);
	while (n < f->limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		course_read_row(s, &list[n++]);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE; /* the limit reached: LIMIT ends the statement there */
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		course_list_free(list, n);
		return sql_error(err, db->db, "listing courses");
	}
	*out = list;
	*count = n;
	return 0;
}

void course_list_free(struct course *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		course_clear(&list[i]);
	free(list);
}

int course_get_call(struct course_db *db, int64_t call_id, struct call **out, struct error *err)
{
	return call_get(db->calls, call_id, out, err);
}

int course_list_calls(struct course_db *db, int64_t course_id, struct call_entry **out,
		      size_t *count, struct error *err)
{
	return call_list_by_course(db->calls, course_id, out, count, err);
}

int course_status(struct course_db *db, int64_t id, struct course_result *out, struct error *err)
{
	struct course *c;
	struct call *next;

	if (course_get(db, id, &c, err) != 0)
		return -1;
	if (call_pending(db->calls, id, &next, err) != 0) {
		course_free(c);
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->course_id = id;
	out->state = c->state;
	out->flagged = c->flag != NULL;
	out->next_call_due = CAL_NO_DAY;
	if (next != NULL) {
		out->next_call_id = next->id;
		out->next_call_due = next->due;
		out->next_reason = next->reason;
		out->next_attempt = next->attempt;
	}
	call_free(next);
	course_free(c);
	return 0;
}

int course_promised_call(struct course_db *db, const struct course_op *op, const struct course *c,
			 cal_day *day, struct error *err)
{
	struct call *next;

	*day = CAL_NO_DAY;
	/* An ended or closed course keeps no call to promise, whatever it
	 * had when the message was written. */
	if (c->state != COURSE_ACTIVE)
		return 0;
	if (call_pending(db->calls, c->id, &next, err) != 0)
		return -1;
	if (next != NULL)
		*day = schedule_promised_day(course_rules(op, c), &c->window, course_today(op),
					     next->due);
	call_free(next);
	return 0;
}

/* Every id a one-column statement selects; s is bound by the caller. */
int course_select_ids(struct course_db *db, sqlite3_stmt *s, int64_t **ids, size_t *count,
		      struct error *err)
{
	int64_t *list = NULL;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof *list);
		list[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		free(list);
		return sql_error(err, db->db, "selecting courses");
	}
	*ids = list;
	*count = n;
	return 0;
}

/* ------------------------------------------------------------------------ */

int course_log_add(struct course_db *db, const struct course_op *op, int64_t course_id,
		   const char *kind, json_t *details, struct error *err)
{
	int rc = course_log_append(db->log, course_id, op->now, op->author, kind, details, err);

	json_decref(details);
	return rc;
}

json_t *course_day_json(cal_day day)
{
	char buf[CAL_DATE_LEN];

	if (day == CAL_NO_DAY)
		return json_null();
	cal_day_format(day, buf);
	return json_string(buf);
}

json_t *course_window_json(const struct course *c)
{
	return json_pack("{s:o, s:o}", "discharge_date", course_day_json(c->window.discharge),
			 "window_end", course_day_json(c->window.end));
}

/* Queue a message to the citizen and log it. extra (stolen) holds the
 * message's own facts; the recipient comes from the course. */
int course_message(struct course_db *db, const struct course_op *op, const struct course *c,
		   const char *type, json_t *extra, struct error *err)
{
	json_t *payload = extra != NULL ? extra : json_object(), *to;
	int64_t id;
	int rc;

	/* A phone the mentor found wrong belongs to someone else: without a
	 * CPR number (Digital Post) the message has no safe address. It is
	 * not queued, and the log tells the coordinator. */
	if (c->cpr == NULL && c->flag != NULL && strcmp(c->flag, "wrong_number") == 0) {
		json_decref(payload);
		return course_log_add(
			db, op, c->id, "message_skipped",
			json_pack("{s:s, s:s}", "type", type, "reason", "wrong_number"), err);
	}
	to = json_pack("{s:s, s:s}", "name", c->name, "phone", c->phone);
	if (c->cpr != NULL)
		json_object_set_new(to, "cpr", json_string(c->cpr));
	json_object_set_new(payload, "type", json_string(type));
	json_object_set_new(payload, "course_id", json_integer(c->id));
	json_object_set_new(payload, "recipient", to);
	/* Rendered from its programme's templates (message.h); absent, the
	 * discharge programme's, as every message was before programmes. */
	if (op->programmes != NULL && c->programme != NULL &&
	    course_programme(op, c) != programme_discharge(op->programmes))
		json_object_set_new(payload, "programme", json_string(c->programme));
	rc = outbox_add(db->outbox, OUTBOX_MESSAGE, type, c->id, NULL, payload, op->now, &id, err);
	json_decref(payload);
	if (rc != 0)
		return -1;
	return course_log_add(db, op, c->id, "message",
			      json_pack("{s:s, s:I}", "type", type, "outbox_id", (json_int_t)id),
			      err);
}

/* Add the call sc describes, unless it is "no call"; *id is 0 then. */
int course_schedule(struct course_db *db, const struct course_op *op, int64_t course_id,
		    const struct schedule_call *sc, const char *topic, int64_t *id,
		    struct error *err)
{
	json_t *details;

	*id = 0;
	if (sc->due == CAL_NO_DAY)
		return 0;
	if (call_add(db->calls, course_id, sc, topic, op->now, id, err) != 0)
		return -1;
	details = json_pack("{s:I, s:s, s:i, s:b}", "call_id", (json_int_t)*id, "reason",
			    schedule_reason_name(sc->reason), "attempt", sc->attempt,
			    "first_contact", sc->first_contact);
	json_object_set_new(details, "due_date", course_day_json(sc->due));
	if (topic != NULL)
		json_object_set_new(details, "topic", json_string(topic));
	if (course_log_add(db, op, course_id, "call_scheduled", details, err) != 0)
		return -1;
	if (db->on_schedule == NULL)
		return 0;
	return db->on_schedule(db->on_schedule_arg, op, course_id, *id, sc->due, err);
}

int course_withdraw_tasks(struct course_db *db, const struct course_op *op, int64_t course_id,
			  int64_t call_id, const char *why, struct error *err)
{
	int withdrawn;

	if (outbox_withdraw_call_tasks(db->outbox, call_id, &withdrawn, err) != 0)
		return -1;
	if (withdrawn == 0)
		return 0;
	return course_log_add(
		db, op, course_id, "call_task_withdrawn",
		json_pack("{s:I, s:s}", "call_id", (json_int_t)call_id, "reason", why), err);
}

int course_cancel_call(struct course_db *db, const struct course_op *op, int64_t course_id,
		       const char *why, struct error *err)
{
	int64_t id;

	if (call_cancel_pending(db->calls, course_id, why, &id, err) != 0)
		return -1;
	if (id == 0)
		return 0;
	if (course_log_add(db, op, course_id, "call_cancelled",
			   json_pack("{s:I, s:s}", "call_id", (json_int_t)id, "reason", why),
			   err) != 0)
		return -1;
	return course_withdraw_tasks(db, op, course_id, id, "call_cancelled", err);
}

int course_recall_tasks(struct course_db *db, const struct course_op *op, int64_t course_id,
			int64_t call_id, const char *why, bool *published, int *withdrawn,
			struct error *err)
{
	int64_t cancel;

	if (outbox_recall_call_tasks(db->outbox, call_id, published, withdrawn, err) != 0)
		return -1;
	if (!*published)
		return 0;
	return outbox_add_call_task_cancel(db->outbox, course_id, call_id, why, op->now, &cancel,
					   err);
}

int course_recall_cancelled(struct course_db *db, const struct course_op *op, int64_t course_id,
			    int64_t id, bool meeting, const char *why, struct error *err)
{
	bool published;
	int withdrawn;
	json_t *details;

	if (id == 0)
		return 0;
	if (course_recall_tasks(db, op, course_id, id, why, &published, &withdrawn, err) != 0)
		return -1;
	details = json_pack("{s:I, s:s, s:b}", "call_id", (json_int_t)id, "reason", why,
			    "gateway_cancel", published);
	if (meeting)
		json_object_set_new(details, "kind", json_string("meeting"));
	return course_log_add(db, op, course_id, "call_cancelled", details, err);
}

int course_recall_call(struct course_db *db, const struct course_op *op, int64_t course_id,
		       const char *why, struct error *err)
{
	int64_t id;

	if (call_cancel_pending(db->calls, course_id, why, &id, err) != 0)
		return -1;
	return course_recall_cancelled(db, op, course_id, id, false, why, err);
}

/* The new mentor (or phone number) makes it another task: see
 * course-internal.h for why it is another call too. */
int course_reissue_call(struct course_db *db, const struct course_op *op, const struct call *k,
			const char *why, const char *withdrawn_why, struct error *err)
{
	struct schedule_call sc = {.due = k->due,
				   .reason = k->reason,
				   .attempt = k->attempt,
				   .first_contact = k->first_contact};
	bool published;
	int withdrawn;
	int64_t id;
	json_t *details;

	if (course_recall_tasks(db, op, k->course_id, k->id, why, &published, &withdrawn, err) != 0)
		return -1;
	if (!published) {
		if (withdrawn > 0 &&
		    course_log_add(db, op, k->course_id, "call_task_withdrawn",
				   json_pack("{s:I, s:s}", "call_id", (json_int_t)k->id, "reason",
					     withdrawn_why),
				   err) != 0)
			return -1;
		return db->on_schedule == NULL ? 0
					       : db->on_schedule(db->on_schedule_arg, op,
								 k->course_id, k->id, k->due, err);
	}
	if ((k->meeting ? call_cancel_meeting(db->calls, k->course_id, why, &id, err)
			: call_cancel_pending(db->calls, k->course_id, why, &id, err)) != 0)
		return -1;
	details = json_pack("{s:I, s:s, s:b}", "call_id", (json_int_t)k->id, "reason", why,
			    "gateway_cancel", true);
	if (k->meeting)
		json_object_set_new(details, "kind", json_string("meeting"));
	if (course_log_add(db, op, k->course_id, "call_cancelled", details, err) != 0)
		return -1;
	if (k->meeting)
		return course_add_meeting(db, op, k->course_id, k->due, &id, err);
	return course_schedule(db, op, k->course_id, &sc, k->agreed_topic, &id, err);
}

int course_withdraw_messages(struct course_db *db, const struct course_op *op, int64_t course_id,
			     const char *why, struct error *err)
{
	int withdrawn;

	if (outbox_withdraw_messages(db->outbox, course_id, NULL, &withdrawn, err) != 0)
		return -1;
	if (withdrawn == 0)
		return 0;
	return course_log_add(db, op, course_id, "message_withdrawn",
			      json_pack("{s:s, s:i}", "reason", why, "count", withdrawn), err);
}

/* Move c to state, logging kind with the old state, the reason and extra
 * (stolen, may be NULL). To pause it, set c->paused_at and c->paused_from
 * first. */
int course_set_state_with(struct course_db *db, const struct course_op *op, struct course *c,
			  enum course_state state, const char *reason, const char *kind,
			  json_t *extra, struct error *err)
{
	sqlite3_stmt *s = db->set_state;
	json_t *details;

	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_text(s, 2, course_state_name(state), -1, SQLITE_STATIC);
	sql_bind_text(s, 3, reason);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)op->now);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)c->paused_at);
	sqlite3_bind_text(s, 6, course_state_name(c->paused_from), -1, SQLITE_STATIC);
	if (sql_step_done(db->db, s, "changing a course's state", err) != 0) {
		json_decref(extra);
		return -1;
	}
	details = json_pack("{s:s, s:s}", "from", course_state_name(c->state), "to",
			    course_state_name(state));
	if (reason != NULL)
		json_object_set_new(details, "reason", json_string(reason));
	if (extra != NULL) {
		json_object_update(details, extra);
		json_decref(extra);
	}
	c->state = state;
	return course_log_add(db, op, c->id, kind, details, err);
}

int course_set_state(struct course_db *db, const struct course_op *op, struct course *c,
		     enum course_state state, const char *reason, const char *kind,
		     struct error *err)
{
	return course_set_state_with(db, op, c, state, reason, kind, NULL, err);
}

/* End or close c: no call stays pending, and the citizen is told where
 * to find help afterwards if closing is asked for and enabled. */
int course_finish(struct course_db *db, const struct course_op *op, struct course *c,
		  enum course_state state, const char *reason, bool closing, struct error *err)
{
	return course_finish_with(db, op, c, state, reason, closing, NULL, err);
}

int course_finish_with(struct course_db *db, const struct course_op *op, struct course *c,
		       enum course_state state, const char *reason, bool closing, json_t *extra,
		       struct error *err)
{
	const char *kind = state == COURSE_ENDED ? "ended" : "closed";

	/* doc/programmes.md: a course that ran does not end or close, planned
	 * or not, before its programme's closing checklist is ticked. */
	if ((state == COURSE_ENDED || state == COURSE_CLOSED) &&
	    (c->state == COURSE_ACTIVE || c->state == COURSE_ENDED) &&
	    course_check_closing(db, op, c, err) != 0) {
		json_decref(extra);
		return -1;
	}
	if (course_cancel_call(db, op, c->id, kind, err) != 0 ||
	    course_cancel_meeting(db, op, c->id, kind, err) != 0) {
		json_decref(extra);
		return -1;
	}
	if (course_set_state_with(db, op, c, state, reason, kind, extra, err) != 0)
		return -1;
	if (!closing || (course_messages(op, c) & COURSE_MSG_CLOSING) == 0)
		return 0;
	return course_message(db, op, c, "closing", json_pack("{s:s}", "reason", reason), err);
}

int course_await_checklist(struct course_db *db, const struct course_op *op, struct course *c,
			   json_t *missing, struct error *err)
{
	bool active = c->state == COURSE_ACTIVE;

	if (active && (course_cancel_call(db, op, c->id, "ended", err) != 0 ||
		       course_cancel_meeting(db, op, c->id, "ended", err) != 0)) {
		json_decref(missing);
		return -1;
	}
	if (course_set_state_with(db, op, c, COURSE_ENDED, COURSE_AWAITING_CHECKLIST,
				  "awaiting_checklist", json_pack("{s:o}", "missing", missing),
				  err) != 0)
		return -1;
	if (!active || (course_messages(op, c) & COURSE_MSG_CLOSING) == 0)
		return 0;
	return course_message(db, op, c, "closing", json_pack("{s:s}", "reason", "window_end"),
			      err);
}

int course_flag(struct course_db *db, const struct course_op *op, struct course *c,
		const char *flag, struct error *err)
{
	sqlite3_stmt *s = db->set_flag;

	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_text(s, 2, flag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)op->now);
	if (sql_step_done(db->db, s, "flagging a course", err) != 0)
		return -1;
	return course_log_add(db, op, c->id, "flagged", json_pack("{s:s}", "flag", flag), err);
}
