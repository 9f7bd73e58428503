/*
 * intake.h - reading a discharge notification (POST /v1/discharges).
 *
 * Contract:
 *  - intake_parse() checks every field of doc/api.md and records
 *    each problem under its JSON path ("citizen.cpr") in errors; it returns
 *    0 only when there were none. It stores and logs nothing: a rejected
 *    notification leaves no trace of the citizen.
 *  - Consent is the gate: without consent.contact and
 *    consent.share_information both true nothing may be stored.
 *  - The discharge date is the Copenhagen date of discharged_at. Whether
 *    it is timely (not more than one day ahead, its window not ended) is
 *    not checked here but by course_create after the idempotency lookup:
 *    the same notification again is replayed whatever today's date is.
 *  - intake_fingerprint() is the SHA-256 of the notification as parsed:
 *    every field mentord acts on, the discharge instant to the second and
 *    the phone as normalised. A resubmission that differs only in key
 *    order, spacing, phone spelling or a field mentord ignores is "the same
 *    notification"; any difference in what would be stored is not. Hashing
 *    the parsed fields, not a canonical dump of the body, halved the cost
 *    of an intake's idempotency check.
 *  - The strings in struct intake point into the parsed body: keep the body
 *    alive as long as the intake.
 */
#ifndef MENTORD_INTAKE_H
#define MENTORD_INTAKE_H

#include <jansson.h>
#include <time.h>

#include "field.h"
#include "calendar.h"
#include "cpr.h"
#include "phone.h"

#define INTAKE_ID_MAX 128
#define INTAKE_NAME_MAX 200
#define INTAKE_UNIT_MAX 200
#define INTAKE_FINGERPRINT_LEN 65 /* hex SHA-256 + NUL */

struct intake {
	const char *notification_id;
	const char *name;
	char cpr[CPR_LEN]; /* "" when not given */
	char phone[PHONE_LEN];
	int call_from_minute; /* -1 when no preferred call time */
	int call_to_minute;
	time_t discharged_at;
	cal_day discharge_day;
	const char *unit; /* NULL when not given */
	cal_day consent_given; /* CAL_NO_DAY when not given */
};

int intake_parse(json_t *body, time_t now, struct intake *out, struct field_errors *errors);
void intake_fingerprint(const struct intake *in, char hex[INTAKE_FINGERPRINT_LEN]);

/* "HH:MM" to minutes after midnight; -1 when malformed. */
int intake_parse_hhmm(const char *text);

#endif
