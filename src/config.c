/*
 * config.c - mentord.conf loading and validation (config.h).
 *
 * One table lists every setting with its type, range and place in struct
 * config; loading, validation and the unknown-setting check all walk it, so
 * a new setting is one line here plus a documented line in etc/mentord.conf.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "file.h"
#include "log.h"
#include "phone.h"
#include "xmalloc.h"

enum setting_type {
	SETTING_INT,
	SETTING_STRING,
	SETTING_PATH,		/* string, resolved against the file's directory */
	SETTING_URL,		/* empty, or http:// or https:// */
	SETTING_HHMM,		/* "HH:MM" -> minutes after midnight */
	SETTING_LOG_LEVEL,	/* "error".."debug" -> syslog priority */
	SETTING_PLAN_DAYS,	/* ascending array of day offsets */
	SETTING_CLOSURES,	/* array of "MM-DD" / "YYYY-MM-DD" */
	SETTING_TIMEZONE,	/* a zone of the system tz database */
	SETTING_TEXT,		/* string, may be empty */
	SETTING_BOOL,		/* true or false -> 1 or 0 */
	SETTING_PROXIES,	/* array of addresses or networks (proxy.h) */
	SETTING_PHONE,		/* empty, or a phone number -> E.164 */
	SETTING_CRISIS_NUMBERS, /* list of {label, phone} groups */
	SETTING_PROGRAMMES,	/* list of programme groups, read last */
	SETTING_INTAKE,		/* "discharge" or "referral" -> enum programme_intake */
};

struct setting {
	const char *group; /* NULL = top level */
	const char *name;
	enum setting_type type;
	size_t offset;
	long min, max;
};

/* Far above any mentord.conf; only for reading a literal again. */
#define CONFIG_FILE_MAX (4 * 1024 * 1024)

#define AT(field) offsetof(struct config, field)

