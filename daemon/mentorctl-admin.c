/*
 * mentorctl-admin.c - mentorctl check-config, token, status, backup,
 * export and purge.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "backup.h"
#include "clock.h"
#include "config-check.h"
#include "config.h"
#include "export.h"
#include "health.h"
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

/* token add's options (role, name, mentor, login): every invalid one is a
 * usage error (2), found before the database is opened; a blank name
 * would list as nobody. */
static int ctl_token_args(const struct ctl *ctl, const struct ctl_opt *opts, int64_t *mentor)
{
	const char *role = opts[0].value, *name = opts[1].value, *login = opts[3].value;
	int rc;

	if (role == NULL || (name == NULL && login == NULL))
		return ctl_usage_error(ctl, "--role and --name (or --login) are required", NULL);
	if (!auth_role_valid(role))
		return ctl_usage_error(
			ctl, "--role is psychiatry, mentor, admin or caseworker, not", role);
	if (name != NULL && ctl_blank(name))
		return ctl_usage_error(ctl, "--name must not be empty", NULL);
	if (opts[2].value != NULL && (rc = ctl_id(ctl, opts[2].value, mentor)) != CTL_OK)
		return rc;
	if ((strcmp(role, "mentor") == 0) != (opts[2].value != NULL))
		return ctl_usage_error(
			ctl, "--mentor ID is required for --role mentor, and only there", NULL);
	if (login != NULL && !auth_login_valid(login))
		return ctl_usage_error(ctl, "--login is 1 to 128 characters without spaces, not",
				       login);
	return CTL_OK;
}

int cmd_token_add(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"role", 'r', false, NULL},
				 {"name", 'n', false, NULL},
				 {"mentor", 'm', false, NULL},
				 {"login", 0, false, NULL}};
	char token[AUTH_TOKEN_LEN];
	struct error err;
	const char *login;
	struct ctl_args args;
	int64_t id, mentor = 0;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 4, 0, 0, &args)) != CTL_OK)
		return rc;
	login = opts[3].value;
	if ((rc = ctl_token_args(ctl, opts, &mentor)) != CTL_OK)
		return rc;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	/* A login has no secret: single sign-on vouches for the user. */
	if (login != NULL) {
		if (auth_login_add(ctl->store, opts[1].value, opts[0].value, mentor, login,
				   time(NULL), &id, &err) != 0)
			return ctl_error(&err);
		fprintf(stderr,
			"token %lld created for login %s (%s); it has no secret and signs in"
			" only through single sign-on\n",
			(long long)id, login, opts[0].value);
		return CTL_OK;
	}
	if (auth_token_add(ctl->store, opts[1].value, opts[0].value, mentor, time(NULL), token, &id,
			   &err) != 0)
		return ctl_error(&err);
	printf("%s\n", token);
	fprintf(stderr, "token %lld created for %s (%s); it is shown only now\n", (long long)id,
		opts[1].value, opts[0].value);
	return CTL_OK;
}

/* Every token as auth_token_list() writes them in JSON, with created_at
 * turned from epoch seconds into RFC 3339 like every other time mentorctl
 * prints. NULL (reported) on failure. */
static json_t *ctl_tokens(struct ctl *ctl)
{
	char *text = NULL, when[CLOCK_RFC3339_LEN];
	struct error err;
	size_t len = 0, i;
	json_t *list, *row;
	FILE *out;
	int rc;

	if (ctl_store(ctl) != CTL_OK)
		return NULL;
	if ((out = open_memstream(&text, &len)) == NULL) {
		ctl_fail(xstrdup("out of memory"));
		return NULL;
	}
	rc = auth_token_list(ctl->store, out, 1, &err);
	fclose(out);
	if (rc != 0) {
		free(text);
		ctl_error(&err);
		return NULL;
	}
	list = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_array(list)) {
		json_decref(list);
		ctl_fail(xstrdup("cannot read the token list"));
		return NULL;
	}
	json_array_foreach (list, i, row) {
		json_t *created = json_object_get(row, "created_at");
		if (json_is_integer(created)) {
			clock_format_rfc3339((time_t)json_integer_value(created), when);
			json_object_set_new(row, "created_at", json_string(when));
		}
	}
	return list;
}

int cmd_token_list(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	struct error err;
	json_t *list;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 0, 0, &args)) != CTL_OK)
		return rc;
	if (ctl->json) {
		if ((list = ctl_tokens(ctl)) == NULL)
			return CTL_FAIL;
		ctl_print_json(list);
		return CTL_OK;
	}
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (auth_token_list(ctl->store, stdout, 0, &err) != 0)
		return ctl_error(&err);
	return CTL_OK;
}

