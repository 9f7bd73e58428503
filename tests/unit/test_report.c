/*
 * test_report.c - unit tests for report.c: every figure of the summary,
 * worked out by hand, on courses made by the scheduling core.
 *
 * The courses (default rules; Easter 2026 is 5 April, so 2, 3 and 6 April
 * are holidays; "2 working days" after a discharge is the deadline):
 *
 *   course  discharge    calls (date result)                 first reached
 *   F       Mon 30 Mar   31 Mar no_answer, 1 Apr reached      2 days, in time (Tue 31, Wed 1)
 *   A       Wed  1 Apr   8 Apr reached                        7 days, in time (Tue 7, Wed 8)
 *   B       Wed  1 Apr   7 Apr no_answer, 9 Apr reached       8 days, late
 *   C       Fri 10 Apr   14 Apr declined; resumed 20 Apr      4 days, in time (Mon 13, Tue 14)
 *   D       Fri 10 Apr   15 Apr reached, next: end            5 days, late
 *   J       Fri 10 Apr   30 Apr reached                       20 days, late
 *   E       Mon 20 Apr   21 Apr wrong_number                  none
 *   H       Wed 22 Apr   (superseded by H2 on 23 Apr)         none
 *   H2      Thu 23 Apr   -                                    none
 *   G       Mon  4 May   5 May reached                        1 day, in time
 *
 * Topics and offers: F wellbeing + offer 2 (deleted, "rådgivning"); A
 * wellbeing, network + offer 1 ("fællesskab"); B's reached call
 * treatment_plan + offers 1 and 3 ("fællesskab"); J wellbeing; G network.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sched-fixture.h"

static void add_offers(struct fx *fx)
{
	char *error = NULL;

	if (sqlite3_exec(store_db(fx->store),
			 "INSERT INTO offers"
			 " (id, name, category, created_at, updated_at, deleted_at)"
			 " VALUES (1, 'Café', 'fællesskab', 0, 0, NULL),"
			 " (2, 'Rådgivning', 'rådgivning', 0, 0, 1),"
			 " (3, 'Gåklub', 'fællesskab', 0, 0, NULL)",
			 NULL, NULL, &error) != SQLITE_OK)
		fail_msg("adding offers: %s", error);
}

/* Record an outcome of the course's pending call on `on`. */
static void outcome(struct fx *fx, int64_t course, const char *on, enum call_result result,
		    enum call_next next, const char *const *topics, size_t ntopics,
		    const int64_t *offers, size_t noffers)
{
	struct call_outcome o = {.result = result, .duration_minutes = -1, .topics = topics,
				 .ntopics = ntopics, .offers = offers, .noffers = noffers,
				 .next = next, .next_date = CAL_NO_DAY,
				 .end_reason = next == CALL_NEXT_END ? "doing well" : NULL};
	struct course_result out;
	int64_t call = fx_pending(fx, course);

	if (call == 0)
		fail_msg("course %lld has no pending call", (long long)course);
	fx_on(fx, on);
	fx_begin(fx);
	if (course_record_outcome(fx->courses, &fx->op, call, &o, &out, &fx->err) != 0)
		fail_msg("outcome on %s: %s", on, fx->err.message);
	fx_commit(fx);
}

static void bare(struct fx *fx, int64_t course, const char *on, enum call_result result)
{
	outcome(fx, course, on, result, CALL_NEXT_CONTINUE, NULL, 0, NULL, 0);
}

static void resume(struct fx *fx, int64_t course, const char *on)
{
	struct course_result out;

	fx_on(fx, on);
	fx_begin(fx);
	if (course_resume(fx->courses, &fx->op, course, CAL_NO_DAY, NULL, &out, &fx->err) != 0)
		fail_msg("resume on %s: %s", on, fx->err.message);
	fx_commit(fx);
}

static int64_t discharge(struct fx *fx, const char *id, const char *name, const char *cpr,
			 const char *phone, const char *date)
{
	return fx_discharge(fx, id, name, cpr, phone, date, date, NULL);
}

