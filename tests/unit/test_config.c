/*
 * test_config.c - configuration loading: the shipped file, defaults, and
 * every kind of bad file naming file, line and setting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/mentord-test-config-XXXXXX");
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_shipped_file_loads_with_documented_defaults(void **state)
{
	const char *srcdir = getenv("top_srcdir");
	struct config *c = NULL;
	char path[4096], *cause = NULL;

	(void)state;
	snprintf(path, sizeof path, "%s/etc/mentord.conf", srcdir ? srcdir : ".");
	if (config_load(path, &c, &cause) != 0)
		fail_msg("shipped config rejected: %s", cause);
	assert_string_equal(c->listen_address, "127.0.0.1");
	assert_int_equal(c->listen_port, 8080);
	assert_string_equal(c->timezone, "Europe/Copenhagen");
	assert_string_equal(c->database, "/var/lib/mentord/mentord.db");
	assert_int_equal(c->schedule.window_months, 6);
	assert_int_equal(c->schedule.plan_count, 7);
	assert_int_equal(c->schedule.plan_days[0], 1);
	assert_int_equal(c->schedule.plan_days[6], 140);
	assert_int_equal(c->schedule.min_gap_days, 3);
	assert_int_equal(c->schedule.retry_attempts, 3);
	assert_int_equal(c->schedule.closures.count, 3);
	assert_int_equal(c->schedule.closures.days[0].month, 6);
	assert_int_equal(c->schedule.closures.days[0].day, 5);
	assert_int_equal(c->publish_minute, 7 * 60 + 30);
	assert_int_equal(c->schedule.await_days, 30);
	assert_int_equal(c->gateway_backoff_initial_s, 30);
	assert_int_equal(c->gateway_backoff_max_s, 3600);
	assert_int_equal(c->gateway_give_up_hours, 72);
	/* The example crisis group: 112 and Livslinien first, notify off. */
	assert_true(c->crisis_nnumbers >= 2);
	assert_string_equal(c->crisis_numbers[0].phone, "112");
	assert_string_equal(c->crisis_numbers[1].phone, "70 201 201");
	assert_true(strlen(c->crisis_procedure) > 0);
	assert_string_equal(c->crisis_notify_phone, "");
	config_free(c);
}

static void test_empty_file_gives_defaults(void **state)
{
	char *path = write_temp("# nothing\n"), *cause = NULL;
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load(path, &c, &cause), 0);
	assert_int_equal(c->listen_port, 8080);
	assert_int_equal(c->retention_days, 365);
	assert_int_equal(c->schedule.await_days, 30);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_relative_paths_resolve_against_the_file(void **state)
{
	char *path = write_temp("database = \"var/x.db\";\nmessages = { templates = \"tpl\"; };\n");
	char *cause = NULL, expect[256];
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load(path, &c, &cause), 0);
	assert_string_equal(c->database, "/tmp/var/x.db");
	snprintf(expect, sizeof expect, "/tmp/tpl");
	assert_string_equal(c->templates_dir, expect);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_overrides_are_read(void **state)
{
	char *path = write_temp("listen = { port = 0; };\n"
				"schedule = { plan_days = [2, 9]; closure_days = [\"2027-05-07\"];"
				" retry_attempts = 5; };\n"
				"queue = { publish_time = \"06:05\"; };\n"
				"log_level = \"debug\";\n");
	char *cause = NULL;
	struct config *c = NULL;

	(void)state;
	if (config_load(path, &c, &cause) != 0)
		fail_msg("rejected: %s", cause);
	assert_int_equal(c->listen_port, 0);
	assert_int_equal(c->schedule.plan_count, 2);
	assert_int_equal(c->schedule.plan_days[1], 9);
	assert_int_equal(c->schedule.closures.count, 1);
	assert_int_equal(c->schedule.closures.days[0].year, 2027);
	assert_int_equal(c->schedule.retry_attempts, 5);
	assert_int_equal(c->publish_minute, 6 * 60 + 5);
	assert_int_equal(c->log_level, 7);
	config_free(c);
	unlink(path);
	free(path);
}

