/*
 * api-fhir.c - MedCom's HospitalNotification intake: POST /fhir/Bundle
 * (doc/fhir-hospitalnotification.md).
 *
 * Contract: the body, application/fhir+json, is one HospitalNotification
 * message Bundle (fhir-notification.h reads it). Its life event goes to
 * life_event_apply() exactly as POST /v1/citizens/events sends one: it
 * steers the open courses of the CPR number and never creates a course;
 * what it changed on each course is kept with the bundle (fhir-store.h).
 * A cancellation undoes what the message it names did, course by course,
 * where the course is still as that message left it; a revision undoes
 * it the same way and applies its own event, in the same transaction.
 * Where a later change came first the course is left alone and its log
 * asks a coordinator to look. Start and end of a leave change no course:
 * each open course gets a course log entry. Idempotent on Bundle.id: the
 * same message again gets the first reply, another message under the
 * same id 409; but a message that found no open course, nor anything an
 * earlier message did, is not kept at all, so sent again it is judged
 * afresh, and a revision naming it is one of a message unknown here
 * (doc/fhir-hospitalnotification.md). The reply never says whether the citizen has a course: it
 * depends on the message, and on whether the message it names was
 * received, nothing else. Every answer, refusals included, is a FHIR
 * OperationOutcome; the reply is sent after the COMMIT.
 */
#include "api-routes.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "course-log.h"
#include "course.h"
#include "fhir-notification.h"
#include "fhir-store.h"
#include "life-event.h"
#include "log.h"
#include "mentord.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

#define FHIR_JSON API_FHIR_JSON
#define PSYCHIATRY_OR_ADMIN (API_ROLE(AUTH_PSYCHIATRY) | API_ROLE(AUTH_ADMIN))
/* Where a refusal that concerns the CPR number points. */
#define PATIENT_IDENTIFIER "Bundle.entry.resource.ofType(Patient).identifier"

/* Refuse with an OperationOutcome (api.h: a work's own refusal). */
static int refuse(struct api_job *job, int status, const struct fhir_outcome *oo)
{
	json_decref(job->reply);
	job->status = status;
	job->reply = fhir_outcome_json(oo);
	job->content_type = FHIR_JSON;
	return -1;
}

static int refuse_one(struct api_job *job, int status, enum fhir_issue_type type,
		      const char *expression, const char *diagnostics)
{
	struct fhir_outcome oo;

	fhir_outcome_clear(&oo);
	fhir_outcome_add(&oo, FHIR_SEVERITY_ERROR, type, expression, "%s", diagnostics);
	return refuse(job, status, &oo);
}

/* A store failure, logged, as a 500 OperationOutcome. */
static int refuse_store(struct api_job *job, const char *what, const char *cause)
{
	log_err("fhir: %s: %s", what, cause);
	return refuse_one(job, 500, FHIR_ISSUE_PROCESSING, NULL,
			  "The message could not be stored; nothing was changed.");
}

/* An error of the course engine, named at the element it came from. */
static int refuse_engine(struct api_job *job, const struct fhir_notification *n,
			 const struct error *err)
{
	const char *expr = strcmp(err->field, "at") == 0    ? n->at_element
			   : strcmp(err->field, "key") == 0 ? "Bundle.id"
			   : err->field[0] != '\0'	    ? PATIENT_IDENTIFIER
							    : NULL;

	switch (err->kind) {
	case ERROR_CONFLICT:
		return refuse_one(job, 409, FHIR_ISSUE_CONFLICT, expr, err->message);
	case ERROR_INVALID:
		return refuse_one(job, 422, FHIR_ISSUE_VALUE, expr, err->message);
	case ERROR_NOT_FOUND:
		return refuse_one(job, 404, FHIR_ISSUE_NOT_FOUND, expr, err->message);
	default:
		return refuse_store(job, "applying a life event", err->message);
	}
}

