/*
 * test_outbox.c - the sender's side of the outbox: which rows are due (and
 * that a course's rows of one kind go strictly in order), settling an
 * attempt as sent, retried or dead, requeueing a dead letter, and
 * withdrawing rows: never one the sender has in flight, and never so that
 * a new row gets a withdrawn row's id; and the admin's list, a page at a
 * time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "outbox.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

struct fixture {
	char path[64];
	struct store *store;
	struct outbox *outbox;
	int notified;
	int64_t sending; /* the row "on the wire"; 0: none */
};

static void notify_cb(void *arg)
{
	((struct fixture *)arg)->notified++;
}

static bool in_flight_cb(void *arg, int64_t id)
{
	return id == ((struct fixture *)arg)->sending;
}

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof *fx);
	char *cause = NULL;
	int fd;

	snprintf(fx->path, sizeof fx->path, "/tmp/test_outbox.XXXXXX");
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(fx->path);
	if (store_open(fx->path, &fx->store, &cause) != 0)
		fail_msg("store_open: %s", cause);
	fx->outbox = outbox_new(fx->store, &cause);
	assert_non_null(fx->outbox);
	outbox_set_notify(fx->outbox, notify_cb, fx);
	outbox_set_in_flight(fx->outbox, in_flight_cb, fx);
	for (int i = 1; i <= 2; i++) {
		char sql[400];
		snprintf(sql, sizeof sql,
			 "INSERT INTO courses (id, notification_id, state_changed_at,"
			 " citizen_name, phone, discharge_date, window_end, created_at)"
			 " VALUES (%d, 'n%d', 0, 'X', '+4520304050', '2026-04-12',"
			 " '2026-10-12', 0)",
			 i, i);
		assert_int_equal(sql_exec(store_db(fx->store), sql, &cause), 0);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char wal[80];

	outbox_free(fx->outbox);
	store_free(fx->store);
	unlink(fx->path);
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", fx->path);
	unlink(wal);
	free(fx);
	return 0;
}

static int64_t add(struct fixture *fx, enum outbox_kind kind, int64_t course, const char *key,
		   time_t now)
{
	const char *type = kind == OUTBOX_CALL_TASK ? "call_task" : "closing";
	struct error err;
	json_t *payload = json_pack("{s:s}", "type", type);
	int64_t id;

	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_add(fx->outbox, kind, type, course, key, payload, now, &id, &err),
			 0);
	assert_int_equal(store_commit(fx->store, &err), 0);
	json_decref(payload);
	return id;
}

/* The ids outbox_due gives at now, space-separated. */
static char *due(struct fixture *fx, time_t now, int64_t after, size_t limit)
{
	struct outbox_row *rows;
	struct error err;
	char *out = xstrdup(""), *next;
	size_t n;

	assert_int_equal(outbox_due(fx->outbox, now, after, limit, &rows, &n, &err), 0);
	for (size_t i = 0; i < n; i++) {
		xasprintf(&next, "%s%s%lld", out, i > 0 ? " " : "", (long long)rows[i].id);
		free(out);
		out = next;
	}
	outbox_rows_free(rows, n);
	return out;
}

#define assert_due(fx, now, after, limit, want)                                               \
	do {                                                                                   \
		char *got_ = due(fx, now, after, limit);                                       \
		assert_string_equal(got_, want);                                               \
		free(got_);                                                                    \
	} while (0)

static int settle(struct fixture *fx, int (*fn)(struct fixture *, int64_t), int64_t id)
{
	struct error err;
	int rc;

	assert_int_equal(store_begin(fx->store, &err), 0);
	rc = fn(fx, id);
	assert_int_equal(store_commit(fx->store, &err), 0);
	return rc;
}

/* The settling wrappers: -1 on error, else 1 if the row was settled, 0
 * if it was no longer pending. */
static int sent(struct fixture *fx, int64_t id)
{
	struct error err;
	bool settled;

	if (outbox_mark_sent(fx->outbox, id, 500, &settled, &err) != 0)
		return -1;
	return settled;
}

static int retried(struct fixture *fx, int64_t id)
{
	struct error err;
	bool settled;

	if (outbox_mark_retry(fx->outbox, id, 200, 230, "HTTP 500", &settled, &err) != 0)
		return -1;
	return settled;
}

static int dead(struct fixture *fx, int64_t id)
{
	struct error err;
	bool settled;

	if (outbox_mark_dead(fx->outbox, id, 300, "HTTP 400", &settled, &err) != 0)
		return -1;
	return settled;
}

