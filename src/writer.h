/*
 * writer.h - the intake's writer thread: discharge notifications applied
 * and committed on a second connection while the event loop reads and
 * checks the next ones.
 *
 * Why: a durable intake spends most of its time in SQLite and the COMMIT;
 * on one thread the loop then cannot read requests, and the second core
 * idles. The loop checks a notification (intake.h) and hands it here;
 * the writer thread applies a batch and COMMITs it while the loop
 * gathers the next; the reply still goes out only after the COMMIT,
 * from the loop (group-commit.h, threaded).
 *
 * Contract:
 *  - writer_new() opens the database a second time and makes the course
 *    operations on that connection (the same modules as the loop's, the
 *    late call tasks of publish.h included); from then on only the writer
 *    thread uses them, through the apply() of changes submitted to
 *    writer_commits(). Everything else stays on the loop's connection;
 *    the two take turns at the write lock, first come first served
 *    (store_take_turns, store.h).
 *  - An outbox row the writer adds wakes the loop's outbox worker once its
 *    batch is committed.
 *  - writer_drain() commits and answers what is queued: call it before
 *    the configuration an apply() may point into is freed.
 *  - The writer's connection has a page cache of store.cache_mib, like
 *    the loop's. Every discharge inserts into a dozen indexes at places
 *    no other discharge touches (its phone, CPR, notification id): with
 *    8 MiB the writer read its pages back from the file once the
 *    database outgrew it, and at 250,000 courses took 5,900 discharges/s
 *    at a p99 of 135 ms where 32 MiB held 8,500-9,700 and 38-60 ms
 *    (tests/bench/intake.sh, 128 connections, one run each).
 */
#ifndef MENTORD_WRITER_H
#define MENTORD_WRITER_H

#include <event2/event.h>

struct course_db;
struct group_commit;
struct mentord;
struct writer;

struct writer *writer_new(struct mentord *m, char **cause);
void writer_free(struct writer *w);
void writer_drain(struct writer *w);
/* Size the writer connection's page cache (store.cache_mib, as the
 * loop's), between writer_drain() and the next change submitted. */
int writer_tune(struct writer *w, int cache_mib, char **cause);
struct group_commit *writer_commits(struct writer *w);
/* For apply() only, on the writer thread. */
struct course_db *writer_courses(struct writer *w);

#endif
