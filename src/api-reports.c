/*
 * api-reports.c - GET /v1/reports/summary (admin): the key figures of a
 * period (report.h), as JSON or, with Accept: text/csv, as CSV.
 *
 * Contract: ?from= and ?to= are inclusive local dates "YYYY-MM-DD"; from
 * defaults to no lower bound, to to today. A bad date, or from after to,
 * is 422 naming the field. The reply names no citizen, so reading it
 * writes no audit row.
 *
 * CSV is the JSON flattened: one "metric,value" row per figure, nested
 * names joined with dots ("courses_by_state.active"), null as an empty
 * value, lines ending in CRLF (RFC 4180).
 */
#include "api-routes.h"

#include <event2/http.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "csv.h"
#include "mentord.h"
#include "report-yearly.h"
#include "report.h"
#include "sql.h"
#include "xmalloc.h"

/* Enough for the 4 decimals of a share without jansson's default of 17
 * digits turning 0.6667 into 0.66669999999999996. */
#define REPORTS_REAL_PRECISION 10

static int read_period(struct api_job *job, cal_day *from, cal_day *to)
{
	char *from_text = api_query_param(job->req, "from");
	char *to_text = api_query_param(job->req, "to");
	struct field_errors errors;
	int rc = 0;

	*from = CAL_NO_DAY;
	*to = cal_day_of_instant(clock_now(job->m->clock));
	field_errors_init(&errors);
	if (from_text != NULL && cal_day_parse(from_text, from) != 0)
		field_error_add(&errors, "from", "must be a date \"YYYY-MM-DD\"");
	if (to_text != NULL && cal_day_parse(to_text, to) != 0)
		field_error_add(&errors, "to", "must be a date \"YYYY-MM-DD\"");
	if (!field_errors_any(&errors) && *from != CAL_NO_DAY && *from > *to)
		field_error_add(&errors, "from", "must not be after to");
	if (field_errors_any(&errors)) {
		rc = api_job_fail(job, 422, "Unprocessable Content", "Bad query parameter.",
				  errors.list);
		errors.list = NULL;
	}
	field_errors_clear(&errors);
	free(from_text);
	free(to_text);
	return rc;
}

/* The q of one Accept element's parameters (";q=0.5"); 1 when absent. */
static double media_q(const char *params)
{
	const char *end = params + strcspn(params, ",");

	for (const char *p = strchr(params, ';'); p != NULL && p < end; p = strchr(p + 1, ';')) {
		const char *v = p + 1 + strspn(p + 1, " \t");
		if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
			return strtod(v + 2, NULL);
	}
	return 1;
}