static void test_due_in_order_per_course_and_kind(void **state)
{
	struct fixture *fx = *state;
	int64_t a1, a2, b1, t1, n1, a3;
	struct error err;
	char want[128];
	time_t at;

	a1 = add(fx, OUTBOX_MESSAGE, 1, NULL, 100);
	a2 = add(fx, OUTBOX_MESSAGE, 1, NULL, 100);
	b1 = add(fx, OUTBOX_MESSAGE, 2, NULL, 100);
	t1 = add(fx, OUTBOX_CALL_TASK, 1, "call-task:1:2026-04-13", 100);
	n1 = add(fx, OUTBOX_MESSAGE, 0, NULL, 100);
	a3 = add(fx, OUTBOX_MESSAGE, 1, NULL, 150);
	assert_int_equal(fx->notified, 6);
	assert_int_equal(add(fx, OUTBOX_CALL_TASK, 1, "call-task:1:2026-04-13", 100), 0);
	assert_int_equal(fx->notified, 6); /* a key already there adds nothing */
	/* Course 1's messages wait behind a1; its call task does not. */
	snprintf(want, sizeof want, "%lld %lld %lld %lld", (long long)a1, (long long)b1,
		 (long long)t1, (long long)n1);
	assert_due(fx, 100, 0, 10, want);
	assert_due(fx, 99, 0, 10, "");
	snprintf(want, sizeof want, "%lld %lld", (long long)a1, (long long)b1);
	assert_due(fx, 100, 0, 2, want); /* a chunk */
	snprintf(want, sizeof want, "%lld %lld", (long long)t1, (long long)n1);
	assert_due(fx, 100, b1, 10, want); /* the next chunk */

	/* a1 fails: a2 still waits, for a1's retry. */
	assert_int_equal(settle(fx, retried, a1), 1);
	snprintf(want, sizeof want, "%lld %lld %lld", (long long)b1, (long long)t1, (long long)n1);
	assert_due(fx, 200, 0, 10, want);
	assert_int_equal(outbox_next_due(fx->outbox, 200, &at, &err), 0);
	assert_int_equal(at, 230);
	/* a1 delivered: a2 is next, then a3 once a2 is sent too. */
	assert_int_equal(settle(fx, sent, a1), 1);
	snprintf(want, sizeof want, "%lld %lld %lld %lld", (long long)a2, (long long)b1,
		 (long long)t1, (long long)n1);
	assert_due(fx, 200, 0, 10, want);
	/* A dead letter does not hold up the rest of its course. */
	assert_int_equal(settle(fx, dead, a2), 1);
	snprintf(want, sizeof want, "%lld %lld %lld %lld", (long long)b1, (long long)t1,
		 (long long)n1, (long long)a3);
	assert_due(fx, 200, 0, 10, want);
	assert_int_equal(outbox_next_due(fx->outbox, 1000, &at, &err), 0);
	assert_int_equal(at, 0);
}

static int64_t column(struct fixture *fx, const char *col, int64_t id)
{
	sqlite3_stmt *s;
	char sql[128];
	int64_t v;

	snprintf(sql, sizeof sql, "SELECT %s FROM outbox WHERE id = %lld", col, (long long)id);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->store), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The scan at start (and after an outage) looks at a bounded window of
 * pending rows per loop turn, however many wait for a later retry: it
 * stops after the window and the next call, from where it stopped, goes
 * on to the rows that are due. */
