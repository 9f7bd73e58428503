/*
 * template.c - plain-text templates with named placeholders (template.h).
 *
 * A template is parsed once into a flat token list: text runs, values,
 * and section openings that know the index of their closing tag, so
 * rendering is one pass that jumps over a section whose test fails.
 */
#include "template.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "xmalloc.h"

#define TEMPLATE_MAX_DEPTH 8
#define TEMPLATE_MAX_HEADERS 8
#define TEMPLATE_MAX_HEADER_VALUE 500

enum token_kind {
	TOKEN_TEXT,
	TOKEN_VALUE,
	TOKEN_OPEN,
	TOKEN_CLOSE,
};

struct token {
	enum token_kind kind;
	size_t start, len; /* TOKEN_TEXT: a range of the body */
	char name[TEMPLATE_NAME_MAX + 1];
	bool inverted; /* TOKEN_OPEN: {{^name}} */
	size_t end;    /* TOKEN_OPEN: index of its TOKEN_CLOSE */
};

struct header {
	char *key;
	char *value;
};

struct template
{
	char *body;
	struct token *tokens;
	size_t ntokens;
	struct header headers[TEMPLATE_MAX_HEADERS];
	size_t nheaders;
};

struct template_set {
	char **names;
	struct template **templates;
	size_t n;
};

/* Where parsing failed: a line of the file and why. */
struct parse_error {
	int line;
	char message[256];
};

