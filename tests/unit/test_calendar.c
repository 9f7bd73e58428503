/*
 * test_calendar.c - unit tests for calendar.c.
 *
 * Every table row names its scenario; a failing row is reported by name and
 * the other rows still run, so one run shows everything that is wrong.
 * Expected values come from outside calendar.c: day numbers and weekdays
 * from Python's datetime, Easter dates from dateutil.easter, instants and
 * their Copenhagen dates from `TZ=Europe/Copenhagen date -d @...`.
 */
#ifndef _POSIX_C_SOURCE
/* setenv and gmtime_r are POSIX; -std=c11 alone hides them. */
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Report a failing row and keep going; check_done() fails the test. */
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

/* A date from a table. cal_day_parse is itself checked against day numbers
 * computed elsewhere (test_ymd_to_day), so tables may be written as text. */
static cal_day D(const char *text)
{
	cal_day d;

	if (cal_day_parse(text, &d) != 0)
		fail_msg("the test table has a bad date \"%s\"", text);
	return d;
}

static const char *fmt(cal_day d, char buf[CAL_DATE_LEN])
{
	cal_day_format(d, buf);
	return buf;
}

/* The closures the shipped configuration sets. */
static const struct cal_closures shipped = {
	.days = {{0, 6, 5}, {0, 12, 24}, {0, 12, 31}},
	.count = 3,
};

/* Recurring 29 Feb and a one-off date in 2026. */
static const struct cal_closures extra = {
	.days = {{0, 2, 29}, {2026, 7, 1}},
	.count = 2,
};

static const struct cal_closures none = {.count = 0};

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	int y, m, d;
	cal_day day;
} ymd_cases[] = {
	{"the epoch", 1970, 1, 1, 0},
	{"the day before the epoch", 1969, 12, 31, -1},
	{"1 Mar after a common February", 1970, 3, 1, 59},
	{"29 Feb of a 400-year leap year", 2000, 2, 29, 11016},
	{"1 Mar 2000", 2000, 3, 1, 11017},
	{"1 Mar 1900 (1900 is not leap)", 1900, 3, 1, -25508},
	{"29 Feb 1600", 1600, 2, 29, -135081},
	{"29 Feb 2024", 2024, 2, 29, 19782},
	{"an ordinary Monday", 2026, 11, 23, 20780},
	{"the 32-bit time_t limit day", 2038, 1, 19, 24855},
	{"first Gregorian day", 1582, 10, 15, -141427},
	{"28 Feb 2100", 2100, 2, 28, 47540},
	{"1 Mar 2100 (2100 is not leap)", 2100, 3, 1, 47541},
	{"the first 4-digit year", 1, 1, 1, -719162},
	{"the last 4-digit year", 9999, 12, 31, 2932896},
};

static void test_ymd_to_day(void **state)
{
	int failures = 0, y, m, d;
	cal_day got;

	(void)state;
	for (size_t i = 0; i < nitems(ymd_cases); i++) {
		const char *name = ymd_cases[i].name;

		if (cal_day_from_ymd(ymd_cases[i].y, ymd_cases[i].m, ymd_cases[i].d, &got) != 0) {
			CASE_FAIL(name, "cal_day_from_ymd refused a valid date");
			continue;
		}
		if (got != ymd_cases[i].day)
			CASE_FAIL(name, "day %d, want %d", (int)got, (int)ymd_cases[i].day);
		cal_day_to_ymd(ymd_cases[i].day, &y, &m, &d);
		if (y != ymd_cases[i].y || m != ymd_cases[i].m || d != ymd_cases[i].d)
			CASE_FAIL(name, "back to %04d-%02d-%02d", y, m, d);
	}
	check_done(failures);
}

static const struct {
	const char *name;
	int y, m, d;
} bad_ymd_cases[] = {
	{"29 Feb of a common year", 2023, 2, 29},
	{"29 Feb of a century year", 1900, 2, 29},
	{"30 Feb", 2024, 2, 30},
	{"31 Apr", 2026, 4, 31},
	{"31 Nov", 2026, 11, 31},
	{"month 13", 2026, 13, 1},
	{"month 0", 2026, 0, 1},
	{"negative month", 2026, -1, 1},
	{"day 0", 2026, 1, 0},
	{"day 32", 2026, 1, 32},
	{"negative day", 2026, 1, -1},
	{"year 0", 0, 1, 1},
	{"negative year", -1, 1, 1},
	{"5-digit year", 10000, 1, 1},
};

static void test_ymd_invalid(void **state)
{
	int failures = 0;
	cal_day got;

	(void)state;
	for (size_t i = 0; i < nitems(bad_ymd_cases); i++) {
		got = 12345;
		if (cal_day_from_ymd(bad_ymd_cases[i].y, bad_ymd_cases[i].m, bad_ymd_cases[i].d,
				     &got) != -1)
			CASE_FAIL(bad_ymd_cases[i].name, "accepted, gave day %d", (int)got);
		else if (got != 12345)
			CASE_FAIL(bad_ymd_cases[i].name, "refused but wrote the output");
	}
	check_done(failures);
}

