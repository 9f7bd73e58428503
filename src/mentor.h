/*
 * mentor.h - social mentors, their working days and absences, and which
 * mentor takes a course or a day's call (doc/scheduling.md).
 *
 * Contract:
 *  - A mentor's load is the number of active courses assigned to them.
 *  - A new course goes to the active mentor with the lowest load, ties to
 *    the lowest id (mentor_least_loaded); the assignment then sticks.
 *  - A mentor is available on a day when active, working that ISO weekday
 *    and not absent (absences are inclusive date ranges). A call whose
 *    assigned mentor is not available on day D is routed, for D only, to
 *    the least-loaded available mentor; with nobody available it stays with
 *    the assigned mentor, so it is never lost from every queue.
 *  - mentor_add/mentor_update are all or nothing and never commit: the
 *    caller holds the transaction (see sql.h).
 *  - Errors: mentor_db_new() prepares the statements at start-up and
 *    reports a cause; every other function fills a struct error (error.h).
 */
#ifndef MENTORD_MENTOR_H
#define MENTORD_MENTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "error.h"

struct mentor_db;
struct store;

/* Bit d-1 set: works on ISO weekday d (1 = Monday). */
#define MENTOR_WEEKDAY(d) (1u << ((d)-1))
#define MENTOR_MONDAY_TO_FRIDAY 0x1fu
#define MENTOR_ALL_WEEKDAYS 0x7fu

struct mentor_absence {
	cal_day from;
	cal_day to; /* inclusive */
};

struct mentor {
	int64_t id;
	char *name;
	char *phone;
	unsigned working_days;
	struct mentor_absence *absences;
	size_t nabsences;
	bool active;
	int load; /* active courses; filled by reads, ignored by writes */
};

struct mentor_db *mentor_db_new(struct store *store, char **cause);
void mentor_db_free(struct mentor_db *db);

/* Validate and store m (its id, load are ignored); *id is the new id. */
int mentor_add(struct mentor_db *db, const struct mentor *m, time_t now, int64_t *id,
	       struct error *err);
/* Replace everything about mentor m->id, absences included. */
int mentor_update(struct mentor_db *db, const struct mentor *m, struct error *err);

int mentor_get(struct mentor_db *db, int64_t id, struct mentor **out, struct error *err);
int mentor_list(struct mentor_db *db, struct mentor **out, size_t *count, struct error *err);
void mentor_free(struct mentor *m);
void mentor_list_free(struct mentor *list, size_t count);
/* A mentor as the API shows it (GET /v1/mentors): id, name, phone,
 * working_days [1..7], absences [{from, to}], active, active_courses. */
json_t *mentor_to_json(const struct mentor *m);

/* Turn the API's [1..7] list into a mask; -1 on a day outside 1..7. */
int mentor_weekdays_mask(const int *days, size_t n, unsigned *mask);

/* The mentor for a new course; *id = 0 when no mentor is active. */
int mentor_least_loaded(struct mentor_db *db, int64_t *id, struct error *err);

/* Mentors available on day, least loaded first (ties: lowest id). */
int mentor_available(struct mentor_db *db, cal_day day, int64_t **ids, size_t *count,
		     struct error *err);
/* Where a call assigned to `assigned` (0 = nobody) goes, given the
 * mentors available that day in mentor_available's order; 0 if nobody. */
int64_t mentor_route_pick(int64_t assigned, const int64_t *available, size_t count);
int mentor_route(struct mentor_db *db, int64_t assigned, cal_day day, int64_t *routed,
		 struct error *err);

#endif
