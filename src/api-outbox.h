/*
 * api-outbox.h - GET /v1/outbox (admin): what is queued for the messaging
 * gateway, and its dead letters (doc/gateway.md).
 *
 * Contract: ?state=pending|sent|dead filters (absent: every row); any
 * other state is 422 naming "state". Rows come without their payloads
 * (outbox.h), so the listing names no citizen and writes no audit row.
 */
#ifndef MENTORD_API_OUTBOX_H
#define MENTORD_API_OUTBOX_H

struct mentord;

void api_outbox_register(struct mentord *m);

#endif
