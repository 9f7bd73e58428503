/*
 * call.c - the calls of a course (call.h).
 */
#include "call.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xmalloc.h"
#include "sql.h"

struct call_db {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *get;
	sqlite3_stmt *pending;
	sqlite3_stmt *cancel;
	sqlite3_stmt *record;
	sqlite3_stmt *by_course;
	sqlite3_stmt *correct;
	sqlite3_stmt *recorded_by;
	sqlite3_stmt *insert_meeting;
	sqlite3_stmt *meeting;
	sqlite3_stmt *cancel_meeting;
};

#define CALL_COLUMNS \
	"id, course_id, reason, first_contact, attempt, due_date, agreed_topic, state, result," \
	" call_date, kind"

static const struct sql_statement call_sql[] = {
	/* mentor_id: the course's, for the queue's index (store-migrate.c). */
	{offsetof(struct call_db, insert),
	 "INSERT INTO calls (course_id, reason, first_contact, attempt, due_date,"
	 " agreed_topic, created_at, mentor_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	 " (SELECT mentor_id FROM courses WHERE id = ?1))"},
	/* A follow-up meeting: a call of its own kind (store-migrate.c). */
	{offsetof(struct call_db, insert_meeting),
	 "INSERT INTO calls (course_id, reason, first_contact, attempt, due_date,"
	 " created_at, mentor_id, kind) VALUES (?1, 'follow_up', 0, 1, ?2, ?3,"
	 " (SELECT mentor_id FROM courses WHERE id = ?1), 'meeting')"},
	{offsetof(struct call_db, get), "SELECT " CALL_COLUMNS " FROM calls WHERE id = ?1"},
	{offsetof(struct call_db, pending),
	 "SELECT " CALL_COLUMNS " FROM calls WHERE course_id = ?1 AND state = 'pending'"
	 " AND kind = 'call'"},
	{offsetof(struct call_db, meeting),
	 "SELECT " CALL_COLUMNS " FROM calls WHERE course_id = ?1 AND state = 'pending'"
	 " AND kind = 'meeting'"},
	{offsetof(struct call_db, cancel),
	 "UPDATE calls SET state = 'cancelled', cancel_reason = ?2"
	 " WHERE course_id = ?1 AND state = 'pending' AND kind = 'call' RETURNING id"},
	{offsetof(struct call_db, cancel_meeting),
	 "UPDATE calls SET state = 'cancelled', cancel_reason = ?2"
	 " WHERE course_id = ?1 AND state = 'pending' AND kind = 'meeting' RETURNING id"},
	{offsetof(struct call_db, record),
	 "UPDATE calls SET state = 'done', result = ?2, call_date = ?3,"
	 " duration_minutes = ?4, topics = ?5, note = ?6, offers = ?7, send_followup = ?8,"
	 " recorded_at = ?9, recorded_by = ?10 WHERE id = ?1 AND state = 'pending'"},
	/* The outcome's columns follow CALL_COLUMNS, so call_read_row reads
	 * the first ones; ORDER BY id runs along the index calls_course. */
	{offsetof(struct call_db, by_course),
	 "SELECT " CALL_COLUMNS ", duration_minutes, topics, offers, note"
	 " FROM calls WHERE course_id = ?1 ORDER BY id"},
	/* recorded_at and recorded_by stay the original's: the mentor who
	 * recorded the call remains the one who may correct it. */
	{offsetof(struct call_db, correct),
	 "UPDATE calls SET result = ?2, duration_minutes = ?3, topics = ?4, note = ?5,"
	 " offers = ?6, send_followup = ?7 WHERE id = ?1 AND state = 'done'"},
	{offsetof(struct call_db, recorded_by), "SELECT recorded_by FROM calls WHERE id = ?1"},
};

#define CALL_NSQL (sizeof call_sql / sizeof call_sql[0])

static const char *const call_results[] = {
	[CALL_REACHED] = "reached",
	[CALL_NO_ANSWER] = "no_answer",
	[CALL_WRONG_NUMBER] = "wrong_number",
	[CALL_DECLINED] = "declined",
};

