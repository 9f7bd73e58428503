/*
 * mentorctl-admin.c - mentorctl check-config, token, status, backup,
 * export and purge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "backup.h"
#include "clock.h"
#include "config-check.h"
#include "config.h"
#include "export.h"
#include "mentorctl.h"
#include "retention.h"
#include "status.h"
#include "store.h"
#include "xmalloc.h"

int cmd_check_config(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	char *cause = NULL;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	/* What mentord checks at start and reload, the templates included. */
	if (config_check(ctl->config_path, NULL, NULL, &cause) != 0)
		return ctl_fail(cause);
	printf("%s: configuration OK\n", ctl->config_path);
	return CTL_OK;
}

int cmd_token_add(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"role", 'r', false, NULL},
				 {"name", 'n', false, NULL},
				 {"mentor", 'm', false, NULL}};
	char token[AUTH_TOKEN_LEN], *cause = NULL;
	struct ctl_args args;
	int64_t id, mentor = 0;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 3, 0, 0, &args)) != CTL_OK)
		return rc;
	if (opts[0].value == NULL || opts[1].value == NULL)
		return ctl_usage_error(ctl, "--role and --name are required", NULL);
	if (opts[2].value != NULL && (rc = ctl_id(ctl, opts[2].value, &mentor)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (auth_token_add(ctl->store, opts[1].value, opts[0].value, mentor, time(NULL), token,
			   &id, &cause) != 0)
		return ctl_fail(cause);
	printf("%s\n", token);
	fprintf(stderr, "token %lld created for %s (%s); it is shown only now\n", (long long)id,
		opts[1].value, opts[0].value);
	return CTL_OK;
}

int cmd_token_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	char *cause = NULL;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (auth_token_list(ctl->store, stdout, ctl->json, &cause) != 0)
		return ctl_fail(cause);
	return CTL_OK;
}

int cmd_token_revoke(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	char *cause = NULL;
	int64_t id;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 1, 1, &args)) != CTL_OK ||
	    (rc = ctl_id(ctl, args.pos[0], &id)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (auth_token_revoke(ctl->store, id, time(NULL), &cause) != 0)
		return ctl_fail(cause);
	return CTL_OK;
}

static void ctl_status_text(const struct status *st)
{
	char when[CLOCK_RFC3339_LEN];

	printf("courses:");
	for (int i = 0; i < STATUS_NSTATES; i++)
		printf(" %s %lld%s", status_state_name(i), (long long)st->courses[i],
		       i + 1 < STATUS_NSTATES ? "," : "");
	printf(" (anonymised %lld)\n", (long long)st->anonymised);
	printf("referrals expired without a discharge: %lld\n", (long long)st->expired);
	/* Active courses nobody will call until a coordinator acts. */
	printf("for the coordinator: %lld without a mentor, %lld wrong number\n",
	       (long long)st->unassigned, (long long)st->wrong_number);
	printf("pending calls: %lld\n", (long long)st->pending_calls);
	printf("outbox backlog: %lld pending\n", (long long)st->outbox_pending);
	printf("dead letters: %lld\n", (long long)st->outbox_dead);
	clock_format_rfc3339(st->published_at, when);
	printf("last queue publication: %s\n", st->published ? when : "never");
	clock_format_rfc3339(st->purge.ran_at, when);
	if (st->purged)
		printf("last retention purge: %s by %s, %lld course(s) anonymised\n", when,
		       st->purge.author, (long long)st->purge.courses);
	else
		printf("last retention purge: never\n");
}

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	struct status st;
	char *cause = NULL;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (status_read(ctl->store, &st, &cause) != 0)
		return ctl_fail(cause);
	if (ctl->json)
		ctl_print_json(status_to_json(&st));
	else
		ctl_status_text(&st);
	return CTL_OK;
}

int cmd_backup(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	char *cause = NULL;
	int rc, pages;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 1, 1, &args)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (backup_to_file(store_db(ctl->store), args.pos[0], &pages, &cause) != 0)
		return ctl_fail(cause);
	printf("backup of %s written to %s (%d pages, integrity ok)\n", store_path(ctl->store),
	       args.pos[0], pages);
	return CTL_OK;
}

int cmd_export(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"from", 0, false, NULL}, {"to", 0, false, NULL}};
	enum export_kind kind;
	struct ctl_args args;
	char *cause = NULL;
	cal_day from, to;
	size_t rows;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 2, 1, 1, &args)) != CTL_OK)
		return rc;
	if (export_kind_parse(args.pos[0], &kind) != 0)
		return ctl_usage_error(ctl, "export courses or calls, not", args.pos[0]);
	if (opts[0].value == NULL || opts[1].value == NULL)
		return ctl_usage_error(ctl, "--from and --to are both required", NULL);
	if ((rc = ctl_date(ctl, opts[0].value, &from)) != CTL_OK ||
	    (rc = ctl_date(ctl, opts[1].value, &to)) != CTL_OK)
		return rc;
	if (from > to)
		return ctl_usage_error(ctl, "--from must not be after --to", NULL);
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (export_csv(ctl->store, kind, from, to, stdout, &rows, &cause) != 0)
		return ctl_fail(cause);
	if (fflush(stdout) != 0)
		return ctl_fail(xstrdup("writing to standard output failed"));
	/* On stderr, so the CSV on stdout stays clean. */
	fprintf(stderr, "exported %zu %s\n", rows, args.pos[0]);
	return CTL_OK;
}

int cmd_purge(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"dry-run", 'n', true, NULL}};
	struct retention_result r;
	struct ctl_args args;
	char *cause = NULL, before[CAL_DATE_LEN];
	bool dry_run;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 1, 0, 0, &args)) != CTL_OK)
		return rc;
	dry_run = opts[0].value != NULL;
	/* retention.days and the time zone come from the configuration, even
	 * with --database. */
	if (ctl_config(ctl) != CTL_OK || ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (store_begin(ctl->store, &cause) != 0 ||
	    retention_purge(ctl->store, time(NULL), ctl->config->retention_days, "mentorctl",
			    dry_run, &r, &cause) != 0 ||
	    (!dry_run && store_commit(ctl->store, &cause) != 0)) {
		store_rollback(ctl->store);
		return ctl_fail(cause);
	}
	if (dry_run)
		store_rollback(ctl->store);
	cal_day_format(r.before, before);
	printf("%s %zu course(s) closed or superseded before %s (retention.days = %d)\n",
	       dry_run ? "would anonymise" : "anonymised", r.courses, before,
	       ctl->config->retention_days);
	return CTL_OK;
}
