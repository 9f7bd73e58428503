/*
 * test_group_commit.c - changes submitted together share one COMMIT; a
 * failing change is rolled back alone, however it fails, and its
 * neighbours commit; done() runs after the commit. Reads commit first,
 * apart, without waiting for the disk; changes always wait for it.
 * A threaded group commit does the same on a writer thread, on its own
 * connection, and done() still runs on the loop's thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "group-commit.h"
#include "sql.h"
#include "store.h"
#include "temp-db.h"

struct fixture {
	char dir[TEMP_DB_DIR_LEN];
	char path[TEMP_DB_PATH_LEN];
	struct store *store;
	struct event_base *base;
	struct group_commit *gc;
};

/* How a change fails, when it does. */
enum failure {
	FAIL_NONE,
	FAIL_RETURN,	    /* apply() returns -1 */
	FAIL_LOSE_TX,	    /* the transaction is rolled back under it, apply() says -1 */
	FAIL_LOSE_TX_QUIET, /* the same, but apply() says 0 */
	FAIL_DISK_FULL,	    /* a real SQLITE_FULL (PRAGMA max_page_count) */
};

struct change_arg {
	struct fixture *f;
	int value;
	int fail;
	int done_status;
	int done_calls;
	int visible_in_other_connection; /* durable when done() ran */
	int synchronous;		 /* PRAGMA synchronous while it applied */
	int order;			 /* when done() ran: 1, 2... */
};

static int done_order;
static pthread_t loop_thread;
static int done_off_loop; /* done() calls on another thread */

static int count_rows(const char *path, int value)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int n = -1;

	/* A second connection sees only committed data. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tokens WHERE created_at = ?1", -1, &stmt,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int(stmt, 1, value);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return n;
}

static int apply(struct store *store, void *arg)
{
	struct change_arg *c = arg;
	sqlite3_stmt *stmt;
	char sql[200];

	if (sqlite3_prepare_v2(store_db(store), "PRAGMA synchronous", -1, &stmt, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			c->synchronous = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
	}
	snprintf(sql, sizeof sql,
		 "INSERT INTO tokens (name, role, hash, created_at)"
		 " VALUES ('t', 'admin', randomblob(32), %d)",
		 c->value);
	if (sql_exec(store_db(store), sql, &(char *){NULL}) != 0)
		return -1;
	switch (c->fail) {
	case FAIL_NONE:
		return 0;
	case FAIL_LOSE_TX:
	case FAIL_LOSE_TX_QUIET:
		/* What SQLite does on SQLITE_FULL or an I/O error mid-statement:
		 * the whole transaction, every savepoint with it, is gone. */
		sql_exec(store_db(store), "ROLLBACK", &(char *){NULL});
		return c->fail == FAIL_LOSE_TX ? -1 : 0;
	case FAIL_DISK_FULL: {
		char *cause = NULL;
		int rc;

		/* Room for nothing more: the big insert fails with SQLITE_FULL. */
		sql_exec(store_db(store), "PRAGMA max_page_count = 1", &(char *){NULL});
		rc = sql_exec(store_db(store),
			      "INSERT INTO tokens (name, role, hash, created_at)"
			      " SELECT 'big', 'admin', randomblob(32), -1"
			      " FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
			      " SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n)",
			      &cause);
		free(cause);
		sql_exec(store_db(store), "PRAGMA max_page_count = 1073741823", &(char *){NULL});
		return rc == 0 ? 0 : -1;
	}
	default:
		return -1;
	}
}

static int apply_big(struct store *store, void *arg)
{
	char *cause = NULL;
	int rc;

	rc = sql_exec(store_db(store), "UPDATE big SET x = randomblob(1000)", &cause);
	if (rc != 0) {
		print_message("# rewriting 4 MiB in one savepoint: %s\n", cause);
		free(cause);
		return -1;
	}
	return apply(store, arg);
}

