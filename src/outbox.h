/*
 * outbox.h - work for the messaging gateway, written transactionally.
 *
 * Contract:
 *  - outbox_add() inserts one pending row (call task or message) on the
 *    caller's connection, so it commits or rolls back together with the
 *    change that caused it (doc/gateway.md). Sending is not done here.
 *  - Every row has a unique idempotency key, sent as Idempotency-Key and
 *    kept across retries and restarts. A caller that can name the work in a
 *    stable way (a call task for call 12 on 2026-04-07) passes that key and
 *    adding it twice is a no-op; otherwise a random UUID is made.
 *  - The payload is a JSON object of facts (course, recipient, offers, next
 *    call); turning it into the wire format of section 5 (templates, MeMo
 *    header) is the sender's job, so a template change applies to work that
 *    is still queued.
 *  - Errors: outbox_new() prepares the statements at start-up and reports
 *    a cause; every other function fills a struct error (error.h).
 */
#ifndef MENTORD_OUTBOX_H
#define MENTORD_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

struct outbox;
struct store;

enum outbox_kind {
	OUTBOX_CALL_TASK,
	OUTBOX_MESSAGE,
};

#define OUTBOX_KEY_LEN 64

/* A call task row is of type "call_task"; the cancellation of one the
 * gateway has (doc/gateway.md) is a call task row of this type, so it is
 * sent after every earlier call task row of its course. */
#define OUTBOX_CANCEL_TYPE "call_task_cancel"

struct outbox *outbox_new(struct store *store, char **cause);
void outbox_free(struct outbox *outbox);

/* Queue one row, due at now. course_id 0 = none; key NULL = a new UUID.
 * *id is the new row's id, or 0 if a row with key already existed. */
int outbox_add(struct outbox *outbox, enum outbox_kind kind, const char *type, int64_t course_id,
	       const char *key, json_t *payload, time_t now, int64_t *id, struct error *err);

/* Make a random (version 4) UUID. */
void outbox_uuid(char buf[37]);

const char *outbox_kind_name(enum outbox_kind kind);

/* Up to limit rows with an id above after in a state ("pending", "sent",
 * "dead"; NULL: all), oldest first, as a JSON array for admins: id, kind,
 * type, course_id, idempotency_key, state, attempts, next_attempt_at,
 * last_error, created_at. Never the payload, which carries personal data.
 * Sent rows are kept, so the table only grows: it is read a page at a
 * time. An unknown state is ERROR_INVALID on "state". */
int outbox_list(struct outbox *outbox, const char *state, int64_t after, size_t limit, json_t **out,
		struct error *err);
/* One row as outbox_list shows it; ERROR_NOT_FOUND if there is none. */
int outbox_get(struct outbox *outbox, int64_t id, json_t **out, struct error *err);

/*
 * The sender's side (outbox-worker.h). Retries are stored, not held in
 * memory: a pending row is due at next_attempt_at; attempts counts what
 * was tried; last_error says why the last attempt failed; failing_since
 * is when the current run of failures began, so the give-up time is
 * measured from the first failure, not from when the row was written
 * (a row that waited for a gateway to be configured is not old). For a
 * sent or dead row next_attempt_at is when it was settled.
 */
struct outbox_row {
	int64_t id;
	enum outbox_kind kind;
	char *type;
	int64_t course_id; /* 0: none */
	char *key;
	char *payload; /* the JSON text */
	int attempts;
	time_t next_attempt_at;
	time_t failing_since; /* 0: no failure yet */
	time_t created_at;
};

/* Called after outbox_add() inserted a row: the caller's transaction is
 * still open, so fn may only note that there is work (never read it). */
void outbox_set_notify(struct outbox *outbox, void (*fn)(void *arg), void *arg);

/* fn says whether the sender has row id on the wire now, or its result
 * not yet committed. Such a row is never withdrawn: the gateway may take
 * it, and the sender then settles it by id. Without a sender (mentorctl,
 * unit tests) nothing is in flight. The daemon has one loop, so when a
 * withdrawal runs the answer is exact. */
void outbox_set_in_flight(struct outbox *outbox, bool (*fn)(void *arg, int64_t id), void *arg);

/* Up to limit pending rows due at now with an id above after_id, oldest
 * first, leaving out any row behind an earlier pending row of the same
 * course and kind. Free with outbox_rows_free. */
