/*
 * mockgw.c - a messaging gateway for tests (doc/gateway.md), on libevent evhttp.
 *
 * usage: mockgw --port-file FILE --record FILE [--token T] [--address A]
 *
 * Listens on A (default 127.0.0.1) port 0 and writes the real port, one
 * line, to the port file (written to FILE.tmp and renamed, so a reader never
 * sees half of it). Exits 0 on SIGTERM or SIGINT, 1 on errors.
 *
 * Call tasks: the "id" of every call task it accepts (POST /v1/call-tasks)
 * is kept. POST /v1/call-tasks/{id}/cancel cancels a task it has (200,
 * counted in "cancelled") and answers 404 for one it never got, with the
 * same token, header and idempotency checks as any other request.
 *
 * Every request except the control requests below is appended to the
 * record file as one JSON line, flushed at once:
 *   {"seq", "t_ms" (since start), "method", "path", "idempotency_key",
 *    "authorization", "content_type", "body" (the exact text), "duplicate",
 *    "action" ("reply", "sleep" or "close"), "status" (null for close)}
 * Absent headers are null.
 *
 * It answers like a strict gateway: with --token, anything but
 * "Authorization: Bearer T" gets 401; a method other than POST 405; no
 * Idempotency-Key 400; a Content-Type other than application/json 415; a
 * body that is not JSON 400. Otherwise a new key is stored and answered 200;
 * a key seen before is answered 200 again (duplicate_status, see below) and
 * recorded with "duplicate": true. That is the "already have it" reply the
 * client must count as delivered.
 *
 * The control plane (no token, not recorded, not counted):
 *   POST /control {"mode": "ok|conflict|status|sleep|close", "status": 500,
 *                  "count": N, "path": "/v1/messages", "sleep_ms": 1000,
 *                  "duplicate_status": 200, "body_bytes": 0}
 *     conflict  answer 409 (the key is not stored)
 *     status    answer "status" (default 500; the key is not stored)
 *     sleep     handle normally (the key is stored at once) but answer only
 *               after sleep_ms, from a timer: the loop keeps serving others
 *     close     close the connection without answering
 *     ok        normal handling
 *   for the next "count" requests (0 or absent: until changed), only for
 *   requests to "path" if given (others are handled normally); then the
 *   mode reverts to ok. The token and request checks come first and do not
 *   use up the count. Omitted fields take the defaults shown. body_bytes
 *   pads every answer to at least that size with spaces.
 *   POST /control/reset  forget keys and counters, back to mode ok
 *   GET /control/stats   {"requests", "distinct_keys", "duplicates",
 *                         "unauthorized", "in_flight", "max_in_flight",
 *                         "mode", "call_tasks", "cancelled"}
 *   in_flight counts requests received and not yet answered or closed;
 *   max_in_flight is its high-water mark since start or reset.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MOCKGW_MAX_BODY (1024 * 1024)
#define MOCKGW_MAX_PAD (16 * 1024 * 1024)

/* Open addressing, linear probing, at most half full; slots NULL or 0 are
 * empty (a task id is positive). */
struct key_set {
	char **slots;
	size_t size, n; /* size is 0 or a power of two */
};

struct task_set {
	long long *slots;
	size_t size, n;
};

enum mode_kind { MODE_OK, MODE_CONFLICT, MODE_STATUS, MODE_SLEEP, MODE_CLOSE };
static const char *mode_names[] = {"ok", "conflict", "status", "sleep", "close"};

struct mode {
	enum mode_kind kind;
	int status;
	long count; /* 0 = until changed */
	char *path; /* NULL = every path */
	long sleep_ms;
	int duplicate_status;
	long body_bytes;
};

/* An answer owed after a sleep. */
struct pending {
	struct mockgw *gw;
	struct event *timer;
	struct evhttp_request *req;
	int status;
	char *body;
	long pad;
	TAILQ_ENTRY(pending) entry;
};

struct mockgw {
	struct event_base *base;
	struct evhttp *http;
	FILE *record;
	const char *token;
	struct mode mode;
	struct timespec start;

	/* Hash sets, so a lookup costs the same at the millionth key as at
	 * the first: the benchmarks (tests/bench/gateway.sh) must measure
	 * mentord, not a linear search in the mock. */
	struct key_set keys;
	struct task_set tasks; /* ids of the call tasks accepted */
	size_t ntasks;	       /* call tasks accepted, an id sent twice counted twice */
	long cancelled;
	long seq, requests, duplicates, unauthorized, in_flight, max_in_flight;
	TAILQ_HEAD(, pending) pendings;
};

