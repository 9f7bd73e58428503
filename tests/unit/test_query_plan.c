/*
 * test_query_plan.c - every hot read is an index range: EXPLAIN QUERY PLAN
 * of each must neither scan a table nor sort in a temporary b-tree, with
 * and without the statistics ANALYZE gathers (store_open runs the planner
 * with them). At a million courses a scan or a sort of this kind took a
 * second per request (README, "Performance"), so an index that stops being
 * used fails here, not in production.
 *
 * The statements are found among those the modules prepared on the
 * store's connection (sqlite3_next_stmt), by a piece of their SQL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "metrics.h"
#include "sched-fixture.h"
#include "sql.h"
#include "xmalloc.h"

struct hot_query {
	const char *what;
	const char *key; /* a piece of the SQL that names the statement */
	/* Plan lines starting with these are fine: scans of small tables,
	 * of a subquery's own rows, and of constants. */
	const char *scans_allowed[4];
	bool sort_allowed; /* only over a handful of rows */
	/* If set, every SEARCH must go through one of these indexes: another
	 * range may be an index too and still hold every course (intake's
	 * search for the citizen through courses_programme read them all,
	 * one per discharge, on a database without statistics). */
	const char *uses[3];
};

static const struct hot_query hot[] = {
	{"a mentor's queue", "FROM calls k JOIN courses c NOT INDEXED ON", {NULL}, false, {NULL}},
	{"the queue's stand-in share",
	 "SELECT id FROM mentors ORDER BY id",
	 {"SCAN mentors"},
	 false,
	 {NULL}},
	{"a course", "state_changed_at FROM courses WHERE id = ?1", {NULL}, false, {NULL}},
	{"its log",
	 "FROM course_log l WHERE l.course_id = ?1 ORDER BY l.id",
	 {NULL},
	 false,
	 {NULL}},
	{"its calls", "FROM calls WHERE course_id = ?1 ORDER BY id", {NULL}, false, {NULL}},
	{"its pending call",
	 "FROM calls WHERE course_id = ?1 AND state = 'pending' AND kind = 'call'",
	 {NULL},
	 false,
	 {NULL}},
	{"its pending meeting",
	 "FROM calls WHERE course_id = ?1 AND state = 'pending' AND kind = 'meeting'",
	 {NULL},
	 false,
	 {NULL}},
	{"a page of courses", "FROM courses WHERE ?1 IS NULL AND ?2 = 0", {NULL}, false, {NULL}},
	{"a page of a state", "FROM courses WHERE state = ?1 AND ?2 = 0", {NULL}, false, {NULL}},
	{"a page of a mentor",
	 "FROM courses WHERE ?1 IS NULL AND mentor_id = ?2",
	 {NULL},
	 false,
	 {NULL}},
	{"a page of a mentor in a state",
	 "FROM courses WHERE state = ?1 AND mentor_id = ?2",
	 {NULL},
	 false,
	 {NULL}},
	{"a notification again", "FROM courses WHERE notification_id = ?1", {NULL}, false, {NULL}},
	{"what it superseded", "FROM courses WHERE superseded_by = ?1", {NULL}, false, {NULL}},
	/* A read's audit: the course's rows of today, newest first, for a
	 * repeat to count on; and a course's trail, a page at a time. */
	{"a course's newest audit rows",
	 "FROM audit WHERE course_id = ?1 ORDER BY id DESC",
	 {NULL},
	 false,
	 {NULL}},
	{"a course's audit trail", "WHERE a.course_id = ?1 AND a.id > ?2", {NULL}, false, {NULL}},
	/* The daily close, a chunk of the expired courses in index order. */
	{"courses to close", "INDEXED BY courses_expiry", {NULL}, false, {NULL}},
	/* Intake: the citizen's open course, once per discharge. */
	{"the citizen's open course",
	 "WHERE ?1 IS NOT NULL AND cpr = ?1",
	 {NULL},
	 false,
	 {"USING INDEX courses_cpr ", "USING INDEX courses_phone "}},
	{"a life event's courses",
	 "WHERE cpr = ?1 AND state IN",
	 {NULL},
	 false,
	 {"USING INDEX courses_cpr "}},
	{"whether the citizen has died",
	 "WHERE cpr = ?1 AND +state = 'deceased'",
	 {NULL},
	 false,
	 {"USING INDEX courses_cpr "}},
	/* Consent withdrawn: what the course superseded, and the finished
	 * courses of the CPR number; the union sorts a handful of ids. */
	{"the courses a withdrawn consent erases",
	 "JOIN chain ON p.superseded_by = chain.id",
	 {"SCAN chain"},
	 true,
	 {" INDEX courses_superseded_by ", "USING INDEX courses_cpr "}},
};

