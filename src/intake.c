/*
 * intake.c - the API's intake adapter (intake.h).
 */
#include "intake.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "match.h"

/* The notification's JSON fields in the order problems are listed; a
 * field inside an object names the object's row as its parent. */
enum row {
	ROW_NOTIFICATION_ID,
	ROW_CITIZEN,
	ROW_NAME,
	ROW_CPR,
	ROW_PHONE,
	ROW_CALL_TIME,
	ROW_CALL_FROM,
	ROW_CALL_TO,
	ROW_DISCHARGED_AT,
	ROW_UNIT,
	ROW_CONSENT,
	ROW_CONSENT_CONTACT,
	ROW_CONSENT_SHARE,
	ROW_CONSENT_GIVEN_AT,
	ROW_COUNT,
};

static const struct {
	const char *path;
	int field;  /* enum discharge_field, -1 for an object */
	int parent; /* enum row, -1 at the top */
} rows[ROW_COUNT] = {
	[ROW_NOTIFICATION_ID] = {"notification_id", DISCHARGE_NOTIFICATION_ID, -1},
	[ROW_CITIZEN] = {"citizen", -1, -1},
	[ROW_NAME] = {"citizen.name", DISCHARGE_NAME, ROW_CITIZEN},
	[ROW_CPR] = {"citizen.cpr", DISCHARGE_CPR, ROW_CITIZEN},
	[ROW_PHONE] = {"citizen.phone", DISCHARGE_PHONE, ROW_CITIZEN},
	[ROW_CALL_TIME] = {"citizen.preferred_call_time", -1, ROW_CITIZEN},
	[ROW_CALL_FROM] = {"citizen.preferred_call_time.from", DISCHARGE_CALL_FROM, ROW_CALL_TIME},
	[ROW_CALL_TO] = {"citizen.preferred_call_time.to", DISCHARGE_CALL_TO, ROW_CALL_TIME},
	[ROW_DISCHARGED_AT] = {"discharged_at", DISCHARGE_DISCHARGED_AT, -1},
	[ROW_UNIT] = {"unit", DISCHARGE_UNIT, -1},
	[ROW_CONSENT] = {"consent", -1, -1},
	[ROW_CONSENT_CONTACT] = {"consent.contact", DISCHARGE_CONSENT_CONTACT, ROW_CONSENT},
	[ROW_CONSENT_SHARE] = {"consent.share_information", DISCHARGE_CONSENT_SHARE, ROW_CONSENT},
	[ROW_CONSENT_GIVEN_AT] = {"consent.given_at", DISCHARGE_CONSENT_GIVEN_AT, ROW_CONSENT},
};

/* The shape problems found while reading, one per row. */
struct shape {
	const char *message[ROW_COUNT];
};

const char *intake_path(const char *field)
{
	int f = discharge_field_parse(field);

	for (int i = 0; f >= 0 && i < ROW_COUNT; i++)
		if (rows[i].field == f)
			return rows[i].path;
	return field;
}

/* A string member as sent, or NULL (absent, null, or of the wrong shape:
 * then noted in shape). */
static const char *string_at(json_t *object, const char *key, enum row row, struct shape *shape)
{
	json_t *value = json_object_get(object, key);

	if (value == NULL || json_is_null(value))
		return NULL;
	if (!json_is_string(value)) {
		shape->message[row] = "must be a string";
		return NULL;
	}
	if (json_string_length(value) != strlen(json_string_value(value))) {
		shape->message[row] = "must not contain NUL characters";
		return NULL;
	}
	return json_string_value(value);
}

static json_t *object_at(json_t *object, const char *key, enum row row, bool required,
			 struct shape *shape)
{
	json_t *value = json_object_get(object, key);

	if (value == NULL || json_is_null(value)) {
		if (required)
			shape->message[row] = "is required";
		return NULL;
	}
	if (!json_is_object(value)) {
		shape->message[row] = "must be an object";
		return NULL;
	}
	return value;
}

