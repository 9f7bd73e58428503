/*
 * test_course.c - unit tests for course.c/course-ops.c, call.c,
 * course-log.c, outbox.c and mentor assignment, on a real SQLite file.
 *
 * The scenario table drives a course through steps (outcomes, resume,
 * end, contact, the close job), each on its own date, and checks the
 * course's state and pending call after every step. A step that must be
 * refused is committed anyway and must leave the database exactly as it
 * was: that checks each operation's savepoint, not the caller's rollback.
 *
 * Expected dates were worked out by hand (see test_schedule.c for the
 * holidays) and cross-checked with `date` and an independent script.
 * Discharge 1 Apr 2026 has the plan 7 Apr, 8 Apr, 15 Apr, 29 Apr, 27 May,
 * 1 Jul, 19 Aug and its window ends on Thu 1 Oct 2026.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched-fixture.h"
#include "sql.h"

enum act {
	A_NONE,
	A_REACHED,     /* date: next.date */
	A_REACHED_END, /* next: end */
	A_NO_ANSWER,
	A_WRONG_NUMBER,
	A_DECLINED,
	A_AGAIN, /* a second outcome for the last recorded call */
	A_END,
	A_RESUME,  /* date: agreed date */
	A_CONTACT, /* date: agreed date */
	A_CLOSE,   /* the daily close job */
};

struct step {
	const char *on; /* a date (noon UTC) or an RFC 3339 instant */
	enum act act;
	const char *date;
	int want_kind; /* ERROR_NONE, or the refusal expected */
	const char *want_state;
	const char *want_due; /* the pending call's due date; NULL: none */
	const char *want_reason;
	int want_attempt;
};

struct scenario {
	const char *name;
	const char *discharge;
	const char *received;
	const char *first_due;
	const char *window_end;
	struct step steps[10];
	const char *want_messages; /* outbox message types, oldest first; nothing is
				    * sent here, so a resume withdraws every closing */
};