static void done(void *arg, int status)
{
	struct change_arg *c = arg;

	c->done_status = status;
	c->done_calls++;
	if (!pthread_equal(pthread_self(), loop_thread))
		done_off_loop++;
	c->order = ++done_order;
	c->visible_in_other_connection = count_rows(c->f->path, c->value);
}

static const struct group_commit_ops ops = {apply, done};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cause = NULL;

	if (temp_db_make("gc", f->dir, f->path) != 0)
		return -1;
	if (store_open(f->path, &f->store, &cause) != 0)
		return -1;
	f->base = event_base_new();
	f->gc = group_commit_new(f->base, f->store);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	group_commit_free(f->gc);
	event_base_free(f->base);
	store_free(f->store);
	if (temp_db_remove(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_changes_share_one_commit_and_reply_after_it(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[3] = {
		{f, 1, 0, 9, 0, 0, 0, 0}, {f, 2, 1, 9, 0, 0, 0, 0}, {f, 3, 0, 9, 0, 0, 0, 0}};
	struct group_commit_stats stats;

	for (int i = 0; i < 3; i++)
		group_commit_submit(f->gc, &ops, &a[i]);
	assert_int_equal(group_commit_pending(f->gc), 3);
	/* Nothing happens before the loop turns. */
	assert_int_equal(a[0].done_calls, 0);
	assert_int_equal(count_rows(f->path, 1), 0);
	event_base_loop(f->base, EVLOOP_NONBLOCK);

	assert_int_equal(a[0].done_calls, 1);
	assert_int_equal(a[0].done_status, 0);
	assert_int_equal(a[0].visible_in_other_connection, 1);
	assert_int_equal(a[1].done_status, -1);
	assert_int_equal(a[1].visible_in_other_connection, 0);
	assert_int_equal(a[2].done_status, 0);
	assert_int_equal(a[2].visible_in_other_connection, 1);
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.commits, 1);
	assert_int_equal(stats.changes, 3);
	assert_int_equal(group_commit_pending(f->gc), 0);
}

/* One change's failure must never take its neighbours down, however it
 * fails: each way below fails the change alone, and the changes before
 * and after it are committed and answered 0. */
static void check_isolated(struct fixture *f, enum failure how)
{
	struct change_arg a[5];
	struct group_commit_stats stats;
	struct store_health writes;

	for (int i = 0; i < 5; i++)
		a[i] = (struct change_arg){f, 100 + i, i == 2 ? (int)how : FAIL_NONE, 9, 0, 0,
					   0, 0};
	for (int i = 0; i < 5; i++)
		group_commit_submit(f->gc, &ops, &a[i]);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(a[i].done_calls, 1);
		/* One that lost the transaction was not stored: -2, try again. */
		assert_int_equal(a[i].done_status,
				 i != 2						    ? 0
				 : how == FAIL_LOSE_TX || how == FAIL_LOSE_TX_QUIET ? -2
										    : -1);
		assert_int_equal(a[i].visible_in_other_connection, i == 2 ? 0 : 1);
	}
	assert_int_equal(count_rows(f->path, -1), 0);
	/* A lost transaction is a failed write: GET /healthz says so. */
	store_get_health(f->store, &writes);
	assert_int_equal(writes.failures > 0, how == FAIL_LOSE_TX || how == FAIL_LOSE_TX_QUIET);
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.failed_commits, 0);
	assert_int_equal(stats.commits, 1);
}

static void test_a_change_that_loses_the_transaction_fails_alone(void **state)
{
	check_isolated(*state, FAIL_LOSE_TX);
}

static void test_a_change_that_loses_the_transaction_quietly_fails_alone(void **state)
{
	check_isolated(*state, FAIL_LOSE_TX_QUIET);
}

static void test_a_change_that_fills_the_disk_fails_alone(void **state)
{
	check_isolated(*state, FAIL_DISK_FULL);
}

/* A change whose savepoint journal passes 1 MiB (a daily job's chunk, a
 * queue of hundreds writing its audit rows) commits: the journal spills
 * to a file, and must not report a false SQLITE_FULL when it does. */
