/*
 * test_retention.c - unit tests for retention.c: the personal data of a
 * course closed longer ago than retention.days is erased, a recent one is
 * untouched, what the reports count survives, and a second purge changes
 * nothing. On a real SQLite file through the scheduling core, so the rows
 * are the ones the daemon writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offer.h"
#include "report.h"
#include "retention.h"
#include "sched-fixture.h"
#include "sql.h"
#include "xmalloc.h"

#define DAYS 365

/* Every row of a query, every column, NULL spelt out: a snapshot to
 * compare before and after. Caller frees. */
static char *dump(struct fx *fx, const char *sql, int64_t arg)
{
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;
	char *out = xstrdup(""), *next;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("dump \"%s\": %s", sql, sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			xasprintf(&next, "%s%s%s", out, t != NULL ? (const char *)t : "NULL",
				  i + 1 < sqlite3_column_count(s) ? "|" : "\n");
			free(out);
			out = next;
		}
	}
	sqlite3_finalize(s);
	return out;
}

/* What the reports read; anonymising must leave it alone. */
static const char *const report_sql[] = {
	"SELECT id, state, discharge_date, window_end, state_changed_at, mentor_id,"
	" consent_given_at, flag, flagged_at, superseded_by, created_at FROM courses ORDER BY id",
	"SELECT id, course_id, reason, first_contact, attempt, due_date, state, result,"
	" call_date, duration_minutes, topics, offers, send_followup, recorded_at, recorded_by,"
	" cancel_reason, created_at FROM calls ORDER BY id",
	"SELECT id, course_id, at, author, kind, json_extract(details, '$.call_id'),"
	" json_extract(details, '$.result'), json_extract(details, '$.attempt'),"
	" json_extract(details, '$.topics'), json_extract(details, '$.offers'),"
	" json_extract(details, '$.next'), json_extract(details, '$.from'),"
	" json_extract(details, '$.to'), json_extract(details, '$.type'),"
	" json_extract(details, '$.due_date') FROM course_log ORDER BY id",
	"SELECT id, kind, type, course_id, idempotency_key, attempts, created_at FROM outbox"
	" ORDER BY id",
	"SELECT * FROM offers ORDER BY id",
	"SELECT * FROM audit ORDER BY id",
};

/* Every row of the tables a purge may touch. */
static const char *const all_sql[] = {
	"SELECT * FROM courses ORDER BY id", "SELECT * FROM calls ORDER BY id",
	"SELECT * FROM course_log ORDER BY id", "SELECT * FROM outbox ORDER BY id",
	"SELECT sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
};

/* Everything about one course (?1). */
static const char *const course_sql[] = {
	"SELECT * FROM courses WHERE id = ?1",
	"SELECT * FROM calls WHERE course_id = ?1 ORDER BY id",
	"SELECT * FROM course_log WHERE course_id = ?1 ORDER BY id",
	"SELECT * FROM outbox WHERE course_id = ?1 ORDER BY id",
};

static char *dump_all(struct fx *fx, const char *const *sql, size_t n, int64_t arg)
{
	char *out = xstrdup(""), *part, *next;

	for (size_t i = 0; i < n; i++) {
		part = dump(fx, sql[i], arg);
		xasprintf(&next, "%s--\n%s", out, part);
		free(part);
		free(out);
		out = next;
	}
	return out;
}

static char *report_json(struct fx *fx)
{
	struct report_summary *r;
	char *text;
	struct error err;
	json_t *j;

	if (report_summary(fx->store, &fx->rules.closures, CAL_NO_DAY, fx_day("2027-12-31"), &r,
			   &err) != 0)
		fail_msg("report_summary: %s", err.message);
	j = report_summary_json(r);
	text = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	report_summary_free(r);
	return text;
}

static int purge(struct fx *fx, const char *on, bool dry_run, struct retention_result *r)
{
	struct error err;
	int rc;

	fx_on(fx, on);
	fx_begin(fx);
	rc = retention_purge(fx->store, fx->op.now, DAYS, "test", dry_run, r, &err);
	if (rc != 0)
		fail_msg("retention_purge on %s: %s", on, err.message);
	fx_commit(fx);
	return rc;
}

