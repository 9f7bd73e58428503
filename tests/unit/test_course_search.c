/*
 * test_course_search.c - unit tests for course-search.c: what a typed
 * search means (name, phone digits, course number), that names match in
 * any case with æ, ø and å, that the index follows every change of a name
 * or phone and forgets erased ones, scope and paging, the bound on rows
 * examined, and that the query stays driven by the index.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course-search.h"
#include "sched-fixture.h"
#include "xmalloc.h"

struct parse_case {
	const char *text;
	const char *match; /* NULL: refused */
	int64_t course_id;
};

static void test_parse(void **state)
{
	static const struct parse_case cases[] = {
		{"Jensen", "name:\"Jensen\"", 0},
		{"  søren   østergaard ", "name:\"søren østergaard\"", 0},
		{"Åse", "name:\"Åse\"", 0},
		{"Bo", NULL, 0},
		{"ø", NULL, 0},
		{"a \"b\"", "name:\"a \"\"b\"\"\"", 0},
		{"Hansen 2012", "name:\"Hansen 2012\"", 0},
		{"2012", "phone:\"2012\"", 2012},
		{"20 12 34 56", "phone:\"20123456\"", 0},
		{"+45 20 12 34 56", "phone:\"4520123456\"", 0},
		{"0045 20123456", "phone:\"4520123456\"", 0},
		{"(+45) 20-12.34/56", "phone:\"4520123456\"", 0},
		{"7", "", 7},
		{"42", "", 42},
		{"007", "phone:\"007\"", 0},
		{"+4", NULL, 0},
		{"", NULL, 0},
		{"   ", NULL, 0},
		{"- +", NULL, 0},
		{"1234567890123456789", "phone:\"1234567890123456789\"", 0},
	};
	struct course_search_query q;
	const char *problem;
	char long_text[COURSE_SEARCH_MAX_BYTES + 2];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		const struct parse_case *c = &cases[i];
		int rc;

		problem = NULL;
		rc = course_search_parse(c->text, &q, &problem);
		if (c->match == NULL) {
			if (rc == 0)
				CASE_FAIL(c->text, "accepted as '%s'", q.match);
			else if (problem == NULL)
				CASE_FAIL(c->text, "refused without a reason");
		} else if (rc != 0) {
			CASE_FAIL(c->text, "refused: %s", problem);
		} else if (strcmp(q.match, c->match) != 0 || q.course_id != c->course_id) {
			CASE_FAIL(c->text, "got '%s' id %lld, want '%s' id %lld", q.match,
				  (long long)q.course_id, c->match, (long long)c->course_id);
		}
	}
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	if (course_search_parse(long_text, &q, &problem) == 0)
		CASE_FAIL("101 bytes", "accepted");
	fx_done(failures);
}

/* The ids q finds, space-separated, and where the next page starts; in
 * the open transaction, or in one of its own as the API searches. */
static const char *found(struct fx *fx, const char *text, const struct course_search_scope *sc,
			 char *buf, size_t size)
{
	struct course_search_query q;
	const char *problem = NULL;
	struct error err;
	int64_t *ids, next;
	size_t n, len = 0;
	bool own = sqlite3_get_autocommit(store_db(fx->store)) != 0;

	if (course_search_parse(text, &q, &problem) != 0)
		fail_msg("%s: %s", text, problem);
	if (own && store_begin(fx->store, &err) != 0)
		fail_msg("BEGIN: %s", err.message);
	if (course_search(fx->store, &q, sc, &ids, &n, &next, &err) != 0)
		fail_msg("%s: %s", text, err.message);
	if (own && store_commit(fx->store, &err) != 0)
		fail_msg("COMMIT: %s", err.message);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld", i > 0 ? " " : "",
					(long long)ids[i]);
	if (next > 0)
		snprintf(buf + len, size - len, " next %lld", (long long)next);
	free(ids);
	return buf;
}

