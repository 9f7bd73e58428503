/*
 * fhir-store.c - the HospitalNotification messages accepted and what they
 * did (fhir-store.h).
 */
#include "fhir-store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "life-event.h"
#include "sql.h"
#include "store.h"
#include "xmalloc.h"

/* How many revisions deep a cancellation follows a message. */
#define FHIR_STORE_CHAIN 8

static const char find_sql[] =
	"SELECT fingerprint, status, reply FROM fhir_bundles WHERE bundle_id = ?1";
static const char remember_sql[] = "INSERT INTO fhir_bundles (bundle_id, header_id, fingerprint,"
				   " status, reply, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char add_effect_sql[] =
	"INSERT INTO fhir_effects (bundle_id, course_id, event, at, from_state, from_reason,"
	" from_discharge, from_window_end, from_paused_at, from_paused_from, from_readmissions,"
	" from_mentor, from_call, to_state, to_changed_at, to_discharge)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char known_sql[] = "SELECT 1 FROM fhir_bundles WHERE header_id = ?1 LIMIT 1";
/* Along fhir_bundles_header, then the effects' primary key. */
static const char effects_sql[] =
	"SELECT e.bundle_id, course_id, event, at, from_state, from_reason, from_discharge,"
	" from_window_end, from_paused_at, from_paused_from, from_readmissions, from_mentor,"
	" from_call, to_state, to_changed_at, to_discharge, undone_at, undone_by"
	" FROM fhir_bundles b JOIN fhir_effects e ON e.bundle_id = b.bundle_id"
	" WHERE b.header_id = ?1 ORDER BY course_id";
static const char undone_sql[] = "UPDATE fhir_effects SET undone_at = ?3, undone_by = ?4"
				 " WHERE bundle_id = ?1 AND course_id = ?2";
/* Oldest first along fhir_bundles_received; the effects follow by their
 * foreign key (ON DELETE CASCADE, along their primary key). */
static const char purge_sql[] =
	"DELETE FROM fhir_bundles WHERE bundle_id IN (SELECT bundle_id FROM fhir_bundles"
	" WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)";

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int fhir_store_find(struct store *store, const char *bundle_id,
		    char fingerprint[FHIR_FINGERPRINT_LEN], int *status, char **reply,
		    struct error *err)
{
	sqlite3_stmt *s = store_statement(store, find_sql, err);
	int rc;

	*reply = NULL;
	if (s == NULL)
		return -1;
	sql_bind_text(s, 1, bundle_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(fingerprint, FHIR_FINGERPRINT_LEN, "%s",
			 (const char *)sqlite3_column_text(s, 0));
		*status = sqlite3_column_int(s, 1);
		*reply = sql_column_strdup(s, 2);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = sql_error(err, store_db(store), "reading a bundle id");
	}
	done(s);
	return rc;
}

int fhir_store_remember(struct store *store, const char *bundle_id, const char *header_id,
			const char *fingerprint, int status, const char *reply, time_t now,
			struct error *err)
{
	sqlite3_stmt *s = store_statement(store, remember_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_text(s, 1, bundle_id);
	sql_bind_text(s, 2, header_id);
	sql_bind_text(s, 3, fingerprint);
	sqlite3_bind_int(s, 4, status);
	sql_bind_text(s, 5, reply);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
	rc = sql_step_done(store_db(store), s, "remembering a bundle id", err);
	done(s);
	return rc;
}

static void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id != 0)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

