/*
 * api-discharges.c - psychiatry's way in: discharge notifications, their
 * corrections and cancellations, and life events about citizens.
 *
 * Contract: a valid, consented notification becomes a course with its first
 * call and mentor (201, Location /v1/courses/{id}); the same notification
 * again gives the same answer with 200; anything invalid is 422 naming
 * every bad field and stores nothing. Corrections, cancellations and
 * citizen events follow doc/life-events.md. The reply is sent only after
 * the COMMIT.
 */
#include "api-routes.h"

#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "course.h"
#include "cpr.h"
#include "intake.h"
#include "life-event.h"
#include "log.h"
#include "mentord.h"
#include "message.h"
#include "xmalloc.h"

#define REFUSED "The notification was not accepted; nothing was stored."
#define REFUSED_REFERRAL "The self-referral was not accepted; nothing was stored."
#define UNCHANGED "Nothing was changed."
#define PSYCHIATRY_OR_ADMIN (API_ROLE(AUTH_PSYCHIATRY) | API_ROLE(AUTH_ADMIN))
#define MENTOR_OR_ADMIN (API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))

/* A refusal from the course operations: a field they name (a discharge no
 * longer timely) reads like one intake_read refused, at its API path. */
static int fail_course(struct api_job *job, struct error *err, const char *detail)
{
	if (err->kind == ERROR_INVALID && err->field[0] != '\0')
		return api_job_fail(job, 422, "Unprocessable Content", detail,
				    json_pack("[{s:s, s:s}]", "field", intake_path(err->field),
					      "message", err->message));
	if (err->field[0] != '\0')
		snprintf(err->field, sizeof err->field, "%s", intake_path(err->field));
	return api_job_fail_sched(job, err);
}

/* The body as a checked discharge, or a 422 naming every bad field;
 * d->wishes is *wishes, which the caller frees whatever the answer. */
static int read_discharge(struct api_job *job, const char *path_id, const char *detail,
			  struct discharge *d, char **wishes)
{
	struct field_errors errors;

	field_errors_init(&errors);
	intake_read(job->body, path_id, clock_now(job->m->clock), d, &errors);
	*wishes = intake_read_wishes(job->body, &errors);
	d->wishes = *wishes;
	d->sender_token_id = job->who.token_id;
	return api_job_check(job, &errors, detail);
}

static json_t *created_json(const struct course_created *created, enum course_state state)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:o}", "course_id", (json_int_t)created->course_id,
			 "state", course_state_name(state), "first_call_due",
			 api_day_json(created->first_call_due), "window_ends",
			 api_day_json(created->window_end), "mentor_id",
			 created->mentor_id > 0 ? json_integer(created->mentor_id) : json_null());
}

/* POST /v1/discharges is the hot path of intake: read and checked on the
 * loop (intake_prepare), stored by the writer thread (intake_work,
 * writer.h). What the store needs travels in the job. */
struct intake_prep {
	struct discharge d; /* its strings point into job->body, or wishes */
	char *wishes;
	struct course_op op;
	char author[API_AUTHOR_LEN];
};

static void intake_prep_free(void *data)
{
	struct intake_prep *prep = data;

	free(prep->wishes);
	free(prep);
}

static int intake_prepare(struct api_job *job)
{
	struct intake_prep *prep = xcalloc(1, sizeof *prep);

	job->data = prep;
	job->free_data = intake_prep_free;
	if (read_discharge(job, NULL, REFUSED, &prep->d, &prep->wishes) != 0)
		return -1;
	api_job_course_op(job, prep->author, &prep->op);
	return 0;
}

static int intake_work(struct api_job *job, struct store *store)
{
	struct intake_prep *prep = job->data;
	struct course_created created;
	struct error err;

	/* Again if the batch is applied again (group-commit.h). */
	json_decref(job->reply);
	job->reply = NULL;
	if (course_create(job->courses, &prep->op, &prep->d, &created, &err) != 0)
		return fail_course(job, &err, REFUSED);
	if (api_job_audit_at(job, store, prep->op.now,
			     created.existing ? "discharge-repeat" : "discharge", created.course_id,
			     "discharge notification from psychiatry") != 0)
		return -1;
	job->status = created.existing ? 200 : 201;
	snprintf(job->location, sizeof job->location, "/v1/courses/%lld",
		 (long long)created.course_id);
	/* The state the notification started the course in, so a repetition
	 * gets the first reply's body. */
	job->reply = created_json(&created, prep->d.discharge_day == CAL_NO_DAY
						    ? COURSE_AWAITING_DISCHARGE
						    : COURSE_ACTIVE);
	return 0;
}

