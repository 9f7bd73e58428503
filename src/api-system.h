/*
 * api-system.h - routes about the daemon itself: /healthz and the test clock.
 *
 * Contract: GET /healthz needs no token and says nothing about citizens:
 * version, uptime, whether the database answers, and the verdict of
 * health.h: 200 "ok", or 503 with every reason ("unavailable" when the
 * database does not answer, else "unhealthy").
 * PUT /v1/test/clock is registered only when the clock is in test mode, so
 * without --test-clock it is a plain 404.
 */
#ifndef MENTORD_API_SYSTEM_H
#define MENTORD_API_SYSTEM_H

struct mentord;

void api_system_register(struct mentord *m);

#endif
