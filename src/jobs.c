/*
 * jobs.c - daily jobs (jobs.h).
 */
#include "jobs.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "course.h"
#include "log.h"
#include "mentord.h"
#include "message.h"
#include "publish.h"
#include "retention.h"
#include "store.h"
#include "xmalloc.h"
#include "sql.h"

/* The last local day a job ran, or CAL_NO_DAY. */
static cal_day last_run(struct store *store, const char *job)
{
	sqlite3_stmt *stmt = NULL;
	cal_day day = CAL_NO_DAY;

	if (sqlite3_prepare_v2(store_db(store), "SELECT last_day FROM job_runs WHERE job = ?1", -1,
			       &stmt, NULL) != SQLITE_OK)
		return day;
	sqlite3_bind_text(stmt, 1, job, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		day = sql_column_day(stmt, 0);
	sqlite3_finalize(stmt);
	return day;
}

static int mark_run(struct store *store, const char *job, cal_day today, time_t now)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(store_db(store),
			       "INSERT INTO job_runs (job, last_day, ran_at) VALUES (?1, ?2, ?3)"
			       " ON CONFLICT (job) DO UPDATE SET last_day = ?2, ran_at = ?3",
			       -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(stmt, 1, job, -1, SQLITE_STATIC);
	sql_bind_day(stmt, 2, today);
	sqlite3_bind_int64(stmt, 3, now);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(stmt);
	return rc;
}

static int close_expired(struct mentord *m, time_t now, char **cause)
{
	struct course_op op = {
		.rules = &m->config->schedule,
		.now = now,
		.author = "system",
		.messages = message_flags(m->config),
	};
	struct error err;
	size_t closed = 0;

	if (course_close_expired(m->courses, &op, &closed, &err) != 0) {
		*cause = xstrdup(err.message);
		return -1;
	}
	if (closed > 0)
		log_notice("closed %zu course(s) whose six-month window has ended", closed);
	return 0;
}

/* doc/operations.md: personal data of courses closed longer ago than
 * retention.days is erased; the count is logged every day, so the journal
 * shows the purge ran even when it had nothing to do. */
static int retention(struct mentord *m, time_t now, char **cause)
{
	struct retention_result r;
	char before[CAL_DATE_LEN];

	if (retention_purge(m->store, now, m->config->retention_days, "system", false, &r,
			    cause) != 0)
		return -1;
	cal_day_format(r.before, before);
	log_notice("retention: anonymised %zu course(s) closed or superseded before %s", r.courses,
		   before);
	return 0;
}

/* doc/scheduling.md: the day's queues go to the gateway as call tasks
 * at queue.publish_time. */
static int publish(struct mentord *m, time_t now, char **cause)
{
	size_t added;

	if (publish_queues(m, now, &added, cause) != 0)
		return -1;
	log_notice("published %zu call task(s) of today's queues", added);
	return 0;
}

static int publish_minute(const struct config *c)
{
	return c->publish_minute;
}

struct job {
	const char *name;
	int (*run)(struct mentord *m, time_t now, char **cause);
	/* Not before this local minute of the day (NULL: from midnight). */
	int (*earliest_minute)(const struct config *c);
	bool working_days_only;
};

static const struct job jobs[] = {
	{"close-expired", close_expired, NULL, false},
	{"retention", retention, NULL, false},
	{PUBLISH_JOB, publish, publish_minute, true},
};

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

cal_day jobs_last_day(struct store *store, const char *job)
{
	return last_run(store, job);
}

static int run_job(struct mentord *m, const struct job *job, cal_day today, time_t now)
{
	char *cause = NULL;

	if (store_begin(m->store, &cause) != 0)
		goto fail;
	if (job->run(m, now, &cause) != 0 || mark_run(m->store, job->name, today, now) != 0) {
		store_rollback(m->store);
		goto fail;
	}
	if (store_commit(m->store, &cause) != 0) {
		store_rollback(m->store);
		goto fail;
	}
	return 0;
fail:
	log_err("job %s failed: %s", job->name, cause != NULL ? cause : "database error");
	free(cause);
	return -1;
}

int jobs_run_due(struct mentord *m)
{
	time_t now = clock_now(m->clock);
	cal_day today = cal_day_of_instant(now);
	int failed = 0;

	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		cal_day last = last_run(m->store, jobs[i].name);
		/* Another day than the last run, not only a later one: the test
		 * clock may move back, and every job is safe to repeat. */
		if (last == today || !job_time(m, &jobs[i], now, today))
			continue;
		if (run_job(m, &jobs[i], today, now) != 0)
			failed++;
	}
	return failed;
}