/* ------------------------------------------------------------------------ */

static int64_t discharge_full(struct fx *fx, const char *id, const char *name, const char *cpr,
			      const char *phone, const char *date)
{
	struct discharge d = fx_notification(id, name, cpr, phone, date);
	struct course_created created;

	d.call_from_text = "09:00";
	d.call_to_text = "11:30";
	d.unit = "Psykiatrisk Center Nord, afsnit 3";
	d.consent_given_at = fx_day(date);
	d.wishes = "{\"gender\":\"female\",\"note\":\"Wants a woman: trauma after the fire\"}";
	fx_on(fx, date);
	fx_check(fx, &d);
	fx_begin(fx);
	if (course_create(fx->courses, &fx->op, &d, &created, &fx->err) != 0)
		fail_msg("course_create %s: %s", id, fx->err.message);
	fx_commit(fx);
	return created.course_id;
}

/* A reached call with a note, topics, an offer and a follow-up message;
 * with end_reason the course ends, else next_topic is agreed. */
static void reached(struct fx *fx, int64_t course, const char *on, const char *next_topic,
		    const char *end_reason)
{
	static const char *const topics[] = {"wellbeing", "network"};
	static const int64_t offers[] = {1};
	struct call_outcome o = {
		.result = CALL_REACHED,
		.duration_minutes = 25,
		.topics = topics,
		.ntopics = 2,
		.note = "Sleeps badly since discharge; sister Karen helps with shopping.",
		.offers = offers,
		.noffers = 1,
		.send_followup = true,
		.next = end_reason != NULL ? CALL_NEXT_END : CALL_NEXT_CONTINUE,
		.next_date = CAL_NO_DAY,
		.next_topic = next_topic,
		.end_reason = end_reason,
	};
	struct course_result out;
	int64_t call = fx_pending(fx, course);

	fx_on(fx, on);
	fx_begin(fx);
	if (call == 0 || course_record_outcome(fx->courses, &fx->op, call, &o, &out, &fx->err) != 0)
		fail_msg("outcome on %s: %s", on, fx->err.message);
	fx_commit(fx);
}

static void close_expired(struct fx *fx, const char *on)
{
	size_t closed;

	fx_on(fx, on);
	fx_begin(fx);
	if (course_close_expired(fx->courses, &fx->op, &closed, &fx->err) != 0)
		fail_msg("close on %s: %s", on, fx->err.message);
	fx_commit(fx);
}

static void end_course(struct fx *fx, int64_t course, const char *on, const char *reason)
{
	struct course_result out;

	fx_on(fx, on);
	fx_begin(fx);
	if (course_end(fx->courses, &fx->op, course, reason, &out, &fx->err) != 0)
		fail_msg("end on %s: %s", on, fx->err.message);
	fx_commit(fx);
}

static void add_offer(struct fx *fx)
{
	json_t *fields = json_pack("{s:s, s:s}", "name", "Café Lyset", "category", "social");
	struct error err;
	int64_t id;

	if (offer_create(fx->store, fields, fx->op.now, &id, &err) != 0)
		fail_msg("offer_create: %s", err.message);
	json_decref(fields);
}

struct world {
	int64_t old;	    /* closed 2024-10-02, with every kind of personal data */
	int64_t superseded; /* superseded 2024-05-06 */
	int64_t successor;  /* the course that superseded it: closed 2024-11-06 */
	int64_t recent;	    /* ended 2025-06-10 with a typed reason, closed 2025-12-03 */
};

