/*
 * clock.c - wall clock, test clock and the process time zone (clock.h).
 */
#include "clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmalloc.h"

struct clock {
	bool test_mode;
	bool is_set;
	time_t set_to;
};

struct clock *clock_new(bool test_mode)
{
	struct clock *clock = xcalloc(1, sizeof *clock);

	clock->test_mode = test_mode;
	return clock;
}

void clock_free(struct clock *clock)
{
	free(clock);
}

time_t clock_now(const struct clock *clock)
{
	if (clock->test_mode && clock->is_set)
		return clock->set_to;
	return time(NULL);
}

bool clock_is_test(const struct clock *clock)
{
	return clock->test_mode;
}

int clock_set(struct clock *clock, time_t now, char **cause)
{
	if (!clock->test_mode) {
		xasprintf(cause, "the clock can only be set with --test-clock");
		return -1;
	}
	clock->set_to = now;
	clock->is_set = true;
	return 0;
}

struct timespec clock_deadline_in(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

bool clock_deadline_passed(const struct timespec *deadline)
{
	struct timespec now;

	if (deadline == NULL)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

double clock_elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

bool clock_timezone_known(const char *zone)
{
	const char *dir = getenv("TZDIR");
	struct stat st;
	char *path;
	bool found;

	/* Zone names are paths below the database; refuse anything that could
	 * walk out of it. */
	if (zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL)
		return false;
	xasprintf(&path, "%s/%s", dir != NULL ? dir : "/usr/share/zoneinfo", zone);
	found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return found;
}

int clock_use_timezone(const char *zone, char **cause)
{
	if (!clock_timezone_known(zone)) {
		xasprintf(cause, "time zone \"%s\" is not in the tz database (install tzdata)",
			  zone);
		return -1;
	}
	setenv("TZ", zone, 1);
	tzset();
	return 0;
}

static int parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *chars)
{
	if (**p == '\0' || strchr(chars, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

int clock_parse_rfc3339(const char *text, time_t *out)
{
	const char *p = text;
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
	struct tm tm = {0};

	if (parse_digits(&p, 4, &y) || expect(&p, "-") || parse_digits(&p, 2, &mo) ||
	    expect(&p, "-") || parse_digits(&p, 2, &d) || expect(&p, "Tt") ||
	    parse_digits(&p, 2, &h) || expect(&p, ":") || parse_digits(&p, 2, &mi) ||
	    expect(&p, ":") || parse_digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (parse_digits(&p, 2, &oh) || expect(&p, ":") || parse_digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s == 60 ? 59 : s; /* a leap second is the second before */
	time_t t = timegm(&tm);
	/* timegm normalises 31 Feb into March: a date that moved did not exist. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*out = t - sign * (oh * 3600 + om * 60);
	return 0;
}

int clock_minute_parse(const char *text)
{
	int h, m;

	if (text == NULL || strlen(text) != 5 || !isdigit((unsigned char)text[0]) ||
	    !isdigit((unsigned char)text[1]) || text[2] != ':' ||
	    !isdigit((unsigned char)text[3]) || !isdigit((unsigned char)text[4]))
		return -1;
	h = (text[0] - '0') * 10 + (text[1] - '0');
	m = (text[3] - '0') * 10 + (text[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

void clock_format_rfc3339(time_t t, char buf[CLOCK_RFC3339_LEN])
{
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	size_t n = strftime(buf, CLOCK_RFC3339_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, CLOCK_RFC3339_LEN - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
}
