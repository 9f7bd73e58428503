/*
 * offer-csv.c - offers from CSV (offer-csv.h).
 *
 * Besides the offer's fields the header may name an "id" column: a row
 * with an id updates that offer (only the columns of the file change, as
 * PATCH /v1/offers/{id} would), a row whose id cell is empty adds a new
 * one. So a file kept from `mentorctl offer list --json`, or a sheet with
 * the ids typed in, edits the catalogue it came from. Such a row carries
 * its id as the integer member "id" of its field object; offer_create()
 * and offer_update() store the named offer fields only.
 */
#include "offer-csv.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "csv.h"
#include "offer.h"
#include "xmalloc.h"

static const char *const offer_csv_columns[] = {
	"name", "category", "provider", "phone", "email", "address", "url", "hours", "description",
};

#define OFFER_CSV_NCOLUMNS (sizeof offer_csv_columns / sizeof offer_csv_columns[0])
/* The map's index of the "id" column, after the fields. */
#define OFFER_CSV_ID OFFER_CSV_NCOLUMNS
#define OFFER_CSV_ALL_COLUMNS "id," OFFER_CSV_COLUMNS

/* The problems found so far, as the lines of the eventual cause. */
struct offer_csv_problems {
	const char *name;
	char *text;
	size_t count;
};

static void offer_csv_problem(struct offer_csv_problems *p, size_t line, const char *field,
			      const char *message)
{
	char *next;

	if (p->count++ >= OFFER_CSV_MAX_ERRORS)
		return;
	xasprintf(&next, "%s%s%s:%zu: %s%s%s", p->text != NULL ? p->text : "",
		  p->text != NULL ? "\n" : "", p->name, line, field != NULL ? field : "",
		  field != NULL ? ": " : "", message);
	free(p->text);
	p->text = next;
}

/* Which offer field each header column is (an index into
 * offer_csv_columns, or OFFER_CSV_ID); false when the header is unusable. */
static bool offer_csv_header(const struct csv_record *rec, size_t *map,
			     struct offer_csv_problems *p)
{
	bool seen[OFFER_CSV_NCOLUMNS + 1] = {false};
	size_t before = p->count;
	char message[256];

	for (size_t i = 0; i < rec->count; i++) {
		size_t k = 0;
		while (k < OFFER_CSV_NCOLUMNS && strcmp(rec->fields[i], offer_csv_columns[k]) != 0)
			k++;
		if (k == OFFER_CSV_NCOLUMNS && strcmp(rec->fields[i], "id") != 0)
			k = OFFER_CSV_NCOLUMNS + 1;
		if (k > OFFER_CSV_ID || seen[k]) {
			snprintf(message, sizeof message,
				 "%s column \"%.60s\" (the columns are %s)",
				 k > OFFER_CSV_ID ? "unknown" : "repeated", rec->fields[i],
				 OFFER_CSV_ALL_COLUMNS);
			offer_csv_problem(p, rec->line, "header", message);
			continue;
		}
		seen[k] = true;
		map[i] = k;
	}
	/* name and category are required to add an offer; a file of updates
	 * (with ids) may leave them out, and a row that adds says so. */
	for (size_t k = 0; k < 2 && !seen[OFFER_CSV_ID]; k++)
		if (!seen[k]) {
			snprintf(message, sizeof message, "no \"%s\" column", offer_csv_columns[k]);
			offer_csv_problem(p, rec->line, "header", message);
		}
	return p->count == before;
}

/* The offer id of a row's id cell: 0 for an empty cell (a new offer), -1
 * (reported) when it is not a positive whole number or an earlier row
 * already named it; seen maps each id to the line that named it. */
static int64_t offer_csv_id(const char *cell, size_t line, json_t *seen,
			    struct offer_csv_problems *p)
{
	char *end, message[80];
	long long id;
	json_t *earlier;

	if (cell[0] == '\0')
		return 0;
	id = strtoll(cell, &end, 10);
	if (cell[0] < '1' || cell[0] > '9' || *end != '\0' || id <= 0 || id == LLONG_MAX) {
		offer_csv_problem(p, line, "id",
				  "must be the id of an offer (a whole number from 1), or empty to"
				  " add a new one");
		return -1;
	}
	if ((earlier = json_object_get(seen, cell)) != NULL) {
		snprintf(message, sizeof message, "offer %lld is already changed on line %lld", id,
			 (long long)json_integer_value(earlier));
		offer_csv_problem(p, line, "id", message);
		return -1;
	}
	json_object_set_new(seen, cell, json_integer((json_int_t)line));
	return id;
}

/* Each run of line breaks in a cell becomes one space, in place. */
static void offer_csv_fold(char *text)
{
	bool in_break = false;
	char *out = text;

	for (const char *p = text; *p != '\0'; p++) {
		bool is_break = *p == '\r' || *p == '\n';
		if (!is_break)
			*out++ = *p;
		else if (!in_break)
			*out++ = ' ';
		in_break = is_break;
	}
	*out = '\0';
}

