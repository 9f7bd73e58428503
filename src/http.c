/*
 * http.c - evhttp server with limits, a small router and JSON replies.
 */
#include "http.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include "http-edge.h"
#include "http-head.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_MAX_SOCKETS 8
#define HTTP_MAX_SEGMENTS 8
/* How long accepting stops after accept() failed. The usual cause is
 * running out of file descriptors (EMFILE, ENFILE), which ends only as
 * connections close, idle ones after listen.timeout seconds: trying more
 * often than once a second gains little. Meanwhile new clients wait in the
 * kernel's backlog, not refused, and the log gets at most a line a second. */
#define HTTP_ACCEPT_PAUSE_S 1

struct http_route {
	enum evhttp_cmd_type method;
	char *pattern;	   /* NULL: the server's "no route matched" */
	http_gate_cb gate; /* or NULL: no check before the body */
	http_handler_cb handler;
	void *arg;
	void (*free_arg)(void *);
	struct http_server *server;
	struct http_route *next;
};

/* How the routing refusals (404, 405) under a path prefix are worded. */
struct http_error_prefix {
	char *prefix; /* a whole first segment: "/fhir" */
	const struct http_error_format *format;
	struct http_error_prefix *next;
};

/* Requests answered, per method, route and status (for /metrics). */
struct http_count {
	enum evhttp_cmd_type method;
	const char *pattern; /* a route's own pattern, or NULL */
	int status;
	unsigned long long n;
	struct http_count *next;
};

struct http_server {
	struct evhttp *http;
	struct http_edge *edge;
	struct evhttp_bound_socket *sockets[HTTP_MAX_SOCKETS];
	size_t socket_count;
	struct http_route *routes;
	struct http_error_prefix *error_prefixes;
	struct http_route unmatched;
	struct http_count *counts;
	int in_flight;
	struct event *accept_resume; /* ends a pause in accepting */
	struct http_server *next;    /* in http_servers */
};

/* Every live server. evhttp makes itself the argument of its listeners'
 * callbacks, and libevent 2.1 cannot give the error callback another one
 * without taking evhttp's accept callback away: so accept_error_cb finds
 * its server here, by the evhttp. Like log.c's state, this lives outside
 * the daemon context only because a libevent callback has no argument of
 * ours. */
static struct http_server *http_servers;

static void dispatch_cb(struct evhttp_request *req, void *arg);
static void accept_resume_cb(evutil_socket_t fd, short what, void *arg);
static void admit_cb(struct http_gate *gate, void *arg);
static void refused_cb(enum evhttp_cmd_type method, const char *pattern, int status, void *arg);
static void abandoned_cb(void *arg);
static void pause_accept_cb(bool pause, void *arg);

static const struct http_edge_ops edge_ops = {admit_cb, refused_cb, abandoned_cb, pause_accept_cb};

struct http_server *http_server_new(struct event_base *base, const struct http_limits *limits)
{
	struct http_server *server = xcalloc(1, sizeof *server);

