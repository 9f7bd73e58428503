/*
 * retention.c - erasing the personal data of old courses (retention.h).
 *
 * Its statements are the store's cached ones (store_statement): the job
 * runs a chunk at a time, every day. A chunk reads the ids of the next due courses through
 * their index, then anonymises them a batch at a time, each step through
 * the courses' own index; the courses themselves are marked last, which
 * takes them out of the due set, so the next chunk goes on where this one
 * stopped.
 */
#include "retention.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "outbox.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* ?1 is the first instant that is too recent (local midnight). The states
 * are the terms of the index courses_retention (migration 24), so the
 * planner sees the index holds what the query asks for. */
#define RETENTION_DUE \
	"(state = 'closed' OR state = 'superseded' OR state = 'cancelled'" \
	" OR state = 'deceased') AND anonymised_at IS NULL AND state_changed_at < ?1"

/* The next chunk: courses_retention (migrations 5, 14 and 24) holds exactly the due
 * courses, by the time their state changed; named, so the plan cannot
 * drift to walking every course of a state. ?2 < 0: all. */
#define RETENTION_NEXT \
	"SELECT id FROM courses INDEXED BY courses_retention WHERE " RETENTION_DUE \
	" ORDER BY state_changed_at, id LIMIT ?2"

/* The log's keys that may hold free text or identifiers: agreed topics,
 * the hospital's notification id, and (defensively, none is logged
 * today) anything named after personal data. json_replace leaves absent
 * keys absent. */
#define RETENTION_LOG_TEXT \
	"'$.topic', 'erased', '$.notification_id', 'erased', '$.note', 'erased'," \
	" '$.name', 'erased', '$.phone', 'erased', '$.cpr', 'erased', '$.unit', 'erased'"

/* Must stay identical to migration 2's trigger. */
#define RETENTION_LOG_TRIGGER \
	"CREATE TRIGGER course_log_no_update BEFORE UPDATE ON course_log" \
	"  BEGIN SELECT RAISE(ABORT, 'course_log is append-only'); END;"

/* The log entry with its free text erased: the reason too unless it is
 * one of mentord's own codes. */
#define RETENTION_LOG_ERASED \
	"CASE WHEN json_extract(details, '$.reason') NOT IN (" RETENTION_REASON_CODES ")" \
	" THEN json_replace(details, " RETENTION_LOG_TEXT ", '$.reason', 'erased')" \
	" ELSE json_replace(details, " RETENTION_LOG_TEXT ") END"

/* The courses of one batch: ?1 is a JSON array of their ids. */
#define RETENTION_BATCH_IDS "(SELECT value FROM json_each(?1))"

/* What anonymising a batch of courses takes, each step through the
 * courses' own index (calls_course, outbox_course, course_log_course, the
 * key), named: with a short list of ids from json_each the planner may
 * guess a scan is cheaper, and at a million rows it is not. Only rows that
 * change are written: most log entries hold no text. */
static const char *const retention_steps[] = {
	"UPDATE calls INDEXED BY calls_course SET note = NULL, agreed_topic = NULL"
	" WHERE course_id IN " RETENTION_BATCH_IDS
	" AND (note IS NOT NULL OR agreed_topic IS NOT NULL)",

	/* Messages and call tasks alike name their course; a call task's
	 * cancellation names nobody and must still go. */
	"UPDATE outbox INDEXED BY outbox_course SET payload = '{}',"
	" last_error = CASE WHEN state = 'pending'"
	"   THEN 'never delivered: erased by the retention purge'"
	"   WHEN last_error IS NULL THEN NULL ELSE 'erased' END,"
	" state = CASE state WHEN 'pending' THEN 'dead' ELSE state END"
	" WHERE course_id IN " RETENTION_BATCH_IDS " AND type <> '" OUTBOX_CANCEL_TYPE "'"
	" AND (payload <> '{}' OR state = 'pending')",

	/* The log is append-only for everybody else: the trigger is gone
	 * only inside this transaction. */
	"UPDATE course_log INDEXED BY course_log_course SET details = " RETENTION_LOG_ERASED
	" WHERE course_id IN " RETENTION_BATCH_IDS " AND details IS NOT " RETENTION_LOG_ERASED,

	/* A mentor's note on time spent for the course; the minutes stay
	 * for the yearly report (report-yearly.h). */
	"UPDATE mentor_time INDEXED BY mentor_time_course SET note = NULL"
	" WHERE course_id IN " RETENTION_BATCH_IDS " AND note IS NOT NULL",
	/* Progression goals and what a meeting noted about them
	 * (doc/programmes.md) are the young person's words. */
	"UPDATE goal_progress SET note = NULL WHERE goal_id IN (SELECT id FROM goals"
	" INDEXED BY goals_course WHERE course_id IN " RETENTION_BATCH_IDS ") AND note IS NOT NULL",
	"UPDATE goals INDEXED BY goals_course SET text = '" RETENTION_ERASED "'"
	" WHERE course_id IN " RETENTION_BATCH_IDS " AND text <> '" RETENTION_ERASED "'",

	/* Last: this is what takes the courses out of RETENTION_DUE. The
	 * wishes are the citizen's own (their note is free text; no report
	 * reads them), and the intake fingerprint, an unkeyed hash of name,
	 * CPR and phone, would confirm a guess at them: both go. */
	"UPDATE courses SET citizen_name = '" RETENTION_ANONYMISED "',"
	" phone = '" RETENTION_ANONYMISED "', cpr = NULL, unit = NULL,"
	" preferred_from = NULL, preferred_to = NULL, wishes = NULL, intake_fingerprint = NULL,"
	" notification_id = 'anonymised-' || lower(hex(randomblob(16))),"
	" state_reason = CASE WHEN state_reason IS NULL"
	"   OR state_reason IN (" RETENTION_REASON_CODES ") THEN state_reason"
	"   ELSE '" RETENTION_ERASED "' END,"
	" anonymised_at = ?2"
	" WHERE id IN " RETENTION_BATCH_IDS " AND anonymised_at IS NULL",
};

