/*
 * test_life_event.c - life events: the state machine as a table (state x
 * event -> verdict, state, effects), and the same table carried out on a
 * real store (calls withdrawn, outbox rows withdrawn or added, call tasks
 * cancelled at the gateway), and a life event about a citizen applied to
 * their open courses, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "life-event.h"
#include "sched-fixture.h"

enum { A = COURSE_ACTIVE, E = COURSE_ENDED, C = COURSE_CLOSED, S = COURSE_SUPERSEDED,
       W = COURSE_AWAITING_DISCHARGE, P = COURSE_PAUSED, X = COURSE_CANCELLED,
       D = COURSE_DECEASED, R = COURSE_AWAITING_DECISION };
enum { ADM = COURSE_EVENT_ADMITTED, DIS = COURSE_EVENT_DISCHARGED, DEC = COURSE_EVENT_DECEASED,
       ERR = COURSE_EVENT_ENTERED_IN_ERROR, CON = COURSE_EVENT_CONSENT_WITHDRAWN,
       EXP = COURSE_EVENT_EXPIRED };

#define STOP (LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | LIFE_WITHDRAW_MESSAGES)
#define PLAN (LIFE_NEW_WINDOW | LIFE_FIRST_CONTACT)

static const struct {
	int from, event;
	bool later, erased;
	int paused_from;
	enum life_verdict verdict;
	int to;
	unsigned effects;
} machine[] = {
	/* admitted: no calls, no messages while back in hospital */
	{A, ADM, 0, 0, A, LIFE_APPLY, P, STOP},
	{E, ADM, 0, 0, A, LIFE_APPLY, P, STOP},
	{W, ADM, 0, 0, A, LIFE_IGNORE, W, 0},
	{P, ADM, 0, 0, A, LIFE_IGNORE, P, 0},
	{C, ADM, 0, 0, A, LIFE_IGNORE, C, 0},
	{S, ADM, 0, 0, A, LIFE_IGNORE, S, 0},
	{X, ADM, 0, 0, A, LIFE_IGNORE, X, 0},
	{D, ADM, 0, 0, A, LIFE_IGNORE, D, 0},
	/* discharged: the plan starts, or starts again from a later stay */
	{W, DIS, 0, 0, A, LIFE_APPLY, A, PLAN},
	{P, DIS, 0, 0, A, LIFE_APPLY, A, PLAN},
	{P, DIS, 0, 0, E, LIFE_APPLY, E, LIFE_NEW_WINDOW},
	{A, DIS, 1, 0, A, LIFE_APPLY, A, LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | PLAN},
	{A, DIS, 0, 0, A, LIFE_IGNORE, A, 0},
	{E, DIS, 1, 0, A, LIFE_APPLY, E, LIFE_NEW_WINDOW},
	{E, DIS, 0, 0, A, LIFE_IGNORE, E, 0},
	{C, DIS, 1, 0, A, LIFE_IGNORE, C, 0},
	{S, DIS, 1, 0, A, LIFE_IGNORE, S, 0},
	{X, DIS, 1, 0, A, LIFE_IGNORE, X, 0},
	{D, DIS, 1, 0, A, LIFE_IGNORE, D, 0},
	/* deceased: every open course stops at once, for ever */
	{A, DEC, 0, 0, A, LIFE_APPLY, D, STOP},
	{E, DEC, 0, 0, A, LIFE_APPLY, D, STOP},
	{W, DEC, 0, 0, A, LIFE_APPLY, D, STOP},
	{P, DEC, 0, 0, A, LIFE_APPLY, D, STOP},
	{C, DEC, 0, 0, A, LIFE_IGNORE, C, 0},
	{S, DEC, 0, 0, A, LIFE_IGNORE, S, 0},
	{X, DEC, 0, 0, A, LIFE_IGNORE, X, 0},
	{D, DEC, 0, 0, A, LIFE_IGNORE, D, 0},
	/* entered in error: open courses are cancelled; over is over */
	{A, ERR, 0, 0, A, LIFE_APPLY, X, STOP},
	{E, ERR, 0, 0, A, LIFE_APPLY, X, STOP},
	{W, ERR, 0, 0, A, LIFE_APPLY, X, STOP},
	{P, ERR, 0, 0, A, LIFE_APPLY, X, STOP},
	{X, ERR, 0, 0, A, LIFE_IGNORE, X, 0},
	{C, ERR, 0, 0, A, LIFE_REFUSE, C, 0},
	{S, ERR, 0, 0, A, LIFE_REFUSE, S, 0},
	{D, ERR, 0, 0, A, LIFE_REFUSE, D, 0},
	/* consent withdrawn: cancelled, and the data goes now */
	{A, CON, 0, 0, A, LIFE_APPLY, X, STOP | LIFE_ERASE},
	{E, CON, 0, 0, A, LIFE_APPLY, X, STOP | LIFE_ERASE},
	{W, CON, 0, 0, A, LIFE_APPLY, X, STOP | LIFE_ERASE},
	{P, CON, 0, 0, A, LIFE_APPLY, X, STOP | LIFE_ERASE},
	{X, CON, 0, 0, A, LIFE_APPLY, X, LIFE_ERASE},
	{X, CON, 0, 1, A, LIFE_IGNORE, X, 0},
	{C, CON, 0, 0, A, LIFE_APPLY, C, LIFE_ERASE},
	{S, CON, 0, 0, A, LIFE_APPLY, S, LIFE_ERASE},
	{S, CON, 0, 1, A, LIFE_IGNORE, S, 0},
	{D, CON, 0, 0, A, LIFE_REFUSE, D, 0},
	/* expired: only what waits for a discharge */
	{W, EXP, 0, 0, A, LIFE_APPLY, C, 0},
	{P, EXP, 0, 0, A, LIFE_APPLY, C, 0},
	{A, EXP, 0, 0, A, LIFE_IGNORE, A, 0},
	{E, EXP, 0, 0, A, LIFE_IGNORE, E, 0},
	{C, EXP, 0, 0, A, LIFE_IGNORE, C, 0},
	{S, EXP, 0, 0, A, LIFE_IGNORE, S, 0},
	{X, EXP, 0, 0, A, LIFE_IGNORE, X, 0},
	{D, EXP, 0, 0, A, LIFE_IGNORE, D, 0},
	/* a referral awaiting a caseworker's decision (doc/programmes.md):
	 * no stay of psychiatry starts or pauses it, and it does not expire;
	 * a death, an error and withdrawn consent end it as any open course */
	{R, ADM, 0, 0, A, LIFE_IGNORE, R, 0},
	{R, DIS, 1, 0, A, LIFE_IGNORE, R, 0},
	{R, DEC, 0, 0, A, LIFE_APPLY, D, STOP},
	{R, ERR, 0, 0, A, LIFE_APPLY, X, STOP},
	{R, CON, 0, 0, A, LIFE_APPLY, X, STOP | LIFE_ERASE},
	{R, EXP, 0, 0, A, LIFE_IGNORE, R, 0},
};

