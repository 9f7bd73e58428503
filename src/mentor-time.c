/*
 * mentor-time.c - a mentor's terms and weekly time (mentor-time.h).
 */
#include "mentor-time.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "store.h"

static const char sql_terms_at[] =
	"SELECT valid_from, external, hourly_rate FROM mentor_terms"
	" WHERE mentor_id = ?1 AND valid_from <= ?2 ORDER BY valid_from DESC, id DESC LIMIT 1";
static const char sql_terms_add[] =
	"INSERT INTO mentor_terms (mentor_id, valid_from, external, hourly_rate, author, at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_time_add[] =
	"INSERT INTO mentor_time (mentor_id, course_id, programme, week_start, minutes, note,"
	" author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_course[] =
	"SELECT programme, coalesce(mentor_id, 0) FROM courses WHERE id = ?1";
#define TIME_COLUMNS "id, mentor_id, course_id, programme, week_start, minutes, note, author, at"
static const char sql_time_get[] = "SELECT " TIME_COLUMNS " FROM mentor_time WHERE id = ?1";
static const char sql_time_list[] = "SELECT " TIME_COLUMNS " FROM mentor_time"
				    " WHERE mentor_id = ?1 AND week_start BETWEEN ?2 AND ?3"
				    " ORDER BY week_start, id";

static json_t *day_json(cal_day day)
{
	char text[CAL_DATE_LEN];

	if (day == CAL_NO_DAY)
		return json_null();
	cal_day_format(day, text);
	return json_string(text);
}

