/*
 * test_intake.c - the API's intake adapter: every bad field is named at
 * its JSON path, once and in the notification's order; consent gates
 * everything; dates are Copenhagen dates.
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
#include "intake.h"

#define GOOD_CITIZEN "\"citizen\": {\"name\": \"Alma Testesen\", \"cpr\": \"010190-1234\", \"phone\": \"20 30 40 50\"}"
#define GOOD_CONSENT "\"consent\": {\"contact\": true, \"share_information\": true}"
#define GOOD_TIME "\"discharged_at\": \"2026-11-23T10:00:00+01:00\""

struct intake_case {
	const char *scenario;
	const char *body;
	const char *bad_fields; /* space-separated, "" = valid */
};

static const struct intake_case cases[] = {
	{"all good", "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME ", " GOOD_CONSENT "}", ""},
	{"no consent at all", "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME "}", "consent"},
	{"consent to contact false",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME ", \"consent\": {\"contact\": false, \"share_information\": true}}",
	 "consent.contact"},
	{"consent to share missing",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME ", \"consent\": {\"contact\": true}}",
	 "consent.share_information"},
	{"consent as string \"true\"",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME ", \"consent\": {\"contact\": \"true\", \"share_information\": true}}",
	 "consent.contact"},
	{"consent given in the future",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME ", \"consent\": {\"contact\": true, \"share_information\": true, \"given_at\": \"2026-11-30\"}}",
	 "consent.given_at"},
	{"impossible CPR date",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\", \"cpr\": \"310290-1234\", \"phone\": \"20304050\"}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.cpr"},
	{"bad phone and missing name",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"phone\": \"12345678\"}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.name citizen.phone"},
	{"name with a control character",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\\u0007B\", \"phone\": \"20304050\"}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.name"},
	{"discharge without offset",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", \"discharged_at\": \"2026-11-23T10:00:00\", " GOOD_CONSENT "}",
	 "discharged_at"},
	/* Timeliness is course_create's, after the idempotency lookup: a
	 * repetition of an accepted notification must still parse. */
	{"discharge two days ahead parses",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", \"discharged_at\": \"2026-11-25T12:00:00+01:00\", " GOOD_CONSENT "}",
	 ""},
	{"discharge older than the window parses",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", \"discharged_at\": \"2026-05-22T10:00:00+02:00\", " GOOD_CONSENT "}",
	 ""},
	{"preferred time reversed",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\", \"phone\": \"20304050\", \"preferred_call_time\": {\"from\": \"14:00\", \"to\": \"10:00\"}}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.preferred_call_time.to"},
	{"preferred time malformed",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\", \"phone\": \"20304050\", \"preferred_call_time\": {\"from\": \"9:00\", \"to\": \"10:00\"}}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.preferred_call_time.from"},
	{"notification id missing and unit a number",
	 "{" GOOD_CITIZEN ", " GOOD_TIME ", \"unit\": 7, " GOOD_CONSENT "}",
	 "notification_id unit"},
	{"citizen not an object", "{\"notification_id\": \"n1\", \"citizen\": [], " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen"},
	{"no discharge time yet: a referral during the stay",
	 "{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_CONSENT "}", ""},
	{"a phone of the wrong type is named once, for its type",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\", \"phone\": 20304050}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.phone"},
	{"an empty preferred time names both ends",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"A\", \"phone\": \"20304050\", \"preferred_call_time\": {}}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.preferred_call_time.from citizen.preferred_call_time.to"},
	{"a name over 200 bytes",
	 "{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "\", \"phone\": \"20304050\"}, " GOOD_TIME ", " GOOD_CONSENT "}",
	 "citizen.name"},
};

static int setup(void **state)
{
	char *cause = NULL;

	(void)state;
	return clock_use_timezone("Europe/Copenhagen", &cause);
}

static void test_intake_cases(void **state)
{
	time_t now;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct intake_case *c = &cases[i];
		json_t *body = json_loads(c->body, 0, NULL);
		struct field_errors errors;
		struct discharge intake;
		char got[512] = "";
		size_t k;
		json_t *e;

		if (body == NULL)
			fail_msg("%s: test body is not JSON", c->scenario);
		field_errors_init(&errors);
		int rc = intake_read(body, NULL, now, &intake, &errors);
		json_array_foreach(errors.list, k, e) {
			if (got[0] != '\0')
				strcat(got, " ");
			strncat(got, json_string_value(json_object_get(e, "field")),
				sizeof got - strlen(got) - 2);
		}
		if (strcmp(got, c->bad_fields) != 0 || (rc == 0) != (c->bad_fields[0] == '\0'))
			fail_msg("%s: bad fields \"%s\", want \"%s\"", c->scenario, got,
				 c->bad_fields);
		field_errors_clear(&errors);
		json_decref(body);
	}
}

