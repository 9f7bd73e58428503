/*
 * course-search.c - finding a citizen's course (course-search.h).
 */
#include "course-search.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* The index drives: its rows come in rowid order above ?2, each joined
 * to its course by primary key for the scope, which is checked here so
 * that the rows examined can be counted (COURSE_SEARCH_EXAMINE). */
const char course_search_match_sql[] =
	"SELECT s.rowid, c.mentor_id, c.state FROM courses_search s"
	" JOIN courses c ON c.id = s.rowid"
	" WHERE courses_search MATCH ?1 AND s.rowid > ?2 ORDER BY s.rowid";
static const char by_id_sql[] = "SELECT id FROM courses WHERE id = ?1 AND id > ?2"
				" AND (?3 = 0 OR mentor_id = ?3) AND (?4 IS NULL OR state = ?4)";

static bool number_char(char c)
{
	return (c >= '0' && c <= '9') || strchr(" +-()./", c) != NULL;
}

/* Characters, not bytes: a UTF-8 continuation byte does not count. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int parse_number(const char *text, struct course_search_query *q, const char **problem)
{
	char digits[COURSE_SEARCH_MAX_BYTES + 1], *d = digits;
	size_t n = 0;

	for (const char *p = text; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	if (n == 0) {
		*problem = "must name a citizen, a phone number or a course number";
		return -1;
	}
	/* A course number is written as one: digits alone. */
	if (strspn(text, "0123456789") == strlen(text) && n <= 18 && digits[0] != '0')
		q->course_id = strtoll(digits, NULL, 10);
	/* "0045 20 12 34 56" is "+45 20 12 34 56", stored "+4520123456". */
	if (text[0] == '0' && text[1] == '0' && n >= 2 + COURSE_SEARCH_MIN)
		d += 2;
	if (strlen(d) >= COURSE_SEARCH_MIN)
		snprintf(q->match, sizeof q->match, "phone:\"%s\"", d);
	else if (q->course_id == 0) {
		*problem = "a phone number needs at least 3 digits";
		return -1;
	}
	return 0;
}

static int parse_name(const char *text, struct course_search_query *q, const char **problem)
{
	char *out = q->match;
	bool space = false;

	out += sprintf(out, "name:\"");
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (space)
			*out++ = ' ';
		space = false;
		/* Inside a phrase a quote is written twice. */
		if (*p == '"')
			*out++ = '"';
		*out++ = *p;
	}
	*out++ = '"';
	*out = '\0';
	/* The phrase less name:" and its closing quote. */
	if (utf8_length(q->match) - 7 < COURSE_SEARCH_MIN) {
		q->match[0] = '\0';
		*problem = "needs at least 3 letters of a name, or digits of a phone or course"
			   " number";
		return -1;
	}
	return 0;
}

int course_search_parse(const char *text, struct course_search_query *q, const char **problem)
{
	const char *p = text;
	size_t len;

	memset(q, 0, sizeof *q);
	if (text == NULL || strlen(text) > COURSE_SEARCH_MAX_BYTES) {
		*problem = "must be at most 100 bytes";
		return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	char trimmed[COURSE_SEARCH_MAX_BYTES + 1];
	memcpy(trimmed, p, len);
	trimmed[len] = '\0';
	if (len == 0) {
		*problem = "must not be empty";
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!number_char(trimmed[i]))
			return parse_name(trimmed, q, problem);
	return parse_number(trimmed, q, problem);
}

static void bind_scope(sqlite3_stmt *s, const struct course_search_scope *scope)
{
	sqlite3_bind_int64(s, 2, scope->after);
	sqlite3_bind_int64(s, 3, scope->mentor_id);
	sql_bind_text(s, 4, scope->state);
}

static int search_fail(struct store *store, sqlite3_stmt *s, struct error *err)
{
	sql_error(err, store_db(store), "searching courses");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return -1;
}

static bool in_scope(sqlite3_stmt *s, const struct course_search_scope *scope)
{
	const char *state = (const char *)sqlite3_column_text(s, 2);

	return (scope->mentor_id == 0 || sqlite3_column_int64(s, 1) == scope->mentor_id) &&
	       (scope->state == NULL || (state != NULL && strcmp(state, scope->state) == 0));
}

/* The course of the number, if it is in scope and above after. */
static int by_id(struct store *store, const struct course_search_query *q,
		 const struct course_search_scope *scope, int64_t *hit, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	*hit = 0;
	if (q->course_id <= 0)
		return 0;
	if ((s = store_statement(store, by_id_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, q->course_id);
	bind_scope(s, scope);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*hit = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		return search_fail(store, s, err);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

/* Up to want matches in scope into list; *examined_to is the last rowid
 * examined when the search stopped at its limit of rows examined, else 0. */
static int by_match(struct store *store, const struct course_search_query *q,
		    const struct course_search_scope *scope, int64_t *list, size_t want, size_t *n,
		    int64_t *examined_to, struct error *err)
{
	sqlite3_stmt *s;
	size_t examined = 0, examine = scope->examine > 0 ? scope->examine : COURSE_SEARCH_EXAMINE;
	int64_t last = 0;
	int rc = SQLITE_DONE;

	*n = 0;
	*examined_to = 0;
	if (q->match[0] == '\0')
		return 0;
	if ((s = store_statement(store, course_search_match_sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, q->match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, scope->after);
	while (*n < want && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Enough examined, and this row shows there are more. */
		if (examined++ == examine) {
			*examined_to = last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		if (in_scope(s, scope))
			list[(*n)++] = last;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return search_fail(store, s, err);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

int course_search(struct store *store, const struct course_search_query *q,
		  const struct course_search_scope *scope, int64_t **ids, size_t *count,
		  int64_t *next_after, struct error *err)
{
	/* One more than the page, to know whether another follows. */
	size_t want = scope->limit + 1, n = 0, at;
	int64_t *list = xcalloc(want + 1, sizeof *list), hit, examined_to;

	*ids = NULL;
	*count = 0;
	*next_after = 0;
	if (store_search_catch_up(store, err) != 0 || by_id(store, q, scope, &hit, err) != 0 ||
	    by_match(store, q, scope, list, want, &n, &examined_to, err) != 0) {
		free(list);
		return -1;
	}
	/* The course of that number joins the matches in id order, unless
	 * it lies beyond where an interrupted search stopped: the next page
	 * brings it. */
	if (hit > 0 && (examined_to == 0 || hit <= examined_to)) {
		for (at = 0; at < n && list[at] < hit; at++)
			;
		if (at == n || list[at] != hit) {
			memmove(&list[at + 1], &list[at], (n - at) * sizeof *list);
			list[at] = hit;
			n++;
		}
	}
	if (n > scope->limit) {
		n = scope->limit;
		*next_after = n > 0 ? list[n - 1] : examined_to;
	} else {
		*next_after = examined_to;
	}
	*ids = list;
	*count = n;
	return 0;
}
