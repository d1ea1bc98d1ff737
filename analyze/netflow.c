// SPDX-License-Identifier: MIT
/* netflow.c: conversations in pcaps (analyze/netflow.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "netflow.h"
#include "pcap.h"

#define WINDOW_NS 10000000000ULL

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static struct tr_conv *find(struct tr_convs *c, int family, uint8_t proto, const uint8_t *s, uint16_t sp,
			    const uint8_t *d, uint16_t dp, int *ab)
{
	int n = addr_len(family);

	/* newest first: a reused 5-tuple belongs to the latest conversation */
	for (size_t i = c->n; i-- > 0;) {
		struct tr_conv *v = &c->v[i];

		if (v->family != family || v->proto != proto)
			continue;
		if (v->aport == sp && v->bport == dp && !memcmp(v->a, s, n) && !memcmp(v->b, d, n)) {
			*ab = 1;
			return v;
		}
		if (v->aport == dp && v->bport == sp && !memcmp(v->a, d, n) && !memcmp(v->b, s, n)) {
			*ab = 0;
			return v;
		}
	}
	return NULL;
}

/* A name at m[*off] (RFC 1035 4.1.4: labels, or a pointer), dotted into
 * out; *off moves past it. 0, or -1 when malformed. */
static int dns_name(const uint8_t *m, size_t len, size_t *off, char *out, size_t cap)
{
	size_t o = *off, n = 0;
	int jumps = 0, jumped = 0;

	for (;;) {
		uint8_t l;

		if (o >= len)
			return -1;
		l = m[o];
		if (l == 0) {
			if (!jumped)
				*off = o + 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++jumps > 16)
				return -1;
			if (!jumped)
				*off = o + 2;
			jumped = 1;
			o = (size_t)(l & 0x3f) << 8 | m[o + 1];
			continue;
		}
		if (l & 0xc0 || o + 1 + l > len || n + l + 2 > cap)
			return -1;
		if (n)
			out[n++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = m[o + 1 + i];

			out[n++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		o += 1 + l;
	}
	out[n] = '\0';
	return 0;
}

/* A DNS response: remember each A/AAAA answer under the question's name. */
static int dns_answer(struct tr_convs *c, const uint8_t *m, size_t len, uint64_t ts)
{
	char q[256];
	size_t off = 12;
	unsigned qd, an;

	if (len < 12 || !(m[2] & 0x80))
		return 0;
	qd = (unsigned)(m[4] << 8 | m[5]);
	an = (unsigned)(m[6] << 8 | m[7]);
	if (qd < 1 || dns_name(m, len, &off, q, sizeof(q)))
		return 0;
	off += 4;
	for (unsigned i = 1; i < qd; i++) {
		char skip[256];

		if (dns_name(m, len, &off, skip, sizeof(skip)))
			return 0;
		off += 4;
	}
	for (unsigned i = 0; i < an && i < 64; i++) {
		char skip[256];
		uint16_t type, rdlen;
		struct tr_dns *d;

		if (dns_name(m, len, &off, skip, sizeof(skip)) || off + 10 > len)
			return 0;
		type = (uint16_t)(m[off] << 8 | m[off + 1]);
		rdlen = (uint16_t)(m[off + 8] << 8 | m[off + 9]);
		off += 10;
		if (off + rdlen > len)
			return 0;
		if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
			if (c->ndns == c->dnscap) {
				size_t ncap = c->dnscap ? c->dnscap * 2 : 32;
				struct tr_dns *nd = realloc(c->dns, ncap * sizeof(*nd));

				if (!nd)
					return -ENOMEM;
				c->dns = nd;
				c->dnscap = ncap;
			}
			d = &c->dns[c->ndns++];
			memset(d, 0, sizeof(*d));
			d->family = type == 1 ? AF_INET : AF_INET6;
			memcpy(d->addr, m + off, rdlen);
			d->ts_ns = ts;
			memcpy(d->name, q, sizeof(d->name));
		}
		off += rdlen;
	}
	return 0;
}

