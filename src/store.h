/*
 * store.h - the SQLite database: open, configure, transactions.
 *
 * Contract:
 *  - store_open() opens (creating if needed) the file, sets busy_timeout,
 *    journal_mode=WAL, synchronous=FULL and foreign_keys=ON, then migrates
 *    the schema (store-migrate.c). A database written by a newer mentord is
 *    refused, and nothing in it is changed.
 *  - Tables belong to the module that uses them: that module prepares its own
 *    statements on store_db() once (SQLITE_PREPARE_PERSISTENT) and finalizes
 *    them before store_free().
 *  - store_begin()/store_commit() wrap one state change. With
 *    synchronous=FULL in WAL mode a returned COMMIT is durable, so a reply
 *    may be sent after store_commit() returns 0 and never before.
 *  - The search index (course-search.h) is written for many changed
 *    courses at once (migration 26): store_commit() writes it, just
 *    before COMMIT, once STORE_SEARCH_BATCH courses have been noted on
 *    its connection, and store_search_catch_up() whenever asked, which
 *    course_search() does before it reads the index. So a search finds
 *    every committed change, a write by hand (sqlite3) included.
 *  - After the migrations the planner's statistics are gathered when the
 *    schema changed or there are none (ANALYZE, bounded by
 *    analysis_limit), and PRAGMA optimize runs at open and close.
 *  - Errors return -1; nothing prints. Opening and tuning are start-up
 *    and report a malloc'd *cause (caller frees); everything used while
 *    the daemon runs (transactions, cached statements, optimize, sync)
 *    fills a struct error (error.h) of kind ERROR_STORE.
 */
#ifndef MENTORD_STORE_H
#define MENTORD_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

struct store;

#define STORE_BUSY_TIMEOUT_MS 5000

int store_open(const char *path, struct store **out, char **cause);
void store_free(struct store *store);

/* Size SQLite's page cache and memory-mapped reads (0: none), in MiB, as
 * the configuration says (store.cache_mib, store.mmap_mib); store_open
 * starts with a 32 MiB cache and no mapping. Takes effect at once. */
int store_tune(struct store *store, int cache_mib, int mmap_mib, char **cause);

sqlite3 *store_db(struct store *store);
const char *store_path(const struct store *store);
/* Courses noted for the search index that store_commit() lets wait. */
#define STORE_SEARCH_BATCH 1024

/* Brings the search index up to date with every course noted so far,
 * on any connection, inside the open write transaction (store_begin(),
 * store_begin_read()); -1 without one. */
int store_search_catch_up(struct store *store, struct error *err);
/* The rows the search index's catch-ups changed on this connection so
 * far (as sqlite3_total_changes counts them). */
unsigned long long store_search_changes(const struct store *store);
/* The statements that bring the search index up to date (migration 26),
 * i = 0, 1...; NULL past the last. For the tests of their query plans. */
const char *store_search_catch_up_query(size_t i);

/* a and b, two connections of this process to one database, take turns
 * at its write lock from now on, first come first served:
 * store_begin() and store_begin_read() wait for the other's transaction
 * to end, blocking the thread. With busy_timeout alone, a connection
 * that begins again at once (a daily job's chunks) kept the other
 * waiting past the timeout. Each store_free() leaves the turn. */
void store_take_turns(struct store *a, struct store *b);

int store_begin(struct store *store, struct error *err);
int store_commit(struct store *store, struct error *err);
void store_rollback(struct store *store);
/* One state change outside the group commit (a job's chunk, a mentorctl
 * command): store_begin(), fn, then store_commit() when fn returned 0;
 * rolled back when fn or COMMIT fails. Returns fn's result when it is not
 * 0 (err as fn left it), -1 when BEGIN or COMMIT failed. Code that is not
 * in the group commit opens its transactions with this, not by hand. */
typedef int (*store_tx_fn)(struct store *store, void *arg, struct error *err);
int store_tx(struct store *store, store_tx_fn fn, void *arg, struct error *err);
/* A transaction whose COMMIT does not wait for the disk: synchronous is
 * NORMAL until it ends, so COMMIT returns once its pages are written to
 * the WAL (they outlive mentord, not the machine), and the disk has them
 * at the next durable COMMIT, checkpoint or store_sync(). Only for
 * transactions that audit reads (group-commit.h). Every other
 * transaction waits for the disk: store_begin() fails rather than open
 * one that would not. */
