/*
 * metrics.h - GET /metrics in the Prometheus text exposition format
 * (version 0.0.4).
 *
 * Contract:
 *  - Only counts and timings: no citizen, and requests are labelled by
 *    route pattern ("/v1/courses/{id}"), never by path.
 *  - A request from a loopback client (127.0.0.0/8, ::1) needs no token,
 *    so a scraper on the host needs no secret; from anywhere else the
 *    admin token is required (401/403 as for every route). The client is
 *    the one a trusted proxy names (proxy.h, listen.trusted_proxies): a
 *    proxy on this host that is not configured as trusted makes everyone
 *    it forwards local.
 *  - Counters kept in memory (requests, commits) start at zero with the
 *    process; counts of rows (courses, calls, outbox) are read from the
 *    store at scrape time, from counts the store keeps as rows change
 *    (row_counts), so a scrape does not grow with the tables. A counter
 *    read from the store never goes down (its count only grows: a
 *    correction or a reset of rows is in a gauge); a decrease would read
 *    as a restart. If the store cannot be read the reply is 500.
 */
#ifndef MENTORD_METRICS_H
#define MENTORD_METRICS_H

#include <stddef.h>

struct mentord;

void metrics_register(struct mentord *m);
/* The SQL of the i-th family read from the store, NULL past the last: for
 * the test that checks each one's query plan. */
const char *metrics_family_sql(size_t i);

#endif
