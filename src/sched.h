/*
 * sched.h - what the scheduling core's modules share: the typed error every
 * operation reports, savepoints and prepared-statement tables.
 *
 * Contract:
 *  - Operations of course.c, mentor.c and queue.c fill a struct sched_error
 *    and return -1; the kind maps one to one onto an HTTP status
 *    (sched_error_status) and field names the request field at fault, in
 *    the JSON spelling of DESIGN.md section 4 ("next.date").
 *  - A mutating operation runs inside a savepoint (sched_tx_begin) and
 *    either releases it or rolls back to it (sched_tx_end), so it is all or
 *    nothing on its own, but it never commits: the caller must have opened a
 *    transaction with store_begin(), and sched_tx_begin refuses otherwise,
 *    because a savepoint outside a transaction would commit on release.
 */
#ifndef MENTORD_SCHED_H
#define MENTORD_SCHED_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

/* "No date" wherever a cal_day is optional. */
#define SCHED_NO_DAY ((cal_day)INT32_MIN)

enum sched_error_kind {
	SCHED_OK = 0,
	SCHED_NOT_FOUND, /* 404 */
	SCHED_CONFLICT,  /* 409: the state does not allow it */
	SCHED_INVALID,   /* 422: field names the culprit */
	SCHED_STORE,     /* 500: the database failed */
};

struct sched_error {
	enum sched_error_kind kind;
	char field[48];
	char message[200];
};

void sched_error_clear(struct sched_error *err);
/* Fill err (NULL is allowed) and return -1, for "return sched_error_set()". */
int sched_error_set(struct sched_error *err, enum sched_error_kind kind, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A database failure: the message is SQLite's, prefixed with what. */
int sched_error_db(struct sched_error *err, sqlite3 *db, const char *what);
int sched_error_status(enum sched_error_kind kind);
const char *sched_error_kind_name(enum sched_error_kind kind);

/* One prepared statement of a module's statement table. */
struct sched_sql {
	size_t offset; /* of the sqlite3_stmt * in the module's struct */
	const char *sql;
};

/* Prepare every statement of a table into base (SQLITE_PREPARE_PERSISTENT)
 * and finalize them again; finalize is harmless on a half-prepared base. */
int sched_prepare(sqlite3 *db, void *base, const struct sched_sql *table, size_t n,
		  char **cause);
void sched_finalize(void *base, const struct sched_sql *table, size_t n);

/* Savepoint statements of one module. */
struct sched_tx {
	sqlite3 *db;
	sqlite3_stmt *begin;
	sqlite3_stmt *release;
	sqlite3_stmt *rollback;
};

int sched_tx_init(struct sched_tx *tx, sqlite3 *db, const char *name, char **cause);
void sched_tx_clear(struct sched_tx *tx);
int sched_tx_begin(struct sched_tx *tx, struct sched_error *err);
/* Release the savepoint when rc is 0, else roll back to it; returns rc,
 * or -1 if releasing failed. */
int sched_tx_end(struct sched_tx *tx, int rc, struct sched_error *err);

/* Step a statement that returns no rows, then reset it. */
int sched_step_done(sqlite3 *db, sqlite3_stmt *stmt, const char *what,
		    struct sched_error *err);

/* Bind text, or NULL when text is NULL. */
int sched_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* A column's text as a new string; NULL stays NULL. */
char *sched_column_strdup(sqlite3_stmt *stmt, int col);

/* Dates are stored as "YYYY-MM-DD"; SCHED_NO_DAY binds and reads as NULL. */
int sched_bind_day(sqlite3_stmt *stmt, int index, cal_day day);
cal_day sched_column_day(sqlite3_stmt *stmt, int col);

#endif
