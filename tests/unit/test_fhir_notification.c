/*
 * test_fhir_notification.c - MedCom HospitalNotification bundles read into
 * life events: every fixture under tests/fixtures/medcom maps to its event,
 * and malformed messages are refused with an OperationOutcome whose
 * expression names the element at fault. The CPR numbers are synthetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "fhir-notification.h"
#include "xmalloc.h"

#define CPR "0101901234"

static time_t now(void)
{
	time_t t;

	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &t), 0);
	return t;
}

static char *fixture_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path;

	xasprintf(&path, "%s/tests/fixtures/medcom/%s.json", top != NULL ? top : ".", name);
	return path;
}

static json_t *fixture(const char *name)
{
	char *path = fixture_path(name);
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);

	if (doc == NULL)
		fail_msg("%s: %s", path, jerr.text);
	free(path);
	return doc;
}

static json_t *res(json_t *doc, size_t entry)
{
	json_t *r = json_object_get(json_array_get(json_object_get(doc, "entry"), entry), "resource");

	assert_non_null(r);
	return r;
}

static int parse_text(const char *text, struct fhir_notification *n, struct fhir_outcome *oo)
{
	return fhir_notification_parse(text, strlen(text), now(), n, oo);
}

/* Parse doc (which this takes) as the bytes a sender would post. */
static int parse_doc(json_t *doc, struct fhir_notification *n, struct fhir_outcome *oo)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int rc = parse_text(text, n, oo);

	free(text);
	json_decref(doc);
	return rc;
}

static void dump_outcome(const struct fhir_outcome *oo)
{
	for (size_t i = 0; i < oo->count; i++)
		print_message("  %s %s %s: %s\n", fhir_severity_name(oo->issues[i].severity),
			      fhir_issue_type_name(oo->issues[i].type), oo->issues[i].expression,
			      oo->issues[i].diagnostics);
}

/* The outcome holds an issue of that severity, type and expression. */
static void expect_issue(const struct fhir_outcome *oo, enum fhir_severity severity,
			 enum fhir_issue_type type, const char *expression)
{
	for (size_t i = 0; i < oo->count; i++)
		if (oo->issues[i].severity == severity && oo->issues[i].type == type &&
		    strcmp(oo->issues[i].expression, expression) == 0)
			return;
	dump_outcome(oo);
	fail_msg("no %s %s issue at '%s'", fhir_severity_name(severity),
		 fhir_issue_type_name(type), expression);
}

/* A rejected message: -1, an outcome that fails with the given status and
 * names the element. */
static void expect_refused(json_t *doc, enum fhir_issue_type type, const char *expression,
			   int status)
{
	struct fhir_notification n;
	struct fhir_outcome oo;

	assert_int_equal(parse_doc(doc, &n, &oo), -1);
	assert_true(fhir_outcome_failed(&oo));
	expect_issue(&oo, status == 400 ? FHIR_SEVERITY_FATAL : FHIR_SEVERITY_ERROR, type,
		     expression);
	assert_int_equal(fhir_outcome_status(&oo), status);
}

/* --- every fixture ---------------------------------------------------------------- */

struct expected {
	const char *fixture;
	const char *bundle_id;
	const char *header_id;
	const char *activity;
	enum fhir_event event;
	enum fhir_action action;
	bool deceased;
	const char *at;
	const char *at_element;
	const char *ref; /* the MessageHeader id it follows, "" when none */
	const char *status;
	const char *class;
};

#define MH_STIN "b9b4818e-02de-4cc4-b418-d20cbc7b5404"
#define MH_STAA "i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029"
#define MH_STOR "e563a2b2-bf92-4b13-bbd2-0a021a95bded"
#define MH_SLOR "f47254da-f170-46f0-b624-4778a9c92b1f"
#define MH_SLHJ_IMP "g1affa53-c157-4080-abb0-8e681524f969"
#define MH_SLHJ_EMER "m9bea09c-e662-4d59-b84f-9af570b57f42"
#define MH_MORS_IMP "hefc6d95-6161-4493-99c9-f359488dedb8"
#define START "Bundle.entry[2].resource.period.start"
#define END "Bundle.entry[2].resource.period.end"
#define LEAVE_START "Bundle.entry[2].resource.extension[0].value.start"
#define LEAVE_END "Bundle.entry[2].resource.extension[0].value.end"

