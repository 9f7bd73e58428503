/*
 * queue.h - a mentor's daily call queue (doc/scheduling.md and the
 * GET /v1/queue reply of section 4).
 *
 * Contract:
 *  - The queue of mentor M for day D holds every pending call of an active
 *    course due on or before D whose call is routed to M for D (mentor.h:
 *    the assigned mentor if available that day, else the least-loaded
 *    available mentor; routing never changes the assignment).
 *  - Order: first contacts first (every attempt of a course's first
 *    contact); then most overdue (earliest due date); then higher attempt
 *    number; then earliest preferred call time (none last); then call id.
 *  - Reading only: building a queue changes nothing.
 *  - Errors: queue_new() prepares the statements at start-up and reports
 *    a cause; every other function fills a struct error (error.h).
 */
#ifndef MENTORD_QUEUE_H
#define MENTORD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "calendar.h"
#include "error.h"
#include "schedule.h"

struct mentor_db;
struct queue;
struct store;

#define QUEUE_TIME_LEN 6 /* "HH:MM" + NUL */

struct queue_entry {
	int64_t call_id;
	int64_t course_id;
	int64_t assigned_mentor_id; /* the course's own mentor (0: none) */
	char *name;
	char *phone;
	enum schedule_reason reason;
	bool first_contact;
	int attempt;
	cal_day due_date;
	int overdue_days;		     /* calendar days from due_date to the queue's day */
	char *agreed_topic;		     /* NULL: none */
	char preferred_from[QUEUE_TIME_LEN]; /* "" when none */
	char preferred_to[QUEUE_TIME_LEN];
	int days_since_discharge;
	bool has_last_contact; /* the course's latest recorded outcome */
	enum call_result last_result;
	cal_day last_contact_date;
	char *programme; /* the course's programme id (programme.h) */
	bool meeting;	 /* a follow-up meeting (call.h), not a contact call */
};

struct queue_list {
	int64_t mentor_id;
	cal_day date;
	struct queue_entry *entries;
	size_t count;
};

struct queue *queue_new(struct store *store, struct mentor_db *mentors, char **cause);
void queue_free(struct queue *queue);

/* ERROR_NOT_FOUND if there is no mentor mentor_id. */
int queue_build(struct queue *queue, int64_t mentor_id, cal_day day, struct queue_list **out,
		struct error *err);
void queue_list_free(struct queue_list *list);

#endif