static void exec(struct fx *fx, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(fx->store), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* sql as every writer of mentord makes a change: in a transaction that
 * ends in store_commit(). */
static void exec_tx(struct fx *fx, const char *sql)
{
	struct error err;

	if (store_begin(fx->store, &err) != 0)
		fail_msg("BEGIN: %s", err.message);
	exec(fx, sql);
	if (store_commit(fx->store, &err) != 0)
		fail_msg("COMMIT: %s", err.message);
}

struct search_case {
	const char *text;
	const char *want;
};

static void test_search(void **state)
{
	static const struct search_case cases[] = {
		{"østergaard", "1"},
		{"SØREN", "1"},
		{"æblø", "2"},
		{"åse", "2"},
		{"ÅSE ÆBLØ", "2"},
		{"hansen", "3 4"},
		{"bo han", "3"},
		{"zzz", ""},
		{"2012", "1 3"},
		{"20 12 34 56", "1"},
		{"+45 20 12 34 56", "1"},
		{"0045 2012 3456", "1"},
		{"4050", "2 4"},
		{"3", "3"},
		{"12", ""},
	};
	struct fx *fx = *state;
	struct course_search_scope all = {.limit = 100};
	char buf[128];
	int failures = 0;

	fx_mentor(fx, "Mentor", MENTOR_ALL_WEEKDAYS);
	fx_discharge(fx, "n1", "Søren Østergaard", NULL, "+4520123456", "2026-03-02", "2026-03-02",
		     NULL);
	fx_discharge(fx, "n2", "Åse Æbløe", NULL, "+4530405060", "2026-03-02", "2026-03-02", NULL);
	fx_discharge(fx, "n3", "Bo Hansen", NULL, "+4520123400", "2026-03-02", "2026-03-02", NULL);
	fx_discharge(fx, "n4", "Mette Jensen-Hansen", NULL, "+4540506070", "2026-03-02",
		     "2026-03-02", NULL);
	for (size_t i = 0; i < nitems(cases); i++) {
		const char *got = found(fx, cases[i].text, &all, buf, sizeof buf);
		if (strcmp(got, cases[i].want) != 0)
			CASE_FAIL(cases[i].text, "found '%s', want '%s'", got, cases[i].want);
	}
	fx_done(failures);
}

static void test_scope_paging_and_bound(void **state)
{
	struct fx *fx = *state;
	int64_t m1 = fx_mentor(fx, "One", MENTOR_ALL_WEEKDAYS);
	int64_t m2 = fx_mentor(fx, "Two", MENTOR_ALL_WEEKDAYS);
	struct course_search_scope sc = {.limit = 100};
	char buf[128], sql[128];

	for (int i = 1; i <= 6; i++) {
		snprintf(buf, sizeof buf, "n%d", i);
		snprintf(sql, sizeof sql, "+452012340%d", i);
		fx_discharge(fx, buf, "Kim Sørensen", NULL, sql, "2026-03-02", "2026-03-02", NULL);
	}
	snprintf(sql, sizeof sql, "UPDATE courses SET mentor_id = %lld", (long long)m1);
	exec(fx, sql);
	snprintf(sql, sizeof sql, "UPDATE courses SET mentor_id = %lld WHERE id IN (5, 6)",
		 (long long)m2);
	exec(fx, sql);
	exec(fx, "UPDATE courses SET state = 'ended' WHERE id IN (2, 6)");

	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "1 2 3 4 5 6");
	sc.mentor_id = m2;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "5 6");
	assert_string_equal(found(fx, "5", &sc, buf, sizeof buf), "5");
	assert_string_equal(found(fx, "1", &sc, buf, sizeof buf), "");
	sc.mentor_id = 0;
	sc.state = "ended";
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "2 6");
	sc.state = NULL;

	/* Pages of two: next_after is the last id of a full page. */
	sc.limit = 2;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "1 2 next 2");
	sc.after = 2;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "3 4 next 4");
	sc.after = 4;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "5 6");
	/* The course number joins the phone numbers' matches in order. */
	exec(fx, "INSERT INTO courses (id, notification_id, state_changed_at, citizen_name,"
		 " phone, discharge_date, window_end, created_at) VALUES (2012, 'n2012', 0,"
		 " 'Kim Lund', '+4599999999', '2026-03-02', '2026-09-02', 0)");
	sc.after = 0;
	assert_string_equal(found(fx, "2012", &sc, buf, sizeof buf), "1 2 next 2");
	sc.after = 6;
	assert_string_equal(found(fx, "2012", &sc, buf, sizeof buf), "2012");
	sc.after = 0;
	sc.limit = 100;
	assert_string_equal(found(fx, "2012", &sc, buf, sizeof buf), "1 2 3 4 5 6 2012");

	/* Examining at most three rows: mentor two's courses are 5 and 6,
	 * so the first call finds none and says where to go on. */
	sc.limit = 100;
	sc.mentor_id = m2;
	sc.examine = 3;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), " next 3");
	sc.after = 3;
	assert_string_equal(found(fx, "sørensen", &sc, buf, sizeof buf), "5 6");
	/* A course number beyond where the search stopped waits for its
	 * page. */
	sc.mentor_id = 0;
	sc.after = 0;
	sc.examine = 2;
	sc.limit = 5;
	assert_string_equal(found(fx, "2012", &sc, buf, sizeof buf), "1 2 next 2");
	sc.after = 6;
	assert_string_equal(found(fx, "2012", &sc, buf, sizeof buf), "2012");
}

