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
 *  - Errors are typed (error.h): ERROR_NOT_FOUND, ERROR_CONFLICT for a
 *    state that does not allow the operation (a second outcome, resuming
 *    after the window), ERROR_INVALID with the request field at fault,
 *    ERROR_STORE when the database fails.
 *  - Ownership: a course_db borrows the mentor_db, course_log and outbox
 *    given to course_db_new; they must outlive it.
 */
#ifndef MENTORD_COURSE_H
#define MENTORD_COURSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "call.h"
#include "discharge.h"
#include "calendar.h"
#include "error.h"
#include "programme.h"
#include "schedule-rules.h"
#include "schedule.h"

struct course_db;
struct course_log;
struct mentor_db;
struct outbox;
struct store;

/* doc/scheduling.md, doc/life-events.md and doc/programmes.md. Open
 * states: active, ended, awaiting_discharge, paused, awaiting_decision;
 * the rest are final. */
enum course_state {
	COURSE_ACTIVE,
	COURSE_ENDED,
	COURSE_CLOSED,
	COURSE_SUPERSEDED,
	COURSE_AWAITING_DISCHARGE, /* referred during the stay: no calls, no messages */
	COURSE_PAUSED,		   /* readmitted: no calls, no messages */
	COURSE_CANCELLED,	   /* entered in error or consent withdrawn */
	COURSE_DECEASED,	   /* no contact ever again */
	COURSE_AWAITING_DECISION,  /* referred by a caseworker: no calls, no messages */
};

#define COURSE_NSTATES 9

/* What happens to a course from outside its calls (doc/life-events.md);
 * life-event.h says what each does in each state. */
enum course_event {
	COURSE_EVENT_ADMITTED,	 /* readmitted to hospital */
	COURSE_EVENT_DISCHARGED, /* discharged (again) */
	COURSE_EVENT_DECEASED,
	COURSE_EVENT_ENTERED_IN_ERROR,	/* the notification should never have been sent */
	COURSE_EVENT_CONSENT_WITHDRAWN, /* the citizen's data goes at once */
	COURSE_EVENT_EXPIRED,		/* waited for a discharge longer than intake.await_days */
};

#define COURSE_NEVENTS 6

/* Messages to queue, as configured; followup is asked for per call. */
#define COURSE_MSG_UNREACHED 0x1u
#define COURSE_MSG_CLOSING 0x2u
#define COURSE_MSG_WELCOME 0x4u /* after intake: who will call, and when */
#define COURSE_MSG_ALL (COURSE_MSG_UNREACHED | COURSE_MSG_CLOSING)

/* Who does what, when, under which rules. rules and programmes are read
 * during the call only, so a reload may replace them between two
 * operations. A course runs under its programme's rules and messages
 * (course_rules); without programmes (NULL), or for a new discharge,
 * under rules and messages. */
struct course_op {
	const struct schedule_rules *rules;
	const struct programme_set *programmes;
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
	bool existing;	       /* the same notification again: nothing changed */
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
	bool anonymised; /* personal data erased (retention, consent withdrawn) */
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
	char *source;		       /* DISCHARGE_SOURCE_* */
	int64_t intake_token_id;       /* the token that sent the notification; 0: unknown */
	cal_day notified_discharge;    /* as last notified; CAL_NO_DAY: not yet */
	int readmissions;	       /* plan restarts after a readmission */
	time_t paused_at;	       /* the admission that paused it; 0 unless paused */
	enum course_state paused_from; /* what discharge returns it to, when paused */
	char *programme;	       /* the programme's id (programme.h) */
	/* A referral (doc/programmes.md): when the need was identified, when
	 * the decision is due, when it was decided (0: not yet), and the
	 * citizen's wishes as JSON text (NULL: none). */
	cal_day need_identified_on;
	cal_day decision_due;
	cal_day at_risk_on; /* from this day it is at risk of missing decision_due */
	time_t decided_at;
	char *wishes;
	time_t state_changed_at;
};