/* Courses per batch: few statements per chunk (each statement that may
 * need undoing allocates a statement journal), small enough to stop near
 * the chunk's deadline. */
#define RETENTION_BATCH 32

#define RETENTION_NSTEPS (sizeof retention_steps / sizeof retention_steps[0])

const char *retention_query(size_t i)
{
	if (i == 0)
		return RETENTION_NEXT;
	return i <= RETENTION_NSTEPS ? retention_steps[i - 1] : NULL;
}

/* The first instant of a local date. Midnight exists every day in
 * Copenhagen (DST moves 02:00 and 03:00). */
static time_t retention_midnight(cal_day day)
{
	struct tm tm = {0};
	int y, m, d;

	cal_day_to_ymd(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int retention_fail(sqlite3 *db, sqlite3_stmt *stmt, const char *what, struct error *err)
{
	error_set(err, ERROR_STORE, "", "retention purge: %s: %s", what, sqlite3_errmsg(db));
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return -1;
}

/* A cached statement is reset for its next use, not finalized. */
static void retention_done(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static int retention_check(sqlite3 *db, time_t now, int days, struct retention_result *out,
			   time_t *cutoff, struct error *err)
{
	if (sql_require_transaction(db, "retention purge", err) != 0)
		return -1;
	if (days < 1)
		return error_set(err, ERROR_INVALID, "",
				 "retention purge: %d days is not a retention period", days);
	out->before = cal_day_of_instant(now) - days;
	*cutoff = retention_midnight(out->before);
	return 0;
}

/* The ids of the next due courses, at most limit (< 0: all). */
static int retention_next(struct store *store, time_t cutoff, long long limit, int64_t **ids,
			  size_t *n, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	size_t room = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((stmt = store_statement(store, RETENTION_NEXT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)cutoff);
	sqlite3_bind_int64(stmt, 2, limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == room) {
			room = room > 0 ? room * 2 : 256;
			*ids = xrealloc(*ids, room * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return retention_fail(db, stmt, "finding due courses", err);
	}
	retention_done(stmt);
	return 0;
}

/* Anonymise the courses ids[0..n) with the trigger already dropped, a
 * batch at a time; stops at the deadline once a batch is done. *done
 * counts them. */
static int retention_erase(struct store *store, const int64_t *ids, size_t n, time_t now,
			   const struct timespec *deadline, size_t *done, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *steps[RETENTION_NSTEPS] = {NULL};
	char *batch = xmalloc(RETENTION_BATCH * 24 + 3);
	size_t len;
	int rc = 0;

	*done = 0;
	for (size_t i = 0; i < RETENTION_NSTEPS; i++)
		if ((steps[i] = store_statement(store, retention_steps[i], err)) == NULL) {
			rc = -1;
			goto out;
		}
	while (*done < n && rc == 0) {
		size_t first = *done,
		       count = n - first < RETENTION_BATCH ? n - first : RETENTION_BATCH;

		if (first > 0 && clock_deadline_passed(deadline))
			break;
		len = 0;
		batch[len++] = '[';
		for (size_t c = 0; c < count; c++)
			len += (size_t)sprintf(batch + len, "%s%lld", c > 0 ? "," : "",
					       (long long)ids[first + c]);
		batch[len++] = ']';
		batch[len] = '\0';
		for (size_t i = 0; i < RETENTION_NSTEPS && rc == 0; i++) {
			sqlite3_bind_text(steps[i], 1, batch, (int)len, SQLITE_STATIC);
			if (sqlite3_bind_parameter_count(steps[i]) >= 2)
				sqlite3_bind_int64(steps[i], 2, (sqlite3_int64)now);
			if (sqlite3_step(steps[i]) != SQLITE_DONE) {
				rc = error_set(err, ERROR_STORE, "", "retention purge: erasing: %s",
					       sqlite3_errmsg(db));
			}
			sqlite3_reset(steps[i]);
		}
		if (rc == 0)
			*done += count;
	}
out:
	for (size_t i = 0; i < RETENTION_NSTEPS; i++)
		if (steps[i] != NULL)
			retention_done(steps[i]);
	free(batch);
	return rc;
}

static int retention_chunk(struct store *store, time_t now, time_t cutoff, long long limit,
			   const struct timespec *deadline, size_t *done, bool *finished,
			   struct error *err)
{
	int64_t *ids;
	size_t n;
	int rc;

	*done = 0;
	*finished = false;
	if (retention_next(store, cutoff, limit, &ids, &n, err) != 0)
		return -1;
	if (n == 0) {
		*finished = true;
		return 0;
	}
	if (sql_run(store_db(store), "DROP TRIGGER course_log_no_update", err) != 0) {
		free(ids);
		return -1;
	}
	rc = retention_erase(store, ids, n, now, deadline, done, err);
	free(ids);
	/* On failure the caller rolls back, which brings the trigger back.
	 * The names leave the search index with the chunk that erased them:
	 * left to wait for STORE_SEARCH_BATCH, every fifth chunk wrote the
	 * deletes of a thousand courses and held the loop for 67 ms at a
	 * million courses, where the jobs' pace expected 40. */
	if (rc != 0 || sql_run(store_db(store), RETENTION_LOG_TRIGGER, err) != 0 ||
	    store_search_catch_up(store, err) != 0)
		return -1;
	*finished = limit >= 0 && *done == n && n < (size_t)limit;
	return 0;
}

int retention_purge_chunk(struct store *store, time_t now, int days, size_t limit,
			  const struct timespec *deadline, struct retention_result *out,
			  bool *finished, struct error *err)
{
	sqlite3 *db = store_db(store);
	time_t cutoff;
	size_t done;

	*finished = false;
	if (limit == 0)
		limit = 1;
	if (retention_check(db, now, days, out, &cutoff, err) != 0 ||
	    retention_chunk(store, now, cutoff, (long long)limit, deadline, &done, finished, err) !=
		    0)
		return -1;
	out->courses += done;
	return 0;
}

int retention_count_due(struct store *store, time_t now, int days, struct retention_result *out,
			struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	time_t cutoff;

	memset(out, 0, sizeof *out);
	if (retention_check(db, now, days, out, &cutoff, err) != 0)
		return -1;
	if ((stmt = store_statement(store,
				    "SELECT count(*) FROM courses INDEXED BY courses_retention"
				    " WHERE " RETENTION_DUE,
				    err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)cutoff);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return retention_fail(db, stmt, "counting due courses", err);
	out->courses = (size_t)sqlite3_column_int64(stmt, 0);
	retention_done(stmt);
	return 0;
}

int retention_record_run(struct store *store, time_t now, int days, const char *author,
			 const struct retention_result *r, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;

	if ((stmt = store_statement(
		     store,
		     "INSERT INTO retention_runs (ran_at, before_day, days, courses, author)"
		     " VALUES (?1, ?2, ?3, ?4, ?5)",
		     err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sql_bind_day(stmt, 2, r->before);
	sqlite3_bind_int(stmt, 3, days);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)r->courses);
	sqlite3_bind_text(stmt, 5, author, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return retention_fail(db, stmt, "recording the run", err);
	retention_done(stmt);
	return 0;
}

int retention_purge(struct store *store, time_t now, int days, const char *author, bool dry_run,
		    struct retention_result *out, struct error *err)
{
	time_t cutoff;
	size_t done;
	bool finished;

	if (retention_count_due(store, now, days, out, err) != 0)
		return -1;
	if (dry_run)
		return 0;
	if (out->courses > 0) {
		cutoff = retention_midnight(out->before);
		if (retention_chunk(store, now, cutoff, -1, NULL, &done, &finished, err) != 0)
			return -1;
		out->courses = done;
	}
	return retention_record_run(store, now, days, author, out, err);
}

int retention_erase_course(struct store *store, int64_t course_id, time_t now, struct error *err)
{
	sqlite3 *db = store_db(store);
	size_t done;
	int rc;

	if (sql_require_transaction(db, "erasing a course", err) != 0)
		return -1;
	if (sql_run(db, "DROP TRIGGER course_log_no_update", err) != 0)
		return -1;
	rc = retention_erase(store, &course_id, 1, now, NULL, &done, err);
	/* On failure the caller rolls back, which brings the trigger back. */
	if (rc != 0 || sql_run(db, RETENTION_LOG_TRIGGER, err) != 0)
		return -1;
	return 0;
}

int retention_last_run(struct store *store, struct retention_run *run, bool *found,
		       struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	memset(run, 0, sizeof *run);
	*found = false;
	if ((stmt = store_statement(store,
				    "SELECT ran_at, before_day, courses, author FROM retention_runs"
				    " ORDER BY id DESC LIMIT 1",
				    err)) == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*found = true;
		run->ran_at = (time_t)sqlite3_column_int64(stmt, 0);
		run->before = sql_column_day(stmt, 1);
		run->courses = sqlite3_column_int64(stmt, 2);
		snprintf(run->author, sizeof run->author, "%s",
			 (const char *)sqlite3_column_text(stmt, 3));
	} else if (rc != SQLITE_DONE) {
		return retention_fail(db, stmt, "reading the last run", err);
	}
	retention_done(stmt);
	return 0;
}