static void *xmalloc_or_die(size_t size)
{
	void *p = calloc(1, size);

	if (p == NULL) {
		fprintf(stderr, "mockgw: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup_or_die(const char *s)
{
	char *p = xmalloc_or_die(strlen(s) + 1);

	memcpy(p, s, strlen(s) + 1);
	return p;
}

static void mode_reset(struct mode *m)
{
	free(m->path);
	memset(m, 0, sizeof *m);
	m->kind = MODE_OK;
	m->status = 500;
	m->sleep_ms = 1000;
	m->duplicate_status = 200;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - start->tv_sec) * 1000 +
		      (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* FNV-1a. */
static size_t hash_text(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

/* splitmix64's finaliser: call task ids are sequential. */
static size_t hash_id(long long id)
{
	uint64_t h = (uint64_t)id;

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return (size_t)(h ^ (h >> 31));
}

/* The slot of key, or the empty slot where it would go. */
static size_t key_slot(const struct key_set *set, const char *key)
{
	size_t i = hash_text(key) & (set->size - 1);

	while (set->slots[i] != NULL && strcmp(set->slots[i], key) != 0)
		i = (i + 1) & (set->size - 1);
	return i;
}

static size_t task_slot(const struct task_set *set, long long id)
{
	size_t i = hash_id(id) & (set->size - 1);

	while (set->slots[i] != 0 && set->slots[i] != id)
		i = (i + 1) & (set->size - 1);
	return i;
}

static void key_grow(struct key_set *set)
{
	struct key_set bigger = {.size = set->size == 0 ? 1024 : set->size * 2, .n = set->n};

	bigger.slots = xmalloc_or_die(bigger.size * sizeof *bigger.slots);
	for (size_t i = 0; i < set->size; i++)
		if (set->slots[i] != NULL)
			bigger.slots[key_slot(&bigger, set->slots[i])] = set->slots[i];
	free(set->slots);
	*set = bigger;
}

static void task_grow(struct task_set *set)
{
	struct task_set bigger = {.size = set->size == 0 ? 1024 : set->size * 2, .n = set->n};

	bigger.slots = xmalloc_or_die(bigger.size * sizeof *bigger.slots);
	for (size_t i = 0; i < set->size; i++)
		if (set->slots[i] != 0)
			bigger.slots[task_slot(&bigger, set->slots[i])] = set->slots[i];
	free(set->slots);
	*set = bigger;
}

static int key_seen(struct mockgw *gw, const char *key)
{
	return gw->keys.n > 0 && gw->keys.slots[key_slot(&gw->keys, key)] != NULL;
}

/* Only after key_seen() said no: a key is stored once. */
static void key_store(struct mockgw *gw, const char *key)
{
	if (2 * (gw->keys.n + 1) > gw->keys.size)
		key_grow(&gw->keys);
	gw->keys.slots[key_slot(&gw->keys, key)] = xstrdup_or_die(key);
	gw->keys.n++;
}

static void task_store(struct mockgw *gw, json_t *body)
{
	json_t *id = json_object_get(body, "id");
	struct task_set *set = &gw->tasks;
	size_t i;

	if (!json_is_integer(id))
		return;
	gw->ntasks++;
	if (json_integer_value(id) <= 0)
		return; /* never cancelled: cancel_target() wants an id > 0 */
	if (2 * (set->n + 1) > set->size)
		task_grow(set);
	i = task_slot(set, (long long)json_integer_value(id));
	if (set->slots[i] == 0) {
		set->slots[i] = (long long)json_integer_value(id);
		set->n++;
	}
}

static int task_known(struct mockgw *gw, long long id)
{
	return gw->tasks.n > 0 && gw->tasks.slots[task_slot(&gw->tasks, id)] == id;
}

/* The task id of a path "/v1/call-tasks/{id}/cancel", or -1. */
static long long cancel_target(const char *path)
{
	static const char prefix[] = "/v1/call-tasks/";
	char *end;
	long long id;

	if (strncmp(path, prefix, sizeof prefix - 1) != 0)
		return -1;
	id = strtoll(path + sizeof prefix - 1, &end, 10);
	return end != path + sizeof prefix - 1 && strcmp(end, "/cancel") == 0 && id > 0 ? id : -1;
}

static void keys_clear(struct mockgw *gw)
{
	free(gw->tasks.slots);
	memset(&gw->tasks, 0, sizeof gw->tasks);
	gw->ntasks = 0;
	gw->cancelled = 0;
	for (size_t i = 0; i < gw->keys.size; i++)
		free(gw->keys.slots[i]);
	free(gw->keys.slots);
	memset(&gw->keys, 0, sizeof gw->keys);
}

/* Send JSON text, padded with spaces to pad bytes, and close the books. */
static void reply_text(struct evhttp_request *req, int status, const char *text, long pad)
{
	struct evbuffer *buf = evbuffer_new();
	size_t len = strlen(text);

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evbuffer_add(buf, text, len);
	for (; (long)len < pad; len++)
		evbuffer_add(buf, " ", 1);
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

static void reply_json(struct evhttp_request *req, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	reply_text(req, status, text != NULL ? text : "{}", 0);
	free(text);
	json_decref(body);
}

static const char *method_name(enum evhttp_cmd_type method)
{
	switch (method) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		return "OTHER";
	}
}

static json_t *header_or_null(struct evhttp_request *req, const char *name)
{
	const char *value = evhttp_find_header(evhttp_request_get_input_headers(req), name);

	return value != NULL ? json_string(value) : json_null();
}

/* --- control plane ---------------------------------------------------------- */

static json_t *stats(struct mockgw *gw)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:I}", "requests",
			 (json_int_t)gw->requests, "distinct_keys", (json_int_t)gw->keys.n,
			 "duplicates", (json_int_t)gw->duplicates, "unauthorized",
			 (json_int_t)gw->unauthorized, "in_flight", (json_int_t)gw->in_flight,
			 "max_in_flight", (json_int_t)gw->max_in_flight, "mode",
			 mode_names[gw->mode.kind], "call_tasks", (json_int_t)gw->ntasks,
			 "cancelled", (json_int_t)gw->cancelled);
}

static int get_long(json_t *obj, const char *name, long min, long max, long *out)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -1;
	*out = (long)json_integer_value(v);
	return 0;
}

static void control(struct mockgw *gw, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct mode m;
	json_t *body, *v;
	long status = 500, duplicate = 200;
	size_t i;

	body = json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in), 0, NULL);
	if (!json_is_object(body))
		goto bad;
	memset(&m, 0, sizeof m);
	mode_reset(&m);
	v = json_object_get(body, "mode");
	if (!json_is_string(v))
		goto bad;
	for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
		if (strcmp(json_string_value(v), mode_names[i]) == 0)
			break;
	if (i == sizeof mode_names / sizeof mode_names[0])
		goto bad;
	m.kind = (enum mode_kind)i;
	if (get_long(body, "status", 100, 599, &status) != 0 ||
	    get_long(body, "count", 0, 1000000, &m.count) != 0 ||
	    get_long(body, "sleep_ms", 0, 600000, &m.sleep_ms) != 0 ||
	    get_long(body, "duplicate_status", 100, 599, &duplicate) != 0 ||
	    get_long(body, "body_bytes", 0, MOCKGW_MAX_PAD, &m.body_bytes) != 0)
		goto bad;
	m.status = (int)status;
	m.duplicate_status = (int)duplicate;
	v = json_object_get(body, "path");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/')
			goto bad;
		m.path = xstrdup_or_die(json_string_value(v));
	}
	json_decref(body);
	mode_reset(&gw->mode);
	gw->mode = m;
	reply_json(req, 200, json_pack("{s:s}", "mode", mode_names[m.kind]));
	return;

