/*
 * api.c - authentication, JSON field validation and error replies (api.h).
 */
#include "api.h"

#include <ctype.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http-head.h"
#include "api-session.h"
#include "audit.h"
#include "clock.h"
#include "config.h"
#include "course.h"
#include "fhir-notification.h"
#include "group-commit.h"
#include "sql.h"
#include "store.h"
#include "log.h"
#include "mentor.h"
#include "mentord.h"
#include "message.h"
#include "writer.h"
#include "xmalloc.h"

/* As api_authenticate, the refusals worded as format says. */
static int authenticate(struct mentord *m, struct evhttp_request *req, unsigned roles,
			struct auth_identity *who, const struct http_error_format *format)
{
	const char *header =
		evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	int rc = header != NULL ? auth_check(m->store, header, who)
				: api_session_authenticate(m, req, who);

	if (rc == API_SESSION_REFUSED)
		return -1;
	if (rc != 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"mentord\"");
		http_reply_error(req, format, 401, "Unauthorized",
				 "A valid bearer token (or session cookie) is required.");
		return -1;
	}
	if ((roles & API_ROLE(who->role)) == 0) {
		http_reply_error(req, format, 403, "Forbidden",
				 "This token's role may not use this resource.");
		return -1;
	}
	return 0;
}

int api_authenticate(struct mentord *m, struct evhttp_request *req, unsigned roles,
		     struct auth_identity *who)
{
	return authenticate(m, req, roles, who, NULL);
}

void api_reply_invalid(struct evhttp_request *req, struct field_errors *errors, const char *detail)
{
	http_reply_problem(req, 422, "Unprocessable Content", detail, errors->list);
	errors->list = NULL;
}

bool api_parse_id(const char *text, int64_t *out)
{
	char *end;
	long long v;

	if (text == NULL || !isdigit((unsigned char)text[0]) || strlen(text) > 18)
		return false;
	v = strtoll(text, &end, 10);
	if (*end != '\0' || v <= 0)
		return false;
	*out = v;
	return true;
}

char *api_query_param(struct evhttp_request *req, const char *name)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	const char *value;
	char *out = NULL;

	if (query == NULL)
		return NULL;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query, &params) != 0)
		return NULL;
	value = evhttp_find_header(&params, name);
	if (value != NULL)
		out = xstrdup(value);
	evhttp_clear_headers(&params);
	return out;
}

int api_programme_param(struct api_job *job, const struct programme **out)
{
	char *text = api_query_param(job->req, "programme");

	*out = NULL;
	if (text == NULL)
		return 0;
	*out = programme_find(&job->m->config->programmes, text);
	free(text);
	if (*out != NULL)
		return 0;
	return api_job_fail(job, 422, "Unprocessable Content", "Bad query parameter.",
			    json_pack("[{s:s, s:s}]", "field", "programme", "message",
				      "is not a configured programme"));
}

int api_job_check(struct api_job *job, struct field_errors *errors, const char *detail)
{
	if (!field_errors_any(errors)) {
		field_errors_clear(errors);
		return 0;
	}
	api_job_fail(job, 422, "Unprocessable Content", detail, errors->list);
	errors->list = NULL;
	return -1;
}

void api_read_page(struct api_job *job, int64_t *after, size_t *limit, struct field_errors *errors)
{
	char *text;
	int64_t n;

	*after = 0;
	if ((text = api_query_param(job->req, "after")) != NULL && !api_parse_id(text, after))
		field_error_add(errors, "after", "must be an id, a whole number from 1");
	free(text);
	*limit = API_PAGE_DEFAULT;
	if ((text = api_query_param(job->req, "limit")) != NULL) {
		if (!api_parse_id(text, &n) || n > API_PAGE_MAX)
			field_error_add(errors, "limit", "must be a whole number from 1 to %d",
					API_PAGE_MAX);
		else
			*limit = (size_t)n;
	}
	free(text);
}

static json_t *api_page_next_by(json_t *list, size_t limit, const char *key)
{
	if (json_array_size(list) <= limit)
		return json_null();
	while (json_array_size(list) > limit)
		json_array_remove(list, json_array_size(list) - 1);
	return json_copy(json_object_get(json_array_get(list, limit - 1), key));
}

json_t *api_page_next(json_t *list, size_t limit)
{
	return api_page_next_by(list, limit, "id");
}

