/*
 * store-migrate.c - schema migrations (see store-migrate.h).
 *
 * Each entry is the SQL that takes the schema from version i to i+1.
 * Append only: a released migration never changes, because databases in the
 * field have already run it.
 */
#include "store-migrate.h"

#include <stdio.h>
#include <stdlib.h>

#include "store.h"
#include "xmalloc.h"

static const char *const migrations[] = {
	/* 1: tokens for the HTTP API. Only the SHA-256 of a token is stored. */
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('psychiatry', 'mentor', 'admin')),"
	"  mentor_id INTEGER,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER"
	");",
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_migrate_latest(void)
{
	return MIGRATION_COUNT;
}

int store_migrate_version(sqlite3 *db, int *version, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		xasprintf(cause, "reading schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		xasprintf(cause, "reading schema version: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

static int apply_migration(sqlite3 *db, int to, char **cause)
{
	char *bump, *sub = NULL;

	if (store_exec(db, "BEGIN IMMEDIATE", cause) != 0)
		return -1;
	if (store_exec(db, migrations[to - 1], &sub) != 0)
		goto fail;
	/* PRAGMA takes no bound parameters; "to" is our own integer. */
	xasprintf(&bump, "PRAGMA user_version = %d", to);
	if (store_exec(db, bump, &sub) != 0) {
		free(bump);
		goto fail;
	}
	free(bump);
	if (store_exec(db, "COMMIT", &sub) != 0)
		goto fail;
	return 0;

fail:
	xasprintf(cause, "migration to schema version %d failed: %s", to, sub);
	free(sub);
	sub = NULL;
	store_exec(db, "ROLLBACK", &sub);
	free(sub);
	return -1;
}

int store_migrate_to(sqlite3 *db, int target, char **cause)
{
	int version;

	if (store_migrate_version(db, &version, cause) != 0)
		return -1;
	if (version > MIGRATION_COUNT) {
		xasprintf(cause,
			  "database schema version %d is newer than this mentord "
			  "knows (%d); refusing to open it with an older version",
			  version, MIGRATION_COUNT);
		return -1;
	}
	for (int to = version + 1; to <= target; to++)
		if (apply_migration(db, to, cause) != 0)
			return -1;
	return 0;
}

int store_migrate(sqlite3 *db, char **cause)
{
	return store_migrate_to(db, MIGRATION_COUNT, cause);
}
