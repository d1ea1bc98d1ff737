// SPDX-License-Identifier: MIT
/* netflow.c: DNS and TCP flows from pcaps (replay/enrich/netflow.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "netflow.h"

struct dns_entry {
	uint8_t family;
	uint8_t addr[16];
	uint64_t ts;
	char name[256];
};

struct tr_net {
	struct dns_entry *dns;
	size_t ndns, capdns;
	struct tr_flow *flows;
	size_t nflows, capflows;
	uint64_t ts;		/* of the packet being parsed */
	int err;
};

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*v, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* A domain name at off of msg[0..len) (compression followed, at most 16
 * jumps) into out as dotted text; the offset after it in place, or -1. */
static long dns_name(const uint8_t *msg, size_t len, size_t off, char *out, size_t cap)
{
	size_t o = 0, pos = off;
	long after = -1;
	int jumps = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -1;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > 16)
				return -1;
			if (after < 0)
				after = (long)pos + 2;
			pos = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			continue;
		}
		if (l & 0xc0)
			return -1;
		if (!l) {
			if (after < 0)
				after = (long)pos + 1;
			break;
		}
		if (pos + 1 + l > len || o + l + 2 > cap)
			return -1;
		if (o)
			out[o++] = '.';
		for (uint8_t i = 0; i < l; i++) {
			uint8_t c = msg[pos + 1 + i];

			out[o++] = (char)(c > 0x20 && c < 0x7f ? c : '?');
		}
		pos += 1 + (size_t)l;
	}
	out[o] = '\0';
	return after;
}

int tr_dns__answers(const uint8_t *p, size_t len,
		    void (*fn)(void *ctx, const char *name, uint8_t family, const uint8_t *addr), void *ctx)
{
	char qname[256], aname[256];
	unsigned qd, an;
	long off = 12;

	if (len < 12 || !(p[2] & 0x80))	/* a response */
		return -EBADMSG;
	qd = (unsigned)p[4] << 8 | p[5];
	an = (unsigned)p[6] << 8 | p[7];
	qname[0] = '\0';
	for (unsigned i = 0; i < qd; i++) {
		off = dns_name(p, len, (size_t)off, i ? aname : qname, sizeof(qname));
		if (off < 0 || (size_t)off + 4 > len)
			return -EBADMSG;
		off += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		unsigned type, rdlen;

		off = dns_name(p, len, (size_t)off, aname, sizeof(aname));
		if (off < 0 || (size_t)off + 10 > len)
			return -EBADMSG;
		type = (unsigned)p[off] << 8 | p[off + 1];
		rdlen = (unsigned)p[off + 8] << 8 | p[off + 9];
		off += 10;
		if ((size_t)off + rdlen > len)
			return -EBADMSG;
		/* the name asked for (a CNAME chain's addresses are its answer) */
		if (type == 1 && rdlen == 4)
			fn(ctx, qname[0] ? qname : aname, 4, p + off);
		else if (type == 28 && rdlen == 16)
			fn(ctx, qname[0] ? qname : aname, 6, p + off);
		off += rdlen;
	}
	return 0;
}

static void on_answer(void *ctx, const char *name, uint8_t family, const uint8_t *addr)
{
	struct tr_net *n = ctx;
	struct dns_entry *e;

	if (grow((void **)&n->dns, &n->capdns, n->ndns, sizeof(*n->dns))) {
		n->err = -ENOMEM;
		return;
	}
	e = &n->dns[n->ndns++];
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr, addr, family == 4 ? 4 : 16);
	e->ts = n->ts;
	snprintf(e->name, sizeof(e->name), "%s", name);
}

/* a equals b, or b is all zeros (a socket bound to any address) */
static int addr_is(const uint8_t *a, const uint8_t *b, size_t al)
{
	static const uint8_t zero[16];

	return !memcmp(a, b, al) || !memcmp(b, zero, al);
}

struct tr_flow *tr_net__flow(struct tr_net *n, uint8_t family, const uint8_t *src, uint16_t sport,
			     const uint8_t *dst, uint16_t dport, int *reversed)
{
	size_t al = family == 4 ? 4 : 16;

	for (size_t i = n ? n->nflows : 0; i-- > 0;) {	/* the latest of a reused 5-tuple */
		struct tr_flow *f = &n->flows[i];

		if (f->family != family)
			continue;
		if (f->sport == sport && f->dport == dport && addr_is(f->src, src, al) && addr_is(f->dst, dst, al)) {
			*reversed = 0;
			return f;
		}
		if (f->sport == dport && f->dport == sport && addr_is(f->src, dst, al) && addr_is(f->dst, src, al)) {
			*reversed = 1;
			return f;
		}
	}
	return NULL;
}

size_t tr_net__names(const struct tr_net *n, uint8_t family, const uint8_t *addr, uint64_t ts, char *out,
		     size_t cap)
{
	size_t used = 0, al = family == 4 ? 4 : 16;

	for (size_t i = 0; n && i < n->ndns; i++) {
		const struct dns_entry *e = &n->dns[i];
		size_t l = strlen(e->name) + 1;
		int dup = 0;

		if (e->family != family || e->ts > ts || memcmp(e->addr, addr, al))
			continue;
		for (size_t k = 0; k < used; k += strlen(out + k) + 1)
			if (!strcmp(out + k, e->name))
				dup = 1;
		if (dup || used + l > cap)
			continue;
		memcpy(out + used, e->name, l);
		used += l;
	}
	return used;
}