static const struct expected fixtures[] = {
	{"admit-inpatient", "a5e5b880-c087-4055-b9ec-99108695f81d", MH_STIN, "admit-inpatient",
	 FHIR_EVENT_ADMITTED, FHIR_ACTION_NEW, false, "2022-12-07T12:00:00+02:00", START, "",
	 "in-progress", "IMP"},
	{"admit-emergency", "h1c8e4a8-6b45-4669-94ad-2a99ad96bf03", MH_STAA, "admit-emergency",
	 FHIR_EVENT_ADMITTED, FHIR_ACTION_NEW, false, "2022-12-01T10:00:04+02:00", START, "",
	 "in-progress", "EMER"},
	{"revise-admit-inpatient", "bfab3e80-9584-11ec-b909-0242ac120002",
	 "cc47c1e2-78e6-4291-b071-f423a4f7fbfe", "revise-admit-inpatient", FHIR_EVENT_ADMITTED,
	 FHIR_ACTION_REVISE, false, "2022-12-07T13:00:00+02:00", START, MH_STIN, "in-progress",
	 "IMP"},
	{"revise-admit-emergency", "ba2814a8-8485-4c7b-a1ac-bfe4d0f271aa",
	 "3443536e-5cce-4f3b-8b62-02c1745b495e", "revise-admit-emergency", FHIR_EVENT_ADMITTED,
	 FHIR_ACTION_REVISE, false, "2022-12-01T09:30:04+02:00", START, MH_STAA, "in-progress",
	 "EMER"},
	{"cancel-admit-inpatient", "c83671a4-9584-11ec-b909-0242ac120002",
	 "d8749b54-1aeb-4089-8941-8d876bdffc51", "cancel-admit-inpatient", FHIR_EVENT_ADMITTED,
	 FHIR_ACTION_CANCEL, false, "2022-12-07T15:00:02+02:00",
	 "Bundle.entry[5].resource.occurred", MH_STIN, "entered-in-error", "IMP"},
	{"cancel-admit-emergency", "8d2e4afc-0eeb-4eb2-beab-70e361e6ef7c",
	 "05b17955-1f7b-447b-815b-38313628b13a", "cancel-admit-emergency", FHIR_EVENT_ADMITTED,
	 FHIR_ACTION_CANCEL, false, "2022-12-01T11:30:02+02:00",
	 "Bundle.entry[6].resource.occurred", MH_STAA, "entered-in-error", "EMER"},
	{"start-leave-inpatient", "d3128d9b-cede-4c7f-8904-809eab322d7d", MH_STOR,
	 "start-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_NEW, false,
	 "2022-12-13T14:00:10+02:00", LEAVE_START, MH_STIN, "onleave", "IMP"},
	{"revise-start-leave-inpatient", "7e100957-e278-4f25-9f7b-1d34906b741a",
	 "5459eebc-9ce5-4ae7-9322-2d449f16c2b0", "revise-start-leave-inpatient", FHIR_EVENT_LEAVE,
	 FHIR_ACTION_REVISE, false, "2022-12-13T13:30:10+02:00", LEAVE_START, MH_STOR, "onleave",
	 "IMP"},
	{"cancel-start-leave-inpatient", "35c1b8f7-67d4-4d35-8e52-184f00951702",
	 "de70cfc5-470f-4d9d-a972-a32cf0ceaaa9", "cancel-start-leave-inpatient", FHIR_EVENT_LEAVE,
	 FHIR_ACTION_CANCEL, false, "2022-12-13T15:30:02+02:00",
	 "Bundle.entry[7].resource.occurred", MH_STOR, "in-progress", "IMP"},
	{"end-leave-inpatient", "e94de8ee-bd94-475e-b454-b8fbbef8a685", MH_SLOR,
	 "end-leave-inpatient", FHIR_EVENT_LEAVE, FHIR_ACTION_NEW, false,
	 "2022-12-14T15:30:00+02:00", LEAVE_END, MH_STOR, "in-progress", "IMP"},
	{"revise-end-leave-inpatient", "b0efad4b-c6b0-4ae3-b2cb-dcb37d41b9ae",
	 "8d464dca-13cb-4c65-a193-9d9da70cf605", "revise-end-leave-inpatient", FHIR_EVENT_LEAVE,
	 FHIR_ACTION_REVISE, false, "2022-12-14T15:00:00+02:00", LEAVE_END, MH_SLOR,
	 "in-progress", "IMP"},
	{"cancel-end-leave-inpatient", "cf4f95e3-4256-4194-ae15-0a28a56ba298",
	 "e411fb33-e320-465a-9f39-d64b81c43f0b", "cancel-end-leave-inpatient", FHIR_EVENT_LEAVE,
	 FHIR_ACTION_CANCEL, false, "2022-12-14T17:00:02+02:00",
	 "Bundle.entry[8].resource.occurred", MH_SLOR, "onleave", "IMP"},
	{"discharge-inpatient-home", "f4aa42a4-86db-4e68-9b38-9dda0dfd5774", MH_SLHJ_IMP,
	 "discharge-inpatient-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_NEW, false,
	 "2022-12-18T09:45:30+02:00", END, MH_STIN, "finished", "IMP"},
	{"discharge-emergency-home", "kcab461b-f44e-4d97-a041-ef7e64800587", MH_SLHJ_EMER,
	 "discharge-emergency-home", FHIR_EVENT_DISCHARGED, FHIR_ACTION_NEW, false,
	 "2022-12-02T22:00:09+02:00", END, MH_STAA, "finished", "EMER"},
	{"revise-discharge-inpatient-home", "05d33838-a56f-47cb-aa69-8f8d11059b73",
	 "b99bf524-b5d7-4e7a-aa57-fe3e2d893d91", "revise-discharge-inpatient-home",
	 FHIR_EVENT_DISCHARGED, FHIR_ACTION_REVISE, false, "2022-12-18T10:15:00+02:00", END,
	 MH_SLHJ_IMP, "finished", "IMP"},
	{"revise-discharge-emergency-home", "88950ae8-e72e-40d8-8826-8ae6d0bceae0",
	 "28c3893a-3660-43cd-b0c4-f3d23950e12a", "revise-discharge-emergency-home",
	 FHIR_EVENT_DISCHARGED, FHIR_ACTION_REVISE, false, "2022-12-02T21:30:09+02:00", END,
	 MH_SLHJ_EMER, "finished", "EMER"},
	{"cancel-discharge-inpatient-home", "977233f1-9c70-4044-9c00-cd1b048fec28",
	 "95b68d27-c2af-4236-8921-788b9385e1a7", "cancel-discharge-inpatient-home",
	 FHIR_EVENT_DISCHARGED, FHIR_ACTION_CANCEL, false, "2022-12-18T11:15:32+02:00",
	 "Bundle.entry[7].resource.occurred", MH_SLHJ_IMP, "in-progress", "IMP"},
	{"cancel-discharge-emergency-home", "f674a9d9-1cc2-4256-9b70-1fb403e175a1",
	 "e6c72144-0858-4cdf-b14f-ba9023f562f5", "cancel-discharge-emergency-home",
	 FHIR_EVENT_DISCHARGED, FHIR_ACTION_CANCEL, false, "2022-12-02T23:30:11+02:00",
	 "Bundle.entry[7].resource.occurred", MH_SLHJ_EMER, "in-progress", "EMER"},
	/* Deaths keep the stay's current activity code. */
	{"deceased-inpatient", "g099bbf3-3fca-4722-a248-bfe1aa956410", MH_MORS_IMP,
	 "admit-inpatient", FHIR_EVENT_DECEASED, FHIR_ACTION_NEW, true, "2022-12-09T09:45:30+02:00",
	 END, MH_STIN, "finished", "IMP"},
	{"deceased-emergency", "ld31e08a-b91f-49c3-841a-ce80e6380517",
	 "nabb68aa-c97b-4905-a60c-71ff3209fd51", "admit-emergency", FHIR_EVENT_DECEASED,
	 FHIR_ACTION_NEW, true, "2022-12-02T07:00:00+02:00", END, MH_STAA, "finished", "EMER"},
	{"deceased-during-leave", "13ab7738-2069-4c7f-baca-bf438ff330cf",
	 "de8ccfa8-590f-4f9a-97d2-0ed8cba98072", "start-leave-inpatient", FHIR_EVENT_DECEASED,
	 FHIR_ACTION_NEW, true, "2022-12-13T22:10:00+02:00", "Bundle.entry[1].resource.deceased",
	 MH_STOR, "finished", "IMP"},
	/* A death notice withdrawn: the stay's code with the role removal. */
	{"deceased-cancelled", "b9e76b28-1897-4113-bc3a-639d849fff91",
	 "bc7a5e03-7936-402a-8f74-1a06bdea4e97", "admit-inpatient", FHIR_EVENT_ADMITTED,
	 FHIR_ACTION_CANCEL, false, "2022-12-09T10:45:32+02:00",
	 "Bundle.entry[7].resource.occurred", MH_MORS_IMP, "in-progress", "IMP"},
};

