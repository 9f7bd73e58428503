/*
 * sql.h - what every module that owns tables shares: statement tables
 * prepared once, savepoints, and binding/reading text and dates.
 *
 * Contract:
 *  - One way to prepare a statement: once, SQLITE_PREPARE_PERSISTENT, kept
 *    until the store closes; each use is bind, step, reset (and clear the
 *    bindings). A module with a struct of its own made at start-up (course,
 *    call, mentor, outbox, queue, course log) lists its statements in a
 *    table of struct sql_statement, which sql_prepare_table() prepares and
 *    sql_finalize_table() finalizes (harmless on a half-prepared struct),
 *    as mosquitto's persist-sqlite names them in a struct. A module without
 *    one (audit, auth, sessions, offers, reports, status, retention,
 *    metrics, export, ...) names its SQL as a string constant and gets the
 *    statement from the store's cache, store_statement() (store.h), which
 *    prepares it the first time. Only what runs once and is never cached
 *    prepares and finalizes on the spot, with a comment saying so: the
 *    pragmas of store_open, the migrations, backup's integrity_check of
 *    its copy.
 *  - A mutating operation runs inside a savepoint (sql_savepoint_begin) and
 *    either releases it or rolls back to it (sql_savepoint_end), so it is
 *    all or nothing on its own, but it never commits: the caller must have
 *    opened a transaction with store_begin(), and sql_savepoint_begin
 *    refuses otherwise, because a savepoint outside a transaction would
 *    commit on release.
 *  - Failures are reported as struct error (error.h) with kind ERROR_STORE;
 *    sql_error() builds one from the connection's message. Only what runs
 *    at start-up (preparing a module's statements, savepoint statements,
 *    the migrations' scripts through sql_exec) reports a malloc'd cause.
 */
#ifndef MENTORD_SQL_H
#define MENTORD_SQL_H

#include <sqlite3.h>
#include <stddef.h>

#include "calendar.h"
#include "error.h"

/* A database failure: the message is SQLite's, prefixed with what. */
int sql_error(struct error *err, sqlite3 *db, const char *what);
/* 0 inside a transaction; else -1 with ERROR_STORE "what: no transaction
 * is open", for work that must commit with its caller's change or not at
 * all (store_begin() opens one). */
int sql_require_transaction(sqlite3 *db, const char *what, struct error *err);

/* One prepared statement of a module's statement table. */
struct sql_statement {
	size_t offset; /* of the sqlite3_stmt * in the module's struct */
	const char *sql;
};

/* Prepare every statement of a table into base (SQLITE_PREPARE_PERSISTENT)
 * and finalize them again; finalize is harmless on a half-prepared base. */
int sql_prepare_table(sqlite3 *db, void *base, const struct sql_statement *table, size_t n,
		      char **cause);
void sql_finalize_table(void *base, const struct sql_statement *table, size_t n);

/* Savepoint statements of one module. */
struct sql_savepoint {
	sqlite3 *db;
	sqlite3_stmt *begin;
	sqlite3_stmt *release;
	sqlite3_stmt *rollback;
};

int sql_savepoint_init(struct sql_savepoint *tx, sqlite3 *db, const char *name, char **cause);
void sql_savepoint_clear(struct sql_savepoint *tx);
int sql_savepoint_begin(struct sql_savepoint *tx, struct error *err);
/* Release the savepoint when rc is 0, else roll back to it; returns rc,
 * or -1 if releasing failed. */
int sql_savepoint_end(struct sql_savepoint *tx, int rc, struct error *err);

/* Step a statement that returns no rows, then reset it. */
int sql_step_done(sqlite3 *db, sqlite3_stmt *stmt, const char *what, struct error *err);

/* Bind text, or NULL when text is NULL. */
int sql_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* A column's text as a new string; NULL stays NULL. */
char *sql_column_strdup(sqlite3_stmt *stmt, int col);

/* Dates are stored as "YYYY-MM-DD"; CAL_NO_DAY binds and reads as NULL. */
int sql_bind_day(sqlite3_stmt *stmt, int index, cal_day day);
cal_day sql_column_day(sqlite3_stmt *stmt, int col);

/* Run SQL without parameters (a script of statements, as migrations are)
 * and report a failure as a cause. */
int sql_exec(sqlite3 *db, const char *sql, char **cause);
/* The same at run time (a job's DDL, a pragma between transactions),
 * reporting into err. */
int sql_run(sqlite3 *db, const char *sql, struct error *err);

#endif