bad:
	json_decref(body);
	reply_json(req, 400, json_pack("{s:s}", "error", "bad control request"));
}

/* --- the gateway ---------------------------------------------------------------- */

static void pending_free(struct pending *p)
{
	TAILQ_REMOVE(&p->gw->pendings, p, entry);
	event_free(p->timer);
	free(p->body);
	free(p);
}

static void pending_cb(evutil_socket_t fd, short events, void *arg)
{
	struct pending *p = arg;

	(void)fd;
	(void)events;
	/* If the client has gone, evhttp frees the request here. */
	reply_text(p->req, p->status, p->body, p->pad);
	p->gw->in_flight--;
	pending_free(p);
}

/* The mode for a request to this path, using up one of its count; when
 * the count runs out the mode reverts to ok (padding and duplicate_status
 * stay). */
static struct mode mode_take(struct mockgw *gw, const char *path)
{
	struct mode m = gw->mode;

	m.path = NULL;
	if (m.kind == MODE_OK || (gw->mode.path != NULL && strcmp(gw->mode.path, path) != 0)) {
		m.kind = MODE_OK;
		return m;
	}
	if (gw->mode.count > 0 && --gw->mode.count == 0) {
		gw->mode.kind = MODE_OK;
		free(gw->mode.path);
		gw->mode.path = NULL;
	}
	return m;
}

