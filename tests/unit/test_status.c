/*
 * test_status.c - unit tests for status.c: the referrals awaiting a
 * decision are counted against the today the caller gives, not against
 * the date of the machine running the test.
 *
 * The referrals (doc/programmes.md's example: need identified Friday 13
 * March 2026, decision due 10 days later on Monday 23 March, at risk from
 * Friday 20 March, overdue from Tuesday 24 March):
 *
 *   R1  due 23 Mar, at risk from 20 Mar
 *   R2  due 30 Mar, at risk from 27 Mar
 *   R3  decided (closed, rejected): never counted as awaiting
 *
 * And, apart, the courses held at their window's end by their closing
 * checklist: ended with reason awaiting_checklist, not other ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sched-fixture.h"
#include "status.h"

static void add_referrals(struct fx *fx)
{
	char *error = NULL;

	if (sqlite3_exec(store_db(fx->store),
			 "INSERT INTO courses (notification_id, state, state_changed_at,"
			 " citizen_name, phone, created_at, source, programme,"
			 " need_identified_on, decision_due, at_risk_on) VALUES"
			 " ('referral:1', 'awaiting_decision', 1, 'R1', '+4520304050', 1,"
			 "  'referral', 'youth', '2026-03-13', '2026-03-23', '2026-03-20'),"
			 " ('referral:2', 'awaiting_decision', 1, 'R2', '+4520304051', 1,"
			 "  'referral', 'youth', '2026-03-20', '2026-03-30', '2026-03-27'),"
			 " ('referral:3', 'closed', 1, 'R3', '+4520304052', 1,"
			 "  'referral', 'youth', '2026-03-10', '2026-03-20', '2026-03-17')",
			 NULL, NULL, &error) != SQLITE_OK)
		fail_msg("adding referrals: %s", error);
}

static void test_referrals_against_the_given_today(void **state)
{
	static const struct {
		const char *today;
		int64_t at_risk, overdue;
	} cases[] = {
		{"2026-03-19", 0, 0}, /* a day before R1 is at risk */
		{"2026-03-20", 1, 0}, /* R1 at risk */
		{"2026-03-23", 1, 0}, /* R1 due today: at risk, not overdue */
		{"2026-03-24", 1, 1}, /* R1 overdue */
		{"2026-03-27", 2, 1}, /* R2 at risk too */
		{"2026-03-31", 2, 2}, /* both overdue */
	};
	struct fx *fx = *state;
	struct status st;
	int failures = 0;

	add_referrals(fx);
	for (size_t i = 0; i < nitems(cases); i++) {
		if (status_read(fx->store, fx_day(cases[i].today), &st, &fx->err) != 0)
			fail_msg("status on %s: %s", cases[i].today, fx->err.message);
		if (st.courses[STATUS_AWAITING_DECISION] != 2 ||
		    st.referrals_at_risk != cases[i].at_risk ||
		    st.referrals_overdue != cases[i].overdue)
			CASE_FAIL(cases[i].today,
				  "awaiting %lld, at risk %lld, overdue %lld; want 2, %lld, %lld",
				  (long long)st.courses[STATUS_AWAITING_DECISION],
				  (long long)st.referrals_at_risk, (long long)st.referrals_overdue,
				  (long long)cases[i].at_risk, (long long)cases[i].overdue);
	}
	fx_done(failures);
}

/* Every course state is a state of the status, by course.h's name, once in
 * the JSON. */
static void test_every_state_by_its_name(void **state)
{
	struct fx *fx = *state;
	struct status st;
	json_t *j, *courses;

	add_referrals(fx);
	assert_int_equal(status_read(fx->store, fx_day("2026-03-24"), &st, &fx->err), 0);
	for (int i = 0; i < STATUS_NSTATES; i++)
		assert_string_equal(status_state_name(i), course_state_name((enum course_state)i));
	j = status_to_json(&st);
	courses = json_object_get(j, "courses");
	assert_int_equal(json_integer_value(json_object_get(courses, "awaiting_decision")), 2);
	assert_int_equal(json_integer_value(json_object_get(courses, "closed")), 1);
	assert_int_equal(json_integer_value(json_object_get(courses, "referrals_at_risk")), 1);
	assert_int_equal(json_integer_value(json_object_get(courses, "referrals_overdue")), 1);
	json_decref(j);
}

/* Ended courses held by their closing checklist are counted apart from
 * the other ended courses, in the text's struct and in the JSON. */
static void test_awaiting_checklist_apart(void **state)
{
	struct fx *fx = *state;
	char *error = NULL;
	struct status st;
	json_t *j;

	if (sqlite3_exec(store_db(fx->store),
			 "INSERT INTO courses (notification_id, state, state_changed_at,"
			 " citizen_name, phone, created_at, programme, state_reason,"
			 " discharge_date, window_end) VALUES"
			 " ('n:1', 'ended', 1, 'E1', '+4520304050', 1, 'youth',"
			 "  'awaiting_checklist', '2026-03-02', '2026-09-02'),"
			 " ('n:2', 'ended', 1, 'E2', '+4520304051', 1, 'youth',"
			 "  'awaiting_checklist', '2026-03-02', '2026-09-02'),"
			 " ('n:3', 'ended', 1, 'E3', '+4520304052', 1, 'youth',"
			 "  'citizen_wish', '2026-03-02', '2026-09-02'),"
			 " ('n:4', 'closed', 1, 'E4', '+4520304053', 1, 'youth',"
			 "  'window_end', '2026-03-02', '2026-09-02')",
			 NULL, NULL, &error) != SQLITE_OK)
		fail_msg("adding courses: %s", error);
	assert_int_equal(status_read(fx->store, fx_day("2026-09-03"), &st, &fx->err), 0);
	assert_int_equal(st.courses[STATUS_ENDED], 3);
	assert_int_equal(st.awaiting_checklist, 2);
	j = status_to_json(&st);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "courses"),
							    "awaiting_checklist")),
			 2);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_referrals_against_the_given_today, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_every_state_by_its_name, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_awaiting_checklist_apart, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