/* gmtime_r is an independent oracle for every day of three centuries. */
static void test_ymd_against_gmtime(void **state)
{
	struct tm tm;
	time_t t;
	cal_day first, last, back;
	int y, m, d;

	(void)state;
	if (sizeof(time_t) < 8)
		skip();
	assert_int_equal(cal_day_from_ymd(1900, 1, 1, &first), 0);
	assert_int_equal(cal_day_from_ymd(2200, 12, 31, &last), 0);
	for (cal_day day = first; day <= last; day++) {
		t = (time_t)day * 86400;
		assert_non_null(gmtime_r(&t, &tm));
		cal_day_to_ymd(day, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
			fail_msg("day %d: calendar says %04d-%02d-%02d, gmtime %04d-%02d-%02d",
				 (int)day, y, m, d, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		if (cal_day_from_ymd(y, m, d, &back) != 0 || back != day)
			fail_msg("day %d: %04d-%02d-%02d does not convert back", (int)day, y, m, d);
	}
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *text;
	int y, m, d;
} parse_cases[] = {
	{"an ordinary date", "2026-11-23", 2026, 11, 23},
	{"the epoch", "1970-01-01", 1970, 1, 1},
	{"before the epoch", "1969-12-31", 1969, 12, 31},
	{"29 Feb of a leap year", "2024-02-29", 2024, 2, 29},
	{"29 Feb 2000", "2000-02-29", 2000, 2, 29},
	{"31 Dec", "2026-12-31", 2026, 12, 31},
	{"leading zero year", "0001-01-01", 1, 1, 1},
	{"the last 4-digit day", "9999-12-31", 9999, 12, 31},
	{"after 2038", "2040-07-02", 2040, 7, 2},
};

static void test_parse_format_round_trip(void **state)
{
	char buf[CAL_DATE_LEN];
	int failures = 0;
	cal_day got, want = 0;

	(void)state;
	for (size_t i = 0; i < nitems(parse_cases); i++) {
		const char *name = parse_cases[i].name;

		assert_int_equal(cal_day_from_ymd(parse_cases[i].y, parse_cases[i].m,
						  parse_cases[i].d, &want), 0);
		if (cal_day_parse(parse_cases[i].text, &got) != 0) {
			CASE_FAIL(name, "\"%s\" refused", parse_cases[i].text);
			continue;
		}
		if (got != want)
			CASE_FAIL(name, "day %d, want %d", (int)got, (int)want);
		memset(buf, 'X', sizeof buf);
		cal_day_format(want, buf);
		if (strcmp(buf, parse_cases[i].text) != 0)
			CASE_FAIL(name, "formatted as \"%.*s\"", CAL_DATE_LEN, buf);
	}
	check_done(failures);
}

static const struct {
	const char *name;
	const char *text;
} bad_parse_cases[] = {
	{"empty", ""},
	{"one-digit month", "2026-2-01"},
	{"one-digit day", "2026-02-1"},
	{"30 Feb", "2026-02-30"},
	{"29 Feb of a common year", "2023-02-29"},
	{"31 Apr", "2026-04-31"},
	{"month 13", "2026-13-01"},
	{"month 00", "2026-00-10"},
	{"day 00", "2026-02-00"},
	{"day 32", "2026-01-32"},
	{"year 0000", "0000-01-01"},
	{"letters", "abcd-ef-gh"},
	{"letter in the month", "2026-0a-01"},
	{"trailing junk", "2026-02-01x"},
	{"trailing space", "2026-02-01 "},
	{"trailing newline", "2026-02-01\n"},
	{"leading space", " 2026-02-01"},
	{"sign in the year", "+026-02-01"},
	{"sign in the day", "2026-02-+1"},
	/* Non-digits whose byte value - '0' would still add up to a valid date. */
	{"colon in the year", "202:-01-01"},
	{"x in the year", "0x26-01-01"},
	{"slash in the month", "2026-1/-01"},
	{"slashes", "2026/02/01"},
	{"no separators", "20260201"},
	{"5-digit year", "10000-01-01"},
	{"2-digit year", "26-02-01"},
	{"truncated", "2026-02"},
	{"date and time", "2026-02-01T00:00"},
	{"month and day only", "02-01"},
};

static void test_parse_rejects(void **state)
{
	int failures = 0;
	cal_day got;

	(void)state;
	for (size_t i = 0; i < nitems(bad_parse_cases); i++) {
		got = 12345;
		if (cal_day_parse(bad_parse_cases[i].text, &got) != -1)
			CASE_FAIL(bad_parse_cases[i].name, "\"%s\" accepted as day %d",
				  bad_parse_cases[i].text, (int)got);
		else if (got != 12345)
			CASE_FAIL(bad_parse_cases[i].name, "refused but wrote the output");
	}
	check_done(failures);
}

/* Days no "YYYY-MM-DD" can write come out as a date cal_day_parse refuses,
 * never as a truncated, plausible one. */
static void test_format_out_of_range(void **state)
{
	const cal_day days[] = {-719163 /* 0000-12-31 */, 2932897 /* 10000-01-01 */,
				INT32_MIN, INT32_MAX};
	char buf[CAL_DATE_LEN];
	cal_day unused;

	(void)state;
	for (size_t i = 0; i < nitems(days); i++) {
		cal_day_format(days[i], buf);
		assert_string_equal(buf, "0000-00-00");
		assert_int_equal(cal_day_parse(buf, &unused), -1);
	}
}

/* Every day of the 4-digit years formats and parses back to itself. */
static void test_format_parse_all_days(void **state)
{
	char buf[CAL_DATE_LEN];
	cal_day back;

	(void)state;
	for (cal_day d = D("0001-01-01"); d <= D("9999-12-31"); d++) {
		cal_day_format(d, buf);
		if (strlen(buf) != 10 || cal_day_parse(buf, &back) != 0 || back != d)
			fail_msg("day %d formats as \"%s\" which does not parse back", (int)d, buf);
	}
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *date;
	int weekday;
} weekday_cases[] = {
	{"the epoch was a Thursday", "1970-01-01", 4},
	{"the day before the epoch, Wednesday", "1969-12-31", 3},
	{"1 Mar 1970, Sunday", "1970-03-01", 7},
	{"29 Feb 2000, Tuesday", "2000-02-29", 2},
	{"23 Nov 2026, Monday", "2026-11-23", 1},
	{"Maundy Thursday 2026", "2026-04-02", 4},
	{"26 Dec 2026, Saturday", "2026-12-26", 6},
	{"27 Dec 2026, Sunday", "2026-12-27", 7},
	{"5 Jun 2026, Friday", "2026-06-05", 5},
	{"1 Jan 0001, Monday", "0001-01-01", 1},
	{"31 Dec 9999, Friday", "9999-12-31", 5},
	{"first Gregorian day, Friday", "1582-10-15", 5},
	{"19 Jan 2038, Tuesday", "2038-01-19", 2},
};

static void test_weekday(void **state)
{
	int failures = 0, got;

	(void)state;
	for (size_t i = 0; i < nitems(weekday_cases); i++) {
		got = cal_weekday(D(weekday_cases[i].date));
		if (got != weekday_cases[i].weekday)
			CASE_FAIL(weekday_cases[i].name, "weekday %d, want %d", got,
				  weekday_cases[i].weekday);
	}
	check_done(failures);
}

/* Negative days use floor division: a truncating % would break the cycle
 * just before the epoch and at the extremes. */
static void test_weekday_cycle(void **state)
{
	int prev = cal_weekday(INT32_MIN);

	(void)state;
	assert_in_range(prev, 1, 7);
	for (cal_day d = D("1800-01-01"); d <= D("2200-01-01"); d++) {
		int want = cal_weekday(d - 1) % 7 + 1;

		if (cal_weekday(d) != want)
			fail_msg("day %d: weekday %d, want %d", (int)d, cal_weekday(d), want);
	}
	assert_int_equal(cal_weekday(INT32_MAX), (cal_weekday(INT32_MAX - 1) % 7) + 1);
	assert_int_equal(cal_weekday(INT32_MIN + 1), prev % 7 + 1);
}

/* ------------------------------------------------------------------------ */

static const struct {
	int year;
	const char *easter;
} easter_cases[] = {
	{1583, "1583-04-10"}, {1700, "1700-04-11"}, {1818, "1818-03-22"},
	{1886, "1886-04-25"}, {1943, "1943-04-25"}, {1954, "1954-04-18"},
	{1961, "1961-04-02"}, {2000, "2000-04-23"}, {2008, "2008-03-23"},
	{2011, "2011-04-24"}, {2015, "2015-04-05"}, {2019, "2019-04-21"},
	{2020, "2020-04-12"}, {2021, "2021-04-04"}, {2022, "2022-04-17"},
	{2023, "2023-04-09"}, {2024, "2024-03-31"}, {2025, "2025-04-20"},
	{2026, "2026-04-05"}, {2027, "2027-03-28"}, {2028, "2028-04-16"},
	{2029, "2029-04-01"}, {2030, "2030-04-21"}, {2035, "2035-03-25"},
	{2038, "2038-04-25"}, {2049, "2049-04-18"}, {2100, "2100-03-28"},
	{2285, "2285-03-22"}, {3000, "3000-04-13"}, {4099, "4099-04-19"},
	{9999, "9999-03-28"},
};

static void test_easter(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(easter_cases); i++) {
		fmt(cal_easter_sunday(easter_cases[i].year), got);
		if (strcmp(got, easter_cases[i].easter) != 0) {
			char name[32];

			snprintf(name, sizeof name, "Easter %d", easter_cases[i].year);
			CASE_FAIL(name, "%s, want %s", got, easter_cases[i].easter);
		}
	}
	check_done(failures);
}

/* Easter is always a Sunday between 22 Mar and 25 Apr of its own year. */
static void test_easter_bounds(void **state)
{
	cal_day e, lo, hi;
	int y, m, d;

	(void)state;
	for (int year = 1583; year <= 9999; year++) {
		e = cal_easter_sunday(year);
		assert_int_equal(cal_day_from_ymd(year, 3, 22, &lo), 0);
		assert_int_equal(cal_day_from_ymd(year, 4, 25, &hi), 0);
		cal_day_to_ymd(e, &y, &m, &d);
		if (cal_weekday(e) != 7 || e < lo || e > hi)
			fail_msg("Easter %d on %04d-%02d-%02d (weekday %d)", year, y, m, d,
				 cal_weekday(e));
	}
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *date;
	bool holiday;
} holiday_cases[] = {
	/* 2026: Easter 5 Apr. */
	{"New Year 2026", "2026-01-01", true},
	{"Maundy Thursday 2026", "2026-04-02", true},
	{"Good Friday 2026", "2026-04-03", true},
	{"Easter Sunday 2026", "2026-04-05", true},
	{"Easter Monday 2026", "2026-04-06", true},
	{"Ascension 2026", "2026-05-14", true},
	{"Whit Sunday 2026", "2026-05-24", true},
	{"Whit Monday 2026", "2026-05-25", true},
	{"Christmas Day 2026", "2026-12-25", true},
	{"Boxing Day 2026", "2026-12-26", true},
	{"day before Maundy Thursday 2026", "2026-04-01", false},
	{"Easter Saturday 2026", "2026-04-04", false},
	{"Tuesday after Easter 2026", "2026-04-07", false},
	{"would-be Store Bededag 2026", "2026-05-01", false},
	{"day after Ascension 2026", "2026-05-15", false},
	{"Tuesday after Whitsun 2026", "2026-05-26", false},
	{"2 Jan 2026", "2026-01-02", false},
	{"Grundlovsdag is a closure, not a holiday", "2026-06-05", false},
	{"24 Dec is a closure, not a holiday", "2026-12-24", false},
	{"27 Dec 2026", "2026-12-27", false},
	{"31 Dec is a closure, not a holiday", "2026-12-31", false},
	/* 2024: Easter 31 Mar; the first year without Store Bededag. */
	{"New Year 2024", "2024-01-01", true},
	{"Maundy Thursday 2024", "2024-03-28", true},
	{"Good Friday 2024", "2024-03-29", true},
	{"Easter Sunday 2024", "2024-03-31", true},
	{"Easter Monday 2024", "2024-04-01", true},
	{"Store Bededag 2024 is abolished", "2024-04-26", false},
	{"Ascension 2024", "2024-05-09", true},
	{"Whit Sunday 2024", "2024-05-19", true},
	{"Whit Monday 2024", "2024-05-20", true},
	{"Christmas Day 2024", "2024-12-25", true},
	{"Boxing Day 2024", "2024-12-26", true},
	{"29 Feb 2024", "2024-02-29", false},
	/* 2023: Easter 9 Apr; the last Store Bededag. */
	{"Maundy Thursday 2023", "2023-04-06", true},
	{"Store Bededag 2023", "2023-05-05", true},
	{"day after Store Bededag 2023", "2023-05-06", false},
	{"day before Store Bededag 2023", "2023-05-04", false},
	{"Ascension 2023", "2023-05-18", true},
	{"Store Bededag 2000", "2000-05-19", true},
	/* Easter at its extremes moves the holidays across months. */
	{"Whit Monday 2038 in June", "2038-06-14", true},
	{"Maundy Thursday 2285 in March", "2285-03-19", true},
};

static void test_public_holidays(void **state)
{
	int failures = 0;
	bool got;

	(void)state;
	for (size_t i = 0; i < nitems(holiday_cases); i++) {
		got = cal_is_public_holiday(D(holiday_cases[i].date));
		if (got != holiday_cases[i].holiday)
			CASE_FAIL(holiday_cases[i].name, "%s is%s a holiday",
				  holiday_cases[i].date, got ? "" : " not");
	}
	check_done(failures);
}

/* Eleven holidays up to 2023, ten from 2024: nothing extra, none lost. */
static void test_holidays_per_year(void **state)
{
	char first[CAL_DATE_LEN];
	cal_day d, end;
	int count, want;

	(void)state;
	for (int year = 1990; year <= 2060; year++) {
		assert_int_equal(cal_day_from_ymd(year, 1, 1, &d), 0);
		assert_int_equal(cal_day_from_ymd(year, 12, 31, &end), 0);
		fmt(d, first);
		for (count = 0; d <= end; d++)
			count += cal_is_public_holiday(d);
		want = year <= 2023 ? 11 : 10;
		if (count != want)
			fail_msg("%d (from %s): %d holidays, want %d", year, first, count, want);
	}
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const struct cal_closures *closures;
	const char *date;
	bool closed;
} closure_cases[] = {
	{"shipped: Grundlovsdag 2026", &shipped, "2026-06-05", true},
	{"shipped: Grundlovsdag recurs in 2031", &shipped, "2031-06-05", true},
	{"shipped: Christmas Eve 2026", &shipped, "2026-12-24", true},
	{"shipped: New Year's Eve 2026", &shipped, "2026-12-31", true},
	{"shipped: 4 Jun is open", &shipped, "2026-06-04", false},
	{"shipped: 23 Dec is open", &shipped, "2026-12-23", false},
	{"shipped: 5 Dec is not 5 Jun", &shipped, "2026-12-05", false},
	{"shipped: 24 Jun is not 24 Dec", &shipped, "2026-06-24", false},
	{"shipped: holidays are not closures", &shipped, "2026-12-25", false},
	{"recurring 29 Feb in a leap year", &extra, "2028-02-29", true},
	{"recurring 29 Feb: 28 Feb open", &extra, "2027-02-28", false},
	{"recurring 29 Feb: 1 Mar open", &extra, "2027-03-01", false},
	{"one-off date in its year", &extra, "2026-07-01", true},
	{"one-off date not in the next year", &extra, "2027-07-01", false},
	{"one-off date not in the year before", &extra, "2025-07-01", false},
	{"empty list closes nothing", &none, "2026-12-24", false},
	{"NULL list closes nothing", NULL, "2026-12-24", false},
};

static void test_closure_days(void **state)
{
	int failures = 0;
	bool got;

	(void)state;
	for (size_t i = 0; i < nitems(closure_cases); i++) {
		got = cal_is_closure_day(closure_cases[i].closures, D(closure_cases[i].date));
		if (got != closure_cases[i].closed)
			CASE_FAIL(closure_cases[i].name, "%s is%s closed", closure_cases[i].date,
				  got ? "" : " not");
	}
	check_done(failures);
}

/* Only count entries are live; stale ones past it must not close a day. */
static void test_closure_count_respected(void **state)
{
	struct cal_closures c = shipped;

	(void)state;
	c.count = 1;
	assert_true(cal_is_closure_day(&c, D("2026-06-05")));
	assert_false(cal_is_closure_day(&c, D("2026-12-24")));
	c.count = 0;
	assert_false(cal_is_closure_day(&c, D("2026-06-05")));
}

static const struct {
	const char *name;
	const struct cal_closures *closures;
	const char *date;
	bool working;
} working_cases[] = {
	{"ordinary Monday", &shipped, "2026-11-23", true},
	{"ordinary Friday", &shipped, "2026-11-27", true},
	{"Saturday", &shipped, "2026-11-28", false},
	{"Sunday", &shipped, "2026-11-29", false},
	{"day before Maundy Thursday 2026", &shipped, "2026-04-01", true},
	{"Maundy Thursday 2026", &shipped, "2026-04-02", false},
	{"Easter Monday 2026", &shipped, "2026-04-06", false},
	{"Store Bededag 2023", &shipped, "2023-05-05", false},
	{"former Store Bededag 2024", &shipped, "2024-04-26", true},
	{"Grundlovsdag 2026 closed", &shipped, "2026-06-05", false},
	{"Grundlovsdag 2026 without closures", &none, "2026-06-05", true},
	{"Christmas Eve 2026 closed", &shipped, "2026-12-24", false},
	{"Christmas Eve 2026 without closures", NULL, "2026-12-24", true},
	{"23 Dec 2026", &shipped, "2026-12-23", true},
	{"New Year's Eve 2026 closed", &shipped, "2026-12-31", false},
	{"one-off closure", &extra, "2026-07-01", false},
	{"one-off closure, another year", &extra, "2027-07-01", true},
	{"New Year 2027 on a Friday", &none, "2027-01-01", false},
};

static void test_working_days(void **state)
{
	int failures = 0;
	bool got;

	(void)state;
	for (size_t i = 0; i < nitems(working_cases); i++) {
		got = cal_is_working_day(working_cases[i].closures, D(working_cases[i].date));
		if (got != working_cases[i].working)
			CASE_FAIL(working_cases[i].name, "%s is%s a working day",
				  working_cases[i].date, got ? "" : " not");
	}
	check_done(failures);
}

static const struct {
	const char *name;
	const struct cal_closures *closures;
	const char *from;
	const char *next;
} next_cases[] = {
	{"Friday is itself", &shipped, "2026-11-27", "2026-11-27"},
	{"Saturday moves to Monday", &shipped, "2026-11-28", "2026-11-30"},
	{"Sunday moves to Monday", &shipped, "2026-11-29", "2026-11-30"},
	{"a working 23 Dec is itself", &shipped, "2026-12-23", "2026-12-23"},
	{"24 Dec closure, 25/26 holidays, 27 Sunday", &shipped, "2026-12-24", "2026-12-28"},
	{"Christmas Day 2026", &shipped, "2026-12-25", "2026-12-28"},
	{"24 Dec 2026 without closures", &none, "2026-12-24", "2026-12-24"},
	{"31 Dec closure, 1 Jan holiday, weekend", &shipped, "2026-12-31", "2027-01-04"},
	{"New Year 2027", NULL, "2027-01-01", "2027-01-04"},
	{"Maundy Thursday to the Tuesday after Easter", &shipped, "2026-04-02", "2026-04-07"},
	{"day before Maundy Thursday is itself", &shipped, "2026-04-01", "2026-04-01"},
	{"Store Bededag 2023 to Monday", &shipped, "2023-05-05", "2023-05-08"},
	{"former Store Bededag 2024 is itself", &shipped, "2024-04-26", "2024-04-26"},
	{"Ascension 2026 to Friday", &shipped, "2026-05-14", "2026-05-15"},
	{"Whit Sunday 2026 past Whit Monday", &shipped, "2026-05-24", "2026-05-26"},
	{"Grundlovsdag 2026 (Friday) to Monday", &shipped, "2026-06-05", "2026-06-08"},
	{"Grundlovsdag 2026 without closures", &none, "2026-06-05", "2026-06-05"},
	{"one-off closure", &extra, "2026-07-01", "2026-07-02"},
	{"recurring 29 Feb closure (Tuesday)", &extra, "2028-02-29", "2028-03-01"},
};

static void test_next_working_day(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(next_cases); i++) {
		fmt(cal_next_working_day(next_cases[i].closures, D(next_cases[i].from)), got);
		if (strcmp(got, next_cases[i].next) != 0)
			CASE_FAIL(next_cases[i].name, "from %s: %s, want %s", next_cases[i].from,
				  got, next_cases[i].next);
	}
	check_done(failures);
}

