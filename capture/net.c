// SPDX-License-Identifier: MIT
/*
 * net.c: TC packet capture into pcap files (capture/net.h).
 *
 * One thread owns the packet perf buffer, the interfaces and the pcap
 * writers. Each round it drains the buffer into an arena, sorts the round's
 * packets by time (the buffer is per CPU), appends them to their
 * interface's writer and writes each file once: whole records only, so
 * `tshark -r` reads a file cut by kill -9.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "diag.h"
#include "hash.h"
#include "net.h"
#include "net.skel.h"
#include "pcap.h"
#include "tr_format.h"

/* enum bpf_attach_type values of kernels >= 6.6 that older uapi headers
 * (Debian 12's) do not name; libbpf 1.1 passes them through. */
#define CAP_TCX_INGRESS 46
#define CAP_TCX_EGRESS 47

#define CAP_NET_MAX_IFACES 256
#define CAP_NET_POLL_MS 200
#define CAP_NET_RESCAN_NS 1000000000ULL
#define CAP_NET_ROUND_MAX (16U << 20) /* write out before the arena grows past this */
#define CAP_NET_PCAP_SNAPLEN 65535U  /* file header: DNS is kept whole whatever --snaplen */

/* ARPHRD_* of /sys/class/net/IF/type to the pcap link type of what TC sees. */
static const struct {
	unsigned arphrd;
	uint32_t linktype;
} cap_linktypes[] = {
	{ 1, TR_PCAP_LINKTYPE_ETHERNET },	/* ARPHRD_ETHER */
	{ 772, TR_PCAP_LINKTYPE_ETHERNET },	/* ARPHRD_LOOPBACK: Ethernet-framed */
	{ 65534, TR_PCAP_LINKTYPE_RAW },	/* ARPHRD_NONE: tun, wireguard */
	{ 768, TR_PCAP_LINKTYPE_RAW },		/* ARPHRD_TUNNEL (ipip) */
	{ 769, TR_PCAP_LINKTYPE_RAW },		/* ARPHRD_TUNNEL6 */
	{ 776, TR_PCAP_LINKTYPE_RAW },		/* ARPHRD_SIT */
};

struct cap_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	char path[PATH_MAX];		/* pcap file, relative to the recording */
	int link_in, link_out;		/* TCX link fds, -1 when none */
	struct tr_pcap_writer w;
	_Atomic uint64_t write_lost;	/* packets the writer dropped, not yet taken */
	uint64_t write_lost_total;
};

struct cap_pkt_ref {
	uint64_t ts;
	uint32_t off;			/* of the tr_net_pkt in the arena */
};

struct cap_net {
	struct cap_net_opts o;
	const char *prog;
	char *dir;
	int64_t boot_to_wall;
	struct net_bpf *skel;
	struct perf_buffer *pb;
	int ncpu;

	struct cap_iface ifs[CAP_NET_MAX_IFACES];
	_Atomic size_t nifs;

	pthread_t thread;
	int thread_started;
	atomic_int stop;

	_Atomic uint64_t *pending_lost;	/* per CPU, not yet taken */
	uint64_t *reported_lost;	/* per CPU, as the buffer reported */

	uint8_t *arena;
	size_t alen, acap;
	struct cap_pkt_ref *refs;
	size_t nrefs, crefs;
	int arena_err;

	_Atomic uint64_t packets;
	_Atomic uint64_t lost;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- options ---- */

int cap_net__parse_snaplen(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!strcmp(s, "headers")) {
		*out = TR_NET_SNAP_HEADERS;
		return 0;
	}
	if (!strcmp(s, "max")) {
		*out = TR_NET_SNAP_MAX;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || !v || v > TR_NET_SNAP_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int cap_net__add_iface(struct cap_net_opts *o, const char *name)
{
	char **v;

	if (!strcmp(name, "all")) {
		o->all = 1;
		return 0;
	}
	if (!if_nametoindex(name))
		return -ENODEV;
	v = realloc(o->ifaces, (o->nifaces + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->ifaces = v;
	o->ifaces[o->nifaces] = strdup(name);
	if (!o->ifaces[o->nifaces])
		return -ENOMEM;
	o->nifaces++;
	return 0;
}

void cap_net_opts__free(struct cap_net_opts *o)
{
	for (size_t i = 0; o && i < o->nifaces; i++)
		free(o->ifaces[i]);
	if (o)
		free(o->ifaces);
}

/* ---- interfaces ---- */

/* /sys/class/net/NAME/FILE as a number (base 0: "0x1003" or "772"); -1 if unreadable. */
static long sysfs_num(const char *name, const char *file)
{
	char path[PATH_MAX], buf[64] = "";
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file);
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 0);
		fclose(f);
	}
	return v;
}

static struct cap_iface *iface_find(struct cap_net *n, int ifindex)
{
	size_t nifs = atomic_load(&n->nifs);

