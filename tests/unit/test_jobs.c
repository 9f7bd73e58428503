/*
 * test_jobs.c - the daily jobs run a chunk at a time: each job stops after
 * one chunk with that chunk committed and the day not yet counted as run,
 * and a fresh start (as after a crash) goes on where it stopped, doing
 * nothing twice. A failing job is remembered until it succeeds. And the
 * jobs' hot queries are driven by the indexes they were written for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "course.h"
#include "jobs.h"
#include "mentord.h"
#include "outbox.h"
#include "publish.h"
#include "retention.h"
#include "sched-fixture.h"
#include "sql.h"
#include "xmalloc.h"

/* The daemon's context around the fixture's scheduling core, without an
 * event loop: the tests step the jobs themselves. */
struct world {
	struct fx *fx;
	struct mentord m;
};

static void world_open(struct world *w, struct fx *fx, const char *now)
{
	char *cause = NULL;

	memset(w, 0, sizeof *w);
	w->fx = fx;
	w->m.config = config_new_default();
	w->m.clock = clock_new(true);
	if (clock_set(w->m.clock, fx_instant(now), &cause) != 0)
		fail_msg("clock_set: %s", cause);
	w->m.store = fx->store;
	w->m.mentors = fx->mentors;
	w->m.course_log = fx->log;
	w->m.outbox = fx->outbox;
	w->m.courses = fx->courses;
	w->m.queue = fx->queue;
	w->m.jobs = jobs_new(&w->m);
	/* Chunks of ten rows, however fast the machine. */
	jobs_set_chunk(w->m.jobs, 10, 60000);
}

/* What a crash leaves: nothing in memory, the database as committed. */
static void world_restart(struct world *w)
{
	jobs_free(w->m.jobs);
	w->m.jobs = jobs_new(&w->m);
	jobs_set_chunk(w->m.jobs, 10, 60000);
}

static void world_close(struct world *w)
{
	jobs_free(w->m.jobs);
	clock_free(w->m.clock);
	config_free(w->m.config);
}

static int64_t job_done(struct fx *fx, const char *job)
{
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT done FROM job_state WHERE job = '%s'", job);
	return fx_int(fx, sql, 0);
}

static bool job_ran(struct fx *fx, const char *job, const char *day)
{
	char sql[160], buf[16];

	snprintf(sql, sizeof sql, "SELECT last_day FROM job_runs WHERE job = '%s'", job);
	return strcmp(fx_text(fx, sql, 0, buf, sizeof buf), day) == 0;
}

/* Step until the job has done one chunk (the jobs before it have nothing
 * to do and finish in one step each). */
static void one_chunk_of(struct world *w, const char *job)
{
	for (int i = 0; i < 10 && job_done(w->fx, job) == 0; i++)
		if (!jobs_step(w->m.jobs))
			break;
	if (job_done(w->fx, job) == 0)
		fail_msg("job %s did no chunk", job);
}

static void discharges(struct fx *fx, int n, const char *day)
{
	char id[32], phone[16];

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "n-%s-%d", day, i);
		snprintf(phone, sizeof phone, "+45201%05d", i);
		fx_discharge(fx, id, "Borger", NULL, phone, day, day, NULL);
	}
}