static void test_a_change_with_a_large_savepoint_journal_commits(void **state)
{
	struct fixture *f = *state;
	struct change_arg a = {f, 201, 0, 9, 0, 0, 0, 0}, c = {f, 203, 0, 9, 0, 0, 0, 0};
	struct change_arg big = {f, 202, 0, 9, 0, 0, 0, 0};
	static const struct group_commit_ops big_ops = {apply_big, done};
	char *cause = NULL;

	/* 4 MiB of rows that exist before the savepoint: rewriting them all
	 * journals every page. */
	assert_int_equal(sql_exec(store_db(f->store),
				  "CREATE TABLE big (x BLOB);"
				  " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
				  " SELECT i + 1 FROM n WHERE i < 4000)"
				  " INSERT INTO big SELECT randomblob(1000) FROM n",
				  &cause),
			 0);
	group_commit_submit(f->gc, &ops, &a);
	group_commit_submit(f->gc, &big_ops, &big);
	group_commit_submit(f->gc, &ops, &c);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(a.done_status, 0);
	assert_int_equal(big.done_status, 0);
	assert_int_equal(big.visible_in_other_connection, 1);
	assert_int_equal(c.done_status, 0);
}

static void test_a_large_burst_is_split(void **state)
{
	struct fixture *f = *state;
	const int n = GROUP_COMMIT_MAX + 10;
	struct change_arg *a = calloc((size_t)n, sizeof *a);
	struct group_commit_stats stats;

	for (int i = 0; i < n; i++) {
		a[i] = (struct change_arg){f, 1000, 0, 9, 0, 0, 0, 0};
		group_commit_submit(f->gc, &ops, &a[i]);
	}
	for (int turns = 0; turns < 10 && group_commit_pending(f->gc) > 0; turns++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.commits, 2);
	assert_int_equal(stats.changes, n);
	assert_int_equal(count_rows(f->path, 1000), n);
	for (int i = 0; i < n; i++)
		assert_int_equal(a[i].done_calls, 1);
	free(a);
}

/* A read's audit rows need not wait for the disk (a read changes
 * nothing), so reads submitted among changes commit first, in a
 * transaction of their own with synchronous=NORMAL; the changes then
 * commit with synchronous=FULL, as ever. */
static void test_reads_commit_first_without_waiting_for_the_disk(void **state)
{
	struct fixture *f = *state;
	struct change_arg a = {f, 301, 0, 9, 0, 0, 0, 0}, r = {f, 302, 0, 9, 0, 0, 0, 0};
	struct change_arg b = {f, 303, 0, 9, 0, 0, 0, 0}, s = {f, 304, 0, 9, 0, 0, 0, 0};
	struct group_commit_stats stats;

	done_order = 0;
	group_commit_submit(f->gc, &ops, &a);
	group_commit_submit_read(f->gc, &ops, &r);
	group_commit_submit(f->gc, &ops, &b);
	group_commit_submit_read(f->gc, &ops, &s);
	assert_int_equal(group_commit_pending(f->gc), 4);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	/* The reads, together, before the changes (whose batch waits for
	 * the loop's next poll, where the reads' replies go out). */
	assert_int_equal(r.done_status, 0);
	assert_int_equal(s.done_status, 0);
	assert_int_equal(r.order, 1);
	assert_int_equal(s.order, 2);
	assert_int_equal(r.synchronous, 1);
	assert_int_equal(s.synchronous, 1);
	/* Committed: another connection sees the rows. */
	assert_int_equal(r.visible_in_other_connection, 1);
	assert_int_equal(a.done_status, 0);
	assert_int_equal(b.done_status, 0);
	assert_int_equal(a.order, 3);
	assert_int_equal(b.order, 4);
	assert_int_equal(a.synchronous, 2);
	assert_int_equal(b.synchronous, 2);
	assert_int_equal(a.visible_in_other_connection, 1);
	/* And whatever commits outside the group commit (the daily jobs)
	 * waits for the disk: FULL is back once the reads committed. */
	group_commit_submit_read(f->gc, &ops, &r);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(r.synchronous, 1);
	{
		sqlite3_stmt *stmt;
		assert_int_equal(sqlite3_prepare_v2(store_db(f->store), "PRAGMA synchronous", -1,
						    &stmt, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(stmt, 0), 2);
		sqlite3_finalize(stmt);
	}
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.commits, 3);
	assert_int_equal(stats.changes, 5);
}

