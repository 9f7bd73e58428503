/*
 * test_match.c - the score and reasons of a mentor against a citizen's
 * wishes, the order of proposals, and the checks of profiles and wishes
 * (match.h), table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"

struct score_case {
	const char *what;
	const char *profile;
	const char *wishes; /* NULL: none */
	int score;
	const char *matched; /* the reasons as a compact JSON array */
	const char *unmatched;
};

#define EMPTY "{\"gender\":null,\"languages\":[],\"competences\":[],\"interests\":[]}"
#define ANNA \
	"{\"gender\":\"female\",\"languages\":[\"da\",\"en\"]," \
	"\"competences\":[\"adhd\",\"anxiety\"],\"interests\":[\"football\",\"music\"]}"

static const struct score_case score_cases[] = {
	{"no wishes: everyone scores 0", ANNA, NULL, 0, "[]", "[]"},
	{"only a note: everyone scores 0", ANNA, "{\"note\":\"x\"}", 0, "[]", "[]"},
	{"a gender met", ANNA, "{\"gender\":\"female\"}", MATCH_HARD_WEIGHT, "[\"gender:female\"]",
	 "[]"},
	{"a gender not met", ANNA, "{\"gender\":\"male\"}", 0, "[]", "[\"gender:male\"]"},
	{"a gender wished of a mentor who gave none", EMPTY, "{\"gender\":\"female\"}", 0, "[]",
	 "[\"gender:female\"]"},
	{"one language in common is enough", ANNA, "{\"languages\":[\"ar\",\"en\"]}",
	 MATCH_HARD_WEIGHT, "[\"language:en\"]", "[\"language:ar\"]"},
	{"no language in common", ANNA, "{\"languages\":[\"ar\"]}", 0, "[]", "[\"language:ar\"]"},
	{"competences weigh more than interests", ANNA,
	 "{\"competences\":[\"adhd\",\"autism\"],\"interests\":[\"music\",\"gaming\"]}",
	 MATCH_COMPETENCE_WEIGHT + MATCH_INTEREST_WEIGHT,
	 "[\"competence:adhd\",\"interest:music\"]", "[\"competence:autism\",\"interest:gaming\"]"},
	{"everything", ANNA,
	 "{\"gender\":\"female\",\"languages\":[\"da\"],\"competences\":[\"anxiety\"],"
	 "\"interests\":[\"football\",\"music\"]}",
	 2 * MATCH_HARD_WEIGHT + MATCH_COMPETENCE_WEIGHT + 2 * MATCH_INTEREST_WEIGHT,
	 "[\"gender:female\",\"language:da\",\"competence:anxiety\",\"interest:football\","
	 "\"interest:music\"]",
	 "[]"},
};

static void test_score(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof score_cases / sizeof score_cases[0]; i++) {
		const struct score_case *c = &score_cases[i];
		json_t *profile = json_loads(c->profile, 0, NULL);
		json_t *wishes = c->wishes != NULL ? json_loads(c->wishes, 0, NULL) : NULL;
		json_t *matched = json_array(), *unmatched = json_array();
		char *m, *u;
		int score;

		score = match_score(profile, wishes, matched, unmatched);
		m = json_dumps(matched, JSON_COMPACT);
		u = json_dumps(unmatched, JSON_COMPACT);
		if (score != c->score || strcmp(m, c->matched) != 0 || strcmp(u, c->unmatched) != 0)
			fail_msg("%s: score %d matched %s unmatched %s", c->what, score, m, u);
		free(m);
		free(u);
		json_decref(profile);
		json_decref(wishes);
		json_decref(matched);
		json_decref(unmatched);
	}
}

/* A hard wish failed ranks below a hard wish met, whatever the soft
 * ones: MATCH_TAGS_MAX competences and interests never make up for it. */
static void test_hard_wish_outweighs_every_soft_one(void **state)
{
	json_t *all = json_array(), *profile, *wishes;

	(void)state;
	for (int i = 0; i < MATCH_TAGS_MAX; i++) {
		char tag[16];

		snprintf(tag, sizeof tag, "t%d", i);
		json_array_append_new(all, json_string(tag));
	}
	profile = json_pack("{s:s, s:[], s:O, s:O}", "gender", "male", "languages", "competences",
			    all, "interests", all);
	wishes = json_pack("{s:s, s:O, s:O}", "gender", "female", "competences", all, "interests",
			   all);
	assert_true(match_score(profile, wishes, NULL, NULL) < MATCH_HARD_WEIGHT);
	json_decref(profile);
	json_decref(wishes);
	json_decref(all);
}

static void test_order(void **state)
{
	/* Given in an order that is none of the rules'. */
	struct match_candidate c[] = {
		{.mentor_id = 6, .score = 0, .active_courses = 0, .available = true},
		{.mentor_id = 5, .score = 3, .active_courses = 2, .available = true},
		{.mentor_id = 4, .score = 3, .active_courses = 1, .available = false},
		{.mentor_id = 3, .score = 3, .active_courses = 2, .available = true},
		{.mentor_id = 2, .score = 103, .active_courses = 9, .available = true},
		{.mentor_id = 1, .score = 3, .active_courses = 1, .available = true},
	};
	const int64_t want[] = {2, 1, 3, 5, 4, 6};

	(void)state;
	qsort(c, sizeof c / sizeof c[0], sizeof c[0], match_compare);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (c[i].mentor_id != want[i])
			fail_msg("place %zu: mentor %lld, not %lld", i, (long long)c[i].mentor_id,
				 (long long)want[i]);
}

