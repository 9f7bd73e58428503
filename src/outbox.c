/*
 * outbox.c - work for the messaging gateway (outbox.h).
 */
#include "outbox.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"
#include "xmalloc.h"
#include "sql.h"

struct outbox {
	sqlite3 *db;
	sqlite3_stmt *insert;
	/* the sender's side (outbox-worker.c) */
	sqlite3_stmt *due;
	sqlite3_stmt *window_end;
	sqlite3_stmt *next_due;
	sqlite3_stmt *mark_sent;
	sqlite3_stmt *mark_retry;
	sqlite3_stmt *mark_dead;
	sqlite3_stmt *requeue;
	sqlite3_stmt *state_of;
	sqlite3_stmt *withdraw_tasks;
	sqlite3_stmt *withdraw_messages;
	sqlite3_stmt *withdraw_message;
	sqlite3_stmt *withdraw;
	sqlite3_stmt *tasks_of_call;
	/* an admin's reads */
	sqlite3_stmt *list_state;
	sqlite3_stmt *list_all;
	sqlite3_stmt *get;
	void (*notify)(void *arg);
	void *notify_arg;
	bool (*in_flight)(void *arg, int64_t id);
	void *in_flight_arg;
};

/* Oldest first. A row waits while an earlier row of the same course
 * and kind is pending, so a citizen's messages arrive in the order
 * they were written, retries or not (outbox_course index, migration 28). */
#define OUTBOX_DUE_SQL \
	"SELECT id, kind, type, course_id, idempotency_key, payload, attempts," \
	" next_attempt_at, failing_since, created_at FROM outbox o" \
	" WHERE state = 'pending' AND next_attempt_at <= ?1 AND id > ?2 AND id <= ?4" \
	" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending'" \
	"  AND p.course_id = o.course_id AND p.kind = o.kind AND p.id < o.id)" \
	" ORDER BY id LIMIT ?3"

const char *outbox_due_query(void)
{
	return OUTBOX_DUE_SQL;
}

/*
 * Listing for an admin: two statements rather than one "?1 IS NULL OR
 * state = ?1", which no index serves. With a state, a page is a range of
 * outbox_state (state, id), migration 8; without, a rowid range (?1 is
 * bound but not used: every state).
 */
#define OUTBOX_LIST_SELECT \
	"SELECT id, kind, type, course_id, idempotency_key, state, attempts," \
	" next_attempt_at, last_error, created_at FROM outbox"

