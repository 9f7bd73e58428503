/*
 * http.h - the HTTP server: listening sockets, limits, routing, replies.
 *
 * Contract:
 *  - One evhttp on the daemon's event base, listening either on sockets
 *    inherited from systemd (sd_listen_fds) or on the configured address.
 *  - Limits on every request: 64 KiB body (413 problem JSON), header size, read/write
 *    timeout; lingering close so a client really receives its 413.
 *  - Routes are (method, pattern) pairs; a pattern segment "{name}" captures
 *    one path segment. No match is 404 problem JSON; a path that matches
 *    with another method is 405 with Allow.
 *  - http_reply_json() takes ownership of the JSON body and sets
 *    Content-Type and Cache-Control: no-store (health data must never sit in
 *    a cache).
 *  - When accept() fails (typically out of file descriptors), accepting
 *    stops for a second, with one warning, instead of being retried at
 *    once in a busy loop; clients wait in the backlog meanwhile.
 *  - http_server_drain() stops accepting; http_server_in_flight() counts
 *    requests whose reply is still owed, so shutdown can wait for them.
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
/* What evhttp itself buffers at most. Bodies between the two limits get our
 * 413 problem JSON; only larger ones get evhttp's own (HTML) 413, since
 * evhttp answers those before any callback of ours runs. */
#define HTTP_MAX_BUFFERED_BODY_BYTES (256 * 1024)

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
	int timeout_s;
};

struct http_server *http_server_new(struct event_base *base, const struct http_limits *limits);
void http_server_free(struct http_server *server);

void http_server_set_limits(struct http_server *server, const struct http_limits *limits);

/* Adopt systemd's sockets; returns how many (0 = none were passed). */
int http_server_adopt_systemd(struct http_server *server, char **cause);
int http_server_bind(struct http_server *server, const char *address, int port, char **cause);
/* The local port of the first listening socket (for port 0 in tests). */
int http_server_port(struct http_server *server);

/* free_arg (may be NULL) releases arg when the server is freed. */
void http_server_route(struct http_server *server, enum evhttp_cmd_type method,
		       const char *pattern, http_handler_cb handler, void *arg,
		       void (*free_arg)(void *));

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
void http_send(struct evhttp_request *req, int status, const char *content_type,
	       const char *data, size_t len);
void http_reply_json(struct evhttp_request *req, int status, json_t *body);
/* RFC 9457 problem; errors (may be NULL) is stolen: [{field, message}]. */
void http_reply_problem(struct evhttp_request *req, int status, const char *title,
			const char *detail, json_t *errors);

#endif
