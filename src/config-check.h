/*
 * config-check.h - a configuration as mentord accepts it: mentord.conf and
 * the message templates it names.
 *
 * Contract: config_check() is config_load() (which also refuses a time zone
 * not in the tz database), then what needs the system: database not empty,
 * listen.address an IPv4 or IPv6 address or a host name that resolves, and
 * once gateway.url is set, gateway.token_file readable and private (its
 * token kept in config->gateway_token) and gateway.ca_path a readable file
 * or directory; then message_templates_load(). It is the one verdict of
 * mentord -t, start (before the database is opened), SIGHUP reload and
 * mentorctl check-config; each error names FILE:LINE: setting. On error it returns
 * -1 with the cause of the step that failed and leaves nothing allocated.
 * out and templates may be NULL when the caller only wants the check. It
 * changes no process state: whoever runs on the result makes its time zone
 * the process zone (clock_use_timezone).
 */
#ifndef MENTORD_CONFIG_CHECK_H
#define MENTORD_CONFIG_CHECK_H

struct config;
struct message_templates;

int config_check(const char *path, struct config **out, struct message_templates **templates,
		 char **cause);

#endif