static const struct setting settings[] = {
	{"listen", "address", SETTING_STRING, AT(listen_address), 0, 0},
	{"listen", "port", SETTING_INT, AT(listen_port), 0, 65535},
	{"listen", "timeout", SETTING_INT, AT(http_timeout_s), 1, 3600},
	{"listen", "max_header_bytes", SETTING_INT, AT(http_max_header_bytes), 1024, 65536},
	{"listen", "trusted_proxies", SETTING_PROXIES, AT(trusted_proxies), 0, 0},
	{"listen", "max_connections", SETTING_INT, AT(http_max_connections), 16, 1000000},
	{"listen", "max_connections_per_peer", SETTING_INT, AT(http_max_connections_per_peer), 1,
	 1000000},
	{"listen", "header_timeout", SETTING_INT, AT(http_header_timeout_s), 1, 3600},
	{"listen", "body_timeout", SETTING_INT, AT(http_body_timeout_s), 1, 3600},
	{"listen", "idle_timeout", SETTING_INT, AT(http_idle_timeout_s), 1, 3600},
	{NULL, "database", SETTING_PATH, AT(database), 0, 0},
	{"store", "cache_mib", SETTING_INT, AT(store_cache_mib), 1, 65536},
	{"store", "mmap_mib", SETTING_INT, AT(store_mmap_mib), 0, 65536},
	{"store", "writer_thread", SETTING_BOOL, AT(store_writer_thread), 0, 0},
	{NULL, "timezone", SETTING_TIMEZONE, AT(timezone), 0, 0},
	{NULL, "log_level", SETTING_LOG_LEVEL, AT(log_level), 0, 0},
	{"schedule", "window_months", SETTING_INT, AT(schedule.window_months), 1, 24},
	{"schedule", "plan_days", SETTING_PLAN_DAYS, AT(schedule), 0, 0},
	{"schedule", "min_gap_days", SETTING_INT, AT(schedule.min_gap_days), 0, 90},
	{"schedule", "retry_attempts", SETTING_INT, AT(schedule.retry_attempts), 1, 10},
	{"schedule", "closure_days", SETTING_CLOSURES, AT(schedule.closures), 0, 0},
	{"queue", "publish_time", SETTING_HHMM, AT(publish_minute), 0, 0},
	{"intake", "await_days", SETTING_INT, AT(schedule.await_days), 1, 365},
	{"gateway", "url", SETTING_URL, AT(gateway_url), 0, 0},
	{"gateway", "token_file", SETTING_PATH, AT(gateway_token_file), 0, 0},
	{"gateway", "ca_path", SETTING_PATH, AT(gateway_ca_path), 0, 0},
	{"gateway", "connect_timeout", SETTING_INT, AT(gateway_connect_timeout_s), 1, 300},
	{"gateway", "timeout", SETTING_INT, AT(gateway_timeout_s), 1, 600},
	{"gateway", "backoff_initial", SETTING_INT, AT(gateway_backoff_initial_s), 1, 3600},
	{"gateway", "backoff_max", SETTING_INT, AT(gateway_backoff_max_s), 1, 86400},
	{"gateway", "give_up_hours", SETTING_INT, AT(gateway_give_up_hours), 1, 24 * 30},
	{"gateway", "max_in_flight", SETTING_INT, AT(gateway_max_in_flight), 1, 256},
	{"retention", "days", SETTING_INT, AT(retention_days), 1, 36500},
	{"health", "outbox_max_age", SETTING_INT, AT(health_outbox_max_age_s), 0, 7 * 86400},
	{"messages", "templates", SETTING_PATH, AT(templates_dir), 0, 0},
	{"messages", "sender_cvr", SETTING_TEXT, AT(messages_sender_cvr), 0, 0},
	{"messages", "sender_label", SETTING_TEXT, AT(messages_sender_label), 0, 0},
	{"messages", "content_responsible", SETTING_TEXT, AT(messages_content_responsible), 0, 0},
	{"messages", "welcome", SETTING_BOOL, AT(messages_welcome), 0, 0},
	{"messages", "unreached", SETTING_BOOL, AT(messages_unreached), 0, 0},
	{"messages", "closing", SETTING_BOOL, AT(messages_closing), 0, 0},
	{"web", "root", SETTING_PATH, AT(web_root), 0, 0},
	{"web", "session_idle_minutes", SETTING_INT, AT(session_idle_minutes), 1, 24 * 60},
	{"web", "session_hours", SETTING_INT, AT(session_hours), 1, 24 * 7},
	{"sso", "enabled", SETTING_BOOL, AT(sso_enabled), 0, 0},
	{"sso", "header", SETTING_STRING, AT(sso_header), 0, 0},
	{"sso", "proxies", SETTING_PROXIES, AT(sso_proxies), 0, 0},
	{"crisis", "procedure", SETTING_TEXT, AT(crisis_procedure), 0, CONFIG_CRISIS_PROCEDURE_MAX},
	{"crisis", "numbers", SETTING_CRISIS_NUMBERS, AT(crisis_numbers), 0, 0},
	{"crisis", "notify_phone", SETTING_PHONE, AT(crisis_notify_phone), 0, 0},
	{NULL, "programmes", SETTING_PROGRAMMES, AT(programmes), 0, 0},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

void schedule_rules_default(struct schedule_rules *rules)
{
	static const int plan[] = {1, 7, 14, 28, 56, 91, 140};

	memset(rules, 0, sizeof *rules);
	rules->window_months = 6;
	memcpy(rules->plan_days, plan, sizeof plan);
	rules->plan_count = sizeof plan / sizeof plan[0];
	rules->min_gap_days = 3;
	rules->retry_attempts = 3;
	rules->closures.days[0] = (struct cal_closure){0, 6, 5};
	rules->closures.days[1] = (struct cal_closure){0, 12, 24};
	rules->closures.days[2] = (struct cal_closure){0, 12, 31};
	rules->closures.count = 3;
	rules->await_days = 30;
	rules->first_day = 1;
}

/* A programme's settings start from the top-level ones. */
static void programme_defaults(const struct config *c, struct programme *p)
{
	memset(p, 0, sizeof *p);
	p->intake = PROGRAMME_INTAKE_DISCHARGE;
	p->rules = c->schedule;
	p->welcome = c->messages_welcome;
	p->unreached = c->messages_unreached;
	p->closing = c->messages_closing;
	p->decision_days = 10;
	p->at_risk_days = 3;
}

/* Without a `programmes` list: the preventive scheme as it always was. */
static void config_default_programme(struct config *c)
{
	struct programme *p = &c->programmes.list[0];

	programme_set_clear(&c->programmes);
	programme_defaults(c, p);
	p->id = xstrdup(PROGRAMME_DEFAULT_ID);
	p->name = xstrdup(PROGRAMME_DEFAULT_NAME);
	c->programmes.count = 1;
}

struct config *config_new_default(void)
{
	struct config *c = xcalloc(1, sizeof *c);

	c->path = xstrdup("(defaults)");
	c->where = xcalloc(SETTING_COUNT, sizeof *c->where);
	c->listen_address = xstrdup("127.0.0.1");
	c->listen_port = 8080;
	c->http_timeout_s = 30;
	c->http_max_header_bytes = 8192;
	/* Well below the unit's LimitNOFILE=4096: the database, the gateway's
	 * connections and systemd's sockets need descriptors too. */
	c->http_max_connections = 2048;
	c->http_max_connections_per_peer = 512;
	c->http_header_timeout_s = 10;
	c->http_body_timeout_s = 30;
	c->http_idle_timeout_s = 30;
	c->database = xstrdup(MENTORD_LOCALSTATEDIR "/mentord.db");
	c->store_cache_mib = 32;
	c->store_writer_thread = 1;
	c->store_mmap_mib = 0;
	c->timezone = xstrdup(CONFIG_DEFAULT_TIMEZONE);
	c->log_level = LOG_INFO;
	schedule_rules_default(&c->schedule);
	c->publish_minute = 7 * 60 + 30;
	c->gateway_url = xstrdup("");
	c->gateway_token_file = xstrdup("");
	c->gateway_ca_path = xstrdup("");
	c->gateway_connect_timeout_s = 10;
	c->gateway_timeout_s = 30;
	c->gateway_backoff_initial_s = 30;
	c->gateway_backoff_max_s = 3600;
	c->gateway_give_up_hours = 72;
	c->gateway_max_in_flight = 8;
	c->retention_days = 365;
	c->health_outbox_max_age_s = 3600;
	c->templates_dir = xstrdup(MENTORD_SYSCONFDIR "/templates");
	c->messages_sender_cvr = xstrdup("");
	c->messages_sender_label = xstrdup("");
	c->messages_content_responsible = xstrdup("");
	c->messages_unreached = 1;
	c->messages_closing = 1;
	c->web_root = xstrdup(MENTORD_DATADIR "/web");
	c->session_idle_minutes = 30;
	c->session_hours = 10;
	c->sso_header = xstrdup("X-Remote-User");
	/* Numbers that hold everywhere in Denmark; the municipality adds its
	 * own (the psychiatric emergency service, the discharging unit). */
	c->crisis_procedure = xstrdup("");
	c->crisis_numbers[0] =
		(struct config_crisis_number){xstrdup("Alarmcentralen"), xstrdup("112")};
	c->crisis_numbers[1] =
		(struct config_crisis_number){xstrdup("Livslinien"), xstrdup("70 201 201")};
	c->crisis_nnumbers = 2;
	c->crisis_notify_phone = xstrdup("");
	config_default_programme(c);
	return c;
}

static void crisis_numbers_clear(struct config *c)
{
	for (int i = 0; i < c->crisis_nnumbers; i++) {
		free(c->crisis_numbers[i].label);
		free(c->crisis_numbers[i].phone);
	}
	c->crisis_nnumbers = 0;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting *s = &settings[i];
		if (s->type == SETTING_STRING || s->type == SETTING_PATH ||
		    s->type == SETTING_URL || s->type == SETTING_TIMEZONE ||
		    s->type == SETTING_TEXT || s->type == SETTING_PHONE)
			free(*(char **)((char *)c + s->offset));
	}
	crisis_numbers_clear(c);
	programme_set_clear(&c->programmes);
	for (size_t i = 0; i < SETTING_COUNT; i++)
		free(c->where[i]);
	free(c->where);
	if (c->gateway_token != NULL) {
		explicit_bzero(c->gateway_token, strlen(c->gateway_token));
		free(c->gateway_token);
	}
	free(c->path);
	free(c);
}

