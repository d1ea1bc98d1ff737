/* SPDX-License-Identifier: MIT */
/*
 * net.h: packet capture for tracee-record (--net, --snaplen). TC classifiers
 * (bpf/net.bpf.c) attached as TCX links on the chosen interfaces, a perf
 * buffer of their own drained by a thread of its own, one nanosecond pcap
 * per interface under REC/net/. Losses (the buffer's, or the disk's) come
 * back to the recorder as counts it writes as TR_REC_PACKET_GAP records.
 */
#ifndef TR_CAPTURE_NET_H
#define TR_CAPTURE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

struct cap_net_opts {
	char **ifaces;		/* names given with --net */
	size_t nifaces;
	int all;		/* --net all: every interface that is up, now and later */
	uint32_t snaplen;	/* bytes kept per packet (DNS whole) */
	unsigned buffer_pages;	/* perf buffer pages per CPU */
};

struct cap_net;

/* Parse --snaplen: headers (128), max, or a number of bytes. 0 or -EINVAL. */
int cap_net__parse_snaplen(const char *s, uint32_t *out);
/* Add --net NAME (or "all"); checks that the interface exists. 0, -ENODEV, -ENOMEM. */
int cap_net__add_iface(struct cap_net_opts *o, const char *name);
void cap_net_opts__free(struct cap_net_opts *o);

/* Load the programs, create REC/net/, attach to the interfaces and start
 * draining; boot_to_wall_ns puts the pcaps on the recording's clock.
 * 0, or -errno with a message printed (tool: error: ...). */
int cap_net__start(struct cap_net **out, const struct cap_net_opts *o, const char *recdir,
		   int64_t boot_to_wall_ns, const char *prog);
/* Losses not yet handed over: cb(cpu, ifindex, lost) for each (cpu is
 * 0xffff for packets the writer dropped). Any thread. */
void cap_net__take_gaps(struct cap_net *n, void (*cb)(void *ctx, uint16_t cpu, uint32_t ifindex, uint64_t lost),
			void *ctx);
/* Detach every link, drain what is left, close the pcaps. Then
 * cap_net__take_gaps once more for the last losses. */
void cap_net__stop(struct cap_net *n);
/* Append the pcaps (path, size, SHA-256) to m->pcaps. 0 or -errno. */
int cap_net__manifest(struct cap_net *n, struct tr_manifest *m);
/* Packets written and lost so far. */
void cap_net__stats(const struct cap_net *n, uint64_t *packets, uint64_t *lost, size_t *nifaces);
/* Stop if running, free. NULL is fine. */
void cap_net__free(struct cap_net *n);

#endif /* TR_CAPTURE_NET_H */
