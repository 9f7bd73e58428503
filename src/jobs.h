/*
 * jobs.h - the daemon's daily work, run when it becomes due.
 *
 * Contract:
 *  - jobs_run_due() runs every job whose time has come by clock_now():
 *    closing courses whose window has ended (the first day after
 *    window_end) and the retention purge (retention.h). Each job runs at
 *    most once per local day; the day it last ran is stored (job_runs), so
 *    a restart neither repeats nor skips it.
 *  - A job may be held to working days and to a time of day: the queue
 *    publication (publish.h) runs on working days at or after
 *    queue.publish_time; until then the day does not count as run.
 *  - Each job is one transaction: it commits whole or not at all.
 *  - It is called from a periodic timer and, in tests, right after the test
 *    clock moved (PUT /v1/test/clock), so moving the clock runs what became
 *    due before the reply.
 */
#ifndef MENTORD_JOBS_H
#define MENTORD_JOBS_H

#include "calendar.h"

struct mentord;

/* Returns the number of jobs that failed (they are logged). */
int jobs_run_due(struct mentord *m);

struct store;
/* The local day a job last ran, or CAL_NO_DAY (sched.h). */
cal_day jobs_last_day(struct store *store, const char *job);

#endif
