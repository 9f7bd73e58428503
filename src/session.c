/*
 * session.c - sessions of the page (session.h).
 */
#include "session.h"

#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sha256.h"
#include "sql.h"
#include "store.h"

#define SESSION_PREFIX "mts_"
#define SESSION_PREFIX_LEN 4
#define SESSION_RANDOM_BYTES 32
#define SESSION_B64_LEN 43 /* 256 bits in base64url without padding */
/* Domain separation: the CSRF token is a hash of the cookie under this
 * prefix, the stored hash one without, so neither is the other. */
#define SESSION_CSRF_DOMAIN "mentord csrf token\n"

static const char insert_sql[] =
	"INSERT INTO sessions (hash, token_id, created_at, seen_at) VALUES (?1, ?2, ?3, ?3)";
static const char find_sql[] =
	"SELECT id, token_id, created_at, seen_at FROM sessions WHERE hash = ?1";
static const char touch_sql[] = "UPDATE sessions SET seen_at = ?2 WHERE id = ?1 AND seen_at < ?2";
static const char end_sql[] = "DELETE FROM sessions WHERE id = ?1";
static const char end_mentor_sql[] =
	"DELETE FROM sessions WHERE token_id IN (SELECT id FROM tokens WHERE mentor_id = ?1)";
/* The table holds the sessions of a day: a scan is cheaper than keeping
 * indexes on both times up to date. */
static const char purge_sql[] =
	"DELETE FROM sessions WHERE created_at <= ?1 OR seen_at <= ?2"
	" OR token_id IN (SELECT id FROM tokens WHERE revoked_at IS NOT NULL)";

/* base64url without padding of len bytes; out has room for the text. */
static void base64url(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned int bits = 0, acc = 0;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			out[n++] = alphabet[(acc >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits > 0)
		out[n++] = alphabet[(acc << (6 - bits)) & 63];
	out[n] = '\0';
}

static bool is_b64url(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
			   s[i]) == NULL ||
		    s[i] == '\0')
			return false;
	return true;
}

static int fail_db(struct store *store, sqlite3_stmt *stmt, const char *what, struct error *err)
{
	sql_error(err, store_db(store), what);
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
	return -1;
}

/* Run a cached statement to its end; bindings are the caller's. */
static int run(struct store *store, sqlite3_stmt *stmt, const char *what, struct error *err)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return fail_db(store, stmt, what, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return 0;
}

int session_purge(struct store *store, time_t now, const struct session_limits *limits,
		  struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, purge_sql, err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)(now - limits->max_s));
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(now - limits->idle_s));
	return run(store, stmt, "purging sessions", err);
}

int session_create(struct store *store, int64_t token_id, time_t now,
		   const struct session_limits *limits, char secret[SESSION_SECRET_LEN],
		   int64_t *id_out, struct error *err)
{
	unsigned char raw[SESSION_RANDOM_BYTES], hash[SHA256_LEN];
	sqlite3_stmt *stmt;

	if (session_purge(store, now, limits, err) != 0)
		return -1;
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return error_set(err, ERROR_STORE, "", "no randomness for a session");
	memcpy(secret, SESSION_PREFIX, SESSION_PREFIX_LEN);
	base64url(raw, sizeof raw, secret + SESSION_PREFIX_LEN);
	explicit_bzero(raw, sizeof raw);
	sha256(secret, strlen(secret), hash);
	if ((stmt = store_statement(store, insert_sql, err)) == NULL)
		goto fail;
	sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, token_id);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	if (run(store, stmt, "adding a session", err) != 0)
		goto fail;
	if (id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(store_db(store));
	return 0;

fail:
	explicit_bzero(secret, SESSION_SECRET_LEN);
	return -1;
}

static void deadlines(struct session *s, const struct session_limits *limits)
{
	s->ends_at = s->created_at + limits->max_s;
	s->idle_ends_at = s->seen_at + limits->idle_s;
	if (s->idle_ends_at > s->ends_at)
		s->idle_ends_at = s->ends_at;
}