static void test_every_fixture(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		const struct expected *e = &fixtures[i];
		struct fhir_notification n;
		struct fhir_outcome oo;
		char *path = fixture_path(e->fixture), *text;
		size_t len;
		time_t at;
		FILE *f = fopen(path, "rb");

		if (f == NULL)
			fail_msg("%s: cannot open", path);
		/* The bytes as MedCom wrote them, not a re-serialisation. */
		fseek(f, 0, SEEK_END);
		len = (size_t)ftell(f);
		rewind(f);
		text = xmalloc(len);
		assert_int_equal(fread(text, 1, len, f), len);
		fclose(f);
		if (fhir_notification_parse(text, len, now(), &n, &oo) != 0) {
			dump_outcome(&oo);
			fail_msg("%s: refused", e->fixture);
		}
		free(text);
		free(path);
		assert_int_equal(fhir_outcome_status(&oo), 200);
		assert_string_equal(n.bundle_id, e->bundle_id);
		assert_string_equal(n.header_id, e->header_id);
		assert_string_equal(n.cpr, CPR);
		assert_string_equal(n.activity, e->activity);
		if (n.event != e->event || n.action != e->action || n.deceased != e->deceased)
			fail_msg("%s: %s/%s deceased=%d, want %s/%s deceased=%d", e->fixture,
				 fhir_event_name(n.event), fhir_action_name(n.action), n.deceased,
				 fhir_event_name(e->event), fhir_action_name(e->action), e->deceased);
		assert_int_equal(clock_parse_rfc3339(e->at, &at), 0);
		if (n.at != at)
			fail_msg("%s: at %lld from %s, want %s", e->fixture, (long long)n.at,
				 n.at_element, e->at);
		assert_string_equal(n.at_element, e->at_element);
		assert_string_equal(n.ref_header_id, e->ref);
		assert_string_equal(n.encounter_status, e->status);
		assert_string_equal(n.encounter_class, e->class);
		assert_true(n.sent_at >= at || n.event == FHIR_EVENT_DECEASED);
	}
}