int config_setting_error(char **cause, const struct config *c, const char *setting, const char *fmt,
			 ...)
{
	const char *where = c->path;
	char *msg, full[128];
	va_list ap;

	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting *s = &settings[i];
		snprintf(full, sizeof full, "%s%s%s", s->group ? s->group : "", s->group ? "." : "",
			 s->name);
		if (strcmp(full, setting) == 0 && c->where[i] != NULL)
			where = c->where[i];
	}
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s: %s: %s", where, setting, msg);
	free(msg);
	return -1;
}

/* Build "FILE:LINE: group.name: message". */
static int setting_error(char **cause, const config_setting_t *cs, const struct setting *s,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int setting_error(char **cause, const config_setting_t *cs, const struct setting *s,
			 const char *fmt, ...)
{
	const char *file = config_setting_source_file(cs);
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s:%u: %s%s%s: %s", file != NULL ? file : "?",
		  config_setting_source_line(cs), s->group ? s->group : "", s->group ? "." : "",
		  s->name, msg);
	free(msg);
	return -1;
}

static char *resolve_path(const char *config_path, const char *value)
{
	char *copy, *slash, *out;

	if (value[0] == '/' || value[0] == '\0')
		return xstrdup(value);
	copy = xstrdup(config_path);
	slash = strrchr(copy, '/');
	if (slash == NULL)
		out = xstrdup(value);
	else {
		*slash = '\0';
		xasprintf(&out, "%s/%s", copy, value);
	}
	free(copy);
	return out;
}

/* --- integer literals ------------------------------------------------------ */

/* libconfig 1.5 (Debian 12) converts an integer written without the L
 * suffix with atoi() or strtoul() and keeps it as CONFIG_TYPE_INT:
 * "port = 4294985678" arrives as 18382 and "days = -4294966931" as 365,
 * both in range, and config_setting_get_int64() returns the same
 * truncated number. Only the file still holds what was written, so the
 * literal is read again from the line libconfig gives for the setting. */

/* Whether the integer literal at p fits an int; *end is set past it and
 * text to a copy of it. */
static bool literal_fits(const char *p, const char **end, char *text, size_t size)
{
	const char *digits = p + (*p == '-' || *p == '+');
	int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
	char *e;
	long long v;

	errno = 0;
	v = strtoll(p, &e, base);
	*end = e;
	snprintf(text, size, "%.*s", (int)(e - p), p);
	return errno != ERANGE && v >= INT_MIN && v <= INT_MAX;
}

static const char *skip_blank(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			p = end != NULL ? end + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* The value after "name =" at p: a literal or an array of them. The
 * first an int cannot hold is copied to text, its element number (0 for
 * a scalar) to *element. */
static bool value_oversized(const char *p, char *text, size_t size, int *element)
{
	const char *end;

	p = skip_blank(p);
	if (*p != '=' && *p != ':')
		return false;
	p = skip_blank(p + 1);
	*element = 0;
	if (*p != '[')
		return *p != '\0' && !literal_fits(p, &end, text, size);
	for (int i = 1; *(p = skip_blank(p + 1)) != ']' && *p != '\0'; i++) {
		if (!literal_fits(p, &end, text, size)) {
			*element = i;
			return true;
		}
		if (end == p)
			return false;
		p = skip_blank(end);
		if (*p != ',')
			return false;
	}
	return false;
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-' || ch == '*';
}

/* Whether setting cs, called name, was written with an integer an int
 * cannot hold: each "name =" on its line (outside strings and comments)
 * is looked at, so a good file is never refused for another setting of
 * the same name on that line. */
static bool literal_oversized(const config_setting_t *cs, const char *name, char *text, size_t size,
			      int *element)
{
	const char *file = config_setting_source_file(cs);
	unsigned line = config_setting_source_line(cs);
	size_t len, n = strlen(name);
	char *buf, *why = NULL;
	const char *p, *eol;
	bool found = false;

	if (file == NULL || file_read(file, CONFIG_FILE_MAX, 0, &buf, &len, &why) != 0) {
		free(why);
		return false;
	}
	for (p = buf; line > 1 && (p = strchr(p, '\n')) != NULL; line--)
		p++;
	eol = p != NULL ? p + strcspn(p, "\n") : NULL;
	while (p != NULL && p < eol && !found) {
		if (*p == '"') {
			for (p++; p < eol && *p != '"'; p++)
				p += p[0] == '\\' && p + 1 < eol;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			break;
		} else if (is_name_char(*p)) {
			const char *start = p;
			while (p < eol && is_name_char(*p))
				p++;
			found = (size_t)(p - start) == n && memcmp(start, name, n) == 0 &&
				value_oversized(p, text, size, element);
		} else {
			p++;
		}
	}
	free(buf);
	return found;
}

static int read_int(const config_setting_t *cs, const struct setting *s, int *out, char **cause)
{
	int type = config_setting_type(cs), element;
	char text[32];
	long long v;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return setting_error(cause, cs, s, "must be an integer");
	if (type == CONFIG_TYPE_INT && literal_oversized(cs, s->name, text, sizeof text, &element))
		return setting_error(cause, cs, s, "%s is out of range %ld..%ld", text, s->min,
				     s->max);
	v = config_setting_get_int64(cs);
	if (v < s->min || v > s->max)
		return setting_error(cause, cs, s, "%lld is out of range %ld..%ld", v, s->min,
				     s->max);
	*out = (int)v;
	return 0;
}

static int read_plan_days(const config_setting_t *cs, const struct setting *s,
			  struct schedule_rules *rules, char **cause)
{
	int n = config_setting_length(cs), element;
	char text[32];

	if (config_setting_type(cs) != CONFIG_TYPE_ARRAY || n < 1 || n > SCHEDULE_MAX_PLAN_STEPS)
		return setting_error(cause, cs, s, "must be an array of 1 to %d day offsets",
				     SCHEDULE_MAX_PLAN_STEPS);
	if (literal_oversized(cs, s->name, text, sizeof text, &element))
		return setting_error(cause, cs, s, "element %d (%s) must be a day offset 0..731",
				     element, text);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(cs, i);
		int type = config_setting_type(e);
		long long v = config_setting_get_int64(e);
		if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) || v < 0 || v > 731)
			return setting_error(cause, cs, s, "element %d must be a day offset 0..731",
					     i + 1);
		if (i > 0 && v <= rules->plan_days[i - 1])
			return setting_error(cause, cs, s, "offsets must be strictly ascending");
		rules->plan_days[i] = (int)v;
	}
	rules->plan_count = (size_t)n;
	return 0;
}

