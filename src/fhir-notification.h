/*
 * fhir-notification.h - a MedCom HospitalNotification (FHIR R4 message
 * Bundle, IG 3.x) read into one life event, and the FHIR OperationOutcome
 * that says what is wrong with one that cannot be.
 *
 * Contract (doc/fhir-hospitalnotification.md has every rule and its source):
 *  - fhir_notification_parse() reads the body as sent, checks the parts
 *    mentord acts on (Bundle, MessageHeader, Patient, the Encounter the
 *    MessageHeader focuses on, the Provenance that targets the
 *    MessageHeader) and fills a plain struct with no pointers into the
 *    body. It returns 0, or -1 with *out zeroed and at least one error
 *    issue in the outcome (which it clears first), each naming the element
 *    at fault by FHIRPath ("Bundle.entry[1].resource.identifier[0].system").
 *    It reports every fault it finds, not just the first, except that a
 *    body that is no HospitalNotification at all stops at that.
 *  - The event, first match wins: Patient.deceased[x] true (a dateTime
 *    counts as true) -> deceased, whatever the activity code; otherwise
 *    the activity code: admit-* -> admitted, discharge-*-home ->
 *    discharged, start-leave-* / end-leave-* -> leave (logged only).
 *    An activity code outside MedCom's HospitalNotification value set is
 *    an error.
 *  - The action: revise-* -> revise (replaces the effect of the message
 *    ref_header_id); cancel-*, or a Provenance.entity with role "removal"
 *    (MedCom cancels a death notice with the stay's current activity code
 *    and role removal) -> cancel (undoes it); otherwise new. Revise and
 *    cancel require the reference.
 *  - References between messages are MessageHeader ids, not Bundle ids:
 *    MedCom's Provenance.entity.what.reference is "MessageHeader/<id>".
 *  - `at` is when the event happened: admitted -> Encounter.period.start;
 *    discharged -> Encounter.period.end (required); deceased ->
 *    Patient.deceasedDateTime when it has a time, else
 *    Encounter.period.end, else the Provenance's occurredDateTime; leave
 *    -> the leave period's start or end, else the Provenance's time; a
 *    cancellation -> the Provenance's time. at_element names the element.
 *    Whether `at` is plausible (not in the future, inside a window) is
 *    the caller's business, as for the v1 intake.
 *  - Nothing here logs, stores or allocates beyond the parse; diagnostics
 *    never repeat a CPR number or a date from the message.
 */
#ifndef MENTORD_FHIR_NOTIFICATION_H
#define MENTORD_FHIR_NOTIFICATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cpr.h"

#define FHIR_ID_LEN 65	 /* a FHIR id: 1-64 of [A-Za-z0-9.-], + NUL */
#define FHIR_CODE_LEN 40 /* the longest HospitalNotification code + NUL */
#define FHIR_EXPR_LEN 96 /* a FHIRPath expression as this module writes them */
#define FHIR_DIAG_LEN 200
#define FHIR_MAX_ISSUES 16
#define FHIR_FINGERPRINT_LEN 65 /* hex SHA-256 + NUL */

/* The systems and codes that make a message a HospitalNotification. */
#define FHIR_CPR_SYSTEM "urn:oid:1.2.208.176.1.2"
#define FHIR_EVENT_SYSTEM \
	"http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes"
#define FHIR_EVENT_CODE "hospital-notification-message"
#define FHIR_ACTIVITY_SYSTEM \
	"http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"

enum fhir_event {
	FHIR_EVENT_ADMITTED,
	FHIR_EVENT_DISCHARGED,
	FHIR_EVENT_DECEASED,
	FHIR_EVENT_LEAVE, /* start or end of a leave: logged only */
};

enum fhir_action {
	FHIR_ACTION_NEW,    /* the event happened */
	FHIR_ACTION_REVISE, /* replaces the effect of message ref_header_id */
	FHIR_ACTION_CANCEL, /* undoes the effect of message ref_header_id */
};

struct fhir_notification {
	char bundle_id[FHIR_ID_LEN];	 /* Bundle.id: the idempotency key */
	char header_id[FHIR_ID_LEN];	 /* MessageHeader.id: what later messages name */
	char ref_header_id[FHIR_ID_LEN]; /* Provenance.entity[0].what: "" when none */
	char ref_role[16];		 /* its role as sent: "revision", "removal", "" */
	char cpr[CPR_LEN];		 /* ten digits */
	char activity[FHIR_CODE_LEN];	 /* the Provenance's activity code as sent */
	char encounter_status[20];	 /* in-progress | onleave | finished | entered-in-error */
	char encounter_class[8];	 /* IMP | EMER */
	enum fhir_event event;
	enum fhir_action action;
	bool deceased;
	time_t at;			/* when the event happened (see above) */
	char at_element[FHIR_EXPR_LEN]; /* the FHIRPath `at` was read from */
	time_t sent_at;			/* the Provenance's recorded: when it was sent */
};

