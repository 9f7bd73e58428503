/*
 * clock.h - the one source of "now" for everything mentord decides.
 *
 * Contract:
 *  - clock_now() is the wall clock, unless the clock was made in test mode
 *    and clock_set() was called: then it is the set instant, frozen until the
 *    next clock_set(), so scenario tests are exact.
 *  - clock_set() fails unless the clock is in test mode (mentord
 *    --test-clock); production code has no way to move time.
 *  - clock_use_timezone() makes a tz database zone the process zone, which is
 *    what calendar.c's local dates mean. An unknown zone is an error rather
 *    than glibc's silent fall back to UTC.
 */
#ifndef MENTORD_CLOCK_H
#define MENTORD_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct clock;

struct clock *clock_new(bool test_mode);
void clock_free(struct clock *clock);

time_t clock_now(const struct clock *clock);
bool clock_is_test(const struct clock *clock);
int clock_set(struct clock *clock, time_t now, char **cause);

/* Deadlines for bounding work (a job's chunk), on CLOCK_MONOTONIC: never
 * for decisions, which use clock_now(). A NULL deadline never passes. */
struct timespec clock_deadline_in(long ms);
bool clock_deadline_passed(const struct timespec *deadline);
/* Milliseconds since a CLOCK_MONOTONIC instant (clock_deadline_in(0)). */
double clock_elapsed_ms(const struct timespec *since);

int clock_use_timezone(const char *zone, char **cause);
/* Whether zone names a zone file of the tz database (TZDIR honoured). */
bool clock_timezone_known(const char *zone);

/* RFC 3339 date-time with "Z" or a numeric offset; fractions ignored. */
int clock_parse_rfc3339(const char *text, time_t *out);
#define CLOCK_RFC3339_LEN 26
/* Local time with its offset, e.g. 2026-11-23T20:15:00+01:00. */
void clock_format_rfc3339(time_t t, char buf[CLOCK_RFC3339_LEN]);

/* A time of day as people write it in the configuration and the API:
 * exactly "HH:MM", 00:00 to 23:59, two digits each. Minutes after
 * midnight, or -1 for anything else (NULL, " 9:30", "9:30", "24:00"). */
int clock_minute_parse(const char *text);

#endif
