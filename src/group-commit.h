/*
 * group-commit.h - many state changes, one durable COMMIT.
 *
 * Why: with synchronous=FULL every COMMIT waits for the disk, and that wait,
 * not the SQL, bounds how many discharges per second mentord can take.
 * Changes submitted during one turn of the event loop are applied in one
 * transaction, each inside its own SAVEPOINT, and share a single COMMIT.
 *
 * Contract:
 *  - group_commit_submit() queues a change; nothing runs before the loop
 *    turns, so the caller returns to the loop (it must not reply yet).
 *  - apply() runs inside the shared transaction and may only touch the
 *    store. Returning -1 rolls back that change alone (its savepoint); the
 *    others still commit. One change's failure never fails its
 *    neighbours: a change that takes the whole transaction with it (SQLite
 *    rolls back everything when storage fails under a statement, disk full
 *    or an I/O error, and the savepoint is then gone) fails alone, is
 *    noted as a failed write (store_get_health), and the others are
 *    applied again in a fresh transaction. So apply() may run more than
 *    once; only the store keeps what it did, and only the last run counts.
 *  - done() runs after the COMMIT returned, i.e. once the change is durable,
 *    with status 0; with -1 when its own apply() failed; with -2 when it
 *    was not stored because storage failed and it may be tried again: the
 *    COMMIT itself failed (nothing of the group was stored), or the change
 *    lost the transaction. done() is where the reply is sent: never before
 *    the data is on disk.
 *  - At most GROUP_COMMIT_MAX changes share one transaction; more wait for
 *    the next one, so a burst cannot hold the write lock for long.
 *  - A read (group_commit_submit_read: apply() writes its audit rows and
 *    nothing else, or a change that is made again should a crash of the
 *    machine lose it: the outbox sender's results, outbox-worker.h) is
 *    applied with the other reads of the turn in a transaction of its
 *    own, before the changes, whose COMMIT does not wait for the disk
 *    (store_begin_read): done() runs once the audit rows are written to
 *    the WAL, where they outlive mentord, and the disk has them at the
 *    next durable COMMIT or at the latest GROUP_COMMIT_READ_SYNC_MS later
 *    (store_sync). A read changes nothing another request could see, so
 *    only its audit rows wait, and only a crash of the machine itself in
 *    that interval could lose them (doc/operations.md, "Audit rows of
 *    reads and power loss"); a send's result lost that way leaves its row
 *    pending, to be sent again under the same Idempotency-Key.
 *  - A threaded group commit (group_commit_new_threaded, for the intake:
 *    writer.h) applies and commits its changes on a writer thread, on a
 *    connection of its own: the loop hands it one batch and goes on
 *    reading and checking requests, which make the next batch; done()
 *    still runs on the loop's thread, after the COMMIT. apply() runs on
 *    the writer thread and may touch only its store and what the change
 *    carries. It takes changes only (no reads). The two connections
 *    take turns at SQLite's write lock, first come first served
 *    (store_take_turns, store.h).
 */
#ifndef MENTORD_GROUP_COMMIT_H
#define MENTORD_GROUP_COMMIT_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

struct store;
struct group_commit;

#define GROUP_COMMIT_MAX 256
#define GROUP_COMMIT_READ_SYNC_MS 1000
#define GROUP_COMMIT_LATER_MS 5
#define GROUP_COMMIT_LATER_MAX 64

struct group_commit_ops {
	int (*apply)(struct store *store, void *arg);
	void (*done)(void *arg, int status);
};

struct group_commit *group_commit_new(struct event_base *base, struct store *store);
/* A group commit whose batches a writer thread applies to store, a
 * connection used by nothing else from now on; failures are noted in
 * health's store_get_health too. NULL with *cause (caller frees). */
struct group_commit *group_commit_new_threaded(struct event_base *base, struct store *store,
					       struct store *health, char **cause);
/* A threaded group commit calls fn(arg) on the loop each time a batch is
 * back, before the next is handed to the thread: what the thread wrote
 * for the loop may be read there. */
void group_commit_set_after(struct group_commit *gc, void (*fn)(void *arg), void *arg);
/* Commits what is queued, then frees. */
void group_commit_free(struct group_commit *gc);
/* Commits what is queued and answers it, waiting for the writer thread:
 * before what apply() may read changes (a configuration reload). */
void group_commit_drain(struct group_commit *gc);

void group_commit_submit(struct group_commit *gc, const struct group_commit_ops *ops, void *arg);
void group_commit_submit_read(struct group_commit *gc, const struct group_commit_ops *ops,
			      void *arg);
/* A read whose done() nobody waits for (the outbox sender's results): it
 * waits up to GROUP_COMMIT_LATER_MS for company, or until
 * GROUP_COMMIT_LATER_MAX of them wait, and goes at once with any other
 * read or change. A few results in a commit of their own cost as many
 * pages written as many of them together. */
void group_commit_submit_later(struct group_commit *gc, const struct group_commit_ops *ops,
			       void *arg);
size_t group_commit_pending(const struct group_commit *gc);

/* Commit latency histogram: upper bounds in seconds of its buckets; a
 * last bucket (+Inf) holds the slower commits. */
#define GROUP_COMMIT_BUCKETS 7
extern const double group_commit_bucket_bounds[GROUP_COMMIT_BUCKETS];

/* Statistics for /metrics and the benchmark. */
struct group_commit_stats {
	unsigned long long commits;
	unsigned long long changes;
	unsigned long long failed_commits;
	double commit_seconds_total;
	/* Commits per latency bucket, not cumulative: [i] took at most
	 * bounds[i] and more than bounds[i - 1]. */
	unsigned long long commit_buckets[GROUP_COMMIT_BUCKETS + 1];
};
void group_commit_get_stats(const struct group_commit *gc, struct group_commit_stats *stats);

#endif
