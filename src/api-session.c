/*
 * api-session.c - sign-in, who is signed in, sign-out; the session
 * cookie's authentication and CSRF checks (api-session.h).
 */
#include "api-session.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "clock.h"
#include "config.h"
#include "group-commit.h"
#include "http.h"
#include "log.h"
#include "mentor.h"
#include "mentord.h"
#include "proxy.h"
#include "session.h"
#include "xmalloc.h"

#define CSRF_HEADER "X-CSRF-Token"
#define TOKEN_MAX 256
/* A sign-in body is {"token": ...}: a few hundred bytes. Anybody may send
 * one, so no more than this is read (checked on the head). */
#define SIGN_IN_MAX_BODY 4096
#define CROSS_SITE_DETAIL "A request from another site may not use this session (Origin)."
#define CSRF_DETAIL \
	"A change made with a session cookie needs the session's CSRF token in the" \
	" X-CSRF-Token header."

static struct session_limits limits_of(const struct mentord *m)
{
	return (struct session_limits){
		.idle_s = (time_t)m->config->session_idle_minutes * 60,
		.max_s = (time_t)m->config->session_hours * 3600,
	};
}

static const char *input_header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

/* The peer's address, for the log; "" when it has none. */
static void peer_address(struct evhttp_request *req, char out[PROXY_ADDRESS_LEN])
{
	proxy_request_client(NULL, req, out);
}

/* Whether a proxy that terminated TLS in front of mentord forwarded this
 * request: X-Forwarded-Proto: https, believed only from a peer in
 * listen.trusted_proxies. Believing it wrongly would cost little: a
 * Secure cookie over plain HTTP is only not sent back, so sign-in fails
 * instead of leaking. */
bool api_session_request_secure(struct mentord *m, struct evhttp_request *req)
{
	const char *proto = input_header(req, "X-Forwarded-Proto");

	return proto != NULL && strcasecmp(proto, "https") == 0 &&
	       proxy_request_peer_trusted(&m->config->trusted_proxies, req);
}

/* The same for a head at the gate, from the peer it came from. */
static bool gate_secure(struct mentord *m, const struct http_gate *gate)
{
	const char *proto = http_gate_header(gate, "X-Forwarded-Proto");

	return proto != NULL && strcasecmp(proto, "https") == 0 &&
	       proxy_trusts(&m->config->trusted_proxies, gate->peer);
}

/* An unsafe request's Origin, when it sends one, must be this server as
 * the browser reached it: the scheme it used and the Host it asked for. A
 * request without Origin relies on the CSRF token alone. */
static bool origin_matches(const char *origin, const char *host, bool secure)
{
	const char *scheme = secure ? "https://" : "http://";
	size_t len = strlen(scheme);

	if (origin == NULL)
		return true;
	if (host == NULL)
		return false;
	return strncasecmp(origin, scheme, len) == 0 && strcasecmp(origin + len, host) == 0;
}

static bool same_origin(struct mentord *m, struct evhttp_request *req)
{
	return origin_matches(input_header(req, "Origin"), input_header(req, "Host"),
			      api_session_request_secure(m, req));
}

static bool gate_same_origin(struct mentord *m, const struct http_gate *gate)
{
	return origin_matches(http_gate_header(gate, "Origin"), http_gate_header(gate, "Host"),
			      gate_secure(m, gate));
}

static bool method_unsafe(enum evhttp_cmd_type method)
{
	switch (method) {
	case EVHTTP_REQ_POST:
	case EVHTTP_REQ_PUT:
	case EVHTTP_REQ_PATCH:
	case EVHTTP_REQ_DELETE:
		return true;
	default:
		return false;
	}
}

static int refuse(struct evhttp_request *req, const char *detail)
{
	http_reply_problem(req, 403, "Forbidden", detail, NULL);
	return API_SESSION_REFUSED;
}

static int refuse_cross_site(struct evhttp_request *req)
{
	return refuse(req, CROSS_SITE_DETAIL);
}

/* Refresh the session's last use through the group commit, so the write
 * shares a COMMIT with the request it came with. */
struct session_touch {
	int64_t id;
	time_t now;
};

static int touch_apply(struct store *store, void *arg)
{
	struct session_touch *t = arg;
	struct error err;

	if (session_touch(store, t->id, t->now, &err) != 0) {
		log_err("%s", err.message);
		return -1;
	}
	return 0;
}

