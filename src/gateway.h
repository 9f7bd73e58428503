/*
 * gateway.h - the messaging gateway client (doc/gateway.md): JSON POSTs over
 * libcurl's multi interface, driven by the daemon's libevent loop.
 *
 * Contract:
 *  - Nothing here blocks the loop: sockets and timeouts are libevent events
 *    (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION, as curl's multi-event.c), and
 *    the libcurl callbacks only arm or disarm events.
 *  - At most max_in_flight requests are on the wire; gateway_post() beyond
 *    that queues the request in a FIFO. Options (URL, token, timeouts) are
 *    read when a request starts, so after gateway_set_options() queued
 *    requests use the new ones and running requests finish with the old.
 *  - Every request carries Content-Type: application/json, Idempotency-Key
 *    and, when a token is set, Authorization: Bearer. TLS is always verified
 *    (peer and host name); ca_path only chooses the trust anchors. Redirects
 *    are not followed; only http and https are spoken. Proxies named in the
 *    environment (https_proxy, no_proxy) are honoured, as libcurl does.
 *  - The callback of an accepted request (gateway_post() returned 0) runs
 *    exactly once, always from the event loop: never from inside
 *    gateway_post(), gateway_set_options() or a libcurl call. When
 *    gateway_post() returns -1 the callback never runs.
 *  - Outcomes: DELIVERED for 2xx and 409 (the gateway already has this
 *    Idempotency-Key); PERMANENT for other 4xx; TRANSIENT for 5xx, 408,
 *    429, any other status, a timeout or any transport failure (refused,
 *    reset, TLS, DNS); CANCELLED only from gateway_free().
 *  - gateway_free() with requests outstanding: callbacks whose outcome is
 *    already known run with that outcome; requests on the wire are aborted
 *    and they, like queued requests, get CANCELLED. A cancelled request may
 *    or may not have reached the gateway; the outbox row stays pending and
 *    is sent again with the same Idempotency-Key after a restart. Callbacks
 *    run by gateway_free() cannot post (gateway_post() returns -1). Calling
 *    gateway_free() from a completion callback is allowed: the free happens
 *    when the callback returns, and the pointer must not be used after.
 *  - The caller frees the gateway before the event base (libcurl may still
 *    touch socket events while it closes connections). gateway_new() calls
 *    curl_global_init() (libcurl counts the calls; gateway_free() balances
 *    it), so the first gateway is made before any other thread starts.
 *  - gateway_post() runs at run time and fills a struct error (error.h);
 *    making the client and its options (start-up and reload) report a
 *    cause.
 *  - The response body handed to the callback is truncated to
 *    GATEWAY_REPLY_MAX bytes; the rest is read and discarded. It comes from
 *    the gateway and may contain personal data: log it only scrubbed.
 */
#ifndef MENTORD_GATEWAY_H
#define MENTORD_GATEWAY_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

struct gateway;

#define GATEWAY_REPLY_MAX 4096
#define GATEWAY_KEY_MAX 255

struct gateway_options {
	const char *url;     /* base URL, http:// or https://; path is appended */
	const char *token;   /* bearer token; NULL or "" = no Authorization */
	const char *ca_path; /* CA file or directory; NULL or "" = system default */
	long connect_timeout_ms;
	long timeout_ms; /* the whole request, connect included */
	int max_in_flight;
};

enum gateway_outcome {
	GATEWAY_DELIVERED,
	GATEWAY_PERMANENT,
	GATEWAY_TRANSIENT,
	GATEWAY_CANCELLED,
};

struct gateway_result {
	enum gateway_outcome outcome;
	long status;	   /* HTTP status, 0 if no response was received */
	const char *error; /* why it was not delivered ("" if delivered) */
	const char *body;  /* response body, NUL-terminated, maybe truncated */
	size_t body_len;
	long retry_after_s; /* the gateway's Retry-After in seconds, 0 if none */
	double seconds;	    /* time on the wire */
};

/* The result and its strings are valid only during the call. */
typedef void (*gateway_done_cb)(const struct gateway_result *result, void *arg);

struct gateway *gateway_new(struct event_base *base, const struct gateway_options *options,
			    char **cause);
void gateway_free(struct gateway *gateway);

/* Replace the options (SIGHUP); on -1 the old ones stay in force. */
int gateway_set_options(struct gateway *gateway, const struct gateway_options *options,
			char **cause);

/* POST json_body to url + path. The strings are copied. path must begin
 * with '/'; the key is 1-255 visible ASCII characters. */
int gateway_post(struct gateway *gateway, const char *path, const char *idempotency_key,
		 const char *json_body, gateway_done_cb cb, void *arg, struct error *err);

/* Started but callback not yet run / accepted but not yet started. */
size_t gateway_in_flight(const struct gateway *gateway);
size_t gateway_queued(const struct gateway *gateway);

/* Read a bearer token from a file: one line, surrounding white space
 * dropped, no control characters. The caller frees *token. Blocking file
 * I/O: for start-up and SIGHUP only. */
int gateway_load_token(const char *path, char **token, char **cause);

const char *gateway_outcome_name(enum gateway_outcome outcome);
/* The outcome of a completed HTTP exchange with this status. */
enum gateway_outcome gateway_classify_status(long status);

/*
 * Seconds to wait before attempt number `attempt` (1 = the first retry):
 * initial_s doubled per attempt, capped at max_s, then jittered by up to
 * ±10% using `random` (any 32-bit value; the caller draws it so this stays
 * testable). A jittered value above max_s is mirrored below it, so the cap
 * holds without every capped retry landing on the same second. Never less
 * than 1.
 */
time_t gateway_backoff_delay(int attempt, int initial_s, int max_s, uint32_t random);

#endif
