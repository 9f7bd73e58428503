/*
 * bench-load.c - build a benchmark database of N courses and 20 mentors
 * for tests/bench/run.
 *
 *   bench-load DATABASE COURSES
 *   bench-load --queue DATABASE DAY
 *
 * Prints the benchmark day (the first working day from today on, whose
 * queues are left unworked) and, on stderr, how long the build took.
 * --queue times queue_build in process instead (see time_queues).
 *
 * The schema is the daemon's own: store_open runs mentord's migrations
 * on the new file, so the loader writes into the tables, indexes and
 * triggers of the mentord it is built with.
 *
 * The simulated history ends the day before the benchmark day:
 *  - the recent months (up to RECENT_DAYS, RECENT_PER_DAY discharges a
 *    day, 18,000 courses at most) go through the path the API takes:
 *    every course is a discharge notification as POST /v1/discharges
 *    receives it, a JSON body read by intake_read, course_create and the
 *    audit row (what api-discharges.c does inside its job); every outcome
 *    is course_record_outcome on a call queue_build put in a mentor's
 *    queue (POST /v1/calls/{id}/outcome on GET /v1/queue), mostly
 *    "reached, continue", so the active courses carry the tapering plan
 *    and a queue has tens of calls, whatever the size of the database;
 *    windows close through course_close_expired, the daily job; the
 *    messages those queue are settled with outbox_mark_sent, as the
 *    outbox worker does after the gateway's 2xx;
 *  - the courses before them (the rest of COURSES over HISTORY_DAYS,
 *    ending HISTORY_GAP days before the recent months) are written in
 *    bulk (build_history): one transaction of plain INSERTs of the rows
 *    the intake path and the daily close leave behind (the course closed
 *    when its window did or superseded by a readmission, its first call
 *    cancelled then, its log and audit row), without messages (as with
 *    messages.closing = false), with the secondary indexes and the search
 *    trigger dropped during the load and made again from the schema's own
 *    statements after it. So at a million courses nearly all are history,
 *    as in a scheme that has run for years. Such a scheme has erased the
 *    personal data of the courses that closed more than retention.days
 *    ago: retention_purge, the daily job's code, erases them up to the day
 *    before the build (purge_history), and the search index holds the rest.
 * What differs from the daemon is only what makes a million courses take
 * minutes rather than hours: no HTTP, thousands of changes per COMMIT,
 * synchronous=OFF (a build that fails is simply rerun) and the history in
 * bulk. On two cores shared with other work (load 5 to 8) 10k courses
 * took 5 s, 100k 20 to 30 s and 1M 4.4 minutes: 3.2 for the history,
 * the rest the recent months through the intake path on the large file.
 * To compare a historic course with one the intake path wrote:
 *   sqlite3 DB "SELECT * FROM course_log WHERE course_id IN (5, MAX_ID - 5000)"
 * One in twelve discharges is a readmission of a recent citizen, which
 * supersedes the open course.
 * The daily jobs are recorded as run today, so the daemon then starts as
 * it would after any restart later in the day.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "course-log.h"
#include "course.h"
#include "discharge.h"
#include "intake.h"
#include "mentor.h"
#include "outbox.h"
#include "publish.h"
#include "queue.h"
#include "retention.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

#define MENTORS 20
#define RECENT_DAYS 200
#define RECENT_PER_DAY 90
#define HISTORY_DAYS 1825
/* Days from the last historic discharge to the first recent one: more
 * than a window, so every historic course has closed by then. */
#define HISTORY_GAP 200
#define CHANGES_PER_COMMIT 50000
/* retention.days as etc/mentord.conf ships it. */
#define BENCH_RETENTION_DAYS 365
#define DAY_SECONDS 86400

struct load {
	struct store *store;
	struct mentor_db *mentors;
	struct course_log *log;
	struct outbox *outbox;
	struct course_db *courses;
	struct queue *queue;
	struct schedule_rules rules;
	struct auth_identity psychiatry;
	struct auth_identity mentor;
	long changes;
	long created;
	long outcomes;
	unsigned messages; /* COURSE_MSG_* */
	uint64_t rng;
};

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench-load: %s: %s\n", what, why != NULL ? why : "failed");
	exit(1);
}

/* xorshift64: the same database from the same arguments. */
static unsigned next_random(struct load *l, unsigned below)
{
	l->rng ^= l->rng << 13;
	l->rng ^= l->rng >> 7;
	l->rng ^= l->rng << 17;
	return (unsigned)(l->rng % below);
}

