/*
 * intake.h - the API's intake adapter: the JSON body of POST /v1/discharges
 * (and of a correction, PUT /v1/discharges/{notification_id}) read into a
 * discharge (discharge.h), with every problem named by its JSON path.
 *
 * Contract:
 *  - intake_read() checks the body's shape: the JSON types of every field
 *    of doc/openapi.yaml (DischargeRequest), RFC 3339 instants with an
 *    offset, "YYYY-MM-DD" dates. The values themselves (CPR, phone, names,
 *    preferred time, consent) are judged by discharge_check(), whose
 *    problems are reported under the API's path of each field
 *    ("citizen.cpr"). A field whose shape is wrong, or inside an object
 *    whose shape is wrong, is named once, for its shape. Problems are
 *    listed in the order of the notification's fields. Returns 0 only when
 *    there was none.
 *  - discharged_at absent or null: not discharged yet (a referral made
 *    during the stay).
 *  - notification_id: with path_id (a correction) the body may leave it
 *    out; if it gives one, it must be path_id.
 *  - Strings in out point into body: keep the body alive as long as out.
 */
#ifndef MENTORD_INTAKE_H
#define MENTORD_INTAKE_H

#include <jansson.h>
#include <time.h>

#include "discharge.h"
#include "field.h"

int intake_read(json_t *body, const char *path_id, time_t now, struct discharge *out,
		struct field_errors *errors);

/* The body's optional "wishes" (doc/programmes.md, "Matching"), checked
 * by match.h's reader as a referral's are, problems named under
 * "wishes.": canonical JSON text for discharge.wishes, or NULL when there
 * are none (or they were refused); free() it. */
char *intake_read_wishes(json_t *body, struct field_errors *errors);

/* The API's path of a neutral field id (discharge_field_name), for an
 * error found after intake_read (a discharge no longer timely); any other
 * name is returned as it is. */
const char *intake_path(const char *field);

#endif