/* A string member of obj equal to want. */
static bool member_is(json_t *obj, const char *name, const char *want)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, name) : NULL;

	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* A mentor who registers a self-referral becomes the citizen's mentor,
 * since the citizen called them; but a course that superseded another
 * and kept its mentor by continuity (the previous mentor is active) stays
 * with that mentor: a colleague's phone call does not move a citizen. */
static int self_referral_mentor(struct api_job *job, const struct course_op *op,
				struct course_created *created)
{
	int64_t me = job->who.mentor_id;
	struct course *old;
	struct error err;
	bool kept;

	if (created->existing || job->who.role != AUTH_MENTOR || created->mentor_id == me)
		return 0;
	if (created->superseded_id != 0 && created->mentor_id != 0) {
		if (course_get(job->m->courses, created->superseded_id, &old, &err) != 0)
			return api_job_fail_sched(job, &err);
		kept = old->mentor_id == created->mentor_id;
		course_free(old);
		if (kept)
			return 0;
	}
	if (course_set_mentor(job->m->courses, op, created->course_id, me, &err) == 0)
		created->mentor_id = me;
	else if (err.kind == ERROR_STORE)
		return api_job_fail_sched(job, &err);
	return 0;
}

/* POST /v1/courses: a self-referral (doc/api.md, "Self-referrals"). The
 * scheme promises citizens who declined at discharge, or got only the
 * leaflet, that they may contact the municipality themselves within the
 * window. The body is a discharge notification's, plus "source":
 * "self_referral" and consent.given_by "citizen" (given on the phone);
 * discharged_at, as the citizen states it, is required: there is no
 * stay to wait for. Its mentor: see self_referral_mentor. */
static int self_referral_work(struct api_job *job, struct store *store)
{
	struct course_created created;
	char author[API_AUTHOR_LEN];
	struct field_errors errors;
	json_t *at = json_object_get(job->body, "discharged_at");
	struct course_op op;
	struct discharge d;
	struct error err;
	char *wishes;
	int rc;

	field_errors_init(&errors);
	if (!member_is(job->body, "source", DISCHARGE_SOURCE_SELF_REFERRAL))
		field_error_add(&errors, "source", "must be \"self_referral\"");
	if (!member_is(json_object_get(job->body, "consent"), "given_by", "citizen"))
		field_error_add(&errors, "consent.given_by",
				"must be \"citizen\": the citizen consents on the phone");
	if (at == NULL || json_is_null(at))
		field_error_add(&errors, "discharged_at",
				"is required: the discharge date as the citizen states it");
	intake_read(job->body, NULL, clock_now(job->m->clock), &d, &errors);
	d.wishes = wishes = intake_read_wishes(job->body, &errors);
	d.source = DISCHARGE_SOURCE_SELF_REFERRAL;
	d.sender_token_id = job->who.token_id;
	rc = api_job_check(job, &errors, REFUSED_REFERRAL);
	api_job_course_op(job, author, &op);
	if (rc == 0 && (rc = course_create(job->m->courses, &op, &d, &created, &err)) != 0)
		fail_course(job, &err, REFUSED_REFERRAL);
	free(wishes);
	if (rc != 0)
		return -1;
	if (self_referral_mentor(job, &op, &created) != 0)
		return -1;
	if (api_job_audit(job, store, created.existing ? "self-referral-repeat" : "self-referral",
			  created.course_id, "self-referral registered by the municipality") != 0)
		return -1;
	job->status = created.existing ? 200 : 201;
	snprintf(job->location, sizeof job->location, "/v1/courses/%lld",
		 (long long)created.course_id);
	job->reply = created_json(&created, COURSE_ACTIVE);
	return 0;
}

