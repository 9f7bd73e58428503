/*
 * store.c - the SQLite database (see store.h).
 */
#include "store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sql.h"
#include "store-migrate.h"
#include "xmalloc.h"

#define STORE_MAX_STATEMENTS 128
#define STORE_STRINGIFY(x) STORE_STRINGIFY_(x)
#define STORE_STRINGIFY_(x) #x
/* A savepoint's journal (each change of the group commit has one, and
 * each chunk of a daily job) is kept in memory, never spilled to a
 * temporary file. An intake touches 20 or so pages, 80 KiB of journal:
 * past SQLite's default spill of 64 KiB, every later change of the
 * transaction wrote its journal to the file, a pwrite per page, which
 * halved intake (tests/bench/intake.sh, 32 connections: 2,400 -> 4,900
 * discharges/s in one run). A spill above 64 KiB is no way out: the spill writes its
 * chunk in one call and the unix VFS writes at most 128 KiB per call, a
 * false SQLITE_FULL. In memory the journal costs what the change touched,
 * 4 KiB a page, freed at RELEASE; the jobs' chunks are small by design. */
#define STORE_JOURNAL_SPILL (-1)

struct store_cached {
	const char *sql;
	sqlite3_stmt *stmt;
};

/* ANALYZE reads at most this many rows of each index (analysis_limit):
 * statistics good enough for the planner in milliseconds, not seconds,
 * at a million courses. */
#define STORE_ANALYSIS_LIMIT 1000

/* SQLite's write lock taken in turns, first come first served, by the
 * connections of this process that share it (store_take_turns). */
struct store_turn {
	pthread_mutex_t lock;
	pthread_cond_t served;
	unsigned long next;    /* the ticket the next taker draws */
	unsigned long serving; /* the ticket whose holder may write */
	int users;
};

struct store {
	sqlite3 *db;
	struct store_turn *turn;
	bool turn_held;
	struct store_health health;
	struct store_cached cached[STORE_MAX_STATEMENTS];
	size_t ncached;
	char *path;
	sqlite3_stmt *begin;
	sqlite3_stmt *begin_snapshot;
	sqlite3_stmt *commit;
	sqlite3_stmt *rollback;
	sqlite3_stmt *version;
	bool light; /* synchronous=NORMAL, for store_begin_read() */
	sqlite3_stmt *data_version;
	/* The search index's writes (migration 26), made for many courses
	 * at once: search_noted counts the notes of the open transaction,
	 * search_waiting those committed since the index last caught up. */
	sqlite3_stmt *search_catch_up[3];
	sqlite3_stmt *search_any;
	size_t search_noted;
	size_t search_waiting;
	unsigned long long search_changes;
	/* store_defer_checkpoints(): whom to tell, and whether told. */
	void (*checkpoint_due)(void *);
	void *checkpoint_arg;
	bool checkpoint_asked;
	/* Row changes and rollbacks on this connection to the tables of
	 * store_generation(), which data_version does not count. */
	unsigned long long local_changes;
	void *slot_data[STORE_NSLOTS];
	void (*slot_free[STORE_NSLOTS])(void *);
};

/* The tables whose rows decide who may use the API (auth.c caches its
 * answer until store_generation() changes). */
static void update_hook(void *arg, int op, const char *db, const char *table, sqlite3_int64 row)
{
	struct store *store = arg;

	(void)db;
	(void)row;
	if (strcmp(table, "tokens") == 0 || strcmp(table, "mentors") == 0)
		store->local_changes++;
	else if (op == SQLITE_INSERT && strcmp(table, "courses_search_pending") == 0)
		store->search_noted++;
}

/* A rollback may undo a change a cache was already built from. */
static void rollback_hook(void *arg)
{
	struct store *store = arg;

	store->local_changes++;
	store->search_noted = 0;
}

/* Migration 26: what the index holds for the noted courses goes, then
 * what they hold now goes in, as FTS5 wants a contentless row deleted:
 * with the values it was given. In one statement each, so FTS5 writes
 * one segment for all the noted courses. "id IN (SELECT ...)" walks the
 * notes and reads each course by its key. A join let the planner, which
 * takes a table without statistics (the notes are few or none, so
 * ANALYZE never counts them) for a big one, scan every course, or build
 * a Bloom filter of them: 0.2 s a catch-up at a million. */
