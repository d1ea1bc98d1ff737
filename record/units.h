/* SPDX-License-Identifier: MIT */
/* units.h: sizes and durations as the recorder's options take them. */
#ifndef TR_RECORD_UNITS_H
#define TR_RECORD_UNITS_H

#include <stdint.h>

/* "500M", "2G", "100KiB", "4096": bytes (suffixes K, M, G, T, with or
 * without "iB"/"B", powers of 1024). 0 or -EINVAL. */
int rec_units__size(const char *s, uint64_t *bytes);
/* "90", "90s", "15m", "2h", "1.5d" (lowercase units): nanoseconds. 0 or -EINVAL. */
int rec_units__duration(const char *s, uint64_t *ns);

#endif /* TR_RECORD_UNITS_H */