static void build(struct fx *fx, struct world *w)
{
	fx_on(fx, "2024-04-01");
	fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	add_offer(fx);
	w->old = discharge_full(fx, "notif-anna", "Anna Jensen", "0101901234", "+4520304050",
				"2024-04-01");
	reached(fx, w->old, "2024-04-02", "the letter from the job centre", NULL);
	reached(fx, w->old, "2024-04-15", NULL, "moved to Aarhus to live with her sister");
	w->superseded = discharge_full(fx, "notif-bent-1", "Bent Holm", "0202802345",
				       "+4521304050", "2024-04-15");
	reached(fx, w->superseded, "2024-04-16", "his medication", NULL);
	w->successor = discharge_full(fx, "notif-bent-2", "Bent Holm", "0202802345",
				      "+4521304050", "2024-05-06");
	close_expired(fx, "2024-10-02");
	close_expired(fx, "2024-11-07");
	w->recent = discharge_full(fx, "notif-carl", "Carl Madsen", NULL, "+4522304050",
				   "2025-06-02");
	reached(fx, w->recent, "2025-06-03", "a walk in the park", NULL);
	end_course(fx, w->recent, "2025-06-10", "says his brother will call instead");
	close_expired(fx, "2025-12-03");
}

/* No text in these tables that came from a person about a citizen. */
static void assert_no_personal_text(struct fx *fx, int64_t course)
{
	static const char *const words[] = {"Anna", "Jensen", "Bent", "Holm", "0101901234",
					    "0202802345", "+452", "Karen", "job centre",
					    "Aarhus", "medication", "notif-", "afsnit", "09:00",
					    "trauma"};
	char *text = dump_all(fx, course_sql, nitems(course_sql), course);

	for (size_t i = 0; i < nitems(words); i++)
		if (strstr(text, words[i]) != NULL)
			fail_msg("course %lld still holds \"%s\":\n%s", (long long)course, words[i],
				 text);
	free(text);
}

