/*
 * http-edge.c - connections: caps, deadlines, strict heads (http-edge.h).
 *
 * Each connection is a filter bufferevent over a socket bufferevent. The
 * filter's input callback sees every byte the client sends before evhttp
 * does and moves on only what it has judged: a rewritten head, then the
 * body. evhttp remains in charge of the connection: a connection is closed
 * with evhttp_connection_free() and its end is learnt from evhttp's close
 * callback, so evhttp never holds a connection this module forgot.
 *
 * Note on ownership: the filter's context (struct conn) is freed by the
 * filter's own destructor, which libevent runs deferred, possibly only in
 * event_base_free(). So a conn is unregistered (events freed, counts
 * dropped) as soon as evhttp closes it, and what is left is only memory.
 */
#include "http-edge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http-head.h"
#include "log.h"
#include "xmalloc.h"

/* After a refusal, the client's further bytes are dropped until it has
 * been quiet this long (so it reads the reply instead of a reset) ... */
#define EDGE_LINGER_QUIET_MS 1000
/* ... or this long has passed since the refusal. */
#define EDGE_LINGER_MAX_S 10
/* A chunk-size line longer than this is not one. */
#define EDGE_CHUNK_LINE_MAX 256
/* Descriptors mentord needs besides its clients: database, log, listening
 * sockets, the gateway's connections, what systemd passes. */
#define EDGE_FD_RESERVE 64
/* Accepted connections waiting for their set-up (their peer is not known
 * before) at most; accepting pauses meanwhile. */
#define EDGE_ACCEPT_BATCH 64
/* Warnings about the caps at most this often. */
#define EDGE_WARN_EVERY_S 10
#define EDGE_PEER_BUCKETS 256

enum conn_state {
	CONN_NEW,     /* accepted; set up on the next loop turn */
	CONN_HEAD,    /* a head is arriving (or awaited on a new connection) */
	CONN_BODY,    /* a Content-Length body is passed on as it arrives */
	CONN_CHUNKED, /* a chunked body is decoded and held */
	CONN_PASSED,  /* evhttp has the whole request; until its reply is out */
	CONN_IDLE,    /* kept alive between requests */
	CONN_CLOSING, /* refused: input dropped until the close */
};