const char *course_state_name(enum course_state state);
/* The programme course c runs under (programme_of), or NULL without
 * programmes; its rules and messages (COURSE_MSG_*), else op's. */
const struct programme *course_programme(const struct course_op *op, const struct course *c);
const struct schedule_rules *course_rules(const struct course_op *op, const struct course *c);
unsigned course_messages(const struct course_op *op, const struct course *c);
/* -1 for a name that is no state. */
int course_state_parse(const char *name);
/* Not final: it may still be changed by life events and corrections. */
bool course_state_open(enum course_state state);

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

/* What a correction did (course_correct_outcome). */
struct course_correction {
	struct course_result result; /* the course's state and next call after it */
	bool unchanged;		     /* the same correction again: nothing done */
	enum call_result previous;   /* the result it replaced */
	bool had_concern;	     /* the outcome it replaced recorded a concern */
	int withdrawn;		     /* messages not sent yet, withdrawn */
	int kept;		     /* messages already sent or on the wire, kept */
};

/* Correct the outcome of call call_id on the day it was recorded: what the
 * outcome in force caused is undone (unsent messages withdrawn, the next
 * call cancelled, an ended course reopened, a wrong-number flag cleared)
 * and o is applied as course_record_outcome would have, except that a
 * kind of message the citizen already got for this call is not sent
 * again. ERROR_CONFLICT: no outcome yet, another day, or the course has
 * moved on (a later outcome, another state). The same correction again
 * (o->fingerprint as logged) changes nothing: out->unchanged. Concerns are
 * the caller's (concern.h). */
int course_correct_outcome(struct course_db *db, const struct course_op *op, int64_t call_id,
			   const struct call_outcome *o, struct course_correction *out,
			   struct error *err);
/* Who recorded the outcome of call_id ("mentor:3"), or NULL; free it. */
int course_call_recorded_by(struct course_db *db, int64_t call_id, char **author,
			    struct error *err);

/* The citizen got in touch: an ended course within its window resumes
 * (agreed date and topic optional); an active one only logs it. */
int course_contact(struct course_db *db, const struct course_op *op, int64_t course_id,
		   cal_day agreed, const char *topic, struct course_result *out, struct error *err);

/* ended -> active, next call the next working day or the agreed date;
 * a conflict after the window's end or for another state. */
int course_resume(struct course_db *db, const struct course_op *op, int64_t course_id,
		  cal_day agreed, const char *topic, struct course_result *out, struct error *err);

/* Before its programme's minimum length (plan.min_months, doc/programmes.md)
 * a course may end as planned only for the citizen's wish or weighty
 * professional reasons: these reasons, and no other; a declined call is
 * the citizen's wish already. */
#define COURSE_EARLY_CITIZEN_WISH "citizen_wish"
#define COURSE_EARLY_PROFESSIONAL "professional_reasons"
bool course_early_reason(const char *reason);

/* active -> ended: the pending call is cancelled, a closing message queued.
 * Before the programme's minimum length reason must pass
 * course_early_reason (ERROR_INVALID on "reason"). */
int course_end(struct course_db *db, const struct course_op *op, int64_t course_id,
	       const char *reason, struct course_result *out, struct error *err);

/* A coordinator gives course_id a mentor, or another one: mentor_id must
 * name an active mentor (ERROR_INVALID on "mentor_id"); a course that is
 * no longer open (course_state_open) is a conflict. The pending call follows the course,
 * so a call task already published today is handed to the new mentor. */
int course_set_mentor(struct course_db *db, const struct course_op *op, int64_t course_id,
		      int64_t mentor_id, struct error *err);
/* As course_set_mentor, re-matching: reason (may be NULL) is logged with
 * the mentor_assigned entry beside previous_mentor_id. */
int course_rematch(struct course_db *db, const struct course_op *op, int64_t course_id,
		   int64_t mentor_id, const char *reason, struct error *err);

