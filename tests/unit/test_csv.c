/*
 * test_csv.c - unit tests for csv.c (RFC 4180 reading and writing) and
 * offer-csv.c (offers from a spreadsheet, all or nothing).
 */
/* open_memstream is POSIX; -std=c11 alone hides it. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "offer-csv.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_FIELDS 8
#define MAX_RECORDS 8

/* What a text should read as: records of fields, each with its line. */
struct want_record {
	size_t line;
	size_t count;
	const char *fields[MAX_FIELDS];
};

struct read_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	size_t nrecords;
	struct want_record records[MAX_RECORDS];
	const char *error; /* NULL, or the start of the cause after the records */
};

static const struct read_case read_cases[] = {
	{"plain fields, CRLF", "a,b,c\r\n1,2,3\r\n", 0, 2,
	 {{1, 3, {"a", "b", "c"}}, {2, 3, {"1", "2", "3"}}}, NULL},
	{"LF endings and no final line break", "a,b\n1,2", 0, 2,
	 {{1, 2, {"a", "b"}}, {2, 2, {"1", "2"}}}, NULL},
	{"a lone CR ends a record too", "a\rb\r", 0, 2, {{1, 1, {"a"}}, {2, 1, {"b"}}}, NULL},
	{"commas inside quotes", "\"a,b\",c\r\n", 0, 1, {{1, 2, {"a,b", "c"}}}, NULL},
	{"doubled quotes", "\"say \"\"hej\"\"\",\"\"\"\"\r\n", 0, 1,
	 {{1, 2, {"say \"hej\"", "\""}}}, NULL},
	{"CRLF and LF inside quotes are data and count as lines",
	 "\"one\r\ntwo\",x\r\n\"three\nfour\"\r\nlast\r\n", 0, 3,
	 {{1, 2, {"one\r\ntwo", "x"}}, {3, 1, {"three\nfour"}}, {5, 1, {"last"}}}, NULL},
	{"empty fields, a trailing comma, an empty quoted field", ",,\r\n\"\",x,\r\n", 0, 2,
	 {{1, 3, {"", "", ""}}, {2, 3, {"", "x", ""}}}, NULL},
	{"an empty line is one empty field", "a\r\n\r\nb\r\n", 0, 3,
	 {{1, 1, {"a"}}, {2, 1, {""}}, {3, 1, {"b"}}}, NULL},
	{"spaces are data", " a , b \r\n", 0, 1, {{1, 2, {" a ", " b "}}}, NULL},
	{"a UTF-8 byte order mark is skipped", "\xEF\xBB\xBFname,x\r\n", 0, 1,
	 {{1, 2, {"name", "x"}}}, NULL},
	{"UTF-8 text passes untouched", "Kirkens Korshær,Århus\r\n", 0, 1,
	 {{1, 2, {"Kirkens Korshær", "Århus"}}}, NULL},
	{"an empty text has no records", "", 0, 0, {{0, 0, {NULL}}}, NULL},
	{"a quote inside an unquoted field", "ok\r\nab\"c\r\n", 0, 1, {{1, 1, {"ok"}}},
	 "2: a quote inside an unquoted field"},
	{"text after a closing quote", "\"ab\"c,d\r\n", 0, 0, {{0, 0, {NULL}}},
	 "1: text after the closing quote"},
	{"an unterminated quoted field names where it opened", "a\r\n\"open\r\nstill\r\n", 0,
	 1, {{1, 1, {"a"}}}, "4: the quoted field opened on line 2 is not closed"},
	{"a NUL byte", "a\0b\r\n", 5, 0, {{0, 0, {NULL}}}, "1: a NUL byte"},
	/* Excel in Danish saves "CSV" with semicolons: the comma is the
	 * decimal separator there. The first line decides. */
	{"semicolons when the first line has more of them", "\xEF\xBB\xBF"
	 "a;b;c\r\n1,5;\"x;y\";\r\n", 0,
	 2, {{1, 3, {"a", "b", "c"}}, {2, 3, {"1,5", "x;y", ""}}}, NULL},
	{"quoted delimiters in the first line do not count", "\"a;b;c\",d\r\n1;2,3\r\n", 0, 2,
	 {{1, 2, {"a;b;c", "d"}}, {2, 2, {"1;2", "3"}}}, NULL},
	{"a tie is the comma", "a;b,c\r\n", 0, 1, {{1, 2, {"a;b", "c"}}}, NULL},
};