static void gateway_request(struct mockgw *gw, struct evhttp_request *req, const char *path)
{
	struct evkeyvalq *headers = evhttp_request_get_input_headers(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *auth = evhttp_find_header(headers, "Authorization");
	const char *key = evhttp_find_header(headers, "Idempotency-Key");
	const char *type = evhttp_find_header(headers, "Content-Type");
	const char *text = (const char *)evbuffer_pullup(in, -1);
	size_t len = evbuffer_get_length(in);
	struct mode m = gw->mode;
	const char *action = "reply", *answer = "accepted";
	int status = 200, duplicate = 0;
	json_t *record, *body_json, *body_text, *answer_json;
	char *line, *reply;

	gw->requests++;
	gw->seq++;
	if (++gw->in_flight > gw->max_in_flight)
		gw->max_in_flight = gw->in_flight;

	body_json = json_loadb(text != NULL ? text : "", len, JSON_DECODE_ANY, NULL);
	if (gw->token != NULL && (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
				  strcmp(auth + 7, gw->token) != 0)) {
		status = 401;
		answer = "unauthorized";
		gw->unauthorized++;
	} else if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		status = 405;
		answer = "method not allowed";
	} else if (key == NULL || key[0] == '\0') {
		status = 400;
		answer = "missing Idempotency-Key";
	} else if (type == NULL || strncmp(type, "application/json", 16) != 0) {
		status = 415;
		answer = "Content-Type must be application/json";
	} else if (body_json == NULL) {
		status = 400;
		answer = "body is not JSON";
	} else {
		m = mode_take(gw, path);
		if (m.kind == MODE_CONFLICT) {
			status = 409;
			answer = "conflict";
		} else if (m.kind == MODE_STATUS) {
			status = m.status;
			answer = "told to fail";
		} else if (m.kind == MODE_CLOSE) {
			action = "close";
		} else if (key_seen(gw, key)) {
			duplicate = 1;
			gw->duplicates++;
			status = m.duplicate_status;
			answer = "duplicate";
		} else if (cancel_target(path) > 0 && !task_known(gw, cancel_target(path))) {
			status = 404;
			answer = "no such call task";
		} else {
			key_store(gw, key);
			if (strcmp(path, "/v1/call-tasks") == 0)
				task_store(gw, body_json);
			else if (cancel_target(path) > 0)
				gw->cancelled++;
		}
		if (m.kind == MODE_SLEEP)
			action = "sleep";
	}
	json_decref(body_json);
	body_text = text != NULL ? json_stringn(text, len) : json_string("");

	record = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:s, s:o}", "seq",
			   (json_int_t)gw->seq, "t_ms", (json_int_t)ms_since(&gw->start), "method",
			   method_name(evhttp_request_get_command(req)), "path", path,
			   "idempotency_key", header_or_null(req, "Idempotency-Key"),
			   "authorization", header_or_null(req, "Authorization"), "content_type",
			   header_or_null(req, "Content-Type"), "body",
			   body_text != NULL ? body_text : json_null(), "duplicate", duplicate,
			   "action", action, "status",
			   strcmp(action, "close") == 0 ? json_null() : json_integer(status));
	line = json_dumps(record, JSON_COMPACT);
	fprintf(gw->record, "%s\n", line);
	fflush(gw->record);
	free(line);
	json_decref(record);

	if (strcmp(action, "close") == 0) {
		gw->in_flight--;
		/* Frees the request too; evhttp touches neither once we return. */
		evhttp_connection_free(evhttp_request_get_connection(req));
		return;
	}
	answer_json = json_pack("{s:s, s:s?}", "status", answer, "idempotency_key", key);
	reply = json_dumps(answer_json, JSON_COMPACT);
	json_decref(answer_json);
	if (strcmp(action, "sleep") == 0) {
		struct pending *p = xmalloc_or_die(sizeof *p);
		struct timeval tv = {m.sleep_ms / 1000, (m.sleep_ms % 1000) * 1000};

		p->gw = gw;
		p->req = req;
		p->status = status;
		p->body = reply;
		p->pad = m.body_bytes;
		p->timer = evtimer_new(gw->base, pending_cb, p);
		TAILQ_INSERT_TAIL(&gw->pendings, p, entry);
		evtimer_add(p->timer, &tv);
		return;
	}
	reply_text(req, status, reply, m.body_bytes);
	gw->in_flight--;
	free(reply);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	struct mockgw *gw = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type method = evhttp_request_get_command(req);

	if (path == NULL)
		path = "/";
	if (strcmp(path, "/control") == 0 && method == EVHTTP_REQ_POST)
		control(gw, req);
	else if (strcmp(path, "/control/reset") == 0 && method == EVHTTP_REQ_POST) {
		keys_clear(gw);
		mode_reset(&gw->mode);
		gw->requests = gw->duplicates = gw->unauthorized = 0;
		gw->max_in_flight = gw->in_flight;
		reply_json(req, 200, stats(gw));
	} else if (strcmp(path, "/control/stats") == 0 && method == EVHTTP_REQ_GET)
		reply_json(req, 200, stats(gw));
	else
		gateway_request(gw, req, path);
}