/* Reads keep coming (each answered read brings the next): the changes
 * still get their turn after each batch of reads. */
static struct change_arg *next_read;

static void done_then_read(void *arg, int status)
{
	struct change_arg *c = arg, *then = next_read;

	done(arg, status);
	next_read = NULL;
	if (then != NULL)
		group_commit_submit_read(c->f->gc, &ops, then);
}

static void test_reads_do_not_starve_changes(void **state)
{
	struct fixture *f = *state;
	static const struct group_commit_ops chain_ops = {apply, done_then_read};
	struct change_arg a = {f, 401, 0, 9, 0, 0, 0, 0}, r = {f, 402, 0, 9, 0, 0, 0, 0};
	struct change_arg later = {f, 403, 0, 9, 0, 0, 0, 0};

	done_order = 0;
	next_read = &later;
	group_commit_submit_read(f->gc, &chain_ops, &r);
	group_commit_submit(f->gc, &ops, &a);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(r.order, 1);
	assert_int_equal(a.order, 2);
	assert_int_equal(later.order, 3);
	assert_int_equal(a.synchronous, 2);
	assert_int_equal(later.synchronous, 1);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Results nobody waits for (the outbox sender's) wait a few ms for
 * company, go at once with any other read or change, and at once when
 * GROUP_COMMIT_LATER_MAX of them wait. */
static void test_results_nobody_waits_for_wait_for_company(void **state)
{
	struct fixture *f = *state;
	struct change_arg l[GROUP_COMMIT_LATER_MAX], r = {f, 502, 0, 9, 0, 0, 0, 0};
	struct group_commit_stats stats;
	struct timespec t0;
	double ms;

	for (int i = 0; i < GROUP_COMMIT_LATER_MAX; i++)
		l[i] = (struct change_arg){f, 600 + i, 0, 9, 0, 0, 0, 0};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 3; i++)
		group_commit_submit_later(f->gc, &ops, &l[i]);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	if (ms_since(&t0) >= GROUP_COMMIT_LATER_MS)
		skip(); /* too slow a machine (valgrind) to tell "not yet" from "at last" */
	assert_int_equal(l[0].done_calls, 0);
	assert_int_equal(group_commit_pending(f->gc), 3);
	/* A read comes: they go with it, in its commit. */
	group_commit_submit_read(f->gc, &ops, &r);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(l[i].done_calls, 1);
		assert_int_equal(l[i].done_status, 0);
		assert_int_equal(l[i].visible_in_other_connection, 1);
	}
	assert_int_equal(r.done_calls, 1);
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.commits, 1);
	assert_int_equal(stats.changes, 4);

	/* Alone, one goes when its wait is over. */
	l[3].done_calls = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	group_commit_submit_later(f->gc, &ops, &l[3]);
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	if (ms_since(&t0) < GROUP_COMMIT_LATER_MS)
		assert_int_equal(l[3].done_calls, 0);
	while (l[3].done_calls == 0)
		event_base_loop(f->base, EVLOOP_ONCE);
	ms = ms_since(&t0);
	assert_true(ms >= GROUP_COMMIT_LATER_MS - 1);
	assert_int_equal(l[3].done_status, 0);

	/* Enough of them go on the next turn. */
	for (int i = 0; i < GROUP_COMMIT_LATER_MAX; i++) {
		l[i].done_calls = 0;
		group_commit_submit_later(f->gc, &ops, &l[i]);
	}
	event_base_loop(f->base, EVLOOP_NONBLOCK);
	for (int i = 0; i < GROUP_COMMIT_LATER_MAX; i++)
		assert_int_equal(l[i].done_calls, 1);
	group_commit_get_stats(f->gc, &stats);
	assert_int_equal(stats.commits, 3);
}

