/*
 * test_auth.c - a token check reads no table while nothing changed, yet
 * every change that ends a token's access counts at the next check: a
 * revocation on this connection or another, a mentor deactivated, and a
 * rollback of what the check had already seen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "sql.h"
#include "store.h"
#include "temp-db.h"

struct fixture {
	char dir[TEMP_DB_DIR_LEN];
	char path[TEMP_DB_PATH_LEN];
	struct store *store; /* the daemon's connection */
	struct store *other; /* mentorctl's, say */
	char token[AUTH_TOKEN_LEN];
	char header[AUTH_TOKEN_LEN + 16];
	int64_t id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cause = NULL;
	struct error err;

	if (temp_db_make("auth", f->dir, f->path) != 0)
		return -1;
	if (store_open(f->path, &f->store, &cause) != 0 ||
	    store_open(f->path, &f->other, &cause) != 0)
		return -1;
	if (auth_token_add(f->store, "ward", "psychiatry", 0, 1, f->token, &f->id, &err) != 0)
		return -1;
	snprintf(f->header, sizeof f->header, "Bearer %s", f->token);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->other);
	store_free(f->store);
	if (temp_db_remove(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static int check(struct fixture *f, const char *header)
{
	struct auth_identity who;

	return auth_check(f->store, header, &who);
}

/* Pages read through this connection's cache, found there or not. */
static int pages_read(struct store *store)
{
	int hit = 0, miss = 0, high;

	sqlite3_db_status(store_db(store), SQLITE_DBSTATUS_CACHE_HIT, &hit, &high, 0);
	sqlite3_db_status(store_db(store), SQLITE_DBSTATUS_CACHE_MISS, &miss, &high, 0);
	return hit + miss;
}

static void exec_ok(struct store *store, const char *sql)
{
	char *cause = NULL;

	if (sql_exec(store_db(store), sql, &cause) != 0)
		fail_msg("%s: %s", sql, cause);
}

static void test_a_check_reads_no_table_while_nothing_changed(void **state)
{
	struct fixture *f = *state;
	struct auth_identity who;
	int reads;

	assert_int_equal(auth_check(f->store, f->header, &who), 0);
	assert_int_equal(who.token_id, f->id);
	assert_int_equal(who.role, AUTH_PSYCHIATRY);
	assert_string_equal(who.name, "ward");
	/* A check reads the database's first page (PRAGMA data_version:
	 * has anyone committed?) and no table: not tokens', not mentors'. */
	reads = pages_read(f->store);
	for (int i = 0; i < 100; i++)
		assert_int_equal(check(f, f->header), 0);
	assert_int_equal(pages_read(f->store) - reads, 100);
	assert_int_equal(check(f, "Bearer mtd_wrong"), -1);
	assert_int_equal(check(f, NULL), -1);
}

static void test_a_revocation_by_another_connection_counts_at_once(void **state)
{
	struct fixture *f = *state;
	struct error err;
	char token[AUTH_TOKEN_LEN], header[AUTH_TOKEN_LEN + 16];
	int64_t id;

	assert_int_equal(check(f, f->header), 0);
	assert_int_equal(auth_token_revoke(f->other, f->id, 2, &err), 0);
	assert_int_equal(check(f, f->header), -1);
	/* And a token another connection adds works at once too. */
	assert_int_equal(auth_token_add(f->other, "new", "admin", 0, 3, token, &id, &err), 0);
	snprintf(header, sizeof header, "Bearer %s", token);
	assert_int_equal(check(f, header), 0);
}

static void test_a_revocation_on_this_connection_counts_at_once(void **state)
{
	struct fixture *f = *state;
	struct error err;

	assert_int_equal(check(f, f->header), 0);
	assert_int_equal(auth_token_revoke(f->store, f->id, 2, &err), 0);
	assert_int_equal(check(f, f->header), -1);
}

static void test_a_deactivated_mentor_loses_access_at_once(void **state)
{
	struct fixture *f = *state;
	char token[AUTH_TOKEN_LEN], header[AUTH_TOKEN_LEN + 16];
	struct error err;
	int64_t id;

	exec_ok(f->store, "INSERT INTO mentors (id, name, phone, active, created_at)"
			  " VALUES (7, 'M', '20304050', 1, 1)");
	assert_int_equal(auth_token_add(f->store, "m", "mentor", 7, 1, token, &id, &err), 0);
	snprintf(header, sizeof header, "Bearer %s", token);
	assert_int_equal(check(f, header), 0);
	exec_ok(f->store, "UPDATE mentors SET active = 0 WHERE id = 7");
	assert_int_equal(check(f, header), -1);
	exec_ok(f->other, "UPDATE mentors SET active = 1 WHERE id = 7");
	assert_int_equal(check(f, header), 0);
}

/* A check inside a transaction sees its uncommitted revocation; once
 * that is rolled back the token works again. */
static void test_a_rollback_is_not_remembered(void **state)
{
	struct fixture *f = *state;
	struct error err;

	assert_int_equal(store_begin(f->store, &err), 0);
	assert_int_equal(auth_token_revoke(f->store, f->id, 2, &err), 0);
	assert_int_equal(check(f, f->header), -1);
	store_rollback(f->store);
	assert_int_equal(check(f, f->header), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_check_reads_no_table_while_nothing_changed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_revocation_by_another_connection_counts_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_revocation_on_this_connection_counts_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_deactivated_mentor_loses_access_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_rollback_is_not_remembered, setup, teardown),
	};
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