static void check_read_case(const struct read_case *c)
{
	struct csv_reader *r = csv_reader_new(c->text, c->len ? c->len : strlen(c->text));
	struct csv_record rec;
	char *cause = NULL;
	size_t n = 0;
	int rc;

	while ((rc = csv_read(r, &rec, &cause)) == 1) {
		const struct want_record *w = &c->records[n];
		if (n >= c->nrecords)
			fail_msg("%s: more records than %zu", c->name, c->nrecords);
		if (rec.count != w->count || rec.line != w->line)
			fail_msg("%s: record %zu has %zu fields on line %zu, want %zu on %zu",
				 c->name, n, rec.count, rec.line, w->count, w->line);
		for (size_t i = 0; i < w->count; i++)
			if (strcmp(rec.fields[i], w->fields[i]) != 0)
				fail_msg("%s: record %zu field %zu is \"%s\", want \"%s\"", c->name,
					 n, i, rec.fields[i], w->fields[i]);
		n++;
	}
	if (n != c->nrecords)
		fail_msg("%s: %zu records, want %zu (cause: %s)", c->name, n, c->nrecords,
			 cause ? cause : "none");
	if (c->error == NULL && rc != 0)
		fail_msg("%s: unexpected error %s", c->name, cause);
	if (c->error != NULL && (rc != -1 || strncmp(cause, c->error, strlen(c->error)) != 0))
		fail_msg("%s: cause \"%s\", want \"%s...\"", c->name, cause ? cause : "none",
			 c->error);
	if (rc == -1) {
		/* A reader that failed stays failed. */
		free(cause);
		cause = NULL;
		assert_int_equal(csv_read(r, &rec, &cause), -1);
	}
	free(cause);
	csv_reader_free(r);
}

static void test_read_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < nitems(read_cases); i++)
		check_read_case(&read_cases[i]);
}

static void test_limits(void **state)
{
	size_t n = CSV_FIELD_MAX + 2, i;
	char *text = malloc(n * 2 + 8), *cause = NULL;
	struct csv_record rec;
	struct csv_reader *r;

	(void)state;
	/* One field one byte over the limit. */
	memset(text, 'x', CSV_FIELD_MAX + 1);
	text[CSV_FIELD_MAX + 1] = '\0';
	r = csv_reader_new(text, strlen(text));
	assert_int_equal(csv_read(r, &rec, &cause), -1);
	assert_non_null(strstr(cause, "too long"));
	free(cause);
	cause = NULL;
	csv_reader_free(r);
	/* Exactly the limit is fine. */
	text[CSV_FIELD_MAX] = '\0';
	r = csv_reader_new(text, strlen(text));
	assert_int_equal(csv_read(r, &rec, &cause), 1);
	assert_int_equal(strlen(rec.fields[0]), CSV_FIELD_MAX);
	csv_reader_free(r);
	/* One field too many. */
	for (i = 0; i < CSV_FIELDS_MAX; i++)
		text[i] = ',';
	text[i] = '\0';
	r = csv_reader_new(text, strlen(text));
	assert_int_equal(csv_read(r, &rec, &cause), -1);
	assert_non_null(strstr(cause, "too many fields"));
	free(cause);
	csv_reader_free(r);
	free(text);
}