/* The daily job: every active or ended course whose window ended before
 * today is closed; so is every referral that waited for its discharge
 * longer than rules->await_days (COURSE_EVENT_EXPIRED), and every paused
 * course whose window has ended and whose admission is that old. *closed
 * counts them all. */
int course_close_expired(struct course_db *db, const struct course_op *op, size_t *closed,
			 struct error *err);
/* The same for at most limit of them, those whose window ended first: the
 * daily job closes them a chunk at a time. A closed course leaves the set,
 * so calling it again goes on where the last call stopped; *closed <
 * limit means none is left. It runs in the caller's transaction with no
 * savepoint of its own: on failure the caller rolls the transaction back. */
int course_close_expired_some(struct course_db *db, const struct course_op *op, size_t limit,
			      size_t *closed, struct error *err);
/* Its SQL, for the query-plan test: 0 the windows ended, 1 the referrals,
 * 2 the paused courses; NULL past the last. */
const char *course_expired_query(size_t i);

/* --- life events, corrections and cancellations (course-life.c) --- */

/* Apply event ev, which happened at `at`, to course id as life-event.h
 * rules: in one savepoint, logged; *changed is false when the rules say
 * it changes nothing (the log still notes it on an open course).
 * ERROR_CONFLICT when the rules refuse it (a closed course cannot be
 * entered in error); ERROR_INVALID on "at" when a discharge would start a
 * window that is not timely. out may be NULL. */
#define COURSE_REASON_LEN 40

/* What an admission, discharge or death did to one course: the course as
 * it was, enough to put it back (course_undo_event), and as the event left
 * it, to see whether anything came after. Ids, codes, dates and times:
 * nothing about the citizen. */
struct course_effect {
	int64_t course_id;
	enum course_event event;
	time_t at;
	enum course_state from;
	char from_reason[COURSE_REASON_LEN]; /* "" when none */
	cal_day from_discharge;		     /* CAL_NO_DAY: none yet */
	cal_day from_window_end;
	time_t from_paused_at; /* 0 unless paused */
	enum course_state from_paused_from;
	int from_readmissions;
	int64_t from_mentor; /* 0: none */
	int64_t from_call;   /* the pending call the event withdrew; 0: none */
	enum course_state to;
	time_t to_changed_at;
	cal_day to_discharge;
};

/* Apply event ev, which happened at `at`, to course id as life-event.h
 * rules: in one savepoint, logged; *changed is false when the rules say
 * it changes nothing (the log still notes it on an open course).
 * ERROR_CONFLICT when the rules refuse it (a closed course cannot be
 * entered in error); ERROR_INVALID on "at" when a discharge would start a
 * window that is not timely. out and effect may be NULL; effect is filled
 * when an admission, discharge or death changed the course. */
int course_apply_event(struct course_db *db, const struct course_op *op, int64_t id,
		       enum course_event ev, time_t at, struct course_result *out, bool *changed,
		       struct course_effect *effect, struct error *err);

/* Undo effect e as life_event_undo() rules, in one savepoint, if the
 * course is still as e left it (its state, the instant it changed, its
 * discharge date, its data not erased): the course returns to its state
 * before, and its log says so ("event_undone", with source and message,
 * plain codes). Otherwise *undone is false and nothing changes: a later
 * event or change came first. A message withdrawn by the event is never
 * queued again. */
int course_undo_event(struct course_db *db, const struct course_op *op,
		      const struct course_effect *e, const char *source, const char *message,
		      bool *undone, struct error *err);

/* The course of a notification id: as sent, or, once its citizen withdrew
 * consent, by the hash that replaced it (so a repeated DELETE still finds
 * it). ERROR_NOT_FOUND if none. */
int course_by_notification(struct course_db *db, const char *notification_id, struct course **out,
			   struct error *err);

/* The open courses of a CPR number (ten digits), oldest first. */
int course_open_of_cpr(struct course_db *db, const char *cpr, int64_t **ids, size_t *count,
		       struct error *err);