/* Nobody is trusted unless configured; addresses and networks are read. */
static void test_trusted_proxies(void **state)
{
	char *path = write_temp("listen = { trusted_proxies = [\"127.0.0.1\", \"::1\","
				" \"10.0.0.0/8\"]; };\n");
	char *cause = NULL;
	struct config *c = config_new_default();

	(void)state;
	assert_int_equal(c->trusted_proxies.count, 0);
	config_free(c);
	if (config_load(path, &c, &cause) != 0)
		fail_msg("rejected: %s", cause);
	assert_int_equal(c->trusted_proxies.count, 3);
	assert_int_equal(c->trusted_proxies.nets[1].prefix, 128);
	assert_int_equal(c->trusted_proxies.nets[2].prefix, 8);
	config_free(c);
	unlink(path);
	free(path);
}

/* Each bad file must be refused with "FILE:LINE: setting: ..." */
struct bad_case {
	const char *scenario;
	const char *text;
	int line;
	const char *must_mention;
};

static const struct bad_case bad_cases[] = {
	{"port is a string", "\nlisten = { port = \"x\"; };\n", 2, "listen.port"},
	{"port out of range", "listen = { port = 70000; };\n", 1, "listen.port"},
	{"negative timeout", "listen = {\n timeout = -1;\n};\n", 2, "listen.timeout"},
	{"window of zero months", "schedule = { window_months = 0; };\n", 1,
	 "schedule.window_months"},
	{"window of 25 months", "schedule = { window_months = 25; };\n", 1,
	 "schedule.window_months"},
	{"unknown top-level setting", "\n\nlisten_port = 8080;\n", 3, "listen_port"},
	{"unknown setting in a group", "gateway = {\n urll = \"x\";\n};\n", 2, "gateway.urll"},
	{"unknown group", "nonsense = { a = 1; };\n", 1, "nonsense"},
	{"syntax error", "listen = { port = ; };\n", 1, "syntax"},
	{"publish time without leading zero", "queue = { publish_time = \"7:3\"; };\n", 1,
	 "queue.publish_time"},
	{"publish time 24:00", "queue = { publish_time = \"24:00\"; };\n", 1,
	 "queue.publish_time"},
	{"closure month 13", "schedule = { closure_days = [\"13-01\"]; };\n", 1,
	 "schedule.closure_days"},
	{"closure 30 Feb", "schedule = { closure_days = [\"02-30\"]; };\n", 1,
	 "schedule.closure_days"},
	{"plan days not ascending", "schedule = { plan_days = [1, 7, 7]; };\n", 1,
	 "schedule.plan_days"},
	{"plan days empty", "schedule = { plan_days = []; };\n", 1, "schedule.plan_days"},
	{"retry attempts zero", "schedule = { retry_attempts = 0; };\n", 1,
	 "schedule.retry_attempts"},
	{"log level unknown", "log_level = \"loud\";\n", 1, "log_level"},
	{"gateway url ftp", "gateway = { url = \"ftp://x\"; };\n", 1, "gateway.url"},
	{"gateway url plain http to another host",
	 "gateway = { url = \"http://gateway.example\"; };\n", 1, "gateway.url"},
	{"gateway url http to a host named like loopback",
	 "gateway = { url = \"http://127.0.0.1.example\"; };\n", 1, "gateway.url"},
	{"gateway url http to another host behind loopback as user and password",
	 "gateway = { url = \"http://127.0.0.1:x@192.0.2.2:47001\"; };\n", 1, "gateway.url"},
	{"gateway url https with credentials",
	 "gateway = { url = \"https://user:secret@gateway.example\"; };\n", 1, "gateway.url"},
	{"gateway url not a URL", "gateway = { url = \"http://\"; };\n", 1, "gateway.url"},
	{"timezone empty", "timezone = \"\";\n", 1, "timezone"},
	{"timezone unknown", "\ntimezone = \"Europe/Atlantis\";\n", 2, "timezone"},
	{"retention as float", "retention = { days = 1.5; };\n", 1, "retention.days"},
	{"a referral waiting no day", "intake = { await_days = 0; };\n", 1, "intake.await_days"},
	{"welcome as a string", "messages = { welcome = \"yes\"; };\n", 1, "messages.welcome"},
	{"closing as a number", "messages = {\n closing = 1;\n};\n", 2, "messages.closing"},
	{"trusted proxy a host name", "listen = {\n trusted_proxies = [\"localhost\"];\n};\n", 2,
	 "listen.trusted_proxies"},
	{"trusted proxy with host bits", "listen = { trusted_proxies = [\"10.0.0.1/8\"]; };\n", 1,
	 "listen.trusted_proxies"},
	{"trusted proxies a string", "listen = { trusted_proxies = \"127.0.0.1\"; };\n", 1,
	 "listen.trusted_proxies"},
	{"trusted proxies as numbers", "listen = { trusted_proxies = [127]; };\n", 1,
	 "listen.trusted_proxies"},
	/* libconfig 1.5 keeps these modulo 2^32, which lands in range. */
	{"port 2^32 + 18382", "listen = { port = 4294985678; };\n", 1,
	 "listen.port: 4294985678 is out of range"},
	{"retention days 365 - 2^32", "retention = {\n days = -4294966931;\n};\n", 2,
	 "retention.days: -4294966931 is out of range"},
	{"window 2^32 + 6 months", "schedule = { window_months = 4294967302; };\n", 1,
	 "schedule.window_months: 4294967302 is out of range"},
	{"plan day 2^32 + 7", "schedule = { plan_days = [1, 4294967303]; };\n", 1,
	 "schedule.plan_days: element 2 (4294967303)"},
	{"listen timeout 2^32 + 30", "listen = { timeout = 4294967326; };\n", 1,
	 "listen.timeout: 4294967326 is out of range"},
	{"cache 2^32 + 32 MiB", "store = { cache_mib = 4294967328; };\n", 1,
	 "store.cache_mib: 4294967328 is out of range"},
	{"hexadecimal 2^32 + 365", "retention = { days = 0x10000016D; };\n", 1,
	 "retention.days: 0x10000016D is out of range"},
	{"beyond 64 bits", "retention = { days = 99999999999999999999; };\n", 1,
	 "retention.days: 99999999999999999999 is out of range"},
	{"64-bit literal", "listen = { port = 4294967376L; };\n", 1,
	 "listen.port: 4294967376 is out of range"},
	{"programme window 2^32 + 6",
	 "programmes = ( { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
	 " plan = { window_months = 4294967302; }; } );\n",
	 2, "programmes[1].plan.window_months: 4294967302 is out of range"},
	{"a setting given twice", "retention = {\n days = 30;\n days = 40;\n};\n", 3,
	 "days: given twice"},
};