/* Over several years: the answer is a working day and nothing before it
 * was, so the search neither stops early nor skips a working day. */
static void test_next_working_day_is_first(void **state)
{
	cal_day next;

	(void)state;
	for (cal_day d = D("2022-12-01"); d <= D("2029-01-31"); d++) {
		next = cal_next_working_day(&shipped, d);
		if (next < d || next > d + 7 || !cal_is_working_day(&shipped, next))
			fail_msg("day %d: next working day %d is wrong", (int)d, (int)next);
		for (cal_day e = d; e < next; e++)
			if (cal_is_working_day(&shipped, e))
				fail_msg("day %d: skipped working day %d", (int)d, (int)e);
	}
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *from;
	int months;
	const char *to;
} add_months_cases[] = {
	{"31 Aug + 6 into a common February", "2026-08-31", 6, "2027-02-28"},
	{"31 Aug + 6 into a leap February", "2027-08-31", 6, "2028-02-29"},
	{"29 Feb + 6 keeps the 29th", "2024-02-29", 6, "2024-08-29"},
	{"29 Feb + 12 clamps to 28 Feb", "2024-02-29", 12, "2025-02-28"},
	{"29 Feb + 48 is 29 Feb again", "2024-02-29", 48, "2028-02-29"},
	{"mid-month + 6 across the year", "2026-07-15", 6, "2027-01-15"},
	{"the default window from 1 Jan", "2026-01-01", 6, "2026-07-01"},
	{"31 Jan + 1 clamps to 28 Feb", "2026-01-31", 1, "2026-02-28"},
	{"31 Mar + 1 clamps to 30 Apr", "2026-03-31", 1, "2026-04-30"},
	{"30 Apr + 1 keeps the 30th", "2026-04-30", 1, "2026-05-30"},
	{"31 Dec + 1 into January", "2026-12-31", 1, "2027-01-31"},
	{"15 Dec + 1 into the next year", "2026-12-15", 1, "2027-01-15"},
	{"zero months is the same day", "2026-08-31", 0, "2026-08-31"},
	{"+12 is a year", "2026-03-15", 12, "2027-03-15"},
	{"+120 is ten years", "2026-03-15", 120, "2036-03-15"},
	{"31 Aug + 6 in 2099 (2100 is not leap)", "2099-08-31", 6, "2100-02-28"},
	{"31 Aug + 6 in 1999 (2000 is leap)", "1999-08-31", 6, "2000-02-29"},
	{"-1 into the previous year", "2026-01-15", -1, "2025-12-15"},
	{"-1 from 31 Mar clamps to 28 Feb", "2026-03-31", -1, "2026-02-28"},
	{"-1 from 31 Mar of a leap year", "2024-03-31", -1, "2024-02-29"},
	{"-6 from 28 Feb does not undo the clamp", "2027-02-28", -6, "2026-08-28"},
	{"-12 from 29 Feb", "2024-02-29", -12, "2023-02-28"},
	{"-13 across two years", "2026-01-31", -13, "2024-12-31"},
	{"-24 exact", "2026-05-31", -24, "2024-05-31"},
	{"before the epoch", "1970-01-31", -1, "1969-12-31"},
};

