/*
 * retention.c - erasing the personal data of old courses (retention.h).
 *
 * The purge runs once a day, so its statements are prepared per run
 * rather than kept. Every statement selects its courses with the same
 * predicate, and the courses themselves are marked last: until then the
 * predicate names the same set in every step.
 */
#include "retention.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* ?1 is the first instant that is too recent (local midnight). The state
 * list is that of the index courses_retention (migration 9). */
#define RETENTION_DUE                                                                          \
	"state IN ('closed', 'superseded', 'cancelled', 'deceased') AND anonymised_at IS NULL"   \
	" AND state_changed_at < ?1"
#define RETENTION_DUE_IDS "SELECT id FROM courses WHERE " RETENTION_DUE

/* The log's keys that may hold free text or identifiers: agreed topics,
 * the hospital's notification id, and (defensively, none is logged
 * today) anything named after personal data. json_replace leaves absent
 * keys absent. */
#define RETENTION_LOG_TEXT                                                                     \
	"'$.topic', 'erased', '$.notification_id', 'erased', '$.note', 'erased',"              \
	" '$.name', 'erased', '$.phone', 'erased', '$.cpr', 'erased', '$.unit', 'erased'"

/* Must stay identical to migration 2's trigger. */
#define RETENTION_LOG_TRIGGER                                                                  \
	"CREATE TRIGGER course_log_no_update BEFORE UPDATE ON course_log"                      \
	"  BEGIN SELECT RAISE(ABORT, 'course_log is append-only'); END;"

/*
 * The purge's statements for the courses IDS selects; WHERE names the same
 * courses in the courses table itself. In order: the calls' notes and
 * agreed topics; the payloads of the outbox rows, messages and call tasks
 * alike (a pending one is dead-lettered: its recipient is gone), but not
 * a call task's cancellation, which names nobody and must still go; the log's
 * free text, with its append-only trigger dropped and recreated inside
 * the caller's transaction, so nobody else ever sees the log writable;
 * last the courses themselves, which takes them out of RETENTION_DUE.
 */
#define RETENTION_STEPS(IDS, WHERE)                                                            \
	{                                                                                      \
		"UPDATE calls SET note = NULL, agreed_topic = NULL"                            \
		" WHERE course_id IN (" IDS ")"                                                \
		" AND (note IS NOT NULL OR agreed_topic IS NOT NULL)",                         \
		"UPDATE outbox SET payload = '{}',"                                            \
		" last_error = CASE WHEN state = 'pending'"                                    \
		"   THEN 'never delivered: erased by the retention purge'"                     \
		"   WHEN last_error IS NULL THEN NULL ELSE 'erased' END,"                      \
		" state = CASE state WHEN 'pending' THEN 'dead' ELSE state END"                \
		" WHERE course_id IN (" IDS ") AND type <> '" OUTBOX_CANCEL_TYPE "'",          \
		"DROP TRIGGER course_log_no_update",                                           \
		"UPDATE course_log SET details = CASE"                                         \
		" WHEN json_extract(details, '$.reason') NOT IN (" RETENTION_REASON_CODES ")"  \
		" THEN json_replace(details, " RETENTION_LOG_TEXT ", '$.reason', 'erased')"    \
		" ELSE json_replace(details, " RETENTION_LOG_TEXT ") END"                      \
		" WHERE course_id IN (" IDS ")",                                               \
		RETENTION_LOG_TRIGGER,                                                         \
		"UPDATE courses SET citizen_name = '" RETENTION_ANONYMISED "',"                \
		" phone = '" RETENTION_ANONYMISED "', cpr = NULL, unit = NULL,"                \
		" preferred_from = NULL, preferred_to = NULL,"                                 \
		" notification_id = 'anonymised-' || lower(hex(randomblob(16))),"              \
		" state_reason = CASE WHEN state_reason IS NULL"                               \
		"   OR state_reason IN (" RETENTION_REASON_CODES ") THEN state_reason"         \
		"   ELSE '" RETENTION_ERASED "' END,"                                          \
		" anonymised_at = ?2"                                                          \
		" WHERE " WHERE,                                                               \
	}

static const char *const retention_steps[] = RETENTION_STEPS(RETENTION_DUE_IDS, RETENTION_DUE);
/* One course, ?3, whatever its state: its citizen withdrew consent. */
static const char *const erase_steps[] = RETENTION_STEPS("SELECT ?3",
							 "id = ?3 AND anonymised_at IS NULL");

