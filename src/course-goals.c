/*
 * course-goals.c - progression goals and follow-up meetings of a course
 * (course.h, doc/programmes.md).
 *
 * A meeting is a call of kind 'meeting' (call.h), so the queue, its order
 * and publication read it like any call; what is its own is here: when it
 * is due (every meeting_interval_days from the start, schedule.h), and
 * what its outcome records (progress per goal).
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

static const struct sql_statement course_goal_sql[] = {
	{offsetof(struct course_db, goal_add),
	 "INSERT INTO goals (course_id, text, agreed_at, author) VALUES (?1, ?2, ?3, ?4)"},
	/* Each goal with its latest progress: along goals_course, then the
	 * progress table's key (goal_id, call_id). */
	{offsetof(struct course_db, goal_list),
	 "SELECT g.id, g.text, g.agreed_at, g.author, p.progress, p.note, p.call_id, k.call_date"
	 " FROM goals g LEFT JOIN goal_progress p ON p.goal_id = g.id AND p.call_id ="
	 "  (SELECT max(q.call_id) FROM goal_progress q WHERE q.goal_id = g.id)"
	 " LEFT JOIN calls k ON k.id = p.call_id"
	 " WHERE g.course_id = ?1 ORDER BY g.id"},
	{offsetof(struct course_db, goal_in_course),
	 "SELECT 1 FROM goals WHERE id = ?1 AND course_id = ?2"},
	{offsetof(struct course_db, has_goals), "SELECT 1 FROM goals WHERE course_id = ?1 LIMIT 1"},
	{offsetof(struct course_db, progress_add),
	 "INSERT INTO goal_progress (goal_id, call_id, progress, note, recorded_at, author)"
	 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
};

#define COURSE_GOAL_NSQL (sizeof course_goal_sql / sizeof course_goal_sql[0])

int course_goals_prepare(struct course_db *db, char **cause)
{
	return sql_prepare_table(db->db, db, course_goal_sql, COURSE_GOAL_NSQL, cause);
}

void course_goals_finalize(struct course_db *db)
{
	sql_finalize_table(db, course_goal_sql, COURSE_GOAL_NSQL);
}

static const char *const course_progress_names[] = {"none", "some", "good", "achieved"};

bool course_progress_valid(const char *progress)
{
	for (size_t i = 0;
	     progress != NULL && i < sizeof course_progress_names / sizeof course_progress_names[0];
	     i++)
		if (strcmp(course_progress_names[i], progress) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------------ */

int course_schedule_meeting(struct course_db *db, const struct course_op *op,
			    const struct course *c, cal_day from, struct error *err)
{
	const struct programme *p = course_programme(op, c);
	struct call *pending;
	cal_day due;
	int64_t id;

	int rc;

	if (p == NULL || p->meeting_interval_days <= 0)
		return 0;
	/* A meeting follows up the goals: a course without any has none
	 * until its goals are agreed. */
	sqlite3_bind_int64(db->has_goals, 1, c->id);
	rc = sqlite3_step(db->has_goals);
	sqlite3_reset(db->has_goals);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return sql_error(err, db->db, "reading a course's goals");
	if (call_meeting(db->calls, c->id, &pending, err) != 0)
		return -1;
	if (pending != NULL) {
		call_free(pending);
		return 0;
	}
	due = schedule_meeting_from(course_rules(op, c), p->meeting_interval_days, &c->window,
				    from);
	if (due == CAL_NO_DAY)
		return 0;
	return course_add_meeting(db, op, c->id, due, &id, err);
}

int course_add_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
		       cal_day due, int64_t *id, struct error *err)
{
	if (call_add_meeting(db->calls, course_id, due, op->now, id, err) != 0 ||
	    course_log_add(db, op, course_id, "meeting_scheduled",
			   json_pack("{s:I, s:o}", "call_id", (json_int_t)*id, "due_date",
				     course_day_json(due)),
			   err) != 0)
		return -1;
	if (db->on_schedule == NULL)
		return 0;
	return db->on_schedule(db->on_schedule_arg, op, course_id, *id, due, err);
}

int course_cancel_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
			  const char *why, struct error *err)
{
	int64_t id;

	if (call_cancel_meeting(db->calls, course_id, why, &id, err) != 0)
		return -1;
	if (id == 0)
		return 0;
	if (course_log_add(db, op, course_id, "call_cancelled",
			   json_pack("{s:I, s:s, s:s}", "call_id", (json_int_t)id, "reason", why,
				     "kind", "meeting"),
			   err) != 0)
		return -1;
	return course_withdraw_tasks(db, op, course_id, id, "call_cancelled", err);
}

