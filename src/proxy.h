/*
 * proxy.h - the client address of a request, behind a reverse proxy or
 * not (doc/tls-proxy.md).
 *
 * Why: a TLS-terminating proxy on this host (contrib/nginx/mentord.conf)
 * makes every connection come from loopback. The proxy names the real
 * client in X-Forwarded-For; anyone else could send that header too, so it
 * is believed only from a configured proxy (listen.trusted_proxies).
 *
 * Contract:
 *  - The trusted proxies are addresses ("127.0.0.1", "::1") or networks
 *    ("10.0.0.0/8", "fd00::/8"). An IPv4-mapped IPv6 address (a dual-stack
 *    socket's "::ffff:127.0.0.1") is the IPv4 address it maps, everywhere.
 *    None configured: nobody is trusted and the header is never read.
 *  - The client address of a request is its peer's address unless the peer
 *    is a trusted proxy and sent X-Forwarded-For. Then it is the right-most
 *    address of that list that is not itself a trusted proxy (each proxy
 *    appends the address it was connected from, so the entries left of
 *    the first untrusted one are whatever that client chose to send); or
 *    the left-most, if every entry is a trusted proxy. Several
 *    X-Forwarded-For headers are one list, in order (RFC 9110, 5.3).
 *  - A header that is not a comma-separated list of plain IP addresses
 *    (empty entries, ports, names, "unknown") is ignored as a whole: the
 *    client address is then the peer's.
 *  - The result is the address in its canonical text form (inet_ntop), at
 *    most PROXY_ADDRESS_LEN - 1 characters; a peer that is no IP address
 *    (a Unix socket) gives "".
 */
#ifndef MENTORD_PROXY_H
#define MENTORD_PROXY_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* INET6_ADDRSTRLEN: "ffff:ffff:...:255.255.255.255" and its NUL. */
#define PROXY_ADDRESS_LEN 46
#define PROXY_MAX_TRUSTED 32

struct proxy_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int prefix; /* bits that must match: 32 or 128 for one address */
};

struct proxy_trust {
	size_t count;
	struct proxy_net nets[PROXY_MAX_TRUSTED];
};

/* "192.0.2.1", "2001:db8::1", "10.0.0.0/8" or "fd00::/8"; -1 on anything
 * else, or when host bits are set below the prefix ("10.0.0.1/8" is most
 * likely a typing error). */
int proxy_net_parse(const char *text, struct proxy_net *net);
/* Append one parsed entry; -1 when it does not parse or the list is full. */
int proxy_trust_add(struct proxy_trust *trust, const char *text);

/* The client address of a request from peer (its connection's address as
 * text, may be NULL) with X-Forwarded-For forwarded_for (NULL: none). */
void proxy_client_address(const struct proxy_trust *trust, const char *peer,
			  const char *forwarded_for, char out[PROXY_ADDRESS_LEN]);
/* The same from a peer and a request's headers, every X-Forwarded-For
 * among them. */
void proxy_headers_client(const struct proxy_trust *trust, const char *peer,
			  const struct evkeyvalq *headers, char out[PROXY_ADDRESS_LEN]);
/* The same for a live request: its connection's peer, its headers. */
void proxy_request_client(const struct proxy_trust *trust, struct evhttp_request *req,
			  char out[PROXY_ADDRESS_LEN]);

#endif
