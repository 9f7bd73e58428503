/*
 * course-referral.c - a caseworker's referral to a referral programme and
 * the decision that starts or rejects it (course.h, doc/programmes.md).
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "xmalloc.h"

/* How far ahead a decided course may start. */
#define COURSE_START_AHEAD_DAYS 90
/* How far back a need may have been identified (doc/programmes.md). */
#define COURSE_NEED_MAX_MONTHS 12

/* The citizen's open courses of programme: a second referral to the same
 * programme is a conflict, not a replacement (doc/programmes.md). */
static int course_refer_check(struct course_db *db, const struct programme *p,
			      const struct discharge *d, struct error *err)
{
	int64_t *ids;
	size_t n;

	if (d->cpr[0] != '\0') {
		sqlite3_bind_text(db->deceased_cpr, 1, d->cpr, -1, SQLITE_TRANSIENT);
		if (course_select_ids(db, db->deceased_cpr, &ids, &n, err) != 0)
			return -1;
		free(ids);
		if (n > 0)
			return error_set(err, ERROR_CONFLICT, "citizen.cpr",
					 "the citizen has died: no course is started");
	}
	sql_bind_text(db->open_of_citizen, 1, d->cpr[0] != '\0' ? d->cpr : NULL);
	sqlite3_bind_text(db->open_of_citizen, 2, d->phone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->open_of_citizen, 3, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->open_of_citizen, 4, p->id, -1, SQLITE_TRANSIENT);
	if (course_select_ids(db, db->open_of_citizen, &ids, &n, err) != 0)
		return -1;
	if (n > 0) {
		error_set(err, ERROR_CONFLICT, "citizen",
			  "the citizen already has course %lld in %s", (long long)ids[0], p->id);
		free(ids);
		return -1;
	}
	free(ids);
	return 0;
}

int course_refer(struct course_db *db, const struct course_op *op, const struct programme *p,
		 const struct discharge *d, cal_day need, const char *wishes,
		 struct course_created *out, struct error *err)
{
	struct schedule_window w = {CAL_NO_DAY, CAL_NO_DAY};
	struct course_referral r = {
		.programme = p->id,
		.need_identified_on = need,
		.decision_due = need + p->decision_days,
		.at_risk_on = need + p->decision_days - p->at_risk_days,
		.wishes = wishes,
	};
	int rc;

	memset(out, 0, sizeof *out);
	out->first_call_due = CAL_NO_DAY;
	out->window_end = CAL_NO_DAY;
	if (p->intake != PROGRAMME_INTAKE_REFERRAL)
		return error_set(err, ERROR_INVALID, "programme",
				 "%s does not take referrals: its intake is %s", p->id,
				 programme_intake_name(p->intake));
	if (!d->checked)
		return error_set(err, ERROR_INVALID, "citizen", "the referral was not validated");
	if (need > course_today(op))
		return error_set(err, ERROR_INVALID, "need_identified_on",
				 "must not be in the future");
	/* A year back is a typing error (1900 for 2026) or a need to assess
	 * anew. Not tighter: a late referral must still show how late it is,
	 * the deadline being what the municipality is measured on. */
	if (need < cal_add_months(course_today(op), -COURSE_NEED_MAX_MONTHS))
		return error_set(err, ERROR_INVALID, "need_identified_on",
				 "must not be more than %d months ago", COURSE_NEED_MAX_MONTHS);
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	rc = course_refer_check(db, p, d, err);
	if (rc == 0)
		rc = course_insert(db, op, d, NULL, &w, 0, &r, &out->course_id, err);
	if (sql_savepoint_end(&db->tx, rc, err) != 0) {
		out->course_id = 0;
		return -1;
	}
	return 0;
}

static int course_decided(struct course_db *db, const struct course_op *op, struct course *c,
			  struct error *err)
{
	sqlite3_bind_int64(db->set_decided, 1, c->id);
	sqlite3_bind_int64(db->set_decided, 2, (sqlite3_int64)op->now);
	if (sql_step_done(db->db, db->set_decided, "recording a decision", err) != 0)
		return -1;
	c->decided_at = op->now;
	return 0;
}

static int course_decide_tx(struct course_db *db, const struct course_op *op, struct course *c,
			    bool start, int64_t mentor_id, cal_day start_on, const char *reason,
			    json_t *match, const char *const *goals, size_t ngoals,
			    struct course_created *out, struct error *err)
{
	int64_t goal_ids[COURSE_MAX_GOALS];
	json_t *extra;