int cmd_token_revoke(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_args args;
	struct error err;
	json_t *list, *row, *token = NULL, *mentor;
	size_t i;
	int64_t id;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, NULL, 0, 1, 1, &args)) != CTL_OK ||
	    (rc = ctl_id(ctl, args.pos[0], &id)) != CTL_OK)
		return rc;
	/* Read first, so the line can say whose token it was. */
	if ((list = ctl_tokens(ctl)) == NULL)
		return CTL_FAIL;
	json_array_foreach (list, i, row)
		if (json_integer_value(json_object_get(row, "id")) == id)
			token = row;
	if (auth_token_revoke(ctl->store, id, time(NULL), &err) != 0) {
		json_decref(list);
		return ctl_error(&err);
	}
	if (token == NULL) { /* revoked, so it was there: never expected */
		printf("token %lld revoked\n", (long long)id);
		json_decref(list);
		return CTL_OK;
	}
	printf("token %lld revoked: %s (%s", (long long)id,
	       json_string_value(json_object_get(token, "name")),
	       json_string_value(json_object_get(token, "role")));
	if (json_is_integer(mentor = json_object_get(token, "mentor_id")))
		printf(", mentor %lld", (long long)json_integer_value(mentor));
	printf("), created %s\n", json_string_value(json_object_get(token, "created_at")));
	json_decref(list);
	return CTL_OK;
}

/* The verdict (health.h) mentorctl shows: mentord's own, from its
 * /healthz, when it answers, since only mentord knows whether its commits
 * fail; else what the database alone tells. */
struct ctl_health {
	json_t *verdict;    /* {"status", "reasons"} */
	const char *source; /* "mentord" or "database" */
	char *url;	    /* NULL: mentord's address is not known */
	char error[CURL_ERROR_SIZE + 64];
};

#define CTL_HEALTH_TIMEOUT_MS 3000
#define CTL_HEALTH_MAX_BYTES 65536

static size_t ctl_health_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct evbuf {
		char *p;
		size_t len;
	} *buf = arg;
	size_t more = size * n;

	if (buf->len + more > CTL_HEALTH_MAX_BYTES)
		return 0;
	buf->p = xrealloc(buf->p, buf->len + more + 1);
	memcpy(buf->p + buf->len, data, more);
	buf->len += more;
	buf->p[buf->len] = '\0';
	return more;
}

/* mentord's address: --url, else the configured listen address (any
 * address is asked on loopback); NULL when not known (listen.port 0). */
static char *ctl_health_url(const struct ctl *ctl, const char *given)
{
	const char *a;
	char *url;

	if (given != NULL)
		return xstrdup(given);
	if (ctl->config == NULL || ctl->config->listen_port == 0)
		return NULL;
	a = ctl->config->listen_address;
	if (a[0] == '\0' || strcmp(a, "0.0.0.0") == 0)
		a = "127.0.0.1";
	else if (strcmp(a, "::") == 0)
		a = "::1";
	xasprintf(&url, strchr(a, ':') != NULL ? "http://[%s]:%d" : "http://%s:%d", a,
		  ctl->config->listen_port);
	return url;
}

/* GET URL/healthz: its JSON if it is a verdict, else NULL and why. */
static json_t *ctl_health_ask(const char *url, char *error, size_t size)
{
	struct {
		char *p;
		size_t len;
	} buf = {NULL, 0};
	char curl_error[CURL_ERROR_SIZE] = "", *full;
	json_t *reply = NULL;
	CURL *curl = curl_easy_init();
	CURLcode rc;

	if (curl == NULL) {
		snprintf(error, size, "cannot make an HTTP client");
		return NULL;
	}
	xasprintf(&full, "%s/healthz", url);
	curl_easy_setopt(curl, CURLOPT_URL, full);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)CTL_HEALTH_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ctl_health_write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
	if ((rc = curl_easy_perform(curl)) != CURLE_OK)
		snprintf(error, size, "%s",
			 curl_error[0] != '\0' ? curl_error : curl_easy_strerror(rc));
	else if ((reply = json_loads(buf.p != NULL ? buf.p : "", 0, NULL)) == NULL ||
		 !json_is_string(json_object_get(reply, "status")) ||
		 !json_is_array(json_object_get(reply, "reasons"))) {
		snprintf(error, size, "the reply is not mentord's /healthz");
		json_decref(reply);
		reply = NULL;
	}
	curl_easy_cleanup(curl);
	free(full);
	free(buf.p);
	return reply;
}