static void build(struct fx *fx)
{
	static const char *const wellbeing[] = {"wellbeing"};
	static const char *const a_topics[] = {"wellbeing", "network"};
	static const char *const b_topics[] = {"treatment_plan"};
	static const char *const network[] = {"network"};
	static const int64_t offer1[] = {1}, offer2[] = {2}, offers13[] = {1, 3};
	int64_t f, a, b, c, d, j, e, g;

	fx_on(fx, "2026-03-30");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	add_offers(fx);
	f = discharge(fx, "F", "Frida", NULL, "+4520000001", "2026-03-30");
	a = discharge(fx, "A", "Anna", NULL, "+4520000002", "2026-04-01");
	b = discharge(fx, "B", "Bo", NULL, "+4520000003", "2026-04-01");
	c = discharge(fx, "C", "Carl", NULL, "+4520000004", "2026-04-10");
	d = discharge(fx, "D", "Dorte", NULL, "+4520000005", "2026-04-10");
	j = discharge(fx, "J", "Jens", NULL, "+4520000006", "2026-04-10");
	e = discharge(fx, "E", "Eva", NULL, "+4520000007", "2026-04-20");
	discharge(fx, "H", "Hans", "0101901234", "+4520000008", "2026-04-22");
	discharge(fx, "H2", "Hans", "0101901234", "+4520000008", "2026-04-23");
	g = discharge(fx, "G", "Gitte", NULL, "+4520000009", "2026-05-04");

	bare(fx, f, "2026-03-31", CALL_NO_ANSWER);
	outcome(fx, f, "2026-04-01", CALL_REACHED, CALL_NEXT_CONTINUE, wellbeing, 1, offer2, 1);
	outcome(fx, a, "2026-04-08", CALL_REACHED, CALL_NEXT_CONTINUE, a_topics, 2, offer1, 1);
	bare(fx, b, "2026-04-07", CALL_NO_ANSWER);
	outcome(fx, b, "2026-04-09", CALL_REACHED, CALL_NEXT_CONTINUE, b_topics, 1, offers13, 2);
	bare(fx, c, "2026-04-14", CALL_DECLINED);
	resume(fx, c, "2026-04-20");
	outcome(fx, d, "2026-04-15", CALL_REACHED, CALL_NEXT_END, NULL, 0, NULL, 0);
	outcome(fx, j, "2026-04-30", CALL_REACHED, CALL_NEXT_CONTINUE, wellbeing, 1, NULL, 0);
	bare(fx, e, "2026-04-21", CALL_WRONG_NUMBER);
	outcome(fx, g, "2026-05-05", CALL_REACHED, CALL_NEXT_CONTINUE, network, 1, NULL, 0);
}

static struct report_summary *summary(struct fx *fx, const char *from, const char *to)
{
	struct report_summary *r = NULL;
	struct error err;

	if (report_summary(fx->store, &fx->rules.closures, fx_day(from), fx_day(to), &r, &err) !=
	    0)
		fail_msg("report_summary: %s", err.message);
	return r;
}

static int64_t count_of(const struct report_count *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return list[i].count;
	return -1;
}

#define assert_real(got, want) assert_true(fabs((got) - (want)) < 1e-9)

static void test_empty(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r = summary(fx, "2026-01-01", "2026-12-31");

	assert_int_equal(r->discharges, 0);
	for (int i = 0; i < REPORT_STATES; i++)
		assert_int_equal(r->by_state[i], 0);
	assert_int_equal(r->reached_courses, 0);
	assert_true(isnan(r->days_to_reach_median));
	assert_true(isnan(r->reached_in_time_share));
	assert_true(isnan(r->calls_per_course));
	assert_true(isnan(r->reach_rate));
	assert_true(isnan(r->ended_at_first_call_share));
	assert_int_equal(r->resumed_courses, 0);
	assert_int_equal(r->ntopics, 0);
	assert_int_equal(r->ncategories, 0);
	report_summary_free(r);
}

