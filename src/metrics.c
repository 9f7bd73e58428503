/*
 * metrics.c - GET /metrics (metrics.h).
 *
 * The row counts are aggregates over several modules' tables, read only
 * and only here, so their SQL sits with the metrics rather than spread
 * over the modules that write the rows. Every label value is one of our
 * own constants, a route pattern or a mentor id, so none needs escaping.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "course.h"
#include "discharge.h"
#include "group-commit.h"
#include "http.h"
#include "log.h"
#include "mentord.h"
#include "proxy.h"
#include "sql.h"
#include "store.h"
#include "writer.h"
#include "xmalloc.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_NAMES_MAX 16

_Static_assert(COURSE_NSTATES <= METRICS_NAMES_MAX, "more course states than metrics can name");

/* A family read from the store: rows of (label value, number), or one
 * number when label is NULL. ?1, where used, is today. */
struct metrics_family {
	const char *name;
	const char *type;
	const char *help;
	const char *label;
	const char *sql;
	/* Label values to show even at 0, in this order, by index; the rows
	 * of sql give their numbers (NULL: the rows as they come). */
	const char *(*names)(int i);
	int nnames;
};

static const char *metrics_course_state(int i)
{
	return course_state_name((enum course_state)i);
}

/* Courses created from a source, counted as they are created (migration
 * 30), as the summary report tells them apart. */
#define METRICS_COURSES_FROM(cond) \
	"SELECT coalesce(sum(n), 0) FROM row_counts WHERE family = 'course_source' AND " \
	"label " cond

/* The counts come from row_counts, kept by triggers (store-migrate.c), so
 * a scrape costs the same at a million courses as at ten; a state or
 * result first stored by a later version appears with its first row. The
 * triggers only ever add to a counter's count (a counter that went down
 * would read as a restart); a gauge's count follows the rows. The queue
 * family counts a range of calls_queue per mentor: pending calls due by
 * today, which a day's work keeps small. */
static const struct metrics_family metrics_store[] = {
	/* Every source but these two is a hospital's notification, by API or
	 * MedCom. */
	{"mentord_discharges_total", "counter",
	 "Courses created from discharge notifications (not self-referrals nor referrals).", NULL,
	 METRICS_COURSES_FROM("NOT IN ('" DISCHARGE_SOURCE_SELF_REFERRAL
			      "', '" COURSE_SOURCE_REFERRAL "')"),
	 NULL, 0},
	{"mentord_self_referrals_total", "counter", "Courses created from self-referrals.", NULL,
	 METRICS_COURSES_FROM("= '" DISCHARGE_SOURCE_SELF_REFERRAL "'"), NULL, 0},
	{"mentord_referrals_total", "counter",
	 "Courses created from caseworkers' referrals to a referral programme.", NULL,
	 METRICS_COURSES_FROM("= '" COURSE_SOURCE_REFERRAL "'"), NULL, 0},
	/* Every state of enum course_state (course.h), its names as the C
	 * table spells them: no list of states of its own here. */
	{"mentord_courses", "gauge", "Courses by state.", "state",
	 "SELECT label, n FROM row_counts WHERE family = 'course_state'", metrics_course_state,
	 COURSE_NSTATES},
	/* doc/life-events.md: referrals closed because no discharge came
	 * (the partial index courses_referral_expired holds just them;
	 * named, as the planner otherwise took courses_state and counted
	 * every closed course: 316 ms at a million). */
	{"mentord_referrals_expired_total", "counter",
	 "Referrals closed because they waited longer than intake.await_days for a discharge.",
	 NULL,
	 "SELECT count(*) FROM courses INDEXED BY courses_referral_expired"
	 " WHERE state = 'closed' AND state_reason IN"
	 " ('referral_expired', 'readmission_expired')",
	 NULL, 0},
	/* doc/programmes.md: referrals awaiting a caseworker's decision, by
	 * their deadline today (?1): overdue, at risk of missing it, on time. */
	{"mentord_referrals_undecided", "gauge",
	 "Referrals awaiting a decision, by deadline: overdue, at_risk (the last days), on_time.",
	 "deadline",
	 "SELECT 'overdue', count(*) FROM courses INDEXED BY courses_decision"
	 " WHERE state = 'awaiting_decision' AND at_risk_on < ?1 AND decision_due < ?1"
	 " UNION ALL SELECT 'at_risk', count(*) FROM courses INDEXED BY courses_decision"
	 " WHERE state = 'awaiting_decision' AND at_risk_on <= ?1 AND decision_due >= ?1"
	 " UNION ALL SELECT 'on_time', count(*) FROM courses INDEXED BY courses_decision"
	 " WHERE state = 'awaiting_decision' AND at_risk_on > ?1",
	 NULL, 0},
	/* doc/programmes.md, "The closing checklist": courses ended at their
	 * window's end and held there until their checklist is ticked (a
	 * partial index of just them). */
	{"mentord_courses_awaiting_checklist", "gauge",
	 "Courses ended at their window's end, not closed until their closing checklist is ticked.",
	 NULL,
	 "SELECT count(*) FROM courses INDEXED BY courses_awaiting_checklist"
	 " WHERE state = 'ended' AND state_reason = 'awaiting_checklist'",
	 NULL, 0},
	{"mentord_queue_calls", "gauge",
	 "Pending calls due today or earlier, by the course's assigned mentor.", "mentor",
	 "WITH m(id, n) AS MATERIALIZED (SELECT a.id,"
	 "  (SELECT count(*) FROM calls k WHERE k.state = 'pending' AND k.mentor_id IS a.id"
	 "   AND k.due_date <= ?1)"
	 "  FROM (SELECT NULL AS id UNION ALL SELECT id FROM mentors) a)"
	 " SELECT coalesce(CAST(id AS TEXT), 'none'), n FROM m WHERE n > 0 ORDER BY id",
	 NULL, 0},
	/* doc/scheduling.md: a same-day correction is a new outcome for the
	 * counter, and changes the call's result for the gauge. The gauge is
	 * not named mentord_calls: parsers take that for the counter's family
	 * name. */
	{"mentord_calls_total", "counter",
	 "Call outcomes recorded, by result; a correction counts under its new result.", "result",
	 "SELECT label, n FROM row_counts WHERE family = 'call_outcome' ORDER BY label", NULL, 0},
	{"mentord_calls_with_outcome", "gauge",
	 "Calls with an outcome, by their result as corrected.", "result",
	 "SELECT label, n FROM row_counts WHERE family = 'call_result' ORDER BY label", NULL, 0},
	{"mentord_outbox_rows", "gauge", "Outbox rows by state.", "state",
	 "SELECT label, n FROM row_counts WHERE family = 'outbox_state' ORDER BY label", NULL, 0},
	{"mentord_outbox_attempts_total", "counter",
	 "Delivery attempts made, a dead letter's retried or a withdrawn row's included.", NULL,
	 "SELECT coalesce(sum(n), 0) FROM row_counts WHERE family = 'outbox_attempts'", NULL, 0},
};

