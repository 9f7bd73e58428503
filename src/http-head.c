/*
 * http-head.c - strict request-head parsing (http-head.h).
 */
#include "http-head.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 §5.6.2: tchar. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A field value's characters: VCHAR, obs-text, SP and HTAB. */
static bool is_value_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

static int refuse(struct http_head_error *err, int status, const char *detail)
{
	err->status = status;
	err->detail = detail;
	return -1;
}

size_t http_head_end(const char *buf, size_t len, size_t *scanned)
{
	size_t i = *scanned;

	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
		if (i + 2 >= len)
			break; /* look at this line feed again once more has come */
	}
	*scanned = i;
	return 0;
}

static const struct {
	const char *name;
	enum evhttp_cmd_type method;
} methods[] = {
	{"GET", EVHTTP_REQ_GET}, {"HEAD", EVHTTP_REQ_HEAD},   {"POST", EVHTTP_REQ_POST},
	{"PUT", EVHTTP_REQ_PUT}, {"PATCH", EVHTTP_REQ_PATCH}, {"DELETE", EVHTTP_REQ_DELETE},
};

static int parse_request_line(char *line, struct http_head *head, struct http_head_error *err)
{
	char *target, *version;
	size_t i;

	target = strchr(line, ' ');
	if (target == NULL || target == line)
		return refuse(err, 400, "The request line is not METHOD target HTTP/1.1.");
	*target++ = '\0';
	version = strchr(target, ' ');
	if (version == NULL || version == target || strchr(version + 1, ' ') != NULL)
		return refuse(err, 400, "The request line is not METHOD target HTTP/1.1.");
	*version++ = '\0';
	for (const char *p = line; *p != '\0'; p++)
		if (!is_tchar((unsigned char)*p))
			return refuse(err, 400, "The method is not a token.");
	if (strcmp(version, "HTTP/1.1") == 0)
		head->minor = 1;
	else if (strcmp(version, "HTTP/1.0") == 0)
		head->minor = 0;
	else if (strncmp(version, "HTTP/", 5) == 0 && version[5] >= '0' && version[5] <= '9' &&
		 version[6] == '.' && version[7] >= '0' && version[7] <= '9' && version[8] == '\0')
		return refuse(err, 505, "Only HTTP/1.1 and HTTP/1.0 are supported.");
	else
		return refuse(err, 400, "The request line is not METHOD target HTTP/1.1.");
	head->method_name = line;
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(line, methods[i].name) == 0)
			break;
	if (i == sizeof methods / sizeof methods[0])
		return refuse(err, 501, "This server does not implement that method.");
	head->method = methods[i].method;
	/* origin-form, or the absolute-form a server must also accept */
	for (const char *p = target; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return refuse(err, 400, "The request target has a character it may not.");
	if (target[0] != '/' && strncasecmp(target, "http://", 7) != 0 &&
	    strncasecmp(target, "https://", 8) != 0)
		return refuse(err, 400, "The request target is not a path.");
	head->target = target;
	return 0;
}

static int parse_field(char *line, struct http_head *head, struct http_head_error *err)
{
	char *colon = line, *value, *end;

	if (line[0] == ' ' || line[0] == '\t')
		return refuse(err, 400,
			      "A header line is folded onto the previous one (obs-fold).");
	while (is_tchar((unsigned char)*colon))
		colon++;
	if (*colon != ':' || colon == line)
		return refuse(err, 400,
			      "A header name has a character it may not (such as a space before "
			      "the colon).");
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (const char *p = value; *p != '\0'; p++)
		if (!is_value_char((unsigned char)*p))
			return refuse(err, 400, "A header value has a control character.");
	if (head->field_count == HTTP_HEAD_MAX_FIELDS)
		return refuse(err, 431, "The request has too many header fields.");
	head->fields[head->field_count].name = line;
	head->fields[head->field_count].value = value;
	head->field_count++;
	return 0;
}

static size_t field_count(const struct http_head *head, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < head->field_count; i++)
		n += strcasecmp(head->fields[i].name, name) == 0;
	return n;
}

/* Content-Length, Transfer-Encoding, Host and Expect: what decides where
 * the request ends and whether its body is sent at all. */
