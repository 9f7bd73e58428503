/*
 * api-session.h - /v1/session: sign-in to the page with a token or, from
 * a trusted single sign-on proxy, without one; who is signed in; sign-out.
 * And the cookie's half of authentication (doc/sessions-and-sso.md).
 *
 * Contract:
 *  - POST /v1/session takes a token ({"token"} or Authorization: Bearer)
 *    or, with sso.enabled and only from an address in sso.proxies, the
 *    user the sso.header names; it answers 201 with the identity and the
 *    session's CSRF token, and sets the HttpOnly, SameSite=Strict cookie
 *    (Secure when the request came over TLS). Sign-in and sign-out are
 *    audited, in the transaction that makes or ends the session.
 *  - api_session_authenticate() is the cookie path of api_authenticate():
 *    a request without an Authorization header is authenticated by its
 *    session cookie. An unsafe method (POST, PUT, PATCH, DELETE) with a
 *    cookie is refused with 403 when its Origin is another site's or its
 *    X-CSRF-Token header is not the session's. Bearer tokens are not
 *    affected: a browser never adds them by itself.
 *  - POST /v1/session reads a body of at most 4 KiB (a larger
 *    Content-Length is refused with 413 on the head) and refuses a
 *    cross-site Origin on the head too; GET and DELETE take no body.
 *  - A request authenticated by its session counts as the session's use
 *    (the idle timeout); the stored time is refreshed through the group
 *    commit, at most once a minute per session.
 */
#ifndef MENTORD_API_SESSION_H
#define MENTORD_API_SESSION_H

#include <event2/http.h>
#include <stdbool.h>

#include "auth.h"
#include "http.h"

struct mentord;

#define API_SESSION_NONE (-1)	 /* no live session: answer 401 */
#define API_SESSION_REFUSED (-2) /* refused, 403 already answered */

int api_session_authenticate(struct mentord *m, struct evhttp_request *req,
			     struct auth_identity *who);
/* The same on a request's head, for a route's gate, before its body is
 * read: who the live session of the Cookie is, or API_SESSION_NONE, or
 * API_SESSION_REFUSED with the 403 set on gate. The use is not recorded:
 * api_session_authenticate() does that once the body is in. */
int api_session_gate(struct mentord *m, struct http_gate *gate, struct auth_identity *who);

/* Whether the request reached us over TLS, as a proxy in front of
 * mentord says with X-Forwarded-Proto: https; believed from a peer in
 * listen.trusted_proxies only. */
bool api_session_request_secure(struct mentord *m, struct evhttp_request *req);

void api_session_register(struct mentord *m);

#endif
