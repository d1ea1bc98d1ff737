// SPDX-License-Identifier: MIT
/* flight.c: the flight-recorder mode of tracee-record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "flight.h"
#include "units.h"

#define AFTER_DEFAULT_NS (10 * 1000000000ULL)

static int parse(const struct rec_flight_opts *fo, struct rec_ring *ring, const char *prog)
{
	memset(ring, 0, sizeof(*ring));
	ring->after_ns = AFTER_DEFAULT_NS;
	if (!fo->ring) {
		if (fo->after || fo->trigger_on) {
			tr_diag__error(prog, "--%s works with --ring only", fo->after ? "after" : "trigger-on");
			return 2;
		}
		return 0;
	}
	if (rec_ring__parse(ring, fo->ring)) {
		tr_diag__error(prog, "--ring: '%s' is neither a size (500M, 2G) nor a duration (90s, 15m, 2h)",
			       fo->ring);
		return 2;
	}
	if (fo->after && strcmp(fo->after, "0") && rec_units__duration(fo->after, &ring->after_ns)) {
		tr_diag__error(prog, "--after: '%s' is not a duration (30s, 2m)", fo->after);
		return 2;
	}
	if (fo->after && !strcmp(fo->after, "0"))
		ring->after_ns = 0;
	return 0;
}

int rec_flight__parse(const struct rec_flight_opts *fo, const char *prog)
{
	struct rec_ring ring;

	return parse(fo, &ring, prog);
}

int rec_flight__bounds(const struct rec_flight_opts *fo, struct rec_output *o)
{
	struct rec_ring ring;

	if (!fo->ring || parse(fo, &ring, "tracee-record"))
		return 0;
	rec_ring__segment_bounds(&ring, &o->seg_max_bytes, &o->seg_max_ns);
	return 0;
}

int rec_flight__start(struct rec_flight *f, const struct rec_flight_opts *fo, struct rec_output *o,
		      const char *prog, uint64_t now_ns)
{
	char msg[256];
	int err;

	memset(f, 0, sizeof(*f));
	f->prog = prog;
	if (!fo->ring)
		return 0;
	if (parse(fo, &f->ring, prog))
		return -EINVAL;
	err = rec_live__open(&f->live, fo->trigger_on, msg, sizeof(msg));
	if (err) {
		tr_diag__error(prog, "%s", msg);
		return err;
	}
	o->on_append = rec_live__push;
	o->append_ctx = &f->live;
	rec_ring__start(&f->ring, o, now_ns);
	f->on = 1;
	return 0;
}

static int trigger(struct rec_flight *f, struct rec_output *o, uint64_t now_ns, const char *reason)
{
	int rc = rec_ring__trigger(&f->ring, o, now_ns, reason);

	if (rc == 1)
		fprintf(stderr, "%s: %s: trigger: %s; freezing the ring's past and the next %.0f s into %s\n",
			f->prog, o->dir, reason, f->ring.after_ns / 1e9,
			f->ring.frozen_dir ? f->ring.frozen_dir : "(done)");
	return rc < 0 ? rc : 0;
}

int rec_flight__tick(struct rec_flight *f, struct rec_output *o, uint64_t now_ns, volatile sig_atomic_t *usr1)
{
	char reason[300];
	int err = 0;

	if (!f->on)
		return 0;
	/* each new segment, the ring's included, opens with a state
	 * checkpoint: the output's on_segment hook (snapshot.c) */
	if (*usr1) {
		*usr1 = 0;
		err = trigger(f, o, now_ns, "SIGUSR1");
	}
	if (!err && rec_live__take(&f->live, reason, sizeof(reason)))
		err = trigger(f, o, now_ns, reason);
	if (!err)
		err = rec_ring__tick(&f->ring, o, now_ns);
	return err;
}

int rec_flight__stop(struct rec_flight *f, struct rec_output *o, uint64_t now_ns)
{
	if (!f->on)
		return 0;
	/* the live engine sees no more: what is frozen now is final */
	o->on_append = NULL;
	return rec_ring__stop(&f->ring, o, now_ns);
}

void rec_flight__free(struct rec_flight *f)
{
	if (!f->on)
		return;
	rec_live__close(&f->live);
	rec_ring__free(&f->ring);
}