/* Every state meets every event at least once in the table. */
static void test_machine(void **state)
{
	bool seen[COURSE_NSTATES][COURSE_NEVENTS] = {{false}};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(machine); i++) {
		struct life_facts f = {.later_discharge = machine[i].later,
				       .erased = machine[i].erased,
				       .paused_from = (enum course_state)machine[i].paused_from};
		struct life_transition t;

		seen[machine[i].from][machine[i].event] = true;
		life_event_transition((enum course_state)machine[i].from,
				      (enum course_event)machine[i].event, &f, &t);
		if (t.verdict != machine[i].verdict || (int)t.to != machine[i].to ||
		    t.effects != machine[i].effects) {
			print_error("row %zu: %s + %s: verdict %d to %s effects %#x\n", i,
				    course_state_name((enum course_state)machine[i].from),
				    life_event_name((enum course_event)machine[i].event), t.verdict,
				    course_state_name(t.to), t.effects);
			failures++;
		}
	}
	for (int s = 0; s < COURSE_NSTATES; s++)
		for (int e = 0; e < COURSE_NEVENTS; e++)
			if (!seen[s][e]) {
				print_error("no row for %s + %s\n",
					    course_state_name((enum course_state)s),
					    life_event_name((enum course_event)e));
				failures++;
			}
	assert_int_equal(failures, 0);
}

/* Events from before what the course knows change nothing, and say why:
 * an admission before the discharge the window counts from, a discharge
 * before the admission that paused the course. A death is never stale. */
