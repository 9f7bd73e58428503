/*
 * sdnotify.h - the service manager protocol (READY, STATUS, watchdog).
 *
 * Contract: every call is harmless when not run by systemd (no
 * NOTIFY_SOCKET): it does nothing and returns. Callers never need #ifdef or
 * checks of their own.
 */
#ifndef MENTORD_SDNOTIFY_H
#define MENTORD_SDNOTIFY_H

#include <stdint.h>

void sdnotify_ready(void);
void sdnotify_reloading(void);
void sdnotify_stopping(void);
void sdnotify_watchdog(void);
void sdnotify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval in microseconds, or 0 when none is asked for. */
uint64_t sdnotify_watchdog_usec(void);

#endif
