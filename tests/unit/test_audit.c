/*
 * test_audit.c - unit tests for audit.c: a read repeated the same day by
 * the same token, from the same address, for the same purpose counts on
 * the day's row; anything else (another day, reader, address, purpose,
 * any change) is a row of its own; GET /v1/audit's rows carry the count
 * and the last time; a row keeps what it says and is never removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "sched-fixture.h"
#include "sql.h"

static int64_t count_of(struct fx *fx, const char *sql)
{
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;
	int64_t n;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void tokens(struct fx *fx)
{
	char *cause = NULL;

	if (sql_exec(store_db(fx->store),
		     "INSERT INTO tokens (id, name, role, hash, created_at) VALUES"
		     " (1, 'a', 'mentor', zeroblob(32), 1),"
		     " (2, 'b', 'admin', randomblob(32), 1)",
		     &cause) != 0)
		fail_msg("tokens: %s", cause);
}

static void record(struct fx *fx, int64_t token, const char *address, const char *when,
		   const char *action, int64_t course, const char *purpose)
{
	struct auth_identity who = {.token_id = token, .role = AUTH_MENTOR};
	struct error err;

	fx_begin(fx);
	if (audit_record(fx->store, &who, address, fx_instant(when), action, course, purpose,
			 &err) != 0)
		fail_msg("audit_record: %s", err.message);
	fx_commit(fx);
}

static void test_repeated_reads_count_on_the_days_row(void **state)
{
	struct fx *fx = *state;
	int64_t c1, c2;

	tokens(fx);
	c1 = fx_discharge(fx, "a-1", "Borger Et", NULL, "+4520000001", "2026-03-02", "2026-03-02",
			  NULL);
	c2 = fx_discharge(fx, "a-2", "Borger To", NULL, "+4520000002", "2026-03-02", "2026-03-02",
			  NULL);
	/* Copenhagen's day: 08:00 and 22:30 UTC are 09:00 and 23:30 local on
	 * 3 March; 23:30 UTC is already 4 March. */
	record(fx, 1, "192.0.2.1", "2026-03-03T08:00:00Z", "read", c1, "daily call queue");
	record(fx, 1, "192.0.2.1", "2026-03-03T08:00:00Z", "read", c2, "daily call queue");
	record(fx, 1, "192.0.2.1", "2026-03-03T09:15:00Z", "read", c1, "daily call queue");
	record(fx, 1, "192.0.2.1", "2026-03-03T22:30:00Z", "read", c1, "daily call queue");
	assert_int_equal(count_of(fx, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(count_of(fx, "SELECT times FROM audit WHERE course_id = 1"), 3);
	assert_int_equal(count_of(fx, "SELECT last_at - at FROM audit WHERE course_id = 1"),
			 14 * 3600 + 30 * 60);
	assert_int_equal(count_of(fx, "SELECT times FROM audit WHERE course_id = 2"), 1);

	/* Each of these is a row of its own. */
	record(fx, 2, "192.0.2.1", "2026-03-03T22:40:00Z", "read", c1, "daily call queue");
	record(fx, 1, "192.0.2.9", "2026-03-03T22:40:00Z", "read", c1, "daily call queue");
	record(fx, 1, "192.0.2.1", "2026-03-03T22:40:00Z", "read", c1,
	       "view the course and its log");
	record(fx, 1, "192.0.2.1", "2026-03-03T22:40:00Z", "contact", c1, "act on the course");
	record(fx, 1, "192.0.2.1", "2026-03-03T22:41:00Z", "contact", c1, "act on the course");
	assert_int_equal(count_of(fx, "SELECT count(*) FROM audit WHERE course_id = 1"), 6);
	/* A repeat after other rows of the day still finds its row... */
	record(fx, 1, "192.0.2.1", "2026-03-03T22:45:00Z", "read", c1, "daily call queue");
	assert_int_equal(count_of(fx, "SELECT count(*) FROM audit WHERE course_id = 1"), 6);
	assert_int_equal(count_of(fx, "SELECT times FROM audit WHERE id = 1"), 4);
	/* ... and the next day starts a row. */
	record(fx, 1, "192.0.2.1", "2026-03-03T23:30:00Z", "read", c1, "daily call queue");
	assert_int_equal(count_of(fx, "SELECT count(*) FROM audit WHERE course_id = 1"), 7);
	assert_int_equal(count_of(fx, "SELECT sum(times) FROM audit WHERE course_id = 1"), 10);
}

static void test_list_shows_times_and_last_at(void **state)
{
	struct fx *fx = *state;
	struct error err;
	json_t *list, *row;
	int64_t c1;

	tokens(fx);
	c1 = fx_discharge(fx, "a-1", "Borger Et", NULL, "+4520000001", "2026-03-02", "2026-03-02",
			  NULL);
	record(fx, 1, NULL, "2026-03-03T08:00:00Z", "read", c1, "daily call queue");
	record(fx, 1, NULL, "2026-03-03T08:00:00Z", "read", c1, "find a citizen");
	record(fx, 1, NULL, "2026-03-03T11:00:00Z", "read", c1, "daily call queue");
	if (audit_list(fx->store, c1, 0, 10, &list, &err) != 0)
		fail_msg("audit_list: %s", err.message);
	assert_int_equal(json_array_size(list), 2);
	row = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(row, "at")), "2026-03-03T09:00:00+01:00");
	assert_string_equal(json_string_value(json_object_get(row, "last_at")),
			    "2026-03-03T12:00:00+01:00");
	assert_int_equal(json_integer_value(json_object_get(row, "times")), 2);
	row = json_array_get(list, 1);
	assert_string_equal(json_string_value(json_object_get(row, "last_at")),
			    "2026-03-03T09:00:00+01:00");
	assert_int_equal(json_integer_value(json_object_get(row, "times")), 1);
	json_decref(list);
}

static void test_rows_keep_what_they_say(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db = store_db(fx->store);
	char *cause = NULL;
	int64_t c1;

	tokens(fx);
	c1 = fx_discharge(fx, "a-1", "Borger Et", NULL, "+4520000001", "2026-03-02", "2026-03-02",
			  NULL);
	record(fx, 1, NULL, "2026-03-03T08:00:00Z", "read", c1, "daily call queue");
	assert_int_not_equal(sql_exec(db, "UPDATE audit SET purpose = 'x'", &cause), 0);
	free(cause);
	cause = NULL;
	assert_int_not_equal(sql_exec(db, "UPDATE audit SET at = at - 86400", &cause), 0);
	free(cause);
	cause = NULL;
	assert_int_not_equal(sql_exec(db, "DELETE FROM audit", &cause), 0);
	free(cause);
	cause = NULL;
	assert_int_not_equal(sql_exec(db, "UPDATE audit SET times = 0", &cause), 0);
	free(cause);
	assert_int_equal(count_of(fx, "SELECT count(*) FROM audit WHERE times = 1"
				      " AND purpose = 'daily call queue'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_repeated_reads_count_on_the_days_row,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_list_shows_times_and_last_at, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_rows_keep_what_they_say, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
