/*
 * mentor.c - social mentors, availability and routing (mentor.h).
 */
#include "mentor.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xmalloc.h"
#include "sql.h"

struct mentor_db {
	sqlite3 *db;
	struct sql_savepoint tx;
	sqlite3_stmt *insert;
	sqlite3_stmt *update;
	sqlite3_stmt *get;
	sqlite3_stmt *list;
	sqlite3_stmt *absences;
	sqlite3_stmt *absences_clear;
	sqlite3_stmt *absence_add;
	sqlite3_stmt *least_loaded;
	sqlite3_stmt *available;
};

/* Kept by triggers on courses (migration 4). */
#define MENTOR_LOAD "m.active_courses"
#define MENTOR_COLUMNS "m.id, m.name, m.phone, m.working_days, m.active, " MENTOR_LOAD

static const struct sql_statement mentor_sql[] = {
	{offsetof(struct mentor_db, insert),
	 /* The same numbering as update, so mentor_bind serves both. */
	 "INSERT INTO mentors (created_at, name, phone, working_days, active)"
	 " VALUES (?1, ?2, ?3, ?4, ?5)"},
	{offsetof(struct mentor_db, update),
	 "UPDATE mentors SET name = ?2, phone = ?3, working_days = ?4, active = ?5"
	 " WHERE id = ?1"},
	{offsetof(struct mentor_db, get),
	 "SELECT " MENTOR_COLUMNS " FROM mentors m WHERE m.id = ?1"},
	{offsetof(struct mentor_db, list),
	 "SELECT " MENTOR_COLUMNS " FROM mentors m ORDER BY m.id"},
	{offsetof(struct mentor_db, absences),
	 "SELECT from_date, to_date FROM mentor_absences WHERE mentor_id = ?1"
	 " ORDER BY from_date, to_date"},
	{offsetof(struct mentor_db, absences_clear),
	 "DELETE FROM mentor_absences WHERE mentor_id = ?1"},
	{offsetof(struct mentor_db, absence_add),
	 "INSERT INTO mentor_absences (mentor_id, from_date, to_date) VALUES (?1, ?2, ?3)"},
	{offsetof(struct mentor_db, least_loaded),
	 "SELECT m.id FROM mentors m WHERE m.active = 1 ORDER BY " MENTOR_LOAD ", m.id LIMIT 1"},
	{offsetof(struct mentor_db, available),
	 "SELECT m.id FROM mentors m WHERE m.active = 1 AND (m.working_days & ?1) <> 0"
	 " AND NOT EXISTS (SELECT 1 FROM mentor_absences a WHERE a.mentor_id = m.id"
	 "  AND ?2 BETWEEN a.from_date AND a.to_date)"
	 " ORDER BY " MENTOR_LOAD ", m.id"},
};

#define MENTOR_NSQL (sizeof mentor_sql / sizeof mentor_sql[0])

struct mentor_db *mentor_db_new(struct store *store, char **cause)
{
	struct mentor_db *db = xcalloc(1, sizeof *db);

	db->db = store_db(store);
	if (sql_savepoint_init(&db->tx, db->db, "mentor_op", cause) != 0 ||
	    sql_prepare_table(db->db, db, mentor_sql, MENTOR_NSQL, cause) != 0) {
		mentor_db_free(db);
		return NULL;
	}
	return db;
}

void mentor_db_free(struct mentor_db *db)
{
	if (db == NULL)
		return;
	sql_savepoint_clear(&db->tx);
	sql_finalize_table(db, mentor_sql, MENTOR_NSQL);
	free(db);
}

int mentor_weekdays_mask(const int *days, size_t n, unsigned *mask)
{
	unsigned m = 0;

	for (size_t i = 0; i < n; i++) {
		if (days[i] < 1 || days[i] > 7)
			return -1;
		m |= MENTOR_WEEKDAY(days[i]);
	}
	*mask = m;
	return 0;
}

