/*
 * csv.h - comma- or semicolon-separated values as RFC 4180 defines them,
 * both ways.
 *
 * Contract (reading):
 *  - The reader works on text held in memory (csv_read_file loads a file,
 *    at most CSV_FILE_MAX bytes), so a whole import can be checked before
 *    anything is stored.
 *  - A field in double quotes may hold commas, CR, LF and quotes written
 *    twice (""); everything between the quotes is kept byte for byte.
 *    Records end at CRLF, LF or a lone CR, or at the end of the text, with or
 *    without a final line break. "a,b," is three fields, the last empty; an
 *    empty line is a record of one empty field (callers may skip it).
 *  - A UTF-8 byte order mark at the very start is skipped (spreadsheets
 *    write one).
 *  - The delimiter is chosen from the first line: whichever of ',' and ';'
 *    it holds more of outside quotes, ',' on a tie. Danish Excel writes ';'
 *    because ',' is the decimal separator there.
 *  - Malformed text is an error, never guessed at: a quote inside an
 *    unquoted field, text after a closing quote, a quoted field that never
 *    closes, a NUL byte, a field over CSV_FIELD_MAX bytes or a record over
 *    CSV_FIELDS_MAX fields. The cause names the line where the problem is.
 *  - Every record carries the line it starts on (1-based; a quoted line
 *    break counts), for "FILE:LINE:" messages.
 *  - Errors are a malloc'd cause ("LINE: problem"), not a struct error
 *    (error.h): reading a file people wrote is answered with a message
 *    for them (offer-csv.h gathers them), never with an HTTP status.
 *
 * Contract (writing): csv_write_row() quotes a field only when it holds a
 * comma, a quote, CR or LF, doubles its quotes, and ends the row with CRLF.
 * NULL is written as an empty field.
 */
#ifndef MENTORD_CSV_H
#define MENTORD_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_FILE_MAX (16u * 1024 * 1024)
#define CSV_FIELD_MAX 65536
#define CSV_FIELDS_MAX 256

struct csv_reader;

/* One record; the strings belong to the reader and live until the next
 * csv_read() or csv_reader_free(). */
struct csv_record {
	char **fields;
	size_t count;
	size_t line;
};

/* Read the text; data must outlive the reader. */
struct csv_reader *csv_reader_new(const char *data, size_t len);
void csv_reader_free(struct csv_reader *r);

/* 1: a record in *rec; 0: end of the text; -1: malformed, *cause is
 * "LINE: problem" (caller frees). After -1 the reader stays at its error. */
int csv_read(struct csv_reader *r, struct csv_record *rec, char **cause);

/* Load a whole file (NUL-terminated copy in *data, caller frees). */
int csv_read_file(const char *path, char **data, size_t *len, char **cause);

/* Write one row; -1 when the stream reports an error. */
int csv_write_row(FILE *out, const char *const *fields, size_t count);

#endif
