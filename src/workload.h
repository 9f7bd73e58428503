/*
 * workload.h - every mentor's load over a few days, for the coordinator's
 * desk (GET /v1/mentors/load, doc/api.md).
 *
 * Contract:
 *  - For each day D of [from, to] (at most WORKLOAD_MAX_DAYS days) and
 *    each mentor: the pending calls of their active courses due on D
 *    ("due"; courses without a mentor count under mentor id 0), those due
 *    before from ("overdue", which the first day's queue carries), and the
 *    calls the mentor's queue would hold on D ("queue"): D's calls (the
 *    first day: and the overdue ones) routed as the queue routes them
 *    (mentor.h), so an absent mentor's calls show with the colleague
 *    standing in. Later days assume each day's calls are made that day.
 *  - One aggregate query over the pending calls due by to (the index
 *    calls_pending_due, as the queue reads them) and one availability
 *    lookup per day: the cost grows with the calls due in the period, not
 *    with the courses kept.
 *  - Counts only: nothing here names a citizen.
 */
#ifndef MENTORD_WORKLOAD_H
#define MENTORD_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "error.h"

struct mentor_db;
struct store;

#define WORKLOAD_MAX_DAYS 31

struct workload_row {
	int64_t mentor_id; /* 0: courses without a mentor */
	int64_t overdue;
	int64_t due[WORKLOAD_MAX_DAYS];
	int64_t queue[WORKLOAD_MAX_DAYS];
};

struct workload {
	cal_day from;
	int ndays;
	struct workload_row *rows; /* by mentor id, ascending */
	size_t count;
	int64_t unassigned_courses; /* active courses without a mentor */
};

/* ERROR_INVALID on "to" when to is before from or more than
 * WORKLOAD_MAX_DAYS days after it. */
int workload_read(struct store *store, struct mentor_db *mentors, cal_day from, cal_day to,
		  struct workload **out, struct error *err);
void workload_free(struct workload *w);
/* The row of a mentor (0: no mentor), or NULL when it had nothing. */
const struct workload_row *workload_find(const struct workload *w, int64_t mentor_id);

/* The aggregate query (?1: to), for the test of its query plan. */
extern const char workload_due_sql[];

#endif
