/*
 * outbox.h - work for the messaging gateway, written transactionally.
 *
 * Contract:
 *  - outbox_add() inserts one pending row (call task or message) on the
 *    caller's connection, so it commits or rolls back together with the
 *    change that caused it (DESIGN.md section 5). Sending is not done here.
 *  - Every row has a unique idempotency key, sent as Idempotency-Key and
 *    kept across retries and restarts. A caller that can name the work in a
 *    stable way (a call task for call 12 on 2026-04-07) passes that key and
 *    adding it twice is a no-op; otherwise a random UUID is made.
 *  - The payload is a JSON object of facts (course, recipient, offers, next
 *    call); turning it into the wire format of section 5 (templates, MeMo
 *    header) is the sender's job, so a template change applies to work that
 *    is still queued.
 */
#ifndef MENTORD_OUTBOX_H
#define MENTORD_OUTBOX_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "sched.h"

struct outbox;
struct store;

enum outbox_kind {
	OUTBOX_CALL_TASK,
	OUTBOX_MESSAGE,
};

#define OUTBOX_KEY_LEN 64

struct outbox *outbox_new(struct store *store, char **cause);
void outbox_free(struct outbox *outbox);

/* Queue one row, due at now. course_id 0 = none; key NULL = a new UUID.
 * *id is the new row's id, or 0 if a row with key already existed. */
int outbox_add(struct outbox *outbox, enum outbox_kind kind, const char *type,
	       int64_t course_id, const char *key, json_t *payload, time_t now, int64_t *id,
	       struct sched_error *err);

/* Make a random (version 4) UUID. */
void outbox_uuid(char buf[37]);

const char *outbox_kind_name(enum outbox_kind kind);

#endif