static time_t at(cal_day day, int hour)
{
	return (time_t)day * DAY_SECONDS + hour * 3600;
}

static void commit_now(struct load *l)
{
	struct error err;

	if (store_commit(l->store, &err) != 0 || store_begin(l->store, &err) != 0)
		die("commit", err.message);
	l->changes = 0;
}

static void changed(struct load *l)
{
	if (++l->changes >= CHANGES_PER_COMMIT)
		commit_now(l);
}

static struct course_op op_at(struct load *l, time_t now, const char *author)
{
	struct course_op op = {
		.rules = &l->rules,
		.now = now,
		.author = author,
		.messages = l->messages,
	};
	return op;
}

/* Citizen i: a valid CPR (born 1940-1999, 7th digit 0-3), a Danish mobile
 * number and a synthetic name, all unique per i. */
static void citizen(long i, char cpr[24], char phone[16], char name[32])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long date = i % (60 * 365), seq = i / (60 * 365);
	int year = 40 + (int)(date / 365), yday = (int)(date % 365), month = 0;

	while (yday >= mdays[month])
		yday -= mdays[month++];
	snprintf(cpr, 24, "%02d%02d%02d%04ld", yday + 1, month + 1, year, seq % 4000);
	snprintf(phone, 16, "+45%08ld", 20000000 + i % 79999999);
	snprintf(name, 32, "Borger %ld", i);
}

/* One discharge notification through the intake path; the course id, and
 * its first call in *call (0: none). */
static int64_t discharge(struct load *l, cal_day day, long citizen_no, int64_t *call)
{
	char cpr[24], phone[16], name[32], id[32], when[CLOCK_RFC3339_LEN];
	char from[6], to[6];
	struct field_errors errors;
	struct course_created created;
	struct discharge d;
	struct course_op op = op_at(l, at(day, 12), "psychiatry:bench");
	struct error err;
	json_t *body;
	int hh = next_random(l, 4) == 0 ? 0 : 9 + (int)next_random(l, 8);

	citizen(citizen_no, cpr, phone, name);
	snprintf(id, sizeof id, "bench-%ld", l->created);
	clock_format_rfc3339(at(day, 8), when);
	body = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:b, s:b}}", "notification_id", id,
			 "citizen", "name", name, "cpr", cpr, "phone", phone, "discharged_at", when,
			 "unit", "Afsnit B3", "consent", "contact", 1, "share_information", 1);
	if (hh > 0) {
		snprintf(from, sizeof from, "%02d:00", hh);
		snprintf(to, sizeof to, "%02d:00", hh + 2);
		json_object_set_new(json_object_get(body, "citizen"), "preferred_call_time",
				    json_pack("{s:s, s:s}", "from", from, "to", to));
	}
	field_errors_init(&errors);
	if (intake_read(body, NULL, op.now, &d, &errors) != 0)
		die("intake_read", json_dumps(errors.list, 0));
	field_errors_clear(&errors);
	if (course_create(l->courses, &op, &d, &created, &err) != 0)
		die("course_create", err.message);
	json_decref(body);
	if (audit_record(l->store, &l->psychiatry, NULL, op.now, "discharge", created.course_id,
			 "discharge notification from psychiatry", &err) != 0)
		die("audit", err.message);
	l->created++;
	changed(l);
	*call = created.first_call_id;
	return created.course_id;
}

/* A citizen for the next discharge: a readmission of one of the last
 * `recent` citizens one time in twelve, else a new one. */
static long next_citizen(struct load *l, long *citizens, long recent)
{
	if (recent > 0 && *citizens > recent && next_random(l, 12) == 0)
		return *citizens - 1 - (long)next_random(l, (unsigned)recent);
	return (*citizens)++;
}

static void outcome(struct load *l, cal_day day, const struct queue_entry *e,
		    enum call_result result, bool end)
{
	static const char *const topics[] = {"wellbeing", "network", "treatment_plan"};
	struct course_op op = op_at(l, at(day, 9), "mentor:bench");
	struct call_outcome o = {
		.result = result,
		.duration_minutes = result == CALL_REACHED ? 15 : -1,
		.topics = result == CALL_REACHED ? topics : NULL,
		.ntopics = result == CALL_REACHED ? 3 : 0,
		.next = end ? CALL_NEXT_END : CALL_NEXT_CONTINUE,
		.next_date = CAL_NO_DAY,
		.end_reason = end ? "the citizen wants no more calls" : NULL,
	};
	struct course_result r;
	struct error err;

