/*
 * match.h - how well a mentor fits a citizen's wishes (doc/programmes.md,
 * "Matching"): the mentor's profile, the referral's wishes, the score and
 * the reasons shown to the coordinator, and the order of the proposals.
 *
 * Contract:
 *  - A profile is {"gender"?, "languages", "competences", "interests"};
 *    wishes are {"gender"?, "languages"?, "competences"?, "interests"?,
 *    "note"?}. Genders are female, male or other; languages are ISO 639-1
 *    codes ("da"); competences and interests are short lowercase tags
 *    ("adhd", "football"), at most MATCH_TAGS_MAX per list, no repeats.
 *  - The readers check a request body's members into a canonical object
 *    and name every bad one in errors ("languages[1]", with the caller's
 *    prefix, "wishes.languages[1]"); nothing is stored here.
 *  - match_score is pure: the same profile and wishes give the same score
 *    and reasons. A gender wish and a language wish are hard: a mentor
 *    who fails one scores below every mentor who meets it, whatever the
 *    rest. Competences weigh more than interests.
 *  - Reasons are "kind:value" strings, kind one of gender, language,
 *    competence, interest: what was wished and met (matched) or not.
 *  - Proposals are ordered by score, then available on the start day
 *    first, then fewer active courses, then the lowest id (the
 *    least-loaded rule of mentor.h for equal scores).
 */
#ifndef MENTORD_MATCH_H
#define MENTORD_MATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "field.h"

#define MATCH_TAGS_MAX 20
#define MATCH_TAG_LEN 32
/* A met hard wish outweighs every soft one: MATCH_TAGS_MAX competences
 * and as many interests weigh less. */
#define MATCH_HARD_WEIGHT 100
#define MATCH_COMPETENCE_WEIGHT 3
#define MATCH_INTEREST_WEIGHT 1

/* The profile members of body (a mentor's POST or PATCH) into out, a
 * new object with only the members present in body (partial) or all of
 * them (lists empty, gender null when absent). */
json_t *match_read_profile(json_t *body, bool partial, struct field_errors *errors);
/* A referral's wishes object (prefix "wishes") as canonical compact JSON
 * text to store, or NULL when there are none; free() it. */
char *match_read_wishes(json_t *wishes, const char *prefix, struct field_errors *errors);

/* Score profile against wishes; reasons are appended to matched and
 * unmatched (either may be NULL). wishes NULL: every mentor scores 0. */
int match_score(json_t *profile, json_t *wishes, json_t *matched, json_t *unmatched);

struct match_candidate {
	int64_t mentor_id;
	int score;
	int active_courses;
	bool available;
};

/* qsort order of proposals, best first. */
int match_compare(const void *a, const void *b);

#endif
