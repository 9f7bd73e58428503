/*
 * message.c - citizens' messages: templates, discretion, wire JSON
 * (message.h).
 */
#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "course.h"
#include "programme.h"
#include "template.h"
#include "xmalloc.h"

/* The templates of messages.templates, and of each programme that has a
 * directory of its own (programme.h), by programme id. */
struct message_templates {
	struct template_set *set;
	struct {
		char *id;
		struct template_set *set;
	} programme[PROGRAMME_MAX];
	size_t nprogrammes;
	/* A message without "programme" is the discharge programme's. */
	const struct template_set *discharge;
};

#define COMMON "citizen_name", "citizen_first_name", "mentor_name", "mentor_phone", "municipality"

static const char *const plain_headers[] = {"label", NULL};
static const char *const action_headers[] = {"label", "action", NULL};
static const char *const common_known[] = {COMMON, NULL};
static const char *const followup_known[] = {COMMON, "next_call_date", "offers", NULL};
static const char *const followup_required[] = {"offers", NULL};
static const char *const welcome_known[] = {COMMON, "next_call_date", NULL};
static const char *const welcome_required[] = {"mentor_name", "next_call_date", NULL};

static const struct template_spec specs[] = {
	{"followup", action_headers, followup_known, followup_required},
	{"unreached", plain_headers, common_known, NULL},
	{"closing", plain_headers, common_known, NULL},
	{"welcome", action_headers, welcome_known, welcome_required},
};

#define NSPECS (sizeof specs / sizeof specs[0])

/*
 * Digital Post shows the label, the sender and notifications outside the
 * secure mailbox (on a lock screen, in an e-mail), so none of them may
 * say why the municipality writes. Stems, matched anywhere in a word:
 * "psykiat" covers psykiatri, psykiatrisk, psykiater; "udskriv" covers
 * udskrivelse; "mentor" covers mentorordning.
 */
static const char *const indiscreet[] = {
	"psykiat",	"psykisk",	"psykose",   "psykolog",  "diagnos",	"udskriv",
	"udskrevet",	"indlæg",	"indlagt",   "mentor",	  "sindslid",	"selvmord",
	"depressi",	"skizofren",	"bipolar",   "medicin",	  "behandling", "sygdom",
	"serviceloven", "forebyggende", "psychiatr", "diagnosis", "discharge",
};

/* --- discretion -------------------------------------------------------------- */

/* ASCII and Æ/Ø/Å (UTF-8 C3 86/98/85) to lower case. */
static char *lower(const char *text)
{
	size_t n = strlen(text);
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)text[i];
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		if (c == 0xc3 && i + 1 < n) {
			unsigned char d = (unsigned char)text[i + 1];
			out[i + 1] = (char)(d == 0x86 || d == 0x98 || d == 0x85 ? d + 0x20 : d);
			i++;
		}
	}
	return out;
}

const char *message_indiscreet_word(const char *text)
{
	const char *found = NULL;
	char *low;

	if (text == NULL)
		return NULL;
	low = lower(text);
	for (size_t i = 0; found == NULL && i < sizeof indiscreet / sizeof indiscreet[0]; i++)
		if (strstr(low, indiscreet[i]) != NULL)
			found = indiscreet[i];
	free(low);
	return found;
}

static int check_discreet(const char *what, const char *text, char **cause)
{
	const char *word = message_indiscreet_word(text);

	if (word == NULL)
		return 0;
	xasprintf(cause,
		  "%s \"%s\" contains \"%s\": it is shown outside the secure mailbox and must "
		  "not name psychiatry, a diagnosis or the scheme",
		  what, text, word);
	return -1;
}

/* --- loading ----------------------------------------------------------------- */

/* The template set of dir, checked: headers discreet. what names the
 * setting in causes. */
static int templates_load_dir(const char *what, const char *dir, struct template_set **out,
			      char **cause)
{
	char *where, *sub = NULL;

	if (template_set_load(dir, specs, NSPECS, out, &sub) != 0) {
		xasprintf(cause, "%s: %s", what, sub);
		free(sub);
		return -1;
	}
	for (size_t i = 0; i < NSPECS; i++) {
		const struct template *tpl = template_set_get(*out, specs[i].name);
		for (const char *const *h = specs[i].headers; *h != NULL; h++) {
			xasprintf(&where, "%s: %s/%s.txt: %s", what, dir, specs[i].name, *h);
			if (check_discreet(where, template_header(tpl, *h), cause) != 0) {
				free(where);
				template_set_free(*out);
				*out = NULL;
				return -1;
			}
			free(where);
		}
	}
	return 0;
}

