/*
 * schedule.c - the plan, the window and the next call (schedule.h).
 */
#include "schedule.h"

#include <string.h>

static const char *const schedule_reasons[] = {
	[SCHEDULE_FIRST_CONTACT] = "first_contact",
	[SCHEDULE_FOLLOW_UP] = "follow_up",
	[SCHEDULE_RETRY] = "retry",
	[SCHEDULE_AGREED] = "agreed",
	[SCHEDULE_RESUMED] = "resumed",
};

#define SCHEDULE_NREASONS (sizeof schedule_reasons / sizeof schedule_reasons[0])

const char *schedule_reason_name(enum schedule_reason reason)
{
	if ((size_t)reason >= SCHEDULE_NREASONS)
		return "unknown";
	return schedule_reasons[reason];
}

int schedule_reason_parse(const char *name, enum schedule_reason *out)
{
	for (size_t i = 0; i < SCHEDULE_NREASONS; i++) {
		if (strcmp(name, schedule_reasons[i]) == 0) {
			*out = (enum schedule_reason)i;
			return 0;
		}
	}
	return -1;
}

cal_day schedule_window_end(const struct schedule_rules *rules, cal_day discharge)
{
	return cal_add_months(discharge, rules->window_months);
}

void schedule_window_init(const struct schedule_rules *rules, cal_day discharge,
			  struct schedule_window *w)
{
	w->discharge = discharge;
	w->end = schedule_window_end(rules, discharge);
}

/* The first working day on or after d, unless that is after the window. */
static cal_day schedule_in_window(const struct schedule_rules *rules,
				  const struct schedule_window *w, cal_day d)
{
	cal_day due = cal_next_working_day(&rules->closures, d);

	if (due > w->end)
		return CAL_NO_DAY;
	return due;
}

/* The offset of plan step i from the start, or -1 if there is none. A
 * regular plan has a step as long as the window lasts; its caller stops
 * at the window's end. */
static long schedule_offset(const struct schedule_rules *rules, size_t i)
{
	if (rules->interval_days > 0)
		return i < SCHEDULE_MAX_REGULAR_STEPS
			       ? (long)rules->first_day + (long)i * rules->interval_days
			       : -1;
	if (i >= rules->plan_count || i >= SCHEDULE_MAX_PLAN_STEPS)
		return -1;
	return rules->plan_days[i];
}

cal_day schedule_step_due(const struct schedule_rules *rules, const struct schedule_window *w,
			  size_t i)
{
	long offset = schedule_offset(rules, i);

	if (offset < 0 || w->discharge + offset > w->end)
		return CAL_NO_DAY;
	return schedule_in_window(rules, w, w->discharge + (cal_day)offset);
}

cal_day schedule_step_from(const struct schedule_rules *rules, const struct schedule_window *w,
			   cal_day from)
{
	size_t i = 0;
	long offset;
	cal_day due;

	/* Walked from the first step even for a regular plan: a run of
	 * closure days may move a step forward by any number of days, and a
	 * window holds at most a few hundred steps. Offsets ascend, but two steps may move onto the same day, so the
	 * first match in plan order is also the earliest. */
	for (; (offset = schedule_offset(rules, i)) >= 0 && w->discharge + offset <= w->end; i++) {
		due = schedule_in_window(rules, w, w->discharge + (cal_day)offset);
		if (due != CAL_NO_DAY && due >= from)
			return due;
	}
	return CAL_NO_DAY;
}

cal_day schedule_min_end(const struct schedule_rules *rules, const struct schedule_window *w)
{
	if (rules->min_months <= 0 || w->discharge == CAL_NO_DAY)
		return CAL_NO_DAY;
	return cal_add_months(w->discharge, rules->min_months);
}

cal_day schedule_meeting_from(const struct schedule_rules *rules, int interval_days,
			      const struct schedule_window *w, cal_day from)
{
	cal_day day, due;

	if (interval_days <= 0 || w->discharge == CAL_NO_DAY)
		return CAL_NO_DAY;
	/* Counted from the start, not from the last meeting: a meeting moved
	 * past a holiday does not push every later one along. */
	for (day = w->discharge + interval_days; day <= w->end; day += interval_days) {
		due = schedule_in_window(rules, w, day);
		if (due != CAL_NO_DAY && due >= from)
			return due;
	}
	return CAL_NO_DAY;
}

