/*
 * jobs.c - daily jobs, a chunk at a time (jobs.h).
 *
 * Two events: tick, every JOBS_POLL_S, looks for due jobs; step runs one
 * chunk per loop turn and re-arms itself with a zero timeout while there is
 * work, so sockets are served between chunks. A run's progress lives in
 * job_state (the day it is for, a job-specific cursor, how much it did),
 * written by the chunk's own transaction; j->run only mirrors it.
 */
#include "jobs.h"

#include <event2/event.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "course.h"
#include "fhir-store.h"
#include "job-state.h"
#include "log.h"
#include "mentord.h"
#include "message.h"
#include "publish.h"
#include "retention.h"
#include "store.h"
#include "xmalloc.h"

/* Rows a chunk takes at most, whatever the time: bounds its memory and
 * the statement journal of its transaction. */
#define JOBS_CHUNK_ITEMS 2000
/* Rows the first chunk of a job takes; later chunks take as many as fit
 * in JOBS_CHUNK_MS at the pace the previous ones went. */
#define JOBS_FIRST_PACE 16

struct jobs;

/* The run in progress. */
struct job_run {
	cal_day day; /* the local day it is for */
	time_t now;  /* clock_now() for this chunk */
	struct timespec deadline;
	size_t max_items; /* this chunk */
	size_t pace;	  /* rows that should fit in the chunk's time */
	size_t items;	  /* rows this chunk did */
	double work_ms;	  /* its time before the COMMIT */
	char cursor[JOB_STATE_CURSOR_LEN];
	long long done; /* items of the whole run, across restarts */
	time_t started_at;
	bool finished;
	cal_day before; /* retention: the cutoff, for the log */
	/* this process's part of the run, for the log */
	unsigned chunks;
	double max_ms;
	struct timespec began;
};

struct job {
	const char *name;
	int (*chunk)(struct mentord *m, struct job_run *run, struct error *err);
	void (*finished)(const struct job_run *run);
	/* Not before this local minute of the day (NULL: from midnight). */
	int (*earliest_minute)(const struct config *c);
	bool working_days_only;
};

struct job_failed {
	bool failed;
	time_t at;
	char error[200];
};

/* --- the jobs -------------------------------------------------------------- */

/* One course operation for the whole chunk, in the chunk's transaction and
 * no savepoint of its own (course.h): each savepoint inside a
 * transaction journals the pages earlier ones made dirty, so few large
 * ones cost far less than many small ones. Its size is the job's pace. */
static int close_chunk(struct mentord *m, struct job_run *run, struct error *err)
{
	struct course_op op = {
		.rules = &programme_discharge(&m->config->programmes)->rules,
		.programmes = &m->config->programmes,
		.now = run->now,
		.author = "system",
		.messages = message_flags(m->config),
	};
	size_t closed, batch = run->pace < run->max_items ? run->pace : run->max_items;

	if (course_close_expired_some(m->courses, &op, batch, &closed, err) != 0)
		return -1;
	run->items = closed;
	run->done += (long long)closed;
	run->finished = closed < batch;
	return 0;
}

static void close_finished(const struct job_run *run)
{
	if (run->done > 0)
		log_notice("closed %lld course(s) whose six-month window has ended", run->done);
}

/* doc/operations.md: personal data of courses closed longer ago than
 * retention.days is erased; the count is logged every day, so the journal
 * shows the purge ran even when it had nothing to do. */
static int retention_chunk(struct mentord *m, struct job_run *run, struct error *err)
{
	struct retention_result r = {0};
	int days = m->config->retention_days;

	size_t limit = run->pace < run->max_items ? run->pace : run->max_items;

	/* No more ids read than the chunk's time will take at its pace. */
	if (retention_purge_chunk(m->store, run->now, days, limit, &run->deadline, &r,
				  &run->finished, err) != 0)
		return -1;
	run->done += (long long)r.courses;
	run->items = r.courses;
	run->before = r.before;
	if (!run->finished)
		return 0;
	r.courses = (size_t)run->done;
	return retention_record_run(m->store, run->now, days, "system", &r, err);
}