int api_job_page(struct api_job *job, struct store *store, struct field_errors *errors,
		 const char *name, api_page_fn read, void *arg)
{
	return api_job_page_by(job, store, errors, name, "id", read, arg);
}

int api_job_page_by(struct api_job *job, struct store *store, struct field_errors *errors,
		    const char *name, const char *key, api_page_fn read, void *arg)
{
	struct error err;
	int64_t after;
	size_t limit;
	json_t *rows, *next;

	api_read_page(job, &after, &limit, errors);
	if (api_job_check(job, errors, "Bad query parameter.") != 0)
		return -1;
	if (read(store, arg, after, limit + 1, &rows, &err) != 0)
		return api_job_fail_sched(job, &err);
	next = api_page_next_by(rows, limit, key);
	job->reply = json_pack("{s:o, s:o}", name, rows, "next_after", next);
	return 0;
}

struct api_job *api_job_new(struct mentord *m, struct evhttp_request *req,
			    const struct auth_identity *who, const struct http_params *params,
			    json_t *body, api_work_fn work)
{
	struct api_job *job = xcalloc(1, sizeof *job);

	job->m = m;
	job->req = req;
	proxy_request_client(&m->config->trusted_proxies, req, job->client_address);
	if (who != NULL)
		job->who = *who;
	if (params != NULL)
		job->params = *params;
	job->body = body;
	job->work = work;
	job->status = 200;
	job->courses = m->courses;
	return job;
}

int api_job_fail(struct api_job *job, int status, const char *title, const char *detail,
		 json_t *errors)
{
	job->status = status;
	snprintf(job->problem_title, sizeof job->problem_title, "%s", title);
	snprintf(job->problem_detail, sizeof job->problem_detail, "%s", detail);
	json_decref(job->problem_errors);
	job->problem_errors = errors;
	json_decref(job->reply);
	job->reply = NULL;
	return -1;
}

void api_job_author(const struct api_job *job, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%lld", auth_role_name(job->who.role), (long long)job->who.token_id);
}

static void api_job_free(struct api_job *job)
{
	if (job->free_data != NULL)
		job->free_data(job->data);
	json_decref(job->body);
	json_decref(job->reply);
	json_decref(job->problem_errors);
	free(job->reply_text);
	free(job->set_cookie);
	free(job);
}

static int job_apply(struct store *store, void *arg)
{
	struct api_job *job = arg;

	job->audited = 0;
	return job->work(job, store);
}

/* The request's path, without its query ("?" if evhttp kept none). */
static const char *path_of(struct evhttp_request *req)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	return path != NULL ? path : "?";
}

/* A read's transaction is committed without waiting for the disk, which
 * is right only if it changed nothing but its audit rows, and the search
 * index a search brings up to date first (derived from the courses: lost
 * with the read, its notes come back with it). Checked, as every row
 * changed counts in sqlite3_total_changes (the audit table has no
 * triggers). */
static int job_apply_read(struct store *store, void *arg)
{
	struct api_job *job = arg;
	sqlite3_int64 before = sqlite3_total_changes64(store_db(store));
	unsigned long long index_before = store_search_changes(store);
	unsigned long long allowed;

	if (job_apply(store, arg) != 0)
		return -1;
	allowed = (unsigned long long)job->audited + store_search_changes(store) - index_before;
	if ((unsigned long long)(sqlite3_total_changes64(store_db(store)) - before) != allowed) {
		/* The path only: a query may search for a citizen by name. */
		log_err("%s %s: a read changed rows besides its audit rows",
			evhttp_request_get_command(job->req) == EVHTTP_REQ_HEAD ? "HEAD" : "GET",
			path_of(job->req));
		return api_job_fail(job, 500, "Internal Server Error", "The request failed.", NULL);
	}
	return 0;
}

