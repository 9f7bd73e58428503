/*
 * gateway.c - JSON POSTs to the messaging gateway on curl multi + libevent.
 *
 * The event plumbing follows curl's docs/examples/multi-event.c: libcurl
 * tells socket_cb which sockets to watch and timer_function when to call it
 * back; both only (re)arm libevent events. The libevent callbacks then call
 * curl_multi_socket_action() and collect finished transfers. Callbacks of
 * finished requests run from a separate event (deliver_cb) so user code
 * never runs inside gateway_post() or between curl_multi_info_read() calls.
 */
#include "gateway.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include "log.h"
#include "file.h"
#include "xmalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define GATEWAY_PATH_MAX 1024
#define GATEWAY_TOKEN_MAX 4096
/* Easy handles kept for the next requests, at most gateway.max_in_flight's
 * ceiling: making one per request (its allocations, its defaults) cost
 * more CPU than the rest of a send to a local gateway. */
#define GATEWAY_SPARE_MAX 256

struct gateway_request {
	struct gateway *gateway;
	char *path;
	char *key;
	char *body;
	gateway_done_cb cb;
	void *arg;

	/* While on the wire. */
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	char *reply;
	size_t reply_len;

	/* Once finished. */
	enum gateway_outcome outcome;
	long status;
	long retry_after_s;
	double seconds;
	char error[CURL_ERROR_SIZE + 64];

	TAILQ_ENTRY(gateway_request) entry;
};
TAILQ_HEAD(gateway_requests, gateway_request);

/* One socket libcurl asked us to watch. */
struct gateway_socket {
	struct gateway *gateway;
	curl_socket_t fd;
	struct event *event;
	LIST_ENTRY(gateway_socket) entry;
};

struct gateway_settings {
	char *url; /* without a trailing '/' */
	char *token;
	char *ca_path;
	int ca_is_dir;
	long connect_timeout_ms;
	long timeout_ms;
	int max_in_flight;
};

struct gateway {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;   /* libcurl's single timeout */
	struct event *deliver; /* runs the callbacks of finished requests */
	struct gateway_settings settings;

	struct gateway_requests queued;	  /* accepted, not started (FIFO) */
	struct gateway_requests running;  /* added to the multi handle */
	struct gateway_requests finished; /* outcome known, callback owed */
	size_t n_queued, n_running, n_finished;
	LIST_HEAD(, gateway_socket) sockets;
	CURL *spare[GATEWAY_SPARE_MAX]; /* reset, for request_start */
	size_t n_spare;

	int closing;	    /* gateway_free() has begun: no new requests */
	int delivering;	    /* inside deliver_cb */
	int free_requested; /* gateway_free() was called from a callback */
};

static void check_multi_info(struct gateway *g);
static void destroy(struct gateway *g);

/* --- pure parts ---------------------------------------------------------- */

const char *gateway_outcome_name(enum gateway_outcome outcome)
{
	switch (outcome) {
	case GATEWAY_DELIVERED:
		return "delivered";
	case GATEWAY_PERMANENT:
		return "permanent";
	case GATEWAY_TRANSIENT:
		return "transient";
	case GATEWAY_CANCELLED:
		return "cancelled";
	}
	return "unknown";
}

enum gateway_outcome gateway_classify_status(long status)
{
	if ((status >= 200 && status <= 299) || status == 409)
		return GATEWAY_DELIVERED;
	/* 408 and 429 say "not now", not "never": dead-lettering on them would
	 * turn a gateway's load shedding into lost messages. */
	if (status == 408 || status == 429)
		return GATEWAY_TRANSIENT;
	if (status >= 400 && status <= 499)
		return GATEWAY_PERMANENT;
	/* 5xx, and anything the contract does not name (a 3xx from a wrong
	 * URL, say) is retried until an admin fixes it or the row expires. */
	return GATEWAY_TRANSIENT;
}

