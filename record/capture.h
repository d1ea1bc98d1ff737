/* SPDX-License-Identifier: MIT */
/*
 * capture.h: the recorder's glue to capture/ (packets, artifacts): its
 * options, and the calls main() makes: start, one per drained record, one
 * per drain round (losses and artifact records into the stream), stop.
 */
#ifndef TR_RECORD_CAPTURE_H
#define TR_RECORD_CAPTURE_H

#include "env.h"
#include <getopt.h>

#include "artifact.h"
#include "net.h"
#include "output.h"

enum {
	REC_CAP_OPT_NET = 0x1000,
	REC_CAP_OPT_SNAPLEN,
	REC_CAP_OPT_CAPTURE,
	REC_CAP_OPT_ART_MAX_SIZE,
	REC_CAP_OPT_ART_MAX_TOTAL,
	REC_CAP_OPT_LAST = REC_CAP_OPT_ART_MAX_TOTAL,
};

#define REC_CAPTURE_LONGOPTS                                                      \
	{ "net", required_argument, NULL, REC_CAP_OPT_NET },                      \
	{ "snaplen", required_argument, NULL, REC_CAP_OPT_SNAPLEN },              \
	{ "capture", required_argument, NULL, REC_CAP_OPT_CAPTURE },              \
	{ "artifact-max-size", required_argument, NULL, REC_CAP_OPT_ART_MAX_SIZE }, \
	{ "artifact-max-total", required_argument, NULL, REC_CAP_OPT_ART_MAX_TOTAL }

#define REC_CAPTURE_USAGE                                                                      \
	"      --net IFACE|all     capture packets of IFACE (repeatable; all: every interface\n" \
	"                          that is up, and those that come up later) into DIR/net/\n"   \
	"      --snaplen headers|N|max  bytes kept per packet (default headers: 128;\n"        \
	"                          DNS, port 53, is kept whole)\n"                              \
	"      --capture exec      copy each executed file (and script) into DIR/artifacts/\n"  \
	"      --capture write[=PREFIX]  copy files written under PREFIX (default /) once\n"    \
	"                          closed (repeatable)\n"                                       \
	"      --capture env[=VAR,...]  keep execs' whole environment (it holds secrets),\n" \
	"                          or these variables too; by default only LD_PRELOAD,\n"       \
	"                          LD_LIBRARY_PATH, LD_AUDIT, KUBERNETES_SERVICE_*, PATH,\n"    \
	"                          HOME, USER, SHELL, PWD, SUDO_*, SSH_* and a few more\n"        \
	"      --artifact-max-size SIZE   largest file copied (default 64M; K, M, G)\n"        \
	"      --artifact-max-total SIZE  all artifacts together (default 1G)\n"

struct rec_capture_opts {
	struct cap_net_opts net;
	struct cap_art_opts art;
	struct rec_env env;	/* --capture env[=VAR,...] */
};

struct rec_capture {
	struct cap_net *net;
	struct cap_art *art;
	struct rec_output *out;
	int err;		/* first error writing a record */
};

/* One of the options above; 0, or 2 (usage error, message printed). */
int rec_capture__option(struct rec_capture_opts *o, int opt, const char *arg, const char *prog);
/* Start what the options ask for (nothing if none). 0 or -errno (printed). */
int rec_capture__start(struct rec_capture *c, const struct rec_capture_opts *o, struct rec_output *out,
		       const struct tr_manifest *m, const char *prog);
/* A record drained from the kernel. */
void rec_capture__on_record(struct rec_capture *c, const void *rec, size_t len);
/* After each drain round: loss and artifact records into the stream. 0 or -errno. */
int rec_capture__round(struct rec_capture *c);
/* Stop capturing, write the last records, list pcaps and artifacts in m. 0 or -errno. */
int rec_capture__stop(struct rec_capture *c, struct tr_manifest *m);
/* One summary line, if anything was captured. */
void rec_capture__summary(const struct rec_capture *c, const char *prog, const char *dir);
void rec_capture__free(struct rec_capture *c, struct rec_capture_opts *o);

#endif /* TR_RECORD_CAPTURE_H */
