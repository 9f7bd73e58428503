/*
 * audit.c - the access audit trail (audit.h).
 */
#include "audit.h"

#include <sqlite3.h>

#include "clock.h"
#include "store.h"
#include "xmalloc.h"

static const char insert_sql[] =
	"INSERT INTO audit (at, token_id, role, action, course_id, purpose)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) {
		xasprintf(cause, "audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int audit_record(struct store *store, const struct auth_identity *who, time_t at,
		 const char *action, int64_t course_id, const char *purpose, char **cause)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_statement(store, insert_sql, cause);
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
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "audit: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int audit_list(struct store *store, int64_t course_id, json_t **out, char **cause)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	json_t *list = json_array();
	int rc;

	if (prepare(db,
		    "SELECT a.id, a.at, a.token_id, t.name, a.role, a.action, a.course_id, a.purpose"
		    " FROM audit a LEFT JOIN tokens t ON t.id = a.token_id"
		    " WHERE ?1 = 0 OR a.course_id = ?1 ORDER BY a.id",
		    &stmt, cause) != 0) {
		json_decref(list);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, course_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		char at[CLOCK_RFC3339_LEN];
		clock_format_rfc3339((time_t)sqlite3_column_int64(stmt, 1), at);
		json_array_append_new(
			list,
			json_pack("{s:I, s:s, s:I, s:s?, s:s, s:s, s:I, s:s}", "id",
				  (json_int_t)sqlite3_column_int64(stmt, 0), "at", at, "token_id",
				  (json_int_t)sqlite3_column_int64(stmt, 2), "token_name",
				  (const char *)sqlite3_column_text(stmt, 3), "role",
				  (const char *)sqlite3_column_text(stmt, 4), "action",
				  (const char *)sqlite3_column_text(stmt, 5), "course_id",
				  (json_int_t)sqlite3_column_int64(stmt, 6), "purpose",
				  (const char *)sqlite3_column_text(stmt, 7)));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "audit: %s", sqlite3_errmsg(db));
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}
