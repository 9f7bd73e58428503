/*
 * test_template.c - message templates: syntax, placeholder checks,
 * rendering, Danish dates, the shipped templates' labels, and the
 * section 5 message JSON built from an outbox payload's facts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "calendar.h"
#include "config.h"
#include "message.h"
#include "template.h"
#include "xmalloc.h"

static const char *const headers[] = {"label", NULL};
static const char *const known[] = {"name", "date", "offers", "mentor", NULL};
static const char *const required[] = {"name", NULL};
static const struct template_spec spec = {"test", headers, known, required};

struct kv {
	const char *name;
	const char *value;
};

static const char *lookup(const char *name, void *arg)
{
	for (const struct kv *kv = arg; kv->name != NULL; kv++)
		if (strcmp(kv->name, name) == 0)
			return kv->value;
	return NULL;
}

static char *render_text(const char *text, const struct kv *values)
{
	struct template *t;
	char *cause = NULL, *out;

	if (template_parse(text, strlen(text), &spec, &t, &cause) != 0)
		fail_msg("parse failed: %s", cause);
	out = template_render(t, lookup, (void *)values);
	template_free(t);
	return out;
}

/* --- Danish dates --------------------------------------------------------- */

static void test_danish_dates(void **state)
{
	static const struct {
		const char *iso, *danish;
	} cases[] = {
		{"2026-04-02", "torsdag den 2. april 2026"},
		{"2026-03-28", "lørdag den 28. marts 2026"},
		{"2026-03-29", "søndag den 29. marts 2026"},
		{"2026-01-05", "mandag den 5. januar 2026"},
		{"2026-05-13", "onsdag den 13. maj 2026"},
		{"2026-12-24", "torsdag den 24. december 2026"},
		{"2027-02-28", "søndag den 28. februar 2027"},
		{"2026-08-31", "mandag den 31. august 2026"},
	};
	char buf[TEMPLATE_DATE_LEN];
	cal_day d;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(cal_day_parse(cases[i].iso, &d), 0);
		template_date_da(d, buf);
		assert_string_equal(buf, cases[i].danish);
		assert_true(template_utf8_valid(buf, strlen(buf)));
	}
	/* "ø" is the two bytes C3 B8, not Latin-1. */
	cal_day_parse("2026-03-28", &d);
	template_date_da(d, buf);
	assert_int_equal((unsigned char)buf[1], 0xc3);
	assert_int_equal((unsigned char)buf[2], 0xb8);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *bytes;
		int valid;
	} cases[] = {
		{"plain ASCII", 1},
		{"K\xc3\xa6re \xc3\xb8 \xc3\xa5 \xc3\x86\xc3\x98\xc3\x85", 1},
		{"\xe2\x82\xac euro", 1},
		{"\xf0\x9f\x98\x80 emoji", 1},
		{"\xf8 Latin-1 \xf8", 0},
		{"\xc3", 0},	       /* cut short */
		{"\xc0\xaf", 0},       /* overlong "/" */
		{"\xed\xa0\x80", 0},   /* surrogate */
		{"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
		{"\xe2\x82", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (template_utf8_valid(cases[i].bytes, strlen(cases[i].bytes)) != cases[i].valid)
			fail_msg("case %zu: want %s", i, cases[i].valid ? "valid" : "invalid");
}

/* --- rendering ------------------------------------------------------------------ */

static void test_render_values_and_sections(void **state)
{
	const struct kv full[] = {{"name", "Anna"}, {"date", "torsdag"}, {"offers", "A\nB"},
				  {NULL, NULL}};
	const struct kv empty[] = {{"name", "Anna"}, {"date", ""}, {NULL, NULL}};
	const char *text = "label: Hej\n"
			   "\n"
			   "Kære {{ name }}\n"
			   "{{#offers}}\n"
			   "Tilbud:\n"
			   "{{offers}}\n"
			   "{{/offers}}\n"
			   "{{#date}}\n"
			   "Vi ringer {{date}}.\n"
			   "{{/date}}\n"
			   "{{^date}}\n"
			   "Ring selv.\n"
			   "{{/date}}\n"
			   "Hilsen{{#mentor}} {{mentor}}{{/mentor}}\n";
	char *out;

	(void)state;
	out = render_text(text, full);
	assert_string_equal(out, "Kære Anna\nTilbud:\nA\nB\nVi ringer torsdag.\nHilsen");
	free(out);
	out = render_text(text, empty);
	assert_string_equal(out, "Kære Anna\nRing selv.\nHilsen");
	free(out);
}

static void test_headers_and_body_edges(void **state)
{
	struct template *t;
	char *cause = NULL, *out;
	const char *text = "label:   Opfølgning på vores samtale  \r\n"
			   "\r\n\n\nHej {{name}}\r\n\n\n";
	const struct kv v[] = {{"name", "Bo"}, {NULL, NULL}};

	(void)state;
	assert_int_equal(template_parse(text, strlen(text), &spec, &t, &cause), 0);
	assert_string_equal(template_header(t, "label"), "Opfølgning på vores samtale");
	assert_null(template_header(t, "action"));
	assert_true(template_uses(t, "name"));
	assert_false(template_uses(t, "date"));
	out = template_render(t, lookup, (void *)v);
	assert_string_equal(out, "Hej Bo");
	free(out);
	template_free(t);
	template_free(NULL);
}

struct bad_case {
	const char *scenario;
	const char *text;
	const char *cause; /* a part of the message */
};

static const struct bad_case bad[] = {
	{"unknown placeholder", "label: x\n\nHej {{navn}}\n",
	 "line 3: unknown placeholder {{navn}}"},
	{"required placeholder missing", "label: x\n\nHej {{date}}\n",
	 "must use the placeholder {{name}}"},
	{"no label header", "\nHej {{name}}\n", "line 1: the header \"label:\" is missing"},
	{"unknown header", "label: x\ntitle: y\n\n{{name}}\n", "line 2: unknown header \"title\""},
	{"header given twice", "label: x\nlabel: y\n\n{{name}}\n", "given twice"},
	{"empty header", "label:\n\n{{name}}\n", "header \"label\" is empty"},
	{"placeholder in the label", "label: Til {{name}}\n\n{{name}}\n", "not allowed in headers"},
	{"no blank line after the headers", "label: x\n", "followed by a blank line"},
	{"body text as a header", "Kære {{name}}\n", "line 1: expected a header"},
	{"empty body", "label: x\n\n \n\n", "the body is empty"},
	{"unterminated placeholder", "label: x\n\n{{name}} {{date\n", "line 3: \"{{\" without"},
	{"bad name", "label: x\n\n{{name}} {{Name}}\n", "is not a placeholder"},
	{"empty braces", "label: x\n\n{{name}} {{}}\n", "is not a placeholder"},
	{"unclosed section", "label: x\n\n{{#date}}\n{{name}}\n", "{{#date}} is never closed"},
	{"close without open", "label: x\n\n{{name}}\n{{/date}}\n",
	 "line 4: {{/date}} closes no open"},
	{"crossed sections", "label: x\n\n{{#date}}{{#offers}}{{/date}}{{/offers}}{{name}}\n",
	 "{{/date}} closes no open"},
	{"control character", "label: x\n\n{{name}}\n\x01\n", "line 4: control character 0x01"},
	{"Latin-1 text", "label: x\n\nK\xe6re {{name}}\n", "not valid UTF-8"},
};

static void test_parse_errors(void **state)
{
	struct template *t = NULL;
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (template_parse(bad[i].text, strlen(bad[i].text), &spec, &t, &cause) == 0)
			fail_msg("%s: accepted", bad[i].scenario);
		if (strstr(cause, bad[i].cause) == NULL)
			fail_msg("%s: cause \"%s\" lacks \"%s\"", bad[i].scenario, cause,
				 bad[i].cause);
		free(cause);
		cause = NULL;
	}
	/* A NUL byte inside the given length. */
	assert_int_equal(template_parse("label: x\n\n{{name}}\0", 19, &spec, &t, &cause), -1);
	assert_non_null(strstr(cause, "NUL"));
	free(cause);
}

/* --- directories and the shipped templates ------------------------------------------- */

static char *srcdir_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char *path;

	xasprintf(&path, "%s/%s", top != NULL ? top : ".", rel);
	return path;
}

