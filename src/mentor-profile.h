/*
 * mentor-profile.h - what a mentor brings to matching (match.h): gender,
 * languages, competences and interests, stored in mentor_profile beside
 * the mentors table (migration 20), which stays as it is.
 *
 * Contract:
 *  - A mentor without a stored profile has the empty one: gender null,
 *    empty lists. Reads return the canonical object of match.h.
 *  - mentor_profile_put merges the members of changes (as
 *    match_read_profile gives them) into the stored profile; it never
 *    commits: the caller holds the transaction (sql.h).
 */
#ifndef MENTORD_MENTOR_PROFILE_H
#define MENTORD_MENTOR_PROFILE_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

struct store;

int mentor_profile_get(struct store *store, int64_t mentor_id, json_t **out, struct error *err);
int mentor_profile_put(struct store *store, int64_t mentor_id, json_t *changes, struct error *err);
/* The profile's members set on a mentor as the API shows it. */
int mentor_profile_show(struct store *store, int64_t mentor_id, json_t *mentor, struct error *err);

#endif