struct read_case {
	const char *what;
	const char *body;
	bool partial;
	const char *out;   /* the profile read, or NULL when refused */
	const char *field; /* the first field named */
};

static const struct read_case profile_cases[] = {
	{"a whole profile",
	 "{\"gender\":\"other\",\"languages\":[\"da\"],\"interests\":[\"music\"]}", false,
	 "{\"gender\":\"other\",\"languages\":[\"da\"],\"competences\":[],\"interests\":[\"music\"]}",
	 NULL},
	{"none given to a new mentor", "{}", false,
	 "{\"gender\":null,\"languages\":[],\"competences\":[],\"interests\":[]}", NULL},
	{"a PATCH changes what it names", "{\"competences\":[\"adhd\"]}", true,
	 "{\"competences\":[\"adhd\"]}", NULL},
	{"a PATCH of null empties", "{\"gender\":null,\"interests\":null}", true,
	 "{\"gender\":null,\"interests\":[]}", NULL},
	{"a language not ISO 639-1", "{\"languages\":[\"da\",\"dansk\"]}", false, NULL,
	 "languages[1]"},
	{"a tag in capitals", "{\"competences\":[\"ADHD\"]}", false, NULL, "competences[0]"},
	{"a tag twice", "{\"interests\":[\"music\",\"music\"]}", false, NULL, "interests[1]"},
	{"not a list", "{\"interests\":\"music\"}", false, NULL, "interests"},
	{"a gender not on the list", "{\"gender\":\"f\"}", false, NULL, "gender"},
};

static void test_read_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof profile_cases / sizeof profile_cases[0]; i++) {
		const struct read_case *c = &profile_cases[i];
		json_t *body = json_loads(c->body, 0, NULL), *out;
		struct field_errors errors;
		char *text;

		field_errors_init(&errors);
		out = match_read_profile(body, c->partial, &errors);
		if (c->out != NULL) {
			text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
			json_t *want = json_loads(c->out, 0, NULL);
			char *wtext = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
			if (field_errors_any(&errors) || strcmp(text, wtext) != 0)
				fail_msg("%s: %s", c->what, text);
			free(wtext);
			json_decref(want);
			free(text);
		} else {
			const char *field = json_string_value(
				json_object_get(json_array_get(errors.list, 0), "field"));
			if (field == NULL || strcmp(field, c->field) != 0)
				fail_msg("%s: named %s", c->what,
					 field != NULL ? field : "nothing");
		}
		field_errors_clear(&errors);
		json_decref(out);
		json_decref(body);
	}
}

static const struct read_case wish_cases[] = {
	{"every wish",
	 "{\"gender\":\"female\",\"languages\":[\"ar\"],\"competences\":[\"adhd\"],"
	 "\"interests\":[\"gaming\"],\"note\":\"gerne en rolig mentor\"}",
	 false,
	 "{\"competences\":[\"adhd\"],\"gender\":\"female\",\"interests\":[\"gaming\"],"
	 "\"languages\":[\"ar\"],\"note\":\"gerne en rolig mentor\"}",
	 NULL},
	{"empty lists are no wishes", "{\"languages\":[],\"gender\":null}", false, NULL, NULL},
	{"an unknown member", "{\"colour\":\"blue\"}", false, NULL, "wishes"},
	{"the old spelling", "{\"mentor_gender\":\"female\"}", false, NULL, "wishes"},
	{"a bad language", "{\"languages\":[\"arabic\"]}", false, NULL, "wishes.languages[0]"},
	{"a bad gender", "{\"gender\":\"any\"}", false, NULL, "wishes.gender"},
};

static void test_read_wishes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof wish_cases / sizeof wish_cases[0]; i++) {
		const struct read_case *c = &wish_cases[i];
		json_t *body = json_loads(c->body, 0, NULL);
		struct field_errors errors;
		const char *field;
		char *text;

		field_errors_init(&errors);
		text = match_read_wishes(body, "wishes", &errors);
		field = json_string_value(json_object_get(json_array_get(errors.list, 0), "field"));
		if (c->field != NULL) {
			if (field == NULL || strcmp(field, c->field) != 0)
				fail_msg("%s: named %s", c->what,
					 field != NULL ? field : "nothing");
		} else if (field != NULL) {
			fail_msg("%s: refused, naming %s", c->what, field);
		} else if ((c->out == NULL) != (text == NULL) ||
			   (text != NULL && strcmp(text, c->out) != 0)) {
			fail_msg("%s: %s", c->what, text != NULL ? text : "(none)");
		}
		free(text);
		field_errors_clear(&errors);
		json_decref(body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_hard_wish_outweighs_every_soft_one),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_read_profile),
		cmocka_unit_test(test_read_wishes),
	};
	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
