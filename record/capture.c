// SPDX-License-Identifier: MIT
/* capture.c: tracee-record's glue to capture/ (record/capture.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "diag.h"

int rec_capture__option(struct rec_capture_opts *o, int opt, const char *arg, const char *prog)
{
	int err = 0;

	switch (opt) {
	case REC_CAP_OPT_NET:
		err = cap_net__add_iface(&o->net, arg);
		if (err == -ENODEV) {
			tr_diag__error(prog, "--net: no interface '%s' (see ip link)", arg);
			return 2;
		}
		break;
	case REC_CAP_OPT_SNAPLEN:
		if (cap_net__parse_snaplen(arg, &o->net.snaplen)) {
			tr_diag__error(prog, "--snaplen: '%s' is not headers, max or a number of bytes from 1 to %u",
				       arg, TR_NET_SNAP_MAX);
			return 2;
		}
		break;
	case REC_CAP_OPT_CAPTURE:
		err = rec_env__option(&o->env, arg);
		if (err == -ENOENT)
			err = cap_art__add_capture(&o->art, arg);
		if (err == -EINVAL) {
			tr_diag__error(prog, "--capture: '%s' is not exec, write, write=/ABSOLUTE/PREFIX, env or "
				       "env=VAR,...", arg);
			return 2;
		}
		break;
	case REC_CAP_OPT_ART_MAX_SIZE:
	case REC_CAP_OPT_ART_MAX_TOTAL:
		if (cap_art__parse_size(arg, opt == REC_CAP_OPT_ART_MAX_SIZE ? &o->art.max_size : &o->art.max_total)) {
			tr_diag__error(prog, "--%s: '%s' is not a positive size (N, NK, NM or NG)",
				       opt == REC_CAP_OPT_ART_MAX_SIZE ? "artifact-max-size" : "artifact-max-total", arg);
			return 2;
		}
		break;
	}
	if (err) {
		tr_diag__error(prog, "options: %s", strerror(-err));
		return 2;
	}
	return 0;
}

int rec_capture__start(struct rec_capture *c, const struct rec_capture_opts *o, struct rec_output *out,
		       const struct tr_manifest *m, const char *prog)
{
	int err = 0;

	c->out = out;
	if (o->net.nifaces || o->net.all)
		err = cap_net__start(&c->net, &o->net, out->dir, m->boot_to_wall_ns, prog);
	if (!err && cap_art__wanted(&o->art))
		err = cap_art__start(&c->art, &o->art, out->dir, m->catalog ? m->catalog : tr_catalog__builtin(), prog);
	return err;
}

void rec_capture__on_record(struct rec_capture *c, const void *rec, size_t len)
{
	if (c->art)
		cap_art__on_event(c->art, rec, len);
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void put_gap(void *ctx, uint16_t cpu, uint32_t ifindex, uint64_t lost)
{
	struct rec_capture *c = ctx;
	struct tr_packet_gap g = { .lost = lost, .ifindex = ifindex };

	if (!c->err)
		c->err = rec_output__user(c->out, &g, TR_REC_PACKET_GAP, cpu, sizeof(g), boot_ns());
}

/* Stamped when written, after the round's watermark, never before it. */
static void put_artifact(void *ctx, void *rec, size_t len)
{
	struct rec_capture *c = ctx;

	if (!c->err)
		c->err = rec_output__user(c->out, rec, TR_REC_ARTIFACT, TR_CPU_NONE, len, boot_ns());
}

int rec_capture__round(struct rec_capture *c)
{
	cap_net__take_gaps(c->net, put_gap, c);
	cap_art__take_records(c->art, put_artifact, c);
	return c->err;
}

int rec_capture__stop(struct rec_capture *c, struct tr_manifest *m)
{
	int err;

	cap_net__stop(c->net);
	cap_art__stop(c->art);
	err = rec_capture__round(c);
	if (!err)
		err = cap_net__manifest(c->net, m);
	if (!err)
		err = cap_art__manifest(c->art, m);
	return err;
}

void rec_capture__summary(const struct rec_capture *c, const char *prog, const char *dir)
{
	uint64_t packets, lost, stored, records, skipped, pinned, used;
	size_t nifs;

	if (c->net) {
		cap_net__stats(c->net, &packets, &lost, &nifs);
		fprintf(stderr, "%s: %s: %llu packets on %zu interface(s), %llu lost\n", prog, dir,
			(unsigned long long)packets, nifs, (unsigned long long)lost);
	}
	if (c->art) {
		cap_art__stats(c->art, &stored, &records, &skipped);
		cap_art__pin_stats(c->art, &pinned, &used);
		fprintf(stderr, "%s: %s: %llu artifacts stored, %llu artifact records, %llu skipped; "
			"%llu executables opened at exec, %llu of them used\n", prog, dir,
			(unsigned long long)stored, (unsigned long long)records, (unsigned long long)skipped,
			(unsigned long long)pinned, (unsigned long long)used);
	}
}

void rec_capture__free(struct rec_capture *c, struct rec_capture_opts *o)
{
	cap_net__free(c->net);
	cap_art__free(c->art);
	c->net = NULL;
	c->art = NULL;
	cap_net_opts__free(&o->net);
	cap_art_opts__free(&o->art);
	rec_env__free(&o->env);
}