enum chunk_state { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

struct peer {
	unsigned char addr[16]; /* IPv6, IPv4 mapped */
	int count;
	struct peer *next;
};

struct conn {
	struct http_edge *edge;	 /* NULL once evhttp closed it */
	struct bufferevent *bev; /* the filter, evhttp's */
	struct bufferevent *socket_bev;
	struct evhttp_connection *evcon;
	evutil_socket_t fd;
	enum conn_state state;
	bool set_up;
	bool trusted;
	bool loopback;
	bool received; /* part of a request has come */
	struct peer *peer;
	char peer_name[INET6_ADDRSTRLEN];
	struct event *deadline;
	struct event *kick;		    /* set-up, and reading on after a reply */
	struct event *writable;		    /* the socket can take more of a reply */
	struct evbuffer_cb_entry *on_reply; /* evhttp added to the reply */
	struct timeval closing_since;
	size_t scanned; /* head bytes searched for its end */
	uint64_t body_left;
	size_t max_body; /* this request's body limit (http_gate.max_body) */
	enum chunk_state chunk;
	uint64_t chunk_left;
	size_t trailer_bytes;
	struct evbuffer *held_head;  /* a chunked request's head ... */
	struct evbuffer *held_body;  /* ... and its decoded body */
	enum evhttp_cmd_type method; /* the current request's */
	const char *pattern;
	const struct http_error_format *errors; /* its route's refusals; NULL: problem JSON */
	void *admitted;
	void (*free_admitted)(void *);
	struct evhttp_request *req; /* being answered */
	TAILQ_ENTRY(conn) entry;
};

TAILQ_HEAD(conn_list, conn);

struct http_edge {
	struct event_base *base;
	struct evhttp *http;
	struct http_edge_ops ops;
	void *arg;
	struct http_limits limits;
	struct conn_list conns; /* oldest first */
	int count;
	int pending; /* accepted, not yet set up */
	bool accept_paused;
	struct conn **by_fd;
	size_t by_fd_size;
	struct peer *peers[EDGE_PEER_BUCKETS];
	bool draining;
	struct edge_warning {
		time_t at;
		unsigned long closed, refused; /* since the last warning */
	} warn_total, warn_peer;
};

static struct bufferevent *bev_cb(struct event_base *base, void *arg);
static void kick_cb(evutil_socket_t fd, short what, void *arg);
static void deadline_cb(evutil_socket_t fd, short what, void *arg);
static bool make_room(struct http_edge *edge, struct conn *fresh, struct peer *peer);

struct http_edge *http_edge_new(struct event_base *base, struct evhttp *http,
				const struct http_edge_ops *ops, void *arg)
{
	struct http_edge *edge = xcalloc(1, sizeof *edge);

	edge->base = base;
	edge->http = http;
	edge->ops = *ops;
	edge->arg = arg;
	TAILQ_INIT(&edge->conns);
	evhttp_set_bevcb(http, bev_cb, edge);
	return edge;
}

static void drop_request(struct conn *conn)
{
	if (conn->free_admitted != NULL)
		conn->free_admitted(conn->admitted);
	conn->admitted = NULL;
	conn->free_admitted = NULL;
	conn->pattern = NULL;
	conn->errors = NULL;
	if (conn->held_head != NULL)
		evbuffer_free(conn->held_head);
	if (conn->held_body != NULL)
		evbuffer_free(conn->held_body);
	conn->held_head = conn->held_body = NULL;
}

static struct peer **peer_slot(struct http_edge *edge, const unsigned char addr[16])
{
	unsigned h = 2166136261u;
	struct peer **p;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	for (p = &edge->peers[h % EDGE_PEER_BUCKETS]; *p != NULL; p = &(*p)->next)
		if (memcmp((*p)->addr, addr, 16) == 0)
			break;
	return p;
}

/* Accepting paused for the connections accepted so far: once all are set
 * up (and so have made room or been refused), accept again. */
static void resume_accepting(struct http_edge *edge)
{
	if (edge->accept_paused && edge->pending == 0) {
		edge->accept_paused = false;
		edge->ops.pause_accept(false, edge->arg);
	}
}

/* Forget a connection evhttp closed (or every one, when the edge goes). */
static void unregister(struct conn *conn)
{
	struct http_edge *edge = conn->edge;

	if (edge == NULL)
		return;
	TAILQ_REMOVE(&edge->conns, conn, entry);
	edge->count--;
	if (!conn->set_up) {
		edge->pending--;
		resume_accepting(edge);
	}
	if (conn->peer != NULL && --conn->peer->count == 0) {
		struct peer **p = peer_slot(edge, conn->peer->addr);
		*p = conn->peer->next;
		free(conn->peer);
	}
	conn->peer = NULL;
	if (conn->fd >= 0 && (size_t)conn->fd < edge->by_fd_size && edge->by_fd[conn->fd] == conn)
		edge->by_fd[conn->fd] = NULL;
	event_free(conn->deadline);
	event_free(conn->kick);
	if (conn->writable != NULL)
		event_free(conn->writable);
	conn->deadline = conn->kick = conn->writable = NULL;
	evbuffer_remove_cb_entry(bufferevent_get_output(conn->bev), conn->on_reply);
	drop_request(conn);
	conn->edge = NULL;
}

void http_edge_free(struct http_edge *edge)
{
	struct conn *conn;

	if (edge == NULL)
		return;
	/* evhttp closes the connections after this; their conns stay
	 * allocated until their filters are finalized. */
	while ((conn = TAILQ_FIRST(&edge->conns)) != NULL)
		unregister(conn);
	evhttp_set_bevcb(edge->http, NULL, NULL);
	free(edge->by_fd);
	free(edge);
}

void http_edge_set_limits(struct http_edge *edge, const struct http_limits *limits)
{
	struct rlimit rl;

	rlim_t reserve;

	edge->limits = *limits;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	/* A quarter of a small limit: tests run with a few dozen. */
	reserve = rl.rlim_cur / 4 < EDGE_FD_RESERVE ? rl.rlim_cur / 4 : EDGE_FD_RESERVE;
	if ((rlim_t)limits->max_connections + reserve > rl.rlim_cur)
		log_warning("listen.max_connections is %d but the descriptor limit is %llu:"
			    " connections will run out of descriptors first; lower the setting"
			    " to %llu or raise LimitNOFILE",
			    limits->max_connections, (unsigned long long)rl.rlim_cur,
			    (unsigned long long)(rl.rlim_cur - reserve));
}

int http_edge_connections(const struct http_edge *edge)
{
	return edge->count;
}

/* --- replies the edge writes itself ----------------------------------- */

static void arm(struct conn *conn, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	evtimer_add(conn->deadline, &tv);
}

/* Write a refusal straight to the socket, ahead of nothing: evhttp has
 * no reply under way while a head or body is being read. Problem JSON,
 * or what the request's route asked for (http_error_format). */
static void send_problem(struct conn *conn, int status, const char *detail, const char *allow,
			 bool www_authenticate)
{
	struct evbuffer *out = bufferevent_get_output(conn->socket_bev);
	const char *type;
	json_t *problem =
		http_error_body(conn->errors, status, http_status_title(status), detail, &type);
	char *text = json_dumps(problem, JSON_COMPACT);
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
	evbuffer_add_printf(out,
			    "HTTP/1.1 %d %s\r\nDate: %s\r\n"
			    "Content-Type: %s\r\n"
			    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
			    "X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
			    status, http_status_title(status), date, type, strlen(text) + 1);
	if (allow != NULL && allow[0] != '\0')
		evbuffer_add_printf(out, "Allow: %s\r\n", allow);
	if (www_authenticate)
		evbuffer_add_printf(out, "WWW-Authenticate: Bearer realm=\"mentord\"\r\n");
	if (status == 503)
		evbuffer_add_printf(out, "Retry-After: 1\r\n");
	evbuffer_add_printf(out, "\r\n");
	if (conn->method != EVHTTP_REQ_HEAD)
		evbuffer_add_printf(out, "%s\n", text);
	free(text);
	json_decref(problem);
	/* Out now rather than on the next loop turn: the client may close
	 * its side at once, and evhttp then frees the connection. */
	if (conn->fd >= 0)
		evbuffer_write(out, conn->fd);
	if (conn->edge != NULL && conn->edge->ops.refused != NULL)
		conn->edge->ops.refused(conn->method, conn->pattern, status, conn->edge->arg);
}

static void linger(struct conn *conn)
{
	struct timeval now, spent;
	long left_ms;

	event_base_gettimeofday_cached(conn->edge->base, &now);
	evutil_timersub(&now, &conn->closing_since, &spent);
	left_ms = EDGE_LINGER_MAX_S * 1000L - (long)spent.tv_sec * 1000 - spent.tv_usec / 1000;
	arm(conn,
	    left_ms < EDGE_LINGER_QUIET_MS ? (left_ms > 0 ? left_ms : 0) : EDGE_LINGER_QUIET_MS);
}

/* Answer with a problem and close: the rest of the request is never read,
 * so the connection cannot carry another. */
static void refuse(struct conn *conn, int status, const char *detail, const char *allow,
		   bool www_authenticate)
{
	log_debug("refused a request from %s with %d: %s", conn->peer_name, status, detail);
	send_problem(conn, status, detail, allow, www_authenticate);
	if (evbuffer_get_length(bufferevent_get_output(conn->socket_bev)) == 0 && conn->fd >= 0)
		shutdown(conn->fd, SHUT_WR);
	drop_request(conn);
	conn->state = CONN_CLOSING;
	event_base_gettimeofday_cached(conn->edge->base, &conn->closing_since);
	linger(conn);
}

/* The 413's detail for a body limit. */
static void too_large_detail(size_t max_body, char *out, size_t size)
{
	if (max_body == 0)
		snprintf(out, size, "This request takes no body.");
	else if (max_body % 1024 == 0)
		snprintf(out, size, "The body exceeds %zu KiB.", max_body / 1024);
	else
		snprintf(out, size, "The body exceeds %zu bytes.", max_body);
}

static void refuse_too_large(struct conn *conn)
{
	char detail[64];

	too_large_detail(conn->max_body, detail, sizeof detail);
	refuse(conn, 413, detail, NULL, false);
}

static void close_now(struct conn *conn)
{
	/* A request being answered belongs to its handler: never close
	 * under it. Nor one not yet set up (no evhttp connection known). */
	if (conn->state == CONN_PASSED || conn->evcon == NULL)
		return;
	evhttp_connection_free(conn->evcon);
}

/* --- reading: heads, bodies ------------------------------------------- */

static void write_head(struct evbuffer *out, const struct http_head *head, bool chunked)
{
	evbuffer_add_printf(out, "%s %s HTTP/1.%d\r\n", head->method_name, head->target,
			    head->minor);
	for (size_t i = 0; i < head->field_count; i++) {
		const char *name = head->fields[i].name;
		if (strcasecmp(name, "Content-Length") == 0 ||
		    strcasecmp(name, "Transfer-Encoding") == 0 ||
		    (chunked && strcasecmp(name, "Expect") == 0))
			continue;
		evbuffer_add_printf(out, "%s: %s\r\n", name, head->fields[i].value);
	}
	if (chunked)
		return; /* Content-Length and the empty line once the body is in */
	if (head->has_length)
		evbuffer_add_printf(out, "Content-Length: %llu\r\n",
				    (unsigned long long)head->length);
	evbuffer_add(out, "\r\n", 2);
}

static enum bufferevent_filter_result read_body(struct conn *conn, struct evbuffer *src,
						struct evbuffer *dst)
{
	size_t n = evbuffer_get_length(src);

