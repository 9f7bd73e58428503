/*
 * audit.h - who looked at or changed which citizen's data, when and why.
 *
 * Contract:
 *  - audit_record() inserts one row on the caller's connection, inside the
 *    transaction that reads or changes the data, so there is no access
 *    without its audit row (citizens have a right to see who looked them
 *    up). The row names the token (role and id), the client address the
 *    request came from (proxy.h; "" or NULL when unknown), the action, the
 *    course and the purpose; never the citizen's name, CPR or phone.
 *  - A read (action AUDIT_READ) repeated the same day (the local day of
 *    `at`) by the same token from the same address for the same purpose
 *    is counted on the day's first row of it (times, last_at) instead of
 *    adding a row: who, what, why and the day stay exact, with the first
 *    and the last time and how often, and a queue read again costs a page
 *    of writes instead of a row and an index entry per citizen. Changes
 *    are never counted together: each has its own row. A row, once
 *    written, keeps who, when, what and why (a trigger refuses anything
 *    else) and is never removed.
 *  - audit_list() returns a page of a course's rows (or of all rows),
 *    oldest first, as JSON; the trail is never trimmed, so it is read a
 *    page at a time (api.h, API_PAGE_MAX). Each row carries the token's
 *    name and a display name: the mentor's own for a mentor's token, so
 *    a citizen's access report names people.
 *  - Failures fill a struct error (error.h), kind ERROR_STORE.
 */
#ifndef MENTORD_AUDIT_H
#define MENTORD_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "error.h"

struct store;

/* The action of a read of a citizen's data. */
#define AUDIT_READ "read"

int audit_record(struct store *store, const struct auth_identity *who, const char *client_address,
		 time_t at, const char *action, int64_t course_id, const char *purpose,
		 struct error *err);
/* Up to limit rows with an id above after, oldest first, of one course
 * (course_id > 0) or all (0), as a JSON array. */
int audit_list(struct store *store, int64_t course_id, int64_t after, size_t limit, json_t **out,
	       struct error *err);

#endif
