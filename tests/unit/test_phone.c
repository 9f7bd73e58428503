/*
 * test_phone.c - phone normalisation: Danish numbers to +45, E.164 kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "phone.h"

struct phone_case {
	const char *scenario;
	const char *text;
	const char *normal; /* NULL = rejected */
};

static const struct phone_case cases[] = {
	{"eight digits", "20304050", "+4520304050"},
	{"grouped in pairs", "20 30 40 50", "+4520304050"},
	{"with +45", "+4520304050", "+4520304050"},
	{"with +45 and spaces", "+45 2030 4050", "+4520304050"},
	{"with 0045", "004520304050", "+4520304050"},
	{"landline starting 3", "33123456", "+4533123456"},
	{"starting 9", "98765432", "+4598765432"},
	{"Swedish E.164", "+46701234567", "+46701234567"},
	{"German E.164 spaced", "+49 30 1234567", "+49301234567"},
	{"Danish starting 1", "12345678", NULL},
	{"Danish starting 0", "02345678", NULL},
	{"+45 starting 1", "+4512345678", NULL},
	{"+45 with 7 digits", "+452030405", NULL},
	{"seven digits", "2030405", NULL},
	{"nine digits without +", "203040506", NULL},
	{"E.164 too long", "+1234567890123456", NULL},
	{"E.164 too short", "+1234567", NULL},
	{"E.164 leading 0", "+0123456789", NULL},
	{"letters", "2030 40AB", NULL},
	{"dashes", "20-30-40-50", NULL},
	{"empty", "", NULL},
	{"plus only", "+", NULL},
};

static void test_phone_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct phone_case *c = &cases[i];
		char out[PHONE_LEN] = "";
		int ok = phone_normalise(c->text, out) == 0;
		if (ok != (c->normal != NULL) || (ok && strcmp(out, c->normal) != 0))
			fail_msg("%s: \"%s\" -> %s \"%s\"", c->scenario, c->text,
				 ok ? "accepted" : "rejected", out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_cases),
	};
	return cmocka_run_group_tests_name("phone", tests, NULL, NULL);
}
