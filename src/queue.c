/*
 * queue.c - a mentor's daily call queue (queue.h).
 *
 * Routing depends on the day and the assigned mentor only, so it is worked
 * out first, as the list of assigned mentors whose calls go to this mentor
 * today: their own, and for the day's first stand-in also those of every
 * mentor who is away, does not work that day or is inactive, and of
 * courses without a mentor. Each of those is then one range of the index
 * calls_queue (pending calls by assigned mentor and due date): the rows
 * read are the rows answered, whatever the number of courses.
 *
 * The order is applied here, not in SQL: an index in queue order (first
 * contacts first) could not range on the due date, so it would walk every
 * pending call of the mentor, and the stand-in's queue merges several
 * ranges anyway. A day's queue is at most a few hundred rows.
 */
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "store.h"
#include "xmalloc.h"
#include "sql.h"

struct queue {
	sqlite3 *db;
	struct mentor_db *mentors; /* borrowed */
	sqlite3_stmt *due;
	sqlite3_stmt *mentor_ids;
};

static const struct sql_statement queue_sql[] = {
	/* ?1 is the assigned mentor, NULL for courses without one. The
	 * course is a lookup by key (NOT INDEXED): the planner must not
	 * start from courses_state, every active course. */
	{offsetof(struct queue, due),
	 "SELECT k.id, k.course_id, c.mentor_id, c.citizen_name, c.phone, k.reason,"
	 " k.first_contact, k.attempt, k.due_date, k.agreed_topic, c.preferred_from,"
	 " c.preferred_to, c.discharge_date, l.result, l.call_date, c.programme, k.kind"
	 " FROM calls k JOIN courses c NOT INDEXED ON c.id = k.course_id"
	 " LEFT JOIN calls l ON l.id = (SELECT d.id FROM calls d WHERE d.course_id = k.course_id"
	 "  AND d.state = 'done' ORDER BY d.recorded_at DESC, d.id DESC LIMIT 1)"
	 " WHERE k.state = 'pending' AND k.mentor_id IS ?1 AND k.due_date <= ?2"
	 " AND c.state = 'active'"},
	{offsetof(struct queue, mentor_ids), "SELECT id FROM mentors ORDER BY id"},
};

#define QUEUE_NSQL (sizeof queue_sql / sizeof queue_sql[0])

struct queue *queue_new(struct store *store, struct mentor_db *mentors, char **cause)
{
	struct queue *queue = xcalloc(1, sizeof *queue);

	queue->db = store_db(store);
	queue->mentors = mentors;
	if (sql_prepare_table(queue->db, queue, queue_sql, QUEUE_NSQL, cause) != 0) {
		queue_free(queue);
		return NULL;
	}
	return queue;
}

void queue_free(struct queue *queue)
{
	if (queue == NULL)
		return;
	sql_finalize_table(queue, queue_sql, QUEUE_NSQL);
	free(queue);
}

static void queue_copy_time(char dst[QUEUE_TIME_LEN], const unsigned char *src)
{
	snprintf(dst, QUEUE_TIME_LEN, "%s", src != NULL ? (const char *)src : "");
}

static void queue_read_row(sqlite3_stmt *s, cal_day day, struct queue_entry *e)
{
	const char *text;
	enum schedule_reason reason = SCHEDULE_FOLLOW_UP;

	e->call_id = sqlite3_column_int64(s, 0);
	e->course_id = sqlite3_column_int64(s, 1);
	e->assigned_mentor_id = sqlite3_column_int64(s, 2);
	e->name = sql_column_strdup(s, 3);
	e->phone = sql_column_strdup(s, 4);
	if ((text = (const char *)sqlite3_column_text(s, 5)) != NULL)
		schedule_reason_parse(text, &reason);
	e->reason = reason;
	e->first_contact = sqlite3_column_int(s, 6) != 0;
	e->attempt = sqlite3_column_int(s, 7);
	e->due_date = sql_column_day(s, 8);
	e->overdue_days = day - e->due_date;
	e->agreed_topic = sql_column_strdup(s, 9);
	queue_copy_time(e->preferred_from, sqlite3_column_text(s, 10));
	queue_copy_time(e->preferred_to, sqlite3_column_text(s, 11));
	e->days_since_discharge = day - sql_column_day(s, 12);
	text = (const char *)sqlite3_column_text(s, 13);
	e->has_last_contact = text != NULL && call_result_parse(text, &e->last_result) == 0;
	e->last_contact_date = sql_column_day(s, 14);
	e->programme = sql_column_strdup(s, 15);
	text = (const char *)sqlite3_column_text(s, 16);
	e->meeting = text != NULL && strcmp(text, "meeting") == 0;
}