static void test_add_months(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(add_months_cases); i++) {
		fmt(cal_add_months(D(add_months_cases[i].from), add_months_cases[i].months), got);
		if (strcmp(got, add_months_cases[i].to) != 0)
			CASE_FAIL(add_months_cases[i].name, "%s %+d months: %s, want %s",
				  add_months_cases[i].from, add_months_cases[i].months, got,
				  add_months_cases[i].to);
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *text;
	struct cal_closure want;
} closure_parse_cases[] = {
	{"Grundlovsdag every year", "06-05", {0, 6, 5}},
	{"Christmas Eve every year", "12-24", {0, 12, 24}},
	{"New Year's Eve every year", "12-31", {0, 12, 31}},
	{"29 Feb every year exists in leap years", "02-29", {0, 2, 29}},
	{"1 Jan every year", "01-01", {0, 1, 1}},
	{"one date", "2026-12-23", {2026, 12, 23}},
	{"one 29 Feb in a leap year", "2028-02-29", {2028, 2, 29}},
};

static void test_closure_parse(void **state)
{
	struct cal_closure got;
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(closure_parse_cases); i++) {
		const struct cal_closure *w = &closure_parse_cases[i].want;

		memset(&got, 0xff, sizeof got);
		if (cal_closure_parse(closure_parse_cases[i].text, &got) != 0)
			CASE_FAIL(closure_parse_cases[i].name, "\"%s\" refused",
				  closure_parse_cases[i].text);
		else if (got.year != w->year || got.month != w->month || got.day != w->day)
			CASE_FAIL(closure_parse_cases[i].name, "got {%d, %d, %d}", got.year,
				  got.month, got.day);
	}
	check_done(failures);
}

