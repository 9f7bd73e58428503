/*
 * programme.h - the mentor programmes a municipality runs side by side
 * (doc/programmes.md): the preventive scheme after discharge from
 * psychiatry, a youth mentor model after a caseworker's referral, ...
 *
 * Contract:
 *  - A programme is a plain value filled and validated by config.c from
 *    mentord.conf's `programmes` list (or, without one, from the top-level
 *    schedule.* and messages.* settings: the preventive scheme as it always
 *    was). Its strings belong to the config that holds it.
 *  - Exactly one programme takes discharges (intake "discharge"): POST
 *    /v1/discharges, self-referrals and life events of psychiatry are its.
 *    A course names its programme by id; a course whose id is no longer
 *    configured runs under that discharge programme (programme_of), so a
 *    removed programme never leaves a course without rules.
 *  - The scheduling rules of a programme are a struct schedule_rules whose
 *    closures and intake.await_days are the top-level ones: the calendar is
 *    the municipality's, not a programme's.
 */
#ifndef MENTORD_PROGRAMME_H
#define MENTORD_PROGRAMME_H

#include <stdbool.h>
#include <stddef.h>

#include "schedule-rules.h"

#define PROGRAMME_MAX 8
#define PROGRAMME_ID_MAX 32
#define PROGRAMME_NAME_MAX 100
/* The programme of courses made before there were programmes (migration
 * 19's default) and of a configuration without a `programmes` list. */
#define PROGRAMME_DEFAULT_ID "preventive"
#define PROGRAMME_DEFAULT_NAME "Forebyggende social mentorordning"

/* The closing procedure (doc/programmes.md): items that must be ticked
 * before a course of the programme ends or closes. */
#define PROGRAMME_CLOSING_MAX 10
#define PROGRAMME_ITEM_LABEL_MAX 200

struct programme_item {
	char *id;    /* short ASCII, as a programme id */
	char *label; /* Danish, for the page */
};

enum programme_intake {
	PROGRAMME_INTAKE_DISCHARGE, /* psychiatry's discharges and self-referrals */
	PROGRAMME_INTAKE_REFERRAL,  /* a caseworker refers; a decision starts the course */
};

struct programme {
	char *id;   /* short ASCII: [a-z][a-z0-9_-]* */
	char *name; /* Danish display name */
	enum programme_intake intake;
	struct schedule_rules rules; /* window, plan, min gap, retries, min length */
	int meeting_interval_days;   /* follow-up meetings; 0 = none (not scheduled yet) */
	/* Which messages it sends besides the follow-up a mentor asks for,
	 * as messages.* (1 = on), and its templates' directory (NULL: the
	 * top-level messages.templates). */
	int welcome;
	int unreached;
	int closing;
	char *templates_dir;
	/* Referral programmes: a decision is due decision_days after the
	 * need was identified; a referral with at_risk_days or fewer left,
	 * or overdue, is at risk. */
	int decision_days;
	int at_risk_days;
	/* closing.items: none for the preventive scheme, whose closing
	 * message is its whole closing. */
	struct programme_item closing_items[PROGRAMME_CLOSING_MAX];
	size_t nclosing;
};

/* The closing item of p named id, or NULL. */
const struct programme_item *programme_closing_item(const struct programme *p, const char *id);

struct programme_set {
	struct programme list[PROGRAMME_MAX];
	size_t count;
};

const char *programme_intake_name(enum programme_intake intake);
/* -1 for a name that is no intake. */
int programme_intake_parse(const char *name);

/* The programme id names, or NULL. */
const struct programme *programme_find(const struct programme_set *set, const char *id);
/* The programme that takes discharges (there is exactly one). */
const struct programme *programme_discharge(const struct programme_set *set);
/* The programme id names, else the discharge programme. */
const struct programme *programme_of(const struct programme_set *set, const char *id);
/* Whether id is a well-formed programme id. */
bool programme_id_valid(const char *id);

/* Free the strings of every programme of set and empty it. */
void programme_set_clear(struct programme_set *set);

#endif
