/*
 * outbox-worker.c - the outbox sender (outbox-worker.h).
 *
 * One timer event, scan, does all the looking: kicks re-arm it with a zero
 * timeout, a chunked pass re-arms it for the next chunk, and an idle
 * worker arms it for the next stored retry or the poll interval. A send
 * lives in w->sends from the moment its row is handed to the gateway until
 * the change recording its result has been committed, and a row in that
 * list is never handed out twice.
 */
#include "outbox-worker.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "clock.h"
#include "config.h"
#include "course-log.h"
#include "course.h"
#include "gateway.h"
#include "group-commit.h"
#include "log.h"
#include "mentor.h"
#include "mentord.h"
#include "message.h"
#include "offer.h"
#include "outbox.h"
#include "programme.h"
#include "store.h"
#include "xmalloc.h"

enum settle {
	SETTLE_SENT,
	SETTLE_RETRY,
	SETTLE_DEAD,
	SETTLE_WITHDRAW, /* not sent: its course may no longer be written to */
};

struct send {
	struct outbox_worker *worker; /* NULL once the worker is freed */
	struct mentord *m;
	int64_t id;
	int64_t course_id;
	enum outbox_kind kind;
	char *type;
	int attempts;	      /* before this one */
	time_t failing_since; /* 0: no failure yet */

	/* the result */
	enum gateway_outcome outcome;
	long status;
	double seconds;
	char error[300];
	enum settle settle;
	time_t now;
	time_t next;
	bool withdrawn; /* a retry not made, or a send not made: settle_outdated */
	char why[32];	/* why it was withdrawn */

	TAILQ_ENTRY(send) entry;
};
TAILQ_HEAD(sends, send);

struct outbox_worker {
	struct mentord *m;
	struct gateway *gateway; /* NULL: no gateway configured */
	struct event *scan;
	struct sends sends;
	size_t nsends;
	int64_t cursor; /* the pass goes on after this id */
	bool closing;
	bool snapshot;		    /* scan_cb's read transaction is open */
	void (*started)(void *arg); /* outbox_worker_on_started, until called */
	void *started_arg;
	struct outbox_worker_stats stats;
};

static void release(struct send *s);

/* The first pass has got going (outbox_worker_on_started). */
static void started(struct outbox_worker *w)
{
	void (*cb)(void *arg) = w->started;

	if (cb == NULL)
		return;
	w->started = NULL;
	cb(w->started_arg);
}

void outbox_worker_on_started(struct outbox_worker *w, void (*cb)(void *arg), void *arg)
{
	w->started = cb;
	w->started_arg = arg;
}

/* --- scheduling the scan --------------------------------------------------- */

static void arm(struct outbox_worker *w, long seconds)
{
	struct timeval tv = {seconds, 0};

	if (w->scan != NULL && !w->closing)
		evtimer_add(w->scan, &tv);
}

void outbox_worker_kick(struct outbox_worker *w)
{
	if (w == NULL)
		return;
	w->cursor = 0;
	arm(w, 0);
}

static void notify_cb(void *arg)
{
	outbox_worker_kick(arg);
}

/* Idle: wake for the next stored retry, or poll. */
static void arm_idle(struct outbox_worker *w, time_t now)
{
	struct error err;
	time_t at;
	long wait = OUTBOX_WORKER_POLL_S;

	if (outbox_next_due(w->m->outbox, now, &at, &err) != 0)
		log_err("outbox: %s", err.message);
	else if (at > now && at - now < wait)
		wait = (long)(at - now);
	arm(w, wait);
}

/* --- recording a result ---------------------------------------------------- */

static bool is_cancel(enum outbox_kind kind, const char *type)
{
	return kind == OUTBOX_CALL_TASK && strcmp(type, OUTBOX_CANCEL_TYPE) == 0;
}

static const char *kind_event(enum outbox_kind kind, const char *type, enum settle settle)
{
	if (is_cancel(kind, type))
		return settle == SETTLE_SENT ? "call_task_cancel_delivered"
					     : "call_task_cancel_failed";
	if (settle == SETTLE_WITHDRAW)
		return kind == OUTBOX_CALL_TASK ? "call_task_withdrawn" : "message_withdrawn";
	if (settle == SETTLE_SENT)
		return kind == OUTBOX_CALL_TASK ? "call_task_delivered" : "message_delivered";
	return kind == OUTBOX_CALL_TASK ? "call_task_failed" : "message_failed";
}