	server->http = evhttp_new(base);
	server->accept_resume = evtimer_new(base, accept_resume_cb, server);
	if (server->http == NULL || server->accept_resume == NULL)
		goto fail;
	/* Without lingering close evhttp resets the connection on a too-large
	 * body and the client never reads the 413. */
	evhttp_set_flags(server->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_allowed_methods(server->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
							 EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
							 EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
	evhttp_set_default_content_type(server->http, "application/json");
	evhttp_set_gencb(server->http, dispatch_cb, server);
	server->edge = http_edge_new(base, server->http, &edge_ops, server);
	http_server_set_limits(server, limits);
	server->unmatched.server = server;
	server->next = http_servers;
	http_servers = server;
	return server;

fail:
	if (server->accept_resume != NULL)
		event_free(server->accept_resume);
	if (server->http != NULL)
		evhttp_free(server->http);
	free(server);
	return NULL;
}

void http_server_set_limits(struct http_server *server, const struct http_limits *limits)
{
	/* The edge enforces both before evhttp reads anything; these are
	 * only a backstop. The head evhttp gets is rewritten from the one
	 * read, never longer, but for a chunked request's Content-Length. */
	evhttp_set_max_body_size(server->http, (ev_ssize_t)limits->max_body_bytes);
	evhttp_set_max_headers_size(server->http, (ev_ssize_t)limits->max_header_bytes + 64);
	evhttp_set_timeout(server->http, limits->timeout_s);
	http_edge_set_limits(server->edge, limits);
}

void http_server_free(struct http_server *server)
{
	struct http_error_prefix *e, *next_prefix;
	struct http_route *r, *next;
	struct http_count *c, *next_count;
	struct http_server **p;

	if (server == NULL)
		return;
	for (p = &http_servers; *p != server; p = &(*p)->next)
		;
	*p = server->next;
	event_free(server->accept_resume);
	/* Connections close (in evhttp_free) while the routes and counts
	 * they may refer to still exist. */
	http_edge_free(server->edge);
	evhttp_free(server->http);
	for (r = server->routes; r != NULL; r = next) {
		next = r->next;
		if (r->free_arg != NULL)
			r->free_arg(r->arg);
		free(r->pattern);
		free(r);
	}
	for (e = server->error_prefixes; e != NULL; e = next_prefix) {
		next_prefix = e->next;
		free(e->prefix);
		free(e);
	}
	for (c = server->counts; c != NULL; c = next_count) {
		next_count = c->next;
		free(c);
	}
	free(server);
}

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *server = arg;

	(void)fd;
	(void)what;
	/* A listener that did not fail is enabled already; that is harmless.
	 * Sockets drained meanwhile are no longer in the list. */
	for (size_t i = 0; i < server->socket_count; i++)
		evconnlistener_enable(evhttp_bound_socket_get_listener(server->sockets[i]));
}

/* accept() failed for a reason other than "try again" (with this callback
 * set, libevent no longer logs that itself). Retrying at once fails the
 * same way while the listening socket stays readable, its backlog full:
 * libevent would call accept() in a busy loop. So stop accepting for a
 * while, with one warning per pause. */
static void accept_error_cb(struct evconnlistener *listener, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval pause = {HTTP_ACCEPT_PAUSE_S, 0};
	struct http_server *server;

	evconnlistener_disable(listener);
	for (server = http_servers; server != NULL; server = server->next)
		if (server->http == arg)
			break;
	if (server == NULL || evtimer_pending(server->accept_resume, NULL))
		return;
	log_warning("cannot accept connections: %s; not accepting any for %d s",
		    evutil_socket_error_to_string(err), HTTP_ACCEPT_PAUSE_S);
	evtimer_add(server->accept_resume, &pause);
}

static int add_socket(struct http_server *server, struct evhttp_bound_socket *sock, char **cause)
{
	if (server->socket_count == HTTP_MAX_SOCKETS) {
		xasprintf(cause, "more than %d listening sockets", HTTP_MAX_SOCKETS);
		return -1;
	}
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(sock), accept_error_cb);
	server->sockets[server->socket_count++] = sock;
	return 0;
}

int http_server_adopt_systemd(struct http_server *server, char **cause)
{
	int n = sd_listen_fds(1);

	if (n < 0) {
		xasprintf(cause, "sd_listen_fds: %s", strerror(-n));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		struct evhttp_bound_socket *sock;

		if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
			xasprintf(cause, "inherited fd %d is not a listening stream socket", fd);
			return -1;
		}
		/* systemd hands over blocking sockets; evhttp needs them not to be. */
		evutil_make_socket_nonblocking(fd);
		evutil_make_socket_closeonexec(fd);
		sock = evhttp_accept_socket_with_handle(server->http, fd);
		if (sock == NULL) {
			xasprintf(cause, "cannot accept on inherited fd %d", fd);
			return -1;
		}
		if (add_socket(server, sock, cause) != 0)
			return -1;
	}
	return n;
}

