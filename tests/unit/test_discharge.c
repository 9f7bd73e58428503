/*
 * test_discharge.c - the one validation of a discharge, whatever format
 * brought it: each problem under its neutral field id, values normalised.
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
#include "discharge.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

static const char long_text[] =
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxx";

static const struct {
	const char *scenario;
	const char *id, *name, *cpr, *phone, *from, *to, *unit;
	bool contact, share;
	const char *given_at;
	const char *bad; /* space-separated neutral ids, "" = valid */
} cases[] = {
	{"all good", "n1", "Alma", "010190-1234", "20 30 40 50", "09:00", "12:00", "P3", true, true,
	 "2026-11-20", ""},
	{"the least there can be", "n1", "Alma", NULL, "+4520304050", NULL, NULL, NULL, true, true,
	 NULL, ""},
	{"nothing at all", NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false, NULL,
	 "notification_id name phone consent.contact consent.share_information"},
	{"empty id and name", "", "", NULL, "20304050", NULL, NULL, NULL, true, true, NULL,
	 "notification_id name"},
	{"an id and a name of only white space", " \t ", " \xc2\xa0 ", NULL, "20304050", NULL, NULL,
	 NULL, true, true, NULL, "notification_id name"},
	{"an optional unit of only white space is no name", "n1", " A ", NULL, "20304050", NULL,
	 NULL, "  ", true, true, NULL, ""},
	{"a 9-digit CPR", "n1", "A", "010190123", "20304050", NULL, NULL, NULL, true, true, NULL,
	 "cpr"},
	{"a CPR born after today", "n1", "A", "010130-4123", "20304050", NULL, NULL, NULL, true,
	 true, NULL, "cpr"},
	{"a Danish number starting with 1", "n1", "A", NULL, "12345678", NULL, NULL, NULL, true,
	 true, NULL, "phone"},
	{"a preferred time without its end", "n1", "A", NULL, "20304050", "09:00", NULL, NULL, true,
	 true, NULL, "preferred_call_time.to"},
	{"a preferred time of 24:00", "n1", "A", NULL, "20304050", "09:00", "24:00", NULL, true,
	 true, NULL, "preferred_call_time.to"},
	{"a preferred time ending before it starts", "n1", "A", NULL, "20304050", "14:00", "09:30",
	 NULL, true, true, NULL, "preferred_call_time.to"},
	{"a name with a line break", "n1", "A\nB", NULL, "20304050", NULL, NULL, NULL, true, true,
	 NULL, "name"},
	{"a unit over 200 bytes", "n1", "A", NULL, "20304050", NULL, NULL, long_text, true, true,
	 NULL, "unit"},
	{"consent to share missing, given tomorrow", "n1", "A", NULL, "20304050", NULL, NULL, NULL,
	 true, false, "2026-11-24", "consent.share_information consent.given_at"},
};

static void test_cases(void **state)
{
	time_t now;
	int failures = 0;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct discharge_problems p;
		struct discharge d;
		char got[256] = "";
		int rc;

		discharge_init(&d, DISCHARGE_SOURCE_PSYCHIATRY);
		d.notification_id = cases[i].id;
		d.name = cases[i].name;
		d.cpr_text = cases[i].cpr;
		d.phone_text = cases[i].phone;
		d.call_from_text = cases[i].from;
		d.call_to_text = cases[i].to;
		d.unit = cases[i].unit;
		d.consent_contact = cases[i].contact;
		d.consent_share = cases[i].share;
		if (cases[i].given_at != NULL)
			assert_int_equal(cal_day_parse(cases[i].given_at, &d.consent_given_at), 0);
		rc = discharge_check(&d, now, &p);
		for (int f = 0; f < DISCHARGE_NFIELDS; f++) {
			if (p.message[f][0] == '\0')
				continue;
			if (got[0] != '\0')
				strcat(got, " ");
			strcat(got, discharge_field_name((enum discharge_field)f));
		}
		if (strcmp(got, cases[i].bad) != 0 || (rc == 0) != (cases[i].bad[0] == '\0') ||
		    d.checked != (rc == 0)) {
			print_error("%s: problems \"%s\", want \"%s\"\n", cases[i].scenario, got,
				    cases[i].bad);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_normalised(void **state)
{
	struct discharge_problems p;
	struct discharge d;
	time_t now;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("2026-11-23T12:00:00+01:00", &now), 0);
	discharge_init(&d, DISCHARGE_SOURCE_PSYCHIATRY);
	d.notification_id = "n1";
	d.name = "Alma";
	d.cpr_text = "010190-1234";
	d.phone_text = "0045 20 30 40 50";
	d.call_from_text = "09:00";
	d.call_to_text = "11:30";
	d.consent_contact = d.consent_share = true;
	assert_int_equal(discharge_check(&d, now, &p), 0);
	assert_string_equal(d.cpr, "0101901234");
	assert_string_equal(d.phone, "+4520304050");
	assert_string_equal(d.call_from, "09:00");
	assert_string_equal(d.call_to, "11:30");
	/* Not discharged yet: a referral made during the stay. */
	assert_int_equal(d.discharge_day, CAL_NO_DAY);
	assert_int_equal(clock_parse_rfc3339("2026-11-22T23:30:00Z", &d.discharged_at), 0);
	d.has_discharged_at = true;
	assert_int_equal(discharge_check(&d, now, &p), 0);
	assert_int_equal(d.discharge_day, cal_day_of_instant(d.discharged_at));
	/* The epoch is a time like any other, not "not discharged yet". */
	d.discharged_at = 0;
	assert_int_equal(discharge_check(&d, now, &p), 0);
	assert_int_equal(d.discharge_day, cal_day_of_instant(0));
	assert_true(d.discharge_day != CAL_NO_DAY);
}

static void test_field_names(void **state)
{
	(void)state;
	for (int f = 0; f < DISCHARGE_NFIELDS; f++) {
		const char *name = discharge_field_name((enum discharge_field)f);
		assert_true(name[0] != '\0');
		assert_int_equal(discharge_field_parse(name), f);
	}
	assert_int_equal(discharge_field_parse("citizen.cpr"), -1);
	assert_int_equal(discharge_field_parse(NULL), -1);
}

static int setup(void **state)
{
	char *cause = NULL;

	(void)state;
	return clock_use_timezone("Europe/Copenhagen", &cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_normalised),
		cmocka_unit_test(test_field_names),
	};
	return cmocka_run_group_tests_name("discharge", tests, setup, NULL);
}
