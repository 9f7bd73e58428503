/*
 * health.c - the verdict of GET /healthz and mentorctl status (health.h).
 */
#include "health.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "store.h"

#define HEALTH_STRINGIFY(x) HEALTH_STRINGIFY_(x)
#define HEALTH_STRINGIFY_(x) #x

/* Each an index lookup: outbox_dead and outbox_state (migrations 10
 * and 8), job_state's key. Kept prepared: /healthz is polled. */
static const char dead_sql[] =
	"SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = 'dead' AND payload <> '{}'"
	" LIMIT " HEALTH_STRINGIFY(HEALTH_DEAD_CAP) ")";
static const char oldest_sql[] =
	"SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1";
static const char jobs_sql[] =
	"SELECT job, failed_at, error FROM job_state WHERE failed_at IS NOT NULL ORDER BY job";

static void add_reason(struct health *h, const char *check, const char *job, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_reason(struct health *h, const char *check, const char *job, const char *fmt, ...)
{
	struct health_reason *r;
	va_list ap;

	if (h->nreasons == HEALTH_MAX_REASONS)
		return;
	r = &h->reasons[h->nreasons++];
	snprintf(r->check, sizeof r->check, "%s", check);
	snprintf(r->job, sizeof r->job, "%s", job != NULL ? job : "");
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
}

static void database_failed(struct store *store, struct health *h, const char *what)
{
	h->database_ok = false;
	add_reason(h, "database", NULL, "%s: %s", what, sqlite3_errmsg(store_db(store)));
}

static sqlite3_stmt *statement(struct store *store, struct health *h, const char *sql)
{
	struct error err;
	sqlite3_stmt *s = store_statement(store, sql, &err);

	if (s == NULL) {
		h->database_ok = false;
		add_reason(h, "database", NULL, "%s", err.message);
	}
	return s;
}

static void read_outbox(struct store *store, int max_age_s, time_t now, struct health *h)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = statement(store, h, dead_sql)) == NULL)
		return;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		h->dead_letters = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return database_failed(store, h, "counting dead letters");
	if ((s = statement(store, h, oldest_sql)) == NULL)
		return;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		h->pending = true;
		h->oldest_pending = (time_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return database_failed(store, h, "reading the outbox");
	if (h->dead_letters > 0)
		add_reason(h, "outbox_dead", NULL,
			   "%s%lld dead letter(s) in the outbox: see mentorctl outbox list, send"
			   " one again with mentorctl outbox retry ID",
			   h->dead_letters >= HEALTH_DEAD_CAP ? "at least " : "",
			   (long long)h->dead_letters);
	if (max_age_s > 0 && h->pending && now - h->oldest_pending > max_age_s)
		add_reason(h, "outbox_age", NULL,
			   "the oldest pending outbox row has waited %lld s (health.outbox_max_age"
			   " is %d s): is the gateway reachable and configured?",
			   (long long)(now - h->oldest_pending), max_age_s);
}

static void read_jobs(struct store *store, struct health *h)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = statement(store, h, jobs_sql)) == NULL)
		return;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *job = sqlite3_column_text(s, 0);
		const unsigned char *error = sqlite3_column_text(s, 2);
		health_add_job(h, (const char *)job, (time_t)sqlite3_column_int64(s, 1),
			       error != NULL ? (const char *)error : "");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		database_failed(store, h, "reading the jobs");
}

int health_outbox_max_age(const struct config *config)
{
	return config->gateway_url[0] != '\0' ? config->health_outbox_max_age_s : 0;
}

void health_read(struct store *store, int outbox_max_age_s, time_t now, struct health *h)
{
	memset(h, 0, sizeof *h);
	h->database_ok = store_check(store, &h->schema_version) == 0;
	if (!h->database_ok) {
		add_reason(h, "database", NULL, "the database does not answer: %s",
			   sqlite3_errmsg(store_db(store)));
		return;
	}
	read_outbox(store, outbox_max_age_s, now, h);
	read_jobs(store, h);
}

void health_add_writes(struct health *h, const struct store_health *w)
{
	struct timespec now;

	if (w->failures == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->failing)
		add_reason(h, "commits", NULL, "the last write failed (%llu since start): %s",
			   w->failures, w->last_error);
	else if (now.tv_sec - w->last_failure_mono < HEALTH_COMMIT_WINDOW_S)
		add_reason(h, "commits", NULL, "a write failed %lld s ago (%llu since start): %s",
			   (long long)(now.tv_sec - w->last_failure_mono), w->failures,
			   w->last_error);
}

void health_add_job(struct health *h, const char *job, time_t at, const char *error)
{
	char when[CLOCK_RFC3339_LEN];

	for (size_t i = 0; i < h->nreasons; i++)
		if (strcmp(h->reasons[i].check, "job") == 0 && strcmp(h->reasons[i].job, job) == 0)
			return;
	clock_format_rfc3339(at, when);
	add_reason(h, "job", job, "the daily job %s failed at %s and has not succeeded since: %s",
		   job, when, error);
}

bool health_ok(const struct health *h)
{
	return h->database_ok && h->nreasons == 0;
}

json_t *health_reasons_json(const struct health *h)
{
	json_t *list = json_array();

	for (size_t i = 0; i < h->nreasons; i++) {
		const struct health_reason *r = &h->reasons[i];
		json_t *o = json_pack("{s:s, s:s}", "check", r->check, "detail", r->detail);
		if (r->job[0] != '\0')
			json_object_set_new(o, "job", json_string(r->job));
		json_array_append_new(list, o);
	}
	return list;
}