static const struct scenario scenarios[] = {
	{"all plan steps of one course, each reached on its due date", "2026-04-01",
	 "2026-04-01", "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_REACHED, NULL, 0, "active", "2026-04-15", "follow_up", 1},
	  {"2026-04-15", A_REACHED, NULL, 0, "active", "2026-04-29", "follow_up", 1},
	  {"2026-04-29", A_REACHED, NULL, 0, "active", "2026-05-27", "follow_up", 1},
	  {"2026-05-27", A_REACHED, NULL, 0, "active", "2026-07-01", "follow_up", 1},
	  {"2026-07-01", A_REACHED, NULL, 0, "active", "2026-08-19", "follow_up", 1},
	  {"2026-08-19", A_REACHED, NULL, 0, "active", NULL, NULL, 0},
	  {"2026-10-02", A_CLOSE, NULL, 0, "closed", NULL, NULL, 0}},
	 "closing"},
	{"three no_answer attempts, then the next plan step", "2026-04-01", "2026-04-01",
	 "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_NO_ANSWER, NULL, 0, "active", "2026-04-08", "retry", 2},
	  {"2026-04-08", A_NO_ANSWER, NULL, 0, "active", "2026-04-09", "retry", 3},
	  {"2026-04-09", A_NO_ANSWER, NULL, 0, "active", "2026-04-15", "follow_up", 1}},
	 "unreached"},
	{"an agreed date after the window is refused, nothing changes", "2026-04-01",
	 "2026-04-01", "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_REACHED, "2026-10-02", ERROR_INVALID, "active", "2026-04-07",
	   "first_contact", 1},
	  {"2026-04-07", A_REACHED, "2026-04-18", 0, "active", "2026-04-20", "agreed", 1}},
	 ""},
	{"declined, resumed, then closed at the window's end", "2026-04-01", "2026-04-01",
	 "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_DECLINED, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-05-05", A_RESUME, NULL, 0, "active", "2026-05-06", "resumed", 1},
	  {"2026-05-06", A_REACHED, NULL, 0, "active", "2026-05-27", "follow_up", 1},
	  {"2026-10-01", A_CLOSE, NULL, 0, "active", "2026-05-27", "follow_up", 1},
	  {"2026-10-02", A_CLOSE, NULL, 0, "closed", NULL, NULL, 0}},
	 "closing"}, /* the first, unsent, was withdrawn by the resume */
	{"resuming after the window is refused", "2026-04-01", "2026-04-01", "2026-04-07",
	 "2026-10-01",
	 {{"2026-04-07", A_DECLINED, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-10-02", A_RESUME, NULL, ERROR_CONFLICT, "ended", NULL, NULL, 0},
	  {"2026-10-02", A_CONTACT, NULL, ERROR_CONFLICT, "ended", NULL, NULL, 0},
	  {"2026-10-02", A_CLOSE, NULL, 0, "closed", NULL, NULL, 0},
	  {"2026-10-03", A_RESUME, NULL, ERROR_CONFLICT, "closed", NULL, NULL, 0}},
	 "closing"},
	{"a second outcome for a call is a conflict", "2026-04-01", "2026-04-01", "2026-04-07",
	 "2026-10-01",
	 {{"2026-04-07", A_REACHED, NULL, 0, "active", "2026-04-15", "follow_up", 1},
	  {"2026-04-07", A_AGAIN, NULL, ERROR_CONFLICT, "active", "2026-04-15", "follow_up", 1},
	  {"2026-04-08", A_AGAIN, NULL, ERROR_CONFLICT, "active", "2026-04-15", "follow_up", 1}},
	 ""},
	{"DST begins: 00:30 on Monday counts as Monday", "2026-03-27", "2026-03-27",
	 "2026-03-30", "2026-09-27",
	 {{"2026-03-30T00:30:00+02:00", A_NO_ANSWER, NULL, 0, "active", "2026-03-31", "retry", 2},
	  {"2026-03-31T00:15:00+02:00", A_NO_ANSWER, NULL, 0, "active", "2026-04-01", "retry", 3}},
	 ""},
	{"DST ends: 00:30 on Monday counts as Monday", "2026-10-22", "2026-10-22", "2026-10-23",
	 "2027-04-22",
	 {{"2026-10-26T00:30:00+01:00", A_NO_ANSWER, NULL, 0, "active", "2026-10-27", "retry", 2}},
	 ""},
	{"Christmas discharge: retries around the holidays, then given up", "2026-12-23",
	 "2026-12-23", "2026-12-28", "2027-06-23",
	 {{"2026-12-28", A_NO_ANSWER, NULL, 0, "active", "2026-12-29", "retry", 2},
	  {"2026-12-29", A_NO_ANSWER, NULL, 0, "active", "2026-12-30", "retry", 3},
	  {"2026-12-30", A_NO_ANSWER, NULL, 0, "active", "2027-01-06", "follow_up", 1}},
	 "unreached"},
	{"New Year discharge: first contact after New Year's Day", "2026-12-30", "2026-12-30",
	 "2027-01-04", "2027-06-30",
	 {{"2027-01-04", A_REACHED, NULL, 0, "active", "2027-01-13", "follow_up", 1}},
	 ""},
	{"a late notification: the first contact is already overdue", "2026-04-01",
	 "2026-04-20", "2026-04-07", "2026-10-01",
	 {{"2026-04-20", A_REACHED, NULL, 0, "active", "2026-04-29", "follow_up", 1}},
	 ""},
	{"the mentor ends the course during a call", "2026-04-01", "2026-04-01", "2026-04-07",
	 "2026-10-01",
	 {{"2026-04-07", A_REACHED_END, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-04-08", A_END, NULL, ERROR_CONFLICT, "ended", NULL, NULL, 0}},
	 "closing"},
	{"an explicit end cancels the pending call", "2026-04-01", "2026-04-01", "2026-04-07",
	 "2026-10-01",
	 {{"2026-04-10", A_END, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-04-10", A_RESUME, "2026-04-11", 0, "active", "2026-04-13", "resumed", 1}},
	 ""}, /* the resume withdrew the unsent closing message */
	{"an inbound contact on an active course only logs it", "2026-04-01", "2026-04-01",
	 "2026-04-07", "2026-10-01",
	 {{"2026-04-03", A_CONTACT, NULL, 0, "active", "2026-04-07", "first_contact", 1},
	  {"2026-04-07", A_DECLINED, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-04-09", A_CONTACT, NULL, 0, "active", "2026-04-10", "resumed", 1},
	  {"2026-04-10", A_RESUME, NULL, ERROR_CONFLICT, "active", "2026-04-10", "resumed", 1}},
	 ""},
	{"an inbound contact with a date after the window is refused", "2026-04-01",
	 "2026-04-01", "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_DECLINED, NULL, 0, "ended", NULL, NULL, 0},
	  {"2026-09-30", A_CONTACT, "2026-10-05", ERROR_INVALID, "ended", NULL, NULL, 0},
	  {"2026-09-30", A_CONTACT, NULL, 0, "active", "2026-10-01", "resumed", 1}},
	 ""},
	{"a wrong number: no retry, the course stays active", "2026-04-01", "2026-04-01",
	 "2026-04-07", "2026-10-01",
	 {{"2026-04-07", A_WRONG_NUMBER, NULL, 0, "active", NULL, NULL, 0},
	  {"2026-04-07", A_AGAIN, NULL, ERROR_CONFLICT, "active", NULL, NULL, 0}},
	 ""},
	{"window from 31 Aug ends 28 Feb: closed on 1 Mar", "2026-08-31", "2026-08-31",
	 "2026-09-01", "2027-02-28",
	 {{"2027-02-26", A_CLOSE, NULL, 0, "active", "2026-09-01", "first_contact", 1},
	  {"2027-02-28", A_CLOSE, NULL, 0, "active", "2026-09-01", "first_contact", 1},
	  {"2027-03-01", A_CLOSE, NULL, 0, "closed", NULL, NULL, 0}},
	 "closing"},
	{"window from 29 Feb ends 29 Aug: closed on 30 Aug", "2024-02-29", "2024-02-29",
	 "2024-03-01", "2024-08-29",
	 {{"2024-03-01", A_REACHED, "2024-08-29", 0, "active", "2024-08-29", "agreed", 1},
	  {"2024-08-29", A_CLOSE, NULL, 0, "active", "2024-08-29", "agreed", 1},
	  {"2024-08-30", A_CLOSE, NULL, 0, "closed", NULL, NULL, 0}},
	 "closing"},
	{"Store Bededag 2023 moves the first contact to Monday", "2023-05-04", "2023-05-04",
	 "2023-05-08", "2023-11-04",
	 {{"2023-05-08", A_NO_ANSWER, NULL, 0, "active", "2023-05-09", "retry", 2}},
	 ""},
	{"Store Bededag 2024 is a working day", "2024-04-25", "2024-04-25", "2024-04-26",
	 "2024-10-25",
	 {{"2024-04-26", A_NO_ANSWER, NULL, 0, "active", "2024-04-29", "retry", 2}},
	 ""},
	{"a Saturday discharge received on Saturday", "2026-03-14", "2026-03-14", "2026-03-16",
	 "2026-09-14",
	 {{"2026-03-16", A_REACHED, "2026-03-16", ERROR_INVALID, "active", "2026-03-16",
	   "first_contact", 1},
	  {"2026-03-16", A_REACHED, "2026-03-17", 0, "active", "2026-03-17", "agreed", 1}},
	 ""},
};

/* ------------------------------------------------------------------------ */

static int64_t last_done_call(struct fx *fx, int64_t course)
{
	return fx_int(fx, "SELECT max(id) FROM calls WHERE course_id = ?1 AND state = 'done'",
		      course);
}

static int run_outcome(struct fx *fx, int64_t course, const struct step *st,
		       struct course_result *res)
{
	static const char *const topics[] = {"wellbeing", "network"};
	struct call_outcome o = {.duration_minutes = 12, .topics = topics, .ntopics = 2,
				 .next_date = fx_day(st->date)};
	int64_t call = st->act == A_AGAIN ? last_done_call(fx, course) : fx_pending(fx, course);

	if (call == 0)
		fail_msg("step on %s: no call to record", st->on);
	o.result = st->act == A_NO_ANSWER      ? CALL_NO_ANSWER
		   : st->act == A_WRONG_NUMBER ? CALL_WRONG_NUMBER
		   : st->act == A_DECLINED     ? CALL_DECLINED
					       : CALL_REACHED;
	if (st->act == A_REACHED_END) {
		o.next = CALL_NEXT_END;
		o.end_reason = "no_more_calls_wanted";
	}
	return course_record_outcome(fx->courses, &fx->op, call, &o, res, &fx->err);
}

static int run_step(struct fx *fx, int64_t course, const struct step *st)
{
	struct course_result res;
	size_t closed;

	fx_on(fx, st->on);
	switch (st->act) {
	case A_END:
		return course_end(fx->courses, &fx->op, course, "citizen_wish", &res, &fx->err);
	case A_RESUME:
		return course_resume(fx->courses, &fx->op, course, fx_day(st->date), NULL, &res,
				     &fx->err);
	case A_CONTACT:
		return course_contact(fx->courses, &fx->op, course, fx_day(st->date), NULL, &res,
				      &fx->err);
	case A_CLOSE:
		return course_close_expired(fx->courses, &fx->op, &closed, &fx->err);
	default:
		return run_outcome(fx, course, st, &res);
	}
}

/* Everything a refused step must leave as it was. */
static void snapshot(struct fx *fx, int64_t course, char *buf, size_t size)
{
	char state[32], due[32];

	snprintf(buf, size, "calls %lld pending %lld log %lld outbox %lld state %s due %s",
		 (long long)fx_int(fx, "SELECT count(*) FROM calls", 0),
		 (long long)fx_pending(fx, course),
		 (long long)fx_int(fx, "SELECT count(*) FROM course_log", 0),
		 (long long)fx_int(fx, "SELECT count(*) FROM outbox", 0),
		 fx_text(fx, "SELECT state FROM courses WHERE id = ?1", course, state, sizeof state),
		 fx_text(fx, "SELECT due_date FROM calls WHERE course_id = ?1 AND state = 'pending'",
			 course, due, sizeof due));
}

static int check_status(struct fx *fx, const char *name, size_t i, int64_t course,
			const struct step *st)
{
	struct course_result r;
	char got[CAL_DATE_LEN];
	int failures = 0;

	if (course_status(fx->courses, course, &r, &fx->err) != 0)
		fail_msg("course_status: %s", fx->err.message);
	if (strcmp(course_state_name(r.state), st->want_state) != 0)
		CASE_FAIL(name, "step %zu: state %s, want %s", i + 1, course_state_name(r.state),
			  st->want_state);
	if (r.next_call_due != fx_day(st->want_due))
		CASE_FAIL(name, "step %zu: next call %s, want %s", i + 1,
			  fx_fmt(r.next_call_due, got), st->want_due ? st->want_due : "none");
	else if (st->want_due != NULL &&
		 (strcmp(schedule_reason_name(r.next_reason), st->want_reason) != 0 ||
		  r.next_attempt != st->want_attempt))
		CASE_FAIL(name, "step %zu: next call %s attempt %d, want %s attempt %d", i + 1,
			  schedule_reason_name(r.next_reason), r.next_attempt, st->want_reason,
			  st->want_attempt);
	return failures;
}

static int run_scenario(struct fx *fx, const struct scenario *sc)
{
	struct course_created cr;
	char before[256], after[256], got[CAL_DATE_LEN], msgs[128];
	int failures = 0, rc;
	int64_t course;

	fx_reset(fx);
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n-1", "Jens Hansen", "0101801234", "+4522345678",
			      sc->discharge, sc->received, &cr);
	if (cr.first_call_due != fx_day(sc->first_due) || cr.window_end != fx_day(sc->window_end))
		CASE_FAIL(sc->name, "first call %s / window %s", fx_fmt(cr.first_call_due, got),
			  fx_fmt(cr.window_end, msgs));
	for (size_t i = 0; i < nitems(sc->steps) && sc->steps[i].on != NULL; i++) {
		const struct step *st = &sc->steps[i];

		snapshot(fx, course, before, sizeof before);
		fx_begin(fx);
		error_clear(&fx->err);
		rc = run_step(fx, course, st);
		fx_commit(fx);
		if (st->want_kind == 0 && rc != 0)
			CASE_FAIL(sc->name, "step %zu refused: %s", i + 1, fx->err.message);
		if (st->want_kind != 0) {
			snapshot(fx, course, after, sizeof after);
			if (rc != -1 || fx->err.kind != (enum error_kind)st->want_kind)
				CASE_FAIL(sc->name, "step %zu: rc %d kind %d, want kind %d", i + 1,
					  rc, fx->err.kind, st->want_kind);
			if (strcmp(before, after) != 0)
				CASE_FAIL(sc->name, "step %zu refused but changed: %s -> %s",
					  i + 1, before, after);
		}
		failures += check_status(fx, sc->name, i, course, st);
	}
	fx_text(fx, "SELECT coalesce(group_concat(type, ','), '') FROM"
		    " (SELECT type FROM outbox WHERE course_id = ?1 ORDER BY id)",
		course, msgs, sizeof msgs);
	if (strcmp(msgs, sc->want_messages) != 0)
		CASE_FAIL(sc->name, "messages \"%s\", want \"%s\"", msgs, sc->want_messages);
	return failures;
}

static void test_scenarios(void **state)
{
	int failures = 0;

	for (size_t i = 0; i < nitems(scenarios); i++)
		failures += run_scenario(*state, &scenarios[i]);
	fx_done(failures);
}

/* ------------------------------------------------------------------------ */

struct citizen {
	const char *cpr;
	const char *phone;
	const char *name;
};

enum old_fate {
	OLD_OPEN,
	OLD_ENDED,  /* declined at the first contact */
	OLD_CLOSED, /* closed by the window */
};

/* The old course: discharged 1 Sep 2025 (window ends 1 Mar 2026) for
 * OLD_CLOSED, else 1 Apr 2026; the new discharge is on 4 May 2026. */
static const struct {
	const char *name;
	struct citizen old, new;
	enum old_fate fate;
	bool superseded;
} supersede_cases[] = {
	{"same CPR, new phone and spelling: superseded", {"0101801234", "+4522345678", "Jens Hansen"},
	 {"0101801234", "+4587654321", "Jens P. Hansen"}, OLD_OPEN, true},
	{"no CPR, same phone and name: superseded", {NULL, "+4522345678", "Jens Hansen"},
	 {NULL, "+4522345678", "Jens Hansen"}, OLD_OPEN, true},
	{"no CPR, same phone, another name: kept", {NULL, "+4522345678", "Jens Hansen"},
	 {NULL, "+4522345678", "Ida Hansen"}, OLD_OPEN, false},
	{"no CPR, same name, another phone: kept", {NULL, "+4522345678", "Jens Hansen"},
	 {NULL, "+4522345679", "Jens Hansen"}, OLD_OPEN, false},
	{"another CPR, same phone and name: kept", {"0101801234", "+4522345678", "Jens Hansen"},
	 {"0202801234", "+4522345678", "Jens Hansen"}, OLD_OPEN, false},
	{"old without CPR, new with it, same phone and name: superseded",
	 {NULL, "+4522345678", "Jens Hansen"}, {"0101801234", "+4522345678", "Jens Hansen"},
	 OLD_OPEN, true},
	{"old with CPR, new without it, same phone and name: superseded",
	 {"0101801234", "+4522345678", "Jens Hansen"}, {NULL, "+4522345678", "Jens Hansen"},
	 OLD_OPEN, true},
	{"an ended course is superseded", {"0101801234", "+4522345678", "Jens Hansen"},
	 {"0101801234", "+4522345678", "Jens Hansen"}, OLD_ENDED, true},
	{"a closed course is not superseded", {"0101801234", "+4522345678", "Jens Hansen"},
	 {"0101801234", "+4522345678", "Jens Hansen"}, OLD_CLOSED, false},
};

static void make_old(struct fx *fx, int64_t old, enum old_fate fate)
{
	size_t closed;

	if (fate == OLD_ENDED && fx_outcome(fx, old, CALL_DECLINED, "2026-04-07", NULL) != 0)
		fail_msg("decline: %s", fx->err.message);
	if (fate != OLD_CLOSED)
		return;
	fx_on(fx, "2026-03-02");
	fx_begin(fx);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
	fx_commit(fx);
}

static int check_supersede(struct fx *fx, size_t i, int64_t old, int64_t new,
			   const struct course_created *cr)
{
	const char *name = supersede_cases[i].name;
	bool want = supersede_cases[i].superseded;
	char state[32];
	int failures = 0;

	fx_text(fx, "SELECT state FROM courses WHERE id = ?1", old, state, sizeof state);
	if (want != (strcmp(state, "superseded") == 0))
		CASE_FAIL(name, "old course is %s", state);
	if (cr->superseded_id != (want ? old : 0))
		CASE_FAIL(name, "superseded_id %lld", (long long)cr->superseded_id);
	if (want && (fx_pending(fx, old) != 0 ||
		     fx_int(fx, "SELECT superseded_by FROM courses WHERE id = ?1", old) != new))
		CASE_FAIL(name, "old course still has a call or no successor");
	if (fx_pending(fx, new) == 0 || cr->first_call_due != fx_day("2026-05-05"))
		CASE_FAIL(name, "the new course has no first contact on 5 May");
	return failures;
}

static void test_supersede(void **state)
{
	struct fx *fx = *state;
	struct course_created cr;
	int failures = 0;
	int64_t old, new;

	for (size_t i = 0; i < nitems(supersede_cases); i++) {
		const struct citizen *o = &supersede_cases[i].old, *n = &supersede_cases[i].new;

		fx_reset(fx);
		fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
		old = fx_discharge(fx, "old", o->name, o->cpr, o->phone,
				   supersede_cases[i].fate == OLD_CLOSED ? "2025-09-01" : "2026-04-01",
				   supersede_cases[i].fate == OLD_CLOSED ? "2025-09-01" : "2026-04-01",
				   NULL);
		make_old(fx, old, supersede_cases[i].fate);
		new = fx_discharge(fx, "new", n->name, n->cpr, n->phone, "2026-05-04", "2026-05-04",
				   &cr);
		failures += check_supersede(fx, i, old, new, &cr);
	}
	fx_done(failures);
}

/* ------------------------------------------------------------------------ */

/* The fields themselves are discharge_check's (test_discharge.c); what
 * course_create judges is the date, after its idempotency lookup. */
static const struct {
	const char *name;
	const char *cpr;
	const char *from, *to;
	const char *discharge;
	const char *today;
	const char *want_field; /* NULL: accepted */
} discharge_cases[] = {
	{"a discharge two days ahead", NULL, NULL, NULL, "2026-04-03", "2026-04-01",
	 "discharged_at"},
	{"a discharge whose window has ended", NULL, NULL, NULL, "2025-10-01", "2026-04-02",
	 "discharged_at"},
	{"a discharge tomorrow is accepted", NULL, "09:00", "11:30", "2026-04-02", "2026-04-01",
	 NULL},
	{"a discharge whose window ends today is accepted", "0101801234", NULL, NULL,
	 "2025-10-01", "2026-04-01", NULL},
};

static void test_discharge_validation(void **state)
{
	struct fx *fx = *state;
	struct course_created cr;
	int failures = 0, rc;

	for (size_t i = 0; i < nitems(discharge_cases); i++) {
		const char *name = discharge_cases[i].name, *want = discharge_cases[i].want_field;
		struct discharge d = fx_notification("n", "A", discharge_cases[i].cpr,
						     "+4522345678", discharge_cases[i].discharge);

		fx_reset(fx);
		fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
		d.call_from_text = discharge_cases[i].from;
		d.call_to_text = discharge_cases[i].to;
		fx_on(fx, discharge_cases[i].today);
		fx_check(fx, &d);
		fx_begin(fx);
		rc = course_create(fx->courses, &fx->op, &d, &cr, &fx->err);
		fx_commit(fx);
		if (want == NULL && rc != 0)
			CASE_FAIL(name, "refused: %s: %s", fx->err.field, fx->err.message);
		if (want != NULL && (rc != -1 || fx->err.kind != ERROR_INVALID ||
				     strcmp(fx->err.field, want) != 0))
			CASE_FAIL(name, "rc %d kind %d field \"%s\"", rc, fx->err.kind, fx->err.field);
		if (fx_int(fx, "SELECT count(*) FROM courses", 0) != (want == NULL))
			CASE_FAIL(name, "wrong number of courses stored");
	}
	fx_done(failures);
}

/* A discharge that did not pass discharge_check is never stored. */
static void test_unchecked_discharge_refused(void **state)
{
	struct fx *fx = *state;
	struct discharge d = fx_notification("n", "A", NULL, "+4522345678", "2026-04-01");
	struct course_created cr;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	fx_on(fx, "2026-04-01");
	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 0);
}

/* The same notification again gives the first reply back; other content
 * under the same id is a conflict and changes nothing. */
static void test_notification_repeated(void **state)
{
	struct fx *fx = *state;
	struct discharge d = fx_notification("medcom-42", "Jens Hansen", "0101801234",
					     "+4522345678", "2026-04-01");
	struct course_created first, again;

	d.consent_given_at = fx_day("2026-03-30");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	fx_on(fx, "2026-04-01");
	fx_check(fx, &d);
	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &first, &fx->err), 0);
	assert_false(first.existing);
	fx_commit(fx);
	/* The first contact has happened by the time the ward resends. */
	assert_int_equal(fx_outcome(fx, first.course_id, CALL_REACHED, "2026-04-07", NULL), 0);
	fx_on(fx, "2026-04-08");
	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), 0);
	assert_true(again.existing);
	assert_int_equal(again.course_id, first.course_id);
	assert_int_equal(again.mentor_id, first.mentor_id);
	assert_int_equal(again.first_call_id, first.first_call_id);
	assert_int_equal(again.first_call_due, fx_day("2026-04-07"));
	assert_int_equal(again.window_end, first.window_end);
	d.phone_text = "+4522345679";
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	assert_string_equal(fx->err.field, "notification_id");
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE kind = 'discharge'", 0),
			 1);
}

