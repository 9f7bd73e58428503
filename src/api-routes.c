/*
 * api-routes.c - binding every route of the API (api-routes.h).
 */
#include "api-routes.h"

#include "api-session.h"

static const struct api_routes *const api_tables[] = {
	&api_discharges_routes, &api_calls_routes,  &api_courses_routes,   &api_mentors_routes,
	&api_offers_routes,	&api_outbox_routes, &api_reports_routes,   &api_config_routes,
	&api_concerns_routes,	&api_fhir_routes,   &api_referrals_routes, &api_mentor_time_routes,
};

void api_routes_register(struct mentord *m)
{
	api_system_register(m);
	for (size_t i = 0; i < sizeof api_tables / sizeof api_tables[0]; i++)
		api_register(m, api_tables[i]);
	api_session_register(m);
}