static const struct {
	const char *name;
	const char *text;
} bad_closure_cases[] = {
	{"empty", ""},
	{"30 Feb never exists", "02-30"},
	{"31 Apr never exists", "04-31"},
	{"month 13", "13-01"},
	{"month 00", "00-10"},
	{"day 00", "06-00"},
	{"one-digit month and day", "6-5"},
	{"one-digit day", "06-5"},
	{"trailing junk after MM-DD", "06-05x"},
	{"trailing space after MM-DD", "06-05 "},
	{"slash", "12/24"},
	{"no separator", "1224"},
	{"29 Feb of a common year", "2026-02-29"},
	{"year 0000 is not every year", "0000-12-24"},
	{"trailing junk after a date", "2026-12-24x"},
	{"month name", "Dec-24"},
	{"colon in the month, ':' - '0' == 10", "0:-05"},
	{"only a month", "12"},
	{"day-month order", "24-12-2026"},
};

static void test_closure_parse_rejects(void **state)
{
	struct cal_closure got = {7, 7, 7};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(bad_closure_cases); i++) {
		if (cal_closure_parse(bad_closure_cases[i].text, &got) != -1)
			CASE_FAIL(bad_closure_cases[i].name, "\"%s\" accepted as {%d, %d, %d}",
				  bad_closure_cases[i].text, got.year, got.month, got.day);
		else if (got.year != 7 || got.month != 7 || got.day != 7)
			CASE_FAIL(bad_closure_cases[i].name, "refused but wrote the output");
	}
	check_done(failures);
}

