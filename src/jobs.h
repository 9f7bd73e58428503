/*
 * jobs.h - the daemon's daily work, run when it becomes due, a chunk at a
 * time.
 *
 * Contract:
 *  - The jobs: closing courses whose window has ended (the first day after
 *    window_end), the retention purge (retention.h), the queue publication
 *    (publish.h) and PRAGMA optimize (store.h). Each runs at most once per
 *    local day; the day it last ran is stored (job_runs), so a restart
 *    neither repeats nor skips it.
 *  - A job may be held to working days and to a time of day: the queue
 *    publication runs on working days at or after queue.publish_time;
 *    until then the day does not count as run.
 *  - A job's run is a series of chunks. Each chunk is one transaction that
 *    does at most a bounded amount of work (rows, and JOBS_CHUNK_MS of
 *    time) and records in job_state how far the run got; the run's last
 *    chunk also marks the day as run. A chunk committed is done: after a
 *    crash the run goes on where it stopped, and nothing it did is done
 *    twice (a closed course or an anonymised one is no longer due; a
 *    published call task has a unique outbox key and the cursor is past it).
 *  - In the daemon the chunks run from the loop, one per turn of a re-armed
 *    zero timeout (OpenSMTPD's queue re-feed), so /healthz and intake are
 *    served between them. jobs_start() arms the first one only once the
 *    daemon calls jobs_begin() (the outbox sender has got going: what
 *    waited in the outbox goes out before the day's jobs), or at the
 *    latest JOBS_START_WAIT_S later; so the daemon answers, and sends,
 *    before any overdue job runs.
 *  - A chunk that fails is rolled back; the job's failure is kept (in
 *    memory and, when the database takes it, in job_state) until a run of
 *    it succeeds, and the job is tried again at the next poll
 *    (JOBS_POLL_S). Other due jobs still run.
 *  - jobs_stop() at shutdown: no further chunk starts.
 *  - jobs_run_due() runs every due job to its end before it returns: the
 *    test clock (PUT /v1/test/clock) uses it, so moving the clock runs what
 *    became due before the reply.
 */
#ifndef MENTORD_JOBS_H
#define MENTORD_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "calendar.h"

struct mentord;
struct store;
struct jobs;

/* Work per chunk before its COMMIT; the loop is held about this long plus
 * the COMMIT, and the rows a chunk takes shrink until the two together
 * take no more than JOBS_HELD_FACTOR times as long. */
#define JOBS_CHUNK_MS 20
#define JOBS_HELD_FACTOR 2
/* The loop's own time after each chunk. A request takes three turns of
 * the loop (accept, read and answer, write), and with the next chunk
 * run in each turn a GET /healthz waited for two or three chunks during
 * the daily close: 55-90 ms at 100k courses, chunks of 40 ms. */
#define JOBS_YIELD_MS 2
#define JOBS_POLL_S 60
/* The longest the first chunk waits for jobs_begin() after jobs_start():
 * a gateway that does not answer must not hold the day's jobs for long. */
#define JOBS_START_WAIT_S 5

/* m must be set up (store, clock, config, courses, outbox, mentors). */
struct jobs *jobs_new(struct mentord *m);
void jobs_free(struct jobs *j);
/* Arm the poll; the first look comes at jobs_begin(), or at the latest
 * JOBS_START_WAIT_S later. */
int jobs_start(struct jobs *j);
/* Let the first look begin (from the loop): the daemon calls it once the
 * outbox sender has got going (outbox_worker_on_started). */
void jobs_begin(struct jobs *j);
/* The daemon is stopping (SIGTERM): no chunk starts from now on, so the
 * exit waits at most for the one in progress (which may wait for the
 * database's busy timeout). A run cut short goes on at the next start
 * (job_state). */
void jobs_stop(struct jobs *j);
/* Something else just held the loop (a checkpoint, store.h): the next
 * chunk, if one is coming, waits JOBS_YIELD_MS from now. */
void jobs_yield(struct jobs *j);
/* Returns the number of jobs that failed (they are logged). */
int jobs_run_due(struct mentord *m);
/* One chunk of the job running, or of the next one due: what the loop
 * runs per turn. false: nothing (more) to do this round. */
bool jobs_step(struct jobs *j);
/* Bound the chunks: at most max_items rows and budget_ms of work each
 * (tests make them small). */
void jobs_set_chunk(struct jobs *j, size_t max_items, long budget_ms);
/* The rows the next chunk takes: after `items` rows in work_ms of work
 * and held_ms with the COMMIT, at a pace of `pace` rows (the tests). */
size_t jobs_pace(size_t items, size_t pace, double work_ms, double held_ms, long budget_ms,
		 size_t max_items);

struct jobs_stats {
	unsigned long long chunks;
	double max_chunk_ms; /* the longest a chunk held the loop, COMMIT included */
	double last_chunk_ms;
};
void jobs_get_stats(const struct jobs *j, struct jobs_stats *stats);

/* A job whose last run failed and has not succeeded since. */
struct jobs_failure {
	const char *job;
	time_t at;
	char error[200];
};
/* The failures this process saw, at most max; returns how many. */
size_t jobs_failures(const struct jobs *j, struct jobs_failure *out, size_t max);

#endif