	if (n > conn->body_left)
		n = (size_t)conn->body_left;
	if (n == 0)
		return BEV_NEED_MORE;
	evbuffer_remove_buffer(src, dst, n);
	conn->body_left -= n;
	if (conn->body_left == 0) {
		conn->state = CONN_PASSED;
		evtimer_del(conn->deadline);
	}
	return BEV_OK;
}

/* One line of a chunked body (size or trailer) without its line end, in
 * buf; 0 when it has not all come, -1 when it is too long or has a bare
 * CR or NUL. */
static int chunk_line(struct evbuffer *src, char *buf, size_t size, size_t *len)
{
	size_t eol_len = 0;
	struct evbuffer_ptr eol = evbuffer_search_eol(src, NULL, &eol_len, EVBUFFER_EOL_LF);

	if (eol.pos < 0)
		return evbuffer_get_length(src) >= size ? -1 : 0;
	if ((size_t)eol.pos >= size)
		return -1;
	evbuffer_remove(src, buf, (size_t)eol.pos + eol_len);
	*len = (size_t)eol.pos;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	buf[*len] = '\0';
	if (strlen(buf) != *len || strchr(buf, '\r') != NULL)
		return -1;
	return 1;
}

/* chunk-size [ chunk-ext ]: hex digits, then nothing or ";" extensions,
 * which mean nothing here and are dropped with the framing. */
static int chunk_size(const char *line, uint64_t *size)
{
	size_t digits = strspn(line, "0123456789abcdefABCDEF");
	const char *p = line + digits;

	if (digits == 0 || digits > 15)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != ';')
		return -1;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return -1;
	*size = strtoull(line, NULL, 16);
	return 0;
}