	for (size_t i = 0; i < nifs; i++)
		if (n->ifs[i].ifindex == ifindex)
			return &n->ifs[i];
	return NULL;
}

static void iface_detach(struct cap_iface *f)
{
	if (f->link_in >= 0)
		close(f->link_in);
	if (f->link_out >= 0)
		close(f->link_out);
	f->link_in = f->link_out = -1;
}

/*
 * Attach to one interface and open its pcap. On lo every packet passes
 * egress and then ingress: only egress is hooked, so each is kept once.
 * required: a failure is an error (named with --net), else a notice.
 */
static int iface_attach(struct cap_net *n, int ifindex, const char *name, int required)
{
	struct cap_iface *f;
	char full[PATH_MAX];
	long type = sysfs_num(name, "type"), flags = sysfs_num(name, "flags");
	uint32_t linktype = 0;
	size_t idx = atomic_load(&n->nifs);
	int err;

	for (size_t i = 0; i < sizeof(cap_linktypes) / sizeof(cap_linktypes[0]); i++)
		if (cap_linktypes[i].arphrd == (unsigned long)type)
			linktype = cap_linktypes[i].linktype;
	if (!linktype) {
		if (required)
			tr_diag__error(n->prog, "--net %s: interfaces of link type %ld are not supported", name, type);
		return required ? -EOPNOTSUPP : 0;
	}
	if (idx >= CAP_NET_MAX_IFACES) {
		tr_diag__error(n->prog, "--net: more than %d interfaces; %s not captured", CAP_NET_MAX_IFACES, name);
		return required ? -E2BIG : 0;
	}
	f = &n->ifs[idx];
	memset(f, 0, sizeof(*f));
	f->ifindex = ifindex;
	f->link_in = f->link_out = -1;
	f->w.fd = -1;
	snprintf(f->name, sizeof(f->name), "%s", name);
	/* a name seen before (an interface gone and another come) gets its index */
	snprintf(f->path, sizeof(f->path), "net/%s.pcap", name);
	for (size_t i = 0; i < idx; i++)
		if (!strcmp(n->ifs[i].path, f->path))
			snprintf(f->path, sizeof(f->path), "net/%s-%d.pcap", name, ifindex);
	snprintf(full, sizeof(full), "%s/%s", n->dir, f->path);
	err = tr_pcap_writer__create(&f->w, full, linktype, CAP_NET_PCAP_SNAPLEN);
	if (err) {
		tr_diag__error(n->prog, "%s: cannot create: %s", full, strerror(-err));
		return err;
	}
	f->link_out = bpf_link_create(bpf_program__fd(n->skel->progs.tr_tc_egress), ifindex,
				      (enum bpf_attach_type)CAP_TCX_EGRESS, NULL);
	if (f->link_out < 0) {
		err = -errno;
		goto fail;
	}
	if (!(flags >= 0 && (flags & IFF_LOOPBACK))) {
		f->link_in = bpf_link_create(bpf_program__fd(n->skel->progs.tr_tc_ingress), ifindex,
					     (enum bpf_attach_type)CAP_TCX_INGRESS, NULL);
		if (f->link_in < 0) {
			err = -errno;
			goto fail;
		}
	}
	atomic_store(&n->nifs, idx + 1);
	return 0;
fail:
	if (required || err != -ENODEV)
		tr_diag__error(n->prog, "--net %s: attaching the TC programs (TCX) failed: %s", name, strerror(-err));
	iface_detach(f);
	tr_pcap_writer__close(&f->w);
	unlink(full);
	return required ? err : 0;
}

/* --net all: every interface that is up and not captured yet. */
static void rescan(struct cap_net *n)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	for (i = ifs; i && i->if_index; i++) {
		long flags;

		if (iface_find(n, (int)i->if_index))
			continue;
		flags = sysfs_num(i->if_name, "flags");
		if (flags < 0 || !(flags & IFF_UP))
			continue;
		iface_attach(n, (int)i->if_index, i->if_name, 0);
	}
	if (ifs)
		if_freenameindex(ifs);
}

