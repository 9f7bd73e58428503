/*
 * test_session.c - unit tests for session.c and the login tokens of
 * auth.c it relies on: a session is valid until its idle timeout or its
 * lifetime, whichever comes first, only while its token is; the cookie is
 * stored hashed; the CSRF token is derived from it; the Cookie header is
 * read strictly. On a real SQLite file through store_open, so the
 * migrations are the daemon's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "sched-fixture.h"
#include "session.h"
#include "xmalloc.h"

#define T0 ((time_t)1790000000)
#define IDLE (30 * 60)
#define MAX (10 * 3600)

static const struct session_limits limits = {.idle_s = IDLE, .max_s = MAX};

static int64_t token(struct fx *fx, const char *role, int64_t mentor)
{
	char secret[AUTH_TOKEN_LEN];
	struct error err;
	int64_t id = 0;

	if (auth_token_add(fx->store, "t", role, mentor, T0, secret, &id, &err) != 0)
		fail_msg("auth_token_add: %s", err.message);
	return id;
}

static int64_t new_session(struct fx *fx, int64_t token_id, time_t now,
			   char secret[SESSION_SECRET_LEN])
{
	struct error err;
	int64_t id = 0;

	if (session_create(fx->store, token_id, now, &limits, secret, &id, &err) != 0)
		fail_msg("session_create: %s", err.message);
	assert_true(id > 0);
	return id;
}

static bool valid(struct fx *fx, const char *secret, time_t now)
{
	struct session s;

	return session_check(fx->store, secret, now, &limits, &s) == 0;
}

static void test_session_is_its_tokens_identity(void **state)
{
	struct fx *fx = *state;
	int64_t mentor = fx_mentor(fx, "Mette Ærø", MENTOR_MONDAY_TO_FRIDAY);
	int64_t tok = token(fx, "mentor", mentor);
	char secret[SESSION_SECRET_LEN], stored[80];
	struct session s;
	int64_t id = new_session(fx, tok, T0, secret);

	assert_int_equal(strlen(secret), 47);
	assert_memory_equal(secret, "mts_", 4);
	assert_int_equal(session_check(fx->store, secret, T0 + 5, &limits, &s), 0);
	assert_int_equal(s.id, id);
	assert_int_equal(s.who.token_id, tok);
	assert_int_equal(s.who.role, AUTH_MENTOR);
	assert_int_equal(s.who.mentor_id, mentor);
	assert_int_equal(s.created_at, T0);
	assert_int_equal(s.ends_at, T0 + MAX);
	assert_int_equal(s.idle_ends_at, T0 + IDLE);
	/* Only the hash is stored: nothing in the row is the cookie. */
	assert_int_equal(fx_int(fx, "SELECT length(hash) FROM sessions WHERE id = ?1", id), 32);
	fx_text(fx, "SELECT hex(hash) FROM sessions WHERE id = ?1", id, stored, sizeof stored);
	assert_null(strstr(stored, secret + 4));
	/* Another session of the same token is another cookie. */
	char other[SESSION_SECRET_LEN];
	new_session(fx, tok, T0, other);
	assert_string_not_equal(secret, other);
}

static void test_unknown_and_malformed_cookies_are_refused(void **state)
{
	struct fx *fx = *state;
	char secret[SESSION_SECRET_LEN];

	new_session(fx, token(fx, "admin", 0), T0, secret);
	assert_false(valid(fx, NULL, T0));
	assert_false(valid(fx, "", T0));
	assert_false(valid(fx, "mts_short", T0));
	secret[10] = secret[10] == 'A' ? 'B' : 'A';
	assert_false(valid(fx, secret, T0));
}

