/*
 * job-state.h - what the daily jobs have done, as the database keeps it.
 *
 * Contract:
 *  - job_runs holds the last local day each job ran to its end; job_state
 *    the run in progress (the day it is for, the job's own cursor, how
 *    many items it did, when it began) and the job's last failure until a
 *    run of it succeeds (jobs.h).
 *  - job_state_save_progress() and job_state_save_finished() write in the
 *    caller's transaction, so a chunk's work and where it got commit
 *    together; job_state_save_failure() runs its own transaction, and only
 *    if the database takes it.
 *  - Reads never fail the caller: a database that cannot answer reads as
 *    "never ran" (the job then runs and fails where it can say why).
 *  - Used by the jobs themselves and by whoever must know whether today's
 *    run of a job has begun (publish.c: a call that becomes due today
 *    after the publication began is published at once).
 */
#ifndef MENTORD_JOB_STATE_H
#define MENTORD_JOB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "calendar.h"

struct store;

#define JOB_STATE_CURSOR_LEN 64

/* A run under way: where to go on. */
struct job_progress {
	char cursor[JOB_STATE_CURSOR_LEN];
	long long done;
	time_t started_at;
};

/* The last local day the job ran to its end, or CAL_NO_DAY. */
cal_day job_state_last_day(struct store *store, const char *job);
/* Whether the job's run for day has begun (in progress or done). */
bool job_state_day_begun(struct store *store, const char *job, cal_day day);
/* The run for day that was under way (true), or none (false, p cleared). */
bool job_state_load(struct store *store, const char *job, cal_day day, struct job_progress *p);

int job_state_save_progress(struct store *store, const char *job, cal_day day,
			    const struct job_progress *p);
/* The day counts as run, and any failure is history. */
int job_state_save_finished(struct store *store, const char *job, cal_day day, time_t now);
void job_state_save_failure(struct store *store, const char *job, time_t now, const char *error);

#endif
