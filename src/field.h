/*
 * field.h - reading the fields of a JSON object and collecting what is
 * wrong with them. Needs only jansson: every input format (the HTTP API,
 * offers, the CSV import of mentorctl) reads its fields here, so none of
 * them has to link the HTTP server.
 *
 * Contract:
 *  - The readers collect every problem of an object into struct
 *    field_errors instead of stopping at the first, so one reply names all
 *    bad fields. field is the caller's name for the member in its own
 *    spelling ("citizen.cpr", "offers[1]"); it is copied.
 *  - Strings are length-limited and may not contain control characters
 *    (free text may have line breaks and tabs); a wrong JSON type is an
 *    error like a missing required field.
 *  - JSON null for an optional member is as if it were left out; for a
 *    required one it is an error ("must not be null"). A PATCH, where null
 *    asks to clear a member, calls field_refuse_null() for each member
 *    that cannot be cleared, so it never answers 200 for a null it
 *    ignored; a member the API lets a client clear is tested for null by
 *    its caller.
 *  - Nothing here stores or logs anything.
 */
#ifndef MENTORD_FIELD_H
#define MENTORD_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct field_errors {
	json_t *list; /* [{field, message}] */
};

void field_errors_init(struct field_errors *errors);
void field_errors_clear(struct field_errors *errors);
bool field_errors_any(const struct field_errors *errors);
void field_error_add(struct field_errors *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A string member: NULL when absent (an error if required), too long,
 * with control characters, or not a string. */
const char *field_get_string(json_t *object, const char *key, const char *field, bool required,
			     size_t max_len, struct field_errors *errors);
/* As field_get_string, for a name or a label: when present it must say
 * something, so "" and white space only are errors even if optional. */
const char *field_get_name(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct field_errors *errors);
/* Nothing but white space (ASCII or no-break spaces): such a name names
 * nobody. */
bool field_is_blank(const char *s);
/* true, with "must not be null" for field, if key is JSON null: for a
 * PATCH member that cannot be cleared. */
bool field_refuse_null(json_t *object, const char *key, const char *field,
		       struct field_errors *errors);
/* The value of member key, or NULL when it is absent or null: for a
 * member read by hand (a list, an object of its own), so its null is a
 * member left out as the readers' is. */
json_t *field_get_value(json_t *object, const char *key);
/* A boolean member: *out is its value, false when absent or null (then
 * false is returned); anything but true or false is an error. */
bool field_get_bool(json_t *object, const char *key, const char *field, bool *out,
		    struct field_errors *errors);
/* As field_get_string, for free text: line breaks and tabs allowed. */
const char *field_get_text(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct field_errors *errors);
/* An integer member within [min, max]; returns false when absent. */
bool field_get_int(json_t *object, const char *key, const char *field, bool required, int64_t min,
		   int64_t max, int64_t *out, struct field_errors *errors);
/* An object member; NULL when absent (an error if required) or not an object. */
json_t *field_get_object(json_t *object, const char *key, const char *field, bool required,
			 struct field_errors *errors);

#endif