/* What the course operations need to know of the worker's "now". */
static void worker_op(struct mentord *m, struct course_op *op)
{
	*op = (struct course_op){
		.rules = &programme_discharge(&m->config->programmes)->rules,
		.programmes = &m->config->programmes,
		.now = clock_now(m->clock),
		.author = "system",
		.messages = message_flags(m->config),
	};
}

/* The day course c's next call may be promised in a message sent now
 * (course_promised_call), or CAL_NO_DAY; -1 if the store fails. */
static int promised_call(struct mentord *m, const struct course *c, cal_day *day, struct error *err)
{
	struct course_op op;

	worker_op(m, &op);
	return course_promised_call(m->courses, &op, c, day, err);
}

/* A welcome says who will call and on which day: with no call to promise
 * any more (the course ended, closed or was superseded while it waited,
 * or lost its call) it is no longer true, and is withdrawn. */
static const char *welcome_outdated(struct mentord *m, int64_t course_id, enum course_state state,
				    struct error *err, bool *failed)
{
	struct course *c;
	cal_day day;
	int rc;

	if (state != COURSE_ACTIVE)
		return course_state_name(state);
	if (course_get(m->courses, course_id, &c, err) != 0) {
		*failed = true;
		return NULL;
	}
	rc = promised_call(m, c, &day, err);
	course_free(c);
	if (rc != 0) {
		*failed = true;
		return NULL;
	}
	return day == CAL_NO_DAY ? "no_call" : NULL;
}

/*
 * Why a row of this course must not go out now, or NULL. Nobody may be
 * asked to call, or write to, a citizen who died or whose course was
 * cancelled or paused by a readmission (doc/life-events.md); a call task
 * is for an active course only; a closing message is not sent to a
 * citizen who came back (the resume could not withdraw it while it was on
 * the wire); a welcome needs a call to announce. A cancellation always
 * goes: it is what stops a call.
 */
static const char *row_outdated(struct mentord *m, enum outbox_kind kind, const char *type,
				int64_t course_id, struct error *err, bool *failed)
{
	enum course_state state;

	*failed = false;
	if (course_id <= 0 || is_cancel(kind, type))
		return NULL;
	if (course_state_of(m->courses, course_id, &state, err) != 0) {
		*failed = err->kind != ERROR_NOT_FOUND;
		return NULL;
	}
	if (state == COURSE_DECEASED || state == COURSE_CANCELLED || state == COURSE_PAUSED)
		return course_state_name(state);
	if (kind == OUTBOX_CALL_TASK && state != COURSE_ACTIVE)
		return course_state_name(state);
	if (kind == OUTBOX_MESSAGE && strcmp(type, "closing") == 0 && state == COURSE_ACTIVE)
		return "resumed";
	if (kind == OUTBOX_MESSAGE && strcmp(type, "welcome") == 0)
		return welcome_outdated(m, course_id, state, err, failed);
	return NULL;
}

/* Withdraw s's row instead of sending (again): 1 withdrawn, 0 it was no
 * longer pending, -1 error. */
static int settle_withdraw(struct send *s, const char *why, struct error *err)
{
	bool withdrawn;
	json_t *details;
	int rc;

	if (outbox_withdraw_row(s->m->outbox, s->id, &withdrawn, err) != 0)
		return -1;
	if (!withdrawn)
		return 0;
	details = json_pack("{s:s, s:s, s:I}", "type", s->type, "reason", why, "outbox_id",
			    (json_int_t)s->id);
	rc = course_log_append(s->m->course_log, s->course_id, s->now, "system",
			       kind_event(s->kind, s->type, SETTLE_WITHDRAW), details, err);
	json_decref(details);
	return rc == 0 ? 1 : -1;
}

/* A row that failed on the wire while its course changed is withdrawn
 * now instead of retried (row_outdated). 1: withdrawn, 0: retry, -1. */