static const struct {
	int from, event;
	bool before_discharge, before_admission;
	int paused_from;
	enum life_verdict verdict;
	int to;
	const char *stale;
} stale_cases[] = {
	{A, ADM, 1, 0, A, LIFE_IGNORE, A, "before_discharge"},
	{E, ADM, 1, 0, A, LIFE_IGNORE, E, "before_discharge"},
	{P, DIS, 0, 1, A, LIFE_IGNORE, P, "before_admission"},
	{P, DIS, 0, 1, E, LIFE_IGNORE, P, "before_admission"},
	{P, DIS, 1, 0, A, LIFE_IGNORE, P, "before_discharge"},
	{A, DEC, 1, 0, A, LIFE_APPLY, D, NULL},
	{P, DEC, 0, 1, A, LIFE_APPLY, D, NULL},
	/* in time, the same events apply */
	{A, ADM, 0, 0, A, LIFE_APPLY, P, NULL},
	{P, DIS, 0, 0, A, LIFE_APPLY, A, NULL},
};

static void test_stale(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(stale_cases); i++) {
		struct life_facts f = {
			.before_discharge = stale_cases[i].before_discharge,
			.before_admission = stale_cases[i].before_admission,
			.paused_from = (enum course_state)stale_cases[i].paused_from,
		};
		struct life_transition t;

		life_event_transition((enum course_state)stale_cases[i].from,
				      (enum course_event)stale_cases[i].event, &f, &t);
		assert_int_equal(t.verdict, stale_cases[i].verdict);
		assert_int_equal(t.to, stale_cases[i].to);
		if (stale_cases[i].stale == NULL) {
			assert_null(t.stale);
		} else {
			assert_string_equal(t.stale, stale_cases[i].stale);
			assert_int_equal(t.effects, 0);
		}
	}
}

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e < COURSE_NEVENTS; e++)
		assert_int_equal(life_event_parse(life_event_name((enum course_event)e)), e);
	assert_int_equal(life_event_parse("died"), -1);
	for (int s = 0; s < COURSE_NSTATES; s++)
		assert_int_equal(course_state_parse(course_state_name((enum course_state)s)), s);
}

/* ------------------------------------------------------------------------ */

#define CPR "0101801234"
#define DAY "2026-04-01"   /* discharged (Wednesday) */
#define TODAY "2026-04-02" /* the first contact's day; its task went out */

enum task { TASK_NONE, TASK_SENT, TASK_UNSENT };

/* Publish the pending call's task for today, and send it if asked. */
static void publish(struct fx *fx, int64_t course, enum task task)
{
	int64_t call = fx_pending(fx, course), id;
	char key[64];
	bool settled;
	json_t *payload;

	if (task == TASK_NONE || call == 0)
		return;
	snprintf(key, sizeof key, "call-task:%lld:%s", (long long)call, TODAY);
	payload = json_pack("{s:I}", "id", (json_int_t)call);
	fx_begin(fx);
	assert_int_equal(outbox_add(fx->outbox, OUTBOX_CALL_TASK, "call_task", course, key, payload,
				    fx->op.now, &id, &fx->err),
			 0);
	if (task == TASK_SENT)
		assert_int_equal(outbox_mark_sent(fx->outbox, id, fx->op.now, &settled, &fx->err), 0);
	fx_commit(fx);
	json_decref(payload);
}

/* A follow-up message waiting for the gateway. */
static void queue_message(struct fx *fx, int64_t course)
{
	json_t *payload = json_object();
	int64_t id;

	fx_begin(fx);
	assert_int_equal(outbox_add(fx->outbox, OUTBOX_MESSAGE, "followup", course, NULL, payload,
				    fx->op.now, &id, &fx->err),
			 0);
	fx_commit(fx);
	json_decref(payload);
}

static void event(struct fx *fx, int64_t course, int ev, const char *at, int rc)
{
	bool changed;

	fx_begin(fx);
	assert_int_equal(course_apply_event(fx->courses, &fx->op, course, (enum course_event)ev, fx_instant(at), NULL,
					    &changed, NULL, &fx->err),
			 rc);
	fx_commit(fx);
}