/* The SQL of the one prepared statement containing key, or NULL. */
static const char *find_sql(sqlite3 *db, const char *key)
{
	const char *found = NULL;

	for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s != NULL;
	     s = sqlite3_next_stmt(db, s)) {
		const char *sql = sqlite3_sql(s);
		if (sql == NULL || strstr(sql, key) == NULL)
			continue;
		if (found != NULL && strcmp(found, sql) != 0)
			fail_msg("\"%s\" names two statements:\n  %s\n  %s", key, found, sql);
		found = sql;
	}
	return found;
}

static bool allowed_scan(const char *detail, const char *const *allowed)
{
	if (strncmp(detail, "SCAN ", 5) == 0 && strstr(detail, " CONSTANT ROW") != NULL)
		return true;
	for (size_t i = 0; i < 4 && allowed[i] != NULL; i++)
		if (strncmp(detail, allowed[i], strlen(allowed[i])) == 0)
			return true;
	return false;
}

/* The failures of one statement's plan, printed. */
static bool uses_listed(const char *detail, const char *const *uses)
{
	if (uses == NULL || uses[0] == NULL || strncmp(detail, "SEARCH ", 7) != 0)
		return true;
	for (size_t i = 0; i < 3 && uses[i] != NULL; i++)
		if (strstr(detail, uses[i]) != NULL)
			return true;
	return false;
}

static int check_plan(sqlite3 *db, const char *what, const char *sql,
		      const char *const *scans_allowed, bool sort_allowed, const char *const *uses,
		      const char *stats)
{
	char *explain;
	sqlite3_stmt *s;
	int failures = 0;

	xasprintf(&explain, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", what, sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);
		bool scan =
			strncmp(detail, "SCAN ", 5) == 0 && !allowed_scan(detail, scans_allowed);
		bool sort = strstr(detail, "TEMP B-TREE") != NULL && !sort_allowed;
		if (scan || sort || !uses_listed(detail, uses)) {
			print_error("%s (%s): %s\n  in: %s\n", what, stats, detail, sql);
			failures++;
		}
	}
	sqlite3_finalize(s);
	free(explain);
	return failures;
}

/* /metrics must not count along courses_state: its range for a state
 * holds every course ever closed, a million at scale. */
static int check_not_state_range(sqlite3 *db, const char *sql, const char *stats)
{
	char *explain;
	sqlite3_stmt *s;
	int failures = 0;

	xasprintf(&explain, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK)
		fail_msg("/metrics: %s", sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(s, 3);
		if (strstr(detail, "courses_state") != NULL) {
			print_error("/metrics (%s): %s\n  in: %s\n", stats, detail, sql);
			failures++;
		}
	}
	sqlite3_finalize(s);
	free(explain);
	return failures;
}

