/*
 * api-calls.h - the mentor's day: GET /v1/queue and
 * POST /v1/calls/{id}/outcome.
 *
 * Contract: a mentor sees only the calls routed to them and records
 * outcomes only of calls of their own citizens or routed to them today;
 * an admin may act for any mentor. Every citizen shown is written to the
 * audit log in the same transaction as the read.
 */
#ifndef MENTORD_API_CALLS_H
#define MENTORD_API_CALLS_H

struct mentord;

void api_calls_register(struct mentord *m);

#endif
