/*
 * course-correct.c - a same-day correction of a call's outcome (course.h,
 * doc/scheduling.md "Correcting an outcome").
 *
 * The correction undoes what the outcome it replaces caused and then does
 * what the corrected outcome causes, as course_record_outcome would have:
 * the messages it queued that are not sent yet are withdrawn, its next
 * call cancelled, a course it ended reopened and a wrong-number flag it
 * set cleared. The log keeps the original entry; the correction is a new
 * "outcome_corrected" entry that names the entry it corrects.
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "course-log.h"
#include "outbox.h"

#define COURSE_CORRECT_MAX_TOPIC 200 /* as for the outcome (course-ops.c) */

/* What the outcome in force says, from its log entry. */
struct course_prior {
	int64_t entry_id; /* 0: no entry (an outcome older than its log) */
	enum call_result result;
	bool ended; /* it ended the course */
	bool concern;
	char fingerprint[72]; /* "" when none */
};

static int course_prior_read(struct course_db *db, const struct call *call, struct course_prior *p,
			     struct error *err)
{
	struct course_log_entry *e;
	size_t n;
	json_t *details;
	const char *next, *fp;

	memset(p, 0, sizeof *p);
	p->result = call->result;
	if (course_log_last_outcome(db->log, call->course_id, call->id, &e, &n, err) != 0)
		return -1;
	if (n > 0 && (details = json_loads(e[0].details, 0, NULL)) != NULL) {
		p->entry_id = e[0].id;
		next = json_string_value(json_object_get(details, "next"));
		fp = json_string_value(json_object_get(details, "fingerprint"));
		p->ended = p->result == CALL_DECLINED ||
			   (p->result == CALL_REACHED && next != NULL && strcmp(next, "end") == 0);
		p->concern = json_is_true(json_object_get(details, "concern"));
		if (fp != NULL && strlen(fp) < sizeof p->fingerprint)
			strcpy(p->fingerprint, fp);
		json_decref(details);
	} else {
		p->ended = p->result == CALL_DECLINED;
	}
	course_log_entries_free(e, n);
	return 0;
}

/* A later call of the course has an outcome: the course has moved on from
 * this one, and recomputing it would undo the later call. */
static int course_moved_on(struct course_db *db, const struct call *call, bool *moved,
			   struct error *err)
{
	struct call_entry *calls;
	size_t n;