const char *metrics_family_sql(size_t i)
{
	return i < sizeof metrics_store / sizeof metrics_store[0] ? metrics_store[i].sql : NULL;
}

static void metrics_head(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family with names: each name once, in order, its number from the
 * rows (label, n) of s or 0. */
static int metrics_named_write(struct store *store, sqlite3_stmt *s, const struct metrics_family *f,
			       struct evbuffer *out, struct error *err)
{
	int64_t n[METRICS_NAMES_MAX] = {0};
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *label = (const char *)sqlite3_column_text(s, 0);

		for (int i = 0; i < f->nnames && label != NULL; i++)
			if (strcmp(label, f->names(i)) == 0)
				n[i] += sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE)
		sql_error(err, store_db(store), f->name);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return -1;
	for (int i = 0; i < f->nnames; i++)
		evbuffer_add_printf(out, "%s{%s=\"%s\"} %lld\n", f->name, f->label, f->names(i),
				    (long long)n[i]);
	return 0;
}

/* f->sql lives in metrics_store: the store keeps its statement. */
static int metrics_family_write(struct store *store, const struct metrics_family *f, cal_day today,
				struct evbuffer *out, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = store_statement(store, f->sql, err)) == NULL)
		return -1;
	if (sqlite3_bind_parameter_count(s) > 0)
		sql_bind_day(s, 1, today);
	metrics_head(out, f->name, f->type, f->help);
	if (f->names != NULL)
		return metrics_named_write(store, s, f, out, err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (f->label == NULL)
			evbuffer_add_printf(out, "%s %lld\n", f->name,
					    (long long)sqlite3_column_int64(s, 0));
		else
			evbuffer_add_printf(out, "%s{%s=\"%s\"} %lld\n", f->name, f->label,
					    (const char *)sqlite3_column_text(s, 0),
					    (long long)sqlite3_column_int64(s, 1));
	}
	if (rc != SQLITE_DONE)
		sql_error(err, store_db(store), f->name);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void metrics_request_cb(const char *method, const char *pattern, int status,
			       unsigned long long count, void *arg)
{
	evbuffer_add_printf(arg,
			    "mentord_http_requests_total{method=\"%s\",route=\"%s\","
			    "status=\"%d\"} %llu\n",
			    method, pattern != NULL ? pattern : "unmatched", status, count);
}