static void test_idle_timeout_and_touch(void **state)
{
	struct fx *fx = *state;
	char secret[SESSION_SECRET_LEN];
	struct error err;
	struct session s;
	int64_t id = new_session(fx, token(fx, "admin", 0), T0, secret);

	assert_true(valid(fx, secret, T0 + IDLE - 1));
	assert_false(valid(fx, secret, T0 + IDLE));
	/* Used a minute before the timeout: another full idle period. */
	assert_int_equal(session_check(fx->store, secret, T0 + IDLE - 60, &limits, &s), 0);
	assert_true(session_stale(&s, T0 + IDLE - 60));
	assert_false(session_stale(&s, T0 + SESSION_TOUCH_S - 1));
	assert_int_equal(session_touch(fx->store, id, T0 + IDLE - 60, &err), 0);
	assert_true(valid(fx, secret, T0 + 2 * IDLE - 61));
	assert_false(valid(fx, secret, T0 + 2 * IDLE - 60));
	/* A touch never moves the last use back (an older request's). */
	assert_int_equal(session_touch(fx->store, id, T0, &err), 0);
	assert_true(valid(fx, secret, T0 + 2 * IDLE - 61));
}

static void test_lifetime_ends_a_session_in_use(void **state)
{
	struct fx *fx = *state;
	char secret[SESSION_SECRET_LEN];
	struct error err;
	struct session s;
	int64_t id = new_session(fx, token(fx, "admin", 0), T0, secret);

	for (time_t t = T0 + 600; t < T0 + MAX; t += 600) {
		assert_true(valid(fx, secret, t));
		assert_int_equal(session_touch(fx->store, id, t, &err), 0);
	}
	assert_int_equal(session_check(fx->store, secret, T0 + MAX - 1, &limits, &s), 0);
	/* Near the end the idle end is the lifetime's. */
	assert_int_equal(s.idle_ends_at, T0 + MAX);
	assert_false(valid(fx, secret, T0 + MAX));
}

static void test_shorter_limits_apply_at_once(void **state)
{
	struct fx *fx = *state;
	const struct session_limits shorter = {.idle_s = 60, .max_s = 3600};
	char secret[SESSION_SECRET_LEN];
	struct session s;

	new_session(fx, token(fx, "admin", 0), T0, secret);
	assert_true(valid(fx, secret, T0 + 120));
	assert_int_equal(session_check(fx->store, secret, T0 + 120, &shorter, &s), -1);
}

