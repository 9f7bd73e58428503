/*
 * mentorctl-offer.c - mentorctl offer import and list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "csv.h"
#include "mentorctl.h"
#include "offer-csv.h"
#include "offer.h"
#include "store.h"

static int ctl_offers_tx(struct store *store, void *arg, struct error *err)
{
	return offer_csv_store(store, arg, time(NULL), err);
}

int cmd_offer_import(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	char *data = NULL, *cause = NULL;
	struct error err;
	json_t *offers = NULL, *o;
	size_t len, i, updated = 0;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 1, 1, &args)) != CTL_OK)
		return rc;
	if (csv_read_file(args.pos[0], &data, &len, &cause) != 0)
		return ctl_fail(cause);
	rc = offer_csv_parse(data, len, args.pos[0], &offers, &cause);
	free(data);
	if (rc != 0) {
		/* One "FILE:LINE: field: message" per line, as compilers do. */
		fprintf(stderr, "%s\nmentorctl: %s: nothing imported\n", cause, args.pos[0]);
		free(cause);
		return CTL_FAIL;
	}
	if (ctl_store(ctl) != CTL_OK) {
		json_decref(offers);
		return CTL_FAIL;
	}
	if (store_tx(ctl->store, ctl_offers_tx, offers, &err) != 0) {
		json_decref(offers);
		fprintf(stderr, "mentorctl: %s: %s; nothing imported\n", args.pos[0], err.message);
		return CTL_FAIL;
	}
	/* Rows with an id updated that offer (offer-csv.c). */
	json_array_foreach (offers, i, o)
		updated += json_object_get(o, "id") != NULL;
	printf("imported %zu offer(s) from %s: %zu added, %zu updated\n", json_array_size(offers),
	       args.pos[0], json_array_size(offers) - updated, updated);
	json_decref(offers);
	return CTL_OK;
}

int cmd_offer_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	struct error err;
	json_t *list, *o;
	size_t i;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (offer_list(ctl->store, &list, &err) != 0)
		return ctl_error(&err);
	if (ctl->json) {
		ctl_print_json(list);
		return CTL_OK;
	}
	printf("%-5s %-20s %-32s %s\n", "ID", "CATEGORY", "NAME", "PHONE");
	json_array_foreach (list, i, o) {
		const char *phone = json_string_value(json_object_get(o, "phone"));
		printf("%-5lld ", (long long)json_integer_value(json_object_get(o, "id")));
		ctl_print_cell(json_string_value(json_object_get(o, "category")), 20);
		ctl_print_cell(json_string_value(json_object_get(o, "name")), 32);
		printf("%s\n", phone != NULL ? phone : "-");
	}
	json_decref(list);
	return CTL_OK;
}
