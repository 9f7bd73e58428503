/*
 * course.h - a citizen's course from discharge to close: its life cycle and
 * the calls it schedules (doc/scheduling.md).
 *
 * Contract:
 *  - Every operation that changes something runs inside a savepoint: it
 *    is all or nothing on its own, and it never commits. The caller opens
 *    the transaction (store_begin) and commits it (store_commit), so the
 *    HTTP layer may group several requests into one commit; without an open
 *    transaction an operation fails with ERROR_STORE and changes nothing.
 *  - Each transition appends a course log entry, and the messages it causes
 *    (unreached, closing, followup) are written to the outbox, in the same
 *    savepoint.
 *  - "today" is the local date of op->now (cal_day_of_instant), so the
 *    process time zone must be the configured one (clock_use_timezone).
 *  - Errors are typed (sched.h): ERROR_NOT_FOUND, ERROR_CONFLICT for a
 *    state that does not allow the operation (a second outcome, resuming
 *    after the window), ERROR_INVALID with the request field at fault,
 *    ERROR_STORE when the database fails.
 *  - Ownership: a course_db borrows the mentor_db, course_log and outbox
 *    given to course_db_new; they must outlive it.
 */
#ifndef MENTORD_COURSE_H
#define MENTORD_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "call.h"
#include "discharge.h"
#include "calendar.h"
#include "error.h"
#include "schedule-rules.h"
#include "schedule.h"

struct course_db;
struct course_log;
struct mentor_db;
struct outbox;
struct store;

enum course_state {
	COURSE_ACTIVE,
	COURSE_ENDED,
	COURSE_CLOSED,
	COURSE_SUPERSEDED,
};

/* Messages to queue, as configured; followup is asked for per call. */
#define COURSE_MSG_UNREACHED 0x1u
#define COURSE_MSG_CLOSING 0x2u
#define COURSE_MSG_WELCOME 0x4u /* after intake: who will call, and when */
#define COURSE_MSG_ALL (COURSE_MSG_UNREACHED | COURSE_MSG_CLOSING)

/* Who does what, when, under which rules. rules is read during the call
 * only, so a reload may replace it between two operations. */
struct course_op {
	const struct schedule_rules *rules;
	time_t now;
	const char *author; /* for the log: "mentor:3", "system", ... */
	unsigned messages;  /* COURSE_MSG_* */
};

#define COURSE_TIME_LEN 6 /* "HH:MM" + NUL */

struct course_created {
	int64_t course_id;
	int64_t mentor_id; /* 0: no active mentor, a coordinator must assign */
	cal_day window_end;
	int64_t first_call_id; /* 0: no call fits the window */
	cal_day first_call_due;
	int64_t superseded_id; /* the open course it replaced, or 0 */
	bool existing; /* the same notification again: nothing changed */
};

/* A course's state and next call after an operation. */
struct course_result {
	int64_t course_id;
	enum course_state state;
	int64_t next_call_id; /* 0: none pending */
	cal_day next_call_due;
	enum schedule_reason next_reason;
	int next_attempt;
	bool resumed;
	bool flagged;
	bool unreached; /* the contact was given up */
};

struct course {
	int64_t id;
	char *notification_id;
	enum course_state state;
	char *state_reason;
	char *name;
	char *cpr;
	char *phone;
	char preferred_from[COURSE_TIME_LEN]; /* "" when none */
	char preferred_to[COURSE_TIME_LEN];
	char *unit;
	struct schedule_window window;
	int64_t mentor_id;
	cal_day consent_given_at;
	char *flag;
	int64_t superseded_by;
	time_t created_at;
};

const char *course_state_name(enum course_state state);

struct course_db *course_db_new(struct store *store, struct mentor_db *mentors,
				struct course_log *log, struct outbox *outbox, char **cause);
void course_db_free(struct course_db *db);

/* Called inside the operation's savepoint after every call it schedules,
 * so work that follows from a new call (a call task for today's queue,
 * publish.h) commits or rolls back with it. -1 fails the operation. */
typedef int (*course_schedule_hook)(void *arg, const struct course_op *op, int64_t course_id,
				    int64_t call_id, cal_day due, struct error *err);
void course_db_set_schedule_hook(struct course_db *db, course_schedule_hook hook, void *arg);

/* A new course from a discharge that passed discharge_check() (else
 * ERROR_INVALID): supersedes the citizen's open course,
 * takes the least-loaded mentor, schedules the first contact. The same
 * notification_id with the same content gives the existing course back
 * (existing = true) whatever today's date; with other content it is a
 * conflict. Only a new notification must be timely: ERROR_INVALID on
 * "discharged_at" if it is more than a day in the future or its window
 * has ended. */
int course_create(struct course_db *db, const struct course_op *op, const struct discharge *d,
		  struct course_created *out, struct error *err);

/* Record the outcome of pending call call_id and schedule what follows. */
int course_record_outcome(struct course_db *db, const struct course_op *op, int64_t call_id,
			  const struct call_outcome *o, struct course_result *out,
			  struct error *err);

/* The citizen got in touch: an ended course within its window resumes
 * (agreed date and topic optional); an active one only logs it. */
int course_contact(struct course_db *db, const struct course_op *op, int64_t course_id,
		   cal_day agreed, const char *topic, struct course_result *out,
		   struct error *err);

/* ended -> active, next call the next working day or the agreed date;
 * a conflict after the window's end or for another state. */
int course_resume(struct course_db *db, const struct course_op *op, int64_t course_id,
		  cal_day agreed, const char *topic, struct course_result *out,
		  struct error *err);

/* active -> ended: the pending call is cancelled, a closing message queued. */
int course_end(struct course_db *db, const struct course_op *op, int64_t course_id,
	       const char *reason, struct course_result *out, struct error *err);

/* A coordinator gives course_id a mentor, or another one: mentor_id must
 * name an active mentor (ERROR_INVALID on "mentor_id"); a closed or
 * superseded course is a conflict. The pending call follows the course,
 * so a call task already published today is handed to the new mentor. */
int course_set_mentor(struct course_db *db, const struct course_op *op, int64_t course_id,
		      int64_t mentor_id, struct error *err);

/* The daily job: every active or ended course whose window ended before
 * today is closed; *closed counts them. */
int course_close_expired(struct course_db *db, const struct course_op *op, size_t *closed,
			 struct error *err);

int course_get(struct course_db *db, int64_t id, struct course **out, struct error *err);
void course_free(struct course *c);
/* Which courses course_list returns: in a state (NULL: any), of a mentor
 * (0: any), with an id above after (0: from the first), at most limit. */
struct course_filter {
	const char *state;
	int64_t mentor_id;
	int64_t after;
	size_t limit;
};

/* The courses f selects, by id; free with course_list_free. An unknown
 * state name is ERROR_INVALID on "state". Paging by "id > after" rather
 * than an offset keeps every page exact while courses are being added. */
int course_list(struct course_db *db, const struct course_filter *f, struct course **out,
		size_t *count, struct error *err);
void course_list_free(struct course *list, size_t count);
/* A call by id, whatever its state (e.g. to check who may record its
 * outcome); ERROR_NOT_FOUND if there is none. Free with call_free. */
int course_get_call(struct course_db *db, int64_t call_id, struct call **out,
		    struct error *err);
/* Every call of the course, oldest first (call_list_by_course). Free
 * with call_entries_free. */
int course_list_calls(struct course_db *db, int64_t course_id, struct call_entry **out,
		      size_t *count, struct error *err);
/* The course's state and pending call, as the operations report them. */
int course_status(struct course_db *db, int64_t id, struct course_result *out,
		  struct error *err);

#endif