int http_server_bind(struct http_server *server, const char *address, int port, char **cause)
{
	struct evhttp_bound_socket *sock;

	sock = evhttp_bind_socket_with_handle(server->http, address, (ev_uint16_t)port);
	if (sock == NULL) {
		xasprintf(cause, "cannot listen on %s port %d: %s", address, port,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return -1;
	}
	return add_socket(server, sock, cause);
}

int http_server_port(struct http_server *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (server->socket_count == 0)
		return -1;
	if (getsockname(evhttp_bound_socket_get_fd(server->sockets[0]), (struct sockaddr *)&ss,
			&len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

void http_server_route(struct http_server *server, enum evhttp_cmd_type method, const char *pattern,
		       http_handler_cb handler, void *arg, void (*free_arg)(void *))
{
	http_server_route_gated(server, method, pattern, NULL, handler, arg, free_arg);
}

void http_server_route_gated(struct http_server *server, enum evhttp_cmd_type method,
			     const char *pattern, http_gate_cb gate, http_handler_cb handler,
			     void *arg, void (*free_arg)(void *))
{
	struct http_route *r = xcalloc(1, sizeof *r), **tail = &server->routes;

	r->method = method;
	r->pattern = xstrdup(pattern);
	r->gate = gate;
	r->handler = handler;
	r->arg = arg;
	r->free_arg = free_arg;
	r->server = server;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = r;
}

void http_server_errors_under(struct http_server *server, const char *prefix,
			      const struct http_error_format *format)
{
	struct http_error_prefix *e;

	for (e = server->error_prefixes; e != NULL; e = e->next)
		if (strcmp(e->prefix, prefix) == 0)
			return;
	e = xcalloc(1, sizeof *e);
	e->prefix = xstrdup(prefix);
	e->format = format;
	e->next = server->error_prefixes;
	server->error_prefixes = e;
}

/* The wording of a routing refusal of path: its prefix's, or NULL
 * (problem JSON). "/fhir" covers "/fhir" and "/fhir/...", not "/fhirx". */
static const struct http_error_format *path_errors(const struct http_server *server,
						   const char *path)
{
	for (const struct http_error_prefix *e = server->error_prefixes; e != NULL; e = e->next) {
		size_t len = strlen(e->prefix);
		if (strncmp(path, e->prefix, len) == 0 && (path[len] == '\0' || path[len] == '/'))
			return e->format;
	}
	return NULL;
}

void http_server_drain(struct http_server *server)
{
	for (size_t i = 0; i < server->socket_count; i++)
		evhttp_del_accept_socket(server->http, server->sockets[i]);
	server->socket_count = 0;
	/* A kept-alive client told Connection: close opens a new connection
	 * for its next request, which the next instance answers; one not
	 * told would send it here, into a connection about to close. */
	http_edge_drain(server->edge);
}

int http_server_in_flight(const struct http_server *server)
{
	return server->in_flight;
}

const char *http_param(const struct http_params *params, const char *name)
{
	for (size_t i = 0; i < params->count; i++)
		if (strcmp(params->items[i].name, name) == 0)
			return params->items[i].value;
	return NULL;
}

/* Match "/v1/courses/{id}" against a path; fill captures on success. */
static int route_match(const char *pattern, const char *path, struct http_params *params)
{
	const char *p = pattern, *s = path;

	params->count = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");
			size_t name_len = close != NULL ? (size_t)(close - p - 1) : 0;
			if (close == NULL || len == 0 || len >= sizeof params->items[0].value ||
			    name_len >= sizeof params->items[0].name ||
			    params->count == HTTP_MAX_PARAMS)
				return 0;
			memcpy(params->items[params->count].name, p + 1, name_len);
			params->items[params->count].name[name_len] = '\0';
			memcpy(params->items[params->count].value, s, len);
			params->items[params->count].value[len] = '\0';
			params->count++;
			p = close + 1;
			s += len;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *p == '\0' && *s == '\0';
}

static void count_request(struct http_server *server, enum evhttp_cmd_type method,
			  const char *pattern, int status)
{
	struct http_count *c;

	for (c = server->counts; c != NULL; c = c->next)
		if (c->method == method && c->pattern == pattern && c->status == status)
			break;
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->method = method;
		c->pattern = pattern;
		c->status = status;
		c->next = server->counts;
		server->counts = c;
	}
	c->n++;
}

/* arg is the route that answered, or the server's unmatched one. */
static void request_done_cb(struct evhttp_request *req, void *arg)
{
	struct http_route *r = arg;

	r->server->in_flight--;
	count_request(r->server, evhttp_request_get_command(req), r->pattern,
		      evhttp_request_get_response_code(req));
	http_edge_end(r->server->edge, req);
}

static const char *method_name(enum evhttp_cmd_type method)
{
	switch (method) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "OTHER"; /* refused before its method was known */
	}
}

void http_server_counts(const struct http_server *server, http_count_cb cb, void *arg)
{
	for (const struct http_count *c = server->counts; c != NULL; c = c->next)
		cb(method_name(c->method), c->pattern, c->status, c->n, arg);
}

/* The route for method and path (HEAD is served by GET), or NULL; allow
 * then lists the methods the path has, if any. */
static struct http_route *find_route(struct http_server *server, enum evhttp_cmd_type method,
				     const char *path, struct http_params *params, char *allow,
				     size_t allow_size)
{
	allow[0] = '\0';
	for (struct http_route *r = server->routes; r != NULL; r = r->next) {
		if (!route_match(r->pattern, path, params))
			continue;
		if (strlen(allow) + 10 < allow_size) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, method_name(r->method));
		}
		if (r->method == method ||
		    (method == EVHTTP_REQ_HEAD && r->method == EVHTTP_REQ_GET))
			return r;
	}
	return NULL;
}

