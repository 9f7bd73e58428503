/*
 * test_http_head.c - the strict request-head reader: every framing that a
 * lenient parser could read differently is refused with its status; what
 * is well-formed comes back with its framing; media types per RFC 9110.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http-head.h"

struct head_case {
	const char *scenario;
	const char *text;
	int status; /* 0: accepted */
};

#define GET "GET / HTTP/1.1\r\nHost: h\r\n"
#define POST "POST /v1/x HTTP/1.1\r\nHost: h\r\n"

static const struct head_case cases[] = {
	{"plain GET", GET "\r\n", 0},
	{"bare LF line ends", "GET / HTTP/1.1\nHost: h\n\n", 0},
	{"absolute-form target", "GET http://h/healthz HTTP/1.1\r\nHost: h\r\n\r\n", 0},
	{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 0},
	{"Content-Length", POST "Content-Length: 12\r\n\r\n", 0},
	{"Content-Length with OWS", POST "Content-Length: \t12 \r\n\r\n", 0},
	{"lone chunked, any case", POST "Transfer-Encoding: Chunked\r\n\r\n", 0},
	{"Expect: 100-continue", POST "Expect: 100-Continue\r\nContent-Length: 1\r\n\r\n", 0},
	{"HEAD with Content-Length: 0", "HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
	 0},
	{"two Content-Length, differing", POST "Content-Length: 0\r\nContent-Length: 5\r\n\r\n",
	 400},
	{"two Content-Length, equal", POST "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400},
	{"Content-Length as a list", POST "Content-Length: 5, 5\r\n\r\n", 400},
	{"Content-Length: +5", POST "Content-Length: +5\r\n\r\n", 400},
	{"Content-Length: -1", POST "Content-Length: -1\r\n\r\n", 400},
	{"Content-Length: 0x10", POST "Content-Length: 0x10\r\n\r\n", 400},
	{"Content-Length empty", POST "Content-Length:\r\n\r\n", 400},
	{"Content-Length of 19 digits", POST "Content-Length: 1000000000000000000\r\n\r\n", 400},
	{"space before the colon", POST "Transfer-Encoding : chunked\r\n\r\n", 400},
	{"tab before the colon", POST "Content-Length\t: 5\r\n\r\n", 400},
	{"obs-fold", POST "Transfer-Encoding:\r\n chunked\r\n\r\n", 400},
	{"obs-fold with a tab", POST "X-A: b\r\n\tc\r\n\r\n", 400},
	{"Transfer-Encoding and Content-Length",
	 POST "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
	{"two Transfer-Encoding",
	 POST "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"Transfer-Encoding: gzip, chunked", POST "Transfer-Encoding: gzip, chunked\r\n\r\n", 400},
	{"Transfer-Encoding: chunked, identity",
	 POST "Transfer-Encoding: chunked, identity\r\n\r\n", 400},
	{"Transfer-Encoding: xchunked", POST "Transfer-Encoding: xchunked\r\n\r\n", 400},
	{"Transfer-Encoding in HTTP/1.0",
	 "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"HEAD with a body", "HEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", 400},
	{"HEAD chunked", "HEAD / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"bare CR in a value", GET "X-A: b\rc\r\n\r\n", 400},
	{"bare CR ending a line", "GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", 400},
	{"control character in a value", GET "X-A: b\x01\r\n\r\n", 400},
	{"empty field name", GET ": b\r\n\r\n", 400},
	{"field without colon", GET "X-A b\r\n\r\n", 400},
	{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
	{"two Host", GET "Host: i\r\n\r\n", 400},
	{"space in the target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
	{"target not a path", "GET a HTTP/1.1\r\nHost: h\r\n\r\n", 400},
	{"two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
	{"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400},
	{"garbage", "GARBAGE\r\n\r\n", 400},
	{"empty request line", "\r\n\r\n", 400},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505},
	{"unknown method", "BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501},
	{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 501},
	{"lower-case method", "get / HTTP/1.1\r\nHost: h\r\n\r\n", 501},
	{"Expect: tea", GET "Expect: tea\r\n\r\n", 417},
};

static void test_head_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct head_case *c = &cases[i];
		size_t len = strlen(c->text);
		char *text = malloc(len + 1);
		struct http_head *head = malloc(sizeof *head);
		struct http_head_error err = {0, NULL};
		int r;

		memcpy(text, c->text, len + 1);
		r = http_head_parse(text, len, head, &err);
		if (c->status == 0 && r != 0)
			fail_msg("%s: refused with %d: %s", c->scenario, err.status, err.detail);
		if (c->status != 0 && (r == 0 || err.status != c->status))
			fail_msg("%s: got %d (status %d), want %d", c->scenario, r,
				 r == 0 ? 0 : err.status, c->status);
		free(head);
		free(text);
	}
}

static void test_head_framing(void **state)
{
	char text[] = "POST /v1/x?a=b HTTP/1.1\r\nHost: h\r\nX-Token:  two words \t\r\n"
		      "Content-Length: 0042\r\n\r\n";
	struct http_head head;
	struct http_head_error err;

	(void)state;
	assert_int_equal(http_head_parse(text, strlen(text), &head, &err), 0);
	assert_int_equal(head.method, EVHTTP_REQ_POST);
	assert_string_equal(head.target, "/v1/x?a=b");
	assert_int_equal(head.minor, 1);
	assert_true(head.has_length);
	assert_int_equal(head.length, 42);
	assert_false(head.chunked);
	assert_string_equal(http_head_field(&head, "x-token"), "two words");
	assert_null(http_head_field(&head, "Authorization"));
}

static void test_head_end(void **state)
{
	const char *full = "GET / HTTP/1.1\r\nHost: h\r\n\r\nbody";
	size_t scanned = 0;

	(void)state;
	/* Arriving a byte at a time, the end is found exactly once it is in. */
	for (size_t n = 0; n <= strlen(full); n++) {
		size_t end = http_head_end(full, n, &scanned);
		if (n < 27)
			assert_int_equal(end, 0);
		else
			assert_int_equal(end, 27);
		if (end != 0)
			scanned = 0;
	}
	scanned = 0;
	assert_int_equal(http_head_end("GET / HTTP/1.0\n\nrest", 20, &scanned), 16);
}

static void test_media_types(void **state)
{
	static const struct {
		const char *value;
		bool json;
	} types[] = {
		{"application/json", true},
		{"Application/JSON", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=UTF-8", true},
		{"application/json ; charset=\"utf-8\"", true},
		{"application/json; profile=x", true},
		{"application/json; charset=iso-8859-1", false},
		{"application/json; charset=\"latin1\"", false},
		{"application/jsonx", false},
		{"application/json-patch+json", false},
		{"application/json x", false},
		{"application/json; charset", false},
		{"text/json", false},
		{"", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (http_media_type_is_json(types[i].value) != types[i].json)
			fail_msg("'%s': want %s", types[i].value, types[i].json ? "JSON" : "not JSON");
	assert_false(http_media_type_is_json(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_cases),
		cmocka_unit_test(test_head_framing),
		cmocka_unit_test(test_head_end),
		cmocka_unit_test(test_media_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