/* A meeting is published like a call, so a stop that cancels the call at
 * the gateway cancels the meeting there too: nobody is to meet a citizen
 * who died or withdrew consent. */
int course_recall_meeting(struct course_db *db, const struct course_op *op, int64_t course_id,
			  const char *why, struct error *err)
{
	int64_t id;

	if (call_cancel_meeting(db->calls, course_id, why, &id, err) != 0)
		return -1;
	return course_recall_cancelled(db, op, course_id, id, true, why, err);
}

int course_next_meeting(struct course_db *db, int64_t course_id, int64_t *id, cal_day *due,
			struct error *err)
{
	struct call *pending;

	*id = 0;
	*due = CAL_NO_DAY;
	if (call_meeting(db->calls, course_id, &pending, err) != 0)
		return -1;
	if (pending != NULL) {
		*id = pending->id;
		*due = pending->due;
	}
	call_free(pending);
	return 0;
}

/* ------------------------------------------------------------------------ */

static int course_goal_of(struct course_db *db, int64_t goal_id, int64_t course_id, bool *ours,
			  struct error *err)
{
	sqlite3_stmt *s = db->goal_in_course;
	int rc;

	sqlite3_bind_int64(s, 1, goal_id);
	sqlite3_bind_int64(s, 2, course_id);
	rc = sqlite3_step(s);
	*ours = rc == SQLITE_ROW;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "reading a goal");
	return 0;
}

/* The request's field of goals[i].what. */
static int course_goal_invalid(struct error *err, size_t i, const char *what, const char *message)
{
	char field[48];

	snprintf(field, sizeof field, "goals[%zu].%s", i, what);
	return error_set(err, ERROR_INVALID, field, "%s", message);
}

int course_meeting_outcome(struct course_db *db, const struct course_op *op, struct course *c,
			   const struct call *call, const struct call_outcome *o, struct error *err)
{
	json_t *goals = json_array();
	bool ours;

	if (o->result != CALL_REACHED && o->result != CALL_NO_ANSWER) {
		json_decref(goals);
		return error_set(err, ERROR_INVALID, "result",
				 "a meeting is reached (held) or no_answer (did not take place)");
	}
	if (o->result != CALL_REACHED && o->ngoals > 0) {
		json_decref(goals);
		return error_set(err, ERROR_INVALID, "goals",
				 "progress is recorded at a meeting that was held");
	}
	for (size_t i = 0; i < o->ngoals; i++) {
		const struct call_goal_progress *g = &o->goals[i];
		sqlite3_stmt *s = db->progress_add;

		if (course_goal_of(db, g->goal_id, c->id, &ours, err) != 0)
			goto fail;
		if (!ours) {
			course_goal_invalid(err, i, "goal_id", "is not a goal of this course");
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (o->goals[j].goal_id == g->goal_id) {
				course_goal_invalid(err, i, "goal_id", "is given twice");
				goto fail;
			}
		sqlite3_bind_int64(s, 1, g->goal_id);
		sqlite3_bind_int64(s, 2, call->id);
		sqlite3_bind_text(s, 3, g->progress, -1, SQLITE_TRANSIENT);
		sql_bind_text(s, 4, g->note);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)op->now);
		sqlite3_bind_text(s, 6, op->author, -1, SQLITE_TRANSIENT);
		if (sql_step_done(db->db, s, "recording a goal's progress", err) != 0)
			goto fail;
		/* The log has ids and codes, never the note. */
		json_array_append_new(goals,
				      json_pack("{s:I, s:s}", "goal_id", (json_int_t)g->goal_id,
						"progress", g->progress));
	}
	if (course_log_add(db, op, c->id, "meeting",
			   json_pack("{s:I, s:s, s:o}", "call_id", (json_int_t)call->id, "result",
				     call_result_name(o->result), "goals", goals),
			   err) != 0)
		return -1;
	/* The next meeting keeps the rhythm from the start, after today. */
	return course_schedule_meeting(db, op, c, course_today(op) + 1, err);