/* Idempotency comes before timeliness: the same notification resent after
 * its window ended is still the first reply; other content is still a
 * conflict; only a new notification must be timely. */
static void test_notification_repeated_after_window(void **state)
{
	struct fx *fx = *state;
	struct discharge d = fx_notification("medcom-43", "Jens Hansen", NULL, "+4522345678",
					     "2026-04-01T08:00:00Z");
	struct course_created first, again;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	fx_on(fx, "2026-04-01");
	fx_check(fx, &d);
	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &first, &fx->err), 0);
	fx_commit(fx);
	/* The window ended on 1 Oct. */
	fx_on(fx, "2026-10-03");
	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), 0);
	assert_true(again.existing);
	assert_int_equal(again.course_id, first.course_id);
	assert_int_equal(again.first_call_due, first.first_call_due);
	assert_int_equal(again.window_end, fx_day("2026-10-01"));
	d.phone_text = "+4522345679";
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	d.notification_id = "medcom-44";
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	assert_string_equal(fx->err.field, "discharged_at");
	assert_string_equal(fx->err.message,
			    "is older than the 6-month window: the course has already ended");
	/* One day ahead holds to the second when the instant is known. */
	d.discharged_at = fx->op.now + 24 * 60 * 60 + 1;
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	assert_string_equal(fx->err.field, "discharged_at");
	assert_string_equal(fx->err.message, "must not be more than one day in the future");
	d.discharged_at--;
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &again, &fx->err), 0);
	assert_false(again.existing);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 2);
}