static void metrics_commits(struct evbuffer *out, const struct group_commit_stats *st)
{
	const char *name = "mentord_store_commit_seconds";
	unsigned long long below = 0;

	metrics_head(out, name, "histogram",
		     "Time to apply and durably commit a group of changes.");
	for (size_t i = 0; i < GROUP_COMMIT_BUCKETS; i++) {
		below += st->commit_buckets[i];
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
				    group_commit_bucket_bounds[i], below);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, st->commits);
	evbuffer_add_printf(out, "%s_sum %.6f\n%s_count %llu\n", name, st->commit_seconds_total,
			    name, st->commits);
	metrics_head(out, "mentord_store_commits_total", "counter", "Durable group commits.");
	evbuffer_add_printf(out, "mentord_store_commits_total %llu\n", st->commits);
	metrics_head(out, "mentord_store_failed_commits_total", "counter",
		     "Group commits that failed; their changes were answered 503.");
	evbuffer_add_printf(out, "mentord_store_failed_commits_total %llu\n", st->failed_commits);
}

static int metrics_write(struct mentord *m, struct evbuffer *out, struct error *err)
{
	cal_day today = cal_day_of_instant(clock_now(m->clock));
	struct group_commit_stats stats;

	for (size_t i = 0; i < sizeof metrics_store / sizeof metrics_store[0]; i++)
		if (metrics_family_write(m->store, &metrics_store[i], today, out, err) != 0)
			return -1;
	metrics_head(out, "mentord_http_requests_total", "counter",
		     "HTTP requests answered, by method, route pattern and status.");
	http_server_counts(m->http, metrics_request_cb, out);
	group_commit_get_stats(m->commits, &stats);
	if (m->writer != NULL) {
		/* The intake's commits, on the writer thread, count too. */
		struct group_commit_stats more;

		group_commit_get_stats(writer_commits(m->writer), &more);
		stats.commits += more.commits;
		stats.changes += more.changes;
		stats.failed_commits += more.failed_commits;
		stats.commit_seconds_total += more.commit_seconds_total;
		for (size_t i = 0; i <= GROUP_COMMIT_BUCKETS; i++)
			stats.commit_buckets[i] += more.commit_buckets[i];
	}
	metrics_commits(out, &stats);
	metrics_head(out, "mentord_uptime_seconds", "gauge", "Seconds since mentord started.");
	evbuffer_add_printf(out, "mentord_uptime_seconds %lld\n",
			    (long long)(time(NULL) - m->started));
	return 0;
}

/* The client (proxy.h: behind a trusted proxy, the client it names, not
 * the proxy) is 127.0.0.0/8 or ::1; proxy.c has made an IPv4-mapped
 * address IPv4. */
static bool metrics_from_loopback(struct mentord *m, struct evhttp_request *req)
{
	char address[PROXY_ADDRESS_LEN];
	struct in6_addr a6;
	struct in_addr a4;

	proxy_request_client(&m->config->trusted_proxies, req, address);
	if (inet_pton(AF_INET, address, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, address, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static void metrics_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	struct auth_identity who;
	struct evbuffer *out;
	struct error err;

	(void)params;
	if (!metrics_from_loopback(m, req) &&
	    api_authenticate(m, req, API_ROLE(AUTH_ADMIN), &who) != 0)
		return;
	out = evbuffer_new();
	if (metrics_write(m, out, &err) != 0) {
		log_err("metrics: %s", err.message);
		evbuffer_free(out);
		http_reply_problem(req, 500, "Internal Server Error",
				   "The metrics could not be read.", NULL);
		return;
	}
	evhttp_remove_header(headers, "Content-Type");
	evhttp_add_header(headers, "Content-Type", METRICS_CONTENT_TYPE);
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_send_reply(req, 200, NULL, out);
	evbuffer_free(out);
}

/* The same check on the head, so a client that may not read the metrics
 * is refused before anything else of its request is read. */
static int metrics_gate_cb(struct http_gate *gate, void *arg)
{
	struct mentord *m = arg;
	struct auth_identity who;

	/* A GET takes no body, and a loopback client is admitted unproven. */
	gate->max_body = 0;
	if (gate->loopback)
		return http_gate_admit(gate, NULL, NULL, false);
	if (auth_check(m->store, http_gate_header(gate, "Authorization"), &who) != 0) {
		gate->www_authenticate = true;
		return http_gate_refuse(gate, 401, "A valid bearer token is required.");
	}
	if (who.role != AUTH_ADMIN)
		return http_gate_refuse(gate, 403, "This token's role may not use this resource.");
	return http_gate_admit(gate, NULL, NULL, true);
}

void metrics_register(struct mentord *m)
{
	http_server_route_gated(m->http, EVHTTP_REQ_GET, "/metrics", metrics_gate_cb, metrics_cb, m,
				NULL);
}
