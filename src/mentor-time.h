/*
 * mentor-time.h - what a mentor's time costs: their employment terms as a
 * history (internal or external, an hourly rate) and the time they record
 * per week besides their calls (doc/programmes.md, "Time and cost").
 *
 * Contract:
 *  - Money is whole øre (int64_t) everywhere: the API's kroner ("450.50"
 *    or 450.5) are parsed to øre with at most two decimals, never kept as
 *    floating point.
 *  - The terms in force on a day are the row with the latest valid_from
 *    on or before it (the latest written on a tie); before a mentor's
 *    first row they are internal without a rate. A change never rewrites a
 *    row: it adds one, so last year's report keeps last year's terms.
 *  - An external mentor has a rate; an internal one may have one (the
 *    municipality's own hourly cost of the mentor), or none: their time
 *    then counts in hours but not in cost.
 *  - Weekly time is time *besides* calls: a call's duration_minutes is
 *    counted on the call, so a week's entry must not repeat it. An entry
 *    belongs to an ISO week (its Monday is stored) and to a programme (the
 *    course's, when it names one).
 *  - Writes never commit: the caller's job holds the transaction. Errors
 *    are struct error (error.h), ERROR_INVALID naming the field.
 */
#ifndef MENTORD_MENTOR_TIME_H
#define MENTORD_MENTOR_TIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "error.h"

struct store;

#define MENTOR_TIME_NO_RATE (-1)
/* A rate above 100,000 kr an hour is a typing error, not a contract. */
#define MENTOR_TIME_RATE_MAX (100000 * 100)
#define MENTOR_TIME_WEEK_MINUTES (7 * 24 * 60)
#define MENTOR_TIME_KR_LEN 32
#define MENTOR_TIME_WEEK_LEN 16 /* "2026-W49" + NUL, with room for any int */

struct mentor_terms {
	cal_day valid_from; /* CAL_NO_DAY: no row, the default */
	bool external;
	int64_t hourly_rate; /* øre, or MENTOR_TIME_NO_RATE */
};

/* Kroner as a JSON string ("450.50", "450") or number (450.5), at most two
 * decimals, 0 to MENTOR_TIME_RATE_MAX øre; -1 otherwise. */
int mentor_time_parse_kr(const json_t *value, int64_t *ore);
/* øre as kroner with two decimals: 45050 -> "450.50". */
void mentor_time_format_kr(int64_t ore, char buf[MENTOR_TIME_KR_LEN]);

/* "2026-W49" (an ISO week that exists) or a date "YYYY-MM-DD" (its week):
 * the week's Monday; -1 otherwise. */
int mentor_time_week_parse(const char *text, cal_day *monday);
/* The ISO week of a day, "2026-W49"; *iso_year is the year it belongs to
 * (2020-W53 runs into January 2021 and belongs to 2020). */
void mentor_time_week_format(cal_day day, char buf[MENTOR_TIME_WEEK_LEN]);
int mentor_time_iso_year(cal_day day);

/* The terms in force on day. */
int mentor_time_terms_at(struct store *store, int64_t mentor_id, cal_day day,
			 struct mentor_terms *out, struct error *err);
/* Add a terms row (validated: an external mentor needs a rate). */
int mentor_time_terms_add(struct store *store, int64_t mentor_id, const struct mentor_terms *t,
			  const char *author, time_t now, struct error *err);
/* The terms' members of a mentor in the API: external, hourly_rate
 * (kroner as a string, or null), terms_from (or null). */
void mentor_time_terms_json(json_t *mentor, const struct mentor_terms *t);

struct mentor_time_entry {
	int64_t mentor_id;
	int64_t course_id; /* 0: none */
	const char *programme;
	cal_day week_start;
	int minutes;
	const char *note; /* or NULL */
	const char *author;
	time_t at;
};

/* The programme and mentor (0: none) of a course, for an entry that names
 * it; ERROR_NOT_FOUND naming course_id when there is none. */
#define MENTOR_TIME_PROGRAMME_LEN 64
int mentor_time_course(struct store *store, int64_t course_id,
		       char programme[MENTOR_TIME_PROGRAMME_LEN], int64_t *mentor_id,
		       struct error *err);

int mentor_time_add(struct store *store, const struct mentor_time_entry *e, int64_t *id,
		    struct error *err);
/* One entry as the API shows it. */
int mentor_time_get(struct store *store, int64_t id, json_t **out, struct error *err);
/* A mentor's entries of the weeks starting from..to (inclusive Mondays'
 * range), oldest first, and their sum in *minutes. */
int mentor_time_list(struct store *store, int64_t mentor_id, cal_day from, cal_day to,
		     json_t **entries, int64_t *minutes, struct error *err);

#endif
