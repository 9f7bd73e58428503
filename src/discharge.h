/*
 * discharge.h - a discharge notification as mentord understands it,
 * whatever format brought it: one type, validated in one place.
 *
 * Contract:
 *  - An intake adapter reads its own format (intake.c: the JSON of
 *    POST and PUT /v1/discharges) into struct discharge: the values as
 *    sent, their types and the format of instants and dates already
 *    checked. discharge_check() then validates and normalises every field
 *    and records each problem under a neutral field id (enum
 *    discharge_field, named by discharge_field_name). It returns 0 only
 *    when there was none. Each adapter maps the ids onto its own paths
 *    ("citizen.cpr" in the JSON API; a FHIRPath in a FHIR adapter), so a
 *    rule is written once and every format reports it where its sender
 *    will look. doc/life-events.md says how to add a format.
 *  - Consent is the gate: without consent to contact and to share
 *    information nothing may be stored, whatever the format.
 *  - discharged_at is optional: has_discharged_at false is "not
 *    discharged yet" (a referral made during the stay; the course waits
 *    for the discharge). No instant stands for absence, so the epoch is
 *    judged like any other time. The discharge date is the Copenhagen
 *    date of discharged_at. Whether it is timely (not more than one day
 *    ahead, its window not ended) is not checked here but by
 *    course_create after the idempotency lookup: the same notification
 *    again is replayed whatever today's date is.
 *  - discharge_fingerprint() is the SHA-256 of the discharge as checked:
 *    every field mentord acts on, the discharge instant to the second and
 *    the phone as normalised, and the wishes when there are any (as
 *    canonical text). A resubmission that differs only in key
 *    order, spacing, phone spelling or a field mentord ignores is "the same
 *    notification"; any difference in what would be stored is not.
 *  - It stores and logs nothing: a rejected notification leaves no trace.
 *    The strings in the "as sent" part are borrowed from the adapter's
 *    parsed input and must outlive the discharge.
 */
#ifndef MENTORD_DISCHARGE_H
#define MENTORD_DISCHARGE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "cpr.h"
#include "phone.h"

#define DISCHARGE_ID_MAX 128
#define DISCHARGE_NAME_MAX 200
#define DISCHARGE_UNIT_MAX 200
#define DISCHARGE_TIME_LEN 6	     /* "HH:MM" + NUL */
#define DISCHARGE_FINGERPRINT_LEN 65 /* hex SHA-256 + NUL */
#define DISCHARGE_MESSAGE_LEN 120

/* Where a referral came from: which intake adapter, and so whose rules of
 * correction apply (doc/life-events.md). */
#define DISCHARGE_SOURCE_PSYCHIATRY "psychiatry"
/* A citizen who contacted the municipality themself (POST /v1/courses). */
#define DISCHARGE_SOURCE_SELF_REFERRAL "self_referral"

enum discharge_field {
	DISCHARGE_NOTIFICATION_ID,
	DISCHARGE_NAME,
	DISCHARGE_CPR,
	DISCHARGE_PHONE,
	DISCHARGE_CALL_FROM,
	DISCHARGE_CALL_TO,
	DISCHARGE_DISCHARGED_AT,
	DISCHARGE_UNIT,
	DISCHARGE_CONSENT_CONTACT,
	DISCHARGE_CONSENT_SHARE,
	DISCHARGE_CONSENT_GIVEN_AT,
	DISCHARGE_NFIELDS,
};

struct discharge {
	/* As sent; NULL when absent. */
	const char *notification_id;
	const char *name;
	const char *cpr_text;
	const char *phone_text;
	const char *call_from_text; /* "HH:MM" */
	const char *call_to_text;
	time_t discharged_at;	/* when has_discharged_at */
	bool has_discharged_at; /* false: not discharged yet */
	const char *unit;
	bool consent_contact;
	bool consent_share;
	cal_day consent_given_at; /* CAL_NO_DAY when not given */
	const char *source;	  /* DISCHARGE_SOURCE_* */
	int64_t sender_token_id;  /* the API token that sent it; 0: none */
	/* The citizen's wishes for a mentor as match_read_wishes gives them
	 * (canonical JSON text), NULL: none. Borrowed, as the strings above;
	 * only the JSON API carries them (intake_read_wishes). */
	const char *wishes;

	/* Filled by discharge_check(). */
	bool checked;
	char cpr[CPR_LEN];		    /* ten digits; "" when not given */
	char phone[PHONE_LEN];		    /* E.164 */
	char call_from[DISCHARGE_TIME_LEN]; /* "" when no preferred time */
	char call_to[DISCHARGE_TIME_LEN];
	cal_day discharge_day; /* CAL_NO_DAY when not discharged yet */
};

/* What discharge_check found, one message per field ("" = fine). */
struct discharge_problems {
	int count;
	char message[DISCHARGE_NFIELDS][DISCHARGE_MESSAGE_LEN];
};

/* The neutral id of a field ("cpr", "preferred_call_time.from"), and back
 * (-1 for an unknown name). */
const char *discharge_field_name(enum discharge_field field);
int discharge_field_parse(const char *name);

/* A discharge with nothing in it yet: no times, no consent date. */
void discharge_init(struct discharge *d, const char *source);

/* Validate and normalise d as of now (a CPR birth date or a consent date
 * after today is wrong); 0 when p->count is 0. */
int discharge_check(struct discharge *d, time_t now, struct discharge_problems *p);

void discharge_fingerprint(const struct discharge *d, char hex[DISCHARGE_FINGERPRINT_LEN]);

#endif
