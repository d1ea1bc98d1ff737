/* SPDX-License-Identifier: MIT */
/*
 * netflow.h: TCP and UDP conversations in a recording's pcaps (net/), so
 * that the flows the events show (connect, accept) get their local end,
 * protocol, bytes and packets. A conversation is the pair of endpoints of
 * its first packet (a connect's SYN goes local -> remote); bytes are the
 * packets' lengths on the wire.
 */
#ifndef TR_NETFLOW_H
#define TR_NETFLOW_H

#include <stddef.h>
#include <stdint.h>

struct tr_conv {
	int family;			/* AF_INET, AF_INET6 */
	uint8_t proto;			/* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t a[16], b[16];		/* a: the first packet's source */
	uint16_t aport, bport;
	uint64_t first_ns;		/* wall ns of the first packet */
	uint64_t bytes_ab, bytes_ba, packets;
	int used;			/* given to a flow already */
};

struct tr_convs {
	struct tr_conv *v;
	size_t n, cap;
	uint64_t packets, skipped;	/* read; not IP/TCP/UDP */
};

/* Read every pcap under dir/net/. 0, or -errno / -EBADMSG with the file and
 * offset in err (what was read before the damage is kept). */
int tr_convs__read(struct tr_convs *c, const char *dir, char *err, size_t errlen);
/* The unused conversation with endpoint (addr, port) nearest in time to
 * wall_ns (within 10 s), marked used; NULL if none. */
struct tr_conv *tr_convs__take(struct tr_convs *c, int family, const uint8_t *addr, uint16_t port, uint64_t wall_ns);
void tr_convs__free(struct tr_convs *c);

#endif /* TR_NETFLOW_H */