static enum bufferevent_filter_result read_chunked(struct conn *conn, struct evbuffer *src,
						   struct evbuffer *dst)
{
	char line[EDGE_CHUNK_LINE_MAX];
	size_t len, n;
	uint64_t size;
	int r;

	for (;;) {
		switch (conn->chunk) {
		case CHUNK_SIZE:
			if ((r = chunk_line(src, line, sizeof line, &len)) == 0)
				return BEV_NEED_MORE;
			if (r < 0 || chunk_size(line, &size) != 0) {
				refuse(conn, 400, "A chunk size line is malformed.", NULL, false);
				return BEV_NEED_MORE;
			}
			if (size > conn->max_body - evbuffer_get_length(conn->held_body)) {
				refuse_too_large(conn);
				return BEV_NEED_MORE;
			}
			conn->chunk_left = size;
			conn->chunk = size == 0 ? CHUNK_TRAILER : CHUNK_DATA;
			break;
		case CHUNK_DATA:
			n = evbuffer_get_length(src);
			if (n > conn->chunk_left)
				n = (size_t)conn->chunk_left;
			evbuffer_remove_buffer(src, conn->held_body, n);
			conn->chunk_left -= n;
			if (conn->chunk_left > 0)
				return BEV_NEED_MORE;
			conn->chunk = CHUNK_DATA_END;
			break;
		case CHUNK_DATA_END:
			if ((r = chunk_line(src, line, sizeof line, &len)) == 0)
				return BEV_NEED_MORE;
			if (r < 0 || len != 0) {
				refuse(conn, 400, "A chunk is longer than its size says.", NULL,
				       false);
				return BEV_NEED_MORE;
			}
			conn->chunk = CHUNK_SIZE;
			break;
		case CHUNK_TRAILER:
			/* Trailer fields are read and dropped: nothing here needs
			 * them, and evhttp would add them to the headers. */
			if ((r = chunk_line(src, line, sizeof line, &len)) == 0)
				return BEV_NEED_MORE;
			conn->trailer_bytes += len;
			if (r < 0 || conn->trailer_bytes > conn->edge->limits.max_header_bytes) {
				refuse(conn, 400, "The chunked body's trailer is malformed.", NULL,
				       false);
				return BEV_NEED_MORE;
			}
			if (len > 0)
				break;
			evbuffer_add_buffer(dst, conn->held_head);
			evbuffer_add_printf(dst, "Content-Length: %zu\r\n\r\n",
					    evbuffer_get_length(conn->held_body));
			evbuffer_add_buffer(dst, conn->held_body);
			evbuffer_free(conn->held_head);
			evbuffer_free(conn->held_body);
			conn->held_head = conn->held_body = NULL;
			conn->state = CONN_PASSED;
			evtimer_del(conn->deadline);
			return BEV_OK;
		}
	}
}

/* A complete head: parse, judge, pass on (or refuse). */
static enum bufferevent_filter_result take_head(struct conn *conn, char *text, size_t len,
						struct evbuffer *src, struct evbuffer *dst)
{
	struct http_edge *edge = conn->edge;
	struct http_head head;
	struct http_head_error err;
	struct http_gate gate;
	struct evhttp_uri *uri;
	const char *path;

