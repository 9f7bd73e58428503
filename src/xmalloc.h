/*
 * xmalloc.h - allocation that never returns NULL.
 *
 * Contract: on exhaustion these abort the process with a message. A daemon
 * that cannot allocate a few hundred bytes cannot keep any promise it made,
 * and a half-handled NULL is worse than a clean restart by systemd.
 */
#ifndef MENTORD_XMALLOC_H
#define MENTORD_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
int xasprintf(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int xvasprintf(char **ret, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