/* A big number elsewhere on the line, in a comment or in a string, is
 * not taken for the setting's own: a good file is never refused. */
static void test_integer_literals_are_read_as_written(void **state)
{
	char *path = write_temp("listen = { timeout = 5; port = 8081L; }; gateway = { timeout = 7; };\n"
				"retention = { days = 30; }; # days = 4294967661;\n"
				"web = { session_hours = 8; root = \"hours = 4294967297\"; };\n");
	char *cause = NULL;
	struct config *c = NULL;

	(void)state;
	if (config_load(path, &c, &cause) != 0)
		fail_msg("refused: %s", cause);
	assert_int_equal(c->http_timeout_s, 5);
	assert_int_equal(c->gateway_timeout_s, 7);
	assert_int_equal(c->retention_days, 30);
	assert_int_equal(c->session_hours, 8);
	assert_int_equal(c->listen_port, 8081);
	config_free(c);
	unlink(path);
	free(path);
}

/* The gateway URLs that are accepted: https anywhere, http to this host. */
static void test_safe_gateway_urls_are_accepted(void **state)
{
	static const char *const urls[] = {
		"https://gateway.example/api", "https://gateway.example:8443",
		"http://127.0.0.1:8081",       "http://localhost/relay",
		"http://[::1]:9000/",          "HTTPS://Gateway.Example",
	};
	char text[300], *path, *cause = NULL;
	struct config *c = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		snprintf(text, sizeof text,
			 "gateway = { url = \"%s\"; };\nmessages = { sender_cvr = \"29189897\";"
			 " sender_label = \"Kommune\"; content_responsible = \"Borgerservice\"; };\n",
			 urls[i]);
		path = write_temp(text);
		if (config_load(path, &c, &cause) != 0)
			fail_msg("%s refused: %s", urls[i], cause);
		assert_string_equal(c->gateway_url, urls[i]);
		config_free(c);
		unlink(path);
		free(path);
	}
}