/* A course in state s on TODAY (its first contact due today, pending). */
static int64_t course_in(struct fx *fx, int s, enum task task)
{
	struct course_created cr;
	struct course_result r;
	int64_t course;
	size_t closed;

	if (s == W) {
		struct discharge d = fx_notification("n-1", "Jens", CPR, "+4522345678", NULL);
		fx_on(fx, DAY);
		fx_check(fx, &d);
		fx_begin(fx);
		if (course_create(fx->courses, &fx->op, &d, &cr, &fx->err) != 0)
			fail_msg("awaiting: %s: %s", fx->err.field, fx->err.message);
		fx_commit(fx);
		fx_on(fx, TODAY);
		return cr.course_id;
	}
	if (s == C) {
		course = fx_discharge(fx, "n-1", "Jens", CPR, "+4522345678", "2025-09-01",
				      "2025-09-01", NULL);
		fx_on(fx, "2026-03-05");
		fx_begin(fx);
		assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
		fx_commit(fx);
		fx_on(fx, TODAY);
		return course;
	}
	course = fx_discharge(fx, "n-1", "Jens", CPR, "+4522345678", DAY, DAY, NULL);
	if (s == S) {
		fx_discharge(fx, "n-2", "Jens", CPR, "+4522345678", DAY, DAY, NULL);
		fx_on(fx, TODAY);
		return course;
	}
	fx_on(fx, TODAY);
	publish(fx, course, task);
	queue_message(fx, course);
	if (s == E) {
		fx_begin(fx);
		assert_int_equal(course_end(fx->courses, &fx->op, course, "no", &r, &fx->err), 0);
		fx_commit(fx);
	} else if (s == P) {
		event(fx, course, ADM, "2026-04-02T08:00:00+02:00", 0);
	} else if (s == X) {
		event(fx, course, ERR, "2026-04-02T08:00:00+02:00", 0);
	} else if (s == D) {
		event(fx, course, DEC, "2026-04-02T08:00:00+02:00", 0);
	}
	return course;
}

static const struct {
	const char *name;
	int from;
	enum task task;
	int event;
	const char *at;
	int rc;
	const char *to;
	int pending_calls;
	int pending_messages;
	int pending_tasks;
	int cancels;
	int readmissions;
	bool erased;
} store_cases[] = {
	{"active, task sent, admitted: paused, task cancelled at the gateway", A, TASK_SENT, ADM,
	 "2026-04-02T09:00:00+02:00", 0, "paused", 0, 0, 0, 1, 0, false},
	{"active, task not sent, admitted: the task is only withdrawn", A, TASK_UNSENT, ADM,
	 "2026-04-02T09:00:00+02:00", 0, "paused", 0, 0, 0, 0, 0, false},
	{"active, no task, deceased: nothing to cancel", A, TASK_NONE, DEC,
	 "2026-04-02T09:00:00+02:00", 0, "deceased", 0, 0, 0, 0, 0, false},
	{"active, task sent, deceased", A, TASK_SENT, DEC, "2026-04-02T09:00:00+02:00", 0,
	 "deceased", 0, 0, 0, 1, 0, false},
	{"active, task sent, entered in error", A, TASK_SENT, ERR, "2026-04-02T09:00:00+02:00", 0,
	 "cancelled", 0, 0, 0, 1, 0, false},
	{"active, task sent, consent withdrawn: erased", A, TASK_SENT, CON,
	 "2026-04-02T09:00:00+02:00", 0, "cancelled", 0, 0, 0, 1, 0, true},
	{"active, task sent, discharged after a stay it missed: restarts", A, TASK_SENT, DIS,
	 "2026-04-10T10:00:00+02:00", 0, "active", 1, 1, 0, 1, 1, false},
	{"active, discharged the same day: nothing changes", A, TASK_SENT, DIS,
	 "2026-04-01T15:00:00+02:00", 0, "active", 1, 1, 0, 0, 0, false},
	{"ended, admitted: paused, the closing message withdrawn", E, TASK_SENT, ADM,
	 "2026-04-02T09:00:00+02:00", 0, "paused", 0, 0, 0, 0, 0, false},
	{"ended, discharged later: still ended, a new window", E, TASK_SENT, DIS,
	 "2026-04-10T10:00:00+02:00", 0, "ended", 0, 2, 0, 0, 1, false},
	{"awaiting, discharged: the plan starts", W, TASK_NONE, DIS, "2026-04-02T09:00:00+02:00", 0,
	 "active", 1, 0, 0, 0, 0, false},
	{"awaiting, admitted: it waits already", W, TASK_NONE, ADM, "2026-04-02T09:00:00+02:00", 0,
	 "awaiting_discharge", 0, 0, 0, 0, 0, false},
	{"awaiting, expired", W, TASK_NONE, EXP, "2026-04-02T09:00:00+02:00", 0, "closed", 0, 0, 0,
	 0, 0, false},
	{"paused, discharged: the plan starts again", P, TASK_SENT, DIS,
	 "2026-04-09T10:00:00+02:00", 0, "active", 1, 0, 0, 1, 1, false},
	{"paused, deceased", P, TASK_SENT, DEC, "2026-04-09T10:00:00+02:00", 0, "deceased", 0, 0,
	 0, 1, 0, false},
	{"cancelled, entered in error again: nothing changes", X, TASK_SENT, ERR,
	 "2026-04-02T10:00:00+02:00", 0, "cancelled", 0, 0, 0, 1, 0, false},
	{"closed, entered in error: refused (its closing message still waits)", C, TASK_NONE, ERR,
	 "2026-04-02T10:00:00+02:00", -1, "closed", 0, 1, 0, 0, 0, false},
	{"deceased, consent withdrawn: refused", D, TASK_SENT, CON, "2026-04-02T10:00:00+02:00",
	 -1, "deceased", 0, 0, 0, 1, 0, false},
	{"superseded, consent withdrawn: erased, still superseded", S, TASK_NONE, CON,
	 "2026-04-02T10:00:00+02:00", 0, "superseded", 0, 0, 0, 0, 0, true},
	{"awaiting, a discharge whose window is over: refused", W, TASK_NONE, DIS,
	 "2025-09-01T10:00:00+02:00", -1, "awaiting_discharge", 0, 0, 0, 0, 0, false},
	{"paused, a discharge from before its admission: stale, still paused", P, TASK_SENT, DIS,
	 "2026-04-02T07:00:00+02:00", 0, "paused", 0, 0, 0, 1, 0, false},
	{"active, admitted before its discharge: stale, nothing changes", A, TASK_SENT, ADM,
	 "2026-03-31T09:00:00+02:00", 0, "active", 1, 1, 0, 0, 0, false},
};