static void test_close_stops_after_a_chunk_and_resumes(void **state)
{
	struct fx *fx = *state;
	struct world w;

	fx_on(fx, "2025-09-01");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 25, "2025-09-01"); /* windows end 2026-03-01 */
	world_open(&w, fx, "2026-04-13T08:00:00+02:00");

	one_chunk_of(&w, "close-expired");
	assert_int_equal(job_done(fx, "close-expired"), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'closing'", 0), 10);
	assert_false(job_ran(fx, "close-expired", "2026-04-13"));

	world_restart(&w);
	assert_int_equal(jobs_run_due(&w.m), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 25);
	/* Every course its one closing message, none twice. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'closing'", 0), 25);
	assert_int_equal(fx_int(fx, "SELECT count(DISTINCT course_id) FROM outbox"
				    " WHERE type = 'closing'",
				0),
			 25);
	assert_true(job_ran(fx, "close-expired", "2026-04-13"));
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM job_state WHERE run_day IS NOT NULL", 0),
			 0);
	world_close(&w);
}

/* Referrals that waited too long for their discharge are closed by the
 * same job, in the same chunks, after the courses whose window ended. */
static void test_expiry_of_referrals_goes_in_chunks(void **state)
{
	struct fx *fx = *state;
	struct world w;
	char id[32], phone[16];

	fx_on(fx, "2025-09-01");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 4, "2025-09-01"); /* windows end 2026-03-01 */
	for (int i = 0; i < 8; i++) {
		snprintf(id, sizeof id, "r-%d", i);
		snprintf(phone, sizeof phone, "+45301%05d", i);
		fx_discharge(fx, id, "Borger", NULL, phone, NULL, "2026-03-02", NULL);
	}
	/* Received today: it still waits. */
	fx_discharge(fx, "r-new", "Borger", NULL, "+4530200000", NULL, "2026-04-13", NULL);
	world_open(&w, fx, "2026-04-13T08:00:00+02:00");

	one_chunk_of(&w, "close-expired");
	assert_int_equal(job_done(fx, "close-expired"), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'"
				    " AND state_reason = 'referral_expired'",
				0),
			 6);
	assert_false(job_ran(fx, "close-expired", "2026-04-13"));

	world_restart(&w);
	assert_int_equal(jobs_run_due(&w.m), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 12);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses"
				    " WHERE state = 'awaiting_discharge'",
				0),
			 1);
	/* A referral never had a window: no closing message. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'closing'", 0), 4);
	assert_true(job_ran(fx, "close-expired", "2026-04-13"));
	world_close(&w);
}

static void test_retention_stops_after_a_chunk_and_resumes(void **state)
{
	struct fx *fx = *state;
	struct world w;
	size_t closed;

	fx_on(fx, "2024-09-02");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 23, "2024-09-02");
	fx_on(fx, "2025-03-04");
	fx_begin(fx);
	if (course_close_expired(fx->courses, &fx->op, &closed, &fx->err) != 0)
		fail_msg("closing: %s", fx->err.message);
	fx_commit(fx);
	assert_int_equal(closed, 23);
	world_open(&w, fx, "2026-04-13T08:00:00+02:00");

	one_chunk_of(&w, "retention");
	/* Whole batches of the chunk: at most the chunk's ten. */
	assert_int_equal(job_done(fx, "retention"), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE anonymised_at IS NOT NULL",
				0),
			 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM retention_runs", 0), 0);
	assert_false(job_ran(fx, "retention", "2026-04-13"));

	world_restart(&w);
	assert_int_equal(jobs_run_due(&w.m), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE anonymised_at IS NOT NULL",
				0),
			 23);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE citizen_name = 'Borger'",
				0),
			 0);
	/* One run, with the count of the whole run across the restart. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM retention_runs", 0), 1);
	assert_int_equal(fx_int(fx, "SELECT courses FROM retention_runs", 0), 23);
	assert_true(job_ran(fx, "retention", "2026-04-13"));
	/* The log is append-only again. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM sqlite_schema"
				    " WHERE name = 'course_log_no_update'",
				0),
			 1);
	world_close(&w);
}

static void test_publication_stops_after_a_chunk_and_resumes(void **state)
{
	struct fx *fx = *state;
	struct world w;
	char buf[64];

	fx_on(fx, "2026-04-10");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	fx_mentor(fx, "Niels", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 25, "2026-04-10"); /* first calls due Monday 13 April */
	world_open(&w, fx, "2026-04-13T08:00:00+02:00");

	one_chunk_of(&w, PUBLISH_JOB);
	assert_int_equal(job_done(fx, PUBLISH_JOB), 10);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE kind = 'call_task'", 0),
			 10);
	assert_false(job_ran(fx, PUBLISH_JOB, "2026-04-13"));
	/* The cursor is the tenth call in (due date, id) order. */
	snprintf(buf, sizeof buf, "2026-04-13/%lld",
		 (long long)fx_int(fx, "SELECT id FROM calls WHERE state = 'pending'"
				       " ORDER BY due_date, id LIMIT 1 OFFSET 9",
				   0));
	{
		char cursor[64];
		assert_string_equal(fx_text(fx, "SELECT cursor FROM job_state WHERE job = '"
						PUBLISH_JOB "'",
					    0, cursor, sizeof cursor),
				    buf);
	}
	/* Behind the cursor: a resumed run does not walk it again, so a row
	 * gone from there stays gone. */
	assert_int_equal(sql_exec(store_db(fx->store),
				    "DELETE FROM outbox WHERE id = (SELECT min(id) FROM outbox)",
				    &(char *){NULL}),
			 0);

	world_restart(&w);
	assert_int_equal(jobs_run_due(&w.m), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE kind = 'call_task'", 0),
			 24);
	assert_int_equal(fx_int(fx, "SELECT count(DISTINCT idempotency_key) FROM outbox"
				    " WHERE kind = 'call_task'",
				0),
			 24);
	assert_int_equal(job_done(fx, PUBLISH_JOB), 0);
	assert_true(job_ran(fx, PUBLISH_JOB, "2026-04-13"));
	/* Both mentors' queues, from the one walk. */
	assert_int_equal(fx_int(fx, "SELECT count(DISTINCT json_extract(payload, '$.mentor.id'))"
				    " FROM outbox WHERE kind = 'call_task'",
				0),
			 2);
	world_close(&w);
}

