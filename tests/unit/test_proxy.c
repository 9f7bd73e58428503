/*
 * test_proxy.c - the client address of a request: X-Forwarded-For is read
 * only from a trusted proxy, from the right, and ignored whole when
 * malformed; trusted addresses and networks parse strictly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <cmocka.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "proxy.h"

/* A trust list of the given entries, each of which must parse. */
static struct proxy_trust trust_of(const char *const *entries)
{
	struct proxy_trust t = {0};

	for (; *entries != NULL; entries++)
		if (proxy_trust_add(&t, *entries) != 0)
			fail_msg("trusted entry \"%s\" refused", *entries);
	return t;
}

static const char *const local[] = {"127.0.0.1", "::1", NULL};
static const char *const chain[] = {"127.0.0.1", "10.0.0.0/8", "fd00::/8", NULL};

static void expect_client(const struct proxy_trust *t, const char *peer, const char *xff,
			  const char *want)
{
	char out[PROXY_ADDRESS_LEN];

	memset(out, 'x', sizeof out);
	proxy_client_address(t, peer, xff, out);
	if (strcmp(out, want) != 0)
		fail_msg("peer %s, X-Forwarded-For \"%s\": got \"%s\", want \"%s\"",
			 peer ? peer : "(none)", xff ? xff : "(none)", out, want);
}

static void test_untrusted_peer_header_ignored(void **state)
{
	struct proxy_trust t = trust_of(local), none = {0};

	(void)state;
	/* A client talking to mentord directly chooses its header freely. */
	expect_client(&t, "192.0.2.10", "203.0.113.7", "192.0.2.10");
	expect_client(&t, "192.0.2.10", "127.0.0.1", "192.0.2.10");
	/* Nothing configured (the default): not even loopback is trusted. */
	expect_client(&none, "127.0.0.1", "203.0.113.7", "127.0.0.1");
	expect_client(NULL, "::1", "203.0.113.7", "::1");
	/* A trusted peer without the header is itself the client. */
	expect_client(&t, "127.0.0.1", NULL, "127.0.0.1");
}

static void test_trusted_peer_rightmost_untrusted(void **state)
{
	struct proxy_trust t = trust_of(local), c = trust_of(chain);

	(void)state;
	expect_client(&t, "127.0.0.1", "203.0.113.7", "203.0.113.7");
	expect_client(&t, "::1", "2001:db8::7", "2001:db8::7");
	/* Left of the proxy's own entry is what the client sent: ignored. */
	expect_client(&t, "127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7");
	/* Through two trusted proxies: skip them from the right. */
	expect_client(&c, "127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7");
	expect_client(&c, "10.9.9.9", "203.0.113.7,10.1.2.3,127.0.0.1", "203.0.113.7");
	expect_client(&c, "127.0.0.1", "2001:db8::5, fd12::1", "2001:db8::5");
	/* Only proxies in the list: the left-most is the nearest to a client. */
	expect_client(&c, "127.0.0.1", "10.0.0.5, 10.0.0.6", "10.0.0.5");
	/* Optional whitespace around entries, tabs included. */
	expect_client(&t, "127.0.0.1", " 198.51.100.1 ,\t203.0.113.7\t", "203.0.113.7");
}

static void test_malformed_header_gives_peer(void **state)
{
	static const char *const bad[] = {
		"", " ", ",", "203.0.113.7,", ",203.0.113.7", "203.0.113.7,,10.0.0.1",
		"unknown", "203.0.113.7:443", "[2001:db8::7]", "[2001:db8::7]:443",
		"203.0.113.7/32", "client.example.org", "203.0.113.7 198.51.100.1",
		"garbage, 203.0.113.7", "203.0.113.256", "fe80::1%eth0", "_hidden",
		"203.0.113.7;for=x", NULL,
	};
	struct proxy_trust t = trust_of(local);

	(void)state;
	for (const char *const *b = bad; *b != NULL; b++)
		expect_client(&t, "127.0.0.1", *b, "127.0.0.1");
	/* An address longer than any address. */
	expect_client(&t, "127.0.0.1",
		      "0000000000000000000000000000000000000000000000000000000000000000000001",
		      "127.0.0.1");
}

