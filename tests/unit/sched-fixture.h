/*
 * sched-fixture.h - a fresh scheduling core on a temporary SQLite file for
 * the course and queue tests.
 *
 * Each test gets its own database under /tmp (mkstemp), opened through
 * store_open so the real migrations run, and removed afterwards with its
 * -wal and -shm files. The process zone is Europe/Copenhagen, as the daemon
 * sets it, and "now" is noon UTC of a date unless a test gives an instant:
 * noon UTC is 13:00 or 14:00 in Copenhagen, the same date all year.
 */
#ifndef MENTORD_SCHED_FIXTURE_H
#define MENTORD_SCHED_FIXTURE_H

#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "course-log.h"
#include "course.h"
#include "mentor.h"
#include "outbox.h"
#include "queue.h"
#include "schedule-rules.h"
#include "store.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Report a failing row and keep going; fx_done() fails the test. */
#define CASE_FAIL(name, ...)                                                   \
	do {                                                                   \
		print_error("  case \"%s\": ", (name));                        \
		print_error(__VA_ARGS__);                                      \
		print_error("\n");                                             \
		failures++;                                                    \
	} while (0)

struct fx {
	char path[64];
	struct store *store;
	struct mentor_db *mentors;
	struct course_log *log;
	struct outbox *outbox;
	struct course_db *courses;
	struct queue *queue;
	struct schedule_rules rules;
	struct course_op op;
	struct error err;
};

int fx_setup(void **state);
int fx_teardown(void **state);
/* Close and reopen everything on a new empty database (table tests). */
void fx_reset(struct fx *fx);

void fx_done(int failures);
cal_day fx_day(const char *text);
const char *fx_fmt(cal_day d, char buf[CAL_DATE_LEN]);
/* "YYYY-MM-DD" is noon UTC of that date; anything else is RFC 3339. */
time_t fx_instant(const char *when);
void fx_on(struct fx *fx, const char *when);

void fx_begin(struct fx *fx);
void fx_commit(struct fx *fx);

/* A mentor working the given ISO weekdays (mask, MENTOR_WEEKDAY bits). */
int64_t fx_mentor(struct fx *fx, const char *name, unsigned days);
/* A discharge notification with consent, discharged at noon UTC of date
 * `discharge` (NULL: not yet); other fields as discharge_init leaves them.
 * Set more fields, then fx_check() it. */
struct discharge fx_notification(const char *notification, const char *name, const char *cpr,
				 const char *phone, const char *discharge);
/* discharge_check() as of fx->op.now; fails the test if refused. */
void fx_check(struct fx *fx, struct discharge *d);
/* A discharge on date `discharge`, received on `on`; fails the test if
 * refused. cpr may be NULL. Returns the course id. */
int64_t fx_discharge(struct fx *fx, const char *notification, const char *name, const char *cpr,
		     const char *phone, const char *discharge, const char *on,
		     struct course_created *created);
/* The course's pending call id, or 0. */
int64_t fx_pending(struct fx *fx, int64_t course_id);
/* Record a bare outcome of the course's pending call on `on`. */
int fx_outcome(struct fx *fx, int64_t course_id, enum call_result result, const char *on,
	       struct course_result *out);

/* Run a query with at most one integer parameter (?1) and return the first
 * column of the first row as an integer, or as text copied into buf. */
int64_t fx_int(struct fx *fx, const char *sql, int64_t arg);
const char *fx_text(struct fx *fx, const char *sql, int64_t arg, char *buf, size_t size);

#endif