static void test_good_intake_is_normalised(void **state)
{
	json_t *body = json_loads("{\"notification_id\": \"n1\", " GOOD_CITIZEN ", " GOOD_TIME
				  ", \"unit\": \"Afsnit P3\", " GOOD_CONSENT "}",
				  0, NULL);
	struct field_errors errors;
	struct discharge in;
	char date[CAL_DATE_LEN];
	time_t now;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	field_errors_init(&errors);
	assert_int_equal(intake_read(body, NULL, now, &in, &errors), 0);
	assert_true(in.checked);
	assert_string_equal(in.phone, "+4520304050");
	assert_string_equal(in.cpr, "0101901234");
	assert_string_equal(in.unit, "Afsnit P3");
	assert_string_equal(in.source, DISCHARGE_SOURCE_PSYCHIATRY);
	cal_day_format(in.discharge_day, date);
	assert_string_equal(date, "2026-11-23");
	assert_string_equal(in.call_from, "");
	field_errors_clear(&errors);
	json_decref(body);
}

static void test_late_evening_utc_is_next_copenhagen_day(void **state)
{
	json_t *body = json_loads("{\"notification_id\": \"n1\", " GOOD_CITIZEN
				  ", \"discharged_at\": \"2026-11-22T23:30:00Z\", " GOOD_CONSENT "}",
				  0, NULL);
	struct field_errors errors;
	struct discharge in;
	char date[CAL_DATE_LEN];
	time_t now;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	field_errors_init(&errors);
	assert_int_equal(intake_read(body, NULL, now, &in, &errors), 0);
	cal_day_format(in.discharge_day, date);
	assert_string_equal(date, "2026-11-23");
	field_errors_clear(&errors);
	json_decref(body);
}

/* The fingerprint of a body that intake_read accepts at noon on 23 Nov. */
static void fingerprint_of(const char *text, char hex[DISCHARGE_FINGERPRINT_LEN])
{
	json_t *body = json_loads(text, 0, NULL);
	struct field_errors errors;
	struct discharge in;
	time_t now;

	assert_non_null(body);
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	field_errors_init(&errors);
	assert_int_equal(intake_read(body, NULL, now, &in, &errors), 0);
	discharge_fingerprint(&in, hex);
	field_errors_clear(&errors);
	json_decref(body);
}

#define BASE_TAIL ", \"discharged_at\": \"2026-11-23T10:00:00+01:00\", " GOOD_CONSENT "}"
#define BASE "{\"notification_id\": \"n1\", " GOOD_CITIZEN BASE_TAIL

static void test_fingerprint_is_the_parsed_notification(void **state)
{
	static const char *const same[] = {
		/* key order, spacing, phone spelling, the instant in UTC */
		"{\"discharged_at\":\"2026-11-23T09:00:00Z\"," GOOD_CONSENT
		",\"citizen\":{\"phone\":\"+4520304050\",\"cpr\":\"0101901234\","
		"\"name\":\"Alma Testesen\"},\"notification_id\":\"n1\"}",
		/* a field mentord ignores */
		"{\"notification_id\": \"n1\", \"priority\": \"high\", " GOOD_CITIZEN BASE_TAIL,
	};
	static const char *const other[] = {
		"{\"notification_id\": \"n2\", " GOOD_CITIZEN BASE_TAIL,
		"{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"Alma Testesen\", "
		"\"phone\": \"20 30 40 50\"}" BASE_TAIL,
		"{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"Alma Testesen\", "
		"\"cpr\": \"010190-1234\", \"phone\": \"20 30 40 51\"}" BASE_TAIL,
		"{\"notification_id\": \"n1\", \"citizen\": {\"name\": \"Alma Testesen\", "
		"\"cpr\": \"010190-1234\", \"phone\": \"20 30 40 50\", \"preferred_call_time\": "
		"{\"from\": \"09:00\", \"to\": \"12:00\"}}" BASE_TAIL,
		"{\"notification_id\": \"n1\", \"unit\": \"\", " GOOD_CITIZEN BASE_TAIL,
		"{\"notification_id\": \"n1\", " GOOD_CITIZEN
		", \"discharged_at\": \"2026-11-23T10:00:01+01:00\", " GOOD_CONSENT "}",
		"{\"notification_id\": \"n1\", " GOOD_CITIZEN
		", \"discharged_at\": \"2026-11-23T10:00:00+01:00\", \"consent\": {\"contact\": true, "
		"\"share_information\": true, \"given_at\": \"2026-11-22\"}}",
	};
	char base[DISCHARGE_FINGERPRINT_LEN], fp[DISCHARGE_FINGERPRINT_LEN];

	(void)state;
	fingerprint_of(BASE, base);
	assert_int_equal(strlen(base), 64);
	assert_int_equal(strspn(base, "0123456789abcdef"), 64);
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		fingerprint_of(same[i], fp);
		assert_string_equal(fp, base);
	}
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		fingerprint_of(other[i], fp);
		if (strcmp(fp, base) == 0)
			fail_msg("other notification %zu has the same fingerprint", i);
	}
}

