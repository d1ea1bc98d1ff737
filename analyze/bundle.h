/* SPDX-License-Identifier: MIT */
/*
 * bundle.h: evidence bundles. One zstd-compressed tar (libarchive) holding
 * recordings (under recordings/NAME/), the case database, the report, and
 * BUNDLE.json: the SHA-256 and size of every other file, and custody
 * metadata (who made it, when, on which host, with which tool, from which
 * recordings). BUNDLE.json.sig, when present, is an Ed25519 signature of
 * BUNDLE.json's bytes (64 bytes, raw), so the signature covers every file.
 *
 * verify recomputes every hash: a file changed, missing or added is named;
 * a damaged archive names the entry being read when the damage showed.
 * extract refuses absolute paths, "..", links that escape, device files,
 * and then verifies what it wrote.
 */
#ifndef TR_BUNDLE_H
#define TR_BUNDLE_H

#include <stddef.h>
#include <stdio.h>

#define TR_BUNDLE_MANIFEST "BUNDLE.json"
#define TR_BUNDLE_SIG "BUNDLE.json.sig"

struct tr_bundle_opts {
	const char *const *recordings;
	size_t nrecordings;
	const char *db;		/* NULL: none */
	const char *report;	/* an HTML file to add as report.html; NULL: none */
	const char *sign_key;	/* PEM Ed25519 private key; NULL: unsigned */
};

/* Write out (a .tar.zst, mode 0600, via out.tmp and rename). 0 or -errno
 * with a message in err. */
int tr_bundle__create(const char *out, const struct tr_bundle_opts *o, char *err, size_t errlen);

/* Verify the bundle file: each problem is one line on report ("changed:
 * PATH", "missing: PATH", "added: PATH", ...). 0 intact, 1 not intact,
 * -errno when it could not be read at all (message in err). */
int tr_bundle__verify(const char *bundle, const char *pubkey, FILE *report, char *err, size_t errlen);

/* Extract into dir (created, or empty), refusing unsafe entries, then
 * verify the files written. 0 intact, 1 not intact or refused (named on
 * report), -errno (message in err). */
int tr_bundle__extract(const char *bundle, const char *dir, const char *pubkey, FILE *report, char *err,
		       size_t errlen);

#endif /* TR_BUNDLE_H */
