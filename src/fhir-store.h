/*
 * fhir-store.h - what mentord keeps of the HospitalNotification messages
 * it accepted (doc/fhir-hospitalnotification.md): fhir_bundles (the Bundle
 * id, the MessageHeader id, a fingerprint and the reply) and fhir_effects
 * (what each message did to each course, to undo or replace it when the
 * hospital cancels or revises it). No personal data: ids, codes, dates
 * and times.
 *
 * Contract:
 *  - Every function runs inside the caller's transaction; statements are
 *    prepared once per store (store_statement). Errors are ERROR_STORE.
 *  - The effects of a message are those of its own rows not yet undone,
 *    and, for rows a revision undid, the effects of that revision (and so
 *    on, a few links deep): a cancellation of a message already revised
 *    undoes the revision's effect.
 *  - fhir_store_purge() deletes the rows received before a time, oldest
 *    first, at most limit of them, and their effects with them.
 */
#ifndef MENTORD_FHIR_STORE_H
#define MENTORD_FHIR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "course.h"
#include "error.h"
#include "fhir-notification.h"

struct store;

/* The reply stored for a Bundle id: 1 found (fingerprint, status and
 * *reply, the caller frees, filled), 0 none. */
int fhir_store_find(struct store *store, const char *bundle_id,
		    char fingerprint[FHIR_FINGERPRINT_LEN], int *status, char **reply,
		    struct error *err);
int fhir_store_remember(struct store *store, const char *bundle_id, const char *header_id,
			const char *fingerprint, int status, const char *reply, time_t now,
			struct error *err);

/* One course effect of a message, and the Bundle it came in. */
struct fhir_effect {
	char bundle_id[FHIR_ID_LEN];
	struct course_effect course;
};

/* Keep what bundle_id's message did to a course (after
 * fhir_store_remember of that bundle, in the same transaction). */
int fhir_store_add_effect(struct store *store, const char *bundle_id, const struct course_effect *e,
			  struct error *err);
/* The effects still in force of the message header_id (see above);
 * *known: a message of that MessageHeader id was received (and not
 * purged). *out (free it) holds *count of them. */
int fhir_store_effects(struct store *store, const char *header_id, bool *known,
		       struct fhir_effect **out, size_t *count, struct error *err);
/* The effect is undone, or replaced, by message by_header_id. */
int fhir_store_undone(struct store *store, const struct fhir_effect *e, const char *by_header_id,
		      time_t now, struct error *err);

/* Delete at most limit bundles received before `before`, with their
 * effects; *purged says how many (fewer than limit: none is left). */
int fhir_store_purge(struct store *store, time_t before, size_t limit, size_t *purged,
		     struct error *err);

#endif
