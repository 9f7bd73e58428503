/*
 * csv.c - RFC 4180 reader and writer (csv.h).
 *
 * The reader also takes the semicolon-separated text that spreadsheets
 * write where the comma is the decimal separator (Excel in Danish saves
 * "CSV" that way): the delimiter is whichever of ',' and ';' the first
 * line holds more of outside quotes, the comma on a tie. The first line
 * is a header of column names, which hold neither, so one line decides.
 */
#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "xmalloc.h"

struct csv_reader {
	const char *p;
	const char *end;
	size_t line;
	char delimiter; /* ',' or ';', from the first line */
	bool failed;
	/* the current record, each field its own allocation */
	char **fields;
	size_t count;
	size_t cap;
	/* the field being read */
	char *field;
	size_t len;
	size_t size;
};

/* ';' when the first line has more semicolons than commas outside quotes. */
static char csv_delimiter(const char *p, const char *end)
{
	size_t commas = 0, semicolons = 0;
	bool quoted = false;

	for (; p < end && (quoted || (*p != '\r' && *p != '\n')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			commas++;
		else if (!quoted && *p == ';')
			semicolons++;
	}
	return semicolons > commas ? ';' : ',';
}

struct csv_reader *csv_reader_new(const char *data, size_t len)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);

	r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->delimiter = csv_delimiter(r->p, r->end);
	return r;
}

static void csv_clear_record(struct csv_reader *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->fields[i]);
	r->count = 0;
}

void csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	csv_clear_record(r);
	free(r->fields);
	free(r->field);
	free(r);
}

static int csv_fail(struct csv_reader *r, char **cause, const char *problem)
{
	r->failed = true;
	xasprintf(cause, "%zu: %s", r->line, problem);
	return -1;
}

static int csv_append(struct csv_reader *r, char c, char **cause)
{
	if (c == '\0')
		return csv_fail(r, cause, "a NUL byte");
	if (r->len >= CSV_FIELD_MAX)
		return csv_fail(r, cause, "a field is too long");
	if (r->len + 1 >= r->size) {
		r->size = r->size == 0 ? 64 : r->size * 2;
		r->field = xrealloc(r->field, r->size);
	}
	r->field[r->len++] = c;
	return 0;
}

static int csv_push_field(struct csv_reader *r, char **cause)
{
	char *copy;

	if (r->count >= CSV_FIELDS_MAX)
		return csv_fail(r, cause, "a record has too many fields");
	if (r->count == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
	}
	copy = xmalloc(r->len + 1);
	memcpy(copy, r->field != NULL ? r->field : "", r->len);
	copy[r->len] = '\0';
	r->fields[r->count++] = copy;
	r->len = 0;
	return 0;
}

/* Consume a line break at p (CRLF, LF or CR), counting the line. */
static bool csv_line_break(struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r') {
		r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
	} else if (r->p < r->end && *r->p == '\n') {
		r->p++;
	} else {
		return false;
	}
	r->line++;
	return true;
}

/* A quoted field: p is on the opening quote; on return, just after the
 * closing one. Line breaks inside are data but still count as lines. */
static int csv_quoted(struct csv_reader *r, char **cause)
{
	size_t opened = r->line;

	r->p++;
	for (;;) {
		if (r->p == r->end) {
			char problem[80];
			snprintf(problem, sizeof problem,
				 "the quoted field opened on line %zu is not closed", opened);
			return csv_fail(r, cause, problem);
		}
		char c = *r->p++;
		if (c == '"') {
			if (r->p < r->end && *r->p == '"') {
				r->p++;
			} else {
				return 0;
			}
		} else if (c == '\n' || (c == '\r' && (r->p == r->end || *r->p != '\n'))) {
			r->line++;
		}
		if (csv_append(r, c, cause) != 0)
			return -1;
	}
}

static int csv_unquoted(struct csv_reader *r, char **cause)
{
	while (r->p < r->end && *r->p != r->delimiter && *r->p != '\r' && *r->p != '\n') {
		if (*r->p == '"')
			return csv_fail(r, cause,
					"a quote inside an unquoted field"
					" (quote the whole field and write the quote twice)");
		if (csv_append(r, *r->p++, cause) != 0)
			return -1;
	}
	return 0;
}

int csv_read(struct csv_reader *r, struct csv_record *rec, char **cause)
{
	csv_clear_record(r);
	if (r->failed)
		return csv_fail(r, cause, "the text is malformed");
	if (r->p == r->end)
		return 0;
	rec->line = r->line;
	for (;;) {
		r->len = 0;
		if (r->p < r->end && *r->p == '"') {
			if (csv_quoted(r, cause) != 0)
				return -1;
			if (r->p < r->end && *r->p != r->delimiter && *r->p != '\r' &&
			    *r->p != '\n')
				return csv_fail(r, cause,
						"text after the closing quote of a field");
		} else if (csv_unquoted(r, cause) != 0) {
			return -1;
		}
		if (csv_push_field(r, cause) != 0)
			return -1;
		if (r->p < r->end && *r->p == r->delimiter) {
			r->p++;
			continue;
		}
		csv_line_break(r);
		break;
	}
	rec->fields = r->fields;
	rec->count = r->count;
	return 1;
}

int csv_read_file(const char *path, char **data, size_t *len, char **cause)
{
	return file_read(path, CSV_FILE_MAX, 0, data, len, cause);
}

static int csv_write_field(FILE *out, const char *s)
{
	if (s == NULL || strpbrk(s, ",\"\r\n") == NULL)
		return s == NULL ? 0 : fputs(s, out) < 0 ? -1 : 0;
	if (fputc('"', out) == EOF)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '"' && fputc('"', out) == EOF)
			return -1;
		if (fputc(*s, out) == EOF)
			return -1;
	}
	return fputc('"', out) == EOF ? -1 : 0;
}

int csv_write_row(FILE *out, const char *const *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && fputc(',', out) == EOF)
			return -1;
		if (csv_write_field(out, fields[i]) != 0)
			return -1;
	}
	if (fputs("\r\n", out) < 0)
		return -1;
	return ferror(out) ? -1 : 0;
}
