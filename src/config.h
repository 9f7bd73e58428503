/*
 * config.h - mentord.conf: load, validate, defaults.
 *
 * Contract:
 *  - config_load() starts from the documented defaults (doc/scheduling.md), reads a libconfig
 *    file over them and validates every type and range. Unknown settings are
 *    errors too: a misspelt setting silently ignored would leave a default in
 *    force that the admin believes changed.
 *  - On error it returns -1 and *cause reads "FILE:LINE: SETTING: problem";
 *    the caller has touched nothing yet, so the old configuration (or none)
 *    stays in force.
 *  - A config owns all its strings; config_free(NULL) is harmless. Relative
 *    paths in the file are resolved against the file's directory.
 */
#ifndef MENTORD_CONFIG_H
#define MENTORD_CONFIG_H

/* doc/scheduling.md: every date is a local date in Copenhagen. */
#define CONFIG_DEFAULT_TIMEZONE "Europe/Copenhagen"

#include "programme.h"
#include "proxy.h"
#include "schedule-rules.h"

/* A number a mentor may need when concerned for a citizen's safety. */
#define CONFIG_CRISIS_NUMBERS_MAX 12
#define CONFIG_CRISIS_LABEL_MAX 100
#define CONFIG_CRISIS_PROCEDURE_MAX 4000
struct config_crisis_number {
	char *label;
	char *phone; /* as written: "112", "70 201 201" */
};

struct config {
	char *path; /* the file this came from */
	/* Where each setting was read, "FILE:LINE" (NULL: a default), for
	 * config_setting_error(); private to config.c. */
	char **where;

	char *listen_address;
	int listen_port; /* 0 = any free port (tests) */
	int http_timeout_s;
	int http_max_header_bytes;
	/* Whose X-Forwarded-For is believed (proxy.h); none by default. */
	struct proxy_trust trusted_proxies;
	int http_max_connections;
	int http_max_connections_per_peer;
	int http_header_timeout_s;
	int http_body_timeout_s;
	int http_idle_timeout_s;

	char *database;
	int store_cache_mib;	 /* SQLite's page cache */
	int store_writer_thread; /* the intake's writer thread (writer.h) */
	int store_mmap_mib;	 /* memory-mapped reads; 0 = off */
	char *timezone;
	int log_level; /* syslog priority */

	struct schedule_rules schedule;
	/* The programmes (programme.h); without a `programmes` list, one:
	 * the preventive scheme, from schedule.* and messages.*. */
	struct programme_set programmes;
	int publish_minute; /* queue.publish_time as minutes after midnight */

	char *gateway_url; /* empty = not configured: the outbox keeps rows */
	char *gateway_token_file;
	char *gateway_ca_path;
	/* The contents of gateway_token_file, read by config_check() so the
	 * file is judged where the rest is (NULL: none); wiped when freed. */
	char *gateway_token;
	int gateway_connect_timeout_s;
	int gateway_timeout_s;
	int gateway_backoff_initial_s;
	int gateway_backoff_max_s;
	int gateway_give_up_hours;
	int gateway_max_in_flight;

	int retention_days;
	/* GET /healthz fails once the oldest pending outbox row is older
	 * (seconds; 0: not checked). */
	int health_outbox_max_age_s;
	char *templates_dir;
	/* The sender of citizens' messages (doc/gateway.md); required
	 * once gateway.url is set. Which message types are sent. */
	char *messages_sender_cvr;
	char *messages_sender_label;
	char *messages_content_responsible;
	int messages_welcome;
	int messages_unreached;
	int messages_closing;

	char *web_root; /* the mentors' page; empty = not served */
	/* Sessions of the page (session.h): idle timeout and lifetime. */
	int session_idle_minutes;
	int session_hours;

	/* Single sign-on through a trusted proxy (doc/sessions-and-sso.md):
	 * off unless enabled; the header naming the user is believed only
	 * from these peers (proxy.h), a list of its own: naming the client
	 * is a smaller trust than naming the user. */
	int sso_enabled;
	char *sso_header;
	struct proxy_trust sso_proxies;

	/* What the page shows a mentor who is concerned for a citizen's
	 * safety, and whom mentord tells (concern.h). */
	char *crisis_procedure;
	struct config_crisis_number crisis_numbers[CONFIG_CRISIS_NUMBERS_MAX];
	int crisis_nnumbers;
	char *crisis_notify_phone; /* E.164; "" = nobody is notified */
};

struct config *config_new_default(void);
int config_load(const char *path, struct config **out, char **cause);
void config_free(struct config *config);
/* "FILE:LINE: SETTING: problem" for a check of a loaded config that
 * config_load() cannot make itself (config-check.c); SETTING is
 * "group.name". A setting left at its default is named at the file. */
int config_setting_error(char **cause, const struct config *config, const char *setting,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