static int mentor_validate(const struct mentor *m, struct error *err)
{
	const struct mentor_absence *a;

	if (m->name == NULL || *m->name == '\0')
		return error_set(err, ERROR_INVALID, "name", "a name is required");
	if (m->phone == NULL || *m->phone == '\0')
		return error_set(err, ERROR_INVALID, "phone", "a phone number is required");
	if (m->working_days > MENTOR_ALL_WEEKDAYS)
		return error_set(err, ERROR_INVALID, "working_days",
				 "working days are ISO weekdays 1 to 7");
	for (size_t i = 0; i < m->nabsences; i++) {
		a = &m->absences[i];
		if (a->from == CAL_NO_DAY || a->to == CAL_NO_DAY || a->from > a->to)
			return error_set(err, ERROR_INVALID, "absences",
					 "absence %zu ends before it starts", i + 1);
	}
	return 0;
}

static void mentor_bind(sqlite3_stmt *s, const struct mentor *m)
{
	sqlite3_bind_text(s, 2, m->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, m->phone, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, (int)m->working_days);
	sqlite3_bind_int(s, 5, m->active ? 1 : 0);
}

static int mentor_set_absences(struct mentor_db *db, int64_t id, const struct mentor *m,
			       struct error *err)
{
	sqlite3_stmt *s = db->absence_add;

	sqlite3_bind_int64(db->absences_clear, 1, id);
	if (sql_step_done(db->db, db->absences_clear, "clearing absences", err) != 0)
		return -1;
	for (size_t i = 0; i < m->nabsences; i++) {
		sqlite3_bind_int64(s, 1, id);
		sql_bind_day(s, 2, m->absences[i].from);
		sql_bind_day(s, 3, m->absences[i].to);
		if (sql_step_done(db->db, s, "adding an absence", err) != 0)
			return -1;
	}
	return 0;
}

int mentor_add(struct mentor_db *db, const struct mentor *m, time_t now, int64_t *id,
	       struct error *err)
{
	int rc;

	if (mentor_validate(m, err) != 0)
		return -1;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	sqlite3_bind_int64(db->insert, 1, (sqlite3_int64)now);
	mentor_bind(db->insert, m);
	rc = sql_step_done(db->db, db->insert, "adding a mentor", err);
	if (rc == 0) {
		*id = sqlite3_last_insert_rowid(db->db);
		rc = mentor_set_absences(db, *id, m, err);
	}
	return sql_savepoint_end(&db->tx, rc, err);
}

int mentor_update(struct mentor_db *db, const struct mentor *m, struct error *err)
{
	int rc;

	if (mentor_validate(m, err) != 0)
		return -1;
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	sqlite3_bind_int64(db->update, 1, m->id);
	mentor_bind(db->update, m);
	rc = sql_step_done(db->db, db->update, "updating a mentor", err);
	if (rc == 0 && sqlite3_changes(db->db) == 0)
		rc = error_set(err, ERROR_NOT_FOUND, NULL, "no mentor %lld", (long long)m->id);
	if (rc == 0)
		rc = mentor_set_absences(db, m->id, m, err);
	return sql_savepoint_end(&db->tx, rc, err);
}

static void mentor_clear(struct mentor *m)
{
	free(m->name);
	free(m->phone);
	free(m->absences);
}

void mentor_free(struct mentor *m)
{
	if (m == NULL)
		return;
	mentor_clear(m);
	free(m);
}

void mentor_list_free(struct mentor *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		mentor_clear(&list[i]);
	free(list);
}

json_t *mentor_to_json(const struct mentor *mt)
{
	json_t *days = json_array(), *absences = json_array();
	char from[CAL_DATE_LEN], to[CAL_DATE_LEN];

	for (int d = 1; d <= 7; d++)
		if (mt->working_days & MENTOR_WEEKDAY(d))
			json_array_append_new(days, json_integer(d));
	for (size_t i = 0; i < mt->nabsences; i++) {
		cal_day_format(mt->absences[i].from, from);
		cal_day_format(mt->absences[i].to, to);
		json_array_append_new(absences, json_pack("{s:s, s:s}", "from", from, "to", to));
	}
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:i}", "id", (json_int_t)mt->id, "name",
			 mt->name, "phone", mt->phone, "working_days", days, "absences", absences,
			 "active", mt->active, "active_courses", mt->load);
}