static void retention_finished(const struct job_run *run)
{
	char before[CAL_DATE_LEN];

	cal_day_format(run->before, before);
	log_notice("retention: anonymised %lld course(s) closed or superseded before %s", run->done,
		   before);
}

/* doc/fhir-hospitalnotification.md: the HospitalNotification bundles
 * received longer ago than retention.days, with what each did, oldest
 * first, a chunk at a time. */
static int fhir_purge_chunk(struct mentord *m, struct job_run *run, struct error *err)
{
	size_t limit = run->pace < run->max_items ? run->pace : run->max_items, purged;

	if (fhir_store_purge(m->store, run->now - (time_t)m->config->retention_days * 86400, limit,
			     &purged, err) != 0)
		return -1;
	run->items = purged;
	run->done += (long long)purged;
	run->finished = purged < limit;
	return 0;
}

static void fhir_purge_finished(const struct job_run *run)
{
	if (run->done > 0)
		log_notice("retention: forgot %lld HospitalNotification message(s)", run->done);
}

/* doc/scheduling.md: the day's queues go to the gateway as call tasks
 * at queue.publish_time. */
static int publish_chunk_job(struct mentord *m, struct job_run *run, struct error *err)
{
	struct publish_cursor cur;
	size_t added = 0;

	if (publish_cursor_parse(run->cursor, &cur) != 0)
		return error_set(err, ERROR_STORE, NULL, "publication: a bad cursor \"%s\"",
				 run->cursor);
	if (publish_chunk(m, run->day, run->now, run->max_items, &run->deadline, &cur, &added,
			  &run->finished, err) != 0)
		return -1;
	run->done += (long long)added;
	run->items = added;
	publish_cursor_format(&cur, run->cursor, sizeof run->cursor);
	return 0;
}

static void publish_finished(const struct job_run *run)
{
	log_notice("published %lld call task(s) of today's queues", run->done);
}

/* The planner's statistics drift as the tables grow. */
static int optimize_chunk(struct mentord *m, struct job_run *run, struct error *err)
{
	run->finished = true;
	return store_optimize(m->store, err);
}

static int publish_minute(const struct config *c)
{
	return c->publish_minute;
}

static const struct job jobs_table[] = {
	{"close-expired", close_chunk, close_finished, NULL, false},
	{"retention", retention_chunk, retention_finished, NULL, false},
	{"fhir-purge", fhir_purge_chunk, fhir_purge_finished, NULL, false},
	{PUBLISH_JOB, publish_chunk_job, publish_finished, publish_minute, true},
	{"optimize", optimize_chunk, NULL, NULL, false},
};

#define JOBS_N (sizeof jobs_table / sizeof jobs_table[0])

struct jobs {
	struct mentord *m;
	struct event *tick;
	struct event *step;
	struct event *hold; /* the latest the first step waits (jobs_begin) */
	bool begun;
	bool stopped; /* jobs_stop(): no chunk starts any more */
	int current;  /* jobs_table index of the run in progress, -1: none */
	struct job_run run;
	bool skip[JOBS_N];   /* failed this round: again at the next tick */
	size_t pace[JOBS_N]; /* rows per chunk that fit in budget_ms, as measured */
	struct job_failed failed[JOBS_N];
	size_t max_items;
	long budget_ms;
	struct jobs_stats stats;
};

/* --- job_runs and job_state (job-state.h) ---------------------------------------- */

/* How far the run got, in the chunk's transaction. */
static int save_progress(struct store *store, const char *job, const struct job_run *run)
{
	struct job_progress p = {.done = run->done, .started_at = run->started_at};

	snprintf(p.cursor, sizeof p.cursor, "%s", run->cursor);
	return job_state_save_progress(store, job, run->day, &p);
}

