/*
 * http-edge.h - every connection of the HTTP server, from accept to close:
 * caps, deadlines, and each request's head read and judged before evhttp
 * sees a byte of it.
 *
 * evhttp (libevent 2.1) gives a server no hook between a request's head
 * and its body, times only each wait rather than a whole request, and
 * counts no connections. So each connection's bufferevent is a filter
 * (evhttp_set_bevcb) over the socket's own, and everything the client
 * sends passes through this module first.
 *
 * Contract:
 *  - Caps. At most limits.max_connections connections, and at most
 *    limits.max_connections_per_peer from one address. A connection that
 *    would exceed either closes, in its place, the oldest connection (of
 *    that address, for the per-peer cap) that has not yet been trusted (no
 *    request with a valid token on it) and whose request is not being
 *    answered; only when there is none is the new one refused (503). So a
 *    flood of idle or slow connections cannot shut out /healthz or clients
 *    that authenticate.
 *  - Deadlines. A request's head must be complete header_timeout_s after
 *    the connection was accepted or its first byte came, its body
 *    body_timeout_s after the head; a kept-alive connection may idle
 *    idle_timeout_s between requests. Past a deadline the connection is
 *    closed, with a 408 when part of a request had come.
 *  - Heads. Each request's head is read strictly (http-head.h), then
 *    ops->admit judges it (route, token, role, media type) and its
 *    Content-Length is checked against limits.max_body_bytes, or the
 *    lower limit ops->admit set (gate->max_body; 0: no body, chunked
 *    included), all before any of its body is read. Empty lines before
 *    a request line are skipped, also when a CR and its LF come in
 *    separate reads. A refusal is answered with problem JSON, or
 *    as the route's gate asked (gate->errors, http.h), and
 *    Connection: close; what the client still sends is read and dropped,
 *    never buffered, until it stops (1 s quiet, 10 s at most), then the
 *    connection closes. evhttp gets a head rewritten from what was
 *    parsed, so it cannot read it differently; a chunked body is decoded
 *    here (64 KiB at most) and handed on with a Content-Length, and the
 *    next request on the connection is not read until this one's reply
 *    has gone out.
 *  - Accepted sockets get TCP_NODELAY: a reply of more than one write
 *    must not wait for the client's delayed ACK (Nagle).
 *  - http_edge_begin() and http_edge_end() bracket the answering of a
 *    request: begin returns what the gate admitted (or NULL) and, while
 *    draining, marks the reply Connection: close; end resumes reading the
 *    connection. http_edge_drain() marks replies owed Connection: close
 *    and closes connections with no request under way.
 */
#ifndef MENTORD_HTTP_EDGE_H
#define MENTORD_HTTP_EDGE_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>

#include "http.h"

struct http_edge;

struct http_edge_ops {
	/* Judge a head: fill gate->status (and detail) to refuse. */
	void (*admit)(struct http_gate *gate, void *arg);
	/* A request answered by the edge itself, for the counts. */
	void (*refused)(enum evhttp_cmd_type method, const char *pattern, int status, void *arg);
	/* A request's connection closed before its reply went out: the reply
	 * is no longer owed. */
	void (*abandoned)(void *arg);
	/* Stop (or resume) accepting: the caps apply once a connection is
	 * set up, a loop turn after its accept, and libevent accepts a whole
	 * backlog in one go meanwhile. */
	void (*pause_accept)(bool pause, void *arg);
};

struct http_edge *http_edge_new(struct event_base *base, struct evhttp *http,
				const struct http_edge_ops *ops, void *arg);
void http_edge_free(struct http_edge *edge);
void http_edge_set_limits(struct http_edge *edge, const struct http_limits *limits);

void *http_edge_begin(struct http_edge *edge, struct evhttp_request *req);
void *http_edge_admitted(struct http_edge *edge, struct evhttp_request *req);
void http_edge_end(struct http_edge *edge, struct evhttp_request *req);
void http_edge_drain(struct http_edge *edge);
/* Connections open now. */
int http_edge_connections(const struct http_edge *edge);

#endif
