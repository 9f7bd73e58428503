/*
 * health.h - whether mentord is doing its work: the verdict of GET
 * /healthz and of mentorctl status (doc/operations, mentord(8)).
 *
 * Contract:
 *  - The verdict is "ok", or failing with one reason per check that
 *    fails, each {"check", "detail"}; a detail never names a citizen.
 *    The checks:
 *      database     the database does not answer a read;
 *      commits      a write transaction failed to begin or commit (disk
 *                   full, an I/O error, the write lock held too long) in
 *                   the last HEALTH_COMMIT_WINDOW_S seconds, or the last
 *                   one did;
 *      outbox_dead  the outbox holds dead letters an admin has to look at
 *                   (those the retention purge emptied do not count);
 *      outbox_age   its oldest pending row is older than
 *                   health.outbox_max_age seconds (0: not checked; nor
 *                   without a gateway, when rows wait by design);
 *      job          a daily job's last run failed, and no run of it has
 *                   succeeded since.
 *  - health_read() reads what the database knows, cheaply (every check is
 *    an index lookup, dead letters counted up to HEALTH_DEAD_CAP): all of
 *    it but failing commits, which only the daemon that saw them knows
 *    (health_add_writes), and job failures it could not record because
 *    the database failed (health_add_job).
 */
#ifndef MENTORD_HEALTH_H
#define MENTORD_HEALTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct store;
struct store_health;

#define HEALTH_COMMIT_WINDOW_S 60
#define HEALTH_DEAD_CAP 1000
#define HEALTH_MAX_REASONS 16

struct health_reason {
	char check[16];
	char job[32]; /* the job, for "job" */
	char detail[240];
};

struct health {
	bool database_ok;
	int schema_version;
	int64_t dead_letters; /* up to HEALTH_DEAD_CAP */
	bool pending;
	time_t oldest_pending; /* created_at of the oldest pending row */
	struct health_reason reasons[HEALTH_MAX_REASONS];
	size_t nreasons;
};

/* The database's part at now, with outbox_max_age_s from the
 * configuration. A database that cannot be read is a reason, not an
 * error. */
void health_read(struct store *store, int outbox_max_age_s, time_t now, struct health *h);
/* health.outbox_max_age as config says, 0 when no gateway is configured
 * (gateway.url empty: rows wait in the outbox until one is). */
int health_outbox_max_age(const struct config *config);
/* The daemon's own record of its write transactions. */
void health_add_writes(struct health *h, const struct store_health *writes);
/* A job failure known in memory (one already read from the database is
 * not added twice). */
void health_add_job(struct health *h, const char *job, time_t at, const char *error);
bool health_ok(const struct health *h);
/* [{"check", "detail", "job"?}, ...] */
json_t *health_reasons_json(const struct health *h);

#endif
