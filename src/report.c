/*
 * report.c - the key figures of a period (report.h).
 *
 * Each figure is an aggregate query over the period. Only the working-day
 * test needs the calendar (holidays and configured closures), so the
 * first-reached query returns one row per course, two dates and a flag and
 * nothing that identifies anyone, and the median and share are taken here.
 */
#include "report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "course.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* The period is ?1 (NULL: no lower bound) to ?2, inclusive. */
#define REPORT_IN_PERIOD(column) "(?1 IS NULL OR " column " >= ?1) AND " column " <= ?2"
/* A course counts in the period of the discharge its notification gave
 * (a readmission moves its window, not its period), a referral made
 * during the stay in that of the day it was received. */
#define REPORT_COURSE_DAY \
	"coalesce(notified_discharge_date, date(created_at, 'unixepoch', 'localtime'))"

/* ?3: the courses of one programme (doc/programmes.md), NULL: all. */
#define REPORT_PROGRAMME(column) " AND (?3 IS NULL OR " column " = ?3)"
#define REPORT_CALL_PROGRAMME(column) \
	" AND (?3 IS NULL OR " column " IN (SELECT id FROM courses WHERE programme = ?3))"

static const char report_states_sql[] =
	"SELECT state, source, count(*) FROM courses"
	" WHERE " REPORT_IN_PERIOD(REPORT_COURSE_DAY)
		REPORT_PROGRAMME("programme") " GROUP BY state, source";

static const char report_programmes_sql[] =
	"SELECT programme, count(*) FROM courses"
	" WHERE " REPORT_IN_PERIOD(REPORT_COURSE_DAY)
		REPORT_PROGRAMME("programme") " GROUP BY programme ORDER BY programme";

static const char report_courses_sql[] = "WITH period AS (SELECT id FROM courses WHERE " REPORT_IN_PERIOD(
	REPORT_COURSE_DAY)
	REPORT_PROGRAMME(
		"programme") ")"
			     " SELECT (SELECT count(*) FROM calls k JOIN period p ON p.id = k.course_id"
			     "         WHERE k.result IS NOT NULL),"
			     "        (SELECT count(DISTINCT l.course_id) FROM course_log l"
			     "         JOIN period p ON p.id = l.course_id WHERE l.kind = 'resumed')";

/* Per course with a reached call: the discharge date, the date of the
 * first reached call, and whether that call ended the course (declined,
 * or reached with "next": "end", which only its outcome log entry keeps:
 * the last one, when the outcome was corrected). */
static const char report_first_reached_sql[] =
	"SELECT c.discharge_date, k.call_date, k.result = 'declined' OR coalesce(("
	"   SELECT json_extract(l.details, '$.next') = 'end' FROM course_log l"
	"   WHERE l.course_id = c.id AND l.kind IN ('outcome', 'outcome_corrected')"
	"   AND json_extract(l.details, '$.call_id') = k.id ORDER BY l.id DESC LIMIT 1), 0)"
	" FROM courses c JOIN calls k ON k.id = ("
	"   SELECT f.id FROM calls f WHERE f.course_id = c.id AND f.result IN " REPORT_REACHED
	"   ORDER BY f.call_date, f.id LIMIT 1)"
	" WHERE " REPORT_IN_PERIOD("c.discharge_date") REPORT_PROGRAMME("c.programme");

static const char report_calls_sql[] =
	"SELECT count(*), count(*) FILTER (WHERE result IN " REPORT_REACHED ")"
	" FROM calls WHERE result IS NOT NULL AND " REPORT_IN_PERIOD("call_date")
		REPORT_CALL_PROGRAMME("course_id");

static const char report_topics_sql[] =
	"SELECT t.value, count(*) FROM calls k, json_each(k.topics) t"
	" WHERE k.result IS NOT NULL AND t.type = 'text' AND " REPORT_IN_PERIOD("k.call_date")
		REPORT_CALL_PROGRAMME("k.course_id") " GROUP BY t.value ORDER BY t.value";

/* Deleted offers count as well: the referral was made all the same. */
static const char report_categories_sql[] =
	"SELECT o.category, count(*) FROM calls k, json_each(k.offers) j"
	" JOIN offers o ON o.id = j.value"
	" WHERE k.result IS NOT NULL AND j.type = 'integer' AND " REPORT_IN_PERIOD("k.call_date")
		REPORT_CALL_PROGRAMME("k.course_id") " GROUP BY o.category ORDER BY o.category";

