/*
 * error.c - the typed error of run-time operations (error.h).
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

void error_clear(struct error *err)
{
	if (err == NULL)
		return;
	err->kind = ERROR_NONE;
	err->field[0] = '\0';
	err->message[0] = '\0';
}

int error_set(struct error *err, enum error_kind kind, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

int error_status(enum error_kind kind)
{
	switch (kind) {
	case ERROR_NONE:
		return 200;
	case ERROR_NOT_FOUND:
		return 404;
	case ERROR_CONFLICT:
		return 409;
	case ERROR_INVALID:
		return 422;
	case ERROR_STORE:
		break;
	}
	return 500;
}

const char *error_kind_name(enum error_kind kind)
{
	switch (kind) {
	case ERROR_NONE:
		return "ok";
	case ERROR_NOT_FOUND:
		return "not found";
	case ERROR_CONFLICT:
		return "conflict";
	case ERROR_INVALID:
		return "invalid";
	case ERROR_STORE:
		break;
	}
	return "store failure";
}
