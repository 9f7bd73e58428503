/*
 * api-config.c - GET /v1/config/public (mentor, admin): the settings the
 * mentors' page words itself by (doc/api.md).
 *
 * Contract: only what a mentor may know and the page needs: the time
 * zone, the course window and plan, the programmes by name, which
 * messages citizens get, the
 * municipality's name as citizens see it, and the crisis procedure and
 * numbers (mentord.conf(5), "crisis"). Never the gateway, tokens, paths,
 * the database, or the phone number concerns are sent to (only whether
 * there is one). No citizen data, so nothing is audited.
 */
#include "api-routes.h"

#include "api.h"
#include "config.h"
#include "mentord.h"

/* The programmes by id and name, in the order configured (doc/programmes.md). */
static json_t *programmes_json(const struct programme_set *set)
{
	json_t *list = json_array();

	for (size_t i = 0; i < set->count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", set->list[i].id,
						      "name", set->list[i].name, "intake",
						      programme_intake_name(set->list[i].intake)));
	return list;
}

static json_t *public_config_json(const struct config *c)
{
	const struct schedule_rules *r = &c->schedule;
	json_t *plan = json_array(), *numbers = json_array();

	for (size_t i = 0; i < r->plan_count; i++)
		json_array_append_new(plan, json_integer(r->plan_days[i]));
	for (int i = 0; i < c->crisis_nnumbers; i++)
		json_array_append_new(numbers,
				      json_pack("{s:s, s:s}", "label", c->crisis_numbers[i].label,
						"phone", c->crisis_numbers[i].phone));
	return json_pack("{s:s, s:s, s:i, s:o, s:i, s:i, s:{s:b, s:b, s:b}, s:{s:s, s:o, s:b}}",
			 "timezone", c->timezone, "municipality", c->messages_sender_label,
			 "window_months", r->window_months, "plan_days", plan, "min_gap_days",
			 r->min_gap_days, "retry_attempts", r->retry_attempts, "messages",
			 "welcome", c->messages_welcome != 0, "unreached",
			 c->messages_unreached != 0, "closing", c->messages_closing != 0, "crisis",
			 "procedure", c->crisis_procedure, "numbers", numbers, "notify",
			 c->crisis_notify_phone[0] != '\0');
}

static int public_work(struct api_job *job, struct store *store)
{
	(void)store;
	job->reply = public_config_json(job->m->config);
	json_object_set_new(job->reply, "programmes", programmes_json(&job->m->config->programmes));
	return 0;
}

static const struct api_route routes[] = {
	{EVHTTP_REQ_GET, "/v1/config/public", API_ROLE(AUTH_MENTOR) | API_ROLE(AUTH_ADMIN), false,
	 public_work},
};

const struct api_routes api_config_routes = {routes, sizeof routes / sizeof routes[0]};
