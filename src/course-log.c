/*
 * course-log.c - the append-only timeline of a course (course-log.h).
 */
#include "course-log.h"

#include <stdlib.h>

#include "store.h"
#include "xmalloc.h"
#include "sql.h"

struct course_log {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *list;
	sqlite3_stmt *last_outcome;
	sqlite3_stmt *kind_after;
};

static const struct sql_statement course_log_sql[] = {
	{offsetof(struct course_log, insert),
	 "INSERT INTO course_log (course_id, at, author, kind, details)"
	 " VALUES (?1, ?2, ?3, ?4, ?5)"},
	{offsetof(struct course_log, list),
	 "SELECT l.id, l.at, l.author, l.kind, l.details, " COURSE_LOG_AUTHOR_NAME(
		 "l.author") " FROM course_log l WHERE l.course_id = ?1 ORDER BY l.id"},
	/* Backwards along course_log_course: a course has a few dozen
	 * entries, and the call's outcome is among the last of them. */
	{offsetof(struct course_log, last_outcome),
	 "SELECT l.id, l.at, l.author, l.kind, l.details, NULL FROM course_log l"
	 " WHERE l.course_id = ?1 AND l.kind IN ('outcome', 'outcome_corrected')"
	 " AND json_extract(l.details, '$.call_id') = ?2 ORDER BY l.id DESC LIMIT 1"},
	{offsetof(struct course_log, kind_after),
	 "SELECT l.id, l.at, l.author, l.kind, l.details, NULL FROM course_log l"
	 " WHERE l.course_id = ?1 AND l.id > ?2 AND l.kind = ?3 ORDER BY l.id"},
};

#define COURSE_LOG_NSQL (sizeof course_log_sql / sizeof course_log_sql[0])

struct course_log *course_log_new(struct store *store, char **cause)
{
	struct course_log *log = xcalloc(1, sizeof *log);

	log->db = store_db(store);
	if (sql_prepare_table(log->db, log, course_log_sql, COURSE_LOG_NSQL, cause) != 0) {
		course_log_free(log);
		return NULL;
	}
	return log;
}

void course_log_free(struct course_log *log)
{
	if (log == NULL)
		return;
	sql_finalize_table(log, course_log_sql, COURSE_LOG_NSQL);
	free(log);
}

int course_log_append(struct course_log *log, int64_t course_id, time_t at, const char *author,
		      const char *kind, json_t *details, struct error *err)
{
	sqlite3_stmt *s = log->insert;
	char *text = NULL;
	int rc;

	if (details != NULL && (text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return error_set(err, ERROR_STORE, NULL, "log details are not JSON");
	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)at);
	sqlite3_bind_text(s, 3, author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, text != NULL ? text : "{}", -1, SQLITE_TRANSIENT);
	rc = sql_step_done(log->db, s, "appending to the course log", err);
	sqlite3_clear_bindings(s);
	free(text);
	return rc;
}

/* The entries the bound statement s selects (course_log_list's columns). */
static int course_log_read(struct course_log *log, sqlite3_stmt *s, struct course_log_entry **out,
			   size_t *count, struct error *err)
{
	struct course_log_entry *entries = NULL, *e;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		entries = xrealloc(entries, (n + 1) * sizeof *entries);
		e = &entries[n++];
		e->id = sqlite3_column_int64(s, 0);
		e->at = (time_t)sqlite3_column_int64(s, 1);
		e->author = sql_column_strdup(s, 2);
		e->kind = sql_column_strdup(s, 3);
		e->details = sql_column_strdup(s, 4);
		e->author_name = sql_column_strdup(s, 5);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		course_log_entries_free(entries, n);
		return sql_error(err, log->db, "reading the course log");
	}
	*out = entries;
	*count = n;
	return 0;
}

int course_log_list(struct course_log *log, int64_t course_id, struct course_log_entry **out,
		    size_t *count, struct error *err)
{
	sqlite3_bind_int64(log->list, 1, course_id);
	return course_log_read(log, log->list, out, count, err);
}

int course_log_last_outcome(struct course_log *log, int64_t course_id, int64_t call_id,
			    struct course_log_entry **out, size_t *count, struct error *err)
{
	sqlite3_bind_int64(log->last_outcome, 1, course_id);
	sqlite3_bind_int64(log->last_outcome, 2, call_id);
	return course_log_read(log, log->last_outcome, out, count, err);
}

int course_log_kind_after(struct course_log *log, int64_t course_id, int64_t after,
			  const char *kind, struct course_log_entry **out, size_t *count,
			  struct error *err)
{
	sqlite3_bind_int64(log->kind_after, 1, course_id);
	sqlite3_bind_int64(log->kind_after, 2, after);
	sqlite3_bind_text(log->kind_after, 3, kind, -1, SQLITE_TRANSIENT);
	return course_log_read(log, log->kind_after, out, count, err);
}

void course_log_entries_free(struct course_log_entry *entries, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(entries[i].author);
		free(entries[i].author_name);
		free(entries[i].kind);
		free(entries[i].details);
	}
	free(entries);
}
