/*
 * auth.c - API tokens (auth.h).
 */
#include "auth.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "sha256.h"
#include "store.h"
#include "xmalloc.h"

#define AUTH_RANDOM_BYTES 32

int auth_role_valid(const char *role)
{
	return strcmp(role, "psychiatry") == 0 || strcmp(role, "mentor") == 0 ||
	       strcmp(role, "admin") == 0 || strcmp(role, "caseworker") == 0;
}

const char *auth_role_name(enum auth_role role)
{
	switch (role) {
	case AUTH_PSYCHIATRY:
		return "psychiatry";
	case AUTH_MENTOR:
		return "mentor";
	case AUTH_ADMIN:
		return "admin";
	case AUTH_CASEWORKER:
		return "caseworker";
	default:
		return "none";
	}
}

static enum auth_role role_of(const char *name)
{
	if (strcmp(name, "psychiatry") == 0)
		return AUTH_PSYCHIATRY;
	if (strcmp(name, "mentor") == 0)
		return AUTH_MENTOR;
	if (strcmp(name, "admin") == 0)
		return AUTH_ADMIN;
	if (strcmp(name, "caseworker") == 0)
		return AUTH_CASEWORKER;
	return AUTH_NONE;
}

static const char active_tokens_sql[] =
	/* A mentor token works only while its mentor is active: deactivating
	 * a mentor who leaves must end their access to citizens at once. */
	"SELECT t.id, t.role, t.mentor_id, t.name, t.hash FROM tokens t"
	" LEFT JOIN mentors m ON m.id = t.mentor_id"
	" WHERE t.revoked_at IS NULL AND (t.role <> 'mentor' OR m.active = 1)";

/* The active tokens as active_tokens_sql gives them, read again only
 * when store_generation() says a token or mentor may have changed:
 * checking a token then costs no table read, and a revocation (by the
 * API, mentorctl in another process, a mentor deactivated, a rollback)
 * still counts from the very next request. */
struct auth_cached {
	unsigned char hash[AUTH_HASH_LEN];
	struct auth_identity who;
};

struct auth_cache {
	bool valid;
	unsigned long long generation;
	struct auth_cached *tokens;
	size_t n, size;
};

static void cache_free(void *arg)
{
	struct auth_cache *cache = arg;

	if (cache == NULL)
		return;
	explicit_bzero(cache->tokens, cache->size * sizeof *cache->tokens);
	free(cache->tokens);
	free(cache);
}

static int cache_load(struct store *store, struct auth_cache *cache)
{
	sqlite3_stmt *stmt = store_statement(store, active_tokens_sql, NULL);
	int rc;

	cache->valid = false;
	cache->n = 0;
	if (stmt == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct auth_cached *t;

		if (sqlite3_column_bytes(stmt, 4) != AUTH_HASH_LEN)
			continue;
		if (cache->n == cache->size) {
			cache->size = cache->size > 0 ? 2 * cache->size : 16;
			cache->tokens = xrealloc(cache->tokens, cache->size * sizeof *t);
		}
		t = &cache->tokens[cache->n++];
		memset(t, 0, sizeof *t);
		memcpy(t->hash, sqlite3_column_blob(stmt, 4), AUTH_HASH_LEN);
		t->who.token_id = sqlite3_column_int64(stmt, 0);
		t->who.role = role_of((const char *)sqlite3_column_text(stmt, 1));
		t->who.mentor_id = sqlite3_column_int64(stmt, 2);
		snprintf(t->who.name, sizeof t->who.name, "%s",
			 (const char *)sqlite3_column_text(stmt, 3));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		cache->n = 0;
		return -1;
	}
	cache->valid = true;
	return 0;
}

