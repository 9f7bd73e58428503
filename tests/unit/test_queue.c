/*
 * test_queue.c - unit tests for queue.c and mentor.c: the daily queue's
 * content and order, routing around absent or off-duty mentors, and the
 * mentor records themselves, on a real SQLite file.
 *
 * Expected dates were worked out by hand and cross-checked with `date` and
 * an independent script (test_schedule.c lists the 2026 Easter holidays:
 * 2-6 Apr). The queue day of the ordering test is Wed 15 Apr 2026.
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

struct event {
	const char *on;
	enum call_result result;
	const char *topic; /* reached: next.topic */
};

struct queued_course {
	const char *label;
	const char *discharge;
	const char *from, *to; /* preferred call time */
	struct event events[3];
	/* the expected queue entry, if it is in the queue */
	const char *reason;
	int attempt;
	const char *due;
	int overdue_days;
	int days_since_discharge;
	const char *last_result; /* NULL: no last contact */
	const char *last_date;
	const char *topic;
};

/* Listed in creation order; want_order gives the queue's order. */
static const struct queued_course ordering[] = {
	{"C1 first contact 8 days overdue", "2026-04-01", NULL, NULL, {{NULL}}, "first_contact", 1,
	 "2026-04-07", 8, 14, NULL, NULL, NULL},
	{"C2 first contact 6 days overdue", "2026-04-08", NULL, NULL, {{NULL}}, "first_contact", 1,
	 "2026-04-09", 6, 7, NULL, NULL, NULL},
	{"C3 first contact 8 days overdue, preferred 09:00", "2026-04-06", "09:00", "10:00",
	 {{NULL}}, "first_contact", 1, "2026-04-07", 8, 9, NULL, NULL, NULL},
	{"C4 first contact, third attempt, due yesterday", "2026-04-09", NULL, NULL,
	 {{"2026-04-10", CALL_NO_ANSWER, NULL}, {"2026-04-13", CALL_NO_ANSWER, NULL}}, "retry", 3,
	 "2026-04-14", 1, 6, "no_answer", "2026-04-13", NULL},
	{"C5 follow-up 19 days overdue", "2026-03-20", NULL, NULL,
	 {{"2026-03-23", CALL_REACHED, NULL}}, "follow_up", 1, "2026-03-27", 19, 26, "reached",
	 "2026-03-23", NULL},
	{"C6 follow-up retry, second attempt", "2026-03-25", NULL, NULL,
	 {{"2026-03-26", CALL_REACHED, NULL}, {"2026-04-01", CALL_NO_ANSWER, NULL}}, "retry", 2,
	 "2026-04-07", 8, 21, "no_answer", "2026-04-01", NULL},
	{"C7 follow-up, preferred 08:00", "2026-03-31", "08:00", "09:00",
	 {{"2026-04-01", CALL_REACHED, NULL}}, "follow_up", 1, "2026-04-07", 8, 15, "reached",
	 "2026-04-01", NULL},
	{"C8 follow-up, no preferred time", "2026-03-31", NULL, NULL,
	 {{"2026-04-01", CALL_REACHED, NULL}}, "follow_up", 1, "2026-04-07", 8, 15, "reached",
	 "2026-04-01", NULL},
	{"C9 follow-up due today with a topic", "2026-04-01", NULL, NULL,
	 {{"2026-04-07", CALL_REACHED, "housing"}}, "follow_up", 1, "2026-04-15", 0, 14, "reached",
	 "2026-04-07", "housing"},
	{"C10 first contact due tomorrow: not yet", "2026-04-15", NULL, NULL, {{NULL}}, NULL, 0,
	 NULL, 0, 0, NULL, NULL, NULL},
	{"C11 declined: ended, nothing queued", "2026-04-01", NULL, NULL,
	 {{"2026-04-07", CALL_DECLINED, NULL}}, NULL, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const size_t want_order[] = {2, 0, 1, 3, 4, 5, 6, 7, 8};

static int64_t make_course(struct fx *fx, size_t i, const struct queued_course *q)
{
	struct course_created cr;
	char id[32], phone[32];

	snprintf(id, sizeof id, "n-%zu", i);
	snprintf(phone, sizeof phone, "+45600000%02zu", i);
	struct discharge d = fx_notification(id, q->label, NULL, phone, q->discharge);
	d.call_from_text = q->from;
	d.call_to_text = q->to;
	fx_on(fx, q->discharge);
	fx_check(fx, &d);
	fx_begin(fx);
	if (course_create(fx->courses, &fx->op, &d, &cr, &fx->err) != 0)
		fail_msg("%s: %s", q->label, fx->err.message);
	fx_commit(fx);
	return cr.course_id;
}

static void play(struct fx *fx, int64_t course, const struct event *e)
{
	struct call_outcome o = {.result = e->result, .duration_minutes = -1,
				 .next_date = CAL_NO_DAY, .next_topic = e->topic};
	struct course_result r;

	fx_on(fx, e->on);
	fx_begin(fx);
	if (course_record_outcome(fx->courses, &fx->op, fx_pending(fx, course), &o, &r,
				  &fx->err) != 0)
		fail_msg("outcome on %s: %s", e->on, fx->err.message);
	fx_commit(fx);
}

static int check_entry(const struct queue_entry *e, const struct queued_course *q,
		       int64_t course)
{
	char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
	const char *name = q->label;
	int failures = 0;

	if (e->course_id != course) {
		CASE_FAIL(name, "queue has course %lld here, want %lld", (long long)e->course_id,
			  (long long)course);
		return failures;
	}
	if (strcmp(schedule_reason_name(e->reason), q->reason) != 0 || e->attempt != q->attempt)
		CASE_FAIL(name, "%s attempt %d", schedule_reason_name(e->reason), e->attempt);
	if (e->due_date != fx_day(q->due) || e->overdue_days != q->overdue_days ||
	    e->days_since_discharge != q->days_since_discharge)
		CASE_FAIL(name, "due %s overdue %d since discharge %d", fx_fmt(e->due_date, a),
			  e->overdue_days, e->days_since_discharge);
	if (e->has_last_contact != (q->last_result != NULL) ||
	    (q->last_result != NULL && (strcmp(call_result_name(e->last_result), q->last_result) ||
					e->last_contact_date != fx_day(q->last_date))))
		CASE_FAIL(name, "last contact %d %s %s", e->has_last_contact,
			  call_result_name(e->last_result), fx_fmt(e->last_contact_date, b));
	if (strcmp(e->preferred_from, q->from ? q->from : "") != 0 ||
	    strcmp(e->preferred_to, q->to ? q->to : "") != 0)
		CASE_FAIL(name, "preferred \"%s\"-\"%s\"", e->preferred_from, e->preferred_to);
	if ((e->agreed_topic == NULL) != (q->topic == NULL) ||
	    (q->topic != NULL && strcmp(e->agreed_topic, q->topic) != 0))
		CASE_FAIL(name, "topic %s", e->agreed_topic ? e->agreed_topic : "(none)");
	if (strcmp(e->name, q->label) != 0 || strncmp(e->phone, "+45600000", 9) != 0)
		CASE_FAIL(name, "citizen %s %s", e->name, e->phone);
	return failures;
}

static void test_queue_order(void **state)
{
	struct fx *fx = *state;
	struct queue_list *list;
	int64_t mentor, course[nitems(ordering)];
	int failures = 0;

	fx_on(fx, "2026-03-01");
	mentor = fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	for (size_t i = 0; i < nitems(ordering); i++) {
		course[i] = make_course(fx, i, &ordering[i]);
		for (size_t k = 0; k < 3 && ordering[i].events[k].on != NULL; k++)
			play(fx, course[i], &ordering[i].events[k]);
	}
	assert_int_equal(queue_build(fx->queue, mentor, fx_day("2026-04-15"), &list, &fx->err), 0);
	assert_int_equal(list->mentor_id, mentor);
	assert_int_equal(list->date, fx_day("2026-04-15"));
	if (list->count != nitems(want_order))
		CASE_FAIL("the whole queue", "%zu entries, want %zu", list->count,
			  nitems(want_order));
	for (size_t k = 0; k < list->count && k < nitems(want_order); k++)
		failures += check_entry(&list->entries[k], &ordering[want_order[k]],
					course[want_order[k]]);
	queue_list_free(list);
	fx_done(failures);
}

/* A queue for a day before anything is due is empty, and one for a day
 * long after holds every pending call exactly once. */
static void test_queue_days(void **state)
{
	struct fx *fx = *state;
	struct queue_list *list;
	int64_t mentor, unknown;

	fx_on(fx, "2026-03-01");
	mentor = fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	for (size_t i = 0; i < 3; i++)
		make_course(fx, i, &ordering[i]);
	assert_int_equal(queue_build(fx->queue, mentor, fx_day("2026-04-06"), &list, &fx->err), 0);
	assert_int_equal(list->count, 0);
	queue_list_free(list);
	assert_int_equal(queue_build(fx->queue, mentor, fx_day("2026-04-07"), &list, &fx->err), 0);
	assert_int_equal(list->count, 2);
	queue_list_free(list);
	assert_int_equal(queue_build(fx->queue, mentor, fx_day("2026-06-01"), &list, &fx->err), 0);
	assert_int_equal(list->count, 3);
	assert_int_equal(list->entries[0].overdue_days, 55);
	queue_list_free(list);
	unknown = mentor + 10;
	assert_int_equal(queue_build(fx->queue, unknown, fx_day("2026-04-07"), &list, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_NOT_FOUND);
}

/* ------------------------------------------------------------------------ */

/* Anna (1) and Carl (3) work Monday to Friday, Bo (2) Monday to Thursday.
 * Four first contacts, all due Tue 14 Apr 2026, are assigned c1 Anna,
 * c2 Bo, c3 Carl, c4 Anna, so the loads are Anna 2, Bo 1, Carl 1. */
static const struct {
	const char *name;
	const char *day;
	const char *absent_from, *absent_to; /* Anna's absence */
	bool carl_inactive;
	const char *want[3]; /* each mentor's queue, as course numbers */
} routing_cases[] = {
	{"an ordinary Monday: everyone has their own calls", "2026-04-20", NULL, NULL, false,
	 {"1,4", "2", "3"}},
	{"Bo does not work Fridays: Carl, least loaded, takes his", "2026-04-17", NULL, NULL, false,
	 {"1,4", "", "2,3"}},
	{"Anna absent: Bo and Carl tie, the lower id takes hers", "2026-04-15", "2026-04-15",
	 "2026-04-16", false, {"", "1,2,4", "3"}},
	{"Anna absent, last day of the absence", "2026-04-16", "2026-04-15", "2026-04-16", false,
	 {"", "1,2,4", "3"}},
	{"Anna back the day after her absence", "2026-04-17", "2026-04-15", "2026-04-16", false,
	 {"1,4", "", "2,3"}},
	{"Anna absent on a Friday: Carl is the only one left", "2026-04-17", "2026-04-17",
	 "2026-04-17", false, {"", "", "1,2,3,4"}},
	{"a Saturday: nobody works, calls stay with their mentor", "2026-04-18", NULL, NULL, false,
	 {"1,4", "2", "3"}},
	{"Carl inactive: his calls go to Bo, the least loaded", "2026-04-15", NULL, NULL, true,
	 {"1,4", "2,3", ""}},
	{"Carl inactive and Anna absent: Bo takes everything", "2026-04-15", "2026-04-01",
	 "2026-04-30", true, {"", "1,2,3,4", ""}},
};

static void set_mentor(struct fx *fx, int64_t id, const char *from, const char *to, bool active)
{
	struct mentor_absence a = {fx_day(from), fx_day(to)};
	struct mentor *m;

	if (mentor_get(fx->mentors, id, &m, &fx->err) != 0)
		fail_msg("mentor_get: %s", fx->err.message);
	free(m->absences);
	m->absences = NULL;
	m->nabsences = 0;
	if (from != NULL) {
		m->absences = malloc(sizeof a);
		m->absences[0] = a;
		m->nabsences = 1;
	}
	m->active = active;
	fx_begin(fx);
	if (mentor_update(fx->mentors, m, &fx->err) != 0)
		fail_msg("mentor_update: %s", fx->err.message);
	fx_commit(fx);
	mentor_free(m);
}

/* The queue as "course numbers" (course ids are 1..4 here). */
static void queue_text(struct fx *fx, int64_t mentor, cal_day day, char *buf, size_t size)
{
	struct queue_list *list;
	size_t len = 0;

	buf[0] = '\0';
	if (queue_build(fx->queue, mentor, day, &list, &fx->err) != 0)
		fail_msg("queue_build: %s", fx->err.message);
	for (size_t i = 0; i < list->count && len + 24 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? "," : "",
					(long long)list->entries[i].course_id);
	queue_list_free(list);
}

static void test_routing(void **state)
{
	struct fx *fx = *state;
	char got[64];
	int failures = 0;
	int64_t m[3];

	for (size_t i = 0; i < nitems(routing_cases); i++) {
		const char *name = routing_cases[i].name;

		fx_reset(fx);
		fx_on(fx, "2026-04-01");
		m[0] = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
		m[1] = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY & ~MENTOR_WEEKDAY(5));
		m[2] = fx_mentor(fx, "Carl", MENTOR_MONDAY_TO_FRIDAY);
		for (int c = 1; c <= 4; c++) {
			char id[32], phone[32];

			snprintf(id, sizeof id, "n-%d", c);
			snprintf(phone, sizeof phone, "+457000000%d", c);
			fx_discharge(fx, id, "Citizen", NULL, phone, "2026-04-13", "2026-04-13",
				     NULL);
		}
		set_mentor(fx, m[0], routing_cases[i].absent_from, routing_cases[i].absent_to, true);
		if (routing_cases[i].carl_inactive)
			set_mentor(fx, m[2], NULL, NULL, false);
		for (int k = 0; k < 3; k++) {
			queue_text(fx, m[k], fx_day(routing_cases[i].day), got, sizeof got);
			if (strcmp(got, routing_cases[i].want[k]) != 0)
				CASE_FAIL(name, "mentor %d has \"%s\", want \"%s\"", k + 1, got,
					  routing_cases[i].want[k]);
		}
		/* Routing is for the day only: the assignment never moves. */
		if (fx_int(fx, "SELECT group_concat(mentor_id, '') FROM"
			       " (SELECT mentor_id FROM courses ORDER BY id)",
			   0) != 1231)
			CASE_FAIL(name, "the assignments changed");
	}
	fx_done(failures);
}

static void test_route_single_call(void **state)
{
	struct fx *fx = *state;
	int64_t a, b, routed;

	fx_on(fx, "2026-04-01");
	a = fx_mentor(fx, "Anna", MENTOR_WEEKDAY(1));
	b = fx_mentor(fx, "Bo", MENTOR_WEEKDAY(2));
	assert_int_equal(mentor_route(fx->mentors, a, fx_day("2026-04-13"), &routed, &fx->err), 0);
	assert_int_equal(routed, a);
	assert_int_equal(mentor_route(fx->mentors, a, fx_day("2026-04-14"), &routed, &fx->err), 0);
	assert_int_equal(routed, b);
	/* An unassigned course's call goes to whoever is available. */
	assert_int_equal(mentor_route(fx->mentors, 0, fx_day("2026-04-14"), &routed, &fx->err), 0);
	assert_int_equal(routed, b);
	assert_int_equal(mentor_route(fx->mentors, 0, fx_day("2026-04-15"), &routed, &fx->err), 0);
	assert_int_equal(routed, 0);
}

/* ------------------------------------------------------------------------ */

/*
 * A random world, checked against the definition: the queue of every
 * mentor on every day equals "every pending call of an active course due
 * by the day whose call mentor_route_pick gives to the mentor, in the
 * order of doc/scheduling.md", computed the plain way (every pending call
 * due, in SQL order, filtered by routing), which is what queue.c did
 * before it read calls_queue by assigned mentor. The world has courses
 * without a mentor, reassigned courses, readmissions, retries, agreed
 * dates, preferred times, an absent, an inactive and part-time mentors.
 */

static const char reference_sql[] =
	"SELECT k.id, c.mentor_id FROM calls k JOIN courses c ON c.id = k.course_id"
	" LEFT JOIN calls l ON l.id = (SELECT d.id FROM calls d WHERE d.course_id = k.course_id"
	"  AND d.state = 'done' ORDER BY d.recorded_at DESC, d.id DESC LIMIT 1)"
	" WHERE k.state = 'pending' AND c.state = 'active' AND k.due_date <= ?1"
	" ORDER BY k.first_contact DESC, k.due_date, k.attempt DESC,"
	" c.preferred_from IS NULL, c.preferred_from, k.id";

static unsigned world_random(uint64_t *state, unsigned below)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned)(*state % below);
}