	if (http_head_parse(text, len, &head, &err) != 0) {
		conn->method = head.method;
		refuse(conn, err.status, err.detail, NULL, false);
		return BEV_NEED_MORE;
	}
	conn->method = head.method;
	uri = evhttp_uri_parse_with_flags(head.target, EVHTTP_URI_NONCONFORMANT);
	if (uri == NULL) {
		refuse(conn, 400, "The request target is not a URI.", NULL, false);
		return BEV_NEED_MORE;
	}
	path = evhttp_uri_get_path(uri);
	memset(&gate, 0, sizeof gate);
	gate.head = &head;
	gate.method = head.method;
	gate.path = path != NULL ? path : "/"; /* as dispatch_cb routes it */
	gate.loopback = conn->loopback;
	gate.peer = conn->peer_name;
	gate.max_body = edge->limits.max_body_bytes;
	edge->ops.admit(&gate, edge->arg);
	evhttp_uri_free(uri);
	conn->pattern = gate.pattern;
	conn->errors = gate.errors;
	conn->max_body = gate.max_body < edge->limits.max_body_bytes ? gate.max_body
								     : edge->limits.max_body_bytes;
	if (gate.status == 0 && ((head.has_length && head.length > conn->max_body) ||
				 (head.chunked && conn->max_body == 0))) {
		gate.status = 413;
		too_large_detail(conn->max_body, gate.detail, sizeof gate.detail);
	}
	if (gate.status != 0) {
		if (gate.free_admitted != NULL)
			gate.free_admitted(gate.admitted);
		refuse(conn, gate.status, gate.detail, gate.allow, gate.www_authenticate);
		return BEV_NEED_MORE;
	}
	conn->admitted = gate.admitted;
	conn->free_admitted = gate.free_admitted;
	conn->trusted = conn->trusted || gate.trusted;
	if (head.chunked) {
		conn->held_head = evbuffer_new();
		conn->held_body = evbuffer_new();
		write_head(conn->held_head, &head, true);
		conn->chunk = CHUNK_SIZE;
		conn->trailer_bytes = 0;
		conn->state = CONN_CHUNKED;
		arm(conn, edge->limits.body_timeout_s * 1000L);
		/* evhttp never sees this head, so the interim reply is ours. */
		if (head.expect_continue) {
			evbuffer_add_printf(bufferevent_get_output(conn->socket_bev),
					    "HTTP/1.1 100 Continue\r\n\r\n");
			evbuffer_write(bufferevent_get_output(conn->socket_bev), conn->fd);
		}
		return read_chunked(conn, src, dst);
	}
	write_head(dst, &head, false);
	conn->body_left = head.length;
	if (conn->body_left == 0) {
		conn->state = CONN_PASSED;
		evtimer_del(conn->deadline);
		return BEV_OK;
	}
	conn->state = CONN_BODY;
	arm(conn, edge->limits.body_timeout_s * 1000L);
	read_body(conn, src, dst);
	return BEV_OK;
}

static enum bufferevent_filter_result read_head(struct conn *conn, struct evbuffer *src,
						struct evbuffer *dst)
{
	size_t max = conn->edge->limits.max_header_bytes, len, want, end;
	enum bufferevent_filter_result res;
	unsigned char *p;
	char *text;

	/* RFC 9112 §2.2: empty lines before a request line are ignored. */
	while (conn->scanned == 0 && (p = evbuffer_pullup(src, 2)) != NULL &&
	       (p[0] == '\n' || (p[0] == '\r' && p[1] == '\n')))
		evbuffer_drain(src, p[0] == '\n' ? 1 : 2);
	if (conn->scanned == 0 && evbuffer_get_length(src) == 1) {
		p = evbuffer_pullup(src, 1);
		if (*p == '\n')
			evbuffer_drain(src, 1);
		else if (*p == '\r')
			/* Its LF may come in the next read: scanned now, the
			 * CR would make that LF end an empty head. */
			return BEV_NEED_MORE;
	}
	len = evbuffer_get_length(src);
	if (len == 0)
		return BEV_NEED_MORE;
	if (conn->state == CONN_IDLE) {
		conn->state = CONN_HEAD;
		arm(conn, conn->edge->limits.header_timeout_s * 1000L);
	}
	conn->received = true;
	want = len < max ? len : max;
	p = evbuffer_pullup(src, (ev_ssize_t)want);
	end = http_head_end((const char *)p, want, &conn->scanned);
	if (end == 0) {
		if (want >= max)
			refuse(conn, 431, "The request head is larger than the server accepts.",
			       NULL, false);
		return BEV_NEED_MORE;
	}
	text = xmalloc(end + 1);
	evbuffer_remove(src, text, end);
	text[end] = '\0';
	conn->scanned = 0;
	res = take_head(conn, text, end, src, dst);
	free(text);
	return res;
}

