/*
 * schedule.h - the plan, the window and the next call (doc/scheduling.md).
 *
 * Contract:
 *  - Pure functions of the rules and dates: no database, no clock. "today"
 *    is always the caller's local date (cal_day_of_instant of its now).
 *  - window_end = discharge + window_months (calendar months, clamped).
 *  - A plan step is due on the first working day on or after
 *    discharge + offset; a step due after window_end does not exist. The
 *    offsets are plan_days, or, for a regular plan (interval_days > 0),
 *    first_day + i * interval_days. "discharge" is the day the course's
 *    window starts: the discharge, or a referral's decided start.
 *    Nothing these functions return is ever due after window_end or on a
 *    day that is not a working day; "no call" is CAL_NO_DAY.
 */
#ifndef MENTORD_SCHEDULE_H
#define MENTORD_SCHEDULE_H

#include <stdbool.h>

#include "calendar.h"
#include "error.h"
#include "schedule-rules.h"

/* Why a call is made; the names are the API's "reason" values. */
enum schedule_reason {
	SCHEDULE_FIRST_CONTACT,
	SCHEDULE_FOLLOW_UP,
	SCHEDULE_RETRY,
	SCHEDULE_AGREED,
	SCHEDULE_RESUMED,
};

/* A call to schedule; due == CAL_NO_DAY means no further call. */
struct schedule_call {
	cal_day due;
	enum schedule_reason reason;
	int attempt;	    /* 1 for a new contact, n for its n-th attempt */
	bool first_contact; /* an attempt of the course's first contact */
};

const char *schedule_reason_name(enum schedule_reason reason);
int schedule_reason_parse(const char *name, enum schedule_reason *out);

/* A course's window. end is computed once, when the course is made, and
 * stored: a configuration reload changes the rules for new courses, never
 * the window an existing course was promised. */
struct schedule_window {
	cal_day discharge;
	cal_day end;
};

cal_day schedule_window_end(const struct schedule_rules *rules, cal_day discharge);
void schedule_window_init(const struct schedule_rules *rules, cal_day discharge,
			  struct schedule_window *w);

/* Due date of plan step i (0-based), or CAL_NO_DAY if there is no such
 * step or it falls after the window's end. */
cal_day schedule_step_due(const struct schedule_rules *rules, const struct schedule_window *w,
			  size_t i);

/* The first plan step due on or after from, or CAL_NO_DAY. */
cal_day schedule_step_from(const struct schedule_rules *rules, const struct schedule_window *w,
			   cal_day from);

/* The first day a planned end is allowed without the citizen's wish or
 * weighty professional reasons (start + min_months), or CAL_NO_DAY when
 * the plan has no minimum length or the course has not started. */
cal_day schedule_min_end(const struct schedule_rules *rules, const struct schedule_window *w);

/* The first follow-up meeting (doc/programmes.md) due on or after from:
 * meetings are every interval_days from the start (start + k *
 * interval_days, k >= 1), each moved forward to a working day like a plan
 * step; CAL_NO_DAY when none is left in the window, interval_days is 0 or
 * the course has not started. */
cal_day schedule_meeting_from(const struct schedule_rules *rules, int interval_days,
			      const struct schedule_window *w, cal_day from);

/* The first contact: plan step 0 (it may already be overdue when a
 * notification arrives late). */
void schedule_first_contact(const struct schedule_rules *rules, const struct schedule_window *w,
			    struct schedule_call *out);

/* The day a citizen may be told to expect a call due on due: that day,
 * or, if it is already past (a late notification's overdue first contact
 * heads today's queue), the first working day on or after today.
 * CAL_NO_DAY if there is no call or that day falls after the window.
 * The call's due date itself is not changed. */
cal_day schedule_promised_day(const struct schedule_rules *rules, const struct schedule_window *w,
			      cal_day today, cal_day due);

/* An agreed date moved to a working day; ERROR_INVALID on field if the
 * moved date is before tomorrow or after the window's end. */
int schedule_agreed_date(const struct schedule_rules *rules, const struct schedule_window *w,
			 cal_day today, cal_day agreed, const char *field, cal_day *due,
			 struct error *err);

/* After a reached call on today: the agreed date if one was given
 * (agreed != CAL_NO_DAY, validated as above on "next.date"), else the
 * first plan step due at least min_gap_days after today, else no call. */
int schedule_after_reached(const struct schedule_rules *rules, const struct schedule_window *w,
			   cal_day today, cal_day agreed, struct schedule_call *out,
			   struct error *err);

/* After no answer on attempt `attempt` of a contact: a retry on the next
 * working day, or, once retry_attempts attempts are used (or no retry fits
 * the window), the first plan step due after today and *unreached = true. */
void schedule_after_no_answer(const struct schedule_rules *rules, const struct schedule_window *w,
			      cal_day today, int attempt, bool first_contact,
			      struct schedule_call *out, bool *unreached);

/* Resuming an ended course on today: ERROR_CONFLICT after the window's
 * end; the call is the agreed date (validated, field "date") or the next
 * working day after today, or none if that falls after the window. */
int schedule_resume(const struct schedule_rules *rules, const struct schedule_window *w,
		    cal_day today, cal_day agreed, struct schedule_call *out, struct error *err);

#endif