/* One packet: IPv4 or IPv6 (no extension headers), TCP or UDP. */
static int packet(struct tr_convs *c, const struct tr_pcap_packet *p, uint32_t linktype)
{
	const uint8_t *d = p->data, *src, *dst, *l4;
	size_t len = p->caplen, hl;
	int family, ab;
	uint8_t proto;
	uint16_t sp, dp;
	struct tr_conv *v;

	if (linktype == TR_PCAP_LINKTYPE_ETHERNET) {
		uint16_t type;

		if (len < 14)
			return 0;
		type = (uint16_t)(d[12] << 8 | d[13]);
		d += 14;
		len -= 14;
		if (type == 0x8100 && len >= 4) {	/* one VLAN tag */
			type = (uint16_t)(d[2] << 8 | d[3]);
			d += 4;
			len -= 4;
		}
		if (type != 0x0800 && type != 0x86dd)
			return 0;
	} else if (linktype != TR_PCAP_LINKTYPE_RAW) {
		return 0;
	}
	if (len < 1)
		return 0;
	if ((d[0] >> 4) == 4) {
		if (len < 20 || (hl = (size_t)(d[0] & 15) * 4) < 20 || len < hl)
			return 0;
		family = AF_INET;
		proto = d[9];
		src = d + 12;
		dst = d + 16;
	} else if ((d[0] >> 4) == 6) {
		if (len < 40)
			return 0;
		family = AF_INET6;
		proto = d[6];
		src = d + 8;
		dst = d + 24;
		hl = 40;
	} else {
		return 0;
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || len < hl + 4)
		return 0;
	l4 = d + hl;
	sp = (uint16_t)(l4[0] << 8 | l4[1]);
	dp = (uint16_t)(l4[2] << 8 | l4[3]);
	if (proto == IPPROTO_UDP && sp == 53 && len >= hl + 8 && dns_answer(c, l4 + 8, len - hl - 8, p->ts_ns))
		return -ENOMEM;
	v = find(c, family, proto, src, sp, dst, dp, &ab);
	if (!v) {
		if (c->n == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 64;
			struct tr_conv *nv = realloc(c->v, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			c->v = nv;
			c->cap = ncap;
		}
		v = &c->v[c->n++];
		memset(v, 0, sizeof(*v));
		v->family = family;
		v->proto = proto;
		memcpy(v->a, src, (size_t)addr_len(family));
		memcpy(v->b, dst, (size_t)addr_len(family));
		v->aport = sp;
		v->bport = dp;
		v->first_ns = p->ts_ns;
		ab = 1;
	}
	if (ab)
		v->bytes_ab += p->len;
	else
		v->bytes_ba += p->len;
	v->packets++;
	return 1;
}

static int read_file(struct tr_convs *c, const char *path, char *err, size_t errlen)
{
	struct tr_pcap_reader r;
	struct tr_pcap_packet p;
	int rc = tr_pcap_reader__open(&r, path, err, errlen);

	if (rc)
		return rc;
	while ((rc = tr_pcap_reader__next(&r, &p, err, errlen)) > 0) {
		int k = packet(c, &p, r.linktype);

		if (k < 0) {
			rc = k;
			break;
		}
		c->packets++;
		c->skipped += !k;
	}
	tr_pcap_reader__close(&r);
	return rc < 0 ? rc : 0;
}

int tr_convs__read(struct tr_convs *c, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/net", dir);
	if (!(d = opendir(path)))
		return 0;	/* no packets recorded */
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		struct stat st;

		if (n < 6 || strcmp(e->d_name + n - 5, ".pcap"))
			continue;
		if (snprintf(path, sizeof(path), "%s/net/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		rc = read_file(c, path, err, errlen);
	}
	closedir(d);
	return rc;
}

struct tr_conv *tr_convs__take(struct tr_convs *c, int family, const uint8_t *addr, uint16_t port, uint64_t wall_ns)
{
	struct tr_conv *best = NULL;
	uint64_t best_d = WINDOW_NS + 1;
	int n = addr_len(family);

	for (size_t i = 0; i < c->n; i++) {
		struct tr_conv *v = &c->v[i];
		uint64_t dt = v->first_ns > wall_ns ? v->first_ns - wall_ns : wall_ns - v->first_ns;

		if (v->used || v->family != family || dt >= best_d)
			continue;
		if ((v->bport == port && !memcmp(v->b, addr, n)) || (v->aport == port && !memcmp(v->a, addr, n))) {
			best = v;
			best_d = dt;
		}
	}
	if (best)
		best->used = 1;
	return best;
}

const char *tr_convs__name(const struct tr_convs *c, int family, const uint8_t *addr, uint64_t wall_ns)
{
	const char *best = NULL;
	uint64_t best_ts = 0;

	for (size_t i = 0; i < c->ndns; i++) {
		const struct tr_dns *d = &c->dns[i];

		if (d->family == family && !memcmp(d->addr, addr, (size_t)addr_len(family)) &&
		    d->ts_ns <= wall_ns + 1000000000ULL && (!best || d->ts_ns >= best_ts)) {
			best = d->name;
			best_ts = d->ts_ns;
		}
	}
	return best;
}

void tr_convs__free(struct tr_convs *c)
{
	free(c->dns);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
