/*
 * api-reports.h - GET /v1/reports/summary (admin): the key figures of a
 * period (report.h), as JSON or, with Accept: text/csv, as CSV.
 *
 * Contract: ?from= and ?to= are inclusive local dates "YYYY-MM-DD"; from
 * defaults to no lower bound, to to today. A bad date, or from after to,
 * is 422 naming the field. The reply names no citizen, so reading it
 * writes no audit row.
 */
#ifndef MENTORD_API_REPORTS_H
#define MENTORD_API_REPORTS_H

struct mentord;

void api_reports_register(struct mentord *m);

#endif
