/*
 * outbox.c - work for the messaging gateway (outbox.h).
 */
#include "outbox.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "store.h"
#include "xmalloc.h"

struct outbox {
	sqlite3 *db;
	sqlite3_stmt *insert;
};

static const struct sched_sql outbox_sql[] = {
	{offsetof(struct outbox, insert),
	 "INSERT INTO outbox (kind, type, course_id, idempotency_key, payload,"
	 " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
	 " ON CONFLICT (idempotency_key) DO NOTHING"},
};

#define OUTBOX_NSQL (sizeof outbox_sql / sizeof outbox_sql[0])

struct outbox *outbox_new(struct store *store, char **cause)
{
	struct outbox *outbox = xcalloc(1, sizeof *outbox);

	outbox->db = store_db(store);
	if (sched_prepare(outbox->db, outbox, outbox_sql, OUTBOX_NSQL, cause) != 0) {
		outbox_free(outbox);
		return NULL;
	}
	return outbox;
}

void outbox_free(struct outbox *outbox)
{
	if (outbox == NULL)
		return;
	sched_finalize(outbox, outbox_sql, OUTBOX_NSQL);
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
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

int outbox_add(struct outbox *outbox, enum outbox_kind kind, const char *type,
	       int64_t course_id, const char *key, json_t *payload, time_t now, int64_t *id,
	       struct sched_error *err)
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
		return sched_error_set(err, SCHED_STORE, NULL, "outbox payload is not JSON");
	sqlite3_bind_text(s, 1, outbox_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_TRANSIENT);
	if (course_id > 0)
		sqlite3_bind_int64(s, 3, course_id);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_text(s, 4, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	rc = sched_step_done(outbox->db, s, "adding to the outbox", err);
	free(text);
	sqlite3_clear_bindings(s);
	if (rc != 0)
		return -1;
	*id = sqlite3_changes(outbox->db) > 0 ? sqlite3_last_insert_rowid(outbox->db) : 0;
	return 0;
}
