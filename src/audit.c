/*
 * audit.c - the access audit trail (audit.h).
 */
#include "audit.h"

#include <sqlite3.h>

#include "clock.h"
#include "sql.h"
#include "store.h"

static const char insert_sql[] =
	"INSERT INTO audit (at, token_id, role, action, course_id, purpose, client_address)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

int audit_record(struct store *store, const struct auth_identity *who, const char *client_address,
		 time_t at, const char *action, int64_t course_id, const char *purpose,
		 struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_statement(store, insert_sql, err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, at);
	if (who->token_id > 0)
		sqlite3_bind_int64(stmt, 2, who->token_id);
	sqlite3_bind_text(stmt, 3, auth_role_name(who->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, action, -1, SQLITE_STATIC);
	if (course_id > 0)
		sqlite3_bind_int64(stmt, 5, course_id);
	sqlite3_bind_text(stmt, 6, purpose, -1, SQLITE_STATIC);
	if (client_address != NULL && client_address[0] != '\0')
		sqlite3_bind_text(stmt, 7, client_address, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
		return sql_error(err, db, "audit");
	return 0;
}

/* Two statements rather than one "?1 = 0 OR course_id = ?1", which no
 * index serves: a course's page is read from audit_course (course_id,
 * id), a page of all rows by rowid. Either way a page reads its own rows
 * only, however long the trail has grown. */
/* The display name is the mentor's own name for a mentor's token, so the
 * report a coordinator hands a citizen names people, not tokens. */
#define AUDIT_LIST_SELECT \
	"SELECT a.id, a.at, a.token_id, t.name, a.role, a.action, a.course_id, a.purpose," \
	" a.client_address, coalesce(m.name, t.name)" \
	" FROM audit a LEFT JOIN tokens t ON t.id = a.token_id" \
	" LEFT JOIN mentors m ON m.id = t.mentor_id AND t.role = 'mentor'"

static const char list_course_sql[] =
	AUDIT_LIST_SELECT " WHERE a.course_id = ?1 AND a.id > ?2 ORDER BY a.id LIMIT ?3";
/* ?1 is bound but not used: there is no course to match. */
static const char list_all_sql[] = AUDIT_LIST_SELECT " WHERE a.id > ?2 ORDER BY a.id LIMIT ?3";

static json_t *audit_row_json(sqlite3_stmt *stmt)
{
	char at[CLOCK_RFC3339_LEN];

	clock_format_rfc3339((time_t)sqlite3_column_int64(stmt, 1), at);
	return json_pack("{s:I, s:s, s:I, s:s?, s:s?, s:s, s:s, s:I, s:s, s:s?}", "id",
			 (json_int_t)sqlite3_column_int64(stmt, 0), "at", at, "token_id",
			 (json_int_t)sqlite3_column_int64(stmt, 2), "token_name",
			 (const char *)sqlite3_column_text(stmt, 3), "display_name",
			 (const char *)sqlite3_column_text(stmt, 9), "role",
			 (const char *)sqlite3_column_text(stmt, 4), "action",
			 (const char *)sqlite3_column_text(stmt, 5), "course_id",
			 (json_int_t)sqlite3_column_int64(stmt, 6), "purpose",
			 (const char *)sqlite3_column_text(stmt, 7), "client_address",
			 (const char *)sqlite3_column_text(stmt, 8));
}

int audit_list(struct store *store, int64_t course_id, int64_t after, size_t limit, json_t **out,
	       struct error *err)
{
	sqlite3_stmt *stmt;
	json_t *list;
	int rc;

	stmt = store_statement(store, course_id > 0 ? list_course_sql : list_all_sql, err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, course_id);
	sqlite3_bind_int64(stmt, 2, after);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)limit);
	list = json_array();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(list, audit_row_json(stmt));
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return sql_error(err, store_db(store), "audit");
	}
	*out = list;
	return 0;
}