/* ------------------------------------------------------------------------ */

static int64_t discharge_n(struct fx *fx, int n, const char *on)
{
	char id[32], phone[32];

	snprintf(id, sizeof id, "n-%d", n);
	snprintf(phone, sizeof phone, "+45200000%02d", n);
	return fx_discharge(fx, id, "Citizen", NULL, phone, on, on, NULL);
}

static int64_t mentor_of(struct fx *fx, int64_t course)
{
	return fx_int(fx, "SELECT mentor_id FROM courses WHERE id = ?1", course);
}

/* Least loaded first, ties to the lowest id, inactive mentors never, and
 * a course keeps its mentor when the loads change. */
static void test_mentor_assignment(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	struct mentor *m;
	int64_t a, b, c, course[6];

	fx_on(fx, "2026-04-01");
	a = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	b = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	c = fx_mentor(fx, "Carl", MENTOR_MONDAY_TO_FRIDAY);
	assert_int_equal(mentor_get(fx->mentors, c, &m, &fx->err), 0);
	m->active = false;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
	for (int i = 0; i < 4; i++)
		course[i] = discharge_n(fx, i, "2026-04-01");
	assert_int_equal(mentor_of(fx, course[0]), a); /* 0 and 0: lowest id */
	assert_int_equal(mentor_of(fx, course[1]), b); /* 1 and 0 */
	assert_int_equal(mentor_of(fx, course[2]), a); /* 1 and 1 */
	assert_int_equal(mentor_of(fx, course[3]), b); /* 2 and 1 */
	/* Ending two of Anna's courses makes her the least loaded; an ended
	 * course no longer counts. */
	fx_begin(fx);
	assert_int_equal(course_end(fx->courses, &fx->op, course[0], "moved", &r, &fx->err), 0);
	assert_int_equal(course_end(fx->courses, &fx->op, course[2], "moved", &r, &fx->err), 0);
	fx_commit(fx);
	course[4] = discharge_n(fx, 4, "2026-04-01");
	course[5] = discharge_n(fx, 5, "2026-04-01");
	assert_int_equal(mentor_of(fx, course[4]), a); /* 0 and 2 */
	assert_int_equal(mentor_of(fx, course[5]), a); /* 1 and 2 */
	assert_int_equal(mentor_of(fx, course[1]), b); /* sticky */
	assert_int_equal(mentor_of(fx, course[3]), b);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE mentor_id = ?1", c), 0);
}

/* doc/scheduling.md: a new course never goes to a mentor who does not
 * work, or is away, on its first call's due date; a course that replaces
 * another keeps that one's mentor while the mentor is active. */
static void test_assignment_rules(void **state)
{
	struct fx *fx = *state;
	struct mentor *m;
	int64_t a, b, c, first, second, third, other;

	fx_on(fx, "2026-09-02");
	/* Anna is the least loaded but does not work Thursdays; the first
	 * call of a discharge on Wednesday 2 September is due Thursday 3 September. */
	a = fx_mentor(fx, "Anna", MENTOR_WEEKDAY(1) | MENTOR_WEEKDAY(2) | MENTOR_WEEKDAY(3));
	b = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	c = fx_mentor(fx, "Carl", MENTOR_MONDAY_TO_FRIDAY);
	first = fx_discharge(fx, "n-1", "Jens", "0101801234", "+4522345678", "2026-09-02",
			     "2026-09-02", NULL);
	assert_int_equal(mentor_of(fx, first), b);
	/* Carl is away on 8 September, the first call of a discharge on the 7th. */
	assert_int_equal(mentor_get(fx->mentors, c, &m, &fx->err), 0);
	struct mentor_absence away = {fx_day("2026-09-08"), fx_day("2026-09-08")};
	m->absences = malloc(sizeof away);
	m->absences[0] = away;
	m->nabsences = 1;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
	other = fx_discharge(fx, "n-9", "Eva", NULL, "+4522345699", "2026-09-07", "2026-09-07",
			     NULL);
	assert_int_equal(mentor_of(fx, other), a); /* Tuesday: Anna works, 0 courses */
	/* Jens discharged again: Bo stays his mentor, though Anna and Carl
	 * carry fewer courses. */
	second = fx_discharge(fx, "n-2", "Jens", "0101801234", "+4522345678", "2026-09-14",
			      "2026-09-14", NULL);
	assert_int_equal(mentor_of(fx, second), b);
	/* Bo leaves: the next course of Jens goes by the rules again. */
	assert_int_equal(mentor_get(fx->mentors, b, &m, &fx->err), 0);
	m->active = false;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
	third = fx_discharge(fx, "n-3", "Jens", "0101801234", "+4522345678", "2026-09-16",
			     "2026-09-16", NULL);
	assert_int_equal(mentor_of(fx, third), c); /* Thursday 17th: Anna does not work */
	/* Nobody at work on the first call's day: no mentor, the coordinator
	 * assigns one; the log says why. */
	assert_int_equal(mentor_get(fx->mentors, c, &m, &fx->err), 0);
	m->active = false;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
	other = fx_discharge(fx, "n-4", "Per", NULL, "+4522345688", "2026-09-16", "2026-09-16",
			     NULL);
	assert_int_equal(mentor_of(fx, other), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'mentor_unassigned'"
				    " AND json_extract(details, '$.reason') = 'no mentor available'",
				other),
			 1);
}