static void test_index_follows_changes(void **state)
{
	struct fx *fx = *state;
	struct course_search_scope all = {.limit = 100};
	char buf[128];

	fx_mentor(fx, "Mentor", MENTOR_ALL_WEEKDAYS);
	fx_discharge(fx, "n1", "Søren Østergaard", NULL, "+4520123456", "2026-03-02", "2026-03-02",
		     NULL);
	fx_discharge(fx, "n2", "Åse Æbløe", NULL, "+4530405060", "2026-03-02", "2026-03-02", NULL);
	exec_tx(fx, "UPDATE courses SET citizen_name = 'Åse Lund', phone = '+4570809010'"
		    " WHERE id = 2");
	assert_string_equal(found(fx, "æbløe", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "åse lund", &all, buf, sizeof buf), "2");
	assert_string_equal(found(fx, "3040", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "8090", &all, buf, sizeof buf), "2");
	/* Erased by the retention purge: out of the index, but still a
	 * course number. */
	exec_tx(fx, "UPDATE courses SET citizen_name = 'anonymised', phone = 'anonymised',"
		    " anonymised_at = 1 WHERE id = 1");
	assert_string_equal(found(fx, "østergaard", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "anonymised", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "2012", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "1", &all, buf, sizeof buf), "1");
	/* The index agrees with the table it was built from. */
	exec(fx, "INSERT INTO courses_search (courses_search, rank) VALUES ('integrity-check', 0)");
}

static int pending(struct fx *fx)
{
	return fx_int(fx, "SELECT count(*) FROM courses_search_pending", 0);
}

/* The index is written from what the changes noted, for many at once: a
 * change undone by its savepoint leaves nothing, a course renamed twice
 * is found by its last name only, and a course deleted in the
 * transaction that made it was never there. A search in the middle of
 * the transaction sees what it changed so far. */
static void test_index_follows_the_notes(void **state)
{
	struct fx *fx = *state;
	struct course_search_scope all = {.limit = 100};
	struct error err;
	char buf[128];

	fx_mentor(fx, "Mentor", MENTOR_ALL_WEEKDAYS);
	fx_discharge(fx, "n1", "Søren Østergaard", NULL, "+4520123456", "2026-03-02", "2026-03-02",
		     NULL);
	fx_discharge(fx, "n2", "Åse Æbløe", NULL, "+4530405060", "2026-03-02", "2026-03-02", NULL);
	assert_string_equal(found(fx, "østergaard", &all, buf, sizeof buf), "1");
	assert_int_equal(store_begin(fx->store, &err), 0);
	exec(fx, "SAVEPOINT change");
	exec(fx, "UPDATE courses SET citizen_name = 'Kaj Munk' WHERE id = 2");
	exec(fx, "ROLLBACK TO change");
	exec(fx, "RELEASE change");
	exec(fx, "UPDATE courses SET citizen_name = 'Karen Blixen' WHERE id = 1");
	assert_string_equal(found(fx, "blixen", &all, buf, sizeof buf), "1");
	exec(fx, "UPDATE courses SET citizen_name = 'Karen Dinesen' WHERE id = 1");
	exec(fx, "INSERT INTO courses (notification_id, citizen_name, phone, discharge_date,"
		 " window_end, state, state_changed_at, created_at)"
		 " SELECT 'n3', 'Tove Ditlevsen', phone, discharge_date, window_end, state,"
		 " state_changed_at, created_at FROM courses WHERE id = 2");
	exec(fx, "DELETE FROM courses WHERE notification_id = 'n3'");
	assert_int_equal(store_commit(fx->store, &err), 0);
	assert_string_equal(found(fx, "dinesen", &all, buf, sizeof buf), "1");
	assert_string_equal(found(fx, "blixen", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "østergaard", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "æbløe", &all, buf, sizeof buf), "2");
	assert_string_equal(found(fx, "munk", &all, buf, sizeof buf), "");
	assert_string_equal(found(fx, "ditlevsen", &all, buf, sizeof buf), "");
	assert_int_equal(pending(fx), 0);
	exec(fx, "INSERT INTO courses_search (courses_search, rank) VALUES ('integrity-check', 0)");
}

/* A commit leaves its notes waiting until STORE_SEARCH_BATCH courses
 * are noted, then writes them all: a segment of the index per commit
 * made intake slow. A search finds the waiting ones all the same. */
