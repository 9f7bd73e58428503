/*
 * test_log.c - the scrubber that keeps CPR and phone numbers out of logs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

struct scrub_case {
	const char *scenario;
	const char *in;
	const char *out;
};

static const struct scrub_case cases[] = {
	{"plain text untouched", "course 12 created", "course 12 created"},
	{"CPR with dash", "cpr 010190-1234 bad", "cpr [redacted] bad"},
	{"CPR without dash", "cpr=0101901234.", "cpr=[redacted]."},
	{"Danish phone", "call 20304050 now", "call [redacted] now"},
	{"E.164 phone", "to +4520304050", "to [redacted]"},
	{"spaced phone", "tel 20 30 40 50!", "tel [redacted]!"},
	{"foreign E.164", "+46701234567", "[redacted]"},
	{"ISO date kept", "due 2026-04-02 ok", "due 2026-04-02 ok"},
	{"seven digits kept", "id 1234567", "id 1234567"},
	{"time kept", "at 07:30:00", "at 07:30:00"},
	{"plus alone kept", "a+b", "a+b"},
	{"two numbers", "20304050 and 010190-1234", "[redacted] and [redacted]"},
};

static void test_scrub_cases(void **state)
{
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		log_scrub(cases[i].in, buf, sizeof buf);
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("%s: \"%s\" -> \"%s\", want \"%s\"", cases[i].scenario,
				 cases[i].in, buf, cases[i].out);
	}
}

static void test_scrub_truncates_safely(void **state)
{
	char buf[6];

	(void)state;
	log_scrub("abcdefghij", buf, sizeof buf);
	assert_string_equal(buf, "abcde");
	log_scrub("x 20304050", buf, sizeof buf);
	assert_null(strstr(buf, "2030"));
}

static void test_level_names(void **state)
{
	int level = -1;

	(void)state;
	assert_int_equal(log_level_parse("warning", &level), 0);
	assert_int_equal(level, LOG_WARNING);
	assert_int_equal(log_level_parse("debug", &level), 0);
	assert_int_equal(level, LOG_DEBUG);
	assert_int_equal(log_level_parse("verbose", &level), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub_cases),
		cmocka_unit_test(test_scrub_truncates_safely),
		cmocka_unit_test(test_level_names),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