/* A coordinator assigns the course later: unknown and inactive mentors are
 * refused on "mentor_id" and change nothing; the load trigger counts the
 * course for the mentor it goes to and no longer for the one it leaves. */
static void assign_mentor(struct fx *fx, int64_t course)
{
	const char *load = "SELECT active_courses FROM mentors WHERE id = ?1";
	struct mentor *m;
	int64_t a, b;

	a = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	b = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	assert_int_equal(mentor_get(fx->mentors, b, &m, &fx->err), 0);
	m->active = false;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	assert_int_equal(course_set_mentor(fx->courses, &fx->op, course, b, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_INVALID);
	assert_string_equal(fx->err.field, "mentor_id");
	assert_int_equal(course_set_mentor(fx->courses, &fx->op, course, 999, &fx->err), -1);
	assert_string_equal(fx->err.field, "mentor_id");
	assert_int_equal(mentor_of(fx, course), 0);
	assert_int_equal(course_set_mentor(fx->courses, &fx->op, course, a, &fx->err), 0);
	m->active = true;
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	fx_commit(fx);
	mentor_free(m);
	assert_int_equal(mentor_of(fx, course), a);
	assert_int_equal(fx_int(fx, load, a), 1);
	fx_begin(fx);
	assert_int_equal(course_set_mentor(fx->courses, &fx->op, course, b, &fx->err), 0);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, load, a), 0);
	assert_int_equal(fx_int(fx, load, b), 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'mentor_assigned'",
				course),
			 2);
}

static void test_no_mentor(void **state)
{
	struct fx *fx = *state;
	struct course_created cr;
	int64_t course;

	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-04-01", "2026-04-01",
			      &cr);
	assert_int_equal(cr.mentor_id, 0);
	assert_int_equal(mentor_of(fx, course), 0);
	assert_int_not_equal(fx_pending(fx, course), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'mentor_unassigned'",
				course),
			 1);
	assign_mentor(fx, course);
}

/* ------------------------------------------------------------------------ */

static const char *const good_topics[] = {"wellbeing", "treatment_plan", "network",
					  "other_support", "knows_where_to_get_help",
					  "interests", "offers_advice", "peer_contact",
					  "callback_wish"};
static const char *const bad_topics[] = {"wellbeing", "diagnosis"};
static const char *const empty_topic[] = {""};
static char long_note[CALL_MAX_NOTE + 2];

static const struct {
	const char *name;
	struct call_outcome o;
	int64_t call_offset; /* added to the pending call's id */
	int want_kind;
	const char *want_field;
} outcome_cases[] = {
	{"every topic of section 4 is accepted",
	 {.result = CALL_REACHED, .duration_minutes = 25, .topics = good_topics, .ntopics = 9},
	 0, 0, NULL},
	{"an unknown topic", {.result = CALL_REACHED, .duration_minutes = -1, .topics = bad_topics,
			      .ntopics = 2},
	 0, ERROR_INVALID, "topics"},
	{"an empty topic", {.result = CALL_REACHED, .duration_minutes = -1, .topics = empty_topic,
			    .ntopics = 1},
	 0, ERROR_INVALID, "topics"},
	{"a 601-minute call", {.result = CALL_REACHED, .duration_minutes = 601}, 0, ERROR_INVALID,
	 "duration_minutes"},
	{"a negative duration", {.result = CALL_REACHED, .duration_minutes = -5}, 0,
	 ERROR_INVALID, "duration_minutes"},
	{"ending without a reason", {.result = CALL_REACHED, .duration_minutes = -1,
				     .next = CALL_NEXT_END},
	 0, ERROR_INVALID, "next.reason"},
	{"a follow-up message after a wrong number",
	 {.result = CALL_WRONG_NUMBER, .duration_minutes = -1, .send_followup = true}, 0,
	 ERROR_INVALID, "send_followup"},
	{"a follow-up message after no answer: there was no conversation",
	 {.result = CALL_NO_ANSWER, .duration_minutes = -1, .send_followup = true}, 0,
	 ERROR_INVALID, "send_followup"},
	{"a follow-up message after a declined call",
	 {.result = CALL_DECLINED, .duration_minutes = -1, .send_followup = true}, 0, 0, NULL},
	{"an unknown result", {.result = (enum call_result)9, .duration_minutes = -1}, 0,
	 ERROR_INVALID, "result"},
	{"a note that is too long", {.result = CALL_REACHED, .duration_minutes = -1,
				     .note = long_note},
	 0, ERROR_INVALID, "note"},
	{"an unknown call", {.result = CALL_REACHED, .duration_minutes = -1}, 1000,
	 ERROR_NOT_FOUND, ""},
};

static void test_outcome_validation(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	int failures = 0, rc;
	int64_t course, call;

	memset(long_note, 'x', sizeof long_note - 1);
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	for (size_t i = 0; i < nitems(outcome_cases); i++) {
		struct call_outcome o = outcome_cases[i].o;
		const char *name = outcome_cases[i].name, *want = outcome_cases[i].want_field;
		char id[32], phone[32];

		snprintf(id, sizeof id, "n-%zu", i);
		snprintf(phone, sizeof phone, "+45300000%02zu", i);
		course = fx_discharge(fx, id, "Jens", NULL, phone, "2026-04-01", "2026-04-01",
				      NULL);
		call = fx_pending(fx, course) + outcome_cases[i].call_offset;
		o.next_date = CAL_NO_DAY;
		fx_on(fx, "2026-04-07");
		fx_begin(fx);
		rc = course_record_outcome(fx->courses, &fx->op, call, &o, &r, &fx->err);
		fx_commit(fx);
		if (want == NULL && rc != 0)
			CASE_FAIL(name, "refused: %s", fx->err.message);
		if (want != NULL && (rc != -1 ||
				     fx->err.kind != (enum error_kind)outcome_cases[i].want_kind ||
				     strcmp(fx->err.field, want) != 0))
			CASE_FAIL(name, "rc %d kind %d field \"%s\"", rc, fx->err.kind, fx->err.field);
		if (want != NULL && fx_int(fx, "SELECT count(*) FROM calls WHERE course_id = ?1"
					       " AND state = 'done'",
					   course) != 0)
			CASE_FAIL(name, "refused but recorded");
	}
	fx_done(failures);
}

/* send_followup queues a followup message with the offers and the next
 * agreed call, in the outcome's transaction. */
static void test_followup_message(void **state)
{
	struct fx *fx = *state;
	static const int64_t offers[] = {3, 7};
	struct call_outcome o = {.result = CALL_REACHED, .duration_minutes = 20, .offers = offers,
				 .noffers = 2, .send_followup = true, .next_date = fx_day("2026-04-20"),
				 .next_topic = "job centre meeting"};
	struct course_result r;
	char buf[128];
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens Hansen", "0101801234", "+4522345678", "2026-04-01",
			      "2026-04-01", NULL);
	fx_on(fx, "2026-04-07");
	fx_begin(fx);
	assert_int_equal(course_record_outcome(fx->courses, &fx->op, fx_pending(fx, course), &o,
					       &r, &fx->err),
			 0);
	fx_commit(fx);
	assert_int_equal(r.next_call_due, fx_day("2026-04-20"));
	assert_string_equal(fx_text(fx,
				    "SELECT kind || ' ' || type || ' ' || state || ' ' ||"
				    " json_extract(payload, '$.offers') || ' ' ||"
				    " json_extract(payload, '$.next_call.date') || ' ' ||"
				    " json_extract(payload, '$.next_call.topic') || ' ' ||"
				    " json_extract(payload, '$.recipient.cpr')"
				    " FROM outbox WHERE course_id = ?1",
				    course, buf, sizeof buf),
			    "message followup pending [3,7] 2026-04-20 job centre meeting 0101801234");
	assert_string_equal(fx_text(fx, "SELECT offers || ' ' || duration_minutes FROM calls"
					" WHERE course_id = ?1 AND state = 'done'",
				    course, buf, sizeof buf),
			    "[3,7] 20");
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'message'",
				course),
			 1);
}