static void test_bad_files_are_refused_with_file_line_and_setting(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *bc = &bad_cases[i];
		char *path = write_temp(bc->text), *cause = NULL, prefix[300];
		struct config *c = NULL;

		if (config_load(path, &c, &cause) == 0)
			fail_msg("%s: accepted", bc->scenario);
		assert_null(c);
		snprintf(prefix, sizeof prefix, "%s:%d: ", path, bc->line);
		if (strncmp(cause, prefix, strlen(prefix)) != 0 ||
		    strstr(cause, bc->must_mention) == NULL)
			fail_msg("%s: cause \"%s\" lacks \"%s\" or \"%s\"", bc->scenario, cause,
				 prefix, bc->must_mention);
		free(cause);
		unlink(path);
		free(path);
	}
}

static void test_backoff_initial_above_max_is_refused(void **state)
{
	char *path = write_temp("gateway = { backoff_initial = 600; backoff_max = 60; };\n");
	char *cause = NULL;
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load(path, &c, &cause), -1);
	assert_non_null(strstr(cause, "backoff_initial"));
	free(cause);
	unlink(path);
	free(path);
}

/* The messages' sender (doc/gateway.md): read, checked, and
 * required once there is a gateway to send to. */
static void test_message_settings(void **state)
{
	static const struct {
		const char *text, *cause; /* NULL: accepted */
	} cases[] = {
		{"messages = { welcome = true; unreached = false; closing = false;\n"
		 " sender_cvr = \"29189897\"; sender_label = \"Aarhus Kommune\";\n"
		 " content_responsible = \"Borgerservice\"; };\n"
		 "gateway = { url = \"https://gw.example\"; };\n",
		 NULL},
		{"messages = { sender_cvr = \"2918989\"; };\n", "messages.sender_cvr must be"},
		{"messages = { sender_cvr = \"2918989x\"; };\n", "messages.sender_cvr must be"},
		{"gateway = { url = \"https://gw.example\"; };\n",
		 "are required once gateway.url is set"},
		{"messages = { sender_cvr = \"29189897\"; sender_label = \"K\"; };\n"
		 "gateway = { url = \"https://gw.example\"; };\n",
		 "are required once gateway.url is set"},
	};
	struct config *c = config_new_default();

	(void)state;
	/* Defaults: the optional welcome off, the others on, no sender. */
	assert_false(c->messages_welcome);
	assert_true(c->messages_unreached);
	assert_true(c->messages_closing);
	assert_string_equal(c->messages_sender_cvr, "");
	config_free(c);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_temp(cases[i].text), *cause = NULL;
		int rc = config_load(path, &c, &cause);

		if (cases[i].cause == NULL) {
			if (rc != 0)
				fail_msg("case %zu refused: %s", i, cause);
			assert_true(c->messages_welcome);
			assert_false(c->messages_unreached);
			assert_false(c->messages_closing);
			assert_string_equal(c->messages_sender_cvr, "29189897");
			assert_string_equal(c->messages_sender_label, "Aarhus Kommune");
			assert_string_equal(c->messages_content_responsible, "Borgerservice");
			config_free(c);
		} else if (rc == 0 || strstr(cause, cases[i].cause) == NULL) {
			fail_msg("case %zu: %s", i, rc == 0 ? "accepted" : cause);
		}
		free(cause);
		unlink(path);
		free(path);
	}
}

