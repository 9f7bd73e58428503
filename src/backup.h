/*
 * backup.h - a consistent copy of the live database, taken while mentord
 * keeps writing (mentorctl backup).
 *
 * Contract:
 *  - backup_to_file() copies the database of src with SQLite's online
 *    backup API, BACKUP_PAGES_PER_STEP pages at a time with
 *    BACKUP_SLEEP_MS between steps, so the copy never holds the disk for
 *    long while the daemon commits.
 *  - The copy is one snapshot: src holds a read transaction for the whole
 *    copy. In WAL mode a reader never blocks the daemon's writers, and the
 *    backup cannot restart half-way because of their commits (without the
 *    transaction SQLite restarts a backup whenever another connection
 *    writes, which under steady intake may never finish).
 *  - dest is never overwritten: an existing dest is refused before any
 *    work, and the finished copy is put in place with link(2), which fails
 *    rather than replace a file that appeared meanwhile. Until then the copy
 *    is a temporary file beside dest, removed on any failure.
 *  - The copy is checked (PRAGMA integrity_check must say "ok"), switched
 *    to journal_mode=DELETE so it is one self-contained file, and synced
 *    (file and directory) before backup_to_file() returns 0.
 *  - src must not be in a transaction of its own.
 *  - Errors are a malloc'd cause, as at start-up: the work is on files,
 *    the message is the whole answer and nothing maps it to a status.
 */
#ifndef MENTORD_BACKUP_H
#define MENTORD_BACKUP_H

#include <sqlite3.h>

#define BACKUP_PAGES_PER_STEP 64
#define BACKUP_SLEEP_MS 5

/* *pages is the size of the copy in database pages. */
int backup_to_file(sqlite3 *src, const char *dest, int *pages, char **cause);

#endif
