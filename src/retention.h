/*
 * retention.h - erasing the personal data of old courses: personal data of
 * closed courses is erased or anonymised after retention.days; statistics
 * survive (doc/operations.md).
 *
 * Contract:
 *  - A course is due when it is closed, superseded, cancelled or deceased,
 *    not yet anonymised,
 *    and its state changed on a local date more than `days` days before the
 *    local date of now: with days = 365, a course closed on 2025-03-01 is
 *    due from 2026-03-02.
 *  - Anonymising a course erases: the citizen's name and phone (replaced by
 *    "anonymised", the columns may not be empty), CPR, unit, preferred call
 *    time, the notification id (replaced by a random one: it leads back to
 *    the hospital's record), a free-text state reason; its calls' notes and
 *    agreed topics; free text in its course log entries (agreed topics,
 *    free-text reasons, the notification id); and the payloads of its outbox
 *    rows (a row still pending is dead-lettered: its recipient is gone).
 *  - What the reports count stays: dates, states, coded reasons, mentors,
 *    calls with their results, attempts, durations, topic codes and offers,
 *    log kinds and times, outbox kinds and states.
 *  - The course log is append-only by trigger; the purge drops the
 *    update trigger (course_log_no_update) and recreates it identically
 *    inside the caller's transaction, so no other connection ever sees
 *    the log writable. Nothing is deleted from the log.
 *  - The erased names and phones leave the search index (course-search.h)
 *    in the same transaction (store_search_catch_up).
 *  - The course is marked (courses.anonymised_at), so it is never processed
 *    again: a second purge on the same day changes nothing. Each purge that
 *    is not a dry run appends a retention_runs row (for mentorctl status).
 *  - retention_purge() and retention_purge_chunk() run on the caller's
 *    open transaction and fail without one; they commit nothing. dry_run
 *    only counts.
 *  - "Local date" is the process time zone (clock_use_timezone).
 *  - Failures fill a struct error (error.h).
 */
#ifndef MENTORD_RETENTION_H
#define MENTORD_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "error.h"

struct store;

/* Reasons written by mentord's own code (not typed by a person), which
 * anonymised records and exports may keep; any other reason is free
 * text. As an SQL list, for "reason IN (...)". */
#define RETENTION_REASON_CODES \
	"'declined', 'window_end', 'superseded', 'ended', 'closed', 'no active mentor'," \
	" 'entered_in_error', 'consent_withdrawn', 'deceased', 'admitted', 'discharged'," \
	" 'corrected', 'referral_expired', 'readmission_expired', 'rescheduled'"

/* What replaces erased text. */
#define RETENTION_ERASED "erased"
#define RETENTION_ANONYMISED "anonymised"

struct retention_result {
	cal_day before; /* courses whose state changed before this date */
	size_t courses; /* anonymised now (dry run: that would be) */
};

/* The whole purge on the caller's transaction: every due course, then the
 * retention_runs row (dry_run: only counts). */
int retention_purge(struct store *store, time_t now, int days, const char *author, bool dry_run,
		    struct retention_result *out, struct error *err);

/* One chunk of the purge on the caller's transaction, for a purge that
 * commits as it goes (the daily job, mentorctl purge): at most limit due
 * courses, those whose state changed first, and no more once deadline
 * (CLOCK_MONOTONIC, clock.h; NULL: none) has passed and one is done.
 * out->courses grows by the courses anonymised; *finished is true once no
 * due course is left. An anonymised course is no longer due, so a chunk
 * committed is done and the next one, in this process or after a restart,
 * goes on from there. Nothing is recorded: the caller appends the run
 * with retention_record_run() when *finished. */
int retention_purge_chunk(struct store *store, time_t now, int days, size_t limit,
			  const struct timespec *deadline, struct retention_result *out,
			  bool *finished, struct error *err);
/* How many courses are due (out->courses) and the cutoff (out->before). */
int retention_count_due(struct store *store, time_t now, int days, struct retention_result *out,
			struct error *err);
/* The SQL of a chunk, for the query-plan test: 0 finds the courses, then
 * each step; NULL past the last. */
const char *retention_query(size_t i);
int retention_record_run(struct store *store, time_t now, int days, const char *author,
			 const struct retention_result *r, struct error *err);
/* Erase the personal data of one course at once, whatever its state, as
 * the purge would (its citizen withdrew consent, doc/life-events.md), on
 * the caller's open transaction; the course is marked anonymised. No
 * retention_runs row: it is not a purge. */
int retention_erase_course(struct store *store, int64_t course_id, time_t now, struct error *err);

/* The last purge recorded, *found = false if none ever ran. */
struct retention_run {
	time_t ran_at;
	cal_day before;
	int64_t courses;
	char author[64];
};

int retention_last_run(struct store *store, struct retention_run *run, bool *found,
		       struct error *err);

#endif
