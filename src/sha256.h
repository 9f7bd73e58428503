/*
 * sha256.h - SHA-256 from OpenSSL's libcrypto, fetched once.
 *
 * Contract: sha256_md() is the SHA-256 implementation of the default
 * provider, fetched on first use and kept for the life of the process
 * (OpenSSL releases it at exit). Passing it to EVP_Digest*() skips the
 * implicit fetch EVP_sha256() costs on every call, which was a third of a
 * token check. It never returns NULL: without SHA-256 mentord can neither
 * check a token nor recognise a repeated notification, so it aborts.
 * sha256() hashes one buffer.
 */
#ifndef MENTORD_SHA256_H
#define MENTORD_SHA256_H

#include <openssl/evp.h>
#include <stddef.h>

#define SHA256_LEN 32

const EVP_MD *sha256_md(void);
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