/* Every activity code of MedCom's value set has a fixture. */
static void test_fixtures_cover_every_code(void **state)
{
	static const char *const codes[] = {
		"admit-emergency", "revise-admit-emergency", "cancel-admit-emergency",
		"admit-inpatient", "revise-admit-inpatient", "cancel-admit-inpatient",
		"start-leave-inpatient", "revise-start-leave-inpatient",
		"cancel-start-leave-inpatient", "end-leave-inpatient", "revise-end-leave-inpatient",
		"cancel-end-leave-inpatient", "discharge-emergency-home", "discharge-inpatient-home",
		"revise-discharge-emergency-home", "revise-discharge-inpatient-home",
		"cancel-discharge-emergency-home", "cancel-discharge-inpatient-home",
	};

	(void)state;
	for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
		bool seen = false;
		for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
			seen |= !fixtures[i].deceased && strcmp(fixtures[i].activity, codes[c]) == 0;
		if (!seen)
			fail_msg("no fixture for %s", codes[c]);
	}
}

/* --- the mapping rules ------------------------------------------------------------ */

static void test_deceased_whatever_the_code(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;
	json_t *doc;

	(void)state;
	/* A discharge that says the citizen died is a death. */
	doc = fixture("discharge-inpatient-home");
	json_object_set_new(res(doc, 1), "deceasedBoolean", json_true());
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_DECEASED);
	assert_true(n.deceased);
	assert_string_equal(n.at_element, END);

	/* So is a cancellation: the death is not what it cancels. */
	doc = fixture("cancel-admit-inpatient");
	json_object_set_new(res(doc, 1), "deceasedBoolean", json_true());
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_DECEASED);
	assert_int_equal(n.action, FHIR_ACTION_CANCEL);

	/* An admission with a date of death: dead on arrival, no end yet, so
	 * the time is when the hospital sent it. */
	doc = fixture("admit-inpatient");
	json_object_set_new(res(doc, 1), "deceasedDateTime", json_string("2022-12-07"));
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_DECEASED);
	assert_string_equal(n.at_element, "Bundle.entry[5].resource.occurred");

	/* deceasedBoolean false is alive. */
	doc = fixture("admit-inpatient");
	json_object_set_new(res(doc, 1), "deceasedBoolean", json_false());
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_ADMITTED);
	assert_false(n.deceased);
}

static void test_leave_without_period_uses_provenance_time(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;
	json_t *doc = fixture("start-leave-inpatient");

	(void)state;
	json_object_del(res(doc, 2), "extension");
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_LEAVE);
	assert_string_equal(n.at_element, "Bundle.entry[6].resource.occurred");
}

/* The fullUrls may be absolute, relative or urn:uuid; references resolve
 * by fullUrl first, by type and id otherwise. */
static void test_references_by_full_url(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;
	json_t *doc = fixture("admit-inpatient");
	json_t *entries = json_object_get(doc, "entry");

	(void)state;
	json_object_set_new(json_array_get(entries, 2), "fullUrl",
			    json_string("urn:uuid:a790f964-88d3-4652-bbc8-81d2f3d035f8"));
	json_object_set_new(json_array_get(json_object_get(res(doc, 0), "focus"), 0), "reference",
			    json_string("urn:uuid:a790f964-88d3-4652-bbc8-81d2f3d035f8"));
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_int_equal(n.event, FHIR_EVENT_ADMITTED);
}

static void test_fingerprint(void **state)
{
	struct fhir_notification a, b;
	struct fhir_outcome oo;
	char fa[FHIR_FINGERPRINT_LEN], fb[FHIR_FINGERPRINT_LEN];
	json_t *doc;

	(void)state;
	/* Spacing and key order are not content. */
	assert_int_equal(parse_doc(fixture("revise-admit-inpatient"), &a, &oo), 0);
	doc = fixture("revise-admit-inpatient");
	char *text = json_dumps(doc, JSON_INDENT(7) | JSON_SORT_KEYS);
	assert_int_equal(parse_text(text, &b, &oo), 0);
	free(text);
	json_decref(doc);
	fhir_notification_fingerprint(&a, fa);
	fhir_notification_fingerprint(&b, fb);
	assert_string_equal(fa, fb);
	assert_int_equal(strlen(fa), 64);

	/* Another admission time is another message. */
	doc = fixture("revise-admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 2), "period"), "start",
			    json_string("2022-12-07T13:05:00+02:00"));
	assert_int_equal(parse_doc(doc, &b, &oo), 0);
	fhir_notification_fingerprint(&b, fb);
	assert_string_not_equal(fa, fb);
}