static void test_due_scan_stops_after_a_window_and_resumes(void **state)
{
	struct fixture *fx = *state;
	struct outbox_row *rows;
	struct error err;
	char *cause = NULL, key[32];
	int64_t scanned_to, first = 0, id;
	size_t n;

	/* 40 call tasks waiting for a retry at 1000, then 3 due at 100. */
	for (int i = 0; i < 43; i++) {
		snprintf(key, sizeof key, "task-%d", i);
		id = add(fx, OUTBOX_CALL_TASK, 0, key, 100);
		if (i == 0)
			first = id;
	}
	assert_int_equal(sql_exec(store_db(fx->store),
				    "UPDATE outbox SET next_attempt_at = 1000 WHERE id < "
				    "(SELECT max(id) - 2 FROM outbox)",
				    &cause),
			 0);
	assert_int_equal(outbox_due_window(fx->outbox, 200, 0, 10, 16, &rows, &n, &scanned_to,
					   &err),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(scanned_to, first + 15);
	outbox_rows_free(rows, n);
	assert_int_equal(outbox_due_window(fx->outbox, 200, scanned_to, 10, 16, &rows, &n,
					   &scanned_to, &err),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(scanned_to, first + 31);
	outbox_rows_free(rows, n);
	/* The last window is not full: the end, and the due rows in it. */
	assert_int_equal(outbox_due_window(fx->outbox, 200, scanned_to, 10, 16, &rows, &n,
					   &scanned_to, &err),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, first + 40);
	assert_int_equal(scanned_to, 0);
	outbox_rows_free(rows, n);
}

static void test_settle_and_requeue(void **state)
{
	struct fixture *fx = *state;
	struct error err;
	int64_t id = add(fx, OUTBOX_MESSAGE, 1, NULL, 100);
	struct outbox_row *rows;
	bool settled;
	size_t n;

	assert_int_equal(settle(fx, retried, id), 1);
	assert_int_equal(column(fx, "attempts", id), 1);
	assert_int_equal(column(fx, "failing_since", id), 200);
	assert_int_equal(column(fx, "next_attempt_at", id), 230);
	/* The failure run keeps its start. */
	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_mark_retry(fx->outbox, id, 230, 290, "timeout", &settled, &err),
			 0);
	assert_true(settled);
	assert_int_equal(store_commit(fx->store, &err), 0);
	assert_int_equal(column(fx, "failing_since", id), 200);
	assert_int_equal(outbox_due(fx->outbox, 290, 0, 10, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].attempts, 2);
	assert_int_equal(rows[0].failing_since, 200);
	assert_non_null(rows[0].key);
	assert_int_equal(rows[0].kind, OUTBOX_MESSAGE);
	outbox_rows_free(rows, n);

	/* Only a dead letter can be requeued. */
	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_retry(fx->outbox, id, 400, &err), -1);
	assert_int_equal(err.kind, ERROR_CONFLICT);
	assert_int_equal(outbox_retry(fx->outbox, 9999, 400, &err), -1);
	assert_int_equal(err.kind, ERROR_NOT_FOUND);
	store_rollback(fx->store);

	assert_int_equal(settle(fx, dead, id), 1);
	assert_int_equal(column(fx, "attempts", id), 3);
	assert_int_equal(column(fx, "next_attempt_at", id), 300);
	/* Requeued by an admin whose clock says 250: due at once for a
	 * daemon whose (test) clock says 300 as well. */
	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_retry(fx->outbox, id, 250, &err), 0);
	assert_int_equal(store_commit(fx->store, &err), 0);
	assert_int_equal(column(fx, "attempts", id), 0);
	assert_int_equal(column(fx, "failing_since", id), -1);
	assert_int_equal(column(fx, "next_attempt_at", id), 250);
	assert_int_equal(settle(fx, sent, id), 1);
	assert_int_equal(column(fx, "attempts", id), 1);
	/* A settled row is left alone by a late result. */
	assert_int_equal(settle(fx, dead, id), 0);
	assert_int_equal(column(fx, "attempts", id), 1);
}

/* withdraw(fx, call) and withdraw_closing(fx, course): in a transaction,
 * as course.c does; the latter returns how many were withdrawn. */
static void withdraw(struct fixture *fx, int64_t call_id)
{
	struct error err;
	int count = -1;

	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_withdraw_call_tasks(fx->outbox, call_id, &count, &err), 0);
	assert_true(count >= 0);
	assert_int_equal(store_commit(fx->store, &err), 0);
}

static int withdraw_closing(struct fixture *fx, int64_t course_id)
{
	struct error err;
	int count = -1;

	assert_int_equal(store_begin(fx->store, &err), 0);
	assert_int_equal(outbox_withdraw_messages(fx->outbox, course_id, "closing", &count, &err),
			 0);
	assert_int_equal(store_commit(fx->store, &err), 0);
	return count;
}

