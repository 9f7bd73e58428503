/*
 * api-fhir.c - MedCom's HospitalNotification intake: POST /fhir/Bundle
 * (doc/fhir-hospitalnotification.md).
 *
 * Contract: the body, application/fhir+json, is one HospitalNotification
 * message Bundle (fhir-notification.h reads it). Its life event goes to
 * life_event_apply() exactly as POST /v1/citizens/events sends one: it
 * steers the open courses of the CPR number and never creates a course.
 * Start and end of a leave, and cancellations, change no course: each
 * open course of the CPR number gets a course log entry (a cancellation's
 * asks a coordinator to undo by hand). Idempotent on Bundle.id: the same
 * message again gets the first reply, another message under the same id
 * 409; only the id, a fingerprint and the reply are kept (fhir_bundles),
 * and the reply never says whether the citizen has a course. Every answer,
 * refusals included, is a FHIR OperationOutcome; the reply is sent after
 * the COMMIT.
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
#include "life-event.h"
#include "log.h"
#include "mentord.h"
#include "sql.h"
#include "store.h"

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
	const char *expr = strcmp(err->field, "at") == 0 ? n->at_element
			   : err->field[0] != '\0'	 ? PATIENT_IDENTIFIER
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

/* The reply stored for a Bundle id: 1 found (status, reply, fingerprint
 * filled), 0 none, -1 a store failure (refused). */
static int bundle_find(struct api_job *job, sqlite3 *db, const char *bundle_id, int *status,
		       json_t **reply, char fingerprint[FHIR_FINGERPRINT_LEN])
{
	static const char sql[] =
		"SELECT fingerprint, status, reply FROM fhir_bundles WHERE bundle_id = ?1";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		refuse_store(job, "reading a bundle id", sqlite3_errmsg(db));
		return -1;
	}
	sql_bind_text(s, 1, bundle_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(fingerprint, FHIR_FINGERPRINT_LEN, "%s",
			 (const char *)sqlite3_column_text(s, 0));
		*status = sqlite3_column_int(s, 1);
		*reply = json_loads((const char *)sqlite3_column_text(s, 2), 0, NULL);
		rc = *reply != NULL ? 1 : -1;
		if (rc < 0)
			refuse_store(job, "reading a bundle id", "a stored reply is not JSON");
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		refuse_store(job, "reading a bundle id", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

static int bundle_remember(struct api_job *job, sqlite3 *db, const char *bundle_id,
			   const char *fingerprint, int status, const json_t *reply, time_t now)
{
	static const char sql[] = "INSERT INTO fhir_bundles (bundle_id, fingerprint, status,"
				  " reply, received_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	char *text = json_dumps(reply, JSON_COMPACT);
	sqlite3_stmt *s;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		free(text);
		return refuse_store(job, "remembering a bundle id", sqlite3_errmsg(db));
	}
	sql_bind_text(s, 1, bundle_id);
	sql_bind_text(s, 2, fingerprint);
	sqlite3_bind_int(s, 3, status);
	sql_bind_text(s, 4, text);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = 0;
	else
		refuse_store(job, "remembering a bundle id", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	free(text);
	return rc;
}

/* A leave, or a cancellation mentord does not undo: one course log entry
 * on every open course of the CPR number, and its audit row. */
static int log_only(struct api_job *job, struct store *store, const struct course_op *op,
		    const struct fhir_notification *n, const char *kind)
{
	int64_t *ids = NULL;
	size_t count = 0;
	struct error err;
	json_t *details;
	int rc = 0;

	if (course_open_of_cpr(job->m->courses, n->cpr, &ids, &count, &err) != 0)
		return refuse_engine(job, n, &err);
	details = json_pack("{s:s, s:s, s:s}", "source", "medcom", "activity", n->activity,
			    "message", n->header_id);
	if (n->ref_header_id[0] != '\0')
		json_object_set_new(details, "refers_to", json_string(n->ref_header_id));
	for (size_t i = 0; rc == 0 && i < count; i++) {
		if (course_log_append(job->m->course_log, ids[i], op->now, op->author, kind,
				      details, &err) != 0)
			rc = refuse_engine(job, n, &err);
		else if (api_job_audit(job, store, kind, ids[i],
				       "HospitalNotification from the hospital") != 0)
			rc = -1;
	}
	json_decref(details);
	free(ids);
	return rc;
}

/* The life event of a new or revised admission, discharge or death. */
static int apply_event(struct api_job *job, struct store *store, const struct course_op *op,
		       const struct fhir_notification *n)
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
	};
	struct error err;

	if (life_event_apply(job->m->courses, op, &ev, &result, &err) != 0)
		return refuse_engine(job, n, &err);
	for (size_t i = 0; i < result.nids; i++)
		if (api_job_audit(job, store, "life-event", result.ids[i],
				  "HospitalNotification from the hospital") != 0)
			return -1;
	return 0;
}