/* Whether a route without a gate refuses a body with this method: the
 * methods that need none, as such a route's handler reads none, and
 * nothing before it has authenticated anybody. */
static bool method_takes_no_body(enum evhttp_cmd_type method)
{
	return method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD || method == EVHTTP_REQ_DELETE;
}

/* The edge has a request's head: route it and let the route's gate judge
 * it, all before its body is read. */
static void admit_cb(struct http_gate *gate, void *arg)
{
	struct http_server *server = arg;
	struct http_params params;
	struct http_route *r;

	r = find_route(server, gate->method, gate->path, &params, gate->allow, sizeof gate->allow);
	if (r == NULL) {
		gate->errors = path_errors(server, gate->path);
		if (gate->allow[0] != '\0')
			http_gate_refuse(gate, 405, "This resource does not support that method.");
		else
			http_gate_refuse(gate, 404, "No resource at this path.");
		return;
	}
	gate->allow[0] = '\0'; /* only a 405 says Allow */
	gate->pattern = r->pattern;
	if (r->gate != NULL)
		r->gate(gate, r->arg);
	else if (method_takes_no_body(gate->method))
		gate->max_body = 0;
}

static void refused_cb(enum evhttp_cmd_type method, const char *pattern, int status, void *arg)
{
	count_request(arg, method, pattern, status);
}

static void pause_accept_cb(bool pause, void *arg)
{
	struct http_server *server = arg;

	for (size_t i = 0; i < server->socket_count; i++) {
		struct evconnlistener *l = evhttp_bound_socket_get_listener(server->sockets[i]);
		if (pause)
			evconnlistener_disable(l);
		else
			evconnlistener_enable(l);
	}
}

static void abandoned_cb(void *arg)
{
	struct http_server *server = arg;

	server->in_flight--;
}

const char *http_gate_header(const struct http_gate *gate, const char *name)
{
	return http_head_field(gate->head, name);
}

int http_gate_refuse(struct http_gate *gate, int status, const char *detail)
{
	gate->status = status;
	snprintf(gate->detail, sizeof gate->detail, "%s", detail);
	return -1;
}

int http_gate_admit(struct http_gate *gate, void *data, void (*free_data)(void *), bool trusted)
{
	gate->admitted = data;
	gate->free_admitted = free_data;
	gate->trusted = trusted;
	return 0;
}