static enum bufferevent_filter_result input_cb(struct evbuffer *src, struct evbuffer *dst,
					       ev_ssize_t limit, enum bufferevent_flush_mode mode,
					       void *arg)
{
	struct conn *conn = arg;

	(void)limit;
	(void)mode;
	if (conn->edge == NULL || conn->state == CONN_CLOSING) {
		evbuffer_drain(src, evbuffer_get_length(src));
		if (conn->edge != NULL)
			linger(conn);
		return BEV_NEED_MORE;
	}
	/* Bytes held back here are still activity: restart evhttp's per-wait
	 * timeout (listen.timeout) as passing them on would. */
	if (evbuffer_get_length(src) > 0 && (bufferevent_get_enabled(conn->bev) & EV_READ))
		bufferevent_enable(conn->bev, EV_READ);
	switch (conn->state) {
	case CONN_HEAD:
	case CONN_IDLE:
		return read_head(conn, src, dst);
	case CONN_BODY:
		return read_body(conn, src, dst);
	case CONN_CHUNKED:
		return read_chunked(conn, src, dst);
	default:
		/* CONN_PASSED: the next request waits until this one's reply
		 * is out (evhttp answers one request at a time anyway). */
		return BEV_NEED_MORE;
	}
}

/* --- writing: evhttp's replies ------------------------------------------
 *
 * The filter's own way of writing does not suit evhttp: it tells evhttp a
 * reply is written once the reply has moved into the socket's bufferevent,
 * not onto the wire, so evhttp then frees a Connection: close connection
 * with its reply still unsent; and it says so from inside the call that
 * added the reply, before evhttp has set what to do next. So the filter
 * never writes (output_cb keeps everything); writable_cb, on a later loop
 * turn, writes evhttp's output to the socket itself and tells evhttp once
 * the last byte is in the kernel.
 */

static enum bufferevent_filter_result output_cb(struct evbuffer *src, struct evbuffer *dst,
						ev_ssize_t limit, enum bufferevent_flush_mode mode,
						void *arg)
{
	(void)src;
	(void)dst;
	(void)limit;
	(void)mode;
	(void)arg;
	return BEV_NEED_MORE;
}

static void reply_added_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *conn = arg;

	(void)buf;
	if (info->n_added > 0 && conn->writable != NULL &&
	    !event_pending(conn->writable, EV_WRITE, NULL))
		event_add(conn->writable, NULL);
}

static void writable_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;
	struct evbuffer *out = bufferevent_get_output(conn->bev);
	int n;

	(void)what;
	n = evbuffer_write(out, fd);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		/* evhttp closes the connection, as it would for its own write. */
		bufferevent_trigger_event(conn->bev, BEV_EVENT_WRITING | BEV_EVENT_ERROR, 0);
		return;
	}
	if (evbuffer_get_length(out) > 0) {
		/* Progress restarts evhttp's write timeout, as it would its own. */
		if (n > 0 && (bufferevent_get_enabled(conn->bev) & EV_WRITE))
			bufferevent_enable(conn->bev, EV_WRITE);
		event_add(conn->writable, NULL);
		return;
	}
	bufferevent_trigger(conn->bev, EV_WRITE, 0);
}

/* --- connections: accept, caps, close --------------------------------- */

static void release_cb(void *arg)
{
	struct conn *conn = arg;

	unregister(conn);
	free(conn);
}

static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
	struct http_edge *edge = arg;
	struct conn *conn = xcalloc(1, sizeof *conn);

	conn->edge = edge;
	conn->fd = -1;
	conn->state = CONN_NEW;
	conn->deadline = evtimer_new(base, deadline_cb, conn);
	conn->kick = event_new(base, -1, 0, kick_cb, conn);
	conn->socket_bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (conn->socket_bev != NULL)
		conn->bev = bufferevent_filter_new(conn->socket_bev, input_cb, output_cb,
						   BEV_OPT_CLOSE_ON_FREE, release_cb, conn);
	if (conn->deadline == NULL || conn->kick == NULL || conn->bev == NULL) {
		/* evhttp makes a plain bufferevent instead: that connection
		 * goes unguarded, but only when memory ran out. */
		log_err("cannot set up a connection's filter");
		if (conn->socket_bev != NULL)
			bufferevent_free(conn->socket_bev);
		if (conn->deadline != NULL)
			event_free(conn->deadline);
		if (conn->kick != NULL)
			event_free(conn->kick);
		free(conn);
		return NULL;
	}
	conn->on_reply = evbuffer_add_cb(bufferevent_get_output(conn->bev), reply_added_cb, conn);
	/* A burst of connections is accepted in one go, before any is set
	 * up: make room now, so the burst does not hold descriptors past the
	 * cap meanwhile. (The peer, and so the per-peer cap, is known only
	 * once set up.) */
	if (edge->count >= edge->limits.max_connections)
		make_room(edge, NULL, NULL);
	TAILQ_INSERT_TAIL(&edge->conns, conn, entry);
	edge->count++;
	edge->pending++;
	if (!edge->accept_paused && edge->ops.pause_accept != NULL &&
	    (edge->pending >= EDGE_ACCEPT_BATCH || edge->count >= edge->limits.max_connections)) {
		edge->accept_paused = true;
		edge->ops.pause_accept(true, edge->arg);
	}
	/* evhttp sets the socket and its callbacks after this returns. */
	event_active(conn->kick, EV_TIMEOUT, 0);
	return conn->bev;
}

