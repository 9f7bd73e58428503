/*
 * concern.c - concerns for a citizen's safety (concern.h).
 */
#include "concern.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "course-log.h"
#include "outbox.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

static const char insert_sql[] =
	"INSERT INTO concerns (call_id, course_id, at, author) VALUES (?1, ?2, ?3, ?4)";

static const char handle_sql[] =
	"UPDATE concerns SET handled_at = ?2, handled_by = ?3"
	" WHERE id = ?1 AND handled_at IS NULL RETURNING course_id, call_id";

static const char of_call_sql[] = "DELETE FROM concerns WHERE call_id = ?1 RETURNING id, course_id";

/* Along outbox_course: a notification has no course. */
static const char notification_sql[] =
	"SELECT id FROM outbox WHERE course_id IS NULL AND kind = 'message'"
	" AND state = 'pending' AND type = 'concern'"
	" AND json_extract(payload, '$.concern_id') = ?1";

static const char state_sql[] = "SELECT handled_at IS NOT NULL FROM concerns WHERE id = ?1";

/* One SELECT per filter rather than "?1 = 'all' OR ...", which no index
 * serves: the open ones are a range of concerns_open, the others of the
 * primary key. */
#define CONCERN_COLUMNS \
	"SELECT n.id, n.course_id, n.call_id, n.at, n.author, " COURSE_LOG_AUTHOR_NAME("n.author") ", n.handled_at, n.handled_by, " COURSE_LOG_AUTHOR_NAME( \
		"n.handled_by") ", c.citizen_name, c.phone, c.state," \
				" c.mentor_id, m.name" \
				" FROM concerns n JOIN courses c ON c.id = n.course_id" \
				" LEFT JOIN mentors m ON m.id = c.mentor_id"

const char concern_list_open_sql[] =
	CONCERN_COLUMNS " WHERE n.handled_at IS NULL AND n.id > ?1 ORDER BY n.id LIMIT ?2";
static const char list_handled_sql[] =
	CONCERN_COLUMNS " WHERE n.handled_at IS NOT NULL AND n.id > ?1 ORDER BY n.id LIMIT ?2";
static const char list_all_sql[] = CONCERN_COLUMNS " WHERE n.id > ?1 ORDER BY n.id LIMIT ?2";

static const char list_course_sql[] =
	"SELECT n.id, n.call_id, n.at, n.author, " COURSE_LOG_AUTHOR_NAME("n.author") ", n.handled_at, n.handled_by, " COURSE_LOG_AUTHOR_NAME(
		"n.handled_by") " FROM concerns n WHERE n.course_id = ?1 ORDER BY n.id";

int concern_filter_parse(const char *name, enum concern_filter *out)
{
	static const char *const names[] = {
		[CONCERN_OPEN] = "open",
		[CONCERN_HANDLED] = "handled",
		[CONCERN_ALL] = "all",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (name != NULL && strcmp(name, names[i]) == 0) {
			*out = (enum concern_filter)i;
			return 0;
		}
	}
	return -1;
}

/* A statement of the store's cache, or an ERROR_STORE. */
static sqlite3_stmt *statement(struct store *store, const char *sql, struct error *err)
{
	return store_statement(store, sql, err);
}

void concern_notification_text(int64_t course_id, time_t at, char *body, size_t size)
{
	struct tm tm;

	localtime_r(&at, &tm);
	snprintf(body, size,
		 "Der er registreret en bekymring for en borgers sikkerhed i forløb %lld"
		 " kl. %02d.%02d. Se listen over bekymringer og følg op.",
		 (long long)course_id, tm.tm_hour, tm.tm_min);
}

/* The notification to the coordinators' phone, in the gateway's wire
 * format (doc/gateway.md): it is the whole payload, nothing is added at
 * send time. */
static int concern_notify(struct outbox *outbox, const char *phone, int64_t course_id,
			  int64_t concern_id, time_t now, struct error *err)
{
	char uuid[37], body[300], at[CLOCK_RFC3339_LEN];
	json_t *payload;
	int64_t id;
	int rc;

	outbox_uuid(uuid);
	concern_notification_text(course_id, now, body, sizeof body);
	clock_format_rfc3339(now, at);
	payload = json_pack("{s:s, s:s, s:{s:s}, s:s, s:s, s:I, s:I, s:s}", "notification_uuid",
			    uuid, "type", "concern", "recipient", "phone", phone, "label",
			    CONCERN_LABEL, "body", body, "course_id", (json_int_t)course_id,
			    "concern_id", (json_int_t)concern_id, "created_at", at);
	rc = outbox_add(outbox, OUTBOX_MESSAGE, "concern", 0, uuid, payload, now, &id, err);
	json_decref(payload);
	return rc;
}