/* ------------------------------------------------------------------------ */

/* Make name the process zone, as clock_use_timezone does. glibc falls back
 * to UTC for a zone it cannot load, so prove the zone is really in use: a
 * July instant must be summer time in Copenhagen and not in UTC. */
static int use_zone(const char *name, int want_isdst)
{
	const time_t july = 1783000000; /* 2026-07-02 */
	struct tm tm;

	if (setenv("TZ", name, 1) != 0)
		return -1;
	tzset();
	if (localtime_r(&july, &tm) == NULL || (tm.tm_isdst > 0) != want_isdst) {
		print_error("time zone %s is not usable (is tzdata installed?)\n", name);
		return -1;
	}
	return 0;
}

static int setup_copenhagen(void **state)
{
	(void)state;
	return use_zone("Europe/Copenhagen", 1);
}

static int setup_utc(void **state)
{
	(void)state;
	return use_zone("UTC", 0);
}

static const struct {
	const char *name;
	time_t instant;
	const char *date;
} instant_cases[] = {
	{"winter 23:59:59 CET (22:59:59Z)", 1768517999, "2026-01-15"},
	{"winter midnight CET (23:00Z)", 1768518000, "2026-01-16"},
	{"spring-forward eve 23:59:59 CET", 1774738799, "2026-03-28"},
	{"spring-forward day 00:00 CET (23:00Z)", 1774738800, "2026-03-29"},
	{"spring-forward day 00:30 CET (23:30Z)", 1774740600, "2026-03-29"},
	{"01:59:59 CET just before the jump", 1774745999, "2026-03-29"},
	{"03:00 CEST just after the jump", 1774746000, "2026-03-29"},
	{"spring-forward day 23:59:59 CEST", 1774821599, "2026-03-29"},
	{"first CEST midnight (22:00Z)", 1774821600, "2026-03-30"},
	{"fall-back eve 23:59:59 CEST", 1792879199, "2026-10-24"},
	{"fall-back day 00:00 CEST (22:00Z)", 1792879200, "2026-10-25"},
	{"fall-back day 00:30 CEST (22:30Z)", 1792881000, "2026-10-25"},
	{"first 02:30 (CEST)", 1792888200, "2026-10-25"},
	{"second 02:30 (CET)", 1792891800, "2026-10-25"},
	{"fall-back day 23:59:59 CET", 1792969199, "2026-10-25"},
	{"first CET midnight (23:00Z)", 1792969200, "2026-10-26"},
	{"29 Feb 2024 starts at 23:00Z", 1709161200, "2024-02-29"},
	{"New Year's Eve 23:59:59 CET", 1798757999, "2026-12-31"},
	{"New Year 2027 00:00 CET", 1798758000, "2027-01-01"},
	{"the epoch is 01:00 CET", 0, "1970-01-01"},
	{"an hour before the epoch is already 1 Jan", -3600, "1970-01-01"},
	{"23:59:59 CET on 31 Dec 1969", -3601, "1969-12-31"},
};