static void test_old_erased_recent_untouched_reports_same(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	struct world w;
	char *report_before, *report_after, *facts_before, *facts_after, *recent_before,
		*recent_after, buf[128];

	build(fx, &w);
	assert_string_equal(fx_text(fx, "SELECT state FROM courses WHERE id = ?1", w.old, buf,
				    sizeof buf),
			    "closed");
	assert_string_equal(fx_text(fx, "SELECT state FROM courses WHERE id = ?1", w.superseded,
				    buf, sizeof buf),
			    "superseded");
	/* A mentor's weekly time on the old and the recent course, with a
	 * note that names the citizen. */
	{
		char insert[512], *cause = NULL;
		snprintf(insert, sizeof insert,
			 "INSERT INTO mentor_time (mentor_id, course_id, programme, week_start,"
			 " minutes, note, author, at) SELECT (SELECT min(id) FROM mentors), id,"
			 " 'preventive', '2024-09-02', 45, 'Anna Jensen', 'm', 1 FROM courses"
			 " WHERE id IN (%lld, %lld)",
			 (long long)w.old, (long long)w.recent);
		if (sql_exec(store_db(fx->store), insert, &cause) != 0)
			fail_msg("mentor_time: %s", cause);
	}
	report_before = report_json(fx);
	facts_before = dump_all(fx, report_sql, nitems(report_sql), 0);
	recent_before = dump_all(fx, course_sql, nitems(course_sql), w.recent);

	/* On 2025-11-07 the old course (closed 2024-10-02) and the superseded
	 * one (2024-05-06) are past 365 days; the successor closed on
	 * 2024-11-07, exactly 365 days before, so it is not due yet. */
	purge(fx, "2025-11-07", false, &r);
	assert_int_equal(r.courses, 2);
	assert_int_equal(r.before, fx_day("2024-11-07"));

	for (int64_t id = w.old; id <= w.superseded; id++) {
		assert_no_personal_text(fx, id);
		assert_string_equal(fx_text(fx, "SELECT citizen_name || '/' || phone FROM courses"
						" WHERE id = ?1",
					    id, buf, sizeof buf),
				    "anonymised/anonymised");
		assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE id = ?1 AND"
					    " cpr IS NULL AND unit IS NULL AND preferred_from IS NULL"
					    " AND preferred_to IS NULL AND anonymised_at IS NOT NULL",
					id),
				 1);
		/* The citizen's wishes and the intake's unkeyed hash of name,
		 * CPR and phone (which would confirm a guess) go too. */
		assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE id = ?1 AND"
					    " wishes IS NULL AND intake_fingerprint IS NULL",
					id),
				 1);
		assert_int_equal(fx_int(fx, "SELECT count(*) FROM calls WHERE course_id = ?1 AND"
					    " (note IS NOT NULL OR agreed_topic IS NOT NULL)",
					id),
				 0);
		/* Nothing still waits to be sent to an erased recipient. */
		assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1 AND"
					    " (payload <> '{}' OR state = 'pending')",
					id),
				 0);
	}
	/* The note on the old course's time is gone, its minutes stay for
	 * the yearly report; the recent course's note stays. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM mentor_time WHERE course_id = ?1"
				    " AND note IS NULL AND minutes = 45",
				w.old),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM mentor_time WHERE course_id = ?1"
				    " AND note = 'Anna Jensen'",
				w.recent),
			 1);
	/* The old course was closed by the window after a mentor ended it with
	 * a typed reason: the log keeps the codes, not the words. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1 AND"
				    " json_extract(details, '$.reason') = 'window_end'",
				w.old),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM course_log WHERE course_id = ?1 AND"
				    " kind = 'ended' AND json_extract(details, '$.reason') = 'erased'",
				w.old),
			 1);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1 AND"
				    " state = 'dead'",
				w.old),
			 fx_int(fx, "SELECT count(*) FROM outbox WHERE course_id = ?1", w.old));

	/* The successor (365 days exactly) and the recent course are as they
	 * were, personal data and all. */
	recent_after = dump_all(fx, course_sql, nitems(course_sql), w.recent);
	assert_string_equal(recent_after, recent_before);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE id = ?1 AND"
				    " wishes LIKE '%trauma%' AND intake_fingerprint IS NOT NULL",
				w.recent),
			 1);
	assert_string_equal(fx_text(fx, "SELECT citizen_name FROM courses WHERE id = ?1",
				    w.successor, buf, sizeof buf),
			    "Bent Holm");

	/* Everything the reports count is unchanged, and so are the reports. */
	facts_after = dump_all(fx, report_sql, nitems(report_sql), 0);
	assert_string_equal(facts_after, facts_before);
	report_after = report_json(fx);
	assert_string_equal(report_after, report_before);

	free(report_before);
	free(report_after);
	free(facts_before);
	free(facts_after);
	free(recent_before);
	free(recent_after);
}

