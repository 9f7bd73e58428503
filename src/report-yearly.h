/*
 * report-yearly.h - the municipality's yearly figures (GET
 * /v1/reports/yearly): per programme and year, courses started, active and
 * ended by internal and external mentor, the hours mentors spent and what
 * they cost (doc/programmes.md, "Time and cost").
 *
 * Contract (the arithmetic, pure: report_yearly_new .. report_yearly_csv):
 *  - A course counts from its start (discharge date, or decided start) to
 *    its end: the day it left the open states (ended, closed, superseded,
 *    deceased), but never after its window's end; an open course has no
 *    end. Courses never started (awaiting a discharge or a decision, a
 *    rejected referral), starting after today, or cancelled (entered in
 *    error, consent withdrawn) are not counted.
 *  - Year Y: started if the start is in Y; ended if the end is in Y; active
 *    if the course ran on at least one day of Y up to today.
 *  - Internal or external is the course's mentor's terms (mentor-time.h) on
 *    the day that counts: the start for started, the end for ended, the
 *    course's last day in Y for active. A course without a mentor is
 *    "unassigned".
 *  - Minutes: every call with a duration, in the year of its call date,
 *    plus every weekly entry, in the ISO year of its week (weekly time is
 *    time besides calls, so nothing is counted twice). Each minute is
 *    internal or external, and priced, by its mentor's terms on the call's
 *    day or the week's Monday. Internal minutes
 *    without a rate are not priced and are reported as unpriced hours.
 *  - Each call day and each week of a mentor in a programme is priced as
 *    one line of an invoice, minutes × rate / 60 rounded half up to whole
 *    øre, and the lines are summed: every figure is whole øre and the
 *    figures add up to every total exactly. Minutes are exact; hours are
 *    minutes / 60 shown with two decimals, rounded half up (a view: they
 *    need not add up, the minutes do).
 *  - Terms must be added in order of mentor, then valid_from (the order a
 *    mentor's terms are written in on a tie), before any course or time.
 */
#ifndef MENTORD_REPORT_YEARLY_H
#define MENTORD_REPORT_YEARLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "calendar.h"
#include "error.h"

struct programme_set;
struct store;

/* A range of at most this many years per report. */
#define REPORT_YEARLY_MAX_YEARS 50

enum report_yearly_kind {
	REPORT_YEARLY_INTERNAL,
	REPORT_YEARLY_EXTERNAL,
	REPORT_YEARLY_UNASSIGNED,
};
#define REPORT_YEARLY_NKINDS 3

struct report_yearly_figures {
	int64_t started;
	int64_t active;
	int64_t ended;
	int64_t call_minutes;
	int64_t week_minutes;
	int64_t cost_ore;
	int64_t unpriced_minutes;
};

struct report_yearly_row {
	char *programme; /* NULL: the year's totals over every programme */
	char *name;
	int year;
	struct report_yearly_figures kind[REPORT_YEARLY_NKINDS];
};

struct report_yearly;

struct report_yearly *report_yearly_new(int from_year, int to_year, cal_day today);
void report_yearly_free(struct report_yearly *r);

/* Rows for a programme (in the order added; an unknown id met later gets
 * its rows then, named by its id). */
void report_yearly_programme(struct report_yearly *r, const char *id, const char *name);
/* hourly_rate in øre, or -1 (MENTOR_TIME_NO_RATE). */
void report_yearly_terms(struct report_yearly *r, int64_t mentor_id, cal_day valid_from,
			 bool external, int64_t hourly_rate);
/* mentor_id 0: none; end CAL_NO_DAY: open. */
void report_yearly_course(struct report_yearly *r, const char *programme, int64_t mentor_id,
			  cal_day start, cal_day end);
/* A call's minutes on its day, or a week's (day = its Monday). */
void report_yearly_time(struct report_yearly *r, const char *programme, int64_t mentor_id,
			cal_day day, int64_t minutes, bool week);

/* The programmes' rows (each programme's years in order), and the years'
 * totals over every programme (to - from + 1 rows). */
size_t report_yearly_rows(const struct report_yearly *r, const struct report_yearly_row **rows);
const struct report_yearly_row *report_yearly_totals(const struct report_yearly *r);

json_t *report_yearly_json(const struct report_yearly *r);
/* programme,year,mentors,started,active,ended,call_minutes,week_minutes,
 * hours,cost,unpriced_hours; the totals with an empty programme. */
int report_yearly_csv(const struct report_yearly *r, FILE *out);

/* Read the store into a report of from..to for the configured programmes. */
int report_yearly_read(struct store *store, const struct programme_set *programmes, int from_year,
		       int to_year, cal_day today, struct report_yearly **out, struct error *err);

#endif