/* Whether a course kept says the citizen of this CPR number has died. */
int course_cpr_deceased(struct course_db *db, const char *cpr, bool *deceased, struct error *err);
/* Whether a life event message under the key of SHA-256 hash was
 * remembered (*seen), and if so whether with this content (*same; a key
 * kept without its content's hash counts as the same). */
int course_event_seen(struct course_db *db, const unsigned char hash[32],
		      const unsigned char content[32], bool *seen, bool *same, struct error *err);
/* Remember a life event message not seen before, by the SHA-256 of its
 * key and of its content. Inside the caller's transaction. */
int course_remember_event(struct course_db *db, const unsigned char hash[32],
			  const unsigned char content[32], time_t now, struct error *err);

#define COURSE_FIELDS_MAX 9

/* What a correction changed. */
struct course_corrected {
	int64_t course_id;
	bool changed;			       /* false: the same notification again */
	const char *fields[COURSE_FIELDS_MAX]; /* neutral ids (discharge.h), "wishes" */
	size_t nfields;
	struct course_result result;
};

/* PUT /v1/discharges/{notification_id}: d (checked) replaces the
 * notification of its id. ERROR_NOT_FOUND without one; ERROR_CONFLICT
 * when its course is no longer open, or when the discharge date would
 * move on a course whose plan restarted after a readmission; ERROR_INVALID
 * on "discharged_at" when the new date is not timely or is taken back.
 * Contact details update the course; a new discharge date replans it
 * (doc/life-events.md). The same content again changes nothing. */
int course_correct(struct course_db *db, const struct course_op *op, const struct discharge *d,
		   struct course_corrected *out, struct error *err);

/* --- referrals of a caseworker (course-referral.c, doc/programmes.md) --- */

#define COURSE_SOURCE_REFERRAL "referral"

/* A referral to programme p (intake "referral"): d (checked; its
 * notification id made by the caller) is stored in state
 * awaiting_decision, no window, no calls, no messages; the decision is due
 * p->decision_days after need (ERROR_INVALID on "need_identified_on" if
 * after today), at risk from p->at_risk_days before that. wishes is JSON
 * text or NULL. ERROR_CONFLICT on "citizen" when the citizen already has
 * an open course of p, or has died. */
int course_refer(struct course_db *db, const struct course_op *op, const struct programme *p,
		 const struct discharge *d, cal_day need, const char *wishes,
		 struct course_created *out, struct error *err);

/* The caseworker's decision on referral id (ERROR_CONFLICT unless it is
 * awaiting_decision). start: the course starts on start_on (CAL_NO_DAY:
 * today; ERROR_INVALID on "start_on" before today or more than 90 days
 * ahead) with mentor_id (0: the least-loaded mentor available on the first
 * call's day; else ERROR_INVALID on "mentor_id" unless active), its window
 * and plan the programme's, first contact and welcome as any course.
 * Otherwise it is rejected: closed, reason "rejected" (reason, may be
 * NULL, logged). out as course_create's. */
int course_decide(struct course_db *db, const struct course_op *op, int64_t id, bool start,
		  int64_t mentor_id, cal_day start_on, const char *reason,
		  struct course_created *out, struct error *err);
/* As course_decide; match (taken, may be NULL) is logged with the
 * decision: how the mentor was chosen and why (doc/programmes.md). A
 * start with goals[ngoals] (ngoals 0: none) agrees them in the same
 * transaction, on course_add_goals's rules, so the first follow-up
 * meeting is scheduled with the first contact. */
int course_decide_matched(struct course_db *db, const struct course_op *op, int64_t id, bool start,
			  int64_t mentor_id, cal_day start_on, const char *reason, json_t *match,
			  const char *const *goals, size_t ngoals, struct course_created *out,
			  struct error *err);

/* The referrals awaiting a decision, of programme (NULL: any), at risk on
 * at_risk_by (CAL_NO_DAY: all), sent by token referred_by (0: any), with
 * an id above after, at most limit; free with course_list_free. */