static const struct sql_statement outbox_sql[] = {
	{offsetof(struct outbox, insert),
	 "INSERT INTO outbox (kind, type, course_id, idempotency_key, payload,"
	 " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
	 " ON CONFLICT (idempotency_key) DO NOTHING"},
	{offsetof(struct outbox, due), OUTBOX_DUE_SQL},
	/* The window-th pending row after ?1: where a bounded scan stops. */
	{offsetof(struct outbox, window_end),
	 "SELECT id FROM outbox WHERE state = 'pending' AND id > ?1 ORDER BY id"
	 " LIMIT 1 OFFSET ?2"},
	{offsetof(struct outbox, next_due), "SELECT min(next_attempt_at) FROM outbox"
					    " WHERE state = 'pending' AND next_attempt_at > ?1"},
	{offsetof(struct outbox, mark_sent),
	 "UPDATE outbox SET state = 'sent', attempts = attempts + 1, last_error = NULL,"
	 " failing_since = NULL, next_attempt_at = ?2 WHERE id = ?1 AND state = 'pending'"},
	{offsetof(struct outbox, mark_retry),
	 "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
	 " failing_since = coalesce(failing_since, ?3), next_attempt_at = ?4"
	 " WHERE id = ?1 AND state = 'pending'"},
	{offsetof(struct outbox, mark_dead),
	 "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?2,"
	 " next_attempt_at = ?3 WHERE id = ?1 AND state = 'pending'"},
	{offsetof(struct outbox, requeue),
	 "UPDATE outbox SET state = 'pending', attempts = 0, failing_since = NULL,"
	 " next_attempt_at = min(next_attempt_at, ?2) WHERE id = ?1 AND state = 'dead'"},
	{offsetof(struct outbox, state_of), "SELECT state FROM outbox WHERE id = ?1"},
	/* Keys "call-task:<call>:<day>" lie between "call-task:<call>:" and
	 * "call-task:<call>;" (';' follows ':'), so the key index serves. */
	{offsetof(struct outbox, withdraw_tasks),
	 "SELECT id FROM outbox WHERE idempotency_key >= ?1 AND idempotency_key < ?2"
	 " AND kind = 'call_task' AND state = 'pending'"},
	{offsetof(struct outbox, withdraw_messages),
	 "SELECT id FROM outbox WHERE course_id = ?1 AND kind = 'message'"
	 " AND (?2 IS NULL OR type = ?2) AND state = 'pending'"},
	{offsetof(struct outbox, withdraw_message),
	 "SELECT id FROM outbox WHERE id = ?1 AND kind = 'message' AND state = 'pending'"},
	/* Every call task of a call, whatever its state (the key range of
	 * withdraw_tasks); a cancel has another key and type. */
	{offsetof(struct outbox, tasks_of_call),
	 "SELECT id, state, attempts FROM outbox WHERE idempotency_key >= ?1"
	 " AND idempotency_key < ?2 AND kind = 'call_task' AND type = 'call_task'"},
	{offsetof(struct outbox, withdraw),
	 "DELETE FROM outbox WHERE id = ?1 AND state = 'pending'"},
	{offsetof(struct outbox, list_state),
	 OUTBOX_LIST_SELECT " WHERE state = ?1 AND id > ?2 ORDER BY id LIMIT ?3"},
	{offsetof(struct outbox, list_all),
	 OUTBOX_LIST_SELECT " WHERE id > ?2 ORDER BY id LIMIT ?3"},
	{offsetof(struct outbox, get), OUTBOX_LIST_SELECT " WHERE id = ?1"},
};

#define OUTBOX_NSQL (sizeof outbox_sql / sizeof outbox_sql[0])

struct outbox *outbox_new(struct store *store, char **cause)
{
	struct outbox *outbox = xcalloc(1, sizeof *outbox);

	outbox->db = store_db(store);
	if (sql_prepare_table(outbox->db, outbox, outbox_sql, OUTBOX_NSQL, cause) != 0) {
		outbox_free(outbox);
		return NULL;
	}
	return outbox;
}

void outbox_free(struct outbox *outbox)
{
	if (outbox == NULL)
		return;
	sql_finalize_table(outbox, outbox_sql, OUTBOX_NSQL);
	free(outbox);
}

const char *outbox_kind_name(enum outbox_kind kind)
{
	return kind == OUTBOX_CALL_TASK ? "call_task" : "message";
}

