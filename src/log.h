/*
 * log.h - the one way mentord reports what it does.
 *
 * Contract:
 *  - log_open() picks the sink once: the systemd journal with structured
 *    fields when stderr is connected to it (JOURNAL_STREAM names stderr's
 *    device and inode), plain lines on stderr otherwise.
 *  - Messages below the configured level are dropped.
 *  - Every message is scrubbed before it leaves the process: digit runs that
 *    could be a CPR or phone number (8 or more digits, with spaces, dashes
 *    or a leading +) become "[redacted]". Callers must still not pass them;
 *    the scrubber is the second line of defence for health data.
 *  - libevent's own warnings are routed here as well.
 */
#ifndef MENTORD_LOG_H
#define MENTORD_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

void log_open(const char *ident, int level);
void log_set_level(int level);
int log_level_parse(const char *name, int *level);
int log_to_journal(void);

void log_emit(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As log_emit, with MENTORD_COURSE=<id> as a journal field. */
void log_course(int prio, int64_t course_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Redact possible CPR/phone numbers from text into buf (always terminated). */
void log_scrub(const char *text, char *buf, size_t size);

#define log_err(...) log_emit(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_emit(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_emit(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_emit(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_emit(LOG_DEBUG, __VA_ARGS__)

#endif