/* Sessions and single sign-on (doc/sessions-and-sso.md): defaults, and
 * the header believed only from proxies named by address. */
static void test_session_and_sso_settings(void **state)
{
	static const struct {
		const char *text, *cause; /* NULL: accepted */
	} cases[] = {
		{"web = { session_idle_minutes = 15; session_hours = 8; };\n"
		 "sso = { enabled = true; header = \"X-Forwarded-User\";\n"
		 " proxies = [\"192.0.2.10\", \"::ffff:127.0.0.2\", \"2001:DB8::1\"]; };\n",
		 NULL},
		{"sso = { enabled = true; };\n", "sso.enabled needs"},
		{"sso = { header = \"X Remote\"; };\n", "sso.header must be"},
		{"sso = { header = \"\"; };\n", "sso.header: must not be empty"},
		{"sso = { proxies = [\"10.0.0.1/8\"]; };\n", "sso.proxies: element 1"},
		{"sso = { proxies = [\"127.0.0.1\", \"proxy.example\"]; };\n",
		 "sso.proxies: element 2"},
		{"web = { session_idle_minutes = 0; };\n", "web.session_idle_minutes"},
		{"web = { session_hours = 169; };\n", "web.session_hours"},
	};
	struct config *c = config_new_default();

	(void)state;
	assert_int_equal(c->session_idle_minutes, 30);
	assert_int_equal(c->session_hours, 10);
	assert_false(c->sso_enabled);
	assert_string_equal(c->sso_header, "X-Remote-User");
	assert_int_equal(c->sso_proxies.count, 0);
	config_free(c);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_temp(cases[i].text), *cause = NULL;
		int rc = config_load(path, &c, &cause);

		if (cases[i].cause == NULL) {
			if (rc != 0)
				fail_msg("case %zu refused: %s", i, cause);
			assert_int_equal(c->session_idle_minutes, 15);
			assert_int_equal(c->session_hours, 8);
			assert_true(c->sso_enabled);
			assert_string_equal(c->sso_header, "X-Forwarded-User");
			assert_int_equal(c->sso_proxies.count, 3);
			assert_true(proxy_trusts(&c->sso_proxies, "192.0.2.10"));
			/* A dual-stack socket's form of the same address. */
			assert_true(proxy_trusts(&c->sso_proxies, "::ffff:192.0.2.10"));
			assert_true(proxy_trusts(&c->sso_proxies, "127.0.0.2"));
			assert_true(proxy_trusts(&c->sso_proxies, "2001:db8::1"));
			assert_false(proxy_trusts(&c->sso_proxies, "192.0.2.11"));
			assert_false(proxy_trusts(&c->sso_proxies, "127.0.0.1"));
			assert_false(proxy_trusts(&c->sso_proxies, NULL));
			/* Not the general trust of X-Forwarded-For. */
			assert_int_equal(c->trusted_proxies.count, 0);
			config_free(c);
		} else if (rc == 0 || strstr(cause, cases[i].cause) == NULL) {
			fail_msg("case %zu: %s", i, rc == 0 ? "accepted" : cause);
		}
		free(cause);
		unlink(path);
		free(path);
	}
}

/* The crisis group (mentord.conf(5)): the default numbers hold everywhere
 * in Denmark; a list replaces them; bad lists name the element; the
 * notify phone is normalised like any phone. */
