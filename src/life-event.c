/*
 * life-event.c - the state machine of life events, and a life event about
 * a citizen applied to their open courses (life-event.h).
 */
#include "life-event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "xmalloc.h"

static const char *const event_names[COURSE_NEVENTS] = {
	[COURSE_EVENT_ADMITTED] = "admitted",
	[COURSE_EVENT_DISCHARGED] = "discharged",
	[COURSE_EVENT_DECEASED] = "deceased",
	[COURSE_EVENT_ENTERED_IN_ERROR] = "entered_in_error",
	[COURSE_EVENT_CONSENT_WITHDRAWN] = "consent_withdrawn",
	[COURSE_EVENT_EXPIRED] = "expired",
};

const char *life_event_name(enum course_event ev)
{
	return (unsigned)ev < COURSE_NEVENTS ? event_names[ev] : "unknown";
}

int life_event_parse(const char *name)
{
	for (int i = 0; name != NULL && i < COURSE_NEVENTS; i++)
		if (strcmp(name, event_names[i]) == 0)
			return i;
	return -1;
}

#define STOP_CONTACT (LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | LIFE_WITHDRAW_MESSAGES)

static void apply(struct life_transition *t, enum course_state to, unsigned effects,
		  const char *reason)
{
	t->verdict = LIFE_APPLY;
	t->to = to;
	t->effects = effects;
	t->reason = reason;
}

/* Admitted: an active or ended course pauses, so nobody phones a citizen
 * who is back in hospital; a referral already waits for its discharge.
 * An admission dated before the discharge the window counts from is a
 * stay the course began after: it must not pause the course. */
static void admitted(enum course_state from, const struct life_facts *f, struct life_transition *t)
{
	if (from != COURSE_ACTIVE && from != COURSE_ENDED)
		return;
	if (f->before_discharge)
		t->stale = "before_discharge";
	else
		apply(t, COURSE_PAUSED, STOP_CONTACT, "admitted");
}

/* Discharged: the plan starts, or starts again with a fresh window (the
 * six months count from the discharge that ended the latest stay). An
 * ended course keeps the citizen's "no": only its window moves, within
 * which they may come back. */
static void discharged(enum course_state from, const struct life_facts *f,
		       struct life_transition *t)
{
	switch (from) {
	case COURSE_AWAITING_DISCHARGE:
		apply(t, COURSE_ACTIVE, LIFE_NEW_WINDOW | LIFE_FIRST_CONTACT, NULL);
		break;
	case COURSE_PAUSED:
		/* A discharge from before the stay that paused the course
		 * (or before the window's own discharge) is not the end of
		 * that stay: the citizen is still in hospital, and a window
		 * counted from it would end early with an overdue call. */
		if (f->before_admission)
			t->stale = "before_admission";
		else if (f->before_discharge)
			t->stale = "before_discharge";
		else if (f->paused_from == COURSE_ENDED)
			apply(t, COURSE_ENDED, LIFE_NEW_WINDOW, NULL);
		else
			apply(t, COURSE_ACTIVE, LIFE_NEW_WINDOW | LIFE_FIRST_CONTACT, NULL);
		break;
	case COURSE_ACTIVE:
		if (f->later_discharge)
			apply(t, COURSE_ACTIVE,
			      LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | LIFE_NEW_WINDOW |
				      LIFE_FIRST_CONTACT,
			      NULL);
		break;
	case COURSE_ENDED:
		if (f->later_discharge)
			apply(t, COURSE_ENDED, LIFE_NEW_WINDOW, NULL);
		break;
	default:
		break;
	}
}

void life_event_transition(enum course_state from, enum course_event ev, const struct life_facts *f,
			   struct life_transition *t)
{
	bool open = course_state_open(from);