/* ---- draining ---- */

static void count_lost(struct cap_net *n, int cpu, uint64_t lost)
{
	if (cpu >= 0 && cpu < n->ncpu) {
		atomic_fetch_add(&n->pending_lost[cpu], lost);
		n->reported_lost[cpu] += lost;
	}
	atomic_fetch_add(&n->lost, lost);
}

static enum bpf_perf_event_ret on_sample(void *ctx, int cpu, struct perf_event_header *ph)
{
	struct cap_net *n = ctx;

	if (ph->type == PERF_RECORD_SAMPLE) {
		const struct { struct perf_event_header h; uint32_t size; uint8_t data[]; } *s = (void *)ph;
		struct tr_net_pkt pkt;
		size_t need;

		if (s->size < sizeof(pkt))
			return LIBBPF_PERF_EVENT_CONT;
		memcpy(&pkt, s->data, sizeof(pkt));
		if (pkt.caplen > s->size - sizeof(pkt))
			return LIBBPF_PERF_EVENT_CONT;
		need = sizeof(pkt) + pkt.caplen;
		if (n->alen + need > n->acap) {
			size_t cap = n->acap ? n->acap : 1 << 20;
			uint8_t *p;

			while (cap < n->alen + need)
				cap *= 2;
			p = realloc(n->arena, cap);
			if (!p) {
				count_lost(n, cpu, 1);
				return LIBBPF_PERF_EVENT_CONT;
			}
			n->arena = p;
			n->acap = cap;
		}
		if (n->nrefs == n->crefs) {
			size_t c = n->crefs ? 2 * n->crefs : 4096;
			struct cap_pkt_ref *r = realloc(n->refs, c * sizeof(*r));

			if (!r) {
				count_lost(n, cpu, 1);
				return LIBBPF_PERF_EVENT_CONT;
			}
			n->refs = r;
			n->crefs = c;
		}
		memcpy(n->arena + n->alen, s->data, need);
		n->refs[n->nrefs++] = (struct cap_pkt_ref){ pkt.ts, (uint32_t)n->alen };
		n->alen += need;
		/* a flood: write out now rather than grow without bound */
		if (n->alen >= CAP_NET_ROUND_MAX)
			return LIBBPF_PERF_EVENT_DONE;
	} else if (ph->type == PERF_RECORD_LOST) {
		const struct { struct perf_event_header h; uint64_t id; uint64_t lost; } *l = (void *)ph;

		count_lost(n, cpu, l->lost);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct cap_pkt_ref *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts ? 1 : (x->off > y->off) - (x->off < y->off);
}

/* The round's packets, in time order, into their files: one write each. */
static void round_flush(struct cap_net *n)
{
	size_t nifs;

	if (n->nrefs)
		qsort(n->refs, n->nrefs, sizeof(*n->refs), ref_cmp);
	for (size_t i = 0; i < n->nrefs; i++) {
		struct tr_net_pkt pkt;
		struct cap_iface *f;

		memcpy(&pkt, n->arena + n->refs[i].off, sizeof(pkt));
		f = iface_find(n, (int)pkt.ifindex);
		if (!f || f->w.fd < 0)
			continue;
		if (tr_pcap_writer__add(&f->w, (uint64_t)((int64_t)pkt.ts + n->boot_to_wall),
					n->arena + n->refs[i].off + sizeof(pkt), pkt.caplen, pkt.len)) {
			atomic_fetch_add(&f->write_lost, 1);
			atomic_fetch_add(&n->lost, 1);
		} else {
			atomic_fetch_add(&n->packets, 1);
		}
	}
	n->nrefs = 0;
	n->alen = 0;
	nifs = atomic_load(&n->nifs);
	for (size_t i = 0; i < nifs; i++) {
		struct cap_iface *f = &n->ifs[i];
		uint64_t dropped = 0;
		int err = tr_pcap_writer__flush(&f->w, &dropped);

		if (err && !f->write_lost_total)
			tr_diag__error(n->prog, "%s/%s: writing packets failed: %s; they are counted as lost",
				       n->dir, f->path, strerror(-err));
		if (dropped) {
			f->write_lost_total += dropped;
			atomic_fetch_add(&f->write_lost, dropped);
			atomic_fetch_sub(&n->packets, dropped);
			atomic_fetch_add(&n->lost, dropped);
		}
	}
}

/* Packets the BPF side could not hand over, beyond what the buffer
 * reported (the kernel reports a loss only with the next record it writes). */
static void reconcile(struct cap_net *n)
{
	__u64 vals[n->ncpu];
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(n->skel->maps.packet_drops), &zero, vals))
		return;
	for (int c = 0; c < n->ncpu; c++)
		if (vals[c] > n->reported_lost[c])
			count_lost(n, c, vals[c] - n->reported_lost[c]);
}