int message_templates_load(const struct config *c, struct message_templates **out, char **cause)
{
	struct message_templates *t = xcalloc(1, sizeof *t);
	char *what;

	if (templates_load_dir("messages.templates", c->templates_dir, &t->set, cause) != 0)
		goto fail;
	for (size_t i = 0; i < c->programmes.count; i++) {
		const struct programme *p = &c->programmes.list[i];
		int rc;
		if (p->templates_dir == NULL || strcmp(p->templates_dir, c->templates_dir) == 0)
			continue;
		xasprintf(&what, "programmes[%zu].messages.templates", i + 1);
		rc = templates_load_dir(what, p->templates_dir, &t->programme[t->nprogrammes].set,
					cause);
		free(what);
		if (rc != 0)
			goto fail;
		if (p->intake == PROGRAMME_INTAKE_DISCHARGE)
			t->discharge = t->programme[t->nprogrammes].set;
		t->programme[t->nprogrammes++].id = xstrdup(p->id);
	}
	if (t->discharge == NULL)
		t->discharge = t->set;
	if (check_discreet("messages.sender_label", c->messages_sender_label, cause) != 0 ||
	    check_discreet("messages.content_responsible", c->messages_content_responsible,
			   cause) != 0)
		goto fail;
	*out = t;
	return 0;

fail:
	message_templates_free(t);
	return -1;
}

void message_templates_free(struct message_templates *t)
{
	if (t == NULL)
		return;
	template_set_free(t->set);
	for (size_t i = 0; i < t->nprogrammes; i++) {
		template_set_free(t->programme[i].set);
		free(t->programme[i].id);
	}
	free(t);
}

/* The templates of a message's programme (facts "programme"; absent: the
 * discharge programme's). A programme without a directory of its own
 * uses messages.templates. */
static const struct template_set *templates_of(const struct message_templates *t, json_t *facts)
{
	const char *id = json_string_value(json_object_get(facts, "programme"));

	if (id == NULL)
		return t->discharge;
	for (size_t i = 0; i < t->nprogrammes; i++)
		if (strcmp(t->programme[i].id, id) == 0)
			return t->programme[i].set;
	return t->set;
}

unsigned message_flags(const struct config *c)
{
	unsigned flags = 0;

	if (c->messages_unreached)
		flags |= COURSE_MSG_UNREACHED;
	if (c->messages_closing)
		flags |= COURSE_MSG_CLOSING;
	if (c->messages_welcome)
		flags |= COURSE_MSG_WELCOME;
	return flags;
}

void message_format_phone(const char *phone, char buf[MESSAGE_PHONE_LEN])
{
	if (phone != NULL && strlen(phone) == 11 && strncmp(phone, "+45", 3) == 0 &&
	    strspn(phone + 3, "0123456789") == 8)
		snprintf(buf, MESSAGE_PHONE_LEN, "%.2s %.2s %.2s %.2s", phone + 3, phone + 5,
			 phone + 7, phone + 9);
	else
		snprintf(buf, MESSAGE_PHONE_LEN, "%s", phone != NULL ? phone : "");
}

/* --- building ---------------------------------------------------------------- */

/* The placeholder values of one message. */
struct values {
	char *citizen_name;
	char *citizen_first_name;
	char *mentor_name;
	char mentor_phone[MESSAGE_PHONE_LEN];
	char *municipality;
	char next_call_date[TEMPLATE_DATE_LEN];
	char *offers;
};

static const char *lookup_cb(const char *name, void *arg)
{
	struct values *v = arg;

	if (strcmp(name, "citizen_name") == 0)
		return v->citizen_name;
	if (strcmp(name, "citizen_first_name") == 0)
		return v->citizen_first_name;
	if (strcmp(name, "mentor_name") == 0)
		return v->mentor_name;
	if (strcmp(name, "mentor_phone") == 0)
		return v->mentor_phone;
	if (strcmp(name, "municipality") == 0)
		return v->municipality;
	if (strcmp(name, "next_call_date") == 0)
		return v->next_call_date;
	if (strcmp(name, "offers") == 0)
		return v->offers;
	return NULL;
}

static const char *string_at(json_t *object, const char *key)
{
	const char *s = json_string_value(json_object_get(object, key));

	return s != NULL ? s : "";
}

static void line_add(char **text, const char *label, const char *value)
{
	char *next;

	if (value[0] == '\0')
		return;
	xasprintf(&next, "%s%s%s%s", *text, label, value, "\n");
	free(*text);
	*text = next;
}

/* One offer as lines of text, in the order a reader needs them. */
static char *offer_text(json_t *offer)
{
	char *text = xstrdup(""), phone[MESSAGE_PHONE_LEN], *name;

	if (string_at(offer, "provider")[0] != '\0')
		xasprintf(&name, "%s (%s)", string_at(offer, "name"), string_at(offer, "provider"));
	else
		name = xstrdup(string_at(offer, "name"));
	line_add(&text, "", name);
	free(name);
	line_add(&text, "", string_at(offer, "description"));
	message_format_phone(string_at(offer, "phone"), phone);
	line_add(&text, "Telefon: ", phone);
	line_add(&text, "E-mail: ", string_at(offer, "email"));
	line_add(&text, "Adresse: ", string_at(offer, "address"));
	line_add(&text, "Hjemmeside: ", string_at(offer, "url"));
	line_add(&text, "Åbent: ", string_at(offer, "hours"));
	return text;
}