static int check_framing(struct http_head *head, struct http_head_error *err)
{
	const char *length = http_head_field(head, "Content-Length");
	const char *coding = http_head_field(head, "Transfer-Encoding");
	const char *expect = http_head_field(head, "Expect");

	if (field_count(head, "Content-Length") > 1)
		return refuse(err, 400, "The request has more than one Content-Length.");
	if (field_count(head, "Transfer-Encoding") > 1)
		return refuse(err, 400, "The request has more than one Transfer-Encoding.");
	if (length != NULL && coding != NULL)
		return refuse(err, 400,
			      "The request has both Content-Length and Transfer-Encoding.");
	if (length != NULL) {
		size_t digits = strspn(length, "0123456789");
		if (digits == 0 || length[digits] != '\0' || digits > 18)
			return refuse(err, 400, "Content-Length is not a number of bytes.");
		head->has_length = true;
		head->length = 0;
		for (size_t i = 0; i < digits; i++)
			head->length = head->length * 10 + (uint64_t)(length[i] - '0');
	}
	if (coding != NULL) {
		if (strcasecmp(coding, "chunked") != 0)
			return refuse(err, 400,
				      "Transfer-Encoding must be chunked alone; nothing else is "
				      "supported.");
		if (head->minor == 0)
			return refuse(err, 400, "HTTP/1.0 has no Transfer-Encoding.");
		head->chunked = true;
	}
	if (head->method == EVHTTP_REQ_HEAD && (head->chunked || head->length > 0))
		return refuse(err, 400, "A HEAD request has no body.");
	if (head->minor == 1 && field_count(head, "Host") != 1)
		return refuse(err, 400, "An HTTP/1.1 request has exactly one Host.");
	if (head->minor == 0 && field_count(head, "Host") > 1)
		return refuse(err, 400, "The request has more than one Host.");
	if (expect != NULL) {
		if (field_count(head, "Expect") > 1 || strcasecmp(expect, "100-continue") != 0)
			return refuse(err, 417, "Only Expect: 100-continue is supported.");
		head->expect_continue = head->minor == 1;
	}
	return 0;
}

int http_head_parse(char *text, size_t len, struct http_head *head, struct http_head_error *err)
{
	char *line = text, *end = text + len;
	bool first = true, ended = false;

	memset(head, 0, sizeof *head);
	while (line < end) {
		char *lf = memchr(line, '\n', (size_t)(end - line));
		size_t n;

		if (lf == NULL)
			return refuse(err, 400,
				      "The request head does not end with an empty line.");
		*lf = '\0';
		n = (size_t)(lf - line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		/* What is left must be one line: a CR or NUL inside it is read as
		 * a line end by some parsers and not by others. */
		if (strlen(line) != n || memchr(line, '\r', n) != NULL)
			return refuse(err, 400, "The request head has a bare CR or a NUL.");
		if (n == 0) {
			ended = true;
			break;
		}
		if (first ? parse_request_line(line, head, err) != 0
			  : parse_field(line, head, err) != 0)
			return -1;
		first = false;
		line = lf + 1;
	}
	if (first || !ended)
		return refuse(err, 400,
			      "The request head is empty or does not end with an empty line.");
	return check_framing(head, err);
}

const char *http_head_field(const struct http_head *head, const char *name)
{
	for (size_t i = 0; i < head->field_count; i++)
		if (strcasecmp(head->fields[i].name, name) == 0)
			return head->fields[i].value;
	return NULL;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_token(const char *p)
{
	while (is_tchar((unsigned char)*p))
		p++;
	return p;
}

/* media-type = type "/" subtype parameters; parameters = *( OWS ";" OWS
 * [ parameter ] ); parameter = token "=" ( token / quoted-string ). */
bool http_media_type_is_json(const char *value)
{
	return http_media_type_is(value, "application/json");
}

bool http_media_type_is(const char *value, const char *type)
{
	const char *p, *name, *name_end, *v;
	size_t type_len = strlen(type);
	char quoted[32];
	size_t qlen;

	if (value == NULL)
		return false;
	p = skip_ows(value);
	if (strncasecmp(p, type, type_len) != 0)
		return false;
	p += type_len;
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			return true;
		if (*p++ != ';')
			return false; /* "application/jsonx", "application/json x" */
		p = skip_ows(p);
		if (*p == '\0' || *p == ';')
			continue;
		name = p;
		name_end = p = skip_token(p);
		if (name_end == name || *p++ != '=')
			return false;
		if (*p == '"') {
			qlen = 0;
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\0' || (unsigned char)*p < 0x20 || *p == 0x7f)
					return false;
				if (qlen + 1 < sizeof quoted)
					quoted[qlen++] = *p;
			}
			p++;
			quoted[qlen] = '\0';
			v = quoted;
		} else {
			v = p;
			p = skip_token(p);
			if (p == v)
				return false;
			qlen = (size_t)(p - v);
		}
		/* JSON is UTF-8 (RFC 8259 §8.1): a charset may only say so. */
		if ((size_t)(name_end - name) == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    !(qlen == 5 && strncasecmp(v, "utf-8", 5) == 0))
			return false;
	}
}

const char *http_status_title(int status)
{
	static const struct {
		int status;
		const char *title;
	} titles[] = {
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{408, "Request Timeout"},
		{411, "Length Required"},
		{413, "Content Too Large"},
		{415, "Unsupported Media Type"},
		{417, "Expectation Failed"},
		{431, "Request Header Fields Too Large"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{503, "Service Unavailable"},
		{505, "HTTP Version Not Supported"},
	};

	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		if (titles[i].status == status)
			return titles[i].title;
	return "Error";
}