/* --- refusals --------------------------------------------------------------------- */

static void test_not_json(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;

	(void)state;
	assert_int_equal(parse_text("{\"resourceType\": \"Bundle\", \"cpr\": 0101901234x}", &n, &oo),
			 -1);
	expect_issue(&oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_STRUCTURE, "");
	assert_int_equal(fhir_outcome_status(&oo), 400);
	/* jansson quotes the text near the fault; the outcome must not. */
	assert_null(strstr(oo.issues[0].diagnostics, "0101901234"));

	assert_int_equal(parse_text("[1, 2]", &n, &oo), -1);
	expect_issue(&oo, FHIR_SEVERITY_FATAL, FHIR_ISSUE_STRUCTURE, "");

	/* Duplicate keys would let two readers see two messages. */
	assert_int_equal(parse_text("{\"resourceType\": \"Bundle\", \"resourceType\": \"Bundle\"}",
				    &n, &oo),
			 -1);
	assert_int_equal(fhir_outcome_status(&oo), 400);
}

static void test_wrong_resource_type(void **state)
{
	json_t *doc = fixture("admit-inpatient");

	(void)state;
	json_object_set_new(doc, "resourceType", json_string("Patient"));
	expect_refused(doc, FHIR_ISSUE_NOT_SUPPORTED, "Bundle.resourceType", 400);

	doc = fixture("admit-inpatient");
	json_object_del(doc, "resourceType");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.resourceType", 400);
}

static void test_not_a_message(void **state)
{
	json_t *doc = fixture("admit-inpatient");

	(void)state;
	json_object_set_new(doc, "type", json_string("transaction"));
	expect_refused(doc, FHIR_ISSUE_NOT_SUPPORTED, "Bundle.type", 422);

	/* The MessageHeader comes first (bdl-12). */
	doc = fixture("admit-inpatient");
	json_t *entries = json_object_get(doc, "entry"), *first = json_array_get(entries, 0);
	json_incref(first);
	json_array_remove(entries, 0);
	json_array_append_new(entries, first);
	expect_refused(doc, FHIR_ISSUE_INVARIANT, "Bundle.entry[0].resource", 422);

	/* Another MedCom message. */
	doc = fixture("admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 0), "eventCoding"), "code",
			    json_string("care-communication-message"));
	expect_refused(doc, FHIR_ISSUE_NOT_SUPPORTED,
		       "Bundle.entry[0].resource.eventCoding.code", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 0), "eventCoding"), "system",
			    json_string("http://medcomfhir.dk/ig/messaging/CodeSystem/"
					"medcom-messaging-eventCodes"));
	expect_refused(doc, FHIR_ISSUE_NOT_SUPPORTED,
		       "Bundle.entry[0].resource.eventCoding.system", 422);

	doc = fixture("admit-inpatient");
	json_object_del(doc, "entry");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(doc, "id", json_string("not an id"));
	expect_refused(doc, FHIR_ISSUE_VALUE, "Bundle.id", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(json_array_get(json_object_get(doc, "entry"), 3), "resource",
			    json_string("Organization"));
	expect_refused(doc, FHIR_ISSUE_STRUCTURE, "Bundle.entry[3].resource", 422);
}

static void test_patient_identifier(void **state)
{
	json_t *doc = fixture("admit-inpatient"), *id;

	(void)state;
	json_object_del(res(doc, 1), "identifier");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[1].resource.identifier", 422);

	doc = fixture("admit-inpatient");
	id = json_array_get(json_object_get(res(doc, 1), "identifier"), 0);
	json_object_set_new(id, "system", json_string("urn:oid:1.2.208.176.1.1"));
	expect_refused(doc, FHIR_ISSUE_VALUE, "Bundle.entry[1].resource.identifier[0].system",
		       422);

	/* 31 February: no such birth date; the number is not repeated. */
	doc = fixture("admit-inpatient");
	id = json_array_get(json_object_get(res(doc, 1), "identifier"), 0);
	json_object_set_new(id, "value", json_string("3102901234"));
	struct fhir_notification n;
	struct fhir_outcome oo;
	assert_int_equal(parse_doc(doc, &n, &oo), -1);
	expect_issue(&oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_VALUE,
		     "Bundle.entry[1].resource.identifier[0].value");
	assert_null(strstr(oo.issues[0].diagnostics, "3102901234"));
	assert_string_equal(n.cpr, "");

	/* The CPR identifier need not be the first. */
	doc = fixture("admit-inpatient");
	json_array_insert_new(json_object_get(res(doc, 1), "identifier"), 0,
			      json_pack("{s:s, s:s}", "system", "urn:example:local", "value", "42"));
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_string_equal(n.cpr, CPR);

	/* Exactly one Patient. */
	doc = fixture("admit-inpatient");
	json_array_append(json_object_get(doc, "entry"),
			  json_array_get(json_object_get(doc, "entry"), 1));
	expect_refused(doc, FHIR_ISSUE_INVARIANT, "Bundle.entry[6].resource", 422);

	doc = fixture("admit-inpatient");
	json_array_remove(json_object_get(doc, "entry"), 1);
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry", 422);
}