void outbox_uuid(char buf[37])
{
	unsigned char b[16];

	sqlite3_randomness(sizeof b, b);
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

int outbox_add(struct outbox *outbox, enum outbox_kind kind, const char *type, int64_t course_id,
	       const char *key, json_t *payload, time_t now, int64_t *id, struct error *err)
{
	sqlite3_stmt *s = outbox->insert;
	char uuid[37], *text;
	int rc;

	if (key == NULL) {
		outbox_uuid(uuid);
		key = uuid;
	}
	text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return error_set(err, ERROR_STORE, NULL, "outbox payload is not JSON");
	sqlite3_bind_text(s, 1, outbox_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_TRANSIENT);
	if (course_id > 0)
		sqlite3_bind_int64(s, 3, course_id);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_text(s, 4, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	rc = sql_step_done(outbox->db, s, "adding to the outbox", err);
	free(text);
	sqlite3_clear_bindings(s);
	if (rc != 0)
		return -1;
	*id = sqlite3_changes(outbox->db) > 0 ? sqlite3_last_insert_rowid(outbox->db) : 0;
	if (*id != 0 && outbox->notify != NULL)
		outbox->notify(outbox->notify_arg);
	return 0;
}

static json_t *outbox_instant_json(sqlite3_stmt *s, int col)
{
	char text[CLOCK_RFC3339_LEN];

	clock_format_rfc3339((time_t)sqlite3_column_int64(s, col), text);
	return json_string(text);
}

static json_t *outbox_row_json(sqlite3_stmt *s)
{
	json_t *course = sqlite3_column_type(s, 3) == SQLITE_NULL
				 ? json_null()
				 : json_integer(sqlite3_column_int64(s, 3));

	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:s?, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "kind",
			 (const char *)sqlite3_column_text(s, 1), "type",
			 (const char *)sqlite3_column_text(s, 2), "course_id", course,
			 "idempotency_key", (const char *)sqlite3_column_text(s, 4), "state",
			 (const char *)sqlite3_column_text(s, 5), "attempts",
			 sqlite3_column_int(s, 6), "next_attempt_at", outbox_instant_json(s, 7),
			 "last_error", (const char *)sqlite3_column_text(s, 8), "created_at",
			 outbox_instant_json(s, 9));
}

static bool outbox_state_known(const char *state)
{
	static const char *const states[] = {"pending", "sent", "dead"};

	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

int outbox_list(struct outbox *outbox, const char *state, int64_t after, size_t limit, json_t **out,
		struct error *err)
{
	sqlite3_stmt *s;
	json_t *list;
	int rc;

	if (state != NULL && !outbox_state_known(state))
		return error_set(err, ERROR_INVALID, "state", "must be pending, sent or dead");
	s = state != NULL ? outbox->list_state : outbox->list_all;
	sql_bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(list, outbox_row_json(s));
	if (rc != SQLITE_DONE)
		sql_error(err, outbox->db, "listing the outbox");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

int outbox_get(struct outbox *outbox, int64_t id, json_t **out, struct error *err)
{
	sqlite3_stmt *s = outbox->get;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = outbox_row_json(s);
	else if (rc == SQLITE_DONE)
		error_set(err, ERROR_NOT_FOUND, NULL, "no outbox row %lld", (long long)id);
	else
		sql_error(err, outbox->db, "reading an outbox row");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* --- the sender's side ------------------------------------------------------- */

void outbox_set_notify(struct outbox *outbox, void (*fn)(void *arg), void *arg)
{
	outbox->notify = fn;
	outbox->notify_arg = arg;
}

void outbox_set_in_flight(struct outbox *outbox, bool (*fn)(void *arg, int64_t id), void *arg)
{
	outbox->in_flight = fn;
	outbox->in_flight_arg = arg;
}

static void outbox_read_row(sqlite3_stmt *s, struct outbox_row *r)
{
	const char *kind = (const char *)sqlite3_column_text(s, 1);

	r->id = sqlite3_column_int64(s, 0);
	r->kind =
		kind != NULL && strcmp(kind, "call_task") == 0 ? OUTBOX_CALL_TASK : OUTBOX_MESSAGE;
	r->type = sql_column_strdup(s, 2);
	r->course_id = sqlite3_column_int64(s, 3);
	r->key = sql_column_strdup(s, 4);
	r->payload = sql_column_strdup(s, 5);
	r->attempts = sqlite3_column_int(s, 6);
	r->next_attempt_at = (time_t)sqlite3_column_int64(s, 7);
	r->failing_since = (time_t)sqlite3_column_int64(s, 8);
	r->created_at = (time_t)sqlite3_column_int64(s, 9);
}

int outbox_due_window(struct outbox *outbox, time_t now, int64_t after_id, size_t limit,
		      size_t window, struct outbox_row **rows, size_t *count, int64_t *scanned_to,
		      struct error *err)
{
	sqlite3_stmt *s = outbox->window_end;
	struct outbox_row *list = NULL;
	int64_t last = INT64_MAX;
	size_t n = 0;
	int rc;

	*scanned_to = 0;
	if (window > 0) {
		sqlite3_bind_int64(s, 1, after_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)window - 1);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			last = *scanned_to = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sql_error(err, outbox->db, "reading due outbox rows");
	}
	s = outbox->due;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 4, last);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof *list);
		memset(&list[n], 0, sizeof list[n]);
		outbox_read_row(s, &list[n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		outbox_rows_free(list, n);
		return sql_error(err, outbox->db, "reading due outbox rows");
	}
	*rows = list;
	*count = n;
	return 0;
}

int outbox_due(struct outbox *outbox, time_t now, int64_t after_id, size_t limit,
	       struct outbox_row **rows, size_t *count, struct error *err)
{
	int64_t ignored;

	return outbox_due_window(outbox, now, after_id, limit, 0, rows, count, &ignored, err);
}

void outbox_rows_free(struct outbox_row *rows, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(rows[i].type);
		free(rows[i].key);
		free(rows[i].payload);
	}
	free(rows);
}

int outbox_next_due(struct outbox *outbox, time_t after, time_t *at, struct error *err)
{
	sqlite3_stmt *s = outbox->next_due;
	int rc;

	*at = 0;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)after);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*at = (time_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_error(err, outbox->db, "reading the next outbox attempt");
	return 0;
}