static void test_crisis_settings(void **state)
{
	static const struct {
		const char *text, *cause; /* NULL: accepted */
	} bad[] = {
		{"crisis = { numbers = ( { label = \"X\"; } ); };\n", "element 1 must be"},
		{"crisis = { numbers = ( { label = \"X\"; phone = \"12\"; } ); };\n",
		 "element 1: \"12\" is not a phone number"},
		{"crisis = { numbers = ( { label = \"X\"; phone = \"112\"; extra = 1; } ); };\n",
		 "element 1 must be"},
		{"crisis = { numbers = ( { label = \"\"; phone = \"112\"; } ); };\n",
		 "the label must be"},
		{"crisis = { numbers = ( { label = \"A\"; phone = \"112\"; },"
		 " { label = \"B\"; phone = \"call me\"; } ); };\n",
		 "element 2:"},
		{"crisis = { notify_phone = \"123\"; };\n", "crisis.notify_phone: must be"},
		{"crisis = { numbers = \"112\"; };\n", "must be a list"},
	};
	char *path, *cause = NULL;
	struct config *c = config_new_default();

	(void)state;
	assert_string_equal(c->crisis_procedure, "");
	assert_int_equal(c->crisis_nnumbers, 2);
	assert_string_equal(c->crisis_numbers[0].phone, "112");
	assert_string_equal(c->crisis_numbers[1].label, "Livslinien");
	assert_string_equal(c->crisis_numbers[1].phone, "70 201 201");
	assert_string_equal(c->crisis_notify_phone, "");
	config_free(c);

	path = write_temp("crisis = {\n procedure = \"Ring 112.\\n\\nRing så koordinatoren.\";\n"
			  " numbers = ( { label = \"Akutmodtagelsen\"; phone = \"+45 11 22 33 44\"; } );\n"
			  " notify_phone = \"20 30 40 50\";\n};\n");
	if (config_load(path, &c, &cause) != 0)
		fail_msg("refused: %s", cause);
	assert_string_equal(c->crisis_procedure, "Ring 112.\n\nRing så koordinatoren.");
	assert_int_equal(c->crisis_nnumbers, 1);
	assert_string_equal(c->crisis_numbers[0].label, "Akutmodtagelsen");
	assert_string_equal(c->crisis_numbers[0].phone, "+45 11 22 33 44");
	assert_string_equal(c->crisis_notify_phone, "+4520304050");
	config_free(c);
	unlink(path);
	free(path);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = write_temp(bad[i].text);
		c = NULL;
		if (config_load(path, &c, &cause) == 0 || strstr(cause, bad[i].cause) == NULL)
			fail_msg("case %zu: %s", i, c != NULL ? "accepted" : cause);
		assert_null(c);
		free(cause);
		cause = NULL;
		unlink(path);
		free(path);
	}
}

/* Programmes (doc/programmes.md): without a list, the preventive scheme
 * from the top-level settings; with one, each programme starts from them
 * and overrides what it sets. */
