/*
 * match.c - mentor profiles, citizens' wishes and how well they fit
 * (match.h).
 */
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const match_genders[] = {"female", "male", "other"};

static bool match_is_gender(const char *s)
{
	for (size_t i = 0; i < sizeof match_genders / sizeof match_genders[0]; i++)
		if (strcmp(s, match_genders[i]) == 0)
			return true;
	return false;
}

/* An ISO 639-1 code is two lowercase letters; a tag is lowercase letters,
 * digits and inner hyphens, so "ADHD" and "adhd" never count as two. */
static bool match_is_tag(const char *s, bool language)
{
	size_t n = strlen(s);

	if (language)
		return n == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z';
	if (n == 0 || n > MATCH_TAG_LEN || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static bool match_has(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* A list member of obj: NULL when absent or null, else a new array of
 * checked tags (each bad element named, "prefix.key[i]"). */
static json_t *match_read_tags(json_t *obj, const char *key, const char *prefix, bool language,
			       struct field_errors *errors)
{
	json_t *list = json_object_get(obj, key), *out, *v;
	char path[96], at[128];
	size_t i;

	snprintf(path, sizeof path, "%s%s%s", prefix, *prefix != '\0' ? "." : "", key);
	if (list == NULL || json_is_null(list))
		return NULL;
	if (!json_is_array(list) || json_array_size(list) > MATCH_TAGS_MAX) {
		field_error_add(errors, path, "must be a list of at most %d %s", MATCH_TAGS_MAX,
				language ? "ISO 639-1 language codes" : "tags");
		return NULL;
	}
	out = json_array();
	json_array_foreach (list, i, v) {
		snprintf(at, sizeof at, "%s[%zu]", path, i);
		if (!json_is_string(v) || !match_is_tag(json_string_value(v), language))
			field_error_add(errors, at, "%s",
					language ? "must be an ISO 639-1 code such as \"da\""
						 : "must be a lowercase tag of letters a-z, digits"
						   " and hyphens, such as \"adhd\"");
		else if (match_has(out, json_string_value(v)))
			field_error_add(errors, at, "is already in the list");
		else
			json_array_append(out, v);
	}
	return out;
}

/* gender: a string of match_genders; *present tells a null apart. */
static json_t *match_read_gender(json_t *obj, const char *prefix, bool *present,
				 struct field_errors *errors)
{
	json_t *g = json_object_get(obj, "gender");
	char path[96];

	snprintf(path, sizeof path, "%s%sgender", prefix, *prefix != '\0' ? "." : "");
	*present = g != NULL;
	if (g == NULL || json_is_null(g))
		return NULL;
	if (!json_is_string(g) || !match_is_gender(json_string_value(g))) {
		field_error_add(errors, path, "must be \"female\", \"male\" or \"other\"");
		return NULL;
	}
	return json_incref(g);
}

static const char *const match_lists[] = {"languages", "competences", "interests"};
#define MATCH_NLISTS (sizeof match_lists / sizeof match_lists[0])

json_t *match_read_profile(json_t *body, bool partial, struct field_errors *errors)
{
	json_t *out = json_object(), *gender, *list;
	bool present;

	gender = match_read_gender(body, "", &present, errors);
	if (gender != NULL || present || !partial)
		json_object_set_new(out, "gender", gender != NULL ? gender : json_null());
	/* Absent: unchanged (partial) or empty; null: emptied. */
	for (size_t i = 0; i < MATCH_NLISTS; i++) {
		json_t *v = json_object_get(body, match_lists[i]);

		if (v == NULL) {
			if (!partial)
				json_object_set_new(out, match_lists[i], json_array());
			continue;
		}
		list = match_read_tags(body, match_lists[i], "", i == 0, errors);
		if (json_is_null(v))
			json_object_set_new(out, match_lists[i], json_array());
		else if (list != NULL)
			json_object_set_new(out, match_lists[i], list);
	}
	return out;
}

char *match_read_wishes(json_t *wishes, const char *prefix, struct field_errors *errors)
{
	json_t *out, *gender, *list;
	const char *key, *note;
	char path[96];
	json_t *value;
	bool present;
	char *text;

	json_object_foreach (wishes, key, value)
		if (strcmp(key, "gender") != 0 && strcmp(key, "languages") != 0 &&
		    strcmp(key, "competences") != 0 && strcmp(key, "interests") != 0 &&
		    strcmp(key, "note") != 0)
			field_error_add(errors, prefix, "unknown member \"%.40s\"", key);
	out = json_object();
	gender = match_read_gender(wishes, prefix, &present, errors);
	if (gender != NULL)
		json_object_set_new(out, "gender", gender);
	for (size_t i = 0; i < MATCH_NLISTS; i++) {
		list = match_read_tags(wishes, match_lists[i], prefix, i == 0, errors);
		/* An empty list is no wish. */
		if (list != NULL && json_array_size(list) > 0)
			json_object_set_new(out, match_lists[i], list);
		else
			json_decref(list);
	}
	snprintf(path, sizeof path, "%s.note", prefix);
	/* A null member is no wish, for the note as for gender and the lists. */
	note = json_is_null(json_object_get(wishes, "note"))
		       ? NULL
		       : field_get_text(wishes, "note", path, false, 500, errors);
	if (note != NULL)
		json_object_set_new(out, "note", json_string(note));
	text = json_object_size(out) > 0 ? json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(out);
	return text;
}

static void match_reason(json_t *list, const char *kind, const char *value)
{
	char buf[MATCH_TAG_LEN + 16];

	if (list == NULL)
		return;
	snprintf(buf, sizeof buf, "%s:%s", kind, value);
	json_array_append_new(list, json_string(buf));
}

/* Each wished tag of one list, met or not; the number met. */
static int match_list(json_t *wished, json_t *has, const char *kind, json_t *matched,
		      json_t *unmatched)
{
	json_t *v;
	size_t i;
	int n = 0;

	json_array_foreach (wished, i, v) {
		if (!json_is_string(v))
			continue;
		if (match_has(has, json_string_value(v))) {
			match_reason(matched, kind, json_string_value(v));
			n++;
		} else {
			match_reason(unmatched, kind, json_string_value(v));
		}
	}
	return n;
}

int match_score(json_t *profile, json_t *wishes, json_t *matched, json_t *unmatched)
{
	const char *want, *is;
	json_t *langs;
	int score = 0;

	if (!json_is_object(wishes))
		return 0;
	want = json_string_value(json_object_get(wishes, "gender"));
	if (want != NULL) {
		is = json_string_value(json_object_get(profile, "gender"));
		if (is != NULL && strcmp(is, want) == 0) {
			score += MATCH_HARD_WEIGHT;
			match_reason(matched, "gender", want);
		} else {
			match_reason(unmatched, "gender", want);
		}
	}
	/* Any one of the wished languages is a language in common. */
	langs = json_object_get(wishes, "languages");
	if (json_array_size(langs) > 0 && match_list(langs, json_object_get(profile, "languages"),
						     "language", matched, unmatched) > 0)
		score += MATCH_HARD_WEIGHT;
	score += MATCH_COMPETENCE_WEIGHT * match_list(json_object_get(wishes, "competences"),
						      json_object_get(profile, "competences"),
						      "competence", matched, unmatched);
	score += MATCH_INTEREST_WEIGHT * match_list(json_object_get(wishes, "interests"),
						    json_object_get(profile, "interests"),
						    "interest", matched, unmatched);
	return score;
}

int match_compare(const void *a, const void *b)
{
	const struct match_candidate *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->available != y->available)
		return x->available ? -1 : 1;
	if (x->active_courses != y->active_courses)
		return x->active_courses < y->active_courses ? -1 : 1;
	if (x->mentor_id != y->mentor_id)
		return x->mentor_id < y->mentor_id ? -1 : 1;
	return 0;
}