/* The active tokens, current as of now; NULL when they cannot be read. */
static const struct auth_cache *active_tokens(struct store *store)
{
	struct auth_cache *cache = store_slot(store, STORE_SLOT_AUTH);
	unsigned long long generation;

	if (cache == NULL) {
		cache = xcalloc(1, sizeof *cache);
		store_set_slot(store, STORE_SLOT_AUTH, cache, cache_free);
	}
	/* The generation is taken before the rows are read: a change that
	 * lands in between makes the next check read them again. */
	generation = store_generation(store);
	if (cache->valid && cache->generation == generation)
		return cache;
	if (cache_load(store, cache) != 0)
		return NULL;
	cache->generation = generation;
	return cache;
}

int auth_check(struct store *store, const char *authorization, struct auth_identity *who)
{
	static const char scheme[] = "Bearer ";
	unsigned char hash[AUTH_HASH_LEN];
	const struct auth_cache *cache;
	int found = 0;

	memset(who, 0, sizeof *who);
	if (authorization == NULL || strncasecmp(authorization, scheme, sizeof scheme - 1) != 0 ||
	    strlen(authorization) > 256)
		return -1;
	auth_token_hash(authorization + sizeof scheme - 1, hash);
	if ((cache = active_tokens(store)) == NULL)
		return -1;
	/* No early exit: every active token is compared. */
	for (size_t i = 0; i < cache->n; i++) {
		if (CRYPTO_memcmp(cache->tokens[i].hash, hash, AUTH_HASH_LEN) == 0 && !found) {
			found = 1;
			*who = cache->tokens[i].who;
		}
	}
	return found && who->role != AUTH_NONE ? 0 : -1;
}

void auth_token_hash(const char *token, unsigned char hash[AUTH_HASH_LEN])
{
	sha256(token, strlen(token), hash);
}