static void job_reply(struct api_job *job)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(job->req);

	if (job->location[0] != '\0')
		evhttp_add_header(headers, "Location", job->location);
	if (job->set_cookie != NULL)
		evhttp_add_header(headers, "Set-Cookie", job->set_cookie);
	if (job->reply_text != NULL) {
		http_send(job->req, job->status, job->content_type, job->reply_text,
			  strlen(job->reply_text));
		return;
	}
	if (job->content_type != NULL && job->reply != NULL) {
		char *text = json_dumps(job->reply, JSON_COMPACT);
		size_t len = strlen(text);

		/* One line per reply, as http_reply_json() sends it. */
		text = xrealloc(text, len + 2);
		memcpy(text + len, "\n", 2);
		http_send(job->req, job->status, job->content_type, text, len + 1);
		free(text);
		return;
	}
	http_reply_json(job->req, job->status, job->reply != NULL ? job->reply : json_object());
	job->reply = NULL;
}

static void job_done(void *arg, int status)
{
	struct api_job *job = arg;

	if (status == 0 && job->status < 400) {
		job_reply(job);
	} else if (status == -2) {
		http_reply_error(job->req, job->errors, 503, "Service Unavailable",
				 "The change could not be stored; nothing was changed. Try again.");
	} else if (job->status >= 400 && job->reply != NULL) {
		job_reply(job); /* the work's own refusal (api.h, content_type) */
	} else {
		if (job->status < 400)
			api_job_fail(job, 500, "Internal Server Error", "The request failed.",
				     NULL);
		http_reply_problem(job->req, job->status, job->problem_title, job->problem_detail,
				   job->problem_errors);
		job->problem_errors = NULL;
	}
	api_job_free(job);
}

static const struct group_commit_ops job_ops = {job_apply, job_done};
static const struct group_commit_ops job_read_ops = {job_apply_read, job_done};

void api_job_submit(struct api_job *job)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(job->req);

	if (method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD)
		group_commit_submit_read(job->m->commits, &job_read_ops, job);
	else
		group_commit_submit(job->m->commits, &job_ops, job);
}

/* A route with a prepare step (api_discharges_prepare): checked here on the loop, a refusal
 * answered at once (nothing was stored), the change applied and
 * committed by the writer thread when there is one. */
static void submit_prepared(struct api_job *job, api_prepare_fn prepare)
{
	if (prepare(job) != 0) {
		job_done(job, -1);
		return;
	}
	if (job->m->writer == NULL) {
		group_commit_submit(job->m->commits, &job_ops, job);
		return;
	}
	job->courses = writer_courses(job->m->writer);
	group_commit_submit(writer_commits(job->m->writer), &job_ops, job);
}

struct api_binding {
	struct mentord *m;
	const struct api_route *route;
	api_prepare_fn prepare; /* api_discharges_prepare */
};

static bool route_media_ok(const struct api_route *route, struct http_gate *gate)
{
	const char *type = http_gate_header(gate, "Content-Type");

	return route->body == API_BODY_FHIR ? http_media_type_is(type, API_FHIR_JSON)
					    : http_media_type_is_json(type);
}

static int route_refuse_media(const struct api_route *route, struct http_gate *gate)
{
	if (route->body == API_BODY_FHIR)
		return http_gate_refuse(gate, 415, "Send the body as application/fhir+json.");
	return http_gate_refuse(gate, 415, "Send the body as application/json.");
}

/* A FHIR client reads OperationOutcomes, also for the refusals of the
 * shared HTTP edge (401, 403, 413, 415) and a 503. */
static json_t *fhir_error_body(int status, const char *title, const char *detail)
{
	(void)title; /* the status line says it */
	return fhir_outcome_of_status(status, detail);
}

static const struct http_error_format fhir_errors = {API_FHIR_JSON, fhir_error_body};

/* How a route's refusals are worded: a FHIR route's as OperationOutcomes
 * (api.h), every other's as problem JSON. */
static const struct http_error_format *route_errors(const struct api_route *route)
{
	return route->body == API_BODY_FHIR ? &fhir_errors : NULL;
}

/* The body as sent, NUL-terminated, for an API_BODY_FHIR route
 * (api.h); or a 415 already sent and NULL returned. */
static char *route_read_raw(const struct api_route *route, struct evhttp_request *req, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *type =
		evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	char *text;

	if (!http_media_type_is(type, API_FHIR_JSON)) {
		http_reply_error(req, route_errors(route), 415, "Unsupported Media Type",
				 "Send the body as application/fhir+json.");
		return NULL;
	}
	*len = evbuffer_get_length(in);
	text = xmalloc(*len + 1);
	if (*len > 0)
		memcpy(text, evbuffer_pullup(in, -1), *len);
	text[*len] = '\0';
	return text;
}

