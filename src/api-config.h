/*
 * api-config.h - GET /v1/config/public (mentor, admin): the settings the
 * mentors' page words itself by (doc/api.md).
 *
 * Contract: only what a mentor may know and the page needs: the time
 * zone, the course window and plan, which messages citizens get, the
 * municipality's name as citizens see it, and the crisis procedure and
 * numbers (mentord.conf(5), "crisis"). Never the gateway, tokens, paths,
 * the database, or the phone number concerns are sent to (only whether
 * there is one). No citizen data, so nothing is audited.
 */
#ifndef MENTORD_API_CONFIG_H
#define MENTORD_API_CONFIG_H

#include <jansson.h>

struct config;
struct mentord;

/* The reply's JSON for a configuration; a new reference. */
json_t *api_config_public_json(const struct config *config);

void api_config_register(struct mentord *m);

#endif
