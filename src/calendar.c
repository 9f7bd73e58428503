/*
 * calendar.c - local dates, Danish public holidays and working days
 * (calendar.h).
 *
 * Civil dates are converted with Howard Hinnant's days_from_civil and
 * civil_from_days rather than timegm/gmtime_r: they are plain integer
 * arithmetic, so they need no time_t (32 bits on Debian 12 armhf, which would
 * end every date in 2038) and no feature-test macros beyond localtime_r.
 */
#ifndef _POSIX_C_SOURCE
/* localtime_r is POSIX; -std=c11 alone hides it. */
#define _POSIX_C_SOURCE 200809L
#endif

#include "calendar.h"

/* The years a "YYYY-MM-DD" can write; cal_day_from_ymd refuses the rest so
 * that every day it makes formats and parses back to itself. */
#define CAL_YEAR_MIN 1
#define CAL_YEAR_MAX 9999

/* Store Bededag was abolished as a public holiday from 2024. */
#define CAL_LAST_STORE_BEDEDAG 2023

/* Division rounding towards minus infinity: C's rounds towards zero, which
 * breaks month and Easter arithmetic for negative values. */
static int64_t cal_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t cal_floor_mod(int64_t a, int64_t b)
{
	return a - cal_floor_div(a, b) * b;
}

static bool cal_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int cal_days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && cal_is_leap(y))
		return 29;
	return days[m - 1];
}

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
static int64_t cal_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2; /* count years from March so 29 Feb is the year's last day */
	era = cal_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void cal_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468; /* shift the epoch to 0000-03-01 */
	era = cal_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int cal_day_from_ymd(int year, int month, int day, cal_day *out)
{
	if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX || month < 1 || month > 12)
		return -1;
	if (day < 1 || day > cal_days_in_month(year, month))
		return -1;
	*out = (cal_day)cal_days_from_civil(year, month, day);
	return 0;
}

void cal_day_to_ymd(cal_day d, int *year, int *month, int *day)
{
	int64_t y;

	/* Any int32 day is within a few million years: y fits an int. */
	cal_civil_from_days(d, &y, month, day);
	*year = (int)y;
}

/* Exactly n ASCII digits; stops at the first other byte, so it never reads
 * past the string's end. isdigit() is avoided on purpose: nothing but 0-9. */
static int cal_parse_digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* "MM-DD" at p, shape only; what follows is the caller's business. */
static int cal_parse_month_day(const char *p, int *month, int *day)
{
	if (cal_parse_digits(p, 2, month) != 0 || p[2] != '-' ||
	    cal_parse_digits(p + 3, 2, day) != 0)
		return -1;
	return 0;
}

/* "YYYY-MM-DD" and nothing after it, shape only. */
static int cal_parse_ymd(const char *p, int *year, int *month, int *day)
{
	if (cal_parse_digits(p, 4, year) != 0 || p[4] != '-' ||
	    cal_parse_month_day(p + 5, month, day) != 0 || p[10] != '\0')
		return -1;
	return 0;
}

int cal_day_parse(const char *text, cal_day *out)
{
	int y, m, d;

	if (cal_parse_ymd(text, &y, &m, &d) != 0)
		return -1;
	return cal_day_from_ymd(y, m, d, out);
}

void cal_day_format(cal_day d, char buf[CAL_DATE_LEN])
{
	int y, m, dd;

	cal_day_to_ymd(d, &y, &m, &dd);
	/* Only arithmetic gone wrong leaves the 4-digit years. Write a date that
	 * cal_day_parse refuses, so the error surfaces instead of a plausible
	 * wrong (truncated) date being stored. */
	if (y < CAL_YEAR_MIN || y > CAL_YEAR_MAX)
		y = m = dd = 0;
	/* By hand: every intake formats eight dates, and snprintf cost ten
	 * times what this does. */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + dd / 10);
	buf[9] = (char)('0' + dd % 10);
	buf[10] = '\0';
}

int cal_weekday(cal_day d)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	return (int)cal_floor_mod((int64_t)d + 3, 7) + 1;
}

/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). Floor division
 * keeps it defined for every year a cal_day can fall in, even though only
 * years from 1583 mean anything. */
