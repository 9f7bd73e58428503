/*
 * course-internal.h - what course.c and course-ops.c share; not for other
 * modules, which use course.h.
 *
 * Every step below logs what it did, and none opens a savepoint: the
 * operations in course-ops.c hold one around all their steps.
 */
#ifndef MENTORD_COURSE_INTERNAL_H
#define MENTORD_COURSE_INTERNAL_H

#include <jansson.h>

#include "course.h"
#include "sql.h"

struct course_db {
	sqlite3 *db;
	struct store *store;
	struct sql_savepoint tx;
	struct call_db *calls;		  /* owned */
	struct mentor_db *mentors;	  /* borrowed */
	struct course_log *log;		  /* borrowed */
	struct outbox *outbox;		  /* borrowed */
	course_schedule_hook on_schedule; /* NULL: none */
	void *on_schedule_arg;
	sqlite3_stmt *insert;
	sqlite3_stmt *get;
	sqlite3_stmt *state_of;
	sqlite3_stmt *by_notification;
	sqlite3_stmt *open_of_citizen;
	sqlite3_stmt *set_state;
	sqlite3_stmt *set_superseded;
	sqlite3_stmt *set_mentor;
	sqlite3_stmt *set_flag;
	sqlite3_stmt *expired;
	sqlite3_stmt *superseded_of;
	sqlite3_stmt *withdrawn_related;
	sqlite3_stmt *list[4]; /* by filter: 1 state, 2 mentor, 3 both */
	sqlite3_stmt *open_of_cpr;
	sqlite3_stmt *deceased_cpr;
	sqlite3_stmt *awaiting_expired;
	sqlite3_stmt *paused_expired;
	sqlite3_stmt *event_key;
	sqlite3_stmt *event_seen;
	sqlite3_stmt *correct;
	sqlite3_stmt *set_window;
	sqlite3_stmt *set_notification;
	sqlite3_stmt *restore;
	sqlite3_stmt *last_done;
	sqlite3_stmt *set_decided;
	sqlite3_stmt *referrals;
	/* course-goals.c */
	sqlite3_stmt *goal_add;
	sqlite3_stmt *goal_list;
	sqlite3_stmt *goal_in_course;
	sqlite3_stmt *has_goals;
	/* course-closing.c */
	sqlite3_stmt *tick;
	sqlite3_stmt *untick;
	sqlite3_stmt *ticked;
	sqlite3_stmt *progress_add;
};

cal_day course_today(const struct course_op *op);
/* A row of COURSE_COLUMNS into c. */
void course_read_row(sqlite3_stmt *s, struct course *c);
/* The id of the programme that takes discharges (PROGRAMME_DEFAULT_ID
 * without programmes). */
const char *course_discharge_programme(const struct course_op *op);

/* What a caseworker's referral adds to the citizen's details (d). */
struct course_referral {
	const char *programme;
	cal_day need_identified_on;
	cal_day decision_due;
	cal_day at_risk_on;
	const char *wishes; /* JSON text, or NULL */
};

/* mentor_id names an active mentor, else ERROR_INVALID on "mentor_id". */
int course_check_mentor(struct course_db *db, int64_t mentor_id, struct error *err);

/* Store a new course from d (checked) and log its intake: a discharge
 * (r NULL; active, or awaiting_discharge when w has no start) or a
 * referral awaiting its decision. */
int course_insert(struct course_db *db, const struct course_op *op, const struct discharge *d,
		  const char *fingerprint, const struct schedule_window *w, int64_t mentor,
		  const struct course_referral *r, int64_t *id, struct error *err);
json_t *course_day_json(cal_day day);
/* {"discharge_date", "window_end"} of c, for the entry that moved them. */
json_t *course_window_json(const struct course *c);
int course_select_ids(struct course_db *db, sqlite3_stmt *s, int64_t **ids, size_t *count,
		      struct error *err);

/* details is stolen. */
int course_log_add(struct course_db *db, const struct course_op *op, int64_t course_id,
		   const char *kind, json_t *details, struct error *err);
/* extra (stolen, may be NULL) is the message's own part of the payload. */
int course_message(struct course_db *db, const struct course_op *op, const struct course *c,
		   const char *type, json_t *extra, struct error *err);
int course_schedule(struct course_db *db, const struct course_op *op, int64_t course_id,
		    const struct schedule_call *sc, const char *topic, int64_t *id,
		    struct error *err);
int course_cancel_call(struct course_db *db, const struct course_op *op, int64_t course_id,
		       const char *why, struct error *err);
