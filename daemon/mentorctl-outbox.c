/*
 * mentorctl-outbox.c - mentorctl outbox list|retry: the rows waiting for
 * the messaging gateway, and sending a dead letter again (outbox.h).
 *
 * A requeued row is pending again in the database; the running mentord
 * finds it at its next poll (OUTBOX_WORKER_POLL_S) and sends it with its
 * original Idempotency-Key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mentorctl.h"
#include "outbox-worker.h"
#include "outbox.h"
#include "sql.h"
#include "store.h"

static int outbox_fail(struct outbox *outbox, const struct error *err)
{
	outbox_free(outbox);
	fprintf(stderr, "mentorctl: %s\n", err->message);
	return CTL_FAIL;
}

static const char *text_or_dash(json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s != NULL ? s : "-";
}

/* mentorctl reads the outbox a page at a time, as the API does. */
#define CTL_OUTBOX_PAGE 1000

/* Every row in state (NULL: all), oldest first, as one JSON array. */
static int outbox_list_all(struct outbox *outbox, const char *state, json_t **out,
			   struct error *err)
{
	json_t *all = json_array(), *page, *last;
	int64_t after = 0;
	size_t n;

	do {
		if (outbox_list(outbox, state, after, CTL_OUTBOX_PAGE, &page, err) != 0) {
			json_decref(all);
			return -1;
		}
		n = json_array_size(page);
		if (n > 0) {
			last = json_array_get(page, n - 1);
			after = json_integer_value(json_object_get(last, "id"));
		}
		json_array_extend(all, page);
		json_decref(page);
	} while (n == CTL_OUTBOX_PAGE);
	*out = all;
	return 0;
}

int cmd_outbox_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"state", 's', false, NULL}};
	const char *state = "dead";
	struct outbox *outbox;
	struct error err;
	struct ctl_args args;
	char *cause = NULL, course[24];
	json_t *list, *row, *id;
	size_t i;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 1, 0, 0, &args)) != CTL_OK)
		return rc;
	if (opts[0].value != NULL)
		state = strcmp(opts[0].value, "all") == 0 ? NULL : opts[0].value;
	if (state != NULL && strcmp(state, "pending") != 0 && strcmp(state, "sent") != 0 &&
	    strcmp(state, "dead") != 0)
		return ctl_usage_error(ctl, "--state is pending, sent, dead or all, not", state);
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if ((outbox = outbox_new(ctl->store, &cause)) == NULL)
		return ctl_fail(cause);
	if (outbox_list_all(outbox, state, &list, &err) != 0)
		return outbox_fail(outbox, &err);
	outbox_free(outbox);
	if (ctl->json) {
		ctl_print_json(list);
		return CTL_OK;
	}
	printf("%-6s %-9s %-10s %-6s %-7s %-8s %-25s %s\n", "ID", "KIND", "TYPE", "COURSE", "STATE",
	       "ATTEMPTS", "NEXT/SETTLED", "LAST ERROR");
	json_array_foreach (list, i, row) {
		id = json_object_get(row, "course_id");
		if (json_is_integer(id))
			snprintf(course, sizeof course, "%lld", (long long)json_integer_value(id));
		else
			snprintf(course, sizeof course, "-");
		printf("%-6lld %-9s %-10s %-6s %-7s %-8lld %-25s %s\n",
		       (long long)json_integer_value(json_object_get(row, "id")),
		       text_or_dash(row, "kind"), text_or_dash(row, "type"), course,
		       text_or_dash(row, "state"),
		       (long long)json_integer_value(json_object_get(row, "attempts")),
		       text_or_dash(row, "next_attempt_at"), text_or_dash(row, "last_error"));
	}
	json_decref(list);
	return CTL_OK;
}

struct ctl_retry {
	struct outbox *outbox;
	int64_t id;
};

static int ctl_retry_tx(struct store *store, void *arg, struct error *err)
{
	struct ctl_retry *r = arg;

	(void)store;
	return outbox_retry(r->outbox, r->id, time(NULL), err);
}

int cmd_outbox_retry(struct ctl *ctl, int argc, char **argv)
{
	struct outbox *outbox;
	struct error err;
	struct ctl_args args;
	char *cause = NULL;
	int64_t id;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 1, 1, &args)) != CTL_OK ||
	    (rc = ctl_id(ctl, args.pos[0], &id)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if ((outbox = outbox_new(ctl->store, &cause)) == NULL)
		return ctl_fail(cause);
	if (store_tx(ctl->store, ctl_retry_tx, &(struct ctl_retry){outbox, id}, &err) != 0)
		return outbox_fail(outbox, &err);
	outbox_free(outbox);
	printf("outbox row %lld is pending again; mentord sends it within %d s\n", (long long)id,
	       OUTBOX_WORKER_POLL_S);
	return CTL_OK;
}