	*moved = false;
	if (call_list_by_course(db->calls, call->course_id, &calls, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (calls[i].call.id > call->id && calls[i].call.state == CALL_DONE &&
		    !calls[i].call.meeting)
			*moved = true;
	call_entries_free(calls, n);
	return 0;
}

static unsigned course_message_bit(const char *type)
{
	if (strcmp(type, "unreached") == 0)
		return COURSE_MSG_UNREACHED;
	if (strcmp(type, "closing") == 0)
		return COURSE_MSG_CLOSING;
	return 0;
}

/*
 * Withdraw the messages queued since the outcome in force was logged (by
 * it, or by an earlier correction of it) that are not sent yet. Those
 * already sent, or on the wire, cannot be recalled: *sent gets the bits
 * of their types (COURSE_MSG_*, and *followup_sent) so the corrected
 * outcome does not send the citizen the same kind of message twice.
 */
static int course_withdraw_since(struct course_db *db, const struct course_op *op,
				 int64_t course_id, int64_t since, unsigned *sent,
				 bool *followup_sent, struct course_correction *out,
				 struct error *err)
{
	struct course_log_entry *e;
	size_t n;
	int rc = 0;

	*sent = 0;
	*followup_sent = false;
	if (course_log_kind_after(db->log, course_id, since, "message", &e, &n, err) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *d = json_loads(e[i].details, 0, NULL);
		const char *type = json_string_value(json_object_get(d, "type"));
		json_int_t id = json_integer_value(json_object_get(d, "outbox_id"));
		bool withdrawn = false;

		if (type != NULL && id > 0 &&
		    (rc = outbox_withdraw_message(db->outbox, id, &withdrawn, err)) == 0) {
			if (withdrawn) {
				out->withdrawn++;
				rc = course_log_add(db, op, course_id, "message_withdrawn",
						    json_pack("{s:s, s:s, s:I}", "type", type,
							      "reason", "outcome_corrected",
							      "outbox_id", id),
						    err);
			} else {
				out->kept++;
				*sent |= course_message_bit(type);
				if (strcmp(type, "followup") == 0)
					*followup_sent = true;
			}
		}
		json_decref(d);
	}
	course_log_entries_free(e, n);
	return rc;
}

static int course_clear_flag(struct course_db *db, const struct course_op *op, struct course *c,
			     struct error *err)
{
	sqlite3_stmt *s = db->set_flag;

	sqlite3_bind_int64(s, 1, c->id);
	sqlite3_bind_null(s, 2);
	sqlite3_bind_null(s, 3);
	if (sql_step_done(db->db, s, "clearing a course's flag", err) != 0)
		return -1;
	free(c->flag);
	c->flag = NULL;
	return course_log_add(
		db, op, c->id, "unflagged",
		json_pack("{s:s, s:s}", "flag", "wrong_number", "reason", "outcome_corrected"),
		err);
}

/* Undo what the outcome in force caused, so the course is as it was
 * before it was recorded: active, no call pending, no flag it set. */
static int course_undo(struct course_db *db, const struct course_op *op, struct course *c,
		       const struct course_prior *p, struct error *err)
{
	if (course_cancel_call(db, op, c->id, "outcome_corrected", err) != 0)
		return -1;
	if (c->state == COURSE_ENDED &&
	    course_set_state(db, op, c, COURSE_ACTIVE, "outcome_corrected", "reopened", err) != 0)
		return -1;
	if (p->result == CALL_WRONG_NUMBER && c->flag != NULL &&
	    strcmp(c->flag, "wrong_number") == 0)
		return course_clear_flag(db, op, c, err);
	return 0;
}

static int course_correct_tx(struct course_db *db, const struct course_op *op, int64_t call_id,
			     const struct call_outcome *o, struct course_correction *out,
			     struct error *err)
{
	struct course_prior prior;
	struct course_op redo;
	struct call *call;
	struct course *c = NULL;
	json_t *details;
	unsigned sent;
	bool moved, followup_sent, ends, unreached;
	int rc = -1;

	if (call_get(db->calls, call_id, &call, err) != 0)
		return -1;
	if (call->state != CALL_DONE) {
		error_set(err, ERROR_CONFLICT, NULL, "call %lld %s", (long long)call_id,
			  call->state == CALL_PENDING ? "has no outcome to correct"
						      : "was cancelled");
		goto out;
	}
	/* A meeting's progress per goal is kept as recorded: the next
	 * meeting records how things stand then. */
	if (call->meeting) {
		error_set(err, ERROR_CONFLICT, NULL, "call %lld is a meeting: its outcome stands",
			  (long long)call_id);
		goto out;
	}
	if (call->call_date != course_today(op)) {
		error_set(err, ERROR_CONFLICT, NULL,
			  "an outcome can be corrected only on the day it was recorded");
		goto out;
	}
	if (course_prior_read(db, call, &prior, err) != 0 ||
	    course_get(db, call->course_id, &c, err) != 0)
		goto out;
	out->previous = prior.result;
	out->had_concern = prior.concern;
	if (o->fingerprint != NULL && strcmp(prior.fingerprint, o->fingerprint) == 0) {
		/* The same correction again (or the outcome as recorded). */
		out->unchanged = true;
		rc = course_status(db, c->id, &out->result, err);
		goto out;
	}
	if (course_moved_on(db, call, &moved, err) != 0)
		goto out;
	/* The course must still be where this outcome left it: not ended,
	 * resumed, closed or superseded by anything since. */
	if (moved || c->state != (prior.ended ? COURSE_ENDED : COURSE_ACTIVE)) {
		error_set(err, ERROR_CONFLICT, NULL,
			  "course %lld has moved on since this outcome (it is %s): "
			  "record a contact instead",
			  (long long)c->id, course_state_name(c->state));
		goto out;
	}
	if (course_withdraw_since(db, op, c->id, prior.entry_id, &sent, &followup_sent, out, err) !=
		    0 ||
	    course_undo(db, op, c, &prior, err) != 0 ||
	    call_correct(db->calls, call_id, o, err) != 0)
		goto out;
	details = course_outcome_details(call, o);
	json_object_set_new(details, "corrects",
			    prior.entry_id > 0 ? json_integer(prior.entry_id) : json_null());
	json_object_set_new(details, "previous_result",
			    json_string(call_result_name(prior.result)));
	if (course_log_add(db, op, c->id, "outcome_corrected", details, err) != 0)
		goto out;
	/* As course_outcome_tx orders them; a kind of message the citizen
	 * already has from the outcome in force is not sent again. */
	redo = *op;
	redo.messages &= ~sent;
	ends = o->result == CALL_DECLINED ||
	       (o->result == CALL_REACHED && o->next == CALL_NEXT_END);
	followup_sent = followup_sent || !o->send_followup;
	if ((ends && !followup_sent && course_followup(db, &redo, c, call, o, err) != 0) ||
	    course_after_outcome(db, &redo, c, call, o, &unreached, err) != 0 ||
	    (!ends && !followup_sent && course_followup(db, &redo, c, call, o, err) != 0))
		goto out;
	if ((rc = course_status(db, c->id, &out->result, err)) == 0)
		out->result.unreached = unreached;
out:
	course_free(c);
	call_free(call);
	return rc;
}

int course_correct_outcome(struct course_db *db, const struct course_op *op, int64_t call_id,
			   const struct call_outcome *o, struct course_correction *out,
			   struct error *err)
{
	memset(out, 0, sizeof *out);
	out->result.next_call_due = CAL_NO_DAY;
	if (call_outcome_validate(o, err) != 0)
		return -1;
	if (o->next_topic != NULL && strlen(o->next_topic) > COURSE_CORRECT_MAX_TOPIC)
		return error_set(err, ERROR_INVALID, "next.topic", "the topic is too long");
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	if (sql_savepoint_end(&db->tx, course_correct_tx(db, op, call_id, o, out, err), err) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

int course_call_recorded_by(struct course_db *db, int64_t call_id, char **author, struct error *err)
{
	return call_recorded_by(db->calls, call_id, author, err);
}
