/*
 * sha256.c - SHA-256 from OpenSSL's libcrypto, fetched once (sha256.h).
 */
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>

static void __attribute__((noreturn)) sha256_abort(const char *what)
{
	fprintf(stderr, "mentord: %s\n", what);
	abort();
}

const EVP_MD *sha256_md(void)
{
	/* A cache of an immutable library object, not state: mentord has one
	 * thread, and a second fetch would only return the same algorithm. */
	static EVP_MD *md;

	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		sha256_abort("OpenSSL has no SHA-256");
	return md;
}

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int outlen = SHA256_LEN;

	if (EVP_Digest(data, len, out, &outlen, sha256_md(), NULL) != 1)
		sha256_abort("SHA-256 failed");
}