static void test_programmes_default_to_the_preventive_scheme(void **state)
{
	char *path = write_temp("schedule = { window_months = 5; retry_attempts = 2; };\n"
				"messages = { welcome = true; };\n");
	const struct programme *p;
	struct config *c = NULL;
	char *cause = NULL;

	(void)state;
	if (config_load(path, &c, &cause) != 0)
		fail_msg("refused: %s", cause);
	assert_int_equal(c->programmes.count, 1);
	p = programme_discharge(&c->programmes);
	assert_non_null(p);
	assert_string_equal(p->id, "preventive");
	assert_string_equal(p->name, "Forebyggende social mentorordning");
	assert_int_equal(p->intake, PROGRAMME_INTAKE_DISCHARGE);
	assert_int_equal(p->rules.window_months, 5);
	assert_int_equal(p->rules.retry_attempts, 2);
	assert_int_equal(p->rules.plan_count, 7);
	assert_int_equal(p->rules.interval_days, 0);
	assert_true(p->welcome);
	assert_null(p->templates_dir);
	/* An unknown id runs under the discharge programme. */
	assert_ptr_equal(programme_of(&c->programmes, "gone"), p);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_programmes_list_is_read(void **state)
{
	char *path = write_temp(
		"schedule = { plan_days = [2, 9]; closure_days = [\"07-01\"]; };\n"
		"programmes = (\n"
		" { id = \"preventive\"; name = \"Forebyggende\"; intake = \"discharge\"; },\n"
		" { id = \"youth\"; name = \"Mentorforløb for unge\"; intake = \"referral\";\n"
		"   plan = { window_months = 9; interval_days = 14; first_day = 3;\n"
		"            min_months = 3; meeting_interval_days = 42; };\n"
		"   retry = { attempts = 5; };\n"
		"   messages = { templates = \"youth\"; closing = false; };\n"
		"   referral = { decision_days = 12; at_risk_days = 4; };\n"
		"   closing = { items = ( { id = \"assess_need\"; label = \"Behov vurderet\"; },\n"
		"                          { id = \"agree_next\"; label = \"Aftalt\"; } ); }; }\n"
		");\n");
	const struct programme *p, *y;
	struct config *c = NULL;
	char *cause = NULL, *dir;

	(void)state;
	if (config_load(path, &c, &cause) != 0)
		fail_msg("refused: %s", cause);
	assert_int_equal(c->programmes.count, 2);
	p = programme_find(&c->programmes, "preventive");
	y = programme_find(&c->programmes, "youth");
	assert_non_null(p);
	assert_non_null(y);
	assert_ptr_equal(programme_discharge(&c->programmes), p);
	assert_string_equal(p->name, "Forebyggende");
	assert_int_equal(p->rules.plan_count, 2);
	assert_int_equal(p->rules.plan_days[1], 9);
	assert_int_equal(p->rules.window_months, 6);
	assert_string_equal(y->name, "Mentorforløb for unge");
	assert_int_equal(y->intake, PROGRAMME_INTAKE_REFERRAL);
	assert_int_equal(y->rules.window_months, 9);
	assert_int_equal(y->rules.interval_days, 14);
	assert_int_equal(y->rules.first_day, 3);
	assert_int_equal(y->rules.min_months, 3);
	assert_int_equal(y->meeting_interval_days, 42);
	assert_int_equal(y->rules.retry_attempts, 5);
	assert_int_equal(y->rules.min_gap_days, 3);
	/* The calendar is the municipality's. */
	assert_int_equal(y->rules.closures.count, 1);
	assert_int_equal(y->rules.closures.days[0].month, 7);
	assert_int_equal(y->rules.await_days, 30);
	assert_true(y->unreached);
	assert_false(y->closing);
	assert_int_equal(y->decision_days, 12);
	assert_int_equal(y->at_risk_days, 4);
	/* The closing procedure; the preventive scheme has none. */
	assert_int_equal(y->nclosing, 2);
	assert_string_equal(y->closing_items[1].id, "agree_next");
	assert_string_equal(y->closing_items[0].label, "Behov vurderet");
	assert_ptr_equal(programme_closing_item(y, "agree_next"), &y->closing_items[1]);
	assert_null(programme_closing_item(y, "other"));
	assert_int_equal(p->nclosing, 0);
	/* Relative to the file, like every path. */
	dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(strncmp(y->templates_dir, dir, strlen(dir)), 0);
	assert_string_equal(y->templates_dir + strlen(dir), "/youth");
	free(dir);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_bad_programmes_name_the_setting(void **state)
{
	static const struct {
		const char *text, *mention;
		int line;
	} cases[] = {
		{"programmes = ();\n", "programmes: must be a list", 1},
		{"programmes = (\n { id = \"youth\"; name = \"U\"; intake = \"referral\"; }\n);\n",
		 "programmes: one programme must take discharges", 1},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\"; },\n"
		 " { id = \"b\"; name = \"B\"; intake = \"discharge\"; }\n);\n",
		 "programmes[2]: only one programme may take discharges", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\"; },\n"
		 " { id = \"a\"; name = \"B\"; intake = \"referral\"; }\n);\n",
		 "programmes[2]: id \"a\" is already", 3},
		{"programmes = (\n { name = \"A\"; intake = \"discharge\"; }\n);\n",
		 "programmes[1]: id is required", 2},
		{"programmes = (\n { id = \"Youth!\"; name = \"A\"; intake = \"discharge\"; }\n);\n",
		 "programmes[1]: id \"Youth!\" must be", 2},
		{"programmes = (\n { id = \"a\"; name = \"A\";\n intake = \"court\"; }\n);\n",
		 "programmes[1].intake: must be", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { interval_days = 0; }; }\n);\n",
		 "programmes[1].plan.interval_days: 0 is out of range", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { plan_days = [3, 2]; }; }\n);\n",
		 "programmes[1].plan.plan_days: offsets must be strictly ascending", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { plan_days = [3]; interval_days = 7; }; }\n);\n",
		 "programmes[1]: plan.plan_days and plan.interval_days exclude each other", 2},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { first_day = 3; }; }\n);\n",
		 "programmes[1]: plan.first_day belongs to a regular plan", 2},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { window_months = 2; min_months = 3; }; }\n);\n",
		 "programmes[1]: plan.min_months (3) must not exceed", 2},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  referral = { decision_days = 10; }; }\n);\n",
		 "programmes[1]: referral.* belongs to a programme with intake", 2},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\"; },\n"
		 " { id = \"b\"; name = \"B\"; intake = \"referral\";\n"
		 "  referral = { decision_days = 2; at_risk_days = 3; }; }\n);\n",
		 "programmes[2]: referral.at_risk_days (3) must not exceed", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  colour = \"blue\"; }\n);\n",
		 "programmes[1].colour: unknown setting", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  plan = { steps = 3; }; }\n);\n",
		 "programmes[1].plan.steps: unknown setting", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  retry = { attempts = 11; }; }\n);\n",
		 "programmes[1].retry.attempts: 11 is out of range", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  messages = { welcome = 1; }; }\n);\n",
		 "programmes[1].messages.welcome: must be true or false", 3},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  closing = { items = (\n { label = \"L\"; } ); }; }\n);\n",
		 "programmes[1].closing.items[0].id: is required", 4},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  closing = { items = (\n { id = \"x\"; label = \"L\"; },\n"
		 "  { id = \"x\"; label = \"M\"; } ); }; }\n);\n",
		 "programmes[1].closing.items[1].id: \"x\" is given twice", 5},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  closing = { items = (\n { id = \"x\"; label = \"\"; } ); }; }\n);\n",
		 "programmes[1].closing.items[0].label: is required", 4},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  closing = { items = (\n { id = \"x\"; label = \"L\"; due = 3; } ); }; }\n);\n",
		 "programmes[1].closing.items[0].due: unknown setting", 4},
		{"programmes = (\n { id = \"a\"; name = \"A\"; intake = \"discharge\";\n"
		 "  closing = { steps = 3; }; }\n);\n",
		 "programmes[1].closing.steps: unknown setting", 3},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_temp(cases[i].text), *cause = NULL, want[300];
		struct config *c = NULL;

		snprintf(want, sizeof want, "%s:%d: %s", path, cases[i].line, cases[i].mention);
		if (config_load(path, &c, &cause) == 0)
			fail_msg("case %zu accepted", i);
		if (strncmp(cause, want, strlen(want)) != 0)
			fail_msg("case %zu: \"%s\" is not \"%s...\"", i, cause, want);
		free(cause);
		unlink(path);
		free(path);
	}
}

static void test_missing_file_is_an_error(void **state)
{
	char *cause = NULL;
	struct config *c = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/mentord.conf", &c, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/mentord.conf"));
	free(cause);
	config_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_file_loads_with_documented_defaults),
		cmocka_unit_test(test_empty_file_gives_defaults),
		cmocka_unit_test(test_relative_paths_resolve_against_the_file),
		cmocka_unit_test(test_overrides_are_read),
		cmocka_unit_test(test_trusted_proxies),
		cmocka_unit_test(test_safe_gateway_urls_are_accepted),
		cmocka_unit_test(test_bad_files_are_refused_with_file_line_and_setting),
		cmocka_unit_test(test_integer_literals_are_read_as_written),
		cmocka_unit_test(test_backoff_initial_above_max_is_refused),
		cmocka_unit_test(test_message_settings),
		cmocka_unit_test(test_session_and_sso_settings),
		cmocka_unit_test(test_crisis_settings),
		cmocka_unit_test(test_programmes_default_to_the_preventive_scheme),
		cmocka_unit_test(test_programmes_list_is_read),
		cmocka_unit_test(test_bad_programmes_name_the_setting),
		cmocka_unit_test(test_missing_file_is_an_error),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