/* What the message did and found: the effects it had (kept with its
 * bundle) and the courses it must not touch or log on again. */
struct intake {
	struct course_effect *effects; /* of the life event it applied */
	size_t neffects;
	int64_t *undone; /* courses whose earlier effect it undid */
	size_t nundone;
	int64_t *kept; /* courses changed since that effect: left alone */
	size_t nkept;
	bool known; /* the message it cancels or revises was received */
	/* It found an open course, or what an earlier message did: only
	 * then is it kept (a message that found nothing leaves no trace). */
	bool acted;
};

static void intake_free(struct intake *in)
{
	free(in->effects);
	free(in->undone);
	free(in->kept);
}

static void ids_add(int64_t **ids, size_t *n, int64_t id)
{
	*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
	(*ids)[(*n)++] = id;
}

static bool ids_have(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* One course log entry of kind on each course of ids but those in skip,
 * and its audit row: a leave, or a cancellation or revision a coordinator
 * must look at. */
static int log_on(struct api_job *job, struct store *store, const struct course_op *op,
		  const struct fhir_notification *n, const char *kind, const int64_t *ids,
		  size_t count, const int64_t *skip, size_t nskip, struct intake *in)
{
	struct error err;
	json_t *details;
	int rc = 0;

	details = json_pack("{s:s, s:s, s:s}", "source", "medcom", "activity", n->activity,
			    "message", n->header_id);
	if (n->ref_header_id[0] != '\0')
		json_object_set_new(details, "refers_to", json_string(n->ref_header_id));
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (ids_have(skip, nskip, ids[i]))
			continue;
		in->acted = true;
		if (course_log_append(job->m->course_log, ids[i], op->now, op->author, kind,
				      details, &err) != 0)
			rc = refuse_engine(job, n, &err);
		else if (api_job_audit(job, store, kind, ids[i],
				       "HospitalNotification from the hospital") != 0)
			rc = -1;
	}
	json_decref(details);
	return rc;
}

/* The same on every open course of the CPR number but those in skip. */
static int log_open_courses(struct api_job *job, struct store *store, const struct course_op *op,
			    const struct fhir_notification *n, const char *kind,
			    const int64_t *skip, size_t nskip, struct intake *in)
{
	int64_t *ids = NULL;
	size_t count = 0;
	struct error err;
	int rc;

	if (course_open_of_cpr(job->m->courses, n->cpr, &ids, &count, &err) != 0)
		return refuse_engine(job, n, &err);
	rc = log_on(job, store, op, n, kind, ids, count, skip, nskip, in);
	free(ids);
	return rc;
}

/* Undo what the message n names did, course by course, where the course
 * is still as it left it; the others are kept as they are. */
static int undo_earlier(struct api_job *job, struct store *store, const struct course_op *op,
			const struct fhir_notification *n, struct intake *in)
{
	struct fhir_effect *effects;
	size_t count;
	struct error err;
	bool undone;
	int rc = 0;

	if (fhir_store_effects(store, n->ref_header_id, &in->known, &effects, &count, &err) != 0)
		return refuse_store(job, "reading a message's effects", err.message);
	in->acted = count > 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		const struct course_effect *e = &effects[i].course;

		if (course_undo_event(job->m->courses, op, e, "medcom", n->header_id, &undone,
				      &err) != 0) {
			rc = refuse_engine(job, n, &err);
		} else if (!undone) {
			log_notice("fhir: message %s: course %lld changed after message %s; "
				   "its %s is not undone",
				   n->header_id, (long long)e->course_id, n->ref_header_id,
				   life_event_name(e->event));
			ids_add(&in->kept, &in->nkept, e->course_id);
		} else if (fhir_store_undone(store, &effects[i], n->header_id, op->now, &err) !=
			   0) {
			rc = refuse_store(job, "marking an effect undone", err.message);
		} else {
			ids_add(&in->undone, &in->nundone, e->course_id);
			if (api_job_audit(job, store, "life-event-undone", e->course_id,
					  "HospitalNotification from the hospital") != 0)
				rc = -1;
		}
	}
	free(effects);
	return rc;
}

