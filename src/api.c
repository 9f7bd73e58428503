/*
 * api.c - authentication, JSON field validation and error replies (api.h).
 */
#include "api.h"

#include <ctype.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mentord.h"
#include "xmalloc.h"

int api_authenticate(struct mentord *m, struct evhttp_request *req, unsigned roles,
		     struct auth_identity *who)
{
	const char *header = evhttp_find_header(evhttp_request_get_input_headers(req),
						"Authorization");

	if (auth_check(m->store, header, who) != 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"mentord\"");
		http_reply_problem(req, 401, "Unauthorized",
				   "A valid bearer token is required.", NULL);
		return -1;
	}
	if ((roles & API_ROLE(who->role)) == 0) {
		http_reply_problem(req, 403, "Forbidden",
				   "This token's role may not use this resource.", NULL);
		return -1;
	}
	return 0;
}

void api_errors_init(struct api_errors *errors)
{
	errors->list = json_array();
}

void api_errors_clear(struct api_errors *errors)
{
	json_decref(errors->list);
	errors->list = NULL;
}

bool api_errors_any(const struct api_errors *errors)
{
	return json_array_size(errors->list) > 0;
}

void api_error_add(struct api_errors *errors, const char *field, const char *fmt, ...)
{
	char *message;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&message, fmt, ap);
	va_end(ap);
	json_array_append_new(errors->list,
			      json_pack("{s:s, s:s}", "field", field, "message", message));
	free(message);
}

void api_reply_invalid(struct evhttp_request *req, struct api_errors *errors, const char *detail)
{
	http_reply_problem(req, 422, "Unprocessable Content", detail, errors->list);
	errors->list = NULL;
}

static bool has_control_characters(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

const char *api_get_string(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct api_errors *errors)
{
	json_t *value = json_object_get(object, key);
	const char *s;

	if (value == NULL || json_is_null(value)) {
		if (required)
			api_error_add(errors, field, "is required");
		return NULL;
	}
	if (!json_is_string(value)) {
		api_error_add(errors, field, "must be a string");
		return NULL;
	}
	s = json_string_value(value);
	if (json_string_length(value) != strlen(s)) {
		api_error_add(errors, field, "must not contain NUL characters");
		return NULL;
	}
	if (strlen(s) > max_len) {
		api_error_add(errors, field, "must be at most %zu bytes", max_len);
		return NULL;
	}
	if (has_control_characters(s)) {
		api_error_add(errors, field, "must not contain control characters");
		return NULL;
	}
	if (required && s[0] == '\0') {
		api_error_add(errors, field, "must not be empty");
		return NULL;
	}
	return s;
}

bool api_get_int(json_t *object, const char *key, const char *field, bool required,
		 int64_t min, int64_t max, int64_t *out, struct api_errors *errors)
{
	json_t *value = json_object_get(object, key);

	if (value == NULL || json_is_null(value)) {
		if (required)
			api_error_add(errors, field, "is required");
		return false;
	}
	if (!json_is_integer(value) || json_integer_value(value) < min ||
	    json_integer_value(value) > max) {
		api_error_add(errors, field, "must be an integer from %lld to %lld",
			      (long long)min, (long long)max);
		return false;
	}
	*out = json_integer_value(value);
	return true;
}

json_t *api_get_object(json_t *object, const char *key, const char *field, bool required,
		       struct api_errors *errors)
{
	json_t *value = json_object_get(object, key);

	if (value == NULL || json_is_null(value)) {
		if (required)
			api_error_add(errors, field, "is required");
		return NULL;
	}
	if (!json_is_object(value)) {
		api_error_add(errors, field, "must be an object");
		return NULL;
	}
	return value;
}

bool api_parse_id(const char *text, int64_t *out)
{
	char *end;
	long long v;

	if (text == NULL || !isdigit((unsigned char)text[0]) || strlen(text) > 18)
		return false;
	v = strtoll(text, &end, 10);
	if (*end != '\0' || v <= 0)
		return false;
	*out = v;
	return true;
}

char *api_query_param(struct evhttp_request *req, const char *name)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params;
	const char *value;
	char *out = NULL;

	if (query == NULL)
		return NULL;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(query, &params) != 0)
		return NULL;
	value = evhttp_find_header(&params, name);
	if (value != NULL)
		out = xstrdup(value);
	evhttp_clear_headers(&params);
	return out;
}