/* Not empty, no control characters: what a notification id may be. */
static bool printable(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The notification of the path (percent-decoded) and its course; only
 * the token that sent it, or an admin, may change it
 * (doc/life-events.md). On success the caller frees *id and *c. */
static int load_notification(struct api_job *job, char **id, struct course **c)
{
	const char *raw = http_param(&job->params, "notification_id");
	struct error err;

	*c = NULL;
	*id = raw != NULL ? evhttp_uridecode(raw, 0, NULL) : NULL;
	if (*id == NULL || !printable(*id)) {
		free(*id);
		*id = NULL;
		return api_job_fail(job, 404, "Not Found", "No notification with this id.", NULL);
	}
	if (course_by_notification(job->m->courses, *id, c, &err) != 0) {
		free(*id);
		*id = NULL;
		return api_job_fail_sched(job, &err);
	}
	if (job->who.role == AUTH_PSYCHIATRY && (*c)->intake_token_id != job->who.token_id) {
		course_free(*c);
		*c = NULL;
		free(*id);
		*id = NULL;
		return api_job_fail(job, 403, "Forbidden",
				    "Only the sender of a notification, or an administrator, may "
				    "change it.",
				    NULL);
	}
	return 0;
}

/* A course's state and next call after a correction or cancellation. */
static json_t *changed_json(const struct course_result *r, json_t *extra)
{
	json_t *reply = api_course_result_json(r);

	json_object_update(reply, extra);
	json_decref(extra);
	return reply;
}

/* PUT /v1/discharges/{notification_id}: the notification again, corrected. */
static int correct_work(struct api_job *job, struct store *store)
{
	struct course_corrected out;
	char author[API_AUTHOR_LEN], *id, *wishes = NULL;
	struct course_op op;
	struct discharge d;
	struct course *c;
	struct error err;
	json_t *fields;
	int rc = -1;

	if (load_notification(job, &id, &c) != 0)
		return -1;
	course_free(c);
	if (read_discharge(job, id, UNCHANGED, &d, &wishes) != 0)
		goto out;
	api_job_course_op(job, author, &op);
	if (course_correct(job->m->courses, &op, &d, &out, &err) != 0) {
		fail_course(job, &err, UNCHANGED);
		goto out;
	}
	if (api_job_audit(job, store, out.changed ? "correct" : "correct-repeat", out.course_id,
			  "correction of a discharge notification") != 0)
		goto out;
	fields = json_array();
	for (size_t i = 0; i < out.nfields; i++)
		json_array_append_new(fields, json_string(intake_path(out.fields[i])));
	job->reply = changed_json(&out.result, json_pack("{s:o}", "changed", fields));
	rc = 0;
out:
	free(wishes);
	free(id);
	return rc;
}

/* DELETE /v1/discharges/{notification_id} {"reason"}. */
static int cancel_work(struct api_job *job, struct store *store)
{
	static const char *const reasons[] = {"entered_in_error", "consent_withdrawn"};
	struct course_result result;
	struct field_errors errors;
	char author[API_AUTHOR_LEN], *id;
	struct course_op op;
	struct course *c;
	struct error err;
	const char *reason;
	enum course_event ev;
	bool changed;
	int64_t course_id;
	int rc = -1;

	if (load_notification(job, &id, &c) != 0)
		return -1;
	course_id = c->id;
	course_free(c);
	field_errors_init(&errors);
	reason = field_get_string(job->body, "reason", "reason", true, 32, &errors);
	if (reason != NULL && strcmp(reason, reasons[0]) != 0 && strcmp(reason, reasons[1]) != 0)
		field_error_add(&errors, "reason", "must be entered_in_error or consent_withdrawn");
	if (api_job_check(job, &errors, UNCHANGED) != 0)
		goto out;
	ev = strcmp(reason, reasons[0]) == 0 ? COURSE_EVENT_ENTERED_IN_ERROR
					     : COURSE_EVENT_CONSENT_WITHDRAWN;
	api_job_course_op(job, author, &op);
	if (course_apply_event(job->m->courses, &op, course_id, ev, op.now, &result, &changed, NULL,
			       &err) != 0) {
		api_job_fail_sched(job, &err);
		goto out;
	}
	if (api_job_audit(job, store, changed ? "cancel" : "cancel-repeat", course_id,
			  ev == COURSE_EVENT_CONSENT_WITHDRAWN
				  ? "consent withdrawn"
				  : "notification entered in error") != 0)
		goto out;
	job->reply = changed_json(&result,
				  json_pack("{s:s, s:b}", "reason", reason, "changed", changed));
	rc = 0;
out:
	free(id);
	return rc;
}

/* The event's key: the client's Idempotency-Key, tied to its token, or
 * else the event itself (the same CPR, event and instant). */
static void event_key(struct api_job *job, const struct life_event *ev, char *source,
		      size_t source_size, char *key, size_t key_size)
{
	const char *header =
		evhttp_find_header(evhttp_request_get_input_headers(job->req), "Idempotency-Key");

	if (header != NULL && header[0] != '\0') {
		snprintf(source, source_size, "api:token:%lld", (long long)job->who.token_id);
		snprintf(key, key_size, "%s", header);
		return;
	}
	snprintf(source, source_size, "api");
	snprintf(key, key_size, "%s|%s|%lld", ev->cpr, life_event_name(ev->kind),
		 (long long)ev->at);
}

/* POST /v1/citizens/events {"cpr", "event", "at"}. */
static int event_work(struct api_job *job, struct store *store)
{
	struct life_event_result result;
	struct field_errors errors;
	struct life_event ev = {.at = 0};
	char author[API_AUTHOR_LEN], cpr[CPR_LEN], source[64], key[300];
	const char *text;
	struct course_op op;
	struct error err;
	cal_day birth;
	int kind;

	api_job_course_op(job, author, &op);
	field_errors_init(&errors);
	text = field_get_string(job->body, "cpr", "cpr", true, 16, &errors);
	if (text != NULL) {
		enum cpr_result r = cpr_parse(text, cal_day_of_instant(op.now), cpr, &birth);
		if (r != CPR_OK)
			field_error_add(&errors, "cpr", "%s", cpr_result_message(r));
	}
	text = field_get_string(job->body, "event", "event", true, 16, &errors);
	kind = life_event_parse(text);
	if (text != NULL && kind != COURSE_EVENT_ADMITTED && kind != COURSE_EVENT_DISCHARGED &&
	    kind != COURSE_EVENT_DECEASED)
		field_error_add(&errors, "event", "must be admitted, discharged or deceased");
	text = field_get_string(job->body, "at", "at", true, 40, &errors);
	if (text != NULL && clock_parse_rfc3339(text, &ev.at) != 0)
		field_error_add(&errors, "at", "must be an RFC 3339 date-time with an offset");
	if (api_job_check(job, &errors, UNCHANGED) != 0)
		return -1;
	ev.kind = (enum course_event)kind;
	ev.cpr = cpr;
	if (ev.at > op.now + 24 * 60 * 60)
		return api_job_fail(job, 422, "Unprocessable Content", UNCHANGED,
				    json_pack("[{s:s, s:s}]", "field", "at", "message",
					      "must not be more than one day in the future"));
	event_key(job, &ev, source, sizeof source, key, sizeof key);
	ev.source = source;
	ev.key = key;
	if (life_event_apply(job->m->courses, &op, &ev, &result, &err) != 0) {
		life_event_result_free(&result);
		/* Only a client's Idempotency-Key can name two messages. */
		if (err.kind == ERROR_CONFLICT && strcmp(err.field, "key") == 0)
			return api_job_fail(
				job, 409, "Conflict",
				"Another event was received under this Idempotency-Key; nothing "
				"was changed.",
				json_pack("[{s:s, s:s}]", "field", "Idempotency-Key", "message",
					  "was used before for another event"));
		return api_job_fail_sched(job, &err);
	}
	life_event_result_free(&result);
	for (size_t i = 0; i < result.nids; i++)
		if (api_job_audit(job, store, "life-event", result.ids[i],
				  "life event from psychiatry") != 0)
			return -1;
	/* Whether the citizen has a course is not told: the hospital may send
	 * events about anyone (data minimisation). */
	job->reply = json_pack("{s:s, s:b}", "event", life_event_name(ev.kind), "repeated",
			       result.repeated);
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_POST, "/v1/discharges", PSYCHIATRY_OR_ADMIN, true, intake_work},
	{EVHTTP_REQ_PUT, "/v1/discharges/{notification_id}", PSYCHIATRY_OR_ADMIN, true,
	 correct_work},
	{EVHTTP_REQ_DELETE, "/v1/discharges/{notification_id}", PSYCHIATRY_OR_ADMIN, true,
	 cancel_work},
	{EVHTTP_REQ_POST, "/v1/citizens/events", PSYCHIATRY_OR_ADMIN, true, event_work},
	{EVHTTP_REQ_POST, "/v1/courses", MENTOR_OR_ADMIN, true, self_referral_work},
};

api_prepare_fn api_discharges_prepare(api_work_fn work)
{
	return work == intake_work ? intake_prepare : NULL;
}

const struct api_routes api_discharges_routes = {routes, sizeof routes / sizeof routes[0]};