/* The q an Accept header gives a media type; 0 when it is not named. */
static double accept_q(const char *accept, const char *type)
{
	size_t n = strlen(type);
	const char *p = accept;

	while (p != NULL) {
		p += strspn(p, " \t");
		/* p[n] may be the terminating NUL, which strchr also finds. */
		if (strncasecmp(p, type, n) == 0 && strchr(";, \t", p[n]) != NULL)
			return media_q(p + n);
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

/* CSV only when asked for, and preferred over JSON (the default). */
static bool wants_csv(struct evhttp_request *req)
{
	const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");

	if (accept == NULL)
		return false;
	return accept_q(accept, "text/csv") > accept_q(accept, "application/json");
}

/* One "metric,value" row per leaf of the summary, nested names joined by
 * dots ("calls.reached"). */
static void csv_rows(FILE *out, const char *name, json_t *value)
{
	const char *key, *row[2] = {name, ""};
	char number[64];
	json_t *member;

	if (json_is_object(value)) {
		json_object_foreach (value, key, member) {
			char *nested;
			xasprintf(&nested, "%s%s%s", name, name[0] != '\0' ? "." : "", key);
			csv_rows(out, nested, member);
			free(nested);
		}
		return;
	}
	if (json_is_string(value))
		row[1] = json_string_value(value);
	else if (json_is_integer(value))
		snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
	else if (json_is_real(value))
		snprintf(number, sizeof number, "%.*g", REPORTS_REAL_PRECISION,
			 json_real_value(value));
	if (json_is_number(value))
		row[1] = number;
	csv_write_row(out, row, 2);
}

/* Written to memory, where only running out of it can fail (xmalloc's
 * abort is the answer to that elsewhere too). */
static char *summary_csv(json_t *summary)
{
	static const char *const header[] = {"metric", "value"};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		abort();
	csv_write_row(out, header, 2);
	csv_rows(out, "", summary);
	if (fclose(out) != 0)
		abort();
	return text;
}

static char *summary_json_text(json_t *summary)
{
	char *compact =
		json_dumps(summary, JSON_COMPACT | JSON_REAL_PRECISION(REPORTS_REAL_PRECISION));
	char *text;

	xasprintf(&text, "%s\n", compact != NULL ? compact : "{}");
	free(compact);
	return text;
}

static int summary_work(struct api_job *job, struct store *store)
{
	const struct programme *programme = NULL;
	struct report_summary *r;
	struct error err;
	cal_day from, to;
	json_t *summary;

	if (read_period(job, &from, &to) != 0 || api_programme_param(job, &programme) != 0)
		return -1;
	if (report_summary_of(store, &job->m->config->schedule.closures, from, to,
			      programme != NULL ? programme->id : NULL, &r, &err) != 0)
		return api_job_fail_store(job, &err);
	summary = report_summary_json(r);
	report_summary_free(r);
	if (wants_csv(job->req)) {
		job->content_type = "text/csv; charset=utf-8";
		job->reply_text = summary_csv(summary);
	} else {
		job->content_type = "application/json";
		job->reply_text = summary_json_text(summary);
	}
	json_decref(summary);
	return 0;
}

/* A year "YYYY" from 1900 to 9999; -1 otherwise. */
static int parse_year(const char *text, int *year)
{
	if (strlen(text) != 4 || strspn(text, "0123456789") != 4 || text[0] == '0')
		return -1;
	*year = atoi(text);
	return *year >= 1900 ? 0 : -1;
}

/* ?from= and ?to= years, both inclusive; to defaults to this year and
 * from to to. */
static int read_years(struct api_job *job, int *from, int *to)
{
	char *from_text = api_query_param(job->req, "from");
	char *to_text = api_query_param(job->req, "to");
	struct field_errors errors;
	int y, m, d;

	cal_day_to_ymd(cal_day_of_instant(clock_now(job->m->clock)), &y, &m, &d);
	*to = y;
	field_errors_init(&errors);
	if (to_text != NULL && parse_year(to_text, to) != 0)
		field_error_add(&errors, "to", "must be a year \"YYYY\"");
	*from = *to;
	if (from_text != NULL && parse_year(from_text, from) != 0)
		field_error_add(&errors, "from", "must be a year \"YYYY\"");
	else if (*from > *to)
		field_error_add(&errors, "from", "must not be after to");
	else if (*to - *from >= REPORT_YEARLY_MAX_YEARS)
		field_error_add(&errors, "from", "at most %d years in one report",
				REPORT_YEARLY_MAX_YEARS);
	free(from_text);
	free(to_text);
	return api_job_check(job, &errors, "Bad query parameter.");
}

static char *yearly_csv(const struct report_yearly *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL || report_yearly_csv(r, out) != 0 || fclose(out) != 0)
		abort();
	return text;
}

/* GET /v1/reports/yearly: counts and sums only, no citizen, no audit. */
static int yearly_work(struct api_job *job, struct store *store)
{
	struct report_yearly *r;
	struct error err;
	int from, to;
	json_t *json;

	if (read_years(job, &from, &to) != 0)
		return -1;
	if (report_yearly_read(store, &job->m->config->programmes, from, to,
			       cal_day_of_instant(clock_now(job->m->clock)), &r, &err) != 0)
		return api_job_fail_store(job, &err);
	if (wants_csv(job->req)) {
		job->content_type = "text/csv; charset=utf-8";
		job->reply_text = yearly_csv(r);
	} else {
		json = report_yearly_json(r);
		job->content_type = "application/json";
		job->reply_text = summary_json_text(json);
		json_decref(json);
	}
	report_yearly_free(r);
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/reports/summary", API_ROLE(AUTH_ADMIN), false, summary_work},
	{EVHTTP_REQ_GET, "/v1/reports/yearly", API_ROLE(AUTH_ADMIN), false, yearly_work},
};

const struct api_routes api_reports_routes = {routes, sizeof routes / sizeof routes[0]};
