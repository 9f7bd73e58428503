/*
 * sched-fixture.c - a fresh scheduling core per test (sched-fixture.h).
 */
#ifndef _POSIX_C_SOURCE
/* mkstemp and unlink are POSIX; -std=c11 alone hides them. */
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "sched-fixture.h"

static void fx_open(struct fx *fx)
{
	char *cause = NULL;
	int fd;

	snprintf(fx->path, sizeof fx->path, "/tmp/mentord-test-XXXXXX");
	fd = mkstemp(fx->path);
	if (fd < 0)
		fail_msg("mkstemp failed");
	close(fd);
	if (store_open(fx->path, &fx->store, &cause) != 0)
		fail_msg("store_open: %s", cause);
	if ((fx->mentors = mentor_db_new(fx->store, &cause)) == NULL ||
	    (fx->log = course_log_new(fx->store, &cause)) == NULL ||
	    (fx->outbox = outbox_new(fx->store, &cause)) == NULL ||
	    (fx->courses = course_db_new(fx->store, fx->mentors, fx->log, fx->outbox, &cause)) ==
		    NULL ||
	    (fx->queue = queue_new(fx->store, fx->mentors, &cause)) == NULL)
		fail_msg("setting up: %s", cause);
}

static void fx_close(struct fx *fx)
{
	char extra[80];

	queue_free(fx->queue);
	course_db_free(fx->courses);
	outbox_free(fx->outbox);
	course_log_free(fx->log);
	mentor_db_free(fx->mentors);
	store_free(fx->store);
	unlink(fx->path);
	snprintf(extra, sizeof extra, "%s-wal", fx->path);
	unlink(extra);
	snprintf(extra, sizeof extra, "%s-shm", fx->path);
	unlink(extra);
}

int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char *cause = NULL;

	if (fx == NULL)
		return -1;
	if (clock_use_timezone("Europe/Copenhagen", &cause) != 0) {
		print_error("%s\n", cause);
		free(cause);
		free(fx);
		return -1;
	}
	schedule_rules_default(&fx->rules);
	fx->op.rules = &fx->rules;
	fx->op.author = "mentor:1";
	fx->op.messages = COURSE_MSG_ALL;
	fx_open(fx);
	*state = fx;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *fx = *state;

	fx_close(fx);
	free(fx);
	return 0;
}

void fx_reset(struct fx *fx)
{
	fx_close(fx);
	fx_open(fx);
}

void fx_done(int failures)
{
	if (failures != 0)
		fail_msg("%d case(s) failed", failures);
}

cal_day fx_day(const char *text)
{
	cal_day d;

	if (text == NULL)
		return CAL_NO_DAY;
	if (cal_day_parse(text, &d) != 0)
		fail_msg("the test table has a bad date \"%s\"", text);
	return d;
}

const char *fx_fmt(cal_day d, char buf[CAL_DATE_LEN])
{
	if (d == CAL_NO_DAY)
		snprintf(buf, CAL_DATE_LEN, "none");
	else
		cal_day_format(d, buf);
	return buf;
}

time_t fx_instant(const char *when)
{
	time_t t;

	if (strlen(when) == 10)
		return (time_t)fx_day(when) * 86400 + 12 * 3600;
	if (clock_parse_rfc3339(when, &t) != 0)
		fail_msg("the test table has a bad instant \"%s\"", when);
	return t;
}

void fx_on(struct fx *fx, const char *when)
{
	fx->op.now = fx_instant(when);
}

void fx_begin(struct fx *fx)
{
	struct error err;

	if (store_begin(fx->store, &err) != 0)
		fail_msg("store_begin: %s", err.message);
}

void fx_commit(struct fx *fx)
{
	struct error err;

	if (store_commit(fx->store, &err) != 0)
		fail_msg("store_commit: %s", err.message);
}

int64_t fx_mentor(struct fx *fx, const char *name, unsigned days)
{
	struct mentor m = {.name = (char *)name, .phone = "+4570000000", .working_days = days,
			   .active = true};
	int64_t id;

	fx_begin(fx);
	if (mentor_add(fx->mentors, &m, fx->op.now, &id, &fx->err) != 0)
		fail_msg("mentor_add: %s", fx->err.message);
	fx_commit(fx);
	return id;
}

struct discharge fx_notification(const char *notification, const char *name, const char *cpr,
				 const char *phone, const char *discharge)
{
	struct discharge d;

	discharge_init(&d, DISCHARGE_SOURCE_PSYCHIATRY);
	d.notification_id = notification;
	d.name = name;
	d.cpr_text = cpr;
	d.phone_text = phone;
	d.has_discharged_at = discharge != NULL;
	d.discharged_at = discharge != NULL ? fx_instant(discharge) : 0;
	d.consent_contact = d.consent_share = true;
	return d;
}

void fx_check(struct fx *fx, struct discharge *d)
{
	struct discharge_problems p;

	if (discharge_check(d, fx->op.now, &p) == 0)
		return;
	for (int i = 0; i < DISCHARGE_NFIELDS; i++)
		if (p.message[i][0] != '\0')
			fail_msg("discharge %s: %s: %s", d->notification_id,
				 discharge_field_name((enum discharge_field)i), p.message[i]);
}

int64_t fx_discharge(struct fx *fx, const char *notification, const char *name, const char *cpr,
		     const char *phone, const char *discharge, const char *on,
		     struct course_created *created)
{
	struct discharge d = fx_notification(notification, name, cpr, phone, discharge);
	struct course_created tmp;

	if (created == NULL)
		created = &tmp;
	fx_on(fx, on);
	fx_check(fx, &d);
	fx_begin(fx);
	if (course_create(fx->courses, &fx->op, &d, created, &fx->err) != 0)
		fail_msg("course_create %s: %s", notification, fx->err.message);
	fx_commit(fx);
	return created->course_id;
}

int64_t fx_pending(struct fx *fx, int64_t course_id)
{
	return fx_int(fx, "SELECT id FROM calls WHERE course_id = ?1 AND state = 'pending'",
		      course_id);
}

int fx_outcome(struct fx *fx, int64_t course_id, enum call_result result, const char *on,
	       struct course_result *out)
{
	struct call_outcome o = {.result = result, .duration_minutes = -1,
				 .next_date = CAL_NO_DAY};
	struct course_result tmp;
	int64_t call = fx_pending(fx, course_id);
	int rc;

	if (call == 0)
		fail_msg("course %lld has no pending call", (long long)course_id);
	fx_on(fx, on);
	fx_begin(fx);
	rc = course_record_outcome(fx->courses, &fx->op, call, &o, out != NULL ? out : &tmp,
				   &fx->err);
	if (rc != 0)
		store_rollback(fx->store);
	else
		fx_commit(fx);
	return rc;
}

static sqlite3_stmt *fx_query(struct fx *fx, const char *sql, int64_t arg)
{
	sqlite3 *db = store_db(fx->store);
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("test query \"%s\": %s", sql, sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	return s;
}

int64_t fx_int(struct fx *fx, const char *sql, int64_t arg)
{
	sqlite3_stmt *s = fx_query(fx, sql, arg);
	int64_t v = 0;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *fx_text(struct fx *fx, const char *sql, int64_t arg, char *buf, size_t size)
{
	sqlite3_stmt *s = fx_query(fx, sql, arg);
	const unsigned char *t = NULL;

	if (sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_text(s, 0);
	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "(null)");
	sqlite3_finalize(s);
	return buf;
}
