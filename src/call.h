/*
 * call.h - the calls of a course: pending, done (with an outcome) or
 * cancelled.
 *
 * Contract:
 *  - A course has at most one pending contact call (and one pending
 *    follow-up meeting, a call of kind 'meeting'); the schema enforces it with a
 *    partial unique index, so a second call_add() for a course fails
 *    instead of silently doubling the mentor's work.
 *  - An outcome is recorded once: call_record() on a call that is no
 *    longer pending is a conflict.
 *  - These are the building blocks of course.c and hold no savepoint of
 *    their own; each is a single statement, atomic by itself.
 *  - Errors: call_db_new() prepares the statements at start-up and reports
 *    a cause; every other function fills a struct error (error.h).
 */
#ifndef MENTORD_CALL_H
#define MENTORD_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "error.h"
#include "schedule.h"

struct call_db;
struct store;

enum call_state {
	CALL_PENDING,
	CALL_DONE,
	CALL_CANCELLED,
};

enum call_result {
	CALL_REACHED,
	CALL_NO_ANSWER,
	CALL_WRONG_NUMBER,
	CALL_DECLINED,
};

enum call_next {
	CALL_NEXT_CONTINUE, /* the default when "next" is absent */
	CALL_NEXT_END,
};

#define CALL_MAX_DURATION 600 /* minutes; more is a typing error */
#define CALL_MAX_NOTE 10000

/* A goal's progress recorded at a follow-up meeting (course.h). */
struct call_goal_progress {
	int64_t goal_id;
	const char *progress; /* none, some, good, achieved */
	const char *note;     /* NULL: none */
};

/* What the mentor records (POST /v1/calls/{id}/outcome). next applies to
 * a reached call only; the other results decide the next call themselves. */
struct call_outcome {
	enum call_result result;
	int duration_minutes; /* -1: not given */
	const char *const *topics;
	size_t ntopics;
	const char *note; /* NULL: none */
	const int64_t *offers;
	size_t noffers;
	bool send_followup;
	enum call_next next;
	bool next_given;	/* the body said "next", even only to continue */
	cal_day next_date;	/* CAL_NO_DAY: none agreed */
	const char *next_topic; /* NULL: none */
	const char *end_reason; /* required with CALL_NEXT_END */
	/* The mentor is concerned for the citizen's safety (concern.h): only
	 * after a conversation; a reached call that goes on without an
	 * agreed date is then followed up the next working day. */
	bool concern;
	/* A digest of the outcome as sent, kept in its log entry so the same
	 * correction sent again changes nothing; NULL: none. */
	const char *fingerprint;
	/* A follow-up meeting's progress per goal; none for a contact call. */
	const struct call_goal_progress *goals;
	size_t ngoals;
};

struct call {
	int64_t id;
	int64_t course_id;
	enum schedule_reason reason;
	bool first_contact;
	int attempt;
	cal_day due;
	char *agreed_topic;
	enum call_state state;
	bool has_result;
	enum call_result result;
	cal_day call_date; /* CAL_NO_DAY until recorded */
	bool meeting;	   /* a follow-up meeting (kind 'meeting'), not a contact call */
};

/* A call with what its outcome recorded, for the course's own timeline:
 * the mentor reads the note of the last call before the next one. */
struct call_entry {
	struct call call;
	int duration_minutes; /* -1: not given or not recorded */
	char *topics;	      /* JSON array text; NULL: none */
	char *offers;	      /* JSON array text of offer ids; NULL: none */
	char *note;	      /* NULL: none */
};

const char *call_result_name(enum call_result result);
int call_result_parse(const char *name, enum call_result *out);
const char *call_state_name(enum call_state state);
/* One of the topic names of doc/api.md. */
bool call_topic_valid(const char *topic);
/* Check an outcome's fields; ERROR_INVALID names the field. */
int call_outcome_validate(const struct call_outcome *o, struct error *err);

struct call_db *call_db_new(struct store *store, char **cause);
void call_db_free(struct call_db *db);

int call_add(struct call_db *db, int64_t course_id, const struct schedule_call *c,
	     const char *topic, time_t now, int64_t *id, struct error *err);
/* ERROR_NOT_FOUND if there is no such call. */
int call_get(struct call_db *db, int64_t id, struct call **out, struct error *err);
/* The course's pending call, or *out = NULL. */
int call_pending(struct call_db *db, int64_t course_id, struct call **out, struct error *err);
/* Cancel the course's pending call; *id is its id, or 0 if none. */
int call_cancel_pending(struct call_db *db, int64_t course_id, const char *reason, int64_t *id,
			struct error *err);
/* Follow-up meetings (doc/programmes.md) are calls of kind 'meeting': a
 * course has at most one pending beside its pending contact call, which
 * call_pending and call_cancel_pending leave alone. */
int call_meeting(struct call_db *db, int64_t course_id, struct call **out, struct error *err);
int call_add_meeting(struct call_db *db, int64_t course_id, cal_day due, time_t now, int64_t *id,
		     struct error *err);
int call_cancel_meeting(struct call_db *db, int64_t course_id, const char *reason, int64_t *id,
			struct error *err);
/* Store the outcome of a pending call; ERROR_CONFLICT if it is not pending. */
int call_record(struct call_db *db, int64_t id, const struct call_outcome *o, cal_day call_date,
		time_t now, const char *author, struct error *err);
/* Replace the outcome of a done call (a same-day correction, course.h);
 * ERROR_CONFLICT if it has none. Who recorded it, and when, stay. */
int call_correct(struct call_db *db, int64_t id, const struct call_outcome *o, struct error *err);
/* The author who recorded the call's outcome ("mentor:3"), or NULL. */
int call_recorded_by(struct call_db *db, int64_t id, char **author, struct error *err);
void call_free(struct call *c);
/* Every call of a course, oldest first, whatever its state; *out is NULL
 * and *count 0 if it has none. Free with call_entries_free. */
int call_list_by_course(struct call_db *db, int64_t course_id, struct call_entry **out,
			size_t *count, struct error *err);
void call_entries_free(struct call_entry *entries, size_t count);

#endif
