/*
 * group-commit.c - one COMMIT for many changes (group-commit.h).
 */
#include "group-commit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

struct change {
	const struct group_commit_ops *ops;
	void *arg;
	bool read;
	bool later; /* group_commit_submit_later */
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
	size_t later;	/* of the reads, results nobody waits for */
	bool soon;	/* flush is armed to run on this loop turn */
	bool last_read; /* the last batch was of reads */
	bool unsynced;	/* a read's COMMIT has not been synced yet */
	struct group_commit_stats stats;
	struct gc_thread *writer; /* group_commit_new_threaded: the thread */
};

/* The writer thread of a threaded group commit. The loop hands it one
 * batch at a time (handed) and goes on reading requests; the thread
 * applies and commits it on its own connection and hands it back
 * (returned), waking the loop through a pipe; done() runs on the loop. */
struct gc_thread {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;		  /* a batch was handed, or stop */
	pthread_cond_t back;		  /* a batch was returned */
	struct change *handed, *returned; /* under lock */
	bool stop;			  /* under lock */
	bool busy;			  /* loop only: a batch is with the thread */
	int wake[2];			  /* the thread writes a byte when it returns a batch */
	struct event *woken;
	struct store *health;	  /* the loop's store, told of the writer's failures */
	void (*after)(void *arg); /* group_commit_set_after */
	void *after_arg;
	unsigned long long failures_seen;
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
			if (c->later)
				gc->later--;
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

/* The batch's changes in one transaction, as often as it takes: a
 * change's status stays 0 until it fails (-1; -2 if it lost the
 * transaction), and an attempt starts again only after marking one, so
 * there are at most n + 1. On the writer thread for a threaded group
 * commit, which then touches nothing of the loop's but the statistics,
 * under the lock. */
static void apply_batch(struct group_commit *gc, struct change *batch, size_t n, bool read)
{
	struct timespec start;
	enum attempt result;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		result = attempt_batch(gc, batch, read);
	while (result == ATTEMPT_AGAIN);
	if (gc->writer != NULL)
		pthread_mutex_lock(&gc->writer->lock);
	if (result == ATTEMPT_FAILED) {
		gc->stats.failed_commits++;
		for (struct change *c = batch; c != NULL; c = c->next)
			if (c->status == 0)
				c->status = -2;
	} else {
		count_commit(&gc->stats, n, seconds_since(&start));
	}
	if (gc->writer != NULL)
		pthread_mutex_unlock(&gc->writer->lock);
	if (result != ATTEMPT_FAILED && read)
		sync_later(gc);
}

/* Apply up to GROUP_COMMIT_MAX queued reads, or changes, in one
 * transaction. */
static struct change *commit_batch(struct group_commit *gc, bool read)
{
	size_t n;
	struct change *batch = take(gc, read, &n);

	apply_batch(gc, batch, n, read);
	return batch;
}

/* Replies go out only now, after COMMIT returned. */
static void finish(struct change *batch)
{
	struct change *next;

	for (struct change *c = batch; c != NULL; c = next) {
		next = c->next;
		c->ops->done(c->arg, c->status);
		free(c);
	}
}

static void run_once(struct group_commit *gc)
{
	/* Reads and changes take turns while both wait, reads first: a
	 * read's reply need not wait for the disk, nor for the changes'. */
	bool read = gc->reads > 0 && (gc->reads == gc->pending || !gc->last_read);
	struct change *batch = commit_batch(gc, read);

	gc->last_read = read;
	finish(batch);
}

/* Arm flush: on this loop turn, or GROUP_COMMIT_LATER_MS on while what
 * waits is only a few results nobody waits for (group_commit_submit_later).
 * A zero timeout fires after the loop has processed the events that are
 * already ready, so everything that arrived together is batched. */
static void arm_flush(struct group_commit *gc)
{
	struct timeval now = {0, 0};
	struct timeval later = {0, GROUP_COMMIT_LATER_MS * 1000};

	if (gc->soon || gc->head == NULL)
		return;
	if (gc->later == gc->pending && gc->later < GROUP_COMMIT_LATER_MAX) {
		if (!evtimer_pending(gc->flush, NULL))
			evtimer_add(gc->flush, &later);
		return;
	}
	gc->soon = true;
	evtimer_add(gc->flush, &now); /* also when armed for later: sooner */
}

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct group_commit *gc = arg;

	(void)fd;
	(void)what;
	gc->soon = false;
	run_once(gc);
	/* More than one batch queued: let the loop serve sockets in between
	 * (a zero timeout waits for the next poll, where the replies just
	 * made go out; event_active would run before it). */
	arm_flush(gc);
}

/* Loop: give the thread the next batch, if it has none. */
static void hand(struct group_commit *gc)
{
	struct gc_thread *w = gc->writer;
	struct change *batch;
	size_t n;

	if (w->busy || gc->head == NULL)
		return;
	batch = take(gc, false, &n);
	pthread_mutex_lock(&w->lock);
	w->handed = batch;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	w->busy = true;
}

static size_t batch_length(const struct change *batch)
{
	size_t n = 0;

	for (; batch != NULL; batch = batch->next)
		n++;
	return n;
}

