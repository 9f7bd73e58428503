/*
 * offer.c - the offers catalogue (offer.h).
 */
#include "offer.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "phone.h"
#include "sql.h"
#include "store.h"

struct offer_field {
	const char *name;
	size_t max_len;
	bool required;
};

/* The order is the column order of the offers table after id. */
static const struct offer_field fields[] = {
	{"name", 200, true},  {"category", 100, true}, {"provider", 200, false},
	{"phone", 32, false}, {"email", 200, false},   {"address", 300, false},
	{"url", 500, false},  {"hours", 200, false},   {"description", 2000, false},
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static void check_format(const char *name, const char *value, json_t *out,
			 struct field_errors *errors)
{
	char phone[PHONE_LEN];

	if (value[0] == '\0')
		return;
	if (strcmp(name, "phone") == 0) {
		if (phone_normalise(value, phone) != 0)
			field_error_add(errors, name, "must be a Danish or E.164 phone number");
		else
			json_object_set_new(out, name, json_string(phone));
	} else if (strcmp(name, "email") == 0) {
		const char *at = strchr(value, '@');
		if (at == NULL || at == value || strchr(at, '.') == NULL || strchr(value, ' '))
			field_error_add(errors, name, "must be an e-mail address");
	} else if (strcmp(name, "url") == 0) {
		if (strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0)
			field_error_add(errors, name, "must be an http:// or https:// URL");
	}
}

json_t *offer_from_json(json_t *body, bool partial, struct field_errors *errors)
{
	json_t *out = json_object();

	for (size_t i = 0; i < FIELD_COUNT; i++) {
		const struct offer_field *f = &fields[i];
		json_t *member = json_object_get(body, f->name);
		const char *value;

		if (partial && member == NULL)
			continue;
		/* An optional field may be cleared with null or "" (both stored
		 * as NULL); a name or category must say something. */
		if (!f->required && json_is_null(member))
			value = "";
		else if (f->required)
			value = field_get_name(body, f->name, f->name, true, f->max_len, errors);
		else
			value = field_get_string(body, f->name, f->name, false, f->max_len, errors);
		if (value == NULL)
			continue;
		json_object_set_new(out, f->name, json_string(value));
		check_format(f->name, value, out, errors);
	}
	/* No member of the offer: the body as a whole is at fault, "" being
	 * its JSON Pointer; naming one field would send the client there. */
	if (partial && json_object_size(out) == 0 && !field_errors_any(errors))
		field_error_add(errors, "",
				"a PATCH must change at least one field: name, category, provider,"
				" phone, email, address, url, hours or description");
	if (field_errors_any(errors)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static int fail(sqlite3 *db, sqlite3_stmt *stmt, struct error *err)
{
	sql_error(err, db, "offers");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return -1;
}

static void bind_fields(sqlite3_stmt *stmt, int first, json_t *values)
{
	for (size_t i = 0; i < FIELD_COUNT; i++) {
		const char *v = json_string_value(json_object_get(values, fields[i].name));
		if (v != NULL && v[0] != '\0')
			sqlite3_bind_text(stmt, first + (int)i, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(stmt, first + (int)i);
	}
}

int offer_create(struct store *store, json_t *values, time_t now, int64_t *id, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;

	if ((stmt = store_statement(
		     store,
		     "INSERT INTO offers (name, category, provider, phone, email, address,"
		     " url, hours, description, created_at, updated_at)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
		     err)) == NULL)
		return -1;
	bind_fields(stmt, 1, values);
	sqlite3_bind_int64(stmt, 10, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return fail(db, stmt, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int offer_update(struct store *store, int64_t id, json_t *changes, time_t now, struct error *err)
{
	json_t *current = NULL;
	const char *key;
	json_t *value;

	if (offer_get(store, id, &current, err) != 0)
		return -1;
	if (current == NULL)
		return 1;
	json_object_foreach (changes, key, value)
		json_object_set(current, key, value);

	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	if ((stmt = store_statement(
		     store,
		     "UPDATE offers SET name = ?1, category = ?2, provider = ?3, phone = ?4,"
		     " email = ?5, address = ?6, url = ?7, hours = ?8, description = ?9,"
		     " updated_at = ?10 WHERE id = ?11 AND deleted_at IS NULL",
		     err)) == NULL) {
		json_decref(current);
		return -1;
	}
	bind_fields(stmt, 1, current);
	json_decref(current);
	sqlite3_bind_int64(stmt, 10, now);
	sqlite3_bind_int64(stmt, 11, id);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return fail(db, stmt, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return 0;
}

int offer_delete(struct store *store, int64_t id, time_t now, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;

	if ((stmt = store_statement(
		     store,
		     "UPDATE offers SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
		     err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return fail(db, stmt, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return sqlite3_changes(db) == 1 ? 0 : 1;
}

static json_t *row_to_json(sqlite3_stmt *stmt)
{
	json_t *o = json_pack("{s:I}", "id", (json_int_t)sqlite3_column_int64(stmt, 0));

	for (size_t i = 0; i < FIELD_COUNT; i++) {
		const unsigned char *v = sqlite3_column_text(stmt, 1 + (int)i);
		json_object_set_new(o, fields[i].name,
				    v != NULL ? json_string((const char *)v) : json_null());
	}
	return o;
}

static int select_offers(struct store *store, int64_t id, json_t *list, struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt = NULL;
	int rc;

	if ((stmt = store_statement(
		     store,
		     "SELECT id, name, category, provider, phone, email, address, url,"
		     " hours, description FROM offers"
		     " WHERE deleted_at IS NULL AND (?1 = 0 OR id = ?1)"
		     " ORDER BY category, name, id",
		     err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(list, row_to_json(stmt));
	if (rc != SQLITE_DONE)
		return fail(db, stmt, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return 0;
}

int offer_get(struct store *store, int64_t id, json_t **out, struct error *err)
{
	json_t *list;

	*out = NULL;
	/* 0 means "every offer" to select_offers; as an id it names none. */
	if (id < 1)
		return 0;
	list = json_array();
	if (select_offers(store, id, list, err) != 0) {
		json_decref(list);
		return -1;
	}
	if (json_array_size(list) == 1)
		*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	return 0;
}

int offer_list(struct store *store, json_t **out, struct error *err)
{
	*out = json_array();
	if (select_offers(store, 0, *out, err) != 0) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
