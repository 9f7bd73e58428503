/*
 * api.h - what every API handler shares: who is asking, reading and
 * validating JSON fields, and answering errors the same way.
 *
 * Contract:
 *  - api_authenticate() answers 401 (with WWW-Authenticate: Bearer) or 403
 *    itself and returns -1; the handler then just returns. A request with
 *    an Authorization header is judged by its bearer token alone; one
 *    without, by its session cookie (api-session.h), CSRF checks included.
 *  - Bodies are read with the field readers of field.h; a 422 names every
 *    field they collected.
 *  - Nothing here changes the store.
 */
#ifndef MENTORD_API_H
#define MENTORD_API_H

#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "calendar.h"
#include "field.h"
#include "http.h"
#include "proxy.h"

struct store;

struct mentord;

#define API_ROLE(r) (1u << (r))
#define API_ANY_ROLE (API_ROLE(AUTH_PSYCHIATRY) | API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN))

int api_authenticate(struct mentord *m, struct evhttp_request *req, unsigned roles,
		     struct auth_identity *who);

/* 422 naming every collected field; consumes the list. */
void api_reply_invalid(struct evhttp_request *req, struct field_errors *errors, const char *detail);

/*
 * A request that reads or changes citizen data runs as a job: work() runs
 * inside the group commit's transaction (so its audit row and outbox rows
 * commit with it) and fills status and reply, or, to refuse, sets a
 * problem with api_job_fail() and returns -1 so its changes roll back.
 * The reply goes out only after COMMIT; the job is freed after replying.
 * A GET (or HEAD) is a read: its work() writes audit rows and nothing
 * else, and its COMMIT does not wait for the disk (group-commit.h); one
 * that changes any other row fails with 500, its rows rolled back.
 */
struct api_job;
typedef int (*api_work_fn)(struct api_job *job, struct store *store);
/* A route's check on the loop before its change goes to the writer
 * thread (api_discharges_prepare); -1 refuses at once, as api_job_fail. */
typedef int (*api_prepare_fn)(struct api_job *job);

struct api_job {
	struct mentord *m;
	struct evhttp_request *req;
	struct auth_identity who;
	/* Where the request came from (proxy.h), for its audit rows: the
	 * peer, or the client a trusted proxy names. "" when unknown. */
	char client_address[PROXY_ADDRESS_LEN];
	struct http_params params;
	json_t *body; /* the request body, or NULL */
	api_work_fn work;
	void *data;	 /* the handler's own state */
	size_t data_len; /* a raw body's length (api_route.media_type) */
	void (*free_data)(void *data);
	/* filled by work() */
	int status;
	json_t *reply;
	char location[128];
	char *set_cookie; /* a Set-Cookie header for a successful reply */
	/* NULL = JSON; "text/csv" with reply_text; another JSON type
	 * ("application/fhir+json") for reply. A work() that refuses with
	 * its own body sets status >= 400 and reply and returns -1 without
	 * api_job_fail(): that body is sent instead of a problem. */
	const char *content_type;
	char *reply_text;
	const struct http_error_format *errors; /* the route's (api_route) */
	char problem_title[64];
	char problem_detail[256];
	json_t *problem_errors;
	int audited; /* audit rows written by this run of work() */
	/* The course operations on the connection work() runs on: the
	 * writer thread's for a route with a prepare step (writer.h), else
	 * m->courses. */
	struct course_db *courses;
};

struct api_job *api_job_new(struct mentord *m, struct evhttp_request *req,
			    const struct auth_identity *who, const struct http_params *params,
			    json_t *body, api_work_fn work);
void api_job_submit(struct api_job *job);
/* Record a refusal; always returns -1 for "return api_job_fail(...)". */
int api_job_fail(struct api_job *job, int status, const char *title, const char *detail,
		 json_t *errors);
/* Refuse with a scheduling core error (404/409/422/500, naming the field). */
struct error;
int api_job_fail_sched(struct api_job *job, const struct error *err);
/* Refuse with a failure the client cannot mend (500), logging err's
 * message, whatever its kind. */
int api_job_fail_store(struct api_job *job, const struct error *err);
/* Write the audit row for this request (who, from where, what, which
 * course, why). */
/* The same at a time the caller read on the loop (api_route.prepare). */
int api_job_audit_at(struct api_job *job, struct store *store, time_t now, const char *action,
		     int64_t course_id, const char *purpose);
int api_job_audit(struct api_job *job, struct store *store, const char *action, int64_t course_id,
		  const char *purpose);

/* Whether the job's mentor stands in today for the mentor assigned to a
 * course: a call of it due by today is routed to their queue because the
 * assigned mentor does not work or is away today (doc/scheduling.md).
 * false on a store error, which is logged. */
bool api_job_stands_in(struct api_job *job, int64_t assigned, cal_day due);

/* Whether the job may reach course c at all, as its role allows: 0, or
 * -1 after a 403. A caseworker reaches only a course of a referral
 * programme they referred themselves (doc/programmes.md, "Who may do
 * what"); every route a caseworker calls on one course asks here, so
 * the rule is one. Other roles pass: their own rules follow. */
