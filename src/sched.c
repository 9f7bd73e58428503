/*
 * sched.c - typed errors, savepoints and statement tables (sched.h).
 */
#include "sched.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void sched_error_clear(struct sched_error *err)
{
	if (err == NULL)
		return;
	err->kind = SCHED_OK;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

int sched_error_set(struct sched_error *err, enum sched_error_kind kind, const char *field,
		    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

int sched_error_db(struct sched_error *err, sqlite3 *db, const char *what)
{
	return sched_error_set(err, SCHED_STORE, NULL, "%s: %s", what, sqlite3_errmsg(db));
}

int sched_error_status(enum sched_error_kind kind)
{
	switch (kind) {
	case SCHED_OK:
		return 200;
	case SCHED_NOT_FOUND:
		return 404;
	case SCHED_CONFLICT:
		return 409;
	case SCHED_INVALID:
		return 422;
	case SCHED_STORE:
		break;
	}
	return 500;
}

const char *sched_error_kind_name(enum sched_error_kind kind)
{
	switch (kind) {
	case SCHED_OK:
		return "ok";
	case SCHED_NOT_FOUND:
		return "not found";
	case SCHED_CONFLICT:
		return "conflict";
	case SCHED_INVALID:
		return "invalid";
	case SCHED_STORE:
		break;
	}
	return "store failure";
}

int sched_prepare(sqlite3 *db, void *base, const struct sched_sql *table, size_t n,
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

void sched_finalize(void *base, const struct sched_sql *table, size_t n)
{
	sqlite3_stmt **stmt;

	for (size_t i = 0; i < n; i++) {
		stmt = (sqlite3_stmt **)((char *)base + table[i].offset);
		sqlite3_finalize(*stmt);
		*stmt = NULL;
	}
}

int sched_tx_init(struct sched_tx *tx, sqlite3 *db, const char *name, char **cause)
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

void sched_tx_clear(struct sched_tx *tx)
{
	sqlite3_finalize(tx->begin);
	sqlite3_finalize(tx->release);
	sqlite3_finalize(tx->rollback);
	tx->begin = tx->release = tx->rollback = NULL;
}

int sched_tx_begin(struct sched_tx *tx, struct sched_error *err)
{
	sched_error_clear(err);
	if (sqlite3_get_autocommit(tx->db))
		return sched_error_set(err, SCHED_STORE, NULL,
				       "no transaction is open: call store_begin() first");
	return sched_step_done(tx->db, tx->begin, "SAVEPOINT", err);
}

int sched_tx_end(struct sched_tx *tx, int rc, struct sched_error *err)
{
	struct sched_error ignored;

	if (rc == 0)
		return sched_step_done(tx->db, tx->release, "RELEASE", err);
	/* ROLLBACK TO keeps the savepoint open; RELEASE then drops it. The
	 * operation's own error is what the caller needs to see. */
	sched_step_done(tx->db, tx->rollback, "ROLLBACK TO", &ignored);
	sched_step_done(tx->db, tx->release, "RELEASE", &ignored);
	return -1;
}

int sched_step_done(sqlite3 *db, sqlite3_stmt *stmt, const char *what,
		    struct sched_error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sched_error_db(err, db, what);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

int sched_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(stmt, index);
	return sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *sched_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text != NULL ? xstrdup((const char *)text) : NULL;
}

int sched_bind_day(sqlite3_stmt *stmt, int index, cal_day day)
{
	char buf[CAL_DATE_LEN];

	if (day == SCHED_NO_DAY)
		return sqlite3_bind_null(stmt, index);
	cal_day_format(day, buf);
	return sqlite3_bind_text(stmt, index, buf, -1, SQLITE_TRANSIENT);
}

cal_day sched_column_day(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	cal_day day;

	if (text == NULL || cal_day_parse((const char *)text, &day) != 0)
		return SCHED_NO_DAY;
	return day;
}
