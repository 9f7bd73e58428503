/*
 * jobs.h - the daemon's daily work, run when it becomes due.
 *
 * Contract:
 *  - jobs_run_due() runs every job whose time has come by clock_now():
 *    closing courses whose window has ended (the first day after
 *    window_end). Each job runs at most once per local day; the day it last
 *    ran is stored (job_runs), so a restart neither repeats nor skips it.
 *  - Each job is one transaction: it commits whole or not at all.
 *  - It is called from a periodic timer and, in tests, right after the test
 *    clock moved (PUT /v1/test/clock), so moving the clock runs what became
 *    due before the reply.
 */
#ifndef MENTORD_JOBS_H
#define MENTORD_JOBS_H

struct mentord;

/* Returns the number of jobs that failed (they are logged). */
int jobs_run_due(struct mentord *m);

#endif
