/*
 * mentorctl-mentor.c - mentorctl mentor add, list, set and absence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "match.h"
#include "mentor-profile.h"
#include "mentor.h"
#include "mentorctl.h"
#include "phone.h"
#include "session.h"
#include "store.h"
#include "xmalloc.h"

#define CTL_NAME_MAX 200

/* A mentor command's work on the mentors, in one transaction: fn returns
 * 0, or -1 with err filled, or -1 with err clear after reporting the
 * problem itself and setting rc (a CTL_* code). */
struct ctl_mentors {
	struct ctl *ctl;
	struct mentor_db *db;
	int (*fn)(struct ctl_mentors *t, struct error *err);
	void *arg;
	int rc;
};

static int ctl_mentors_tx(struct store *store, void *arg, struct error *err)
{
	struct ctl_mentors *t = arg;

	(void)store;
	return t->fn(t, err);
}

/* Open the mentors, run fn in a transaction of its own (store_tx) and
 * report what failed. */
static int ctl_mentors(struct ctl *ctl, int (*fn)(struct ctl_mentors *t, struct error *err),
		       void *arg)
{
	struct ctl_mentors t = {.ctl = ctl, .fn = fn, .arg = arg, .rc = CTL_FAIL};
	struct error err;
	char *cause = NULL;
	int rc;

	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if ((t.db = mentor_db_new(ctl->store, &cause)) == NULL)
		return ctl_fail(cause);
	error_clear(&err);
	rc = store_tx(ctl->store, ctl_mentors_tx, &t, &err);
	mentor_db_free(t.db);
	if (rc == 0)
		return CTL_OK;
	if (err.kind == ERROR_NONE)
		return t.rc;
	if (err.field[0] != '\0')
		fprintf(stderr, "mentorctl: %s: %s\n", err.field, err.message);
	else
		fprintf(stderr, "mentorctl: %s\n", err.message);
	return CTL_FAIL;
}

/* "1,2,3,4,5" (ISO weekdays) as a mask. */
static int ctl_days(const struct ctl *ctl, const char *text, unsigned *mask)
{
	int days[7];
	size_t n = 0;
	const char *p = text;

	while (*p != '\0' && n < 7) {
		if (*p < '1' || *p > '7' || (p[1] != ',' && p[1] != '\0'))
			break;
		days[n++] = *p - '0';
		p += p[1] == ',' ? 2 : 1;
	}
	if (n == 0 || *p != '\0' || p[-1] == ',' || mentor_weekdays_mask(days, n, mask) != 0)
		return ctl_usage_error(ctl,
				       "--days is a list of ISO weekdays such as 1,2,3,4,5;"
				       " got",
				       text);
	/* Each day once, as the API's working_days: 1,1 is a typo. */
	if ((size_t)__builtin_popcount(*mask) != n)
		return ctl_usage_error(ctl, "--days names a weekday twice:", text);
	return CTL_OK;
}

/* Why phone_normalise() refused text, for someone who typed a Danish
 * number the way it is never written (a leading 0 or 1: trunk prefixes
 * and service numbers, not subscriber numbers) or another way. */
static const char *ctl_phone_problem(const char *text)
{
	char digits[32], *d = digits;
	size_t n = 0;

	for (const char *p = text; *p != '\0' && n + 1 < sizeof digits; p++)
		if (*p != ' ')
			digits[n++] = *p;
	digits[n] = '\0';
	if (n == 11 && strncmp(digits, "+45", 3) == 0)
		d += 3;
	else if (n == 12 && strncmp(digits, "0045", 4) == 0)
		d += 4;
	if (strlen(d) == 8 && strspn(d, "0123456789") == 8 && (d[0] == '0' || d[0] == '1'))
		return "--phone: a Danish number has 8 digits and starts with 2 to 9 (no Danish"
		       " number starts with 0 or 1); got";
	return "--phone is a Danish number (8 digits, starting with 2 to 9, optionally after"
	       " +45) or an international one in E.164 form (+, country code, number), not";
}