/* Step a bound settling UPDATE; *settled: it changed the row. */
static int outbox_settle(struct outbox *outbox, sqlite3_stmt *s, const char *what, bool *settled,
			 struct error *err)
{
	int rc = sql_step_done(outbox->db, s, what, err);

	sqlite3_clear_bindings(s);
	*settled = rc == 0 && sqlite3_changes(outbox->db) > 0;
	return rc;
}

int outbox_mark_sent(struct outbox *outbox, int64_t id, time_t now, bool *settled,
		     struct error *err)
{
	sqlite3_stmt *s = outbox->mark_sent;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	return outbox_settle(outbox, s, "marking an outbox row sent", settled, err);
}

int outbox_mark_retry(struct outbox *outbox, int64_t id, time_t now, time_t next, const char *error,
		      bool *settled, struct error *err)
{
	sqlite3_stmt *s = outbox->mark_retry;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)next);
	return outbox_settle(outbox, s, "rescheduling an outbox row", settled, err);
}

int outbox_mark_dead(struct outbox *outbox, int64_t id, time_t now, const char *error,
		     bool *settled, struct error *err)
{
	sqlite3_stmt *s = outbox->mark_dead;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	return outbox_settle(outbox, s, "dead-lettering an outbox row", settled, err);
}

int outbox_retry(struct outbox *outbox, int64_t id, time_t now, struct error *err)
{
	sqlite3_stmt *s = outbox->state_of;
	char state[16] = "";
	int rc;

	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, outbox->db, "reading an outbox row");
	if (rc == SQLITE_DONE)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no outbox row %lld", (long long)id);
	if (strcmp(state, "dead") != 0)
		return error_set(err, ERROR_CONFLICT, NULL,
				 "outbox row %lld is %s, not a dead letter", (long long)id, state);
	s = outbox->requeue;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	return sql_step_done(outbox->db, s, "requeueing an outbox row", err);
}

/*
 * Delete the pending rows the bound select finds, except those the sender
 * has in flight: the gateway may take such a row, and the sender settles
 * it by id when it answers, so its row must stay for that (and for the
 * log entry that tells it was delivered). The ids are read first and
 * deleted after, so no row changes under the running select.
 */
static int outbox_withdraw(struct outbox *outbox, sqlite3_stmt *select, const char *what,
			   int *count, struct error *err)
{
	sqlite3_stmt *s = outbox->withdraw;
	int64_t *ids = NULL, id;
	size_t n = 0;
	int rc;

	*count = 0;
	while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
		id = sqlite3_column_int64(select, 0);
		if (outbox->in_flight != NULL && outbox->in_flight(outbox->in_flight_arg, id))
			continue;
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = id;
	}
	sqlite3_reset(select);
	sqlite3_clear_bindings(select);
	if (rc != SQLITE_DONE) {
		free(ids);
		return sql_error(err, outbox->db, what);
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sql_step_done(outbox->db, s, what, err) != 0) {
			free(ids);
			return -1;
		}
		*count += sqlite3_changes(outbox->db);
	}
	free(ids);
	return 0;
}

