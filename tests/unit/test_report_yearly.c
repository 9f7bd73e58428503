/*
 * test_report_yearly.c - the yearly report's arithmetic (report-yearly.c)
 * on a fixture computed by hand: 2019 to 2021, two programmes, a mentor
 * who goes from external to internal, a rate changed mid-year, courses
 * across year ends, calls and weekly time.
 *
 * The same data is seeded through the real daemon in
 * tests/integration/api-yearly.sh, which checks the same figures.
 *
 * Mentors (terms rows in mentor, valid_from order):
 *   1 Ida: no terms at all: internal without a rate (unpriced).
 *   2 Eva: external 400.00 kr from 2019-01-01, 450.50 kr from 2019-07-01,
 *          internal at 350.00 kr from 2021-01-01.
 *   3 Ole: no terms until 2020-03-01 (internal, unpriced), then external
 *          at 500.00 kr.
 * Courses (programme, mentor, start, end):
 *   C1 preventive Ida 2019-03-04..2019-08-30
 *   C2 preventive Eva 2019-05-06..2020-02-14
 *   C3 youth      Eva 2020-11-02..2021-03-31
 *   C4 youth      Ole 2020-01-15..open
 *   C5 preventive none 2021-06-01..2021-06-20
 *   C6 preventive Ida 2018-11-01..2019-01-31 (started before the range)
 *   C7 preventive Ida 2022-01-10..open (after "today", 2021-12-15)
 * Calls (mentor, day, minutes) and weeks (mentor, Monday, minutes):
 *   K1 C1 Ida 2019-03-05 30     K5 C3 Eva 2021-01-05 40
 *   K2 C2 Eva 2019-05-07 45     K6 C4 Ole 2020-02-03 25
 *   K3 C2 Eva 2019-07-01 60     K7 C4 Ole 2020-03-02 50
 *   K4 C2 Eva 2020-02-10 20
 *   W1 preventive Eva 2019-W27 (2019-07-01) 120
 *   W2 youth      Eva 2020-W53 (2020-12-28) 90: ISO year 2020
 *   W3 preventive Ida 2021-W01 (2021-01-04) 60
 *   W4 preventive Eva 2019-W01 (2018-12-31) 30: ISO year 2019, before
 *      Eva's first terms: internal, unpriced
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor-time.h"
#include "report-yearly.h"

static cal_day day(const char *text)
{
	cal_day d;

	if (cal_day_parse(text, &d) != 0)
		fail_msg("bad date %s", text);
	return d;
}

static struct report_yearly *fixture(void)
{
	struct report_yearly *r = report_yearly_new(2019, 2021, day("2021-12-15"));

	report_yearly_programme(r, "preventive", "Forebyggende social mentorordning");
	report_yearly_programme(r, "youth", "Mentorforløb for unge");
	report_yearly_terms(r, 2, day("2019-01-01"), true, 40000);
	report_yearly_terms(r, 2, day("2019-07-01"), true, 45050);
	report_yearly_terms(r, 2, day("2021-01-01"), false, 35000);
	report_yearly_terms(r, 3, day("2020-03-01"), true, 50000);
	report_yearly_course(r, "preventive", 1, day("2019-03-04"), day("2019-08-30"));
	report_yearly_course(r, "preventive", 2, day("2019-05-06"), day("2020-02-14"));
	report_yearly_course(r, "youth", 2, day("2020-11-02"), day("2021-03-31"));
	report_yearly_course(r, "youth", 3, day("2020-01-15"), CAL_NO_DAY);
	report_yearly_course(r, "preventive", 0, day("2021-06-01"), day("2021-06-20"));
	report_yearly_course(r, "preventive", 1, day("2018-11-01"), day("2019-01-31"));
	report_yearly_course(r, "preventive", 1, day("2022-01-10"), CAL_NO_DAY);
	report_yearly_time(r, "preventive", 1, day("2019-03-05"), 30, false);
	report_yearly_time(r, "preventive", 2, day("2019-05-07"), 45, false);
	report_yearly_time(r, "preventive", 2, day("2019-07-01"), 60, false);
	report_yearly_time(r, "preventive", 2, day("2020-02-10"), 20, false);
	report_yearly_time(r, "youth", 2, day("2021-01-05"), 40, false);
	report_yearly_time(r, "youth", 3, day("2020-02-03"), 25, false);
	report_yearly_time(r, "youth", 3, day("2020-03-02"), 50, false);
	report_yearly_time(r, "preventive", 2, day("2019-07-01"), 120, true);
	report_yearly_time(r, "youth", 2, day("2020-12-28"), 90, true);
	report_yearly_time(r, "preventive", 1, day("2021-01-04"), 60, true);
	report_yearly_time(r, "preventive", 2, day("2018-12-31"), 30, true);
	return r;
}

static const struct report_yearly_figures *cell(const struct report_yearly *r,
						const char *programme, int year,
						enum report_yearly_kind k)
{
	const struct report_yearly_row *rows;
	size_t n = report_yearly_rows(r, &rows);

	if (programme == NULL)
		return &report_yearly_totals(r)[year - 2019].kind[k];
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].programme, programme) == 0 && rows[i].year == year)
			return &rows[i].kind[k];
	fail_msg("no row %s %d", programme, year);
	return NULL;
}

#define check(f, s, a, e, cm, wm, cost, unpriced)                                               \
	do {                                                                                    \
		const struct report_yearly_figures *f_ = (f);                                   \
		assert_int_equal(f_->started, s);                                               \
		assert_int_equal(f_->active, a);                                                \
		assert_int_equal(f_->ended, e);                                                 \
		assert_int_equal(f_->call_minutes, cm);                                         \
		assert_int_equal(f_->week_minutes, wm);                                         \
		assert_int_equal(f_->cost_ore, cost);                                           \
		assert_int_equal(f_->unpriced_minutes, unpriced);                               \
	} while (0)

#define I REPORT_YEARLY_INTERNAL
#define X REPORT_YEARLY_EXTERNAL
#define U REPORT_YEARLY_UNASSIGNED

static void test_the_fixture_by_hand(void **state)
{
	struct report_yearly *r = fixture();

	(void)state;
	/* preventive 2019, internal: C1 started; C1 and C6 active and ended
	 * (C6 started in 2018). K1 30 call minutes, W4 30 week minutes (Eva
	 * before her first terms), all unpriced. */
	check(cell(r, "preventive", 2019, I), 1, 2, 2, 30, 30, 0, 60);
	/* external: C2 started and active (Eva external on 2019-05-06 and
	 * on 31 December). K2 45 min at 400.00 = 300.00 kr; K3 60 min at
	 * 450.50 (from 1 July) = 450.50 kr; W1 120 min at 450.50 = 901.00
	 * kr: 1651.50 kr. */
	check(cell(r, "preventive", 2019, X), 1, 1, 0, 105, 120, 165150, 0);
	check(cell(r, "preventive", 2019, U), 0, 0, 0, 0, 0, 0, 0);
	/* preventive 2020: C2 active to 14 February and ended (external).
	 * K4 20 min at 450.50 = 150.1666.. kr, 15017 øre half up. */
	check(cell(r, "preventive", 2020, I), 0, 0, 0, 0, 0, 0, 0);
	check(cell(r, "preventive", 2020, X), 0, 1, 1, 20, 0, 15017, 0);
	/* preventive 2021: W3 60 unpriced minutes of Ida; C5 without a
	 * mentor started, ran and ended. C7 starts after today: nowhere. */
	check(cell(r, "preventive", 2021, I), 0, 0, 0, 0, 60, 0, 60);
	check(cell(r, "preventive", 2021, X), 0, 0, 0, 0, 0, 0, 0);
	check(cell(r, "preventive", 2021, U), 1, 1, 1, 0, 0, 0, 0);
	/* youth 2020, internal: C4 started on 15 January, before Ole's
	 * terms; K6 25 min then, unpriced. */
	check(cell(r, "youth", 2020, I), 1, 0, 0, 25, 0, 0, 25);
	/* external: C3 started (Eva external); C3 and C4 active (their
	 * last day of 2020 is 31 December: Eva and Ole external). K7 50 min
	 * at 500.00 = 416.6666.. -> 41667 øre; W2 (2020-W53, Monday 28
	 * December, ISO year 2020) 90 min at 450.50 = 675.75 kr: 109242 øre. */
	check(cell(r, "youth", 2020, X), 1, 2, 0, 50, 90, 109242, 0);
	/* youth 2021: C3 ran to 31 March and ended with Eva internal by
	 * then; K5 40 min at 350.00 = 233.333.. -> 23333 øre. C4 runs on
	 * with Ole external. */
	check(cell(r, "youth", 2021, I), 0, 1, 1, 40, 0, 23333, 0);
	check(cell(r, "youth", 2021, X), 0, 1, 0, 0, 0, 0, 0);
	check(cell(r, "youth", 2019, I), 0, 0, 0, 0, 0, 0, 0);
	/* Totals: the programmes' figures added, øre for øre:
	 * 2020 external 15017 + 109242 = 124259. */
	check(cell(r, NULL, 2019, I), 1, 2, 2, 30, 30, 0, 60);
	check(cell(r, NULL, 2019, X), 1, 1, 0, 105, 120, 165150, 0);
	check(cell(r, NULL, 2020, I), 1, 0, 0, 25, 0, 0, 25);
	check(cell(r, NULL, 2020, X), 1, 3, 1, 70, 90, 124259, 0);
	check(cell(r, NULL, 2021, I), 0, 1, 1, 40, 60, 23333, 60);
	check(cell(r, NULL, 2021, X), 0, 1, 0, 0, 0, 0, 0);
	check(cell(r, NULL, 2021, U), 1, 1, 1, 0, 0, 0, 0);
	report_yearly_free(r);
}

