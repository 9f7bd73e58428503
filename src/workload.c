/*
 * workload.c - the mentors' load over a few days (workload.h).
 */
#include "workload.h"

#include <stdlib.h>
#include <string.h>

#include "mentor.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* As the queue selects calls (queue.c): pending, of an active course,
 * due by the day; grouped here instead of listed. */
const char workload_due_sql[] =
	"SELECT c.mentor_id, k.due_date, count(*) FROM calls k CROSS JOIN courses c ON c.id = k.course_id"
	" WHERE k.state = 'pending' AND c.state = 'active' AND k.due_date <= ?1"
	" GROUP BY c.mentor_id, k.due_date";

/* courses_state_mentor (state, mentor_id) answers it. */
static const char unassigned_sql[] =
	"SELECT count(*) FROM courses WHERE state = 'active' AND mentor_id IS NULL";

static int row_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct workload_row *)a)->mentor_id;
	int64_t y = ((const struct workload_row *)b)->mentor_id;

	return (x > y) - (x < y);
}

const struct workload_row *workload_find(const struct workload *w, int64_t mentor_id)
{
	struct workload_row key = {.mentor_id = mentor_id};

	/* No rows yet is no array: bsearch must not be given NULL. */
	if (w->count == 0)
		return NULL;
	return bsearch(&key, w->rows, w->count, sizeof *w->rows, row_cmp);
}

/* The row of mentor_id, added (zeroed) if it is not there; keeps order. */
static struct workload_row *row_of(struct workload *w, int64_t mentor_id)
{
	size_t i;

	for (i = 0; i < w->count && w->rows[i].mentor_id < mentor_id; i++)
		;
	if (i < w->count && w->rows[i].mentor_id == mentor_id)
		return &w->rows[i];
	w->rows = xrealloc(w->rows, (w->count + 1) * sizeof *w->rows);
	memmove(&w->rows[i + 1], &w->rows[i], (w->count - i) * sizeof *w->rows);
	w->count++;
	memset(&w->rows[i], 0, sizeof w->rows[i]);
	w->rows[i].mentor_id = mentor_id;
	return &w->rows[i];
}

static int read_due(struct store *store, struct workload *w, cal_day to, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, workload_due_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_day(s, 1, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct workload_row *r = row_of(w, sqlite3_column_int64(s, 0));
		cal_day due = sql_column_day(s, 1);
		int64_t n = sqlite3_column_int64(s, 2);

		if (due == CAL_NO_DAY)
			continue;
		if (due < w->from)
			r->overdue += n;
		else if (due - w->from < w->ndays)
			r->due[due - w->from] += n;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading the calls due");
	if ((s = store_statement(store, unassigned_sql, err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		w->unassigned_courses = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_error(err, store_db(store), "counting courses without a mentor");
	return 0;
}

/* Each day's calls into the queues they are routed to that day. A
 * stand-in without calls of their own gets a row of their own, so the
 * rows move: the assigned counts are read from a copy. */
static int route_days(struct mentor_db *mentors, struct workload *w, struct error *err)
{
	size_t n = w->count;
	struct workload_row *assigned = xcalloc(n > 0 ? n : 1, sizeof *assigned);
	int rc = 0;

	if (n > 0)
		memcpy(assigned, w->rows, n * sizeof *assigned);
	for (int d = 0; rc == 0 && d < w->ndays; d++) {
		int64_t *available, count;
		size_t navailable;

		if ((rc = mentor_available(mentors, w->from + d, &available, &navailable, err)) !=
		    0)
			break;
		for (size_t i = 0; i < n; i++) {
			count = assigned[i].due[d] + (d == 0 ? assigned[i].overdue : 0);
			if (count > 0)
				row_of(w, mentor_route_pick(assigned[i].mentor_id, available,
							    navailable))
					->queue[d] += count;
		}
		free(available);
	}
	free(assigned);
	return rc;
}

int workload_read(struct store *store, struct mentor_db *mentors, cal_day from, cal_day to,
		  struct workload **out, struct error *err)
{
	struct workload *w;

	if (to < from || to - from >= WORKLOAD_MAX_DAYS)
		return error_set(err, ERROR_INVALID, "to",
				 "must be on or after from and at most %d days after it",
				 WORKLOAD_MAX_DAYS - 1);
	w = xcalloc(1, sizeof *w);
	w->from = from;
	w->ndays = (int)(to - from) + 1;
	if (read_due(store, w, to, err) != 0 || route_days(mentors, w, err) != 0) {
		workload_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void workload_free(struct workload *w)
{
	if (w == NULL)
		return;
	free(w->rows);
	free(w);
}
