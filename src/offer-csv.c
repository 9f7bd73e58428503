/*
 * offer-csv.c - offers from CSV (offer-csv.h).
 */
#include "offer-csv.h"

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
 * offer_csv_columns); false when the header is unusable. */
static bool offer_csv_header(const struct csv_record *rec, size_t *map,
			     struct offer_csv_problems *p)
{
	bool seen[OFFER_CSV_NCOLUMNS] = {false};
	size_t before = p->count;
	char message[256];

	for (size_t i = 0; i < rec->count; i++) {
		size_t k = 0;
		while (k < OFFER_CSV_NCOLUMNS && strcmp(rec->fields[i], offer_csv_columns[k]) != 0)
			k++;
		if (k == OFFER_CSV_NCOLUMNS || seen[k]) {
			snprintf(message, sizeof message, "%s column \"%.60s\" (the columns are %s)",
				 k == OFFER_CSV_NCOLUMNS ? "unknown" : "repeated", rec->fields[i],
				 OFFER_CSV_COLUMNS);
			offer_csv_problem(p, rec->line, "header", message);
			continue;
		}
		seen[k] = true;
		map[i] = k;
	}
	for (size_t k = 0; k < 2; k++) /* name and category are required */
		if (!seen[k]) {
			snprintf(message, sizeof message, "no \"%s\" column", offer_csv_columns[k]);
			offer_csv_problem(p, rec->line, "header", message);
		}
	return p->count == before;
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

/* One row as the body POST /v1/offers would get; NULL if it is not. */
static json_t *offer_csv_row(const struct csv_record *rec, const size_t *map,
			     struct offer_csv_problems *p)
{
	json_t *body = json_object(), *fields, *e;
	struct field_errors errors;
	size_t i;

	for (i = 0; i < rec->count; i++) {
		json_t *value;
		offer_csv_fold(rec->fields[i]);
		value = json_string(rec->fields[i]);
		if (value == NULL)
			offer_csv_problem(p, rec->line, offer_csv_columns[map[i]],
					  "is not UTF-8 text (save the file as \"CSV UTF-8\")");
		else
			json_object_set_new(body, offer_csv_columns[map[i]], value);
	}
	if (json_object_size(body) != rec->count) {
		json_decref(body);
		return NULL;
	}
	field_errors_init(&errors);
	fields = offer_from_json(body, false, &errors);
	json_array_foreach(errors.list, i, e)
		offer_csv_problem(p, rec->line, json_string_value(json_object_get(e, "field")),
				  json_string_value(json_object_get(e, "message")));
	field_errors_clear(&errors);
	json_decref(body);
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
			if (!offer_csv_header(&rec, map, p))
				return;
			continue;
		}
		if (rec.count != columns) {
			snprintf(message, sizeof message, "has %zu fields; the header has %zu",
				 rec.count, columns);
			offer_csv_problem(p, rec.line, "row", message);
		} else if ((fields = offer_csv_row(&rec, map, p)) != NULL) {
			json_array_append_new(offers, fields);
		}
	}
	if (rc < 0) {
		/* cause is "LINE: problem"; the name goes in front. */
		char *line_end = strchr(cause, ':');
		*line_end = '\0';
		offer_csv_problem(p, strtoul(cause, NULL, 10), NULL, line_end + 2);
		free(cause);
	} else if (!have_header) {
		offer_csv_problem(p, 1, "header", "the file is empty; the first line names the"
						  " columns: " OFFER_CSV_COLUMNS);
	}
}

int offer_csv_parse(const char *data, size_t len, const char *name, json_t **offers,
		    char **cause)
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

int offer_csv_store(struct store *store, json_t *offers, time_t now, char **cause)
{
	json_t *fields;
	int64_t id;
	size_t i;

	json_array_foreach(offers, i, fields)
		if (offer_create(store, fields, now, &id, cause) != 0)
			return -1;
	return 0;
}