/* The JSON and CSV say the same in kroner and hours. */
static void test_json_and_csv(void **state)
{
	struct report_yearly *r = fixture();
	json_t *j = report_yearly_json(r), *y2020;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(j, "from")), 2019);
	y2020 = json_array_get(json_object_get(j, "totals"), 1);
	assert_int_equal(json_integer_value(json_object_get(y2020, "year")), 2020);
	/* 160 minutes = 2.666.. h -> "2.67"; 124259 øre = "1242.59". */
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(y2020, "external"), "hours")),
		"2.67");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(y2020, "external"), "cost")),
		"1242.59");
	/* all: internal + external + unassigned, 124259 + 0 + 0 øre. */
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(y2020, "all"), "cost")),
		"1242.59");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "programmes"), 1), "id")),
			    "youth");
	json_decref(j);
	assert_non_null(out);
	assert_int_equal(report_yearly_csv(r, out), 0);
	fclose(out);
	assert_non_null(strstr(text, "programme,year,mentors,started,active,ended,call_minutes,"
				     "week_minutes,hours,cost,unpriced_hours\r\n"));
	/* youth 2020 external: 140 minutes = 2.33 h, 1092.42 kr. */
	assert_non_null(strstr(text, "\r\nyouth,2020,external,1,2,0,50,90,2.33,1092.42,0.00\r\n"));
	assert_non_null(strstr(text, "\r\npreventive,2019,internal,1,2,2,30,30,1.00,0.00,1.00\r\n"));
	assert_non_null(strstr(text, "\r\n,2020,external,1,3,1,70,90,2.67,1242.59,0.00\r\n"));
	free(text);
	report_yearly_free(r);
}