/* Resume the job's run for day if one was under way, else start afresh. */
static void load_run(struct store *store, const char *job, cal_day day, time_t now,
		     struct job_run *run)
{
	struct job_progress p;

	memset(run, 0, sizeof *run);
	run->day = day;
	run->started_at = now;
	run->before = CAL_NO_DAY;
	clock_gettime(CLOCK_MONOTONIC, &run->began);
	if (!job_state_load(store, job, day, &p))
		return;
	snprintf(run->cursor, sizeof run->cursor, "%s", p.cursor);
	run->done = p.done;
	run->started_at = p.started_at;
	log_info("job %s: resuming the run for today after %lld item(s)", job, run->done);
}

/* --- running them -------------------------------------------------------------- */

/* Whether the day and the time of day allow the job to run now. */
static bool job_time(const struct mentord *m, const struct job *job, time_t now, cal_day today)
{
	struct tm tm;

	if (job->working_days_only && !cal_is_working_day(&m->config->schedule.closures, today))
		return false;
	if (job->earliest_minute == NULL)
		return true;
	localtime_r(&now, &tm);
	return tm.tm_hour * 60 + tm.tm_min >= job->earliest_minute(m->config);
}

/* Make the next due job the current one; false if none is due. */
static bool pick(struct jobs *j, time_t now)
{
	struct mentord *m = j->m;
	cal_day today = cal_day_of_instant(now);

	for (size_t i = 0; i < JOBS_N; i++) {
		const struct job *job = &jobs_table[i];
		/* Another day than the last run, not only a later one: the test
		 * clock may move back, and every job is safe to repeat. */
		if (j->skip[i] || job_state_last_day(m->store, job->name) == today ||
		    !job_time(m, job, now, today))
			continue;
		j->current = (int)i;
		load_run(m->store, job->name, today, now, &j->run);
		return true;
	}
	return false;
}

/* As many rows as went in the budget at this chunk's pace: a slow chunk
 * (a cold cache, a busy machine) shrinks the next one at once, a fast one
 * lets it grow by a quarter at most, since the next may meet what this
 * one was spared (FTS5 merging segments, SQLite's checkpoint: at a
 * million courses one purge chunk took 18 ms for 304 rows, the next 52
 * ms for 442). The COMMIT counts too: the purge's rewrites reach index
 * pages all over the file, and its COMMIT took 30 ms after 20 ms of
 * work. */
size_t jobs_pace(size_t items, size_t pace, double work_ms, double held_ms, long budget_ms,
		 size_t max_items)
{
	double fit, held_fit;

	if (items == 0)
		return pace;
	fit = (double)items * (double)budget_ms / (work_ms > 0.1 ? work_ms : 0.1);
	held_fit = (double)items * (double)(JOBS_HELD_FACTOR * budget_ms) /
		   (held_ms > 0.1 ? held_ms : 0.1);
	if (held_fit < fit)
		fit = held_fit;
	if (fit > (double)pace * 1.25)
		fit = (double)pace * 1.25 + 1;
	return fit < 1 ? 1 : fit > (double)max_items ? max_items : (size_t)fit;
}

static void note_chunk(struct jobs *j, double ms)
{
	j->stats.chunks++;
	j->stats.last_chunk_ms = ms;
	if (ms > j->stats.max_chunk_ms)
		j->stats.max_chunk_ms = ms;
	j->run.chunks++;
	if (ms > j->run.max_ms)
		j->run.max_ms = ms;
}

static void chunk_failed(struct jobs *j, const struct job *job, const char *cause)
{
	struct job_failed *f = &j->failed[j->current];

	log_err("job %s failed: %s", job->name, cause != NULL ? cause : "database error");
	f->failed = true;
	f->at = j->run.now;
	snprintf(f->error, sizeof f->error, "%s", cause != NULL ? cause : "database error");
	job_state_save_failure(j->m->store, job->name, j->run.now, f->error);
	j->skip[j->current] = true;
	j->current = -1;
}

