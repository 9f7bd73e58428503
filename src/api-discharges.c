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

#define HHMM_BUF 16 /* "HH:MM" fits; the slack keeps -Wformat-truncation quiet */
#define REFUSED "The notification was not accepted; nothing was stored."

static void format_hhmm(int minute, char buf[HHMM_BUF])
{
	snprintf(buf, HHMM_BUF, "%02d:%02d", minute / 60 % 24, minute % 60);
}

static int create_course(struct api_job *job, const struct intake *in,
			 struct course_created *created)
{
	char author[API_AUTHOR_LEN], from[HHMM_BUF], to[HHMM_BUF];
	struct course_op op;
	struct course_discharge d = {
		.notification_id = in->notification_id,
		.name = in->name,
		.cpr = in->cpr[0] != '\0' ? in->cpr : NULL,
		.phone = in->phone,
		.discharge = in->discharge_day,
		.discharged_at = in->discharged_at,
		.unit = in->unit,
		.consent_given_at = in->consent_given,
	};
	char fingerprint[INTAKE_FINGERPRINT_LEN];
	struct error err;

	intake_fingerprint(in, fingerprint);
	d.fingerprint = fingerprint;
	if (in->call_from_minute >= 0) {
		format_hhmm(in->call_from_minute, from);
		format_hhmm(in->call_to_minute, to);
		d.preferred_from = from;
		d.preferred_to = to;
	}
	api_job_course_op(job, author, &op);
	if (course_create(job->m->courses, &op, &d, created, &err) == 0)
		return 0;
	/* A field refused there (a discharge no longer timely) reads like
	 * one intake_parse refused: the same problem, only later. */
	if (err.kind == ERROR_INVALID && err.field[0] != '\0')
		return api_job_fail(job, 422, "Unprocessable Content", REFUSED,
				    json_pack("[{s:s, s:s}]", "field", err.field, "message",
					      err.message));
	return api_job_fail_sched(job, &err);
}

static int intake_work(struct api_job *job, struct store *store)
{
	struct course_created created;
	struct field_errors errors;
	struct intake in;

	field_errors_init(&errors);
	if (intake_parse(job->body, clock_now(job->m->clock), &in, &errors) != 0) {
		api_job_fail(job, 422, "Unprocessable Content", REFUSED, errors.list);
		errors.list = NULL;
		field_errors_clear(&errors);
		return -1;
	}
	field_errors_clear(&errors);
	if (create_course(job, &in, &created) != 0)
		return -1;
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
