/*
 * test_cpr.c - CPR validation: format, the century rule of the 7th digit,
 * real dates, no modulus 11. All numbers are synthetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpr.h"

struct cpr_case {
	const char *scenario;
	const char *text;
	enum cpr_result result;
	const char *birth; /* expected birth date when valid */
};

static const struct cpr_case cases[] = {
	{"1990s with dash", "010190-1234", CPR_OK, "1990-01-01"},
	{"without dash", "0101901234", CPR_OK, "1990-01-01"},
	{"no modulus 11 required", "150585-1111", CPR_OK, "1985-05-15"},
	{"digit 4, year 00 is 2000 (leap day)", "290200-4000", CPR_OK, "2000-02-29"},
	{"digit 1, year 00 is 1900 (no leap day)", "290200-1000", CPR_BAD_DATE, NULL},
	{"digit 4, year 37 is 1937", "010137-4000", CPR_OK, "1937-01-01"},
	{"digit 4, year 36 is 2036: future", "010136-4000", CPR_FUTURE, NULL},
	{"digit 9, year 10 is 2010", "010110-9000", CPR_OK, "2010-01-01"},
	{"digit 9, year 50 is 1950", "010150-9000", CPR_OK, "1950-01-01"},
	{"digit 5, year 58 is 1858", "010158-5000", CPR_OK, "1858-01-01"},
	{"digit 8, year 57 is 2057: future", "010157-8000", CPR_FUTURE, NULL},
	{"digit 6, year 05 is 2005", "241205-6000", CPR_OK, "2005-12-24"},
	{"digit 3, year 99 is 1999", "311299-3999", CPR_OK, "1999-12-31"},
	{"month 13", "011390-1234", CPR_BAD_DATE, NULL},
	{"month 00", "010090-1234", CPR_BAD_DATE, NULL},
	{"day 32", "320190-1234", CPR_BAD_DATE, NULL},
	{"31 April", "310490-1234", CPR_BAD_DATE, NULL},
	{"day 00", "000190-1234", CPR_BAD_DATE, NULL},
	{"dash in the wrong place", "01019-01234", CPR_BAD_FORMAT, NULL},
	{"space instead of dash", "010190 1234", CPR_BAD_FORMAT, NULL},
	{"letter", "01019a1234", CPR_BAD_FORMAT, NULL},
	{"nine digits", "010190123", CPR_BAD_FORMAT, NULL},
	{"eleven digits", "01019012345", CPR_BAD_FORMAT, NULL},
	{"empty", "", CPR_BAD_FORMAT, NULL},
};

static void test_cpr_cases(void **state)
{
	cal_day today, birth;
	char normal[CPR_LEN];

	(void)state;
	assert_int_equal(cal_day_parse("2026-11-23", &today), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cpr_case *c = &cases[i];
		enum cpr_result r = cpr_parse(c->text, today, normal, &birth);
		if (r != c->result)
			fail_msg("%s: got %d (%s), want %d", c->scenario, r, cpr_result_message(r),
				 c->result);
		if (r == CPR_OK) {
			char date[CAL_DATE_LEN];
			cal_day_format(birth, date);
			if (strcmp(date, c->birth) != 0)
				fail_msg("%s: birth %s, want %s", c->scenario, date, c->birth);
			if (strlen(normal) != 10 || strchr(normal, '-') != NULL)
				fail_msg("%s: normal form %s", c->scenario, normal);
		}
	}
}

static void test_born_today_is_valid(void **state)
{
	cal_day today, birth;
	char normal[CPR_LEN];

	(void)state;
	assert_int_equal(cal_day_parse("2026-11-23", &today), 0);
	assert_int_equal(cpr_parse("231126-4000", today, normal, &birth), CPR_OK);
	assert_int_equal(cpr_parse("241126-4000", today, normal, &birth), CPR_FUTURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpr_cases),
		cmocka_unit_test(test_born_today_is_valid),
	};
	return cmocka_run_group_tests_name("cpr", tests, NULL, NULL);
}