/* The mentor options present, applied to m; phone is normalised. */
static int ctl_mentor_fields(const struct ctl *ctl, const struct ctl_opt *opts, struct mentor *m)
{
	char phone[PHONE_LEN];
	int rc;

	if (opts[0].value != NULL) {
		if (opts[0].value[0] == '\0' || strlen(opts[0].value) > CTL_NAME_MAX)
			return ctl_usage_error(ctl, "--name is 1 to 200 bytes", NULL);
		free(m->name);
		m->name = xstrdup(opts[0].value);
	}
	if (opts[1].value != NULL) {
		if (phone_normalise(opts[1].value, phone) != 0)
			return ctl_usage_error(ctl, ctl_phone_problem(opts[1].value),
					       opts[1].value);
		free(m->phone);
		m->phone = xstrdup(phone);
	}
	if (opts[2].value != NULL && (rc = ctl_days(ctl, opts[2].value, &m->working_days)) != 0)
		return rc;
	if (opts[3].value != NULL) {
		if (strcmp(opts[3].value, "yes") != 0 && strcmp(opts[3].value, "no") != 0)
			return ctl_usage_error(ctl, "--active is yes or no, not", opts[3].value);
		m->active = strcmp(opts[3].value, "yes") == 0;
	}
	return CTL_OK;
}

/* A table clang-format would fold into a line per brace. The matching
 * profile's options (match.h), after a command's own:
 * --gender, and comma lists --languages, --competences, --interests ("" empties
 * one). Checked as the API checks them; *out has only those given. */
/* clang-format off */
#define CTL_PROFILE_OPTS                                                                       \
	{"gender", 0, false, NULL},                                                            \
	{"languages", 0, false, NULL},                                                         \
	{"competences", 0, false, NULL},                                                       \
	{"interests", 0, false, NULL}
/* clang-format on */
#define CTL_PROFILE_NOPTS 4

static int ctl_mentor_profile(const struct ctl *ctl, const struct ctl_opt *opts, json_t **out)
{
	json_t *body = json_object(), *list, *bad;
	struct field_errors errors;
	char *copy, *tag, *save;
	int rc = CTL_OK;

	*out = NULL;
	if (opts[0].value != NULL)
		json_object_set_new(body, "gender",
				    opts[0].value[0] != '\0' ? json_string(opts[0].value)
							     : json_null());
	for (int i = 1; i < CTL_PROFILE_NOPTS; i++) {
		if (opts[i].value == NULL)
			continue;
		list = json_array();
		copy = xstrdup(opts[i].value);
		for (tag = strtok_r(copy, ",", &save); tag != NULL;
		     tag = strtok_r(NULL, ",", &save))
			json_array_append_new(list, json_string(tag));
		free(copy);
		json_object_set_new(body, opts[i].name, list);
	}
	field_errors_init(&errors);
	*out = match_read_profile(body, true, &errors);
	if (field_errors_any(&errors)) {
		char problem[160];

		bad = json_array_get(errors.list, 0);
		snprintf(problem, sizeof problem, "--%s %s",
			 json_string_value(json_object_get(bad, "field")),
			 json_string_value(json_object_get(bad, "message")));
		json_decref(*out);
		*out = NULL;
		rc = ctl_usage_error(ctl, problem, NULL);
	}
	field_errors_clear(&errors);
	json_decref(body);
	return rc;
}

struct ctl_mentor_add {
	struct mentor *m;
	int64_t id;
	json_t *profile;
};

static int ctl_mentor_add_tx(struct ctl_mentors *t, struct error *err)
{
	struct ctl_mentor_add *a = t->arg;

	if (mentor_add(t->db, a->m, time(NULL), &a->id, err) != 0)
		return -1;
	return mentor_profile_put(t->ctl->store, a->id, a->profile, err);
}

int cmd_mentor_add(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"name", 0, false, NULL},
				 {"phone", 0, false, NULL},
				 {"days", 0, false, NULL},
				 {"active", 0, false, NULL},
				 CTL_PROFILE_OPTS};
	struct mentor m = {.working_days = MENTOR_MONDAY_TO_FRIDAY, .active = true};
	struct ctl_mentor_add a = {&m, 0, NULL};
	struct ctl_args args;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 4 + CTL_PROFILE_NOPTS, 0, 0, &args)) != CTL_OK)
		return rc;
	if (opts[0].value == NULL || opts[1].value == NULL)
		return ctl_usage_error(ctl, "--name and --phone are required", NULL);
	if ((rc = ctl_mentor_fields(ctl, opts, &m)) == CTL_OK &&
	    (rc = ctl_mentor_profile(ctl, opts + 4, &a.profile)) == CTL_OK &&
	    (rc = ctl_mentors(ctl, ctl_mentor_add_tx, &a)) == CTL_OK)
		printf("mentor %lld added\n", (long long)a.id);
	free(m.name);
	free(m.phone);
	json_decref(a.profile);
	return rc;
}