/* Write rows to memory, return the text (caller frees). */
static char *write_rows(const char *const *fields, size_t n, size_t per_row)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	for (size_t i = 0; i < n; i += per_row)
		assert_int_equal(csv_write_row(out, fields + i, per_row), 0);
	fclose(out);
	return text;
}

static void test_write_quotes_only_what_needs_it(void **state)
{
	const char *fields[] = {"plain", "a,b", "say \"hej\"", "two\r\nlines", "lf\nonly", "",
				NULL, "æøå"};
	char *text = write_rows(fields, nitems(fields), nitems(fields));

	(void)state;
	assert_string_equal(text, "plain,\"a,b\",\"say \"\"hej\"\"\",\"two\r\nlines\","
				  "\"lf\nonly\",,,æøå\r\n");
	free(text);
}

static void test_write_then_read_round_trips(void **state)
{
	const char *fields[] = {"1", "\"", ",", "\r\n", "x\"y,z\nw", "", " lead", "trail "};
	char *text = write_rows(fields, nitems(fields), 4);
	struct csv_reader *r = csv_reader_new(text, strlen(text));
	struct csv_record rec;
	char *cause = NULL;

	(void)state;
	for (size_t row = 0; row < 2; row++) {
		assert_int_equal(csv_read(r, &rec, &cause), 1);
		assert_int_equal(rec.count, 4);
		for (size_t i = 0; i < 4; i++)
			assert_string_equal(rec.fields[i], fields[row * 4 + i]);
	}
	assert_int_equal(csv_read(r, &rec, &cause), 0);
	csv_reader_free(r);
	free(text);
}

/* ------------------------------------------------------------------------ */

static json_t *parse_offers(const char *text, char **cause)
{
	json_t *offers = NULL;

	*cause = NULL;
	if (offer_csv_parse(text, strlen(text), "offers.csv", &offers, cause) != 0) {
		assert_null(offers);
		return NULL;
	}
	assert_null(*cause);
	return offers;
}

static const char *offer_field(json_t *offers, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(offers, i), key));
}

static void test_offers_any_column_order(void **state)
{
	char *cause;
	json_t *offers = parse_offers("category,name,phone,description\r\n"
				      "social,\"Café \"\"Lyset\"\"\",20 30 40 50,\"Kaffe,\r\n"
				      "snak\r\n\r\nog samvær\"\r\n"
				      "\r\n"
				      "youth,Headspace,,\r\n",
				      &cause);

	(void)state;
	assert_non_null(offers);
	assert_int_equal(json_array_size(offers), 2);
	assert_string_equal(offer_field(offers, 0, "name"), "Café \"Lyset\"");
	assert_string_equal(offer_field(offers, 0, "category"), "social");
	/* Normalised as POST /v1/offers normalises it. */
	assert_string_equal(offer_field(offers, 0, "phone"), "+4520304050");
	/* A run of line breaks in a cell is one space. */
	assert_string_equal(offer_field(offers, 0, "description"), "Kaffe, snak og samvær");
	assert_string_equal(offer_field(offers, 1, "name"), "Headspace");
	json_decref(offers);
}

static void test_offers_every_problem_with_file_and_line(void **state)
{
	char *cause;
	json_t *offers = parse_offers("name,category,email,url\n"
				      "Good,social,a@b.dk,https://x.dk\n"
				      "\"Multi\nline name\",,not-mail,ftp://x\n"
				      "Short,row\n"
				      "Latin1 \xe6,social,,\n",
				      &cause);

	(void)state;
	/* One bad row means nothing at all, the good row included. */
	assert_null(offers);
	assert_string_equal(cause, "offers.csv:3: category: must not be empty\n"
				   "offers.csv:3: email: must be an e-mail address\n"
				   "offers.csv:3: url: must be an http:// or https:// URL\n"
				   "offers.csv:5: row: has 2 fields; the header has 4\n"
				   "offers.csv:6: name: is not UTF-8 text (save the file as \"CSV"
				   " UTF-8\")");
	free(cause);
}