/* doc/scheduling.md: first contacts first; then most overdue; then higher
 * attempt number; then earliest preferred call time, none last; then call
 * id. Total, so the order of the ranges read does not matter. */
static int queue_entry_cmp(const void *pa, const void *pb)
{
	const struct queue_entry *a = pa, *b = pb;
	int c;

	if (a->first_contact != b->first_contact)
		return a->first_contact ? -1 : 1;
	if (a->due_date != b->due_date)
		return a->due_date < b->due_date ? -1 : 1;
	if (a->attempt != b->attempt)
		return a->attempt > b->attempt ? -1 : 1;
	if ((a->preferred_from[0] == '\0') != (b->preferred_from[0] == '\0'))
		return a->preferred_from[0] == '\0' ? 1 : -1;
	if ((c = strcmp(a->preferred_from, b->preferred_from)) != 0)
		return c;
	return a->call_id < b->call_id ? -1 : a->call_id > b->call_id;
}

/* Add the calls assigned to `assigned` (0: courses without a mentor) due
 * by the list's day. */
static int queue_collect(struct queue *queue, struct queue_list *list, int64_t assigned,
			 struct error *err)
{
	sqlite3_stmt *s = queue->due;
	struct queue_entry *e;
	int rc;

	if (assigned > 0)
		sqlite3_bind_int64(s, 1, assigned);
	else
		sqlite3_bind_null(s, 1);
	sql_bind_day(s, 2, list->date);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		list->entries = xrealloc(list->entries, (list->count + 1) * sizeof *list->entries);
		e = &list->entries[list->count++];
		memset(e, 0, sizeof *e);
		queue_read_row(s, list->date, e);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, queue->db, "reading the queue");
	return 0;
}

static bool queue_contains(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The calls of every mentor not available today: the stand-in's share. */
static int queue_collect_stand_in(struct queue *queue, struct queue_list *list,
				  const int64_t *available, size_t navailable, struct error *err)
{
	sqlite3_stmt *s = queue->mentor_ids;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (queue_contains(available, navailable, id))
			continue;
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = id;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return sql_error(err, queue->db, "reading the mentors");
	}
	rc = queue_collect(queue, list, 0, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = queue_collect(queue, list, ids[i], err);
	free(ids);
	return rc;
}

/* Whose calls go to the list's mentor today, read in (mentor.h): their
 * own if they are available, or if nobody is; and, for the first
 * available mentor, the stand-in's share. mentor_route_pick in full. */
static int queue_collect_routed(struct queue *queue, struct queue_list *list,
				const int64_t *available, size_t n, struct error *err)
{
	bool here = queue_contains(available, n, list->mentor_id);

	if (n > 0 && !here)
		return 0;
	if (queue_collect(queue, list, list->mentor_id, err) != 0)
		return -1;
	if (n > 0 && available[0] == list->mentor_id)
		return queue_collect_stand_in(queue, list, available, n, err);
	return 0;
}

int queue_build(struct queue *queue, int64_t mentor_id, cal_day day, struct queue_list **out,
		struct error *err)
{
	struct queue_list *list;
	struct mentor *m;
	int64_t *available;
	size_t n;
	int rc;

	error_clear(err);
	if (mentor_get(queue->mentors, mentor_id, &m, err) != 0)
		return -1;
	mentor_free(m);
	if (mentor_available(queue->mentors, day, &available, &n, err) != 0)
		return -1;
	list = xcalloc(1, sizeof *list);
	list->mentor_id = mentor_id;
	list->date = day;
	rc = queue_collect_routed(queue, list, available, n, err);
	free(available);
	if (rc != 0) {
		queue_list_free(list);
		return -1;
	}
	if (list->count > 1)
		qsort(list->entries, list->count, sizeof *list->entries, queue_entry_cmp);
	*out = list;
	return 0;
}

void queue_list_free(struct queue_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->entries[i].name);
		free(list->entries[i].phone);
		free(list->entries[i].agreed_topic);
		free(list->entries[i].programme);
	}
	free(list->entries);
	free(list);
}