static void test_store(void **state)
{
	struct fx *fx = *state;
	char buf[64];
	int failures = 0;

	for (size_t i = 0; i < nitems(store_cases); i++) {
		const char *name = store_cases[i].name;
		int64_t course;
		int64_t calls, messages, tasks, cancels, readmissions, erased;

		fx_reset(fx);
		fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
		course = course_in(fx, store_cases[i].from, store_cases[i].task);
		/* The event is applied today, or on the day it happened. */
		fx_on(fx, TODAY);
		if (strncmp(store_cases[i].at, TODAY, 10) > 0)
			fx->op.now = fx_instant(store_cases[i].at) + 3600;
		fx_begin(fx);
		bool changed;
		int rc = course_apply_event(fx->courses, &fx->op, course,
					    (enum course_event)store_cases[i].event,
					    fx_instant(store_cases[i].at), NULL, &changed, NULL,
					    &fx->err);
		if (rc != 0)
			store_rollback(fx->store);
		else
			fx_commit(fx);
		fx_text(fx, "SELECT state FROM courses WHERE id = ?1", course, buf, sizeof buf);
		calls = fx_int(fx, "SELECT count(*) FROM calls WHERE course_id = ?1"
				   " AND state = 'pending'", course);
		messages = fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1"
				      " AND kind = 'message' AND state = 'pending'", course);
		tasks = fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1"
				   " AND type = 'call_task' AND state = 'pending'", course);
		cancels = fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1"
				     " AND type = '" OUTBOX_CANCEL_TYPE "' AND state = 'pending'",
				 course);
		readmissions = fx_int(fx, "SELECT readmissions FROM courses WHERE id = ?1", course);
		erased = fx_int(fx, "SELECT count(*) FROM courses WHERE id = ?1 AND cpr IS NULL"
				    " AND citizen_name = 'anonymised' AND anonymised_at IS NOT NULL"
				    " AND notification_id LIKE 'withdrawn-%'", course);
		if (rc != store_cases[i].rc)
			CASE_FAIL(name, "rc %d (%s)", rc, fx->err.message);
		if (strcmp(buf, store_cases[i].to) != 0)
			CASE_FAIL(name, "state %s", buf);
		if (calls != store_cases[i].pending_calls || messages != store_cases[i].pending_messages ||
		    tasks != store_cases[i].pending_tasks || cancels != store_cases[i].cancels ||
		    readmissions != store_cases[i].readmissions || erased != store_cases[i].erased)
			CASE_FAIL(name,
				  "calls %lld messages %lld tasks %lld cancels %lld readmissions %lld"
				  " erased %lld",
				  (long long)calls, (long long)messages, (long long)tasks,
				  (long long)cancels, (long long)readmissions, (long long)erased);
	}
	fx_done(failures);
}

