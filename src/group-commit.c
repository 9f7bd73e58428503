/*
 * group-commit.c - one COMMIT for many changes (group-commit.h).
 */
#include "group-commit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

struct change {
	const struct group_commit_ops *ops;
	void *arg;
	bool read;
	int status;
	struct change *next;
};

struct group_commit {
	struct store *store;
	struct event *flush;
	struct event *sync; /* brings the reads' audit rows to the disk */
	struct change *head, **tail;
	size_t pending;
	size_t reads;	/* of them, reads */
	bool last_read; /* the last batch was of reads */
	bool unsynced;	/* a read's COMMIT has not been synced yet */
	struct group_commit_stats stats;
};

const double group_commit_bucket_bounds[GROUP_COMMIT_BUCKETS] = {
	0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1,
};

static void flush_cb(evutil_socket_t fd, short what, void *arg);
static void sync_cb(evutil_socket_t fd, short what, void *arg);

struct group_commit *group_commit_new(struct event_base *base, struct store *store)
{
	struct group_commit *gc = xcalloc(1, sizeof *gc);

	gc->store = store;
	gc->tail = &gc->head;
	gc->flush = evtimer_new(base, flush_cb, gc);
	gc->sync = evtimer_new(base, sync_cb, gc);
	return gc;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Prepared once (store_statement), not parsed again for every change. */
static const char savepoint_sql[] = "SAVEPOINT change";
static const char rollback_sql[] = "ROLLBACK TO change";
static const char release_sql[] = "RELEASE change";

static int savepoint(struct store *store, const char *sql)
{
	sqlite3_stmt *stmt;
	struct error err;
	int rc = -1;

	if ((stmt = store_statement(store, sql, &err)) != NULL) {
		if (sqlite3_step(stmt) == SQLITE_DONE)
			rc = 0;
		else
			error_set(&err, ERROR_STORE, NULL, "%s", sqlite3_errmsg(store_db(store)));
		sqlite3_reset(stmt);
	}
	if (rc != 0)
		log_err("group commit: %s: %s", sql, err.message);
	return rc;
}

static void count_commit(struct group_commit_stats *stats, size_t changes, double seconds)
{
	size_t i = 0;

	while (i < GROUP_COMMIT_BUCKETS && seconds > group_commit_bucket_bounds[i])
		i++;
	stats->commit_buckets[i]++;
	stats->commits++;
	stats->changes += changes;
	stats->commit_seconds_total += seconds;
}

/* Whether the transaction is gone: SQLite rolls back a whole transaction
 * on some errors (SQLITE_FULL, I/O errors, a statement journal it cannot
 * write), and with it every savepoint. */
static bool transaction_lost(struct group_commit *gc)
{
	return sqlite3_get_autocommit(store_db(gc->store)) != 0;
}

enum attempt {
	ATTEMPT_COMMITTED,
	ATTEMPT_FAILED, /* BEGIN or COMMIT failed: nothing is stored */
	ATTEMPT_AGAIN,	/* a change broke the transaction: it is marked failed */
};

/* One change in its own savepoint. A change that fails is rolled back to
 * its savepoint, alone. One that takes the transaction with it (or leaves
 * it unusable) is marked failed and the attempt starts again without it:
 * its neighbours were lost with the transaction through no fault of
 * their own. */
static enum attempt apply_change(struct group_commit *gc, struct change *c)
{
	int rc;

	if (savepoint(gc->store, savepoint_sql) != 0) {
		c->status = -2;
		return ATTEMPT_AGAIN;
	}
	rc = c->ops->apply(gc->store, c->arg);
	if (transaction_lost(gc)) {
		/* Even if apply() said 0, what it did is gone. SQLite drops a
		 * whole transaction only when storage fails under it (disk
		 * full, an I/O error, no memory): the change was not stored
		 * and may be tried again, as after a failed COMMIT. */
		int sys = sqlite3_system_errno(store_db(gc->store));
		char cause[160];

		snprintf(cause, sizeof cause,
			 "a change lost its transaction (disk full or an I/O error%s%s)",
			 sys != 0 ? ": " : "", sys != 0 ? strerror(sys) : "");
		log_err("group commit: %s; applying the other changes again", cause);
		store_note_write_failure(gc->store, cause);
		c->status = -2;
		return ATTEMPT_AGAIN;
	}
	if (rc != 0) {
		c->status = -1;
		if (savepoint(gc->store, rollback_sql) != 0) {
			store_rollback(gc->store);
			return ATTEMPT_AGAIN;
		}
	}
	if (savepoint(gc->store, release_sql) != 0) {
		c->status = -2;
		store_rollback(gc->store);
		return ATTEMPT_AGAIN;
	}
	return ATTEMPT_COMMITTED;
}

/* The batch's changes not yet known to fail, in one transaction; a batch
 * of reads in one whose COMMIT does not wait for the disk. */
static enum attempt attempt_batch(struct group_commit *gc, struct change *batch, bool read)
{
	struct error err;

