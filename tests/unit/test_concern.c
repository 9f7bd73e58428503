/*
 * test_concern.c - concerns for a citizen's safety (concern.h): the
 * outcome that raises one and the call that follows it the next working
 * day, the notification to the coordinators' phone and its discretion,
 * the coordinators' list and handling, and the list's query plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "concern.h"
#include "message.h"
#include "sched-fixture.h"

/* A reached call of the course's pending call on `on` with a concern, and
 * the concern stored as the API stores it, in one transaction. */
static int64_t concern_outcome(struct fx *fx, int64_t course, const char *on, const char *phone,
			       struct course_result *out)
{
	struct call_outcome o = {.result = CALL_REACHED, .duration_minutes = -1,
				 .next_date = CAL_NO_DAY, .concern = true};
	int64_t call = fx_pending(fx, course), id = 0;

	assert_true(call > 0);
	fx_on(fx, on);
	fx_begin(fx);
	if (course_record_outcome(fx->courses, &fx->op, call, &o, out, &fx->err) != 0 ||
	    concern_record(fx->store, fx->outbox, phone, course, call, fx->op.now, fx->op.author,
			   &id, &fx->err) != 0)
		fail_msg("recording the concern: %s", fx->err.message);
	fx_commit(fx);
	return id;
}

static const char *pending_due(struct fx *fx, int64_t course, char *buf, size_t size)
{
	return fx_text(fx, "SELECT due_date || ' ' || reason FROM calls"
			   " WHERE course_id = ?1 AND state = 'pending'",
		       course, buf, size);
}

/* Wed 13 May 2026: the next working day is Fri 15 May (Ascension Day is
 * Thursday the 14th), not the plan's next step. */
static void test_next_call_the_next_working_day(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	char buf[64];
	int64_t course;

	fx_on(fx, "2026-05-11");
	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n1", "Citizen", NULL, "+4570000001", "2026-05-11", "2026-05-11",
			      NULL);
	assert_true(concern_outcome(fx, course, "2026-05-13", NULL, &r) > 0);
	assert_string_equal(pending_due(fx, course, buf, sizeof buf), "2026-05-15 follow_up");
	assert_int_equal(r.next_call_due, fx_day("2026-05-15"));
	/* The outcome's log entry says so; no notification without a phone. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'outcome' AND json_extract(details, '$.concern') = 1",
				course),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'concern'", 0), 0);
}

/* With the next working day after the window, the plan decides: here
 * nothing is left, so no call. */
static void test_no_call_after_the_window(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	char buf[64];
	int64_t course;

	fx->rules.window_months = 1;
	fx_on(fx, "2026-04-14");
	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n1", "Citizen", NULL, "+4570000001", "2026-04-14", "2026-04-14",
			      NULL);
	assert_int_equal(fx_outcome(fx, course, CALL_REACHED, "2026-04-15", NULL), 0);
	assert_int_equal(fx_outcome(fx, course, CALL_REACHED, "2026-04-21", NULL), 0);
	assert_int_equal(fx_outcome(fx, course, CALL_REACHED, "2026-04-28", NULL), 0);
	assert_string_equal(pending_due(fx, course, buf, sizeof buf), "2026-05-12 follow_up");
	concern_outcome(fx, course, "2026-05-13", NULL, &r);
	assert_int_equal(fx_pending(fx, course), 0);
	assert_int_equal(r.next_call_id, 0);
}

/* A concern needs a conversation. */
static void test_concern_needs_a_conversation(void **state)
{
	struct call_outcome o = {.result = CALL_NO_ANSWER, .duration_minutes = -1,
				 .next_date = CAL_NO_DAY, .concern = true};
	struct error err;

	(void)state;
	assert_int_equal(call_outcome_validate(&o, &err), -1);
	assert_int_equal(err.kind, ERROR_INVALID);
	assert_string_equal(err.field, "concern");
	o.result = CALL_WRONG_NUMBER;
	assert_int_equal(call_outcome_validate(&o, &err), -1);
	o.result = CALL_DECLINED;
	assert_int_equal(call_outcome_validate(&o, &err), 0);
	o.result = CALL_REACHED;
	assert_int_equal(call_outcome_validate(&o, &err), 0);
}

/* The notification: in the outbox with the outcome, to the configured
 * phone, naming the course by number only and nothing a lock screen must
 * not show. */
static void test_notification(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	char buf[512], body[300];
	int64_t course, id;

	fx_on(fx, "2026-05-11");
	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	course = fx_discharge(fx, "n1", "Karen Hansen", "0101901234", "+4570000001", "2026-05-11",
			      "2026-05-11", NULL);
	id = concern_outcome(fx, course, "2026-05-12T10:42:00+02:00", "+4520304050", &r);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE type = 'concern'"
				    " AND kind = 'message' AND course_id IS NULL AND state = 'pending'",
				0),
			 1);
	assert_string_equal(fx_text(fx, "SELECT json_extract(payload, '$.recipient.phone')"
					" FROM outbox WHERE type = 'concern'",
				    0, buf, sizeof buf),
			    "+4520304050");
	assert_int_equal(fx_int(fx, "SELECT json_extract(payload, '$.course_id') FROM outbox"
				    " WHERE type = 'concern'",
				0),
			 course);
	assert_int_equal(fx_int(fx, "SELECT json_extract(payload, '$.concern_id') FROM outbox"
				    " WHERE type = 'concern'",
				0),
			 id);
	fx_text(fx, "SELECT payload FROM outbox WHERE type = 'concern'", 0, buf, sizeof buf);
	if (strstr(buf, "Karen") != NULL || strstr(buf, "0101901234") != NULL ||
	    strstr(buf, "+4570000001") != NULL)
		fail_msg("the notification names the citizen: %s", buf);
	fx_text(fx, "SELECT json_extract(payload, '$.body') FROM outbox WHERE type = 'concern'", 0,
		body, sizeof body);
	assert_non_null(strstr(body, "kl. 10.42"));
	assert_null(message_indiscreet_word(body));
	assert_null(message_indiscreet_word(CONCERN_LABEL));
	concern_notification_text(123456, fx->op.now, body, sizeof body);
	assert_null(message_indiscreet_word(body));
}