static const char *const search_catch_up_sql[] = {
	"INSERT INTO courses_search (courses_search, rowid, name, phone)"
	" SELECT 'delete', course_id, name, phone FROM courses_search_pending WHERE indexed",
	"INSERT INTO courses_search (rowid, name, phone)"
	" SELECT id, citizen_name, phone FROM courses"
	" WHERE id IN (SELECT course_id FROM courses_search_pending) AND anonymised_at IS NULL",
	"DELETE FROM courses_search_pending",
};

static int prepare(struct store *store, const char *sql, sqlite3_stmt **stmt, char **cause)
{
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "preparing \"%s\": %s", sql, sqlite3_errmsg(store->db));
		return -1;
	}
	return 0;
}

/* The pragmas of store_open are prepared and finalized on the spot: each
 * runs once, before anything is cached (sql.h). WAL must really be in force: on some file systems SQLite silently keeps
 * another journal mode, and our durability argument depends on WAL+FULL. */
static int set_wal(sqlite3 *db, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		const unsigned char *mode = sqlite3_column_text(stmt, 0);
		ok = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	}
	sqlite3_finalize(stmt);
	if (!ok) {
		xasprintf(cause, "cannot switch the database to WAL mode: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The planner needs statistics to choose the indexes the jobs and the
 * queue were written for: gather them when the schema changed or there
 * are none yet, and let PRAGMA optimize refresh what has drifted. */
static int store_analyze(sqlite3 *db, bool migrated, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	bool have_stats = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'", -1,
			       &stmt, NULL) == SQLITE_OK)
		have_stats = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	if (sql_exec(db, "PRAGMA analysis_limit = " STORE_STRINGIFY(STORE_ANALYSIS_LIMIT), cause) !=
	    0)
		return -1;
	if ((migrated || !have_stats) && sql_exec(db, "ANALYZE", cause) != 0)
		return -1;
	return sql_exec(db, "PRAGMA optimize", cause);
}

const char *store_search_catch_up_query(size_t i)
{
	return i < sizeof search_catch_up_sql / sizeof search_catch_up_sql[0]
		       ? search_catch_up_sql[i]
		       : NULL;
}

static void turn_take(struct store *store)
{
	struct store_turn *t = store->turn;
	unsigned long ticket;

	if (t == NULL || store->turn_held)
		return;
	pthread_mutex_lock(&t->lock);
	ticket = t->next++;
	while (t->serving != ticket)
		pthread_cond_wait(&t->served, &t->lock);
	pthread_mutex_unlock(&t->lock);
	store->turn_held = true;
}

/* Once the transaction is over: a COMMIT or ROLLBACK that failed may
 * leave it open, and the caller then rolls back. */
static void turn_give(struct store *store)
{
	struct store_turn *t = store->turn;

	if (!store->turn_held || !sqlite3_get_autocommit(store->db))
		return;
	pthread_mutex_lock(&t->lock);
	t->serving++;
	pthread_cond_broadcast(&t->served);
	pthread_mutex_unlock(&t->lock);
	store->turn_held = false;
}

static void turn_leave(struct store *store)
{
	struct store_turn *t = store->turn;

	store->turn = NULL;
	if (t == NULL || --t->users > 0)
		return;
	pthread_cond_destroy(&t->served);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void store_take_turns(struct store *a, struct store *b)
{
	struct store_turn *t = xcalloc(1, sizeof *t);

	turn_leave(a);
	turn_leave(b);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->served, NULL);
	t->users = 2;
	a->turn = b->turn = t;
}

int store_optimize(struct store *store, struct error *err)
{
	return sql_run(store->db, "PRAGMA optimize", err);
}

