/*
 * report-yearly.c - the yearly figures: the arithmetic, pure, and the
 * reads that feed it (report-yearly.h).
 */
#include "report-yearly.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "mentor-time.h"
#include "programme.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

struct terms_row {
	int64_t mentor_id;
	cal_day valid_from;
	bool external;
	int64_t hourly_rate;
};

struct report_yearly {
	int from, to, nyears;
	cal_day today;
	struct report_yearly_row *rows; /* nprogrammes * nyears */
	size_t nprogrammes;
	struct report_yearly_row *totals; /* nyears */
	struct terms_row *terms;
	size_t nterms;
};

static const char *const kind_names[REPORT_YEARLY_NKINDS] = {"internal", "external", "unassigned"};

struct report_yearly *report_yearly_new(int from_year, int to_year, cal_day today)
{
	struct report_yearly *r = xcalloc(1, sizeof *r);

	r->from = from_year;
	r->to = to_year;
	r->nyears = to_year - from_year + 1;
	r->today = today;
	r->totals = xcalloc((size_t)r->nyears, sizeof *r->totals);
	for (int y = 0; y < r->nyears; y++)
		r->totals[y].year = from_year + y;
	return r;
}

void report_yearly_free(struct report_yearly *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nprogrammes * (size_t)r->nyears; i++) {
		free(r->rows[i].programme);
		free(r->rows[i].name);
	}
	free(r->rows);
	free(r->totals);
	free(r->terms);
	free(r);
}

void report_yearly_programme(struct report_yearly *r, const char *id, const char *name)
{
	size_t n = (size_t)r->nyears, base = r->nprogrammes * n;

	r->rows = xrealloc(r->rows, (base + n) * sizeof *r->rows);
	memset(&r->rows[base], 0, n * sizeof *r->rows);
	for (size_t y = 0; y < n; y++) {
		r->rows[base + y].programme = xstrdup(id);
		r->rows[base + y].name = xstrdup(name != NULL ? name : id);
		r->rows[base + y].year = r->from + (int)y;
	}
	r->nprogrammes++;
}

/* The programme's row of year y (y within from..to). */
static struct report_yearly_row *row_of(struct report_yearly *r, const char *programme, int year)
{
	size_t n = (size_t)r->nyears;

	for (size_t p = 0; p < r->nprogrammes; p++)
		if (strcmp(r->rows[p * n].programme, programme) == 0)
			return &r->rows[p * n + (size_t)(year - r->from)];
	report_yearly_programme(r, programme, NULL);
	return &r->rows[(r->nprogrammes - 1) * n + (size_t)(year - r->from)];
}

void report_yearly_terms(struct report_yearly *r, int64_t mentor_id, cal_day valid_from,
			 bool external, int64_t hourly_rate)
{
	r->terms = xrealloc(r->terms, (r->nterms + 1) * sizeof *r->terms);
	r->terms[r->nterms++] = (struct terms_row){mentor_id, valid_from, external, hourly_rate};
}

/* The terms of mentor on day: the last row of the mentor's with valid_from
 * on or before it; NULL before the first, which means internal without a
 * rate. Rows are in mentor, valid_from order: a binary search finds the
 * mentor's first row, so a report over a million courses does not scan
 * every mentor's history for each. */
static const struct terms_row *terms_at(const struct report_yearly *r, int64_t mentor_id,
					cal_day day)
{
	const struct terms_row *found = NULL;
	size_t lo = 0, hi = r->nterms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->terms[mid].mentor_id < mentor_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->nterms && r->terms[i].mentor_id == mentor_id; i++) {
		if (r->terms[i].valid_from > day)
			break;
		found = &r->terms[i];
	}
	return found;
}

static enum report_yearly_kind kind_at(const struct report_yearly *r, int64_t mentor_id,
				       cal_day day)
{
	const struct terms_row *t;

	if (mentor_id <= 0)
		return REPORT_YEARLY_UNASSIGNED;
	t = terms_at(r, mentor_id, day);
	return t != NULL && t->external ? REPORT_YEARLY_EXTERNAL : REPORT_YEARLY_INTERNAL;
}

