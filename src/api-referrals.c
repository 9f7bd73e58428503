/*
 * api-referrals.c - a caseworker's way in (doc/programmes.md): referrals to
 * a referral programme, the list of those awaiting a decision (and at risk
 * of missing its deadline), and the decision that starts or rejects a
 * course.
 *
 * Contract: a valid, consented referral becomes a course awaiting a
 * decision (201, Location /v1/courses/{id}); anything invalid is 422
 * naming every bad field and stores nothing. Days left are Copenhagen
 * calendar days (the configured time zone). Every referral read or
 * written is audited in the same transaction; the reply is sent only after
 * the COMMIT.
 */
#include "api-routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#include "api.h"
#include "clock.h"
#include "config.h"
#include "course.h"
#include "intake.h"
#include "match.h"
#include "mentor-profile.h"
#include "mentor.h"
#include "mentord.h"
#include "outbox.h"

#define REFUSED "The referral was not accepted; nothing was stored."
#define UNCHANGED "Nothing was changed."
#define CASEWORKER_OR_ADMIN (API_ROLE(AUTH_CASEWORKER) | API_ROLE(AUTH_ADMIN))

/* The citizen and consent of the body as a checked discharge without a
 * discharge (intake.h): the same rules and field names as psychiatry's
 * notifications. in is the intake body built from it (kept alive with d). */
static void read_citizen(struct api_job *job, const char *notification_id, json_t **in,
			 struct discharge *d, struct field_errors *errors)
{
	*in = json_pack("{s:s}", "notification_id", notification_id);
	if (json_object_get(job->body, "citizen") != NULL)
		json_object_set(*in, "citizen", json_object_get(job->body, "citizen"));
	if (json_object_get(job->body, "consent") != NULL)
		json_object_set(*in, "consent", json_object_get(job->body, "consent"));
	intake_read(*in, NULL, clock_now(job->m->clock), d, errors);
	d->source = COURSE_SOURCE_REFERRAL;
	d->sender_token_id = job->who.token_id;
}

static const struct programme *read_programme(struct api_job *job, struct field_errors *errors)
{
	const char *id = field_get_string(job->body, "programme", "programme", true,
					  PROGRAMME_ID_MAX, errors);
	const struct programme *p;

	if (id == NULL)
		return NULL;
	p = programme_find(&job->m->config->programmes, id);
	if (p == NULL)
		field_error_add(errors, "programme", "is not a configured programme");
	else if (p->intake != PROGRAMME_INTAKE_REFERRAL)
		field_error_add(errors, "programme", "does not take referrals (its intake is %s)",
				programme_intake_name(p->intake));
	return p != NULL && p->intake == PROGRAMME_INTAKE_REFERRAL ? p : NULL;
}

static int refer_work(struct api_job *job, struct store *store)
{
	char author[API_AUTHOR_LEN], uuid[37], notification_id[64];
	const struct programme *p;
	struct course_created created;
	struct field_errors errors;
	struct course_op op;
	struct discharge d;
	struct error err;
	const char *need_text;
	cal_day need = CAL_NO_DAY;
	char *wishes = NULL;
	json_t *in = NULL;
	int rc = -1;

	/* The referral's own id: a caseworker's system has no notification
	 * id to give, and two referrals are never the same one. */
	outbox_uuid(uuid);
	snprintf(notification_id, sizeof notification_id, "referral:%s", uuid);
	field_errors_init(&errors);
	p = read_programme(job, &errors);
	read_citizen(job, notification_id, &in, &d, &errors);
	need_text = field_get_string(job->body, "need_identified_on", "need_identified_on", true,
				     10, &errors);
	if (need_text != NULL && cal_day_parse(need_text, &need) != 0)
		field_error_add(&errors, "need_identified_on", "must be a date \"YYYY-MM-DD\"");
	wishes = intake_read_wishes(job->body, &errors);
	if (api_job_check(job, &errors, REFUSED) != 0)
		goto out;
	api_job_course_op(job, author, &op);
	if (course_refer(job->m->courses, &op, p, &d, need, wishes, &created, &err) != 0) {
		if (err.kind == ERROR_INVALID && err.field[0] != '\0')
			api_job_fail(job, 422, "Unprocessable Content", REFUSED,
				     json_pack("[{s:s, s:s}]", "field", intake_path(err.field),
					       "message", err.message));
		else
			api_job_fail_sched(job, &err);
		goto out;
	}
	if (api_job_audit(job, store, "refer", created.course_id, "referral by a caseworker") != 0)
		goto out;
	job->status = 201;
	snprintf(job->location, sizeof job->location, "/v1/courses/%lld",
		 (long long)created.course_id);
	job->reply =
		json_pack("{s:I, s:s, s:s, s:o, s:o}", "course_id", (json_int_t)created.course_id,
			  "state", course_state_name(COURSE_AWAITING_DECISION), "programme", p->id,
			  "need_identified_on", api_day_json(need), "decision_due",
			  api_day_json(need + p->decision_days));
	rc = 0;
out:
	free(wishes);
	json_decref(in);
	return rc;
}