/* A programme met in the data but not configured gets rows of its own. */
static void test_unknown_programme_gets_rows(void **state)
{
	struct report_yearly *r = report_yearly_new(2020, 2020, day("2020-12-31"));
	const struct report_yearly_row *rows;

	(void)state;
	report_yearly_programme(r, "preventive", "P");
	report_yearly_course(r, "old", 0, day("2020-02-01"), CAL_NO_DAY);
	assert_int_equal(report_yearly_rows(r, &rows), 2);
	assert_string_equal(rows[1].programme, "old");
	assert_string_equal(rows[1].name, "old");
	assert_int_equal(rows[1].kind[U].active, 1);
	report_yearly_free(r);
}

static void test_kroner_and_weeks(void **state)
{
	json_t *v;
	int64_t ore;
	cal_day monday;
	char buf[MENTOR_TIME_WEEK_LEN], kr[MENTOR_TIME_KR_LEN];
	static const char *const bad[] = {"", "1.", ".5", "1.234", "-1", "1,5", "1e3", "12 "};

	(void)state;
	v = json_string("450.5");
	assert_int_equal(mentor_time_parse_kr(v, &ore), 0);
	assert_int_equal(ore, 45050);
	json_decref(v);
	v = json_real(450.55);
	assert_int_equal(mentor_time_parse_kr(v, &ore), 0);
	assert_int_equal(ore, 45055);
	json_decref(v);
	v = json_real(1.005);
	assert_int_equal(mentor_time_parse_kr(v, &ore), -1);
	json_decref(v);
	v = json_integer(400);
	assert_int_equal(mentor_time_parse_kr(v, &ore), 0);
	assert_int_equal(ore, 40000);
	json_decref(v);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = json_string(bad[i]);
		assert_int_equal(mentor_time_parse_kr(v, &ore), -1);
		json_decref(v);
	}
	mentor_time_format_kr(5, kr);
	assert_string_equal(kr, "0.05");
	assert_int_equal(mentor_time_week_parse("2020-W53", &monday), 0);
	assert_int_equal(monday, day("2020-12-28"));
	assert_int_equal(mentor_time_week_parse("2021-W53", &monday), -1);
	assert_int_equal(mentor_time_week_parse("2019-W01", &monday), 0);
	assert_int_equal(monday, day("2018-12-31"));
	assert_int_equal(mentor_time_week_parse("2026-12-10", &monday), 0);
	assert_int_equal(monday, day("2026-12-07"));
	mentor_time_week_format(day("2021-01-03"), buf);
	assert_string_equal(buf, "2020-W53");
	mentor_time_week_format(day("2026-12-07"), buf);
	assert_string_equal(buf, "2026-W50");
	assert_int_equal(mentor_time_week_parse("2026-W5", &monday), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_fixture_by_hand),
		cmocka_unit_test(test_json_and_csv),
		cmocka_unit_test(test_unknown_programme_gets_rows),
		cmocka_unit_test(test_kroner_and_weeks),
	};
	return cmocka_run_group_tests_name("report_yearly", tests, NULL, NULL);
}