static int token_generate(char out[AUTH_TOKEN_LEN], struct error *err)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[AUTH_RANDOM_BYTES];
	unsigned int bits = 0, acc = 0;
	size_t n = 0;

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return error_set(err, ERROR_STORE, "", "no randomness for a token");
	memcpy(out, "mtd_", 4);
	n = 4;
	/* base64url without padding: 256 bits -> 43 characters */
	for (size_t i = 0; i < sizeof raw; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 6) {
			out[n++] = alphabet[(acc >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits > 0)
		out[n++] = alphabet[(acc << (6 - bits)) & 63];
	out[n] = '\0';
	return 0;
}

static int run(sqlite3_stmt *stmt, sqlite3 *db, struct error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		return error_set(err, ERROR_STORE, "", "%s", sqlite3_errmsg(db));
	return 0;
}

/* Insert a token row: a secret's hash, or for a login a hash nobody
 * holds the secret of. The mentor must exist (tokens.mentor_id has no
 * foreign key, as tokens came in migration 1, before mentors): a mentor
 * token for no mentor would let nobody in, silently. */
static int token_insert(struct store *store, const char *name, const char *role, int64_t mentor_id,
			const char *login, const unsigned char hash[AUTH_HASH_LEN], int64_t now,
			int64_t *id_out, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	int rc;

	/* No field in these errors: mentorctl prints the message, which
	 * names the option's subject itself. */
	if (!auth_role_valid(role))
		return error_set(err, ERROR_INVALID, "",
				 "role must be psychiatry, mentor, admin or caseworker");
	if ((strcmp(role, "mentor") == 0) != (mentor_id > 0))
		return error_set(err, ERROR_INVALID, "",
				 "a mentor token needs a mentor id, and only a mentor token");
	if ((stmt = store_statement(
		     store,
		     "INSERT INTO tokens (name, role, mentor_id, hash, created_at, login)"
		     " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?3 IS NULL"
		     " OR EXISTS (SELECT 1 FROM mentors WHERE id = ?3)",
		     err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, role, -1, SQLITE_STATIC);
	if (mentor_id > 0)
		sqlite3_bind_int64(stmt, 3, mentor_id);
	sqlite3_bind_blob(stmt, 4, hash, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	if (login != NULL)
		sqlite3_bind_text(stmt, 6, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if ((rc & 0xff) == SQLITE_CONSTRAINT && login != NULL)
		return error_set(err, ERROR_CONFLICT, "",
				 "the login %s is taken by another active token", login);
	if (rc != SQLITE_DONE)
		return error_set(err, ERROR_STORE, "", "%s", sqlite3_errmsg(db));
	if (sqlite3_changes(db) == 0)
		return error_set(err, ERROR_NOT_FOUND, "", "no mentor with id %lld",
				 (long long)mentor_id);
	if (id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(db);
	return 0;
}

int auth_token_add(struct store *store, const char *name, const char *role, int64_t mentor_id,
		   int64_t now, char token_out[AUTH_TOKEN_LEN], int64_t *id_out, struct error *err)
{
	unsigned char hash[AUTH_HASH_LEN];

	if (token_generate(token_out, err) != 0)
		return -1;
	auth_token_hash(token_out, hash);
	if (token_insert(store, name, role, mentor_id, NULL, hash, now, id_out, err) != 0) {
		explicit_bzero(token_out, AUTH_TOKEN_LEN);
		return -1;
	}
	return 0;
}

bool auth_login_valid(const char *login)
{
	size_t len = login != NULL ? strlen(login) : 0;

	if (len == 0 || len > AUTH_LOGIN_MAX)
		return false;
	for (const char *p = login; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

int auth_login_add(struct store *store, const char *name, const char *role, int64_t mentor_id,
		   const char *login, int64_t now, int64_t *id_out, struct error *err)
{
	unsigned char hash[AUTH_HASH_LEN];

	if (!auth_login_valid(login))
		return error_set(err, ERROR_INVALID, "",
				 "a login is 1 to %d characters without spaces or control"
				 " characters",
				 AUTH_LOGIN_MAX);
	/* The hash column is the token's identity and must be unique and
	 * present, but a login has no secret to present: 256 random bits
	 * whose preimage nobody knows, so no bearer token ever matches it. */
	if (getrandom(hash, sizeof hash, 0) != (ssize_t)sizeof hash)
		return error_set(err, ERROR_STORE, "", "no randomness for a login");
	return token_insert(store, name != NULL ? name : login, role, mentor_id, login, hash, now,
			    id_out, err);
}

static int exec(sqlite3 *db, const char *sql, struct error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error_set(err, ERROR_STORE, "", "%s", msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int auth_login_set_mentor(struct store *store, int64_t mentor_id, const char *login, int64_t now,
			  int64_t *id_out, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (id_out != NULL)
		*id_out = 0;
	/* A savepoint, not BEGIN: the caller may have a transaction open. */
	if (exec(db, "SAVEPOINT auth_login", err) != 0)
		return -1;
	if ((stmt = store_statement(store,
				    "UPDATE tokens SET revoked_at = ?2 WHERE mentor_id = ?1"
				    " AND login IS NOT NULL AND revoked_at IS NULL",
				    err)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, mentor_id);
	sqlite3_bind_int64(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		error_set(err, ERROR_STORE, "", "%s", sqlite3_errmsg(db));
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	if (login != NULL && login[0] != '\0' &&
	    auth_login_add(store, NULL, "mentor", mentor_id, login, now, id_out, err) != 0)
		goto fail;
	if (exec(db, "RELEASE auth_login", err) != 0)
		goto fail;
	return 0;

fail:
	exec(db, "ROLLBACK TO auth_login", NULL);
	exec(db, "RELEASE auth_login", NULL);
	return -1;
}

static const char identity_sql[] =
	"SELECT t.id, t.role, t.mentor_id, t.name FROM tokens t"
	" LEFT JOIN mentors m ON m.id = t.mentor_id"
	" WHERE t.id = ?1 AND t.revoked_at IS NULL AND (t.role <> 'mentor' OR m.active = 1)";

/* Logins compare without regard to ASCII case, as the unique index does:
 * single sign-on systems do not agree on the case of a user name. */
static const char login_sql[] = "SELECT t.id, t.role, t.mentor_id, t.name FROM tokens t"
				" LEFT JOIN mentors m ON m.id = t.mentor_id"
				" WHERE t.login = ?1 COLLATE NOCASE AND t.revoked_at IS NULL"
				" AND (t.role <> 'mentor' OR m.active = 1)";

/* One identity by the first parameter of sql; -1 when there is none. */
static int identity_by(struct store *store, const char *sql, int64_t id, const char *text,
		       struct auth_identity *who)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(who, 0, sizeof *who);
	if ((stmt = store_statement(store, sql, NULL)) == NULL)
		return -1;
	if (text != NULL)
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		who->token_id = sqlite3_column_int64(stmt, 0);
		who->role = role_of((const char *)sqlite3_column_text(stmt, 1));
		who->mentor_id = sqlite3_column_int64(stmt, 2);
		snprintf(who->name, sizeof who->name, "%s",
			 (const char *)sqlite3_column_text(stmt, 3));
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_ROW && who->role != AUTH_NONE ? 0 : -1;
}

int auth_token_identity(struct store *store, int64_t token_id, struct auth_identity *who)
{
	return identity_by(store, identity_sql, token_id, NULL, who);
}

int auth_login_check(struct store *store, const char *login, struct auth_identity *who)
{
	if (!auth_login_valid(login)) {
		memset(who, 0, sizeof *who);
		return -1;
	}
	return identity_by(store, login_sql, 0, login, who);
}

int auth_token_revoke(struct store *store, int64_t id, int64_t now, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	int rc;

	if ((stmt = store_statement(
		     store,
		     "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
		     err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	rc = run(stmt, db, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc == 0 && sqlite3_changes(db) == 0)
		return error_set(err, ERROR_NOT_FOUND, "", "no active token with id %lld",
				 (long long)id);
	return rc;
}

int auth_token_list(struct store *store, FILE *out, int as_json, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	json_t *list = json_array();
	int rc;

	if ((stmt = store_statement(
		     store,
		     "SELECT id, name, role, mentor_id, created_at, revoked_at, login"
		     " FROM tokens ORDER BY id",
		     err)) == NULL) {
		json_decref(list);
		return -1;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		json_t *row = json_pack("{s:I, s:s, s:s, s:o, s:I, s:b, s:s?}", "id",
					(json_int_t)sqlite3_column_int64(stmt, 0), "name",
					(const char *)sqlite3_column_text(stmt, 1), "role",
					(const char *)sqlite3_column_text(stmt, 2), "mentor_id",
					sqlite3_column_type(stmt, 3) == SQLITE_NULL
						? json_null()
						: json_integer(sqlite3_column_int64(stmt, 3)),
					"created_at", (json_int_t)sqlite3_column_int64(stmt, 4),
					"revoked", sqlite3_column_type(stmt, 5) != SQLITE_NULL,
					"login", (const char *)sqlite3_column_text(stmt, 6));
		json_array_append_new(list, row);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return error_set(err, ERROR_STORE, "", "%s", sqlite3_errmsg(db));
	}
	if (as_json) {
		json_dumpf(list, out, JSON_INDENT(2));
		fputc('\n', out);
	} else {
		size_t i;
		json_t *row;
		fprintf(out, "%-5s %-12s %-8s %-20s %-8s %s\n", "ID", "ROLE", "MENTOR", "NAME",
			"STATE", "LOGIN");
		json_array_foreach (list, i, row) {
			json_t *mentor = json_object_get(row, "mentor_id");
			char mentor_text[24] = "-";
			if (!json_is_null(mentor))
				snprintf(mentor_text, sizeof mentor_text, "%lld",
					 (long long)json_integer_value(mentor));
			json_t *login = json_object_get(row, "login");
			fprintf(out, "%-5lld %-12s %-8s %-20s %-8s %s\n",
				(long long)json_integer_value(json_object_get(row, "id")),
				json_string_value(json_object_get(row, "role")), mentor_text,
				json_string_value(json_object_get(row, "name")),
				json_is_true(json_object_get(row, "revoked")) ? "revoked"
									      : "active",
				json_is_string(login) ? json_string_value(login) : "-");
		}
	}
	json_decref(list);
	return 0;
}