static void run_finished(struct jobs *j, const struct job *job)
{
	struct job_run *run = &j->run;

	j->failed[j->current].failed = false;
	if (job->finished != NULL)
		job->finished(run);
	log_info("job %s: %lld item(s) in %u chunk(s) over %.2f s; the loop was held at most "
		 "%.1f ms",
		 job->name, run->done, run->chunks, clock_elapsed_ms(&run->began) / 1000,
		 run->max_ms);
	j->current = -1;
}

/* One chunk of the current job and its progress, in one transaction. */
static int chunk_tx(struct store *store, void *arg, struct error *err)
{
	struct jobs *j = arg;
	const struct job *job = &jobs_table[j->current];
	struct job_run *run = &j->run;
	struct timespec work = clock_deadline_in(0);

	if (job->chunk(j->m, run, err) != 0)
		return -1;
	run->work_ms = clock_elapsed_ms(&work);
	return run->finished ? job_state_save_finished(store, job->name, run->day, run->now)
			     : save_progress(store, job->name, run);
}

bool jobs_step(struct jobs *j)
{
	struct mentord *m = j->m;
	struct timespec start = clock_deadline_in(0);
	time_t now = clock_now(m->clock);
	const struct job *job;
	struct job_run *run = &j->run;
	struct error err;
	int rc;

	if (j->current < 0 && !pick(j, now))
		return false;
	job = &jobs_table[j->current];
	run->now = now;
	run->max_items = j->max_items;
	run->pace = j->pace[j->current] > 0 ? j->pace[j->current] : JOBS_FIRST_PACE;
	run->items = 0;
	run->deadline = clock_deadline_in(j->budget_ms);
	run->finished = false;

	error_clear(&err);
	rc = store_tx(m->store, chunk_tx, j, &err);
	note_chunk(j, clock_elapsed_ms(&start));
	if (rc == 0)
		j->pace[j->current] = jobs_pace(run->items, run->pace, run->work_ms,
						j->stats.last_chunk_ms, j->budget_ms, j->max_items);
	log_debug("job %s: chunk %u, %lld item(s) so far, %.1f ms", job->name, run->chunks,
		  run->done, j->stats.last_chunk_ms);
	if (rc != 0) {
		/* The job state's writes say nothing: the connection does. */
		if (err.kind == ERROR_NONE)
			error_set(&err, ERROR_STORE, NULL, "%s",
				  sqlite3_errmsg(store_db(m->store)));
		chunk_failed(j, job, err.message);
		return true; /* the other jobs are still due */
	}
	if (run->finished)
		run_finished(j, job);
	return true;
}

static int arm_step(struct jobs *j)
{
	struct timeval yield = {0, JOBS_YIELD_MS * 1000};

	/* From now, after the chunk: libevent counts a timeout from the time
	 * it read before running this turn's callbacks. */
	event_base_update_cache_time(event_get_base(j->step));
	return evtimer_add(j->step, &yield);
}

void jobs_yield(struct jobs *j)
{
	/* Pending or about to run in this turn of the loop: either way it
	 * starts over. */
	if (j->step != NULL && event_pending(j->step, EV_TIMEOUT, NULL)) {
		evtimer_del(j->step);
		arm_step(j);
	}
}

static void step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *j = arg;

	(void)fd;
	(void)what;
	/* One chunk, then back to the loop: requests are served in between. */
	if (!j->stopped && jobs_step(j))
		arm_step(j);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jobs *j = arg;

	(void)fd;
	(void)what;
	memset(j->skip, 0, sizeof j->skip);
	if (j->begun && !j->stopped && !evtimer_pending(j->step, NULL))
		arm_step(j);
}

