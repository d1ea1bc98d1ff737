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

/* An address a DNS answer gave for a name (A, AAAA), from port 53. */
struct tr_dns {
	int family;
	uint8_t addr[16];
	uint64_t ts_ns;
	char name[256];		/* the question's name, dotted */
};

struct tr_convs {
	struct tr_conv *v;
	size_t n, cap;
	struct tr_dns *dns;
	size_t ndns, dnscap;
	uint64_t packets, skipped;	/* read; not IP/TCP/UDP */
};

/* Read every pcap under dir/net/. 0, or -errno / -EBADMSG with the file and
 * offset in err (what was read before the damage is kept). */
int tr_convs__read(struct tr_convs *c, const char *dir, char *err, size_t errlen);
/* The unused conversation with endpoint (addr, port) nearest in time to
 * wall_ns (within 10 s), marked used; NULL if none. */
struct tr_conv *tr_convs__take(struct tr_convs *c, int family, const uint8_t *addr, uint16_t port, uint64_t wall_ns);
/* The name the latest DNS answer before wall_ns (+1 s) gave addr, or NULL. */
const char *tr_convs__name(const struct tr_convs *c, int family, const uint8_t *addr, uint64_t wall_ns);
void tr_convs__free(struct tr_convs *c);

#endif /* TR_NETFLOW_H */