int session_check(struct store *store, const char *secret, time_t now,
		  const struct session_limits *limits, struct session *out)
{
	unsigned char hash[SHA256_LEN];
	sqlite3_stmt *stmt;
	int64_t token_id = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (secret == NULL || strlen(secret) != SESSION_PREFIX_LEN + SESSION_B64_LEN)
		return -1;
	if ((stmt = store_statement(store, find_sql, NULL)) == NULL)
		return -1;
	/* Looked up by its hash through the unique index: the lookup's
	 * timing depends on the hash, which a guesser cannot steer. */
	sha256(secret, strlen(secret), hash);
	sqlite3_bind_blob(stmt, 1, hash, sizeof hash, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(stmt, 0);
		token_id = sqlite3_column_int64(stmt, 1);
		out->created_at = (time_t)sqlite3_column_int64(stmt, 2);
		out->seen_at = (time_t)sqlite3_column_int64(stmt, 3);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW)
		return -1;
	deadlines(out, limits);
	if (now >= out->idle_ends_at || auth_token_identity(store, token_id, &out->who) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

bool session_stale(const struct session *s, time_t now)
{
	return now - s->seen_at >= SESSION_TOUCH_S;
}

void session_used(struct session *s, time_t now, const struct session_limits *limits)
{
	s->seen_at = now;
	deadlines(s, limits);
}

int session_touch(struct store *store, int64_t id, time_t now, struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, touch_sql, err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)now);
	return run(store, stmt, "refreshing a session", err);
}

int session_end(struct store *store, int64_t id, struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, end_sql, err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	return run(store, stmt, "ending a session", err);
}

int session_end_mentor(struct store *store, int64_t mentor_id, struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, end_mentor_sql, err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, mentor_id);
	return run(store, stmt, "ending a mentor's sessions", err);
}

void session_csrf(const char *secret, char out[SESSION_CSRF_LEN])
{
	static const char domain[] = SESSION_CSRF_DOMAIN;
	char buf[sizeof domain + SESSION_SECRET_LEN];
	unsigned char hash[SHA256_LEN];
	size_t len = strlen(secret);

	if (len >= SESSION_SECRET_LEN)
		len = SESSION_SECRET_LEN - 1;
	memcpy(buf, domain, sizeof domain - 1);
	memcpy(buf + sizeof domain - 1, secret, len);
	sha256(buf, sizeof domain - 1 + len, hash);
	explicit_bzero(buf, sizeof buf);
	base64url(hash, sizeof hash, out);
}

bool session_csrf_valid(const char *secret, const char *given)
{
	char want[SESSION_CSRF_LEN];
	bool ok;

	if (secret == NULL || given == NULL || strlen(given) != SESSION_B64_LEN)
		return false;
	session_csrf(secret, want);
	ok = CRYPTO_memcmp(want, given, SESSION_B64_LEN) == 0;
	explicit_bzero(want, sizeof want);
	return ok;
}

int session_cookie(const char *header, char out[SESSION_SECRET_LEN])
{
	static const char name[] = SESSION_COOKIE "=";
	const size_t want = SESSION_PREFIX_LEN + SESSION_B64_LEN;
	const char *p = header;

	out[0] = '\0';
	/* RFC 6265 5.4: "name=value" pairs separated by "; ". The first
	 * pair of the right name and shape wins; others are ignored. */
	while (p != NULL && *p != '\0') {
		const char *end;
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == sizeof name - 1 + want && strncmp(p, name, sizeof name - 1) == 0 &&
		    strncmp(p + sizeof name - 1, SESSION_PREFIX, SESSION_PREFIX_LEN) == 0 &&
		    is_b64url(p + sizeof name - 1 + SESSION_PREFIX_LEN, SESSION_B64_LEN)) {
			memcpy(out, p + sizeof name - 1, want);
			out[want] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}
