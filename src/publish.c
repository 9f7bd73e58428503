/*
 * publish.c - call tasks for the day's queues (publish.h).
 */
#include "publish.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "course.h"
#include "job-state.h"
#include "mentor.h"
#include "mentord.h"
#include "outbox.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

#define PUBLISH_KEY_LEN 64

/* One call as the section 5 call task. */
struct task {
	int64_t call_id;
	int64_t course_id;
	const char *citizen_name;
	const char *citizen_phone;
	enum schedule_reason reason;
	int attempt;
	cal_day due;
	const char *topic; /* NULL: none agreed */
};

static int task_add(struct mentord *m, const struct mentor *mentor, const struct task *t,
		    cal_day today, time_t now, int64_t *id, struct error *err)
{
	char key[PUBLISH_KEY_LEN], day[CAL_DATE_LEN], due[CAL_DATE_LEN];
	json_t *payload;
	int rc;

	cal_day_format(today, day);
	cal_day_format(t->due, due);
	snprintf(key, sizeof key, "call-task:%lld:%s", (long long)t->call_id, day);
	payload = json_pack("{s:I, s:{s:I, s:s, s:s}, s:s, s:{s:s, s:s}, s:s, s:i, s:s?}", "id",
			    (json_int_t)t->call_id, "mentor", "id", (json_int_t)mentor->id, "name",
			    mentor->name, "phone", mentor->phone, "due_date", due, "citizen",
			    "name", t->citizen_name, "phone", t->citizen_phone, "reason",
			    schedule_reason_name(t->reason), "attempt", t->attempt, "topic",
			    t->topic);
	if (payload == NULL)
		return error_set(err, ERROR_STORE, NULL, "cannot build call task %lld",
				 (long long)t->call_id);
	rc = outbox_add(m->outbox, OUTBOX_CALL_TASK, PUBLISH_TYPE, t->course_id, key, payload, now,
			id, err);
	json_decref(payload);
	return rc;
}

/*
 * Every pending call due by the day, of an active course, in (due date,
 * call id) order after the cursor: one walk of calls_pending_due for all
 * mentors together, not one whole queue per mentor. Named, so the plan
 * cannot drift; the course is then one lookup by key (NOT INDEXED: by
 * courses_state the planner would look up the state's entry first, then
 * the row).
 */
static const char publish_next_sql[] =
	"SELECT k.id, k.course_id, c.mentor_id, c.citizen_name, c.phone, k.reason, k.attempt,"
	" k.due_date, k.agreed_topic"
	" FROM calls k INDEXED BY calls_pending_due JOIN courses c NOT INDEXED ON c.id = k.course_id"
	" WHERE k.state = 'pending' AND k.due_date <= ?1 AND (k.due_date, k.id) > (?2, ?3)"
	" AND c.state = 'active'"
	" ORDER BY k.due_date, k.id LIMIT ?4";

const char *publish_next_query(void)
{
	return publish_next_sql;
}

void publish_cursor_format(const struct publish_cursor *cur, char *buf, size_t size)
{
	char day[CAL_DATE_LEN] = "";

	if (cur->due != CAL_NO_DAY)
		cal_day_format(cur->due, day);
	snprintf(buf, size, "%s/%lld", day, (long long)cur->call_id);
}

int publish_cursor_parse(const char *text, struct publish_cursor *cur)
{
	const char *slash = text != NULL ? strchr(text, '/') : NULL;
	char day[CAL_DATE_LEN];
	long long id;
	char *end;

	cur->due = CAL_NO_DAY;
	cur->call_id = 0;
	if (text == NULL || text[0] == '\0')
		return 0;
	if (slash == NULL || (size_t)(slash - text) >= sizeof day)
		return -1;
	memcpy(day, text, (size_t)(slash - text));
	day[slash - text] = '\0';
	id = strtoll(slash + 1, &end, 10);
	if (*end != '\0' || id < 0)
		return -1;
	if (day[0] != '\0' && cal_day_parse(day, &cur->due) != 0)
		return -1;
	cur->call_id = id;
	return 0;
}

static const struct mentor *publish_find(const struct mentor *list, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	return NULL;
}

