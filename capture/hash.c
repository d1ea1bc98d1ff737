// SPDX-License-Identifier: MIT
/* hash.c: SHA-256 through libcrypto's EVP interface (capture/hash.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hash.h"

int cap_sha256__init(struct cap_sha256 *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		cap_sha256__free(h);
		return -EIO;
	}
	return 0;
}

int cap_sha256__update(struct cap_sha256 *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->ctx, p, n) ? 0 : -EIO;
}

int cap_sha256__final(struct cap_sha256 *h, uint8_t md[32])
{
	unsigned int len = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &len) && len == 32;

	cap_sha256__free(h);
	return ok ? 0 : -EIO;
}

void cap_sha256__free(struct cap_sha256 *h)
{
	if (h && h->ctx) {
		EVP_MD_CTX_free(h->ctx);
		h->ctx = NULL;
	}
}

void cap_sha256__hex(const uint8_t md[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = 0;
}

int cap_sha256__file(const char *path, char hex[65], uint64_t *size)
{
	struct cap_sha256 h;
	uint8_t buf[65536], md[32];
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = cap_sha256__init(&h);
	*size = 0;
	while (!err && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		*size += (uint64_t)n;
		err = cap_sha256__update(&h, buf, (size_t)n);
	}
	close(fd);
	if (err) {
		cap_sha256__free(&h);
		return err;
	}
	err = cap_sha256__final(&h, md);
	if (!err)
		cap_sha256__hex(md, hex);
	return err;
}
