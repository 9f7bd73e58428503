/*
 * api-routes.h - every route of the daemon's HTTP API, by module.
 *
 * Contract: each api-*.c exports its routes as one table (struct
 * api_routes, api.h): who may call each route, whether it takes a JSON
 * body, and the job that does the work. api_routes_register() binds them
 * all, and the few routes that are not jobs of the API (GET /healthz, the
 * test clock, the session's sign-in and sign-out, which run before there
 * is a caller to judge), once, at start-up. The list of files in src/
 * is the list of the API's concerns: api-calls.c the mentor's day,
 * api-courses.c a course and its log, and so on; doc/api.md and
 * doc/openapi.yaml describe each route.
 */
#ifndef MENTORD_API_ROUTES_H
#define MENTORD_API_ROUTES_H

#include "api.h"

struct mentord;

extern const struct api_routes api_calls_routes;
extern const struct api_routes api_concerns_routes;
extern const struct api_routes api_config_routes;
extern const struct api_routes api_courses_routes;
extern const struct api_routes api_discharges_routes;
extern const struct api_routes api_fhir_routes;
extern const struct api_routes api_mentors_routes;
extern const struct api_routes api_mentor_time_routes;
extern const struct api_routes api_offers_routes;
extern const struct api_routes api_outbox_routes;
extern const struct api_routes api_referrals_routes;
extern const struct api_routes api_reports_routes;

/* GET /healthz and, under --test-clock only, PUT /v1/test/clock. */
/* A mentor's terms in /v1/mentors (api-mentor-time.c): read external,
 * hourly_rate and terms_from from the body, save them as a new terms row
 * when they change anything, show the terms in force today. In a POST
 * (patch false) null is a member left out; in a PATCH a null rate clears
 * it and a null external is refused. */
struct api_job;
struct api_mentor_terms {
	bool has_external, has_rate;
	bool external;
	int64_t rate; /* øre, or MENTOR_TIME_NO_RATE */
	cal_day from;
};
void api_mentor_terms_read(struct api_job *job, bool patch, struct api_mentor_terms *t,
			   struct field_errors *errors);
int api_mentor_terms_save(struct api_job *job, int64_t mentor_id, const struct api_mentor_terms *t,
			  struct error *err);
int api_mentor_terms_show(struct api_job *job, json_t *mentor, int64_t mentor_id,
			  struct error *err);

/* The goals of a body's "goals" list (api-courses.c): 1 to
 * COURSE_MAX_GOALS strings of 1 to COURSE_MAX_GOAL_TEXT characters, each
 * wrong one a field error "goals" or "goals[i]"; texts[*n] borrow from
 * list. Read alike by POST /v1/courses/{id}/goals and a decision to
 * start. */
void api_goals_read(json_t *list, const char **texts, size_t *n, struct field_errors *errors);

void api_system_register(struct mentord *m);

void api_routes_register(struct mentord *m);

#endif
