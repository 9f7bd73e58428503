/*
 * store-migrate.h - schema versions through PRAGMA user_version.
 *
 * Contract: migration N takes a database at user_version N-1 to N; each runs
 * in its own transaction together with the user_version bump, so a crash
 * leaves the database at a whole version. A user_version above
 * STORE_SCHEMA_VERSION is refused (-1, cause names both versions) and the
 * database is not touched. Migrations only ever get appended.
 */
#ifndef MENTORD_STORE_MIGRATE_H
#define MENTORD_STORE_MIGRATE_H

#include <sqlite3.h>

/* The schema version this build knows (the number of migrations). */
int store_migrate_latest(void);

/* Read PRAGMA user_version. */
int store_migrate_version(sqlite3 *db, int *version, char **cause);

/* Bring db up to version target (<= latest). */
int store_migrate_to(sqlite3 *db, int target, char **cause);

/* Bring db up to the latest version. */
int store_migrate(sqlite3 *db, char **cause);

#endif