/* One row as the body POST /v1/offers (or, with an id, PATCH
 * /v1/offers/{id}) would get; NULL if it is not. */
static json_t *offer_csv_row(const struct csv_record *rec, const size_t *map, json_t *seen,
			     struct offer_csv_problems *p)
{
	json_t *body = json_object(), *fields, *e;
	struct field_errors errors;
	size_t i, cells = 0;
	int64_t id = 0;

	for (i = 0; i < rec->count; i++) {
		json_t *value;
		if (map[i] == OFFER_CSV_ID) {
			id = offer_csv_id(rec->fields[i], rec->line, seen, p);
			continue;
		}
		cells++;
		offer_csv_fold(rec->fields[i]);
		value = json_string(rec->fields[i]);
		if (value == NULL)
			offer_csv_problem(p, rec->line, offer_csv_columns[map[i]],
					  "is not UTF-8 text (save the file as \"CSV UTF-8\")");
		else
			json_object_set_new(body, offer_csv_columns[map[i]], value);
	}
	if (json_object_size(body) != cells || id < 0) {
		json_decref(body);
		return NULL;
	}
	field_errors_init(&errors);
	fields = offer_from_json(body, id > 0, &errors);
	json_array_foreach (errors.list, i, e)
		offer_csv_problem(p, rec->line, json_string_value(json_object_get(e, "field")),
				  json_string_value(json_object_get(e, "message")));
	field_errors_clear(&errors);
	json_decref(body);
	if (fields != NULL && id > 0)
		json_object_set_new(fields, "id", json_integer((json_int_t)id));
	return fields;
}

static bool offer_csv_blank(const struct csv_record *rec)
{
	return rec->count == 1 && rec->fields[0][0] == '\0';
}

static void offer_csv_rows(struct csv_reader *r, struct offer_csv_problems *p, json_t *offers)
{
	struct csv_record rec;
	size_t map[CSV_FIELDS_MAX], columns = 0;
	bool have_header = false;
	json_t *seen = json_object();
	char *cause = NULL;
	int rc;

	while ((rc = csv_read(r, &rec, &cause)) == 1) {
		json_t *fields;
		char message[80];

		if (offer_csv_blank(&rec))
			continue;
		if (!have_header) {
			have_header = true;
			columns = rec.count;
			if (!offer_csv_header(&rec, map, p)) {
				json_decref(seen);
				return;
			}
			continue;
		}
		if (rec.count != columns) {
			snprintf(message, sizeof message, "has %zu fields; the header has %zu",
				 rec.count, columns);
			offer_csv_problem(p, rec.line, "row", message);
		} else if ((fields = offer_csv_row(&rec, map, seen, p)) != NULL) {
			json_array_append_new(offers, fields);
		}
	}
	json_decref(seen);
	if (rc < 0) {
		/* cause is "LINE: problem"; the name goes in front. */
		char *line_end = strchr(cause, ':');
		*line_end = '\0';
		offer_csv_problem(p, strtoul(cause, NULL, 10), NULL, line_end + 2);
		free(cause);
	} else if (!have_header) {
		offer_csv_problem(p, 1, "header",
				  "the file is empty; the first line names the"
				  " columns: " OFFER_CSV_ALL_COLUMNS);
	}
}

int offer_csv_parse(const char *data, size_t len, const char *name, json_t **offers, char **cause)
{
	struct offer_csv_problems p = {.name = name};
	struct csv_reader *r = csv_reader_new(data, len);

	*offers = json_array();
	offer_csv_rows(r, &p, *offers);
	csv_reader_free(r);
	if (p.count == 0)
		return 0;
	if (p.count > OFFER_CSV_MAX_ERRORS)
		xasprintf(cause, "%s\n%s: %zu more problem(s) not shown", p.text, name,
			  p.count - OFFER_CSV_MAX_ERRORS);
	else
		*cause = xstrdup(p.text);
	free(p.text);
	json_decref(*offers);
	*offers = NULL;
	return -1;
}

int offer_csv_store(struct store *store, json_t *offers, time_t now, struct error *err)
{
	json_t *fields;
	int64_t id;
	size_t i;
	int rc;

	json_array_foreach (offers, i, fields) {
		id = json_integer_value(json_object_get(fields, "id"));
		if (id == 0) {
			if (offer_create(store, fields, now, &id, err) != 0)
				return -1;
			continue;
		}
		if ((rc = offer_update(store, id, fields, now, err)) < 0)
			return -1;
		if (rc == 1)
			return error_set(
				err, ERROR_NOT_FOUND, "",
				"id %lld: there is no offer %lld (deleted, or never added)",
				(long long)id, (long long)id);
	}
	return 0;
}