static struct config *config_with(const char *templates)
{
	struct config *c = config_new_default();

	free(c->templates_dir);
	c->templates_dir = xstrdup(templates);
	free(c->messages_sender_cvr);
	c->messages_sender_cvr = xstrdup("11223344");
	free(c->messages_sender_label);
	c->messages_sender_label = xstrdup("Eksempel Kommune");
	free(c->messages_content_responsible);
	c->messages_content_responsible = xstrdup("Borgerservice");
	return c;
}

/*
 * doc/gateway.md: a label is shown outside the secure mailbox, so it
 * must never name psychiatry, a diagnosis or the scheme. The words are
 * listed here on their own, not taken from message.c, so the check does
 * not only repeat the code it checks.
 */
static const char *const forbidden[] = {
	"psykiatri", "psykiatrisk", "psykiatrien", "psykiater", "psykisk", "diagnose",
	"udskrivelse", "udskrevet", "udskrivelse fra psykiatrien", "indlæggelse", "mentorordning",
	"mentor", "sindslidelse", "selvmord", "behandling",
};

static void test_shipped_labels_are_discreet(void **state)
{
	static const char *const files[] = {"followup", "unreached", "closing", "welcome"};
	char line[1024];
	int labels = 0;

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *rel, *path;
		FILE *f;

		xasprintf(&rel, "etc/templates/%s.txt", files[i]);
		path = srcdir_path(rel);
		f = fopen(path, "r");
		if (f == NULL)
			fail_msg("cannot open %s", path);
		/* The header block: every line up to the first blank one. */
		while (fgets(line, sizeof line, f) != NULL && line[0] != '\n') {
			char low[1024];
			size_t n = strlen(line);
			for (size_t k = 0; k <= n; k++)
				low[k] = (char)(line[k] >= 'A' && line[k] <= 'Z' ? line[k] + 32
										  : line[k]);
			for (size_t w = 0; w < sizeof forbidden / sizeof forbidden[0]; w++)
				if (strstr(low, forbidden[w]) != NULL)
					fail_msg("%s: \"%s\" names \"%s\"", path, line,
						 forbidden[w]);
			assert_null(message_indiscreet_word(line));
			if (strncmp(line, "label:", 6) == 0)
				labels++;
		}
		fclose(f);
		free(path);
		free(rel);
	}
	assert_int_equal(labels, 4);
	/* And the check the daemon runs at load catches each of them. */
	for (size_t w = 0; w < sizeof forbidden / sizeof forbidden[0]; w++)
		if (message_indiscreet_word(forbidden[w]) == NULL)
			fail_msg("message_indiscreet_word misses \"%s\"", forbidden[w]);
	assert_non_null(message_indiscreet_word("Opfølgning efter PSYKIATRISK indlæggelse"));
	assert_non_null(message_indiscreet_word("INDLÆGGELSE")); /* Æ folded too */
	assert_null(message_indiscreet_word("Opfølgning på vores samtale"));
}