/* course_list_calls returns every call, oldest first, with what the
 * outcome recorded: the note is nowhere else to be read back. */
static void test_list_calls(void **state)
{
	struct fx *fx = *state;
	static const char *const topics[] = {"wellbeing", "network"};
	static const int64_t offers[] = {3};
	struct call_outcome o = {.result = CALL_REACHED, .duration_minutes = 20, .topics = topics,
				 .ntopics = 2, .note = "Sover skidt.\nRinger i morgen.",
				 .offers = offers, .noffers = 1, .next_date = fx_day("2026-04-20"),
				 .next_topic = "job centre meeting"};
	struct call_entry *calls;
	struct course_result r;
	size_t n;
	int64_t course, first;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens Hansen", NULL, "+4522345678", "2026-04-01",
			      "2026-04-01", NULL);
	first = fx_pending(fx, course);
	fx_on(fx, "2026-04-07");
	fx_begin(fx);
	assert_int_equal(course_record_outcome(fx->courses, &fx->op, first, &o, &r, &fx->err), 0);
	fx_commit(fx);
	assert_int_equal(course_list_calls(fx->courses, course, &calls, &n, &fx->err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(calls[0].call.id, first);
	assert_int_equal(calls[0].call.state, CALL_DONE);
	assert_true(calls[0].call.has_result && calls[0].call.result == CALL_REACHED);
	assert_int_equal(calls[0].call.call_date, fx_day("2026-04-07"));
	assert_int_equal(calls[0].duration_minutes, 20);
	assert_string_equal(calls[0].topics, "[\"wellbeing\",\"network\"]");
	assert_string_equal(calls[0].offers, "[3]");
	assert_string_equal(calls[0].note, o.note);
	assert_int_equal(calls[1].call.id, r.next_call_id);
	assert_int_equal(calls[1].call.state, CALL_PENDING);
	assert_false(calls[1].call.has_result);
	assert_string_equal(calls[1].call.agreed_topic, "job centre meeting");
	assert_int_equal(calls[1].duration_minutes, -1);
	assert_null(calls[1].topics);
	assert_null(calls[1].offers);
	assert_null(calls[1].note);
	call_entries_free(calls, n);

	/* Another course's calls are not listed; a course without any has none. */
	assert_int_equal(course_list_calls(fx->courses, course + 100, &calls, &n, &fx->err), 0);
	assert_int_equal(n, 0);
	assert_null(calls);
}

/* The followup's next call (the message's action) is the one agreed in
 * the conversation: the next plan step when the course continues without
 * a date, none when it ends or the citizen declines. */
static void test_followup_next_call(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *name;
		struct call_outcome o;
		const char *want; /* the payload's next_call as JSON */
	} cases[] = {
		{"reached, continuing by the plan",
		 {.result = CALL_REACHED, .duration_minutes = -1, .send_followup = true},
		 "{\"date\":\"2026-04-15\"}"},
		{"reached, the course ends",
		 {.result = CALL_REACHED, .duration_minutes = -1, .send_followup = true,
		  .next = CALL_NEXT_END, .end_reason = "knows where to get help"},
		 "null"},
		{"declined",
		 {.result = CALL_DECLINED, .duration_minutes = -1, .send_followup = true}, "null"},
	};
	struct course_result r;
	char buf[128], id[32], phone[32];
	int failures = 0;
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct call_outcome o = cases[i].o;

		snprintf(id, sizeof id, "n-%zu", i);
		snprintf(phone, sizeof phone, "+45400000%02zu", i);
		course = fx_discharge(fx, id, "Jens", NULL, phone, "2026-04-01", "2026-04-01",
				      NULL);
		o.next_date = CAL_NO_DAY;
		fx_on(fx, "2026-04-07");
		fx_begin(fx);
		if (course_record_outcome(fx->courses, &fx->op, fx_pending(fx, course), &o, &r,
					  &fx->err) != 0)
			CASE_FAIL(cases[i].name, "refused: %s", fx->err.message);
		fx_commit(fx);
		fx_text(fx,
			"SELECT coalesce(json_extract(payload, '$.next_call'), 'null') FROM outbox"
			" WHERE course_id = ?1 AND type = 'followup'",
			course, buf, sizeof buf);
		if (strcmp(buf, cases[i].want) != 0)
			CASE_FAIL(cases[i].name, "next_call %s, want %s", buf, cases[i].want);
	}
	fx_done(failures);
}

/* A late notification's first call is overdue and stays so (it heads
 * today's queue), but the welcome never promises a day gone by: received
 * on Saturday 11 Apr, it promises Monday 13 Apr. */
static void test_welcome_late_notification(void **state)
{
	struct fx *fx = *state;
	struct course_created cr;
	char buf[64];
	int64_t course;

	fx->op.messages |= COURSE_MSG_WELCOME;
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-03-02", "2026-04-11",
			      &cr);
	assert_int_equal(cr.first_call_due, fx_day("2026-03-03"));
	assert_string_equal(fx_text(fx,
				    "SELECT json_extract(payload, '$.next_call.date') FROM outbox"
				    " WHERE course_id = ?1 AND type = 'welcome'",
				    course, buf, sizeof buf),
			    "2026-04-13");
}

/* With the unreached and closing messages switched off nothing reaches
 * the outbox, but the log still says what happened. */
static void test_messages_disabled(void **state)
{
	struct fx *fx = *state;
	int64_t course;

	fx->op.messages = 0;
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-04-01", "2026-04-01",
			      NULL);
	assert_int_equal(fx_outcome(fx, course, CALL_NO_ANSWER, "2026-04-07", NULL), 0);
	assert_int_equal(fx_outcome(fx, course, CALL_NO_ANSWER, "2026-04-08", NULL), 0);
	assert_int_equal(fx_outcome(fx, course, CALL_NO_ANSWER, "2026-04-09", NULL), 0);
	assert_int_equal(fx_outcome(fx, course, CALL_DECLINED, "2026-04-15", NULL), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox", 0), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE kind = 'unreached'", 0),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE kind = 'ended'", 0), 1);
}

static void test_wrong_number(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	char buf[64];
	int64_t course;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-04-01", "2026-04-01",
			      NULL);
	assert_int_equal(fx_outcome(fx, course, CALL_WRONG_NUMBER, "2026-04-07", &r), 0);
	assert_true(r.flagged);
	assert_int_equal(r.next_call_id, 0);
	assert_string_equal(fx_text(fx, "SELECT flag || ' ' || state FROM courses WHERE id = ?1",
				    course, buf, sizeof buf),
			    "wrong_number active");
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE kind = 'flagged'", 0),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox", 0), 0);
}

/* ------------------------------------------------------------------------ */

/* The timeline records every transition in order, and the schema refuses
 * to change or remove an entry. */
static void test_log(void **state)
{
	struct fx *fx = *state;
	struct course_log_entry *e;
	char *all = NULL, *p;
	size_t n, len = 0;
	int64_t course;
	char *cause = NULL;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-04-01", "2026-04-01",
			      NULL);
	assert_int_equal(fx_outcome(fx, course, CALL_DECLINED, "2026-04-07", NULL), 0);
	assert_int_equal(course_log_list(fx->log, course, &e, &n, &fx->err), 0);
	for (size_t i = 0; i < n; i++) {
		all = realloc(all, len + strlen(e[i].kind) + 2);
		p = all + len;
		len += (size_t)sprintf(p, "%s%s", i ? "," : "", e[i].kind);
		assert_string_equal(e[i].author, "mentor:1");
		assert_true(e[i].details[0] == '{');
	}
	assert_string_equal(all, "discharge,mentor_assigned,call_scheduled,outcome,ended,message");
	assert_true(e[0].at == fx_instant("2026-04-01") && e[n - 1].at == fx_instant("2026-04-07"));
	free(all);
	course_log_entries_free(e, n);
	assert_int_equal(sql_exec(store_db(fx->store), "UPDATE course_log SET author = 'x'", &cause),
			 -1);
	assert_non_null(strstr(cause, "append-only"));
	free(cause);
	cause = NULL;
	assert_int_equal(sql_exec(store_db(fx->store), "DELETE FROM course_log", &cause), -1);
	assert_non_null(strstr(cause, "append-only"));
	free(cause);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log", 0), 6);
}