/* The life event of a new or revised admission, discharge or death, on
 * the open courses of the CPR number but those kept. */
static int apply_event(struct api_job *job, struct store *store, const struct course_op *op,
		       const struct fhir_notification *n, struct intake *in)
{
	static const enum course_event kinds[] = {
		[FHIR_EVENT_ADMITTED] = COURSE_EVENT_ADMITTED,
		[FHIR_EVENT_DISCHARGED] = COURSE_EVENT_DISCHARGED,
		[FHIR_EVENT_DECEASED] = COURSE_EVENT_DECEASED,
	};
	struct life_event_result result;
	struct life_event ev = {
		.kind = kinds[n->event],
		.cpr = n->cpr,
		.at = n->at,
		.key = n->bundle_id,
		.source = "medcom",
		.skip = in->kept,
		.nskip = in->nkept,
	};
	struct error err;
	int rc = 0;

	if (life_event_apply(job->m->courses, op, &ev, &result, &err) != 0) {
		life_event_result_free(&result);
		return refuse_engine(job, n, &err);
	}
	in->effects = result.effects;
	in->neffects = result.changed;
	in->acted = in->acted || result.courses > 0;
	for (size_t i = 0; rc == 0 && i < result.nids; i++)
		if (api_job_audit(job, store, "life-event", result.ids[i],
				  "HospitalNotification from the hospital") != 0)
			rc = -1;
	return rc;
}

/* The reply to an accepted message: what mentord did with it, never
 * whether the citizen has a course (data minimisation): it depends on the
 * message and on whether mentord knows the message it names, nothing else. */
static json_t *accepted_json(const struct fhir_notification *n, const struct intake *in)
{
	static const char activity[] = "Bundle.entry.resource.ofType(Provenance).activity";
	static const char entity[] = "Bundle.entry.resource.ofType(Provenance).entity.what";
	struct fhir_outcome oo;

	fhir_outcome_clear(&oo);
	if (n->action != FHIR_ACTION_NEW && !in->known && n->event != FHIR_EVENT_DECEASED)
		fhir_outcome_add(&oo, FHIR_SEVERITY_WARNING, FHIR_ISSUE_NOT_FOUND, entity,
				 "Message %s is not known here (never received, or forgotten "
				 "after the retention period); nothing was changed.",
				 n->ref_header_id);
	else if (n->action == FHIR_ACTION_CANCEL)
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL, activity,
				 "Cancellation of message %s accepted: what it changed is undone "
				 "where nothing changed since.",
				 n->ref_header_id);
	else if (n->event == FHIR_EVENT_LEAVE)
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL, activity,
				 "Leave (%s) recorded in the course log; no course changes.",
				 n->activity);
	else if (n->action == FHIR_ACTION_REVISE)
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL, NULL,
				 "Accepted: %s (revision of message %s).",
				 fhir_event_name(n->event), n->ref_header_id);
	else
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL, NULL,
				 "Accepted: %s.", fhir_event_name(n->event));
	return fhir_outcome_json(&oo);
}

/* What the message does (doc/fhir-hospitalnotification.md, "The route"). */
static int act(struct api_job *job, struct store *store, const struct course_op *op,
	       struct fhir_notification *n, struct intake *in)
{
	/* A message that says the citizen has died is a death, whatever
	 * else it says: a cancellation carrying it undoes nothing. */
	if (n->event == FHIR_EVENT_DECEASED && n->action == FHIR_ACTION_CANCEL)
		n->action = FHIR_ACTION_NEW;
	if (n->event == FHIR_EVENT_LEAVE && n->action != FHIR_ACTION_CANCEL)
		return log_open_courses(job, store, op, n, "medcom_leave", NULL, 0, in);
	if (n->action == FHIR_ACTION_NEW)
		return apply_event(job, store, op, n, in);
	if (undo_earlier(job, store, op, n, in) != 0)
		return -1;
	if (n->action == FHIR_ACTION_CANCEL)
		return log_open_courses(job, store, op, n, "medcom_cancel", in->undone, in->nundone,
					in);
	/* A revision of a message never received changes nothing, but a
	 * death is never ignored. */
	if (!in->known && n->event != FHIR_EVENT_DECEASED)
		return 0;
	/* Where a later change won, the revision is not applied: a
	 * coordinator looks at it. */
	if (log_on(job, store, op, n, "medcom_revise", in->kept, in->nkept, NULL, 0, in) != 0)
		return -1;
	return apply_event(job, store, op, n, in);
}