/* A page's request (a cookie, no Authorization): its session, CSRF token
 * and Origin are judged here, so that nobody without a live session has a
 * body read. route_cb judges them again once the body is in (the session
 * may end meanwhile) and records the session's use. */
static int gate_session(struct api_binding *b, struct http_gate *gate)
{
	struct auth_identity who;
	int rc = api_session_gate(b->m, gate, &who);

	if (rc == API_SESSION_REFUSED)
		return -1;
	if (rc != 0) {
		gate->www_authenticate = true;
		return http_gate_refuse(gate, 401,
					"A valid bearer token (or session cookie) is required.");
	}
	if ((b->route->roles & API_ROLE(who.role)) == 0)
		return http_gate_refuse(gate, 403, "This token's role may not use this resource.");
	if (b->route->body && !route_media_ok(b->route, gate))
		return route_refuse_media(b->route, gate);
	return http_gate_admit(gate, NULL, NULL, true);
}

/* Token, role and media type, judged on the head: a request that would
 * be refused is refused before its body is read, so a client without a
 * token cannot make the daemon hold a body for it. */
static int route_gate_cb(struct http_gate *gate, void *arg)
{
	struct api_binding *b = arg;
	struct auth_identity who, *kept;
	const char *authorization = http_gate_header(gate, "Authorization");

	gate->errors = route_errors(b->route);
	if (authorization == NULL && http_gate_header(gate, "Cookie") != NULL)
		return gate_session(b, gate);
	if (auth_check(b->m->store, authorization, &who) != 0) {
		gate->www_authenticate = true;
		return http_gate_refuse(gate, 401, "A valid bearer token is required.");
	}
	if ((b->route->roles & API_ROLE(who.role)) == 0)
		return http_gate_refuse(gate, 403, "This token's role may not use this resource.");
	if (b->route->body && !route_media_ok(b->route, gate))
		return route_refuse_media(b->route, gate);
	kept = xmalloc(sizeof *kept);
	*kept = who;
	return http_gate_admit(gate, kept, free, true);
}

static void route_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct api_binding *b = arg;
	const struct auth_identity *admitted = http_admitted(b->m->http, req);
	struct auth_identity who;
	struct api_job *job;
	json_t *body = NULL;

	/* The gate checked the token on the head; a request that reached
	 * here without one (no edge in between) is checked now. */
	if (admitted != NULL)
		who = *admitted;
	else if (authenticate(b->m, req, b->route->roles, &who, route_errors(b->route)) != 0)
		return;
	if (b->route->body == API_BODY_FHIR) {
		size_t len = 0;
		char *raw = route_read_raw(b->route, req, &len);

		if (raw == NULL)
			return;
		job = api_job_new(b->m, req, &who, params, NULL, b->route->work);
		job->errors = route_errors(b->route);
		job->data = raw;
		job->data_len = len;
		job->free_data = free;
		api_job_submit(job);
		return;
	}
	if (b->route->body && (body = http_read_json(req)) == NULL)
		return;
	job = api_job_new(b->m, req, &who, params, body, b->route->work);
	job->errors = route_errors(b->route);
	if (b->prepare != NULL)
		submit_prepared(job, b->prepare);
	else
		api_job_submit(job);
}

/* A FHIR client reads OperationOutcomes under its routes' first segment
 * ("/fhir") also when no route matched: a wrong method or path there. */
static void register_fhir_prefix(struct mentord *m, const char *pattern)
{
	char prefix[32];
	size_t len = strcspn(pattern + 1, "/") + 1;

	if (len >= sizeof prefix)
		return;
	memcpy(prefix, pattern, len);
	prefix[len] = '\0';
	http_server_errors_under(m->http, prefix, &fhir_errors);
}

void api_register(struct mentord *m, const struct api_routes *table)
{
	for (size_t i = 0; i < table->count; i++) {
		const struct api_route *route = &table->routes[i];
		struct api_binding *b = xmalloc(sizeof *b);
		if (route->body == API_BODY_FHIR)
			register_fhir_prefix(m, route->pattern);
		b->m = m;
		b->route = route;
		b->prepare = api_discharges_prepare(route->work);
		http_server_route_gated(m->http, route->method, route->pattern, route_gate_cb,
					route_cb, b, free);
	}
}