/* Operations never commit: without the caller's transaction they refuse,
 * and a refused operation inside one keeps the work before it. */
static void test_transactions(void **state)
{
	struct fx *fx = *state;
	struct discharge d = fx_notification("n-1", "Jens", NULL, "+4522345678", "2026-04-01");
	struct course_created cr;
	size_t closed;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	fx_on(fx, "2026-04-01");
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_STORE);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_STORE);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 0);

	fx_begin(fx);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), 0);
	d.notification_id = "n-2";
	d.phone_text = "+4522345679";
	d.discharged_at = fx_instant("2026-04-05");
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), -1);
	d.notification_id = "n-3";
	d.discharged_at = fx_instant("2026-03-31");
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), 0);
	/* Still inside the transaction: nothing was committed by the calls. */
	assert_int_equal(sqlite3_get_autocommit(store_db(fx->store)), 0);
	store_rollback(fx->store);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 0);

	fx_begin(fx);
	d.notification_id = "n-4";
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), 0);
	d.notification_id = "n-5";
	d.discharged_at = fx_instant("2026-04-05");
	fx_check(fx, &d);
	assert_int_equal(course_create(fx->courses, &fx->op, &d, &cr, &fx->err), -1);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses", 0), 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls", 0), 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log", 0), 3);
}

/* The schema itself refuses a second pending call for a course. */
static void test_one_pending_call(void **state)
{
	struct fx *fx = *state;
	char *cause = NULL;
	int64_t course;

	course = fx_discharge(fx, "n", "Jens", NULL, "+4522345678", "2026-04-01", "2026-04-01",
			      NULL);
	assert_int_not_equal(fx_pending(fx, course), 0);
	assert_int_equal(sql_exec(store_db(fx->store),
				    "INSERT INTO calls (course_id, reason, attempt, due_date,"
				    " created_at) SELECT course_id, 'retry', 2, '2026-04-08', 0"
				    " FROM calls",
				    &cause),
			 -1);
	assert_non_null(strstr(cause, "UNIQUE"));
	free(cause);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls", 0), 1);
}

/* The close job closes only expired courses, cancels their calls and
 * sends the closing message only to those still active. */
static void test_close_expired(void **state)
{
	struct fx *fx = *state;
	int64_t active, ended, young;
	size_t closed;

	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	active = fx_discharge(fx, "a", "A", NULL, "+4520000001", "2026-04-01", "2026-04-01", NULL);
	ended = fx_discharge(fx, "b", "B", NULL, "+4520000002", "2026-03-31", "2026-04-01", NULL);
	young = fx_discharge(fx, "c", "C", NULL, "+4520000003", "2026-04-02", "2026-04-02", NULL);
	assert_int_equal(fx_outcome(fx, ended, CALL_DECLINED, "2026-04-07", NULL), 0);
	fx_on(fx, "2026-10-02");
	fx_begin(fx);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
	fx_commit(fx);
	assert_int_equal(closed, 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'"
				    " AND state_reason = 'window_end' AND id IN (?1, ?1 + 1)",
				active),
			 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls WHERE state = 'cancelled'", 0), 1);
	assert_int_not_equal(fx_pending(fx, young), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'closing'"
				    " AND course_id = ?1",
				active),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'closing'", 0), 2);
	fx_begin(fx);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
	fx_commit(fx);
	assert_int_equal(closed, 0);
}

static const struct {
	const char *name;
	const char *state;
	int mentor; /* 1 or 2, 0: any */
	const char *want; /* course ids, or NULL: refused */
	int64_t after;    /* 0: from the first */
	size_t limit;     /* 0: 10 */
} list_cases[] = {
	{"every course", NULL, 0, "1,2,3", 0, 0},
	{"active courses", "active", 0, "1,3", 0, 0},
	{"ended courses", "ended", 0, "2", 0, 0},
	{"closed courses: none yet", "closed", 0, "", 0, 0},
	{"the first mentor's courses", NULL, 1, "1,3", 0, 0},
	{"the second mentor's active courses", "active", 2, "", 0, 0},
	{"an unknown state", "open", 0, NULL, 0, 0},
	{"the first page of two", NULL, 0, "1,2", 0, 2},
	{"the page after course 2", NULL, 0, "3", 2, 2},
	{"active courses after course 1", "active", 0, "3", 1, 0},
	{"nothing after the last", NULL, 0, "", 3, 0},
	{"a limit of one", "active", 1, "1", 0, 1},
};

/* GET /v1/courses?state=&mentor=&after=&limit= */
static void test_course_list(void **state)
{
	struct fx *fx = *state;
	struct course *list;
	char got[64];
	size_t n, len;
	int failures = 0;

	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	fx_discharge(fx, "a", "A", NULL, "+4520000001", "2026-04-01", "2026-04-01", NULL);
	fx_discharge(fx, "b", "B", NULL, "+4520000002", "2026-04-01", "2026-04-01", NULL);
	fx_discharge(fx, "c", "C", "0101801234", "+4520000003", "2026-04-01", "2026-04-01", NULL);
	assert_int_equal(fx_outcome(fx, 2, CALL_DECLINED, "2026-04-07", NULL), 0);
	for (size_t i = 0; i < nitems(list_cases); i++) {
		int64_t mentor = list_cases[i].mentor;

		struct course_filter f = {.state = list_cases[i].state, .mentor_id = mentor,
					  .after = list_cases[i].after,
					  .limit = list_cases[i].limit ? list_cases[i].limit : 10};

		if (course_list(fx->courses, &f, &list, &n, &fx->err) != 0) {
			if (list_cases[i].want != NULL || fx->err.kind != ERROR_INVALID)
				CASE_FAIL(list_cases[i].name, "refused: %s", fx->err.message);
			continue;
		}
		len = 0;
		got[0] = '\0';
		for (size_t k = 0; k < n; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%lld", k ? "," : "",
						(long long)list[k].id);
		if (list_cases[i].want == NULL || strcmp(got, list_cases[i].want) != 0)
			CASE_FAIL(list_cases[i].name, "got \"%s\"", got);
		if (n > 0 && list[n - 1].id == 3 && strcmp(list[n - 1].cpr, "0101801234") != 0)
			CASE_FAIL(list_cases[i].name, "course 3 read back wrongly");
		course_list_free(list, n);
	}
	fx_done(failures);
}

static void test_error_status(void **state)
{
	(void)state;
	assert_int_equal(error_status(ERROR_NOT_FOUND), 404);
	assert_int_equal(error_status(ERROR_CONFLICT), 409);
	assert_int_equal(error_status(ERROR_INVALID), 422);
	assert_int_equal(error_status(ERROR_STORE), 500);
	assert_int_equal(error_status(ERROR_NONE), 200);
}

/* ------------------------------------------------------------------------ */

/* Property test: many courses with random discharge dates and random
 * sequences of outcomes, resumes, ends and contacts. Whatever happens,
 * no course ever has two pending calls, and no call is ever due after its
 * course's window or on a day that is not a working day. A deterministic
 * PRNG keeps failures reproducible. */

#define PROP_COURSES 500
#define PROP_SEED 0x6d656e746f72ULL

static uint64_t prng_state;