/* A job that fails is known as failed, in memory and in job_state, until
 * a run of it succeeds; the other jobs run all the same. */
static void test_a_failed_job_is_remembered_until_it_succeeds(void **state)
{
	struct fx *fx = *state;
	struct jobs_failure failures[4];
	struct world w;
	char *cause = NULL;

	fx_on(fx, "2025-09-01");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 3, "2025-09-01");
	world_open(&w, fx, "2026-04-13T08:00:00+02:00");
	/* Without its index the close job's query cannot be prepared. */
	assert_int_equal(sql_exec(store_db(fx->store), "DROP INDEX courses_expiry", &cause), 0);

	assert_int_equal(jobs_run_due(&w.m), 1);
	assert_int_equal(jobs_failures(w.m.jobs, failures, 4), 1);
	assert_string_equal(failures[0].job, "close-expired");
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM job_state WHERE job = 'close-expired'"
				    " AND failed_at IS NOT NULL AND error IS NOT NULL",
				0),
			 1);
	assert_true(job_ran(fx, "retention", "2026-04-13"));
	assert_false(job_ran(fx, "close-expired", "2026-04-13"));

	assert_int_equal(sql_exec(store_db(fx->store),
				    "CREATE INDEX courses_expiry ON courses(window_end)"
				    " WHERE state = 'active' OR state = 'ended'",
				    &cause),
			 0);
	assert_int_equal(jobs_run_due(&w.m), 0);
	assert_int_equal(jobs_failures(w.m.jobs, failures, 4), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM job_state WHERE failed_at IS NOT NULL", 0),
			 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 3);
	world_close(&w);
}

/* The plan of every hot query of the jobs, with statistics as the daemon
 * gathers them: each must search through the index it was written for,
 * never scan a table or sort in a temporary b-tree. An index that stops
 * being used fails here, not at a million courses. */
static char *plan_of(struct fx *fx, const char *sql)
{
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;
	char *plan = xstrdup(""), *next, *explain;

	xasprintf(&explain, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK)
		fail_msg("EXPLAIN QUERY PLAN %s: %s", sql, sqlite3_errmsg(db));
	free(explain);
	while (sqlite3_step(s) == SQLITE_ROW) {
		xasprintf(&next, "%s%s\n", plan, (const char *)sqlite3_column_text(s, 3));
		free(plan);
		plan = next;
	}
	sqlite3_finalize(s);
	return plan;
}

static void expect_plan(struct fx *fx, const char *sql, const char *const *wanted)
{
	char *plan = plan_of(fx, sql);

	for (size_t i = 0; wanted[i] != NULL; i++)
		if (strstr(plan, wanted[i]) == NULL)
			fail_msg("the plan of\n  %s\nlacks \"%s\":\n%s", sql, wanted[i], plan);
	if (strstr(plan, "TEMP B-TREE") != NULL)
		fail_msg("the plan of\n  %s\nsorts in a temporary b-tree:\n%s", sql, plan);
	/* json_each is the batch's own list of ids, not a table. */
	for (const char *p = plan; (p = strstr(p, "SCAN ")) != NULL; p++)
		if (strncmp(p, "SCAN json_each", 14) != 0)
			fail_msg("the plan of\n  %s\nscans a table:\n%s", sql, plan);
	free(plan);
}