/* A restart keeps the mentor (continuity) and plans from the new
 * discharge: a fresh window, the first contact a day after. */
static void test_restart_keeps_mentor(void **state)
{
	struct fx *fx = *state;
	int64_t course, other;
	char buf[32];

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = course_in(fx, P, TASK_NONE);
	other = fx_mentor(fx, "Ole", MENTOR_MONDAY_TO_FRIDAY);
	(void)other;
	fx_on(fx, "2026-05-04");
	event(fx, course, DIS, "2026-05-04T10:00:00+02:00", 0);
	assert_int_equal(fx_int(fx, "SELECT mentor_id FROM courses WHERE id = ?1", course), 1);
	assert_string_equal(fx_text(fx, "SELECT window_end FROM courses WHERE id = ?1", course,
				    buf, sizeof buf),
			    "2026-11-04");
	assert_string_equal(fx_text(fx, "SELECT notified_discharge_date FROM courses WHERE id = ?1",
				    course, buf, sizeof buf),
			    DAY);
	assert_string_equal(fx_text(fx, "SELECT due_date FROM calls WHERE course_id = ?1"
					" AND state = 'pending'",
				    course, buf, sizeof buf),
			    "2026-05-05");
}

static size_t close_on(struct fx *fx, const char *day)
{
	size_t closed;

	fx_on(fx, day);
	fx_begin(fx);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
	fx_commit(fx);
	return closed;
}

/* A referral waits intake.await_days (30) from its receipt; a paused
 * course as long from its admission, and only once its window is over. */
static void test_expiry(void **state)
{
	struct fx *fx = *state;
	int64_t waiting, paused;
	char buf[32];

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	waiting = course_in(fx, W, TASK_NONE); /* received 1 April */
	assert_int_equal(close_on(fx, "2026-05-01"), 0);
	assert_int_equal(close_on(fx, "2026-05-02"), 1);
	assert_string_equal(fx_text(fx, "SELECT state || ' ' || state_reason FROM courses"
					" WHERE id = ?1", waiting, buf, sizeof buf),
			    "closed referral_expired");
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1", waiting),
			 0);

	fx_reset(fx);
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	paused = course_in(fx, P, TASK_NONE); /* admitted 2 April, window ends 1 Oct */
	assert_int_equal(close_on(fx, "2026-09-01"), 0);
	assert_int_equal(close_on(fx, "2026-10-02"), 1);
	assert_string_equal(fx_text(fx, "SELECT state || ' ' || state_reason FROM courses"
					" WHERE id = ?1", paused, buf, sizeof buf),
			    "closed readmission_expired");
}

/* A life event about a citizen acts on their open courses once; its key
 * used again for another message is a conflict; another CPR number
 * stores nothing at all; after a death a later admission is a conflict. */
static void test_apply(void **state)
{
	struct fx *fx = *state;
	struct life_event ev = {.kind = COURSE_EVENT_ADMITTED, .cpr = CPR,
				.at = fx_instant("2026-04-02T08:00:00+02:00"), .key = "m-1",
				.source = "test"};
	struct life_event_result r;
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = course_in(fx, A, TASK_SENT);
	fx_begin(fx);
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), 0);
	life_event_result_free(&r);
	assert_false(r.repeated);
	assert_int_equal(r.courses, 1);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.ids[0], course);
	/* The same message again, after a discharge: nothing happens. */
	ev.kind = COURSE_EVENT_DISCHARGED;
	ev.key = "m-2";
	ev.at = fx_instant("2026-04-02T12:00:00+02:00");
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), 0);
	life_event_result_free(&r);
	assert_int_equal(r.changed, 1);
	/* The key of the admission, for another instant: a conflict. */
	ev.kind = COURSE_EVENT_ADMITTED;
	ev.key = "m-1";
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), -1);
	life_event_result_free(&r);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	assert_string_equal(fx->err.field, "key");
	ev.at = fx_instant("2026-04-02T08:00:00+02:00");
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), 0);
	life_event_result_free(&r);
	assert_true(r.repeated);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'active'", 0), 1);

	/* Nobody we know: acknowledged, nothing kept. */
	ev.cpr = "0202802345";
	ev.key = "m-3";
	fx_begin(fx);
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), 0);
	life_event_result_free(&r);
	assert_int_equal(r.courses, 0);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM life_event_keys", 0), 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 1);

	/* Death, then an admission of the same citizen: refused. */
	ev.cpr = CPR;
	ev.kind = COURSE_EVENT_DECEASED;
	ev.key = "m-4";
	fx_begin(fx);
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), 0);
	life_event_result_free(&r);
	ev.kind = COURSE_EVENT_ADMITTED;
	ev.key = "m-5";
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), -1);
	life_event_result_free(&r);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	assert_string_equal(fx->err.field, "cpr");
	store_rollback(fx->store);

	ev.key = "";
	fx_begin(fx);
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), -1);
	life_event_result_free(&r);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	ev.key = "m-6";
	ev.cpr = "12345";
	assert_int_equal(life_event_apply(fx->courses, &fx->op, &ev, &r, &fx->err), -1);
	life_event_result_free(&r);
	assert_string_equal(fx->err.field, "cpr");
	fx_commit(fx);
}