static void test_shipped_templates_load(void **state)
{
	char *dir = srcdir_path("etc/templates"), *cause = NULL;
	struct config *c = config_with(dir);
	struct message_templates *t = NULL;

	(void)state;
	if (message_templates_load(c, &t, &cause) != 0)
		fail_msg("shipped templates rejected: %s", cause);
	message_templates_free(t);
	message_templates_free(NULL);
	/* A sender label that gives the scheme away is refused as well. */
	free(c->messages_sender_label);
	c->messages_sender_label = xstrdup("Mentorordningen, Eksempel Kommune");
	assert_int_equal(message_templates_load(c, &t, &cause), -1);
	assert_non_null(strstr(cause, "messages.sender_label"));
	free(cause);
	config_free(c);
	free(dir);
}

/* A copy of the shipped directory with one file replaced (or removed). */
static char *template_dir_with(const char *name, const char *text)
{
	static const char *const files[] = {"followup", "unreached", "closing", "welcome"};
	char tmpl[] = "/tmp/test_template.XXXXXX", *dir = xstrdup(mkdtemp(tmpl));

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *rel, *src, *dst, buf[8192];
		size_t n;
		FILE *in, *out;

		xasprintf(&rel, "etc/templates/%s.txt", files[i]);
		src = srcdir_path(rel);
		xasprintf(&dst, "%s/%s.txt", dir, files[i]);
		if (strcmp(files[i], name) == 0) {
			if (text != NULL) {
				out = fopen(dst, "w");
				fputs(text, out);
				fclose(out);
			}
		} else {
			in = fopen(src, "r");
			out = fopen(dst, "w");
			assert_non_null(in);
			n = fread(buf, 1, sizeof buf, in);
			fwrite(buf, 1, n, out);
			fclose(in);
			fclose(out);
		}
		free(rel);
		free(src);
		free(dst);
	}
	return dir;
}