static size_t listed(struct fx *fx, enum concern_filter filter)
{
	json_t *list;
	size_t n;

	assert_int_equal(concern_list(fx->store, filter, 0, 100, &list, &fx->err), 0);
	n = json_array_size(list);
	json_decref(list);
	return n;
}

static void test_list_and_handle(void **state)
{
	struct fx *fx = *state;
	struct course_result r;
	json_t *list, *row;
	int64_t a, b, ca, cb, course_id;

	fx_on(fx, "2026-05-11");
	fx_mentor(fx, "Anna", MENTOR_MONDAY_TO_FRIDAY);
	a = fx_discharge(fx, "n1", "Citizen A", NULL, "+4570000001", "2026-05-11", "2026-05-11", NULL);
	b = fx_discharge(fx, "n2", "Citizen B", NULL, "+4570000002", "2026-05-11", "2026-05-11", NULL);
	ca = concern_outcome(fx, a, "2026-05-12", NULL, &r);
	cb = concern_outcome(fx, b, "2026-05-12", NULL, &r);
	assert_int_equal(listed(fx, CONCERN_OPEN), 2);
	assert_int_equal(listed(fx, CONCERN_HANDLED), 0);

	/* A page of one, then the next after it. */
	assert_int_equal(concern_list(fx->store, CONCERN_OPEN, 0, 1, &list, &fx->err), 0);
	row = json_array_get(list, 0);
	assert_int_equal(json_integer_value(json_object_get(row, "id")), ca);
	assert_string_equal(json_string_value(json_object_get(json_object_get(row, "citizen"), "name")),
			    "Citizen A");
	assert_string_equal(json_string_value(json_object_get(row, "mentor_name")), "Anna");
	json_decref(list);
	assert_int_equal(concern_list(fx->store, CONCERN_OPEN, ca, 10, &list, &fx->err), 0);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	fx_on(fx, "2026-05-12T15:00:00+02:00");
	fx_begin(fx);
	assert_int_equal(concern_handle(fx->store, fx->log, ca, fx->op.now, "admin:9", &course_id,
					&fx->err),
			 0);
	fx_commit(fx);
	assert_int_equal(course_id, a);
	assert_int_equal(listed(fx, CONCERN_OPEN), 1);
	assert_int_equal(listed(fx, CONCERN_HANDLED), 1);
	assert_int_equal(listed(fx, CONCERN_ALL), 2);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1"
				    " AND kind = 'concern_handled'",
				a),
			 1);

	fx_begin(fx);
	assert_int_equal(concern_handle(fx->store, fx->log, ca, fx->op.now, "admin:9", &course_id,
					&fx->err),
			 -1);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	assert_int_equal(concern_handle(fx->store, fx->log, cb + 100, fx->op.now, "admin:9",
					&course_id, &fx->err),
			 -1);
	assert_int_equal(fx->err.kind, ERROR_NOT_FOUND);
	/* One concern per call. */
	assert_int_equal(concern_record(fx->store, fx->outbox, NULL, a,
					fx_int(fx, "SELECT call_id FROM concerns WHERE id = ?1", ca),
					fx->op.now, "mentor:1", &course_id, &fx->err),
			 -1);
	assert_int_equal(fx->err.kind, ERROR_CONFLICT);
	fx_commit(fx);

	assert_int_equal(concern_list_course(fx->store, a, &list, &fx->err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_true(json_is_string(json_object_get(json_array_get(list, 0), "handled_at")));
	json_decref(list);
}

/* The coordinators' list of open concerns is a range of concerns_open,
 * however many concerns were ever handled. */
static void test_open_list_plan(void **state)
{
	struct fx *fx = *state;
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;
	char sql[2048], plan[1024] = "";

	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", concern_list_open_sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		strncat(plan, (const char *)sqlite3_column_text(s, 3), sizeof plan - strlen(plan) - 2);
		strncat(plan, "|", sizeof plan - strlen(plan) - 1);
	}
	sqlite3_finalize(s);
	if (strstr(plan, "concerns_open") == NULL || strstr(plan, "SCAN n") != NULL ||
	    strstr(plan, "SCAN c") != NULL)
		fail_msg("open concerns plan: %s", plan);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_next_call_the_next_working_day),
		T(test_no_call_after_the_window),
		cmocka_unit_test(test_concern_needs_a_conversation),
		T(test_notification),
		T(test_list_and_handle),
		T(test_open_list_plan),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
