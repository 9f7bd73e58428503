/*
 * publish.h - call tasks: each working day's call queues pushed to the
 * messaging gateway through the outbox (doc/scheduling.md and doc/gateway.md).
 *
 * Contract:
 *  - publish_queues() is the daily job PUBLISH_JOB (jobs.c runs it on
 *    working days at or after queue.publish_time). It adds one call task
 *    per call of every active mentor's queue for the day (queue.h, routing
 *    to a stand-in included), on the caller's transaction.
 *  - The outbox key is "call-task:<call id>:<YYYY-MM-DD>" (the day of the
 *    queue), so publishing twice on one day adds nothing, and a call still
 *    pending the next day is published again, in that day's queue.
 *  - publish_attach() hooks the course operations (course.h schedule
 *    hook): a call scheduled after today's publication and due today or
 *    earlier gets its call task at once, in the same savepoint as the call.
 *  - The payload is the wire format of section 5, sent as it is:
 *    {"id" (the call id), "mentor": {"id", "name", "phone"}, "due_date",
 *    "citizen": {"name", "phone"}, "reason", "attempt", "topic" (null when
 *    none was agreed)}; the mentor is the one whose queue holds the call
 *    that day.
 */
#ifndef MENTORD_PUBLISH_H
#define MENTORD_PUBLISH_H

#include <stddef.h>
#include <time.h>

struct mentord;

#define PUBLISH_JOB "publish-queue"
#define PUBLISH_TYPE "call_task"

int publish_queues(struct mentord *m, time_t now, size_t *added, char **cause);
void publish_attach(struct mentord *m);

#endif