static void world_discharge(struct fx *fx, int n, cal_day day, uint64_t *rng)
{
	char id[32], name[32], phone[24], cpr[24], from[6], to[6];
	struct discharge d;
	struct course_created created;
	/* One in five is a readmission of an earlier citizen (same phone and
	 * name): it supersedes the open course and keeps its mentor. */
	int citizen = n > 10 && world_random(rng, 5) == 0 ? (int)world_random(rng, (unsigned)n) : n;
	int hh = (int)world_random(rng, 5);

	snprintf(id, sizeof id, "world-%d", n);
	snprintf(name, sizeof name, "Borger %d", citizen);
	snprintf(phone, sizeof phone, "+452100%04d", citizen);
	snprintf(cpr, sizeof cpr, "%02d0480%04d", 1 + citizen % 28, citizen);
	d = fx_notification(id, name, citizen % 3 == 0 ? NULL : cpr, phone, NULL);
	d.discharged_at = (time_t)day * 86400 + 8 * 3600;
	d.has_discharged_at = true;
	/* Few distinct times, so the order often comes down to the time and
	 * then the call id; none for a fifth. */
	if (hh > 0) {
		snprintf(from, sizeof from, "%02d:00", 8 + hh);
		snprintf(to, sizeof to, "%02d:00", 10 + hh);
		d.call_from_text = from;
		d.call_to_text = to;
	}
	fx->op.now = (time_t)day * 86400 + 12 * 3600;
	fx_check(fx, &d);
	if (course_create(fx->courses, &fx->op, &d, &created, &fx->err) != 0)
		fail_msg("course_create %s: %s", id, fx->err.message);
}

