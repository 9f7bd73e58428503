/*
 * http.h - the HTTP server: listening sockets, limits, routing, replies.
 *
 * Contract:
 *  - One evhttp on the daemon's event base, listening either on sockets
 *    inherited from systemd (sd_listen_fds) or on the configured address.
 *  - Every connection passes through http-edge.c first: connection caps,
 *    whole-request deadlines, strict framing, and each request judged
 *    (route, 404/405, and the route's gate: token, role, media type) and
 *    its Content-Length checked against the 64 KiB body limit as soon as
 *    its head is in, before any of its body is read. Every error the
 *    server answers is problem JSON, those of the edge included, unless
 *    its route (http_error_format) or path prefix words it otherwise.
 *  - Routes are (method, pattern) pairs; a pattern segment "{name}" captures
 *    one path segment. No match is 404 problem JSON; a path that matches
 *    with another method is 405 with Allow (both worded otherwise under a
 *    prefix given to http_server_errors_under).
 *  - A route without a gate reads no body on GET, HEAD or DELETE: a
 *    Content-Length above 0, or a chunked body, is refused with 413 on
 *    the head. Nobody is authenticated there before a body would be read.
 *  - A gate (http_server_route_gated) runs on the head, before the body:
 *    it refuses with http_gate_refuse(), or admits, possibly handing the
 *    handler what it learnt (http_gate_admit(), read back with
 *    http_admitted()) and marking the client trusted: a connection that
 *    proved a token is never closed to make room for new ones.
 *  - http_reply_json() takes ownership of the JSON body and sets
 *    Content-Type and Cache-Control: no-store (health data must never sit in
 *    a cache).
 *  - When accept() fails (typically out of file descriptors), accepting
 *    stops for a second, with one warning, instead of being retried at
 *    once in a busy loop; clients wait in the backlog meanwhile.
 *  - http_server_drain() stops accepting, closes connections that have no
 *    request under way and makes every later reply say Connection: close;
 *    http_server_in_flight() counts requests whose reply is still owed,
 *    so shutdown can wait for them.
 */
#ifndef MENTORD_HTTP_H
#define MENTORD_HTTP_H

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct http_server;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_BODY_BYTES (64 * 1024)

struct http_params {
	size_t count;
	struct {
		char name[32];
		char value[128];
	} items[HTTP_MAX_PARAMS];
};

typedef void (*http_handler_cb)(struct evhttp_request *req, const struct http_params *params,
				void *arg);

struct http_limits {
	size_t max_body_bytes;
	size_t max_header_bytes;
	int timeout_s; /* each wait (evhttp's own timeout) */
	int max_connections;
	int max_connections_per_peer;
	int header_timeout_s; /* the whole head */
	int body_timeout_s;   /* the whole body, after the head */
	int idle_timeout_s;   /* a kept-alive connection between requests */
};

struct http_head;

/* A request as its head arrived, judged by its route's gate. */
/* How a route words the refusals it does not write itself: the edge's
 * (401, 403, 408, 413, 415) and the server's. A media type and a body
 * (a new reference) for a status, its title and a detail. A route
 * without one gets RFC 9457 problem JSON. */
struct http_error_format {
	const char *content_type;
	json_t *(*body)(int status, const char *title, const char *detail);
};

struct http_gate {
	const struct http_head *head;
	enum evhttp_cmd_type method;
	const char *path;
	bool loopback;	  /* the client is on this host */
	const char *peer; /* the address that connected, as text */
	/* The body limit, checked on the head (Content-Length) and while a
	 * chunked body is read: the server's, or less if the route's gate
	 * lowers it; 0: no body at all. */
	size_t max_body;
	const char *pattern; /* the route's, once one matched */
	/* the route's refusals (set by its gate first); NULL: problem JSON */
	const struct http_error_format *errors;
	/* a refusal */
	int status;
	char detail[160];
	char allow[64];
	bool www_authenticate;
	/* an admission */
	void *admitted;
	void (*free_admitted)(void *);
	bool trusted;
};

