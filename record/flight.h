/* SPDX-License-Identifier: MIT */
/* flight.h: the flight-recorder mode put together for tracee-record: the
 * ring (ring.h), the live signatures that trigger it (live.h), SIGUSR1, and
 * the state each new segment starts with. */
#ifndef TR_RECORD_FLIGHT_H
#define TR_RECORD_FLIGHT_H

#include <signal.h>

#include "live.h"
#include "output.h"
#include "ring.h"

struct rec_flight_opts {
	const char *ring;	/* --ring SIZE|DURATION; NULL: not a ring */
	const char *after;	/* --after DURATION (default 10 s) */
	const char *trigger_on;	/* --trigger-on ID,...; NULL: every built-in */
};

struct rec_flight {
	int on;
	const char *prog;
	struct rec_ring ring;
	struct rec_live live;
};

/* Check the options (a usage error: 2 with the message printed). */
int rec_flight__parse(const struct rec_flight_opts *fo, const char *prog);
/* Before rec_output__open: segment bounds for the ring. After it, before
 * the snapshot: rec_flight__start. 0 or -errno (said on stderr). */
int rec_flight__bounds(const struct rec_flight_opts *fo, struct rec_output *o);
int rec_flight__start(struct rec_flight *f, const struct rec_flight_opts *fo, struct rec_output *o,
		      const char *prog, uint64_t now_ns);
/* After each drain round: triggers (a finding, usr1 set by SIGUSR1),
 * rotation within the bound, a freeze whose --after is over. 0 or -errno. */
int rec_flight__tick(struct rec_flight *f, struct rec_output *o, uint64_t now_ns, volatile sig_atomic_t *usr1);
/* Before rec_output__close: a freeze in progress is finished. */
int rec_flight__stop(struct rec_flight *f, struct rec_output *o, uint64_t now_ns);
void rec_flight__free(struct rec_flight *f);

#endif /* TR_RECORD_FLIGHT_H */