time_t gateway_backoff_delay(int attempt, int initial_s, int max_s, uint32_t random)
{
	int64_t base, spread, delay;

	if (initial_s < 1)
		initial_s = 1;
	if (max_s < initial_s)
		max_s = initial_s;
	if (attempt < 1)
		attempt = 1;
	base = initial_s;
	for (int i = 1; i < attempt && base < max_s; i++)
		base *= 2;
	if (base > max_s)
		base = max_s;
	spread = base / 10;
	delay = base - spread + (int64_t)(random % (uint32_t)(2 * spread + 1));
	if (delay > max_s)
		delay = 2 * (int64_t)max_s - delay;
	if (delay < 1)
		delay = 1;
	return (time_t)delay;
}

/* Visible ASCII only: nothing that could end a header line or hide in one. */
static int is_visible(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= max)
			return 0;
	return n >= min;
}

/* --- settings ------------------------------------------------------------- */

static void settings_clear(struct gateway_settings *s)
{
	if (s->token != NULL)
		explicit_bzero(s->token, strlen(s->token));
	free(s->url);
	free(s->token);
	free(s->ca_path);
	memset(s, 0, sizeof *s);
}

static int settings_make(const struct gateway_options *o, struct gateway_settings *s, char **cause)
{
	struct stat sb;
	size_t len;

	memset(s, 0, sizeof *s);
	if (o->url == NULL ||
	    (strncasecmp(o->url, "http://", 7) != 0 && strncasecmp(o->url, "https://", 8) != 0)) {
		xasprintf(cause, "gateway URL must begin with http:// or https://");
		return -1;
	}
	if (!is_visible(o->url, 8, GATEWAY_PATH_MAX)) {
		xasprintf(cause, "gateway URL contains white space or control characters");
		return -1;
	}
	if (o->token != NULL && o->token[0] != '\0' &&
	    !is_visible(o->token, 1, GATEWAY_TOKEN_MAX)) {
		xasprintf(cause, "gateway token contains white space or control characters");
		return -1;
	}
	if (o->connect_timeout_ms <= 0 || o->timeout_ms <= 0) {
		xasprintf(cause, "gateway timeouts must be positive");
		return -1;
	}
	if (o->max_in_flight < 1) {
		xasprintf(cause, "gateway max_in_flight must be at least 1");
		return -1;
	}
	if (o->ca_path != NULL && o->ca_path[0] != '\0') {
		if (stat(o->ca_path, &sb) != 0) {
			xasprintf(cause, "gateway CA path %s: %s", o->ca_path, strerror(errno));
			return -1;
		}
		s->ca_is_dir = S_ISDIR(sb.st_mode);
		s->ca_path = xstrdup(o->ca_path);
	}
	s->url = xstrdup(o->url);
	len = strlen(s->url);
	while (len > 0 && s->url[len - 1] == '/')
		s->url[--len] = '\0';
	if (o->token != NULL && o->token[0] != '\0')
		s->token = xstrdup(o->token);
	s->connect_timeout_ms = o->connect_timeout_ms;
	s->timeout_ms = o->timeout_ms;
	s->max_in_flight = o->max_in_flight;
	return 0;
}