/* Withdraw the call's tasks not sent yet (outbox.h) and, if there were
 * any, log "call_task_withdrawn" with the call and why ("outcome",
 * "call_cancelled", "mentor_changed", "corrected"): the timeline tells
 * that a task the mentor may have expected will not come. */
int course_withdraw_tasks(struct course_db *db, const struct course_op *op, int64_t course_id,
			  int64_t call_id, const char *why, struct error *err);
/* The call's tasks not sent yet are withdrawn (*withdrawn of them), and
 * if the gateway may already have one (sent, on the wire, or tried) its
 * cancellation is queued, reason why (*published). The cancel's key is
 * once per call (doc/life-events.md), so a call cancelled at the gateway
 * must never be published again: one that goes on is replaced by a new
 * call (course_reissue_call). */
int course_recall_tasks(struct course_db *db, const struct course_op *op, int64_t course_id,
			int64_t call_id, const char *why, bool *published, int *withdrawn,
			struct error *err);
/* Pending call or meeting k stays, but its published task is wrong (it
 * names another mentor, or an old phone number). A task of it the gateway
 * may have is cancelled there (why) and k replaced by the same call under
 * a new id, so the new task is a task of its own (doc/gateway.md) that the
 * cancel, once per call, can still reach later; both logged. A task not
 * sent yet is withdrawn (logged with withdrawn_why). Either way the
 * schedule hook publishes the call again, to whom it routes to now, if
 * today's queue is out and it is due. */
int course_reissue_call(struct course_db *db, const struct course_op *op, const struct call *k,
			const char *why, const char *withdrawn_why, struct error *err);
/* Call (or meeting) id of course_id, just cancelled for why (0: none):
 * its tasks recalled (course_recall_tasks) and the cancellation logged,
 * with whether the gateway is told. */
int course_recall_cancelled(struct course_db *db, const struct course_op *op, int64_t course_id,
			    int64_t id, bool meeting, const char *why, struct error *err);
/* As course_cancel_call, and a call task of it the gateway may already
 * have (sent, on the wire, or tried) is cancelled there too
 * (doc/gateway.md): for life events, after which nobody may call. */
int course_recall_call(struct course_db *db, const struct course_op *op, int64_t course_id,
		       const char *why, struct error *err);
/* Every message of the course not sent yet is withdrawn, and logged. */
int course_withdraw_messages(struct course_db *db, const struct course_op *op, int64_t course_id,
			     const char *why, struct error *err);
/* The mentor of a new course, or of one whose plan starts again: previous
 * while active (continuity), else the least-loaded active mentor who
 * works and is not absent on first_day (CAL_NO_DAY: no call; any active
 * mentor); 0 when there is none. */
int course_pick_mentor(struct course_db *db, int64_t previous, cal_day first_day, int64_t *mentor,
		       struct error *err);
/* Store and log the mentor of course id (0: none). */
int course_give_mentor(struct course_db *db, const struct course_op *op, int64_t id, int64_t mentor,
		       struct error *err);
/* c's window starts at discharge (the discharge date is stored before
 * the course may be active); restart counts a readmission. Not logged:
 * the entry of what moved it says so (course_window_json). */
int course_set_window(struct course_db *db, const struct course_op *op, struct course *c,
		      cal_day discharge, bool restart, struct error *err);
/* The first contact of c's window (c active): with pick, its mentor
 * first (continuity, else one at work that day; stored and logged), then
 * the call and the welcome message. */
int course_first_contact(struct course_db *db, const struct course_op *op, struct course *c,
			 bool pick, struct course_created *out, struct error *err);
/* The body of a notification's first reply, for its repetition
 * (course-replay.c): out's mentor, window and first call as the intake
 * gave them, or as the last correction of the date made them. */
int course_replay_reply(struct course_db *db, const struct course *c, struct course_created *out,
			struct error *err);
/* The daily job's part for courses waiting for a discharge (course-life.c):
 * at most limit (< 0: all) referrals waiting longer than
 * rules->await_days, then paused courses as long after their admission
 * and past their window, closed; *closed grows by how many. Each leaves
 * the set, so the next call goes on where this one stopped. */
int course_expire_waiting(struct course_db *db, const struct course_op *op, long long limit,
			  size_t *closed, struct error *err);
/* Not more than a day ahead (to the second when at is known), its window
 * not ended: else ERROR_INVALID on field. */
int course_check_timely(const struct course_op *op, cal_day day, time_t at, const char *field,
			struct error *err);
int course_set_state(struct course_db *db, const struct course_op *op, struct course *c,
		     enum course_state state, const char *reason, const char *kind,
		     struct error *err);
/* As course_set_state, with more details (stolen, may be NULL) in its
 * log entry. */