	if (course_record_outcome(l->courses, &op, e->call_id, &o, &r, &err) != 0)
		die("course_record_outcome", err.message);
	if (audit_record(l->store, &l->mentor, NULL, op.now, "outcome", e->course_id,
			 "record the call's outcome", &err) != 0)
		die("audit", err.message);
	l->outcomes++;
	changed(l);
}

/* Settle every message queued so far, as a gateway that took them. */
static void settle_outbox(struct load *l, time_t now)
{
	struct outbox_row *rows;
	struct error err;
	int64_t after = 0;
	size_t n;
	bool settled;

	do {
		if (outbox_due(l->outbox, now, after, 1000, &rows, &n, &err) != 0)
			die("outbox_due", err.message);
		for (size_t i = 0; i < n; i++) {
			if (outbox_mark_sent(l->outbox, rows[i].id, now, &settled, &err) != 0)
				die("outbox_mark_sent", err.message);
			after = rows[i].id;
			changed(l);
		}
		outbox_rows_free(rows, n);
	} while (n > 0);
}

static void close_expired(struct load *l, cal_day day)
{
	struct course_op op = op_at(l, at(day, 1), "system");
	struct error err;
	size_t closed;

	if (course_close_expired(l->courses, &op, &closed, &err) != 0)
		die("course_close_expired", err.message);
	l->changes += (long)closed;
	changed(l);
	settle_outbox(l, at(day, 2));
}

/* A mentor's day: an outcome for every call of their queue. Mostly
 * reached and continued along the plan; some not answered (a retry the
 * next working day), a few declined or ended. */
static void work_queues(struct load *l, cal_day day)
{
	struct queue_list *q;
	struct error err;

	for (int64_t m = 1; m <= MENTORS; m++) {
		if (queue_build(l->queue, m, day, &q, &err) != 0)
			die("queue_build", err.message);
		for (size_t i = 0; i < q->count; i++) {
			const struct queue_entry *e = &q->entries[i];
			unsigned r = next_random(l, 100);
			if (r < 80)
				outcome(l, day, e, CALL_REACHED, false);
			else if (r < 95)
				outcome(l, day, e, CALL_NO_ANSWER, false);
			else if (r < 98)
				outcome(l, day, e, CALL_DECLINED, false);
			else
				outcome(l, day, e, CALL_REACHED, true);
		}
		queue_list_free(q);
	}
}

static void add_mentors(struct load *l, time_t now)
{
	char name[32], phone[16];
	struct error err;
	int64_t id;

	for (int i = 1; i <= MENTORS; i++) {
		struct mentor m = {.working_days = MENTOR_MONDAY_TO_FRIDAY, .active = true};
		snprintf(name, sizeof name, "Mentor %d", i);
		snprintf(phone, sizeof phone, "+4533%06d", i);
		m.name = name;
		m.phone = phone;
		if (mentor_add(l->mentors, &m, now, &id, &err) != 0)
			die("mentor_add", err.message);
	}
}

/* The last mentor is away for the benchmark week: their calls go to the
 * day's stand-in, whose queue is then read along several ranges. */
static void mentor_away(struct load *l, cal_day from)
{
	struct mentor_absence away = {from, from + 4};
	struct mentor *m;
	struct error err;

	if (mentor_get(l->mentors, MENTORS, &m, &err) != 0)
		die("mentor_get", err.message);
	free(m->absences);
	m->absences = &away;
	m->nabsences = 1;
	if (mentor_update(l->mentors, m, &err) != 0)
		die("mentor_update", err.message);
	m->absences = NULL;
	m->nabsences = 0;
	mentor_free(m);
}