/* April: A, B, C, D, J, E, H, H2 by discharge; calls of 1-30 April. */
static void test_april(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r;

	build(fx);
	r = summary(fx, "2026-04-01", "2026-04-30");
	assert_int_equal(r->discharges, 8);
	assert_int_equal(r->by_state[COURSE_ACTIVE], 6); /* A B C(resumed) J E H2 */
	assert_int_equal(r->by_state[COURSE_ENDED], 1);  /* D */
	assert_int_equal(r->by_state[COURSE_CLOSED], 0);
	assert_int_equal(r->by_state[COURSE_SUPERSEDED], 1); /* H */
	/* 4, 5, 7, 8, 20 days: odd count, median the middle one. */
	assert_int_equal(r->reached_courses, 5);
	assert_real(r->days_to_reach_median, 7);
	assert_real(r->reached_in_time_share, 2.0 / 5); /* A (holidays), C (weekend) */
	/* A 1, B 2, C 1, D 1, J 1, E 1, H 0 (cancelled), H2 0 over 8 courses. */
	assert_int_equal(r->course_calls, 7);
	assert_real(r->calls_per_course, 7.0 / 8);
	assert_int_equal(r->ended_at_first_call, 2); /* C declined, D next: end */
	assert_real(r->ended_at_first_call_share, 2.0 / 5);
	assert_int_equal(r->resumed_courses, 1);
	/* F 1 Apr, A, B x2, C, D, J, E; not F 31 Mar nor G 5 May. */
	assert_int_equal(r->calls_with_outcome, 8);
	assert_int_equal(r->calls_reached, 6); /* a declined call reached C */
	assert_real(r->reach_rate, 0.75);
	assert_int_equal(r->ntopics, 3);
	assert_int_equal(count_of(r->topics, r->ntopics, "wellbeing"), 3);
	assert_int_equal(count_of(r->topics, r->ntopics, "network"), 1);
	assert_int_equal(count_of(r->topics, r->ntopics, "treatment_plan"), 1);
	assert_int_equal(r->ncategories, 2);
	assert_int_equal(count_of(r->categories, r->ncategories, "fællesskab"), 3);
	assert_int_equal(count_of(r->categories, r->ncategories, "rådgivning"), 1);
	report_summary_free(r);
}

static void test_periods(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r;

	build(fx);
	/* A and B: 7 and 8 days. */
	r = summary(fx, "2026-04-01", "2026-04-01");
	assert_int_equal(r->discharges, 2);
	assert_int_equal(r->reached_courses, 2);
	assert_real(r->days_to_reach_median, 7.5);
	assert_real(r->reached_in_time_share, 0.5);
	assert_real(r->ended_at_first_call_share, 0);
	assert_real(r->calls_per_course, 1.5);
	report_summary_free(r);
	/* C, D, J: 4, 5 and 20 days; C and D ended at their first call. */
	r = summary(fx, "2026-04-10", "2026-04-10");
	assert_int_equal(r->reached_courses, 3);
	assert_real(r->days_to_reach_median, 5);
	assert_real(r->reached_in_time_share, 1.0 / 3);
	assert_real(r->ended_at_first_call_share, 2.0 / 3);
	assert_int_equal(r->resumed_courses, 1);
	/* Call figures by call date: nothing was called on 10 April. */
	assert_int_equal(r->calls_with_outcome, 0);
	assert_true(isnan(r->reach_rate));
	report_summary_free(r);
	/* A, B, C, D, J, E, H, H2 and G: 1, 4, 5, 7, 8, 20 days. */
	r = summary(fx, "2026-04-01", "2026-05-31");
	assert_int_equal(r->reached_courses, 6);
	assert_real(r->days_to_reach_median, 6);
	assert_real(r->reached_in_time_share, 0.5);
	report_summary_free(r);
}

/* No lower bound: only F by discharge, and the calls up to 31 March;
 * F's first reached call (1 April) still counts for its course. */
static void test_open_start(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r;
	json_t *json;

	build(fx);
	r = summary(fx, NULL, "2026-03-31");
	assert_int_equal(r->discharges, 1);
	assert_int_equal(r->reached_courses, 1);
	assert_real(r->days_to_reach_median, 2);
	assert_real(r->reached_in_time_share, 1);
	assert_real(r->calls_per_course, 2);
	assert_int_equal(r->calls_with_outcome, 1);
	assert_int_equal(r->calls_reached, 0);
	assert_real(r->reach_rate, 0);
	assert_int_equal(r->ntopics, 0);
	assert_int_equal(r->ncategories, 0);
	json = report_summary_json(r);
	assert_true(json_is_null(json_object_get(json, "from")));
	assert_string_equal(json_string_value(json_object_get(json, "to")), "2026-03-31");
	assert_false(json_is_null(json_object_get(json, "ended_at_first_call_share")));
	json_decref(json);
	report_summary_free(r);
}