static int read_closures(const config_setting_t *cs, const struct setting *s,
			 struct cal_closures *closures, char **cause)
{
	int n = config_setting_length(cs);

	if ((config_setting_type(cs) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(cs) != CONFIG_TYPE_LIST) ||
	    n > CAL_MAX_CLOSURES)
		return setting_error(cause, cs, s, "must be an array of at most %d dates",
				     CAL_MAX_CLOSURES);
	for (int i = 0; i < n; i++) {
		const char *text = config_setting_get_string_elem(cs, i);
		if (text == NULL || cal_closure_parse(text, &closures->days[i]) != 0)
			return setting_error(cause, cs, s,
					     "element %d must be \"MM-DD\" or \"YYYY-MM-DD\"",
					     i + 1);
	}
	closures->count = (size_t)n;
	return 0;
}

static int read_proxies(const config_setting_t *cs, const struct setting *s,
			struct proxy_trust *trust, char **cause)
{
	int n = config_setting_length(cs);

	if ((config_setting_type(cs) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(cs) != CONFIG_TYPE_LIST) ||
	    n > PROXY_MAX_TRUSTED)
		return setting_error(cause, cs, s, "must be an array of at most %d addresses",
				     PROXY_MAX_TRUSTED);
	memset(trust, 0, sizeof *trust);
	for (int i = 0; i < n; i++) {
		const char *text = config_setting_get_string_elem(cs, i);
		if (text == NULL || proxy_trust_add(trust, text) != 0)
			return setting_error(cause, cs, s,
					     "element %d must be an IP address (\"127.0.0.1\","
					     " \"::1\") or a network (\"10.0.0.0/8\")",
					     i + 1);
	}
	return 0;
}

/* Messages carry CPR numbers: https, or in clear text no further than
 * this host (a local TLS-terminating relay, or the test gateway). The URL
 * is read by libcurl's own parser, the one the gateway client uses, so
 * "http://127.0.0.1:x@elsewhere" is seen for what curl makes of it: user
 * "127.0.0.1", host "elsewhere". Credentials in the URL are refused as
 * well; the gateway's token comes from token_file. */
static bool url_is_safe(const char *url)
{
	static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
	char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
	CURLU *u = curl_url();
	bool safe = false;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK)
		goto out;
	if (strcmp(scheme, "https") == 0)
		safe = true;
	for (size_t i = 0; !safe && i < sizeof loopback / sizeof loopback[0]; i++)
		safe = strcmp(scheme, "http") == 0 && strcasecmp(host, loopback[i]) == 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(u);
	return safe;
}

/* A number as a mentor dials it: digits, spaces, "+" and "-", at least
 * three digits ("112"). */
static bool crisis_phone_valid(const char *text)
{
	size_t digits = 0;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != ' ' && *p != '+' && *p != '-')
			return false;
	}
	return digits >= 3 && strlen(text) <= 20 &&
	       (text[0] == '+' || (text[0] >= '0' && text[0] <= '9'));
}