static void test_hot_job_queries_use_their_indexes(void **state)
{
	struct fx *fx = *state;
	char *cause = NULL;

	/* Some of every kind of row, then the statistics the daemon keeps. */
	fx_on(fx, "2025-09-01");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	discharges(fx, 30, "2025-09-01");
	discharges(fx, 30, "2026-04-10");
	assert_int_equal(sql_exec(store_db(fx->store), "ANALYZE", &cause), 0);

	expect_plan(fx, course_expired_query(0),
		    (const char *const[]){"SEARCH courses USING INDEX courses_expiry", NULL});
	expect_plan(fx, course_expired_query(1),
		    (const char *const[]){"SEARCH courses USING INDEX courses_awaiting", NULL});
	expect_plan(fx, course_expired_query(2),
		    (const char *const[]){"SEARCH courses USING INDEX courses_paused", NULL});
	assert_null(course_expired_query(3));
	expect_plan(fx, retention_query(0),
		    (const char *const[]){"SEARCH courses USING INDEX courses_retention", NULL});
	expect_plan(fx, retention_query(1),
		    (const char *const[]){"SEARCH calls USING INDEX calls_course", NULL});
	expect_plan(fx, retention_query(2),
		    (const char *const[]){"SEARCH outbox USING INDEX outbox_course", NULL});
	expect_plan(fx, retention_query(3),
		    (const char *const[]){"SEARCH course_log USING", "course_log_course", NULL});
	expect_plan(fx, retention_query(4),
		    (const char *const[]){"SEARCH mentor_time USING INDEX mentor_time_course", NULL});
	expect_plan(fx, retention_query(5),
		    (const char *const[]){"SEARCH goal_progress USING", "goals_course", NULL});
	expect_plan(fx, retention_query(6),
		    (const char *const[]){"SEARCH goals USING INDEX goals_course", NULL});
	expect_plan(fx, retention_query(7),
		    (const char *const[]){"SEARCH courses USING INTEGER PRIMARY KEY", NULL});
	assert_null(retention_query(8));
	expect_plan(fx, publish_next_query(),
		    (const char *const[]){"SEARCH k USING INDEX calls_pending_due",
					  "SEARCH c USING INTEGER PRIMARY KEY", NULL});
	expect_plan(fx, outbox_due_query(),
		    (const char *const[]){"SEARCH o USING INDEX outbox_",
					  "SEARCH p USING COVERING INDEX outbox_course"
					  " (course_id=? AND kind=? AND state=? AND id<?)",
					  NULL});
}

/* The rows of the next chunk: as many as fit in the budget of work, and
 * in twice the budget with the COMMIT; shrinking at once, growing by a
 * quarter at most. */
static void test_pace_counts_the_commit_and_grows_slowly(void **state)
{
	(void)state;
	/* 20 ms of work for 250 rows, 20 ms more to commit them: as many. */
	assert_int_equal(jobs_pace(250, 250, 20, 40, 20, 2000), 250);
	/* The same work, a COMMIT of 30 ms: the chunk held the loop 50 ms,
	 * so the next takes the rows that fit in 40. */
	assert_int_equal(jobs_pace(250, 250, 20, 50, 20, 2000), 200);
	/* Work that went twice as fast as the pace said: a quarter more. */
	assert_int_equal(jobs_pace(100, 100, 10, 12, 20, 2000), 126);
	/* A slow chunk shrinks the next at once. */
	assert_int_equal(jobs_pace(100, 100, 40, 45, 20, 2000), 50);
	/* Never more than the most a chunk may take, never none. */
	assert_int_equal(jobs_pace(1900, 1900, 1, 2, 20, 2000), 2000);
	assert_int_equal(jobs_pace(1, 5, 5000, 5000, 20, 2000), 1);
	/* A chunk that did nothing says nothing about the pace. */
	assert_int_equal(jobs_pace(0, 77, 3, 9, 20, 2000), 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_close_stops_after_a_chunk_and_resumes,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_expiry_of_referrals_goes_in_chunks, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_retention_stops_after_a_chunk_and_resumes,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_publication_stops_after_a_chunk_and_resumes,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_job_is_remembered_until_it_succeeds,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hot_job_queries_use_their_indexes, fx_setup,
						fx_teardown),
		cmocka_unit_test(test_pace_counts_the_commit_and_grows_slowly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