int course_set_state_with(struct course_db *db, const struct course_op *op, struct course *c,
			  enum course_state state, const char *reason, const char *kind,
			  json_t *extra, struct error *err);
int course_finish(struct course_db *db, const struct course_op *op, struct course *c,
		  enum course_state state, const char *reason, bool closing, struct error *err);
/* As course_finish, with more details (stolen, may be NULL) in the log
 * entry of the end. */
int course_finish_with(struct course_db *db, const struct course_op *op, struct course *c,
		       enum course_state state, const char *reason, bool closing, json_t *extra,
		       struct error *err);
/* A planned end of c (the mentor's, or an outcome's "next": "end") with
 * reason, asked for in the request's field: before its programme's
 * minimum length (schedule_min_end) the reason must be one of
 * COURSE_EARLY_REASONS, else ERROR_INVALID on field and nothing changes.
 * The log entry names the minimum end it came before. */
int course_end_planned(struct course_db *db, const struct course_op *op, struct course *c,
		       const char *reason, const char *field, struct error *err);
int course_flag(struct course_db *db, const struct course_op *op, struct course *c,
		const char *flag, struct error *err);

/* Shared by the outcome and its correction (course-correct.c). */
/* The log details of an outcome: ids and codes, never the note. */
json_t *course_outcome_details(const struct call *call, const struct call_outcome *o);
/* Schedule what the outcome o of call causes on c (next call, retry,
 * unreached, flag, end); *unreached: the contact was given up. */
int course_after_outcome(struct course_db *db, const struct course_op *op, struct course *c,
			 const struct call *call, const struct call_outcome *o, bool *unreached,
			 struct error *err);
/* Queue the follow-up message of call, naming the next agreed call. */
int course_followup(struct course_db *db, const struct course_op *op, const struct course *c,
		    const struct call *call, const struct call_outcome *o, struct error *err);

/* The closing checklist (course-closing.c). */
int course_closing_prepare(struct course_db *db, char **cause);
void course_closing_finalize(struct course_db *db);
/* The ids of c's programme's closing items not ticked (a JSON array, the
 * caller's; empty when complete or the programme has none). */
int course_checklist_missing(struct course_db *db, const struct course_op *op,
			     const struct course *c, json_t **missing, struct error *err);
/* ERROR_CONFLICT on "checklist", naming the missing items, unless c's
 * closing checklist is complete. */
int course_check_closing(struct course_db *db, const struct course_op *op, const struct course *c,
			 struct error *err);
/* The daily job meets c past its window with items missing: an active
 * course ends (calls cancelled, closing message as any end), an ended one
 * stays ended; either way with reason COURSE_AWAITING_CHECKLIST, which
 * takes it out of the job's set until the last tick closes it. */
int course_await_checklist(struct course_db *db, const struct course_op *op, struct course *c,
			   json_t *missing, struct error *err);

/* Goals and follow-up meetings (course-goals.c). */
int course_goals_prepare(struct course_db *db, char **cause);
void course_goals_finalize(struct course_db *db);
/* The next follow-up meeting of c due on or after from, if its programme
 * has meetings, c has goals, none is pending and one is left in the
 * window; logged. */
int course_schedule_meeting(struct course_db *db, const struct course_op *op,
			    const struct course *c, cal_day from, struct error *err);
/* Cancel c's pending meeting, if any; logged, its tasks withdrawn. */
int course_cancel_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
			  const char *why, struct error *err);
/* As course_cancel_meeting, and a task of it the gateway may already have
 * is cancelled there too, as course_recall_call does for the call. */
int course_recall_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
			  const char *why, struct error *err);
/* A pending meeting of course_id due on due, logged, published at once if
 * today's queues are out and it is due; *id is its id. */
int course_add_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
		       cal_day due, int64_t *id, struct error *err);
/* The outcome o of meeting call (already recorded as a call): progress
 * per goal (each a goal of c, once; ERROR_INVALID on goals[i].goal_id),
 * logged, and the next meeting scheduled. */
int course_meeting_outcome(struct course_db *db, const struct course_op *op, struct course *c,
			   const struct call *call, const struct call_outcome *o,
			   struct error *err);
/* The rules of course_add_goals on texts[n] (ERROR_INVALID naming the
 * field), before anything is written. */
int course_goals_check(const char *const *texts, size_t n, struct error *err);
/* course_add_goals inside the caller's transaction, texts checked. */
int course_add_goals_tx(struct course_db *db, const struct course_op *op, int64_t course_id,
			const char *const *texts, size_t n, int64_t *ids, struct error *err);

#endif
