/*
 * sql.c - statement tables, savepoints and column helpers (sql.h).
 */
#include "sql.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

int sql_error(struct error *err, sqlite3 *db, const char *what)
{
	return error_set(err, ERROR_STORE, NULL, "%s: %s", what, sqlite3_errmsg(db));
}

int sql_prepare_table(sqlite3 *db, void *base, const struct sql_statement *table, size_t n,
		      char **cause)
{
	sqlite3_stmt **stmt;

	for (size_t i = 0; i < n; i++) {
		stmt = (sqlite3_stmt **)((char *)base + table[i].offset);
		if (sqlite3_prepare_v3(db, table[i].sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
				       NULL) != SQLITE_OK) {
			xasprintf(cause, "preparing \"%s\": %s", table[i].sql, sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}

void sql_finalize_table(void *base, const struct sql_statement *table, size_t n)
{
	sqlite3_stmt **stmt;

	for (size_t i = 0; i < n; i++) {
		stmt = (sqlite3_stmt **)((char *)base + table[i].offset);
		sqlite3_finalize(*stmt);
		*stmt = NULL;
	}
}

int sql_savepoint_init(struct sql_savepoint *tx, sqlite3 *db, const char *name, char **cause)
{
	char *sql[3];
	sqlite3_stmt **stmt[3] = {&tx->begin, &tx->release, &tx->rollback};
	int rc = 0;

	memset(tx, 0, sizeof *tx);
	tx->db = db;
	/* name is the caller's constant, never user input. */
	xasprintf(&sql[0], "SAVEPOINT %s", name);
	xasprintf(&sql[1], "RELEASE %s", name);
	xasprintf(&sql[2], "ROLLBACK TO %s", name);
	for (int i = 0; i < 3; i++) {
		if (rc == 0 && sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
						  stmt[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "preparing \"%s\": %s", sql[i], sqlite3_errmsg(db));
			rc = -1;
		}
		free(sql[i]);
	}
	return rc;
}

void sql_savepoint_clear(struct sql_savepoint *tx)
{
	sqlite3_finalize(tx->begin);
	sqlite3_finalize(tx->release);
	sqlite3_finalize(tx->rollback);
	tx->begin = tx->release = tx->rollback = NULL;
}

int sql_require_transaction(sqlite3 *db, const char *what, struct error *err)
{
	if (sqlite3_get_autocommit(db))
		return error_set(err, ERROR_STORE, NULL,
				 "%s: no transaction is open: call store_begin() first", what);
	return 0;
}

int sql_savepoint_begin(struct sql_savepoint *tx, struct error *err)
{
	error_clear(err);
	if (sql_require_transaction(tx->db, "a change", err) != 0)
		return -1;
	return sql_step_done(tx->db, tx->begin, "SAVEPOINT", err);
}

int sql_savepoint_end(struct sql_savepoint *tx, int rc, struct error *err)
{
	struct error ignored;

	if (rc == 0)
		return sql_step_done(tx->db, tx->release, "RELEASE", err);
	/* ROLLBACK TO keeps the savepoint open; RELEASE then drops it. The
	 * operation's own error is what the caller needs to see. */
	sql_step_done(tx->db, tx->rollback, "ROLLBACK TO", &ignored);
	sql_step_done(tx->db, tx->release, "RELEASE", &ignored);
	return -1;
}

int sql_step_done(sqlite3 *db, sqlite3_stmt *stmt, const char *what, struct error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sql_error(err, db, what);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

int sql_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(stmt, index);
	return sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *sql_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text != NULL ? xstrdup((const char *)text) : NULL;
}

int sql_bind_day(sqlite3_stmt *stmt, int index, cal_day day)
{
	char buf[CAL_DATE_LEN];

	if (day == CAL_NO_DAY)
		return sqlite3_bind_null(stmt, index);
	cal_day_format(day, buf);
	return sqlite3_bind_text(stmt, index, buf, -1, SQLITE_TRANSIENT);
}

cal_day sql_column_day(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	cal_day day;

	if (text == NULL || cal_day_parse((const char *)text, &day) != 0)
		return CAL_NO_DAY;
	return day;
}

int sql_exec(sqlite3 *db, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s", err != NULL ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int sql_run(sqlite3 *db, const char *sql, struct error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error_set(err, ERROR_STORE, NULL, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}