static const char report_concerns_sql[] =
	"SELECT count(*) FROM concerns n JOIN calls k ON k.id = n.call_id"
	" WHERE " REPORT_IN_PERIOD("k.call_date") REPORT_CALL_PROGRAMME("n.course_id");

/* The statements are the store's cached ones: bound here, reset by
 * report_done. */
static int report_prepare(struct store *store, const char *sql, const struct report_summary *r,
			  sqlite3_stmt **stmt, struct error *err)
{
	if ((*stmt = store_statement(store, sql, err)) == NULL)
		return -1;
	sql_bind_day(*stmt, 1, r->from);
	sql_bind_day(*stmt, 2, r->to);
	sql_bind_text(*stmt, 3, r->programme);
	return 0;
}

/* Reset stmt after its last step returned rc. */
static int report_done(struct store *store, sqlite3_stmt *stmt, int rc, struct error *err)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		sql_error(err, store_db(store), "report");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static double report_share(int64_t part, int64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : NAN;
}

static int report_states(struct store *store, struct report_summary *r, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (report_prepare(store, report_states_sql, r, &s, err) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		const char *source = (const char *)sqlite3_column_text(s, 1);
		int64_t n = sqlite3_column_int64(s, 2);

		if (source != NULL && strcmp(source, "self_referral") == 0)
			r->self_referrals += n;
		else if (source != NULL && strcmp(source, "referral") == 0)
			r->referrals += n;
		else
			r->discharges += n;
		for (int i = 0; i < REPORT_STATES && state != NULL; i++)
			if (strcmp(state, course_state_name((enum course_state)i)) == 0)
				r->by_state[i] += n;
	}
	return report_done(store, s, rc, err);
}

static int report_courses(struct store *store, struct report_summary *r, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (report_prepare(store, report_courses_sql, r, &s, err) != 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->course_calls = sqlite3_column_int64(s, 0);
		r->resumed_courses = sqlite3_column_int64(s, 1);
	}
	r->calls_per_course =
		report_share(r->course_calls, r->discharges + r->self_referrals + r->referrals);
	return report_done(store, s, rc, err);
}