/* A correction names its notification in the path: the body may leave it
 * out, and may not name another. */
static void test_path_id(void **state)
{
	static const char body_without[] = "{" GOOD_CITIZEN ", " GOOD_TIME ", " GOOD_CONSENT "}";
	json_t *body = json_loads(body_without, 0, NULL);
	json_t *other = json_loads(BASE, 0, NULL);
	struct field_errors errors;
	struct discharge in;
	time_t now;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	field_errors_init(&errors);
	assert_int_equal(intake_read(body, "n1", now, &in, &errors), 0);
	assert_string_equal(in.notification_id, "n1");
	assert_int_equal(intake_read(other, "n1", now, &in, &errors), 0);
	assert_int_equal(intake_read(other, "n2", now, &in, &errors), -1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors.list, 0),
							      "field")),
			    "notification_id");
	field_errors_clear(&errors);
	json_decref(body);
	json_decref(other);
}

/* A neutral field id found after reading (a discharge no longer timely)
 * is reported at the API's path. */
static void test_paths(void **state)
{
	(void)state;
	assert_string_equal(intake_path("cpr"), "citizen.cpr");
	assert_string_equal(intake_path("preferred_call_time.to"),
			    "citizen.preferred_call_time.to");
	assert_string_equal(intake_path("discharged_at"), "discharged_at");
	assert_string_equal(intake_path("state"), "state");
}

/* Wishes: checked by match.h's reader under "wishes.", canonical text (key
 * order does not count) that enters the fingerprint only when given, so a
 * notification without them keeps the fingerprint it always had. */
static void test_wishes(void **state)
{
	json_t *a = json_loads("{\"wishes\": {\"languages\": [\"ar\"], \"gender\": \"female\"}}",
			       0, NULL);
	json_t *b = json_loads("{\"wishes\": {\"gender\": \"female\", \"languages\": [\"ar\"]}}",
			       0, NULL);
	json_t *bad = json_loads("{\"wishes\": {\"languages\": [\"arabic\"]}}", 0, NULL);
	json_t *none = json_loads("{\"wishes\": null}", 0, NULL);
	char plain[DISCHARGE_FINGERPRINT_LEN], hex[DISCHARGE_FINGERPRINT_LEN];
	struct field_errors errors;
	char *wa, *wb;
	json_t *body = json_loads(BASE, 0, NULL);
	struct discharge in;
	time_t now;

	(void)state;
	field_errors_init(&errors);
	wa = intake_read_wishes(a, &errors);
	wb = intake_read_wishes(b, &errors);
	assert_false(field_errors_any(&errors));
	assert_non_null(wa);
	assert_string_equal(wa, wb);
	assert_null(intake_read_wishes(none, &errors));
	assert_false(field_errors_any(&errors));
	assert_null(intake_read_wishes(bad, &errors));
	assert_int_equal(json_array_size(errors.list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors.list, 0),
							      "field")),
			    "wishes.languages[0]");

	fingerprint_of(BASE, plain);
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	field_errors_clear(&errors);
	field_errors_init(&errors);
	assert_int_equal(intake_read(body, NULL, now, &in, &errors), 0);
	discharge_fingerprint(&in, hex);
	assert_string_equal(hex, plain);
	in.wishes = wa;
	discharge_fingerprint(&in, hex);
	assert_string_not_equal(hex, plain);

	field_errors_clear(&errors);
	free(wa);
	free(wb);
	json_decref(a);
	json_decref(b);
	json_decref(bad);
	json_decref(none);
	json_decref(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intake_cases),
		cmocka_unit_test(test_good_intake_is_normalised),
		cmocka_unit_test(test_late_evening_utc_is_next_copenhagen_day),
		cmocka_unit_test(test_fingerprint_is_the_parsed_notification),
		cmocka_unit_test(test_wishes),
		cmocka_unit_test(test_path_id),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests_name("intake", tests, setup, NULL);
}
