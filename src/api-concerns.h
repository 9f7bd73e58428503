/*
 * api-concerns.h - GET /v1/concerns and POST /v1/concerns/{id}/handled
 * (admin): the coordinators' list of concerns for citizens' safety, and
 * marking one followed up (concern.h, doc/api.md).
 *
 * Contract: ?state=open (the default), handled or all; paged by ?after=
 * and ?limit= (api.h). Each row names the citizen, so each listed row is
 * an audit row for its course. Handling logs "concern_handled" in the
 * course log and is audited; 404 for an unknown concern, 409 for one
 * already handled.
 */
#ifndef MENTORD_API_CONCERNS_H
#define MENTORD_API_CONCERNS_H

struct mentord;

void api_concerns_register(struct mentord *m);

#endif