static void touch_done(void *arg, int status)
{
	(void)status;
	free(arg);
}

static const struct group_commit_ops touch_ops = {touch_apply, touch_done};

/* The live session of the request's cookie: 0, or API_SESSION_NONE. Its
 * use is recorded. secret receives the cookie value. */
static int request_session(struct mentord *m, struct evhttp_request *req,
			   char secret[SESSION_SECRET_LEN], struct session *s)
{
	struct session_limits limits = limits_of(m);
	time_t now = clock_now(m->clock);

	if (session_cookie(input_header(req, "Cookie"), secret) != 0 ||
	    session_check(m->store, secret, now, &limits, s) != 0) {
		explicit_bzero(secret, SESSION_SECRET_LEN);
		return API_SESSION_NONE;
	}
	if (session_stale(s, now)) {
		struct session_touch *t = xmalloc(sizeof *t);
		t->id = s->id;
		t->now = now;
		group_commit_submit(m->commits, &touch_ops, t);
		session_used(s, now, &limits);
	}
	return 0;
}

/* CSRF: an unsafe method needs a same-site Origin (when sent) and the
 * session's token in X-CSRF-Token. */
static int check_csrf(struct mentord *m, struct evhttp_request *req, const char *secret)
{
	if (!method_unsafe(evhttp_request_get_command(req)))
		return 0;
	if (!same_origin(m, req))
		return refuse_cross_site(req);
	if (!session_csrf_valid(secret, input_header(req, CSRF_HEADER)))
		return refuse(req, CSRF_DETAIL);
	return 0;
}

int api_session_authenticate(struct mentord *m, struct evhttp_request *req,
			     struct auth_identity *who)
{
	char secret[SESSION_SECRET_LEN];
	struct session s;
	int rc;

	memset(who, 0, sizeof *who);
	if (request_session(m, req, secret, &s) != 0)
		return API_SESSION_NONE;
	rc = check_csrf(m, req, secret);
	explicit_bzero(secret, sizeof secret);
	if (rc == 0)
		*who = s.who;
	return rc;
}

int api_session_gate(struct mentord *m, struct http_gate *gate, struct auth_identity *who)
{
	struct session_limits limits = limits_of(m);
	char secret[SESSION_SECRET_LEN];
	struct session s;
	int rc = 0;

	memset(who, 0, sizeof *who);
	if (session_cookie(http_gate_header(gate, "Cookie"), secret) != 0 ||
	    session_check(m->store, secret, clock_now(m->clock), &limits, &s) != 0) {
		explicit_bzero(secret, sizeof secret);
		return API_SESSION_NONE;
	}
	if (method_unsafe(gate->method)) {
		if (!gate_same_origin(m, gate))
			rc = http_gate_refuse(gate, 403, CROSS_SITE_DETAIL);
		else if (!session_csrf_valid(secret, http_gate_header(gate, CSRF_HEADER)))
			rc = http_gate_refuse(gate, 403, CSRF_DETAIL);
	}
	explicit_bzero(secret, sizeof secret);
	if (rc != 0)
		return API_SESSION_REFUSED;
	*who = s.who;
	return 0;
}

/* --- the routes --------------------------------------------------------- */

static json_t *time_json(time_t t)
{
	char text[CLOCK_RFC3339_LEN];

	clock_format_rfc3339(t, text);
	return json_string(text);
}

/* Who is signed in, and with s (NULL: a bearer token) the session. */
static json_t *identity_json(struct mentord *m, const struct auth_identity *who,
			     const struct session *s, const char *secret)
{
	json_t *mentor = json_null(), *out;
	struct mentor *mt = NULL;
	struct error err;

	if (who->role == AUTH_MENTOR) {
		if (mentor_get(m->mentors, who->mentor_id, &mt, &err) == 0)
			mentor =
				json_pack("{s:I, s:s}", "id", (json_int_t)mt->id, "name", mt->name);
		else
			mentor = json_pack("{s:I, s:n}", "id", (json_int_t)who->mentor_id, "name");
		mentor_free(mt);
	}
	out = json_pack("{s:s, s:o, s:{s:I, s:s}, s:i}", "role", auth_role_name(who->role),
			"mentor", mentor, "token", "id", (json_int_t)who->token_id, "name",
			who->name, "idle_timeout_minutes", m->config->session_idle_minutes);
	if (s != NULL) {
		char csrf[SESSION_CSRF_LEN];
		session_csrf(secret, csrf);
		json_object_set_new(out, "csrf_token", json_string(csrf));
		json_object_set_new(out, "expires_at", time_json(s->ends_at));
		json_object_set_new(out, "idle_expires_at", time_json(s->idle_ends_at));
	} else {
		json_object_set_new(out, "csrf_token", json_null());
		json_object_set_new(out, "expires_at", json_null());
		json_object_set_new(out, "idle_expires_at", json_null());
	}
	return out;
}