struct course;
int api_job_reaches_course(struct api_job *job, const struct course *c);

#define API_AUTHOR_LEN 64

/* The course operation a request makes: the configured rules and
 * messages, the clock's now, and its author ("mentor:3"), written into the
 * caller's author buffer, which must outlive op. */
struct course_op;
void api_job_course_op(struct api_job *job, char author[API_AUTHOR_LEN], struct course_op *op);

/* The author written to logs and audit: "admin:3" style (role:token id). */
void api_job_author(const struct api_job *job, char *buf, size_t size);

/*
 * A route of the API: who may call it, whether it takes a JSON body, and
 * the work to run as a job. api_route() does authentication (401/403),
 * body reading (400/413/415) and submits the job.
 */
#define API_FHIR_JSON "application/fhir+json"

enum api_body {
	API_BODY_NONE = 0, /* false */
	API_BODY_JSON = 1, /* true */
	API_BODY_FHIR = 2,
};

struct api_route {
	enum evhttp_cmd_type method;
	const char *pattern;
	unsigned roles;
	/* API_BODY_JSON (true): the body is a JSON object (application/json),
	 * read into job->body. API_BODY_FHIR: the body is checked to be
	 * application/fhir+json only and handed to work() as sent,
	 * NUL-terminated, in job->data (job->data_len bytes); the work reads
	 * it itself, and the refusals it does not write itself (the edge's
	 * 401, 403, 413, 415; a 503) are OperationOutcomes. */
	enum api_body body;
	api_work_fn work;
};

/* The prepare step of a route's work, or NULL; looked up by the work
 * when the routes are registered, so the route tables keep their shape.
 * Only the intake has one: prepare(job) reads and checks the request on
 * the loop, storing nothing; then work() applies it on the writer thread
 * (writer.h), where it may use only its store, job->courses and what
 * prepare() left in the job (not m->config nor m->clock, which the loop
 * changes). Without a writer, work() runs on the loop as any other. */
api_prepare_fn api_discharges_prepare(api_work_fn work);

/* A module's routes: each api-*.c exports one table (api-routes.h). */
struct api_routes {
	const struct api_route *routes;
	size_t count;
};

void api_register(struct mentord *m, const struct api_routes *table);

/* A date as "YYYY-MM-DD", or null for CAL_NO_DAY. */
json_t *api_day_json(cal_day day);
/* A course's state and next call after an operation (the reply of
 * outcome, contacts, resume and end). */
struct course_result;
json_t *api_course_result_json(const struct course_result *r);

/* A path parameter that must be a positive integer id. */
bool api_parse_id(const char *text, int64_t *out);
/* A query parameter of the request URI, or NULL. Caller frees the result. */
char *api_query_param(struct evhttp_request *req, const char *name);

/* ?programme= of the job's request: *out the programme it names, NULL
 * when absent; an id that is not configured is refused with a 422 naming
 * "programme" (-1). */
struct programme;
int api_programme_param(struct api_job *job, const struct programme **out);

/* 0 if errors is empty; else refuse with a 422 naming every collected
 * field (detail says what was refused) and return -1. Clears errors. */
int api_job_check(struct api_job *job, struct field_errors *errors, const char *detail);

/*
 * Lists that grow without bound (courses, the audit trail, the outbox) are
 * read a page at a time, so no reply holds the loop or the memory of a
 * whole table: ?after= an id (the rows above it; absent: from the start)
 * and ?limit= rows at most. The handler reads limit + 1 rows to know
 * whether another page follows; the reply's next_after is the last id of
 * the page, the after of the next one, or null on the last page. Paging by
 * id rather than an offset keeps every page exact while rows are added.
 */
#define API_PAGE_DEFAULT 100
#define API_PAGE_MAX 1000

/* ?after= (0 when absent) and ?limit= (API_PAGE_DEFAULT when absent) of
 * the job's request; each bad one is named in errors. */
void api_read_page(struct api_job *job, int64_t *after, size_t *limit, struct field_errors *errors);
/* The next_after of a page read as up to limit + 1 rows, each an object
 * with an "id": drops the extra row from list and returns the last id
 * that stays, or null when there was no extra row. */
json_t *api_page_next(json_t *list, size_t limit);

/* Up to limit rows with ids above after, in id order, as a JSON array of
 * objects with an "id" (a new reference in *rows); arg is the handler's. */
typedef int (*api_page_fn)(struct store *store, void *arg, int64_t after, size_t limit,
			   json_t **rows, struct error *err);
/* A list's page, the one way: ?after= and ?limit= join the problems the
 * handler collected in errors and are refused with them (422); read() is
 * asked for limit + 1 rows, the extra one only telling whether another
 * page follows; the reply is {name: the page, "next_after": ...}. A
 * failure of read() is refused as api_job_fail_sched() refuses it. */
int api_job_page(struct api_job *job, struct store *store, struct field_errors *errors,
		 const char *name, api_page_fn read, void *arg);
/* The same for rows whose id is the member key, not "id" (a list of
 * courses names each by "course_id"). */
int api_job_page_by(struct api_job *job, struct store *store, struct field_errors *errors,
		    const char *name, const char *key, api_page_fn read, void *arg);

#endif