static int64_t rows_with_id(struct fixture *fx, int64_t id)
{
	sqlite3_stmt *s;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(fx->store),
					    "SELECT count(*) FROM outbox WHERE id = ?1", -1, &s,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void test_withdraw_leaves_in_flight_rows(void **state)
{
	struct fixture *fx = *state;
	int64_t t1, t2, other, closing, next;

	t1 = add(fx, OUTBOX_CALL_TASK, 1, "call-task:7:2026-04-13", 100);
	t2 = add(fx, OUTBOX_CALL_TASK, 1, "call-task:7:2026-04-14", 100);
	other = add(fx, OUTBOX_CALL_TASK, 1, "call-task:70:2026-04-13", 100);
	closing = add(fx, OUTBOX_MESSAGE, 1, NULL, 100);

	/* t1 is on the wire: the gateway may take it, so it stays for its
	 * send to settle; t2 goes; call 70's task is not call 7's. */
	fx->sending = t1;
	withdraw(fx, 7);
	assert_int_equal(rows_with_id(fx, t1), 1);
	assert_int_equal(rows_with_id(fx, t2), 0);
	assert_int_equal(rows_with_id(fx, other), 1);
	assert_int_equal(settle(fx, sent, t1), 1);

	/* A closing message on the wire is not withdrawn, nor counted. */
	fx->sending = closing;
	assert_int_equal(withdraw_closing(fx, 1), 0);
	assert_int_equal(rows_with_id(fx, closing), 1);
	fx->sending = 0;
	assert_int_equal(withdraw_closing(fx, 1), 1);
	assert_int_equal(rows_with_id(fx, closing), 0);
	assert_int_equal(withdraw_closing(fx, 1), 0);

	/* The withdrawn closing message had the highest id; the next row
	 * still gets a new one, so a late settle of the old id finds
	 * nothing to change. */
	next = add(fx, OUTBOX_MESSAGE, 2, NULL, 100);
	assert_true(next > closing);
	assert_int_equal(settle(fx, sent, closing), 0);
	assert_int_equal(column(fx, "attempts", next), 0);

	/* Without a sender (mentorctl) nothing is in flight. */
	outbox_set_in_flight(fx->outbox, NULL, NULL);
	assert_int_equal(withdraw_closing(fx, 2), 1);
}

/* The ids of outbox_list's page, space-separated. */
static char *listed(struct fixture *fx, const char *state, int64_t after, size_t limit)
{
	struct error err;
	char *out = xstrdup(""), *next;
	json_t *list, *row;
	size_t i;

	assert_int_equal(outbox_list(fx->outbox, state, after, limit, &list, &err), 0);
	json_array_foreach(list, i, row) {
		xasprintf(&next, "%s%s%lld", out, i > 0 ? " " : "",
			  (long long)json_integer_value(json_object_get(row, "id")));
		free(out);
		out = next;
	}
	json_decref(list);
	return out;
}

#define assert_listed(fx, state, after, limit, want)                                          \
	do {                                                                                   \
		char *got_ = listed(fx, state, after, limit);                                  \
		assert_string_equal(got_, want);                                               \
		free(got_);                                                                    \
	} while (0)

/* Sent rows are kept, so an admin reads the outbox a page at a time: up
 * to limit rows above after, in a state or all. */
static void test_list_pages(void **state)
{
	struct fixture *fx = *state;
	struct error err;
	int64_t id[5];
	char want[128];
	json_t *list;

	for (int i = 0; i < 5; i++)
		id[i] = add(fx, OUTBOX_MESSAGE, 1 + i % 2, NULL, 100);
	assert_int_equal(settle(fx, sent, id[0]), 1);
	assert_int_equal(settle(fx, dead, id[1]), 1);
	assert_int_equal(settle(fx, sent, id[3]), 1);

	snprintf(want, sizeof want, "%lld %lld", (long long)id[0], (long long)id[1]);
	assert_listed(fx, NULL, 0, 2, want);
	snprintf(want, sizeof want, "%lld %lld", (long long)id[2], (long long)id[3]);
	assert_listed(fx, NULL, id[1], 2, want);
	snprintf(want, sizeof want, "%lld", (long long)id[4]);
	assert_listed(fx, NULL, id[3], 2, want);
	assert_listed(fx, NULL, id[4], 2, "");

	snprintf(want, sizeof want, "%lld", (long long)id[2]);
	assert_listed(fx, "pending", 0, 1, want);
	snprintf(want, sizeof want, "%lld", (long long)id[4]);
	assert_listed(fx, "pending", id[2], 1, want);
	snprintf(want, sizeof want, "%lld %lld", (long long)id[0], (long long)id[3]);
	assert_listed(fx, "sent", 0, 10, want);
	snprintf(want, sizeof want, "%lld", (long long)id[3]);
	assert_listed(fx, "sent", id[0], 10, want);
	snprintf(want, sizeof want, "%lld", (long long)id[1]);
	assert_listed(fx, "dead", 0, 10, want);
	assert_listed(fx, "dead", id[1], 10, "");

	assert_int_equal(outbox_list(fx->outbox, "lost", 0, 10, &list, &err), -1);
	assert_int_equal(err.kind, ERROR_INVALID);
	assert_string_equal(err.field, "state");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due_in_order_per_course_and_kind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_due_scan_stops_after_a_window_and_resumes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_settle_and_requeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_leaves_in_flight_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
	};
	return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
