/*
 * course-replay.c - the reply to a notification received again with the
 * same content (doc/api.md, "Discharges are idempotent"): the reply it got
 * when it was received or, once a correction moved its discharge date,
 * what that correction made of the course. Nothing that happened since (a
 * coordinator's new mentor, a readmission, a discharge event, outcomes)
 * shows in it.
 *
 * No reply is stored. The course's log holds every step of the intake and
 * of the correction in order, each with the request's time and author, so
 * the reply is read back from there: the window from the "discharge" or
 * "corrected" entry, the mentor and first call from the entries the same
 * request wrote after it.
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "course-log.h"

/* A kind among names. */
static bool course_replay_kind(const char *kind, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kind, names[i]) == 0)
			return true;
	return false;
}

static bool course_replay_says(json_t *details, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(details, key));

	return v != NULL && strcmp(v, want) == 0;
}

/*
 * Whether e was written by the request whose first entry is first: the
 * same time and author, and a kind that an intake (course_create_tx) or a
 * date correction (course_correct_tx) writes after its first entry. The
 * first entry of any later request on the course is another kind, or has
 * another time or author.
 */
static bool course_replay_same_request(const struct course_log_entry *first,
				       const struct course_log_entry *e, json_t *details,
				       bool self_referral)
{
	static const char *const kinds[] = {
		"supersedes", "mentor_unassigned", "call_scheduled", "meeting_scheduled",
		"message",    "message_skipped",   "flag_cleared"};

	if (e->at != first->at || strcmp(e->author, first->author) != 0)
		return false;
	if (strcmp(e->kind, "mentor_assigned") == 0)
		/* One that names the mentor before is a reassignment: a
		 * coordinator's, or the mentor who registers a self-referral
		 * in the same request (api-discharges.c), by their own token
		 * (api_job_author). */
		return json_object_get(details, "previous_mentor_id") == NULL ||
		       (self_referral && strncmp(e->author, "mentor:", 7) == 0);
	if (strcmp(e->kind, "discharged") == 0)
		/* A referral discharged by its correction; an event's says "at". */
		return json_object_get(details, "at") == NULL;
	/* A reassignment in the request replaces a published call. */
	if (strcmp(e->kind, "call_cancelled") == 0)
		return course_replay_says(details, "reason", "corrected") ||
		       course_replay_says(details, "reason", "reassigned");
	if (strcmp(e->kind, "call_task_withdrawn") == 0)
		return course_replay_says(details, "reason", "mentor_changed");
	return course_replay_kind(e->kind, kinds, sizeof kinds / sizeof kinds[0]);
}

/* The mentor a log entry gives the course, if it changes it. */
static void course_replay_mentor(const struct course_log_entry *e, json_t *details, int64_t *mentor)
{
	if (strcmp(e->kind, "mentor_assigned") == 0)
		*mentor = json_integer_value(json_object_get(details, "mentor_id"));
	else if (strcmp(e->kind, "mentor_unassigned") == 0)
		*mentor = 0;
}

static cal_day course_replay_day(json_t *details, const char *key)
{
	const char *text = json_string_value(json_object_get(details, key));
	cal_day day;

	return text != NULL && cal_day_parse(text, &day) == 0 ? day : CAL_NO_DAY;
}

/* The reply of the request whose first entry is e[first]: its mentor
 * (*mentor, the course's until then) and the first contact it planned;
 * a correction that planned none leaves the first call as it was. The
 * index of the request's last entry. */
static size_t course_replay_request(const struct course_log_entry *e, size_t n, size_t first,
				    bool self_referral, int64_t *mentor, struct course_created *out)
{
	size_t i;

	for (i = first + 1; i < n; i++) {
		json_t *details = json_loads(e[i].details, 0, NULL);
		bool same = details != NULL &&
			    course_replay_same_request(&e[first], &e[i], details, self_referral);

		if (same) {
			course_replay_mentor(&e[i], details, mentor);
			if (strcmp(e[i].kind, "call_scheduled") == 0 &&
			    course_replay_says(details, "reason", "first_contact")) {
				out->first_call_id =
					json_integer_value(json_object_get(details, "call_id"));
				out->first_call_due = course_replay_day(details, "due_date");
			}
		}
		json_decref(details);
		if (!same)
			break;
	}
	out->mentor_id = *mentor;
	return i - 1;
}

int course_replay_reply(struct course_db *db, const struct course *c, struct course_created *out,
			struct error *err)
{
	bool self_referral =
		c->source != NULL && strcmp(c->source, DISCHARGE_SOURCE_SELF_REFERRAL) == 0;
	struct course_log_entry *e;
	int64_t mentor = 0;
	bool received = false;
	size_t n;

	out->first_call_id = 0;
	out->first_call_due = CAL_NO_DAY;
	out->window_end = CAL_NO_DAY;
	out->mentor_id = 0;
	if (course_log_list(db->log, c->id, &e, &n, err) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *details = json_loads(e[i].details, 0, NULL);
		bool intake = !received && strcmp(e[i].kind, "discharge") == 0;
		/* Only a correction of the date changes the reply: it moves
		 * the window and replans (course_correct_tx). */
		bool moved = received && strcmp(e[i].kind, "corrected") == 0 &&
			     json_object_get(details, "window_end") != NULL;

		if (intake || moved) {
			out->window_end = course_replay_day(details, "window_end");
			i = course_replay_request(e, n, i, intake && self_referral, &mentor, out);
			received = true;
		} else if (details != NULL) {
			course_replay_mentor(&e[i], details, &mentor);
		}
		json_decref(details);
	}
	course_log_entries_free(e, n);
	return 0;
}
