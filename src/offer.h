/*
 * offer.h - the catalogue of civil-society and municipal offers mentors
 * refer citizens to (and whose contact details follow-up messages carry).
 *
 * Contract:
 *  - offer_from_json() validates a body into a JSON object of the offer's
 *    fields, collecting every problem under its field name; with partial
 *    (PATCH) only the fields present are checked and returned.
 *  - A deleted offer is kept, marked deleted: calls that referred to it and
 *    the reports' "offers referred by category" still need its category.
 *    Deleted offers are not listed and cannot be referred to again.
 *  - All functions work on the caller's connection and transaction; a
 *    database failure fills a struct error (error.h).
 */
#ifndef MENTORD_OFFER_H
#define MENTORD_OFFER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "field.h"

struct store;

/* The validated fields of a body (new reference), NULL when invalid. */
json_t *offer_from_json(json_t *body, bool partial, struct field_errors *errors);

int offer_create(struct store *store, json_t *fields, time_t now, int64_t *id, struct error *err);
/* 0 updated, 1 no such (live) offer, -1 error. */
int offer_update(struct store *store, int64_t id, json_t *fields, time_t now, struct error *err);
int offer_delete(struct store *store, int64_t id, time_t now, struct error *err);
/* One offer as JSON (NULL and 0 when there is none), or all live ones. */
int offer_get(struct store *store, int64_t id, json_t **out, struct error *err);
int offer_list(struct store *store, json_t **out, struct error *err);

#endif
