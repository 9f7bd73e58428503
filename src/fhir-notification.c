/*
 * fhir-notification.c - MedCom HospitalNotification read into one life
 * event (fhir-notification.h). The rules and where each comes from are in
 * doc/fhir-hospitalnotification.md.
 */
#include "fhir-notification.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "sha256.h"

#define LEAVE_PERIOD_URL \
	"http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/" \
	"medcom-hospitalnotifiation-leave-period-extension"
#define ACTCODE_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ActCode"

enum leave_edge { LEAVE_NONE, LEAVE_START, LEAVE_END };

/* MedCom's value set medcom-hospitalNotification-messageActivities
 * (terminology IG 1.8.1): every code a HospitalNotification may carry. */
static const struct activity {
	const char *code;
	enum fhir_event event;
	enum fhir_action action;
	enum leave_edge leave;
} activities[] = {
	{"admit-emergency", FHIR_EVENT_ADMITTED, FHIR_ACTION_NEW, LEAVE_NONE},
	{"revise-admit-emergency", FHIR_EVENT_ADMITTED, FHIR_ACTION_REVISE, LEAVE_NONE},
	{"cancel-admit-emergency", FHIR_EVENT_ADMITTED, FHIR_ACTION_CANCEL, LEAVE_NONE},
	{"admit-inpatient", FHIR_EVENT_ADMITTED, FHIR_ACTION_NEW, LEAVE_NONE},
	{"revise-admit-inpatient", FHIR_EVENT_ADMITTED, FHIR_ACTION_REVISE, LEAVE_NONE},
	{"cancel-admit-inpatient", FHIR_EVENT_ADMITTED, FHIR_ACTION_CANCEL, LEAVE_NONE},
	{"start-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_NEW, LEAVE_START},
	{"revise-start-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_REVISE, LEAVE_START},
	{"cancel-start-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_CANCEL, LEAVE_START},
	{"end-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_NEW, LEAVE_END},
	{"revise-end-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_REVISE, LEAVE_END},
	{"cancel-end-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_CANCEL, LEAVE_END},
	{"discharge-emergency-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_NEW, LEAVE_NONE},
	{"discharge-inpatient-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_NEW, LEAVE_NONE},
	{"revise-discharge-emergency-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_REVISE, LEAVE_NONE},
	{"revise-discharge-inpatient-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_REVISE, LEAVE_NONE},
	{"cancel-discharge-emergency-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_CANCEL, LEAVE_NONE},
	{"cancel-discharge-inpatient-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_CANCEL, LEAVE_NONE},
};

static const char *const encounter_statuses[] = {"in-progress", "onleave", "finished",
						 "entered-in-error"};
static const char *const encounter_classes[] = {"IMP", "EMER"};

/* What the checks found, kept until the event can be decided. */
struct facts {
	size_t patient, encounter, provenance; /* entry indexes */
	long leave_ext;			       /* Encounter.extension index, -1 if none */
	const struct activity *activity;
	time_t period_start, period_end, leave_start, leave_end, deceased_at, occurred;
	bool has_period_end, has_leave_start, has_leave_end, has_deceased_at;
	bool has_encounter, has_entity;
	const char *entity_ref; /* Provenance.entity[0].what.reference, or NULL */
};

struct reader {
	json_t *entries;
	size_t count;
	struct fhir_outcome *oo;
};

/* --- OperationOutcome ------------------------------------------------------------- */

void fhir_outcome_clear(struct fhir_outcome *oo)
{
	oo->count = 0;
	oo->dropped = 0;
}

static int outcome_vadd(struct fhir_outcome *oo, enum fhir_severity severity,
			enum fhir_issue_type type, const char *expression, const char *fmt,
			va_list ap) __attribute__((format(printf, 5, 0)));

static int outcome_vadd(struct fhir_outcome *oo, enum fhir_severity severity,
			enum fhir_issue_type type, const char *expression, const char *fmt,
			va_list ap)
{
	struct fhir_issue *issue;

	if (oo->count == FHIR_MAX_ISSUES) {
		oo->dropped++;
		return -1;
	}
	issue = &oo->issues[oo->count++];
	issue->severity = severity;
	issue->type = type;
	snprintf(issue->expression, sizeof issue->expression, "%s",
		 expression != NULL ? expression : "");
	vsnprintf(issue->diagnostics, sizeof issue->diagnostics, fmt, ap);
	return -1;
}

int fhir_outcome_add(struct fhir_outcome *oo, enum fhir_severity severity,
		     enum fhir_issue_type type, const char *expression, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	outcome_vadd(oo, severity, type, expression, fmt, ap);
	va_end(ap);
	return -1;
}

bool fhir_outcome_failed(const struct fhir_outcome *oo)
{
	if (oo->dropped > 0)
		return true; /* only errors are ever dropped in practice: be safe */
	for (size_t i = 0; i < oo->count; i++)
		if (oo->issues[i].severity <= FHIR_SEVERITY_ERROR)
			return true;
	return false;
}

int fhir_outcome_status(const struct fhir_outcome *oo)
{
	for (size_t i = 0; i < oo->count; i++)
		if (oo->issues[i].severity == FHIR_SEVERITY_FATAL)
			return 400;
	return fhir_outcome_failed(oo) ? 422 : 200;
}

const char *fhir_severity_name(enum fhir_severity severity)
{
	switch (severity) {
	case FHIR_SEVERITY_FATAL:
		return "fatal";
	case FHIR_SEVERITY_ERROR:
		return "error";
	case FHIR_SEVERITY_WARNING:
		return "warning";
	case FHIR_SEVERITY_INFORMATION:
		return "information";
	}
	return "error";
}

const char *fhir_issue_type_name(enum fhir_issue_type type)
{
	switch (type) {
	case FHIR_ISSUE_INVALID:
		return "invalid";
	case FHIR_ISSUE_STRUCTURE:
		return "structure";
	case FHIR_ISSUE_REQUIRED:
		return "required";
	case FHIR_ISSUE_VALUE:
		return "value";
	case FHIR_ISSUE_INVARIANT:
		return "invariant";
	case FHIR_ISSUE_CODE_INVALID:
		return "code-invalid";
	case FHIR_ISSUE_NOT_SUPPORTED:
		return "not-supported";
	case FHIR_ISSUE_NOT_FOUND:
		return "not-found";
	case FHIR_ISSUE_DUPLICATE:
		return "duplicate";
	case FHIR_ISSUE_CONFLICT:
		return "conflict";
	case FHIR_ISSUE_PROCESSING:
		return "processing";
	case FHIR_ISSUE_INFORMATIONAL:
		return "informational";
	case FHIR_ISSUE_LOGIN:
		return "login";
	case FHIR_ISSUE_FORBIDDEN:
		return "forbidden";
	case FHIR_ISSUE_TOO_LONG:
		return "too-long";
	case FHIR_ISSUE_TIMEOUT:
		return "timeout";
	case FHIR_ISSUE_TRANSIENT:
		return "transient";
	case FHIR_ISSUE_EXCEPTION:
		return "exception";
	}
	return "invalid";
}

json_t *fhir_outcome_of_status(int status, const char *diagnostics)
{
	struct fhir_outcome oo;
	enum fhir_issue_type type;

	switch (status) {
	case 400:
		type = FHIR_ISSUE_STRUCTURE;
		break;
	case 401:
		type = FHIR_ISSUE_LOGIN;
		break;
	case 403:
		type = FHIR_ISSUE_FORBIDDEN;
		break;
	case 404:
		type = FHIR_ISSUE_NOT_FOUND;
		break;
	case 405:
	case 415:
		type = FHIR_ISSUE_NOT_SUPPORTED;
		break;
	case 408:
		type = FHIR_ISSUE_TIMEOUT;
		break;
	case 413:
		type = FHIR_ISSUE_TOO_LONG;
		break;
	case 503:
		type = FHIR_ISSUE_TRANSIENT;
		break;
	case 500:
		type = FHIR_ISSUE_EXCEPTION;
		break;
	default:
		type = FHIR_ISSUE_PROCESSING;
		break;
	}
	fhir_outcome_clear(&oo);
	fhir_outcome_add(&oo, FHIR_SEVERITY_ERROR, type, NULL, "%s", diagnostics);
	return fhir_outcome_json(&oo);
}

static json_t *issue_json(const char *severity, const char *code, const char *diagnostics,
			  const char *expression)
{
	json_t *issue = json_pack("{s:s, s:s, s:s}", "severity", severity, "code", code,
				  "diagnostics", diagnostics);

	if (expression != NULL && expression[0] != '\0')
		json_object_set_new(issue, "expression", json_pack("[s]", expression));
	return issue;
}

json_t *fhir_outcome_json(const struct fhir_outcome *oo)
{
	json_t *issues = json_array();

	for (size_t i = 0; i < oo->count; i++) {
		const struct fhir_issue *is = &oo->issues[i];
		json_array_append_new(issues, issue_json(fhir_severity_name(is->severity),
							 fhir_issue_type_name(is->type),
							 is->diagnostics, is->expression));
	}
	if (oo->dropped > 0) {
		char text[64];
		snprintf(text, sizeof text, "%zu more issues not listed", oo->dropped);
		json_array_append_new(issues,
				      issue_json("information", "informational", text, NULL));
	}
	/* FHIR requires at least one issue; "All OK" is its own convention. */
	if (json_array_size(issues) == 0)
		json_array_append_new(issues,
				      issue_json("information", "informational", "All OK", NULL));
	return json_pack("{s:s, s:o}", "resourceType", "OperationOutcome", "issue", issues);
}

/* --- small readers ---------------------------------------------------------------- */

static int error(struct reader *r, enum fhir_issue_type type, const char *expr, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static int error(struct reader *r, enum fhir_issue_type type, const char *expr, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	outcome_vadd(r->oo, FHIR_SEVERITY_ERROR, type, expr, fmt, ap);
	va_end(ap);
	return -1;
}

/* "Bundle.entry[i].resource" and, when fmt is not NULL, ".<fmt>". */
static const char *epath(char buf[FHIR_EXPR_LEN], size_t entry, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *epath(char buf[FHIR_EXPR_LEN], size_t entry, const char *fmt, ...)
{
	int n = snprintf(buf, FHIR_EXPR_LEN, "Bundle.entry[%zu].resource", entry);
	va_list ap;

	if (fmt != NULL && n > 0 && n < FHIR_EXPR_LEN - 1) {
		buf[n++] = '.';
		va_start(ap, fmt);
		vsnprintf(buf + n, (size_t)(FHIR_EXPR_LEN - n), fmt, ap);
		va_end(ap);
	}
	return buf;
}

static json_t *resource_at(const struct reader *r, size_t i)
{
	return json_object_get(json_array_get(r->entries, i), "resource");
}

static const char *resource_type_at(const struct reader *r, size_t i)
{
	return json_string_value(json_object_get(resource_at(r, i), "resourceType"));
}

/* The string member key of obj. Missing: NULL, an issue when required.
 * FHIR allows neither another JSON type nor an empty string. */
static const char *get_string(struct reader *r, json_t *obj, const char *key, const char *expr,
			      bool required)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		if (required)
			error(r, FHIR_ISSUE_REQUIRED, expr, "%s is required", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		error(r, FHIR_ISSUE_STRUCTURE, expr, "%s must be a string", key);
		return NULL;
	}
	if (json_string_length(v) == 0) {
		error(r, FHIR_ISSUE_VALUE, expr, "%s must not be empty", key);
		return NULL;
	}
	return json_string_value(v);
}

static json_t *get_object(struct reader *r, json_t *obj, const char *key, const char *expr,
			  bool required)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		if (required)
			error(r, FHIR_ISSUE_REQUIRED, expr, "%s is required", key);
		return NULL;
	}
	if (!json_is_object(v)) {
		error(r, FHIR_ISSUE_STRUCTURE, expr, "%s must be an object", key);
		return NULL;
	}
	return v;
}

/* A FHIR array is never empty: an empty one is as good as missing. */
static json_t *get_array(struct reader *r, json_t *obj, const char *key, const char *expr,
			 bool required)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || (json_is_array(v) && json_array_size(v) == 0)) {
		if (required)
			error(r, FHIR_ISSUE_REQUIRED, expr, "%s is required", key);
		return NULL;
	}
	if (!json_is_array(v)) {
		error(r, FHIR_ISSUE_STRUCTURE, expr, "%s must be an array", key);
		return NULL;
	}
	return v;
}

/* A FHIR dateTime to the second with a zone, as MedCom requires of every
 * timestamp it acts on. Returns 1 when read, 0 when absent and optional,
 * -1 after an issue. */
static int get_instant(struct reader *r, json_t *obj, const char *key, const char *expr,
		       bool required, time_t *out)
{
	const char *text = get_string(r, obj, key, expr, required);

	if (text == NULL)
		return json_object_get(obj, key) == NULL && !required ? 0 : -1;
	if (clock_parse_rfc3339(text, out) != 0)
		return error(r, FHIR_ISSUE_VALUE, expr,
			     "%s must be a date and time to the second with a time zone "
			     "(YYYY-MM-DDThh:mm:ss+zz:zz)",
			     key);
	return 1;
}

/* A FHIR dateTime of lesser precision: YYYY, YYYY-MM or YYYY-MM-DD. */
static bool partial_date(const char *text)
{
	int y = 0, m = 1, d = 1;
	size_t len = strlen(text);
	cal_day day;

	for (size_t i = 0; i < len; i++)
		if (!(isdigit((unsigned char)text[i]) || ((i == 4 || i == 7) && text[i] == '-')))
			return false;
	if (len == 4 || len == 7 || len == 10) {
		y = atoi(text);
		if (len >= 7)
			m = atoi(text + 5);
		if (len == 10)
			d = atoi(text + 8);
		return cal_day_from_ymd(y, m, d, &day) == 0;
	}
	return false;
}

/* A FHIR id: 1 to 64 of A-Z a-z 0-9 '-' '.'. */
static bool valid_id(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len >= FHIR_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)text[i]) && text[i] != '-' && text[i] != '.')
			return false;
	return true;
}

static int get_id(struct reader *r, json_t *obj, const char *expr, char out[FHIR_ID_LEN])
{
	const char *id = get_string(r, obj, "id", expr, true);

	if (id == NULL)
		return -1;
	if (!valid_id(id))
		return error(r, FHIR_ISSUE_VALUE, expr,
			     "id must be 1 to 64 letters, digits, '-' or '.'");
	snprintf(out, FHIR_ID_LEN, "%s", id);
	return 0;
}

/* Whether text is a short token worth repeating in a diagnostic: codes and
 * resource names, never free text that might hold personal data. */
static bool echoable(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalpha((unsigned char)text[i]) && text[i] != '-')
			return false;
	return true;
}

/* Split "…/Type/id" (an absolute or relative literal reference; a
 * version "/_history/n" is ignored) into its type and id. */
static int split_reference(const char *ref, char type[48], char id[FHIR_ID_LEN])
{
	char buf[512];
	char *slash, *hist;

	if (strlen(ref) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", ref);
	if ((hist = strstr(buf, "/_history/")) != NULL)
		*hist = '\0';
	if ((slash = strrchr(buf, '/')) == NULL || !valid_id(slash + 1))
		return -1;
	snprintf(id, FHIR_ID_LEN, "%s", slash + 1);
	*slash = '\0';
	slash = strrchr(buf, '/');
	slash = slash != NULL ? slash + 1 : buf;
	if (!echoable(slash) || strlen(slash) >= 48)
		return -1;
	snprintf(type, 48, "%s", slash);
	return 0;
}

/* The entry a reference names: by fullUrl first (how FHIR resolves
 * references in a Bundle), else by resource type and id (MedCom's
 * references are relative, "Encounter/<id>", while its fullUrls are
 * absolute). -1 when nothing of that type matches. */
static long resolve(const struct reader *r, const char *ref, const char *want_type)
{
	char type[48], id[FHIR_ID_LEN];

	for (size_t i = 0; i < r->count; i++) {
		const char *full = json_string_value(
			json_object_get(json_array_get(r->entries, i), "fullUrl"));
		if (full != NULL && strcmp(full, ref) == 0)
			return strcmp(resource_type_at(r, i), want_type) == 0 ? (long)i : -1;
	}
	if (split_reference(ref, type, id) != 0 || strcmp(type, want_type) != 0)
		return -1;
	for (size_t i = 0; i < r->count; i++) {
		const char *rid = json_string_value(json_object_get(resource_at(r, i), "id"));
		if (strcmp(resource_type_at(r, i), want_type) == 0 && rid != NULL &&
		    strcmp(rid, id) == 0)
			return (long)i;
	}
	return -1;
}

/* --- the parts -------------------------------------------------------------------- */

/* Bundle.id, type, timestamp and that every entry holds a resource. -1
 * when the entries cannot be read any further. */
static int read_bundle(struct reader *r, json_t *bundle, struct fhir_notification *out)
{
	const char *type;
	time_t stamp;
	char expr[FHIR_EXPR_LEN];
	int bad = 0;

	get_id(r, bundle, "Bundle.id", out->bundle_id);
	type = get_string(r, bundle, "type", "Bundle.type", true);
	if (type == NULL)
		return -1;
	if (strcmp(type, "message") != 0)
		return error(r, FHIR_ISSUE_NOT_SUPPORTED, "Bundle.type",
			     "only a message Bundle (type 'message') is accepted here, not '%s'",
			     echoable(type) ? type : "?");
	get_instant(r, bundle, "timestamp", "Bundle.timestamp", true, &stamp);
	r->entries = get_array(r, bundle, "entry", "Bundle.entry", true);
	if (r->entries == NULL)
		return -1;
	r->count = json_array_size(r->entries);
	for (size_t i = 0; i < r->count; i++) {
		json_t *entry = json_array_get(r->entries, i), *res;
		snprintf(expr, sizeof expr, "Bundle.entry[%zu]", i);
		if (!json_is_object(entry)) {
			bad = error(r, FHIR_ISSUE_STRUCTURE, expr, "an entry must be an object");
			continue;
		}
		res = get_object(r, entry, "resource", epath(expr, i, NULL), true);
		if (res != NULL && get_string(r, res, "resourceType",
					      epath(expr, i, "resourceType"), true) == NULL)
			res = NULL;
		if (res == NULL)
			bad = -1;
	}
	return bad;
}

/* MessageHeader: first, of the HospitalNotification event, focused on an
 * Encounter in the Bundle. -1 when the message is not a HospitalNotification
 * (or cannot be told to be one). */
static int read_header(struct reader *r, struct fhir_notification *out, struct facts *f)
{
	json_t *header = resource_at(r, 0), *coding, *focus;
	const char *system, *code, *ref;
	char expr[FHIR_EXPR_LEN];
	long enc;

	if (strcmp(resource_type_at(r, 0), "MessageHeader") != 0)
		return error(r, FHIR_ISSUE_INVARIANT, "Bundle.entry[0].resource",
			     "the first entry of a message Bundle must be its MessageHeader "
			     "(bdl-12)");
	coding = get_object(r, header, "eventCoding", epath(expr, 0, "eventCoding"), true);
	if (coding == NULL)
		return -1;
	system = get_string(r, coding, "system", epath(expr, 0, "eventCoding.system"), true);
	code = get_string(r, coding, "code", epath(expr, 0, "eventCoding.code"), true);
	if (system == NULL || code == NULL)
		return -1;
	/* Another kind of MedCom message is not ours to judge any further. */
	if (strcmp(system, FHIR_EVENT_SYSTEM) != 0)
		return error(r, FHIR_ISSUE_NOT_SUPPORTED, epath(expr, 0, "eventCoding.system"),
			     "not a MedCom message event: the system must be " FHIR_EVENT_SYSTEM);
	if (strcmp(code, FHIR_EVENT_CODE) != 0)
		return error(r, FHIR_ISSUE_NOT_SUPPORTED, epath(expr, 0, "eventCoding.code"),
			     "only HospitalNotification (" FHIR_EVENT_CODE
			     ") is accepted here, not '%s'",
			     echoable(code) ? code : "?");
	get_id(r, header, epath(expr, 0, "id"), out->header_id);
	focus = get_array(r, header, "focus", epath(expr, 0, "focus"), true);
	if (focus == NULL)
		return 0;
	if (!json_is_object(json_array_get(focus, 0))) {
		error(r, FHIR_ISSUE_STRUCTURE, epath(expr, 0, "focus[0]"),
		      "focus must hold a Reference");
		return 0;
	}
	ref = get_string(r, json_array_get(focus, 0), "reference",
			 epath(expr, 0, "focus[0].reference"), true);
	if (ref == NULL)
		return 0;
	enc = resolve(r, ref, "Encounter");
	if (enc < 0) {
		error(r, FHIR_ISSUE_NOT_FOUND, expr,
		      "the MessageHeader's focus must name the Encounter in the Bundle");
		return 0;
	}
	f->encounter = (size_t)enc;
	f->has_encounter = true;
	return 0;
}

/* Exactly one Patient, with a CPR number; deceased[x]. */
static int read_patient(struct reader *r, time_t now, struct fhir_notification *out,
			struct facts *f)
{
	json_t *patient = NULL, *ids, *boolean, *datetime;
	const char *cpr = NULL;
	char expr[FHIR_EXPR_LEN];
	size_t n = 0, found = 0;
	cal_day birth;
	enum cpr_result cr = CPR_OK;

	for (size_t i = 0; i < r->count; i++) {
		if (strcmp(resource_type_at(r, i), "Patient") != 0)
			continue;
		if (n++ == 0) {
			f->patient = i;
			patient = resource_at(r, i);
		} else {
			return error(r, FHIR_ISSUE_INVARIANT, epath(expr, i, NULL),
				     "a HospitalNotification holds exactly one Patient "
				     "(medcom-hospitalNotification-2)");
		}
	}
	if (patient == NULL)
		return error(r, FHIR_ISSUE_REQUIRED, "Bundle.entry",
			     "a HospitalNotification holds exactly one Patient "
			     "(medcom-hospitalNotification-2)");

	ids = get_array(r, patient, "identifier", epath(expr, f->patient, "identifier"), true);
	for (size_t k = 0; ids != NULL && k < json_array_size(ids); k++) {
		json_t *id = json_array_get(ids, k);
		const char *system = json_string_value(json_object_get(id, "system"));
		if (system != NULL && strcmp(system, FHIR_CPR_SYSTEM) == 0) {
			found = k + 1;
			cpr = get_string(r, id, "value",
					 epath(expr, f->patient, "identifier[%zu].value", k), true);
			break;
		}
	}
	if (ids != NULL && found == 0)
		return error(r, FHIR_ISSUE_VALUE,
			     json_array_size(ids) == 1
				     ? epath(expr, f->patient, "identifier[0].system")
				     : epath(expr, f->patient, "identifier"),
			     "the Patient must be identified by a CPR number: an identifier "
			     "with system " FHIR_CPR_SYSTEM " (medcom-hospitalNotification-4)");
	if (cpr != NULL) {
		cr = cpr_parse(cpr, cal_day_of_instant(now), out->cpr, &birth);
		if (cr != CPR_OK)
			error(r, FHIR_ISSUE_VALUE,
			      epath(expr, f->patient, "identifier[%zu].value", found - 1),
			      "the CPR number %s", cpr_result_message(cr));
	}

	boolean = json_object_get(patient, "deceasedBoolean");
	datetime = json_object_get(patient, "deceasedDateTime");
	epath(expr, f->patient, "deceased");
	if (boolean != NULL && datetime != NULL)
		return error(r, FHIR_ISSUE_STRUCTURE, expr,
			     "deceased[x] is one element: deceasedBoolean or deceasedDateTime, "
			     "not both");
	if (boolean != NULL) {
		if (!json_is_boolean(boolean))
			return error(r, FHIR_ISSUE_STRUCTURE, expr,
				     "deceasedBoolean must be true or false");
		out->deceased = json_is_true(boolean);
	} else if (datetime != NULL) {
		const char *text = json_string_value(datetime);
		if (text == NULL)
			return error(r, FHIR_ISSUE_STRUCTURE, expr,
				     "deceasedDateTime must be a string");
		/* A date of death, even a partial one, says the citizen died. */
		out->deceased = true;
		if (clock_parse_rfc3339(text, &f->deceased_at) == 0)
			f->has_deceased_at = true;
		else if (!partial_date(text))
			return error(r, FHIR_ISSUE_VALUE, expr,
				     "deceasedDateTime must be a FHIR dateTime (YYYY, YYYY-MM, "
				     "YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)");
	}
	return cpr != NULL && cr == CPR_OK ? 0 : -1;
}

static bool one_of(const char *text, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(text, set[i]) == 0)
			return true;
	return false;
}

/* The period's start before its end (FHIR per-1). */
static int check_order(struct reader *r, const char *expr, time_t start, time_t end)
{
	if (end < start)
		return error(r, FHIR_ISSUE_INVARIANT, expr, "the end is before the start (per-1)");
	return 0;
}

/* The leave period extension, when the Encounter has one. */
static int read_leave(struct reader *r, json_t *enc, struct facts *f)
{
	char expr[FHIR_EXPR_LEN];
	json_t *exts =
		get_array(r, enc, "extension", epath(expr, f->encounter, "extension"), false);
	json_t *period;
	int rc, bad = 0;

	f->leave_ext = -1;
	if (exts == NULL)
		return json_object_get(enc, "extension") != NULL ? -1 : 0;
	for (size_t k = 0; k < json_array_size(exts); k++) {
		const char *url =
			json_string_value(json_object_get(json_array_get(exts, k), "url"));
		if (url != NULL && strcmp(url, LEAVE_PERIOD_URL) == 0) {
			f->leave_ext = (long)k;
			break;
		}
	}
	if (f->leave_ext < 0)
		return 0;
	period = get_object(r, json_array_get(exts, (size_t)f->leave_ext), "valuePeriod",
			    epath(expr, f->encounter, "extension[%ld].value", f->leave_ext), true);
	if (period == NULL)
		return -1;
	rc = get_instant(r, period, "start",
			 epath(expr, f->encounter, "extension[%ld].value.start", f->leave_ext),
			 false, &f->leave_start);
	f->has_leave_start = rc == 1;
	bad |= rc < 0;
	rc = get_instant(r, period, "end",
			 epath(expr, f->encounter, "extension[%ld].value.end", f->leave_ext), false,
			 &f->leave_end);
	f->has_leave_end = rc == 1;
	bad |= rc < 0;
	if (!bad && f->has_leave_start && f->has_leave_end &&
	    check_order(r, epath(expr, f->encounter, "extension[%ld].value", f->leave_ext),
			f->leave_start, f->leave_end) != 0)
		bad = 1;
	return bad ? -1 : 0;
}

/* The Encounter: status, class and period. */
static int read_encounter(struct reader *r, struct fhir_notification *out, struct facts *f)
{
	json_t *enc = resource_at(r, f->encounter), *class, *period;
	const char *status, *system, *code;
	char expr[FHIR_EXPR_LEN];
	int rc, bad = 0;

	status = get_string(r, enc, "status", epath(expr, f->encounter, "status"), true);
	if (status != NULL && !one_of(status, encounter_statuses, 4))
		bad = error(r, FHIR_ISSUE_CODE_INVALID, expr,
			    "status must be in-progress, onleave, finished or entered-in-error "
			    "(medcom-hospitalNotification-encounterStatus)");
	else if (status != NULL)
		snprintf(out->encounter_status, sizeof out->encounter_status, "%s", status);
	else
		bad = -1;

	class = get_object(r, enc, "class", epath(expr, f->encounter, "class"), true);
	if (class == NULL) {
		bad = -1;
	} else {
		system = get_string(r, class, "system", epath(expr, f->encounter, "class.system"),
				    false);
		code = get_string(r, class, "code", epath(expr, f->encounter, "class.code"), true);
		if (system != NULL && strcmp(system, ACTCODE_SYSTEM) != 0)
			bad = error(r, FHIR_ISSUE_CODE_INVALID,
				    epath(expr, f->encounter, "class.system"),
				    "class must be coded in " ACTCODE_SYSTEM);
		else if (code != NULL && !one_of(code, encounter_classes, 2))
			bad = error(r, FHIR_ISSUE_CODE_INVALID,
				    epath(expr, f->encounter, "class.code"),
				    "class must be IMP or EMER "
				    "(medcom-hospitalNotification-encounterClass)");
		else if (code != NULL)
			snprintf(out->encounter_class, sizeof out->encounter_class, "%s", code);
		else
			bad = -1;
	}

	period = get_object(r, enc, "period", epath(expr, f->encounter, "period"), true);
	if (period == NULL) {
		bad = -1;
	} else {
		if (get_instant(r, period, "start", epath(expr, f->encounter, "period.start"), true,
				&f->period_start) < 0)
			bad = -1;
		rc = get_instant(r, period, "end", epath(expr, f->encounter, "period.end"), false,
				 &f->period_end);
		f->has_period_end = rc == 1;
		if (rc < 0)
			bad = -1;
		else if (bad == 0 && f->has_period_end &&
			 check_order(r, epath(expr, f->encounter, "period"), f->period_start,
				     f->period_end) != 0)
			bad = -1;
	}
	if (read_leave(r, enc, f) != 0)
		bad = -1;
	return bad;
}

/* Whether Provenance entry i targets this message's MessageHeader. */
static bool targets_header(const struct reader *r, size_t i)
{
	json_t *target = json_object_get(resource_at(r, i), "target");
	const char *ref =
		json_string_value(json_object_get(json_array_get(target, 0), "reference"));

	return ref != NULL && resolve(r, ref, "MessageHeader") == 0;
}

/* The Provenance of this message: the one whose target is its
 * MessageHeader. The others are the history of earlier messages. */
static int find_provenance(struct reader *r, struct facts *f)
{
	char expr[FHIR_EXPR_LEN];
	size_t provenances = 0, last = 0, found = 0;

	for (size_t i = 0; i < r->count; i++) {
		if (strcmp(resource_type_at(r, i), "Provenance") != 0)
			continue;
		provenances++;
		last = i;
		if (!targets_header(r, i))
			continue;
		if (found++ > 0)
			return error(r, FHIR_ISSUE_INVARIANT, epath(expr, i, "target[0].reference"),
				     "only one Provenance may describe this message: another one "
				     "already targets its MessageHeader");
		f->provenance = i;
	}
	if (found == 1)
		return 0;
	if (provenances == 0)
		return error(r, FHIR_ISSUE_REQUIRED, "Bundle.entry",
			     "a MedCom message holds a Provenance (medcom-messaging-2)");
	if (provenances > 1)
		return error(r, FHIR_ISSUE_REQUIRED, "Bundle.entry",
			     "no Provenance targets this message's MessageHeader");
	/* One Provenance that misses: say precisely what is wrong with it. */
	json_t *target =
		get_array(r, resource_at(r, last), "target", epath(expr, last, "target"), true);
	if (target == NULL)
		return -1;
	if (get_string(r, json_array_get(target, 0), "reference",
		       epath(expr, last, "target[0].reference"), true) == NULL)
		return -1;
	return error(r, FHIR_ISSUE_NOT_FOUND, expr,
		     "the Provenance's target must be this message's MessageHeader");
}

/* The current Provenance: activity, times and the message it follows. */
static int read_provenance(struct reader *r, struct fhir_notification *out, struct facts *f)
{
	json_t *prov, *activity, *codings, *coding, *entities;
	const char *system, *code, *role;
	char expr[FHIR_EXPR_LEN];
	int bad = 0;

	if (find_provenance(r, f) != 0)
		return -1;
	prov = resource_at(r, f->provenance);

	activity = get_object(r, prov, "activity", epath(expr, f->provenance, "activity"), true);
	codings = activity == NULL ? NULL
				   : get_array(r, activity, "coding",
					       epath(expr, f->provenance, "activity.coding"), true);
	coding = json_array_get(codings, 0);
	if (codings != NULL && !json_is_object(coding)) {
		bad = error(r, FHIR_ISSUE_STRUCTURE,
			    epath(expr, f->provenance, "activity.coding[0]"),
			    "a coding must be an object");
	} else if (coding != NULL) {
		system = get_string(r, coding, "system",
				    epath(expr, f->provenance, "activity.coding[0].system"), true);
		code = get_string(r, coding, "code",
				  epath(expr, f->provenance, "activity.coding[0].code"), true);
		if (system != NULL && strcmp(system, FHIR_ACTIVITY_SYSTEM) != 0)
			bad = error(r, FHIR_ISSUE_CODE_INVALID,
				    epath(expr, f->provenance, "activity.coding[0].system"),
				    "the activity must be coded in " FHIR_ACTIVITY_SYSTEM);
		else if (system != NULL && code != NULL) {
			for (size_t i = 0; i < sizeof activities / sizeof activities[0]; i++)
				if (strcmp(activities[i].code, code) == 0)
					f->activity = &activities[i];
			if (f->activity == NULL)
				bad = error(r, FHIR_ISSUE_CODE_INVALID, expr,
					    "'%s' is not a HospitalNotification activity code "
					    "(medcom-hospitalNotification-messageActivities)",
					    echoable(code) ? code : "?");
			else
				snprintf(out->activity, sizeof out->activity, "%s", code);
		}
	}
	if (f->activity == NULL)
		bad = -1;

	if (get_instant(r, prov, "occurredDateTime", epath(expr, f->provenance, "occurred"), true,
			&f->occurred) < 0)
		bad = -1;
	if (get_instant(r, prov, "recorded", epath(expr, f->provenance, "recorded"), true,
			&out->sent_at) < 0)
		bad = -1;

	entities = get_array(r, prov, "entity", epath(expr, f->provenance, "entity"), false);
	if (entities == NULL)
		return json_object_get(prov, "entity") != NULL ? -1 : bad;
	f->has_entity = true;
	if (!json_is_object(json_array_get(entities, 0)))
		return error(r, FHIR_ISSUE_STRUCTURE, epath(expr, f->provenance, "entity[0]"),
			     "an entity must be an object");
	role = get_string(r, json_array_get(entities, 0), "role",
			  epath(expr, f->provenance, "entity[0].role"), false);
	if (role != NULL)
		snprintf(out->ref_role, sizeof out->ref_role, "%s", echoable(role) ? role : "?");
	json_t *what = get_object(r, json_array_get(entities, 0), "what",
				  epath(expr, f->provenance, "entity[0].what"), false);
	if (what != NULL)
		f->entity_ref =
			get_string(r, what, "reference",
				   epath(expr, f->provenance, "entity[0].what.reference"), false);
	return bad;
}

/* The id of a reference to a MessageHeader; -1 when it is not one. */
static int header_reference(const char *ref, char id[FHIR_ID_LEN])
{
	char type[48];

	return split_reference(ref, type, id) == 0 && strcmp(type, "MessageHeader") == 0 ? 0 : -1;
}

static void take_at(struct fhir_notification *out, time_t at, const char *expr)
{
	out->at = at;
	snprintf(out->at_element, sizeof out->at_element, "%s", expr);
}

/* Event, action and instant from what the checks found. */
static int decide(struct reader *r, struct fhir_notification *out, const struct facts *f)
{
	char expr[FHIR_EXPR_LEN];

	out->event = f->activity->event;
	out->action = f->activity->action;
	/* MedCom cancels a death notice with the stay's own activity code and
	 * the entity role "removal" (TouchStone case AN_MORS). */
	if (out->action == FHIR_ACTION_NEW && strcmp(out->ref_role, "removal") == 0)
		out->action = FHIR_ACTION_CANCEL;
	if (out->deceased)
		out->event = FHIR_EVENT_DECEASED;

	if (f->entity_ref != NULL && header_reference(f->entity_ref, out->ref_header_id) != 0)
		out->ref_header_id[0] = '\0';
	if (out->action != FHIR_ACTION_NEW) {
		const char *what = out->action == FHIR_ACTION_REVISE ? "revision" : "cancellation";
		if (!f->has_entity)
			return error(r, FHIR_ISSUE_REQUIRED, epath(expr, f->provenance, "entity"),
				     "a %s names the message it changes in Provenance.entity",
				     what);
		if (out->ref_header_id[0] == '\0')
			return error(r, FHIR_ISSUE_VALUE,
				     epath(expr, f->provenance, "entity[0].what.reference"),
				     "a %s names the message it changes as MessageHeader/<id>",
				     what);
	}
	if (out->ref_header_id[0] != '\0' && strcmp(out->ref_header_id, out->header_id) == 0)
		return error(r, FHIR_ISSUE_INVARIANT,
			     epath(expr, f->provenance, "entity[0].what.reference"),
			     "a message cannot refer to itself");

	if (out->event == FHIR_EVENT_DECEASED) {
		if (f->has_deceased_at)
			take_at(out, f->deceased_at, epath(expr, f->patient, "deceased"));
		else if (f->has_period_end)
			take_at(out, f->period_end, epath(expr, f->encounter, "period.end"));
		else
			take_at(out, f->occurred, epath(expr, f->provenance, "occurred"));
	} else if (out->action == FHIR_ACTION_CANCEL) {
		take_at(out, f->occurred, epath(expr, f->provenance, "occurred"));
	} else if (out->event == FHIR_EVENT_ADMITTED) {
		take_at(out, f->period_start, epath(expr, f->encounter, "period.start"));
	} else if (out->event == FHIR_EVENT_DISCHARGED) {
		epath(expr, f->encounter, "period.end");
		if (!f->has_period_end)
			return error(r, FHIR_ISSUE_REQUIRED, expr,
				     "a discharge gives the time the stay ended in period.end");
		take_at(out, f->period_end, expr);
	} else if (f->activity->leave == LEAVE_START && f->has_leave_start) {
		take_at(out, f->leave_start,
			epath(expr, f->encounter, "extension[%ld].value.start", f->leave_ext));
	} else if (f->activity->leave == LEAVE_END && f->has_leave_end) {
		take_at(out, f->leave_end,
			epath(expr, f->encounter, "extension[%ld].value.end", f->leave_ext));
	} else {
		take_at(out, f->occurred, epath(expr, f->provenance, "occurred"));
	}
	return 0;
}

/* Each reader records every fault it finds in the outcome and reads on
 * where the rest still makes sense, so a sender learns of all its faults at
 * once; only a message that is not a HospitalNotification at all stops at
 * the first. */
static int read_message(struct reader *r, json_t *bundle, time_t now, struct fhir_notification *out)
{
	struct facts f = {.leave_ext = -1};
	const char *type = json_string_value(json_object_get(bundle, "resourceType"));

	if (type == NULL)
		return fhir_outcome_add(r->oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_REQUIRED,
					"Bundle.resourceType",
					"resourceType is required: this endpoint takes a Bundle");
	if (strcmp(type, "Bundle") != 0)
		return fhir_outcome_add(r->oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_NOT_SUPPORTED,
					"Bundle.resourceType",
					"this endpoint takes a Bundle, not a %s",
					echoable(type) ? type : "resource of another type");
	if (read_bundle(r, bundle, out) != 0 || read_header(r, out, &f) != 0)
		return -1;
	read_patient(r, now, out, &f);
	if (f.has_encounter)
		read_encounter(r, out, &f);
	read_provenance(r, out, &f);
	if (fhir_outcome_failed(r->oo))
		return -1;
	return decide(r, out, &f);
}

int fhir_notification_parse(const char *body, size_t len, time_t now, struct fhir_notification *out,
			    struct fhir_outcome *oo)
{
	struct reader r = {.oo = oo};
	json_error_t jerr;
	json_t *bundle;
	char *near;
	int rc;

	memset(out, 0, sizeof *out);
	fhir_outcome_clear(oo);
	bundle = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (bundle == NULL) {
		/* jansson quotes the text near the fault: it may be a CPR number. */
		if ((near = strstr(jerr.text, " near ")) != NULL)
			*near = '\0';
		return fhir_outcome_add(oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_STRUCTURE, NULL,
					"not valid JSON: %s (line %d, column %d)", jerr.text,
					jerr.line, jerr.column);
	}
	if (!json_is_object(bundle))
		rc = fhir_outcome_add(oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_STRUCTURE, NULL,
				      "the body must be a FHIR resource: a JSON object");
	else
		rc = read_message(&r, bundle, now, out);
	json_decref(bundle);
	if (rc == 0 && !fhir_outcome_failed(oo))
		return 0;
	if (!fhir_outcome_failed(oo)) /* never refuse in silence */
		fhir_outcome_add(oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_PROCESSING, NULL,
				 "the message could not be read");
	/* Half a parse is no answer, and a CPR number read from a refused
	 * message has no business outliving it. */
	memset(out, 0, sizeof *out);
	return -1;
}

/* --- fingerprint and names -------------------------------------------------------- */

static void fingerprint_text(EVP_MD_CTX *ctx, const char *text)
{
	size_t len = strlen(text);
	unsigned char n[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
			      (unsigned char)(len >> 8), (unsigned char)len};

	/* The length first, so "ab"+"c" and "a"+"bc" differ. */
	EVP_DigestUpdate(ctx, n, sizeof n);
	EVP_DigestUpdate(ctx, text, len);
}

/* Big-endian, so the fingerprint is the same on every machine. */
static void fingerprint_number(EVP_MD_CTX *ctx, int64_t value)
{
	unsigned char bytes[8];

	for (int i = 0; i < 8; i++)
		bytes[i] = (unsigned char)((uint64_t)value >> (56 - 8 * i));
	EVP_DigestUpdate(ctx, bytes, sizeof bytes);
}

void fhir_notification_fingerprint(const struct fhir_notification *n,
				   char hex[FHIR_FINGERPRINT_LEN])
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char hash[SHA256_LEN];

	if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1)
		abort(); /* out of memory: as xmalloc does */
	fingerprint_text(ctx, n->header_id);
	fingerprint_text(ctx, n->ref_header_id);
	fingerprint_text(ctx, n->ref_role);
	fingerprint_text(ctx, n->cpr);
	fingerprint_text(ctx, n->activity);
	fingerprint_text(ctx, n->encounter_status);
	fingerprint_text(ctx, n->encounter_class);
	fingerprint_number(ctx, n->event);
	fingerprint_number(ctx, n->action);
	fingerprint_number(ctx, n->deceased);
	fingerprint_number(ctx, (int64_t)n->at);
	fingerprint_number(ctx, (int64_t)n->sent_at);
	EVP_DigestFinal_ex(ctx, hash, NULL);
	EVP_MD_CTX_free(ctx);
	for (size_t i = 0; i < sizeof hash; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0xf];
	}
	hex[2 * sizeof hash] = '\0';
}

const char *fhir_event_name(enum fhir_event event)
{
	switch (event) {
	case FHIR_EVENT_ADMITTED:
		return "admitted";
	case FHIR_EVENT_DISCHARGED:
		return "discharged";
	case FHIR_EVENT_DECEASED:
		return "deceased";
	case FHIR_EVENT_LEAVE:
		return "leave";
	}
	return "?";
}

const char *fhir_action_name(enum fhir_action action)
{
	switch (action) {
	case FHIR_ACTION_NEW:
		return "new";
	case FHIR_ACTION_REVISE:
		return "revise";
	case FHIR_ACTION_CANCEL:
		return "cancel";
	}
	return "?";
}