static void *net_thread(void *arg)
{
	struct cap_net *n = arg;
	uint64_t last_scan = mono_ns();
	size_t nifs;

	while (!atomic_load(&n->stop)) {
		int err = perf_buffer__poll(n->pb, CAP_NET_POLL_MS);

		if (err < 0 && err != -EINTR) {
			tr_diag__error(n->prog, "polling the packet buffers failed: %s", strerror(-err));
			break;
		}
		/* the buffers wake us only at their watermark: take what is
		 * there every round, so a kill costs at most a round */
		perf_buffer__consume(n->pb);
		/* a round cut short by a full arena: take the rest first */
		while (n->alen >= CAP_NET_ROUND_MAX) {
			round_flush(n);
			perf_buffer__consume(n->pb);
		}
		round_flush(n);
		if (n->o.all && mono_ns() - last_scan >= CAP_NET_RESCAN_NS) {
			rescan(n);
			last_scan = mono_ns();
		}
	}
	/* the end: no new packets, take what is in the buffers */
	nifs = atomic_load(&n->nifs);
	for (size_t i = 0; i < nifs; i++)
		iface_detach(&n->ifs[i]);
	do {
		round_flush(n);
		perf_buffer__consume(n->pb);
	} while (n->nrefs);
	reconcile(n);
	for (size_t i = 0; i < nifs; i++) {
		int err = tr_pcap_writer__close(&n->ifs[i].w);

		if (err)
			tr_diag__error(n->prog, "%s/%s: closing failed: %s", n->dir, n->ifs[i].path, strerror(-err));
	}
	return NULL;
}

/* ---- life cycle ---- */

int cap_net__start(struct cap_net **out, const struct cap_net_opts *o, const char *recdir,
		   int64_t boot_to_wall_ns, const char *prog)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
	};
	struct cap_net *n;
	char path[PATH_MAX];
	int err;

	n = calloc(1, sizeof(*n));
	*out = n;
	if (!n)
		return -ENOMEM;
	n->o = *o;
	n->prog = prog;
	n->boot_to_wall = boot_to_wall_ns;
	n->ncpu = libbpf_num_possible_cpus();
	n->dir = strdup(recdir);
	n->pending_lost = calloc(n->ncpu, sizeof(*n->pending_lost));
	n->reported_lost = calloc(n->ncpu, sizeof(*n->reported_lost));
	if (!n->dir || !n->pending_lost || !n->reported_lost) {
		err = -ENOMEM;
		goto fail;
	}

	n->skel = net_bpf__open();
	if (!n->skel) {
		err = -errno;
		tr_diag__error(prog, "opening the packet capture programs failed: %s", strerror(-err));
		goto fail;
	}
	n->skel->rodata->snaplen = o->snaplen ? o->snaplen : TR_NET_SNAP_HEADERS;
	err = net_bpf__load(n->skel);
	if (err) {
		tr_diag__error(prog, "loading the packet capture programs failed: %s (run with -v for the verifier's log)",
			       strerror(-err));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/net", recdir);
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		tr_diag__error(prog, "%s: cannot create: %s", path, strerror(-err));
		goto fail;
	}
	attr.wakeup_watermark = (o->buffer_pages ? o->buffer_pages : 1024) * getpagesize() / 4;
	n->pb = perf_buffer__new_raw(bpf_map__fd(n->skel->maps.packets), o->buffer_pages ? o->buffer_pages : 1024,
				     &attr, on_sample, n, NULL);
	if (!n->pb) {
		err = -errno;
		tr_diag__error(prog, "creating the packet buffers failed: %s", strerror(-err));
		goto fail;
	}
	for (size_t i = 0; i < o->nifaces; i++) {
		unsigned idx = if_nametoindex(o->ifaces[i]);

		if (!idx) {
			err = -ENODEV;
			tr_diag__error(prog, "--net %s: no such interface", o->ifaces[i]);
			goto fail;
		}
		if (iface_find(n, (int)idx))
			continue;
		err = iface_attach(n, (int)idx, o->ifaces[i], 1);
		if (err)
			goto fail;
	}
	if (o->all)
		rescan(n);
	err = -pthread_create(&n->thread, NULL, net_thread, n);
	if (err) {
		tr_diag__error(prog, "starting the packet capture thread failed: %s", strerror(-err));
		goto fail;
	}
	n->thread_started = 1;
	return 0;
