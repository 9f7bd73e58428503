/*
 * publish.c - call tasks for the day's queues (publish.h).
 */
#include "publish.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "course.h"
#include "jobs.h"
#include "mentor.h"
#include "mentord.h"
#include "outbox.h"
#include "queue.h"
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

static int publish_mentor(struct mentord *m, const struct mentor *mentor, cal_day today,
			  time_t now, size_t *added, struct error *err)
{
	struct queue_list *q;
	int64_t id;
	int rc = 0;

	if (queue_build(m->queue, mentor->id, today, &q, err) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < q->count; i++) {
		const struct queue_entry *e = &q->entries[i];
		struct task t = {
			.call_id = e->call_id,
			.course_id = e->course_id,
			.citizen_name = e->name,
			.citizen_phone = e->phone,
			.reason = e->reason,
			.attempt = e->attempt,
			.due = e->due_date,
			.topic = e->agreed_topic,
		};
		if ((rc = task_add(m, mentor, &t, today, now, &id, err)) == 0 && id != 0)
			(*added)++;
	}
	queue_list_free(q);
	return rc;
}

int publish_queues(struct mentord *m, time_t now, size_t *added, char **cause)
{
	cal_day today = cal_day_of_instant(now);
	struct error err;
	struct mentor *list;
	size_t n;
	int rc = 0;

	*added = 0;
	if (mentor_list(m->mentors, &list, &n, &err) != 0) {
		*cause = xstrdup(err.message);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (list[i].active)
			rc = publish_mentor(m, &list[i], today, now, added, &err);
	mentor_list_free(list, n);
	if (rc != 0)
		*cause = xstrdup(err.message);
	return rc;
}

/* A call scheduled after today's queues went out, due today or before,
 * would otherwise wait for tomorrow's publication. */
static int publish_hook(void *arg, const struct course_op *op, int64_t course_id,
			int64_t call_id, cal_day due, struct error *err)
{
	struct mentord *m = arg;
	cal_day today = cal_day_of_instant(op->now);
	struct course *c = NULL;
	struct call *call = NULL;
	struct mentor *mentor = NULL;
	int64_t routed, id;
	int rc = -1;

	if (due > today || jobs_last_day(m->store, PUBLISH_JOB) != today)
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
