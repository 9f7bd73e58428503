/*
 * export.h - courses and calls as CSV for the municipality's own analyses
 * (mentorctl export).
 *
 * Contract:
 *  - The export is pseudonymous: ids, dates, states, coded reasons,
 *    results, topic codes and offer ids. It never holds a name, CPR number,
 *    phone number, unit, notification id, note, agreed topic or any other
 *    free text; a reason a person typed is written as "other".
 *  - Courses are chosen by discharge date, calls by the date of the call
 *    when it was made, else its due date; both limits are included.
 *  - Output is RFC 4180 CSV (csv.h) with a header row, ordered by that
 *    date, then id. One SELECT per export: a consistent snapshot even while
 *    the daemon writes.
 *  - Multi-valued cells (topics, offers) are joined with ";".
 *  - Failures fill a struct error (error.h).
 */
#ifndef MENTORD_EXPORT_H
#define MENTORD_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "calendar.h"
#include "error.h"

struct store;

enum export_kind {
	EXPORT_COURSES,
	EXPORT_CALLS,
};

/* "courses" or "calls"; -1 for anything else. */
int export_kind_parse(const char *name, enum export_kind *out);

/* *rows counts the data rows written (the header excluded). */
int export_csv(struct store *store, enum export_kind kind, cal_day from, cal_day to, FILE *out,
	       size_t *rows, struct error *err);

#endif
