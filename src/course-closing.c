/*
 * course-closing.c - the closing procedure of a programme (course.h,
 * doc/programmes.md): the items of its closing.items a course must have
 * ticked before it ends or closes, planned or not.
 */
#include "course-internal.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

static const struct sql_statement course_closing_sql[] = {
	{offsetof(struct course_db, tick),
	 "INSERT INTO course_checklist (course_id, item, ticked_by, ticked_at)"
	 " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"},
	{offsetof(struct course_db, untick),
	 "DELETE FROM course_checklist WHERE course_id = ?1 AND item = ?2"},
	{offsetof(struct course_db, ticked),
	 "SELECT ticked_by, ticked_at FROM course_checklist WHERE course_id = ?1 AND item = ?2"},
};

#define COURSE_CLOSING_NSQL (sizeof course_closing_sql / sizeof course_closing_sql[0])

int course_closing_prepare(struct course_db *db, char **cause)
{
	return sql_prepare_table(db->db, db, course_closing_sql, COURSE_CLOSING_NSQL, cause);
}

void course_closing_finalize(struct course_db *db)
{
	sql_finalize_table(db, course_closing_sql, COURSE_CLOSING_NSQL);
}

/* Whether item is ticked on course_id, and by whom and when. */
static int course_item_ticked(struct course_db *db, int64_t course_id, const char *item,
			      bool *ticked, char **by, time_t *at, struct error *err)
{
	sqlite3_stmt *s = db->ticked;
	int rc;

	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	*ticked = rc == SQLITE_ROW;
	if (*ticked && by != NULL)
		*by = sql_column_strdup(s, 0);
	if (*ticked && at != NULL)
		*at = (time_t)sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(err, db->db, "reading the closing checklist");
	return 0;
}

int course_checklist_missing(struct course_db *db, const struct course_op *op,
			     const struct course *c, json_t **missing, struct error *err)
{
	const struct programme *p = course_programme(op, c);
	bool ticked;

	*missing = json_array();
	for (size_t i = 0; p != NULL && i < p->nclosing; i++) {
		if (course_item_ticked(db, c->id, p->closing_items[i].id, &ticked, NULL, NULL,
				       err) != 0) {
			json_decref(*missing);
			*missing = NULL;
			return -1;
		}
		if (!ticked)
			json_array_append_new(*missing, json_string(p->closing_items[i].id));
	}
	return 0;
}

int course_check_closing(struct course_db *db, const struct course_op *op, const struct course *c,
			 struct error *err)
{
	json_t *missing;
	char *list;
	int rc = 0;

	if (course_checklist_missing(db, op, c, &missing, err) != 0)
		return -1;
	if (json_array_size(missing) > 0) {
		list = json_dumps(missing, JSON_COMPACT);
		rc = error_set(err, ERROR_CONFLICT, "checklist",
			       "the closing checklist is not complete: missing %s",
			       list != NULL ? list : "items");
		free(list);
	}
	json_decref(missing);
	return rc;
}

int course_checklist_json(struct course_db *db, const struct course_op *op, const struct course *c,
			  json_t **out, struct error *err)
{
	const struct programme *p = course_programme(op, c);
	char stamp[CLOCK_RFC3339_LEN];
	json_t *items = json_array();
	bool ticked, complete = true;
	time_t at = 0;

	for (size_t i = 0; p != NULL && i < p->nclosing; i++) {
		char *by = NULL;
		json_t *item;

		if (course_item_ticked(db, c->id, p->closing_items[i].id, &ticked, &by, &at, err) !=
		    0) {
			json_decref(items);
			return -1;
		}
		item = json_pack("{s:s, s:s, s:b}", "id", p->closing_items[i].id, "label",
				 p->closing_items[i].label, "ticked", ticked);
		if (ticked) {
			clock_format_rfc3339(at, stamp);
			json_object_set_new(item, "ticked_by", json_string(by != NULL ? by : ""));
			json_object_set_new(item, "ticked_at", json_string(stamp));
		}
		free(by);
		complete = complete && ticked;
		json_array_append_new(items, item);
	}
	*out = json_pack(
		"{s:o, s:b, s:b}", "items", items, "complete", complete, "awaiting_checklist",
		c->state_reason != NULL && strcmp(c->state_reason, COURSE_AWAITING_CHECKLIST) == 0);
	return 0;
}

/* A tick completing the list of a course the daily job left ended at its
 * window's end closes it now, as the job would have. */
static int course_closing_done(struct course_db *db, const struct course_op *op, struct course *c,
			       struct error *err)
{
	json_t *missing;
	size_t n;

	if (c->state != COURSE_ENDED || c->state_reason == NULL ||
	    strcmp(c->state_reason, COURSE_AWAITING_CHECKLIST) != 0)
		return 0;
	if (course_checklist_missing(db, op, c, &missing, err) != 0)
		return -1;
	n = json_array_size(missing);
	json_decref(missing);
	if (n > 0)
		return 0;
	return course_finish(db, op, c, COURSE_CLOSED, "window_end", false, err);
}

static int course_tick_tx(struct course_db *db, const struct course_op *op, int64_t course_id,
			  const char *item, bool tick, struct error *err)
{
	struct course *c;
	sqlite3_stmt *s = tick ? db->tick : db->untick;
	int rc = -1;

	if (course_get(db, course_id, &c, err) != 0)
		return -1;
	if (programme_closing_item(course_programme(op, c), item) == NULL) {
		error_set(err, ERROR_NOT_FOUND, "item", "the programme has no closing item \"%s\"",
			  item);
		goto out;
	}
	/* The list is worked while the course runs and until it is closed. */
	if (c->state != COURSE_ACTIVE && c->state != COURSE_ENDED) {
		error_set(err, ERROR_CONFLICT, NULL, "course %lld is %s: its checklist is closed",
			  (long long)course_id, course_state_name(c->state));
		goto out;
	}
	sqlite3_bind_int64(s, 1, course_id);
	sqlite3_bind_text(s, 2, item, -1, SQLITE_TRANSIENT);
	if (tick) {
		sqlite3_bind_text(s, 3, op->author, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)op->now);
	}
	if (sql_step_done(db->db, s, "ticking the closing checklist", err) != 0)
		goto out;
	if (sqlite3_changes(db->db) == 0) {
		rc = 0; /* ticked or unticked already: nothing to log */
		goto out;
	}
	if (course_log_add(db, op, course_id, tick ? "checklist_ticked" : "checklist_unticked",
			   json_pack("{s:s}", "item", item), err) != 0)
		goto out;
	rc = tick ? course_closing_done(db, op, c, err) : 0;
out:
	course_free(c);
	return rc;
}

int course_tick(struct course_db *db, const struct course_op *op, int64_t course_id,
		const char *item, bool tick, struct error *err)
{
	if (sql_savepoint_begin(&db->tx, err) != 0)
		return -1;
	return sql_savepoint_end(&db->tx, course_tick_tx(db, op, course_id, item, tick, err), err);
}
