/*
 * api-discharges.c - discharge intake (api-discharges.h).
 */
#include "api-discharges.h"

#include <stdio.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "course.h"
#include "intake.h"
#include "mentord.h"
#include "message.h"

#define REFUSED "The notification was not accepted; nothing was stored."

/* A refusal from the course operations: a field they name (a discharge no
 * longer timely) reads like one intake_read refused, at its API path. */
static int fail_course(struct api_job *job, struct error *err)
{
	if (err->kind == ERROR_INVALID && err->field[0] != '\0')
		return api_job_fail(job, 422, "Unprocessable Content", REFUSED,
				    json_pack("[{s:s, s:s}]", "field", intake_path(err->field),
					      "message", err->message));
	if (err->field[0] != '\0')
		snprintf(err->field, sizeof err->field, "%s", intake_path(err->field));
	return api_job_fail_sched(job, err);
}

/* The body as a checked discharge, or a 422 naming every bad field. */
static int read_discharge(struct api_job *job, const char *path_id, struct discharge *d)
{
	struct field_errors errors;

	field_errors_init(&errors);
	intake_read(job->body, path_id, clock_now(job->m->clock), d, &errors);
	return api_job_check(job, &errors, REFUSED);
}

static int intake_work(struct api_job *job, struct store *store)
{
	struct course_created created;
	char author[API_AUTHOR_LEN];
	struct course_op op;
	struct discharge d;
	struct error err;

	if (read_discharge(job, NULL, &d) != 0)
		return -1;
	api_job_course_op(job, author, &op);
	if (course_create(job->m->courses, &op, &d, &created, &err) != 0)
		return fail_course(job, &err);
	if (api_job_audit(job, store, created.existing ? "discharge-repeat" : "discharge",
			  created.course_id, "discharge notification from psychiatry") != 0)
		return -1;
	job->status = created.existing ? 200 : 201;
	snprintf(job->location, sizeof job->location, "/v1/courses/%lld",
		 (long long)created.course_id);
	job->reply = json_pack("{s:I, s:o, s:o, s:o}", "course_id",
			       (json_int_t)created.course_id, "first_call_due",
			       api_day_json(created.first_call_due), "window_ends",
			       api_day_json(created.window_end), "mentor_id",
			       created.mentor_id > 0 ? json_integer(created.mentor_id)
						     : json_null());
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_POST, "/v1/discharges", API_ROLE(AUTH_PSYCHIATRY) | API_ROLE(AUTH_ADMIN), true,
	 intake_work},
};

void api_discharges_register(struct mentord *m)
{
	api_register(m, routes, sizeof routes / sizeof routes[0]);
}