static void ctl_health(struct ctl *ctl, const char *given_url, struct ctl_health *out)
{
	const struct config *c = ctl->config;
	json_t *reply = NULL;
	struct health h;

	memset(out, 0, sizeof *out);
	out->url = ctl_health_url(ctl, given_url);
	if (out->url == NULL)
		snprintf(out->error, sizeof out->error,
			 "mentord's address is not known (give --url)");
	else
		reply = ctl_health_ask(out->url, out->error, sizeof out->error);
	if (reply != NULL) {
		out->source = "mentord";
		out->verdict = json_pack("{s:O, s:O}", "status", json_object_get(reply, "status"),
					 "reasons", json_object_get(reply, "reasons"));
		json_decref(reply);
		return;
	}
	out->source = "database";
	health_read(ctl->store, c != NULL ? health_outbox_max_age(c) : 0, time(NULL), &h);
	out->verdict = json_pack("{s:s, s:o}", "status",
				 health_ok(&h)	 ? "ok"
				 : h.database_ok ? "unhealthy"
						 : "unavailable",
				 "reasons", health_reasons_json(&h));
}

static json_t *ctl_health_json(const struct ctl_health *hv)
{
	json_t *j = json_deep_copy(hv->verdict);

	json_object_set_new(j, "from", json_string(hv->source));
	json_object_set_new(j, "mentord",
			    json_pack("{s:s?, s:b, s:s?}", "url", hv->url, "answered",
				      strcmp(hv->source, "mentord") == 0, "error",
				      hv->error[0] != '\0' ? hv->error : NULL));
	return j;
}

static void ctl_health_text(const struct ctl_health *hv)
{
	json_t *reasons = json_object_get(hv->verdict, "reasons"), *r;
	size_t i;

	if (strcmp(hv->source, "mentord") == 0)
		printf("health: %s, says mentord at %s\n",
		       json_string_value(json_object_get(hv->verdict, "status")), hv->url);
	else
		printf("health: %s, from the database alone: %s (whether mentord's commits fail"
		       " only mentord knows)\n",
		       json_string_value(json_object_get(hv->verdict, "status")),
		       hv->url != NULL ? hv->error : "mentord's address is not known");
	json_array_foreach (reasons, i, r)
		printf("  %s: %s\n", json_string_value(json_object_get(r, "check")),
		       json_string_value(json_object_get(r, "detail")));
	if (hv->url != NULL && strcmp(hv->source, "mentord") != 0)
		printf("  (mentord at %s: %s)\n", hv->url, hv->error);
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
	printf("referrals awaiting a decision: %lld (at risk %lld, overdue %lld)\n",
	       (long long)st->courses[STATUS_AWAITING_DECISION], (long long)st->referrals_at_risk,
	       (long long)st->referrals_overdue);
	/* Active courses nobody will call until a coordinator acts. */
	printf("for the coordinator: %lld without a mentor, %lld wrong number\n",
	       (long long)st->unassigned, (long long)st->wrong_number);
	/* Ended at their window's end, not closed until their closing
	 * checklist is ticked: nothing closes them by itself. */
	printf("ended awaiting their closing checklist: %lld\n", (long long)st->awaiting_checklist);
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
	struct ctl_opt opts[] = {{"url", 'u', false, NULL}};
	struct ctl_health hv;
	struct ctl_args args;
	struct status st;
	struct error err;
	json_t *j;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 1, 0, 0, &args)) != CTL_OK)
		return rc;
	/* The configuration, when there is one, says where mentord listens
	 * and health.outbox_max_age; with --database alone it may be absent. */
	if ((ctl->database == NULL || access(ctl->config_path, R_OK) == 0) &&
	    ctl_config(ctl) != CTL_OK)
		return CTL_FAIL;
	if (ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	/* ctl_config or ctl_store has made the configured zone the
	 * process's: today is that zone's date. */
	if (status_read(ctl->store, cal_day_of_instant(time(NULL)), &st, &err) != 0)
		return ctl_error(&err);
	ctl_health(ctl, opts[0].value, &hv);
	if (ctl->json) {
		j = status_to_json(&st);
		json_object_set_new(j, "health", ctl_health_json(&hv));
		ctl_print_json(j);
	} else {
		ctl_status_text(&st);
		ctl_health_text(&hv);
	}
	json_decref(hv.verdict);
	free(hv.url);
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
	struct error err;
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
	if (export_csv(ctl->store, kind, from, to, stdout, &rows, &err) != 0)
		return ctl_error(&err);
	if (fflush(stdout) != 0)
		return ctl_fail(xstrdup("writing to standard output failed"));
	/* On stderr, so the CSV on stdout stays clean. */
	fprintf(stderr, "exported %zu %s\n", rows, args.pos[0]);
	return CTL_OK;
}