static void test_revoked_token_or_inactive_mentor_ends_sessions(void **state)
{
	struct fx *fx = *state;
	int64_t mentor = fx_mentor(fx, "Bo Østergaard", MENTOR_MONDAY_TO_FRIDAY);
	int64_t admin = token(fx, "admin", 0), mine = token(fx, "mentor", mentor);
	char a[SESSION_SECRET_LEN], b[SESSION_SECRET_LEN], c[SESSION_SECRET_LEN];
	struct error err;

	new_session(fx, admin, T0, a);
	new_session(fx, admin, T0, b);
	new_session(fx, mine, T0, c);
	assert_int_equal(auth_token_revoke(fx->store, admin, T0 + 10, &err), 0);
	assert_false(valid(fx, a, T0 + 11));
	assert_false(valid(fx, b, T0 + 11));
	assert_true(valid(fx, c, T0 + 11));
	assert_int_equal(sqlite3_exec(store_db(fx->store),
				      "UPDATE mentors SET active = 0", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_false(valid(fx, c, T0 + 12));
}

static void test_end_and_purge(void **state)
{
	struct fx *fx = *state;
	int64_t admin = token(fx, "admin", 0), other = token(fx, "admin", 0);
	char a[SESSION_SECRET_LEN], b[SESSION_SECRET_LEN], c[SESSION_SECRET_LEN];
	char d[SESSION_SECRET_LEN];
	struct error err;
	int64_t ia = new_session(fx, admin, T0, a);

	new_session(fx, admin, T0 + IDLE / 2, b); /* idle by T0 + IDLE + IDLE / 2 */
	new_session(fx, other, T0 + IDLE, c);	  /* its token revoked below */
	assert_int_equal(session_end(fx->store, ia, &err), 0);
	assert_false(valid(fx, a, T0 + 1));
	assert_int_equal(session_end(fx->store, ia, &err), 0);
	assert_int_equal(auth_token_revoke(fx->store, other, T0 + IDLE, &err), 0);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM sessions", 0), 2);
	/* Creating a session purges those that are over. */
	new_session(fx, admin, T0 + IDLE + IDLE / 2, d);
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM sessions", 0), 1);
	assert_true(valid(fx, d, T0 + IDLE + IDLE / 2 + 1));
}

static void test_csrf_token(void **state)
{
	struct fx *fx = *state;
	char a[SESSION_SECRET_LEN], b[SESSION_SECRET_LEN];
	char ca[SESSION_CSRF_LEN], ca2[SESSION_CSRF_LEN], cb[SESSION_CSRF_LEN];
	int64_t admin = token(fx, "admin", 0);

	new_session(fx, admin, T0, a);
	new_session(fx, admin, T0, b);
	session_csrf(a, ca);
	session_csrf(a, ca2);
	session_csrf(b, cb);
	assert_int_equal(strlen(ca), 43);
	assert_string_equal(ca, ca2);
	assert_string_not_equal(ca, cb);
	assert_null(strstr(a, ca));
	assert_true(session_csrf_valid(a, ca));
	assert_false(session_csrf_valid(b, ca));
	assert_false(session_csrf_valid(a, NULL));
	assert_false(session_csrf_valid(a, ""));
	ca[0] = ca[0] == 'A' ? 'B' : 'A';
	assert_false(session_csrf_valid(a, ca));
}

static void test_cookie_header(void **state)
{
	static const char v[] = "mts_Kq0OG4_w1Jee76Yhiscmutfrv7i9mHR2fV7znup3CMQ";
	char out[SESSION_SECRET_LEN], header[256];

	(void)state;
	assert_int_equal(session_cookie(NULL, out), -1);
	assert_int_equal(session_cookie("", out), -1);
	snprintf(header, sizeof header, "mentord_session=%s", v);
	assert_int_equal(session_cookie(header, out), 0);
	assert_string_equal(out, v);
	snprintf(header, sizeof header, "theme=dark; mentord_session=%s ; lang=da", v);
	assert_int_equal(session_cookie(header, out), 0);
	assert_string_equal(out, v);
	/* Another cookie whose name ends the same is not it. */
	snprintf(header, sizeof header, "xmentord_session=%s", v);
	assert_int_equal(session_cookie(header, out), -1);
	/* A value of the wrong shape is skipped for a later good one. */
	snprintf(header, sizeof header, "mentord_session=mts_x; mentord_session=%s", v);
	assert_int_equal(session_cookie(header, out), 0);
	assert_string_equal(out, v);
	assert_int_equal(session_cookie("mentord_session=mtd_Kq0OG4_w1Jee76Yhiscmutfrv7i9mHR2fV7"
					"znup3CMQ",
					out),
			 -1);
	assert_int_equal(session_cookie("mentord_session=mts_Kq0OG4_w1Jee76Yhiscmutfrv7i9mHR2fV7"
					"znup3CM=",
					out),
			 -1);
	assert_int_equal(session_cookie("mentord_session=mts_Kq0OG4_w1Jee76Yhiscmutfrv7i9mHR2fV7"
					"znup3CMQQ",
					out),
			 -1);
}

static void test_logins(void **state)
{
	struct fx *fx = *state;
	int64_t m1 = fx_mentor(fx, "Mette", MENTOR_MONDAY_TO_FRIDAY);
	int64_t m2 = fx_mentor(fx, "Åse", MENTOR_MONDAY_TO_FRIDAY);
	struct auth_identity who;
	char *cause = NULL, secret[SESSION_SECRET_LEN];
	struct error err;
	int64_t id = 0, coord = 0, again = 0;

	assert_false(auth_login_valid(""));
	assert_false(auth_login_valid("two words"));
	assert_false(auth_login_valid("tab\there"));
	assert_true(auth_login_valid("mette@kommune.dk"));

	assert_int_equal(auth_login_set_mentor(fx->store, m1, "mette@kommune.dk", T0, &id, &err),
			 0);
	assert_true(id > 0);
	/* Case does not matter to a login. */
	assert_int_equal(auth_login_check(fx->store, "Mette@Kommune.DK", &who), 0);
	assert_int_equal(who.role, AUTH_MENTOR);
	assert_int_equal(who.mentor_id, m1);
	assert_int_equal(who.token_id, id);
	assert_int_equal(auth_login_check(fx->store, "nobody@kommune.dk", &who), -1);
	/* A login has no secret: no bearer token matches its row. */
	assert_int_equal(fx_int(fx, "SELECT count(*) FROM tokens WHERE login IS NOT NULL"
				    " AND name = 'mette@kommune.dk'",
				0),
			 1);

	/* An active login belongs to one token only. */
	assert_int_equal(auth_login_set_mentor(fx->store, m2, "METTE@kommune.dk", T0, &again,
					       &err),
			 -1);
	assert_non_null(strstr(err.message, "taken"));
	free(cause);
	cause = NULL;
	assert_int_equal(auth_login_add(fx->store, "coordinator", "admin", 0, "mette@kommune.dk",
					T0, &coord, &err),
			 -1);
	free(cause);
	cause = NULL;
	assert_int_equal(auth_login_add(fx->store, "coordinator", "admin", 0, "kim@kommune.dk",
					T0, &coord, &err),
			 0);
	assert_int_equal(auth_login_check(fx->store, "kim@kommune.dk", &who), 0);
	assert_int_equal(who.role, AUTH_ADMIN);

	/* A session from a login ends when the mentor gets another login. */
	new_session(fx, id, T0, secret);
	assert_true(valid(fx, secret, T0 + 1));
	assert_int_equal(auth_login_set_mentor(fx->store, m1, "mh@kommune.dk", T0 + 2, &again,
					       &err),
			 0);
	assert_false(valid(fx, secret, T0 + 3));
	assert_int_equal(auth_login_check(fx->store, "mette@kommune.dk", &who), -1);
	assert_int_equal(auth_login_check(fx->store, "mh@kommune.dk", &who), 0);
	/* ... and the old login is free again. */
	assert_int_equal(auth_login_set_mentor(fx->store, m2, "mette@kommune.dk", T0 + 3, &again,
					       &err),
			 0);
	/* No login: the mentor's is revoked, nothing new. */
	assert_int_equal(auth_login_set_mentor(fx->store, m1, "", T0 + 4, &again, &err), 0);
	assert_int_equal(again, 0);
	assert_int_equal(auth_login_check(fx->store, "mh@kommune.dk", &who), -1);
	/* A mentor who is not active signs in with no login. */
	assert_int_equal(sqlite3_exec(store_db(fx->store),
				      "UPDATE mentors SET active = 0", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(auth_login_check(fx->store, "mette@kommune.dk", &who), -1);
	assert_int_equal(auth_login_check(fx->store, "kim@kommune.dk", &who), 0);
	/* Nothing of it is for a mentor that does not exist. */
	assert_int_equal(auth_login_set_mentor(fx->store, 999, "ghost", T0, &again, &err), -1);
	free(cause);
}

#define SESSION_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SESSION_TEST(test_session_is_its_tokens_identity),
		SESSION_TEST(test_unknown_and_malformed_cookies_are_refused),
		SESSION_TEST(test_idle_timeout_and_touch),
		SESSION_TEST(test_lifetime_ends_a_session_in_use),
		SESSION_TEST(test_shorter_limits_apply_at_once),
		SESSION_TEST(test_revoked_token_or_inactive_mentor_ends_sessions),
		SESSION_TEST(test_end_and_purge),
		SESSION_TEST(test_csrf_token),
		SESSION_TEST(test_cookie_header),
		SESSION_TEST(test_logins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