static int64_t cal_easter_days(int64_t y)
{
	int64_t a, b, c, d, e, f, g, h, i, k, l, m, n;

	a = cal_floor_mod(y, 19);
	b = cal_floor_div(y, 100);
	c = cal_floor_mod(y, 100);
	d = cal_floor_div(b, 4);
	e = cal_floor_mod(b, 4);
	f = cal_floor_div(b + 8, 25);
	g = cal_floor_div(b - f + 1, 3);
	h = cal_floor_mod(19 * a + b - d - g + 15, 30);
	i = c / 4;
	k = c % 4;
	l = cal_floor_mod(32 + 2 * e + 2 * i - h - k, 7);
	m = (a + 11 * h + 22 * l) / 451;
	n = h + l - 7 * m + 114;
	return cal_days_from_civil(y, (int)(n / 31), (int)(n % 31 + 1));
}

cal_day cal_easter_sunday(int year)
{
	return (cal_day)cal_easter_days(year);
}

bool cal_is_public_holiday(cal_day d)
{
	int64_t y, off;
	int m, dd;

	cal_civil_from_days(d, &y, &m, &dd);
	if ((m == 1 && dd == 1) || (m == 12 && (dd == 25 || dd == 26)))
		return true;
	off = d - cal_easter_days(y);
	switch (off) {
	case -3: /* Skærtorsdag, Maundy Thursday */
	case -2: /* Langfredag, Good Friday */
	case 0:	 /* Påskedag */
	case 1:	 /* 2. påskedag */
	case 39: /* Kristi himmelfartsdag, Ascension */
	case 49: /* Pinsedag, Whit Sunday */
	case 50: /* 2. pinsedag */
		return true;
	case 26: /* Store Bededag */
		return y <= CAL_LAST_STORE_BEDEDAG;
	}
	return false;
}

bool cal_is_closure_day(const struct cal_closures *closures, cal_day d)
{
	const struct cal_closure *c;
	int64_t y;
	int m, dd;

	if (closures == NULL)
		return false;
	cal_civil_from_days(d, &y, &m, &dd);
	/* count is bounded too, so a corrupt count cannot read past days[]. */
	for (size_t i = 0; i < closures->count && i < CAL_MAX_CLOSURES; i++) {
		c = &closures->days[i];
		if (c->month == m && c->day == dd && (c->year == 0 || c->year == y))
			return true;
	}
	return false;
}

bool cal_is_working_day(const struct cal_closures *closures, cal_day d)
{
	return cal_weekday(d) <= 5 && !cal_is_public_holiday(d) && !cal_is_closure_day(closures, d);
}

cal_day cal_next_working_day(const struct cal_closures *closures, cal_day d)
{
	/* Ends within weeks: at most 64 closures, ~10 holidays a year. The
	 * bound only keeps d + 1 from overflowing. */
	while (!cal_is_working_day(closures, d) && d < INT32_MAX)
		d++;
	return d;
}

cal_day cal_add_months(cal_day d, int months)
{
	int64_t y, index;
	int m, dd, last;

	cal_civil_from_days(d, &y, &m, &dd);
	/* Months counted from year 0 make carrying into years one division,
	 * whichever the sign of months. */
	index = y * 12 + (m - 1) + months;
	y = cal_floor_div(index, 12);
	m = (int)cal_floor_mod(index, 12) + 1;
	last = cal_days_in_month(y, m);
	if (dd > last)
		dd = last;
	return (cal_day)cal_days_from_civil(y, m, dd);
}

int cal_closure_parse(const char *text, struct cal_closure *out)
{
	int y, m, d;
	cal_day unused;

	if (cal_parse_month_day(text, &m, &d) == 0 && text[5] == '\0') {
		/* Every year: 29 Feb is allowed and simply never closes a
		 * common year, so check the day against a leap year. */
		if (cal_day_from_ymd(2000, m, d, &unused) != 0)
			return -1;
		y = 0;
	} else if (cal_parse_ymd(text, &y, &m, &d) != 0 ||
		   cal_day_from_ymd(y, m, d, &unused) != 0) {
		return -1;
	}
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

cal_day cal_day_of_instant(time_t t)
{
	struct tm tm;

	/* localtime_r fails only when the year overflows an int, far outside
	 * any instant mentord handles; the UTC day beats reading an unset tm. */
	if (localtime_r(&t, &tm) == NULL)
		return (cal_day)cal_floor_div(t, 86400);
	return (cal_day)cal_days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