/* A referral as the list shows it: days left until the decision is due
 * (negative: overdue) in Copenhagen calendar days, and whether it is at
 * risk. The CPR number is the caseworker's to see. */
static json_t *referral_json(struct api_job *job, const struct course *c, cal_day today)
{
	const struct programme *p = programme_of(&job->m->config->programmes, c->programme);
	json_t *wishes = c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : NULL;

	return json_pack(
		"{s:I, s:s, s:s, s:{s:s, s:s?, s:s}, s:o, s:o, s:i, s:b, s:b, s:o}", "course_id",
		(json_int_t)c->id, "programme", c->programme, "programme_name",
		p != NULL ? p->name : "", "citizen", "name", c->name, "cpr", c->cpr, "phone",
		c->phone, "need_identified_on", api_day_json(c->need_identified_on), "decision_due",
		api_day_json(c->decision_due), "days_left", (int)(c->decision_due - today),
		"at_risk", c->at_risk_on != CAL_NO_DAY && c->at_risk_on <= today, "overdue",
		c->decision_due < today, "wishes", wishes != NULL ? wishes : json_null());
}

/* What a page of referrals is read with. */
struct referral_page {
	struct api_job *job;
	const char *programme; /* NULL: every programme */
	cal_day today;
	bool at_risk;	     /* only those at risk today, or overdue */
	int64_t referred_by; /* only those this token referred; 0: all */
};

static int referral_page(struct store *store, void *arg, int64_t after, size_t limit, json_t **rows,
			 struct error *err)
{
	struct referral_page *rp = arg;
	struct course *list = NULL;
	size_t n = 0;

	(void)store;
	if (course_referrals(rp->job->m->courses, rp->programme,
			     rp->at_risk ? rp->today : CAL_NO_DAY, rp->referred_by, after, limit,
			     &list, &n, err) != 0)
		return -1;
	*rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(*rows, referral_json(rp->job, &list[i], rp->today));
	course_list_free(list, n);
	return 0;
}

/* GET /v1/referrals[?at_risk=true][&programme=]: the referrals awaiting a
 * decision (a caseworker's own), a page at a time by id (api_job_page).
 * Days left count from
 * today on the daemon's clock, in the configured time zone. */