static int settle_outdated(struct send *s, struct error *err)
{
	const char *why;
	bool failed;

	why = row_outdated(s->m, s->kind, s->type, s->course_id, err, &failed);
	if (failed)
		return -1;
	if (why == NULL)
		return 0;
	snprintf(s->why, sizeof s->why, "%s", why);
	return settle_withdraw(s, why, err);
}

static int settle_apply(struct store *store, void *arg)
{
	struct send *s = arg;
	struct outbox *outbox = s->m->outbox;
	struct error err;
	json_t *details;
	bool settled;
	int rc;

	(void)store;
	/* Only this row, and only while it is pending: a row being sent is
	 * not withdrawn (in_flight_cb) and ids are never reused, so the
	 * settle cannot touch another row. Should the row have left pending
	 * all the same (the retention purge dead-letters it, a withdrawal
	 * committed after the worker was freed at shutdown), the result
	 * still goes to the course log: a message the gateway took did reach
	 * the citizen, one that failed did not. */
	switch (s->settle) {
	case SETTLE_SENT:
		rc = outbox_mark_sent(outbox, s->id, s->now, &settled, &err);
		break;
	case SETTLE_RETRY:
		rc = settle_outdated(s, &err);
		if (rc == 1) {
			s->withdrawn = true;
			return 0;
		}
		if (rc == 0)
			rc = outbox_mark_retry(outbox, s->id, s->now, s->next, s->error, &settled,
					       &err);
		break;
	case SETTLE_WITHDRAW:
		rc = settle_withdraw(s, s->why, &err);
		s->withdrawn = rc == 1;
		return rc < 0 ? -1 : 0;
	case SETTLE_DEAD:
	default:
		rc = outbox_mark_dead(outbox, s->id, s->now, s->error, &settled, &err);
		break;
	}
	if (rc == 0 && !settled)
		log_course(LOG_INFO, s->course_id,
			   "outbox %lld (%s): no longer pending when its send ended (%s)",
			   (long long)s->id, s->type, gateway_outcome_name(s->outcome));
	if (rc == 0 && s->course_id > 0 && s->settle != SETTLE_RETRY) {
		/* The citizen's timeline shows what reached them, and what did not. */
		details = json_pack("{s:I, s:s}", "outbox_id", (json_int_t)s->id, "type", s->type);
		if (s->settle == SETTLE_DEAD)
			json_object_set_new(details, "error", json_string(s->error));
		rc = course_log_append(s->m->course_log, s->course_id, s->now, "system",
				       kind_event(s->kind, s->type, s->settle), details, &err);
		json_decref(details);
	}
	if (rc != 0)
		log_err("outbox %lld: recording the result: %s", (long long)s->id, err.message);
	return rc;
}

static void settle_log(struct outbox_worker *w, const struct send *s)
{
	switch (s->settle) {
	case SETTLE_SENT:
		w->stats.delivered++;
		log_course(LOG_INFO, s->course_id, "outbox %lld (%s): delivered (HTTP %ld, %.3f s)",
			   (long long)s->id, s->type, s->status, s->seconds);
		break;
	case SETTLE_WITHDRAW:
		log_course(LOG_NOTICE, s->course_id, "outbox %lld (%s): not sent, withdrawn (%s)",
			   (long long)s->id, s->type, s->why);
		break;
	case SETTLE_RETRY:
		if (s->withdrawn) {
			log_course(LOG_NOTICE, s->course_id,
				   "outbox %lld (%s): not delivered (%s); withdrawn (%s)",
				   (long long)s->id, s->type, s->error, s->why);
			break;
		}
		w->stats.retried++;
		log_course(LOG_NOTICE, s->course_id,
			   "outbox %lld (%s): not delivered (%s): attempt %d, next in %lld s",
			   (long long)s->id, s->type, s->error, s->attempts + 1,
			   (long long)(s->next - s->now));
		break;
	case SETTLE_DEAD:
		w->stats.dead++;
		log_course(LOG_WARNING, s->course_id,
			   "outbox %lld (%s): dead letter after %d attempt(s): %s; "
			   "an admin can send it again (mentorctl outbox retry %lld)",
			   (long long)s->id, s->type, s->attempts + 1, s->error, (long long)s->id);
		break;
	}
}

