/*
 * mentor-profile.c - a mentor's profile for matching (mentor-profile.h).
 */
#include "mentor-profile.h"

#include <stdlib.h>

#include "sql.h"
#include "store.h"

static json_t *mentor_profile_list(sqlite3_stmt *s, int col)
{
	const char *text = (const char *)sqlite3_column_text(s, col);
	json_t *list = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_array(list)) {
		json_decref(list);
		return json_array();
	}
	return list;
}

int mentor_profile_get(struct store *store, int64_t mentor_id, json_t **out, struct error *err)
{
	sqlite3_stmt *s = store_statement(
		store,
		"SELECT gender, languages, competences, interests FROM mentor_profile"
		" WHERE mentor_id = ?1",
		err);
	const char *gender;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, mentor_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		gender = (const char *)sqlite3_column_text(s, 0);
		*out = json_pack("{s:o, s:o, s:o, s:o}", "gender",
				 gender != NULL ? json_string(gender) : json_null(), "languages",
				 mentor_profile_list(s, 1), "competences",
				 mentor_profile_list(s, 2), "interests", mentor_profile_list(s, 3));
	} else if (rc == SQLITE_DONE) {
		*out = json_pack("{s:n, s:[], s:[], s:[]}", "gender", "languages", "competences",
				 "interests");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "reading a mentor's profile");
	return 0;
}

static char *mentor_profile_text(json_t *profile, const char *key)
{
	return json_dumps(json_object_get(profile, key), JSON_COMPACT | JSON_ENCODE_ANY);
}

int mentor_profile_put(struct store *store, int64_t mentor_id, json_t *changes, struct error *err)
{
	sqlite3_stmt *s;
	const char *key;
	json_t *profile, *value;
	char *languages, *competences, *interests;
	int rc;

	if (json_object_size(changes) == 0)
		return 0;
	if (mentor_profile_get(store, mentor_id, &profile, err) != 0)
		return -1;
	json_object_foreach (changes, key, value)
		json_object_set(profile, key, value);
	s = store_statement(store,
			    "INSERT INTO mentor_profile (mentor_id, gender, languages, competences,"
			    " interests) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (mentor_id) DO"
			    " UPDATE SET gender = ?2, languages = ?3, competences = ?4,"
			    " interests = ?5",
			    err);
	if (s == NULL) {
		json_decref(profile);
		return -1;
	}
	languages = mentor_profile_text(profile, "languages");
	competences = mentor_profile_text(profile, "competences");
	interests = mentor_profile_text(profile, "interests");
	sqlite3_bind_int64(s, 1, mentor_id);
	sql_bind_text(s, 2, json_string_value(json_object_get(profile, "gender")));
	sqlite3_bind_text(s, 3, languages, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, competences, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, interests, -1, SQLITE_TRANSIENT);
	rc = sql_step_done(store_db(store), s, "storing a mentor's profile", err);
	sqlite3_clear_bindings(s);
	free(languages);
	free(competences);
	free(interests);
	json_decref(profile);
	return rc;
}

int mentor_profile_show(struct store *store, int64_t mentor_id, json_t *mentor, struct error *err)
{
	json_t *profile;

	if (mentor_profile_get(store, mentor_id, &profile, err) != 0)
		return -1;
	json_object_update(mentor, profile);
	json_decref(profile);
	return 0;
}
