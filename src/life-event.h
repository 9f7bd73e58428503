/*
 * life-event.h - what corrections of fate do to a course: readmission,
 * discharge, death, a notification entered in error, consent withdrawn,
 * a referral that waited too long (doc/life-events.md).
 *
 * Contract:
 *  - life_event_transition() is the whole state machine, a pure function
 *    of the course's state, the event and facts about the course: for
 *    each state and event it says whether the event applies, is
 *    acknowledged without effect, or is refused (409), the state it leads
 *    to, and its effects (LIFE_*). course_apply_event() (course.h) carries
 *    the effects out on one course, in one savepoint.
 *  - Nothing after deceased or cancelled ever calls or writes to the
 *    citizen: their pending call is cancelled (and its call task cancelled
 *    at the gateway if the gateway may have it) and every message not yet
 *    sent is withdrawn. Neither gets a closing message.
 *  - life_event_apply() is the entry for a life event about a citizen,
 *    from any format (the JSON API's POST /v1/citizens/events, a MedCom
 *    HospitalNotification adapter): it acts on every open course of the
 *    CPR number, oldest first, inside the caller's transaction (the group
 *    commit's, for a request), so the event is all or nothing.
 *      - Idempotent on (source, key): a message seen before changes
 *        nothing and reports repeated; another message (event, CPR
 *        number or instant) under a key seen before is ERROR_CONFLICT on
 *        "key" and changes nothing. Only SHA-256 hashes of source and key,
 *        and of them with the content, are stored (life_event_keys),
 *        never the message.
 *      - A CPR number without an open course: acknowledged, and nothing
 *        at all is stored (data minimisation), so the same message sent
 *        again later acts on the courses open then; unless a course kept
 *        says the citizen has died, when an admission or discharge is a
 *        conflict (ERROR_CONFLICT on "cpr"): it contradicts the death.
 *      - Errors name neutral fields: "cpr", "at", "key".
 */
#ifndef MENTORD_LIFE_EVENT_H
#define MENTORD_LIFE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "course.h"
#include "error.h"

enum life_verdict {
	LIFE_APPLY,  /* it happens */
	LIFE_IGNORE, /* acknowledged; the course stays as it is */
	LIFE_REFUSE, /* a conflict: the state does not allow it */
};

/* Effects, in the order course_apply_event carries them out. */
#define LIFE_WITHDRAW_CALL 0x01u /* the pending call is cancelled */
#define LIFE_CANCEL_TASK 0x02u	 /* and a call task of it the gateway may have is cancelled there */
#define LIFE_WITHDRAW_MESSAGES 0x04u /* every message not yet sent is withdrawn */
#define LIFE_NEW_WINDOW 0x08u	     /* the window starts again from the discharge */
#define LIFE_FIRST_CONTACT 0x10u     /* mentor, first contact, welcome: the plan starts */
#define LIFE_ERASE 0x20u	     /* name, phone, CPR and notes erased at once */
/* Effects of undoing an event (life_event_undo) only. */
#define LIFE_RESTORE_WINDOW 0x40u    /* window, readmissions and mentor as before the event */
#define LIFE_RESTORE_CALL 0x80u	     /* the call the event withdrew is planned again */
#define LIFE_WITHDRAW_WELCOME 0x100u /* the welcome of the plan it started is withdrawn */

struct life_facts {
	/* The discharge is on a later date than the one the window counts
	 * from: a stay the course did not hear of. */
	bool later_discharge;
	/* The course's personal data is already erased. */
	bool erased;
	/* For a paused course: the state a discharge returns it to. */
	enum course_state paused_from;
	/* The event happened before what the course already knows: on a
	 * date before the discharge its window counts from, or (a paused
	 * course) before the admission that paused it. Such a message is
	 * stale (sent late, or dated wrongly) and changes nothing. */
	bool before_discharge;
	bool before_admission;
};

struct life_transition {
	enum life_verdict verdict;
	enum course_state to;
	unsigned effects;   /* LIFE_* */
	const char *reason; /* the state reason, a code (retention keeps it) */
	/* LIFE_IGNORE of a stale event: why, a code for the course log
	 * ("before_discharge", "before_admission"); else NULL. */
	const char *stale;
};

const char *life_event_name(enum course_event ev);
/* -1 for a name that is no event. */
int life_event_parse(const char *name);

void life_event_transition(enum course_state from, enum course_event ev,
			   const struct life_facts *facts, struct life_transition *out);

/* Undoing an admission, discharge or death that took a course from
 * `before` to `after` (a hospital cancelled or revised the message that
 * said so): LIFE_APPLY with the state to return to and the effects
 * (LIFE_*), or LIFE_REFUSE when the course is no longer as the event left
 * it (`now` is not `after`, or `untouched` is false: a later event or
 * change came first, and wins). A death undone never plans a call nor
 * sends a message by itself: an active course comes back ended
 * ("death_withdrawn") for a coordinator to resume (doc/life-events.md). */
void life_event_undo(enum course_event ev, enum course_state before, enum course_state after,
		     enum course_state now, bool untouched, struct life_transition *out);

/* A life event about a citizen, as an intake adapter read it. */
struct life_event {
	enum course_event kind; /* admitted, discharged or deceased */
	const char *cpr;	/* ten digits */
	time_t at;
	const char *key;    /* the message's idempotency key, unique in its source */
	const char *source; /* "api", "medcom", ... */
	/* Courses to leave alone (a revision whose earlier effect on them
	 * could not be undone); NULL: none. */
	const int64_t *skip;
	size_t nskip;
};

#define LIFE_EVENT_IDS 8

struct life_event_result {
	bool repeated;		     /* the message was seen before: nothing done */
	size_t courses;		     /* open courses of the CPR number */
	size_t changed;		     /* of them, those the event changed */
	int64_t ids[LIFE_EVENT_IDS]; /* the first of those courses (for the audit) */
	size_t nids;
	/* What the event did to each course it changed (changed of them),
	 * to undo it later; free with life_event_result_free. */
	struct course_effect *effects;
};

int life_event_apply(struct course_db *db, const struct course_op *op, const struct life_event *ev,
		     struct life_event_result *out, struct error *err);
void life_event_result_free(struct life_event_result *r);

#endif