typedef int (*http_gate_cb)(struct http_gate *gate, void *arg);

/* A header of the request (the first of that name), or NULL. */
const char *http_gate_header(const struct http_gate *gate, const char *name);
/* Refuse the request before its body is read; returns -1. */
int http_gate_refuse(struct http_gate *gate, int status, const char *detail);
/* Admit it: data (may be NULL) goes to the handler through
 * http_admitted(), freed with free_data after the reply; trusted when the
 * client proved a token. Returns 0. */
int http_gate_admit(struct http_gate *gate, void *data, void (*free_data)(void *), bool trusted);

struct http_server *http_server_new(struct event_base *base, const struct http_limits *limits);
void http_server_free(struct http_server *server);

void http_server_set_limits(struct http_server *server, const struct http_limits *limits);

/* Adopt systemd's sockets; returns how many (0 = none were passed). */
int http_server_adopt_systemd(struct http_server *server, char **cause);
int http_server_bind(struct http_server *server, const char *address, int port, char **cause);
/* The local port of the first listening socket (for port 0 in tests). */
int http_server_port(struct http_server *server);

/* free_arg (may be NULL) releases arg when the server is freed. */
void http_server_route(struct http_server *server, enum evhttp_cmd_type method, const char *pattern,
		       http_handler_cb handler, void *arg, void (*free_arg)(void *));
/* A route whose requests pass gate (given arg too) before their body. */
void http_server_route_gated(struct http_server *server, enum evhttp_cmd_type method,
			     const char *pattern, http_gate_cb gate, http_handler_cb handler,
			     void *arg, void (*free_arg)(void *));
/* The refusals of routing itself (404: no such path; 405: not that
 * method) for a path at or under prefix (a whole first segment, "/fhir")
 * are worded by format, as its routes word theirs; elsewhere they are
 * problem JSON. format must outlive the server. */
void http_server_errors_under(struct http_server *server, const char *prefix,
			      const struct http_error_format *format);
/* What the gate of req's route admitted it with, or NULL. */
void *http_admitted(struct http_server *server, struct evhttp_request *req);

void http_server_drain(struct http_server *server);
int http_server_in_flight(const struct http_server *server);

/* Requests answered so far, by method, route pattern (NULL: no route
 * matched; never the path itself, which may hold ids) and status. */
typedef void (*http_count_cb)(const char *method, const char *pattern, int status,
			      unsigned long long count, void *arg);
void http_server_counts(const struct http_server *server, http_count_cb cb, void *arg);

const char *http_param(const struct http_params *params, const char *name);

/* The request body as a JSON object (duplicate keys rejected). On any
 * problem (415 wrong type, 413 too large, 400 malformed) the reply is already
 * sent and NULL returned. The caller owns the result. */
json_t *http_read_json(struct evhttp_request *req);

/* Send a reply body of the given type (no body on HEAD), no-store. */
void http_send(struct evhttp_request *req, int status, const char *content_type, const char *data,
	       size_t len);
void http_reply_json(struct evhttp_request *req, int status, json_t *body);
/* The RFC 9457 problem object every error reply carries; errors (may be
 * NULL) is stolen. */
json_t *http_problem_new(int status, const char *title, const char *detail, json_t *errors);
/* RFC 9457 problem; errors (may be NULL) is stolen: [{field, message}]. */
/* A refusal's body as format words it (NULL: problem JSON), and its
 * media type. */
json_t *http_error_body(const struct http_error_format *format, int status, const char *title,
			const char *detail, const char **content_type);
/* Reply with a refusal as format words it (NULL: http_reply_problem). */
void http_reply_error(struct evhttp_request *req, const struct http_error_format *format,
		      int status, const char *title, const char *detail);
void http_reply_problem(struct evhttp_request *req, int status, const char *title,
			const char *detail, json_t *errors);

#endif