static void test_canonical_forms(void **state)
{
	struct proxy_trust t = trust_of(local);

	(void)state;
	/* A dual-stack socket's peer: the IPv4 address it maps, trusted as
	 * 127.0.0.1 and recorded as such. */
	expect_client(&t, "::ffff:127.0.0.1", NULL, "127.0.0.1");
	expect_client(&t, "::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7");
	expect_client(&t, "127.0.0.1", "::FFFF:203.0.113.7", "203.0.113.7");
	expect_client(&t, "127.0.0.1", "2001:DB8:0:0:0:0:0:7", "2001:db8::7");
	expect_client(&t, "0:0:0:0:0:0:0:1", "203.0.113.7", "203.0.113.7");
	/* A peer that is no IP address (a Unix socket) has no address. */
	expect_client(&t, "/run/mentord.sock", "203.0.113.7", "");
	expect_client(&t, NULL, "203.0.113.7", "");
}

static void test_several_headers_are_one_list(void **state)
{
	struct proxy_trust t = trust_of(local);
	char out[PROXY_ADDRESS_LEN];
	struct evkeyvalq headers;

	(void)state;
	TAILQ_INIT(&headers);
	evhttp_add_header(&headers, "Host", "mentor.example.org");
	evhttp_add_header(&headers, "X-Forwarded-For", "198.51.100.1");
	evhttp_add_header(&headers, "x-forwarded-for", "203.0.113.7");
	proxy_headers_client(&t, "127.0.0.1", &headers, out);
	assert_string_equal(out, "203.0.113.7");
	proxy_headers_client(&t, "192.0.2.10", &headers, out);
	assert_string_equal(out, "192.0.2.10");
	evhttp_clear_headers(&headers);
	evhttp_add_header(&headers, "X-Forwarded-For", "203.0.113.7");
	evhttp_add_header(&headers, "X-Forwarded-For", "");
	proxy_headers_client(&t, "127.0.0.1", &headers, out);
	assert_string_equal(out, "127.0.0.1");
	evhttp_clear_headers(&headers);
	proxy_headers_client(&t, "127.0.0.1", &headers, out);
	assert_string_equal(out, "127.0.0.1");
}

static void test_trusted_entries_parse_strictly(void **state)
{
	static const char *const good[] = {
		"127.0.0.1", "::1", "10.0.0.0/8", "192.168.1.0/24", "fd00::/8",
		"0.0.0.0/0", "::/0", "203.0.113.7/32", "2001:db8::1/128", "::ffff:10.0.0.0/104",
		NULL,
	};
	static const char *const bad[] = {
		"", "localhost", "10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/",
		"10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/8 ", " 10.0.0.0/8", "10.0.0.0/0008",
		"/8", "10.0.0.0/8/8", "10.0.0", "::ffff:10.0.0.0/95", "fe80::1%lo", NULL,
	};
	struct proxy_trust t = {0};
	struct proxy_net net;

	(void)state;
	for (const char *const *g = good; *g != NULL; g++)
		if (proxy_net_parse(*g, &net) != 0)
			fail_msg("\"%s\" refused", *g);
	for (const char *const *b = bad; *b != NULL; b++)
		if (proxy_net_parse(*b, &net) == 0)
			fail_msg("\"%s\" accepted", *b);
	for (int i = 0; i < PROXY_MAX_TRUSTED; i++)
		assert_int_equal(proxy_trust_add(&t, "127.0.0.1"), 0);
	assert_int_equal(proxy_trust_add(&t, "127.0.0.1"), -1);
	assert_int_equal(t.count, PROXY_MAX_TRUSTED);
}

static void test_networks_match_by_prefix(void **state)
{
	static const char *const nets[] = {"10.0.0.0/8", "192.168.4.0/22", "fd00::/8", NULL};
	struct proxy_trust t = trust_of(nets);

	(void)state;
	expect_client(&t, "10.255.1.2", "203.0.113.7", "203.0.113.7");
	expect_client(&t, "11.0.0.1", "203.0.113.7", "11.0.0.1");
	expect_client(&t, "192.168.7.255", "203.0.113.7", "203.0.113.7");
	expect_client(&t, "192.168.8.0", "203.0.113.7", "192.168.8.0");
	expect_client(&t, "fdff::1", "203.0.113.7", "203.0.113.7");
	expect_client(&t, "fe00::1", "203.0.113.7", "fe00::1");
	/* A mapped peer is IPv4 and matches IPv4 networks only. */
	expect_client(&t, "::ffff:10.1.1.1", "203.0.113.7", "203.0.113.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untrusted_peer_header_ignored),
		cmocka_unit_test(test_trusted_peer_rightmost_untrusted),
		cmocka_unit_test(test_malformed_header_gives_peer),
		cmocka_unit_test(test_canonical_forms),
		cmocka_unit_test(test_several_headers_are_one_list),
		cmocka_unit_test(test_trusted_entries_parse_strictly),
		cmocka_unit_test(test_networks_match_by_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
