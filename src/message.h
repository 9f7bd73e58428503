/*
 * message.h - the messages mentord sends citizens (doc/gateway.md):
 * which are enabled, their templates, what may be shown outside the
 * secure mailbox, and the JSON the messaging gateway receives.
 *
 * Contract:
 *  - message_templates_load() reads one template per message type from
 *    messages.templates (followup.txt, unreached.txt, closing.txt,
 *    welcome.txt; format in template.h) and refuses the set when a file is
 *    missing, uses an unknown placeholder, lacks a required one, or when a
 *    label, an action label or the configured sender names psychiatry, a
 *    diagnosis or the scheme (message_indiscreet_word). The daemon calls it
 *    at start and on reload, before anything is swapped, so a bad template
 *    directory keeps the old configuration and rendering at send time
 *    cannot fail for a missing placeholder.
 *  - Placeholders (every type): citizen_name, citizen_first_name,
 *    mentor_name, mentor_phone, municipality (messages.sender_label);
 *    followup adds next_call_date and offers (required); welcome adds
 *    next_call_date (required, with mentor_name). Headers: label (all),
 *    action (followup and welcome: the label of the next-call action).
 *  - Each programme (programme.h) whose messages.templates names a
 *    directory of its own gets that set, checked the same way; facts with
 *    "programme" are rendered from its set (absent: the discharge
 *    programme's; a programme without a directory of its own: the
 *    top-level messages.templates).
 *  - message_build() is pure: facts (the outbox payload, with the mentor,
 *    the offers' details and the next call filled in by the sender) in, the section 5
 *    JSON out. Facts:
 *      {"type", "recipient": {"name", "phone", "cpr"?},
 *       "mentor": {"id", "name", "phone"}?,
 *       "offers": [{"name", "category", "provider", "phone", "email",
 *                   "address", "url", "hours", "description"}]?,
 *       "next_call": {"date": "YYYY-MM-DD", "topic"?}?}
 *    The reply carries "action" only when the type has one and there is a
 *    next call; "start" is its date (the time of day is not agreed).
 *    Facts it cannot build a message from fill a struct error (error.h),
 *    ERROR_INVALID; loading the templates is start-up and reports a
 *    cause.
 */
#ifndef MENTORD_MESSAGE_H
#define MENTORD_MESSAGE_H

#include <jansson.h>

#include "error.h"

struct config;
struct message_templates;

int message_templates_load(const struct config *config, struct message_templates **out,
			   char **cause);
void message_templates_free(struct message_templates *templates);

/* The COURSE_MSG_* flags of the message types messages.* enables. */
unsigned message_flags(const struct config *config);

/* The first word of text (case-insensitive, Danish letters included) that
 * would tell a reader outside the mailbox about psychiatry, a diagnosis or
 * the scheme; NULL if there is none. */
const char *message_indiscreet_word(const char *text);

/* "+4520304050" -> "20 30 40 50"; anything else is copied. */
#define MESSAGE_PHONE_LEN 40
void message_format_phone(const char *e164, char buf[MESSAGE_PHONE_LEN]);

int message_build(const struct message_templates *templates, const struct config *config,
		  const char *uuid, json_t *facts, json_t **out, struct error *err);

#endif