static const char *const call_states[] = {
	[CALL_PENDING] = "pending",
	[CALL_DONE] = "done",
	[CALL_CANCELLED] = "cancelled",
};

static const char *const call_topics[] = {
	"wellbeing", "treatment_plan", "network",      "other_support", "knows_where_to_get_help",
	"interests", "offers_advice",  "peer_contact", "callback_wish",
};

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

static int call_lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *call_result_name(enum call_result result)
{
	return (size_t)result < nitems(call_results) ? call_results[result] : "unknown";
}

int call_result_parse(const char *name, enum call_result *out)
{
	int i = call_lookup(call_results, nitems(call_results), name);

	if (i < 0)
		return -1;
	*out = (enum call_result)i;
	return 0;
}

const char *call_state_name(enum call_state state)
{
	return (size_t)state < nitems(call_states) ? call_states[state] : "unknown";
}

bool call_topic_valid(const char *topic)
{
	return call_lookup(call_topics, nitems(call_topics), topic) >= 0;
}

int call_outcome_validate(const struct call_outcome *o, struct error *err)
{
	if ((size_t)o->result >= nitems(call_results))
		return error_set(err, ERROR_INVALID, "result", "unknown result");
	if (o->duration_minutes < -1 || o->duration_minutes > CALL_MAX_DURATION)
		return error_set(err, ERROR_INVALID, "duration_minutes",
				 "the duration must be 0 to %d minutes", CALL_MAX_DURATION);
	for (size_t i = 0; i < o->ntopics; i++)
		if (!call_topic_valid(o->topics[i]))
			return error_set(err, ERROR_INVALID, "topics", "unknown topic \"%.40s\"",
					 o->topics[i] != NULL ? o->topics[i] : "");
	if (o->note != NULL && strlen(o->note) > CALL_MAX_NOTE)
		return error_set(err, ERROR_INVALID, "note", "the note is too long");
	if (o->next == CALL_NEXT_END && (o->end_reason == NULL || *o->end_reason == '\0'))
		return error_set(err, ERROR_INVALID, "next.reason",
				 "ending a course needs a reason");
	/* A message meant for the citizen must not reach whoever answered
	 * a wrong number. */
	if (o->send_followup && o->result == CALL_WRONG_NUMBER)
		return error_set(err, ERROR_INVALID, "send_followup",
				 "no follow-up message after a wrong number");
	/* doc/scheduling.md: the follow-up comes after a conversation
	 * and thanks the citizen for it; an unanswered call had none. */
	if (o->send_followup && o->result != CALL_REACHED && o->result != CALL_DECLINED)
		return error_set(err, ERROR_INVALID, "send_followup",
				 "a follow-up message needs a conversation: "
				 "only after reached or declined");
	if (o->concern && o->result != CALL_REACHED && o->result != CALL_DECLINED)
		return error_set(err, ERROR_INVALID, "concern",
				 "a concern needs a conversation: only after reached or declined");
	return 0;
}

struct call_db *call_db_new(struct store *store, char **cause)
{
	struct call_db *db = xcalloc(1, sizeof *db);

	db->db = store_db(store);
	if (sql_prepare_table(db->db, db, call_sql, CALL_NSQL, cause) != 0) {
		call_db_free(db);
		return NULL;
	}
	return db;
}

void call_db_free(struct call_db *db)
{
	if (db == NULL)
		return;
	sql_finalize_table(db, call_sql, CALL_NSQL);
	free(db);
}

int call_add(struct call_db *db, int64_t course_id, const struct schedule_call *c,
	     const char *topic, time_t now, int64_t *id, struct error *err)
{
	sqlite3_stmt *s = db->insert;
	int rc;

	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_text(s, 2, schedule_reason_name(c->reason), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, c->first_contact ? 1 : 0);
	sqlite3_bind_int(s, 4, c->attempt);
	sql_bind_day(s, 5, c->due);
	sql_bind_text(s, 6, topic);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)now);
	rc = sql_step_done(db->db, s, "scheduling a call", err);
	sqlite3_clear_bindings(s);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

