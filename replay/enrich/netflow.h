/* SPDX-License-Identifier: MIT */
/*
 * netflow.h: DNS answers and TCP flows read from a recording's pcaps
 * (net/NAME.pcap, with libpcap's reader), for the derive stage: a flow joined
 * to the socket that made it (by 5-tuple, from connect's and accept's
 * addresses) becomes net_flow_tcp_begin/net_flow_tcp_end, with the names
 * DNS gave its addresses before it began.
 */
#ifndef TR_NETFLOW_H
#define TR_NETFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "manifest.h"

struct tr_flow {
	uint8_t family;		/* 4 or 6 */
	uint8_t src[16], dst[16]; /* the side that sent the SYN is src */
	uint16_t sport, dport;
	uint64_t begin_ns, end_ns; /* boot ns; end 0: not seen */
	uint8_t begun, ended;	/* derived events made */
};

struct tr_net;

/* Read every pcap the manifest lists (or the net/NAME.pcap files present). A damaged
 * pcap is reported through diag (as damage) and what could be read is
 * kept. 0 (with *out NULL when there are none) or -ENOMEM. */
int tr_net__load(struct tr_net **out, const char *dir, const struct tr_manifest *m, int have_manifest,
		 struct tr_diag *diag);
void tr_net__free(struct tr_net *n);
/* The flow from (family, src:sport) to (dst:dport), either direction; NULL. */
struct tr_flow *tr_net__flow(struct tr_net *n, uint8_t family, const uint8_t *src, uint16_t sport,
			     const uint8_t *dst, uint16_t dport, int *reversed);
/* The names DNS answers gave addr before ts, each ended by NUL, into
 * out[cap]: the bytes used. */
size_t tr_net__names(const struct tr_net *n, uint8_t family, const uint8_t *addr, uint64_t ts, char *out,
		     size_t cap);
/* Parse one DNS message (UDP payload); calls fn for each A/AAAA answer
 * with the question's name. 0, or -EBADMSG. For the unit tests too. */
int tr_dns__answers(const uint8_t *p, size_t len,
		    void (*fn)(void *ctx, const char *name, uint8_t family, const uint8_t *addr), void *ctx);

#endif /* TR_NETFLOW_H */