static void test_notes_wait_for_a_batch(void **state)
{
	struct fx *fx = *state;
	struct course_search_scope all = {.limit = 100};
	char buf[128], *sql;

	fx_mentor(fx, "Mentor", MENTOR_ALL_WEEKDAYS);
	fx_discharge(fx, "n1", "Søren Østergaard", NULL, "+4520123456", "2026-03-02", "2026-03-02",
		     NULL);
	exec_tx(fx, "UPDATE courses SET citizen_name = 'Karen Blixen' WHERE id = 1");
	assert_int_equal(pending(fx), 1);
	xasprintf(&sql,
		  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		  " INSERT INTO courses (notification_id, citizen_name, phone, discharge_date,"
		  " window_end, state, state_changed_at, created_at)"
		  " SELECT 'b' || i, 'Borger ' || i, phone, discharge_date, window_end, state,"
		  " state_changed_at, created_at FROM n, courses WHERE courses.id = 1",
		  STORE_SEARCH_BATCH - 1);
	exec_tx(fx, sql);
	free(sql);
	assert_int_equal(pending(fx), 0);
	assert_string_equal(found(fx, "borger 1023", &all, buf, sizeof buf), "1024");
	assert_string_equal(found(fx, "blixen", &all, buf, sizeof buf), "1");
	exec(fx, "INSERT INTO courses_search (courses_search, rank) VALUES ('integrity-check', 0)");
}

/* A write by hand, outside store_commit(), leaves its notes; the next
 * search puts them into the index first. */
static void test_leftovers_are_found(void **state)
{
	struct fx *fx = *state;
	struct course_search_scope all = {.limit = 100};
	char buf[128];

	fx_mentor(fx, "Mentor", MENTOR_ALL_WEEKDAYS);
	fx_discharge(fx, "n1", "Søren Østergaard", NULL, "+4520123456", "2026-03-02", "2026-03-02",
		     NULL);
	exec(fx, "UPDATE courses SET citizen_name = 'Karen Blixen' WHERE id = 1");
	assert_string_equal(found(fx, "blixen", &all, buf, sizeof buf), "1");
	assert_string_equal(found(fx, "østergaard", &all, buf, sizeof buf), "");
	assert_int_equal(pending(fx), 0);
}

/* Text of every row of EXPLAIN QUERY PLAN for sql. */
static char *plan(struct fx *fx, const char *sql)
{
	sqlite3_stmt *s;
	char *text, *out = xstrdup(""), *next;

	xasprintf(&text, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(store_db(fx->store), text, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", text, sqlite3_errmsg(store_db(fx->store)));
	while (sqlite3_step(s) == SQLITE_ROW) {
		xasprintf(&next, "%s%s\n", out, (const char *)sqlite3_column_text(s, 3));
		free(out);
		out = next;
	}
	sqlite3_finalize(s);
	free(text);
	return out;
}

/* The search must read the index in rowid order and each course by its
 * key: a scan of courses would read a million rows at scale. */
static void test_plan_is_index_driven(void **state)
{
	struct fx *fx = *state;
	char *p;

	exec(fx, "ANALYZE");
	p = plan(fx, course_search_match_sql);
	if (strstr(p, "SCAN s VIRTUAL TABLE") == NULL ||
	    strstr(p, "SEARCH c USING INTEGER PRIMARY KEY") == NULL ||
	    strstr(p, "SCAN c") != NULL || strstr(p, "TEMP B-TREE") != NULL)
		fail_msg("unexpected plan:\n%s", p);
	free(p);
	/* The notes drive the catch-up, each course read by its
	 * key, also when the statistics say courses are a million (and the
	 * notes, never analysed as they are few or none, seem as many): no scan of courses, no Bloom filter built from
	 * them. */
	exec(fx, "INSERT OR REPLACE INTO sqlite_stat1 (tbl, idx, stat)"
		 " VALUES ('courses', NULL, '1000000')");
	exec(fx, "ANALYZE sqlite_schema");
	p = plan(fx, store_search_catch_up_query(1));
	if (strstr(p, "SEARCH courses USING INTEGER PRIMARY KEY") == NULL ||
	    strstr(p, "SCAN courses") != NULL || strstr(p, "BLOOM") != NULL)
		fail_msg("unexpected plan of the search index's catch-up:\n%s", p);
	free(p);
}

#define SEARCH_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		SEARCH_TEST(test_search),
		SEARCH_TEST(test_scope_paging_and_bound),
		SEARCH_TEST(test_index_follows_changes),
		SEARCH_TEST(test_index_follows_the_notes),
		SEARCH_TEST(test_notes_wait_for_a_batch),
		SEARCH_TEST(test_leftovers_are_found),
		SEARCH_TEST(test_plan_is_index_driven),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
