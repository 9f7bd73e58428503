/*
 * session.h - sessions of the page: a token exchanged once for a cookie
 * that every tab shares (doc/sessions-and-sso.md).
 *
 * Contract:
 *  - A session belongs to a token (or a login, auth.h) and is valid only
 *    while that token is (auth_token_identity): revoking the token, or
 *    deactivating its mentor, ends all its sessions at once.
 *  - The cookie value is "mts_" and 43 base64url characters (256 random
 *    bits from getrandom); only its SHA-256 is stored, so a copy of the
 *    database signs nobody in. The CSRF token is derived from the cookie
 *    value (SHA-256 under another prefix): the page reads it from the
 *    sign-in reply, the server recomputes it, and neither the database nor
 *    the CSRF token yields the cookie.
 *  - A session ends limits->idle_s after its last use or limits->max_s
 *    after it was created, whichever comes first, under the limits in
 *    force when it is checked, so a reload that shortens them applies at
 *    once. Its last use is stored at most once a SESSION_TOUCH_S (see
 *    session_stale), so a session may end up to that much before its idle
 *    timeout: never after.
 *  - Functions return 0/-1 (filling a struct error, error.h, where they
 *    can fail for a reason worth logging) and run on the caller's
 *    connection: create, touch and end belong inside the caller's
 *    transaction.
 */
#ifndef MENTORD_SESSION_H
#define MENTORD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "error.h"

struct store;

#define SESSION_COOKIE "mentord_session"
#define SESSION_SECRET_LEN 48 /* "mts_" + 43 + NUL, rounded */
#define SESSION_CSRF_LEN 44   /* 43 + NUL */
/* How stale the stored last use may get before a request refreshes it:
 * one write a minute per session in use, not one per request. */
#define SESSION_TOUCH_S 60

struct session_limits {
	time_t idle_s; /* after the last use */
	time_t max_s;  /* after sign-in */
};

struct session {
	int64_t id;
	struct auth_identity who;
	time_t created_at;
	time_t seen_at;
	time_t idle_ends_at; /* when unused until then */
	time_t ends_at;	     /* at the latest */
};

/* A new session of active token token_id; secret receives the cookie
 * value, its only copy. Sessions already over are deleted first, so the
 * table holds live ones only. */
int session_create(struct store *store, int64_t token_id, time_t now,
		   const struct session_limits *limits, char secret[SESSION_SECRET_LEN],
		   int64_t *id_out, struct error *err);
/* The live session of a cookie value: 0 and *out filled, or -1 (unknown,
 * over, its token revoked or a store failure: the caller answers 401
 * without saying which). */
int session_check(struct store *store, const char *secret, time_t now,
		  const struct session_limits *limits, struct session *out);
/* Whether its stored last use is SESSION_TOUCH_S old or more. */
bool session_stale(const struct session *s, time_t now);
int session_touch(struct store *store, int64_t id, time_t now, struct error *err);
/* *s as session_touch at now leaves it: the deadlines a reply reports
 * are the ones after this use, not the stored use before it. */
void session_used(struct session *s, time_t now, const struct session_limits *limits);
/* Sign-out: the session is gone (no error if it already was). */
int session_end(struct store *store, int64_t id, struct error *err);
/* A deactivated mentor's sessions are gone, in the caller's transaction:
 * they stay ended if the mentor is made active again. */
int session_end_mentor(struct store *store, int64_t mentor_id, struct error *err);
/* Delete every session that is over or whose token is revoked. */
int session_purge(struct store *store, time_t now, const struct session_limits *limits,
		  struct error *err);

/* The CSRF token of a session, from its cookie value. */
void session_csrf(const char *secret, char out[SESSION_CSRF_LEN]);
/* Whether given is the session's CSRF token (constant time). */
bool session_csrf_valid(const char *secret, const char *given);

/* The value of the SESSION_COOKIE cookie in a Cookie header (NULL: none)
 * if it has the shape of one: 0, else -1. */
int session_cookie(const char *header, char out[SESSION_SECRET_LEN]);

#endif