/* The profile's members with a value, on a line of their own. */
static void ctl_mentor_profile_text(json_t *profile)
{
	const char *keys[] = {"languages", "competences", "interests"};
	const char *gender = json_string_value(json_object_get(profile, "gender"));
	bool any = gender != NULL;
	json_t *v;
	size_t j;

	if (gender != NULL)
		printf("      gender %s", gender);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *list = json_object_get(profile, keys[i]);

		if (json_array_size(list) == 0)
			continue;
		printf("%s%s ", any ? "; " : "      ", keys[i]);
		json_array_foreach (list, j, v)
			printf("%s%s", j > 0 ? "," : "", json_string_value(v));
		any = true;
	}
	if (any)
		printf("\n");
}

static void ctl_mentor_text(const struct mentor *m)
{
	char days[16] = "", from[CAL_DATE_LEN], to[CAL_DATE_LEN];
	size_t len = 0;

	for (int d = 1; d <= 7; d++)
		if (m->working_days & MENTOR_WEEKDAY(d))
			len += (size_t)snprintf(days + len, sizeof days - len, "%s%d",
						len > 0 ? "," : "", d);
	printf("%-5lld ", (long long)m->id);
	ctl_print_cell(m->name, 24);
	printf("%-14s %-14s %-6s %-7d", m->phone, len > 0 ? days : "-", m->active ? "yes" : "no",
	       m->load);
	for (size_t i = 0; i < m->nabsences; i++) {
		cal_day_format(m->absences[i].from, from);
		cal_day_format(m->absences[i].to, to);
		printf("%s%s..%s", i > 0 ? "," : " ", from, to);
	}
	printf("\n");
}

struct ctl_mentor_list {
	struct mentor *list;
	size_t n;
	json_t *profiles; /* [profile] in the order of list */
};

static int ctl_mentor_list_tx(struct ctl_mentors *t, struct error *err)
{
	struct ctl_mentor_list *l = t->arg;
	json_t *profile;

	if (mentor_list(t->db, &l->list, &l->n, err) != 0)
		return -1;
	l->profiles = json_array();
	for (size_t i = 0; i < l->n; i++) {
		if (mentor_profile_get(t->ctl->store, l->list[i].id, &profile, err) != 0)
			return -1;
		json_array_append_new(l->profiles, profile);
	}
	return 0;
}

int cmd_mentor_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_mentor_list l = {NULL, 0, NULL};
	struct mentor *list;
	struct ctl_args args;
	size_t n;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	if ((rc = ctl_mentors(ctl, ctl_mentor_list_tx, &l)) != CTL_OK) {
		mentor_list_free(l.list, l.n);
		json_decref(l.profiles);
		return rc;
	}
	list = l.list;
	n = l.n;
	if (ctl->json) {
		json_t *out = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *row = mentor_to_json(&list[i]);

			json_object_update(row, json_array_get(l.profiles, i));
			json_array_append_new(out, row);
		}
		ctl_print_json(out);
	} else {
		printf("%-5s %-24s %-14s %-14s %-6s %-7s %s\n", "ID", "NAME", "PHONE", "DAYS",
		       "ACTIVE", "COURSES", "ABSENCES");
		for (size_t i = 0; i < n; i++) {
			ctl_mentor_text(&list[i]);
			ctl_mentor_profile_text(json_array_get(l.profiles, i));
		}
	}
	mentor_list_free(list, n);
	json_decref(l.profiles);
	return CTL_OK;
}

struct ctl_mentor_change {
	int64_t id;
	int (*change)(struct ctl *ctl, struct mentor *m, const void *arg);
	const void *arg;
};

static int ctl_mentor_change_tx(struct ctl_mentors *t, struct error *err)
{
	const struct ctl_mentor_change *c = t->arg;
	struct mentor *m = NULL;
	int rc;

	if (mentor_get(t->db, c->id, &m, err) != 0)
		return -1;
	if ((t->rc = c->change(t->ctl, m, c->arg)) != CTL_OK)
		rc = -1; /* change() has said why */
	else
		rc = mentor_update(t->db, m, err);
	/* As PATCH /v1/mentors/{id}: deactivation ends the sessions. */
	if (rc == 0 && !m->active)
		rc = session_end_mentor(t->ctl->store, m->id, err);
	mentor_free(m);
	return rc;
}

