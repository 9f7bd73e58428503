/*
 * publish.h - call tasks: each working day's call queues pushed to the
 * messaging gateway through the outbox (doc/scheduling.md and doc/gateway.md).
 *
 * Contract:
 *  - The daily job PUBLISH_JOB (jobs.c runs it on working days at or after
 *    queue.publish_time, a chunk at a time: publish_chunk) adds one call
 *    task per call of every active mentor's queue for the day (queue.h,
 *    routing to a stand-in included), on the caller's transaction. It
 *    walks the pending calls once by due date for all mentors together.
 *  - The outbox key is "call-task:<call id>:<YYYY-MM-DD>" (the day of the
 *    queue), so publishing twice on one day adds nothing, and a call still
 *    pending the next day is published again, in that day's queue.
 *  - publish_attach() hooks the course operations (course.h schedule
 *    hook): a call scheduled once today's publication has begun and due
 *    today or earlier gets its call task at once, in the same savepoint
 *    as the call.
 *  - The payload is the wire format of section 5, sent as it is:
 *    {"id" (the call id), "mentor": {"id", "name", "phone"}, "due_date",
 *    "citizen": {"name", "phone"}, "reason", "attempt", "topic" (null when
 *    none was agreed)}; the mentor is the one whose queue holds the call
 *    that day.
 */
#ifndef MENTORD_PUBLISH_H
#define MENTORD_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "error.h"

struct mentord;

#define PUBLISH_JOB "publish-queue"
#define PUBLISH_TYPE "call_task"

/* Where a publication goes on: after the call (due, call_id) in (due
 * date, call id) order; {CAL_NO_DAY, 0} is the start. As text
 * "YYYY-MM-DD/ID" ("/0" at the start) for job_state. */
struct publish_cursor {
	cal_day due;
	int64_t call_id;
};

/* The whole publication for now's day on the caller's transaction. */
int publish_queues(struct mentord *m, time_t now, size_t *added, struct error *err);
/* One chunk of day's publication on the caller's transaction: the calls
 * after *cur, at most limit (0: no limit), stopping once deadline
 * (CLOCK_MONOTONIC, clock.h; NULL: none) has passed; *cur moves past what
 * was done, *added counts the call tasks added (a key already there adds
 * nothing, so a chunk repeated after a crash adds nothing twice) and
 * *finished says no call is left. */
int publish_chunk(struct mentord *m, cal_day day, time_t now, size_t limit,
		  const struct timespec *deadline, struct publish_cursor *cur, size_t *added,
		  bool *finished, struct error *err);
void publish_cursor_format(const struct publish_cursor *cur, char *buf, size_t size);
int publish_cursor_parse(const char *text, struct publish_cursor *cur);
/* The SQL of a chunk, for the query-plan test. */
const char *publish_next_query(void);
void publish_attach(struct mentord *m);

#endif