static void *writer_main(void *arg)
{
	struct group_commit *gc = arg;
	struct gc_thread *w = gc->writer;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct change *batch;

		while (w->handed == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->handed == NULL)
			break;
		batch = w->handed;
		w->handed = NULL;
		pthread_mutex_unlock(&w->lock);
		apply_batch(gc, batch, batch_length(batch), false);
		pthread_mutex_lock(&w->lock);
		w->returned = batch;
		pthread_cond_signal(&w->back);
		/* A full pipe already wakes the loop: nothing is lost. */
		if (write(w->wake[1], "", 1) < 0 && errno != EAGAIN)
			log_err("group commit: waking the loop: %s", strerror(errno));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Loop: the batch the thread returned (waiting for it if wait), its
 * replies sent; the next batch handed first, so the thread commits it
 * while the loop sends these replies and reads more requests. */
static void collect(struct group_commit *gc, bool wait)
{
	struct gc_thread *w = gc->writer;
	struct store_health health;
	struct change *batch;

	pthread_mutex_lock(&w->lock);
	while (wait && w->busy && w->returned == NULL)
		pthread_cond_wait(&w->back, &w->lock);
	batch = w->returned;
	w->returned = NULL;
	pthread_mutex_unlock(&w->lock);
	if (batch == NULL)
		return;
	w->busy = false;
	/* The thread waits for the next batch and touches its store no
	 * more: its health may be read, and /healthz tells the failures of
	 * both connections, and whether the last write of either failed. */
	store_get_health(gc->store, &health);
	if (health.failures > w->failures_seen) {
		w->failures_seen = health.failures;
		store_note_write_failure(w->health, health.last_error);
	}
	if (!health.failing)
		store_note_write_success(w->health);
	if (w->after != NULL)
		w->after(w->after_arg);
	hand(gc);
	finish(batch);
}

static void woken_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	collect(arg, false);
}

static void threaded_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hand(arg);
}

struct group_commit *group_commit_new_threaded(struct event_base *base, struct store *store,
					       struct store *health, char **cause)
{
	struct group_commit *gc = xcalloc(1, sizeof *gc);
	struct gc_thread *w = xcalloc(1, sizeof *w);
	int rc;

	gc->store = store;
	gc->tail = &gc->head;
	gc->writer = w;
	w->health = health;
	w->wake[0] = w->wake[1] = -1;
	if (!sqlite3_threadsafe()) {
		xasprintf(cause, "group commit: SQLite is built without threads");
		goto fail_early;
	}
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		xasprintf(cause, "group commit: pipe: %s", strerror(errno));
		goto fail_early;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->back, NULL);
	gc->flush = evtimer_new(base, threaded_flush_cb, gc);
	w->woken = event_new(base, w->wake[0], EV_READ | EV_PERSIST, woken_cb, gc);
	if (gc->flush == NULL || w->woken == NULL || event_add(w->woken, NULL) != 0) {
		xasprintf(cause, "group commit: cannot add the writer's events");
		goto fail;
	}
	store_take_turns(health, store);
	if ((rc = pthread_create(&w->thread, NULL, writer_main, gc)) != 0) {
		xasprintf(cause, "group commit: cannot start the writer thread: %s", strerror(rc));
		goto fail;
	}
	return gc;

fail:
	if (w->woken != NULL)
		event_free(w->woken);
	if (gc->flush != NULL)
		event_free(gc->flush);
	pthread_cond_destroy(&w->back);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
fail_early:
	if (w->wake[0] >= 0) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	free(w);
	free(gc);
	return NULL;
}

void group_commit_set_after(struct group_commit *gc, void (*fn)(void *arg), void *arg)
{
	gc->writer->after = fn;
	gc->writer->after_arg = arg;
}

void group_commit_drain(struct group_commit *gc)
{
	if (gc == NULL)
		return;
	if (gc->writer == NULL) {
		while (gc->head != NULL)
			run_once(gc);
		return;
	}
	hand(gc);
	while (gc->writer->busy)
		collect(gc, true);
}

static void threaded_free(struct group_commit *gc)
{
	struct gc_thread *w = gc->writer;

	group_commit_drain(gc);
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	event_free(w->woken);
	event_free(gc->flush);
	close(w->wake[0]);
	close(w->wake[1]);
	pthread_cond_destroy(&w->back);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
	free(gc);
}

static void submit(struct group_commit *gc, const struct group_commit_ops *ops, void *arg,
		   bool read, bool later)
{
	struct change *c = xcalloc(1, sizeof *c);

	c->ops = ops;
	c->arg = arg;
	c->read = read;
	c->later = later;
	*gc->tail = c;
	gc->tail = &c->next;
	gc->pending++;
	if (read)
		gc->reads++;
	if (later)
		gc->later++;
	if (gc->writer == NULL) {
		arm_flush(gc);
		return;
	}
	/* With a writer thread busy, the batch grows until it hands it back. */
	if (!gc->writer->busy && !evtimer_pending(gc->flush, NULL)) {
		struct timeval now = {0, 0};
		evtimer_add(gc->flush, &now);
	}
}

void group_commit_submit(struct group_commit *gc, const struct group_commit_ops *ops, void *arg)
{
	submit(gc, ops, arg, false, false);
}

void group_commit_submit_read(struct group_commit *gc, const struct group_commit_ops *ops,
			      void *arg)
{
	submit(gc, ops, arg, true, false);
}

void group_commit_submit_later(struct group_commit *gc, const struct group_commit_ops *ops,
			       void *arg)
{
	submit(gc, ops, arg, true, gc->writer == NULL);
}

size_t group_commit_pending(const struct group_commit *gc)
{
	return gc->pending;
}

void group_commit_get_stats(const struct group_commit *gc, struct group_commit_stats *stats)
{
	if (gc->writer != NULL)
		pthread_mutex_lock(&gc->writer->lock);
	*stats = gc->stats;
	if (gc->writer != NULL)
		pthread_mutex_unlock(&gc->writer->lock);
}

void group_commit_free(struct group_commit *gc)
{
	if (gc == NULL)
		return;
	if (gc->writer != NULL) {
		threaded_free(gc);
		return;
	}
	while (gc->head != NULL)
		run_once(gc);
	sync_now(gc);
	event_free(gc->flush);
	event_free(gc->sync);
	free(gc);
}