int course_referrals(struct course_db *db, const char *programme, cal_day at_risk_by,
		     int64_t referred_by, int64_t after, size_t limit, struct course **out,
		     size_t *count, struct error *err);

/* --- the closing checklist (course-closing.c, doc/programmes.md) --- */

/* The reason of a course the daily job found past its window with its
 * closing checklist incomplete: ended, not closed, until it is ticked. */
#define COURSE_AWAITING_CHECKLIST "awaiting_checklist"

/* Tick (or untick) closing item item of course course_id while it is
 * active or ended (else ERROR_CONFLICT); ERROR_NOT_FOUND on "item" if its
 * programme has no such item. Logged when it changes something; the last
 * tick of a course awaiting its checklist closes it. */
int course_tick(struct course_db *db, const struct course_op *op, int64_t course_id,
		const char *item, bool tick, struct error *err);
/* {items: [{id, label, ticked, ticked_by?, ticked_at?}], complete,
 * awaiting_checklist} of c; *out is the caller's. */
int course_checklist_json(struct course_db *db, const struct course_op *op, const struct course *c,
			  json_t **out, struct error *err);

/* --- goals and follow-up meetings (course-goals.c, doc/programmes.md) --- */

#define COURSE_MAX_GOALS 10
#define COURSE_MAX_GOAL_TEXT 500

/* A goal's progress at a meeting: none, some, good or achieved. */
bool course_progress_valid(const char *progress);
/* Goals agreed for course course_id (active, or awaiting its decision;
 * else ERROR_CONFLICT): 1 to COURSE_MAX_GOALS texts of 1 to
 * COURSE_MAX_GOAL_TEXT bytes (ERROR_INVALID on "goals" or
 * "goals[i].text"); their ids into ids[n]. Logged "goals_agreed". */
int course_add_goals(struct course_db *db, const struct course_op *op, int64_t course_id,
		     const char *const *texts, size_t n, int64_t *ids, struct error *err);
/* The goals of a course, oldest first, each with its latest progress
 * ({id, text, agreed_at, author, latest: {progress, note?, call_id, date}
 * or null}); *out is the caller's. */
int course_goals_json(struct course_db *db, int64_t course_id, json_t **out, struct error *err);
/* The course's pending follow-up meeting: *id 0 and *due CAL_NO_DAY if none. */
int course_next_meeting(struct course_db *db, int64_t course_id, int64_t *id, cal_day *due,
			struct error *err);

int course_get(struct course_db *db, int64_t id, struct course **out, struct error *err);
void course_free(struct course *c);
/* Which courses course_list returns: in a state (NULL: any), of a
 * programme (NULL: any), of a mentor (0: any), with an id above after (0:
 * from the first), at most limit. */
struct course_filter {
	const char *state;
	const char *programme; /* NULL: any */
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
int course_get_call(struct course_db *db, int64_t call_id, struct call **out, struct error *err);
/* Every call of the course, oldest first (call_list_by_course). Free
 * with call_entries_free. */
int course_list_calls(struct course_db *db, int64_t course_id, struct call_entry **out,
		      size_t *count, struct error *err);
/* Only the course's state, for a caller that needs nothing else of it
 * (the outbox sender, once per row it sends); ERROR_NOT_FOUND if there
 * is no such course. */
int course_state_of(struct course_db *db, int64_t id, enum course_state *state, struct error *err);
/* The day a message sent now may promise for course c's next call
 * (doc/gateway.md): its pending call's due date, or for an overdue one the
 * first working day from today (never a day gone by); CAL_NO_DAY when c
 * is not active, has no pending call or no working day left in its
 * window. */
int course_promised_call(struct course_db *db, const struct course_op *op, const struct course *c,
			 cal_day *day, struct error *err);
/* The course's state and pending call, as the operations report them. */
int course_status(struct course_db *db, int64_t id, struct course_result *out, struct error *err);

#endif
