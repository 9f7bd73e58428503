/*
 * course-log.h - the append-only timeline of a course.
 *
 * Contract:
 *  - Every transition of a course (discharge, call scheduled or cancelled,
 *    outcome, message, contact, resume, end, close, supersede, flag) appends
 *    one entry with its time, author and kind, and details as a JSON object,
 *    in the same transaction as the transition.
 *  - Entries are never changed or removed; the schema refuses it too. The
 *    one exception is the retention purge (retention.h), which anonymises
 *    the entries of old courses inside its own transaction.
 *  - Details carry ids and codes, not free text such as notes: the note
 *    lives with its call, where the retention purge can erase it. Three
 *    keys can hold text that came from outside: "topic" (an agreed topic,
 *    typed by a mentor), "reason" (an end reason may be typed) and
 *    "notification_id" (the hospital's id); the purge erases them.
 *  - Errors: course_log_new() prepares the statements at start-up and
 *    reports a cause; every other function fills a struct error (error.h).
 */
#ifndef MENTORD_COURSE_LOG_H
#define MENTORD_COURSE_LOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

struct course_log;
struct store;

struct course_log_entry {
	int64_t id;
	time_t at;
	char *author;
	char *author_name; /* the author's display name, or NULL (below) */
	char *kind;
	char *details; /* a JSON object */
};

/*
 * The display name of the author written in column col ("mentor:3", the
 * role and token id of api_job_author): the mentor's name for a mentor's
 * token, the token's own name for another; NULL for "system" or a token
 * that is gone. An SQL expression for a SELECT list, a token lookup by its
 * primary key per row.
 */
#define COURSE_LOG_AUTHOR_NAME(col) \
	"(SELECT coalesce(m.name, t.name) FROM tokens t" \
	" LEFT JOIN mentors m ON m.id = t.mentor_id AND t.role = 'mentor'" \
	" WHERE " col " GLOB '*:[0-9]*'" \
	" AND t.id = CAST(substr(" col ", instr(" col ", ':') + 1) AS INTEGER))"

struct course_log *course_log_new(struct store *store, char **cause);
void course_log_free(struct course_log *log);

/* details NULL is an empty object; details is only read. */
int course_log_append(struct course_log *log, int64_t course_id, time_t at, const char *author,
		      const char *kind, json_t *details, struct error *err);

/* A course's entries, oldest first; free with course_log_entries_free. */
int course_log_list(struct course_log *log, int64_t course_id, struct course_log_entry **out,
		    size_t *count, struct error *err);
/* The entry that holds call_id's outcome as it stands: its "outcome", or
 * the last "outcome_corrected" (*count 0 or 1; author_name NULL). */
int course_log_last_outcome(struct course_log *log, int64_t course_id, int64_t call_id,
			    struct course_log_entry **out, size_t *count, struct error *err);
/* A course's entries of one kind with an id above after, oldest first. */
int course_log_kind_after(struct course_log *log, int64_t course_id, int64_t after,
			  const char *kind, struct course_log_entry **out, size_t *count,
			  struct error *err);
void course_log_entries_free(struct course_log_entry *entries, size_t count);

#endif