static void remove_dir(char *dir)
{
	static const char *const files[] = {"followup", "unreached", "closing", "welcome"};

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *path;
		xasprintf(&path, "%s/%s.txt", dir, files[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
	free(dir);
}

static void test_bad_template_dirs(void **state)
{
	static const struct {
		const char *file, *text, *cause;
	} cases[] = {
		{"welcome", NULL, "welcome.txt: No such file"},
		{"closing", "label: Tak\n\nHej {{citizen_navn}}\n",
		 "closing.txt:3: unknown placeholder"},
		{"followup", "label: Tak\naction: Opkald\n\nHej\n",
		 "followup.txt:4: followup must use"},
		{"welcome", "label: Hej\n\n{{mentor_name}} {{next_call_date}}\n",
		 "welcome.txt:1: the header \"action:\" is missing"},
		{"unreached", "label: Efter din udskrivelse fra psykiatrien\n\nHej\n",
		 "unreached.txt: label \"Efter din udskrivelse fra psykiatrien\" contains"},
		{"followup", "label: Tak\naction: Opkald fra din mentor\n\n{{offers}}\n",
		 "followup.txt: action"},
		{"closing", "label: Tak\n\nHej {{offers}}\n",
		 "unknown placeholder {{offers}} in closing"},
	};
	struct message_templates *t = NULL;
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dir = template_dir_with(cases[i].file, cases[i].text);
		struct config *c = config_with(dir);
		if (message_templates_load(c, &t, &cause) == 0)
			fail_msg("case %zu (%s) accepted", i, cases[i].file);
		if (strstr(cause, cases[i].cause) == NULL || strncmp(cause, "messages.", 9) != 0)
			fail_msg("case %zu: cause \"%s\" lacks \"%s\"", i, cause, cases[i].cause);
		free(cause);
		cause = NULL;
		config_free(c);
		remove_dir(dir);
	}
}

/* --- the message JSON ------------------------------------------------------------- */

static json_t *build(const char *facts_text, const char *uuid)
{
	char *dir = srcdir_path("etc/templates"), *cause = NULL;
	struct error err;
	struct config *c = config_with(dir);
	struct message_templates *t;
	json_error_t jerr;
	json_t *facts = json_loads(facts_text, 0, &jerr), *out = NULL;

	assert_non_null(facts);
	assert_int_equal(message_templates_load(c, &t, &cause), 0);
	if (message_build(t, c, uuid, facts, &out, &err) != 0)
		fail_msg("message_build: %s", err.message);
	json_decref(facts);
	message_templates_free(t);
	config_free(c);
	free(dir);
	return out;
}

static void test_followup_message(void **state)
{
	const char *facts =
		"{\"type\": \"followup\", \"course_id\": 7, \"call_id\": 3,"
		" \"recipient\": {\"name\": \"Anna Marie Hansen\", \"phone\": \"+4520304050\","
		"  \"cpr\": \"0101901234\"},"
		" \"mentor\": {\"id\": 2, \"name\": \"Mette Mentor\", \"phone\": \"+4533123456\"},"
		" \"offers\": [{\"id\": 4, \"name\": \"Café Hjertestarter\","
		"  \"category\": \"fællesskab\","
		"  \"provider\": \"Kirkens Korshær\", \"phone\": \"+4570121212\", \"email\": null,"
		"  \"address\": \"Torvet 1, 8000 Aarhus C\", \"url\": \"https://example.dk\","
		"  \"hours\": \"man-fre 10-16\", \"description\": null}],"
		" \"next_call\": {\"date\": \"2026-04-02\", \"topic\": \"netværk\"}}";
	json_t *m = build(facts, "6f1c2d3e-0000-4000-8000-000000000001");
	char *text = json_dumps(m, JSON_COMPACT);

	(void)state;
	assert_string_equal(
		text,
		"{\"message_uuid\":\"6f1c2d3e-0000-4000-8000-000000000001\",\"type\":\"followup\","
		"\"label\":\"Opfølgning på vores samtale\","
		"\"body\":\"Kære Anna\\n\\nTak for samtalen.\\n\\n"
		"Som aftalt får du her kontaktoplysningerne på de tilbud, vi talte om:\\n\\n"
		"Café Hjertestarter (Kirkens Korshær)\\nTelefon: 70 12 12 12\\n"
		"Adresse: Torvet 1, 8000 Aarhus C\\nHjemmeside: https://example.dk\\n"
		"Åbent: man-fre 10-16\\n\\n"
		"Vi ringer til dig igen torsdag den 2. april 2026.\\n\\n"
		"Har du spørgsmål, kan du ringe til Mette Mentor på 33 12 34 56.\\n\\n"
		"Venlig hilsen\\nMette Mentor\\nEksempel Kommune\","
		"\"sender\":{\"cvr\":\"11223344\",\"label\":\"Eksempel Kommune\","
		"\"content_responsible\":\"Borgerservice\"},"
		"\"recipient\":{\"phone\":\"+4520304050\",\"name\":\"Anna Marie Hansen\","
		"\"cpr\":\"0101901234\"},"
		"\"offers\":[{\"name\":\"Café Hjertestarter\",\"category\":\"fællesskab\","
		"\"provider\":\"Kirkens Korshær\",\"phone\":\"+4570121212\","
		"\"address\":\"Torvet 1, 8000 Aarhus C\",\"url\":\"https://example.dk\","
		"\"hours\":\"man-fre 10-16\"}],"
		"\"action\":{\"code\":\"AFTALE\",\"label\":\"Næste telefonsamtale\","
		"\"start\":\"2026-04-02\"}}");
	free(text);
	json_decref(m);
}

static void test_messages_without_extras(void **state)
{
	json_t *m;

	(void)state;
	/* No offers, no next call, no CPR, no mentor: the sections fall away,
	 * and there is no action without a date. */
	m = build("{\"type\": \"followup\","
		  " \"recipient\": {\"name\": \"Bo\", \"phone\": \"+46701234567\"},"
		  " \"offers\": [], \"next_call\": null}",
		  "u-1");
	assert_string_equal(json_string_value(json_object_get(m, "body")),
			    "Kære Bo\n\nTak for samtalen.\n\n"
			    "Du er altid velkommen til at ringe, hvis du vil tale med os igen.\n\n"
			    "Venlig hilsen\nEksempel Kommune");
	assert_null(json_object_get(m, "action"));
	assert_null(json_object_get(json_object_get(m, "recipient"), "cpr"));
	assert_int_equal(json_array_size(json_object_get(m, "offers")), 0);
	json_decref(m);

	m = build("{\"type\": \"unreached\", \"attempts\": 3,"
		  " \"recipient\": {\"name\": \"Bo Ek\", \"phone\": \"+4520304050\"},"
		  " \"mentor\": {\"id\": 1, \"name\": \"Ida\", \"phone\": \"+4520304051\"}}",
		  "u-2");
	assert_string_equal(json_string_value(json_object_get(m, "label")),
			    "Vi har forsøgt at ringe til dig");
	assert_non_null(strstr(json_string_value(json_object_get(m, "body")),
			       "ringe til Ida på 20 30 40 51, når"));
	assert_null(json_object_get(m, "action"));
	json_decref(m);

	m = build("{\"type\": \"welcome\","
		  " \"recipient\": {\"name\": \"Bo\", \"phone\": \"+4520304050\"},"
		  " \"mentor\": {\"id\": 1, \"name\": \"Ida\", \"phone\": \"+4520304051\"},"
		  " \"next_call\": {\"date\": \"2026-03-30\"}}",
		  "u-3");
	assert_non_null(strstr(json_string_value(json_object_get(m, "body")),
			       "Ida ringer til dig mandag den 30. marts 2026 fra nummeret "
			       "20 30 40 51."));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(m, "action"), "start")),
		"2026-03-30");
	json_decref(m);
}