	t->verdict = LIFE_IGNORE;
	t->to = from;
	t->effects = 0;
	t->reason = NULL;
	t->stale = NULL;
	switch (ev) {
	case COURSE_EVENT_ADMITTED:
		admitted(from, f, t);
		break;
	case COURSE_EVENT_DISCHARGED:
		discharged(from, f, t);
		break;
	case COURSE_EVENT_DECEASED:
		if (open)
			apply(t, COURSE_DECEASED, STOP_CONTACT, "deceased");
		break;
	case COURSE_EVENT_ENTERED_IN_ERROR:
		if (open)
			apply(t, COURSE_CANCELLED, STOP_CONTACT, "entered_in_error");
		else if (from != COURSE_CANCELLED)
			t->verdict = LIFE_REFUSE;
		break;
	case COURSE_EVENT_CONSENT_WITHDRAWN:
		/* Withdrawn consent erases the data of a course that is over,
		 * too: the citizen need not wait for the retention period. A
		 * death is not undone by it. */
		if (open)
			apply(t, COURSE_CANCELLED, STOP_CONTACT | LIFE_ERASE, "consent_withdrawn");
		else if (from == COURSE_DECEASED)
			t->verdict = LIFE_REFUSE;
		else if (!f->erased)
			apply(t, from, LIFE_ERASE, NULL);
		break;
	case COURSE_EVENT_EXPIRED:
		if (from == COURSE_AWAITING_DISCHARGE)
			apply(t, COURSE_CLOSED, 0, "referral_expired");
		else if (from == COURSE_PAUSED)
			apply(t, COURSE_CLOSED, 0, "readmission_expired");
		break;
	}
}

void life_event_undo(enum course_event ev, enum course_state before, enum course_state after,
		     enum course_state now, bool untouched, struct life_transition *t)
{
	t->verdict = LIFE_REFUSE;
	t->to = now;
	t->effects = 0;
	t->reason = NULL;
	t->stale = NULL;
	if (!untouched || now != after || !course_state_open(before))
		return;
	switch (ev) {
	case COURSE_EVENT_ADMITTED:
		/* Back to where the admission found it; an active course gets
		 * the call the admission withdrew. */
		if (before == COURSE_ACTIVE)
			apply(t, COURSE_ACTIVE, LIFE_RESTORE_CALL, NULL);
		else if (before == COURSE_ENDED)
			apply(t, COURSE_ENDED, 0, NULL);
		break;
	case COURSE_EVENT_DISCHARGED:
		/* Back in hospital, or still waiting: no call, no message. */
		if (before == COURSE_PAUSED || before == COURSE_AWAITING_DISCHARGE)
			apply(t, before, STOP_CONTACT | LIFE_RESTORE_WINDOW, NULL);
		/* A restart taken back: the window and call before it. */
		else if (before == COURSE_ACTIVE)
			apply(t, COURSE_ACTIVE,
			      LIFE_WITHDRAW_CALL | LIFE_CANCEL_TASK | LIFE_WITHDRAW_WELCOME |
				      LIFE_RESTORE_WINDOW | LIFE_RESTORE_CALL,
			      NULL);
		else
			apply(t, COURSE_ENDED, LIFE_RESTORE_WINDOW, NULL);
		break;
	case COURSE_EVENT_DECEASED:
		/* Nobody is phoned on the word of a withdrawn death notice
		 * alone: a coordinator resumes the course once it is
		 * confirmed. Paused and waiting courses call nobody anyway. */
		if (before == COURSE_ACTIVE)
			apply(t, COURSE_ENDED, 0, "death_withdrawn");
		else
			apply(t, before, 0, NULL);
		break;
	default:
		break; /* cancellations and expiry are not undone here */
	}
}

/* SHA-256 of source, a NUL and key, and then, for its content, a NUL
 * and tail: the only trace a message leaves. */
static void event_hash(const struct life_event *ev, const char *tail,
		       unsigned char hash[SHA256_LEN])
{
	size_t ls = strlen(ev->source), lk = strlen(ev->key);
	size_t lt = tail != NULL ? 1 + strlen(tail) : 0;
	char *buf = malloc(ls + 1 + lk + lt);

	if (buf == NULL)
		abort(); /* out of memory: as xmalloc does */
	memcpy(buf, ev->source, ls);
	buf[ls] = '\0';
	memcpy(buf + ls + 1, ev->key, lk);
	if (tail != NULL) {
		buf[ls + 1 + lk] = '\0';
		memcpy(buf + ls + 2 + lk, tail, lt - 1);
	}
	sha256(buf, ls + 1 + lk + lt, hash);
	free(buf);
}

