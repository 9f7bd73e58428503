/*
 * test_enums.c - every enumeration the database stores is spelled once in
 * C (course.c, call.c, schedule.c, outbox.c, auth.c) and once more in the
 * schema's CHECK constraints: this test reads the CHECKs of a database
 * migrated to the latest version and compares them with the C names, so
 * a state, result, reason, kind or role added on one side only fails here
 * instead of as a CHECK failure at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "call.h"
#include "course.h"
#include "outbox.h"
#include "schedule.h"
#include "store-migrate.h"
#include "xmalloc.h"

#define MAX_NAMES 16

struct names {
	size_t n;
	char name[MAX_NAMES][32];
};

static void names_add(struct names *set, const char *name, size_t len)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->name[i]) == len && strncmp(set->name[i], name, len) == 0)
			return;
	assert_true(set->n < MAX_NAMES);
	assert_true(len < sizeof set->name[0]);
	memcpy(set->name[set->n], name, len);
	set->name[set->n++][len] = '\0';
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The CREATE TABLE statement of table in a database at the latest schema. */
static char *table_sql(const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *cause = NULL, *sql;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (store_migrate(db, &cause) != 0)
		fail_msg("migrate: %s", cause);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT sql FROM sqlite_master WHERE type = 'table'"
					    " AND name = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	sql = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return sql;
}

/* Every 'value' the table's SQL compares column with: "column = 'x'" and
 * the quoted items of "column IN (...)". */
static void schema_names(const char *table, const char *column, struct names *out)
{
	char *sql = table_sql(table);
	size_t clen = strlen(column);

	memset(out, 0, sizeof *out);
	for (const char *p = sql; (p = strstr(p, column)) != NULL; p += clen) {
		const char *q = p + clen;
		bool word = (p == sql || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) &&
			    !(*q == '_' || (*q >= 'a' && *q <= 'z'));
		if (!word)
			continue;
		if (strncmp(q, " = '", 4) == 0) {
			const char *v = q + 4, *end = strchr(v, '\'');
			names_add(out, v, (size_t)(end - v));
		} else if (strncmp(q, " IN (", 5) == 0) {
			const char *end = strchr(q, ')');
			for (const char *v = q; (v = strchr(v, '\'')) != NULL && v < end;) {
				const char *close = strchr(v + 1, '\'');
				names_add(out, v + 1, (size_t)(close - v - 1));
				v = close + 1;
			}
		}
	}
	free(sql);
	assert_true(out->n > 0);
}

static void expect_same(const char *what, struct names *c, struct names *schema)
{
	char cs[512] = "", ss[512] = "";

	qsort(c->name, c->n, sizeof c->name[0], names_cmp);
	qsort(schema->name, schema->n, sizeof schema->name[0], names_cmp);
	for (size_t i = 0; i < c->n; i++)
		snprintf(cs + strlen(cs), sizeof cs - strlen(cs), " %s", c->name[i]);
	for (size_t i = 0; i < schema->n; i++)
		snprintf(ss + strlen(ss), sizeof ss - strlen(ss), " %s", schema->name[i]);
	if (strcmp(cs, ss) != 0)
		fail_msg("%s: C has%s; the schema's CHECK has%s", what, cs, ss);
}

/* The last enumerator of each enumeration + 1: a value added after it
 * must be added here too (the test then checks its name). */
static void test_course_states(void **state)
{
	struct names c = {0}, schema;

	(void)state;
	for (int i = 0; i < COURSE_NSTATES; i++) {
		const char *name = course_state_name((enum course_state)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("courses", "state", &schema);
	expect_same("courses.state", &c, &schema);
}

static void test_call_states_results_reasons(void **state)
{
	struct names c = {0}, schema;

	(void)state;
	for (int i = CALL_PENDING; i <= CALL_CANCELLED; i++) {
		const char *name = call_state_name((enum call_state)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("calls", "state", &schema);
	expect_same("calls.state", &c, &schema);

	memset(&c, 0, sizeof c);
	for (int i = CALL_REACHED; i <= CALL_DECLINED; i++) {
		const char *name = call_result_name((enum call_result)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("calls", "result", &schema);
	expect_same("calls.result", &c, &schema);

	memset(&c, 0, sizeof c);
	for (int i = SCHEDULE_FIRST_CONTACT; i <= SCHEDULE_RESUMED; i++) {
		const char *name = schedule_reason_name((enum schedule_reason)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("calls", "reason", &schema);
	expect_same("calls.reason", &c, &schema);
}

static void test_outbox_kinds_and_roles(void **state)
{
	struct names c = {0}, schema;

	(void)state;
	for (int i = OUTBOX_CALL_TASK; i <= OUTBOX_MESSAGE; i++) {
		const char *name = outbox_kind_name((enum outbox_kind)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("outbox", "kind", &schema);
	expect_same("outbox.kind", &c, &schema);

	memset(&c, 0, sizeof c);
	for (int i = AUTH_PSYCHIATRY; i <= AUTH_CASEWORKER; i++) {
		const char *name = auth_role_name((enum auth_role)i);
		names_add(&c, name, strlen(name));
	}
	schema_names("tokens", "role", &schema);
	expect_same("tokens.role", &c, &schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_course_states),
		cmocka_unit_test(test_call_states_results_reasons),
		cmocka_unit_test(test_outbox_kinds_and_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