static void signal_cb(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	event_base_loopexit(arg, NULL);
}

static int write_port_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static void usage(void)
{
	fprintf(stderr, "usage: mockgw --port-file FILE --record FILE [--token T] [--address A]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"port-file", required_argument, NULL, 'p'},
		{"record", required_argument, NULL, 'r'},
		{"token", required_argument, NULL, 't'},
		{"address", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *port_file = NULL, *record = NULL, *address = "127.0.0.1";
	struct evhttp_bound_socket *sock;
	struct event *sigterm, *sigint;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	struct mockgw gw;
	struct pending *p;
	int c, port;

	memset(&gw, 0, sizeof gw);
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			port_file = optarg;
			break;
		case 'r':
			record = optarg;
			break;
		case 't':
			gw.token = optarg;
			break;
		case 'a':
			address = optarg;
			break;
		default:
			usage();
		}
	}
	if (port_file == NULL || record == NULL || optind != argc)
		usage();

	signal(SIGPIPE, SIG_IGN); /* a client that hung up must not kill us */
	clock_gettime(CLOCK_MONOTONIC, &gw.start);
	TAILQ_INIT(&gw.pendings);
	mode_reset(&gw.mode);
	gw.record = fopen(record, "a");
	if (gw.record == NULL) {
		fprintf(stderr, "mockgw: %s: %s\n", record, strerror(errno));
		return 1;
	}
	gw.base = event_base_new();
	gw.http = gw.base != NULL ? evhttp_new(gw.base) : NULL;
	if (gw.http == NULL) {
		fprintf(stderr, "mockgw: cannot create the event base\n");
		return 1;
	}
	evhttp_set_allowed_methods(gw.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						    EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH |
						    EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(gw.http, MOCKGW_MAX_BODY);
	evhttp_set_gencb(gw.http, request_cb, &gw);
	sock = evhttp_bind_socket_with_handle(gw.http, address, 0);
	if (sock == NULL ||
	    getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sslen) != 0) {
		fprintf(stderr, "mockgw: cannot listen on %s: %s\n", address, strerror(errno));
		return 1;
	}
	port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					: ntohs(((struct sockaddr_in *)&ss)->sin_port);
	sigterm = evsignal_new(gw.base, SIGTERM, signal_cb, gw.base);
	sigint = evsignal_new(gw.base, SIGINT, signal_cb, gw.base);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	if (write_port_file(port_file, port) != 0) {
		fprintf(stderr, "mockgw: %s: %s\n", port_file, strerror(errno));
		return 1;
	}

	event_base_dispatch(gw.base);

	while ((p = TAILQ_FIRST(&gw.pendings)) != NULL)
		pending_free(p); /* evhttp_free() frees their requests */
	evhttp_free(gw.http);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(gw.base);
	keys_clear(&gw);
	mode_reset(&gw.mode);
	fclose(gw.record);
	return 0;
}
