/*
 * log.c - journald or stderr logging with health-data scrubbing (log.h).
 */
#include "log.h"

#include <ctype.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

static const char *log_ident = "mentord";
static int log_threshold = LOG_INFO;
static bool log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",	  [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

/* systemd sets JOURNAL_STREAM=<dev>:<inode> for a service whose stderr is
 * the journal; if stderr was redirected since, that no longer matches. */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void libevent_log_cb(int severity, const char *msg)
{
	int prio = severity >= EVENT_LOG_ERR	? LOG_ERR
		   : severity == EVENT_LOG_WARN ? LOG_WARNING
						: LOG_DEBUG;

	log_emit(prio, "libevent: %s", msg);
}

void log_open(const char *ident, int level)
{
	log_ident = ident;
	log_threshold = level;
	log_journal = stderr_is_journal();
	event_set_log_callback(libevent_log_cb);
}

void log_set_level(int level)
{
	log_threshold = level;
}

int log_to_journal(void)
{
	return log_journal;
}

int log_level_parse(const char *name, int *level)
{
	for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = i;
			return 0;
		}
	}
	return -1;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '-' || c == '+';
}

/* A span of digits and separators is a date when it is exactly dddd-dd-dd. */
static bool span_is_date(const char *s, size_t len)
{
	return len == 10 && s[4] == '-' && s[7] == '-' && isdigit((unsigned char)s[0]) &&
	       isdigit((unsigned char)s[9]);
}

void log_scrub(const char *text, char *buf, size_t size)
{
	size_t out = 0;

	if (size == 0)
		return;
	for (size_t i = 0; text[i] != '\0' && out + 1 < size;) {
		size_t end = i, digits = 0, last_digit = i;

		if (!isdigit((unsigned char)text[i]) && text[i] != '+') {
			buf[out++] = text[i++];
			continue;
		}
		while (text[end] != '\0' &&
		       (isdigit((unsigned char)text[end]) || is_separator(text[end]))) {
			if (isdigit((unsigned char)text[end])) {
				digits++;
				last_digit = end;
			}
			end++;
		}
		if (digits >= 8 && !span_is_date(text + i, last_digit + 1 - i)) {
			const char *mark = "[redacted]";
			for (size_t k = 0; mark[k] != '\0' && out + 1 < size; k++)
				buf[out++] = mark[k];
			i = last_digit + 1;
		} else {
			for (; i < end && out + 1 < size; i++)
				buf[out++] = text[i];
		}
	}
	buf[out] = '\0';
}

static void log_write(int prio, const char *field, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], clean[LOG_LINE_MAX];

	if (prio > log_threshold)
		return;
	vsnprintf(raw, sizeof raw, fmt, ap);
	log_scrub(raw, clean, sizeof clean);
	if (log_journal) {
		sd_journal_send("MESSAGE=%s", clean, "PRIORITY=%d", prio, "SYSLOG_IDENTIFIER=%s",
				log_ident, field != NULL ? "%s" : NULL, field, NULL);
		return;
	}
	struct timespec now;
	struct tm tm;
	char stamp[32];

	/* Wall time of the machine, not the test clock: logs tell when things
	 * really happened. */
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%ld] %s: %s%s%s\n", stamp, log_ident, (long)getpid(),
		level_names[prio & 7], clean, field != NULL ? " " : "", field != NULL ? field : "");
}

void log_emit(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(prio, NULL, fmt, ap);
	va_end(ap);
}

void log_course(int prio, int64_t course_id, const char *fmt, ...)
{
	char field[48];
	va_list ap;

	snprintf(field, sizeof field, "MENTORD_COURSE=%" PRId64, course_id);
	va_start(ap, fmt);
	log_write(prio, field, fmt, ap);
	va_end(ap);
}