static int year_of(cal_day day)
{
	int y, m, d;

	cal_day_to_ymd(day, &y, &m, &d);
	return y;
}

static cal_day first_of(int year)
{
	cal_day d;

	cal_day_from_ymd(year, 1, 1, &d);
	return d;
}

static void count(struct report_yearly *r, const char *programme, int year,
		  enum report_yearly_kind k, size_t member)
{
	struct report_yearly_figures *f = &row_of(r, programme, year)->kind[k];
	struct report_yearly_figures *t = &r->totals[year - r->from].kind[k];

	(*(int64_t *)((char *)f + member))++;
	(*(int64_t *)((char *)t + member))++;
}

void report_yearly_course(struct report_yearly *r, const char *programme, int64_t mentor_id,
			  cal_day start, cal_day end)
{
	int year;

	if (start == CAL_NO_DAY || start > r->today)
		return;
	year = year_of(start);
	if (year >= r->from && year <= r->to)
		count(r, programme, year, kind_at(r, mentor_id, start),
		      offsetof(struct report_yearly_figures, started));
	if (end != CAL_NO_DAY && (year = year_of(end)) >= r->from && year <= r->to)
		count(r, programme, year, kind_at(r, mentor_id, end),
		      offsetof(struct report_yearly_figures, ended));
	for (year = r->from; year <= r->to; year++) {
		cal_day jan1 = first_of(year), last = first_of(year + 1) - 1;
		if (jan1 > r->today)
			break;
		if (start > last || (end != CAL_NO_DAY && end < jan1))
			continue;
		if (end != CAL_NO_DAY && end < last)
			last = end;
		/* This year's terms are today's, not those dated ahead. */
		if (last > r->today)
			last = r->today;
		count(r, programme, year, kind_at(r, mentor_id, last),
		      offsetof(struct report_yearly_figures, active));
	}
}

static void add_minutes(struct report_yearly_figures *f, const struct terms_row *t, int64_t minutes,
			bool week)
{
	if (week)
		f->week_minutes += minutes;
	else
		f->call_minutes += minutes;
	/* Priced as one line of an invoice, to whole øre: the sums of
	 * lines then add up to every total. */
	if (t != NULL && t->hourly_rate >= 0)
		f->cost_ore += (minutes * t->hourly_rate + 30) / 60;
	else
		f->unpriced_minutes += minutes;
}

void report_yearly_time(struct report_yearly *r, const char *programme, int64_t mentor_id,
			cal_day day, int64_t minutes, bool week)
{
	int year = week ? mentor_time_iso_year(day) : year_of(day);
	const struct terms_row *t = mentor_id > 0 ? terms_at(r, mentor_id, day) : NULL;
	enum report_yearly_kind k = kind_at(r, mentor_id, day);

	if (year < r->from || year > r->to || minutes <= 0)
		return;
	add_minutes(&row_of(r, programme, year)->kind[k], t, minutes, week);
	add_minutes(&r->totals[year - r->from].kind[k], t, minutes, week);
}

size_t report_yearly_rows(const struct report_yearly *r, const struct report_yearly_row **rows)
{
	*rows = r->rows;
	return r->nprogrammes * (size_t)r->nyears;
}

const struct report_yearly_row *report_yearly_totals(const struct report_yearly *r)
{
	return r->totals;
}

/* Minutes as hours with two decimals, rounded half up: 90 -> "1.50". */
static void format_hours(int64_t minutes, char buf[MENTOR_TIME_KR_LEN])
{
	mentor_time_format_kr((minutes * 100 + 30) / 60, buf);
}

static json_t *figures_json(const struct report_yearly_figures *f)
{
	char hours[MENTOR_TIME_KR_LEN], cost[MENTOR_TIME_KR_LEN], unpriced[MENTOR_TIME_KR_LEN];

	format_hours(f->call_minutes + f->week_minutes, hours);
	mentor_time_format_kr(f->cost_ore, cost);
	format_hours(f->unpriced_minutes, unpriced);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "started",
			 (json_int_t)f->started, "active", (json_int_t)f->active, "ended",
			 (json_int_t)f->ended, "call_minutes", (json_int_t)f->call_minutes,
			 "week_minutes", (json_int_t)f->week_minutes, "hours", hours, "cost", cost,
			 "unpriced_hours", unpriced);
}