#define RETENTION_NSTEPS (sizeof retention_steps / sizeof retention_steps[0])
#define ERASE_NSTEPS (sizeof erase_steps / sizeof erase_steps[0])

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

static int retention_fail(sqlite3 *db, sqlite3_stmt *stmt, const char *what, char **cause)
{
	xasprintf(cause, "retention purge: %s: %s", what, sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return -1;
}

/* Run one statement; ?1 is the cutoff, ?2 now and ?3 the course where
 * the SQL has them. */
static int retention_exec(sqlite3 *db, const char *sql, time_t cutoff, time_t now,
			  int64_t course_id, int64_t *count, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return retention_fail(db, stmt, "preparing", cause);
	if (sqlite3_bind_parameter_count(stmt) >= 1)
		sqlite3_bind_int64(stmt, 1, (sqlite3_int64)cutoff);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_int64(stmt, 3, course_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && count != NULL)
		*count = sqlite3_column_int64(stmt, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return retention_fail(db, stmt, "erasing", cause);
	sqlite3_finalize(stmt);
	return 0;
}

static int retention_record(sqlite3 *db, time_t now, int days, const char *author,
			    const struct retention_result *r, char **cause)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO retention_runs (ran_at, before_day, days, courses, author)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &stmt, NULL) != SQLITE_OK)
		return retention_fail(db, stmt, "recording the run", cause);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sql_bind_day(stmt, 2, r->before);
	sqlite3_bind_int(stmt, 3, days);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)r->courses);
	sqlite3_bind_text(stmt, 5, author, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return retention_fail(db, stmt, "recording the run", cause);
	sqlite3_finalize(stmt);
	return 0;
}

int retention_purge(struct store *store, time_t now, int days, const char *author, bool dry_run,
		    struct retention_result *out, char **cause)
{
	sqlite3 *db = store_db(store);
	int64_t due = 0;
	time_t cutoff;

	memset(out, 0, sizeof *out);
	if (sqlite3_get_autocommit(db)) {
		*cause = xstrdup("retention purge: no transaction is open");
		return -1;
	}
	if (days < 1) {
		xasprintf(cause, "retention purge: %d days is not a retention period", days);
		return -1;
	}
	out->before = cal_day_of_instant(now) - days;
	cutoff = retention_midnight(out->before);
	if (retention_exec(db, "SELECT count(*) FROM courses WHERE " RETENTION_DUE, cutoff, now, 0,
			   &due, cause) != 0)
		return -1;
	out->courses = (size_t)due;
	if (dry_run)
		return 0;
	for (size_t i = 0; due > 0 && i < RETENTION_NSTEPS; i++)
		if (retention_exec(db, retention_steps[i], cutoff, now, 0, NULL, cause) != 0)
			return -1;
	return retention_record(db, now, days, author, out, cause);
}

int retention_erase_course(struct store *store, int64_t course_id, time_t now, char **cause)
{
	sqlite3 *db = store_db(store);

	if (sqlite3_get_autocommit(db)) {
		*cause = xstrdup("erasing a course: no transaction is open");
		return -1;
	}
	for (size_t i = 0; i < ERASE_NSTEPS; i++)
		if (retention_exec(db, erase_steps[i], 0, now, course_id, NULL, cause) != 0)
			return -1;
	return 0;
}

int retention_last_run(struct store *store, struct retention_run *run, bool *found,
		       char **cause)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	int rc;

	memset(run, 0, sizeof *run);
	*found = false;
	if (sqlite3_prepare_v2(db,
			       "SELECT ran_at, before_day, courses, author FROM retention_runs"
			       " ORDER BY id DESC LIMIT 1",
			       -1, &stmt, NULL) != SQLITE_OK)
		return retention_fail(db, stmt, "reading the last run", cause);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*found = true;
		run->ran_at = (time_t)sqlite3_column_int64(stmt, 0);
		run->before = sql_column_day(stmt, 1);
		run->courses = sqlite3_column_int64(stmt, 2);
		snprintf(run->author, sizeof run->author, "%s",
			 (const char *)sqlite3_column_text(stmt, 3));
	} else if (rc != SQLITE_DONE) {
		return retention_fail(db, stmt, "reading the last run", cause);
	}
	sqlite3_finalize(stmt);
	return 0;
}
