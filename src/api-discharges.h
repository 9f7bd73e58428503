/*
 * api-discharges.h - POST /v1/discharges, psychiatry's one way in.
 *
 * Contract: a valid, consented notification becomes a course with its first
 * call and mentor (201, Location /v1/courses/{id}); the same notification
 * again gives the same answer with 200; the same notification_id with other
 * content is 409; anything invalid is 422 naming every bad field and
 * stores nothing. The reply is sent only after the COMMIT.
 */
#ifndef MENTORD_API_DISCHARGES_H
#define MENTORD_API_DISCHARGES_H

struct mentord;

void api_discharges_register(struct mentord *m);

#endif
