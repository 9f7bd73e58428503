/*
 * test_workload.c - every mentor's load over a few days (workload.h): calls
 * due per assigned mentor and day, the overdue ones, the queues after
 * routing an absent mentor's calls to the stand-in, and the query plan
 * that keeps it a range of calls_pending_due.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched-fixture.h"
#include "workload.h"

static void set_absent(struct fx *fx, int64_t id, const char *from, const char *to)
{
	struct mentor *m;
	struct mentor_absence a = {fx_day(from), fx_day(to)};

	assert_int_equal(mentor_get(fx->mentors, id, &m, &fx->err), 0);
	free(m->absences);
	m->absences = malloc(sizeof a);
	m->absences[0] = a;
	m->nabsences = 1;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
}

static int64_t due(const struct workload *w, int64_t mentor, int day)
{
	const struct workload_row *r = workload_find(w, mentor);

	return r != NULL ? r->due[day] : 0;
}

static int64_t queued(const struct workload *w, int64_t mentor, int day)
{
	const struct workload_row *r = workload_find(w, mentor);

	return r != NULL ? r->queue[day] : 0;
}

/*
 * Mon 13 Apr 2026. Anna has two citizens discharged on Sun 12 Apr (first
 * contact Mon 13), Bo two discharged on Thu 9 Apr (first contact Fri 10,
 * never made: overdue on the 13th) and one discharged Mon 13 (due Tue 14).
 * Bo is away Tue 14 to Wed 15: his call of the 14th goes to Anna.
 */
static void test_load_and_routing(void **state)
{
	struct fx *fx = *state;
	struct workload *w;
	int64_t anna, bo;

	fx_on(fx, "2026-04-09");
	bo = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	fx_discharge(fx, "b1", "Citizen B1", NULL, "+4570000011", "2026-04-09", "2026-04-09", NULL);
	fx_discharge(fx, "b2", "Citizen B2", NULL, "+4570000012", "2026-04-09", "2026-04-09", NULL);
	anna = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	for (int i = 1; i <= 2; i++) {
		char id[16], phone[16];
		snprintf(id, sizeof id, "a%d", i);
		snprintf(phone, sizeof phone, "+457000002%d", i);
		fx_discharge(fx, id, "Citizen A", NULL, phone, "2026-04-12", "2026-04-12", NULL);
	}
	/* Two each: the next one goes to the lower id, Bo. */
	fx_discharge(fx, "b3", "Citizen B3", NULL, "+4570000013", "2026-04-13", "2026-04-13", NULL);
	set_absent(fx, bo, "2026-04-14", "2026-04-15");
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE mentor_id = ?1", bo), 3);

	assert_int_equal(workload_read(fx->store, fx->mentors, fx_day("2026-04-13"),
				       fx_day("2026-04-19"), &w, &fx->err),
			 0);
	assert_int_equal(w->ndays, 7);
	assert_int_equal(w->unassigned_courses, 0);
	assert_int_equal(due(w, anna, 0), 2);
	assert_int_equal(workload_find(w, bo)->overdue, 2);
	assert_int_equal(due(w, bo, 0), 0);
	assert_int_equal(due(w, bo, 1), 1);
	/* Monday: each their own, Bo's overdue first contacts in his queue. */
	assert_int_equal(queued(w, anna, 0), 2);
	assert_int_equal(queued(w, bo, 0), 2);
	/* Tuesday: Bo is away, Anna stands in. */
	assert_int_equal(queued(w, bo, 1), 0);
	assert_int_equal(queued(w, anna, 1), 1);
	for (int d = 2; d < 7; d++)
		assert_int_equal(queued(w, anna, d) + queued(w, bo, d), 0);
	workload_free(w);

	/* A period in the past counts everything since as overdue. */
	assert_int_equal(workload_read(fx->store, fx->mentors, fx_day("2026-04-16"),
				       fx_day("2026-04-16"), &w, &fx->err),
			 0);
	assert_int_equal(workload_find(w, anna)->overdue, 2);
	assert_int_equal(workload_find(w, bo)->overdue, 3);
	workload_free(w);
}

static void test_period_is_checked(void **state)
{
	struct fx *fx = *state;
	struct workload *w = NULL;

	assert_int_equal(workload_read(fx->store, fx->mentors, fx_day("2026-04-13"),
				       fx_day("2026-04-12"), &w, &fx->err),
			 -1);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	assert_string_equal(fx->err.field, "to");
	assert_int_equal(workload_read(fx->store, fx->mentors, fx_day("2026-04-01"),
				       fx_day("2026-05-02"), &w, &fx->err),
			 -1);
	assert_int_equal(workload_read(fx->store, fx->mentors, fx_day("2026-04-01"),
				       fx_day("2026-05-01"), &w, &fx->err),
			 0);
	assert_int_equal(w->ndays, WORKLOAD_MAX_DAYS);
	assert_int_equal(w->count, 0);
	/* No mentor has work: nobody is found (and UBSan sees no bsearch
	 * over a NULL array). */
	assert_null(workload_find(w, 1));
	workload_free(w);
	workload_free(NULL);
}

/* The plan of the aggregate: a range of the partial index of pending calls
 * and the course by its primary key, never a scan of every call or course
 * (at a million courses a scan holds the loop for seconds). */
static void test_query_plan(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;
	char sql[1024], plan[1024] = "";

	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", workload_due_sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, "2026-04-19", -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		strncat(plan, (const char *)sqlite3_column_text(s, 3), sizeof plan - strlen(plan) - 2);
		strncat(plan, "|", sizeof plan - strlen(plan) - 1);
	}
	sqlite3_finalize(s);
	if (strstr(plan, "USING INDEX calls_pending_due") == NULL ||
	    strstr(plan, "INTEGER PRIMARY KEY") == NULL || strstr(plan, "SCAN k") != NULL ||
	    strstr(plan, "SCAN c") != NULL)
		fail_msg("workload plan: %s", plan);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_load_and_routing),
		T(test_period_is_checked),
		T(test_query_plan),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