static void settle_done(void *arg, int status)
{
	struct send *s = arg;
	struct outbox_worker *w = s->worker;

	if (status != 0)
		/* Still pending in the store: the poll sends it again, with the
		 * same key, so the gateway sees a repeat at worst. */
		log_err("outbox %lld: the result (%s) could not be stored; it will be sent again",
			(long long)s->id, gateway_outcome_name(s->outcome));
	else if (w != NULL)
		settle_log(w, s);
	release(s);
	if (w == NULL)
		return;
	started(w);
	if (status == 0)
		arm(w, 0); /* a slot is free: the pass goes on, or the next begins */
	else if (!evtimer_pending(w->scan, NULL))
		arm(w, OUTBOX_WORKER_POLL_S); /* not at once: the store is failing */
}

static const struct group_commit_ops settle_ops = {settle_apply, settle_done};

/* Decide what the result means for the row and record it. */
static void settle(struct send *s, enum gateway_outcome outcome, const char *error,
		   long retry_after_s)
{
	const struct config *c = s->m->config;
	time_t since;
	int64_t delay;
	uint32_t random;

	s->outcome = outcome;
	s->now = clock_now(s->m->clock);
	snprintf(s->error, sizeof s->error, "%s", error != NULL ? error : "");
	switch (outcome) {
	case GATEWAY_DELIVERED:
		s->settle = SETTLE_SENT;
		break;
	case GATEWAY_TRANSIENT:
		since = s->failing_since != 0 ? s->failing_since : s->now;
		if (s->now - since >= (time_t)c->gateway_give_up_hours * 3600) {
			s->settle = SETTLE_DEAD;
			snprintf(s->error, sizeof s->error, "gave up after %d h of failures: %s",
				 c->gateway_give_up_hours, error != NULL ? error : "");
			break;
		}
		s->settle = SETTLE_RETRY;
		sqlite3_randomness(sizeof random, &random);
		delay = gateway_backoff_delay(s->attempts + 1, c->gateway_backoff_initial_s,
					      c->gateway_backoff_max_s, random);
		/* The gateway knows its own load: wait at least as long as it
		 * asks, but never past the configured ceiling. */
		if (retry_after_s > delay)
			delay = retry_after_s < c->gateway_backoff_max_s ? retry_after_s
									 : c->gateway_backoff_max_s;
		s->next = s->now + (time_t)delay;
		break;
	case GATEWAY_PERMANENT:
	case GATEWAY_CANCELLED:
	default:
		s->settle = SETTLE_DEAD;
		break;
	}
	group_commit_submit_later(s->m->commits, &settle_ops, s);
}

static void send_done_cb(const struct gateway_result *r, void *arg)
{
	struct send *s = arg;
	enum gateway_outcome outcome = r->outcome;

	if (outcome == GATEWAY_CANCELLED) {
		/* Shutdown or a removed gateway: the row stays pending and goes
		 * again, same key, when there is a gateway. */
		release(s);
		return;
	}
	/* doc/gateway.md: a task the gateway does not have is cancelled
	 * enough (it never got it, or forgot it). */
	if (is_cancel(s->kind, s->type) && r->status == 404)
		outcome = GATEWAY_DELIVERED;
	s->status = r->status;
	s->seconds = r->seconds;
	settle(s, outcome, outcome == GATEWAY_DELIVERED ? "" : r->error, r->retry_after_s);
}

/* --- sending a row ------------------------------------------------------------ */

static void release(struct send *s)
{
	if (s->worker != NULL) {
		TAILQ_REMOVE(&s->worker->sends, s, entry);
		s->worker->nsends--;
	}
	free(s->type);
	free(s);
}

static bool in_flight(const struct outbox_worker *w, int64_t id)
{
	const struct send *s;

	TAILQ_FOREACH (s, &w->sends, entry)
		if (s->id == id)
			return true;
	return false;
}

/* The outbox asks before it withdraws a row (outbox_set_in_flight). */
static bool in_flight_cb(void *arg, int64_t id)
{
	return in_flight(arg, id);
}

