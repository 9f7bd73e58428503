/*
 * temp-db.c - a fresh directory for a unit test's database (temp-db.h).
 */
#include "temp-db.h"

#include <stdio.h>
#include <stdlib.h>

int temp_db_make(const char *tag, char dir[TEMP_DB_DIR_LEN], char path[TEMP_DB_PATH_LEN])
{
	snprintf(dir, TEMP_DB_DIR_LEN, "/tmp/mentord-test-%s-XXXXXX", tag);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, TEMP_DB_PATH_LEN, "%s/mentord.db", dir);
	return 0;
}

int temp_db_remove(const char *dir)
{
	char cmd[TEMP_DB_DIR_LEN + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}
