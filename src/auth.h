/*
 * auth.h - API tokens: creation, hashing, listing, revocation.
 *
 * Contract:
 *  - A token is "mtd_" followed by 43 base64url characters (256 random bits
 *    from getrandom). It is shown once, when created; only its SHA-256 is
 *    stored, so a copy of the database grants no access.
 *  - Roles are psychiatry, mentor (bound to a mentor id) and admin.
 *  - Functions return 0/-1, filling a struct error (error.h) where they
 *    can fail for a reason worth telling; they change the tokens table in
 *    one statement each (autocommit), so they need no transaction around
 *    (auth_login_set_mentor, two, holds its own savepoint).
 *  - A login (doc/sessions-and-sso.md) is a token row without a secret:
 *    the user name a trusted single sign-on proxy asserts, mapped to a
 *    role and mentor. It signs in only through POST /v1/session from such a
 *    proxy; as a token row it is listed, revoked and audited like any
 *    other, and revoking it ends its sessions. An active login is unique,
 *    compared without regard to ASCII case.
 */
#ifndef MENTORD_AUTH_H
#define MENTORD_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct store;

#define AUTH_HASH_LEN 32
#define AUTH_TOKEN_LEN 48 /* "mtd_" + 43 + NUL, rounded */
#define AUTH_LOGIN_MAX 128

enum auth_role {
	AUTH_NONE = 0,
	AUTH_PSYCHIATRY,
	AUTH_MENTOR,
	AUTH_ADMIN,
	AUTH_CASEWORKER, /* refers citizens to a referral programme and decides (doc/programmes.md) */
};

/* Who is calling: the token's id, role and, for a mentor, the mentor. */
struct auth_identity {
	int64_t token_id;
	enum auth_role role;
	int64_t mentor_id;
	char name[64];
};

int auth_role_valid(const char *role);
const char *auth_role_name(enum auth_role role);

/* Check an Authorization header value ("Bearer <token>"). Returns 0 and
 * fills *who for an active token, -1 otherwise (unknown, revoked, absent or
 * malformed: the caller answers 401 without saying which). The hash is
 * compared with every active token in constant time, so response timing
 * tells nothing about how close a guess was. The active tokens are kept
 * in memory per connection and read again only when store_generation()
 * changes: after a commit of another connection (the writer thread's,
 * once per batch of discharges; mentorctl's) or a change to tokens or
 * mentors on this one. So most checks read no table, yet a revocation,
 * a mentor deactivated or a rollback (by this connection, another, or
 * mentorctl) counts from the next check on. */
int auth_check(struct store *store, const char *authorization, struct auth_identity *who);

void auth_token_hash(const char *token, unsigned char hash[AUTH_HASH_LEN]);

/* Create a token; token_out receives the only copy of the secret. */
int auth_token_add(struct store *store, const char *name, const char *role, int64_t mentor_id,
		   int64_t now, char token_out[AUTH_TOKEN_LEN], int64_t *id_out, struct error *err);
int auth_token_revoke(struct store *store, int64_t id, int64_t now, struct error *err);

/* The identity of active token token_id (its mentor active), as
 * auth_check gives it; -1 when revoked, unknown or the mentor inactive.
 * Sessions are checked against their token by this on every request. */
int auth_token_identity(struct store *store, int64_t token_id, struct auth_identity *who);

/* 1 to AUTH_LOGIN_MAX bytes, no spaces or control characters. */
bool auth_login_valid(const char *login);
/* Map login to a role (and mentor): a token row without a secret, named
 * name (NULL: the login). Fails if an active token has the login. */
int auth_login_add(struct store *store, const char *name, const char *role, int64_t mentor_id,
		   const char *login, int64_t now, int64_t *id_out, struct error *err);
/* Give mentor_id the login (NULL or "": none), revoking the mentor's
 * previous one; *id_out is the new token's id (0 when none). */
int auth_login_set_mentor(struct store *store, int64_t mentor_id, const char *login, int64_t now,
			  int64_t *id_out, struct error *err);
/* The identity an active login maps to; -1 when none does. */
int auth_login_check(struct store *store, const char *login, struct auth_identity *who);
/* One line per token (never the secret): id, name, role, mentor, state,
 * login. */
int auth_token_list(struct store *store, FILE *out, int as_json, struct error *err);

#endif
