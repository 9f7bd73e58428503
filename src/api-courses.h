/*
 * api-courses.h - /v1/courses: a course with its recovery-oriented log,
 * lists by state and mentor, and the coordinator's and mentor's actions on
 * a course (inbound contact, resume, end). Also GET /v1/audit.
 *
 * Contract: a mentor sees and acts on their own citizens' courses only;
 * every read of a course writes an audit row in the same transaction.
 */
#ifndef MENTORD_API_COURSES_H
#define MENTORD_API_COURSES_H

struct mentord;

void api_courses_register(struct mentord *m);

#endif
