/* SPDX-License-Identifier: MIT */
/* hash.h: SHA-256 with libcrypto's EVP, streamed, for pcaps and artifacts. */
#ifndef TR_CAPTURE_HASH_H
#define TR_CAPTURE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct cap_sha256 {
	void *ctx;	/* EVP_MD_CTX */
};

int cap_sha256__init(struct cap_sha256 *h);
int cap_sha256__update(struct cap_sha256 *h, const void *p, size_t n);
/* The digest (32 bytes); frees the context. 0 or -EIO. */
int cap_sha256__final(struct cap_sha256 *h, uint8_t md[32]);
/* Free without a digest. NULL context is fine. */
void cap_sha256__free(struct cap_sha256 *h);
/* 64 lowercase hex digits and a NUL. */
void cap_sha256__hex(const uint8_t md[32], char hex[65]);
/* SHA-256 and size of the file at path. 0 or -errno. */
int cap_sha256__file(const char *path, char hex[65], uint64_t *size);

#endif /* TR_CAPTURE_HASH_H */
