/*
 * calendar.h - local dates, Danish public holidays and working days.
 *
 * Contract:
 *  - A cal_day is a civil date counted in days since 1970-01-01. It carries
 *    no time and no zone: it is "a date on the wall calendar in Copenhagen".
 *    Arithmetic on cal_day is plain integer arithmetic, so adding 7 days can
 *    never be shifted by a DST change.
 *  - The only conversion from an instant (time_t) to a cal_day is
 *    cal_day_of_instant(), which uses the process time zone that clock.c set
 *    from the configuration (the system tz database, not a fixed offset).
 *  - Working day: Monday-Friday that is not a Danish public holiday
 *    (doc/scheduling.md) and not a configured closure day.
 *  - Functions that take text validate it and return -1 on bad input; none
 *    of them print or allocate.
 */
#ifndef MENTORD_CALENDAR_H
#define MENTORD_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef int32_t cal_day;

/* "No date" wherever a cal_day is optional. */
#define CAL_NO_DAY ((cal_day)INT32_MIN)

#define CAL_DATE_LEN 11 /* "YYYY-MM-DD" + NUL */
#define CAL_MAX_CLOSURES 64

/* A closure day either repeats every year (year == 0) or is one date. */
struct cal_closure {
	int year; /* 0 = every year */
	int month;
	int day;
};

struct cal_closures {
	struct cal_closure days[CAL_MAX_CLOSURES];
	size_t count;
};

/* Build a day from year/month/day; -1 if the date does not exist. */
int cal_day_from_ymd(int year, int month, int day, cal_day *out);
void cal_day_to_ymd(cal_day d, int *year, int *month, int *day);

/* Strict "YYYY-MM-DD" parse and format. */
int cal_day_parse(const char *text, cal_day *out);
void cal_day_format(cal_day d, char buf[CAL_DATE_LEN]);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int cal_weekday(cal_day d);

/* Gregorian Easter Sunday of a year. */
cal_day cal_easter_sunday(int year);

bool cal_is_public_holiday(cal_day d);
bool cal_is_closure_day(const struct cal_closures *closures, cal_day d);
bool cal_is_working_day(const struct cal_closures *closures, cal_day d);

/* The first working day on or after d. */
cal_day cal_next_working_day(const struct cal_closures *closures, cal_day d);

/* d + months calendar months, clamped to the month's last day
 * (31 Aug + 6 months = 28 or 29 Feb). */
cal_day cal_add_months(cal_day d, int months);

/* Parse a closure: "MM-DD" (every year) or "YYYY-MM-DD" (one date). */
int cal_closure_parse(const char *text, struct cal_closure *out);

/* The local calendar date of an instant in the process time zone. */
cal_day cal_day_of_instant(time_t t);

#endif