static void test_day_of_instant_copenhagen(void **state)
{
	char got[CAL_DATE_LEN];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(instant_cases); i++) {
		fmt(cal_day_of_instant(instant_cases[i].instant), got);
		if (strcmp(got, instant_cases[i].date) != 0)
			CASE_FAIL(instant_cases[i].name, "@%lld: %s, want %s",
				  (long long)instant_cases[i].instant, got, instant_cases[i].date);
	}
	check_done(failures);
}

/* Past the 32-bit time_t limit (Debian 12 amd64 has a 64-bit time_t). */
static void test_day_of_instant_after_2038(void **state)
{
	(void)state;
	if (sizeof(time_t) < 8)
		skip();
	/* 2038-01-19T03:14:08Z = 04:14:08 CET; 2040-07-01T22:30Z = 00:30 CEST. */
	assert_int_equal(cal_day_of_instant((time_t)2147483648LL), D("2038-01-19"));
	assert_int_equal(cal_day_of_instant((time_t)2224794600LL), D("2040-07-02"));
}

/* The date follows the process zone, not a built-in offset: the same
 * instants give the UTC dates under TZ=UTC. */
static void test_day_of_instant_follows_zone(void **state)
{
	(void)state;
	assert_int_equal(cal_day_of_instant(1774740600), D("2026-03-28"));
	assert_int_equal(cal_day_of_instant(1792881000), D("2026-10-24"));
	assert_int_equal(cal_day_of_instant(1798758000), D("2026-12-31"));
	assert_int_equal(cal_day_of_instant(-3600), D("1969-12-31"));
}

