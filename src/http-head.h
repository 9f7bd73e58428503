/*
 * http-head.h - a strict reader of HTTP/1.1 request heads (RFC 9112).
 *
 * A request's framing must mean the same to every parser on its way, or a
 * proxy in front and the daemon behind it disagree on where one request
 * ends and the next begins (request smuggling). evhttp's own parser is
 * lenient: it folds obs-fold lines into the previous field, ignores space
 * before the colon, takes the first of two Content-Length fields and reads
 * "+5" as 5. So every head is read here first, and anything that a lenient
 * parser could read differently is refused.
 *
 * Contract:
 *  - http_head_end() finds the end of a head (the empty line) in what has
 *    arrived so far; *scanned carries how far earlier calls got, so bytes
 *    arriving one at a time are not searched again and again.
 *  - http_head_parse() reads a complete head in place (it writes NULs into
 *    text, which must hold len bytes and a NUL after them) and returns 0,
 *    or -1 with the status to answer and a detail naming what was wrong:
 *      400  a request line that is not METHOD SP target SP HTTP/1.x; a
 *           field name with anything but token characters (space before
 *           the colon included); an obs-fold line; a bare CR, NUL or other
 *           control character; more than one Content-Length or one that is
 *           not only digits; more than one Transfer-Encoding, one other
 *           than a lone "chunked", or one with Content-Length, or in
 *           HTTP/1.0; no Host, or more than one, in HTTP/1.1; a HEAD with a
 *           body (evhttp would read its body as the next request);
 *      417  an Expect other than 100-continue;
 *      431  more than HTTP_HEAD_MAX_FIELDS fields;
 *      501  a method other than GET, HEAD, POST, PUT, PATCH, DELETE;
 *      505  a version other than HTTP/1.0 and HTTP/1.1.
 *    Field values come back without leading and trailing whitespace.
 *  - After a successful parse the framing is exactly one of: no body,
 *    Content-Length digits (has_length), or a lone chunked (chunked).
 *  - http_media_type_is_json() reads a Content-Type value as RFC 9110
 *    §8.3.1 says: type and subtype compared without regard to case,
 *    parameters after ";" allowed, a charset only if it is UTF-8.
 *    http_media_type_is() does the same for another JSON type
 *    ("application/fhir+json"), given in lower case.
 *  - Nothing here allocates or logs.
 */
#ifndef MENTORD_HTTP_HEAD_H
#define MENTORD_HTTP_HEAD_H

#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX_FIELDS 100

struct http_head_field {
	const char *name;
	const char *value;
};

struct http_head {
	enum evhttp_cmd_type method; /* 0 when refused as unknown */
	const char *method_name;
	const char *target;
	int minor; /* HTTP/1.minor */
	struct http_head_field fields[HTTP_HEAD_MAX_FIELDS];
	size_t field_count;
	bool has_length;
	uint64_t length;
	bool chunked;
	bool expect_continue;
};

struct http_head_error {
	int status;
	const char *detail;
};

size_t http_head_end(const char *buf, size_t len, size_t *scanned);
int http_head_parse(char *text, size_t len, struct http_head *head, struct http_head_error *err);
/* The first field of that name (case-insensitive), or NULL. */
const char *http_head_field(const struct http_head *head, const char *name);

bool http_media_type_is_json(const char *value);
bool http_media_type_is(const char *value, const char *type);

/* The reason phrase of a status mentord answers ("Not Found"). */
const char *http_status_title(int status);

#endif