/* Undoing an event: the state before it, or refused when the course
 * moved on (state x event x what came after -> verdict, state, effects). */
static const struct {
	int event, before, after, now;
	bool untouched;
	enum life_verdict verdict;
	int to;
	unsigned effects;
} undo_machine[] = {
	{ADM, A, P, P, 1, LIFE_APPLY, A, LIFE_RESTORE_CALL},
	{ADM, E, P, P, 1, LIFE_APPLY, E, 0},
	{ADM, A, P, P, 0, LIFE_REFUSE, P, 0},
	{ADM, A, P, A, 1, LIFE_REFUSE, A, 0},
	{ADM, A, P, D, 1, LIFE_REFUSE, D, 0},
	{DIS, P, A, A, 1, LIFE_APPLY, P, STOP | LIFE_RESTORE_WINDOW},
	{DIS, P, E, E, 1, LIFE_APPLY, P, STOP | LIFE_RESTORE_WINDOW},
	{DIS, W, A, A, 1, LIFE_APPLY, W, STOP | LIFE_RESTORE_WINDOW},
	{DIS, A, A, A, 1, LIFE_APPLY, A,
	 LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | LIFE_WITHDRAW_WELCOME | LIFE_RESTORE_WINDOW |
		 LIFE_RESTORE_CALL},
	{DIS, E, E, E, 1, LIFE_APPLY, E, LIFE_RESTORE_WINDOW},
	{DIS, P, A, P, 1, LIFE_REFUSE, P, 0},
	{DIS, P, A, C, 1, LIFE_REFUSE, C, 0},
	{DIS, A, A, A, 0, LIFE_REFUSE, A, 0},
	/* A withdrawn death: back, but nobody is phoned on its word alone. */
	{DEC, A, D, D, 1, LIFE_APPLY, E, 0},
	{DEC, E, D, D, 1, LIFE_APPLY, E, 0},
	{DEC, P, D, D, 1, LIFE_APPLY, P, 0},
	{DEC, W, D, D, 1, LIFE_APPLY, W, 0},
	{DEC, A, D, D, 0, LIFE_REFUSE, D, 0},
	/* Cancellations and expiry are not undone this way. */
	{ERR, A, X, X, 1, LIFE_REFUSE, X, 0},
	{CON, A, X, X, 1, LIFE_REFUSE, X, 0},
	{EXP, W, C, C, 1, LIFE_REFUSE, C, 0},
};