static json_t *year_json(const struct report_yearly_row *row)
{
	json_t *out = json_pack("{s:i}", "year", row->year);
	struct report_yearly_figures all = {0};

	for (int k = 0; k < REPORT_YEARLY_NKINDS; k++) {
		const struct report_yearly_figures *f = &row->kind[k];
		json_object_set_new(out, kind_names[k], figures_json(f));
		all.started += f->started;
		all.active += f->active;
		all.ended += f->ended;
		all.call_minutes += f->call_minutes;
		all.week_minutes += f->week_minutes;
		all.cost_ore += f->cost_ore;
		all.unpriced_minutes += f->unpriced_minutes;
	}
	json_object_set_new(out, "all", figures_json(&all));
	return out;
}

json_t *report_yearly_json(const struct report_yearly *r)
{
	json_t *programmes = json_array(), *totals = json_array();
	size_t n = (size_t)r->nyears;

	for (size_t p = 0; p < r->nprogrammes; p++) {
		json_t *years = json_array();
		for (size_t y = 0; y < n; y++)
			json_array_append_new(years, year_json(&r->rows[p * n + y]));
		json_array_append_new(programmes,
				      json_pack("{s:s, s:s, s:o}", "id", r->rows[p * n].programme,
						"name", r->rows[p * n].name, "years", years));
	}
	for (size_t y = 0; y < n; y++)
		json_array_append_new(totals, year_json(&r->totals[y]));
	return json_pack("{s:i, s:i, s:s, s:o, s:o}", "from", r->from, "to", r->to, "currency",
			 "DKK", "programmes", programmes, "totals", totals);
}

static int csv_row(FILE *out, const char *programme, const struct report_yearly_row *row)
{
	for (int k = 0; k < REPORT_YEARLY_NKINDS; k++) {
		const struct report_yearly_figures *f = &row->kind[k];
		char year[16], n[5][24], hours[MENTOR_TIME_KR_LEN], cost[MENTOR_TIME_KR_LEN],
			unpriced[MENTOR_TIME_KR_LEN];
		const char *fields[11];

		snprintf(year, sizeof year, "%d", row->year);
		snprintf(n[0], sizeof n[0], "%lld", (long long)f->started);
		snprintf(n[1], sizeof n[1], "%lld", (long long)f->active);
		snprintf(n[2], sizeof n[2], "%lld", (long long)f->ended);
		snprintf(n[3], sizeof n[3], "%lld", (long long)f->call_minutes);
		snprintf(n[4], sizeof n[4], "%lld", (long long)f->week_minutes);
		format_hours(f->call_minutes + f->week_minutes, hours);
		mentor_time_format_kr(f->cost_ore, cost);
		format_hours(f->unpriced_minutes, unpriced);
		fields[0] = programme;
		fields[1] = year;
		fields[2] = kind_names[k];
		for (int i = 0; i < 5; i++)
			fields[3 + i] = n[i];
		fields[8] = hours;
		fields[9] = cost;
		fields[10] = unpriced;
		if (csv_write_row(out, fields, 11) != 0)
			return -1;
	}
	return 0;
}

int report_yearly_csv(const struct report_yearly *r, FILE *out)
{
	static const char *const header[] = {"programme", "year",  "mentors",	    "started",
					     "active",	  "ended", "call_minutes",  "week_minutes",
					     "hours",	  "cost",  "unpriced_hours"};
	size_t n = (size_t)r->nyears;

	if (csv_write_row(out, header, 11) != 0)
		return -1;
	for (size_t i = 0; i < r->nprogrammes * n; i++)
		if (csv_row(out, r->rows[i].programme, &r->rows[i]) != 0)
			return -1;
	for (size_t y = 0; y < n; y++)
		if (csv_row(out, "", &r->totals[y]) != 0)
			return -1;
	return 0;
}

/* --- reading the store ------------------------------------------------- */