int store_open(const char *path, struct store **out, char **cause)
{
	struct store *store = xcalloc(1, sizeof *store);
	char *sub = NULL;
	int before = 0, after = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	store->path = xstrdup(path);
	/* One thread uses SQLite: no memory statistics, whose global mutex
	 * every allocation would take. Fails harmlessly once initialised. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Savepoint journals in memory (STORE_JOURNAL_SPILL). Like MEMSTATUS
	 * this only counts before SQLite is initialised. */
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STORE_JOURNAL_SPILL);
	if (sqlite3_open_v2(path, &store->db, flags, NULL) != SQLITE_OK) {
		xasprintf(&sub, "%s", store->db ? sqlite3_errmsg(store->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	/* Check the version before anything writes: a newer database must be
	 * left exactly as it was, not even switched to WAL. */
	if (store_migrate_to(store->db, 0, &sub) != 0)
		goto fail;
	if (set_wal(store->db, &sub) != 0 ||
	    sql_exec(store->db, "PRAGMA synchronous=FULL", &sub) != 0 ||
	    sql_exec(store->db, "PRAGMA foreign_keys=ON", &sub) != 0 ||
	    sql_exec(store->db, "PRAGMA cache_size=-32768", &sub) != 0 ||
	    store_migrate_version(store->db, &before, &sub) != 0 ||
	    store_migrate(store->db, &sub) != 0 ||
	    store_migrate_version(store->db, &after, &sub) != 0 ||
	    store_analyze(store->db, after != before, &sub) != 0)
		goto fail;
	if (prepare(store, "BEGIN IMMEDIATE", &store->begin, &sub) != 0 ||
	    prepare(store, "BEGIN", &store->begin_snapshot, &sub) != 0 ||
	    prepare(store, "COMMIT", &store->commit, &sub) != 0 ||
	    prepare(store, "ROLLBACK", &store->rollback, &sub) != 0 ||
	    prepare(store, "PRAGMA user_version", &store->version, &sub) != 0 ||
	    prepare(store, "PRAGMA data_version", &store->data_version, &sub) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof search_catch_up_sql / sizeof search_catch_up_sql[0]; i++)
		if (prepare(store, search_catch_up_sql[i], &store->search_catch_up[i], &sub) != 0)
			goto fail;
	if (prepare(store, "SELECT 1 FROM courses_search_pending LIMIT 1", &store->search_any,
		    &sub) != 0)
		goto fail;
	sqlite3_update_hook(store->db, update_hook, store);
	sqlite3_rollback_hook(store->db, rollback_hook, store);
	*out = store;
	return 0;

fail:
	xasprintf(cause, "database %s: %s", path, sub);
	free(sub);
	store_free(store);
	return -1;
}

void store_free(struct store *store)
{
	if (store == NULL)
		return;
	turn_leave(store);
	for (int i = 0; i < STORE_NSLOTS; i++)
		if (store->slot_free[i] != NULL)
			store->slot_free[i](store->slot_data[i]);
	sqlite3_finalize(store->data_version);
	for (size_t i = 0; i < sizeof store->search_catch_up / sizeof store->search_catch_up[0];
	     i++)
		sqlite3_finalize(store->search_catch_up[i]);
	sqlite3_finalize(store->search_any);
	sqlite3_finalize(store->begin);
	sqlite3_finalize(store->begin_snapshot);
	sqlite3_finalize(store->commit);
	sqlite3_finalize(store->rollback);
	sqlite3_finalize(store->version);
	for (size_t i = 0; i < store->ncached; i++)
		sqlite3_finalize(store->cached[i].stmt);
	if (store->db != NULL) {
		char *ignored = NULL;

		/* What SQLite advises before closing: refresh statistics the
		 * queries of this connection found out of date (analysis_limit
		 * keeps it short). */
		if (sql_exec(store->db, "PRAGMA optimize", &ignored) != 0)
			free(ignored);
		/* Fold the WAL back so the file is self-contained when we stop. */
		sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_close(store->db);
	}
	free(store->path);
	free(store);
}

int store_tune(struct store *store, int cache_mib, int mmap_mib, char **cause)
{
	char sql[64];

	/* PRAGMA takes no bound parameters; both are integers the
	 * configuration has range-checked. A negative cache_size is KiB. */
	snprintf(sql, sizeof sql, "PRAGMA cache_size=-%lld", (long long)cache_mib * 1024);
	if (sql_exec(store->db, sql, cause) != 0)
		return -1;
	snprintf(sql, sizeof sql, "PRAGMA mmap_size=%lld", (long long)mmap_mib * 1024 * 1024);
	return sql_exec(store->db, sql, cause);
}

sqlite3_stmt *store_statement(struct store *store, const char *sql, struct error *err)
{
	struct store_cached *slot;
	char *cause = NULL;

	for (size_t i = 0; i < store->ncached; i++)
		if (store->cached[i].sql == sql)
			return store->cached[i].stmt;
	if (store->ncached == STORE_MAX_STATEMENTS) {
		error_set(err, ERROR_STORE, "", "more than %d cached statements",
			  STORE_MAX_STATEMENTS);
		return NULL;
	}
	slot = &store->cached[store->ncached];
	if (prepare(store, sql, &slot->stmt, &cause) != 0) {
		error_set(err, ERROR_STORE, "", "%s", cause);
		free(cause);
		return NULL;
	}
	slot->sql = sql;
	store->ncached++;
	return slot->stmt;
}

sqlite3 *store_db(struct store *store)
{
	return store->db;
}

const char *store_path(const struct store *store)
{
	return store->path;
}

static int step_once(struct store *store, sqlite3_stmt *stmt, const char *what, struct error *err)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return sql_error(err, store->db, what);
	return 0;
}

/* Remember how the last write transaction ended, for GET /healthz. */
static int note_write(struct store *store, int rc, const char *cause)
{
	struct store_health *h = &store->health;
	struct timespec now;

	if (rc == 0) {
		h->failing = false;
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	h->failing = true;
	h->failures++;
	h->last_failure_mono = now.tv_sec;
	h->last_failure_at = time(NULL);
	snprintf(h->last_error, sizeof h->last_error, "%s", cause != NULL ? cause : "");
	return -1;
}

/* Not a prepared statement: SQLite applies this pragma when it is
 * prepared, not when it is stepped again. Outside a transaction only. */
static int set_light(struct store *store, bool light, struct error *err)
{
	if (sql_run(store->db, light ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
		    err) != 0)
		return -1;
	store->light = light;
	return 0;
}

/* After a read's transaction: durable again before anything else runs.
 * Should that fail, store_begin() tries again and refuses. */
static void end_light(struct store *store)
{
	if (store->light && sqlite3_get_autocommit(store->db))
		set_light(store, false, NULL);
}

/* err may be NULL, but the health record wants the message: write it
 * somewhere in any case. */
static struct error *error_or(struct error *err, struct error *local)
{
	return err != NULL ? err : local;
}

int store_begin(struct store *store, struct error *err)
{
	struct error local;
	int rc;

	err = error_or(err, &local);
	if (store->light && set_light(store, false, err) != 0)
		return note_write(store, -1, err->message);
	turn_take(store);
	if ((rc = step_once(store, store->begin, "BEGIN", err)) != 0)
		turn_give(store);

	/* Only a failure counts: a BEGIN that works says nothing of COMMIT. */
	return rc == 0 ? 0 : note_write(store, rc, err->message);
}

int store_begin_read(struct store *store, struct error *err)
{
	struct error local;
	int rc;

	err = error_or(err, &local);
	if (set_light(store, true, err) != 0)
		return note_write(store, -1, err->message);
	turn_take(store);
	if ((rc = step_once(store, store->begin, "BEGIN", err)) != 0) {
		turn_give(store);
		end_light(store);
		return note_write(store, rc, err->message);
	}
	return 0;
}

int store_begin_snapshot(struct store *store, struct error *err)
{
	return step_once(store, store->begin_snapshot, "BEGIN", err);
}

int store_end_snapshot(struct store *store, struct error *err)
{
	return step_once(store, store->commit, "COMMIT", err);
}

/* The noted courses into the search index, inside the transaction. */
static int search_catch_up(struct store *store, struct error *err)
{
	sqlite3_int64 before = sqlite3_total_changes64(store->db);

	for (size_t i = 0; i < sizeof store->search_catch_up / sizeof store->search_catch_up[0];
	     i++)
		if (step_once(store, store->search_catch_up[i], "updating the search index", err) !=
		    0)
			return -1;
	store->search_changes += (unsigned long long)(sqlite3_total_changes64(store->db) - before);
	store->search_noted = 0;
	store->search_waiting = 0;
	return 0;
}

unsigned long long store_search_changes(const struct store *store)
{
	return store->search_changes;
}

int store_search_catch_up(struct store *store, struct error *err)
{
	int rc;

	if (sql_require_transaction(store->db, "updating the search index", err) != 0)
		return -1;
	rc = sqlite3_step(store->search_any);
	sqlite3_reset(store->search_any);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return sql_error(err, store->db, "updating the search index");
	return search_catch_up(store, err);
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *store = arg;

	(void)db;
	(void)name;
	if (pages >= STORE_CHECKPOINT_PAGES && !store->checkpoint_asked) {
		store->checkpoint_asked = true;
		store->checkpoint_due(store->checkpoint_arg);
	}
	return SQLITE_OK;
}

void store_defer_checkpoints(struct store *store, void (*due)(void *), void *arg)
{
	store->checkpoint_due = due;
	store->checkpoint_arg = arg;
	store->checkpoint_asked = false;
	sqlite3_wal_hook(store->db, wal_hook, store);
}

int store_checkpoint(struct store *store, struct error *err)
{
	if (!store->checkpoint_asked)
		return 0;
	store->checkpoint_asked = false;
	if (!sqlite3_get_autocommit(store->db))
		return 0;
	if (sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) !=
	    SQLITE_OK)
		return sql_error(err, store->db, "checkpointing the WAL");
	return 0;
}

int store_commit(struct store *store, struct error *err)
{
	struct error local;
	int rc;

	err = error_or(err, &local);
	/* FTS5 writes a segment each time it catches up, and merges them
	 * later: one per commit of a few discharges cost 22 us a course,
	 * one per STORE_SEARCH_BATCH courses a third of it. A search
	 * catches up first, so it never misses what is waiting. */
	if (store->search_noted + store->search_waiting >= STORE_SEARCH_BATCH &&
	    !sqlite3_get_autocommit(store->db) && search_catch_up(store, err) != 0) {
		rc = note_write(store, -1, err->message);
	} else {
		rc = note_write(store, step_once(store, store->commit, "COMMIT", err),
				err->message);
		if (rc == 0)
			store->search_waiting += store->search_noted;
		store->search_noted = 0;
	}
	turn_give(store);
	end_light(store);
	return rc;
}

int store_tx(struct store *store, store_tx_fn fn, void *arg, struct error *err)
{
	int rc;

	if (store_begin(store, err) != 0)
		return -1;
	rc = fn(store, arg, err);
	if (rc == 0 && store_commit(store, err) != 0)
		rc = -1;
	if (rc != 0)
		store_rollback(store);
	return rc;
}

int store_sync(struct store *store, struct error *err)
{
	sqlite3_file *wal = NULL;
	int rc;

	/* The WAL's own file handle (SQLite's unix VFS), synced with the
	 * flags SQLite uses for the WAL under synchronous=FULL. */
	rc = sqlite3_file_control(store->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
	if (rc != SQLITE_OK)
		return error_set(err, ERROR_STORE, "", "syncing the WAL: %s", sqlite3_errstr(rc));
	if (wal == NULL || wal->pMethods == NULL)
		return 0; /* no WAL open: nothing is waiting for the disk */
	if ((rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL)) != SQLITE_OK) {
		struct error local;

		err = error_or(err, &local);
		error_set(err, ERROR_STORE, "", "syncing the WAL: %s", sqlite3_errstr(rc));
		return note_write(store, -1, err->message);
	}
	return 0;
}

void store_note_write_failure(struct store *store, const char *cause)
{
	note_write(store, -1, cause);
}

void store_note_write_success(struct store *store)
{
	note_write(store, 0, NULL);
}

void store_get_health(const struct store *store, struct store_health *out)
{
	*out = store->health;
}

void store_rollback(struct store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		step_once(store, store->rollback, "ROLLBACK", NULL);
	turn_give(store);
	end_light(store);
}

int store_check(struct store *store, int *schema_version)
{
	int rc = sqlite3_step(store->version);

	if (rc == SQLITE_ROW)
		*schema_version = sqlite3_column_int(store->version, 0);
	sqlite3_reset(store->version);
	return rc == SQLITE_ROW ? 0 : -1;
}

unsigned long long store_generation(struct store *store)
{
	unsigned long long version = 0;

	/* A failed read says nothing: a value no cache holds forces a
	 * reload, and the reload then fails and refuses. */
	if (sqlite3_step(store->data_version) == SQLITE_ROW)
		version = (unsigned long long)sqlite3_column_int64(store->data_version, 0);
	else
		store->local_changes++;
	sqlite3_reset(store->data_version);
	return (version << 32) ^ store->local_changes;
}

void *store_slot(const struct store *store, enum store_slot slot)
{
	return store->slot_data[slot];
}

void store_set_slot(struct store *store, enum store_slot slot, void *data, void (*free_fn)(void *))
{
	if (store->slot_free[slot] != NULL)
		store->slot_free[slot](store->slot_data[slot]);
	store->slot_data[slot] = data;
	store->slot_free[slot] = free_fn;
}
