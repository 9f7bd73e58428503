/*
 * job-state.c - job_runs and job_state (job-state.h).
 */
#include "job-state.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "store.h"

/* A cached statement with ?1 the job bound, or NULL. */
static sqlite3_stmt *job_statement(struct store *store, const char *sql, const char *job)
{
	sqlite3_stmt *stmt = store_statement(store, sql, NULL);

	if (stmt != NULL)
		sqlite3_bind_text(stmt, 1, job, -1, SQLITE_STATIC);
	return stmt;
}

static void job_statement_done(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* Step a write; the statement is reset whatever happened. */
static int job_statement_write(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;

	job_statement_done(stmt);
	return rc;
}

cal_day job_state_last_day(struct store *store, const char *job)
{
	sqlite3_stmt *stmt =
		job_statement(store, "SELECT last_day FROM job_runs WHERE job = ?1", job);
	cal_day day = CAL_NO_DAY;

	if (stmt == NULL)
		return day;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		day = sql_column_day(stmt, 0);
	job_statement_done(stmt);
	return day;
}

bool job_state_day_begun(struct store *store, const char *job, cal_day day)
{
	sqlite3_stmt *stmt;
	bool begun = false;

	if (job_state_last_day(store, job) == day)
		return true;
	stmt = job_statement(store, "SELECT run_day FROM job_state WHERE job = ?1", job);
	if (stmt == NULL)
		return false;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		begun = sql_column_day(stmt, 0) == day;
	job_statement_done(stmt);
	return begun;
}

bool job_state_load(struct store *store, const char *job, cal_day day, struct job_progress *p)
{
	sqlite3_stmt *stmt = job_statement(store,
					   "SELECT cursor, done, started_at FROM job_state"
					   " WHERE job = ?1 AND run_day = ?2",
					   job);
	bool found = false;

	memset(p, 0, sizeof *p);
	if (stmt == NULL)
		return false;
	sql_bind_day(stmt, 2, day);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const unsigned char *cursor = sqlite3_column_text(stmt, 0);
		snprintf(p->cursor, sizeof p->cursor, "%s",
			 cursor != NULL ? (const char *)cursor : "");
		p->done = sqlite3_column_int64(stmt, 1);
		p->started_at = (time_t)sqlite3_column_int64(stmt, 2);
		found = true;
	}
	job_statement_done(stmt);
	return found;
}

int job_state_save_progress(struct store *store, const char *job, cal_day day,
			    const struct job_progress *p)
{
	sqlite3_stmt *stmt =
		job_statement(store,
			      "INSERT INTO job_state (job, run_day, cursor, done, started_at)"
			      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (job) DO UPDATE"
			      " SET run_day = ?2, cursor = ?3, done = ?4, started_at = ?5",
			      job);

	if (stmt == NULL)
		return -1;
	sql_bind_day(stmt, 2, day);
	sqlite3_bind_text(stmt, 3, p->cursor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, p->done);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)p->started_at);
	return job_statement_write(stmt);
}

int job_state_save_finished(struct store *store, const char *job, cal_day day, time_t now)
{
	sqlite3_stmt *stmt =
		job_statement(store,
			      "INSERT INTO job_runs (job, last_day, ran_at) VALUES (?1, ?2, ?3)"
			      " ON CONFLICT (job) DO UPDATE SET last_day = ?2, ran_at = ?3",
			      job);

	if (stmt == NULL)
		return -1;
	sql_bind_day(stmt, 2, day);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	if (job_statement_write(stmt) != 0)
		return -1;
	stmt = job_statement(store,
			     "INSERT INTO job_state (job) VALUES (?1) ON CONFLICT (job) DO UPDATE"
			     " SET run_day = NULL, cursor = NULL, done = 0, started_at = NULL,"
			     " failed_at = NULL, error = NULL",
			     job);
	return stmt != NULL ? job_statement_write(stmt) : -1;
}

struct job_failure {
	const char *job;
	time_t now;
	const char *error;
};

static int save_failure_tx(struct store *store, void *arg, struct error *err)
{
	const struct job_failure *f = arg;
	sqlite3_stmt *stmt;

	(void)err;
	stmt = job_statement(store,
			     "INSERT INTO job_state (job, failed_at, error) VALUES (?1, ?2, ?3)"
			     " ON CONFLICT (job) DO UPDATE SET failed_at = ?2, error = ?3",
			     f->job);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)f->now);
	sqlite3_bind_text(stmt, 3, f->error, -1, SQLITE_STATIC);
	return job_statement_write(stmt);
}

void job_state_save_failure(struct store *store, const char *job, time_t now, const char *error)
{
	struct job_failure f = {job, now, error};

	store_tx(store, save_failure_tx, &f, NULL);
}