static void test_free_commits_what_is_queued(void **state)
{
	struct fixture *f = *state;
	struct change_arg a = {f, 7, 0, 9, 0, 0, 0, 0};

	group_commit_submit(f->gc, &ops, &a);
	group_commit_free(f->gc);
	f->gc = NULL;
	assert_int_equal(a.done_calls, 1);
	assert_int_equal(a.done_status, 0);
	assert_int_equal(count_rows(f->path, 7), 1);
}

/* --- the threaded group commit (writer.h) ---------------------------------------- */

struct threaded {
	struct store *store; /* the writer's connection */
	struct group_commit *gc;
};

static void threaded_open(struct fixture *f, struct threaded *t)
{
	char *cause = NULL;

	assert_int_equal(store_open(f->path, &t->store, &cause), 0);
	t->gc = group_commit_new_threaded(f->base, t->store, f->store, &cause);
	assert_non_null(t->gc);
}

static void threaded_close(struct threaded *t)
{
	group_commit_free(t->gc);
	store_free(t->store);
}

/* Turn the loop until every change of a has been answered. */
static void run_until_done(struct fixture *f, struct change_arg *a, int n)
{
	for (int tries = 0; tries < 100000; tries++) {
		int answered = 0;

		for (int i = 0; i < n; i++)
			answered += a[i].done_calls;
		if (answered == n)
			return;
		event_base_loop(f->base, EVLOOP_ONCE);
	}
	fail_msg("the writer thread did not answer");
}

static void test_threaded_commits_on_the_writer_and_answers_on_the_loop(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[3] = {{f, 11, 0, 9, 0, 0, 0, 0},
				  {f, 12, FAIL_RETURN, 9, 0, 0, 0, 0},
				  {f, 13, 0, 9, 0, 0, 0, 0}};
	struct group_commit_stats stats;
	struct threaded t;

	threaded_open(f, &t);
	done_off_loop = 0;
	for (int i = 0; i < 3; i++)
		group_commit_submit(t.gc, &ops, &a[i]);
	assert_int_equal(a[0].done_calls, 0);
	run_until_done(f, a, 3);
	assert_int_equal(done_off_loop, 0);
	assert_int_equal(a[0].done_status, 0);
	assert_int_equal(a[0].visible_in_other_connection, 1);
	assert_int_equal(a[0].synchronous, 2); /* FULL: durable when answered */
	assert_int_equal(a[1].done_status, -1);
	assert_int_equal(a[1].visible_in_other_connection, 0);
	assert_int_equal(a[2].done_status, 0);
	assert_int_equal(a[2].visible_in_other_connection, 1);
	group_commit_get_stats(t.gc, &stats);
	assert_int_equal(stats.changes, 3);
	threaded_close(&t);
}

/* A change that loses the writer's transaction fails alone, and the
 * loop's store (GET /healthz) hears of it, and of the commit after. */
static void test_threaded_failure_fails_alone_and_is_told(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[3];
	struct store_health writes;
	struct threaded t;

	threaded_open(f, &t);
	for (int i = 0; i < 3; i++)
		a[i] = (struct change_arg){f, 20 + i, i == 1 ? FAIL_LOSE_TX : FAIL_NONE, 9, 0, 0,
					   0, 0};
	for (int i = 0; i < 3; i++)
		group_commit_submit(t.gc, &ops, &a[i]);
	run_until_done(f, a, 3);
	assert_int_equal(a[0].done_status, 0);
	assert_int_equal(a[1].done_status, -2);
	assert_int_equal(a[2].done_status, 0);
	assert_int_equal(a[1].visible_in_other_connection, 0);
	store_get_health(f->store, &writes);
	assert_true(writes.failures > 0);
	/* The others were committed after it: the last write did not fail. */
	assert_false(writes.failing);
	threaded_close(&t);
}