static void hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_info("jobs: the outbox sender has not got going in %d s; the daily jobs begin anyway",
		 JOBS_START_WAIT_S);
	jobs_begin(arg);
}

void jobs_begin(struct jobs *j)
{
	if (j->begun || j->stopped || j->step == NULL)
		return;
	j->begun = true;
	evtimer_del(j->hold);
	arm_step(j);
}

void jobs_stop(struct jobs *j)
{
	if (j == NULL || j->stopped)
		return;
	j->stopped = true;
	if (j->current >= 0)
		log_info("job %s: stopping after %u chunk(s); the next start goes on from there",
			 jobs_table[j->current].name, j->run.chunks);
	if (j->tick != NULL)
		evtimer_del(j->tick);
	if (j->step != NULL)
		evtimer_del(j->step);
	if (j->hold != NULL)
		evtimer_del(j->hold);
}

int jobs_run_due(struct mentord *m)
{
	struct jobs *j = m->jobs;
	time_t now = clock_now(m->clock);
	int failed = 0;

	memset(j->skip, 0, sizeof j->skip);
	/* The test clock moved to another day: what was under way for the
	 * old one waits in job_state; the new day's runs start afresh. */
	if (j->current >= 0 && j->run.day != cal_day_of_instant(now))
		j->current = -1;
	/* Between the chunks, what the loop would do between them: the
	 * WAL of a whole day's jobs would otherwise wait for the end. */
	while (jobs_step(j)) {
		struct error err;

		error_clear(&err);
		if (store_checkpoint(m->store, &err) != 0)
			log_warning("checkpoint: %s", err.message);
	}
	for (size_t i = 0; i < JOBS_N; i++)
		failed += j->skip[i];
	return failed;
}

struct jobs *jobs_new(struct mentord *m)
{
	struct jobs *j = xcalloc(1, sizeof *j);

	j->m = m;
	j->current = -1;
	j->max_items = JOBS_CHUNK_ITEMS;
	j->budget_ms = JOBS_CHUNK_MS;
	if (m->base != NULL) {
		j->tick = event_new(m->base, -1, EV_PERSIST, tick_cb, j);
		j->step = evtimer_new(m->base, step_cb, j);
		j->hold = evtimer_new(m->base, hold_cb, j);
	}
	return j;
}

int jobs_start(struct jobs *j)
{
	struct timeval every = {JOBS_POLL_S, 0}, hold = {JOBS_START_WAIT_S, 0};

	if (j->tick == NULL || j->step == NULL || j->hold == NULL ||
	    event_add(j->tick, &every) != 0)
		return -1;
	/* A day missed while stopped is caught up from the loop, a chunk
	 * per turn, once jobs_begin() is called. Not at once: every chunk
	 * takes a loop turn, and a send needs several (connect, write,
	 * read), so with chunks in between the outbox waiting since the
	 * stop went out only as the jobs finished, seconds later. */
	return evtimer_add(j->hold, &hold);
}

void jobs_set_chunk(struct jobs *j, size_t max_items, long budget_ms)
{
	j->max_items = max_items > 0 ? max_items : 1;
	j->budget_ms = budget_ms;
}

void jobs_get_stats(const struct jobs *j, struct jobs_stats *stats)
{
	*stats = j->stats;
}

size_t jobs_failures(const struct jobs *j, struct jobs_failure *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < JOBS_N && n < max; i++) {
		if (!j->failed[i].failed)
			continue;
		out[n].job = jobs_table[i].name;
		out[n].at = j->failed[i].at;
		snprintf(out[n].error, sizeof out[n].error, "%s", j->failed[i].error);
		n++;
	}
	return n;
}

void jobs_free(struct jobs *j)
{
	if (j == NULL)
		return;
	if (j->tick != NULL)
		event_free(j->tick);
	if (j->step != NULL)
		event_free(j->step);
	if (j->hold != NULL)
		event_free(j->hold);
	free(j);
}