/* --- OperationOutcome ------------------------------------------------------------- */

enum fhir_severity {
	FHIR_SEVERITY_FATAL,
	FHIR_SEVERITY_ERROR,
	FHIR_SEVERITY_WARNING,
	FHIR_SEVERITY_INFORMATION,
};

/* The subset of FHIR's IssueType this module and its callers use. */
enum fhir_issue_type {
	FHIR_ISSUE_INVALID,
	FHIR_ISSUE_STRUCTURE,	  /* not JSON, or an element of the wrong JSON type */
	FHIR_ISSUE_REQUIRED,	  /* a required element is missing */
	FHIR_ISSUE_VALUE,	  /* an element's value is wrong */
	FHIR_ISSUE_INVARIANT,	  /* a rule across elements is broken */
	FHIR_ISSUE_CODE_INVALID,  /* a code or system outside its value set */
	FHIR_ISSUE_NOT_SUPPORTED, /* not a HospitalNotification message */
	FHIR_ISSUE_NOT_FOUND,	  /* a reference that names nothing */
	FHIR_ISSUE_DUPLICATE,
	FHIR_ISSUE_CONFLICT,
	FHIR_ISSUE_PROCESSING,
	FHIR_ISSUE_INFORMATIONAL,
	FHIR_ISSUE_LOGIN,     /* 401 */
	FHIR_ISSUE_FORBIDDEN, /* 403 */
	FHIR_ISSUE_TOO_LONG,  /* 413 */
	FHIR_ISSUE_TIMEOUT,   /* 408 */
	FHIR_ISSUE_TRANSIENT, /* 503: try again */
	FHIR_ISSUE_EXCEPTION, /* 500 */
};

struct fhir_issue {
	enum fhir_severity severity;
	enum fhir_issue_type type;
	char expression[FHIR_EXPR_LEN]; /* "" when no element can be named */
	char diagnostics[FHIR_DIAG_LEN];
};

struct fhir_outcome {
	struct fhir_issue issues[FHIR_MAX_ISSUES];
	size_t count;
	size_t dropped; /* issues beyond FHIR_MAX_ISSUES, counted not kept */
};

void fhir_outcome_clear(struct fhir_outcome *oo);
/* Append an issue and return -1, for "return fhir_outcome_add(...)".
 * expression may be NULL. */
int fhir_outcome_add(struct fhir_outcome *oo, enum fhir_severity severity,
		     enum fhir_issue_type type, const char *expression, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Whether any issue is fatal or an error. */
bool fhir_outcome_failed(const struct fhir_outcome *oo);
/* The HTTP status a FHIR server answers with: 200 without errors, 400 when
 * the body could not be read as a Bundle at all, 422 when it was read but
 * broke a rule (FHIR RESTful API, "create"). */
int fhir_outcome_status(const struct fhir_outcome *oo);
/* {"resourceType": "OperationOutcome", "issue": [...]}: a new reference.
 * An outcome without issues says "informational: all OK", since FHIR
 * requires at least one issue. */
json_t *fhir_outcome_json(const struct fhir_outcome *oo);

/* An OperationOutcome for an HTTP refusal mentord gives before (or
 * around) the message itself: 401, 403, 408, 413, 415, 500, 503 (a new
 * reference; one error issue whose code fits the status). */
json_t *fhir_outcome_of_status(int status, const char *diagnostics);

const char *fhir_severity_name(enum fhir_severity severity);
const char *fhir_issue_type_name(enum fhir_issue_type type);

/* --- the notification ------------------------------------------------------------- */

/* now gives today's date for the CPR birth-date check. */
int fhir_notification_parse(const char *body, size_t len, time_t now, struct fhir_notification *out,
			    struct fhir_outcome *oo);

/* SHA-256 over every parsed field (not the Bundle id): the same Bundle id
 * with another fingerprint is another message under a reused id. */
void fhir_notification_fingerprint(const struct fhir_notification *n,
				   char hex[FHIR_FINGERPRINT_LEN]);

/* "admitted", "discharged", "deceased", "leave"; "new", "revise", "cancel". */
const char *fhir_event_name(enum fhir_event event);
const char *fhir_action_name(enum fhir_action action);

#endif