static void test_activity_code(void **state)
{
	json_t *doc = fixture("admit-inpatient"), *coding;

	(void)state;
	coding = json_array_get(json_object_get(json_object_get(res(doc, 5), "activity"), "coding"),
				0);
	json_object_set_new(coding, "code", json_string("admit-outpatient"));
	expect_refused(doc, FHIR_ISSUE_CODE_INVALID,
		       "Bundle.entry[5].resource.activity.coding[0].code", 422);

	/* A MedCom activity, but not one of HospitalNotification's. */
	doc = fixture("admit-inpatient");
	coding = json_array_get(json_object_get(json_object_get(res(doc, 5), "activity"), "coding"),
				0);
	json_object_set_new(coding, "code", json_string("new-message"));
	expect_refused(doc, FHIR_ISSUE_CODE_INVALID,
		       "Bundle.entry[5].resource.activity.coding[0].code", 422);

	doc = fixture("admit-inpatient");
	coding = json_array_get(json_object_get(json_object_get(res(doc, 5), "activity"), "coding"),
				0);
	json_object_set_new(coding, "system", json_string("urn:example:codes"));
	expect_refused(doc, FHIR_ISSUE_CODE_INVALID,
		       "Bundle.entry[5].resource.activity.coding[0].system", 422);

	doc = fixture("admit-inpatient");
	json_object_del(res(doc, 5), "activity");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[5].resource.activity", 422);
}

static void test_provenance(void **state)
{
	json_t *doc = fixture("admit-inpatient");

	(void)state;
	json_array_remove(json_object_get(doc, "entry"), 5);
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry", 422);

	/* A Provenance of an earlier message only. */
	doc = fixture("admit-inpatient");
	json_object_set_new(json_array_get(json_object_get(res(doc, 5), "target"), 0), "reference",
			    json_string("MessageHeader/b9b4818e-0000-4cc4-b418-d20cbc7b5404"));
	expect_refused(doc, FHIR_ISSUE_NOT_FOUND, "Bundle.entry[5].resource.target[0].reference",
		       422);

	/* Several Provenances, none of this message (the history only). */
	doc = fixture("end-leave-inpatient");
	json_array_remove(json_object_get(doc, "entry"), 7);
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry", 422);

	/* Two of this message. */
	doc = fixture("revise-admit-inpatient");
	json_t *copy = json_deep_copy(json_array_get(json_object_get(doc, "entry"), 5));
	json_object_set_new(json_object_get(copy, "resource"), "id", json_string("second"));
	json_array_append_new(json_object_get(doc, "entry"), copy);
	expect_refused(doc, FHIR_ISSUE_INVARIANT, "Bundle.entry[7].resource.target[0].reference",
		       422);
}

static void test_revise_and_cancel_need_the_message(void **state)
{
	json_t *doc = fixture("revise-admit-inpatient"), *entity;

	(void)state;
	json_object_del(res(doc, 5), "entity");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[5].resource.entity", 422);

	doc = fixture("cancel-admit-inpatient");
	entity = json_array_get(json_object_get(res(doc, 5), "entity"), 0);
	json_object_set_new(json_object_get(entity, "what"), "reference",
			    json_string("Bundle/a5e5b880-c087-4055-b9ec-99108695f81d"));
	expect_refused(doc, FHIR_ISSUE_VALUE, "Bundle.entry[5].resource.entity[0].what.reference",
		       422);

	doc = fixture("cancel-admit-inpatient");
	entity = json_array_get(json_object_get(res(doc, 5), "entity"), 0);
	json_object_set_new(json_object_get(entity, "what"), "reference",
			    json_string("MessageHeader/d8749b54-1aeb-4089-8941-8d876bdffc51"));
	expect_refused(doc, FHIR_ISSUE_INVARIANT,
		       "Bundle.entry[5].resource.entity[0].what.reference", 422);

	/* An absolute reference is as good as a relative one. */
	struct fhir_notification n;
	struct fhir_outcome oo;
	doc = fixture("cancel-admit-inpatient");
	entity = json_array_get(json_object_get(res(doc, 5), "entity"), 0);
	json_object_set_new(json_object_get(entity, "what"), "reference",
			    json_string("https://medcomfhir.dk/ig/hospitalnotification/"
					"MessageHeader/" MH_STIN));
	assert_int_equal(parse_doc(doc, &n, &oo), 0);
	assert_string_equal(n.ref_header_id, MH_STIN);
	assert_string_equal(n.ref_role, "removal");
}

