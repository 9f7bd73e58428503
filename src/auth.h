/*
 * auth.h - API tokens: creation, hashing, listing, revocation.
 *
 * Contract:
 *  - A token is "mtd_" followed by 43 base64url characters (256 random bits
 *    from getrandom). It is shown once, when created; only its SHA-256 is
 *    stored, so a copy of the database grants no access.
 *  - Roles are psychiatry, mentor (bound to a mentor id) and admin.
 *  - Functions return 0/-1 with a cause; they change the tokens table in
 *    one statement each (autocommit), so they need no transaction around.
 */
#ifndef MENTORD_AUTH_H
#define MENTORD_AUTH_H

#include <stdint.h>
#include <stdio.h>

struct store;

#define AUTH_HASH_LEN 32
#define AUTH_TOKEN_LEN 48 /* "mtd_" + 43 + NUL, rounded */

int auth_role_valid(const char *role);

void auth_token_hash(const char *token, unsigned char hash[AUTH_HASH_LEN]);

/* Create a token; token_out receives the only copy of the secret. */
int auth_token_add(struct store *store, const char *name, const char *role, int64_t mentor_id,
		   int64_t now, char token_out[AUTH_TOKEN_LEN], int64_t *id_out, char **cause);
int auth_token_revoke(struct store *store, int64_t id, int64_t now, char **cause);
/* One line per token (never the secret): id, name, role, mentor, state. */
int auth_token_list(struct store *store, FILE *out, int as_json, char **cause);

#endif