static void mark_jobs_run(struct load *l, time_t now)
{
	static const char *const jobs[] = {"close-expired", "retention", PUBLISH_JOB};
	sqlite3 *db = store_db(l->store);
	char day[CAL_DATE_LEN];
	sqlite3_stmt *s;

	cal_day_format(cal_day_of_instant(now), day);
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO job_runs (job, last_day, ran_at)"
			       " VALUES (?1, ?2, ?3)",
			       -1, &s, NULL) != SQLITE_OK)
		die("job_runs", sqlite3_errmsg(db));
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		sqlite3_bind_text(s, 1, jobs[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
		if (sqlite3_step(s) != SQLITE_DONE)
			die("job_runs", sqlite3_errmsg(db));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

static void open_all(struct load *l, const char *path)
{
	char *cause = NULL;

	if (store_open(path, &l->store, &cause) != 0 || store_tune(l->store, 512, 0, &cause) != 0 ||
	    sql_exec(store_db(l->store), "PRAGMA temp_store=MEMORY", &cause) != 0 ||
	    sql_exec(store_db(l->store), "PRAGMA synchronous=OFF", &cause) != 0)
		die("store", cause);
	if ((l->mentors = mentor_db_new(l->store, &cause)) == NULL ||
	    (l->log = course_log_new(l->store, &cause)) == NULL ||
	    (l->outbox = outbox_new(l->store, &cause)) == NULL ||
	    (l->courses = course_db_new(l->store, l->mentors, l->log, l->outbox, &cause)) == NULL ||
	    (l->queue = queue_new(l->store, l->mentors, &cause)) == NULL)
		die("setting up", cause);
}

static void close_all(struct load *l)
{
	queue_free(l->queue);
	course_db_free(l->courses);
	outbox_free(l->outbox);
	course_log_free(l->log);
	mentor_db_free(l->mentors);
	store_free(l->store);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* History in bulk. The courses before the recent months are written by
 * SQL in the state the daemon leaves them in, rather than each through
 * course_create and a daily course_close_expired: that path costs about
 * 0.35 ms a course, hours at a million, for rows the benchmark reads only
 * through the indexes and the page cache they fill. The rows are the ones
 * the intake path writes (tests/bench/README compares a course built
 * each way): the course, closed the day after its window ended or
 * superseded by its citizen's readmission while open; its first call,
 * cancelled then; its log (discharge, supersedes, mentor_assigned,
 * call_scheduled; call_cancelled and closed or superseded on the day it
 * happened) and its audit row. The schema's triggers keep row_counts, the
 * search index and the mentors' load as they do for the daemon. */
struct hist {
	cal_day day;	  /* of the discharge */
	cal_day close;	  /* the day after its window, when the daily job closes it */
	cal_day end;	  /* the day it closed or was superseded */
	int64_t by;	  /* the course that superseded it; 0: none */
	int64_t replaces; /* the course it superseded; 0: none */
	long citizen;
	int mentor;
	int hh; /* preferred call time from hh:00; 0: none */
};

struct bulk {
	sqlite3 *db;
	sqlite3_stmt *course, *call, *log, *audit;
};

static sqlite3_stmt *bulk_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("bulk", sqlite3_errmsg(db));
	return s;
}

static void bulk_step(struct bulk *b, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("bulk", sqlite3_errmsg(b->db));
	sqlite3_reset(s);
}

static void bulk_log(struct bulk *b, int64_t course, time_t when, const char *author,
		     const char *kind, const char *details)
{
	sqlite3_bind_int64(b->log, 1, course);
	sqlite3_bind_int64(b->log, 2, (sqlite3_int64)when);
	sqlite3_bind_text(b->log, 3, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->log, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->log, 5, details, -1, SQLITE_TRANSIENT);
	bulk_step(b, b->log);
}

/* Course k + 1 (ids start at 1: the history is written first), as
 * discharged and as it ended, with its call (the same id), log and audit
 * row. */
static void bulk_course(struct load *l, struct bulk *b, const struct hist *c, long k)
{
	char cpr[24], phone[16], name[32], id[32], when[CLOCK_RFC3339_LEN], from[16], to[16];
	char day[CAL_DATE_LEN], end[CAL_DATE_LEN], due[CAL_DATE_LEN];
	char fingerprint[DISCHARGE_FINGERPRINT_LEN], details[256];
	const char *state = c->by > 0 ? "superseded" : "closed";
	int64_t course = k + 1;
	time_t now = at(c->day, 12);
	struct field_errors errors;
	struct schedule_window w;
	struct schedule_call first;
	struct discharge d;
	json_t *body;

	citizen(c->citizen, cpr, phone, name);
	snprintf(id, sizeof id, "bench-%ld", k);
	clock_format_rfc3339(at(c->day, 8), when);
	body = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:b, s:b}}", "notification_id", id,
			 "citizen", "name", name, "cpr", cpr, "phone", phone, "discharged_at", when,
			 "unit", "Afsnit B3", "consent", "contact", 1, "share_information", 1);
	if (c->hh > 0) {
		snprintf(from, sizeof from, "%02d:00", c->hh);
		snprintf(to, sizeof to, "%02d:00", c->hh + 2);
		json_object_set_new(json_object_get(body, "citizen"), "preferred_call_time",
				    json_pack("{s:s, s:s}", "from", from, "to", to));
	}
	field_errors_init(&errors);
	if (intake_read(body, NULL, now, &d, &errors) != 0)
		die("intake_read", json_dumps(errors.list, 0));
	field_errors_clear(&errors);
	discharge_fingerprint(&d, fingerprint);
	schedule_window_init(&l->rules, c->day, &w);
	schedule_first_contact(&l->rules, &w, &first);
	cal_day_format(c->day, day);
	cal_day_format(w.end, end);
	cal_day_format(first.due, due);

	sqlite3_bind_int64(b->course, 1, course);
	sqlite3_bind_text(b->course, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->course, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->course, 4, c->by > 0 ? "superseded" : "window_end", -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->course, 5,
			   (sqlite3_int64)(c->by > 0 ? at(c->end, 12) : at(c->end, 1)));
	sqlite3_bind_text(b->course, 6, d.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->course, 7, d.cpr, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->course, 8, d.phone, -1, SQLITE_STATIC);
	if (d.call_from[0] != '\0') {
		sqlite3_bind_text(b->course, 9, d.call_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(b->course, 10, d.call_to, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(b->course, 9);
		sqlite3_bind_null(b->course, 10);
	}
	sqlite3_bind_text(b->course, 11, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->course, 12, end, -1, SQLITE_STATIC);
	sqlite3_bind_int(b->course, 13, c->mentor);
	if (c->by > 0)
		sqlite3_bind_int64(b->course, 14, c->by);
	else
		sqlite3_bind_null(b->course, 14);
	sqlite3_bind_int64(b->course, 15, (sqlite3_int64)now);
	sqlite3_bind_text(b->course, 16, fingerprint, -1, SQLITE_STATIC);
	bulk_step(b, b->course);
	json_decref(body);

	sqlite3_bind_int64(b->call, 1, course);
	sqlite3_bind_text(b->call, 2, due, -1, SQLITE_STATIC);
	sqlite3_bind_text(b->call, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->call, 4, (sqlite3_int64)now);
	sqlite3_bind_int(b->call, 5, c->mentor);
	bulk_step(b, b->call);

	sqlite3_bind_int64(b->audit, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(b->audit, 2, course);
	bulk_step(b, b->audit);
	l->created++;

	snprintf(details, sizeof details,
		 "{\"awaiting_discharge\":false,\"discharge_date\":\"%s\",\"notification_id\":"
		 "\"%s\",\"window_end\":\"%s\"}",
		 day, id, end);
	bulk_log(b, course, now, "psychiatry:bench", "discharge", details);
	if (c->replaces > 0) {
		snprintf(details, sizeof details, "{\"call_id\":%lld,\"reason\":\"superseded\"}",
			 (long long)c->replaces);
		bulk_log(b, c->replaces, now, "psychiatry:bench", "call_cancelled", details);
		bulk_log(b, c->replaces, now, "psychiatry:bench", "superseded",
			 "{\"from\":\"active\",\"reason\":\"superseded\",\"to\":\"superseded\"}");
		snprintf(details, sizeof details, "{\"course_id\":%lld}", (long long)c->replaces);
		bulk_log(b, course, now, "psychiatry:bench", "supersedes", details);
	}
	snprintf(details, sizeof details, "{\"mentor_id\":%d}", c->mentor);
	bulk_log(b, course, now, "psychiatry:bench", "mentor_assigned", details);
	snprintf(details, sizeof details,
		 "{\"attempt\":1,\"call_id\":%lld,\"due_date\":\"%s\",\"first_contact\":true,"
		 "\"reason\":\"first_contact\"}",
		 (long long)course, due);
	bulk_log(b, course, now, "psychiatry:bench", "call_scheduled", details);
}

/* The plan: each course's day, citizen and mentor, and which readmission
 * superseded which open course, before a row is written, so every row is
 * written once in its final state. */
static struct hist *plan_history(struct load *l, cal_day first, long count, long *citizens)
{
	struct hist *h = xcalloc((size_t)count, sizeof *h);
	/* The last course of each citizen, + 1; citizens never outnumber
	 * the courses. */
	long *last = xcalloc((size_t)count + 1, sizeof *last);
	long n = 0, base = *citizens;

	for (int d = 0; d < HISTORY_DAYS && n < count; d++) {
		cal_day day = first + d;
		long today = (count - n) / (HISTORY_DAYS - d);
		for (long i = 0; i < today; i++, n++) {
			struct hist *c = &h[n];
			long who = next_citizen(l, citizens, 30 * today);
			long *mine = &last[who - base];

			c->day = day;
			c->close = schedule_window_end(&l->rules, day) + 1;
			c->end = c->close;
			c->citizen = who;
			c->hh = next_random(l, 4) == 0 ? 0 : 9 + (int)next_random(l, 8);
			c->mentor = (int)(n % MENTORS) + 1;
			if (*mine > 0 && h[*mine - 1].by == 0 && h[*mine - 1].close >= day) {
				/* Still open: superseded, and its mentor keeps the citizen. */
				h[*mine - 1].by = n + 1;
				h[*mine - 1].end = day;
				c->replaces = *mine;
				c->mentor = h[*mine - 1].mentor;
			}
			*mine = n + 1;
		}
	}
	free(last);
	return h;
}

/* Schema objects set aside during the build and made again afterwards
 * from their own CREATE statements, as mentord's migrations wrote them:
 *  - the secondary indexes of the tables the history fills, for the
 *    history: a million rows appended in id order and each index sorted
 *    once take a minute, where inserting into indexes larger than the
 *    page cache took most of an hour;
 *  - the trigger that indexes a course's name and phone for search, for
 *    the whole build: FTS5 writes its pending terms out at the end of
 *    every statement that fires it, a segment per course, and at a
 *    million courses merging those made the recent months take most of
 *    an hour. The search index is filled at the end instead, with the
 *    trigger's own INSERT over every course in one statement. */
struct saved_schema {
	char **sql;
	size_t count;
};

static void schema_drop(sqlite3 *db, const char *select, struct saved_schema *saved)
{
	sqlite3_stmt *s;
	char *cause = NULL;
	char **drops = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(db, select, -1, &s, NULL) != SQLITE_OK)
		die("schema", sqlite3_errmsg(db));
	saved->sql = NULL;
	while (sqlite3_step(s) == SQLITE_ROW) {
		drops = xrealloc(drops, (n + 1) * sizeof *drops);
		saved->sql = xrealloc(saved->sql, (n + 1) * sizeof *saved->sql);
		xasprintf(&drops[n], "DROP %s \"%s\"", (const char *)sqlite3_column_text(s, 0),
			  (const char *)sqlite3_column_text(s, 1));
		saved->sql[n++] = xstrdup((const char *)sqlite3_column_text(s, 2));
	}
	sqlite3_finalize(s);
	saved->count = n;
	if (n == 0)
		die("schema", "nothing to set aside: the loader needs updating");
	for (size_t i = 0; i < n; i++) {
		if (sql_exec(db, drops[i], &cause) != 0)
			die("drop", cause);
		free(drops[i]);
	}
	free(drops);
}

static void schema_remake(sqlite3 *db, struct saved_schema *saved)
{
	char *cause = NULL;

	for (size_t i = 0; i < saved->count; i++) {
		if (sql_exec(db, saved->sql[i], &cause) != 0)
			die("create", cause);
		free(saved->sql[i]);
	}
	free(saved->sql);
}

static void search_drop(struct load *l, struct saved_schema *saved)
{
	schema_drop(store_db(l->store),
		    "SELECT type, name, sql FROM sqlite_schema WHERE type = 'trigger'"
		    " AND name IN ('courses_search_insert', 'courses_search_update')",
		    saved);
}

/* A scheme that has run for years has erased the personal data of every
 * course that closed more than retention.days ago, a day's worth at a
 * time (the daily retention job): the purge up to yesterday, as the job
 * runs it, so the daemon's first retention run is one day's, as after any
 * restart. The search index is filled afterwards, without them, as the
 * purge would have left it. */
static void purge_history(struct load *l, cal_day today)
{
	struct retention_result r;
	struct error err;

	if (retention_purge(l->store, at(today - 1, 3), BENCH_RETENTION_DAYS, "system", false, &r,
			    &err) != 0)
		die("retention", err.message);
	fprintf(stderr, "bench-load: erased the personal data of %zu closed courses\n", r.courses);
}

static void search_fill(struct load *l, struct saved_schema *saved)
{
	char *cause = NULL;

	if (sql_exec(store_db(l->store),
		     "INSERT INTO courses_search (rowid, name, phone)"
		     " SELECT id, citizen_name, phone FROM courses WHERE anonymised_at IS NULL;"
		     "INSERT INTO courses_search (courses_search) VALUES ('optimize')",
		     &cause) != 0)
		die("search index", cause);
	schema_remake(store_db(l->store), saved);
}

static void build_history(struct load *l, cal_day first, long count, long *citizens)
{
	static const char course_sql[] =
		"INSERT INTO courses (id, notification_id, state, state_reason, state_changed_at,"
		" citizen_name, cpr, phone, preferred_from, preferred_to, unit, discharge_date,"
		" window_end, mentor_id, superseded_by, created_at, intake_fingerprint,"
		" notified_discharge_date)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'Afsnit B3', ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?11)";
	static const char call_sql[] =
		"INSERT INTO calls (id, course_id, reason, first_contact, attempt, due_date, state,"
		" cancel_reason, created_at, mentor_id)"
		" VALUES (?1, ?1, 'first_contact', 1, 1, ?2, 'cancelled', ?3, ?4, ?5)";
	static const char log_sql[] =
		"INSERT INTO course_log (course_id, at, author, kind, details)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char audit_sql[] =
		"INSERT INTO audit (at, role, action, course_id, purpose)"
		" VALUES (?1, 'psychiatry', 'discharge', ?2, 'discharge notification from psychiatry')";
	struct bulk b = {.db = store_db(l->store)};
	struct saved_schema saved;
	struct hist *h = plan_history(l, first, count, citizens);
	char details[64];
	long made = 0, closing = 0;

	schema_drop(
		b.db,
		"SELECT type, name, sql FROM sqlite_schema WHERE type = 'index'"
		" AND sql IS NOT NULL AND tbl_name IN ('courses', 'calls', 'course_log', 'audit')",
		&saved);
	b.course = bulk_prepare(b.db, course_sql);
	b.call = bulk_prepare(b.db, call_sql);
	b.log = bulk_prepare(b.db, log_sql);
	b.audit = bulk_prepare(b.db, audit_sql);
	/* Day by day, so the log's ids follow time as the daemon's do: the
	 * day's discharges, then the courses whose window ended before it. */
	for (cal_day day = first; closing < count; day++) {
		for (; made < count && h[made].day == day; made++)
			bulk_course(l, &b, &h[made], made);
		for (; closing < made && h[closing].close <= day; closing++) {
			if (h[closing].by > 0)
				continue;
			snprintf(details, sizeof details, "{\"call_id\":%ld,\"reason\":\"closed\"}",
				 closing + 1);
			bulk_log(&b, closing + 1, at(day, 1), "system", "call_cancelled", details);
			bulk_log(
				&b, closing + 1, at(day, 1), "system", "closed",
				"{\"from\":\"active\",\"reason\":\"window_end\",\"to\":\"closed\"}");
		}
	}
	sqlite3_finalize(b.course);
	sqlite3_finalize(b.call);
	sqlite3_finalize(b.log);
	sqlite3_finalize(b.audit);
	free(h);
	schema_remake(b.db, &saved);
}

static void build_recent(struct load *l, cal_day first, cal_day bench_day, long count,
			 long *citizens)
{
	long per_day = (count + (bench_day - first) - 1) / (bench_day - first), done = 0;
	int64_t call;

	l->messages = COURSE_MSG_ALL; /* as etc/mentord.conf ships */
	for (cal_day day = first; day < bench_day; day++) {
		close_expired(l, day);
		if (cal_is_working_day(&l->rules.closures, day))
			work_queues(l, day);
		for (long i = 0; i < per_day && done < count; i++, done++)
			discharge(l, day, next_citizen(l, citizens, 30 * per_day), &call);
	}
}

static void foreign_keys_on(struct load *l)
{
	sqlite3 *db = store_db(l->store);
	char *cause = NULL;
	sqlite3_stmt *s;

	if (sql_exec(db, "PRAGMA foreign_keys=ON", &cause) != 0)
		die("foreign keys", cause);
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check(courses)", -1, &s, NULL) != SQLITE_OK)
		die("foreign_key_check", sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_DONE)
		die("foreign_key_check", "a course refers to one that does not exist");
	sqlite3_finalize(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* --queue: queue_build itself (routing, the index ranges, the order) for
 * every mentor in turn, in process: the part of GET /v1/queue that grows
 * with the database, without HTTP, the audit rows and the COMMIT. Prints
 * the median and p99 in ms. */
static int time_queues(const char *path, const char *day_text)
{
	enum { ROUNDS = 50 };
	double ms[ROUNDS * MENTORS];
	struct load l = {0};
	struct queue_list *q;
	struct timespec t0;
	struct error err;
	char *cause = NULL;
	cal_day day;
	size_t n = 0;

	if (cal_day_parse(day_text, &day) != 0)
		die("--queue", "the day is not YYYY-MM-DD");
	open_all(&l, path);
	if (store_tune(l.store, 32, 0, &cause) != 0) /* as etc/mentord.conf ships */
		die("store", cause);
	for (int r = 0; r < ROUNDS; r++)
		for (int64_t m = 1; m <= MENTORS; m++) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (queue_build(l.queue, m, day, &q, &err) != 0)
				die("queue_build", err.message);
			ms[n++] = 1000 * seconds_since(&t0);
			queue_list_free(q);
		}
	close_all(&l);
	qsort(ms, n, sizeof ms[0], cmp_double);
	printf("%.3f %.3f\n", ms[n / 2], ms[n * 99 / 100]);
	return 0;
}

int main(int argc, char **argv)
{
	struct load l = {.rng = 0x9e3779b97f4a7c15ull};
	struct saved_schema search;
	struct timespec t0, t1;
	char *cause = NULL, *end;
	struct error err;
	long courses, recent, citizens = 0;
	cal_day today, bench_day, recent_first;
	char text[CAL_DATE_LEN];
	time_t now = time(NULL);

	if (argc == 4 && strcmp(argv[1], "--queue") == 0) {
		if (clock_use_timezone(CONFIG_DEFAULT_TIMEZONE, &cause) != 0)
			die("time zone", cause);
		return time_queues(argv[2], argv[3]);
	}
	if (argc != 3 || (courses = strtol(argv[2], &end, 10)) <= 0 || *end != '\0') {
		fprintf(stderr, "usage: bench-load DATABASE COURSES\n"
				"       bench-load --queue DATABASE DAY\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (clock_use_timezone(CONFIG_DEFAULT_TIMEZONE, &cause) != 0)
		die("time zone", cause);
	schedule_rules_default(&l.rules);
	l.psychiatry.role = AUTH_PSYCHIATRY;
	l.mentor.role = AUTH_MENTOR;
	today = cal_day_of_instant(now);
	bench_day = cal_next_working_day(&l.rules.closures, today);
	recent = courses < (long)RECENT_DAYS * RECENT_PER_DAY ? courses
							      : (long)RECENT_DAYS * RECENT_PER_DAY;
	recent_first = bench_day - (cal_day)((recent + RECENT_PER_DAY - 1) / RECENT_PER_DAY);

	open_all(&l, argv[1]);
	/* A course superseded in the history names a course written after
	 * it: the keys are checked once the history is in. */
	if (sql_exec(store_db(l.store), "PRAGMA foreign_keys=OFF", &cause) != 0)
		die("foreign keys", cause);
	if (store_begin(l.store, &err) != 0)
		die("begin", err.message);
	search_drop(&l, &search);
	add_mentors(&l, at(recent_first - HISTORY_GAP - HISTORY_DAYS - 1, 12));
	if (courses > recent)
		build_history(&l, recent_first - HISTORY_GAP - HISTORY_DAYS, courses - recent,
			      &citizens);
	if (store_commit(l.store, &err) != 0)
		die("commit", err.message);
	foreign_keys_on(&l);
	/* The statistics store_open gathered describe the empty file: with
	 * them the planner finds a readmitted citizen's open course through
	 * the table, not the cpr index, and the recent months take an hour,
	 * not a minute. The daemon's daily optimize job keeps them current
	 * as a real database grows (analysis_limit keeps this short). */
	if (sql_exec(store_db(l.store), "ANALYZE", &cause) != 0)
		die("analyze", cause);
	fprintf(stderr, "bench-load: history of %ld courses in %.1f s\n", l.created,
		seconds_since(&t0));
	if (store_begin(l.store, &err) != 0)
		die("begin", err.message);
	build_recent(&l, recent_first, bench_day, recent, &citizens);
	mentor_away(&l, bench_day);
	purge_history(&l, today);
	mark_jobs_run(&l, now);
	search_fill(&l, &search);
	if (store_commit(l.store, &err) != 0)
		die("commit", err.message);
	close_all(&l);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	cal_day_format(bench_day, text);
	fprintf(stderr, "bench-load: %ld courses, %ld outcomes in %.1f s\n", l.created, l.outcomes,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%s\n", text);
	return 0;
}