/* The reply to an accepted message: what mentord did with it, never
 * whether the citizen has a course (data minimisation). */
static json_t *accepted_json(const struct fhir_notification *n)
{
	struct fhir_outcome oo;

	fhir_outcome_clear(&oo);
	if (n->action == FHIR_ACTION_CANCEL)
		fhir_outcome_add(&oo, FHIR_SEVERITY_WARNING, FHIR_ISSUE_INFORMATIONAL,
				 "Bundle.entry.resource.ofType(Provenance).activity",
				 "Cancellation of message %s recorded; mentord does not undo it: "
				 "a coordinator must check the course by hand.",
				 n->ref_header_id);
	else if (n->event == FHIR_EVENT_LEAVE)
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL,
				 "Bundle.entry.resource.ofType(Provenance).activity",
				 "Leave (%s) recorded in the course log; no course changes.",
				 n->activity);
	else
		fhir_outcome_add(&oo, FHIR_SEVERITY_INFORMATION, FHIR_ISSUE_INFORMATIONAL, NULL,
				 "Accepted: %s%s.", fhir_event_name(n->event),
				 n->action == FHIR_ACTION_REVISE ? " (revision)" : "");
	return fhir_outcome_json(&oo);
}

/* POST /fhir/Bundle. */
static int bundle_work(struct api_job *job, struct store *store)
{
	char author[API_AUTHOR_LEN], seen_fp[FHIR_FINGERPRINT_LEN], fp[FHIR_FINGERPRINT_LEN];
	struct fhir_notification n;
	struct fhir_outcome oo;
	struct course_op op;
	json_t *stored = NULL;
	int seen_status = 0, found, rc;

	api_job_course_op(job, author, &op);
	if (fhir_notification_parse(job->data, job->data_len, op.now, &n, &oo) != 0)
		return refuse(job, fhir_outcome_status(&oo), &oo);
	fhir_notification_fingerprint(&n, fp);
	found = bundle_find(job, store_db(store), n.bundle_id, &seen_status, &stored, seen_fp);
	if (found < 0)
		return -1;
	if (found > 0) {
		if (strcmp(seen_fp, fp) != 0) {
			json_decref(stored);
			return refuse_one(job, 409, FHIR_ISSUE_CONFLICT, "Bundle.id",
					  "Another message was received under this Bundle id; "
					  "nothing was changed.");
		}
		job->status = seen_status;
		job->reply = stored;
		job->content_type = FHIR_JSON;
		return 0;
	}
	if (n.at > op.now + 24 * 60 * 60)
		return refuse_one(job, 422, FHIR_ISSUE_VALUE, n.at_element,
				  "must not be more than one day in the future");
	if (n.action == FHIR_ACTION_CANCEL)
		rc = log_only(job, store, &op, &n, "medcom_cancel");
	else if (n.event == FHIR_EVENT_LEAVE)
		rc = log_only(job, store, &op, &n, "medcom_leave");
	else
		rc = apply_event(job, store, &op, &n);
	if (rc != 0)
		return -1;
	job->status = 200;
	job->reply = accepted_json(&n);
	job->content_type = FHIR_JSON;
	return bundle_remember(job, store_db(store), n.bundle_id, fp, job->status, job->reply,
			       op.now);
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_POST, "/fhir/Bundle", PSYCHIATRY_OR_ADMIN, API_BODY_FHIR, bundle_work},
};

const struct api_routes api_fhir_routes = {routes, sizeof routes / sizeof routes[0]};