static void call_read_row(sqlite3_stmt *s, struct call *c)
{
	const char *text;
	enum schedule_reason reason = SCHEDULE_FOLLOW_UP;
	enum call_result result;
	int state;

	c->id = sqlite3_column_int64(s, 0);
	c->course_id = sqlite3_column_int64(s, 1);
	text = (const char *)sqlite3_column_text(s, 2);
	if (text != NULL)
		schedule_reason_parse(text, &reason);
	c->reason = reason;
	c->first_contact = sqlite3_column_int(s, 3) != 0;
	c->attempt = sqlite3_column_int(s, 4);
	c->due = sql_column_day(s, 5);
	c->agreed_topic = sql_column_strdup(s, 6);
	state = call_lookup(call_states, nitems(call_states),
			    (const char *)sqlite3_column_text(s, 7));
	c->state = state >= 0 ? (enum call_state)state : CALL_CANCELLED;
	text = (const char *)sqlite3_column_text(s, 8);
	c->has_result = text != NULL && call_result_parse(text, &result) == 0;
	c->result = c->has_result ? result : CALL_REACHED;
	c->call_date = sql_column_day(s, 9);
	text = (const char *)sqlite3_column_text(s, 10);
	c->meeting = text != NULL && strcmp(text, "meeting") == 0;
}

/* Step a statement that selects at most one call. */
static int call_read_one(struct call_db *db, sqlite3_stmt *s, struct call **out, struct error *err)
{
	int rc = sqlite3_step(s);

	*out = NULL;
	if (rc == SQLITE_ROW) {
		*out = xcalloc(1, sizeof **out);
		call_read_row(s, *out);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "reading a call");
	return 0;
}

int call_get(struct call_db *db, int64_t id, struct call **out, struct error *err)
{
	sqlite3_bind_int64(db->get, 1, id);
	if (call_read_one(db, db->get, out, err) != 0)
		return -1;
	if (*out == NULL)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no call %lld", (long long)id);
	return 0;
}

int call_pending(struct call_db *db, int64_t course_id, struct call **out, struct error *err)
{
	sqlite3_bind_int64(db->pending, 1, course_id);
	return call_read_one(db, db->pending, out, err);
}

int call_meeting(struct call_db *db, int64_t course_id, struct call **out, struct error *err)
{
	sqlite3_bind_int64(db->meeting, 1, course_id);
	return call_read_one(db, db->meeting, out, err);
}

int call_add_meeting(struct call_db *db, int64_t course_id, cal_day due, time_t now, int64_t *id,
		     struct error *err)
{
	sqlite3_stmt *s = db->insert_meeting;
	int rc;