/* The key's hash, and the hash of what the message says as read (the
 * event, the CPR number's digits, the instant), so two spellings of one
 * message are one, and another message under a used key is told apart. */
static void event_hashes(const struct life_event *ev, unsigned char key[SHA256_LEN],
			 unsigned char content[SHA256_LEN])
{
	char tail[64];

	snprintf(tail, sizeof tail, "%s|%s|%lld", life_event_name(ev->kind), ev->cpr,
		 (long long)ev->at);
	event_hash(ev, NULL, key);
	event_hash(ev, tail, content);
}

static bool event_valid(const struct life_event *ev, struct error *err)
{
	if (ev->kind != COURSE_EVENT_ADMITTED && ev->kind != COURSE_EVENT_DISCHARGED &&
	    ev->kind != COURSE_EVENT_DECEASED) {
		error_set(err, ERROR_INVALID, "event", "must be admitted, discharged or deceased");
		return false;
	}
	if (ev->cpr == NULL || strlen(ev->cpr) != 10 || strspn(ev->cpr, "0123456789") != 10) {
		error_set(err, ERROR_INVALID, "cpr", "must be a CPR number of ten digits");
		return false;
	}
	if (ev->at == 0) {
		error_set(err, ERROR_INVALID, "at", "is required");
		return false;
	}
	if (ev->key == NULL || ev->key[0] == '\0' || ev->source == NULL) {
		error_set(err, ERROR_INVALID, "key", "an idempotency key is required");
		return false;
	}
	return true;
}

/* No open course: acknowledged, unless it contradicts a death. */
static int no_open_course(struct course_db *db, const struct life_event *ev, struct error *err)
{
	bool deceased;

	if (ev->kind == COURSE_EVENT_DECEASED)
		return 0;
	if (course_cpr_deceased(db, ev->cpr, &deceased, err) != 0)
		return -1;
	if (deceased)
		return error_set(err, ERROR_CONFLICT, "cpr",
				 "the citizen has died: a later %s is refused",
				 life_event_name(ev->kind));
	return 0;
}

static bool skipped(const struct life_event *ev, int64_t id)
{
	for (size_t i = 0; i < ev->nskip; i++)
		if (ev->skip[i] == id)
			return true;
	return false;
}

int life_event_apply(struct course_db *db, const struct course_op *op, const struct life_event *ev,
		     struct life_event_result *out, struct error *err)
{
	unsigned char hash[SHA256_LEN], content[SHA256_LEN];
	int64_t *ids = NULL;
	size_t n = 0;
	bool changed, same;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!event_valid(ev, err))
		return -1;
	event_hashes(ev, hash, content);
	if (course_event_seen(db, hash, content, &out->repeated, &same, err) != 0)
		return -1;
	if (out->repeated && !same) {
		out->repeated = false;
		return error_set(
			err, ERROR_CONFLICT, "key",
			"another message was received under this key; nothing was changed");
	}
	if (out->repeated)
		return 0;
	if (course_open_of_cpr(db, ev->cpr, &ids, &n, err) != 0)
		return -1;
	/* Without an open course nothing is kept, so the same message sent
	 * again acts on a course opened since (a death is never lost). */
	if (n == 0) {
		free(ids);
		return no_open_course(db, ev, err);
	}
	/* Remembered before it acts: should the event be refused, the
	 * caller's transaction rolls the memory back with everything else. */
	if (course_remember_event(db, hash, content, op->now, err) != 0) {
		free(ids);
		return -1;
	}
	out->courses = n;
	for (size_t i = 0; i < n && i < LIFE_EVENT_IDS; i++)
		out->ids[out->nids++] = ids[i];
	if (n > 0)
		out->effects = xcalloc(n, sizeof *out->effects);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (skipped(ev, ids[i]))
			continue;
		rc = course_apply_event(db, op, ids[i], ev->kind, ev->at, NULL, &changed,
					&out->effects[out->changed], err);
		if (rc == 0 && changed)
			out->changed++;
	}
	free(ids);
	return rc;
}

void life_event_result_free(struct life_event_result *r)
{
	free(r->effects);
	r->effects = NULL;
}
