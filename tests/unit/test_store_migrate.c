/*
 * test_store_migrate.c - opening the store: pragmas, migrations one version
 * at a time, and refusing a database from a newer mentord untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sql.h"
#include "store-migrate.h"
#include "store.h"
#include "temp-db.h"
#include "xmalloc.h"

struct fixture {
	char dir[TEMP_DB_DIR_LEN];
	char path[TEMP_DB_PATH_LEN];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (temp_db_make("store", f->dir, f->path) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (temp_db_remove(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static const char *pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *stmt;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return buf;
}

static void test_fresh_database_is_wal_full_fk_and_latest(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	char *cause = NULL, buf[32];
	int version = -1;

	if (store_open(f->path, &store, &cause) != 0)
		fail_msg("open: %s", cause);
	sqlite3 *db = store_db(store);
	assert_string_equal(pragma_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
	assert_string_equal(pragma_text(db, "PRAGMA synchronous", buf, sizeof buf), "2");
	assert_string_equal(pragma_text(db, "PRAGMA foreign_keys", buf, sizeof buf), "1");
	/* The planner's statistics were gathered after the migrations, and
	 * every later ANALYZE is bounded. */
	assert_string_equal(pragma_text(db, "SELECT count(*) FROM sqlite_master"
					    " WHERE name = 'sqlite_stat1'", buf, sizeof buf), "1");
	assert_string_equal(pragma_text(db, "PRAGMA analysis_limit", buf, sizeof buf), "1000");
	assert_int_equal(store_check(store, &version), 0);
	assert_int_equal(version, store_migrate_latest());
	assert_true(version >= 1);
	store_free(store);
}

static void test_reopen_keeps_data_and_version(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	char *cause = NULL;
	struct error err;
	int version = 0;

	assert_int_equal(store_open(f->path, &store, &cause), 0);
	assert_int_equal(store_begin(store, &err), 0);
	assert_int_equal(sql_exec(store_db(store),
				    "INSERT INTO tokens (name, role, hash, created_at)"
				    " VALUES ('t', 'admin', zeroblob(32), 1)",
				    &cause),
			 0);
	assert_int_equal(store_commit(store, &err), 0);
	store_free(store);

	assert_int_equal(store_open(f->path, &store, &cause), 0);
	assert_int_equal(store_check(store, &version), 0);
	assert_int_equal(version, store_migrate_latest());
	char buf[8];
	assert_string_equal(pragma_text(store_db(store), "SELECT count(*) FROM tokens", buf,
					sizeof buf),
			    "1");
	store_free(store);
}

static void test_migrates_one_version_at_a_time(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;
	int version = -1;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	for (int target = 1; target <= store_migrate_latest(); target++) {
		if (store_migrate_to(db, target, &cause) != 0)
			fail_msg("to %d: %s", target, cause);
		assert_int_equal(store_migrate_version(db, &version, &cause), 0);
		assert_int_equal(version, target);
	}
	/* Running it again is a no-op. */
	assert_int_equal(store_migrate(db, &cause), 0);
	assert_int_equal(store_migrate_version(db, &version, &cause), 0);
	assert_int_equal(version, store_migrate_latest());
	sqlite3_close(db);
}

static int64_t int_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* The audit rows written before reads were counted (times, last_at) read
 * as one read each, and from then on keep what they say for good. */
static void test_audit_rows_before_counting(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;
	sqlite3 *db;
	int before = 0;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	for (int target = 1; target <= store_migrate_latest(); target++) {
		if (store_migrate_to(db, target, &cause) != 0)
			fail_msg("to %d: %s", target, cause);
		if (int_of(db, "SELECT count(*) FROM pragma_table_info('audit')"
			       " WHERE name = 'times'") == 0 &&
		    int_of(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'") == 1) {
			before = target;
			if (sql_exec(db, "DELETE FROM audit;"
					 "INSERT INTO audit (at, role, action, course_id, purpose)"
					 " VALUES (100, 'admin', 'read', NULL, 'list courses')",
				     &cause) != 0)
				fail_msg("at %d: %s", target, cause);
		}
	}
	assert_true(before > 0 && before < store_migrate_latest());
	assert_int_equal(int_of(db, "SELECT times FROM audit"), 1);
	assert_int_equal(int_of(db, "SELECT last_at IS NULL FROM audit"), 1);
	assert_int_equal(sql_exec(db, "UPDATE audit SET times = times + 1, last_at = 200", &cause),
			 0);
	assert_int_not_equal(sql_exec(db, "UPDATE audit SET purpose = 'other'", &cause), 0);
	free(cause);
	cause = NULL;
	assert_int_not_equal(sql_exec(db, "DELETE FROM audit", &cause), 0);
	free(cause);
	assert_int_equal(int_of(db, "SELECT times FROM audit WHERE purpose = 'list courses'"), 2);
	sqlite3_close(db);
}

/* The names of the indexes and triggers on courses, one string. */
static char *courses_objects(sqlite3 *db)
{
	sqlite3_stmt *stmt;
	char *list = xstrdup("");

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT type || ' ' || name FROM sqlite_schema"
					    " WHERE tbl_name = 'courses' AND type IN ('index', 'trigger')"
					    " ORDER BY type, name",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		char *more;

		xasprintf(&more, "%s%s\n", list, (const char *)sqlite3_column_text(stmt, 0));
		free(list);
		list = more;
	}
	sqlite3_finalize(stmt);
	return list;
}