static bool has_control(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* ( { label = "..."; phone = "..."; }, ... ): each group exactly these two. */
static int read_crisis_numbers(const config_setting_t *cs, const struct setting *s,
			       struct config *c, char **cause)
{
	struct config_crisis_number numbers[CONFIG_CRISIS_NUMBERS_MAX];
	int n = config_setting_length(cs), i;

	if ((config_setting_type(cs) != CONFIG_TYPE_LIST &&
	     config_setting_type(cs) != CONFIG_TYPE_ARRAY) ||
	    n > CONFIG_CRISIS_NUMBERS_MAX)
		return setting_error(cause, cs, s,
				     "must be a list of at most %d groups { label = \"...\";"
				     " phone = \"...\"; }",
				     CONFIG_CRISIS_NUMBERS_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(cs, i);
		const char *label = NULL, *phone = NULL;

		if (!config_setting_is_group(g) || config_setting_length(g) != 2 ||
		    config_setting_lookup_string(g, "label", &label) != CONFIG_TRUE ||
		    config_setting_lookup_string(g, "phone", &phone) != CONFIG_TRUE)
			return setting_error(
				cause, cs, s,
				"element %d must be { label = \"...\"; phone = \"...\"; }", i + 1);
		if (label[0] == '\0' || strlen(label) > CONFIG_CRISIS_LABEL_MAX ||
		    has_control(label))
			return setting_error(
				cause, cs, s,
				"element %d: the label must be 1 to %d characters of text", i + 1,
				CONFIG_CRISIS_LABEL_MAX);
		if (!crisis_phone_valid(phone))
			return setting_error(
				cause, cs, s,
				"element %d: \"%s\" is not a phone number (digits, spaces,"
				" + and -, at least 3 digits)",
				i + 1, phone);
		numbers[i] = (struct config_crisis_number){(char *)label, (char *)phone};
	}
	crisis_numbers_clear(c);
	for (i = 0; i < n; i++)
		c->crisis_numbers[i] = (struct config_crisis_number){xstrdup(numbers[i].label),
								     xstrdup(numbers[i].phone)};
	c->crisis_nnumbers = n;
	return 0;
}

static int read_setting(const config_setting_t *cs, const struct setting *s, struct config *c,
			char **cause)
{
	void *field = (char *)c + s->offset;
	const char *text = NULL;

	switch (s->type) {
	case SETTING_INT:
		return read_int(cs, s, field, cause);
	case SETTING_PLAN_DAYS:
		return read_plan_days(cs, s, field, cause);
	case SETTING_CLOSURES:
		return read_closures(cs, s, field, cause);
	case SETTING_PROXIES:
		return read_proxies(cs, s, field, cause);
	case SETTING_CRISIS_NUMBERS:
		return read_crisis_numbers(cs, s, c, cause);
	case SETTING_PROGRAMMES:
		/* Read after everything else (read_programmes): a programme's
		 * settings default to schedule.* and messages.*, wherever
		 * they are in the file. */
		return 0;
	case SETTING_BOOL:
		if (config_setting_type(cs) != CONFIG_TYPE_BOOL)
			return setting_error(cause, cs, s, "must be true or false");
		*(int *)field = config_setting_get_bool(cs) ? 1 : 0;
		return 0;
	default:
		break;
	}
	if (config_setting_type(cs) != CONFIG_TYPE_STRING)
		return setting_error(cause, cs, s, "must be a string");
	text = config_setting_get_string(cs);
	switch (s->type) {
	case SETTING_HHMM:
		if ((*(int *)field = clock_minute_parse(text)) < 0)
			return setting_error(cause, cs, s, "must be a time \"HH:MM\"");
		return 0;
	case SETTING_INTAKE: {
		int intake = programme_intake_parse(text);

		if (intake < 0)
			return setting_error(cause, cs, s, "must be \"discharge\" or \"referral\"");
		*(enum programme_intake *)field = (enum programme_intake)intake;
		return 0;
	}
	case SETTING_LOG_LEVEL:
		if (log_level_parse(text, field) != 0)
			return setting_error(cause, cs, s,
					     "must be one of error, warning, notice, info, debug");
		return 0;
	case SETTING_URL:
		if (text[0] != '\0' && !url_is_safe(text))
			return setting_error(
				cause, cs, s,
				"must be an https:// URL (http:// only to this host:"
				" 127.0.0.1, [::1] or localhost), without user or password");
		break;
	case SETTING_STRING:
		if (text[0] == '\0')
			return setting_error(cause, cs, s, "must not be empty");
		break;
	case SETTING_TIMEZONE:
		if (!clock_timezone_known(text))
			return setting_error(cause, cs, s,
					     "\"%s\" is not a zone of the tz database", text);
		break;
	case SETTING_TEXT:
		if (s->max > 0 && strlen(text) > (size_t)s->max)
			return setting_error(cause, cs, s, "must be at most %ld bytes", s->max);
		break;
	case SETTING_PHONE: {
		char normal[PHONE_LEN];
		if (text[0] != '\0' && phone_normalise(text, normal) != 0)
			return setting_error(cause, cs, s,
					     "must be empty, a Danish 8-digit number or +E.164");
		free(*(char **)field);
		*(char **)field = xstrdup(text[0] != '\0' ? normal : "");
		return 0;
	}
	default:
		break;
	}
	free(*(char **)field);
	*(char **)field = s->type == SETTING_PATH ? resolve_path(c->path, text) : xstrdup(text);
	return 0;
}

static const struct setting *find_setting(const char *group, const char *name)
{
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		const struct setting *s = &settings[i];
		if (strcmp(s->name, name) == 0 &&
		    (group == NULL ? s->group == NULL : s->group && strcmp(s->group, group) == 0))
			return s;
	}
	return NULL;
}

static int known_group(const char *name)
{
	for (size_t i = 0; i < SETTING_COUNT; i++)
		if (settings[i].group != NULL && strcmp(settings[i].group, name) == 0)
			return 1;
	return 0;
}

static int unknown_setting(char **cause, const config_setting_t *cs, const char *group)
{
	const char *file = config_setting_source_file(cs);
	const char *name = config_setting_name(cs);

	xasprintf(cause, "%s:%u: %s%s%s: unknown setting", file ? file : "?",
		  config_setting_source_line(cs), group ? group : "", group ? "." : "",
		  name ? name : "?");
	return -1;
}

static void note_where(struct config *c, const struct setting *s, const config_setting_t *cs)
{
	const char *file = config_setting_source_file(cs);
	char **where = &c->where[s - settings];

	free(*where);
	xasprintf(where, "%s:%u", file != NULL ? file : c->path, config_setting_source_line(cs));
}

