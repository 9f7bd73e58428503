/*
 * report.h - the scheme's key figures over a period (doc/api.md,
 * GET /v1/reports/summary).
 *
 * Contract:
 *  - Anonymous: only counts, shares and day counts leave this module;
 *    nothing names or identifies a citizen, so the figures may be passed
 *    on to the municipality's statistics.
 *  - The period is [from, to], inclusive local dates; from may be
 *    CAL_NO_DAY (no lower bound).
 *  - Course figures count the courses whose discharge date lies in the
 *    period (the date the notification gave: a readmission does not move a
 *    course to another period; a referral still waiting for its discharge
 *    counts on the day it was received): discharges, courses by state, days to the first reached call,
 *    calls per course, ended at the first call, resumed courses. Call
 *    figures count the calls whose call date lies in it: reach rate,
 *    topics, offers by category, concerns for a citizen's safety (one per
 *    call that raised one). So a course discharged in March counts
 *    in March's course figures with all its calls, while its calls count
 *    in the call figures of the months they were made in.
 *  - "Reached" means the citizen was spoken to: result reached or
 *    declined (a citizen who says no at the first call was reached).
 *  - A mean or share without a denominator, or a median of nothing, is
 *    NAN (null in JSON, empty in CSV).
 *  - Reads only, on the caller's connection; errors return -1 with a
 *    struct error (error.h) and print nothing.
 */
#ifndef MENTORD_REPORT_H
#define MENTORD_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "course.h"
#include "error.h"

struct store;

/* The results of a call that reached the citizen, as an SQL list: the
 * summary and mentorctl's export count the same calls. */
#define REPORT_REACHED "('reached', 'declined')"

/* Course states: course.h's, in the order of enum course_state. */
#define REPORT_STATES COURSE_NSTATES
/* "Within 2 working days" of the summary report (doc/api.md): reached on or before the second
 * working day after the discharge date. */
#define REPORT_WORKING_DAYS 2

struct report_count {
	char *name;
	int64_t count;
};

struct report_summary {
	cal_day from; /* CAL_NO_DAY: no lower bound */
	cal_day to;

	/* courses discharged in the period: from psychiatry's notifications,
	 * and self-referrals (POST /v1/courses); by_state counts both */
	int64_t discharges;
	int64_t self_referrals;
	int64_t by_state[REPORT_STATES];
	int64_t reached_courses;      /* with at least one reached call */
	double days_to_reach_median;  /* calendar days, discharge to first reached call */
	double reached_in_time_share; /* first reached within REPORT_WORKING_DAYS */
	int64_t course_calls;	      /* their calls with an outcome */
	double calls_per_course;
	int64_t ended_at_first_call;	  /* declined or ended at the first reached call */
	double ended_at_first_call_share; /* of reached_courses */
	int64_t resumed_courses;

	/* calls made in the period */
	int64_t calls_with_outcome;
	int64_t calls_reached;
	double reach_rate;
	struct report_count *topics; /* by name */
	size_t ntopics;
	struct report_count *categories; /* offers referred, by category */
	size_t ncategories;
	int64_t concerns; /* for a citizen's safety, raised in these calls */

	/* doc/programmes.md: the programme every figure is of (NULL: all),
	 * the courses referred by a caseworker, and the courses in the
	 * period by programme id. */
	char *programme;
	int64_t referrals;
	struct report_count *programmes;
	size_t nprogrammes;
};

int report_summary(struct store *store, const struct cal_closures *closures, cal_day from,
		   cal_day to, struct report_summary **out, struct error *err);
/* The same for the courses of one programme (NULL: all), and their calls. */
int report_summary_of(struct store *store, const struct cal_closures *closures, cal_day from,
		      cal_day to, const char *programme, struct report_summary **out,
		      struct error *err);
void report_summary_free(struct report_summary *r);

/* The figures as the JSON of GET /v1/reports/summary (doc/openapi.yaml,
 * Summary): shares and means rounded to 4 decimals. New reference. */
json_t *report_summary_json(const struct report_summary *r);

#endif
