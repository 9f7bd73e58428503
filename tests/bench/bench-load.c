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
 * Why this is the path the API takes: every course is a discharge
 * notification as POST /v1/discharges receives it, a JSON body read by
 * intake_parse, its intake_fingerprint, course_create and the audit row
 * (what api-discharges.c does inside its job); every outcome is
 * course_record_outcome on a call queue_build put in a mentor's queue
 * (POST /v1/calls/{id}/outcome on GET /v1/queue); windows close through
 * course_close_expired, the daily job; the messages those queue are
 * settled with outbox_mark_sent, as the outbox worker does after the
 * gateway's 2xx. So the rows, indexes, triggers and log entries are the
 * ones the daemon writes. What differs is only what makes a million
 * courses take minutes rather than hours: no HTTP, thousands of changes
 * per COMMIT, and synchronous=OFF (a build that fails is simply rerun).
 *
 * The simulated history ends the day before the benchmark day:
 *  - the recent months (up to RECENT_DAYS, RECENT_PER_DAY discharges a
 *    day) are worked as mentors would: each working day every mentor's
 *    queue gets an outcome per call, mostly "reached, continue", so the
 *    active courses carry the tapering plan and a queue has tens of calls,
 *    whatever the size of the database;
 *  - the courses before them (the rest of COURSES over HISTORY_DAYS,
 *    ending HISTORY_GAP days before the recent months) closed when their
 *    window did, their first call cancelled then, and without messages
 *    (as with messages.closing = false), so at a million courses nearly
 *    all are history, as in a scheme that has run for years, at a third
 *    of the cost of working each one.
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
#include "intake.h"
#include "mentor.h"
#include "outbox.h"
#include "publish.h"
#include "queue.h"
#include "sql.h"
#include "store.h"

#define MENTORS 20
#define RECENT_DAYS 200
#define RECENT_PER_DAY 90
#define HISTORY_DAYS 1825
/* Days from the last historic discharge to the first recent one: more
 * than a window, so every historic course has closed by then. */
#define HISTORY_GAP 200
#define CHANGES_PER_COMMIT 50000
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
	char *cause = NULL;

	if (store_commit(l->store, &cause) != 0 || store_begin(l->store, &cause) != 0)
		die("commit", cause);
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
	char *cause = NULL;
	if (audit_record(l->store, &l->psychiatry, NULL, op.now, "discharge", created.course_id,
			 "discharge notification from psychiatry", &cause) != 0)
		die("audit", cause);
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
	char *cause = NULL;

	if (course_record_outcome(l->courses, &op, e->call_id, &o, &r, &err) != 0)
		die("course_record_outcome", err.message);
	if (audit_record(l->store, &l->mentor, NULL, op.now, "outcome", e->course_id,
			 "record the call's outcome", &cause) != 0)
		die("audit", cause);
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
	    (l->courses = course_db_new(l->store, l->mentors, l->log, l->outbox, &cause)) ==
		    NULL ||
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

/* History: courses discharged over HISTORY_DAYS, closed when their window
 * ends; the recent months start once the last of them has closed. */
static void build_history(struct load *l, cal_day first, long count, long *citizens)
{
	long done = 0;
	int64_t call;

	/* Without messages (messages.closing = false): a million settled
	 * closing messages would double the time of the build and add nothing
	 * a read of the API touches. */
	l->messages = 0;
	for (int d = 0; d < HISTORY_DAYS && done < count; d++) {
		cal_day day = first + d;
		long today = (count - done) / (HISTORY_DAYS - d);
		for (long i = 0; i < today; i++)
			discharge(l, day, next_citizen(l, citizens, 30 * today), &call);
		done += today;
		close_expired(l, day);
	}
	/* Daily, as the daemon does: each close is one savepoint, and a
	 * savepoint's statements grow slower with its size. */
	for (int d = 0; d <= HISTORY_GAP; d++)
		close_expired(l, first + HISTORY_DAYS + d);
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

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
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
	struct timespec t0, t1;
	char *cause = NULL, *end;
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
	if (store_begin(l.store, &cause) != 0)
		die("begin", cause);
	add_mentors(&l, at(recent_first - HISTORY_GAP - HISTORY_DAYS - 1, 12));
	if (courses > recent)
		build_history(&l, recent_first - HISTORY_GAP - HISTORY_DAYS, courses - recent,
			      &citizens);
	build_recent(&l, recent_first, bench_day, recent, &citizens);
	mentor_away(&l, bench_day);
	mark_jobs_run(&l, now);
	if (store_commit(l.store, &cause) != 0)
		die("commit", cause);
	close_all(&l);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	cal_day_format(bench_day, text);
	fprintf(stderr, "bench-load: %ld courses, %ld outcomes in %.1f s\n", l.created, l.outcomes,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%s\n", text);
	return 0;
}