/* Walk what the file has (not what we know) so nothing in it goes unread. */
static int read_all(const config_t *cf, struct config *c, char **cause)
{
	const config_setting_t *root = config_root_setting(cf);

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *top = config_setting_get_elem(root, i);
		const char *name = config_setting_name(top);
		const struct setting *s;

		if (config_setting_is_group(top)) {
			if (!known_group(name))
				return unknown_setting(cause, top, NULL);
			for (int j = 0; j < config_setting_length(top); j++) {
				const config_setting_t *cs = config_setting_get_elem(top, j);
				s = find_setting(name, config_setting_name(cs));
				if (s == NULL)
					return unknown_setting(cause, cs, name);
				if (read_setting(cs, s, c, cause) != 0)
					return -1;
				note_where(c, s, cs);
			}
		} else {
			s = find_setting(NULL, name);
			if (s == NULL)
				return unknown_setting(cause, top, NULL);
			if (read_setting(top, s, c, cause) != 0)
				return -1;
			note_where(c, s, top);
		}
	}
	return 0;
}

/* Digital Post needs the sender (doc/gateway.md): a CVR number of
 * eight digits, a name and who is responsible for the content. Until a
 * gateway is configured nothing is sent, so they may wait till then. */
static int check_sender(const struct config *c, const char *path, char **cause)
{
	const char *cvr = c->messages_sender_cvr;

	if (cvr[0] != '\0' && (strlen(cvr) != 8 || strspn(cvr, "0123456789") != 8)) {
		xasprintf(cause, "%s: messages.sender_cvr must be a CVR number of 8 digits", path);
		return -1;
	}
	if (c->gateway_url[0] != '\0' && (cvr[0] == '\0' || c->messages_sender_label[0] == '\0' ||
					  c->messages_content_responsible[0] == '\0')) {
		xasprintf(cause,
			  "%s: messages.sender_cvr, messages.sender_label and "
			  "messages.content_responsible are required once gateway.url is set",
			  path);
		return -1;
	}
	return 0;
}

/* --- programmes ------------------------------------------------------------ */

/* The settings of one programme group (programme.h), by place in struct
 * programme; group NULL is the programme's own level. */
#define PAT(field) offsetof(struct programme, field)

static const struct setting programme_settings[] = {
	{NULL, "id", SETTING_STRING, PAT(id), 0, 0},
	{NULL, "name", SETTING_STRING, PAT(name), 0, 0},
	{NULL, "intake", SETTING_INTAKE, PAT(intake), 0, 0},
	{"plan", "window_months", SETTING_INT, PAT(rules.window_months), 1, 24},
	{"plan", "plan_days", SETTING_PLAN_DAYS, PAT(rules), 0, 0},
	{"plan", "interval_days", SETTING_INT, PAT(rules.interval_days), 1, 365},
	{"plan", "first_day", SETTING_INT, PAT(rules.first_day), 0, 731},
	{"plan", "min_gap_days", SETTING_INT, PAT(rules.min_gap_days), 0, 90},
	{"plan", "min_months", SETTING_INT, PAT(rules.min_months), 0, 24},
	{"plan", "meeting_interval_days", SETTING_INT, PAT(meeting_interval_days), 1, 365},
	{"retry", "attempts", SETTING_INT, PAT(rules.retry_attempts), 1, 10},
	{"messages", "templates", SETTING_PATH, PAT(templates_dir), 0, 0},
	{"messages", "welcome", SETTING_BOOL, PAT(welcome), 0, 0},
	{"messages", "unreached", SETTING_BOOL, PAT(unreached), 0, 0},
	{"messages", "closing", SETTING_BOOL, PAT(closing), 0, 0},
	{"referral", "decision_days", SETTING_INT, PAT(decision_days), 1, 90},
	{"referral", "at_risk_days", SETTING_INT, PAT(at_risk_days), 0, 90},
};

#define PROGRAMME_SETTING_COUNT (sizeof programme_settings / sizeof programme_settings[0])

/* "FILE:LINE: programmes[N]...: message" for a problem of a whole group. */
static int programme_error(char **cause, const config_setting_t *cs, const char *where,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int programme_error(char **cause, const config_setting_t *cs, const char *where,
			   const char *fmt, ...)
{
	const char *file = config_setting_source_file(cs);
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s:%u: %s: %s", file != NULL ? file : "?", config_setting_source_line(cs),
		  where, msg);
	free(msg);
	return -1;
}

/* One member cs of programme p (number index + 1 in the list) at level
 * group: found in the table and read as any setting, its offset taken
 * from where p lies in c. *seen marks which were given. */
static int read_programme_member(const config_setting_t *cs, const char *group, const char *where,
				 struct config *c, struct programme *p,
				 bool seen[PROGRAMME_SETTING_COUNT], char **cause)
{
	const char *name = config_setting_name(cs);
	char level[64];

	snprintf(level, sizeof level, "%s%s%s", where, group ? "." : "", group ? group : "");
	for (size_t i = 0; i < PROGRAMME_SETTING_COUNT; i++) {
		const struct setting *ps = &programme_settings[i];
		if (strcmp(ps->name, name) != 0 ||
		    (group == NULL ? ps->group != NULL
				   : ps->group == NULL || strcmp(ps->group, group) != 0))
			continue;
		struct setting s = *ps;
		s.group = level;
		s.offset = (size_t)((char *)p - (char *)c) + ps->offset;
		seen[i] = true;
		return read_setting(cs, &s, c, cause);
	}
	return unknown_setting(cause, cs, level);
}

static bool programme_group_known(const char *name)
{
	for (size_t i = 0; i < PROGRAMME_SETTING_COUNT; i++)
		if (programme_settings[i].group != NULL &&
		    strcmp(programme_settings[i].group, name) == 0)
			return true;
	return false;
}