/* The Set-Cookie value: the session, or with secret NULL its removal. */
static char *cookie_header(struct mentord *m, struct evhttp_request *req, const char *secret)
{
	char *out;

	xasprintf(&out, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s", SESSION_COOKIE,
		  secret != NULL ? secret : "",
		  secret != NULL ? (long long)m->config->session_hours * 3600 : 0LL,
		  api_session_request_secure(m, req) ? "; Secure" : "");
	return out;
}

/* Whether the single sign-on header of this request is to be believed:
 * enabled, and the peer (not any address it forwards for) is one of the
 * configured proxies. */
static bool sso_trusted(struct mentord *m, struct evhttp_request *req)
{
	return m->config->sso_enabled && proxy_request_peer_trusted(&m->config->sso_proxies, req);
}

/* The identity single sign-on asserts: 0; API_SESSION_NONE when there is
 * none to believe; API_SESSION_REFUSED after a 403 for a user mentord
 * does not know. */
static int sso_identity(struct mentord *m, struct evhttp_request *req, struct auth_identity *who)
{
	const char *login = input_header(req, m->config->sso_header);

	if (login == NULL || login[0] == '\0')
		return API_SESSION_NONE;
	if (!sso_trusted(m, req)) {
		char peer[PROXY_ADDRESS_LEN];
		peer_address(req, peer);
		log_notice("sign-in: %s from %s ignored: not a configured single sign-on proxy",
			   m->config->sso_header, peer);
		return API_SESSION_NONE;
	}
	if (auth_login_check(m->store, login, who) != 0)
		return refuse(req, "The single sign-on user is not known to mentord: an"
				   " administrator maps it to a mentor or coordinator first.");
	return 0;
}

struct sign_in {
	bool sso;
};

static int sign_in_work(struct api_job *job, struct store *store)
{
	struct session_limits limits = limits_of(job->m);
	struct sign_in *in = job->data;
	char secret[SESSION_SECRET_LEN];
	struct error err;
	struct session s = {.who = job->who};
	time_t now = clock_now(job->m->clock);

	if (session_create(store, job->who.token_id, now, &limits, secret, &s.id, &err) != 0)
		return api_job_fail_store(job, &err);
	if (api_job_audit(job, store, "sign_in", 0,
			  in->sso ? "sign in to the page by single sign-on"
				  : "sign in to the page with a token") != 0) {
		explicit_bzero(secret, sizeof secret);
		return -1;
	}
	s.created_at = s.seen_at = now;
	s.ends_at = now + limits.max_s;
	s.idle_ends_at = now + (limits.idle_s < limits.max_s ? limits.idle_s : limits.max_s);
	job->status = 201;
	job->reply = identity_json(job->m, &job->who, &s, secret);
	job->set_cookie = cookie_header(job->m, job->req, secret);
	explicit_bzero(secret, sizeof secret);
	return 0;
}

static int unauthorized(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
			  "Bearer realm=\"mentord\"");
	http_reply_problem(req, 401, "Unauthorized",
			   "Sign in with a valid token (or through single sign-on).", NULL);
	return -1;
}

/* The token of the body ({"token"}), if it has one: 0, or -1 after a
 * 4xx. An empty body is no body. */
static int read_body_token(struct evhttp_request *req, json_t **body, const char **token)
{
	struct field_errors errors;

	*body = NULL;
	*token = NULL;
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) == 0)
		return 0;
	if ((*body = http_read_json(req)) == NULL)
		return -1;
	field_errors_init(&errors);
	*token = field_get_string(*body, "token", "token", false, TOKEN_MAX, &errors);
	if (field_errors_any(&errors)) {
		api_reply_invalid(req, &errors, "Nobody was signed in.");
		field_errors_clear(&errors);
		json_decref(*body);
		*body = NULL;
		return -1;
	}
	field_errors_clear(&errors);
	return 0;
}

