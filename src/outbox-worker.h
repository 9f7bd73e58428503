/*
 * outbox-worker.h - sends the outbox to the messaging gateway (doc/gateway.md), on the daemon's loop.
 *
 * Contract:
 *  - The store is the queue. A row is pending until a committed change
 *    says sent or dead; nothing about a send survives only in memory. A
 *    row that was on the wire when the process died is sent again after
 *    a restart with the same Idempotency-Key (its outbox key), which the
 *    gateway answers 2xx or 409: delivered, not doubled.
 *  - Due rows (next_attempt_at <= clock_now(), oldest first, a course's
 *    rows of one kind strictly in order: outbox_due) are read in chunks
 *    of at most OUTBOX_WORKER_CHUNK per loop turn from a re-armed zero
 *    timer, looking at no more than OUTBOX_WORKER_SCAN pending rows per
 *    turn, and handed to the gateway client while fewer than twice
 *    gateway.max_in_flight plus two chunks are unsettled (the gateway
 *    client puts no more than max_in_flight on the wire; the rest wait
 *    there, so each COMMIT of results settles many), and a pass goes on
 *    after the last row it looked at, so a backlog of any size (after
 *    an outage, at start, rows waiting for their retry) never holds the
 *    loop (OpenSMTPD's queue re-feed).
 *  - The worker looks for work when a row is added (outbox_set_notify:
 *    after the adding transaction, never inside it), when a send settles,
 *    when kicked (the test clock moved), at the next stored retry time and
 *    at least every OUTBOX_WORKER_POLL_S seconds (mentorctl requeues dead
 *    letters from another process).
 *  - A row from the moment it is handed to the gateway until its result
 *    is committed is in flight: the outbox does not withdraw it
 *    (outbox_set_in_flight), since the gateway may take it all the same.
 *  - Results (gateway.h): delivered (2xx, 409) -> sent, and the course log
 *    gets "message_delivered" or "call_task_delivered" with the outbox id;
 *    permanent (other 4xx) -> dead at once; transient (5xx, timeout,
 *    connection) -> due again after gateway_backoff_delay() (the attempt
 *    number of the current failure run; a Retry-After is a lower bound, up
 *    to backoff_max), or dead once the run has lasted give_up_hours. Dead
 *    letters are logged at warning level and the course log gets
 *    "message_failed" / "call_task_failed". Each result is one change,
 *    committed with the group commit's reads (a COMMIT that does not
 *    wait for the disk) and gathered with other results for up to
 *    GROUP_COMMIT_LATER_MS (group_commit_submit_later): should the machine crash before the disk has it,
 *    the row is pending again and sent again under the same key, which
 *    the gateway takes as a repeat; the loop need not wait for an fsync
 *    per handful of sends. The row is not read again before that
 *    change is committed. A cancelled send (shutdown, gateway removed on
 *    reload) leaves the row pending.
 *  - Decisions use clock_now() (the test clock, when set); network
 *    timeouts are real time.
 *  - Messages are rendered when sent (message_build), from the payload's
 *    facts plus the course's mentor and the referred offers as the store
 *    has them then, with the templates and sender in force then. A row
 *    that cannot be rendered (a payload that is not what mentord writes)
 *    is dead-lettered.
 *  - With gateway.url empty there is no gateway: rows wait.
 *  - Errors: making and configuring the worker (start-up, reload) report
 *    a cause; what fails while sending is logged and settled on the row.
 */
#ifndef MENTORD_OUTBOX_WORKER_H
#define MENTORD_OUTBOX_WORKER_H

#include <stddef.h>

struct config;
struct mentord;
struct outbox_worker;

#define OUTBOX_WORKER_CHUNK 64
/* Pending rows one pass looks at per loop turn at most. */
#define OUTBOX_WORKER_SCAN 1024
#define OUTBOX_WORKER_POLL_S 5

/* Since start, for /metrics and mentorctl status. */
struct outbox_worker_stats {
	unsigned long long delivered;
	unsigned long long retried; /* transient failures, rescheduled */
	unsigned long long dead;    /* dead-lettered */
	size_t in_flight;	    /* rows handed to the gateway, not yet settled */
	int gateway;		    /* 1 if a gateway is configured */
};

/* m's base, store, outbox, commits, clock, courses, mentors, config and
 * templates must be set up and outlive the worker's use of them;
 * m->commits and m->outbox must outlive the worker itself. */
struct outbox_worker *outbox_worker_new(struct mentord *m, char **cause);
/* Apply config's gateway settings (start and SIGHUP, before the config is
 * swapped in): creates, changes or removes the gateway client. config
 * comes from config_check(), which judged the token file and CA path and
 * read the token. On -1 nothing changed. */
int outbox_worker_configure(struct outbox_worker *w, const struct config *config, char **cause);
/* Look for due rows soon (from the loop, never now). */
void outbox_worker_kick(struct outbox_worker *w);
/* Call cb(arg) once, from the loop, when the worker's first pass has got
 * going: its first send has settled (whatever the outcome), or it found
 * nothing due, or there is no gateway, or the store failed it. The daemon
 * holds the daily jobs back until then, so what waited in the outbox
 * while mentord was down goes out before a job's first chunk. */
void outbox_worker_on_started(struct outbox_worker *w, void (*cb)(void *arg), void *arg);
void outbox_worker_get_stats(const struct outbox_worker *w, struct outbox_worker_stats *stats);
/* Cancels sends on the wire (their rows stay pending); results already
 * received still go to the group commit, so free the worker before it. */
void outbox_worker_free(struct outbox_worker *w);

#endif