/*
 * The next call a message promises is the course's as it is now, not as
 * it was when the message was written (doc/gateway.md): the call may have
 * been cancelled since, or its day passed while the gateway was down. A
 * message written without one (a call that ended the course, say) gains
 * none: only a call agreed in the conversation is promised.
 */
static int next_call_now(struct mentord *m, const struct course *c, json_t *facts,
			 struct error *err)
{
	char date[CAL_DATE_LEN];
	cal_day day;

	if (promised_call(m, c, &day, err) != 0)
		return -1;
	if (day != CAL_NO_DAY) {
		cal_day_format(day, date);
		json_object_set_new(facts, "next_call", json_pack("{s:s}", "date", date));
	}
	return 0;
}

/* The course's mentor and next call, and the referred offers, as the
 * store has them now. -1 only if the store cannot tell the next call: a
 * message must not promise one nobody checked. */
static int add_facts(struct mentord *m, int64_t course_id, json_t *facts, struct error *out)
{
	json_t *ids = json_object_get(facts, "offers"), *offers = json_array(), *offer, *v;
	bool promises = json_is_object(json_object_get(facts, "next_call"));
	struct error err;
	struct course *c;
	struct mentor *mentor;
	size_t i;
	int rc = 0;

	json_object_del(facts, "next_call");
	if (course_id > 0 && course_get(m->courses, course_id, &c, out) == 0) {
		if (c->mentor_id > 0 && mentor_get(m->mentors, c->mentor_id, &mentor, &err) == 0) {
			json_object_set_new(facts, "mentor",
					    json_pack("{s:I, s:s, s:s}", "id",
						      (json_int_t)mentor->id, "name", mentor->name,
						      "phone", mentor->phone));
			mentor_free(mentor);
		}
		if (promises)
			rc = next_call_now(m, c, facts, out);
		course_free(c);
	} else if (course_id > 0 && out->kind != ERROR_NOT_FOUND && promises) {
		rc = -1;
	}
	/* An offer deleted since the call is left out: it is no longer there
	 * to be contacted. */
	json_array_foreach (ids, i, v) {
		if (!json_is_integer(v))
			continue;
		if (offer_get(m->store, json_integer_value(v), &offer, &err) != 0) {
			log_err("outbox: reading offer %lld: %s", (long long)json_integer_value(v),
				err.message);
			continue;
		}
		if (offer != NULL)
			json_array_append_new(offers, offer);
	}
	json_object_set_new(facts, "offers", offers);
	return rc;
}

/* A notification to staff (concern.h), not a message to a citizen: it
 * goes to its own path, as it was written. */
static bool is_notification(const struct outbox_row *row)
{
	return row->kind == OUTBOX_MESSAGE && strcmp(row->type, "concern") == 0;
}

/* The request body for a row, or NULL with err filled. */
static char *build_body(struct outbox_worker *w, const struct outbox_row *row, struct error *err)
{
	json_t *facts, *message;
	json_error_t jerr;
	char *body;

	if (row->kind == OUTBOX_CALL_TASK || is_notification(row))
		return xstrdup(row->payload); /* written in the wire format */
	facts = json_loads(row->payload, 0, &jerr);
	if (!json_is_object(facts)) {
		error_set(err, ERROR_INVALID, "", "the payload is not a JSON object");
		json_decref(facts);
		return NULL;
	}
	if (add_facts(w->m, row->course_id, facts, err) != 0 ||
	    message_build(w->m->templates, w->m->config, row->key, facts, &message, err) != 0) {
		json_decref(facts);
		return NULL;
	}
	json_decref(facts);
	body = json_dumps(message, JSON_COMPACT);
	json_decref(message);
	if (body == NULL)
		error_set(err, ERROR_INVALID, "", "cannot encode the message");
	return body;
}