static int report_cmp_days(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The median of n day counts (sorts them); the mean of the middle two
 * when n is even. */
static double report_median(int *days, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(days, n, sizeof *days, report_cmp_days);
	if (n % 2 == 1)
		return days[n / 2];
	return (days[n / 2 - 1] + days[n / 2]) / 2.0;
}

/* The last day still within REPORT_WORKING_DAYS working days of d: a
 * discharge on a Friday has Monday and Tuesday. */
static cal_day report_deadline(const struct cal_closures *closures, cal_day d)
{
	for (int i = 0; i < REPORT_WORKING_DAYS; i++)
		d = cal_next_working_day(closures, d + 1);
	return d;
}

static int report_first_reached(struct store *store, const struct cal_closures *closures,
				struct report_summary *r, struct error *err)
{
	sqlite3_stmt *s;
	int *days = NULL, rc;
	size_t n = 0, size = 0;
	int64_t in_time = 0;

	if (report_prepare(store, report_first_reached_sql, r, &s, err) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cal_day discharge = sql_column_day(s, 0), reached = sql_column_day(s, 1);

		if (discharge == CAL_NO_DAY || reached == CAL_NO_DAY)
			continue;
		if (n == size) {
			size = size == 0 ? 64 : size * 2;
			days = xrealloc(days, size * sizeof *days);
		}
		days[n++] = reached - discharge;
		if (reached <= report_deadline(closures, discharge))
			in_time++;
		if (sqlite3_column_int(s, 2) != 0)
			r->ended_at_first_call++;
	}
	r->reached_courses = (int64_t)n;
	r->days_to_reach_median = report_median(days, n);
	r->reached_in_time_share = report_share(in_time, r->reached_courses);
	r->ended_at_first_call_share = report_share(r->ended_at_first_call, r->reached_courses);
	free(days);
	return report_done(store, s, rc, err);
}

static int report_calls(struct store *store, struct report_summary *r, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (report_prepare(store, report_calls_sql, r, &s, err) != 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->calls_with_outcome = sqlite3_column_int64(s, 0);
		r->calls_reached = sqlite3_column_int64(s, 1);
	}
	r->reach_rate = report_share(r->calls_reached, r->calls_with_outcome);
	return report_done(store, s, rc, err);
}

static int report_concerns(struct store *store, struct report_summary *r, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (report_prepare(store, report_concerns_sql, r, &s, err) != 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		r->concerns = sqlite3_column_int64(s, 0);
	return report_done(store, s, rc, err);
}

/* Rows of (name, count) into a list. */
static int report_counts(struct store *store, const char *sql, const struct report_summary *r,
			 struct report_count **list, size_t *count, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (report_prepare(store, sql, r, &s, err) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name == NULL)
			continue;
		*list = xrealloc(*list, (*count + 1) * sizeof **list);
		(*list)[*count].name = xstrdup(name);
		(*list)[*count].count = sqlite3_column_int64(s, 1);
		(*count)++;
	}
	return report_done(store, s, rc, err);
}

int report_summary(struct store *store, const struct cal_closures *closures, cal_day from,
		   cal_day to, struct report_summary **out, struct error *err)
{
	return report_summary_of(store, closures, from, to, NULL, out, err);
}

int report_summary_of(struct store *store, const struct cal_closures *closures, cal_day from,
		      cal_day to, const char *programme, struct report_summary **out,
		      struct error *err)
{
	struct report_summary *r = xcalloc(1, sizeof *r);

	r->from = from;
	r->to = to;
	r->programme = programme != NULL ? xstrdup(programme) : NULL;
	if (report_counts(store, report_programmes_sql, r, &r->programmes, &r->nprogrammes, err) !=
		    0 ||
	    report_states(store, r, err) != 0 || report_courses(store, r, err) != 0 ||
	    report_first_reached(store, closures, r, err) != 0 ||
	    report_calls(store, r, err) != 0 || report_concerns(store, r, err) != 0 ||
	    report_counts(store, report_topics_sql, r, &r->topics, &r->ntopics, err) != 0 ||
	    report_counts(store, report_categories_sql, r, &r->categories, &r->ncategories, err) !=
		    0) {
		report_summary_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void report_summary_free(struct report_summary *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ntopics; i++)
		free(r->topics[i].name);
	for (size_t i = 0; i < r->ncategories; i++)
		free(r->categories[i].name);
	for (size_t i = 0; i < r->nprogrammes; i++)
		free(r->programmes[i].name);
	free(r->topics);
	free(r->categories);
	free(r->programmes);
	free(r->programme);
	free(r);
}

static json_t *report_day_json(cal_day day)
{
	char text[CAL_DATE_LEN];

	if (day == CAL_NO_DAY)
		return json_null();
	cal_day_format(day, text);
	return json_string(text);
}

/* A share, mean or median to 4 decimals, or null without one. */
static json_t *report_real_json(double x)
{
	if (isnan(x))
		return json_null();
	return json_real(round(x * 10000.0) / 10000.0);
}

static json_t *report_counts_json(const struct report_count *list, size_t n)
{
	json_t *object = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(object, list[i].name, json_integer(list[i].count));
	return object;
}

json_t *report_summary_json(const struct report_summary *r)
{
	json_t *states = json_object(), *reached;

	for (int i = 0; i < REPORT_STATES; i++)
		json_object_set_new(states, course_state_name((enum course_state)i),
				    json_integer(r->by_state[i]));
	reached =
		json_pack("{s:I, s:o, s:o}", "courses", (json_int_t)r->reached_courses, "median",
			  report_real_json(r->days_to_reach_median), "share_within_2_working_days",
			  report_real_json(r->reached_in_time_share));
	json_t *out = json_pack(
		"{s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:o, s:o, s:I}", "from",
		report_day_json(r->from), "to", report_day_json(r->to), "discharges_received",
		(json_int_t)r->discharges, "self_referrals", (json_int_t)r->self_referrals,
		"courses_by_state", states, "days_to_first_reached_call", reached,
		"calls_per_course", report_real_json(r->calls_per_course), "calls_with_outcome",
		(json_int_t)r->calls_with_outcome, "reach_rate", report_real_json(r->reach_rate),
		"ended_at_first_call_share", report_real_json(r->ended_at_first_call_share),
		"resumed_courses", (json_int_t)r->resumed_courses, "topics",
		report_counts_json(r->topics, r->ntopics), "offers_by_category",
		report_counts_json(r->categories, r->ncategories), "concerns",
		(json_int_t)r->concerns);
	/* doc/programmes.md: which programme, and the courses of each. */
	json_object_set_new(out, "programme",
			    r->programme != NULL ? json_string(r->programme) : json_null());
	json_object_set_new(out, "referrals_received", json_integer(r->referrals));
	json_object_set_new(out, "courses_by_programme",
			    report_counts_json(r->programmes, r->nprogrammes));
	return out;
}