static int list_work(struct api_job *job, struct store *store)
{
	struct referral_page rp = {.job = job,
				   .today = cal_day_of_instant(clock_now(job->m->clock))};
	const struct programme *p = NULL;
	char *risk = api_query_param(job->req, "at_risk");
	struct field_errors errors;
	size_t i;
	json_t *page, *row;

	field_errors_init(&errors);
	if (risk != NULL && strcmp(risk, "true") != 0 && strcmp(risk, "false") != 0)
		field_error_add(&errors, "at_risk", "must be true or false");
	rp.at_risk = risk != NULL && strcmp(risk, "true") == 0;
	free(risk);
	/* A caseworker's list is of their own referrals, as every other
	 * route of theirs (api_job_reaches_course); a coordinator's of all. */
	if (job->who.role == AUTH_CASEWORKER)
		rp.referred_by = job->who.token_id;
	if (api_programme_param(job, &p) != 0) {
		field_errors_clear(&errors);
		return -1;
	}
	rp.programme = p != NULL ? p->id : NULL;
	if (api_job_page_by(job, store, &errors, "referrals", "course_id", referral_page, &rp) != 0)
		return -1;
	/* Every referral on the page is a citizen's, read; a refusal drops
	 * the reply, so the page is held here while it is walked. */
	page = json_incref(json_object_get(job->reply, "referrals"));
	json_array_foreach (page, i, row) {
		json_int_t course = json_integer_value(json_object_get(row, "course_id"));
		if (api_job_audit(job, store, "read", course, "list referrals") != 0) {
			json_decref(page);
			return -1;
		}
	}
	json_decref(page);
	return 0;
}

/* A proposal: match.h's candidate first, so match_compare orders these. */
struct proposal {
	struct match_candidate c;
	json_t *row;
};

/* The active mentors ranked for c's wishes (match.h), best first, each as
 * {mentor_id, name, score, matched, unmatched, active_courses,
 * available}: available on day, the course's start. */
static int proposals_read(struct api_job *job, const struct course *c, cal_day day, json_t **out,
			  struct error *err)
{
	json_t *wishes = c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : NULL;
	struct proposal *list = NULL;
	struct mentor *mentors = NULL;
	int64_t *available = NULL;
	size_t n = 0, navailable = 0, k = 0;
	json_t *profile, *matched, *unmatched;
	int rc = -1;

	if (mentor_list(job->m->mentors, &mentors, &n, err) != 0)
		goto out;
	if (mentor_available(job->m->mentors, day, &available, &navailable, err) != 0)
		goto out;
	list = xcalloc(n > 0 ? n : 1, sizeof *list);
	for (size_t i = 0; i < n; i++) {
		struct proposal *p = &list[k];

		if (!mentors[i].active)
			continue;
		if (mentor_profile_get(job->m->store, mentors[i].id, &profile, err) != 0)
			goto out;
		matched = json_array();
		unmatched = json_array();
		p->c.mentor_id = mentors[i].id;
		p->c.score = match_score(profile, wishes, matched, unmatched);
		p->c.active_courses = mentors[i].load;
		for (size_t a = 0; a < navailable; a++)
			p->c.available = p->c.available || available[a] == mentors[i].id;
		p->row = json_pack("{s:I, s:s, s:i, s:o, s:o, s:i, s:b, s:o}", "mentor_id",
				   (json_int_t)mentors[i].id, "name", mentors[i].name, "score",
				   p->c.score, "matched", matched, "unmatched", unmatched,
				   "active_courses", mentors[i].load, "available", p->c.available,
				   "profile", profile);
		k++;
	}
	qsort(list, k, sizeof *list, match_compare);
	*out = json_array();
	for (size_t i = 0; i < k; i++) {
		json_array_append_new(*out, list[i].row);
		list[i].row = NULL;
	}
	rc = 0;
out:
	for (size_t i = 0; list != NULL && i < k; i++)
		json_decref(list[i].row);
	free(list);
	free(available);
	mentor_list_free(mentors, n);
	json_decref(wishes);
	return rc;
}

/* ?start_on= (default today): the day availability is shown for. */
static int read_start_on(struct api_job *job, cal_day today, cal_day *day)
{
	char *text = api_query_param(job->req, "start_on");
	struct field_errors errors;

	field_errors_init(&errors);
	*day = today;
	if (text != NULL && cal_day_parse(text, day) != 0)
		field_error_add(&errors, "start_on", "must be a date \"YYYY-MM-DD\"");
	free(text);
	return api_job_check(job, &errors, "Bad query parameter.");
}