/* Migration 14 rebuilds courses, which calls, the log, the outbox, the
 * audit trail, concerns and courses themselves refer to: every row and
 * reference survives, foreign keys are on again, every index and trigger
 * on courses at schema 13 is there again (the load triggers still count,
 * the search index still follows names and forgets the anonymised), the
 * sessions stay, and the new states are allowed. */
static void test_life_event_rebuild_keeps_everything(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL, *before, *after, *line, *save = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	if (store_migrate_to(db, 13, &cause) != 0)
		fail_msg("to 13: %s", cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO mentors (id, name, phone, created_at) VALUES (1, 'M', 'p', 1);"
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, discharge_date, window_end, mentor_id, created_at)"
			     " VALUES (1, 'n1', 'superseded', 1, 'Anne Ågård', '+4520304050',"
			     " '2026-04-01', '2026-10-01', 1, 1),"
			     " (2, 'n2', 'active', 1, 'Anne Ågård', '+4520304050', '2026-05-01',"
			     " '2026-11-01', 1, 1);"
			     "UPDATE courses SET superseded_by = 2 WHERE id = 1;"
			     "INSERT INTO calls (id, course_id, reason, attempt, due_date, created_at)"
			     " VALUES (7, 2, 'first_contact', 1, '2026-05-04', 1);"
			     "INSERT INTO course_log (course_id, at, author, kind) VALUES (2, 1, 's', 'x');"
			     "INSERT INTO outbox (kind, type, course_id, idempotency_key, payload,"
			     " next_attempt_at, created_at) VALUES ('message', 'welcome', 2, 'k', '{}', 1, 1);"
			     "INSERT INTO audit (at, role, action, course_id, purpose)"
			     " VALUES (1, 'admin', 'read', 2, 'p');"
			     "INSERT INTO concerns (call_id, course_id, at, author)"
			     " VALUES (7, 2, 1, 'mentor:1');"
			     "INSERT INTO tokens (id, name, role, hash, created_at)"
			     " VALUES (1, 't', 'admin', zeroblob(32), 1);"
			     "INSERT INTO sessions (hash, token_id, created_at, seen_at)"
			     " VALUES (randomblob(32), 1, 1, 1);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT active_courses FROM mentors WHERE id = 1"), 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses_search"
				    " WHERE courses_search MATCH 'gård'"),
			 2);
	before = courses_objects(db);
	if (store_migrate_to(db, 14, &cause) != 0)
		fail_msg("to 14: %s", cause);
	assert_int_equal(int_of(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	after = courses_objects(db);
	for (line = strtok_r(before, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (strstr(after, line) == NULL)
			fail_msg("%s is gone after the rebuild:\n%s", line, after);
	free(before);
	free(after);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses"), 2);
	assert_int_equal(int_of(db, "SELECT superseded_by FROM courses WHERE id = 1"), 2);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses WHERE id = 2 AND"
				    " notified_discharge_date = '2026-05-01' AND source = 'psychiatry'"
				    " AND readmissions = 0"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM calls c JOIN courses k"
				    " ON k.id = c.course_id"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM concerns c JOIN courses k"
				    " ON k.id = c.course_id"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM sessions"), 1);
	/* The search index kept its rows, and its triggers came back. */
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses_search"
				    " WHERE courses_search MATCH 'gård'"),
			 2);
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE courses SET citizen_name = 'anonymised',"
				      " anonymised_at = 9 WHERE id = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT rowid FROM courses_search"
				    " WHERE courses_search MATCH 'gård'"),
			 2);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses_search"
				    " WHERE courses_search MATCH 'gård'"),
			 1);
	/* The load trigger came back with the table. */
	assert_int_equal(sqlite3_exec(db,
				      "UPDATE courses SET state = 'paused', paused_at = 5,"
				      " paused_from = 'active' WHERE id = 2",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT active_courses FROM mentors WHERE id = 1"), 0);
	/* A referral during the stay has no dates; an active course must. */
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO courses (notification_id, state, state_changed_at,"
				      " citizen_name, phone, created_at) VALUES ('n3',"
				      " 'awaiting_discharge', 1, 'Bent', '+4520304051', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses_search"
				    " WHERE courses_search MATCH 'Bent'"),
			 1);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO courses (notification_id, state_changed_at,"
					  " citizen_name, phone, created_at) VALUES ('n4', 1, 'C',"
					  " '+4520304052', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	/* Foreign keys hold again: no call for a course that is not there. */
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO calls (course_id, reason, attempt, due_date,"
					  " created_at) VALUES (99, 'retry', 1, '2026-05-04', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

/* Migration 17 keeps the bundles received before it (their MessageHeader
 * id unknown), and an effect goes with its bundle and its course. */
static void test_fhir_effects_follow_their_bundle(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	if (store_migrate_to(db, 16, &cause) != 0)
		fail_msg("to 16: %s", cause);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO fhir_bundles (bundle_id, fingerprint, status, reply,"
				      " received_at) VALUES ('b-old', printf('%.64c', 'a'), 200, '{}', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	if (store_migrate_to(db, 17, &cause) != 0)
		fail_msg("to 17: %s", cause);
	assert_int_equal(int_of(db, "SELECT count(*) FROM fhir_bundles WHERE bundle_id = 'b-old'"
				    " AND header_id IS NULL"),
			 1);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, discharge_date, window_end, created_at)"
			     " VALUES (1, 'n1', 'active', 1, 'A', '+4520304050', '2026-04-01',"
			     " '2026-10-01', 1), (2, 'n2', 'active', 1, 'B', '+4520304051',"
			     " '2026-04-01', '2026-10-01', 1);"
			     "INSERT INTO fhir_bundles (bundle_id, header_id, fingerprint, status,"
			     " reply, received_at) VALUES ('b-new', 'h-new', printf('%.64c', 'b'),"
			     " 200, '{}', 2);"
			     "INSERT INTO fhir_effects (bundle_id, course_id, event, at, from_state,"
			     " from_readmissions, to_state, to_changed_at) VALUES"
			     " ('b-new', 1, 'admitted', 2, 'active', 0, 'paused', 2),"
			     " ('b-new', 2, 'admitted', 2, 'active', 0, 'paused', 2);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	/* No effect of a bundle not kept. */
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO fhir_effects (bundle_id, course_id, event, at,"
					  " from_state, from_readmissions, to_state, to_changed_at)"
					  " VALUES ('b-none', 1, 'admitted', 2, 'active', 0, 'paused', 2)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM courses WHERE id = 2", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT count(*) FROM fhir_effects"), 1);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM fhir_bundles WHERE bundle_id = 'b-new'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT count(*) FROM fhir_effects"), 0);
	sqlite3_close(db);
}

/* The names of every index and trigger, one string. */
static char *schema_objects(sqlite3 *db)
{
	sqlite3_stmt *stmt;
	char *list = xstrdup("");

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT type || ' ' || name || ' on ' || tbl_name"
					    " FROM sqlite_schema WHERE type IN ('index', 'trigger')"
					    " AND sql IS NOT NULL ORDER BY type, name",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		char *more;

		xasprintf(&more, "%s%s\n", list, (const char *)sqlite3_column_text(stmt, 0));
		free(list);
		list = more;
	}
	sqlite3_finalize(stmt);
	return list;
}

/* Migration 19 (programmes, doc/programmes.md) rebuilds tokens and
 * courses: every row and reference survives, existing courses are the
 * preventive scheme's, every index and trigger of the database is there
 * again (the calls' triggers that read courses too), and the role
 * caseworker and the state awaiting_decision are allowed. */
static void test_programme_rebuild_keeps_everything(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL, *before, *after, *line, *save = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	if (store_migrate_to(db, 18, &cause) != 0)
		fail_msg("to 18: %s", cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO mentors (id, name, phone, created_at) VALUES (1, 'M', 'p', 1),"
			     " (2, 'N', 'q', 1);"
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, discharge_date, window_end, mentor_id, created_at,"
			     " source, readmissions) VALUES (1, 'n1', 'active', 1, 'Anne Ågård',"
			     " '+4520304050', '2026-04-01', '2026-10-01', 1, 1, 'self_referral', 2);"
			     "INSERT INTO calls (id, course_id, reason, attempt, due_date, created_at)"
			     " VALUES (7, 1, 'first_contact', 1, '2026-04-02', 1);"
			     "INSERT INTO tokens (id, name, role, hash, created_at, login)"
			     " VALUES (1, 't', 'admin', zeroblob(32), 1, 'kim');"
			     "INSERT INTO sessions (hash, token_id, created_at, seen_at)"
			     " VALUES (randomblob(32), 1, 1, 1);"
			     "INSERT INTO audit (at, token_id, role, action, course_id, purpose)"
			     " VALUES (1, 1, 'admin', 'read', 1, 'p');"
			     "INSERT INTO fhir_bundles (bundle_id, header_id, fingerprint, status,"
			     " reply, received_at) VALUES ('b1', 'h1', printf('%.64c', 'a'), 200,"
			     " '{}', 1);"
			     "INSERT INTO fhir_effects (bundle_id, course_id, event, at, from_state,"
			     " from_readmissions, to_state, to_changed_at) VALUES"
			     " ('b1', 1, 'discharged', 1, 'awaiting_discharge', 0, 'active', 1);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	before = schema_objects(db);
	if (store_migrate_to(db, 19, &cause) != 0)
		fail_msg("to 19: %s", cause);
	assert_int_equal(int_of(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	after = schema_objects(db);
	for (line = strtok_r(before, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (strstr(after, line) == NULL)
			fail_msg("%s is gone after the rebuild:\n%s", line, after);
	free(before);
	free(after);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses WHERE id = 1"
				    " AND programme = 'preventive' AND source = 'self_referral'"
				    " AND readmissions = 2 AND decision_due IS NULL"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM tokens WHERE login = 'kim'"), 1);
	/* A HospitalNotification's effect still names its course, and goes
	 * with it. */
	assert_int_equal(int_of(db, "SELECT count(*) FROM fhir_effects e JOIN courses c"
				    " ON c.id = e.course_id"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM sessions s JOIN tokens t"
				    " ON t.id = s.token_id"),
			 1);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses_search"
				    " WHERE courses_search MATCH 'gård'"),
			 1);
	/* The calls follow their course's mentor again. */
	assert_int_equal(sqlite3_exec(db, "UPDATE courses SET mentor_id = 2 WHERE id = 1", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT mentor_id FROM calls WHERE id = 7"), 2);
	assert_int_equal(int_of(db, "SELECT active_courses FROM mentors WHERE id = 2"), 1);
	/* The new role and state; a referral awaiting its decision must
	 * know when it is due. */
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO tokens (name, role, hash, created_at)"
				      " VALUES ('c', 'caseworker', randomblob(32), 1);"
				      "INSERT INTO courses (notification_id, state, state_changed_at,"
				      " citizen_name, phone, created_at, programme,"
				      " need_identified_on, decision_due) VALUES ('r1',"
				      " 'awaiting_decision', 1, 'Bo', '+4520304051', 1, 'youth',"
				      " '2026-04-01', '2026-04-11')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT n FROM row_counts WHERE family = 'course_state'"
				    " AND label = 'awaiting_decision'"),
			 1);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO courses (notification_id, state,"
					  " state_changed_at, citizen_name, phone, created_at)"
					  " VALUES ('r2', 'awaiting_decision', 1, 'C', '+4520304052', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO tokens (name, role, hash, created_at)"
					  " VALUES ('x', 'judge', randomblob(32), 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

/* Migration 20 (matching): a mentor's profile is checked and goes with
 * the mentor; wishes of the old shape take the shape matching reads. */
static void test_matching_profile_and_wishes(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL, buf[128];

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	if (store_migrate_to(db, 19, &cause) != 0)
		fail_msg("to 19: %s", cause);
	assert_int_equal(
		sqlite3_exec(
			db,
			"INSERT INTO mentors (id, name, phone, created_at) VALUES (1, 'M', 'p', 1);"
			"INSERT INTO courses (id, notification_id, state, state_changed_at,"
			" citizen_name, phone, created_at, programme, need_identified_on,"
			" decision_due, wishes) VALUES (1, 'r1', 'awaiting_decision', 1, 'Bo',"
			" '+4520304051', 1, 'youth', '2026-04-01', '2026-04-11',"
			" '{\"language\":\"da\",\"mentor_gender\":\"female\",\"note\":\"x\"}'),"
			" (2, 'r2', 'awaiting_decision', 1, 'Al', '+4520304052', 1, 'youth',"
			" '2026-04-01', '2026-04-11', '{\"note\":\"y\"}');",
			NULL, NULL, NULL),
		SQLITE_OK);
	if (store_migrate_to(db, 20, &cause) != 0)
		fail_msg("to 20: %s", cause);
	assert_string_equal(
		pragma_text(db, "SELECT wishes FROM courses WHERE id = 1", buf, sizeof buf),
		"{\"note\":\"x\",\"gender\":\"female\",\"languages\":[\"da\"]}");
	assert_string_equal(
		pragma_text(db, "SELECT wishes FROM courses WHERE id = 2", buf, sizeof buf),
		"{\"note\":\"y\"}");
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO mentor_profile (mentor_id, gender, languages)"
				      " VALUES (1, 'female', '[\"da\",\"en\"]')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT json_array_length(competences) FROM mentor_profile"),
			 0);
	/* A gender outside the list, a list that is not one, no mentor. */
	assert_int_not_equal(
		sqlite3_exec(db, "UPDATE mentor_profile SET gender = 'x'", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_not_equal(
		sqlite3_exec(db, "UPDATE mentor_profile SET interests = '{}'", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO mentor_profile (mentor_id) VALUES (9)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM mentors WHERE id = 1", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT count(*) FROM mentor_profile"), 0);
	sqlite3_close(db);
}

/* The last migration (21 where it was written: time and cost): a
 * mentor's terms as a history and weekly time; an external mentor always
 * has a rate, a week's minutes fit in a week. */
static void test_time_and_cost_tables(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	if (store_migrate(db, &cause) != 0)
		fail_msg("migrate: %s", cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO mentors (id, name, phone, created_at) VALUES (1, 'M', 'p', 1);"
			     "INSERT INTO mentor_terms (mentor_id, valid_from, external, hourly_rate,"
			     " author, at) VALUES (1, '2019-01-01', 1, 40000, 'admin:1', 1),"
			     " (1, '2021-01-01', 0, NULL, 'admin:1', 2);"
			     "INSERT INTO mentor_time (mentor_id, programme, week_start, minutes,"
			     " author, at) VALUES (1, 'preventive', '2020-12-28', 90, 'mentor:2', 3)",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO mentor_terms (mentor_id, valid_from, external,"
					  " author, at) VALUES (1, '2022-01-01', 1, 'a', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO mentor_time (mentor_id, programme, week_start,"
					  " minutes, author, at) VALUES (1, 'p', '2020-12-28', 10081,"
					  " 'a', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO mentor_time (mentor_id, programme, week_start,"
					  " minutes, author, at) VALUES (9, 'p', '2020-12-28', 10, 'a', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

/* Goals and meetings: existing calls are contact calls; a course may
 * have one pending call of each kind, never two of one. */
static void test_goals_and_meetings(void **state)
{
	struct fixture *f = *state;
	int latest = store_migrate_latest();
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
	/* Before migration 22 (the index of migration 23 follows it). */
	if (store_migrate_to(db, latest - 2, &cause) != 0)
		fail_msg("to %d: %s", latest - 2, cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, discharge_date, window_end, created_at,"
			     " programme) VALUES (1, 'n1', 'active', 1, 'Bo', '+4520304050',"
			     " '2026-03-02', '2026-09-02', 1, 'youth');"
			     "INSERT INTO calls (id, course_id, reason, attempt, due_date, created_at)"
			     " VALUES (7, 1, 'first_contact', 1, '2026-03-03', 1);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	if (store_migrate_to(db, latest, &cause) != 0)
		fail_msg("to %d: %s", latest, cause);
	assert_int_equal(int_of(db, "SELECT count(*) FROM calls WHERE id = 7 AND kind = 'call'"), 1);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO calls (course_id, reason, attempt, due_date,"
					  " created_at) VALUES (1, 'follow_up', 1, '2026-03-04', 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO calls (id, course_id, reason, attempt, due_date,"
				      " created_at, kind) VALUES (8, 1, 'follow_up', 1, '2026-04-13',"
				      " 1, 'meeting');"
				      "INSERT INTO goals (id, course_id, text, agreed_at, author)"
				      " VALUES (1, 1, 'Møde op i skolen', 1, 'caseworker:2');"
				      "INSERT INTO goal_progress (goal_id, call_id, progress,"
				      " recorded_at, author) VALUES (1, 8, 'some', 1, 'mentor:1')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO calls (course_id, reason, attempt, due_date,"
					  " created_at, kind) VALUES (1, 'follow_up', 1, '2026-05-25',"
					  " 1, 'meeting')",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO goal_progress (goal_id, call_id, progress,"
					  " recorded_at, author) VALUES (1, 7, 'great', 1, 'mentor:1')",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(int_of(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	sqlite3_close(db);
}

/* The courses held by their closing checklist are read along their own
 * index, which holds just them. */
static void test_awaiting_checklist_index(void **state)
{
	struct fixture *f = *state;
	int latest = store_migrate_latest();
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (store_migrate_to(db, latest - 1, &cause) != 0)
		fail_msg("to %d: %s", latest - 1, cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, created_at, programme, state_reason,"
			     " discharge_date, window_end) VALUES"
			     " (1, 'n1', 'ended', 1, 'Bo', '+4520304050', 1, 'youth',"
			     "  'awaiting_checklist', '2026-03-02', '2026-09-02'),"
			     " (2, 'n2', 'ended', 1, 'Al', '+4520304051', 1, 'youth',"
			     "  'citizen_wish', '2026-03-02', '2026-09-02')",
			     NULL, NULL, NULL),
		SQLITE_OK);
	if (store_migrate_to(db, latest, &cause) != 0)
		fail_msg("to %d: %s", latest, cause);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses INDEXED BY"
				    " courses_awaiting_checklist WHERE state = 'ended'"
				    " AND state_reason = 'awaiting_checklist'"),
			 1);
	sqlite3_close(db);
}

/* Migration 29: a life event key kept from before has no content hash
 * (it counts as the same message); a new one holds a SHA-256. */
static void test_life_event_key_content(void **state)
{
	struct fixture *f = *state;
	int latest = store_migrate_latest();
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (store_migrate_to(db, 28, &cause) != 0)
		fail_msg("to 28: %s", cause);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO life_event_keys (hash, received_at)"
				      " VALUES (zeroblob(32), 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	if (store_migrate_to(db, latest, &cause) != 0)
		fail_msg("to %d: %s", latest, cause);
	assert_int_equal(int_of(db, "SELECT count(*) FROM life_event_keys WHERE content IS NULL"),
			 1);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO life_event_keys (hash, received_at, content)"
				      " VALUES (randomblob(32), 1, randomblob(32))",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO life_event_keys (hash, received_at, content)"
					  " VALUES (randomblob(32), 1, x'0102')",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

/* The migration that erases the wishes and intake fingerprint of courses
 * the retention purge or a withdrawn consent erased before it did. */
#define MIGRATION_ERASE_WISHES 30

static void test_erased_courses_lose_wishes(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (store_migrate_to(db, MIGRATION_ERASE_WISHES - 1, &cause) != 0)
		fail_msg("to %d: %s", MIGRATION_ERASE_WISHES - 1, cause);
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO courses (id, notification_id, state, state_changed_at,"
			     " citizen_name, phone, discharge_date, window_end, created_at,"
			     " wishes, intake_fingerprint, anonymised_at)"
			     " VALUES (1, 'anonymised-1', 'closed', 1, 'anonymised', 'anonymised',"
			     " '2026-04-01', '2026-10-01', 1, '{\"note\":\"traume\"}', 'ab', 5),"
			     " (2, 'n2', 'active', 1, 'Bo', '+4520304051', '2026-04-01',"
			     " '2026-10-01', 1, '{\"note\":\"bor alene\"}', 'cd', NULL)",
			     NULL, NULL, NULL),
		SQLITE_OK);
	if (store_migrate_to(db, MIGRATION_ERASE_WISHES, &cause) != 0)
		fail_msg("to %d: %s", MIGRATION_ERASE_WISHES, cause);
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses WHERE id = 1"
				    " AND wishes IS NULL AND intake_fingerprint IS NULL"),
			 1);
	/* A course still in use keeps both. */
	assert_int_equal(int_of(db, "SELECT count(*) FROM courses WHERE id = 2"
				    " AND wishes IS NOT NULL AND intake_fingerprint = 'cd'"),
			 1);
	sqlite3_close(db);
}

static int64_t count_of(sqlite3 *db, const char *family, const char *label)
{
	char *sql;
	int64_t n;

	xasprintf(&sql, "SELECT n FROM row_counts WHERE family = '%s' AND label = '%s'", family,
		  label);
	n = int_of(db, sql);
	free(sql);
	return n;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* Migration 31: the counts behind /metrics' counters start from the rows
 * already there and only grow: a corrected outcome adds to its new result
 * and takes nothing from the old, a retried dead letter (attempts reset)
 * or a withdrawn row gives back no attempts, and courses are counted by
 * where they came from. The gauges' counts still follow the rows. */
static void test_counters_only_grow(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (store_migrate_to(db, 30, &cause) != 0)
		fail_msg("to 30: %s", cause);
	exec_ok(db, "INSERT INTO courses (id, notification_id, state, state_changed_at,"
		    " citizen_name, phone, discharge_date, window_end, created_at)"
		    " VALUES (1, 'n1', 'active', 1, 'Bo', '+4520304050', '2026-03-02',"
		    " '2026-09-02', 1);"
		    "INSERT INTO calls (id, course_id, reason, attempt, due_date, created_at,"
		    " state, result) VALUES (7, 1, 'first_contact', 1, '2026-03-03', 1, 'done',"
		    " 'no_answer');"
		    "INSERT INTO outbox (id, kind, type, course_id, idempotency_key, payload,"
		    " state, attempts, next_attempt_at, created_at) VALUES (3, 'message',"
		    " 'welcome', 1, 'k3', '{}', 'dead', 2, 1, 1)");
	if (store_migrate_to(db, store_migrate_latest(), &cause) != 0)
		fail_msg("to latest: %s", cause);
	assert_int_equal(count_of(db, "call_outcome", "no_answer"), 1);
	assert_int_equal(count_of(db, "call_outcome", "reached"), 0);
	assert_int_equal(count_of(db, "outbox_attempts", ""), 2);
	assert_int_equal(count_of(db, "course_source", "psychiatry"), 1);

	/* A same-day correction, and the outcome as first recorded again. */
	exec_ok(db, "UPDATE calls SET result = 'reached' WHERE id = 7");
	exec_ok(db, "UPDATE calls SET result = 'reached', topics = '[]' WHERE id = 7");
	assert_int_equal(count_of(db, "call_outcome", "no_answer"), 1);
	assert_int_equal(count_of(db, "call_outcome", "reached"), 1);
	assert_int_equal(count_of(db, "call_result", "no_answer"), 0);
	assert_int_equal(count_of(db, "call_result", "reached"), 1);
	exec_ok(db, "INSERT INTO calls (id, course_id, reason, attempt, due_date, created_at,"
		    " state, result) VALUES (8, 1, 'follow_up', 1, '2026-03-04', 1, 'done',"
		    " 'declined')");
	assert_int_equal(count_of(db, "call_outcome", "declined"), 1);

	/* mentorctl outbox retry, one attempt, then a withdrawal. */
	exec_ok(db, "UPDATE outbox SET state = 'pending', attempts = 0 WHERE id = 3");
	assert_int_equal(count_of(db, "outbox_attempts", ""), 2);
	exec_ok(db, "UPDATE outbox SET attempts = 1 WHERE id = 3");
	assert_int_equal(count_of(db, "outbox_attempts", ""), 3);
	exec_ok(db, "DELETE FROM outbox WHERE id = 3");
	assert_int_equal(count_of(db, "outbox_attempts", ""), 3);
	assert_int_equal(count_of(db, "outbox_state", "pending"), 0);

	exec_ok(db, "INSERT INTO courses (id, notification_id, state, state_changed_at,"
		    " citizen_name, phone, discharge_date, window_end, created_at, source)"
		    " VALUES (2, 'n2', 'active', 1, 'Al', '+4520304051', '2026-03-02',"
		    " '2026-09-02', 1, 'self_referral'), (3, 'n3', 'active', 1, 'Ib',"
		    " '+4520304052', '2026-03-02', '2026-09-02', 1, 'medcom')");
	assert_int_equal(count_of(db, "course_source", "self_referral"), 1);
	assert_int_equal(count_of(db, "course_source", "medcom"), 1);
	assert_int_equal(count_of(db, "course_source", "psychiatry"), 1);
	sqlite3_close(db);
}

static void test_newer_database_is_refused_untouched(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	sqlite3 *db;
	char *cause = NULL, sql[64], buf[32];
	int newer = store_migrate_latest() + 1, version = 0;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", newer);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(f->path, &store, &cause), -1);
	assert_null(store);
	assert_non_null(strstr(cause, "newer"));
	assert_non_null(strstr(cause, f->path));
	free(cause);

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(store_migrate_version(db, &version, &cause), 0);
	assert_int_equal(version, newer);
	/* Not even switched to WAL: the newer mentord's file stays as it was. */
	assert_string_equal(pragma_text(db, "PRAGMA journal_mode", buf, sizeof buf), "delete");
	assert_string_equal(pragma_text(db,
					"SELECT count(*) FROM sqlite_schema WHERE name = 'tokens'",
					buf, sizeof buf),
			    "0");
	sqlite3_close(db);
}

static void test_broken_migration_rolls_back_whole(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *cause = NULL;
	int version = -1;

	/* A table in the way of migration 1 makes it fail half-way. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE tokens (x)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_migrate(db, &cause), -1);
	assert_non_null(strstr(cause, "schema version 1"));
	free(cause);
	assert_int_equal(store_migrate_version(db, &version, &cause), 0);
	assert_int_equal(version, 0);
	assert_int_equal(sqlite3_get_autocommit(db), 1);
	sqlite3_close(db);
}

static void test_unwritable_path_fails_with_cause(void **state)
{
	struct store *store = NULL;
	char *cause = NULL;

	(void)state;
	assert_int_equal(store_open("/nonexistent-dir/x/mentord.db", &store, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent-dir/x/mentord.db"));
	free(cause);
}

static void test_rollback_discards_the_change(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	char *cause = NULL, buf[8];
	struct error err;

	assert_int_equal(store_open(f->path, &store, &cause), 0);
	assert_int_equal(store_begin(store, &err), 0);
	assert_int_equal(sql_exec(store_db(store),
				    "INSERT INTO tokens (name, role, hash, created_at)"
				    " VALUES ('t', 'admin', zeroblob(32), 1)",
				    &cause),
			 0);
	store_rollback(store);
	assert_string_equal(pragma_text(store_db(store), "SELECT count(*) FROM tokens", buf,
					sizeof buf),
			    "0");
	store_free(store);
}

/* store_tune sets what store.cache_mib and store.mmap_mib configure. */
static void test_tune_sets_cache_and_mmap(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	char *cause = NULL, buf[32];

	if (store_open(f->path, &store, &cause) != 0)
		fail_msg("open: %s", cause);
	sqlite3 *db = store_db(store);
	assert_int_equal(store_tune(store, 48, 64, &cause), 0);
	assert_string_equal(pragma_text(db, "PRAGMA cache_size", buf, sizeof buf), "-49152");
	assert_string_equal(pragma_text(db, "PRAGMA mmap_size", buf, sizeof buf), "67108864");
	assert_int_equal(store_tune(store, 8, 0, &cause), 0);
	assert_string_equal(pragma_text(db, "PRAGMA cache_size", buf, sizeof buf), "-8192");
	assert_string_equal(pragma_text(db, "PRAGMA mmap_size", buf, sizeof buf), "0");
	store_free(store);
}

/* A savepoint that journals megabytes (a daily job closing thousands of
 * courses, a queue read auditing hundreds of calls) commits: its journal
 * spills to a file in pieces the unix VFS can write, not as a false
 * "database or disk is full". */
static void test_large_savepoint_commits(void **state)
{
	struct fixture *f = *state;
	struct store *store = NULL;
	char *cause = NULL;
	struct error err;

	if (store_open(f->path, &store, &cause) != 0)
		fail_msg("open: %s", cause);
	sqlite3 *db = store_db(store);
	if (sql_exec(db,
		       "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);"
		       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)"
		       " INSERT INTO big SELECT i, printf('%.1000c', 'x') FROM n;",
		       &cause) != 0)
		fail_msg("filling: %s", cause);
	assert_int_equal(store_begin(store, &err), 0);
	if (sql_exec(db,
		       "SAVEPOINT job; UPDATE big SET pad = printf('%.1000c', 'y'); RELEASE job;",
		       &cause) != 0)
		fail_msg("a 4 MiB savepoint: %s", cause);
	assert_int_equal(store_commit(store, &err), 0);
	store_free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_database_is_wal_full_fk_and_latest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data_and_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migrates_one_version_at_a_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_life_event_rebuild_keeps_everything, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fhir_effects_follow_their_bundle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_audit_rows_before_counting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_programme_rebuild_keeps_everything, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_matching_profile_and_wishes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_and_cost_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goals_and_meetings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_awaiting_checklist_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_life_event_key_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erased_courses_lose_wishes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters_only_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_database_is_refused_untouched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_migration_rolls_back_whole, setup,
						teardown),
		cmocka_unit_test(test_unwritable_path_fails_with_cause),
		cmocka_unit_test_setup_teardown(test_tune_sets_cache_and_mmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_savepoint_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_discards_the_change, setup, teardown),
	};
	return cmocka_run_group_tests_name("store_migrate", tests, NULL, NULL);
}