/* Bind the key range of call_id's call tasks to ?1 and ?2 of s. */
static void outbox_bind_call(sqlite3_stmt *s, int64_t call_id)
{
	char from[48], to[48];

	snprintf(from, sizeof from, "call-task:%lld:", (long long)call_id);
	snprintf(to, sizeof to, "call-task:%lld;", (long long)call_id);
	sqlite3_bind_text(s, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_TRANSIENT);
}

int outbox_withdraw_call_tasks(struct outbox *outbox, int64_t call_id, int *count,
			       struct error *err)
{
	sqlite3_stmt *s = outbox->withdraw_tasks;

	outbox_bind_call(s, call_id);
	return outbox_withdraw(outbox, s, "withdraw call tasks", count, err);
}

int outbox_recall_call_tasks(struct outbox *outbox, int64_t call_id, bool *published, int *count,
			     struct error *err)
{
	sqlite3_stmt *s = outbox->tasks_of_call;
	const char *state;
	int rc;

	*published = false;
	outbox_bind_call(s, call_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		state = (const char *)sqlite3_column_text(s, 1);
		/* A row tried before may have reached the gateway even if no
		 * answer said so (a timeout); cancelling what it never got is
		 * harmless. A dead row never reached it. */
		if (strcmp(state, "sent") == 0 ||
		    (strcmp(state, "pending") == 0 &&
		     (sqlite3_column_int(s, 2) > 0 ||
		      (outbox->in_flight != NULL &&
		       outbox->in_flight(outbox->in_flight_arg, sqlite3_column_int64(s, 0))))))
			*published = true;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, outbox->db, "reading a call's tasks");
	return outbox_withdraw_call_tasks(outbox, call_id, count, err);
}

int outbox_add_call_task_cancel(struct outbox *outbox, int64_t course_id, int64_t call_id,
				const char *reason, time_t now, int64_t *id, struct error *err)
{
	char key[48];
	json_t *payload;
	int rc;

	snprintf(key, sizeof key, "call-task-cancel:%lld", (long long)call_id);
	payload = json_pack("{s:I, s:s}", "id", (json_int_t)call_id, "reason", reason);
	rc = outbox_add(outbox, OUTBOX_CALL_TASK, OUTBOX_CANCEL_TYPE, course_id, key, payload, now,
			id, err);
	json_decref(payload);
	return rc;
}

int outbox_withdraw_messages(struct outbox *outbox, int64_t course_id, const char *type, int *count,
			     struct error *err)
{
	sqlite3_stmt *s = outbox->withdraw_messages;

	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	return outbox_withdraw(outbox, s, "withdraw messages", count, err);
}

int outbox_withdraw_message(struct outbox *outbox, int64_t id, bool *withdrawn, struct error *err)
{
	sqlite3_stmt *s = outbox->withdraw_message;
	int count;

	*withdrawn = false;
	sqlite3_bind_int64(s, 1, id);
	if (outbox_withdraw(outbox, s, "withdraw a message", &count, err) != 0)
		return -1;
	*withdrawn = count > 0;
	return 0;
}

int outbox_withdraw_row(struct outbox *outbox, int64_t id, bool *withdrawn, struct error *err)
{
	sqlite3_stmt *s = outbox->withdraw;

	*withdrawn = false;
	sqlite3_bind_int64(s, 1, id);
	if (sql_step_done(outbox->db, s, "withdraw an outbox row", err) != 0)
		return -1;
	*withdrawn = sqlite3_changes(outbox->db) > 0;
	return 0;
}
