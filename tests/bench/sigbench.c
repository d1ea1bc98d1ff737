// SPDX-License-Identifier: MIT
/*
 * sigbench: events per second through the signature engine, on one core,
 * with events already decoded (what the engine costs beyond the replay):
 *
 *   sigbench [--sigma DIR] [--events N] [--none] [--selected]
 *
 * The events are built in memory (sig_synth.h) from the templates below,
 * each repeated by its weight: a host-like mix (per 92 events: 50 reads,
 * writes and closes, which no signature selects; 21 opens of all kinds,
 * 8 mmap, 2 mprotect, 3 execs of shells and tools with command lines, 3
 * connects, a rename, an unlink, a dup2, a chmod, an exit). --selected takes
 * each template once instead: a mix of only the events signatures select,
 * with one exec in ten, the harder case. Each event is fed with a new
 * ordinal, so nothing is cached across events. --none runs the same loop
 * through an empty signature set: the reference.
 * Prints: "N events in S s: R events/s (K signatures)" (CPU time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../unit/sig_synth.h"
#include "signature.h"
#include "sigma/sigma.h"

static const char *const mix[] = {
	"20*read: fd=3 buf=0 count=4096 @comm=bash",
	"10*write: fd=1 buf=0 count=80 @comm=bash",
	"10*close: fd=5 @comm=app",
	"4*openat: dirfd=-100 pathname=/usr/lib/x86_64-linux-gnu/libc.so.6 flags=0x80000 @ret=3 @comm=bash",
	"4*openat: dirfd=-100 pathname=/etc/ld.so.cache flags=0x80000 @ret=3 @comm=bash",
	"4*openat: dirfd=-100 pathname=/proc/self/status flags=0 @ret=3 @comm=ps",
	"openat: dirfd=-100 pathname=/home/u/project/src/main.c flags=0 @ret=4 @comm=cc1",
	"openat: dirfd=-100 pathname=build/main.o flags=01101 @ret=5 @comm=as @cwd=/home/u/project",
	"openat: dirfd=-100 pathname=/var/log/app/app.log flags=02101 @ret=6 @comm=app",
	"openat: dirfd=-100 pathname=/etc/passwd flags=0 @ret=3 @comm=id",
	"openat: dirfd=-100 pathname=/usr/share/locale/locale.alias flags=0 @ret=3 @comm=ls",
	"openat: dirfd=3 pathname=subdir/file flags=0 @ret=4 @comm=find",
	"openat: dirfd=-100 pathname=/tmp/cc1234.s flags=01101 @ret=4 @comm=cc1",
	"openat: dirfd=-100 pathname=/proc/1/cmdline flags=0 @ret=3 @comm=ps",
	"openat: dirfd=-100 pathname=/sys/fs/cgroup/cpu.max flags=0 @ret=3 @comm=java",
	"mprotect: addr=4096 len=4096 prot=1 @comm=bash",
	"mprotect: addr=8192 len=4096 prot=3 @comm=java",
	"8*mmap: addr=0 length=4096 prot=3 flags=34 fd=-1 off=0 @comm=bash",
	"5*close: fd=3 @comm=bash",
	"5*close: fd=4 @comm=cc1",
	"sched_process_exec: cmdpath=/usr/bin/ls pathname=/usr/bin/ls argv=ls|-la|/home/u prev_comm=bash @comm=ls",
	"sched_process_exec: cmdpath=/bin/sh pathname=/usr/bin/dash argv=sh|-c|make -j2 all prev_comm=bash @comm=sh",
	"sched_process_exec: cmdpath=/usr/bin/curl pathname=/usr/bin/curl argv=curl|-s|https://example.com/x prev_comm=sh @comm=curl",
	"connect: sockfd=3 addr=inet:93.184.216.34:443 @ret=0 @comm=curl",
	"connect: sockfd=4 addr=unix:/run/dbus/system_bus_socket @ret=0 @comm=systemd",
	"connect: sockfd=5 addr=inet:10.0.0.2:5432 @ret=0 @comm=app",
	"rename: oldpath=/home/u/.cache/x.tmp newpath=/home/u/.cache/x @comm=app",
	"unlinkat: dirfd=-100 pathname=/tmp/cc1234.s flags=0 @comm=cc",
	"dup2: oldfd=4 newfd=1 @comm=sh",
	"fchmodat: dirfd=-100 pathname=/home/u/project/build/app mode=0755 flags=0 @comm=ld",
	"sched_process_exit: exit_code=0 process_group_exit=1 @comm=ls",
};

static int found(void *ctx, const struct tr_finding *f)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t nmix = sizeof(mix) / sizeof(mix[0]), nb, ns = 0, n = 0, nseq = 0;
	size_t seq[1024];
	const struct tr_signature *const *b = tr_signatures__builtin(&nb), *const *sg = NULL;
	const struct tr_signature **all;
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	struct ss_event *ev = calloc(nmix, sizeof(*ev));
	struct tr_sigma *sigma = NULL;
	struct tr_sigset *set;
	uint64_t events = 2000000, findings = 0;
	int none = 0, selected = 0;
	double t0, t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sigma") && i + 1 < argc) {
			char err[512];

			sigma = tr_sigma__new();
			if (tr_sigma__load(sigma, argv[++i], NULL, NULL, err, sizeof(err))) {
				fprintf(stderr, "sigbench: %s\n", err);
				return 1;
			}
			sg = tr_sigma__sigs(sigma, &ns);
		} else if (!strcmp(argv[i], "--events") && i + 1 < argc) {
			events = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--none")) {
			none = 1;
		} else if (!strcmp(argv[i], "--selected")) {
			selected = 1;
		} else {
			fprintf(stderr, "usage: sigbench [--sigma DIR] [--events N] [--none] [--selected]\n");
			return 2;
		}
	}
	all = calloc(nb + ns + 1, sizeof(*all));
	if (!none) {
		for (size_t i = 0; i < nb; i++)
			all[n++] = b[i];
		for (size_t i = 0; i < ns; i++)
			all[n++] = sg[i];
	}
	if (tr_sigset__new(&set, all, n, sc.tree, found, &findings)) {
		fprintf(stderr, "sigbench: cannot build the signature set\n");
		return 1;
	}
	/* the sequence: each template by its weight ("N*"), interleaved */
	for (size_t i = 0; i < nmix; i++) {
		const char *star = strchr(mix[i], '*'), *colon = strchr(mix[i], ':');
		int w = star && star < colon ? atoi(mix[i]) : 1;

		ss_build(&sc, &ev[i], star && star < colon ? star + 1 : mix[i]);
		if (star && star < colon && selected && ev[i].v.def->id != TR_EV_OPENAT &&
		    ev[i].v.def->id != TR_EV_MPROTECT)
			continue;	/* --selected: only what signatures select, once each */
		for (int k = 0; k < (selected ? 1 : w) && nseq < 1024; k++)
			seq[nseq++] = i;
	}
	for (size_t i = nseq; i > 1; i--) {	/* a fixed shuffle: no runs of one kind */
		size_t j = (i * 7919) % i, t2 = seq[i - 1];

		seq[i - 1] = seq[j];
		seq[j] = t2;
	}
	t0 = cpu_now();
	for (uint64_t i = 0; i < events; i++) {
		struct ss_event *e = &ev[seq[i % nseq]];

		e->v.ordinal = i + 1;
		e->ev.h.ts += 1000;
		if (tr_sigset__event(set, &e->v))
			return 1;
	}
	t = cpu_now() - t0;
	printf("%llu events in %.3f s: %.0f events/s (%zu signatures: %zu built-in, %zu Sigma; %s mix of %zu), "
	       "%llu findings\n", (unsigned long long)events, t, events / t, n, none ? 0 : nb, none ? 0 : ns,
	       selected ? "selected-events" : "host-like", nseq, (unsigned long long)findings);
	tr_sigset__free(set);
	tr_sigma__free(sigma);
	tr_proctree__free(sc.tree);
	free(ev);
	free(all);
	return 0;
}