/* ------------------------------------------------------------------------ */

/* The extremes of cal_day give sane answers (and no undefined behaviour
 * under -fsanitize=undefined). */
static void test_extremes(void **state)
{
	const cal_day days[] = {INT32_MIN, INT32_MIN + 1, -1, 0, INT32_MAX - 1, INT32_MAX};
	struct cal_closures last = {.count = 0};
	int y, m, d;

	(void)state;
	for (size_t i = 0; i < nitems(days); i++) {
		cal_day_to_ymd(days[i], &y, &m, &d);
		assert_in_range(m, 1, 12);
		assert_in_range(d, 1, 31);
		assert_in_range(cal_weekday(days[i]), 1, 7);
		(void)cal_is_public_holiday(days[i]);
		(void)cal_is_working_day(&shipped, days[i]);
	}
	/* The last representable day closed: the search stops there rather
	 * than overflowing d + 1. */
	cal_day_to_ymd(INT32_MAX, &y, &m, &d);
	last.days[0] = (struct cal_closure){y, m, d};
	last.count = 1;
	assert_false(cal_is_working_day(&last, INT32_MAX));
	assert_int_equal(cal_next_working_day(&last, INT32_MAX), INT32_MAX);
}

/* Month arithmetic far before year 1 (floor division, not truncation):
 * one month on and back from a 15th lands on a 15th one month away. */
static void test_add_months_negative_years(void **state)
{
	const cal_day days[] = {INT32_MIN / 2, -800000, -719530 /* -0001-12-30 */};
	int y, m, d, y2, m2, d2;
	cal_day start;

	(void)state;
	for (size_t i = 0; i < nitems(days); i++) {
		cal_day_to_ymd(days[i], &y, &m, &d);
		start = days[i] - (d - 15); /* the 15th of that month */
		cal_day_to_ymd(cal_add_months(start, 1), &y2, &m2, &d2);
		if (d2 != 15 || (m == 12 ? (y2 != y + 1 || m2 != 1) : (y2 != y || m2 != m + 1)))
			fail_msg("%d-%02d-15 + 1 month = %d-%02d-%02d", y, m, y2, m2, d2);
		cal_day_to_ymd(cal_add_months(start, -1), &y2, &m2, &d2);
		if (d2 != 15 || (m == 1 ? (y2 != y - 1 || m2 != 12) : (y2 != y || m2 != m - 1)))
			fail_msg("%d-%02d-15 - 1 month = %d-%02d-%02d", y, m, y2, m2, d2);
		assert_int_equal(cal_add_months(start, 12 * 400), start + 146097);
	}
}

/* Gregorian Easter repeats every 5,700,000 years. With floor division
 * throughout, the algorithm keeps that period into negative years; C's
 * truncating division would break it there. */
static void test_easter_cycle(void **state)
{
	const int cycle = 5700000;
	int y, m, d, cy, cm, cd;

	(void)state;
	for (int year = -20000; year <= 30; year++) {
		cal_day_to_ymd(cal_easter_sunday(year), &y, &m, &d);
		cal_day_to_ymd(cal_easter_sunday(year + cycle), &cy, &cm, &cd);
		if (y != year || cy != year + cycle || m != cm || d != cd)
			fail_msg("Easter %d on %d-%02d-%02d but %d on %d-%02d-%02d", year, y, m,
				 d, year + cycle, cy, cm, cd);
	}
}

/* Easter stays a Sunday in March or April for proleptic and negative years. */
static void test_easter_proleptic(void **state)
{
	const int years[] = {-4000, -101, -100, -1, 0, 1, 99, 100, 1000, 1582};
	int y, m, d;

	(void)state;
	for (size_t i = 0; i < nitems(years); i++) {
		cal_day e = cal_easter_sunday(years[i]);

		cal_day_to_ymd(e, &y, &m, &d);
		if (y != years[i] || (m != 3 && m != 4) || cal_weekday(e) != 7)
			fail_msg("Easter %d on %d-%02d-%02d, weekday %d", years[i], y, m, d,
				 cal_weekday(e));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ymd_to_day),
		cmocka_unit_test(test_ymd_invalid),
		cmocka_unit_test(test_ymd_against_gmtime),
		cmocka_unit_test(test_parse_format_round_trip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format_out_of_range),
		cmocka_unit_test(test_format_parse_all_days),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_weekday_cycle),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_easter_bounds),
		cmocka_unit_test(test_easter_proleptic),
		cmocka_unit_test(test_easter_cycle),
		cmocka_unit_test(test_public_holidays),
		cmocka_unit_test(test_holidays_per_year),
		cmocka_unit_test(test_closure_days),
		cmocka_unit_test(test_closure_count_respected),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_next_working_day),
		cmocka_unit_test(test_next_working_day_is_first),
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_closure_parse),
		cmocka_unit_test(test_closure_parse_rejects),
		cmocka_unit_test_setup(test_day_of_instant_copenhagen, setup_copenhagen),
		cmocka_unit_test_setup(test_day_of_instant_after_2038, setup_copenhagen),
		cmocka_unit_test_setup(test_day_of_instant_follows_zone, setup_utc),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_add_months_negative_years),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