int store_begin_read(struct store *store, struct error *err);
/* A read snapshot: a deferred BEGIN, which takes no write lock from the
 * rest of mentord, so a run of reads (a status, a chunk of the outbox
 * sender's lookups) sees one state and takes the WAL's read lock once.
 * Nothing may be written before store_end_snapshot(). Neither counts as
 * a write transaction (store_get_health). */
int store_begin_snapshot(struct store *store, struct error *err);
int store_end_snapshot(struct store *store, struct error *err);
/* Bring everything committed so far to the disk: one fdatasync of the
 * WAL, as a durable COMMIT makes. */
int store_sync(struct store *store, struct error *err);

/* The WAL's pages past which it is copied back into the database file:
 * SQLite's own default for its automatic checkpoint. */
#define STORE_CHECKPOINT_PAGES 1000
/* From now on a COMMIT on this connection that leaves at least
 * STORE_CHECKPOINT_PAGES in the WAL does not copy them back itself, as
 * SQLite's automatic checkpoint would, but calls due(arg) (once until
 * store_checkpoint() runs), so the caller checkpoints in a turn of its
 * own loop: a daily job's chunk that checkpointed in its COMMIT held the
 * loop 10-20 ms longer than the next (a million courses). due() runs
 * inside the COMMIT and may only arrange for the call. */
void store_defer_checkpoints(struct store *store, void (*due)(void *), void *arg);
/* When a COMMIT asked for it since the last call: a passive checkpoint
 * (copies what no reader still needs, waits for nobody), outside a
 * transaction; one inside a transaction is left for the next COMMIT to
 * ask for again. Otherwise nothing. */
int store_checkpoint(struct store *store, struct error *err);

/* How write transactions have gone since the store was opened: a BEGIN
 * or COMMIT that failed (disk full, I/O error, the lock held too long)
 * and whether the last one did. For GET /healthz (health.h). */
struct store_health {
	unsigned long long failures; /* failed BEGINs and COMMITs */
	bool failing;		     /* the last BEGIN or COMMIT failed */
	long long last_failure_mono; /* CLOCK_MONOTONIC seconds of the last failure */
	time_t last_failure_at;	     /* the same, wall clock; 0: none */
	char last_error[200];
};

/* A number that differs from the last one returned whenever a row of
 * tokens or mentors may have changed since: committed by another
 * connection or process (PRAGMA data_version), or changed or rolled back
 * on this one (counted by an update hook). Cheap: no table is read. */
unsigned long long store_generation(struct store *store);

/* Memory a module keeps for this connection, freed with the store. */
enum store_slot {
	STORE_SLOT_AUTH, /* auth.c: the active tokens */
	STORE_NSLOTS,
};
void *store_slot(const struct store *store, enum store_slot slot);
void store_set_slot(struct store *store, enum store_slot slot, void *data, void (*free_fn)(void *));

void store_get_health(const struct store *store, struct store_health *out);
/* A write failed other than at BEGIN or COMMIT (storage failed under a
 * statement and SQLite dropped the transaction): noted as they are. */
void store_note_write_failure(struct store *store, const char *cause);
/* A write of another connection (the writer thread's) was committed:
 * the last write no longer failed. */
void store_note_write_success(struct store *store);

/* PRAGMA optimize: refresh the planner's statistics where the queries of
 * this connection found them out of date (a daily job does it). */
int store_optimize(struct store *store, struct error *err);

/* Cheap liveness check for /healthz: a read of the schema version. */
int store_check(struct store *store, int *schema_version);

/* A statement prepared once per store (SQLITE_PREPARE_PERSISTENT) and
 * kept until store_free, looked up by the address of its SQL text: pass a
 * string literal. The caller binds, steps and must sqlite3_reset() it (and
 * clear its bindings) before the next use. NULL and err filled on error. */
sqlite3_stmt *store_statement(struct store *store, const char *sql, struct error *err);

#endif