static void test_undo_machine(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < nitems(undo_machine); i++) {
		struct life_transition t;

		life_event_undo((enum course_event)undo_machine[i].event,
				(enum course_state)undo_machine[i].before,
				(enum course_state)undo_machine[i].after,
				(enum course_state)undo_machine[i].now, undo_machine[i].untouched,
				&t);
		if (t.verdict != undo_machine[i].verdict || (int)t.to != undo_machine[i].to ||
		    t.effects != undo_machine[i].effects) {
			print_error("undo row %zu: verdict %d to %s effects %#x\n", i, t.verdict,
				    course_state_name(t.to), t.effects);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* The event with its effect kept, then undone. */
static void event_kept(struct fx *fx, int64_t course, int ev, const char *at,
		       struct course_effect *e)
{
	bool changed;

	fx_begin(fx);
	assert_int_equal(course_apply_event(fx->courses, &fx->op, course, (enum course_event)ev,
					    fx_instant(at), NULL, &changed, e, &fx->err),
			 0);
	fx_commit(fx);
	assert_true(changed);
}

static bool undo(struct fx *fx, const struct course_effect *e)
{
	bool undone;

	fx_begin(fx);
	assert_int_equal(course_undo_event(fx->courses, &fx->op, e, "test", "m-1", &undone,
					   &fx->err),
			 0);
	fx_commit(fx);
	return undone;
}

/* What a course looks like, for before and after: state, reason, window,
 * readmissions, mentor, the pending call and the messages waiting. */
static void look(struct fx *fx, int64_t course, char *buf, size_t len)
{
	fx_text(fx,
		"SELECT state || ' ' || coalesce(state_reason, '-') || ' '"
		" || coalesce(discharge_date, '-') || ' ' || coalesce(window_end, '-') || ' '"
		" || readmissions || ' ' || coalesce(mentor_id, '-') || ' '"
		" || coalesce(paused_at, '-') || ' ' || coalesce((SELECT due_date || reason"
		" || attempt FROM calls WHERE course_id = ?1 AND state = 'pending'), 'none')"
		" FROM courses WHERE id = ?1",
		course, buf, len);
}

static const struct {
	const char *name;
	int from;
	int event;
	const char *at;
	const char *after; /* state, reason and call after the undo; NULL: as before */
} undo_cases[] = {
	{"active, admitted, undone: active with its call", A, ADM, "2026-04-02T09:00:00+02:00",
	 NULL},
	{"ended, admitted, undone: ended", E, ADM, "2026-04-02T09:00:00+02:00", NULL},
	{"paused, discharged, undone: paused again", P, DIS, "2026-04-09T10:00:00+02:00", NULL},
	{"awaiting, discharged, undone: waiting, no mentor", W, DIS, "2026-04-02T09:00:00+02:00",
	 NULL},
	{"active, a later discharge, undone: the window and call before", A, DIS,
	 "2026-04-10T10:00:00+02:00", NULL},
	{"paused, deceased, undone: paused again", P, DEC, "2026-04-09T10:00:00+02:00", NULL},
	{"active, deceased, undone: ended for a coordinator, no call", A, DEC,
	 "2026-04-02T09:00:00+02:00", "ended death_withdrawn 2026-04-01 2026-10-01 0 1 - none"},
};

static void test_undo_store(void **state)
{
	struct fx *fx = *state;
	char before[160], after[160];
	int failures = 0;

	for (size_t i = 0; i < nitems(undo_cases); i++) {
		const char *name = undo_cases[i].name;
		struct course_effect e;
		int64_t course, messages;

		fx_reset(fx);
		fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
		course = course_in(fx, undo_cases[i].from, TASK_SENT);
		fx_on(fx, TODAY);
		if (strncmp(undo_cases[i].at, TODAY, 10) > 0)
			fx->op.now = fx_instant(undo_cases[i].at) + 3600;
		look(fx, course, before, sizeof before);
		messages = fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1"
				      " AND kind = 'message' AND state = 'pending'", course);
		event_kept(fx, course, undo_cases[i].event, undo_cases[i].at, &e);
		fx->op.now += 60;
		if (!undo(fx, &e))
			CASE_FAIL(name, "not undone");
		look(fx, course, after, sizeof after);
		if (strcmp(after, undo_cases[i].after != NULL ? undo_cases[i].after : before) != 0)
			CASE_FAIL(name, "before %s, after %s", before, after);
		/* A message withdrawn is never queued again. */
		if (fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1"
			       " AND kind = 'message' AND state = 'pending'", course) > messages)
			CASE_FAIL(name, "a message came back");
		if (undo(fx, &e))
			CASE_FAIL(name, "undone twice");
		if (fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
			       " AND kind = 'event_undone'", course) != 1)
			CASE_FAIL(name, "no event_undone entry");
	}
	fx_done(failures);
}

/* An admission undone after a discharge came: the discharge wins. */
static void test_undo_later_event_wins(void **state)
{
	struct fx *fx = *state;
	struct course_effect e;
	int64_t course;
	char buf[160];

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = course_in(fx, A, TASK_SENT);
	event_kept(fx, course, ADM, "2026-04-02T09:00:00+02:00", &e);
	fx->op.now += 60;
	event(fx, course, DIS, "2026-04-02T15:00:00+02:00", 0);
	look(fx, course, buf, sizeof buf);
	assert_false(undo(fx, &e));
	char now[160];
	look(fx, course, now, sizeof now);
	assert_string_equal(now, buf);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_stale),
		T(test_store),
		T(test_restart_keeps_mentor),
		T(test_expiry),
		T(test_apply),
		cmocka_unit_test(test_undo_machine),
		T(test_undo_store),
		T(test_undo_later_event_wins),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
