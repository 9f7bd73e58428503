/*
 * test_store.c - the store's connection at run time: who copies the WAL
 * back into the database file, and when (store_defer_checkpoints).
 * Opening and migrating are test_store_migrate.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sql.h"
#include "store.h"
#include "temp-db.h"

struct fixture {
	char dir[TEMP_DB_DIR_LEN];
	char path[TEMP_DB_PATH_LEN];
	struct store *store;
	int asked; /* calls of checkpoint_due() */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cause = NULL;

	if (temp_db_make("store", f->dir, f->path) != 0)
		return -1;
	if (store_open(f->path, &f->store, &cause) != 0 ||
	    sql_exec(store_db(f->store), "CREATE TABLE blobs (b BLOB)", &cause) != 0 ||
	    sqlite3_wal_checkpoint_v2(store_db(f->store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
				      NULL) != SQLITE_OK) {
		fprintf(stderr, "setup: %s\n", cause != NULL ? cause : "checkpoint failed");
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->store);
	if (temp_db_remove(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void checkpoint_due(void *arg)
{
	struct fixture *f = arg;

	f->asked++;
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* One transaction that writes about `pages` pages of 4 KiB. */
static void write_pages(struct fixture *f, int pages)
{
	struct error err;
	char sql[192];

	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO blobs SELECT zeroblob(4000) FROM n",
		 pages);
	if (store_begin(f->store, &err) != 0)
		fail_msg("BEGIN: %s", err.message);
	if (sql_run(store_db(f->store), sql, &err) != 0)
		fail_msg("insert: %s", err.message);
	if (store_commit(f->store, &err) != 0)
		fail_msg("COMMIT: %s", err.message);
}

/* Left to itself, SQLite copies a full WAL back inside the COMMIT. */
static void test_commit_checkpoints_by_default(void **state)
{
	struct fixture *f = *state;
	off_t before = file_size(f->path);

	write_pages(f, STORE_CHECKPOINT_PAGES + 100);
	assert_true(file_size(f->path) > before + 1000 * 4000);
}

/* Deferred, the COMMIT asks once and copies nothing; store_checkpoint()
 * copies when asked, and the next full WAL asks again. */
static void test_deferred_checkpoint_waits_to_be_run(void **state)
{
	struct fixture *f = *state;
	struct error err;
	off_t before = file_size(f->path);

	store_defer_checkpoints(f->store, checkpoint_due, f);
	write_pages(f, 10);
	assert_int_equal(f->asked, 0);
	/* Not asked: nothing to do yet. */
	assert_int_equal(store_checkpoint(f->store, &err), 0);
	assert_int_equal(file_size(f->path), before);
	write_pages(f, STORE_CHECKPOINT_PAGES + 100);
	assert_int_equal(f->asked, 1);
	assert_int_equal(file_size(f->path), before);
	write_pages(f, 10);
	assert_int_equal(f->asked, 1);
	assert_int_equal(file_size(f->path), before);

	assert_int_equal(store_checkpoint(f->store, &err), 0);
	assert_true(file_size(f->path) > before + 1000 * 4000);
	write_pages(f, STORE_CHECKPOINT_PAGES + 100);
	assert_int_equal(f->asked, 2);
}

/* Inside a transaction there is nothing to checkpoint yet: the call
 * leaves it to the next COMMIT to ask again. */
static void test_checkpoint_inside_a_transaction_is_asked_for_again(void **state)
{
	struct fixture *f = *state;
	struct error err;
	off_t before;

	store_defer_checkpoints(f->store, checkpoint_due, f);
	write_pages(f, STORE_CHECKPOINT_PAGES + 100);
	assert_int_equal(f->asked, 1);
	before = file_size(f->path);
	assert_int_equal(store_begin(f->store, &err), 0);
	assert_int_equal(store_checkpoint(f->store, &err), 0);
	assert_int_equal(store_commit(f->store, &err), 0);
	assert_int_equal(file_size(f->path), before);
	write_pages(f, 1);
	assert_int_equal(f->asked, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_checkpoints_by_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deferred_checkpoint_waits_to_be_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_checkpoint_inside_a_transaction_is_asked_for_again, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
