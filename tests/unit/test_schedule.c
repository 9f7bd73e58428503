/*
 * test_schedule.c - unit tests for schedule.c: window, plan, next call.
 *
 * Every table row names its scenario; a failing row is reported by name and
 * the other rows still run. Expected dates were worked out by hand from the
 * rules of doc/scheduling.md and checked with `date -d ... +%A` for the
 * weekdays and an independent Python script (its own Easter and holiday
 * table) for the plan dates; none of them comes from running schedule.c.
 * Holidays used below: Easter 2026 is 5 Apr (Maundy Thursday 2 Apr, Good
 * Friday 3 Apr, Easter Monday 6 Apr); Easter 2023 is 9 Apr (Store Bededag
 * Fri 5 May 2023); Easter 2024 is 31 Mar (26 Apr 2024 would have been Store
 * Bededag, abolished from 2024). DST began on Sun 29 Mar 2026.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "schedule.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define CASE_FAIL(name, ...)                                                   \
	do {                                                                   \
		print_error("  case \"%s\": ", (name));                        \
		print_error(__VA_ARGS__);                                      \
		print_error("\n");                                             \
		failures++;                                                    \
	} while (0)

static void check_done(int failures)
{
	if (failures != 0)
		fail_msg("%d case(s) failed", failures);
}

static cal_day D(const char *text)
{
	cal_day d;

	if (text == NULL)
		return CAL_NO_DAY;
	if (cal_day_parse(text, &d) != 0)
		fail_msg("the test table has a bad date \"%s\"", text);
	return d;
}

static const char *fmt(cal_day d, char buf[CAL_DATE_LEN])
{
	if (d == CAL_NO_DAY)
		snprintf(buf, CAL_DATE_LEN, "none");
	else
		cal_day_format(d, buf);
	return buf;
}

static struct schedule_rules defaults(void)
{
	struct schedule_rules r;

	schedule_rules_default(&r);
	return r;
}

static struct schedule_window window(const struct schedule_rules *r, const char *discharge)
{
	struct schedule_window w;

	schedule_window_init(r, D(discharge), &w);
	return w;
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *discharge;
	int months;
	const char *end;
} window_cases[] = {
	{"31 Aug + 6 months is 28 Feb in a common year", "2026-08-31", 6, "2027-02-28"},
	{"31 Aug + 6 months is 29 Feb in a leap year", "2027-08-31", 6, "2028-02-29"},
	{"31 Aug 2023 + 6 months is 29 Feb 2024", "2023-08-31", 6, "2024-02-29"},
	{"29 Feb + 6 months is 29 Aug", "2024-02-29", 6, "2024-08-29"},
	{"29 Feb + 12 months is 28 Feb", "2024-02-29", 12, "2025-02-28"},
	{"31 Mar + 6 months is 30 Sep", "2026-03-31", 6, "2026-09-30"},
	{"31 Dec + 6 months is 30 Jun", "2025-12-31", 6, "2026-06-30"},
	{"the day before Maundy Thursday 2026", "2026-04-01", 6, "2026-10-01"},
	{"a 3-month window across the year end", "2026-11-30", 3, "2027-02-28"},
};

static void test_window_end(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(window_cases); i++) {
		struct schedule_rules r = defaults();
		cal_day end;

		r.window_months = window_cases[i].months;
		end = schedule_window_end(&r, D(window_cases[i].discharge));
		if (end != D(window_cases[i].end))
			CASE_FAIL(window_cases[i].name, "window ends %s, want %s", fmt(end, got),
				  window_cases[i].end);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *discharge;
	const char *first;
} first_contact_cases[] = {
	{"day before Maundy Thursday 2026: Easter closes Thu to Mon", "2026-04-01", "2026-04-07"},
	{"Friday discharge: first contact on Monday", "2026-03-13", "2026-03-16"},
	{"Saturday discharge: first contact on Monday", "2026-03-14", "2026-03-16"},
	{"Thursday discharge: the next day is a Friday", "2026-03-12", "2026-03-13"},
	{"23 Dec 2026: 24 Dec closed, 25-26 Dec, then a weekend", "2026-12-23", "2026-12-28"},
	{"23 Dec 2025: closure and holidays Wed to Fri", "2025-12-23", "2025-12-29"},
	{"30 Dec 2026: 31 Dec closed, New Year on a Friday", "2026-12-30", "2027-01-04"},
	{"30 Dec 2025: 31 Dec closed, New Year on a Thursday", "2025-12-30", "2026-01-02"},
	{"Store Bededag 2023 is a holiday: Fri 5 May moves on", "2023-05-04", "2023-05-08"},
	{"Store Bededag 2024 is abolished: Fri 26 Apr is worked", "2024-04-25", "2024-04-26"},
	{"Friday before the DST change: Monday after it", "2026-03-27", "2026-03-30"},
	{"4 Jun: 5 Jun (Constitution Day) is a closure day", "2026-06-04", "2026-06-08"},
	{"Ascension Day 2026 (14 May) moves to Friday", "2026-05-13", "2026-05-15"},
	{"Whit Monday 2026 (25 May) moves to Tuesday", "2026-05-24", "2026-05-26"},
};

static void test_first_contact(void **state)
{
	struct schedule_rules r = defaults();
	struct schedule_call c;
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(first_contact_cases); i++) {
		struct schedule_window w = window(&r, first_contact_cases[i].discharge);

		memset(&c, 0xff, sizeof c);
		schedule_first_contact(&r, &w, &c);
		if (c.due != D(first_contact_cases[i].first))
			CASE_FAIL(first_contact_cases[i].name, "due %s, want %s", fmt(c.due, got),
				  first_contact_cases[i].first);
		if (c.reason != SCHEDULE_FIRST_CONTACT || c.attempt != 1 || !c.first_contact)
			CASE_FAIL(first_contact_cases[i].name, "reason %s attempt %d first %d",
				  schedule_reason_name(c.reason), c.attempt, c.first_contact);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

/* All seven default steps, and plans cut by the window. */
static const struct {
	const char *name;
	const char *discharge;
	int months;
	int plan[8];
	size_t nplan;
	const char *due[8]; /* NULL: the step is dropped */
} plan_cases[] = {
	{"every default step after 1 Apr 2026", "2026-04-01", 6,
	 {1, 7, 14, 28, 56, 91, 140}, 7,
	 {"2026-04-07", "2026-04-08", "2026-04-15", "2026-04-29", "2026-05-27", "2026-07-01",
	  "2026-08-19"}},
	{"every default step after 23 Dec 2026", "2026-12-23", 6,
	 {1, 7, 14, 28, 56, 91, 140}, 7,
	 {"2026-12-28", "2026-12-30", "2027-01-06", "2027-01-20", "2027-02-17", "2027-03-24",
	  "2027-05-12"}},
	{"Store Bededag 2023 on the 14-day step", "2023-04-21", 6, {1, 7, 14}, 3,
	 {"2023-04-24", "2023-04-28", "2023-05-08"}},
	{"no Store Bededag 2024 on the 14-day step", "2024-04-12", 6, {1, 7, 14}, 3,
	 {"2024-04-15", "2024-04-19", "2024-04-26"}},
	{"a 4-month window drops the 140-day step", "2026-04-01", 4,
	 {1, 7, 14, 28, 56, 91, 140}, 7,
	 {"2026-04-07", "2026-04-08", "2026-04-15", "2026-04-29", "2026-05-27", "2026-07-01",
	  NULL}},
	/* window_end 2026-09-27 is a Sunday: the step due on it would move
	 * to Mon 28 Sep, after the window, so it is dropped. */
	{"a step on a Sunday window end is dropped", "2026-03-27", 6, {1, 184}, 2,
	 {"2026-03-30", NULL}},
	/* window_end 2026-10-01 is a Thursday: a step on it stays. */
	{"a step on a working-day window end stays", "2026-04-01", 6, {1, 183}, 2,
	 {"2026-04-07", "2026-10-01"}},
	/* 29 Sep 2026 is a Tuesday and window_end is Thu 1 Oct 2026. */
	{"a step just inside the window stays", "2026-04-01", 6, {181}, 1, {"2026-09-29"}},
};

