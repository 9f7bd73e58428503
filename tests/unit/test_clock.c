/*
 * test_clock.c - the test clock, RFC 3339 parsing and the process zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

struct parse_case {
	const char *scenario;
	const char *text;
	int ok;
	time_t expect;
};

static const struct parse_case cases[] = {
	{"UTC Z", "2026-03-29T01:30:00Z", 1, 1774747800},
	{"CEST offset", "2026-03-29T03:30:00+02:00", 1, 1774747800},
	{"negative offset", "2026-03-28T21:30:00-04:00", 1, 1774747800},
	{"fraction ignored", "2026-03-29T01:30:00.123Z", 1, 1774747800},
	{"lower-case t and z", "2026-03-29t01:30:00z", 1, 1774747800},
	{"leap day", "2028-02-29T00:00:00Z", 1, 1835395200},
	{"no offset", "2026-03-29T01:30:00", 0, 0},
	{"date only", "2026-03-29", 0, 0},
	{"30 February", "2026-02-30T00:00:00Z", 0, 0},
	{"hour 24", "2026-03-29T24:00:00Z", 0, 0},
	{"offset without colon", "2026-03-29T01:30:00+0200", 0, 0},
	{"trailing junk", "2026-03-29T01:30:00Zx", 0, 0},
	{"empty", "", 0, 0},
	{"space instead of T", "2026-03-29 01:30:00Z", 0, 0},
};

static void test_rfc3339_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_t t = 0;
		int ok = clock_parse_rfc3339(cases[i].text, &t) == 0;
		if (ok != cases[i].ok || (ok && t != cases[i].expect))
			fail_msg("%s: \"%s\" ok=%d t=%lld", cases[i].scenario, cases[i].text, ok,
				 (long long)t);
	}
}

static void test_format_in_copenhagen_across_dst(void **state)
{
	char buf[CLOCK_RFC3339_LEN], *cause = NULL;

	(void)state;
	assert_int_equal(clock_use_timezone("Europe/Copenhagen", &cause), 0);
	clock_format_rfc3339(1774747800, buf); /* 2026-03-29T01:30Z, after the change */
	assert_string_equal(buf, "2026-03-29T03:30:00+02:00");
	clock_format_rfc3339(1774744200, buf); /* 00:30Z, before it */
	assert_string_equal(buf, "2026-03-29T01:30:00+01:00");
}

static void test_unknown_zone_is_refused(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(clock_use_timezone("Europe/Atlantis", &cause), -1);
	assert_non_null(strstr(cause, "Europe/Atlantis"));
	free(cause);
	cause = NULL;
	assert_int_equal(clock_use_timezone("../../etc/passwd", &cause), -1);
	free(cause);
}

/* The one HH:MM parser: the configuration's queue.publish_time and a
 * discharge's preferred call time both use it. */
static void test_minute_parse(void **state)
{
	static const struct {
		const char *text;
		int minute;
	} minutes[] = {
		{"00:00", 0}, {"09:30", 570}, {"23:59", 1439}, {"24:00", -1}, {"12:60", -1},
		{"9:30", -1}, {" 9:30", -1}, {"+9:30", -1}, {"09:30 ", -1}, {"09.30", -1},
		{"0930", -1}, {"", -1},	      {"ab:cd", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof minutes / sizeof minutes[0]; i++)
		if (clock_minute_parse(minutes[i].text) != minutes[i].minute)
			fail_msg("\"%s\": %d, not %d", minutes[i].text,
				 clock_minute_parse(minutes[i].text), minutes[i].minute);
	assert_int_equal(clock_minute_parse(NULL), -1);
}

static void test_clock_is_settable_only_in_test_mode(void **state)
{
	struct clock *real = clock_new(false), *test = clock_new(true);
	char *cause = NULL;
	time_t before = time(NULL);

	(void)state;
	assert_int_equal(clock_set(real, 1000, &cause), -1);
	free(cause);
	assert_true(clock_now(real) >= before);
	/* Until set, the test clock is the wall clock; then it stays put. */
	assert_true(clock_now(test) >= before);
	assert_int_equal(clock_set(test, 1774747800, &cause), 0);
	assert_int_equal(clock_now(test), 1774747800);
	assert_int_equal(clock_now(test), 1774747800);
	clock_free(real);
	clock_free(test);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_parse),
		cmocka_unit_test(test_format_in_copenhagen_across_dst),
		cmocka_unit_test(test_unknown_zone_is_refused),
		cmocka_unit_test(test_clock_is_settable_only_in_test_mode),
		cmocka_unit_test(test_minute_parse),
	};
	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