static int check_all(struct fx *fx, const char *stats)
{
	sqlite3 *db = store_db(fx->store);
	const char *sql;
	int failures = 0;

	for (size_t i = 0; i < nitems(hot); i++) {
		if ((sql = find_sql(db, hot[i].key)) == NULL)
			fail_msg("%s: no prepared statement contains \"%s\"", hot[i].what,
				 hot[i].key);
		failures += check_plan(db, hot[i].what, sql, hot[i].scans_allowed,
				       hot[i].sort_allowed, hot[i].uses, stats);
	}
	/* /metrics: the queue family counts a range per mentor and sorts the
	 * mentors; the others read row_counts. */
	for (size_t i = 0; (sql = metrics_family_sql(i)) != NULL; i++) {
		static const char *const per_mentor[] = {"SCAN mentors", "SCAN a", "SCAN m", NULL};
		bool queue = strstr(sql, "FROM mentors") != NULL;
		/* s: the list of states, constants (metrics.c); the expired
		 * referrals and the courses awaiting their checklist are
		 * partial indexes of just them. */
		const char *const none[] = {
			"SCAN s", "SCAN courses USING INDEX courses_referral_expired",
			"SCAN courses USING INDEX courses_awaiting_checklist", NULL};
		failures += check_plan(db, "/metrics", sql, queue ? per_mentor : none, queue, NULL,
				       stats);
		failures += check_not_state_range(db, sql, stats);
	}
	return failures;
}

/* Reads of the courses by two readers over two days, each read twice:
 * the audit rows a queue and a course page write. */
static void audit_reads(struct fx *fx)
{
	struct auth_identity who = {.role = AUTH_MENTOR};
	struct error err;
	char *cause = NULL;
	json_t *list;

	if (sql_exec(store_db(fx->store),
		     "INSERT INTO tokens (id, name, role, hash, created_at) VALUES"
		     " (1, 'a', 'mentor', zeroblob(32), 1), (2, 'b', 'admin', randomblob(32), 1)",
		     &cause) != 0)
		fail_msg("tokens: %s", cause);
	for (int i = 0; i < 4 * 600; i++) {
		who.token_id = 1 + i % 2;
		if (audit_record(fx->store, &who, "192.0.2.1",
				 fx_instant("2026-09-01") + (i / 1200) * 86400, "read",
				 1 + (i / 2) % 600,
				 i % 4 < 2 ? "daily call queue" : "find a citizen", &err) != 0)
			fail_msg("audit_record: %s", err.message);
	}
	if (audit_list(fx->store, 1, 0, 10, &list, &err) != 0)
		fail_msg("audit_list: %s", err.message);
	json_decref(list);
}

/* Enough rows for ANALYZE to tell the indexes apart: courses of several
 * mentors in every state, calls done and pending, superseded courses. */
static void populate(struct fx *fx)
{
	char id[32], name[32], phone[16];
	struct discharge d;
	struct course_created created;
	struct course_result r;
	cal_day first = fx_day("2026-01-05");

	for (int m = 0; m < 4; m++)
		fx_mentor(fx, "Mentor", MENTOR_MONDAY_TO_FRIDAY);
	fx_begin(fx);
	for (int i = 0; i < 600; i++) {
		cal_day day = first + i / 4;
		snprintf(id, sizeof id, "plan-%d", i);
		snprintf(name, sizeof name, "Borger %d", i % 500);
		snprintf(phone, sizeof phone, "+452000%04d", i % 500);
		d = fx_notification(id, name, NULL, phone, NULL);
		d.discharged_at = (time_t)day * 86400 + 8 * 3600;
		d.has_discharged_at = true;
		fx->op.now = (time_t)day * 86400 + 12 * 3600;
		fx_check(fx, &d);
		if (course_create(fx->courses, &fx->op, &d, &created, &fx->err) != 0)
			fail_msg("course_create: %s", fx->err.message);
		if (i % 3 == 0 && created.first_call_id != 0) {
			struct call_outcome o = {.result = i % 2 ? CALL_REACHED : CALL_DECLINED,
						 .duration_minutes = -1,
						 .next_date = CAL_NO_DAY,
						 .end_reason = "done"};
			fx->op.now += 2 * 86400;
			if (course_record_outcome(fx->courses, &fx->op, created.first_call_id, &o,
						  &r, &fx->err) != 0)
				fail_msg("outcome: %s", fx->err.message);
		}
	}
	audit_reads(fx);
	fx_commit(fx);
}