/* GET /v1/referrals/{id}/proposals[?start_on=]: the mentors for an open
 * course (a referral awaiting its decision, or a course to re-match),
 * best match first, with the reasons. */
static int proposals_work(struct api_job *job, struct store *store)
{
	cal_day today = cal_day_of_instant(clock_now(job->m->clock)), day;
	struct course *c;
	struct error err;
	json_t *rows, *wishes;
	int64_t id;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No referral with this id.", NULL);
	if (read_start_on(job, today, &day) != 0)
		return -1;
	if (course_get(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_reaches_course(job, c) != 0) {
		course_free(c);
		return -1;
	}
	if (!course_state_open(c->state) && c->state != COURSE_AWAITING_DECISION) {
		course_free(c);
		return api_job_fail(job, 409, "Conflict",
				    "The course is closed: there is no mentor to propose.", NULL);
	}
	if (proposals_read(job, c, day, &rows, &err) != 0) {
		course_free(c);
		return api_job_fail_sched(job, &err);
	}
	wishes = c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : NULL;
	job->reply = json_pack("{s:I, s:I, s:o, s:o, s:o}", "course_id", (json_int_t)id,
			       "current_mentor_id", (json_int_t)c->mentor_id, "start_on",
			       api_day_json(day), "wishes", wishes != NULL ? wishes : json_null(),
			       "proposals", rows);
	if (c->mentor_id <= 0)
		json_object_set_new(job->reply, "current_mentor_id", json_null());
	course_free(c);
	return api_job_audit(job, store, "read", id, "propose mentors for a course");
}

/* The decision's mentor for a referral with wishes: the best proposal
 * without a pick, else the pick; *match says which and why, for the
 * log (NULL: no wishes, the least-loaded rule of a course without). */
static int decision_match(struct api_job *job, int64_t id, cal_day start_on, int64_t *mentor_id,
			  json_t **match, struct error *err)
{
	struct course *c;
	json_t *rows, *row = NULL, *r;
	size_t i;
	int rc;

	*match = NULL;
	if (course_get(job->m->courses, id, &c, err) != 0)
		return -1;
	if (c->wishes == NULL || c->state != COURSE_AWAITING_DECISION) {
		course_free(c);
		return 0;
	}
	rc = proposals_read(job, c, start_on, &rows, err);
	course_free(c);
	if (rc != 0)
		return -1;
	json_array_foreach (rows, i, r) {
		if (*mentor_id == 0 ||
		    json_integer_value(json_object_get(r, "mentor_id")) == *mentor_id) {
			row = r;
			break;
		}
	}
	/* A pick the proposals do not list (an inactive mentor) is refused
	 * by the decision itself. */
	if (row != NULL) {
		*match = json_pack("{s:s, s:O, s:O, s:O, s:I}", "chosen_by",
				   *mentor_id == 0 ? "proposal" : "coordinator", "score",
				   json_object_get(row, "score"), "matched",
				   json_object_get(row, "matched"), "unmatched",
				   json_object_get(row, "unmatched"), "rank", (json_int_t)i + 1);
		if (*mentor_id == 0)
			*mentor_id = json_integer_value(json_object_get(row, "mentor_id"));
	}
	json_decref(rows);
	return 0;
}

/* Whether the job may decide course id (api_job_reaches_course): 0, or
 * -1 after a refusal; an unknown id is the 404 the decision would give. */
static int decision_reaches(struct api_job *job, int64_t id)
{
	struct course *c;
	struct error err;
	int rc;

	if (course_get(job->m->courses, id, &c, &err) != 0)
		return api_job_fail_sched(job, &err);
	rc = api_job_reaches_course(job, c);
	course_free(c);
	return rc;
}

/* POST /v1/referrals/{id}/decision {"decision": "start"|"reject",
 * "mentor_id"?, "start_on"?, "note"?, "goals"?}: goals agreed at the
 * start are stored with it, read as POST /v1/courses/{id}/goals reads
 * them. */
static int decision_work(struct api_job *job, struct store *store)
{
	const char *decision, *start_text, *note, *goals[COURSE_MAX_GOALS];
	json_t *goal_list = field_get_value(job->body, "goals");
	char author[API_AUTHOR_LEN];
	size_t ngoals = 0;
	struct course_created created;
	struct field_errors errors;
	struct course_op op;
	struct error err;
	cal_day start_on = CAL_NO_DAY;
	int64_t id, mentor_id = 0;
	json_t *match = NULL;
	bool start;

	if (!api_parse_id(http_param(&job->params, "id"), &id))
		return api_job_fail(job, 404, "Not Found", "No referral with this id.", NULL);
	if (decision_reaches(job, id) != 0)
		return -1;
	field_errors_init(&errors);
	decision = field_get_string(job->body, "decision", "decision", true, 10, &errors);
	if (decision != NULL && strcmp(decision, "start") != 0 && strcmp(decision, "reject") != 0)
		field_error_add(&errors, "decision", "must be \"start\" or \"reject\"");
	start = decision != NULL && strcmp(decision, "start") == 0;
	field_get_int(job->body, "mentor_id", "mentor_id", false, 1, INT64_MAX, &mentor_id,
		      &errors);
	start_text = field_get_string(job->body, "start_on", "start_on", false, 10, &errors);
	if (start_text != NULL && cal_day_parse(start_text, &start_on) != 0)
		field_error_add(&errors, "start_on", "must be a date \"YYYY-MM-DD\"");
	note = field_get_text(job->body, "note", "note", false, 500, &errors);
	if (goal_list != NULL)
		api_goals_read(goal_list, goals, &ngoals, &errors);
	if (!start && (mentor_id != 0 || start_text != NULL || goal_list != NULL) &&
	    decision != NULL)
		field_error_add(&errors,
				mentor_id != 0	     ? "mentor_id"
				: start_text != NULL ? "start_on"
						     : "goals",
				"belongs to a decision to start");
	if (api_job_check(job, &errors, UNCHANGED) != 0)
		return -1;
	api_job_course_op(job, author, &op);
	if (start &&
	    decision_match(job, id, start_on != CAL_NO_DAY ? start_on : cal_day_of_instant(op.now),
			   &mentor_id, &match, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (course_decide_matched(job->m->courses, &op, id, start, mentor_id, start_on, note, match,
				  goals, ngoals, &created, &err) != 0)
		return api_job_fail_sched(job, &err);
	if (api_job_audit(job, store, "decide", id, "decision on a referral") != 0)
		return -1;
	job->reply = json_pack(
		"{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "course_id", (json_int_t)id, "decision",
		decision, "state", course_state_name(start ? COURSE_ACTIVE : COURSE_CLOSED),
		"first_call_due", api_day_json(created.first_call_due), "window_ends",
		api_day_json(created.window_end), "mentor_id",
		created.mentor_id > 0 ? json_integer(created.mentor_id) : json_null(), "start_on",
		start ? api_day_json(start_on != CAL_NO_DAY ? start_on : cal_day_of_instant(op.now))
		      : json_null());
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_POST, "/v1/referrals", CASEWORKER_OR_ADMIN, true, refer_work},
	{EVHTTP_REQ_GET, "/v1/referrals", CASEWORKER_OR_ADMIN, false, list_work},
	{EVHTTP_REQ_POST, "/v1/referrals/{id}/decision", CASEWORKER_OR_ADMIN, true, decision_work},
	{EVHTTP_REQ_GET, "/v1/referrals/{id}/proposals", CASEWORKER_OR_ADMIN, false,
	 proposals_work},
};

const struct api_routes api_referrals_routes = {routes, sizeof routes / sizeof routes[0]};