static const char sql_terms[] = "SELECT mentor_id, valid_from, external, hourly_rate"
				" FROM mentor_terms ORDER BY mentor_id, valid_from, id";
/* Every course started by the end of the range; the end is worked out
 * below. A full read of the started courses: the report is asked for a few
 * times a year, not on every page. */
static const char sql_courses[] =
	"SELECT programme, coalesce(mentor_id, 0), discharge_date, window_end, state,"
	" state_changed_at FROM courses WHERE discharge_date IS NOT NULL AND discharge_date <= ?1"
	" AND state <> 'cancelled' AND state <> 'awaiting_discharge'"
	" AND state <> 'awaiting_decision'";
static const char sql_calls[] =
	"SELECT c.programme, coalesce(k.mentor_id, 0), k.call_date, sum(k.duration_minutes)"
	" FROM calls k JOIN courses c ON c.id = k.course_id"
	" WHERE k.state = 'done' AND k.duration_minutes > 0 AND k.call_date BETWEEN ?1 AND ?2"
	" GROUP BY c.programme, k.mentor_id, k.call_date";
/* Weeks are read from the Monday before 1 January: 2020-W53 starts on
 * 28 December 2020 and belongs to 2020, 2021-W01 starts on 4 January. */
static const char sql_weeks[] =
	"SELECT programme, mentor_id, week_start, sum(minutes) FROM mentor_time"
	" WHERE week_start BETWEEN ?1 AND ?2 GROUP BY programme, mentor_id, week_start";

static bool state_open(const char *state)
{
	return strcmp(state, "active") == 0 || strcmp(state, "paused") == 0;
}

static int read_terms(struct store *store, struct report_yearly *r, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_terms, err);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		report_yearly_terms(r, sqlite3_column_int64(s, 0), sql_column_day(s, 1),
				    sqlite3_column_int(s, 2) != 0,
				    sqlite3_column_type(s, 3) == SQLITE_NULL
					    ? MENTOR_TIME_NO_RATE
					    : sqlite3_column_int64(s, 3));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading mentors' terms");
	return 0;
}

static int read_courses(struct store *store, struct report_yearly *r, cal_day last,
			struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_courses, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_day(s, 1, last);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 4);
		cal_day start = sql_column_day(s, 2), window_end = sql_column_day(s, 3), end;

		end = CAL_NO_DAY;
		if (!state_open(state)) {
			end = cal_day_of_instant((time_t)sqlite3_column_int64(s, 5));
			/* Closed the morning after its window: it ran to the
			 * window's end, not into the next day (or year). */
			if (window_end != CAL_NO_DAY && end > window_end)
				end = window_end;
			if (end < start)
				end = start;
		}
		report_yearly_course(r, (const char *)sqlite3_column_text(s, 0),
				     sqlite3_column_int64(s, 1), start, end);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading courses for the yearly report");
	return 0;
}

static int read_minutes(struct store *store, struct report_yearly *r, const char *sql, cal_day from,
			cal_day to, bool week, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_day(s, 1, from);
	sql_bind_day(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		report_yearly_time(r, (const char *)sqlite3_column_text(s, 0),
				   sqlite3_column_int64(s, 1), sql_column_day(s, 2),
				   sqlite3_column_int64(s, 3), week);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading time for the yearly report");
	return 0;
}

int report_yearly_read(struct store *store, const struct programme_set *programmes, int from_year,
		       int to_year, cal_day today, struct report_yearly **out, struct error *err)
{
	struct report_yearly *r = report_yearly_new(from_year, to_year, today);
	cal_day first = first_of(from_year), last = first_of(to_year + 1) - 1;

	for (size_t i = 0; i < programmes->count; i++)
		report_yearly_programme(r, programmes->list[i].id, programmes->list[i].name);
	if (read_terms(store, r, err) != 0 ||
	    read_courses(store, r, last < today ? last : today, err) != 0 ||
	    read_minutes(store, r, sql_calls, first, last, false, err) != 0 ||
	    read_minutes(store, r, sql_weeks, first - 6, last, true, err) != 0) {
		report_yearly_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
