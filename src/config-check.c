/*
 * config-check.c - load mentord.conf and check its templates (config-check.h).
 */
#include "config-check.h"

#include <stddef.h>

#include "config.h"
#include "message.h"

int config_check(const char *path, struct config **out, struct message_templates **templates,
		 char **cause)
{
	struct message_templates *t;
	struct config *c;

	if (config_load(path, &c, cause) != 0)
		return -1;
	if (message_templates_load(c, &t, cause) != 0) {
		config_free(c);
		return -1;
	}
	if (templates != NULL)
		*templates = t;
	else
		message_templates_free(t);
	if (out != NULL)
		*out = c;
	else
		config_free(c);
	return 0;
}