int concern_record(struct store *store, struct outbox *outbox, const char *notify_phone,
		   int64_t course_id, int64_t call_id, time_t now, const char *author, int64_t *id,
		   struct error *err)
{
	sqlite3_stmt *s = statement(store, insert_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, call_id);
	sqlite3_bind_int64(s, 2, course_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	sqlite3_bind_text(s, 4, author, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return error_set(err, ERROR_CONFLICT, NULL, "call %lld already has a concern",
				 (long long)call_id);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "recording a concern");
	*id = sqlite3_last_insert_rowid(store_db(store));
	if (notify_phone == NULL || notify_phone[0] == '\0')
		return 0;
	return concern_notify(outbox, notify_phone, course_id, *id, now, err);
}

int concern_handle(struct store *store, struct course_log *log, int64_t id, time_t now,
		   const char *author, int64_t *course_id, struct error *err)
{
	sqlite3_stmt *s = statement(store, handle_sql, err);
	int64_t call_id = 0;
	json_t *details;
	int rc, handled = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	sqlite3_bind_text(s, 3, author, -1, SQLITE_TRANSIENT);
	*course_id = 0;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*course_id = sqlite3_column_int64(s, 0);
		call_id = sqlite3_column_int64(s, 1);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "handling a concern");
	if (*course_id == 0) {
		/* Nothing changed: tell an unknown concern from a handled one. */
		if ((s = statement(store, state_sql, err)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			handled = sqlite3_column_int(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sql_error(err, store_db(store), "reading a concern");
		if (handled < 0)
			return error_set(err, ERROR_NOT_FOUND, NULL, "no concern %lld",
					 (long long)id);
		return error_set(err, ERROR_CONFLICT, NULL, "concern %lld is already handled",
				 (long long)id);
	}
	details = json_pack("{s:I, s:I}", "concern_id", (json_int_t)id, "call_id",
			    (json_int_t)call_id);
	rc = course_log_append(log, *course_id, now, author, "concern_handled", details, err);
	json_decref(details);
	return rc;
}

int concern_withdraw(struct store *store, struct outbox *outbox, struct course_log *log,
		     int64_t call_id, time_t now, const char *author, int64_t *id,
		     struct error *err)
{
	sqlite3_stmt *s = statement(store, of_call_sql, err);
	int64_t course_id = 0, notification = 0;
	bool withdrawn = false;
	json_t *details;
	int rc;

	*id = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, call_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		course_id = sqlite3_column_int64(s, 1);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "withdrawing a concern");
	if (*id == 0)
		return 0;
	if ((s = statement(store, notification_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, *id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		notification = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "finding a concern's notification");
	if (notification > 0 && outbox_withdraw_message(outbox, notification, &withdrawn, err) != 0)
		return -1;
	details = json_pack("{s:I, s:I, s:s, s:b}", "concern_id", (json_int_t)*id, "call_id",
			    (json_int_t)call_id, "reason", "outcome_corrected",
			    "notification_withdrawn", withdrawn);
	rc = course_log_append(log, course_id, now, author, "concern_withdrawn", details, err);
	json_decref(details);
	return rc;
}

static json_t *instant_json(sqlite3_stmt *s, int col)
{
	char text[CLOCK_RFC3339_LEN];

	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	clock_format_rfc3339((time_t)sqlite3_column_int64(s, col), text);
	return json_string(text);
}

static json_t *text_json(sqlite3_stmt *s, int col)
{
	const char *text = (const char *)sqlite3_column_text(s, col);

	return text != NULL ? json_string(text) : json_null();
}

static json_t *id_json(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(s, col));
}

/* One row of CONCERN_COLUMNS. */
static json_t *concern_json(sqlite3_stmt *s)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, "
			 "s:o}",
			 "id", (json_int_t)sqlite3_column_int64(s, 0), "course_id",
			 (json_int_t)sqlite3_column_int64(s, 1), "call_id",
			 (json_int_t)sqlite3_column_int64(s, 2), "at", instant_json(s, 3), "author",
			 text_json(s, 4), "author_name", text_json(s, 5), "handled_at",
			 instant_json(s, 6), "handled_by", text_json(s, 7), "handled_by_name",
			 text_json(s, 8), "citizen", "name", text_json(s, 9), "phone",
			 text_json(s, 10), "course_state", text_json(s, 11), "mentor_id",
			 id_json(s, 12), "mentor_name", text_json(s, 13));
}

/* Step s to its end, each row through fn into a new array. */
static int collect(struct store *store, sqlite3_stmt *s, json_t *(*fn)(sqlite3_stmt *),
		   json_t **out, struct error *err)
{
	json_t *list = json_array();
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(list, fn(s));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return sql_error(err, store_db(store), "listing concerns");
	}
	*out = list;
	return 0;
}

int concern_list(struct store *store, enum concern_filter filter, int64_t after, size_t limit,
		 json_t **out, struct error *err)
{
	const char *sql = filter == CONCERN_OPEN      ? concern_list_open_sql
			  : filter == CONCERN_HANDLED ? list_handled_sql
						      : list_all_sql;
	sqlite3_stmt *s = statement(store, sql, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	return collect(store, s, concern_json, out, err);
}

static json_t *course_concern_json(sqlite3_stmt *s)
{
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "call_id",
			 (json_int_t)sqlite3_column_int64(s, 1), "at", instant_json(s, 2), "author",
			 text_json(s, 3), "author_name", text_json(s, 4), "handled_at",
			 instant_json(s, 5), "handled_by", text_json(s, 6), "handled_by_name",
			 text_json(s, 7));
}

int concern_list_course(struct store *store, int64_t course_id, json_t **out, struct error *err)
{
	sqlite3_stmt *s = statement(store, list_course_sql, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, course_id);
	return collect(store, s, course_concern_json, out, err);
}
