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

#include "schedule-rules.h"

#define CONFIG_MAX_ADDRESSES 16
#define CONFIG_ADDRESS_LEN 46 /* INET6_ADDRSTRLEN */

/* IP addresses, each as inet_ntop writes it; an IPv4-mapped IPv6
 * address is kept as the IPv4 address it maps. */
struct config_addresses {
	size_t count;
	char list[CONFIG_MAX_ADDRESSES][CONFIG_ADDRESS_LEN];
};

/* addr (any text form) in canonical form, as struct config_addresses
 * keeps them; -1 when it is no IP address. */
int config_address_canonical(const char *addr, char out[CONFIG_ADDRESS_LEN]);

struct config {
	char *path; /* the file this came from */

	char *listen_address;
	int listen_port; /* 0 = any free port (tests) */
	int http_timeout_s;
	int http_max_header_bytes;

	char *database;
	char *timezone;
	int log_level; /* syslog priority */

	struct schedule_rules schedule;
	int publish_minute; /* queue.publish_time as minutes after midnight */

	char *gateway_url; /* empty = not configured: the outbox keeps rows */
	char *gateway_token_file;
	char *gateway_ca_path;
	int gateway_connect_timeout_s;
	int gateway_timeout_s;
	int gateway_backoff_initial_s;
	int gateway_backoff_max_s;
	int gateway_give_up_hours;
	int gateway_max_in_flight;

	int retention_days;
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
	 * from these peer addresses, in canonical text form. */
	int sso_enabled;
	char *sso_header;
	struct config_addresses sso_proxies;
};


struct config *config_new_default(void);
int config_load(const char *path, struct config **out, char **cause);
void config_free(struct config *config);

#endif
