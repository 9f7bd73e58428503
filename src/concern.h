/*
 * concern.h - a mentor's concern for a citizen's safety (doc/api.md,
 * "Concerns"): recorded with a call's outcome, seen by the coordinators at
 * once, open until one of them has followed it up.
 *
 * Contract:
 *  - concern_record() runs inside the transaction of the outcome it belongs
 *    to (the API's job), so a concern exists exactly when its outcome does.
 *    One per call (the schema's UNIQUE): a second is a conflict.
 *  - With a phone number configured (crisis.notify_phone), the same
 *    transaction queues a notification to it in the outbox (type
 *    "concern", sent to the gateway's /v1/notifications, doc/gateway.md).
 *    It names the course by number only: no name, no diagnosis, nothing
 *    that tells a reader of the phone's lock screen about psychiatry
 *    (concern_notification_text passes message_indiscreet_word). It has no
 *    course id in the outbox, so a citizen's message the gateway is
 *    retrying never holds it up.
 *  - concern_handle() marks one handled, logs it in the course log; a
 *    concern already handled is a conflict, an unknown one not found.
 *  - Lists are JSON arrays for the API, oldest first, a page at a time
 *    (api.h): open ones are a range of the partial index concerns_open.
 *  - Every function returns 0 or -1 with err; none prints.
 */
#ifndef MENTORD_CONCERN_H
#define MENTORD_CONCERN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

struct course_log;
struct outbox;
struct store;

/* Which concerns concern_list returns. */
enum concern_filter {
	CONCERN_OPEN,
	CONCERN_HANDLED,
	CONCERN_ALL,
};

int concern_filter_parse(const char *name, enum concern_filter *out);

/* Store the concern of call_id; *id is the new concern. notify_phone NULL
 * or "": no notification. */
int concern_record(struct store *store, struct outbox *outbox, const char *notify_phone,
		   int64_t course_id, int64_t call_id, time_t now, const char *author, int64_t *id,
		   struct error *err);

/* A corrected outcome no longer records a concern: the concern of call_id
 * is removed (reports count the outcome as corrected), its notification
 * withdrawn if not sent yet, and the removal logged in the course log;
 * *id is the concern removed, 0 if the call had none. */
int concern_withdraw(struct store *store, struct outbox *outbox, struct course_log *log,
		     int64_t call_id, time_t now, const char *author, int64_t *id,
		     struct error *err);

/* A coordinator has followed concern id up; *course_id is its course. */
int concern_handle(struct store *store, struct course_log *log, int64_t id, time_t now,
		   const char *author, int64_t *course_id, struct error *err);

/* Up to limit concerns with an id above after, oldest first, with the
 * citizen's name and phone, the course's state, its mentor (id and name)
 * and the author's display name: what a coordinator needs to act. */
int concern_list(struct store *store, enum concern_filter filter, int64_t after, size_t limit,
		 json_t **out, struct error *err);

/* Every concern of a course, oldest first, without the citizen's data (the
 * course carries it). */
int concern_list_course(struct store *store, int64_t course_id, json_t **out, struct error *err);

/* The open concerns' page (?1: after, ?2: limit), for the test of its
 * query plan. */
extern const char concern_list_open_sql[];

/* The label and body of the notification about course_id, as sent. */
#define CONCERN_LABEL "Bekymring registreret"
void concern_notification_text(int64_t course_id, time_t at, char *body, size_t size);

#endif