fail:
	return err;
}

void cap_net__take_gaps(struct cap_net *n, void (*cb)(void *ctx, uint16_t cpu, uint32_t ifindex, uint64_t lost),
			void *ctx)
{
	size_t nifs;

	if (!n)
		return;
	for (int c = 0; c < n->ncpu; c++) {
		uint64_t v = atomic_exchange(&n->pending_lost[c], 0);

		if (v)
			cb(ctx, (uint16_t)c, 0, v);
	}
	nifs = atomic_load(&n->nifs);
	for (size_t i = 0; i < nifs; i++) {
		uint64_t v = atomic_exchange(&n->ifs[i].write_lost, 0);

		if (v)
			cb(ctx, TR_CPU_NONE, (uint32_t)n->ifs[i].ifindex, v);
	}
}

void cap_net__stop(struct cap_net *n)
{
	if (!n || !n->thread_started)
		return;
	atomic_store(&n->stop, 1);
	pthread_join(n->thread, NULL);
	n->thread_started = 0;
}

int cap_net__manifest(struct cap_net *n, struct tr_manifest *m)
{
	size_t nifs;

	if (!n)
		return 0;
	nifs = atomic_load(&n->nifs);
	for (size_t i = 0; i < nifs; i++) {
		struct tr_manifest_file *v = realloc(m->pcaps, (m->npcaps + 1) * sizeof(*v)), *f;
		char full[PATH_MAX];
		int err;

		if (!v)
			return -ENOMEM;
		m->pcaps = v;
		f = &m->pcaps[m->npcaps];
		memset(f, 0, sizeof(*f));
		snprintf(full, sizeof(full), "%s/%s", n->dir, n->ifs[i].path);
		err = cap_sha256__file(full, f->info.sha256, &f->info.bytes);
		if (err)
			return err;
		f->path = strdup(n->ifs[i].path);
		if (!f->path)
			return -ENOMEM;
		m->npcaps++;
	}
	return 0;
}

void cap_net__stats(const struct cap_net *n, uint64_t *packets, uint64_t *lost, size_t *nifaces)
{
	*packets = n ? atomic_load(&n->packets) : 0;
	*lost = n ? atomic_load(&n->lost) : 0;
	*nifaces = n ? atomic_load(&n->nifs) : 0;
}

void cap_net__free(struct cap_net *n)
{
	size_t nifs;

	if (!n)
		return;
	cap_net__stop(n);
	nifs = atomic_load(&n->nifs);
	for (size_t i = 0; i < nifs; i++) {
		iface_detach(&n->ifs[i]);
		tr_pcap_writer__close(&n->ifs[i].w);
	}
	perf_buffer__free(n->pb);
	net_bpf__destroy(n->skel);
	free(n->arena);
	free(n->refs);
	free(n->pending_lost);
	free(n->reported_lost);
	free(n->dir);
	free(n);
}
