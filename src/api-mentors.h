/*
 * api-mentors.h - /v1/mentors: the coordinator manages the mentors, their
 * working days, absences and whether they take new courses (admin only).
 */
#ifndef MENTORD_API_MENTORS_H
#define MENTORD_API_MENTORS_H

struct mentord;

void api_mentors_register(struct mentord *m);

#endif
