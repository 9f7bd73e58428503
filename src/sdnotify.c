/*
 * sdnotify.c - thin wrappers over sd_notify(3) (sdnotify.h).
 */
#include "sdnotify.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

void sdnotify_ready(void)
{
	sd_notify(0, "READY=1");
}

void sdnotify_reloading(void)
{
	struct timespec ts;

	/* systemd >= 253 wants MONOTONIC_USEC with RELOADING=1 to tell this
	 * reload from an older one; older versions ignore it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL +
			   (unsigned long long)ts.tv_nsec / 1000ULL);
}

void sdnotify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void sdnotify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

void sdnotify_status(const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", text);
}

uint64_t sdnotify_watchdog_usec(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec;
}
