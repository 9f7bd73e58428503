/*
 * temp-db.h - a fresh directory for a unit test's database file, and its
 * removal: what the tests that open a store of their own share.
 */
#ifndef MENTORD_TEST_TEMP_DB_H
#define MENTORD_TEST_TEMP_DB_H

#define TEMP_DB_DIR_LEN 64
#define TEMP_DB_PATH_LEN 128

/* Makes /tmp/mentord-test-<tag>-XXXXXX into dir and names the database
 * in it, dir/mentord.db, into path. 0, or -1 when the directory could
 * not be made. */
int temp_db_make(const char *tag, char dir[TEMP_DB_DIR_LEN], char path[TEMP_DB_PATH_LEN]);
/* Removes dir and everything in it (the database, its WAL): 0 or -1. */
int temp_db_remove(const char *dir);

#endif
