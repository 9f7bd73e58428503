/*
 * course-search.h - finding a citizen's course by part of the name, the
 * phone number or the course number (GET /v1/courses?q=).
 *
 * Contract:
 *  - course_search_parse() reads what a user typed. Digits, with the
 *    spaces, "+", "-", "(", ")", "." and "/" people write numbers with, are
 *    a number: the course with that id, and every course whose phone
 *    contains those digits (three or more; a leading "00" is the "+" of
 *    an international number, as intake reads it). Anything else is part
 *    of a name: case is ignored, æ, ø, å and other letters included, and
 *    runs of white space count as one space.
 *  - A name, or a phone number, must have at least COURSE_SEARCH_MIN
 *    characters: shorter ones cannot use the index, and a search must not
 *    read every course. Text of more than COURSE_SEARCH_MAX_BYTES is
 *    refused.
 *  - course_search() finds courses through migration 12's trigram index
 *    only, so its cost grows with the matches, not with the table;
 *    courses whose personal data has been erased are not in it (by
 *    number they are). It runs inside a write transaction: it first
 *    brings the index up to date (store_search_catch_up, store.h), so
 *    it finds every committed change. Ids come in ascending order, above
 *    scope->after, at most scope->limit, for paging like GET /v1/courses.
 *  - One call examines at most COURSE_SEARCH_EXAMINE matches of the index
 *    (a fragment as common as "sen" matches most Danish surnames, and a
 *    mentor's own citizens may be few among them), so no search holds the
 *    loop for long. *next_after is where the next page starts, 0 when
 *    there is none; a page cut short this way may hold fewer than limit
 *    ids, even none, and still have a next page.
 *  - A database failure fills a struct error (error.h).
 */
#ifndef MENTORD_COURSE_SEARCH_H
#define MENTORD_COURSE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct store;

#define COURSE_SEARCH_MIN 3
#define COURSE_SEARCH_MAX_BYTES 100
#define COURSE_SEARCH_EXAMINE 50000

struct course_search_query {
	/* The index query, e.g. name:"jensen" or phone:"2012"; "" for none.
	 * Quotes in the text are doubled, so it is always one phrase. */
	char match[2 * COURSE_SEARCH_MAX_BYTES + 16];
	int64_t course_id; /* the course number the text may be; 0: none */
};

/* 0, or -1 with *problem saying what is wrong with text. */
int course_search_parse(const char *text, struct course_search_query *q, const char **problem);

struct course_search_scope {
	int64_t mentor_id; /* 0: every mentor's courses */
	const char *state; /* NULL: any state */
	int64_t after;
	size_t limit;
	size_t examine; /* 0: COURSE_SEARCH_EXAMINE (tests set fewer) */
};

/* The ids of the courses q finds within scope; *ids is malloc'd (free
 * it), *count at most scope->limit (at least 1). */
int course_search(struct store *store, const struct course_search_query *q,
		  const struct course_search_scope *scope, int64_t **ids, size_t *count,
		  int64_t *next_after, struct error *err);

/* The index query, for a test that its plan stays index-driven. */
extern const char course_search_match_sql[];

#endif