/* The offers block (a blank line between offers) and their JSON. */
static char *offers_block(json_t *offers, json_t *list)
{
	static const char *const fields[] = {"name",  "category", "provider",
					     "phone", "email",	  "address",
					     "url",   "hours",	  "description"};
	char *block = xstrdup(""), *one, *next;
	size_t i;
	json_t *offer;

	json_array_foreach (offers, i, offer) {
		json_t *copy = json_object();
		if (!json_is_object(offer))
			continue;
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			json_t *v = json_object_get(offer, fields[f]);
			if (json_is_string(v) && json_string_length(v) > 0)
				json_object_set(copy, fields[f], v);
		}
		json_array_append_new(list, copy);
		one = offer_text(offer);
		xasprintf(&next, "%s%s%s", block, block[0] != '\0' ? "\n" : "", one);
		free(one);
		free(block);
		block = next;
	}
	/* The template decides what follows the block. */
	if (block[0] != '\0' && block[strlen(block) - 1] == '\n')
		block[strlen(block) - 1] = '\0';
	return block;
}

static void values_clear(struct values *v)
{
	free(v->citizen_name);
	free(v->citizen_first_name);
	free(v->mentor_name);
	free(v->municipality);
	free(v->offers);
}

int message_build(const struct message_templates *t, const struct config *c, const char *uuid,
		  json_t *facts, json_t **out, struct error *err)
{
	const char *type = json_string_value(json_object_get(facts, "type"));
	json_t *recipient = json_object_get(facts, "recipient");
	json_t *mentor = json_object_get(facts, "mentor");
	json_t *next = json_object_get(facts, "next_call");
	const char *date_text = json_string_value(json_object_get(next, "date"));
	const struct template *tpl;
	struct values v;
	json_t *offers = json_array(), *to, *message;
	const char *cpr, *action;
	cal_day date = CAL_NO_DAY;
	char *body;
	size_t first;

	memset(&v, 0, sizeof v);
	if (type == NULL || (tpl = template_set_get(templates_of(t, facts), type)) == NULL) {
		error_set(err, ERROR_INVALID, "type", "no template for message type \"%s\"",
			  type != NULL ? type : "?");
		json_decref(offers);
		return -1;
	}
	if (!json_is_object(recipient) || string_at(recipient, "name")[0] == '\0' ||
	    string_at(recipient, "phone")[0] == '\0') {
		error_set(err, ERROR_INVALID, "recipient",
			  "the message has no recipient name and phone");
		json_decref(offers);
		return -1;
	}
	if (date_text != NULL && cal_day_parse(date_text, &date) != 0) {
		error_set(err, ERROR_INVALID, "next_call.date", "next_call.date is not a date");
		json_decref(offers);
		return -1;
	}
	v.citizen_name = xstrdup(string_at(recipient, "name"));
	first = strcspn(v.citizen_name, " \t");
	v.citizen_first_name = xstrdup(v.citizen_name);
	v.citizen_first_name[first] = '\0';
	v.mentor_name = xstrdup(string_at(mentor, "name"));
	message_format_phone(string_at(mentor, "phone"), v.mentor_phone);
	v.municipality = xstrdup(c->messages_sender_label);
	if (date != CAL_NO_DAY)
		template_date_da(date, v.next_call_date);
	v.offers = offers_block(json_object_get(facts, "offers"), offers);

	body = template_render(tpl, lookup_cb, &v);
	to = json_pack("{s:s, s:s}", "phone", string_at(recipient, "phone"), "name",
		       v.citizen_name);
	if ((cpr = json_string_value(json_object_get(recipient, "cpr"))) != NULL && cpr[0] != '\0')
		json_object_set_new(to, "cpr", json_string(cpr));
	message = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:o}", "message_uuid",
			    uuid, "type", type, "label", template_header(tpl, "label"), "body",
			    body, "sender", "cvr", c->messages_sender_cvr, "label",
			    c->messages_sender_label, "content_responsible",
			    c->messages_content_responsible, "recipient", to, "offers", offers);
	free(body);
	values_clear(&v);
	if (message == NULL) {
		/* Only text that is not UTF-8 gets here: the templates are checked
		 * at load, so it came from the database. */
		return error_set(err, ERROR_INVALID, "", "the message is not valid UTF-8 text");
	}
	if ((action = template_header(tpl, "action")) != NULL && date != CAL_NO_DAY)
		json_object_set_new(message, "action",
				    json_pack("{s:s, s:s, s:s}", "code", "AFTALE", "label", action,
					      "start", date_text));
	*out = message;
	return 0;
}