static void test_bad_dates(void **state)
{
	json_t *doc = fixture("admit-inpatient");

	(void)state;
	/* A date without a time cannot say when the stay began. */
	json_object_set_new(json_object_get(res(doc, 2), "period"), "start",
			    json_string("2022-12-07"));
	expect_refused(doc, FHIR_ISSUE_VALUE, START, 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 2), "period"), "start",
			    json_string("2022-02-30T12:00:00+01:00"));
	expect_refused(doc, FHIR_ISSUE_VALUE, START, 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 2), "period"), "start",
			    json_string("2022-12-07T12:00:00"));
	expect_refused(doc, FHIR_ISSUE_VALUE, START, 422);

	doc = fixture("admit-inpatient");
	json_object_del(res(doc, 2), "period");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[2].resource.period", 422);

	doc = fixture("discharge-inpatient-home");
	json_object_set_new(json_object_get(res(doc, 2), "period"), "end",
			    json_string("2022-12-06T09:45:30+02:00"));
	expect_refused(doc, FHIR_ISSUE_INVARIANT, "Bundle.entry[2].resource.period", 422);

	/* A discharge must say when. */
	doc = fixture("discharge-inpatient-home");
	json_object_del(json_object_get(res(doc, 2), "period"), "end");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, END, 422);

	doc = fixture("end-leave-inpatient");
	json_t *leave = json_object_get(
		json_array_get(json_object_get(res(doc, 2), "extension"), 0), "valuePeriod");
	json_object_set_new(leave, "end", json_string("14-12-2022 15:30"));
	expect_refused(doc, FHIR_ISSUE_VALUE, LEAVE_END, 422);

	doc = fixture("admit-inpatient");
	json_object_del(res(doc, 5), "recorded");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[5].resource.recorded", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(res(doc, 5), "occurredDateTime", json_integer(2022));
	expect_refused(doc, FHIR_ISSUE_STRUCTURE, "Bundle.entry[5].resource.occurred", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(doc, "timestamp", json_string("yesterday"));
	expect_refused(doc, FHIR_ISSUE_VALUE, "Bundle.timestamp", 422);

	doc = fixture("deceased-during-leave");
	json_object_set_new(res(doc, 1), "deceasedDateTime", json_string("2022-13-13"));
	expect_refused(doc, FHIR_ISSUE_VALUE, "Bundle.entry[1].resource.deceased", 422);

	doc = fixture("deceased-during-leave");
	json_object_set_new(res(doc, 1), "deceasedBoolean", json_true());
	expect_refused(doc, FHIR_ISSUE_STRUCTURE, "Bundle.entry[1].resource.deceased", 422);

	doc = fixture("deceased-inpatient");
	json_object_set_new(res(doc, 1), "deceasedBoolean", json_string("true"));
	expect_refused(doc, FHIR_ISSUE_STRUCTURE, "Bundle.entry[1].resource.deceased", 422);
}

static void test_encounter(void **state)
{
	json_t *doc = fixture("admit-inpatient");

	(void)state;
	json_object_set_new(res(doc, 2), "status", json_string("planned"));
	expect_refused(doc, FHIR_ISSUE_CODE_INVALID, "Bundle.entry[2].resource.status", 422);

	doc = fixture("admit-inpatient");
	json_object_set_new(json_object_get(res(doc, 2), "class"), "code", json_string("AMB"));
	expect_refused(doc, FHIR_ISSUE_CODE_INVALID, "Bundle.entry[2].resource.class.code", 422);

	doc = fixture("admit-inpatient");
	json_object_del(res(doc, 2), "class");
	expect_refused(doc, FHIR_ISSUE_REQUIRED, "Bundle.entry[2].resource.class", 422);

	/* The focus names nothing in the Bundle. */
	doc = fixture("admit-inpatient");
	json_object_set_new(json_array_get(json_object_get(res(doc, 0), "focus"), 0), "reference",
			    json_string("Encounter/0000"));
	expect_refused(doc, FHIR_ISSUE_NOT_FOUND, "Bundle.entry[0].resource.focus[0].reference",
		       422);

	/* ...or something that is no Encounter. */
	doc = fixture("admit-inpatient");
	json_object_set_new(json_array_get(json_object_get(res(doc, 0), "focus"), 0), "reference",
			    json_string("Patient/t33cef33-3626-422b-955d-d506aaa65fe1"));
	expect_refused(doc, FHIR_ISSUE_NOT_FOUND, "Bundle.entry[0].resource.focus[0].reference",
		       422);
}

