/*
 * test_fhir_store.c - the HospitalNotification bundles kept and what they
 * did: a message's effects followed through its revisions, an effect
 * undone, and the purge, oldest first, a chunk at a time, along indexes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fhir-store.h"
#include "sched-fixture.h"
#include "sql.h"
#include "xmalloc.h"

static void bundle(struct fx *fx, const char *id, const char *header, time_t at)
{
	assert_int_equal(fhir_store_remember(fx->store, id, header, "0000000000000000000000000000"
								     "000000000000000000000000000000000000",
					     200, "{}", at, &fx->err),
			 0);
}

static void effect(struct fx *fx, const char *bundle_id, int64_t course)
{
	struct course_effect e = {
		.course_id = course,
		.event = COURSE_EVENT_ADMITTED,
		.at = 1000,
		.from = COURSE_ACTIVE,
		.from_discharge = fx_day("2026-04-01"),
		.from_window_end = fx_day("2026-10-01"),
		.to = COURSE_PAUSED,
		.to_changed_at = 1000,
		.to_discharge = fx_day("2026-04-01"),
	};

	assert_int_equal(fhir_store_add_effect(fx->store, bundle_id, &e, &fx->err), 0);
}

/* A message revised, then the revision revised: the effects of a message
 * are those of its latest revision; a cancelled one has none left. */
static void test_chain(void **state)
{
	struct fx *fx = *state;
	struct fhir_effect *effects;
	size_t n;
	bool known;
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n-1", "Jens", "0101801234", "+4522345678", "2026-04-01",
			      "2026-04-01", NULL);
	fx_begin(fx);
	bundle(fx, "b-1", "h-1", 100);
	effect(fx, "b-1", course);
	assert_int_equal(fhir_store_effects(fx->store, "h-1", &known, &effects, &n, &fx->err), 0);
	assert_true(known);
	assert_int_equal(n, 1);
	assert_string_equal(effects[0].bundle_id, "b-1");
	assert_int_equal(effects[0].course.course_id, course);
	assert_int_equal(effects[0].course.from, COURSE_ACTIVE);
	assert_int_equal(effects[0].course.to, COURSE_PAUSED);
	assert_int_equal(effects[0].course.from_discharge, fx_day("2026-04-01"));
	/* Revised by h-2, which had its own effect. */
	bundle(fx, "b-2", "h-2", 200);
	assert_int_equal(fhir_store_undone(fx->store, &effects[0], "h-2", 200, &fx->err), 0);
	free(effects);
	effect(fx, "b-2", course);
	assert_int_equal(fhir_store_effects(fx->store, "h-1", &known, &effects, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(effects[0].bundle_id, "b-2");
	/* Cancelled by h-3: nothing left to undo, but the message is known. */
	assert_int_equal(fhir_store_undone(fx->store, &effects[0], "h-3", 300, &fx->err), 0);
	free(effects);
	assert_int_equal(fhir_store_effects(fx->store, "h-1", &known, &effects, &n, &fx->err), 0);
	assert_true(known);
	assert_int_equal(n, 0);
	free(effects);
	assert_int_equal(fhir_store_effects(fx->store, "h-9", &known, &effects, &n, &fx->err), 0);
	assert_false(known);
	assert_int_equal(n, 0);
	free(effects);
	fx_commit(fx);
}

/* Oldest first, at most limit at a time, effects with them. */
static void test_purge(void **state)
{
	struct fx *fx = *state;
	char id[16];
	size_t purged;
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n-1", "Jens", "0101801234", "+4522345678", "2026-04-01",
			      "2026-04-01", NULL);
	fx_begin(fx);
	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof id, "b-%d", i);
		bundle(fx, id, id, 100 + i);
		effect(fx, id, course);
	}
	assert_int_equal(fhir_store_purge(fx->store, 108, 5, &purged, &fx->err), 0);
	assert_int_equal(purged, 5);
	assert_int_equal(fhir_store_purge(fx->store, 108, 5, &purged, &fx->err), 0);
	assert_int_equal(purged, 3);
	assert_int_equal(fhir_store_purge(fx->store, 108, 5, &purged, &fx->err), 0);
	assert_int_equal(purged, 0);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM fhir_bundles WHERE received_at >= ?1",
				108),
			 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM fhir_effects", 0), 2);
}

/* The purge and the reads walk indexes, not the table. */
static void test_query_plans(void **state)
{
	static const char *const queries[] = {
		"DELETE FROM fhir_bundles WHERE bundle_id IN (SELECT bundle_id FROM fhir_bundles"
		" WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)",
		"SELECT e.bundle_id FROM fhir_bundles b JOIN fhir_effects e ON e.bundle_id ="
		" b.bundle_id WHERE b.header_id = ?1 ORDER BY course_id",
		"SELECT 1 FROM fhir_bundles WHERE header_id = ?1 LIMIT 1",
	};
	struct fx *fx = *state;
	sqlite3 *db = store_db(fx->store);

	for (size_t i = 0; i < nitems(queries); i++) {
		char *explain;
		sqlite3_stmt *s;

		xasprintf(&explain, "EXPLAIN QUERY PLAN %s", queries[i]);
		assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &s, NULL), SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(s, 3);
			if (strncmp(detail, "SCAN ", 5) == 0)
				fail_msg("%s: %s", queries[i], detail);
		}
		sqlite3_finalize(s);
		free(explain);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_chain),
		T(test_purge),
		T(test_query_plans),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