int api_job_fail_sched(struct api_job *job, const struct error *err)
{
	static const char *const titles[] = {
		[ERROR_NONE] = "OK",
		[ERROR_NOT_FOUND] = "Not Found",
		[ERROR_CONFLICT] = "Conflict",
		[ERROR_INVALID] = "Unprocessable Content",
		[ERROR_STORE] = "Internal Server Error",
	};
	json_t *errors = NULL;

	if (err->kind == ERROR_STORE)
		log_err("store failure: %s", err->message);
	if (err->kind == ERROR_INVALID && err->field[0] != '\0')
		errors = json_pack("[{s:s, s:s}]", "field", err->field, "message", err->message);
	return api_job_fail(job, error_status(err->kind), titles[err->kind],
			    err->kind == ERROR_STORE ? "The request could not be stored."
						     : err->message,
			    errors);
}

int api_job_fail_store(struct api_job *job, const struct error *err)
{
	log_err("store failure: %s", err->message);
	return api_job_fail(job, 500, "Internal Server Error", "The request failed.", NULL);
}

int api_job_audit(struct api_job *job, struct store *store, const char *action, int64_t course_id,
		  const char *purpose)
{
	return api_job_audit_at(job, store, clock_now(job->m->clock), action, course_id, purpose);
}

int api_job_audit_at(struct api_job *job, struct store *store, time_t now, const char *action,
		     int64_t course_id, const char *purpose)
{
	struct error err;

	if (audit_record(store, &job->who, job->client_address, now, action, course_id, purpose,
			 &err) != 0)
		return api_job_fail_store(job, &err);
	job->audited++;
	return 0;
}

void api_job_course_op(struct api_job *job, char author[API_AUTHOR_LEN], struct course_op *op)
{
	api_job_author(job, author, API_AUTHOR_LEN);
	*op = (struct course_op){
		.rules = &programme_discharge(&job->m->config->programmes)->rules,
		.programmes = &job->m->config->programmes,
		.now = clock_now(job->m->clock),
		.author = author,
		.messages = message_flags(job->m->config),
	};
}

bool api_job_stands_in(struct api_job *job, int64_t assigned, cal_day due)
{
	cal_day today = cal_day_of_instant(clock_now(job->m->clock));
	struct error err;
	int64_t routed = 0;

	if (job->who.role != AUTH_MENTOR || due == CAL_NO_DAY || due > today)
		return false;
	if (mentor_route(job->m->mentors, assigned, today, &routed, &err) != 0) {
		log_err("routing the call of mentor %lld: %s", (long long)assigned, err.message);
		return false;
	}
	return routed == job->who.mentor_id;
}

int api_job_reaches_course(struct api_job *job, const struct course *c)
{
	const struct programme *p;

	if (job->who.role != AUTH_CASEWORKER)
		return 0;
	/* A course is health data shared on a need to know: another
	 * caseworker's referral, a coordinator's and every course psychiatry
	 * sent are not this caseworker's business, proposals and wishes
	 * included. The token is the caseworker (mentorctl token add). */
	p = programme_of(&job->m->config->programmes, c->programme);
	if (p != NULL && p->intake == PROGRAMME_INTAKE_REFERRAL &&
	    c->intake_token_id == job->who.token_id)
		return 0;
	return api_job_fail(job, 403, "Forbidden",
			    "A caseworker acts only on the referrals they made themselves.", NULL);
}

json_t *api_day_json(cal_day day)
{
	char text[CAL_DATE_LEN];

	if (day == CAL_NO_DAY)
		return json_null();
	cal_day_format(day, text);
	return json_string(text);
}

json_t *api_course_result_json(const struct course_result *r)
{
	json_t *next = r->next_call_id > 0 ? json_pack("{s:I, s:o, s:s, s:i}", "call_id",
						       (json_int_t)r->next_call_id, "due_date",
						       api_day_json(r->next_call_due), "reason",
						       schedule_reason_name(r->next_reason),
						       "attempt", r->next_attempt)
					   : json_null();

	return json_pack("{s:I, s:s, s:o, s:b, s:b}", "course_id", (json_int_t)r->course_id,
			 "state", course_state_name(r->state), "next_call", next, "flagged",
			 r->flagged, "unreached", r->unreached);
}
