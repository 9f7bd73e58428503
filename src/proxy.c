/*
 * proxy.c - the client address of a request (proxy.h).
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "xmalloc.h"

/* One address of len bytes at text, nothing around it: "192.0.2.1",
 * "2001:db8::1". IPv4-mapped IPv6 becomes the IPv4 address it maps, so a
 * dual-stack socket's peers compare with the IPv4 entries. */
static int parse_ip(const char *text, size_t len, struct proxy_net *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char buf[PROXY_ADDRESS_LEN];

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return -1;
	if (memcmp(out->addr, mapped, sizeof mapped) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->prefix = 32;
		return 0;
	}
	out->family = AF_INET6;
	out->prefix = 128;
	return 0;
}

/* Whether the first bits bits of a and b are the same. */
static bool same_bits(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	return rest == 0 || ((a[bytes] ^ b[bytes]) & mask) == 0;
}

int proxy_net_parse(const char *text, struct proxy_net *net)
{
	const char *slash = strchr(text, '/');
	struct proxy_net n;
	uint8_t masked[16];
	int prefix;

	if (slash == NULL)
		return parse_ip(text, strlen(text), net);
	/* One to three digits and nothing else: atoi alone would take
	 * signs, spaces and trailing text. */
	if (strlen(slash + 1) < 1 || strlen(slash + 1) > 3 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return -1;
	prefix = atoi(slash + 1);
	if (parse_ip(text, (size_t)(slash - text), &n) != 0)
		return -1;
	/* A mapped network ("::ffff:10.0.0.0/104") became IPv4. */
	if (n.family == AF_INET && memchr(text, ':', (size_t)(slash - text)) != NULL)
		prefix -= 96;
	if (prefix < 0 || prefix > n.prefix)
		return -1;
	/* Host bits below the prefix ("10.0.0.1/8") are more likely a typing
	 * error than a network: refused, not silently masked. */
	memcpy(masked, n.addr, sizeof masked);
	for (int bit = prefix; bit < n.prefix; bit++)
		masked[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	if (memcmp(masked, n.addr, sizeof masked) != 0)
		return -1;
	n.prefix = prefix;
	*net = n;
	return 0;
}

int proxy_trust_add(struct proxy_trust *trust, const char *text)
{
	struct proxy_net net;

	if (trust->count >= PROXY_MAX_TRUSTED || proxy_net_parse(text, &net) != 0)
		return -1;
	trust->nets[trust->count++] = net;
	return 0;
}

static bool trusted(const struct proxy_trust *trust, const struct proxy_net *a)
{
	for (size_t i = 0; trust != NULL && i < trust->count; i++)
		if (trust->nets[i].family == a->family &&
		    same_bits(trust->nets[i].addr, a->addr, trust->nets[i].prefix))
			return true;
	return false;
}

static void format(const struct proxy_net *a, char out[PROXY_ADDRESS_LEN])
{
	if (inet_ntop(a->family, a->addr, out, PROXY_ADDRESS_LEN) == NULL)
		out[0] = '\0';
}

/* Optional whitespace around list elements (RFC 9110, 5.6.1). */
static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Every entry of the list, left to right, into *entries; -1 if any is not
 * a plain address. Empty entries are malformed too: a list that lost an
 * address is not to be read from the right.
 */
static int parse_list(const char *list, struct proxy_net **entries, size_t *count)
{
	const char *p = list, *start, *end;
	size_t n = 1;

	for (const char *c = list; *c != '\0'; c++)
		n += *c == ',';
	*entries = xcalloc(n, sizeof **entries);
	*count = 0;
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		start = p;
		while (start < end && ows(*start))
			start++;
		while (end > start && ows(end[-1]))
			end--;
		if (parse_ip(start, (size_t)(end - start), &(*entries)[*count]) != 0)
			goto fail;
		(*count)++;
		p = strchr(p, ',');
		if (p == NULL)
			return 0;
		p++;
	}
fail:
	free(*entries);
	*entries = NULL;
	*count = 0;
	return -1;
}

void proxy_client_address(const struct proxy_trust *trust, const char *peer,
			  const char *forwarded_for, char out[PROXY_ADDRESS_LEN])
{
	struct proxy_net from, *entries;
	size_t count, i;

	out[0] = '\0';
	if (peer == NULL || parse_ip(peer, strlen(peer), &from) != 0)
		return;
	format(&from, out);
	if (forwarded_for == NULL || !trusted(trust, &from) ||
	    parse_list(forwarded_for, &entries, &count) != 0)
		return;
	for (i = count; i > 1 && trusted(trust, &entries[i - 1]); i--)
		;
	format(&entries[i - 1], out);
	free(entries);
}

void proxy_headers_client(const struct proxy_trust *trust, const char *peer,
			  const struct evkeyvalq *headers, char out[PROXY_ADDRESS_LEN])
{
	const struct evkeyval *h;
	char *list = NULL, *joined;

	TAILQ_FOREACH (h, headers, next) {
		if (strcasecmp(h->key, "X-Forwarded-For") != 0)
			continue;
		if (list == NULL) {
			list = xstrdup(h->value);
		} else {
			xasprintf(&joined, "%s,%s", list, h->value);
			free(list);
			list = joined;
		}
	}
	proxy_client_address(trust, peer, list, out);
	free(list);
}

void proxy_request_client(const struct proxy_trust *trust, struct evhttp_request *req,
			  char out[PROXY_ADDRESS_LEN])
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *peer = NULL;
	ev_uint16_t port;

	if (conn != NULL)
		evhttp_connection_get_peer(conn, &peer, &port);
	proxy_headers_client(trust, peer, evhttp_request_get_input_headers(req), out);
}

bool proxy_trusts(const struct proxy_trust *trust, const char *peer)
{
	struct proxy_net a;

	return peer != NULL && parse_ip(peer, strlen(peer), &a) == 0 && trusted(trust, &a);
}

bool proxy_request_peer_trusted(const struct proxy_trust *trust, struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *peer = NULL;
	ev_uint16_t port;

	if (conn == NULL)
		return false;
	evhttp_connection_get_peer(conn, &peer, &port);
	return proxy_trusts(trust, peer);
}