static void test_hot_queries_use_indexes(void **state)
{
	struct fx *fx = *state;
	char *cause = NULL;
	int failures;

	populate(fx);
	failures = check_all(fx, "no statistics");
	if (sql_exec(store_db(fx->store), "ANALYZE", &cause) != 0)
		fail_msg("ANALYZE: %s", cause);
	failures += check_all(fx, "after ANALYZE");
	fx_done(failures);
}

/* OpenEphemeral opcodes in the program of sql. */
static int temporary_trees(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	char *explain = NULL;
	int n = 0;

	xasprintf(&explain, "EXPLAIN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", explain, sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(s, 1), "OpenEphemeral") == 0;
	sqlite3_finalize(s);
	free(explain);
	return n;
}

/* An UPDATE that sets every column of table but its key to itself, and an
 * INSERT of every column: SQLite evaluates each partial index's WHERE and
 * each CHECK on them. */
static int upkeep_temporary_trees(sqlite3 *db, const char *table)
{
	sqlite3_stmt *s;
	char *set = xstrdup(""), *cols = xstrdup(""), *vals = xstrdup(""), *sql = NULL, *next;
	char *first = NULL;
	int n;

	xasprintf(&sql, "SELECT name, pk FROM pragma_table_info('%s')", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	free(sql);
	for (int i = 0; sqlite3_step(s) == SQLITE_ROW; i++) {
		const char *c = (const char *)sqlite3_column_text(s, 0), *sep = i ? ", " : "";

		if (i == 0)
			first = xstrdup(c);

		/* A key that may change makes any UPDATE two passes. */
		if (sqlite3_column_int(s, 1) == 0) {
			xasprintf(&next, "%s%s\"%s\" = \"%s\"", set, *set ? ", " : "", c, c);
			free(set), set = next;
		}
		xasprintf(&next, "%s%s\"%s\"", cols, sep, c);
		free(cols), cols = next;
		xasprintf(&next, "%s%s?", vals, sep);
		free(vals), vals = next;
	}
	sqlite3_finalize(s);
	xasprintf(&sql, "UPDATE \"%s\" SET %s WHERE \"%s\" = ?", table, set, first);
	n = temporary_trees(db, sql);
	free(sql);
	xasprintf(&sql, "INSERT INTO \"%s\" (%s) VALUES (%s)", table, cols, vals);
	n += temporary_trees(db, sql);
	free(sql);
	free(set);
	free(cols);
	free(vals);
	free(first);
	return n;
}

/* A list of more than two constants in a partial index's WHERE or a CHECK
 * is built as a temporary b-tree, with a pager and page cache of its own,
 * each time a row is written (courses_retention's state list was a third
 * of the daily close's time): the tables written per course, per call and
 * per request use comparisons instead (migration 24). Tokens, mentor
 * profiles and goal progress are written rarely and keep their lists. */
static void test_index_upkeep_builds_no_temporary_tree(void **state)
{
	static const char *const written[] = {"courses", "calls",   "course_log", "outbox",
					      "audit",	 "mentors", "row_counts", "job_state"};
	struct fx *fx = *state;
	int failures = 0;

	for (size_t i = 0; i < sizeof written / sizeof written[0]; i++) {
		int n = upkeep_temporary_trees(store_db(fx->store), written[i]);

		if (n != 0) {
			print_message("%s: %d temporary b-tree(s) to write a row\n", written[i], n);
			failures++;
		}
	}
	fx_done(failures);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hot_queries_use_indexes, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_index_upkeep_builds_no_temporary_tree,
						fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