static void test_plan_steps(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(plan_cases); i++) {
		struct schedule_rules r = defaults();
		struct schedule_window w;

		r.window_months = plan_cases[i].months;
		memcpy(r.plan_days, plan_cases[i].plan, sizeof plan_cases[i].plan);
		r.plan_count = plan_cases[i].nplan;
		w = window(&r, plan_cases[i].discharge);
		for (size_t s = 0; s < plan_cases[i].nplan; s++) {
			cal_day due = schedule_step_due(&r, &w, s);

			if (due != D(plan_cases[i].due[s]))
				CASE_FAIL(plan_cases[i].name, "step %zu due %s, want %s", s,
					  fmt(due, got),
					  plan_cases[i].due[s] ? plan_cases[i].due[s] : "none");
		}
		if (schedule_step_due(&r, &w, plan_cases[i].nplan) != CAL_NO_DAY)
			CASE_FAIL(plan_cases[i].name, "a step past the plan exists");
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

/* Discharge 1 Apr 2026: steps 7 Apr, 8 Apr, 15 Apr, 29 Apr, 27 May, 1 Jul,
 * 19 Aug; window end Thu 1 Oct 2026. */
static const struct {
	const char *name;
	const char *today;
	const char *agreed;
	int want_rc; /* 0 or the error_kind */
	const char *want_due;
	enum schedule_reason want_reason;
} reached_cases[] = {
	{"first contact reached: the 8 Apr step is too close", "2026-04-07", NULL, 0, "2026-04-15",
	 SCHEDULE_FOLLOW_UP},
	{"a step exactly min_gap days later is taken", "2026-04-12", NULL, 0, "2026-04-15",
	 SCHEDULE_FOLLOW_UP},
	{"a step one day short of min_gap is skipped", "2026-04-13", NULL, 0, "2026-04-29",
	 SCHEDULE_FOLLOW_UP},
	{"reached after the last step's gap: no further call", "2026-08-17", NULL, 0, NULL,
	 SCHEDULE_FOLLOW_UP},
	{"reached 3 days before the last step: it is taken", "2026-08-16", NULL, 0, "2026-08-19",
	 SCHEDULE_FOLLOW_UP},
	{"agreed on a Saturday moves to Monday", "2026-04-15", "2026-04-18", 0, "2026-04-20",
	 SCHEDULE_AGREED},
	{"agreed on Maundy Thursday moves past Easter", "2026-03-31", "2026-04-02", 0,
	 "2026-04-07", SCHEDULE_AGREED},
	{"agreed for tomorrow is accepted", "2026-04-15", "2026-04-16", 0, "2026-04-16",
	 SCHEDULE_AGREED},
	{"agreed for today is refused", "2026-04-15", "2026-04-15", ERROR_INVALID, NULL,
	 SCHEDULE_AGREED},
	{"agreed for yesterday is refused", "2026-04-15", "2026-04-14", ERROR_INVALID, NULL,
	 SCHEDULE_AGREED},
	{"agreed on the window's last day is accepted", "2026-09-01", "2026-10-01", 0,
	 "2026-10-01", SCHEDULE_AGREED},
	{"agreed the day after the window is refused", "2026-09-01", "2026-10-02", ERROR_INVALID,
	 NULL, SCHEDULE_AGREED},
	{"agreed long after the window is refused", "2026-09-01", "2027-01-05", ERROR_INVALID,
	 NULL, SCHEDULE_AGREED},
};

static void test_after_reached(void **state)
{
	struct schedule_rules r = defaults();
	struct schedule_window w = window(&r, "2026-04-01");
	struct schedule_call c;
	struct error err;
	char got[CAL_DATE_LEN];
	int failures = 0, rc;

	(void)state;
	for (size_t i = 0; i < nitems(reached_cases); i++) {
		const char *name = reached_cases[i].name;

		error_clear(&err);
		memset(&c, 0, sizeof c);
		c.due = D("2000-01-01");
		rc = schedule_after_reached(&r, &w, D(reached_cases[i].today),
					    D(reached_cases[i].agreed), &c, &err);
		if (reached_cases[i].want_rc != 0) {
			if (rc != -1 || err.kind != (enum error_kind)reached_cases[i].want_rc ||
			    strcmp(err.field, "next.date") != 0)
				CASE_FAIL(name, "rc %d kind %d field \"%s\"", rc, err.kind, err.field);
			else if (c.due != D("2000-01-01"))
				CASE_FAIL(name, "refused but wrote the call");
			continue;
		}
		if (rc != 0) {
			CASE_FAIL(name, "refused: %s", err.message);
			continue;
		}
		if (c.due != D(reached_cases[i].want_due))
			CASE_FAIL(name, "due %s, want %s", fmt(c.due, got),
				  reached_cases[i].want_due ? reached_cases[i].want_due : "none");
		if (c.due != CAL_NO_DAY &&
		    (c.reason != reached_cases[i].want_reason || c.attempt != 1 || c.first_contact))
			CASE_FAIL(name, "reason %s attempt %d first %d",
				  schedule_reason_name(c.reason), c.attempt, c.first_contact);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *discharge;
	int retry_attempts;
	const char *today;
	int attempt;
	bool first_contact;
	const char *want_due;
	enum schedule_reason want_reason;
	int want_attempt;
	bool want_unreached;
} no_answer_cases[] = {
	{"first attempt on a Friday: retry on Monday", "2026-03-13", 3, "2026-03-20", 1, true,
	 "2026-03-23", SCHEDULE_RETRY, 2, false},
	{"a retry keeps the first-contact mark", "2026-03-12", 3, "2026-03-13", 1, true,
	 "2026-03-16", SCHEDULE_RETRY, 2, false},
	{"second attempt before Easter: retry after it", "2026-03-27", 3, "2026-04-01", 2, false,
	 "2026-04-07", SCHEDULE_RETRY, 3, false},
	{"third attempt: give up, first step after today", "2026-04-01", 3, "2026-04-09", 3, true,
	 "2026-04-15", SCHEDULE_FOLLOW_UP, 1, true},
	{"give up on a step's due date: the step after it", "2026-04-01", 3, "2026-04-15", 3,
	 false, "2026-04-29", SCHEDULE_FOLLOW_UP, 1, true},
	{"give up after the last step: no call", "2026-04-01", 3, "2026-08-20", 3, false, NULL,
	 SCHEDULE_FOLLOW_UP, 1, true},
	{"one attempt allowed: give up at once", "2026-04-01", 1, "2026-04-07", 1, true,
	 "2026-04-08", SCHEDULE_FOLLOW_UP, 1, true},
	{"five attempts allowed: the fourth still retries", "2026-04-01", 5, "2026-04-10", 4, true,
	 "2026-04-13", SCHEDULE_RETRY, 5, false},
	{"no retry fits the window: give up", "2026-04-01", 3, "2026-10-01", 1, false, NULL,
	 SCHEDULE_FOLLOW_UP, 1, true},
	{"the retry on the window's last day is allowed", "2026-04-01", 3, "2026-09-30", 1, false,
	 "2026-10-01", SCHEDULE_RETRY, 2, false},
};

static void test_after_no_answer(void **state)
{
	struct schedule_call c;
	char got[CAL_DATE_LEN];
	int failures = 0;
	bool unreached;

	(void)state;
	for (size_t i = 0; i < nitems(no_answer_cases); i++) {
		struct schedule_rules r = defaults();
		struct schedule_window w;
		const char *name = no_answer_cases[i].name;

		r.retry_attempts = no_answer_cases[i].retry_attempts;
		w = window(&r, no_answer_cases[i].discharge);
		unreached = !no_answer_cases[i].want_unreached;
		schedule_after_no_answer(&r, &w, D(no_answer_cases[i].today),
					 no_answer_cases[i].attempt, no_answer_cases[i].first_contact,
					 &c, &unreached);
		if (c.due != D(no_answer_cases[i].want_due))
			CASE_FAIL(name, "due %s, want %s", fmt(c.due, got),
				  no_answer_cases[i].want_due ? no_answer_cases[i].want_due : "none");
		if (unreached != no_answer_cases[i].want_unreached)
			CASE_FAIL(name, "unreached %d", unreached);
		if (c.due == CAL_NO_DAY)
			continue;
		if (c.reason != no_answer_cases[i].want_reason ||
		    c.attempt != no_answer_cases[i].want_attempt)
			CASE_FAIL(name, "reason %s attempt %d", schedule_reason_name(c.reason),
				  c.attempt);
		if (c.first_contact !=
		    (no_answer_cases[i].first_contact && c.reason == SCHEDULE_RETRY))
			CASE_FAIL(name, "first_contact %d", c.first_contact);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

/* Discharge 1 Apr 2026, window end Thu 1 Oct 2026. */
static const struct {
	const char *name;
	const char *today;
	const char *agreed;
	int want_rc;
	const char *want_field;
	const char *want_due;
} resume_cases[] = {
	{"resume on a Tuesday: Wednesday", "2026-05-05", NULL, 0, NULL, "2026-05-06"},
	{"resume on a Friday: Monday", "2026-05-08", NULL, 0, NULL, "2026-05-11"},
	{"resume before Easter: the Tuesday after", "2026-04-01", NULL, 0, NULL, "2026-04-07"},
	{"resume with an agreed date", "2026-05-05", "2026-05-20", 0, NULL, "2026-05-20"},
	{"resume with an agreed Sunday", "2026-05-05", "2026-05-10", 0, NULL, "2026-05-11"},
	{"resume on the window's last day: no call fits", "2026-10-01", NULL, 0, NULL, NULL},
	{"resume the day after the window: refused", "2026-10-02", NULL, ERROR_CONFLICT, "", NULL},
	{"resume months after the window: refused", "2027-01-04", NULL, ERROR_CONFLICT, "", NULL},
	{"resume with a date after the window: refused", "2026-09-20", "2026-10-05", ERROR_INVALID,
	 "date", NULL},
	{"resume with a date in the past: refused", "2026-09-20", "2026-09-01", ERROR_INVALID,
	 "date", NULL},
};

static void test_resume(void **state)
{
	struct schedule_rules r = defaults();
	struct schedule_window w = window(&r, "2026-04-01");
	struct schedule_call c;
	struct error err;
	char got[CAL_DATE_LEN];
	int failures = 0, rc;

	(void)state;
	for (size_t i = 0; i < nitems(resume_cases); i++) {
		const char *name = resume_cases[i].name;

		error_clear(&err);
		rc = schedule_resume(&r, &w, D(resume_cases[i].today), D(resume_cases[i].agreed),
				     &c, &err);
		if (resume_cases[i].want_rc != 0) {
			if (rc != -1 || err.kind != (enum error_kind)resume_cases[i].want_rc ||
			    strcmp(err.field, resume_cases[i].want_field) != 0)
				CASE_FAIL(name, "rc %d kind %d field \"%s\"", rc, err.kind, err.field);
			continue;
		}
		if (rc != 0) {
			CASE_FAIL(name, "refused: %s", err.message);
			continue;
		}
		if (c.due != D(resume_cases[i].want_due))
			CASE_FAIL(name, "due %s, want %s", fmt(c.due, got),
				  resume_cases[i].want_due ? resume_cases[i].want_due : "none");
		if (c.due != CAL_NO_DAY && (c.reason != SCHEDULE_RESUMED || c.attempt != 1))
			CASE_FAIL(name, "reason %s attempt %d", schedule_reason_name(c.reason),
				  c.attempt);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

/* What a welcome may promise. Discharge 1 Apr 2026 (window end Thu 1 Oct);
 * discharge Sat 4 Apr 2026 (window end Sun 4 Oct). */
static const struct {
	const char *name;
	const char *discharge;
	const char *today;
	const char *due;
	const char *want; /* NULL: nothing to promise */
} promised_cases[] = {
	{"a call still to come: its due date", "2026-04-01", "2026-04-01", "2026-04-07",
	 "2026-04-07"},
	{"a call due today: today", "2026-04-01", "2026-04-07", "2026-04-07", "2026-04-07"},
	{"an overdue call on a working day: today", "2026-04-01", "2026-04-08", "2026-04-07",
	 "2026-04-08"},
	{"an overdue call on a Saturday: Monday", "2026-04-01", "2026-04-11", "2026-04-07",
	 "2026-04-13"},
	{"an overdue call on Maundy Thursday: the Tuesday after Easter", "2026-04-01",
	 "2026-04-02", "2026-04-01", "2026-04-07"},
	{"no call: nothing", "2026-04-01", "2026-04-08", NULL, NULL},
	{"no working day left in the window: nothing", "2026-04-04", "2026-10-03", "2026-04-07",
	 NULL},
};

static void test_promised_day(void **state)
{
	struct schedule_rules r = defaults();
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(promised_cases); i++) {
		struct schedule_window w = window(&r, promised_cases[i].discharge);
		cal_day day = schedule_promised_day(&r, &w, D(promised_cases[i].today),
						    D(promised_cases[i].due));

		if (day != D(promised_cases[i].want))
			CASE_FAIL(promised_cases[i].name, "promised %s, want %s", fmt(day, got),
				  promised_cases[i].want ? promised_cases[i].want : "none");
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

static void test_reason_names(void **state)
{
	static const char *const names[] = {"first_contact", "follow_up", "retry", "agreed",
					    "resumed"};
	enum schedule_reason r;

	(void)state;
	for (size_t i = 0; i < nitems(names); i++) {
		assert_int_equal(schedule_reason_parse(names[i], &r), 0);
		assert_string_equal(schedule_reason_name(r), names[i]);
	}
	assert_int_equal(schedule_reason_parse("callback", &r), -1);
	assert_int_equal(schedule_reason_parse("", &r), -1);
}

/* Every step of every discharge day in 2023-2028 is a working day within
 * the window, and step i never comes before step i-1. */
static void test_plan_invariants(void **state)
{
	struct schedule_rules r = defaults();
	cal_day first = D("2023-01-01"), last = D("2028-12-31"), due, prev;

	(void)state;
	for (cal_day d = first; d <= last; d++) {
		struct schedule_window w;

		schedule_window_init(&r, d, &w);
		prev = d;
		for (size_t i = 0; i < r.plan_count; i++) {
			if ((due = schedule_step_due(&r, &w, i)) == CAL_NO_DAY)
				fail_msg("day %d step %zu dropped", (int)d, i);
			if (!cal_is_working_day(&r.closures, due) || cal_weekday(due) > 5)
				fail_msg("day %d step %zu on a non-working day", (int)d, i);
			if (due > w.end || due < prev || due < d + r.plan_days[i])
				fail_msg("day %d step %zu out of order or window", (int)d, i);
			prev = due;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Plans of other programmes (doc/programmes.md): a regular interval, and
 * steps of the programme's own, on the Danish calendar. The expected dates
 * were computed by an independent Python script (its own Easter and
 * holiday table). Easter 2026 is 5 Apr, Ascension 14 May 2026; Store
 * Bededag was Fri 5 May 2023 and is abolished from 2024. */

static const struct {
	const char *name;
	const char *start;
	int first_day, interval_days; /* interval 0: plan below */
	int plan[4];
	size_t nplan;
	int months;
	/* every step's due date in order, then NULL */
	const char *due[16];
} programme_plan_cases[] = {
	{"14 days from 1 Apr 2026: Easter, Ascension, the window's last day",
	 "2026-04-01",
	 1,
	 14,
	 {0},
	 0,
	 6,
	 {"2026-04-07", "2026-04-16", "2026-04-30", "2026-05-15", "2026-05-28", "2026-06-11",
	  "2026-06-25", "2026-07-09", "2026-07-23", "2026-08-06", "2026-08-20", "2026-09-03",
	  "2026-09-17", "2026-10-01", NULL}},
	{"weekly over Christmas 2026: 24 Dec closed to Mon 28, 31 Dec and New Year to Mon 4",
	 "2026-12-17",
	 0,
	 7,
	 {0},
	 0,
	 1,
	 {"2026-12-17", "2026-12-28", "2027-01-04", "2027-01-07", "2027-01-14", NULL}},
	{"fortnightly across Store Bededag 2023: Fri 5 May moves to Mon 8 May",
	 "2023-04-21",
	 0,
	 14,
	 {0},
	 0,
	 1,
	 {"2023-04-21", "2023-05-08", "2023-05-19", NULL}},
	{"fortnightly across 26 Apr 2024: no Store Bededag any more",
	 "2024-04-12",
	 0,
	 14,
	 {0},
	 0,
	 1,
	 {"2024-04-12", "2024-04-26", "2024-05-10", NULL}},
	{"a step plan of its own across Good Friday 2026",
	 "2026-03-31",
	 0,
	 0,
	 {0, 3, 10},
	 3,
	 1,
	 {"2026-03-31", "2026-04-07", "2026-04-10", NULL}},
};

static struct schedule_rules programme_plan_rules(size_t i)
{
	struct schedule_rules r = defaults();

	r.window_months = programme_plan_cases[i].months;
	r.first_day = programme_plan_cases[i].first_day;
	r.interval_days = programme_plan_cases[i].interval_days;
	if (programme_plan_cases[i].interval_days == 0) {
		memcpy(r.plan_days, programme_plan_cases[i].plan, sizeof programme_plan_cases[i].plan);
		r.plan_count = programme_plan_cases[i].nplan;
	}
	return r;
}

static void test_programme_plans(void **state)
{
	char got[CAL_DATE_LEN], want[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(programme_plan_cases); i++) {
		struct schedule_rules r = programme_plan_rules(i);
		struct schedule_window w = window(&r, programme_plan_cases[i].start);
		struct schedule_call first;
		size_t n = 0;

		while (programme_plan_cases[i].due[n] != NULL)
			n++;
		/* Each step, and none after the last. */
		for (size_t k = 0; k <= n; k++) {
			cal_day due = schedule_step_due(&r, &w, k);
			cal_day expect = D(programme_plan_cases[i].due[k]);
			if (due != expect)
				CASE_FAIL(programme_plan_cases[i].name, "step %zu due %s, want %s", k,
					  fmt(due, got), fmt(expect, want));
		}
		schedule_first_contact(&r, &w, &first);
		if (first.due != D(programme_plan_cases[i].due[0]) || !first.first_contact)
			CASE_FAIL(programme_plan_cases[i].name, "first contact %s", fmt(first.due, got));
		/* From any day, the first step due on or after it: the day
		 * after each step gives the next one. */
		for (size_t k = 0; k < n; k++) {
			cal_day from = D(programme_plan_cases[i].due[k]) + 1;
			cal_day due = schedule_step_from(&r, &w, from);
			cal_day expect = D(programme_plan_cases[i].due[k + 1]);
			if (due != expect)
				CASE_FAIL(programme_plan_cases[i].name, "step from %s is %s, want %s",
					  fmt(from, got), fmt(due, want), programme_plan_cases[i].due[k + 1]
									? programme_plan_cases[i].due[k + 1]
									: "none");
		}
	}
	check_done(failures);
}

/* A regular plan after a reached call, no answer, and its minimum length. */
static void test_regular_plan_next_call(void **state)
{
	struct schedule_rules r = defaults();
	struct schedule_window w;
	struct schedule_call sc;
	struct error err;
	char got[CAL_DATE_LEN];
	bool unreached;
	int failures = 0;

	(void)state;
	r.interval_days = 14;
	r.first_day = 1;
	w = window(&r, "2026-04-01");
	/* Reached on Fri 17 Apr: at least 3 days on is Mon 20 Apr, so the
	 * step of Thu 30 Apr. */
	assert_int_equal(schedule_after_reached(&r, &w, D("2026-04-17"), CAL_NO_DAY, &sc, &err), 0);
	if (sc.due != D("2026-04-30") || sc.reason != SCHEDULE_FOLLOW_UP)
		CASE_FAIL("reached 17 Apr", "next %s", fmt(sc.due, got));
	/* Reached on Wed 13 May, the day before Ascension: Sat 16 May on,
	 * the step of Thu 28 May (Thu 14 May moved to Fri 15 May is too soon). */
	assert_int_equal(schedule_after_reached(&r, &w, D("2026-05-13"), CAL_NO_DAY, &sc, &err), 0);
	if (sc.due != D("2026-05-28"))
		CASE_FAIL("reached 13 May", "next %s", fmt(sc.due, got));
	/* The last attempt unanswered on Tue 29 Sep: the step of 1 Oct, the
	 * window's last day. */
	r.retry_attempts = 2;
	schedule_after_no_answer(&r, &w, D("2026-09-29"), 2, false, &sc, &unreached);
	if (!unreached || sc.due != D("2026-10-01"))
		CASE_FAIL("given up 29 Sep", "next %s, unreached %d", fmt(sc.due, got), unreached);
	/* Reached on the window's last day: nothing is left. */
	assert_int_equal(schedule_after_reached(&r, &w, D("2026-10-01"), CAL_NO_DAY, &sc, &err), 0);
	if (sc.due != CAL_NO_DAY)
		CASE_FAIL("reached 1 Oct", "next %s", fmt(sc.due, got));
	/* The minimum length: start + min_months, clamped like the window;
	 * none without a minimum or a start. */
	r.min_months = 3;
	if (schedule_min_end(&r, &w) != D("2026-07-01"))
		CASE_FAIL("min end of 1 Apr", "%s", fmt(schedule_min_end(&r, &w), got));
	w = window(&r, "2025-11-30");
	if (schedule_min_end(&r, &w) != D("2026-02-28"))
		CASE_FAIL("min end of 30 Nov", "%s", fmt(schedule_min_end(&r, &w), got));
	w.discharge = CAL_NO_DAY;
	if (schedule_min_end(&r, &w) != CAL_NO_DAY)
		CASE_FAIL("min end without a start", "%s", fmt(schedule_min_end(&r, &w), got));
	r.min_months = 0;
	w = window(&r, "2026-04-01");
	if (schedule_min_end(&r, &w) != CAL_NO_DAY)
		CASE_FAIL("no minimum", "%s", fmt(schedule_min_end(&r, &w), got));
	check_done(failures);
}

/* Follow-up meetings every 42 days from the start on the Danish calendar
 * (shipped closures 5 Jun, 24 Dec, 31 Dec; a 6-month window): the first
 * meeting due on or after "from". */
static const struct {
	const char *name;
	const char *start;
	int interval;
	const char *from;
	const char *want; /* NULL: none */
} meeting_cases[] = {
	{"first meeting, a plain Monday", "2026-03-02", 42, "2026-03-02", "2026-04-13"},
	{"second meeting on Whit Monday", "2026-03-02", 42, "2026-04-14", "2026-05-26"},
	{"third meeting not pushed by the second", "2026-03-02", 42, "2026-05-27", "2026-07-06"},
	{"fourth meeting", "2026-03-02", 42, "2026-07-07", "2026-08-17"},
	{"none left before the window's end", "2026-03-02", 42, "2026-08-18", NULL},
	{"on Easter Monday 2026", "2026-02-23", 42, "2026-02-23", "2026-04-07"},
	{"on Maundy Thursday 2027: past Easter", "2027-02-11", 42, "2027-02-11", "2027-03-30"},
	{"on 5 June, a closure day", "2026-04-24", 42, "2026-04-24", "2026-06-08"},
	{"on 24 December: past Christmas", "2025-11-12", 42, "2025-11-12", "2025-12-29"},
	{"on Store Bededag 2023", "2023-03-24", 42, "2023-03-24", "2023-05-08"},
	{"Store Bededag 2024 is a working day", "2024-03-15", 42, "2024-03-15", "2024-04-26"},
	{"no meetings without an interval", "2026-03-02", 0, "2026-03-02", NULL},
};

static void test_meeting_dates(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(meeting_cases); i++) {
		struct schedule_rules r = defaults();
		struct schedule_window w = window(&r, meeting_cases[i].start);
		cal_day due = schedule_meeting_from(&r, meeting_cases[i].interval, &w,
						    D(meeting_cases[i].from));
		cal_day want = meeting_cases[i].want != NULL ? D(meeting_cases[i].want) : CAL_NO_DAY;

		if (due != want)
			CASE_FAIL(meeting_cases[i].name, "due %s, want %s", fmt(due, got),
				  meeting_cases[i].want ? meeting_cases[i].want : "none");
	}
	/* A course not started has no meetings. */
	{
		struct schedule_rules r = defaults();
		struct schedule_window w = window(&r, "2026-03-02");

		w.discharge = CAL_NO_DAY;
		if (schedule_meeting_from(&r, 42, &w, D("2026-03-02")) != CAL_NO_DAY)
			CASE_FAIL("not started", "a meeting");
	}
	check_done(failures);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_end),
		cmocka_unit_test(test_first_contact),
		cmocka_unit_test(test_plan_steps),
		cmocka_unit_test(test_after_reached),
		cmocka_unit_test(test_after_no_answer),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_promised_day),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_plan_invariants),
		cmocka_unit_test(test_programme_plans),
		cmocka_unit_test(test_regular_plan_next_call),
		cmocka_unit_test(test_meeting_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