void *http_admitted(struct http_server *server, struct evhttp_request *req)
{
	return http_edge_admitted(server->edge, req);
}

static void dispatch_cb(struct evhttp_request *req, void *arg)
{
	struct http_server *server = arg;
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct http_params params;
	struct http_route *r;
	char allow[64];

	server->in_flight++;
	evhttp_request_set_on_complete_cb(req, request_done_cb, &server->unmatched);
	http_edge_begin(server->edge, req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Content-Type-Options",
			  "nosniff");
	if (path == NULL)
		path = "/";
	/* The edge refused larger bodies already; this only backs it up. */
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > HTTP_MAX_BODY_BYTES) {
		http_reply_problem(req, 413, "Content Too Large", "The body exceeds 64 KiB.", NULL);
		return;
	}
	r = find_route(server, method, path, &params, allow, sizeof allow);
	if (r != NULL) {
		evhttp_request_set_on_complete_cb(req, request_done_cb, r);
		r->handler(req, &params, r->arg);
	} else if (allow[0] != '\0') {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
		http_reply_error(req, path_errors(server, path), 405, "Method Not Allowed",
				 "This resource does not support that method.");
	} else {
		http_reply_error(req, path_errors(server, path), 404, "Not Found",
				 "No resource at this path.");
	}
}

/* The body as JSON, or a problem reply already sent and NULL returned. */
json_t *http_read_json(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *type =
		evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	size_t len = evbuffer_get_length(in);
	json_error_t error;
	json_t *body;

	if (!http_media_type_is_json(type)) {
		http_reply_problem(req, 415, "Unsupported Media Type",
				   "Send the body as application/json.", NULL);
		return NULL;
	}
	body = json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES,
			  &error);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		http_reply_problem(req, 400, "Bad Request", "The body is not a JSON object.", NULL);
		return NULL;
	}
	return body;
}

void http_send(struct evhttp_request *req, int status, const char *content_type, const char *data,
	       size_t len)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();

	evhttp_remove_header(headers, "Content-Type");
	evhttp_add_header(headers, "Content-Type", content_type);
	evhttp_add_header(headers, "Cache-Control", "no-store");
	/* A reply to HEAD has the headers of the GET but no body: evhttp
	 * would send one and so break the next request on the connection. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char length[24];
		snprintf(length, sizeof length, "%zu", len);
		evhttp_add_header(headers, "Content-Length", length);
	} else {
		evbuffer_add(buf, data, len);
	}
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

static void send_json(struct evhttp_request *req, int status, const char *content_type,
		      json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	size_t len = strlen(text);

	/* One line per reply: the newline is part of the body. */
	text = xrealloc(text, len + 2);
	memcpy(text + len, "\n", 2);
	http_send(req, status, content_type, text, len + 1);
	free(text);
	json_decref(body);
}

void http_reply_json(struct evhttp_request *req, int status, json_t *body)
{
	send_json(req, status, "application/json", body);
}

json_t *http_problem_new(int status, const char *title, const char *detail, json_t *errors)
{
	json_t *problem = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title,
				    "status", status, "detail", detail);

	if (errors != NULL)
		json_object_set_new(problem, "errors", errors);
	return problem;
}

json_t *http_error_body(const struct http_error_format *format, int status, const char *title,
			const char *detail, const char **content_type)
{
	if (format == NULL) {
		*content_type = "application/problem+json";
		return http_problem_new(status, title, detail, NULL);
	}
	*content_type = format->content_type;
	return format->body(status, title, detail);
}

void http_reply_error(struct evhttp_request *req, const struct http_error_format *format,
		      int status, const char *title, const char *detail)
{
	const char *type;
	json_t *body = http_error_body(format, status, title, detail, &type);

	send_json(req, status, type, body);
}

void http_reply_problem(struct evhttp_request *req, int status, const char *title,
			const char *detail, json_t *errors)
{
	send_json(req, status, "application/problem+json",
		  http_problem_new(status, title, detail, errors));
}
