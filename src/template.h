/*
 * template.h - plain-text templates with named placeholders: the Danish
 * messages mentord sends citizens (doc/gateway.md) are written by the
 * municipality, not compiled in.
 *
 * A template file is a block of "key: value" header lines, one blank
 * line, and the body:
 *
 *   label: Opfølgning på vores samtale
 *
 *   Kære {{citizen_first_name}}
 *   {{#offers}}
 *   Her er kontaktoplysningerne:
 *   {{offers}}
 *   {{/offers}}
 *
 * In the body, {{name}} is replaced by the value of name,
 * {{#name}}...{{/name}} keeps its text only when name is not empty and
 * {{^name}}...{{/name}} only when it is. A section tag alone on its line
 * takes the whole line with it, so sections leave no blank lines behind.
 * Names are [a-z][a-z0-9_]*; spaces inside the braces are allowed.
 * Headers are literal text: no placeholders, so nothing about a citizen
 * can reach a header (labels are shown outside the secure mailbox).
 *
 * Contract:
 *  - template_parse() accepts a text only if it is UTF-8 without control
 *    characters (tab and newline aside; CRLF is read as LF), has exactly
 *    the headers its spec names, uses only the spec's known placeholders
 *    and every required one. Rendering a parsed template therefore cannot
 *    fail for a missing or unknown placeholder.
 *  - template_render() is pure: it asks lookup for each name's value (NULL
 *    counts as empty) and returns a new string. It never fails.
 *  - template_set_load() reads DIR/NAME.txt for each spec; an error names
 *    the file and line. Blocking file I/O: for start-up and reload only.
 *  - Nothing here allocates global state; template_*_free(NULL) is harmless.
 */
#ifndef MENTORD_TEMPLATE_H
#define MENTORD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"

struct template;
struct template_set;

#define TEMPLATE_MAX_BYTES (64 * 1024)
#define TEMPLATE_NAME_MAX 40

struct template_spec {
	const char *name;	     /* the file is DIR/name.txt */
	const char *const *headers;  /* keys it must have, NULL-terminated */
	const char *const *known;    /* placeholders it may use, NULL-terminated */
	const char *const *required; /* placeholders it must use; NULL = none */
};

/* The value of a placeholder; NULL counts as "". */
typedef const char *(*template_lookup_fn)(const char *name, void *arg);

int template_parse(const char *text, size_t len, const struct template_spec *spec,
		   struct template **out, char **cause);
void template_free(struct template *t);

/* A header's value, or NULL if the spec did not name it. */
const char *template_header(const struct template *t, const char *key);
/* Whether the body uses a placeholder (as a value or a section). */
bool template_uses(const struct template *t, const char *name);

char *template_render(const struct template *t, template_lookup_fn lookup, void *arg);

int template_set_load(const char *dir, const struct template_spec *specs, size_t n,
		      struct template_set **out, char **cause);
void template_set_free(struct template_set *set);
/* NULL if no spec of that name was loaded. */
const struct template *template_set_get(const struct template_set *set, const char *name);

/* Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
bool template_utf8_valid(const char *s, size_t len);

/* A date the Danish way: "torsdag den 2. april 2026". */
#define TEMPLATE_DATE_LEN 64
void template_date_da(cal_day day, char buf[TEMPLATE_DATE_LEN]);

#endif
