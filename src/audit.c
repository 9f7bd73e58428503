/*
 * audit.c - the access audit trail (audit.h).
 */
#include "audit.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "sql.h"
#include "store.h"

static const char insert_sql[] =
	"INSERT INTO audit (at, token_id, role, action, course_id, purpose, client_address)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/* The course's newest rows first, along audit_course: today's are few, as
 * repeats are counted rather than written, so the walk stops within a
 * handful of rows of one index range. */
static const char newest_sql[] =
	"SELECT id, at, token_id, action, purpose, client_address FROM audit"
	" WHERE course_id = ?1 ORDER BY id DESC";
static const char repeat_sql[] = "UPDATE audit SET times = times + 1, last_at = ?2 WHERE id = ?1";

/* Rows of the course walked back for a repeat before a new row is
 * written anyway: a course read by more people or for more purposes in a
 * day than this gets a row more, never one less. */
#define AUDIT_REPEAT_WALK 32

static bool same_text(sqlite3_stmt *stmt, int col, const char *text)
{
	const char *have = (const char *)sqlite3_column_text(stmt, col);

	if (text == NULL || text[0] == '\0')
		return have == NULL || have[0] == '\0';
	return have != NULL && strcmp(have, text) == 0;
}

/* The row of the same read earlier today, by the same token from the same
 * address for the same purpose: its id, 0 when there is none, -1 on a
 * failure. Rows are walked newest first until one of an earlier day. */
static int64_t audit_repeat_of(struct store *store, const struct auth_identity *who,
			       const char *client_address, time_t at, int64_t course_id,
			       const char *purpose, struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, newest_sql, err);
	cal_day today = cal_day_of_instant(at);
	int64_t found = 0;
	int rc, walked = 0;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, course_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && walked++ < AUDIT_REPEAT_WALK) {
		if (cal_day_of_instant((time_t)sqlite3_column_int64(stmt, 1)) != today)
			break;
		if (sqlite3_column_int64(stmt, 2) == who->token_id &&
		    same_text(stmt, 3, AUDIT_READ) && same_text(stmt, 4, purpose) &&
		    same_text(stmt, 5, client_address)) {
			found = sqlite3_column_int64(stmt, 0);
			break;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "audit");
	return found;
}

static int audit_count_repeat(struct store *store, int64_t id, time_t at, struct error *err)
{
	sqlite3_stmt *stmt = store_statement(store, repeat_sql, err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "audit");
	return 0;
}

int audit_record(struct store *store, const struct auth_identity *who, const char *client_address,
		 time_t at, const char *action, int64_t course_id, const char *purpose,
		 struct error *err)
{
	sqlite3 *db = store_db(store);
	sqlite3_stmt *stmt;
	int rc;

	if (course_id > 0 && who->token_id > 0 && strcmp(action, AUDIT_READ) == 0) {
		int64_t repeat =
			audit_repeat_of(store, who, client_address, at, course_id, purpose, err);
		if (repeat < 0)
			return -1;
		if (repeat > 0)
			return audit_count_repeat(store, repeat, at, err);
	}
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
	" a.client_address, coalesce(m.name, t.name), a.times, coalesce(a.last_at, a.at)" \
	" FROM audit a LEFT JOIN tokens t ON t.id = a.token_id" \
	" LEFT JOIN mentors m ON m.id = t.mentor_id AND t.role = 'mentor'"

static const char list_course_sql[] =
	AUDIT_LIST_SELECT " WHERE a.course_id = ?1 AND a.id > ?2 ORDER BY a.id LIMIT ?3";
/* ?1 is bound but not used: there is no course to match. */
static const char list_all_sql[] = AUDIT_LIST_SELECT " WHERE a.id > ?2 ORDER BY a.id LIMIT ?3";

static json_t *audit_row_json(sqlite3_stmt *stmt)
{
	char at[CLOCK_RFC3339_LEN], last[CLOCK_RFC3339_LEN];

	clock_format_rfc3339((time_t)sqlite3_column_int64(stmt, 1), at);
	clock_format_rfc3339((time_t)sqlite3_column_int64(stmt, 11), last);
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:s?, s:s?, s:s, s:s, s:I, s:s, s:s?}", "id",
			 (json_int_t)sqlite3_column_int64(stmt, 0), "at", at, "last_at", last,
			 "times", (json_int_t)sqlite3_column_int64(stmt, 10), "token_id",
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