static void test_offers_header_and_syntax(void **state)
{
	char *cause;

	(void)state;
	assert_null(parse_offers("name,kategori,name\r\nA,b,c\r\n", &cause));
	assert_non_null(strstr(cause, "offers.csv:1: header: unknown column \"kategori\""));
	assert_non_null(strstr(cause, "offers.csv:1: header: repeated column \"name\""));
	assert_non_null(strstr(cause, "offers.csv:1: header: no \"category\" column"));
	free(cause);
	assert_null(parse_offers("", &cause));
	assert_non_null(strstr(cause, "offers.csv:1: header: the file is empty"));
	free(cause);
	assert_null(parse_offers("name,category\r\nA,b\r\nC,d\"x\r\n", &cause));
	assert_string_equal(cause, "offers.csv:3: a quote inside an unquoted field (quote the"
				   " whole field and write the quote twice)");
	free(cause);
}

static void test_offers_semicolons_and_ids(void **state)
{
	char *cause;
	json_t *offers = parse_offers("\xEF\xBB\xBFid;name;category;hours\r\n"
				      "7;Gåklubben;motion;tirsdag 10-12, torsdag 10-12\r\n"
				      ";Café Lyset;fællesskab;\r\n"
				      "12;Headspace;ung;\r\n",
				      &cause);

	(void)state;
	assert_non_null(offers);
	assert_int_equal(json_array_size(offers), 3);
	/* A row with an id changes that offer; an empty id adds one. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(offers, 0), "id")), 7);
	assert_string_equal(offer_field(offers, 0, "hours"), "tirsdag 10-12, torsdag 10-12");
	assert_null(json_object_get(json_array_get(offers, 1), "id"));
	assert_string_equal(offer_field(offers, 1, "name"), "Café Lyset");
	/* An empty cell of an update empties that field. */
	assert_string_equal(offer_field(offers, 2, "hours"), "");
	json_decref(offers);
	offers = NULL;
	/* An update still may not empty a required field. */
	assert_null(parse_offers("id;name;category;hours\r\n12;;;fredag\r\n", &cause));
	assert_non_null(strstr(cause, "offers.csv:2: name: must not be empty"));
	free(cause);
	/* Ids: positive whole numbers, each once; a header of ids needs no
	 * name column, but a row that adds an offer does. */
	assert_null(parse_offers("id,hours\n3,a\nx,b\n3,c\n,d\n", &cause));
	assert_string_equal(cause, "offers.csv:3: id: must be the id of an offer (a whole number"
				   " from 1), or empty to add a new one\n"
				   "offers.csv:4: id: offer 3 is already changed on line 2\n"
				   "offers.csv:5: name: is required\n"
				   "offers.csv:5: category: is required");
	free(cause);
	assert_null(parse_offers("hours\na\n", &cause));
	assert_non_null(strstr(cause, "offers.csv:1: header: no \"name\" column"));
	free(cause);
}

static void test_offers_error_list_is_bounded(void **state)
{
	size_t rows = OFFER_CSV_MAX_ERRORS + 5, len = 0;
	char *text = NULL, *cause;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	fputs("name,category\n", out);
	for (size_t i = 0; i < rows; i++)
		fputs("x,\n", out);
	fclose(out);
	assert_null(parse_offers(text, &cause));
	assert_non_null(strstr(cause, "offers.csv: 5 more problem(s) not shown"));
	free(cause);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_write_quotes_only_what_needs_it),
		cmocka_unit_test(test_write_then_read_round_trips),
		cmocka_unit_test(test_offers_any_column_order),
		cmocka_unit_test(test_offers_every_problem_with_file_and_line),
		cmocka_unit_test(test_offers_header_and_syntax),
		cmocka_unit_test(test_offers_semicolons_and_ids),
		cmocka_unit_test(test_offers_error_list_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
