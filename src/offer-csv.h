/*
 * offer-csv.h - the offers catalogue from a spreadsheet (mentorctl offer
 * import).
 *
 * Contract:
 *  - The text is CSV (csv.h). Its first record is the header: column names
 *    from OFFER_CSV_COLUMNS, in any order, each at most once, plus an
 *    optional "id" column (OFFER_CSV_COLUMNS leaves it out). A row whose id
 *    cell holds an offer's id updates that offer as PATCH /v1/offers/{id}
 *    would (only the file's columns change; its field object carries the
 *    integer member "id"); a row with an empty id adds one, and then name
 *    and category must be there. Every later record is one offer, with exactly
 *    as many fields as the header; empty lines are skipped.
 *  - Each row is validated by offer_from_json(), exactly as POST
 *    /v1/offers would validate it, so a CSV cannot store what the API
 *    refuses. An empty cell is an empty string (NULL in the table for an
 *    optional field, "must not be empty" for a required one). Offers hold
 *    one-line fields, so each run of line breaks inside a quoted cell (a
 *    spreadsheet's Alt+Enter) becomes one space first; other control
 *    characters are refused as the API refuses them.
 *  - All or nothing: offer_csv_parse() stores nothing. It returns the
 *    validated rows, or -1 with *cause listing problems one per line as
 *    "NAME:LINE: field: message" (NAME is the caller's name for the
 *    text, LINE where the record starts), at most OFFER_CSV_MAX_ERRORS.
 *    A cause, not a struct error (error.h): the answer is a list of
 *    problems for a person at a terminal, as a compiler's is.
 *  - offer_csv_store() then adds or updates the rows on the
 *    caller's transaction; the caller commits or rolls back. A failure
 *    fills a struct error.
 */
#ifndef MENTORD_OFFER_CSV_H
#define MENTORD_OFFER_CSV_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

struct store;

#define OFFER_CSV_COLUMNS "name,category,provider,phone,email,address,url,hours,description"
#define OFFER_CSV_MAX_ERRORS 50

/* *offers is a new JSON array of validated field objects. */
int offer_csv_parse(const char *data, size_t len, const char *name, json_t **offers, char **cause);
int offer_csv_store(struct store *store, json_t *offers, time_t now, struct error *err);

#endif