/* The loop's own group commit writes while the writer thread does: the
 * two connections take turns at the write lock, neither waits for ever. */
static void test_threaded_and_loop_writes_take_turns(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[600];
	struct threaded t;

	threaded_open(f, &t);
	for (int i = 0; i < 600; i++)
		a[i] = (struct change_arg){f, 1000 + i, 0, 9, 0, 0, 0, 0};
	for (int i = 0; i < 600; i++)
		group_commit_submit(i % 2 ? t.gc : f->gc, &ops, &a[i]);
	run_until_done(f, a, 600);
	for (int i = 0; i < 600; i++)
		assert_int_equal(a[i].done_status, 0);
	assert_int_equal(count_rows(f->path, 1599), 1);
	threaded_close(&t);
}

/* The loop begins its next transaction as soon as the last one ends, as a
 * daily job's chunks do, while the writer thread waits to write: the
 * writer still gets its turn, however short its busy_timeout. With
 * SQLite's busy handler alone it slept past it and failed (503s during
 * the daily close). */
static void test_threaded_writer_is_not_starved_by_the_loop(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[40];
	struct threaded t;
	struct error err;
	char sql[120];

	threaded_open(f, &t);
	sqlite3_busy_timeout(store_db(t.store), 20);
	for (int i = 0; i < 40; i++) {
		a[i] = (struct change_arg){f, 3000 + i, 0, 9, 0, 0, 0, 0};
		group_commit_submit(t.gc, &ops, &a[i]);
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		for (int j = 0; j < 5; j++) {
			assert_int_equal(store_begin(f->store, &err), 0);
			snprintf(sql, sizeof sql,
				 "INSERT INTO tokens (name, role, hash, created_at)"
				 " VALUES ('loop', 'admin', randomblob(32), %d)",
				 4000 + i);
			assert_int_equal(sql_exec(store_db(f->store), sql, &(char *){NULL}), 0);
			assert_int_equal(store_commit(f->store, &err), 0);
		}
	}
	run_until_done(f, a, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(a[i].done_status, 0);
	threaded_close(&t);
}

/* More than GROUP_COMMIT_MAX: several batches; what is queued when it is
 * freed is committed and answered first. */
static void test_threaded_free_commits_what_is_queued(void **state)
{
	struct fixture *f = *state;
	struct change_arg a[GROUP_COMMIT_MAX + 10];
	struct threaded t;
	int n = GROUP_COMMIT_MAX + 10;

	threaded_open(f, &t);
	for (int i = 0; i < n; i++) {
		a[i] = (struct change_arg){f, 5000 + i, 0, 9, 0, 0, 0, 0};
		group_commit_submit(t.gc, &ops, &a[i]);
	}
	group_commit_free(t.gc);
	for (int i = 0; i < n; i++)
		assert_int_equal(a[i].done_status, 0);
	assert_int_equal(count_rows(f->path, 5000 + n - 1), 1);
	store_free(t.store);
}

int main(void)
{
	loop_thread = pthread_self();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_changes_share_one_commit_and_reply_after_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_change_that_loses_the_transaction_fails_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_change_that_loses_the_transaction_quietly_fails_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_a_change_that_fills_the_disk_fails_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_change_with_a_large_savepoint_journal_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_large_burst_is_split, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_reads_commit_first_without_waiting_for_the_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_do_not_starve_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_nobody_waits_for_wait_for_company,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_commits_what_is_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_threaded_commits_on_the_writer_and_answers_on_the_loop, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_threaded_failure_fails_alone_and_is_told,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_threaded_writer_is_not_starved_by_the_loop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threaded_and_loop_writes_take_turns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threaded_free_commits_what_is_queued, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("group_commit", tests, NULL, NULL);
}