int gateway_load_token(const char *path, char **token, char **cause)
{
	char *buf, *start, *end;
	size_t len;

	if (file_read(path, GATEWAY_TOKEN_MAX + 2, FILE_READ_SECRET, &buf, &len, cause) != 0)
		return -1;
	start = buf + strspn(buf, " \t\r\n");
	end = start + strlen(start);
	while (end > start && strchr(" \t\r\n", end[-1]) != NULL)
		*--end = '\0';
	if (len > GATEWAY_TOKEN_MAX || !is_visible(start, 1, GATEWAY_TOKEN_MAX)) {
		xasprintf(cause, "%s: not a single-line token of 1-%d visible characters", path,
			  GATEWAY_TOKEN_MAX);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	*token = xstrdup(start);
	explicit_bzero(buf, len);
	free(buf);
	return 0;
}

/* --- requests ------------------------------------------------------------- */

static void request_release_easy(struct gateway *g, struct gateway_request *r)
{
	if (r->easy != NULL) {
		curl_multi_remove_handle(g->multi, r->easy);
		/* Reset: nothing of this request (its headers, body, buffers)
		 * stays with the handle; the connection stays in the multi. */
		if (!g->closing && g->n_spare < GATEWAY_SPARE_MAX) {
			curl_easy_reset(r->easy);
			g->spare[g->n_spare++] = r->easy;
		} else {
			curl_easy_cleanup(r->easy);
		}
		r->easy = NULL;
	}
	for (struct curl_slist *h = r->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	free(r->url);
	r->url = NULL;
}

static void request_free(struct gateway_request *r)
{
	free(r->path);
	free(r->key);
	free(r->body);
	free(r->reply);
	free(r);
}

/* Into the finished list; its callback runs from deliver_cb. */
static void request_finish(struct gateway *g, struct gateway_request *r,
			   enum gateway_outcome outcome, const char *error)
{
	r->outcome = outcome;
	snprintf(r->error, sizeof r->error, "%s", error);
	TAILQ_INSERT_TAIL(&g->finished, r, entry);
	g->n_finished++;
	event_active(g->deliver, EV_TIMEOUT, 0);
}

static void request_callback(struct gateway_request *r)
{
	struct gateway_result result = {
		.outcome = r->outcome,
		.status = r->status,
		.error = r->error,
		.body = r->reply != NULL ? r->reply : "",
		.body_len = r->reply_len,
		.retry_after_s = r->retry_after_s,
		.seconds = r->seconds,
	};

	r->cb(&result, r->arg);
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct gateway_request *r = arg;
	size_t n = size * nmemb, room = GATEWAY_REPLY_MAX - r->reply_len;

	if (room > n)
		room = n;
	if (room == 0)
		return n;
	/* Grown as the reply comes: most replies are a few bytes or none,
	 * and a buffer of GATEWAY_REPLY_MAX for each send is malloc's slow
	 * path. */
	r->reply = xrealloc(r->reply, r->reply_len + room + 1);
	memcpy(r->reply + r->reply_len, data, room);
	r->reply_len += room;
	r->reply[r->reply_len] = '\0';
	/* Claim everything: the rest is discarded, not an error. */
	return n;
}

/* Append "name: value" ("name:" alone tells libcurl not to send it). */
static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist *next;
	char *line;

	xasprintf(&line, "%s:%s%s", name, value[0] != '\0' ? " " : "", value);
	next = curl_slist_append(*list, line);
	explicit_bzero(line, strlen(line));
	free(line);
	if (next == NULL)
		return -1;
	*list = next;
	return 0;
}

static int add_bearer(struct curl_slist **list, const char *token)
{
	char *value;
	int rc;

	xasprintf(&value, "Bearer %s", token);
	rc = add_header(list, "Authorization", value);
	explicit_bzero(value, strlen(value));
	free(value);
	return rc;
}

/* Put a request on the wire with the settings in force now. */
static int request_start(struct gateway *g, struct gateway_request *r, char **cause)
{
	const struct gateway_settings *s = &g->settings;
	CURLMcode mc;
	CURL *easy;

	easy = g->n_spare > 0 ? g->spare[--g->n_spare] : curl_easy_init();
	if (easy == NULL) {
		xasprintf(cause, "curl_easy_init failed");
		return -1;
	}
	r->easy = easy;
	xasprintf(&r->url, "%s%s", s->url, r->path);
	if (r->reply != NULL)
		r->reply[0] = '\0';
	r->reply_len = 0;
	r->errbuf[0] = '\0';

	if (add_header(&r->headers, "Content-Type", "application/json") != 0 ||
	    add_header(&r->headers, "Accept", "application/json") != 0 ||
	    add_header(&r->headers, "Idempotency-Key", r->key) != 0 ||
	    (s->token != NULL && add_bearer(&r->headers, s->token) != 0) ||
	    /* No "Expect: 100-continue" round trip for bodies over 1 KiB. */
	    add_header(&r->headers, "Expect", "") != 0) {
		xasprintf(cause, "out of memory for request headers");
		goto fail;
	}

	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_URL, r->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "mentord/" PACKAGE_VERSION);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->ca_path != NULL && s->ca_is_dir)
		curl_easy_setopt(easy, CURLOPT_CAPATH, s->ca_path);
	else if (s->ca_path != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, s->ca_path);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);

	mc = curl_multi_add_handle(g->multi, easy);
	if (mc != CURLM_OK) {
		xasprintf(cause, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
		goto fail;
	}
	TAILQ_INSERT_TAIL(&g->running, r, entry);
	g->n_running++;
	return 0;

fail:
	curl_easy_cleanup(easy);
	r->easy = NULL;
	request_release_easy(g, r);
	return -1;
}

