/*
 * backup.c - online backup of the database (backup.h).
 */
/* mkstemp, link, fsync and lstat are POSIX; -std=c11 alone hides them. */
#define _POSIX_C_SOURCE 200809L

#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* Busy steps in a row before giving up: the source connection holds its
 * snapshot, so only a stuck lock makes steps busy for this long. */
#define BACKUP_MAX_BUSY 2000

static int backup_steps(sqlite3_backup *b, int *pages)
{
	int rc, busy = 0;

	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP) & 0xff;
		if (rc == SQLITE_DONE ||
		    (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED))
			break;
		busy = rc == SQLITE_OK ? 0 : busy + 1;
		if (busy > BACKUP_MAX_BUSY)
			break;
		/* Leave the disk to the daemon's commits for a moment. */
		sqlite3_sleep(BACKUP_SLEEP_MS);
	}
	*pages = sqlite3_backup_pagecount(b);
	return rc;
}

/* Copy src into dst from one read snapshot of src. */
static int backup_copy(sqlite3 *src, sqlite3 *dst, int *pages, char **cause)
{
	sqlite3_backup *b;
	char *ignored = NULL;
	int rc;

	/* A read snapshot on the source connection, not store_tx(): the
	 * copy takes no write lock from mentord. */
	if (sql_exec(src, "BEGIN", cause) != 0)
		return -1;
	/* The first read starts the snapshot; it lasts until COMMIT. */
	if (sql_exec(src, "SELECT count(*) FROM sqlite_schema", cause) != 0) {
		sql_exec(src, "ROLLBACK", &ignored);
		free(ignored);
		return -1;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		xasprintf(cause, "starting the backup: %s", sqlite3_errmsg(dst));
		sql_exec(src, "ROLLBACK", &ignored);
		free(ignored);
		return -1;
	}
	rc = backup_steps(b, pages);
	sqlite3_backup_finish(b);
	sql_exec(src, "COMMIT", &ignored);
	free(ignored);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "copying: %s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* A single file that passes integrity_check. */
static int backup_check(sqlite3 *dst, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	int ok = 0;

	if (sql_exec(dst, "PRAGMA journal_mode=DELETE", cause) != 0)
		return -1;
	/* On the copy's own connection, once: nothing to cache (sql.h). */
	if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		text = sqlite3_column_text(stmt, 0);
		ok = text != NULL && strcmp((const char *)text, "ok") == 0;
		if (!ok)
			xasprintf(cause, "the copy fails integrity_check: %s",
				  text != NULL ? (const char *)text : "(no answer)");
	} else {
		xasprintf(cause, "checking the copy: %s", sqlite3_errmsg(dst));
	}
	sqlite3_finalize(stmt);
	return ok ? 0 : -1;
}

static int backup_fsync(const char *path, int flags, char **cause)
{
	int fd = open(path, flags), rc;

	if (fd < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = fsync(fd);
	if (rc != 0)
		xasprintf(cause, "%s: fsync: %s", path, strerror(errno));
	close(fd);
	return rc == 0 ? 0 : -1;
}

/* The directory that holds path, so the new name survives a crash. */
static int backup_sync_dir(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		xasprintf(&dir, "%.*s", (int)(slash - path), path);
	rc = backup_fsync(dir, O_RDONLY | O_DIRECTORY, cause);
	free(dir);
	return rc;
}

static void backup_remove(const char *tmp)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char *name;

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		xasprintf(&name, "%s%s", tmp, suffixes[i]);
		unlink(name);
		free(name);
	}
}

static int backup_refuse(const char *dest, char **cause)
{
	xasprintf(cause, "%s already exists; a backup never overwrites a file", dest);
	return -1;
}

/* Copy into the temporary file tmp, check and sync it. */
static int backup_make(sqlite3 *src, const char *tmp, int *pages, char **cause)
{
	sqlite3 *dst = NULL;
	int rc = -1;

	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", tmp,
			  dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
	} else if (backup_copy(src, dst, pages, cause) == 0 && backup_check(dst, cause) == 0) {
		rc = 0;
	}
	if (sqlite3_close(dst) != SQLITE_OK && rc == 0) {
		xasprintf(cause, "%s: closing: %s", tmp, sqlite3_errmsg(dst));
		rc = -1;
	}
	if (rc == 0)
		rc = backup_fsync(tmp, O_RDONLY, cause);
	return rc;
}

int backup_to_file(sqlite3 *src, const char *dest, int *pages, char **cause)
{
	struct stat st;
	char *tmp;
	int fd, rc = -1;

	if (lstat(dest, &st) == 0)
		return backup_refuse(dest, cause);
	if (errno != ENOENT) {
		xasprintf(cause, "%s: %s", dest, strerror(errno));
		return -1;
	}
	xasprintf(&tmp, "%s.tmp-XXXXXX", dest);
	/* mkstemp makes it 0600: the copy holds health data. */
	if ((fd = mkstemp(tmp)) < 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	if (backup_make(src, tmp, pages, cause) != 0)
		goto out;
	if (link(tmp, dest) != 0) {
		if (errno == EEXIST)
			backup_refuse(dest, cause);
		else
			xasprintf(cause, "%s: %s", dest, strerror(errno));
		goto out;
	}
	rc = backup_sync_dir(dest, cause);
out:
	backup_remove(tmp);
	free(tmp);
	return rc;
}