static void closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct conn *conn = arg;

	(void)evcon;
	if (conn->edge != NULL && conn->req != NULL && conn->edge->ops.abandoned != NULL)
		conn->edge->ops.abandoned(conn->edge->arg);
	unregister(conn);
}

static void warn_full(struct http_edge *edge, struct edge_warning *w, const char *what)
{
	time_t now = time(NULL);

	if (now - w->at < EDGE_WARN_EVERY_S)
		return;
	log_warning("%s: closed %lu connections that had not authenticated to make room,"
		    " refused %lu (%d open)",
		    what, w->closed, w->refused, edge->count);
	w->at = now;
	w->closed = w->refused = 0;
}

/* The oldest connection (of peer, if given) that may be closed to make
 * room: not trusted, not being answered, not the fresh one. */
static struct conn *oldest_spare(struct http_edge *edge, struct peer *peer, struct conn *fresh)
{
	struct conn *conn;

	TAILQ_FOREACH (conn, &edge->conns, entry)
		if (conn != fresh && conn->set_up && !conn->trusted && conn->state != CONN_PASSED &&
		    (peer == NULL || conn->peer == peer))
			return conn;
	return NULL;
}

/* Close the oldest spare connection (of peer, if given) to make room for
 * fresh, or else refuse fresh (when not NULL). False when fresh was
 * refused. */
static bool make_room(struct http_edge *edge, struct conn *fresh, struct peer *peer)
{
	struct edge_warning *w = peer != NULL ? &edge->warn_peer : &edge->warn_total;
	struct conn *spare = oldest_spare(edge, peer, fresh);

	if (spare != NULL) {
		w->closed++;
		log_debug("closing a connection from %s to make room", spare->peer_name);
		close_now(spare);
	} else if (fresh != NULL) {
		w->refused++;
		refuse(fresh, 503, "The server has too many connections; try again shortly.", NULL,
		       false);
	}
	warn_full(edge, w,
		  peer != NULL ? "listen.max_connections_per_peer reached"
			       : "listen.max_connections reached");
	return spare != NULL || fresh == NULL;
}

static void set_peer(struct conn *conn)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	unsigned char addr[16];
	struct peer **slot;

	if (getpeername(conn->fd, (struct sockaddr *)&ss, &sslen) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &sin->sin_addr, 4);
		inet_ntop(AF_INET, &sin->sin_addr, conn->peer_name, sizeof conn->peer_name);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
		memcpy(addr, &sin6->sin6_addr, 16);
		inet_ntop(AF_INET6, &sin6->sin6_addr, conn->peer_name, sizeof conn->peer_name);
	} else {
		snprintf(conn->peer_name, sizeof conn->peer_name, "a local socket");
		return;
	}
	conn->loopback = memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f", 13) == 0 ||
			 memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0;
	slot = peer_slot(conn->edge, addr);
	if (*slot == NULL) {
		*slot = xcalloc(1, sizeof **slot);
		memcpy((*slot)->addr, addr, 16);
	}
	conn->peer = *slot;
	conn->peer->count++;
}