int fhir_store_add_effect(struct store *store, const char *bundle_id, const struct course_effect *e,
			  struct error *err)
{
	sqlite3_stmt *s = store_statement(store, add_effect_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_text(s, 1, bundle_id);
	sqlite3_bind_int64(s, 2, e->course_id);
	sqlite3_bind_text(s, 3, life_event_name(e->event), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)e->at);
	sqlite3_bind_text(s, 5, course_state_name(e->from), -1, SQLITE_STATIC);
	sql_bind_text(s, 6, e->from_reason[0] != '\0' ? e->from_reason : NULL);
	sql_bind_day(s, 7, e->from_discharge);
	sql_bind_day(s, 8, e->from_window_end);
	if (e->from == COURSE_PAUSED) {
		sqlite3_bind_int64(s, 9, (sqlite3_int64)e->from_paused_at);
		sqlite3_bind_text(s, 10, course_state_name(e->from_paused_from), -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(s, 11, e->from_readmissions);
	bind_id(s, 12, e->from_mentor);
	bind_id(s, 13, e->from_call);
	sqlite3_bind_text(s, 14, course_state_name(e->to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 15, (sqlite3_int64)e->to_changed_at);
	sql_bind_day(s, 16, e->to_discharge);
	rc = sql_step_done(store_db(store), s, "keeping a message's effect", err);
	done(s);
	return rc;
}

/* A state or event as stored; -1 for one this build does not know. */
static int column_state(sqlite3_stmt *s, int col)
{
	return course_state_parse((const char *)sqlite3_column_text(s, col));
}

/* One row of effects_sql; -1 if it names a state or event unknown here. */
static int read_effect(sqlite3_stmt *s, struct fhir_effect *f)
{
	struct course_effect *e = &f->course;
	int from = column_state(s, 4), to = column_state(s, 13), ev;

	ev = life_event_parse((const char *)sqlite3_column_text(s, 2));
	if (from < 0 || to < 0 || ev < 0)
		return -1;
	memset(f, 0, sizeof *f);
	snprintf(f->bundle_id, sizeof f->bundle_id, "%s", (const char *)sqlite3_column_text(s, 0));
	e->course_id = sqlite3_column_int64(s, 1);
	e->event = (enum course_event)ev;
	e->at = (time_t)sqlite3_column_int64(s, 3);
	e->from = (enum course_state)from;
	if (sqlite3_column_type(s, 5) != SQLITE_NULL)
		snprintf(e->from_reason, sizeof e->from_reason, "%s",
			 (const char *)sqlite3_column_text(s, 5));
	e->from_discharge = sql_column_day(s, 6);
	e->from_window_end = sql_column_day(s, 7);
	e->from_paused_at = (time_t)sqlite3_column_int64(s, 8);
	e->from_paused_from = column_state(s, 9) == COURSE_ENDED ? COURSE_ENDED : COURSE_ACTIVE;
	e->from_readmissions = sqlite3_column_int(s, 10);
	e->from_mentor = sqlite3_column_int64(s, 11);
	e->from_call = sqlite3_column_int64(s, 12);
	e->to = (enum course_state)to;
	e->to_changed_at = (time_t)sqlite3_column_int64(s, 14);
	e->to_discharge = sql_column_day(s, 15);
	return 0;
}

struct chain {
	char headers[FHIR_STORE_CHAIN][FHIR_ID_LEN];
	size_t n;
};

static void chain_add(struct chain *c, const char *header)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->headers[i], header) == 0)
			return;
	if (c->n < FHIR_STORE_CHAIN)
		snprintf(c->headers[c->n++], FHIR_ID_LEN, "%s", header);
}

static int known(struct store *store, const char *header_id, bool *out, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, known_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_text(s, 1, header_id);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW;
	done(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, store_db(store), "looking up a message");
	return 0;
}

int fhir_store_effects(struct store *store, const char *header_id, bool *is_known,
		       struct fhir_effect **out, size_t *count, struct error *err)
{
	struct chain chain = {.n = 0};
	size_t cap = 0;
	sqlite3_stmt *s;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (known(store, header_id, is_known, err) != 0)
		return -1;
	if (!*is_known || (s = store_statement(store, effects_sql, err)) == NULL)
		return *is_known ? -1 : 0;
	chain_add(&chain, header_id);
	for (size_t i = 0; rc == 0 && i < chain.n; i++) {
		sql_bind_text(s, 1, chain.headers[i]);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct fhir_effect f;

			/* Undone by another message: a revision's effects
			 * stand in for it; a cancellation has none. */
			if (sqlite3_column_type(s, 16) != SQLITE_NULL) {
				if (sqlite3_column_type(s, 17) != SQLITE_NULL)
					chain_add(&chain, (const char *)sqlite3_column_text(s, 17));
				continue;
			}
			if (read_effect(s, &f) != 0)
				continue;
			if (*count == cap) {
				cap = cap == 0 ? 4 : 2 * cap;
				*out = xrealloc(*out, cap * sizeof **out);
			}
			(*out)[(*count)++] = f;
		}
		rc = rc == SQLITE_DONE ? 0 : sql_error(err, store_db(store), "reading effects");
		done(s);
	}
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return rc;
}

int fhir_store_undone(struct store *store, const struct fhir_effect *e, const char *by_header_id,
		      time_t now, struct error *err)
{
	sqlite3_stmt *s = store_statement(store, undone_sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sql_bind_text(s, 1, e->bundle_id);
	sqlite3_bind_int64(s, 2, e->course.course_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
	sql_bind_text(s, 4, by_header_id);
	rc = sql_step_done(store_db(store), s, "marking an effect undone", err);
	done(s);
	return rc;
}

int fhir_store_purge(struct store *store, time_t before, size_t limit, size_t *purged,
		     struct error *err)
{
	sqlite3_stmt *s = store_statement(store, purge_sql, err);
	int rc;

	*purged = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)before);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	rc = sql_step_done(store_db(store), s, "purging HospitalNotification bundles", err);
	if (rc == 0)
		*purged = (size_t)sqlite3_changes(store_db(store));
	done(s);
	return rc;
}