/* The gateway path of a row: a cancellation names its task. */
static int row_path(const struct outbox_row *row, char *path, size_t size, struct error *err)
{
	json_t *payload, *id;

	if (!is_cancel(row->kind, row->type)) {
		snprintf(path, size, "%s",
			 row->kind == OUTBOX_CALL_TASK ? "/v1/call-tasks"
			 : is_notification(row)	       ? "/v1/notifications"
						       : "/v1/messages");
		return 0;
	}
	payload = json_loads(row->payload, 0, NULL);
	id = json_object_get(payload, "id");
	if (!json_is_integer(id)) {
		json_decref(payload);
		return error_set(err, ERROR_INVALID, "", "the cancellation names no call task");
	}
	snprintf(path, size, "/v1/call-tasks/%lld/cancel", (long long)json_integer_value(id));
	json_decref(payload);
	return 0;
}

static void dispatch(struct outbox_worker *w, const struct outbox_row *row)
{
	struct send *s = xcalloc(1, sizeof *s);
	char path[64], *body;
	const char *why;
	struct error err;
	bool failed;

	s->worker = w;
	s->m = w->m;
	s->id = row->id;
	s->course_id = row->course_id;
	s->kind = row->kind;
	s->type = xstrdup(row->type);
	s->attempts = row->attempts;
	s->failing_since = row->failing_since;
	TAILQ_INSERT_TAIL(&w->sends, s, entry);
	w->nsends++;

	why = row_outdated(w->m, row->kind, row->type, row->course_id, &err, &failed);
	if (failed)
		log_err("outbox %lld: reading its course: %s", (long long)row->id, err.message);
	if (why != NULL) {
		/* A dead letter sent again, or a row queued before its course
		 * changed and not withdrawn then (it was on the wire). */
		snprintf(s->why, sizeof s->why, "%s", why);
		s->settle = SETTLE_WITHDRAW;
		s->now = clock_now(w->m->clock);
		group_commit_submit_later(w->m->commits, &settle_ops, s);
		return;
	}
	if (row_path(row, path, sizeof path, &err) != 0 ||
	    (body = build_body(w, row, &err)) == NULL) {
		/* A store that failed to tell the facts may tell them later. */
		settle(s, err.kind == ERROR_STORE ? GATEWAY_TRANSIENT : GATEWAY_PERMANENT,
		       err.message, 0);
		return;
	}
	if (gateway_post(w->gateway, path, row->key, body, send_done_cb, s, &err) != 0) {
		/* Only a key or path the gateway client refuses gets here: no
		 * later attempt would do better. */
		settle(s, GATEWAY_PERMANENT, err.message, 0);
	}
	free(body);
}

/* Begin or end a read transaction; if it cannot begin, each statement
 * is a transaction of its own, as without it. */
static void snapshot(struct outbox_worker *w, bool begin)
{
	struct error err;

	if (begin && sqlite3_get_autocommit(store_db(w->m->store)))
		w->snapshot = store_begin_snapshot(w->m->store, NULL) == 0;
	else if (!begin && w->snapshot) {
		if (store_end_snapshot(w->m->store, &err) != 0)
			log_err("outbox: ending a read: %s", err.message);
		w->snapshot = false;
	}
}

static void scan_cb(evutil_socket_t fd, short what, void *arg)
{
	struct outbox_worker *w = arg;
	const struct config *c = w->m->config;
	size_t window = (size_t)c->gateway_max_in_flight * 2 + OUTBOX_WORKER_CHUNK * 2, n = 0;
	struct outbox_row *rows = NULL;
	struct error err;
	time_t now = clock_now(w->m->clock);
	int64_t scanned_to;
	size_t i;

	(void)fd;
	(void)what;
	if (w->gateway == NULL) {
		started(w); /* rows wait for a gateway, jobs need not */
		arm(w, OUTBOX_WORKER_POLL_S);
		return;
	}
	if (w->nsends >= window)
		return; /* the next settled send kicks */
	/* One read transaction for the chunk: each course looked up
	 * (row_outdated, add_facts) would otherwise be one of its own, with
	 * the WAL's locks taken and dropped each time. Nothing here writes:
	 * results go to the group commit, which runs on a later turn. */
	snapshot(w, true);
	if (outbox_due_window(w->m->outbox, now, w->cursor, OUTBOX_WORKER_CHUNK, OUTBOX_WORKER_SCAN,
			      &rows, &n, &scanned_to, &err) != 0) {
		snapshot(w, false);
		log_err("outbox: %s", err.message);
		started(w);
		arm(w, OUTBOX_WORKER_POLL_S);
		return;
	}
	for (i = 0; i < n && w->nsends < window; i++)
		if (!in_flight(w, rows[i].id))
			dispatch(w, &rows[i]);
	snapshot(w, false);
	/* A pass goes on where it stopped, also when the window filled: a
	 * settled send continues it (settle_done), and starting over would
	 * read every row still in flight again, once per settled send. */
	if (i < n) {
		w->cursor = rows[i - 1].id;
	} else if (n == OUTBOX_WORKER_CHUNK) {
		/* More may be due: the next chunk on the next loop turn, so
		 * requests and replies are served in between. */
		w->cursor = rows[n - 1].id;
		if (w->nsends < window)
			arm(w, 0);
	} else if (scanned_to != 0) {
		/* A window of rows waiting for their retry: look further on
		 * the next turn rather than walk them all now. */
		w->cursor = scanned_to;
		if (w->nsends < window)
			arm(w, 0);
	} else {
		w->cursor = 0;
		if (w->nsends < window)
			arm_idle(w, now);
		if (w->nsends == 0)
			started(w); /* a whole pass found nothing to send */
	}
	outbox_rows_free(rows, n);
}