static bool programme_seen(const bool seen[PROGRAMME_SETTING_COUNT], const char *group,
			   const char *name)
{
	for (size_t i = 0; i < PROGRAMME_SETTING_COUNT; i++)
		if (seen[i] && strcmp(programme_settings[i].name, name) == 0 &&
		    (group == NULL || (programme_settings[i].group != NULL &&
				       strcmp(programme_settings[i].group, group) == 0)))
			return true;
	return false;
}

/* What no single setting can say about a programme. */
static int check_programme(const config_setting_t *g, const char *where, const struct programme *p,
			   const bool seen[PROGRAMME_SETTING_COUNT], char **cause)
{
	static const char *const required[] = {"id", "name", "intake"};

	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!programme_seen(seen, NULL, required[i]))
			return programme_error(cause, g, where, "%s is required", required[i]);
	if (!programme_id_valid(p->id))
		return programme_error(cause, g, where,
				       "id \"%s\" must be 1 to %d characters a-z, 0-9, _ or -,"
				       " starting with a letter",
				       p->id, PROGRAMME_ID_MAX);
	if (strlen(p->name) > PROGRAMME_NAME_MAX || has_control(p->name))
		return programme_error(cause, g, where, "name must be 1 to %d characters of text",
				       PROGRAMME_NAME_MAX);
	if (programme_seen(seen, "plan", "plan_days") &&
	    programme_seen(seen, "plan", "interval_days"))
		return programme_error(cause, g, where,
				       "plan.plan_days and plan.interval_days exclude each other:"
				       " a plan has steps or a regular interval");
	if (programme_seen(seen, "plan", "first_day") &&
	    !programme_seen(seen, "plan", "interval_days"))
		return programme_error(
			cause, g, where,
			"plan.first_day belongs to a regular plan (plan.interval_days)");
	if (p->rules.min_months > p->rules.window_months)
		return programme_error(
			cause, g, where,
			"plan.min_months (%d) must not exceed plan.window_months (%d)",
			p->rules.min_months, p->rules.window_months);
	if (p->intake != PROGRAMME_INTAKE_REFERRAL &&
	    (programme_seen(seen, "referral", "decision_days") ||
	     programme_seen(seen, "referral", "at_risk_days")))
		return programme_error(
			cause, g, where,
			"referral.* belongs to a programme with intake \"referral\"");
	if (p->at_risk_days > p->decision_days)
		return programme_error(
			cause, g, where,
			"referral.at_risk_days (%d) must not exceed referral.decision_days (%d)",
			p->at_risk_days, p->decision_days);
	return 0;
}

/* closing = { items = ( { id = "..."; label = "..."; }, ... ); }: each
 * error names its setting, programmes[N].closing.items[i].id. */
static int read_closing(const config_setting_t *g, const char *where, struct programme *p,
			char **cause)
{
	const config_setting_t *items = NULL;
	char at[96];

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *cs = config_setting_get_elem(g, i);
		if (strcmp(config_setting_name(cs), "items") != 0) {
			snprintf(at, sizeof at, "%s.closing", where);
			return unknown_setting(cause, cs, at);
		}
		items = cs;
	}
	snprintf(at, sizeof at, "%s.closing.items", where);
	if (items == NULL || !config_setting_is_list(items) ||
	    config_setting_length(items) > PROGRAMME_CLOSING_MAX)
		return programme_error(cause, items != NULL ? items : g, at,
				       "must be a list ( { id = \"...\"; label = \"...\"; } ) of at"
				       " most %d items",
				       PROGRAMME_CLOSING_MAX);
	for (int i = 0; i < config_setting_length(items); i++) {
		const config_setting_t *item = config_setting_get_elem(items, i);
		const char *id = NULL, *label = NULL;

		snprintf(at, sizeof at, "%s.closing.items[%d]", where, i);
		if (!config_setting_is_group(item))
			return programme_error(cause, item, at, "must be a group { id; label; }");
		for (int k = 0; k < config_setting_length(item); k++) {
			const config_setting_t *m = config_setting_get_elem(item, k);
			if (strcmp(config_setting_name(m), "id") != 0 &&
			    strcmp(config_setting_name(m), "label") != 0)
				return unknown_setting(cause, m, at);
		}
		snprintf(at, sizeof at, "%s.closing.items[%d].id", where, i);
		if (!config_setting_lookup_string(item, "id", &id) || !programme_id_valid(id))
			return programme_error(cause, item, at,
					       "is required: 1 to %d characters a-z, 0-9, _ or -,"
					       " starting with a letter",
					       PROGRAMME_ID_MAX);
		if (programme_closing_item(p, id) != NULL)
			return programme_error(cause, item, at, "\"%s\" is given twice", id);
		snprintf(at, sizeof at, "%s.closing.items[%d].label", where, i);
		if (!config_setting_lookup_string(item, "label", &label) || label[0] == '\0' ||
		    strlen(label) > PROGRAMME_ITEM_LABEL_MAX || has_control(label))
			return programme_error(cause, item, at,
					       "is required: 1 to %d characters of text",
					       PROGRAMME_ITEM_LABEL_MAX);
		p->closing_items[p->nclosing].id = xstrdup(id);
		p->closing_items[p->nclosing].label = xstrdup(label);
		p->nclosing++;
	}
	return 0;
}

static int read_programme(const config_setting_t *g, int index, struct config *c,
			  struct programme *p, char **cause)
{
	bool seen[PROGRAMME_SETTING_COUNT] = {false};
	char where[32];