static void sign_in_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	const char *authorization = input_header(req, "Authorization"), *token;
	struct auth_identity who;
	struct sign_in *in;
	struct api_job *job;
	json_t *body;
	bool sso = false;

	/* A sign-in from another site would sign this browser in as someone
	 * else (login CSRF). */
	if (!same_origin(m, req)) {
		refuse_cross_site(req);
		return;
	}
	if (read_body_token(req, &body, &token) != 0)
		return;
	if (token != NULL) {
		char *header;
		int rc;
		xasprintf(&header, "Bearer %s", token);
		rc = auth_check(m->store, header, &who);
		explicit_bzero(header, strlen(header));
		free(header);
		if (rc != 0)
			goto unauthorized;
	} else if (authorization != NULL) {
		if (auth_check(m->store, authorization, &who) != 0)
			goto unauthorized;
	} else {
		int rc = sso_identity(m, req, &who);
		if (rc == API_SESSION_REFUSED)
			goto out;
		if (rc != 0)
			goto unauthorized;
		sso = true;
	}
	job = api_job_new(m, req, &who, params, body, sign_in_work);
	in = xmalloc(sizeof *in);
	in->sso = sso;
	job->data = in;
	job->free_data = free;
	api_job_submit(job);
	return;

unauthorized:
	unauthorized(req);
out:
	json_decref(body);
}

static void whoami_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	const char *authorization = input_header(req, "Authorization");
	char secret[SESSION_SECRET_LEN];
	struct auth_identity who;
	struct session s;

	(void)params;
	if (authorization != NULL) {
		if (auth_check(m->store, authorization, &who) != 0) {
			unauthorized(req);
			return;
		}
		http_reply_json(req, 200, identity_json(m, &who, NULL, NULL));
		return;
	}
	if (request_session(m, req, secret, &s) != 0) {
		unauthorized(req);
		return;
	}
	http_reply_json(req, 200, identity_json(m, &s.who, &s, secret));
	explicit_bzero(secret, sizeof secret);
}

static int sign_out_work(struct api_job *job, struct store *store)
{
	int64_t *id = job->data;
	struct error err;

	if (session_end(store, *id, &err) != 0)
		return api_job_fail_store(job, &err);
	if (api_job_audit(job, store, "sign_out", 0, "sign out of the page") != 0)
		return -1;
	job->status = 204;
	job->set_cookie = cookie_header(job->m, job->req, NULL);
	return 0;
}

/* Sign-out ends the session of the cookie; a bearer token has none. */
static void sign_out_cb(struct evhttp_request *req, const struct http_params *params, void *arg)
{
	struct mentord *m = arg;
	char secret[SESSION_SECRET_LEN];
	struct session s;
	struct api_job *job;
	int64_t *id;
	int rc;

	if (request_session(m, req, secret, &s) != 0) {
		unauthorized(req);
		return;
	}
	rc = check_csrf(m, req, secret);
	explicit_bzero(secret, sizeof secret);
	if (rc != 0)
		return;
	job = api_job_new(m, req, &s.who, params, NULL, sign_out_work);
	id = xmalloc(sizeof *id);
	*id = s.id;
	job->data = id;
	job->free_data = free;
	api_job_submit(job);
}

/* Sign-in's head. Its token may be in the body, so nobody is known yet:
 * what can be judged is the body's size and, against login CSRF, the
 * Origin; sign_in_cb judges the Origin again (a request may come without
 * the edge). */
static int sign_in_gate_cb(struct http_gate *gate, void *arg)
{
	struct mentord *m = arg;

	gate->max_body = SIGN_IN_MAX_BODY;
	if (!gate_same_origin(m, gate))
		return http_gate_refuse(gate, 403, CROSS_SITE_DETAIL);
	return http_gate_admit(gate, NULL, NULL, false);
}

void api_session_register(struct mentord *m)
{
	http_server_route_gated(m->http, EVHTTP_REQ_POST, "/v1/session", sign_in_gate_cb,
				sign_in_cb, m, NULL);
	http_server_route(m->http, EVHTTP_REQ_GET, "/v1/session", whoami_cb, m, NULL);
	http_server_route(m->http, EVHTTP_REQ_DELETE, "/v1/session", sign_out_cb, m, NULL);
}
