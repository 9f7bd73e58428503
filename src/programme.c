/*
 * programme.c - the programmes of mentord.conf (programme.h).
 */
#include "programme.h"

#include <stdlib.h>
#include <string.h>

static const char *const intakes[] = {
	[PROGRAMME_INTAKE_DISCHARGE] = "discharge",
	[PROGRAMME_INTAKE_REFERRAL] = "referral",
};

const char *programme_intake_name(enum programme_intake intake)
{
	return (size_t)intake < sizeof intakes / sizeof intakes[0] ? intakes[intake] : "unknown";
}

int programme_intake_parse(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof intakes / sizeof intakes[0]; i++)
		if (strcmp(name, intakes[i]) == 0)
			return (int)i;
	return -1;
}

const struct programme *programme_find(const struct programme_set *set, const char *id)
{
	for (size_t i = 0; set != NULL && id != NULL && i < set->count; i++)
		if (strcmp(set->list[i].id, id) == 0)
			return &set->list[i];
	return NULL;
}

const struct programme *programme_discharge(const struct programme_set *set)
{
	for (size_t i = 0; set != NULL && i < set->count; i++)
		if (set->list[i].intake == PROGRAMME_INTAKE_DISCHARGE)
			return &set->list[i];
	return NULL;
}

const struct programme *programme_of(const struct programme_set *set, const char *id)
{
	const struct programme *p = programme_find(set, id);

	return p != NULL ? p : programme_discharge(set);
}

bool programme_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n < 1 || n > PROGRAMME_ID_MAX || id[0] < 'a' || id[0] > 'z')
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

const struct programme_item *programme_closing_item(const struct programme *p, const char *id)
{
	for (size_t i = 0; p != NULL && id != NULL && i < p->nclosing; i++)
		if (strcmp(p->closing_items[i].id, id) == 0)
			return &p->closing_items[i];
	return NULL;
}

void programme_set_clear(struct programme_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->list[i].id);
		free(set->list[i].name);
		free(set->list[i].templates_dir);
		for (size_t k = 0; k < set->list[i].nclosing; k++) {
			free(set->list[i].closing_items[k].id);
			free(set->list[i].closing_items[k].label);
		}
	}
	memset(set, 0, sizeof *set);
}