int outbox_due(struct outbox *outbox, time_t now, int64_t after_id, size_t limit,
	       struct outbox_row **rows, size_t *count, struct error *err);
/* The same, looking at no more than the next window pending rows after
 * after_id (0: all of them), so one call stays short however many rows
 * wait for a retry: *scanned_to is the last pending row it looked at when
 * the window was full (go on after it), 0 when it reached the end. */
int outbox_due_window(struct outbox *outbox, time_t now, int64_t after_id, size_t limit,
		      size_t window, struct outbox_row **rows, size_t *count, int64_t *scanned_to,
		      struct error *err);
void outbox_rows_free(struct outbox_row *rows, size_t count);
/* The SQL outbox_due runs, for the query-plan test. */
const char *outbox_due_query(void);
/* The earliest next_attempt_at after `after` of any pending row; 0: none. */
int outbox_next_due(struct outbox *outbox, time_t after, time_t *at, struct error *err);

/* Settle one attempt of a pending row: delivered; failed, due again at
 * next; failed for good. Only row id is touched, and only while it is
 * pending; ids are never reused, so no other row can be. *settled is
 * false if there was no such row pending (settled or purged meanwhile). */
int outbox_mark_sent(struct outbox *outbox, int64_t id, time_t now, bool *settled,
		     struct error *err);
int outbox_mark_retry(struct outbox *outbox, int64_t id, time_t now, time_t next, const char *error,
		      bool *settled, struct error *err);
int outbox_mark_dead(struct outbox *outbox, int64_t id, time_t now, const char *error,
		     bool *settled, struct error *err);

/* An admin sends a dead letter again: pending, attempts and failure run
 * reset, due at once (at the latest now; no later than when it died, so
 * a daemon on a test clock sees it due too). ERROR_NOT_FOUND, or
 * ERROR_CONFLICT if the row is not dead. */
int outbox_retry(struct outbox *outbox, int64_t id, time_t now, struct error *err);

/* A call left its pending state (outcome, cancel): its call tasks that
 * were not sent yet are removed, in the caller's transaction, so a mentor
 * is never asked to call about a call that no longer stands (a citizen who
 * declined, a superseded or closed course); *count says how many really
 * were. One already on the wire (outbox_set_in_flight) cannot be recalled
 * and is left to its send. */
int outbox_withdraw_call_tasks(struct outbox *outbox, int64_t call_id, int *count,
			       struct error *err);

/* As outbox_withdraw_call_tasks; *published says whether the gateway may
 * already have a task of the call: a row sent, on the wire, or tried
 * before (a timeout may have reached it). */
int outbox_recall_call_tasks(struct outbox *outbox, int64_t call_id, bool *published, int *count,
			     struct error *err);

/* Queue the cancellation of call_id's task at the gateway
 * (POST /v1/call-tasks/{call_id}/cancel), key "call-task-cancel:<call>":
 * once per call, however often it is asked for, so a call cancelled at the
 * gateway is never published again. reason says why to the gateway
 * ("deceased", "admitted", "cancelled", "corrected", "undone",
 * "reassigned"). */
int outbox_add_call_task_cancel(struct outbox *outbox, int64_t course_id, int64_t call_id,
				const char *reason, time_t now, int64_t *id, struct error *err);

/* The course's messages of a type (NULL: of every type) not sent yet are removed, in the
 * caller's transaction; *count says how many really were. A resumed course
 * withdraws its closing message, so a citizen who came back is not told,
 * once the gateway is reachable again, that the calls are over. One
 * already on the wire (outbox_set_in_flight) cannot be recalled: it is
 * left to its send and not counted (should that send fail for now, the
 * sender withdraws it then instead of retrying it). */
int outbox_withdraw_messages(struct outbox *outbox, int64_t course_id, const char *type, int *count,
			     struct error *err);

/* Message id is withdrawn as outbox_withdraw_messages does (pending and
 * not in flight), in the caller's transaction; *withdrawn says whether it
 * was. A corrected outcome replaces the messages its original caused. */
int outbox_withdraw_message(struct outbox *outbox, int64_t id, bool *withdrawn, struct error *err);

/* The sender withdraws row id itself (it is the one that had it in
 * flight), if it is still pending; *withdrawn says whether it was. */
int outbox_withdraw_row(struct outbox *outbox, int64_t id, bool *withdrawn, struct error *err);

#endif