static void read_citizen(json_t *body, struct discharge *d, struct shape *shape)
{
	json_t *citizen = object_at(body, "citizen", ROW_CITIZEN, true, shape), *window;

	if (citizen == NULL)
		return;
	d->name = string_at(citizen, "name", ROW_NAME, shape);
	d->cpr_text = string_at(citizen, "cpr", ROW_CPR, shape);
	d->phone_text = string_at(citizen, "phone", ROW_PHONE, shape);
	window = object_at(citizen, "preferred_call_time", ROW_CALL_TIME, false, shape);
	if (window == NULL)
		return;
	d->call_from_text = string_at(window, "from", ROW_CALL_FROM, shape);
	d->call_to_text = string_at(window, "to", ROW_CALL_TO, shape);
	/* An empty object asks for a preferred time without giving one. */
	if (d->call_from_text == NULL && shape->message[ROW_CALL_FROM] == NULL)
		shape->message[ROW_CALL_FROM] = "is required";
	if (d->call_to_text == NULL && shape->message[ROW_CALL_TO] == NULL)
		shape->message[ROW_CALL_TO] = "is required";
}

static void read_consent(json_t *body, struct discharge *d, struct shape *shape)
{
	json_t *consent = object_at(body, "consent", ROW_CONSENT, true, shape);
	const char *given;

	if (consent == NULL)
		return;
	/* Only JSON true is consent: "true" or 1 is not. */
	d->consent_contact = json_is_true(json_object_get(consent, "contact"));
	d->consent_share = json_is_true(json_object_get(consent, "share_information"));
	given = string_at(consent, "given_at", ROW_CONSENT_GIVEN_AT, shape);
	if (given != NULL && cal_day_parse(given, &d->consent_given_at) != 0) {
		d->consent_given_at = CAL_NO_DAY;
		shape->message[ROW_CONSENT_GIVEN_AT] = "must be a date \"YYYY-MM-DD\"";
	}
}

static void read_body(json_t *body, const char *path_id, struct discharge *d, struct shape *shape)
{
	const char *text;

	d->notification_id = string_at(body, "notification_id", ROW_NOTIFICATION_ID, shape);
	if (path_id != NULL) {
		if (d->notification_id != NULL && strcmp(d->notification_id, path_id) != 0)
			shape->message[ROW_NOTIFICATION_ID] =
				"must be the notification_id of the path, or left out";
		else if (shape->message[ROW_NOTIFICATION_ID] == NULL)
			d->notification_id = path_id;
	}
	read_citizen(body, d, shape);
	text = string_at(body, "discharged_at", ROW_DISCHARGED_AT, shape);
	d->has_discharged_at = text != NULL && clock_parse_rfc3339(text, &d->discharged_at) == 0;
	if (text != NULL && !d->has_discharged_at) {
		d->discharged_at = 0;
		shape->message[ROW_DISCHARGED_AT] = "must be an RFC 3339 date-time with an offset";
	}
	d->unit = string_at(body, "unit", ROW_UNIT, shape);
	read_consent(body, d, shape);
}

static bool shape_wrong(const struct shape *shape, int row)
{
	for (; row >= 0; row = rows[row].parent)
		if (shape->message[row] != NULL)
			return true;
	return false;
}

int intake_read(json_t *body, const char *path_id, time_t now, struct discharge *out,
		struct field_errors *errors)
{
	struct discharge_problems problems;
	struct shape shape = {{NULL}};
	bool any = false;

	discharge_init(out, DISCHARGE_SOURCE_PSYCHIATRY);
	read_body(body, path_id, out, &shape);
	discharge_check(out, now, &problems);
	for (int i = 0; i < ROW_COUNT; i++) {
		if (shape.message[i] != NULL) {
			field_error_add(errors, rows[i].path, "%s", shape.message[i]);
			any = true;
		} else if (rows[i].field >= 0 && problems.message[rows[i].field][0] != '\0' &&
			   !shape_wrong(&shape, i)) {
			field_error_add(errors, rows[i].path, "%s",
					problems.message[rows[i].field]);
			any = true;
		}
	}
	if (any)
		out->checked = false;
	return any ? -1 : 0;
}

char *intake_read_wishes(json_t *body, struct field_errors *errors)
{
	json_t *w;

	/* Intake reads a null member as absent (string_at): null wishes are
	 * no wishes, as a null wish inside them is none (match.h). */
	if (json_is_null(json_object_get(body, "wishes")))
		return NULL;
	w = field_get_object(body, "wishes", "wishes", false, errors);
	return w != NULL ? match_read_wishes(w, "wishes", errors) : NULL;
}