/* --- the module --------------------------------------------------------------- */

struct outbox_worker *outbox_worker_new(struct mentord *m, char **cause)
{
	struct outbox_worker *w = xcalloc(1, sizeof *w);

	w->m = m;
	TAILQ_INIT(&w->sends);
	w->scan = evtimer_new(m->base, scan_cb, w);
	if (w->scan == NULL) {
		xasprintf(cause, "cannot create the outbox worker's timer");
		free(w);
		return NULL;
	}
	outbox_set_notify(m->outbox, notify_cb, w);
	outbox_set_in_flight(m->outbox, in_flight_cb, w);
	/* Whatever was pending when the daemon stopped goes out now. */
	outbox_worker_kick(w);
	return w;
}

int outbox_worker_configure(struct outbox_worker *w, const struct config *c, char **cause)
{
	struct gateway_options o = {
		.url = c->gateway_url,
		.ca_path = c->gateway_ca_path,
		.connect_timeout_ms = (long)c->gateway_connect_timeout_s * 1000,
		.timeout_ms = (long)c->gateway_timeout_s * 1000,
		.max_in_flight = c->gateway_max_in_flight,
	};
	char *sub = NULL;
	int rc;

	if (c->gateway_url[0] == '\0') {
		if (w->gateway != NULL) {
			log_notice("gateway.url is empty: outbox rows wait until one is set");
			gateway_free(w->gateway);
			w->gateway = NULL;
		}
		return 0;
	}
	/* The token file and the CA path were checked, and the token read,
	 * by config_check(). */
	o.token = c->gateway_token;
	if (w->gateway == NULL) {
		w->gateway = gateway_new(w->m->base, &o, &sub);
		rc = w->gateway != NULL ? 0 : -1;
	} else {
		rc = gateway_set_options(w->gateway, &o, &sub);
	}
	if (rc != 0) {
		xasprintf(cause, "gateway: %s", sub);
		free(sub);
		return -1;
	}
	outbox_worker_kick(w);
	return 0;
}

void outbox_worker_get_stats(const struct outbox_worker *w, struct outbox_worker_stats *stats)
{
	*stats = w->stats;
	stats->in_flight = w->nsends;
	stats->gateway = w->gateway != NULL;
}

void outbox_worker_free(struct outbox_worker *w)
{
	struct send *s;

	if (w == NULL)
		return;
	w->closing = true;
	outbox_set_notify(w->m->outbox, NULL, NULL);
	outbox_set_in_flight(w->m->outbox, NULL, NULL);
	/* Before the event base goes (gateway.h); results already received
	 * are handed to the group commit, the rest is cancelled. */
	gateway_free(w->gateway);
	/* What is left waits for its commit: it must not find the worker. */
	while ((s = TAILQ_FIRST(&w->sends)) != NULL) {
		TAILQ_REMOVE(&w->sends, s, entry);
		s->worker = NULL;
	}
	event_free(w->scan);
	free(w);
}