/* A chunk of the purge holds the database's write lock, and mentord's
 * writes wait for it: chunks of about this many milliseconds, each its own
 * transaction, with as long a pause after each, so the daemon's intake
 * goes on while a large purge runs. */
#define CTL_PURGE_CHUNK_MS 20
#define CTL_PURGE_CHUNK_ROWS 2000

struct ctl_purge {
	time_t now;
	int days;
	size_t limit;
	struct timespec deadline;
	struct retention_result *r;
	bool finished;
};

/* One chunk; the run is recorded with the last. */
static int ctl_purge_tx(struct store *store, void *arg, struct error *err)
{
	struct ctl_purge *p = arg;

	if (retention_purge_chunk(store, p->now, p->days, p->limit, &p->deadline, p->r,
				  &p->finished, err) != 0)
		return -1;
	return p->finished ? retention_record_run(store, p->now, p->days, "mentorctl", p->r, err)
			   : 0;
}

/* Every due course, a chunk per transaction. A purge cut short (a crash,
 * ^C) has committed what it did; the next one goes on from there. */
static int ctl_purge_chunks(struct ctl *ctl, time_t now, struct retention_result *r,
			    struct error *err)
{
	struct ctl_purge p = {.now = now, .days = ctl->config->retention_days, .limit = 64, .r = r};
	struct timespec began, pause;
	size_t before, limit;

	memset(r, 0, sizeof *r);
	while (!p.finished) {
		began = clock_deadline_in(0);
		p.deadline = clock_deadline_in(CTL_PURGE_CHUNK_MS);
		before = r->courses;
		limit = p.limit;
		if (store_tx(ctl->store, ctl_purge_tx, &p, err) != 0)
			return -1;
		/* Read no more ids than a chunk's time takes: double while
		 * chunks finish their ids, else what the last one did. */
		if (r->courses - before == limit)
			p.limit =
				limit * 2 < CTL_PURGE_CHUNK_ROWS ? limit * 2 : CTL_PURGE_CHUNK_ROWS;
		else if (r->courses - before > 32)
			p.limit = r->courses - before;
		if (!p.finished) {
			double ms = clock_elapsed_ms(&began);
			pause.tv_sec = (time_t)(ms / 1000);
			pause.tv_nsec = (long)((ms - (double)pause.tv_sec * 1000) * 1e6);
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

struct ctl_due {
	time_t now;
	int days;
	struct retention_result *r;
};

/* Counted inside a transaction, as the purge would see the courses;
 * nothing is written, so its COMMIT changes nothing. */
static int ctl_due_tx(struct store *store, void *arg, struct error *err)
{
	struct ctl_due *d = arg;

	return retention_count_due(store, d->now, d->days, d->r, err);
}

int cmd_purge(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = {{"dry-run", 'n', true, NULL}};
	struct retention_result r;
	struct ctl_args args;
	char before[CAL_DATE_LEN];
	struct error err;
	time_t now = time(NULL);
	bool dry_run;
	int rc;

	if ((rc = ctl_parse(ctl, argc, argv, opts, 1, 0, 0, &args)) != CTL_OK)
		return rc;
	dry_run = opts[0].value != NULL;
	/* retention.days and the time zone come from the configuration, even
	 * with --database. */
	if (ctl_config(ctl) != CTL_OK || ctl_store(ctl) != CTL_OK)
		return CTL_FAIL;
	if (dry_run) {
		struct ctl_due d = {now, ctl->config->retention_days, &r};

		if (store_tx(ctl->store, ctl_due_tx, &d, &err) != 0)
			return ctl_error(&err);
	} else if (ctl_purge_chunks(ctl, now, &r, &err) != 0) {
		return ctl_error(&err);
	}
	cal_day_format(r.before, before);
	printf("%s %zu course(s) closed or superseded before %s (retention.days = %d)\n",
	       dry_run ? "would anonymise" : "anonymised", r.courses, before,
	       ctl->config->retention_days);
	return CTL_OK;
}
