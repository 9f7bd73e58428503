/*
 * export.c - pseudonymous CSV exports (export.h).
 */
#include "export.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "report.h"
#include "retention.h"
#include "sql.h"
#include "store.h"

/* A reason as exported: a code of mentord's own, or "other". */
#define EXPORT_REASON(col) \
	"CASE WHEN " col " IS NULL THEN NULL WHEN " col " IN (" RETENTION_REASON_CODES ")" \
	" THEN " col " ELSE 'other' END"

struct export_spec {
	const char *name;
	const char *const *columns;
	size_t ncolumns;
	const char *sql; /* ?1 from, ?2 to; one result column per column */
	int instant;	 /* a column of Unix seconds written as a local date, or -1 */
};

static const char *const export_course_columns[] = {
	"course_id",	 "discharge_date", "window_end",    "state",	  "state_reason",
	"state_changed", "mentor_id",	   "superseded_by", "flag",	  "consent_given_at",
	"calls_done",	 "calls_reached",  "first_reached", "anonymised",
};

static const char *const export_call_columns[] = {
	"call_id",	    "course_id", "mentor_id", "reason",	  "first_contact",
	"attempt",	    "due_date",	 "state",     "result",	  "call_date",
	"duration_minutes", "topics",	 "offers",    "followup", "cancel_reason",
};

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define EXPORT_MAX_COLUMNS 16

_Static_assert(nitems(export_course_columns) <= EXPORT_MAX_COLUMNS &&
		       nitems(export_call_columns) <= EXPORT_MAX_COLUMNS,
	       "export_row's cells are too few");

static const struct export_spec export_specs[] = {
	[EXPORT_COURSES] =
		{"courses", export_course_columns, nitems(export_course_columns),
		 "SELECT c.id, c.discharge_date, c.window_end, c.state,"
		 " " EXPORT_REASON(
			 "c.state_reason") ","
					   " c.state_changed_at, c.mentor_id, c.superseded_by, c.flag,"
					   " c.consent_given_at,"
					   " (SELECT count(*) FROM calls k WHERE k.course_id = c.id"
					   "   AND k.state = 'done'),"
					   " (SELECT count(*) FROM calls k WHERE k.course_id = c.id"
					   "   AND k.result IN " REPORT_REACHED "),"
					   " (SELECT min(k.call_date) FROM calls k WHERE k.course_id = c.id"
					   "   AND k.result IN " REPORT_REACHED "),"
					   " CASE WHEN c.anonymised_at IS NULL THEN 'no' ELSE 'yes' END"
					   " FROM courses c WHERE c.discharge_date BETWEEN ?1 AND ?2"
					   " ORDER BY c.discharge_date, c.id",
		 5},
	[EXPORT_CALLS] =
		{"calls", export_call_columns, nitems(export_call_columns),
		 "SELECT k.id, k.course_id, c.mentor_id, k.reason, k.first_contact,"
		 " k.attempt, k.due_date, k.state, k.result, k.call_date,"
		 " k.duration_minutes,"
		 " (SELECT group_concat(value, ';') FROM json_each(k.topics)),"
		 " (SELECT group_concat(value, ';') FROM json_each(k.offers)),"
		 " k.send_followup, " EXPORT_REASON(
			 "k.cancel_reason") " FROM calls k JOIN courses c ON c.id = k.course_id"
					    " WHERE coalesce(k.call_date, k.due_date) BETWEEN ?1 AND ?2"
					    " ORDER BY coalesce(k.call_date, k.due_date), k.id",
		 -1},
};

int export_kind_parse(const char *name, enum export_kind *out)
{
	for (size_t i = 0; i < nitems(export_specs); i++)
		if (strcmp(name, export_specs[i].name) == 0) {
			*out = (enum export_kind)i;
			return 0;
		}
	return -1;
}

/* One result row as CSV, the instant column as a local date. */
static int export_row(FILE *out, const struct export_spec *spec, sqlite3_stmt *stmt)
{
	const char *cells[EXPORT_MAX_COLUMNS];
	char day[CAL_DATE_LEN];

	for (size_t i = 0; i < spec->ncolumns; i++)
		cells[i] = (const char *)sqlite3_column_text(stmt, (int)i);
	if (spec->instant >= 0 && sqlite3_column_type(stmt, spec->instant) != SQLITE_NULL) {
		cal_day_format(
			cal_day_of_instant((time_t)sqlite3_column_int64(stmt, spec->instant)), day);
		cells[spec->instant] = day;
	}
	return csv_write_row(out, cells, spec->ncolumns);
}

int export_csv(struct store *store, enum export_kind kind, cal_day from, cal_day to, FILE *out,
	       size_t *rows, struct error *err)
{
	const struct export_spec *spec = &export_specs[kind];
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	*rows = 0;
	/* spec->sql lives in export_specs: the store keeps its statement. */
	if ((stmt = store_statement(store, spec->sql, err)) == NULL)
		return -1;
	sql_bind_day(stmt, 1, from);
	sql_bind_day(stmt, 2, to);
	if (csv_write_row(out, spec->columns, spec->ncolumns) != 0)
		goto write_failed;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (export_row(out, spec, stmt) != 0)
			goto write_failed;
		(*rows)++;
	}
	if (rc != SQLITE_DONE)
		error_set(err, ERROR_STORE, "", "export %s: %s", spec->name, sqlite3_errmsg(db));
	rc = rc == SQLITE_DONE ? 0 : -1;
	goto out;

write_failed:
	error_set(err, ERROR_STORE, "", "export %s: writing failed", spec->name);
	rc = -1;
out:
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}