	if (c->state != COURSE_AWAITING_DECISION) {
		json_decref(match);
		return error_set(err, ERROR_CONFLICT, NULL,
				 "course %lld is %s: it is not awaiting a decision",
				 (long long)c->id, course_state_name(c->state));
	}
	if (course_decided(db, op, c, err) != 0) {
		json_decref(match);
		return -1;
	}
	extra = json_pack("{s:s}", "decision", start ? "start" : "reject");
	if (reason != NULL)
		json_object_set_new(extra, "note", json_string(reason));
	if (match != NULL && start)
		json_object_set_new(extra, "match", match);
	else
		json_decref(match);
	if (!start)
		return course_set_state_with(db, op, c, COURSE_CLOSED, "rejected", "decision",
					     extra, err);
	json_object_set_new(extra, "start_on", course_day_json(start_on));
	/* Agreed while the course still awaits its decision: the first
	 * contact below then schedules the first meeting with them. */
	if (ngoals > 0 && course_add_goals_tx(db, op, c->id, goals, ngoals, goal_ids, err) != 0) {
		json_decref(extra);
		return -1;
	}
	if (mentor_id > 0 && course_check_mentor(db, mentor_id, err) != 0) {
		json_decref(extra);
		return -1;
	}
	if (course_set_window(db, op, c, start_on, false, err) != 0) {
		json_decref(extra);
		return -1;
	}
	if (course_set_state_with(db, op, c, COURSE_ACTIVE, NULL, "decision", extra, err) != 0)
		return -1;
	if (mentor_id > 0) {
		if (course_give_mentor(db, op, c->id, mentor_id, err) != 0)
			return -1;
		c->mentor_id = mentor_id;
	}
	return course_first_contact(db, op, c, mentor_id == 0, out, err);
}

int course_decide(struct course_db *db, const struct course_op *op, int64_t id, bool start,
		  int64_t mentor_id, cal_day start_on, const char *reason,
		  struct course_created *out, struct error *err)
{
	return course_decide_matched(db, op, id, start, mentor_id, start_on, reason, NULL, NULL, 0,
				     out, err);
}

int course_decide_matched(struct course_db *db, const struct course_op *op, int64_t id, bool start,
			  int64_t mentor_id, cal_day start_on, const char *reason, json_t *match,
			  const char *const *goals, size_t ngoals, struct course_created *out,
			  struct error *err)
{
	cal_day today = course_today(op);
	struct course *c;
	int rc;

	memset(out, 0, sizeof *out);
	out->first_call_due = CAL_NO_DAY;
	out->window_end = CAL_NO_DAY;
	out->course_id = id;
	if (start_on == CAL_NO_DAY)
		start_on = today;
	if (start && (start_on < today || start_on > today + COURSE_START_AHEAD_DAYS)) {
		json_decref(match);
		return error_set(err, ERROR_INVALID, "start_on",
				 "must be today or at most %d days ahead", COURSE_START_AHEAD_DAYS);
	}
	if (start && ngoals > 0 && course_goals_check(goals, ngoals, err) != 0) {
		json_decref(match);
		return -1;
	}
	if (course_get(db, id, &c, err) != 0) {
		json_decref(match);
		return -1;
	}
	if (sql_savepoint_begin(&db->tx, err) != 0) {
		course_free(c);
		json_decref(match);
		return -1;
	}
	rc = course_decide_tx(db, op, c, start, mentor_id, start_on, reason, match, goals, ngoals,
			      out, err);
	course_free(c);
	if (sql_savepoint_end(&db->tx, rc, err) != 0) {
		memset(out, 0, sizeof *out);
		out->first_call_due = CAL_NO_DAY;
		out->window_end = CAL_NO_DAY;
		return -1;
	}
	out->course_id = id;
	return 0;
}

int course_referrals(struct course_db *db, const char *programme, cal_day at_risk_by,
		     int64_t referred_by, int64_t after, size_t limit, struct course **out,
		     size_t *count, struct error *err)
{
	sqlite3_stmt *s = db->referrals;
	struct course *list = limit > 0 ? xcalloc(limit, sizeof *list) : NULL;
	size_t n = 0;
	int rc = SQLITE_DONE;

	sql_bind_text(s, 1, programme);
	sql_bind_day(s, 2, at_risk_by);
	sqlite3_bind_int64(s, 3, after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 5, referred_by);
	while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		course_read_row(s, &list[n++]);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		course_list_free(list, n);
		return sql_error(err, db->db, "listing referrals");
	}
	*out = list;
	*count = n;
	return 0;
}
