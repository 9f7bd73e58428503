/*
 * api-outbox.h - GET /v1/outbox (admin): what is queued for the messaging
 * gateway, and its dead letters (doc/gateway.md); POST
 * /v1/outbox/{id}/retry (admin) sends a dead letter again.
 *
 * Contract: ?state=pending|sent|dead filters (absent: every row); any
 * other state is 422 naming "state". Rows come without their payloads
 * (outbox.h), so the listing names no citizen and writes no audit row.
 * A retry is outbox_retry(), as `mentorctl outbox retry`: 404 for no such
 * row, 409 for a row that is not dead; it is audited on the row's course
 * and answers the row as it is now (pending).
 */
#ifndef MENTORD_API_OUTBOX_H
#define MENTORD_API_OUTBOX_H

struct mentord;

void api_outbox_register(struct mentord *m);

#endif