static uint32_t prng(void)
{
	/* xorshift64*: small, fast and good enough to pick test cases. */
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return (uint32_t)((prng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static int prng_below(int n)
{
	return (int)(prng() % (uint32_t)n);
}

struct prop_counts {
	int outcomes, retries, unreached, agreed, refused, resumed, ended, wrong, contacts;
};

static void prop_check_course(struct fx *fx, int64_t course)
{
	sqlite3_stmt *s;
	cal_day due, end;

	if (fx_int(fx, "SELECT count(*) FROM calls WHERE course_id = ?1 AND state = 'pending'",
		   course) > 1)
		fail_msg("course %lld has two pending calls", (long long)course);
	end = fx_day(NULL);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->store),
					    "SELECT k.due_date, c.window_end FROM calls k"
					    " JOIN courses c ON c.id = k.course_id"
					    " WHERE k.course_id = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, course);
	while (sqlite3_step(s) == SQLITE_ROW) {
		due = fx_day((const char *)sqlite3_column_text(s, 0));
		end = fx_day((const char *)sqlite3_column_text(s, 1));
		if (due > end)
			fail_msg("course %lld: a call due after the window", (long long)course);
		if (cal_weekday(due) > 5 || !cal_is_working_day(&fx->rules.closures, due))
			fail_msg("course %lld: a call due on a non-working day", (long long)course);
	}
	sqlite3_finalize(s);
}

static void prop_set_today(struct fx *fx, cal_day day)
{
	fx->op.now = (time_t)day * 86400 + 12 * 3600;
}

/* One outcome for the pending call, recorded on its due date or a little
 * later. Returns the day it was recorded. */
static cal_day prop_outcome(struct fx *fx, int64_t course, cal_day due, struct prop_counts *n)
{
	struct call_outcome o = {.duration_minutes = -1, .next_date = CAL_NO_DAY};
	struct course_result r;
	int64_t call = fx_pending(fx, course);
	cal_day today = due + prng_below(3);
	int pick = prng_below(100), rc;

	prop_set_today(fx, today);
	o.result = pick < 55 ? CALL_REACHED : pick < 88 ? CALL_NO_ANSWER
					  : pick < 91 ? CALL_WRONG_NUMBER
						      : CALL_DECLINED;
	if (o.result == CALL_REACHED && prng_below(3) == 0)
		o.next_date = today + 1 + prng_below(90);
	if (o.result == CALL_REACHED && prng_below(20) == 0) {
		o.next = CALL_NEXT_END;
		o.end_reason = "random end";
	}
	rc = course_record_outcome(fx->courses, &fx->op, call, &o, &r, &fx->err);
	if (rc != 0) {
		/* Only an agreed date outside the window may be refused, and
		 * then the call is still pending, untouched. */
		if (fx->err.kind != ERROR_INVALID || o.next_date == CAL_NO_DAY ||
		    fx_pending(fx, course) != call)
			fail_msg("course %lld: outcome refused: %s", (long long)course,
				 fx->err.message);
		n->refused++;
		o.next_date = CAL_NO_DAY;
		rc = course_record_outcome(fx->courses, &fx->op, call, &o, &r, &fx->err);
		assert_int_equal(rc, 0);
	}
	n->outcomes++;
	n->retries += r.next_reason == SCHEDULE_RETRY && r.next_call_id != 0;
	n->unreached += r.unreached;
	n->agreed += r.next_reason == SCHEDULE_AGREED && r.next_call_id != 0;
	n->wrong += o.result == CALL_WRONG_NUMBER;
	return today;
}

/* Resume, contact or end at some random later day; refusals are fine
 * (after the window, or the wrong state) but must be typed. */
static cal_day prop_other(struct fx *fx, int64_t course, cal_day today, struct prop_counts *n)
{
	struct course_result r;
	int pick = prng_below(3), rc;

	today += 1 + prng_below(40);
	prop_set_today(fx, today);
	if (pick == 0)
		rc = course_resume(fx->courses, &fx->op, course, CAL_NO_DAY, NULL, &r, &fx->err);
	else if (pick == 1)
		rc = course_contact(fx->courses, &fx->op, course, CAL_NO_DAY, NULL, &r, &fx->err);
	else
		rc = course_end(fx->courses, &fx->op, course, "random end", &r, &fx->err);
	if (rc != 0 && fx->err.kind != ERROR_CONFLICT)
		fail_msg("course %lld: %s", (long long)course, fx->err.message);
	n->resumed += rc == 0 && r.resumed;
	n->contacts += rc == 0 && pick == 1;
	n->ended += rc == 0 && pick == 2;
	return today;
}

static void prop_course(struct fx *fx, int i, struct prop_counts *n)
{
	cal_day first = fx_day("2023-01-01"), discharge, today, due;
	char id[32], phone[32], day[CAL_DATE_LEN], on[CAL_DATE_LEN];
	int64_t course, call;

	discharge = first + prng_below(6 * 365 + 1);
	today = discharge + prng_below(4);
	snprintf(id, sizeof id, "prop-%d", i);
	snprintf(phone, sizeof phone, "+4540%06d", i);
	fx_discharge(fx, id, "Citizen", NULL, phone, fx_fmt(discharge, day), fx_fmt(today, on),
		     NULL);
	course = fx_int(fx, "SELECT id FROM courses WHERE notification_id = 'prop-' || ?1", i);
	fx_begin(fx);
	for (int step = 0; step < 40; step++) {
		call = fx_pending(fx, course);
		due = fx_int(fx, "SELECT julianday(due_date) - 2440587.5 FROM calls WHERE id = ?1",
			     call);
		if (call != 0 && prng_below(10) != 0)
			today = prop_outcome(fx, course, due > today ? due : today, n);
		else
			today = prop_other(fx, course, today, n);
		prop_check_course(fx, course);
	}
	fx_commit(fx);
}

static void test_property_random_courses(void **state)
{
	struct fx *fx = *state;
	struct prop_counts n = {0};
	size_t closed;

	prng_state = PROP_SEED;
	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY);
	for (int i = 0; i < PROP_COURSES; i++)
		prop_course(fx, i, &n);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM (SELECT course_id FROM calls"
				    " WHERE state = 'pending' GROUP BY course_id HAVING count(*) > 1)",
				0),
			 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls k JOIN courses c"
				    " ON c.id = k.course_id WHERE k.due_date > c.window_end",
				0),
			 0);
	/* Every unreached contact queued its message, or (a phone found wrong,
	 * no CPR number) logged why it did not. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'unreached'", 0) +
				 fx_int(fx, "SELECT count(*) FROM course_log WHERE kind ="
					    " 'message_skipped' AND details ->> 'type' = 'unreached'",
					0),
			 fx_int(fx, "SELECT count(*) FROM course_log WHERE kind = 'unreached'", 0));
	/* Every course ends up closed once every window is over. */
	prop_set_today(fx, fx_day("2029-07-01"));
	fx_begin(fx);
	assert_int_equal(course_close_expired(fx->courses, &fx->op, &closed, &fx->err), 0);
	fx_commit(fx);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state <> 'closed'", 0), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls WHERE state = 'pending'", 0), 0);
	/* The generator must actually reach the interesting paths. */
	print_message("# outcomes %d retries %d unreached %d agreed %d refused %d resumed %d"
		      " ended %d wrong %d contacts %d\n",
		      n.outcomes, n.retries, n.unreached, n.agreed, n.refused, n.resumed, n.ended,
		      n.wrong, n.contacts);
	assert_true(n.outcomes > 2000 && n.retries > 200 && n.unreached > 20 && n.agreed > 200);
	assert_true(n.refused > 20 && n.resumed > 50 && n.ended > 50 && n.wrong > 20);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_scenarios),
		T(test_supersede),
		T(test_discharge_validation),
		T(test_unchecked_discharge_refused),
		T(test_notification_repeated),
		T(test_notification_repeated_after_window),
		T(test_mentor_assignment),
		T(test_no_mentor),
		T(test_assignment_rules),
		T(test_outcome_validation),
		T(test_followup_message),
		T(test_list_calls),
		T(test_followup_next_call),
		T(test_welcome_late_notification),
		T(test_messages_disabled),
		T(test_wrong_number),
		T(test_log),
		T(test_transactions),
		T(test_one_pending_call),
		T(test_close_expired),
		T(test_course_list),
		cmocka_unit_test(test_error_status),
		T(test_property_random_courses),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