static int mentor_read_absences(struct mentor_db *db, struct mentor *m, struct error *err)
{
	sqlite3_stmt *s = db->absences;
	struct mentor_absence *a;
	int rc;

	sqlite3_bind_int64(s, 1, m->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m->absences = xrealloc(m->absences, (m->nabsences + 1) * sizeof *m->absences);
		a = &m->absences[m->nabsences++];
		a->from = sql_column_day(s, 0);
		a->to = sql_column_day(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(err, db->db, "reading absences");
	return 0;
}

/* One row of MENTOR_COLUMNS into a zeroed m. */
static void mentor_read_row(sqlite3_stmt *s, struct mentor *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->name = sql_column_strdup(s, 1);
	m->phone = sql_column_strdup(s, 2);
	m->working_days = (unsigned)sqlite3_column_int(s, 3);
	m->active = sqlite3_column_int(s, 4) != 0;
	m->load = sqlite3_column_int(s, 5);
}

int mentor_get(struct mentor_db *db, int64_t id, struct mentor **out, struct error *err)
{
	sqlite3_stmt *s = db->get;
	struct mentor *m;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return error_set(err, ERROR_NOT_FOUND, NULL, "no mentor %lld",
					 (long long)id);
		return sql_error(err, db->db, "reading a mentor");
	}
	m = xcalloc(1, sizeof *m);
	mentor_read_row(s, m);
	sqlite3_reset(s);
	if (mentor_read_absences(db, m, err) != 0) {
		mentor_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

int mentor_list(struct mentor_db *db, struct mentor **out, size_t *count, struct error *err)
{
	sqlite3_stmt *s = db->list;
	struct mentor *list = NULL;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof *list);
		memset(&list[n], 0, sizeof list[n]);
		mentor_read_row(s, &list[n++]);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		mentor_list_free(list, n);
		return sql_error(err, db->db, "listing mentors");
	}
	/* Absences after the list statement is reset: one statement at a
	 * time keeps the reads simple to reason about. */
	for (size_t i = 0; i < n; i++) {
		if (mentor_read_absences(db, &list[i], err) != 0) {
			mentor_list_free(list, n);
			return -1;
		}
	}
	*out = list;
	*count = n;
	return 0;
}

int mentor_least_loaded(struct mentor_db *db, int64_t *id, struct error *err)
{
	sqlite3_stmt *s = db->least_loaded;
	int rc = sqlite3_step(s);

	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "choosing a mentor");
	return 0;
}

int mentor_available(struct mentor_db *db, cal_day day, int64_t **ids, size_t *count,
		     struct error *err)
{
	sqlite3_stmt *s = db->available;
	int64_t *list = NULL;
	size_t n = 0;
	int rc;

	sqlite3_bind_int(s, 1, (int)MENTOR_WEEKDAY(cal_weekday(day)));
	sql_bind_day(s, 2, day);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof *list);
		list[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(list);
		return sql_error(err, db->db, "finding available mentors");
	}
	*ids = list;
	*count = n;
	return 0;
}

int64_t mentor_route_pick(int64_t assigned, const int64_t *available, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (available[i] == assigned)
			return assigned;
	return count > 0 ? available[0] : assigned;
}

int mentor_route(struct mentor_db *db, int64_t assigned, cal_day day, int64_t *routed,
		 struct error *err)
{
	int64_t *available;
	size_t n;

	if (mentor_available(db, day, &available, &n, err) != 0)
		return -1;
	*routed = mentor_route_pick(assigned, available, n);
	free(available);
	return 0;
}