/* A sender learns of all its faults at once. */
static void test_every_fault_reported(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;
	json_t *doc = fixture("admit-inpatient"), *coding;

	(void)state;
	json_object_del(res(doc, 1), "identifier");
	json_object_set_new(res(doc, 2), "status", json_string("planned"));
	coding = json_array_get(json_object_get(json_object_get(res(doc, 5), "activity"), "coding"),
				0);
	json_object_set_new(coding, "code", json_string("admit-outpatient"));
	assert_int_equal(parse_doc(doc, &n, &oo), -1);
	assert_int_equal(oo.count, 3);
	expect_issue(&oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_REQUIRED,
		     "Bundle.entry[1].resource.identifier");
	expect_issue(&oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_CODE_INVALID,
		     "Bundle.entry[2].resource.status");
	expect_issue(&oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_CODE_INVALID,
		     "Bundle.entry[5].resource.activity.coding[0].code");
}

/* --- OperationOutcome ------------------------------------------------------------- */

static void test_operation_outcome_json(void **state)
{
	struct fhir_notification n;
	struct fhir_outcome oo;
	json_t *doc = fixture("admit-inpatient"), *out, *issue;

	(void)state;
	json_object_del(res(doc, 1), "identifier");
	assert_int_equal(parse_doc(doc, &n, &oo), -1);
	out = fhir_outcome_json(&oo);
	assert_string_equal(json_string_value(json_object_get(out, "resourceType")),
			    "OperationOutcome");
	assert_int_equal(json_array_size(json_object_get(out, "issue")), 1);
	issue = json_array_get(json_object_get(out, "issue"), 0);
	assert_string_equal(json_string_value(json_object_get(issue, "severity")), "error");
	assert_string_equal(json_string_value(json_object_get(issue, "code")), "required");
	assert_non_null(json_string_value(json_object_get(issue, "diagnostics")));
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(issue, "expression"), 0)),
		"Bundle.entry[1].resource.identifier");
	json_decref(out);

	/* Without issues: FHIR still wants one. */
	fhir_outcome_clear(&oo);
	assert_int_equal(fhir_outcome_status(&oo), 200);
	out = fhir_outcome_json(&oo);
	issue = json_array_get(json_object_get(out, "issue"), 0);
	assert_string_equal(json_string_value(json_object_get(issue, "severity")), "information");
	assert_string_equal(json_string_value(json_object_get(issue, "code")), "informational");
	assert_null(json_object_get(issue, "expression"));
	json_decref(out);

	/* Beyond the limit issues are counted, and the count is said. */
	for (int i = 0; i < FHIR_MAX_ISSUES + 4; i++)
		assert_int_equal(fhir_outcome_add(&oo, FHIR_SEVERITY_ERROR, FHIR_ISSUE_VALUE, NULL,
						  "issue %d", i),
				 -1);
	assert_int_equal(oo.count, FHIR_MAX_ISSUES);
	assert_int_equal(oo.dropped, 4);
	out = fhir_outcome_json(&oo);
	assert_int_equal(json_array_size(json_object_get(out, "issue")), FHIR_MAX_ISSUES + 1);
	json_decref(out);

	/* A warning alone does not fail. */
	fhir_outcome_clear(&oo);
	fhir_outcome_add(&oo, FHIR_SEVERITY_WARNING, FHIR_ISSUE_INFORMATIONAL, NULL, "note");
	assert_false(fhir_outcome_failed(&oo));
	assert_int_equal(fhir_outcome_status(&oo), 200);
}

/* The HTTP refusals of the route, as OperationOutcomes: one error whose
 * code fits the status. */
static void test_outcome_of_status(void **state)
{
	static const struct {
		int status;
		const char *code;
	} cases[] = {
		{401, "login"},	    {403, "forbidden"},	  {413, "too-long"}, {415, "not-supported"},
		{408, "timeout"},   {503, "transient"},	  {500, "exception"}, {400, "structure"},
		{418, "processing"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *oo = fhir_outcome_of_status(cases[i].status, "why");
		json_t *issue = json_array_get(json_object_get(oo, "issue"), 0);

		assert_string_equal(json_string_value(json_object_get(oo, "resourceType")),
				    "OperationOutcome");
		assert_int_equal(json_array_size(json_object_get(oo, "issue")), 1);
		assert_string_equal(json_string_value(json_object_get(issue, "severity")), "error");
		assert_string_equal(json_string_value(json_object_get(issue, "code")),
				    cases[i].code);
		assert_string_equal(json_string_value(json_object_get(issue, "diagnostics")),
				    "why");
		json_decref(oo);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_fixtures_cover_every_code),
		cmocka_unit_test(test_deceased_whatever_the_code),
		cmocka_unit_test(test_leave_without_period_uses_provenance_time),
		cmocka_unit_test(test_references_by_full_url),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_wrong_resource_type),
		cmocka_unit_test(test_not_a_message),
		cmocka_unit_test(test_patient_identifier),
		cmocka_unit_test(test_activity_code),
		cmocka_unit_test(test_provenance),
		cmocka_unit_test(test_revise_and_cancel_need_the_message),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_encounter),
		cmocka_unit_test(test_every_fault_reported),
		cmocka_unit_test(test_operation_outcome_json),
		cmocka_unit_test(test_outcome_of_status),
	};
	return cmocka_run_group_tests_name("fhir_notification", tests, NULL, NULL);
}