static void set_up(struct conn *conn)
{
	struct http_edge *edge = conn->edge;
	const struct http_limits *limits = &edge->limits;
	void *cbarg = NULL;
	int on = 1;

	conn->set_up = true;
	edge->pending--;
	snprintf(conn->peer_name, sizeof conn->peer_name, "?");
	bufferevent_getcb(conn->bev, NULL, NULL, NULL, &cbarg);
	conn->evcon = cbarg;
	conn->fd = bufferevent_getfd(conn->bev);
	if (conn->evcon == NULL || conn->fd < 0) {
		log_err("a connection has no socket or evhttp connection");
		return;
	}
	evhttp_connection_set_closecb(conn->evcon, closed_cb, conn);
	conn->writable = event_new(edge->base, conn->fd, EV_WRITE, writable_cb, conn);
	/* evhttp writes a reply in pieces of at most 16 KiB; with Nagle the
	 * last piece waits for the ACK the client delays by 40 ms. */
	if (setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0 &&
	    errno != EOPNOTSUPP && errno != ENOPROTOOPT)
		log_debug("TCP_NODELAY: %s", strerror(errno));
	if ((size_t)conn->fd >= edge->by_fd_size) {
		size_t size = (size_t)conn->fd * 2 + 64;
		edge->by_fd = xrealloc(edge->by_fd, size * sizeof *edge->by_fd);
		memset(edge->by_fd + edge->by_fd_size, 0,
		       (size - edge->by_fd_size) * sizeof *edge->by_fd);
		edge->by_fd_size = size;
	}
	edge->by_fd[conn->fd] = conn;
	set_peer(conn);
	conn->state = CONN_HEAD;
	arm(conn, limits->header_timeout_s * 1000L);
	if (conn->peer != NULL && conn->peer->count > limits->max_connections_per_peer &&
	    !make_room(edge, conn, conn->peer))
		return;
	if (edge->count > limits->max_connections)
		make_room(edge, conn, NULL);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;

	(void)fd;
	(void)what;
	if (!conn->set_up) {
		struct http_edge *edge = conn->edge;
		set_up(conn);
		resume_accepting(edge);
		return;
	}
	/* Bytes that came with the previous request (pipelined) wait in the
	 * socket's buffer; no new read would bring them up. */
	if (evbuffer_get_length(bufferevent_get_input(conn->socket_bev)) > 0)
		bufferevent_trigger(conn->socket_bev, EV_READ, 0);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;

	(void)fd;
	(void)what;
	switch (conn->state) {
	case CONN_NEW:
	case CONN_HEAD:
		if (conn->received)
			send_problem(conn, 408, "The request head did not arrive in time.", NULL,
				     false);
		break;
	case CONN_BODY:
	case CONN_CHUNKED:
		send_problem(conn, 408, "The request body did not arrive in time.", NULL, false);
		break;
	case CONN_PASSED:
		return;
	default:
		break;
	}
	close_now(conn);
}

/* --- the requests evhttp answers -------------------------------------- */

static struct conn *conn_of(struct http_edge *edge, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	evutil_socket_t fd;
	struct conn *conn;

	if (evcon == NULL)
		return NULL;
	bev = evhttp_connection_get_bufferevent(evcon);
	fd = bufferevent_getfd(bev);
	if (fd < 0 || (size_t)fd >= edge->by_fd_size)
		return NULL;
	conn = edge->by_fd[fd];
	return conn != NULL && conn->bev == bev ? conn : NULL;
}

static void say_close(struct evhttp_request *req)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);

	evhttp_remove_header(headers, "Connection");
	evhttp_add_header(headers, "Connection", "close");
}

void *http_edge_begin(struct http_edge *edge, struct evhttp_request *req)
{
	struct conn *conn = conn_of(edge, req);

	if (edge->draining)
		say_close(req);
	if (conn == NULL)
		return NULL;
	conn->req = req;
	conn->state = CONN_PASSED;
	evtimer_del(conn->deadline);
	/* evhttp goes on reading while it writes, to notice a client that
	 * leaves; but a client that only half-closed after its request
	 * (allowed) would then lose its reply. Read on once it is out. */
	bufferevent_disable(conn->socket_bev, EV_READ);
	return conn->admitted;
}

void *http_edge_admitted(struct http_edge *edge, struct evhttp_request *req)
{
	struct conn *conn = conn_of(edge, req);

	return conn != NULL && conn->req == req ? conn->admitted : NULL;
}

void http_edge_end(struct http_edge *edge, struct evhttp_request *req)
{
	struct conn *conn = conn_of(edge, req);

	if (conn == NULL || conn->req != req)
		return;
	conn->req = NULL;
	drop_request(conn);
	conn->method = 0;
	conn->state = CONN_IDLE;
	conn->received = false;
	arm(conn, edge->limits.idle_timeout_s * 1000L);
	bufferevent_enable(conn->socket_bev, EV_READ);
	event_active(conn->kick, EV_TIMEOUT, 0);
}

void http_edge_drain(struct http_edge *edge)
{
	struct conn *conn, *next;

	edge->draining = true;
	for (conn = TAILQ_FIRST(&edge->conns); conn != NULL; conn = next) {
		next = TAILQ_NEXT(conn, entry);
		if (conn->req != NULL)
			say_close(conn->req);
		else if (conn->state == CONN_IDLE || (conn->state == CONN_HEAD && !conn->received))
			close_now(conn);
	}
}