/* Keep an accepted message under its Bundle.id, with its reply and what
 * it did. One that found no open course, nor anything an earlier message
 * did, is not kept ("stores nothing"): sent again, it acts on a course
 * opened since, and a message naming it finds nothing to undo. */
static int keep(struct api_job *job, struct store *store, const struct fhir_notification *n,
		const char *fp, const struct intake *in, time_t now)
{
	struct error err;
	char *text;
	int rc;

	if (!in->acted)
		return 0;
	text = json_dumps(job->reply, JSON_COMPACT);
	rc = fhir_store_remember(store, n->bundle_id, n->header_id, fp, job->status, text, now,
				 &err);
	free(text);
	for (size_t i = 0; rc == 0 && i < in->neffects; i++)
		rc = fhir_store_add_effect(store, n->bundle_id, &in->effects[i], &err);
	if (rc != 0)
		return refuse_store(job, "remembering a bundle", err.message);
	return 0;
}

/* POST /fhir/Bundle. */
static int bundle_work(struct api_job *job, struct store *store)
{
	char author[API_AUTHOR_LEN], seen_fp[FHIR_FINGERPRINT_LEN], fp[FHIR_FINGERPRINT_LEN];
	struct fhir_notification n;
	struct intake in = {0};
	struct fhir_outcome oo;
	struct course_op op;
	struct error err;
	char *stored = NULL;
	int seen_status = 0, found, rc;

	api_job_course_op(job, author, &op);
	if (fhir_notification_parse(job->data, job->data_len, op.now, &n, &oo) != 0)
		return refuse(job, fhir_outcome_status(&oo), &oo);
	fhir_notification_fingerprint(&n, fp);
	found = fhir_store_find(store, n.bundle_id, seen_fp, &seen_status, &stored, &err);
	if (found < 0)
		return refuse_store(job, "reading a bundle id", err.message);
	if (found > 0) {
		json_t *reply = json_loads(stored, 0, NULL);

		free(stored);
		if (reply == NULL)
			return refuse_store(job, "reading a bundle id",
					    "a stored reply is not JSON");
		if (strcmp(seen_fp, fp) != 0) {
			json_decref(reply);
			return refuse_one(job, 409, FHIR_ISSUE_CONFLICT, "Bundle.id",
					  "Another message was received under this Bundle id; "
					  "nothing was changed.");
		}
		job->status = seen_status;
		job->reply = reply;
		job->content_type = FHIR_JSON;
		return 0;
	}
	if (n.at > op.now + 24 * 60 * 60)
		return refuse_one(job, 422, FHIR_ISSUE_VALUE, n.at_element,
				  "must not be more than one day in the future");
	rc = act(job, store, &op, &n, &in);
	if (rc == 0) {
		job->status = 200;
		job->reply = accepted_json(&n, &in);
		job->content_type = FHIR_JSON;
		rc = keep(job, store, &n, fp, &in, op.now);
	}
	intake_free(&in);
	return rc;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_POST, "/fhir/Bundle", PSYCHIATRY_OR_ADMIN, API_BODY_FHIR, bundle_work},
};

const struct api_routes api_fhir_routes = {routes, sizeof routes / sizeof routes[0]};
