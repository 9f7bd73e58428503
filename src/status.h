/*
 * status.h - the figures an administrator checks first (mentorctl status).
 *
 * Contract:
 *  - status_read() reads everything in one read transaction, so the
 *    figures agree with each other even while the daemon writes.
 *  - Courses are counted by state; pending calls; the outbox's backlog
 *    (pending rows) and dead letters; the last publication of the daily
 *    queue (the job_runs row of PUBLISH_JOB, publish.h, if that job has
 *    ever run) and the last retention purge with its count.
 *  - Referrals (and readmitted courses) closed because no discharge came
 *    within intake.await_days are counted apart (doc/life-events.md).
 *  - Referrals awaiting a caseworker's decision are counted by state, and
 *    apart those at risk of missing their deadline or past it, and those
 *    past it (doc/programmes.md), measured against the caller's today:
 *    a date of the configured zone from the caller's clock, bound, never
 *    SQLite's own idea of the date.
 *  - Courses held at their window's end by their closing checklist (ended,
 *    reason awaiting_checklist) are counted apart (doc/programmes.md).
 *  - Active courses that wait for a coordinator are counted apart: those
 *    stored without a mentor (no mentor was active at intake) and those
 *    flagged wrong_number (nobody calls them until the number is fixed).
 *  - Failures fill a struct error (error.h).
 *  - status_to_json() gives the same as one JSON object; instants there are
 *    local RFC 3339 times, or null for "never".
 */
#ifndef MENTORD_STATUS_H
#define MENTORD_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "retention.h"

struct store;

/* In the order of enum course_state (course.h). */
enum status_course_state {
	STATUS_ACTIVE,
	STATUS_ENDED,
	STATUS_CLOSED,
	STATUS_SUPERSEDED,
	STATUS_AWAITING_DISCHARGE,
	STATUS_PAUSED,
	STATUS_CANCELLED,
	STATUS_DECEASED,
	STATUS_AWAITING_DECISION,
	STATUS_NSTATES,
};

struct status {
	int64_t courses[STATUS_NSTATES];
	int64_t anonymised;   /* courses whose personal data is erased */
	int64_t unassigned;   /* active courses without a mentor */
	int64_t wrong_number; /* active courses flagged wrong_number */
	int64_t expired;      /* referrals closed: no discharge came in time */
	/* doc/programmes.md: of the referrals awaiting a decision
	 * (courses[STATUS_AWAITING_DECISION]), those at risk of missing
	 * their deadline today, or past it, and those past it. */
	int64_t referrals_at_risk;
	int64_t referrals_overdue;
	/* doc/programmes.md, "The closing checklist": of the ended courses
	 * (courses[STATUS_ENDED]), those its window's end left ended,
	 * reason awaiting_checklist, until their items are ticked. */
	int64_t awaiting_checklist;
	int64_t pending_calls;
	int64_t outbox_pending;
	int64_t outbox_dead;
	bool published;
	time_t published_at;
	bool purged;
	struct retention_run purge;
};

/* today: the local date (calendar.h) of the caller's clock, which the
 * referrals' deadlines are measured against. */
int status_read(struct store *store, cal_day today, struct status *st, struct error *err);
json_t *status_to_json(const struct status *st);
const char *status_state_name(enum status_course_state state);

#endif
