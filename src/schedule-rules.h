/*
 * schedule-rules.h - the configurable rules of doc/scheduling.md.
 *
 * Contract: a plain value filled and validated by config.c; the scheduling
 * code only reads it. Copying the struct copies everything (no pointers), so
 * a SIGHUP reload can swap it atomically between two loop iterations.
 */
#ifndef MENTORD_SCHEDULE_RULES_H
#define MENTORD_SCHEDULE_RULES_H

#include <stddef.h>

#include "calendar.h"

#define SCHEDULE_MAX_PLAN_STEPS 32
/* A regular plan of one day within a window of 24 months has 731 steps. */
#define SCHEDULE_MAX_REGULAR_STEPS 800

struct schedule_rules {
	int window_months;			/* default 6 */
	int plan_days[SCHEDULE_MAX_PLAN_STEPS]; /* offsets from discharge date, ascending */
	size_t plan_count;			/* default 7: 1,7,14,28,56,91,140 */
	/* A regular plan instead (doc/programmes.md): with interval_days > 0
	 * step i is due first_day + i * interval_days after the start, for
	 * as long as the window lasts, and plan_days is not used. */
	int interval_days; /* default 0: the step plan above */
	int first_day;	   /* default 1 */
	/* Months a course runs before a planned end (0: no minimum); before
	 * then only the citizen's wish or weighty professional reasons end it. */
	int min_months;
	int min_gap_days;	      /* default 3 */
	int retry_attempts;	      /* default 3, attempts in total per contact */
	struct cal_closures closures; /* shipped: 06-05, 12-24, 12-31 */
	int await_days;		      /* intake.await_days, default 30: how long a referral, or a
			 * readmitted course past its window, waits for a discharge */
};

/* The defaults of doc/scheduling.md (closures: 5 Jun, 24 Dec, 31 Dec). */
void schedule_rules_default(struct schedule_rules *rules);

#endif