/* Digits, then optionally '.' and one or two digits. */
static int parse_kr_text(const char *s, int64_t *ore)
{
	int64_t kr = 0, frac = 0;
	int digits = 0, decimals = 0;

	for (; isdigit((unsigned char)*s); s++) {
		if (++digits > 9)
			return -1;
		kr = kr * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++) {
			if (++decimals > 2)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (decimals == 0)
			return -1;
		if (decimals == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	*ore = kr * 100 + frac;
	return 0;
}

int mentor_time_parse_kr(const json_t *value, int64_t *ore)
{
	int64_t v;

	if (json_is_string(value)) {
		if (parse_kr_text(json_string_value(value), &v) != 0)
			return -1;
	} else if (json_is_integer(value)) {
		if (json_integer_value(value) < 0 ||
		    json_integer_value(value) > MENTOR_TIME_RATE_MAX / 100)
			return -1;
		v = json_integer_value(value) * 100;
	} else if (json_is_real(value)) {
		/* A JSON number is a double once parsed: 450.5 is exact, 0.1
		 * is not, so "at most two decimals" means within a rounding
		 * error of whole øre. Only the whole øre are kept. */
		double x = json_real_value(value) * 100, r = round(x);
		if (!(x >= 0 && x <= MENTOR_TIME_RATE_MAX) || fabs(x - r) > 1e-6)
			return -1;
		v = (int64_t)r;
	} else {
		return -1;
	}
	if (v < 0 || v > MENTOR_TIME_RATE_MAX)
		return -1;
	*ore = v;
	return 0;
}

void mentor_time_format_kr(int64_t ore, char buf[MENTOR_TIME_KR_LEN])
{
	const char *sign = ore < 0 ? "-" : "";
	int64_t a = ore < 0 ? -ore : ore;

	snprintf(buf, MENTOR_TIME_KR_LEN, "%s%lld.%02lld", sign, (long long)(a / 100),
		 (long long)(a % 100));
}

/* The Monday of ISO week 1 of year: the week that holds 4 January. */
static cal_day week_one(int year)
{
	cal_day jan4;

	if (cal_day_from_ymd(year, 1, 4, &jan4) != 0)
		return CAL_NO_DAY;
	return jan4 - (cal_weekday(jan4) - 1);
}

int mentor_time_iso_year(cal_day day)
{
	int y, mo, d;

	/* A week belongs to the year of its Thursday. */
	cal_day_to_ymd(day - (cal_weekday(day) - 1) + 3, &y, &mo, &d);
	return y;
}

void mentor_time_week_format(cal_day day, char buf[MENTOR_TIME_WEEK_LEN])
{
	int year = mentor_time_iso_year(day);
	cal_day monday = day - (cal_weekday(day) - 1);

	unsigned week = (unsigned)((monday - week_one(year)) / 7 + 1);

	snprintf(buf, MENTOR_TIME_WEEK_LEN, "%04u-W%02u", (unsigned)year % 10000u, week % 100u);
}

int mentor_time_week_parse(const char *text, cal_day *monday)
{
	cal_day day, w1;
	int year, week;

	if (cal_day_parse(text, &day) == 0) {
		*monday = day - (cal_weekday(day) - 1);
		return 0;
	}
	if (strlen(text) != 8 || text[4] != '-' || text[5] != 'W')
		return -1;
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5 && !isdigit((unsigned char)text[i]))
			return -1;
	year = atoi(text);
	week = atoi(text + 6);
	if (year < 1900 || week < 1 || week > 53 || (w1 = week_one(year)) == CAL_NO_DAY)
		return -1;
	day = w1 + 7 * (week - 1);
	/* Week 53 exists only in a year whose week 53 Thursday is still in it. */
	if (mentor_time_iso_year(day) != year)
		return -1;
	*monday = day;
	return 0;
}

int mentor_time_terms_at(struct store *store, int64_t mentor_id, cal_day day,
			 struct mentor_terms *out, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_terms_at, err);
	int rc;

	if (s == NULL)
		return -1;
	out->valid_from = CAL_NO_DAY;
	out->external = false;
	out->hourly_rate = MENTOR_TIME_NO_RATE;
	sqlite3_bind_int64(s, 1, mentor_id);
	sql_bind_day(s, 2, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->valid_from = sql_column_day(s, 0);
		out->external = sqlite3_column_int(s, 1) != 0;
		if (sqlite3_column_type(s, 2) != SQLITE_NULL)
			out->hourly_rate = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading a mentor's terms");
	return 0;
}

int mentor_time_terms_add(struct store *store, int64_t mentor_id, const struct mentor_terms *t,
			  const char *author, time_t now, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (t->external && t->hourly_rate == MENTOR_TIME_NO_RATE)
		return error_set(err, ERROR_INVALID, "hourly_rate",
				 "an external mentor needs an hourly rate");
	if (t->valid_from == CAL_NO_DAY)
		return error_set(err, ERROR_INVALID, "terms_from", "a date is required");
	if ((s = store_statement(store, sql_terms_add, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mentor_id);
	sql_bind_day(s, 2, t->valid_from);
	sqlite3_bind_int(s, 3, t->external ? 1 : 0);
	if (t->hourly_rate != MENTOR_TIME_NO_RATE)
		sqlite3_bind_int64(s, 4, t->hourly_rate);
	sqlite3_bind_text(s, 5, author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	rc = sql_step_done(store_db(store), s, "adding a mentor's terms", err);
	sqlite3_clear_bindings(s);
	return rc;
}

void mentor_time_terms_json(json_t *mentor, const struct mentor_terms *t)
{
	char kr[MENTOR_TIME_KR_LEN];

	json_object_set_new(mentor, "external", json_boolean(t->external));
	if (t->hourly_rate == MENTOR_TIME_NO_RATE) {
		json_object_set_new(mentor, "hourly_rate", json_null());
	} else {
		mentor_time_format_kr(t->hourly_rate, kr);
		json_object_set_new(mentor, "hourly_rate", json_string(kr));
	}
	json_object_set_new(mentor, "terms_from", day_json(t->valid_from));
}

int mentor_time_course(struct store *store, int64_t course_id,
		       char programme[MENTOR_TIME_PROGRAMME_LEN], int64_t *mentor_id,
		       struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_course, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, course_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(programme, MENTOR_TIME_PROGRAMME_LEN, "%s",
			 (const char *)sqlite3_column_text(s, 0));
		*mentor_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		return error_set(err, ERROR_INVALID, "course_id", "no course %lld",
				 (long long)course_id);
	if (rc != SQLITE_ROW)
		return sql_error(err, store_db(store), "reading a course");
	return 0;
}

int mentor_time_add(struct store *store, const struct mentor_time_entry *e, int64_t *id,
		    struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (e->minutes < 1 || e->minutes > MENTOR_TIME_WEEK_MINUTES)
		return error_set(err, ERROR_INVALID, "minutes", "must be 1 to %d",
				 MENTOR_TIME_WEEK_MINUTES);
	if ((s = store_statement(store, sql_time_add, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, e->mentor_id);
	if (e->course_id > 0)
		sqlite3_bind_int64(s, 2, e->course_id);
	sqlite3_bind_text(s, 3, e->programme, -1, SQLITE_TRANSIENT);
	sql_bind_day(s, 4, e->week_start);
	sqlite3_bind_int(s, 5, e->minutes);
	sql_bind_text(s, 6, e->note);
	sqlite3_bind_text(s, 7, e->author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)e->at);
	rc = sql_step_done(store_db(store), s, "recording a mentor's time", err);
	sqlite3_clear_bindings(s);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(store_db(store));
	return rc;
}

static json_t *entry_json(sqlite3_stmt *s)
{
	char week[MENTOR_TIME_WEEK_LEN];
	cal_day monday = sql_column_day(s, 4);
	json_t *note = sqlite3_column_type(s, 6) == SQLITE_NULL
			       ? json_null()
			       : json_string((const char *)sqlite3_column_text(s, 6));

	mentor_time_week_format(monday, week);
	return json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:i, s:o, s:s, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "mentor_id",
			 (json_int_t)sqlite3_column_int64(s, 1), "course_id",
			 sqlite3_column_type(s, 2) == SQLITE_NULL
				 ? json_null()
				 : json_integer(sqlite3_column_int64(s, 2)),
			 "programme", (const char *)sqlite3_column_text(s, 3), "week", week,
			 "week_start", day_json(monday), "minutes", sqlite3_column_int(s, 5),
			 "note", note, "author", (const char *)sqlite3_column_text(s, 7), "at",
			 (json_int_t)sqlite3_column_int64(s, 8));
}

int mentor_time_get(struct store *store, int64_t id, json_t **out, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_time_get, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = entry_json(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		return error_set(err, ERROR_NOT_FOUND, NULL, "no time entry %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return sql_error(err, store_db(store), "reading a time entry");
	return 0;
}

int mentor_time_list(struct store *store, int64_t mentor_id, cal_day from, cal_day to,
		     json_t **entries, int64_t *minutes, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, sql_time_list, err);
	json_t *list;
	int rc;

	if (s == NULL)
		return -1;
	list = json_array();
	*minutes = 0;
	sqlite3_bind_int64(s, 1, mentor_id);
	sql_bind_day(s, 2, from);
	sql_bind_day(s, 3, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*minutes += sqlite3_column_int(s, 5);
		json_array_append_new(list, entry_json(s));
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return sql_error(err, store_db(store), "listing a mentor's time");
	}
	*entries = list;
	return 0;
}
