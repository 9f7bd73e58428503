/*
 * field.c - JSON field readers and their error list (field.h).
 */
#include "field.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void field_errors_init(struct field_errors *errors)
{
	errors->list = json_array();
}

void field_errors_clear(struct field_errors *errors)
{
	json_decref(errors->list);
	errors->list = NULL;
}

bool field_errors_any(const struct field_errors *errors)
{
	return json_array_size(errors->list) > 0;
}

void field_error_add(struct field_errors *errors, const char *field, const char *fmt, ...)
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

/* Free text may have line breaks and tabs; names and codes may not. */
static bool has_control_characters(const char *s, bool multiline)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s) && !(multiline && strchr("\n\r\t", *s) != NULL))
			return true;
	return false;
}

bool field_is_blank(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
			s += 2;
		else
			return *s == '\0';
	}
}

/* True when the member gives no value to read: absent or null, an error
 * if required. In a body that creates or acts, an optional member sent
 * as null is one left out, as JSON clients write them; a PATCH, where
 * null asks to clear a member, refuses it for a member that cannot be
 * cleared first (field_refuse_null). */
static bool no_value(json_t *value, const char *field, bool required, struct field_errors *errors)
{
	if (value != NULL && !json_is_null(value))
		return false;
	if (required)
		field_error_add(errors, field, value == NULL ? "is required" : "must not be null");
	return true;
}

bool field_refuse_null(json_t *object, const char *key, const char *field,
		       struct field_errors *errors)
{
	if (!json_is_null(json_object_get(object, key)))
		return false;
	field_error_add(errors, field, "must not be null");
	return true;
}

json_t *field_get_value(json_t *object, const char *key)
{
	json_t *value = json_object_get(object, key);

	return json_is_null(value) ? NULL : value;
}

bool field_get_bool(json_t *object, const char *key, const char *field, bool *out,
		    struct field_errors *errors)
{
	json_t *value = json_object_get(object, key);

	*out = false;
	if (no_value(value, field, false, errors))
		return false;
	if (!json_is_boolean(value)) {
		field_error_add(errors, field, "must be true or false");
		return false;
	}
	*out = json_is_true(value);
	return true;
}

static const char *get_string(json_t *object, const char *key, const char *field, bool required,
			      size_t max_len, bool multiline, struct field_errors *errors)
{
	json_t *value = json_object_get(object, key);
	const char *s;

	if (no_value(value, field, required, errors))
		return NULL;
	if (!json_is_string(value)) {
		field_error_add(errors, field, "must be a string");
		return NULL;
	}
	s = json_string_value(value);
	if (json_string_length(value) != strlen(s)) {
		field_error_add(errors, field, "must not contain NUL characters");
		return NULL;
	}
	if (strlen(s) > max_len) {
		field_error_add(errors, field, "must be at most %zu bytes", max_len);
		return NULL;
	}
	if (has_control_characters(s, multiline)) {
		field_error_add(errors, field, "must not contain control characters");
		return NULL;
	}
	if (required && s[0] == '\0') {
		field_error_add(errors, field, "must not be empty");
		return NULL;
	}
	return s;
}

const char *field_get_string(json_t *object, const char *key, const char *field, bool required,
			     size_t max_len, struct field_errors *errors)
{
	return get_string(object, key, field, required, max_len, false, errors);
}

const char *field_get_name(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct field_errors *errors)
{
	const char *s = get_string(object, key, field, required, max_len, false, errors);

	if (s == NULL || !field_is_blank(s))
		return s;
	field_error_add(errors, field,
			s[0] == '\0' ? "must not be empty" : "must not be only white space");
	return NULL;
}

const char *field_get_text(json_t *object, const char *key, const char *field, bool required,
			   size_t max_len, struct field_errors *errors)
{
	return get_string(object, key, field, required, max_len, true, errors);
}

bool field_get_int(json_t *object, const char *key, const char *field, bool required, int64_t min,
		   int64_t max, int64_t *out, struct field_errors *errors)
{
	json_t *value = json_object_get(object, key);

	if (no_value(value, field, required, errors))
		return false;
	if (!json_is_integer(value) || json_integer_value(value) < min ||
	    json_integer_value(value) > max) {
		field_error_add(errors, field, "must be an integer from %lld to %lld",
				(long long)min, (long long)max);
		return false;
	}
	*out = json_integer_value(value);
	return true;
}

json_t *field_get_object(json_t *object, const char *key, const char *field, bool required,
			 struct field_errors *errors)
{
	json_t *value = json_object_get(object, key);

	if (no_value(value, field, required, errors))
		return NULL;
	if (!json_is_object(value)) {
		field_error_add(errors, field, "must be an object");
		return NULL;
	}
	return value;
}