static void schedule_set(struct schedule_call *out, cal_day due, enum schedule_reason reason,
			 int attempt, bool first_contact)
{
	out->due = due;
	out->reason = reason;
	out->attempt = attempt;
	out->first_contact = first_contact;
}

void schedule_first_contact(const struct schedule_rules *rules, const struct schedule_window *w,
			    struct schedule_call *out)
{
	schedule_set(out, schedule_step_due(rules, w, 0), SCHEDULE_FIRST_CONTACT, 1, true);
}

cal_day schedule_promised_day(const struct schedule_rules *rules, const struct schedule_window *w,
			      cal_day today, cal_day due)
{
	if (due == CAL_NO_DAY || due >= today)
		return due;
	return schedule_in_window(rules, w, today);
}

int schedule_agreed_date(const struct schedule_rules *rules, const struct schedule_window *w,
			 cal_day today, cal_day agreed, const char *field, cal_day *due,
			 struct error *err)
{
	char buf[CAL_DATE_LEN];
	cal_day moved = cal_next_working_day(&rules->closures, agreed);

	/* The date as agreed must be tomorrow or later, and so must the day
	 * it moves to: a Saturday "today" is not a Monday call agreed. */
	if (agreed <= today || moved <= today)
		return error_set(err, ERROR_INVALID, field,
				 "the agreed date must be tomorrow or later");
	if (moved > w->end) {
		cal_day_format(w->end, buf);
		return error_set(err, ERROR_INVALID, field,
				 "the agreed date falls after the course window ends on %s", buf);
	}
	*due = moved;
	return 0;
}

int schedule_after_reached(const struct schedule_rules *rules, const struct schedule_window *w,
			   cal_day today, cal_day agreed, struct schedule_call *out,
			   struct error *err)
{
	cal_day due = CAL_NO_DAY;

	if (agreed != CAL_NO_DAY) {
		if (schedule_agreed_date(rules, w, today, agreed, "next.date", &due, err) != 0)
			return -1;
		schedule_set(out, due, SCHEDULE_AGREED, 1, false);
		return 0;
	}
	due = schedule_step_from(rules, w, today + rules->min_gap_days);
	schedule_set(out, due, SCHEDULE_FOLLOW_UP, 1, false);
	return 0;
}

void schedule_after_no_answer(const struct schedule_rules *rules, const struct schedule_window *w,
			      cal_day today, int attempt, bool first_contact,
			      struct schedule_call *out, bool *unreached)
{
	cal_day due = CAL_NO_DAY;

	if (attempt < rules->retry_attempts)
		due = schedule_in_window(rules, w, today + 1);
	if (due != CAL_NO_DAY) {
		*unreached = false;
		schedule_set(out, due, SCHEDULE_RETRY, attempt + 1, first_contact);
		return;
	}
	/* The contact is given up: the attempts are used, or the window
	 * has no working day left for another one. */
	*unreached = true;
	schedule_set(out, schedule_step_from(rules, w, today + 1), SCHEDULE_FOLLOW_UP, 1, false);
}

int schedule_resume(const struct schedule_rules *rules, const struct schedule_window *w,
		    cal_day today, cal_day agreed, struct schedule_call *out, struct error *err)
{
	char buf[CAL_DATE_LEN];
	cal_day due = CAL_NO_DAY;

	if (today > w->end) {
		cal_day_format(w->end, buf);
		return error_set(err, ERROR_CONFLICT, NULL, "the course window ended on %s", buf);
	}
	if (agreed != CAL_NO_DAY) {
		if (schedule_agreed_date(rules, w, today, agreed, "date", &due, err) != 0)
			return -1;
	} else {
		due = schedule_in_window(rules, w, today + 1);
	}
	schedule_set(out, due, SCHEDULE_RESUMED, 1, false);
	return 0;
}