/* The call tasks of the rows the bound select yields. */
static int publish_rows(struct mentord *m, sqlite3_stmt *s, cal_day day, time_t now,
			const struct timespec *deadline, struct publish_cursor *cur, size_t *seen,
			bool *stopped, size_t *added, struct error *err)
{
	struct mentor *mentors = NULL;
	int64_t *available = NULL, id;
	size_t nmentors = 0, navailable = 0;
	int rc = 0, step;

	if (mentor_list(m->mentors, &mentors, &nmentors, err) != 0)
		return -1;
	if (mentor_available(m->mentors, day, &available, &navailable, err) != 0) {
		mentor_list_free(mentors, nmentors);
		return -1;
	}
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const struct mentor *to = publish_find(
			mentors, nmentors,
			mentor_route_pick(sqlite3_column_int64(s, 2), available, navailable));
		enum schedule_reason reason = SCHEDULE_FOLLOW_UP;
		const char *text = (const char *)sqlite3_column_text(s, 5);
		struct task t = {
			.call_id = sqlite3_column_int64(s, 0),
			.course_id = sqlite3_column_int64(s, 1),
			.citizen_name = (const char *)sqlite3_column_text(s, 3),
			.citizen_phone = (const char *)sqlite3_column_text(s, 4),
			.attempt = sqlite3_column_int(s, 6),
			.due = sql_column_day(s, 7),
			.topic = (const char *)sqlite3_column_text(s, 8),
		};

		if (text != NULL)
			schedule_reason_parse(text, &reason);
		t.reason = reason;
		/* Only an active mentor's queue is published: with nobody
		 * available a call stays with its (maybe inactive) mentor. */
		if (to != NULL && to->active) {
			rc = task_add(m, to, &t, day, now, &id, err);
			if (rc == 0 && id != 0)
				(*added)++;
		}
		if (rc == 0) {
			cur->due = t.due;
			cur->call_id = t.call_id;
			(*seen)++;
			if ((*stopped = clock_deadline_passed(deadline)))
				break;
		}
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sql_error(err, store_db(m->store), "reading the calls to publish");
	free(available);
	mentor_list_free(mentors, nmentors);
	return rc;
}

int publish_chunk(struct mentord *m, cal_day day, time_t now, size_t limit,
		  const struct timespec *deadline, struct publish_cursor *cur, size_t *added,
		  bool *finished, struct error *err)
{
	char from[CAL_DATE_LEN] = "";
	sqlite3_stmt *s;
	size_t seen = 0;
	bool stopped = false;
	int rc;

	*finished = false;
	if ((s = store_statement(m->store, publish_next_sql, err)) == NULL)
		return -1;
	if (cur->due != CAL_NO_DAY)
		cal_day_format(cur->due, from);
	sql_bind_day(s, 1, day);
	/* "" sorts before every date: from the first call. */
	sqlite3_bind_text(s, 2, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, cur->call_id);
	sqlite3_bind_int64(s, 4, limit > 0 ? (sqlite3_int64)limit : -1);
	rc = publish_rows(m, s, day, now, deadline, cur, &seen, &stopped, added, err);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != 0)
		return -1;
	*finished = !stopped && (limit == 0 || seen < limit);
	return 0;
}

int publish_queues(struct mentord *m, time_t now, size_t *added, struct error *err)
{
	struct publish_cursor cur = {CAL_NO_DAY, 0};
	bool finished;

	*added = 0;
	return publish_chunk(m, cal_day_of_instant(now), now, 0, NULL, &cur, added, &finished, err);
}

/* A call scheduled after today's queues went out, due today or before,
 * would otherwise wait for tomorrow's publication. */
static int publish_hook(void *arg, const struct course_op *op, int64_t course_id, int64_t call_id,
			cal_day due, struct error *err)
{
	struct mentord *m = arg;
	cal_day today = cal_day_of_instant(op->now);
	struct course *c = NULL;
	struct call *call = NULL;
	struct mentor *mentor = NULL;
	int64_t routed, id;
	int rc = -1;

	/* Once today's publication has begun: a call behind its cursor would
	 * wait for tomorrow, one ahead of it gets the same key twice, which
	 * the outbox adds once. */
	if (due > today || !job_state_day_begun(m->store, PUBLISH_JOB, today))
		return 0;
	if (course_get(m->courses, course_id, &c, err) != 0 ||
	    course_get_call(m->courses, call_id, &call, err) != 0)
		goto out;
	rc = 0;
	/* The queue holds active courses' calls only. */
	if (c->state != COURSE_ACTIVE)
		goto out;
	if ((rc = mentor_route(m->mentors, c->mentor_id, today, &routed, err)) != 0 || routed == 0)
		goto out;
	if ((rc = mentor_get(m->mentors, routed, &mentor, err)) == 0) {
		struct task t = {
			.call_id = call->id,
			.course_id = course_id,
			.citizen_name = c->name,
			.citizen_phone = c->phone,
			.reason = call->reason,
			.attempt = call->attempt,
			.due = call->due,
			.topic = call->agreed_topic,
		};
		rc = task_add(m, mentor, &t, today, op->now, &id, err);
	}
out:
	mentor_free(mentor);
	call_free(call);
	course_free(c);
	return rc;
}

void publish_attach(struct mentord *m)
{
	course_db_set_schedule_hook(m->courses, publish_hook, m);
}