static void tcp(struct tr_net *n, uint8_t family, const uint8_t *src, const uint8_t *dst, const uint8_t *t,
		size_t len)
{
	uint16_t sport, dport;
	uint8_t flags;
	struct tr_flow *f;
	int rev;

	if (len < 14)
		return;
	sport = (uint16_t)(t[0] << 8 | t[1]);
	dport = (uint16_t)(t[2] << 8 | t[3]);
	flags = t[13];
	f = tr_net__flow(n, family, src, sport, dst, dport, &rev);
	if ((flags & 0x02) && !(flags & 0x10)) {	/* SYN: a new flow from src */
		if (f && !f->end_ns && !rev)
			return;	/* a retransmitted SYN */
		if (grow((void **)&n->flows, &n->capflows, n->nflows, sizeof(*n->flows))) {
			n->err = -ENOMEM;
			return;
		}
		f = &n->flows[n->nflows++];
		memset(f, 0, sizeof(*f));
		f->family = family;
		memcpy(f->src, src, family == 4 ? 4 : 16);
		memcpy(f->dst, dst, family == 4 ? 4 : 16);
		f->sport = sport;
		f->dport = dport;
		f->begin_ns = n->ts;
	} else if (f && (flags & 0x05) && !f->end_ns) {	/* FIN or RST */
		f->end_ns = n->ts;
	}
}

/* One packet from the IP header on. */
static void ip_packet(struct tr_net *n, const uint8_t *p, size_t len)
{
	const uint8_t *src, *dst, *l4;
	uint8_t family, proto;
	size_t l4len;

	if (len < 1)
		return;
	if (p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 15) * 4;

		if (len < 20 || ihl < 20 || len < ihl || ((p[6] & 0x1f) | p[7]))	/* fragments: skipped */
			return;
		family = 4;
		proto = p[9];
		src = p + 12;
		dst = p + 16;
		l4 = p + ihl;
		l4len = len - ihl;
	} else if (p[0] >> 4 == 6) {
		if (len < 40)
			return;
		family = 6;
		proto = p[6];
		src = p + 8;
		dst = p + 24;
		l4 = p + 40;
		l4len = len - 40;
	} else {
		return;
	}
	if (proto == 6)
		tcp(n, family, src, dst, l4, l4len);
	else if (proto == 17 && l4len >= 8 && (l4[0] << 8 | l4[1]) == 53)
		tr_dns__answers(l4 + 8, l4len - 8, on_answer, n);
}

static void read_pcap(struct tr_net *n, const char *path, const char *name, int64_t boot_to_wall,
		      struct tr_diag *diag)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	struct pcap_pkthdr *h;
	const u_char *p;
	int dlt, rc;
	uint64_t count = 0;

	if (!pc) {
		tr_diag__damage(diag, name, -1, "cannot read: %s; its DNS and flows are unknown", errbuf);
		return;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1 && !n->err) {
		size_t len = h->caplen, off;

		count++;
		n->ts = (uint64_t)((int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec - boot_to_wall);
		switch (dlt) {
		case DLT_EN10MB: {
			uint16_t et;

			off = 12;
			if (len < 14)
				continue;
			et = (uint16_t)(p[12] << 8 | p[13]);
			if (et == 0x8100 && len >= 18) {
				et = (uint16_t)(p[16] << 8 | p[17]);
				off = 16;
			}
			if (et != 0x0800 && et != 0x86dd)
				continue;
			off += 2;
			break;
		}
		case DLT_RAW:	/* libpcap maps LINKTYPE_RAW (101) to it */
			off = 0;
			break;
		default:
			continue;
		}
		if (off < len)
			ip_packet(n, p + off, len - off);
	}
	if (rc == -1)
		tr_diag__damage(diag, name, -1, "after %llu packets: %s; the rest is unknown",
				(unsigned long long)count, pcap_geterr(pc));
	pcap_close(pc);
}

int tr_net__load(struct tr_net **out, const char *dir, const struct tr_manifest *m, int have_manifest,
		 struct tr_diag *diag)
{
	struct tr_net *n = calloc(1, sizeof(*n));
	char path[8192], name[4096];
	int64_t b2w = have_manifest ? m->boot_to_wall_ns : 0;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	if (have_manifest && m->npcaps) {
		for (size_t i = 0; i < m->npcaps; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, m->pcaps[i].path);
			read_pcap(n, path, path, b2w, diag);
		}
	} else {
		/* no list (interrupted, or an older manifest): what is there */
		struct dirent **ents = NULL;
		int k;

		snprintf(name, sizeof(name), "%s/net", dir);
		k = scandir(name, &ents, NULL, alphasort);
		for (int i = 0; i < k; i++) {
			size_t l = strlen(ents[i]->d_name);

			if (l > 5 && !strcmp(ents[i]->d_name + l - 5, ".pcap")) {
				snprintf(path, sizeof(path), "%s/%s", name, ents[i]->d_name);
				read_pcap(n, path, path, b2w, diag);
			}
			free(ents[i]);
		}
		free(ents);
	}
	if (n->err) {
		tr_net__free(n);
		return -ENOMEM;
	}
	if (!n->nflows && !n->ndns) {
		tr_net__free(n);
		return 0;
	}
	*out = n;
	return 0;
}

void tr_net__free(struct tr_net *n)
{
	if (!n)
		return;
	free(n->dns);
	free(n->flows);
	free(n);
}