/* A configured closure day moves the deadline like a holiday: with 8
 * April closed, A's deadline is 9 April and B (9 April) is in time. */
static void test_closure(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r = NULL;
	struct cal_closures closures = fx->rules.closures;
	struct error err;

	build(fx);
	cal_closure_parse("2026-04-08", &closures.days[closures.count++]);
	if (report_summary(fx->store, &closures, fx_day("2026-04-01"), fx_day("2026-04-01"), &r,
			   &err) != 0)
		fail_msg("report_summary: %s", err.message);
	assert_real(r->reached_in_time_share, 1);
	report_summary_free(r);
}

static void test_json(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r;
	json_t *json, *v;

	build(fx);
	r = summary(fx, "2026-04-01", "2026-04-30");
	json = report_summary_json(r);
	report_summary_free(r);
	assert_string_equal(json_string_value(json_object_get(json, "from")), "2026-04-01");
	assert_int_equal(json_integer_value(json_object_get(json, "discharges_received")), 8);
	v = json_object_get(json, "courses_by_state");
	assert_int_equal(json_integer_value(json_object_get(v, "active")), 6);
	assert_int_equal(json_integer_value(json_object_get(v, "superseded")), 1);
	assert_int_equal(json_integer_value(json_object_get(v, "closed")), 0);
	v = json_object_get(json, "days_to_first_reached_call");
	assert_int_equal(json_integer_value(json_object_get(v, "courses")), 5);
	assert_real(json_real_value(json_object_get(v, "median")), 7);
	assert_real(json_real_value(json_object_get(v, "share_within_2_working_days")), 0.4);
	/* 7/8 = 0.875 exactly; shares are rounded to 4 decimals. */
	assert_real(json_real_value(json_object_get(json, "calls_per_course")), 0.875);
	assert_real(json_real_value(json_object_get(json, "reach_rate")), 0.75);
	assert_int_equal(json_integer_value(json_object_get(json, "resumed_courses")), 1);
	v = json_object_get(json, "topics");
	assert_int_equal(json_integer_value(json_object_get(v, "wellbeing")), 3);
	v = json_object_get(json, "offers_by_category");
	assert_int_equal(json_integer_value(json_object_get(v, "fællesskab")), 3);
	json_decref(json);
	/* C, D, J: 1/3 rounds to 0.3333. */
	r = summary(fx, "2026-04-10", "2026-04-10");
	json = report_summary_json(r);
	report_summary_free(r);
	v = json_object_get(json, "days_to_first_reached_call");
	assert_real(json_real_value(json_object_get(v, "share_within_2_working_days")), 0.3333);
	assert_true(json_is_null(json_object_get(json, "reach_rate")));
	json_decref(json);
}

/* After every window has ended the close job closes active and ended
 * courses alike; superseded ones stay as they are. */
static void test_closed(void **state)
{
	struct fx *fx = *state;
	struct report_summary *r;
	size_t closed = 0;

	build(fx);
	fx_on(fx, "2026-11-30");
	fx_begin(fx);
	if (course_close_expired(fx->courses, &fx->op, &closed, &fx->err) != 0)
		fail_msg("closing: %s", fx->err.message);
	fx_commit(fx);
	r = summary(fx, "2026-04-01", "2026-04-30");
	assert_int_equal(r->by_state[COURSE_ACTIVE], 0);
	assert_int_equal(r->by_state[COURSE_ENDED], 0);
	assert_int_equal(r->by_state[COURSE_CLOSED], 7);
	assert_int_equal(r->by_state[COURSE_SUPERSEDED], 1);
	report_summary_free(r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty),	   T(test_april),   T(test_periods), T(test_open_start),
		T(test_closure), T(test_json), T(test_closed),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