/* Outcomes for about half of the calls due by day. */
static void world_work(struct fx *fx, cal_day day, uint64_t *rng)
{
	static const enum call_result results[] = {CALL_REACHED, CALL_REACHED, CALL_NO_ANSWER,
						   CALL_NO_ANSWER, CALL_DECLINED, CALL_WRONG_NUMBER};
	sqlite3_stmt *s;
	int64_t ids[512];
	size_t n = 0;
	struct course_result r;

	if (sqlite3_prepare_v2(store_db(fx->store),
			       "SELECT id FROM calls WHERE state = 'pending' AND due_date <= ?1"
			       " ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare: %s", sqlite3_errmsg(store_db(fx->store)));
	sql_bind_day(s, 1, day);
	while (n < nitems(ids) && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	fx->op.now = (time_t)day * 86400 + 10 * 3600;
	for (size_t i = 0; i < n; i++) {
		if (world_random(rng, 2) == 0)
			continue;
		struct call_outcome o = {.result = results[world_random(rng, nitems(results))],
					 .duration_minutes = -1, .next_date = CAL_NO_DAY};
		/* Sometimes a date is agreed, so agreed calls meet plan steps. */
		if (o.result == CALL_REACHED && world_random(rng, 3) == 0)
			o.next_date = cal_next_working_day(&fx->rules.closures,
							   day + 1 + (int)world_random(rng, 6));
		if (course_record_outcome(fx->courses, &fx->op, ids[i], &o, &r, &fx->err) != 0 &&
		    fx->err.kind != ERROR_INVALID)
			fail_msg("outcome of call %lld: %s", (long long)ids[i], fx->err.message);
	}
}

static void world_build(struct fx *fx, int64_t m[5])
{
	uint64_t rng = 0x2545f4914f6cdd1dull;
	cal_day first = fx_day("2026-03-02");
	int n = 0;

	fx_on(fx, "2026-03-02");
	m[0] = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	m[1] = fx_mentor(fx, "Bo", MENTOR_MONDAY_TO_FRIDAY & ~MENTOR_WEEKDAY(5));
	m[2] = fx_mentor(fx, "Carl", MENTOR_MONDAY_TO_FRIDAY);
	m[3] = fx_mentor(fx, "Dina", MENTOR_WEEKDAY(2) | MENTOR_WEEKDAY(3) | MENTOR_WEEKDAY(6));
	m[4] = fx_mentor(fx, "Eva", MENTOR_ALL_WEEKDAYS);
	fx_begin(fx);
	for (cal_day day = first; day < first + 45; day++) {
		for (int k = 0; k < 5; k++, n++)
			world_discharge(fx, n, day, &rng);
		/* The mentors stop working after four weeks, so calls pile up
		 * and the queues have ties to break. */
		if (day < first + 28 && cal_is_working_day(&fx->rules.closures, day))
			world_work(fx, day, &rng);
		/* Now and then a coordinator hands a course to another
		 * mentor, or gives one stored without a mentor its mentor. */
		if (day % 3 == 0) {
			int64_t course = 1 + (int64_t)world_random(&rng, (unsigned)n);
			fx->op.now = (time_t)day * 86400 + 15 * 3600;
			if (course_set_mentor(fx->courses, &fx->op, course,
					      m[world_random(&rng, 5)], &fx->err) != 0 &&
			    fx->err.kind != ERROR_CONFLICT)
				fail_msg("course_set_mentor: %s", fx->err.message);
		}
	}
	fx_commit(fx);
	/* With no mentor active, courses are stored without one. */
	for (int k = 0; k < 5; k++)
		set_mentor(fx, m[k], NULL, NULL, false);
	fx_begin(fx);
	for (int i = 0; i < 8; i++, n++)
		world_discharge(fx, n, first + 45, &rng);
	fx_commit(fx);
	for (int k = 0; k < 5; k++)
		set_mentor(fx, m[k], NULL, NULL, true);
}

/* The reference queue of mentor for day, as call ids. */
static size_t reference_queue(struct fx *fx, int64_t mentor, cal_day day, int64_t *ids,
			      size_t max)
{
	sqlite3_stmt *s;
	int64_t *available;
	size_t n = 0, navailable;

	if (mentor_available(fx->mentors, day, &available, &navailable, &fx->err) != 0)
		fail_msg("mentor_available: %s", fx->err.message);
	if (sqlite3_prepare_v2(store_db(fx->store), reference_sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare: %s", sqlite3_errmsg(store_db(fx->store)));
	sql_bind_day(s, 1, day);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (mentor_route_pick(sqlite3_column_int64(s, 1), available, navailable) == mentor) {
			if (n == max)
				fail_msg("reference queue longer than %zu", max);
			ids[n++] = sqlite3_column_int64(s, 0);
		}
	sqlite3_finalize(s);
	free(available);
	return n;
}

static int compare_queues(struct fx *fx, const int64_t m[5], const char *label)
{
	cal_day first = fx_day("2026-04-15");
	int64_t want[512];
	char name[64];
	int failures = 0;

	for (cal_day day = first; day < first + 10; day++)
		for (int k = 0; k < 5; k++) {
			struct queue_list *q;
			size_t n = reference_queue(fx, m[k], day, want, nitems(want));
			char d[CAL_DATE_LEN];

			snprintf(name, sizeof name, "%s, mentor %d on %s", label, k + 1,
				 fx_fmt(day, d));
			if (queue_build(fx->queue, m[k], day, &q, &fx->err) != 0)
				fail_msg("queue_build: %s", fx->err.message);
			if (q->count != n)
				CASE_FAIL(name, "%zu calls, want %zu", q->count, n);
			for (size_t i = 0; i < n && i < q->count; i++)
				if (q->entries[i].call_id != want[i]) {
					CASE_FAIL(name, "entry %zu is call %lld, want %lld", i,
						  (long long)q->entries[i].call_id,
						  (long long)want[i]);
					break;
				}
			queue_list_free(q);
		}
	return failures;
}

static void test_queue_matches_definition(void **state)
{
	struct fx *fx = *state;
	int64_t m[5];
	int failures = 0;

	world_build(fx, m);
	/* Enough pending calls that the order has ties to break. */
	assert_true(fx_int(fx, "SELECT count(*) FROM calls WHERE state = 'pending'"
			       " AND due_date <= '2026-04-15'", 0) > 100);
	assert_true(fx_int(fx, "SELECT count(*) FROM courses WHERE mentor_id IS NULL"
			       " AND state = 'active'", 0) > 0);
	failures += compare_queues(fx, m, "all present");
	/* Bo away for a week, Eva gone: their calls go to the stand-in. */
	set_mentor(fx, m[1], "2026-04-16", "2026-04-21", true);
	set_mentor(fx, m[4], NULL, NULL, false);
	failures += compare_queues(fx, m, "Bo away, Eva inactive");
	/* Nobody works: every call stays with its assigned mentor. */
	for (int k = 0; k < 5; k++)
		set_mentor(fx, m[k], "2026-04-01", "2026-04-30", true);
	failures += compare_queues(fx, m, "all away");
	fx_done(failures);
}

static void fx_exec(struct fx *fx, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(fx->store), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* row_counts (what /metrics shows) equals a count over the tables, after
 * every kind of change the world makes, the outbox's included. */
static void test_row_counts_match_recount(void **state)
{
	static const char *const recount[] = {
		"SELECT count(*) FROM (SELECT state AS label, count(*) AS n FROM courses GROUP BY 1"
		" EXCEPT SELECT label, n FROM row_counts WHERE family = 'course_state')",
		"SELECT count(*) FROM (SELECT result, count(*) FROM calls WHERE result IS NOT NULL"
		" GROUP BY 1 EXCEPT SELECT label, n FROM row_counts WHERE family = 'call_result')",
		"SELECT count(*) FROM (SELECT state, count(*) FROM outbox GROUP BY 1"
		" EXCEPT SELECT label, n FROM row_counts WHERE family = 'outbox_state')",
		/* no label counted that has no rows, beyond the seeded zeros */
		"SELECT count(*) FROM row_counts r WHERE n <> 0 AND n <> CASE family"
		" WHEN 'course_state' THEN (SELECT count(*) FROM courses WHERE state = r.label)"
		" WHEN 'call_result' THEN (SELECT count(*) FROM calls WHERE result = r.label)"
		" WHEN 'outbox_state' THEN (SELECT count(*) FROM outbox WHERE state = r.label)"
		" WHEN 'course_anonymised' THEN"
		"  (SELECT count(*) FROM courses WHERE anonymised_at IS NOT NULL)"
		" ELSE n END",
		/* the counters' counts (migration 31) only grow: at least what
		 * the rows hold now */
		"SELECT count(*) FROM (SELECT result AS label, count(*) AS c FROM calls"
		" WHERE result IS NOT NULL GROUP BY 1) k LEFT JOIN row_counts r"
		" ON r.family = 'call_outcome' AND r.label = k.label WHERE NOT r.n >= k.c",
		"SELECT count(*) FROM (SELECT source AS label, count(*) AS c FROM courses"
		" GROUP BY 1) k LEFT JOIN row_counts r"
		" ON r.family = 'course_source' AND r.label = k.label WHERE NOT r.n >= k.c",
		"SELECT count(*) FROM row_counts WHERE family = 'outbox_attempts'"
		" AND NOT n >= (SELECT coalesce(sum(attempts), 0) FROM outbox)",
		"SELECT count(*) FROM row_counts WHERE family NOT IN ('course_state', 'call_result',"
		" 'outbox_state', 'course_anonymised', 'call_outcome', 'course_source',"
		" 'outbox_attempts')",
		"SELECT count(*) FROM row_counts WHERE family = 'course_anonymised'"
		" AND n <> (SELECT count(*) FROM courses WHERE anonymised_at IS NOT NULL)",
	};
	struct fx *fx = *state;
	struct outbox_row *rows;
	int64_t m[5];
	size_t n;
	bool settled;

	world_build(fx, m);
	/* The outbox as a gateway moves it: sent, retried, dead, withdrawn. */
	fx_begin(fx);
	if (outbox_due(fx->outbox, fx->op.now + 86400, 0, 100, &rows, &n, &fx->err) != 0)
		fail_msg("outbox_due: %s", fx->err.message);
	assert_true(n > 8);
	for (size_t i = 0; i < n; i++) {
		int rc = i % 4 == 0   ? outbox_mark_sent(fx->outbox, rows[i].id, fx->op.now,
							    &settled, &fx->err)
			 : i % 4 == 1 ? outbox_mark_retry(fx->outbox, rows[i].id, fx->op.now,
							     fx->op.now + 60, "503", &settled,
							     &fx->err)
			 : i % 4 == 2 ? outbox_mark_dead(fx->outbox, rows[i].id, fx->op.now, "400",
							    &settled, &fx->err)
				      : outbox_withdraw_row(fx->outbox, rows[i].id, &settled,
							    &fx->err);
		if (rc != 0)
			fail_msg("outbox: %s", fx->err.message);
	}
	outbox_rows_free(rows, n);
	/* Personal data erased (the retention purge), erased twice, and a
	 * course written erased, then deleted. */
	fx_exec(fx, "UPDATE courses SET anonymised_at = 1 WHERE id IN (SELECT id FROM courses"
		    " ORDER BY id LIMIT 3)");
	fx_exec(fx, "UPDATE courses SET anonymised_at = 2 WHERE id = (SELECT min(id) FROM courses)");
	fx_exec(fx, "INSERT INTO courses (notification_id, citizen_name, phone, discharge_date,"
		    " window_end, state, state_changed_at, created_at, anonymised_at)"
		    " SELECT 'gone', 'anonymised', 'anonymised', discharge_date, window_end,"
		    " 'closed', 0, 0, 5 FROM courses LIMIT 1");
	fx_exec(fx, "DELETE FROM courses WHERE notification_id = 'gone'");
	fx_commit(fx);
	for (size_t i = 0; i < nitems(recount); i++)
		assert_int_equal(fx_int(fx, recount[i], 0), 0);
	assert_int_equal(fx_int(fx, "SELECT n FROM row_counts WHERE family = 'course_anonymised'", 0),
			 3);
	assert_true(fx_int(fx, "SELECT n FROM row_counts WHERE family = 'outbox_attempts'", 0) > 0);
	assert_true(fx_int(fx, "SELECT n FROM row_counts WHERE family = 'course_state'"
			       " AND label = 'superseded'", 0) > 0);
}

/* ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	int days[8];
	size_t n;
	int rc;
	unsigned mask;
} weekday_cases[] = {
	{"Monday to Friday", {1, 2, 3, 4, 5}, 5, 0, 0x1f},
	{"the weekend", {6, 7}, 2, 0, 0x60},
	{"every day, repeated", {7, 1, 2, 3, 4, 5, 6, 1}, 8, 0, 0x7f},
	{"no day", {0}, 0, 0, 0},
	{"day 0", {1, 0}, 2, -1, 0},
	{"day 8", {8}, 1, -1, 0},
	{"a negative day", {-1}, 1, -1, 0},
};

static void test_weekdays_mask(void **state)
{
	int failures = 0, rc;
	unsigned mask;

	(void)state;
	for (size_t i = 0; i < nitems(weekday_cases); i++) {
		mask = 0xdead;
		rc = mentor_weekdays_mask(weekday_cases[i].days, weekday_cases[i].n, &mask);
		if (rc != weekday_cases[i].rc || (rc == 0 && mask != weekday_cases[i].mask))
			CASE_FAIL(weekday_cases[i].name, "rc %d mask 0x%x", rc, mask);
		if (rc != 0 && mask != 0xdead)
			CASE_FAIL(weekday_cases[i].name, "refused but wrote the mask");
	}
	fx_done(failures);
}

static struct mentor_absence two_absences[] = {{0, 0}, {0, 0}};
static struct mentor_absence reversed[] = {{0, 0}};

static const struct {
	const char *name;
	struct mentor m;
	const char *want_field;
} mentor_cases[] = {
	{"a full record", {.name = "Anna", .phone = "+4570000001", .working_days = 0x1f,
			   .absences = two_absences, .nabsences = 2, .active = true},
	 NULL},
	{"an inactive mentor with no working days", {.name = "Bo", .phone = "+4570000002"}, NULL},
	{"no name", {.name = "", .phone = "+4570000001", .working_days = 0x1f}, "name"},
	{"no phone", {.name = "Anna", .phone = NULL, .working_days = 0x1f}, "phone"},
	{"a working day beyond Sunday", {.name = "Anna", .phone = "+4570000001",
					  .working_days = 0x80},
	 "working_days"},
	{"an absence ending before it starts",
	 {.name = "Anna", .phone = "+4570000001", .working_days = 0x1f, .absences = reversed,
	  .nabsences = 1},
	 "absences"},
};

static void test_mentor_records(void **state)
{
	struct fx *fx = *state;
	struct mentor *got;
	int failures = 0, rc;
	int64_t id;

	two_absences[0] = (struct mentor_absence){fx_day("2026-07-01"), fx_day("2026-07-21")};
	two_absences[1] = (struct mentor_absence){fx_day("2026-04-02"), fx_day("2026-04-02")};
	reversed[0] = (struct mentor_absence){fx_day("2026-07-21"), fx_day("2026-07-01")};
	for (size_t i = 0; i < nitems(mentor_cases); i++) {
		const struct mentor *m = &mentor_cases[i].m;
		const char *name = mentor_cases[i].name, *want = mentor_cases[i].want_field;

		fx_begin(fx);
		rc = mentor_add(fx->mentors, m, fx->op.now, &id, &fx->err);
		fx_commit(fx);
		if (want != NULL) {
			if (rc != -1 || fx->err.kind != ERROR_INVALID || strcmp(fx->err.field, want))
				CASE_FAIL(name, "rc %d field \"%s\"", rc, fx->err.field);
			continue;
		}
		if (rc != 0 || mentor_get(fx->mentors, id, &got, &fx->err) != 0) {
			CASE_FAIL(name, "refused: %s", fx->err.message);
			continue;
		}
		if (strcmp(got->name, m->name) || strcmp(got->phone, m->phone) ||
		    got->working_days != m->working_days || got->active != m->active ||
		    got->nabsences != m->nabsences || got->load != 0)
			CASE_FAIL(name, "read back differently");
		/* Absences come back in date order. */
		if (got->nabsences == 2 && (got->absences[0].from != m->absences[1].from ||
					    got->absences[1].to != m->absences[0].to))
			CASE_FAIL(name, "absences out of order");
		mentor_free(got);
	}
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM mentors", 0), 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM mentor_absences", 0), 2);
	fx_done(failures);
}

/* Update replaces the whole record, absences included; an unknown mentor
 * is not found and nothing changes. */
static void test_mentor_update(void **state)
{
	struct fx *fx = *state;
	struct mentor *list, *m;
	size_t n;
	int64_t a;

	a = fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	set_mentor(fx, a, "2026-07-01", "2026-07-21", true);
	assert_int_equal(mentor_get(fx->mentors, a, &m, &fx->err), 0);
	assert_int_equal(m->nabsences, 1);
	free(m->name);
	m->name = strdup("Anna Berg");
	m->working_days = MENTOR_WEEKDAY(6);
	m->nabsences = 0;
	fx_begin(fx);
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), 0);
	m->id = a + 1;
	assert_int_equal(mentor_update(fx->mentors, m, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_NOT_FOUND);
	fx_commit(fx);
	mentor_free(m);
	assert_int_equal(mentor_list(fx->mentors, &list, &n, &fx->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "Anna Berg");
	assert_int_equal(list[0].working_days, MENTOR_WEEKDAY(6));
	assert_int_equal(list[0].nabsences, 0);
	mentor_list_free(list, n);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM mentor_absences", 0), 0);
	assert_int_equal(mentor_get(fx->mentors, a + 1, &m, &fx->err), -1);
	assert_int_equal(fx->err.kind, ERROR_NOT_FOUND);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_queue_order),
		T(test_queue_days),
		T(test_routing),
		T(test_route_single_call),
		T(test_queue_matches_definition),
		T(test_row_counts_match_recount),
		cmocka_unit_test(test_weekdays_mask),
		T(test_mentor_records),
		T(test_mentor_update),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
