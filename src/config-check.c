/*
 * config-check.c - load mentord.conf and check its templates (config-check.h).
 */
#include "config-check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "gateway.h"
#include "message.h"

/* An empty path would open a temporary database SQLite deletes at close. */
static int check_database(const struct config *c, char **cause)
{
	if (c->database[0] == '\0')
		return config_setting_error(cause, c, "database", "must not be empty");
	return 0;
}

/* A host name as RFC 1123 has it; one of digits and dots alone
 * ("999.1.1.1") is a mistyped address, not a name. */
static bool hostname_valid(const char *name)
{
	size_t len = strlen(name), label = 0;
	bool letter = false;

	if (len == 0 || len > 253)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			letter = false;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-') {
			if ((*p == '-' && label == 0) || ++label > 63)
				return false;
			letter = true;
		} else if (*p >= '0' && *p <= '9') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && name[len - 1] != '-' && letter;
}

/* evhttp binds what getaddrinfo() makes of the address (AI_PASSIVE,
 * AI_ADDRCONFIG), so a host name it resolves ("localhost") is as good
 * as an IPv4 or IPv6 address; the name is resolved here with the same
 * hints so start-up does not find out later. */
static int check_listen_address(const struct config *c, char **cause)
{
	const char *a = c->listen_address;
	struct addrinfo hints = {0}, *res = NULL;
	unsigned char buf[sizeof(struct in6_addr)];
	int rc;

	if (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1)
		return 0;
	if (!hostname_valid(a))
		return config_setting_error(cause, c, "listen.address",
					    "\"%s\" is not an IPv4 or IPv6 address or a host"
					    " name",
					    a);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
	rc = getaddrinfo(a, NULL, &hints, &res);
	if (rc != 0)
		return config_setting_error(cause, c, "listen.address", "cannot resolve \"%s\": %s",
					    a, gai_strerror(rc));
	freeaddrinfo(res);
	return 0;
}

/* The gateway's files are read here, as mentord's user, so -t and
 * check-config refuse what start and reload would: the token is kept
 * for the outbox worker (outbox-worker.h), so the file judged is the one
 * used. Unused while gateway.url is empty. */
static int check_gateway(struct config *c, char **cause)
{
	struct stat sb;
	char *why = NULL;

	if (c->gateway_url[0] == '\0')
		return 0;
	if (c->gateway_token_file[0] != '\0' &&
	    gateway_load_token(c->gateway_token_file, &c->gateway_token, &why) != 0) {
		config_setting_error(cause, c, "gateway.token_file", "%s", why);
		free(why);
		return -1;
	}
	if (c->gateway_ca_path[0] == '\0')
		return 0;
	if (stat(c->gateway_ca_path, &sb) != 0 || access(c->gateway_ca_path, R_OK) != 0)
		return config_setting_error(cause, c, "gateway.ca_path", "%s: %s",
					    c->gateway_ca_path, strerror(errno));
	if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
		return config_setting_error(cause, c, "gateway.ca_path",
					    "%s: neither a file nor a directory",
					    c->gateway_ca_path);
	return 0;
}

int config_check(const char *path, struct config **out, struct message_templates **templates,
		 char **cause)
{
	struct message_templates *t;
	struct config *c;

	if (config_load(path, &c, cause) != 0)
		return -1;
	if (check_database(c, cause) != 0 || check_listen_address(c, cause) != 0 ||
	    check_gateway(c, cause) != 0 || message_templates_load(c, &t, cause) != 0) {
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