fail:
	json_decref(goals);
	return -1;
}

/* ------------------------------------------------------------------------ */

int course_add_goals_tx(struct course_db *db, const struct course_op *op, int64_t course_id,
			const char *const *texts, size_t n, int64_t *ids, struct error *err)
{
	struct course *c;
	json_t *list;
	int rc;

	if (course_get(db, course_id, &c, err) != 0)
		return -1;
	/* Agreed at the start, and added to while the course runs. */
	if (c->state != COURSE_ACTIVE && c->state != COURSE_AWAITING_DECISION) {
		error_set(err, ERROR_CONFLICT, NULL, "course %lld is %s: no goals are agreed",
			  (long long)course_id, course_state_name(c->state));
		course_free(c);
		return -1;
	}
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s = db->goal_add;

		sqlite3_bind_int64(s, 1, course_id);
		sqlite3_bind_text(s, 2, texts[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)op->now);
		sqlite3_bind_text(s, 4, op->author, -1, SQLITE_TRANSIENT);
		if (sql_step_done(db->db, s, "agreeing a goal", err) != 0) {
			json_decref(list);
			course_free(c);
			return -1;
		}
		ids[i] = sqlite3_last_insert_rowid(db->db);
		json_array_append_new(list, json_integer(ids[i]));
	}
	rc = course_log_add(db, op, course_id, "goals_agreed", json_pack("{s:o}", "goal_ids", list),
			    err);
	/* The first goals of a running course bring its meetings. */
	if (rc == 0 && c->state == COURSE_ACTIVE)
		rc = course_schedule_meeting(db, op, c, course_today(op), err);
	course_free(c);
	return rc;
}

int course_goals_check(const char *const *texts, size_t n, struct error *err)
{
	if (n == 0 || n > COURSE_MAX_GOALS)
		return error_set(err, ERROR_INVALID, "goals", "1 to %d goals", COURSE_MAX_GOALS);
	for (size_t i = 0; i < n; i++)
		if (texts[i] == NULL || *texts[i] == '\0' ||
		    strlen(texts[i]) > COURSE_MAX_GOAL_TEXT)
			return course_goal_invalid(err, i, "text",
						   "a goal of 1 to 500 characters is required");
	return 0;
}

int course_add_goals(struct course_db *db, const struct course_op *op, int64_t course_id,
		     const char *const *texts, size_t n, int64_t *ids, struct error *err)
{
	if (course_goals_check(texts, n, err) != 0)
		return -1;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx,
				 course_add_goals_tx(db, op, course_id, texts, n, ids, err), err);
}

int course_goals_json(struct course_db *db, int64_t course_id, json_t **out, struct error *err)
{
	sqlite3_stmt *s = db->goal_list;
	char at[CLOCK_RFC3339_LEN];
	json_t *list = json_array(), *goal, *latest;
	int rc;

	sqlite3_bind_int64(s, 1, course_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		clock_format_rfc3339((time_t)sqlite3_column_int64(s, 2), at);
		latest = json_null();
		if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
			latest = json_pack("{s:s, s:I, s:o}", "progress",
					   (const char *)sqlite3_column_text(s, 4), "call_id",
					   (json_int_t)sqlite3_column_int64(s, 6), "date",
					   course_day_json(sql_column_day(s, 7)));
			if (sqlite3_column_type(s, 5) != SQLITE_NULL)
				json_object_set_new(
					latest, "note",
					json_string((const char *)sqlite3_column_text(s, 5)));
		}
		goal = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id",
				 (json_int_t)sqlite3_column_int64(s, 0), "text",
				 (const char *)sqlite3_column_text(s, 1), "agreed_at", at, "author",
				 (const char *)sqlite3_column_text(s, 3), "latest", latest);
		json_array_append_new(list, goal);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return sql_error(err, db->db, "reading the goals of a course");
	}
	*out = list;
	return 0;
}
