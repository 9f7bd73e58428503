/*
 * api.h - what every API handler shares: who is asking, reading and
 * validating JSON fields, and answering errors the same way.
 *
 * Contract:
 *  - api_authenticate() answers 401 (with WWW-Authenticate: Bearer) or 403
 *    itself and returns -1; the handler then just returns.
 *  - Field readers collect every problem of a body into struct api_errors
 *    instead of stopping at the first, so one 422 names all bad fields.
 *    Strings are length-limited and may not contain control characters;
 *    a wrong JSON type is an error like a missing required field.
 *  - Nothing here changes the store.
 */
#ifndef MENTORD_API_H
#define MENTORD_API_H

#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"

struct mentord;

#define API_ROLE(r) (1u << (r))
#define API_ANY_ROLE (API_ROLE(AUTH_PSYCHIATRY) | API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))

int api_authenticate(struct mentord *m, struct evhttp_request *req, unsigned roles,
		     struct auth_identity *who);

struct api_errors {
	json_t *list; /* [{field, message}] */
};

void api_errors_init(struct api_errors *errors);
void api_errors_clear(struct api_errors *errors);
bool api_errors_any(const struct api_errors *errors);
void api_error_add(struct api_errors *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 422 naming every collected field; consumes the list. */
void api_reply_invalid(struct evhttp_request *req, struct api_errors *errors, const char *detail);

/* A string member: NULL when absent (an error if required), too long,
 * with control characters, or not a string. */
const char *api_get_string(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct api_errors *errors);
/* An integer member within [min, max]; returns false when absent. */
bool api_get_int(json_t *object, const char *key, const char *field, bool required,
		 int64_t min, int64_t max, int64_t *out, struct api_errors *errors);
/* An object member; NULL when absent (an error if required) or not an object. */
json_t *api_get_object(json_t *object, const char *key, const char *field, bool required,
		       struct api_errors *errors);

/* A path parameter that must be a positive integer id. */
bool api_parse_id(const char *text, int64_t *out);
/* A query parameter of the request URI, or NULL. Caller frees the result. */
char *api_query_param(struct evhttp_request *req, const char *name);

#endif