	snprintf(where, sizeof where, "programmes[%d]", index + 1);
	if (!config_setting_is_group(g))
		return programme_error(cause, g, where, "must be a group { id = ...; ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *cs = config_setting_get_elem(g, i);
		const char *name = config_setting_name(cs);
		int rc;

		if (!config_setting_is_group(cs)) {
			rc = read_programme_member(cs, NULL, where, c, p, seen, cause);
		} else if (strcmp(name, "closing") == 0) {
			rc = read_closing(cs, where, p, cause);
		} else if (!programme_group_known(name)) {
			rc = unknown_setting(cause, cs, where);
		} else {
			rc = 0;
			for (int j = 0; rc == 0 && j < config_setting_length(cs); j++)
				rc = read_programme_member(config_setting_get_elem(cs, j), name,
							   where, c, p, seen, cause);
		}
		if (rc != 0)
			return -1;
	}
	return check_programme(g, where, p, seen, cause);
}

/* The `programmes` list, or the preventive scheme alone without one. Each
 * programme starts from the top-level settings, and shares the calendar
 * (closure days) and intake.await_days. */
static int read_programmes(const config_t *cf, struct config *c, char **cause)
{
	const config_setting_t *list = config_lookup(cf, "programmes");
	struct programme_set *set = &c->programmes;
	int n, discharge = 0;

	config_default_programme(c);
	if (list == NULL)
		return 0;
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n < 1 || n > PROGRAMME_MAX)
		return programme_error(cause, list, "programmes",
				       "must be a list ( { ... }, ... ) of 1 to %d programmes",
				       PROGRAMME_MAX);
	programme_set_clear(set);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct programme *p = &set->list[i];
		char where[32];

		programme_defaults(c, p);
		set->count = (size_t)i + 1;
		if (read_programme(g, i, c, p, cause) != 0)
			return -1;
		p->rules.closures = c->schedule.closures;
		p->rules.await_days = c->schedule.await_days;
		snprintf(where, sizeof where, "programmes[%d]", i + 1);
		for (int j = 0; j < i; j++)
			if (strcmp(set->list[j].id, p->id) == 0)
				return programme_error(cause, g, where,
						       "id \"%s\" is already programmes[%d]'s",
						       p->id, j + 1);
		if (p->intake == PROGRAMME_INTAKE_DISCHARGE && discharge++ > 0)
			return programme_error(cause, g, where,
					       "only one programme may take discharges (intake"
					       " \"discharge\")");
	}
	if (discharge == 0)
		return programme_error(cause, list, "programmes",
				       "one programme must take discharges (intake \"discharge\"):"
				       " psychiatry's notifications and self-referrals go to it");
	return 0;
}

/* Single sign-on believes a header: only from named proxies, and the
 * name must be one a proxy can send. */
static int check_sso(const struct config *c, const char *path, char **cause)
{
	const char *h = c->sso_header;

	if (strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(h)) {
		xasprintf(cause, "%s: sso.header must be a header name (letters, digits, -)", path);
		return -1;
	}
	if (c->sso_enabled && c->sso_proxies.count == 0) {
		xasprintf(cause,
			  "%s: sso.enabled needs the proxy's address in sso.proxies: the"
			  " header is believed from no one else",
			  path);
		return -1;
	}
	return 0;
}

/* The name of the setting on a line: libconfig says "duplicate setting
 * name" without saying which. */
static bool name_on_line(const char *file, int line, char *name, size_t size)
{
	char *buf, *why = NULL;
	const char *p, *end;
	size_t len;
	bool found = false;

	if (file_read(file, CONFIG_FILE_MAX, 0, &buf, &len, &why) != 0) {
		free(why);
		return false;
	}
	for (p = buf; line > 1 && (p = strchr(p, '\n')) != NULL; line--)
		p++;
	if (p != NULL) {
		p += strspn(p, " \t");
		for (end = p; is_name_char(*end); end++)
			;
		found = end > p && (*skip_blank(end) == '=' || *skip_blank(end) == ':');
		if (found)
			snprintf(name, size, "%.*s", (int)(end - p), p);
	}
	free(buf);
	return found;
}

static void parse_error(const config_t *cf, const char *path, char **cause)
{
	const char *file = config_error_file(cf) ? config_error_file(cf) : path;
	const char *text = config_error_text(cf);
	char name[128];

	if (strcmp(text, "duplicate setting name") == 0 &&
	    name_on_line(file, config_error_line(cf), name, sizeof name))
		xasprintf(cause, "%s:%d: %s: given twice in its group", file, config_error_line(cf),
			  name);
	else
		xasprintf(cause, "%s:%d: %s", file, config_error_line(cf), text);
}

int config_load(const char *path, struct config **out, char **cause)
{
	struct config *c = config_new_default();
	config_t cf;

	free(c->path);
	c->path = xstrdup(path);
	config_init(&cf);
	errno = 0;
	if (config_read_file(&cf, path) != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			xasprintf(cause, "%s: cannot read the file%s%s", path, errno ? ": " : "",
				  errno ? strerror(errno) : "");
		else
			parse_error(&cf, path, cause);
		goto fail;
	}
	if (read_all(&cf, c, cause) != 0)
		goto fail;
	if (c->gateway_backoff_initial_s > c->gateway_backoff_max_s) {
		xasprintf(cause, "%s: gateway.backoff_initial must not exceed gateway.backoff_max",
			  path);
		goto fail;
	}
	if (c->http_max_connections_per_peer > c->http_max_connections) {
		xasprintf(
			cause,
			"%s: listen.max_connections_per_peer must not exceed listen.max_connections",
			path);
		goto fail;
	}
	if (check_sender(c, path, cause) != 0 || check_sso(c, path, cause) != 0 ||
	    read_programmes(&cf, c, cause) != 0)
		goto fail;
	config_destroy(&cf);
	*out = c;
	return 0;

fail:
	config_destroy(&cf);
	config_free(c);
	return -1;
}