	if ((read ? store_begin_read : store_begin)(gc->store, &err) != 0) {
		log_err("group commit: %s", err.message);
		return ATTEMPT_FAILED;
	}
	for (struct change *c = batch; c != NULL; c = c->next) {
		if (c->status != 0)
			continue;
		if (apply_change(gc, c) == ATTEMPT_AGAIN) {
			store_rollback(gc->store);
			return ATTEMPT_AGAIN;
		}
	}
	if (store_commit(gc->store, &err) != 0) {
		log_err("group commit: %s", err.message);
		store_rollback(gc->store);
		return ATTEMPT_FAILED;
	}
	return ATTEMPT_COMMITTED;
}

/* Take up to GROUP_COMMIT_MAX queued reads, or changes, off the queue in
 * the order they came; the others keep theirs. */
static struct change *take(struct group_commit *gc, bool read, size_t *n)
{
	struct change *batch = NULL, **end = &batch, **at = &gc->head, *c;

	*n = 0;
	gc->tail = &gc->head;
	while ((c = *at) != NULL) {
		if (c->read == read && *n < GROUP_COMMIT_MAX) {
			*at = c->next;
			c->next = NULL;
			*end = c;
			end = &c->next;
			(*n)++;
		} else {
			at = &c->next;
			gc->tail = at;
		}
	}
	gc->pending -= *n;
	if (read)
		gc->reads -= *n;
	return batch;
}

/* A read's COMMIT reached the WAL, not yet the disk: sync it soon. */
static void sync_later(struct group_commit *gc)
{
	struct timeval later = {GROUP_COMMIT_READ_SYNC_MS / 1000,
				(GROUP_COMMIT_READ_SYNC_MS % 1000) * 1000};

	gc->unsynced = true;
	if (!evtimer_pending(gc->sync, NULL))
		evtimer_add(gc->sync, &later);
}

static void sync_now(struct group_commit *gc)
{
	struct error err;

	if (!gc->unsynced)
		return;
	gc->unsynced = false;
	if (store_sync(gc->store, &err) != 0)
		log_err("group commit: the reads' audit rows: %s", err.message);
}

static void sync_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sync_now(arg);
}

/* Apply up to GROUP_COMMIT_MAX queued reads, or changes, in one
 * transaction. */
static struct change *commit_batch(struct group_commit *gc, bool read)
{
	struct change *batch, *c;
	struct timespec start;
	enum attempt result;
	size_t n;

	batch = take(gc, read, &n);
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* A change's status stays 0 until it fails (-1; -2 if it lost the
	 * transaction), and an attempt starts again only after marking one,
	 * so there are at most n + 1. */
	do
		result = attempt_batch(gc, batch, read);
	while (result == ATTEMPT_AGAIN);
	if (result == ATTEMPT_FAILED) {
		gc->stats.failed_commits++;
		for (c = batch; c != NULL; c = c->next)
			if (c->status == 0)
				c->status = -2;
	} else {
		count_commit(&gc->stats, n, seconds_since(&start));
		if (read)
			sync_later(gc);
	}
	return batch;
}

static void run_once(struct group_commit *gc)
{
	/* Reads and changes take turns while both wait, reads first: a
	 * read's reply need not wait for the disk, nor for the changes'. */
	bool read = gc->reads > 0 && (gc->reads == gc->pending || !gc->last_read);
	struct change *batch = commit_batch(gc, read), *next;

	gc->last_read = read;

	/* Replies go out only now, after COMMIT returned. */
	for (struct change *c = batch; c != NULL; c = next) {
		next = c->next;
		c->ops->done(c->arg, c->status);
		free(c);
	}
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct group_commit *gc = arg;

	(void)fd;
	(void)what;
	run_once(gc);
	/* More than one batch queued: let the loop serve sockets in between
	 * (a zero timeout waits for the next poll, where the replies just
	 * made go out; event_active would run before it). */
	if (gc->head != NULL) {
		struct timeval now = {0, 0};
		evtimer_add(gc->flush, &now);
	}
}

static void submit(struct group_commit *gc, const struct group_commit_ops *ops, void *arg,
		   bool read)
{
	struct change *c = xcalloc(1, sizeof *c);

	c->ops = ops;
	c->arg = arg;
	c->read = read;
	*gc->tail = c;
	gc->tail = &c->next;
	gc->pending++;
	if (read)
		gc->reads++;
	/* A zero timeout fires after the loop has processed the events that are
	 * already ready, so everything that arrived together is batched. */
	if (!evtimer_pending(gc->flush, NULL)) {
		struct timeval now = {0, 0};
		evtimer_add(gc->flush, &now);
	}
}

void group_commit_submit(struct group_commit *gc, const struct group_commit_ops *ops, void *arg)
{
	submit(gc, ops, arg, false);
}

void group_commit_submit_read(struct group_commit *gc, const struct group_commit_ops *ops,
			      void *arg)
{
	submit(gc, ops, arg, true);
}

size_t group_commit_pending(const struct group_commit *gc)
{
	return gc->pending;
}

void group_commit_get_stats(const struct group_commit *gc, struct group_commit_stats *stats)
{
	*stats = gc->stats;
}

void group_commit_free(struct group_commit *gc)
{
	if (gc == NULL)
		return;
	while (gc->head != NULL)
		run_once(gc);
	sync_now(gc);
	event_free(gc->flush);
	event_free(gc->sync);
	free(gc);
}