/* Read mentor `id`, let change() alter it, write it back: one transaction. */
static int ctl_mentor_change(struct ctl *ctl, int64_t id,
			     int (*change)(struct ctl *ctl, struct mentor *m, const void *arg),
			     const void *arg)
{
	struct ctl_mentor_change c = {id, change, arg};

	return ctl_mentors(ctl, ctl_mentor_change_tx, &c);
}

/* The options of mentor set: the mentor's own, then --login (opts[4]),
 * then the profile's (opts[5...]). */
static int ctl_mentor_set(struct ctl *ctl, struct mentor *m, const void *arg)
{
	const struct ctl_opt *opts = arg;
	const char *login = opts[4].value;
	struct error err;
	json_t *profile;
	int64_t token = 0;
	int rc;

	if ((rc = ctl_mentor_fields(ctl, opts, m)) != CTL_OK ||
	    (rc = ctl_mentor_profile(ctl, opts + 5, &profile)) != CTL_OK)
		return rc;
	rc = mentor_profile_put(ctl->store, m->id, profile, &err);
	json_decref(profile);
	if (rc != 0)
		return ctl_error(&err);
	if (login == NULL)
		return CTL_OK;
	if (login[0] != '\0' && !auth_login_valid(login))
		return ctl_usage_error(ctl, "--login is 1 to 128 characters without spaces, not",
				       login);
	/* In the mentor's transaction: both change, or neither. */
	if (auth_login_set_mentor(ctl->store, m->id, login, time(NULL), &token, &err) != 0)
		return ctl_error(&err);
	if (token > 0)
		printf("login %s signs in as mentor %lld (token %lld)\n", login, (long long)m->id,
		       (long long)token);
	else
		printf("mentor %lld has no login\n", (long long)m->id);
	return CTL_OK;
}

int cmd_mentor_set(struct ctl *ctl, int argc, char **argv)
{
	/* clang-format off */
	struct ctl_opt opts[] = {{"name", 0, false, NULL},
				 {"phone", 0, false, NULL},
				 {"days", 0, false, NULL},
				 {"active", 0, false, NULL},
				 {"login", 0, false, NULL},
				 CTL_PROFILE_OPTS};
	/* clang-format on */
	const size_t nopts = sizeof opts / sizeof opts[0];
	struct ctl_args args;
	bool any = false;
	int64_t id;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, nopts, 1, 1, &args)) != CTL_OK ||
	    (rc = ctl_id(ctl, args.pos[0], &id)) != CTL_OK)
		return rc;
	for (size_t i = 0; i < nopts; i++)
		any = any || opts[i].value != NULL;
	if (!any)
		return ctl_usage_error(ctl, "nothing to change", NULL);
	if ((rc = ctl_mentor_change(ctl, id, ctl_mentor_set, opts)) == CTL_OK)
		printf("mentor %lld changed\n", (long long)id);
	return rc;
}

static int ctl_mentor_absence(struct ctl *ctl, struct mentor *m, const void *arg)
{
	const struct mentor_absence *a = arg;

	(void)ctl;
	m->absences = xrealloc(m->absences, (m->nabsences + 1) * sizeof *m->absences);
	m->absences[m->nabsences++] = *a;
	return CTL_OK;
}

int cmd_mentor_absence(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"from", 0, false, NULL}, {"to", 0, false, NULL}};
	struct mentor_absence a;
	struct ctl_args args;
	int64_t id;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 2, 1, 1, &args)) != CTL_OK ||
	    (rc = ctl_id(ctl, args.pos[0], &id)) != CTL_OK ||
	    (rc = ctl_date(ctl, opts[0].value, &a.from)) != CTL_OK ||
	    (rc = ctl_date(ctl, opts[1].value, &a.to)) != CTL_OK)
		return rc;
	if (a.from > a.to)
		return ctl_usage_error(ctl, "--from must not be after --to", NULL);
	if ((rc = ctl_mentor_change(ctl, id, ctl_mentor_absence, &a)) == CTL_OK)
		printf("mentor %lld absent from %s to %s\n", (long long)id, opts[0].value,
		       opts[1].value);
	return rc;
}