static void test_second_purge_changes_nothing(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	struct world w;
	char *before, *after;

	build(fx, &w);
	purge(fx, "2026-01-10", false, &r);
	assert_int_equal(r.courses, 3);
	before = dump_all(fx, all_sql, nitems(all_sql), 0);
	purge(fx, "2026-01-10", false, &r);
	assert_int_equal(r.courses, 0);
	after = dump_all(fx, all_sql, nitems(all_sql), 0);
	assert_string_equal(after, before);
	free(before);
	free(after);
	/* Both runs are recorded; the last has nothing to do. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM retention_runs", 0), 2);
	assert_int_equal(fx_int(fx, "SELECT courses FROM retention_runs ORDER BY id DESC", 0), 0);
}

/* The erased names leave the search index in the purge's own
 * transaction: nothing is left noted for a later catch-up, which held
 * the loop for a thousand courses at once. */
static void test_names_leave_the_search_index_with_the_purge(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	struct world w;

	build(fx, &w);
	purge(fx, "2026-01-10", false, &r);
	assert_int_equal(r.courses, 3);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses_search_pending", 0), 0);
	assert_int_equal(fx_int(fx,
				"SELECT count(*) FROM courses_search"
				" WHERE courses_search MATCH '\"Carl\"'",
				0),
			 1);
	assert_int_equal(fx_int(fx,
				"SELECT count(*) FROM courses_search"
				" WHERE courses_search MATCH '\"Anna\" OR \"Bent\"'",
				0),
			 0);
}

static void test_log_stays_append_only(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	struct world w;
	char *triggers_before, *triggers_after, *cause = NULL;

	build(fx, &w);
	triggers_before = dump(fx, all_sql[4], 0);
	purge(fx, "2026-01-10", false, &r);
	triggers_after = dump(fx, all_sql[4], 0);
	assert_string_equal(triggers_after, triggers_before);
	assert_int_not_equal(sql_exec(store_db(fx->store), "UPDATE course_log SET kind = 'x'",
					&cause),
			     0);
	assert_non_null(strstr(cause, "append-only"));
	free(cause);
	cause = NULL;
	assert_int_not_equal(sql_exec(store_db(fx->store), "DELETE FROM course_log", &cause), 0);
	free(cause);
	free(triggers_before);
	free(triggers_after);
}

static void test_dry_run_counts_only(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	struct retention_run run;
	struct world w;
	char *before, *after;
	struct error err;
	bool found;

	build(fx, &w);
	before = dump_all(fx, all_sql, nitems(all_sql), 0);
	purge(fx, "2026-01-10", true, &r);
	assert_int_equal(r.courses, 3);
	after = dump_all(fx, all_sql, nitems(all_sql), 0);
	assert_string_equal(after, before);
	assert_int_equal(retention_last_run(fx->store, &run, &found, &err), 0);
	assert_false(found);
	purge(fx, "2026-01-10", false, &r);
	assert_int_equal(retention_last_run(fx->store, &run, &found, &err), 0);
	assert_true(found);
	assert_int_equal(run.courses, 3);
	assert_string_equal(run.author, "test");
	assert_int_equal(run.before, fx_day("2025-01-10"));
	free(before);
	free(after);
}

/* The local date counts, not the UTC one: a course closed at 00:30 in
 * Copenhagen (22:30 UTC the day before) closed on the later date. */
static void test_local_date_boundary(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;

	fx_discharge(fx, "a", "A", NULL, "+4520000001", "2024-04-01", "2024-04-01", NULL);
	fx_discharge(fx, "b", "B", NULL, "+4520000002", "2024-04-02", "2024-04-02", NULL);
	close_expired(fx, "2024-10-02T21:30:00Z"); /* 23:30 on 2 Oct: a (window ended 1 Oct) */
	close_expired(fx, "2024-10-02T22:30:00Z"); /* 00:30 on 3 Oct: b (ended 2 Oct) */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM courses WHERE state = 'closed'", 0), 2);
	purge(fx, "2025-10-02T21:59:00Z", true, &r); /* 23:59 on 2 Oct 2025 */
	assert_int_equal(r.courses, 0);
	purge(fx, "2025-10-02T22:01:00Z", true, &r); /* 00:01 on 3 Oct 2025 */
	assert_int_equal(r.courses, 1);
	assert_int_equal(r.before, fx_day("2024-10-03"));
	purge(fx, "2025-10-03T22:01:00Z", true, &r);
	assert_int_equal(r.courses, 2);
}

static void test_refuses_without_transaction(void **state)
{
	struct fx *fx = *state;
	struct retention_result r;
	char *cause = NULL;
	struct error err;

	assert_int_equal(retention_purge(fx->store, fx_instant("2026-01-10"), DAYS, "test", false,
					 &r, &err),
			 -1);
	assert_non_null(strstr(err.message, "no transaction"));
	free(cause);
	cause = NULL;
	fx_begin(fx);
	assert_int_equal(retention_purge(fx->store, fx_instant("2026-01-10"), 0, "test", false, &r,
					 &err),
			 -1);
	store_rollback(fx->store);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_old_erased_recent_untouched_reports_same,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_second_purge_changes_nothing, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_names_leave_the_search_index_with_the_purge,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_log_stays_append_only, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_counts_only, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_local_date_boundary, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_refuses_without_transaction, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
