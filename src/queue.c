/*
 * queue.c - a mentor's daily call queue (queue.h).
 *
 * SQL selects and orders every pending call due by the day; routing then
 * keeps the ones that go to this mentor. Routing depends on the day and the
 * assigned mentor only, so one list of available mentors serves all calls.
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
};

static const struct sql_statement queue_sql[] = {
	{offsetof(struct queue, due),
	 "SELECT k.id, k.course_id, c.mentor_id, c.citizen_name, c.phone, k.reason,"
	 " k.first_contact, k.attempt, k.due_date, k.agreed_topic, c.preferred_from,"
	 " c.preferred_to, c.discharge_date, l.result, l.call_date"
	 " FROM calls k JOIN courses c ON c.id = k.course_id"
	 " LEFT JOIN calls l ON l.id = (SELECT d.id FROM calls d WHERE d.course_id = k.course_id"
	 "  AND d.state = 'done' ORDER BY d.recorded_at DESC, d.id DESC LIMIT 1)"
	 " WHERE k.state = 'pending' AND c.state = 'active' AND k.due_date <= ?1"
	 " ORDER BY k.first_contact DESC, k.due_date, k.attempt DESC,"
	 " c.preferred_from IS NULL, c.preferred_from, k.id"},
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
}

static int queue_collect(struct queue *queue, struct queue_list *list, const int64_t *available,
			 size_t navailable, struct error *err)
{
	sqlite3_stmt *s = queue->due;
	struct queue_entry *e;
	int rc;

	sql_bind_day(s, 1, list->date);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (mentor_route_pick(sqlite3_column_int64(s, 2), available, navailable) !=
		    list->mentor_id)
			continue;
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
	rc = queue_collect(queue, list, available, n, err);
	free(available);
	if (rc != 0) {
		queue_list_free(list);
		return -1;
	}
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
	}
	free(list->entries);
	free(list);
}
