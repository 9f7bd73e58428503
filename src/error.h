/*
 * error.h - the one error type of run-time operations.
 *
 * Contract:
 *  - An operation that can fail at run time (a request, a job) fills a
 *    struct error and returns -1; error_set() does both, so a failure reads
 *    "return error_set(err, ERROR_INVALID, "next.date", "...")".
 *  - The kind maps one to one onto an HTTP status (error_status); field
 *    names the request field at fault in the API's JSON spelling
 *    ("next.date", "offers[1]"), or is empty.
 *  - err may be NULL where the caller only needs the -1.
 *  - Start-up and configuration code reports a malloc'd `char **cause`
 *    instead: there the message is the whole answer and nothing maps it to
 *    a status.
 *  - No SQLite here: modules that only report errors need not see the
 *    database (sql.h adds sql_error for those that do).
 */
#ifndef MENTORD_ERROR_H
#define MENTORD_ERROR_H

enum error_kind {
	ERROR_NONE = 0,
	ERROR_NOT_FOUND, /* 404 */
	ERROR_CONFLICT,	 /* 409: the state does not allow it */
	ERROR_INVALID,	 /* 422: field names the culprit */
	ERROR_STORE,	 /* 500: the database failed */
};

struct error {
	enum error_kind kind;
	char field[48];
	char message[200];
};

void error_clear(struct error *err);
/* Fill err (NULL is allowed) and return -1, for "return error_set()". */
int error_set(struct error *err, enum error_kind kind, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int error_status(enum error_kind kind);
const char *error_kind_name(enum error_kind kind);

#endif