/* Start queued requests while there is room. */
static void pump(struct gateway *g)
{
	struct gateway_request *r;
	char *cause = NULL;

	while (!g->closing && g->n_running < (size_t)g->settings.max_in_flight &&
	       (r = TAILQ_FIRST(&g->queued)) != NULL) {
		TAILQ_REMOVE(&g->queued, r, entry);
		g->n_queued--;
		if (request_start(g, r, &cause) != 0) {
			request_finish(g, r, GATEWAY_TRANSIENT, cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* A transfer is over: classify it and release everything libcurl holds. */
static void request_done(struct gateway *g, struct gateway_request *r, CURLcode code)
{
	curl_off_t retry_after = 0;
	char error[sizeof r->error];
	enum gateway_outcome outcome;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &r->seconds);
	if (curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK &&
	    retry_after > 0)
		r->retry_after_s = retry_after > 86400 ? 86400 : (long)retry_after;
	if (code == CURLE_OK) {
		outcome = gateway_classify_status(r->status);
		if (outcome == GATEWAY_DELIVERED)
			error[0] = '\0';
		else
			snprintf(error, sizeof error, "HTTP %ld", r->status);
	} else {
		/* Even after a status line: the reply was cut short, so send again
		 * (the Idempotency-Key makes that harmless). */
		outcome = GATEWAY_TRANSIENT;
		snprintf(error, sizeof error, "curl error %d: %s", (int)code,
			 r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(code));
	}
	request_release_easy(g, r);
	TAILQ_REMOVE(&g->running, r, entry);
	g->n_running--;
	request_finish(g, r, outcome, error);
}

static void check_multi_info(struct gateway *g)
{
	struct gateway_request *r;
	CURLMsg *msg;
	CURLcode code;
	int pending;
	char *p;

	while ((msg = curl_multi_info_read(g->multi, &pending)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg dies with curl_multi_remove_handle(): copy first. */
		code = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		r = (struct gateway_request *)p;
		request_done(g, r, code);
	}
	pump(g);
}

static void deliver_cb(evutil_socket_t fd, short events, void *arg)
{
	struct gateway *g = arg;
	struct gateway_request *r;

	(void)fd;
	(void)events;
	g->delivering = 1;
	while (!g->free_requested && (r = TAILQ_FIRST(&g->finished)) != NULL) {
		TAILQ_REMOVE(&g->finished, r, entry);
		g->n_finished--;
		request_callback(r);
		request_free(r);
	}
	g->delivering = 0;
	if (g->free_requested)
		destroy(g);
}

/* --- libcurl <-> libevent ------------------------------------------------- */

static void socket_free(struct gateway_socket *s)
{
	LIST_REMOVE(s, entry);
	event_free(s->event);
	free(s);
}

static void socket_event_cb(evutil_socket_t fd, short events, void *arg)
{
	struct gateway_socket *s = arg;
	struct gateway *g = s->gateway; /* s may be gone after socket_action */
	int flags = 0, running;
	CURLMcode mc;

	if (events & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (events & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	mc = curl_multi_socket_action(g->multi, fd, flags, &running);
	if (mc != CURLM_OK)
		log_err("gateway: curl_multi_socket_action: %s", curl_multi_strerror(mc));
	check_multi_info(g);
}

static void timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct gateway *g = arg;
	int running;
	CURLMcode mc;

	(void)fd;
	(void)events;
	mc = curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	if (mc != CURLM_OK)
		log_err("gateway: curl_multi_socket_action: %s", curl_multi_strerror(mc));
	check_multi_info(g);
}

/* CURLMOPT_TIMERFUNCTION: arm the event, never call back into libcurl. */
static int timer_function(CURLM *multi, long timeout_ms, void *arg)
{
	struct gateway *g = arg;
	struct timeval tv;

	(void)multi;
	evtimer_del(g->timer);
	if (timeout_ms < 0)
		return 0;
	/* 0 means "now": the next loop iteration is soon enough. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(g->timer, &tv);
	return 0;
}

/* CURLMOPT_SOCKETFUNCTION: watch what libcurl wants watched. */
static int socket_cb(CURL *easy, curl_socket_t fd, int action, void *arg, void *socketp)
{
	struct gateway *g = arg;
	struct gateway_socket *s = socketp;
	short events = EV_PERSIST;

	(void)easy;
	if (action == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(g->multi, fd, NULL);
			socket_free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->gateway = g;
		s->fd = fd;
		s->event = event_new(g->base, fd, 0, socket_event_cb, s);
		if (s->event == NULL) {
			free(s);
			return -1;
		}
		LIST_INSERT_HEAD(&g->sockets, s, entry);
		curl_multi_assign(g->multi, fd, s);
	}
	if (action == CURL_POLL_IN || action == CURL_POLL_INOUT)
		events |= EV_READ;
	if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT)
		events |= EV_WRITE;
	event_del(s->event);
	event_assign(s->event, g->base, fd, events, socket_event_cb, s);
	event_add(s->event, NULL);
	return 0;
}

/* --- the module ------------------------------------------------------------ */

struct gateway *gateway_new(struct event_base *base, const struct gateway_options *options,
			    char **cause)
{
	struct gateway *g;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		xasprintf(cause, "curl_global_init failed");
		return NULL;
	}
	g = xcalloc(1, sizeof *g);
	g->base = base;
	TAILQ_INIT(&g->queued);
	TAILQ_INIT(&g->running);
	TAILQ_INIT(&g->finished);
	LIST_INIT(&g->sockets);
	if (settings_make(options, &g->settings, cause) != 0)
		goto fail;
	g->timer = evtimer_new(base, timer_cb, g);
	g->deliver = event_new(base, -1, 0, deliver_cb, g);
	g->multi = curl_multi_init();
	if (g->timer == NULL || g->deliver == NULL || g->multi == NULL) {
		xasprintf(cause, "cannot create the gateway's events or curl multi handle");
		goto fail;
	}
	curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
	curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, timer_function);
	curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
	return g;

fail:
	if (g->multi != NULL)
		curl_multi_cleanup(g->multi);
	if (g->timer != NULL)
		event_free(g->timer);
	if (g->deliver != NULL)
		event_free(g->deliver);
	settings_clear(&g->settings);
	free(g);
	curl_global_cleanup();
	return NULL;
}

int gateway_set_options(struct gateway *g, const struct gateway_options *options, char **cause)
{
	struct gateway_settings s;

	if (settings_make(options, &s, cause) != 0)
		return -1;
	settings_clear(&g->settings);
	g->settings = s;
	/* Nothing cached for the old settings (a TLS session, say) is used
	 * for the new ones. */
	while (g->n_spare > 0)
		curl_easy_cleanup(g->spare[--g->n_spare]);
	pump(g); /* max_in_flight may have grown */
	return 0;
}

int gateway_post(struct gateway *g, const char *path, const char *idempotency_key,
		 const char *json_body, gateway_done_cb cb, void *arg, struct error *err)
{
	struct gateway_request *r;
	char *cause = NULL;

	if (g->closing)
		return error_set(err, ERROR_CONFLICT, "", "the gateway client is shutting down");
	if (path == NULL || path[0] != '/' || !is_visible(path, 1, GATEWAY_PATH_MAX))
		return error_set(err, ERROR_INVALID, "path",
				 "gateway path must begin with '/' and be visible ASCII");
	if (idempotency_key == NULL || !is_visible(idempotency_key, 1, GATEWAY_KEY_MAX))
		return error_set(err, ERROR_INVALID, "Idempotency-Key",
				 "Idempotency-Key must be 1-%d visible ASCII characters",
				 GATEWAY_KEY_MAX);
	if (json_body == NULL || cb == NULL)
		return error_set(err, ERROR_INVALID, "",
				 "gateway_post needs a body and a callback");
	r = xcalloc(1, sizeof *r);
	r->gateway = g;
	r->path = xstrdup(path);
	r->key = xstrdup(idempotency_key);
	r->body = xstrdup(json_body);
	r->cb = cb;
	r->arg = arg;
	if (g->n_running < (size_t)g->settings.max_in_flight && TAILQ_EMPTY(&g->queued)) {
		/* request_start's cause is also a request's last error (pump). */
		if (request_start(g, r, &cause) != 0) {
			error_set(err, ERROR_STORE, "", "%s", cause);
			free(cause);
			request_free(r);
			return -1;
		}
	} else {
		TAILQ_INSERT_TAIL(&g->queued, r, entry);
		g->n_queued++;
	}
	return 0;
}

size_t gateway_in_flight(const struct gateway *g)
{
	return g->n_running + g->n_finished;
}

size_t gateway_queued(const struct gateway *g)
{
	return g->n_queued;
}

void gateway_free(struct gateway *g)
{
	if (g == NULL)
		return;
	if (g->delivering) {
		/* Called from a completion callback: deliver_cb finishes the job
		 * once that callback has returned. */
		g->closing = 1;
		g->free_requested = 1;
		return;
	}
	if (g->closing)
		return; /* from a callback that destroy() is running */
	destroy(g);
}

static void destroy(struct gateway *g)
{
	struct gateway_requests cancelled = TAILQ_HEAD_INITIALIZER(cancelled);
	struct gateway_request *r;
	struct gateway_socket *s;

	g->closing = 1;
	/* Abort what is on the wire before any callback runs. */
	while ((r = TAILQ_FIRST(&g->running)) != NULL) {
		TAILQ_REMOVE(&g->running, r, entry);
		g->n_running--;
		request_release_easy(g, r);
		r->reply_len = 0;
		if (r->reply != NULL)
			r->reply[0] = '\0';
		r->outcome = GATEWAY_CANCELLED;
		snprintf(r->error, sizeof r->error, "cancelled: the gateway client was closed");
		TAILQ_INSERT_TAIL(&cancelled, r, entry);
	}
	/* Outcomes already known are reported truthfully... */
	while ((r = TAILQ_FIRST(&g->finished)) != NULL) {
		TAILQ_REMOVE(&g->finished, r, entry);
		g->n_finished--;
		request_callback(r);
		request_free(r);
	}
	/* ...the rest is cancelled. */
	while ((r = TAILQ_FIRST(&cancelled)) != NULL) {
		TAILQ_REMOVE(&cancelled, r, entry);
		request_callback(r);
		request_free(r);
	}
	while ((r = TAILQ_FIRST(&g->queued)) != NULL) {
		TAILQ_REMOVE(&g->queued, r, entry);
		g->n_queued--;
		r->outcome = GATEWAY_CANCELLED;
		snprintf(r->error, sizeof r->error, "cancelled: the gateway client was closed");
		request_callback(r);
		request_free(r);
	}
	while (g->n_spare > 0)
		curl_easy_cleanup(g->spare[--g->n_spare]);
	/* Before the events go: closing connections calls socket_cb and
	 * timer_function (multi-event.c's order). */
	curl_multi_cleanup(g->multi);
	while ((s = LIST_FIRST(&g->sockets)) != NULL)
		socket_free(s);
	event_free(g->timer);
	event_free(g->deliver);
	settings_clear(&g->settings);
	free(g);
	curl_global_cleanup();
}