	sqlite3_bind_int64(s, 1, course_id);
	sql_bind_day(s, 2, due);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	rc = sql_step_done(db->db, s, "scheduling a meeting", err);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

static int call_cancel_where(struct call_db *db, sqlite3_stmt *s, int64_t course_id,
			     const char *reason, int64_t *id, struct error *err);

int call_cancel_pending(struct call_db *db, int64_t course_id, const char *reason, int64_t *id,
			struct error *err)
{
	return call_cancel_where(db, db->cancel, course_id, reason, id, err);
}

int call_cancel_meeting(struct call_db *db, int64_t course_id, const char *reason, int64_t *id,
			struct error *err)
{
	return call_cancel_where(db, db->cancel_meeting, course_id, reason, id, err);
}

static int call_cancel_where(struct call_db *db, sqlite3_stmt *s, int64_t course_id,
			     const char *reason, int64_t *id, struct error *err)
{
	int rc;

	*id = 0;
	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE)
		sql_error(err, db->db, "cancelling a call");
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A JSON array text of the topics and of the offers, or NULL if empty. */
static char *call_topics_json(const struct call_outcome *o)
{
	json_t *a = json_array();
	char *text;

	for (size_t i = 0; i < o->ntopics; i++)
		json_array_append_new(a, json_string(o->topics[i]));
	text = o->ntopics > 0 ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

static char *call_offers_json(const struct call_outcome *o)
{
	json_t *a = json_array();
	char *text;

	for (size_t i = 0; i < o->noffers; i++)
		json_array_append_new(a, json_integer(o->offers[i]));
	text = o->noffers > 0 ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

int call_record(struct call_db *db, int64_t id, const struct call_outcome *o, cal_day call_date,
		time_t now, const char *author, struct error *err)
{
	sqlite3_stmt *s = db->record;
	char *topics = call_topics_json(o), *offers = call_offers_json(o);
	int rc;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, call_result_name(o->result), -1, SQLITE_STATIC);
	sql_bind_day(s, 3, call_date);
	if (o->duration_minutes >= 0)
		sqlite3_bind_int(s, 4, o->duration_minutes);
	sql_bind_text(s, 5, topics);
	sql_bind_text(s, 6, o->note);
	sql_bind_text(s, 7, offers);
	sqlite3_bind_int(s, 8, o->send_followup ? 1 : 0);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)now);
	sqlite3_bind_text(s, 10, author, -1, SQLITE_TRANSIENT);
	rc = sql_step_done(db->db, s, "recording an outcome", err);
	sqlite3_clear_bindings(s);
	free(topics);
	free(offers);
	if (rc == 0 && sqlite3_changes(db->db) == 0)
		return error_set(err, ERROR_CONFLICT, NULL,
				 "call %lld already has an outcome or was cancelled",
				 (long long)id);
	return rc;
}

int call_correct(struct call_db *db, int64_t id, const struct call_outcome *o, struct error *err)
{
	sqlite3_stmt *s = db->correct;
	char *topics = call_topics_json(o), *offers = call_offers_json(o);
	int rc;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, call_result_name(o->result), -1, SQLITE_STATIC);
	if (o->duration_minutes >= 0)
		sqlite3_bind_int(s, 3, o->duration_minutes);
	sql_bind_text(s, 4, topics);
	sql_bind_text(s, 5, o->note);
	sql_bind_text(s, 6, offers);
	sqlite3_bind_int(s, 7, o->send_followup ? 1 : 0);
	rc = sql_step_done(db->db, s, "correcting an outcome", err);
	sqlite3_clear_bindings(s);
	free(topics);
	free(offers);
	if (rc == 0 && sqlite3_changes(db->db) == 0)
		return error_set(err, ERROR_CONFLICT, NULL, "call %lld has no outcome",
				 (long long)id);
	return rc;
}

int call_recorded_by(struct call_db *db, int64_t id, char **author, struct error *err)
{
	sqlite3_stmt *s = db->recorded_by;
	int rc;

	*author = NULL;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*author = sql_column_strdup(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "reading who recorded a call");
	return 0;
}

void call_free(struct call *c)
{
	if (c == NULL)
		return;
	free(c->agreed_topic);
	free(c);
}

int call_list_by_course(struct call_db *db, int64_t course_id, struct call_entry **out,
			size_t *count, struct error *err)
{
	sqlite3_stmt *s = db->by_course;
	struct call_entry *entries = NULL, *e;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	sqlite3_bind_int64(s, 1, course_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		entries = xrealloc(entries, (n + 1) * sizeof *entries);
		e = &entries[n++];
		call_read_row(s, &e->call);
		e->duration_minutes =
			sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 11);
		e->topics = sql_column_strdup(s, 12);
		e->offers = sql_column_strdup(s, 13);
		e->note = sql_column_strdup(s, 14);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		call_entries_free(entries, n);
		return sql_error(err, db->db, "reading the calls of a course");
	}
	*out = entries;
	*count = n;
	return 0;
}

void call_entries_free(struct call_entry *entries, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(entries[i].call.agreed_topic);
		free(entries[i].topics);
		free(entries[i].offers);
		free(entries[i].note);
	}
	free(entries);
}