static void test_bad_facts(void **state)
{
	char *dir = srcdir_path("etc/templates"), *cause = NULL;
	struct error err;
	struct config *c = config_with(dir);
	struct message_templates *t;
	json_t *facts, *out;
	static const char *const cases[] = {
		"{\"type\": \"postcard\", \"recipient\": {\"name\": \"Bo\", \"phone\": \"1\"}}",
		"{\"type\": \"closing\"}",
		"{\"type\": \"welcome\", \"recipient\": {\"name\": \"Bo\", \"phone\": \"1\"},"
		" \"next_call\": {\"date\": \"2. april\"}}",
	};

	(void)state;
	assert_int_equal(message_templates_load(c, &t, &cause), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		facts = json_loads(cases[i], 0, NULL);
		assert_non_null(facts);
		if (message_build(t, c, "k", facts, &out, &err) == 0)
			fail_msg("case %zu built", i);
		free(cause);
		cause = NULL;
		json_decref(facts);
	}
	message_templates_free(t);
	config_free(c);
	free(dir);
}

static void test_phone_format(void **state)
{
	char buf[MESSAGE_PHONE_LEN];

	(void)state;
	message_format_phone("+4520304050", buf);
	assert_string_equal(buf, "20 30 40 50");
	message_format_phone("+46701234567", buf);
	assert_string_equal(buf, "+46701234567");
	message_format_phone(NULL, buf);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_danish_dates),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_render_values_and_sections),
		cmocka_unit_test(test_headers_and_body_edges),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_shipped_labels_are_discreet),
		cmocka_unit_test(test_shipped_templates_load),
		cmocka_unit_test(test_bad_template_dirs),
		cmocka_unit_test(test_followup_message),
		cmocka_unit_test(test_messages_without_extras),
		cmocka_unit_test(test_bad_facts),
		cmocka_unit_test(test_phone_format),
	};
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
