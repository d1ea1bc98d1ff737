/* SPDX-License-Identifier: MIT */
/* status.h: what the recorder tells its user while it runs: a one-line
 * status refreshed each second on a terminal, and the summary at stop. */
#ifndef TR_RECORD_STATUS_H
#define TR_RECORD_STATUS_H

#include <stdint.h>
#include <stdio.h>

/* What the recorder has done so far. events counts catalog events as replay
 * counts them: a return value sent apart from its event is not one. */
struct rec_counts {
	uint64_t events;
	uint64_t retvals;
	uint64_t lost;
	uint64_t bytes;		/* segment bytes on disk */
	double ratio;		/* compression ratio of what is on disk (0: none yet) */
	char head[33];		/* the hash chain head, hex ("": none yet) */
	uint64_t frames;	/* frames written */
};

struct rec_status {
	FILE *tty;		/* NULL: quiet */
	uint64_t start_ns;
	uint64_t last_ns;	/* when the line was last drawn */
	uint64_t last_events;
	int drawn;		/* a line is on the screen */
};

/* Draw to f when it is a terminal and not quiet; otherwise stay silent. */
void rec_status__init(struct rec_status *s, FILE *f, int quiet, uint64_t now_ns);
/* Redraw the line if a second has passed since the last. */
void rec_status__tick(struct rec_status *s, uint64_t now_ns, const struct rec_counts *c);
/* Erase the line (before the summary or an error message). */
void rec_status__clear(struct rec_status *s);
/* "1.2 MiB": n bytes for people, into buf. */
const char *rec_status__size(char *buf, size_t len, uint64_t n);

#endif /* TR_RECORD_STATUS_H */
