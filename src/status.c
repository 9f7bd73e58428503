/*
 * status.c - what mentorctl status shows (status.h).
 */
#include "status.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "course.h"
#include "publish.h"
#include "sql.h"
#include "store.h"

/* The states are course.h's, in its order; their names are its names. */
_Static_assert(STATUS_NSTATES == COURSE_NSTATES, "status counts every course state");

const char *status_state_name(enum status_course_state state)
{
	return (unsigned)state < STATUS_NSTATES ? course_state_name((enum course_state)state)
						: "unknown";
}

/* One query, one row; each column into the next of out. sql is a string
 * literal: the store keeps the statement (store_statement). ?1, where
 * used, is today. */
static int status_query(struct store *store, const char *sql, cal_day today, int64_t *const *out,
			int n, bool *found, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_statement(store, sql, err)) == NULL)
		return -1;
	if (sqlite3_bind_parameter_count(stmt) > 0)
		sql_bind_day(stmt, 1, today);
	rc = sqlite3_step(stmt);
	for (int i = 0; rc == SQLITE_ROW && i < n; i++)
		*out[i] = sqlite3_column_int64(stmt, i);
	if (found != NULL)
		*found = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sql_error(err, db, "status");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Courses by state from the counts the triggers keep (migration 15),
 * not over the courses: most of a million are closed. */
static int status_states(struct store *store, struct status *st, struct error *err)
{
	sqlite3_stmt *stmt;
	int rc, state;

	stmt = store_statement(
		store, "SELECT label, n FROM row_counts WHERE family = 'course_state'", err);
	if (stmt == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state = course_state_parse((const char *)sqlite3_column_text(stmt, 0));
		if (state >= 0 && state < STATUS_NSTATES)
			st->courses[state] = sqlite3_column_int64(stmt, 1);
	}
	if (rc != SQLITE_DONE)
		sql_error(err, store_db(store), "status");
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int status_counts(struct store *store, cal_day today, struct status *st, struct error *err)
{
	int64_t *const counts[] = {
		&st->anonymised,	&st->pending_calls,
		&st->outbox_pending,	&st->outbox_dead,
		&st->unassigned,	&st->wrong_number,
		&st->expired,		&st->referrals_at_risk,
		&st->referrals_overdue, &st->awaiting_checklist,
	};
	int64_t at = 0, *const published[] = {&at};

	if (status_query(store,
			 "SELECT"
			 " (SELECT coalesce(sum(n), 0) FROM row_counts"
			 "   WHERE family = 'course_anonymised'),"
			 " (SELECT count(*) FROM calls WHERE state = 'pending'),"
			 " (SELECT coalesce(sum(n), 0) FROM row_counts"
			 "   WHERE family = 'outbox_state' AND label = 'pending'),"
			 " (SELECT coalesce(sum(n), 0) FROM row_counts"
			 "   WHERE family = 'outbox_state' AND label = 'dead'),"
			 " (SELECT count(*) FROM courses WHERE state = 'active'"
			 "   AND mentor_id IS NULL),"
			 " (SELECT count(*) FROM courses WHERE state = 'active'"
			 "   AND flag = 'wrong_number'),"
			 " (SELECT count(*) FROM courses INDEXED BY courses_referral_expired"
			 "   WHERE state = 'closed'"
			 "   AND state_reason IN ('referral_expired', 'readmission_expired')),"
			 " (SELECT count(*) FROM courses WHERE state = 'awaiting_decision'"
			 "   AND at_risk_on <= ?1),"
			 " (SELECT count(*) FROM courses WHERE state = 'awaiting_decision'"
			 "   AND decision_due < ?1),"
			 " (SELECT count(*) FROM courses INDEXED BY courses_awaiting_checklist"
			 "   WHERE state = 'ended' AND state_reason = 'awaiting_checklist')",
			 today, counts, (int)(sizeof counts / sizeof counts[0]), NULL, err) != 0 ||
	    status_states(store, st, err) != 0 ||
	    status_query(store, "SELECT ran_at FROM job_runs WHERE job = '" PUBLISH_JOB "'",
			 CAL_NO_DAY, published, 1, &st->published, err) != 0)
		return -1;
	st->published_at = (time_t)at;
	return 0;
}

int status_read(struct store *store, cal_day today, struct status *st, struct error *err)
{
	int rc;

	memset(st, 0, sizeof *st);
	/* A snapshot, not store_tx(): a read needs one state, not the write
	 * lock that BEGIN IMMEDIATE would take from mentord. */
	if (store_begin_snapshot(store, err) != 0)
		return -1;
	rc = status_counts(store, today, st, err);
	if (rc == 0)
		rc = retention_last_run(store, &st->purge, &st->purged, err);
	store_end_snapshot(store, NULL);
	return rc;
}

static json_t *status_instant(bool known, time_t t)
{
	char buf[CLOCK_RFC3339_LEN];

	if (!known)
		return json_null();
	clock_format_rfc3339(t, buf);
	return json_string(buf);
}

json_t *status_to_json(const struct status *st)
{
	json_t *courses = json_object(), *purge = json_null();

	for (int i = 0; i < STATUS_NSTATES; i++)
		json_object_set_new(courses, status_state_name(i), json_integer(st->courses[i]));
	json_object_set_new(courses, "anonymised", json_integer(st->anonymised));
	json_object_set_new(courses, "unassigned", json_integer(st->unassigned));
	json_object_set_new(courses, "wrong_number", json_integer(st->wrong_number));
	json_object_set_new(courses, "referrals_expired", json_integer(st->expired));
	json_object_set_new(courses, "referrals_at_risk", json_integer(st->referrals_at_risk));
	json_object_set_new(courses, "referrals_overdue", json_integer(st->referrals_overdue));
	json_object_set_new(courses, "awaiting_checklist", json_integer(st->awaiting_checklist));
	if (st->purged)
		purge = json_pack("{s:o, s:I, s:s}", "at", status_instant(true, st->purge.ran_at),
				  "courses_anonymised", (json_int_t)st->purge.courses, "by",
				  st->purge.author);
	return json_pack("{s:o, s:I, s:{s:I, s:I}, s:o, s:o}", "courses", courses, "pending_calls",
			 (json_int_t)st->pending_calls, "outbox", "pending",
			 (json_int_t)st->outbox_pending, "dead", (json_int_t)st->outbox_dead,
			 "last_queue_publication", status_instant(st->published, st->published_at),
			 "last_retention_purge", purge);
}
