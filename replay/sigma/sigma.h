/* SPDX-License-Identifier: MIT */
/*
 * sigma.h: Sigma rules for Linux (SigmaHQ's YAML format), loaded with
 * libyaml, compiled once, and run as signatures (one tr_signature per
 * rule, so findings carry the rule's id, title, level and tags).
 *
 * Supported: logsource product linux (or none) with category
 * process_creation (sched_process_exec), file_event (a file created: an
 * open with O_CREAT, a rename onto it, magic_write), file_delete (unlink),
 * file_rename (SourceFilename -> TargetFilename) and network_connection
 * (connect to an inet address). Fields: Image, OriginalFileName (the
 * image's name), CommandLine, ParentImage, ParentCommandLine, User (root
 * for uid 0, else the uid), LogonId (the uid), CurrentDirectory, ProcessId,
 * ParentProcessId, TargetFilename, SourceFilename, DestinationIp,
 * DestinationPort, DestinationHostname, SourceIp, SourcePort, Initiated,
 * Protocol. Modifiers: contains, startswith, endswith, all, re (PCRE2;
 * with i, m, s), cidr, base64, base64offset, windash, exists, lt, lte, gt,
 * gte, cased. Values: strings with * and ? wildcards (\ escapes them),
 * case-insensitive unless cased; lists (or; and with all); null (the field
 * is absent or empty); numbers. Conditions: and, or, not, brackets,
 * "1 of X*", "all of X*", "1 of them", "all of them" (identifiers starting
 * with _ left out of "them"), a list of conditions (or).
 *
 * Refused, each rule with its reason (never silently): other products,
 * services and categories, fields and modifiers not above (expand needs
 * placeholders we do not have; utf16/wide are Windows encodings),
 * keyword (full-text) searches, aggregations ("| count() by"), near,
 * timeframe, rule collections (several YAML documents), invalid YAML.
 */
#ifndef TR_SIGMA_H
#define TR_SIGMA_H

#include <stddef.h>
#include <stdio.h>

#include "signature.h"

struct tr_sigma;

struct tr_sigma *tr_sigma__new(void);
/* A rule file, or every *.yml / *.yaml under a directory (recursively, in
 * name order). Refused rules are counted with their reason and reported
 * through warn (file, reason); the return is 0 unless path cannot be read
 * at all (-errno, message in err). */
int tr_sigma__load(struct tr_sigma *s, const char *path, void (*warn)(void *ctx, const char *file,
		   const char *reason), void *ctx, char *err, size_t errlen);
/* One rule from memory (the fuzz target's entry): 0 loaded, 1 refused
 * (reason in err), -ENOMEM. */
int tr_sigma__load_buffer(struct tr_sigma *s, const char *name, const void *buf, size_t len, char *err,
			  size_t errlen);
/* The loaded rules as signatures, valid until tr_sigma__free. */
const struct tr_signature *const *tr_sigma__sigs(const struct tr_sigma *s, size_t *n);
/* "sigma: loaded N rules, refused M (K reason; ...)" */
void tr_sigma__summary(const struct tr_sigma *s, FILE *out, const char *prog);
size_t tr_sigma__refused(const struct tr_sigma *s);
void tr_sigma__free(struct tr_sigma *s);

#endif /* TR_SIGMA_H */