static int parse_fail(struct parse_error *pe, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parse_fail(struct parse_error *pe, int line, const char *fmt, ...)
{
	va_list ap;

	pe->line = line;
	va_start(ap, fmt);
	vsnprintf(pe->message, sizeof pe->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- UTF-8 and Danish dates ----------------------------------------------- */

bool template_utf8_valid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

void template_date_da(cal_day day, char buf[TEMPLATE_DATE_LEN])
{
	static const char *const weekdays[] = {"mandag", "tirsdag", "onsdag", "torsdag",
					       "fredag", "lørdag",  "søndag"};
	static const char *const months[] = {"januar",	  "februar", "marts",	 "april",
					     "maj",	  "juni",    "juli",	 "august",
					     "september", "oktober", "november", "december"};
	int y, m, d;

	cal_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, TEMPLATE_DATE_LEN, "%s den %d. %s %d", weekdays[cal_weekday(day) - 1], d,
		 months[m - 1], y);
}

/* --- parsing ----------------------------------------------------------------- */

static bool in_list(const char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int line_of(const char *text, size_t pos, int first_line)
{
	int line = first_line;

	for (size_t i = 0; i < pos; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* A copy with CRLF read as LF; any other control character is refused. */
static char *normalise(const char *text, size_t len, struct parse_error *pe)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;
	int line = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			free(out);
			parse_fail(pe, line, "control character 0x%02x", c);
			return NULL;
		}
		if (c == '\n')
			line++;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

static void header_add(struct template *t, const char *key, size_t keylen, const char *value,
		       size_t valuelen)
{
	struct header *h = &t->headers[t->nheaders++];

	h->key = xmalloc(keylen + 1);
	memcpy(h->key, key, keylen);
	h->key[keylen] = '\0';
	h->value = xmalloc(valuelen + 1);
	memcpy(h->value, value, valuelen);
	h->value[valuelen] = '\0';
}

/* The "key: value" lines up to the first blank line; *body_at is where
 * the body begins and *body_line its line number. */
static int parse_headers(struct template *t, const char *text, const struct template_spec *spec,
			 size_t *body_at, int *body_line, struct parse_error *pe)
{
	size_t pos = 0;
	int line = 1;

	for (;;) {
		const char *start = text + pos, *nl = strchr(start, '\n'), *colon, *v, *end;
		size_t keylen;

		if (*start == '\0')
			return parse_fail(pe, line,
					  "the headers must be followed by a blank line "
					  "and the body");
		end = nl != NULL ? nl : start + strlen(start);
		if (end == start)
			break;
		colon = memchr(start, ':', (size_t)(end - start));
		keylen = colon != NULL ? (size_t)(colon - start) : 0;
		if (keylen == 0 || strspn(start, "abcdefghijklmnopqrstuvwxyz_") != keylen)
			return parse_fail(pe, line,
					  "expected a header \"key: value\" (or a blank line "
					  "before the body)");
		for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		for (size_t i = 0; i < t->nheaders; i++)
			if (strlen(t->headers[i].key) == keylen &&
			    memcmp(t->headers[i].key, start, keylen) == 0)
				return parse_fail(pe, line, "header \"%.*s\" given twice",
						  (int)keylen, start);
		if (t->nheaders == TEMPLATE_MAX_HEADERS)
			return parse_fail(pe, line, "too many headers");
		header_add(t, start, keylen, v, (size_t)(end - v));
		if (!in_list(spec->headers, t->headers[t->nheaders - 1].key))
			return parse_fail(pe, line, "unknown header \"%s\"",
					  t->headers[t->nheaders - 1].key);
		if (t->headers[t->nheaders - 1].value[0] == '\0')
			return parse_fail(pe, line, "header \"%s\" is empty",
					  t->headers[t->nheaders - 1].key);
		if (strlen(t->headers[t->nheaders - 1].value) > TEMPLATE_MAX_HEADER_VALUE)
			return parse_fail(pe, line, "header \"%s\" is longer than %d bytes",
					  t->headers[t->nheaders - 1].key,
					  TEMPLATE_MAX_HEADER_VALUE);
		if (strstr(t->headers[t->nheaders - 1].value, "{{") != NULL)
			return parse_fail(pe, line,
					  "header \"%s\": placeholders are not allowed in headers",
					  t->headers[t->nheaders - 1].key);
		pos = (size_t)(nl - text) + 1;
		line++;
	}
	for (const char *const *h = spec->headers; h != NULL && *h != NULL; h++)
		if (template_header(t, *h) == NULL)
			return parse_fail(pe, 1, "the header \"%s:\" is missing", *h);
	*body_at = pos + 1;
	*body_line = line + 1;
	return 0;
}

static struct token *token_push(struct template *t, enum token_kind kind)
{
	struct token *tok;

	t->tokens = xrealloc(t->tokens, (t->ntokens + 1) * sizeof *t->tokens);
	tok = &t->tokens[t->ntokens++];
	memset(tok, 0, sizeof *tok);
	tok->kind = kind;
	return tok;
}

static void text_push(struct template *t, size_t start, size_t end)
{
	struct token *tok;

	if (end <= start)
		return;
	tok = token_push(t, TOKEN_TEXT);
	tok->start = start;
	tok->len = end - start;
}

/* Is the tag at [tag, tag_end) alone on its line (only blanks around it)?
 * Then *cut is where its line starts and *resume is after its newline. */
static bool standalone(const char *body, size_t text_start, size_t tag, size_t tag_end, size_t *cut,
		       size_t *resume)
{
	size_t line_start = tag, after = tag_end;

	while (line_start > 0 && body[line_start - 1] != '\n')
		line_start--;
	if (line_start < text_start)
		return false; /* another tag before it on this line */
	for (size_t i = line_start; i < tag; i++)
		if (body[i] != ' ' && body[i] != '\t')
			return false;
	while (body[after] == ' ' || body[after] == '\t')
		after++;
	if (body[after] != '\n' && body[after] != '\0')
		return false;
	*cut = line_start;
	*resume = body[after] == '\n' ? after + 1 : after;
	return true;
}

static int parse_tag(const char *inner, size_t len, enum token_kind *kind, bool *inverted,
		     char name[TEMPLATE_NAME_MAX + 1])
{
	size_t n;

	while (len > 0 && (*inner == ' ' || *inner == '\t')) {
		inner++;
		len--;
	}
	while (len > 0 && (inner[len - 1] == ' ' || inner[len - 1] == '\t'))
		len--;
	*kind = TOKEN_VALUE;
	*inverted = false;
	if (len > 0 && (*inner == '#' || *inner == '^' || *inner == '/')) {
		*kind = *inner == '/' ? TOKEN_CLOSE : TOKEN_OPEN;
		*inverted = *inner == '^';
		inner++;
		len--;
		while (len > 0 && (*inner == ' ' || *inner == '\t')) {
			inner++;
			len--;
		}
	}
	if (len == 0 || len > TEMPLATE_NAME_MAX || *inner < 'a' || *inner > 'z')
		return -1;
	n = 0;
	while (n < len && ((inner[n] >= 'a' && inner[n] <= 'z') ||
			   (inner[n] >= '0' && inner[n] <= '9') || inner[n] == '_'))
		n++;
	if (n != len)
		return -1;
	memcpy(name, inner, len);
	name[len] = '\0';
	return 0;
}

static int parse_body(struct template *t, const struct template_spec *spec, int first_line,
		      struct parse_error *pe)
{
	const char *body = t->body, *open;
	size_t stack[TEMPLATE_MAX_DEPTH], depth = 0, text_start = 0;

	while ((open = strstr(body + text_start, "{{")) != NULL) {
		size_t tag = (size_t)(open - body), tag_end, cut, resume;
		const char *close = strstr(open + 2, "}}");
		int line = line_of(body, tag, first_line);
		char name[TEMPLATE_NAME_MAX + 1];
		enum token_kind kind;
		struct token *tok;
		bool inverted;

		if (close == NULL)
			return parse_fail(pe, line, "\"{{\" without a closing \"}}\"");
		if (parse_tag(open + 2, (size_t)(close - open - 2), &kind, &inverted, name) != 0) {
			int shown = close - open + 2 > 60 ? 60 : (int)(close - open + 2);
			return parse_fail(pe, line,
					  "\"%.*s\" is not a placeholder: use {{name}}, {{#name}}, "
					  "{{^name}} or {{/name}} with name [a-z][a-z0-9_]*",
					  shown, open);
		}
		if (!in_list(spec->known, name))
			return parse_fail(pe, line, "unknown placeholder {{%s}} in %s", name,
					  spec->name);
		tag_end = (size_t)(close - body) + 2;
		if (kind != TOKEN_VALUE &&
		    standalone(body, text_start, tag, tag_end, &cut, &resume)) {
			text_push(t, text_start, cut);
			text_start = resume;
		} else {
			text_push(t, text_start, tag);
			text_start = tag_end;
		}
		if (kind == TOKEN_CLOSE) {
			if (depth == 0 || strcmp(t->tokens[stack[depth - 1]].name, name) != 0)
				return parse_fail(pe, line, "{{/%s}} closes no open {{#%s}}", name,
						  name);
			t->tokens[stack[--depth]].end = t->ntokens;
		} else if (kind == TOKEN_OPEN && depth == TEMPLATE_MAX_DEPTH) {
			return parse_fail(pe, line, "sections nest deeper than %d",
					  TEMPLATE_MAX_DEPTH);
		}
		tok = token_push(t, kind);
		snprintf(tok->name, sizeof tok->name, "%s", name);
		tok->inverted = inverted;
		if (kind == TOKEN_OPEN)
			stack[depth++] = t->ntokens - 1;
	}
	text_push(t, text_start, strlen(body));
	if (depth > 0)
		return parse_fail(pe, line_of(body, strlen(body), first_line),
				  "{{%c%s}} is never closed",
				  t->tokens[stack[depth - 1]].inverted ? '^' : '#',
				  t->tokens[stack[depth - 1]].name);
	for (const char *const *r = spec->required; r != NULL && *r != NULL; r++)
		if (!template_uses(t, *r))
			return parse_fail(pe, first_line, "%s must use the placeholder {{%s}}",
					  spec->name, *r);
	return 0;
}

static int parse(const char *text, size_t len, const struct template_spec *spec,
		 struct template **out, struct parse_error *pe)
{
	const char *nul;
	struct template *t;
	char *copy;
	size_t body_at = 0, end;
	int body_line = 1;

	if (len > TEMPLATE_MAX_BYTES)
		return parse_fail(pe, 1, "larger than %d bytes", TEMPLATE_MAX_BYTES);
	if ((nul = memchr(text, '\0', len)) != NULL)
		return parse_fail(pe, line_of(text, (size_t)(nul - text), 1), "NUL byte");
	if (!template_utf8_valid(text, len))
		return parse_fail(pe, 1, "not valid UTF-8");
	if ((copy = normalise(text, len, pe)) == NULL)
		return -1;
	t = xcalloc(1, sizeof *t);
	if (parse_headers(t, copy, spec, &body_at, &body_line, pe) != 0)
		goto fail;
	/* The body without blank lines before it or white space after it. */
	while (copy[body_at] == '\n') {
		body_at++;
		body_line++;
	}
	end = strlen(copy);
	while (end > body_at && strchr(" \t\n", copy[end - 1]) != NULL)
		end--;
	if (end == body_at) {
		parse_fail(pe, body_line, "the body is empty");
		goto fail;
	}
	t->body = xmalloc(end - body_at + 1);
	memcpy(t->body, copy + body_at, end - body_at);
	t->body[end - body_at] = '\0';
	if (parse_body(t, spec, body_line, pe) != 0)
		goto fail;
	free(copy);
	*out = t;
	return 0;

fail:
	free(copy);
	template_free(t);
	return -1;
}

int template_parse(const char *text, size_t len, const struct template_spec *spec,
		   struct template **out, char **cause)
{
	struct parse_error pe;

	if (parse(text, len, spec, out, &pe) != 0) {
		xasprintf(cause, "line %d: %s", pe.line, pe.message);
		return -1;
	}
	return 0;
}

void template_free(struct template *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nheaders; i++) {
		free(t->headers[i].key);
		free(t->headers[i].value);
	}
	free(t->tokens);
	free(t->body);
	free(t);
}

const char *template_header(const struct template *t, const char *key)
{
	for (size_t i = 0; i < t->nheaders; i++)
		if (strcmp(t->headers[i].key, key) == 0)
			return t->headers[i].value;
	return NULL;
}

bool template_uses(const struct template *t, const char *name)
{
	for (size_t i = 0; i < t->ntokens; i++)
		if (t->tokens[i].kind != TOKEN_TEXT && strcmp(t->tokens[i].name, name) == 0)
			return true;
	return false;
}

/* --- rendering --------------------------------------------------------------- */

struct buf {
	char *s;
	size_t len, size;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->size) {
		b->size = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->size);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *template_render(const struct template *t, template_lookup_fn lookup, void *arg)
{
	struct buf b = {NULL, 0, 0};
	const char *v;

	buf_add(&b, "", 0);
	for (size_t i = 0; i < t->ntokens; i++) {
		const struct token *tok = &t->tokens[i];
		switch (tok->kind) {
		case TOKEN_TEXT:
			buf_add(&b, t->body + tok->start, tok->len);
			break;
		case TOKEN_VALUE:
			if ((v = lookup(tok->name, arg)) != NULL)
				buf_add(&b, v, strlen(v));
			break;
		case TOKEN_OPEN:
			v = lookup(tok->name, arg);
			if ((v == NULL || v[0] == '\0') != tok->inverted)
				i = tok->end; /* past the section; the loop skips its close */
			break;
		case TOKEN_CLOSE:
			break;
		}
	}
	return b.s;
}

/* --- a directory of templates ----------------------------------------------- */

int template_set_load(const char *dir, const struct template_spec *specs, size_t n,
		      struct template_set **out, char **cause)
{
	struct template_set *set = xcalloc(1, sizeof *set);
	struct parse_error pe;
	char *path, *text;
	size_t len;

	if (dir == NULL || dir[0] == '\0') {
		xasprintf(cause, "no templates directory is configured");
		free(set);
		return -1;
	}
	set->names = xcalloc(n, sizeof *set->names);
	set->templates = xcalloc(n, sizeof *set->templates);
	for (size_t i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s.txt", dir, specs[i].name);
		if (file_read(path, TEMPLATE_MAX_BYTES, 0, &text, &len, cause) != 0) {
			free(path);
			goto fail;
		}
		if (parse(text, len, &specs[i], &set->templates[i], &pe) != 0) {
			xasprintf(cause, "%s:%d: %s", path, pe.line, pe.message);
			free(text);
			free(path);
			goto fail;
		}
		set->names[i] = xstrdup(specs[i].name);
		set->n = i + 1;
		free(text);
		free(path);
	}
	*out = set;
	return 0;

fail:
	template_set_free(set);
	return -1;
}

void template_set_free(struct template_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->names[i]);
		template_free(set->templates[i]);
	}
	free(set->names);
	free(set->templates);
	free(set);
}

const struct template *template_set_get(const struct template_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->names[i], name) == 0)
			return set->templates[i];
	return NULL;
}
