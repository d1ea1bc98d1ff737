// SPDX-License-Identifier: MIT
/* derive.c: the derive stage (replay/derive/derive.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

#define TR_PROT_WRITE 2
#define TR_PROT_EXEC 4
#define TR_AT_REMOVEDIR 0x200
#define TR_EINPROGRESS 115
/* Tracee's mem_prot_alert values. */
enum { ALERT_MMAP_W_X = 1, ALERT_MPROT_X_ADD = 2, ALERT_MPROT_W_ADD = 3, ALERT_MPROT_W_REM = 4 };
/* Mappings remembered per process for mprotect's previous protection. */
#define TR_REGIONS 64

struct region {
	uint64_t addr, len;
	int32_t prot;
};

struct regions {
	uint32_t node;		/* process node index + 1; 0: free */
	uint32_t next;
	struct region r[TR_REGIONS];
};

struct bind;

struct out {
	struct tr_event_view v;
	struct tr_event ev;
	const struct tr_event_def *def;
	struct bind *b;
};

struct tr_derive;
typedef int (*derive_fn)(struct tr_derive *d, const struct tr_event_view *src, struct out *o);

struct row {
	const char *derived;
	const char *sources[8];
	derive_fn fn;
};

/* Argument names a row sets, resolved to the derived event's argument
 * indexes the first time each is set (keyed by the name's address: the
 * rows pass string constants), so setting one is no string compare. */
#define TR_BIND_NAMES 12

struct bind {
	uint16_t row;
	struct tr_evinfo info;	/* the derived event's keys */
	const struct tr_event_def *def;
	uint8_t nnames;
	const char *names[TR_BIND_NAMES];
	int8_t idx[TR_BIND_NAMES];	/* -1: not in the catalog */
};

struct tr_derive {
	const struct tr_catalog *catalog;
	const struct tr_enrich *en;
	tr_derive_emit_fn emit;
	void *ctx;
	/* by position in catalog->events: first and count of its binds */
	uint32_t *first, *count;
	struct bind *binds;
	size_t nbinds;
	struct regions *reg;	/* hashed by node index */
	size_t nreg;
	uint8_t scratch[2][4096 + 64];
};

/* Set argument name of o's event; absent from the catalog: ignored. */
static int arg_lookup(const struct tr_event_def *def, const char *name)
{
	for (unsigned i = 0; i < def->nargs && i < TR_MAX_ARGS; i++)
		if (!strcmp(def->args[i].name, name))
			return (int)i;
	return -1;
}

static struct tr_arg_val *arg(struct out *o, const char *name)
{
	struct bind *b = o->b;
	int i = -2;

	for (unsigned k = 0; k < b->nnames; k++)
		if (b->names[k] == name) {
			i = b->idx[k];
			break;
		}
	if (i == -2) {
		i = arg_lookup(o->def, name);
		if (b->nnames < TR_BIND_NAMES) {
			b->names[b->nnames] = name;
			b->idx[b->nnames++] = (int8_t)i;
		}
	}
	if (i < 0)
		return NULL;
	o->v.args[i].present = 1;
	o->v.args[i].wire = o->def->args[i].wire;
	return &o->v.args[i];
}

static void arg_int(struct out *o, const char *name, int64_t v)
{
	struct tr_arg_val *a = arg(o, name);

	if (a)
		a->i = v;
}

static void arg_bytes(struct out *o, const char *name, const void *p, uint32_t len)
{
	struct tr_arg_val *a = arg(o, name);

	if (a) {
		a->b.p = p ? p : (const uint8_t *)"";
		a->b.len = p ? len : 0;
	}
}

/* A path argument: the absolute form when known, else as given. */
static void arg_path(struct out *o, const char *name, const struct tr_event_view *src, int slot)
{
	const struct tr_view_path *vp = &src->path[slot];

	if (vp->p)
		arg_bytes(o, name, vp->p, vp->len);
	else if (vp->arg >= 0 && src->args[vp->arg].present)
		arg_bytes(o, name, src->args[vp->arg].b.p, src->args[vp->arg].b.len);
}

static int ok(const struct tr_event_view *v)
{
	return !((v->ev->flags & TR_EVF_AT_ENTRY) && !v->paired) && v->ev->retval >= 0;
}

/* Failures a security hook never saw (bad fd or pointer). */
static int reached_hook(const struct tr_event_view *v)
{
	int64_t r = v->ev->retval;

	return !((v->ev->flags & TR_EVF_AT_ENTRY) && !v->paired) && r != -9 && r != -14 && r != -88;
}

static const struct tr_fdent *fd_of(const struct tr_event_view *v, enum tr_argkey k)
{
	int i = v->info->idx[k];

	for (int s = 0; i >= 0 && s < 2; s++)
		if (v->fd[s].arg == i)
			return v->fd[s].f;
	return NULL;
}

static int d_file_open(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_arg_val *p = tr_view__key(s, TR_AK_PATHNAME);

	if (!ok(s) || !p)
		return 0;
	arg_path(o, "pathname", s, 0);
	/* creat is open(O_CREAT|O_WRONLY|O_TRUNC) */
	arg_int(o, "flags", s->info->idx[TR_AK_FLAGS] >= 0 ? tr_view__ki64(s, TR_AK_FLAGS, 0)
			    : !strcmp(s->def->name, "creat") ? 01101 : 0);
	arg_bytes(o, "syscall_pathname", p->b.p, p->b.len);
	return 1;
}

static int d_unlink(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	if (!ok(s) || !tr_view__key(s, TR_AK_PATHNAME) || (tr_view__ki64(s, TR_AK_FLAGS, 0) & TR_AT_REMOVEDIR))
		return 0;
	arg_path(o, "pathname", s, 0);
	return 1;
}

static int d_rename(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	if (!ok(s) || !tr_view__key(s, TR_AK_OLDPATH) || !tr_view__key(s, TR_AK_NEWPATH))
		return 0;
	arg_path(o, "old_path", s, 0);
	arg_path(o, "new_path", s, 1);
	return 1;
}

static int inet_or_unix(const uint8_t *p, uint32_t len)
{
	uint16_t fam = len >= 2 ? (uint16_t)(p[0] | p[1] << 8) : 0;

	return fam == 1 || fam == 2 || fam == 10;
}

static int d_connect(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_fdent *f = fd_of(s, TR_AK_SOCKFD);
	const uint8_t *p;
	uint32_t len;

	if (!reached_hook(s) || !tr_view__kbytes(s, TR_AK_SOCKADDR, &p, &len) || !inet_or_unix(p, len))
		return 0;
	arg_int(o, "sockfd", tr_view__ki64(s, TR_AK_SOCKFD, -1));
	arg_int(o, "type", f ? f->socktype : 0);
	arg_bytes(o, "remote_addr", p, len);
	return 1;
}

static int d_bind(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const uint8_t *p;
	uint32_t len;

	if (!reached_hook(s) || !tr_view__kbytes(s, TR_AK_SOCKADDR, &p, &len) || !inet_or_unix(p, len))
		return 0;
	arg_int(o, "sockfd", tr_view__ki64(s, TR_AK_SOCKFD, -1));
	arg_bytes(o, "local_addr", p, len);
	return 1;
}

static int d_accept(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_fdent *f = fd_of(s, TR_AK_SOCKFD);

	if (!ok(s))
		return 0;
	arg_int(o, "sockfd", tr_view__ki64(s, TR_AK_SOCKFD, -1));
	if (f && f->local.p)
		arg_bytes(o, "local_addr", f->local.p, f->local.len);
	return 1;
}

static int d_mount(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const uint8_t *p;
	uint32_t len;

	if (!reached_hook(s) || !tr_view__key(s, TR_AK_TARGET))
		return 0;
	if (tr_view__kbytes(s, TR_AK_SOURCE, &p, &len))
		arg_bytes(o, "dev_name", p, len);
	arg_path(o, "path", s, 0);
	if (tr_view__kbytes(s, TR_AK_FSTYPE, &p, &len))
		arg_bytes(o, "type", p, len);
	arg_int(o, "flags", tr_view__ki64(s, TR_AK_MOUNTFLAGS, 0));
	return 1;
}

static int d_bprm_check(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_arg_val *a;
	const uint8_t *p;
	uint32_t len;

	/* The exec is done: the process tree holds its absolute path. */
	if (tr_view__kbytes(s, TR_AK_PATHNAME, &p, &len) && len)
		arg_bytes(o, "pathname", p, len);
	else if (s->proc && s->proc->exe.p)
		arg_bytes(o, "pathname", s->proc->exe.p, s->proc->exe.len);
	else
		return 0;
	if ((a = tr_view__arg(s, "dev", TR_WIRES_INT)))
		arg_int(o, "dev", a->i);
	if ((a = tr_view__arg(s, "inode", TR_WIRES_INT)))
		arg_int(o, "inode", a->i);
	if (tr_view__kbytes(s, TR_AK_ARGV, &p, &len))
		arg_bytes(o, "argv", p, len);
	if (tr_view__kbytes(s, TR_AK_ENV, &p, &len))
		arg_bytes(o, "envp", p, len);
	return 1;
}

/* ELF or a script's #!, at the start of a file. */
static int d_magic_write(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_fdent *f = fd_of(s, TR_AK_FD);
	const struct tr_arg_val *off = tr_view__arg(s, "offset", TR_WIRES_INT);
	const uint8_t *p;
	uint32_t len;

	if (!ok(s) || !s->ev->retval || !tr_view__kbytes(s, TR_AK_BYTES, &p, &len) || (off && off->i))
		return 0;
	if (!((len >= 4 && !memcmp(p, "\x7f" "ELF", 4)) || (len >= 2 && !memcmp(p, "#!", 2))))
		return 0;
	if (!f || (f->kind != TR_FDE_FILE && f->kind != TR_FDE_MEMFD))
		return 0;	/* a pipe or socket is not a file that runs */
	arg_bytes(o, "pathname", f->path.p, f->path.len);
	arg_bytes(o, "bytes", p, len < 20 ? len : 20);
	return 1;
}

static struct regions *regions_of(struct tr_derive *d, uint32_t node, int create)
{
	size_t s;

	if (!d->nreg) {
		if (!create)
			return NULL;
		d->reg = calloc(256, sizeof(*d->reg));
		if (!d->reg)
			return NULL;
		d->nreg = 256;
	}
	/* A small cache, not a complete map: a slot taken by another process
	 * is reused (its history is forgotten, never confused). */
	s = (node * 0x9E3779B1U) & (d->nreg - 1);
	if (d->reg[s].node == node + 1)
		return &d->reg[s];
	if (!create)
		return NULL;
	memset(&d->reg[s], 0, sizeof(d->reg[s]));
	d->reg[s].node = node + 1;
	return &d->reg[s];
}

static int d_mem_prot(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	int is_mmap = s->def->id == TR_EV_MMAP || !strcmp(s->def->name, "mmap");
	uint64_t addr = is_mmap ? (uint64_t)s->ev->retval : tr_view__ku64(s, TR_AK_ADDR, 0);
	uint64_t len = tr_view__ku64(s, is_mmap ? TR_AK_LENGTH : TR_AK_LEN, 0);
	int32_t prot = (int32_t)tr_view__ki64(s, TR_AK_PROT, 0), prev = -1;
	struct regions *rg;
	int alert = 0;

	if (!ok(s) || !s->proc)
		return 0;
	rg = regions_of(d, s->proc->idx, 1);
	/* newest first: a mapping replaces what it overlaps (munmap is not
	 * followed, so an old entry may be stale) */
	for (unsigned k = 1; rg && k <= TR_REGIONS; k++) {
		struct region *e = &rg->r[(rg->next - k) % TR_REGIONS];

		if (!e->len || addr + len <= e->addr || addr >= e->addr + e->len)
			continue;
		if (is_mmap) {
			e->len = 0;
		} else if (prev < 0) {
			prev = e->prot;
			if (addr == e->addr && len >= e->len)
				e->prot = prot;
		}
	}
	if (rg && (is_mmap || prev < 0)) {
		rg->r[rg->next % TR_REGIONS] = (struct region){ addr, len, prot };
		rg->next++;
	}
	if (is_mmap)
		alert = (prot & (TR_PROT_WRITE | TR_PROT_EXEC)) == (TR_PROT_WRITE | TR_PROT_EXEC) ? ALERT_MMAP_W_X : 0;
	else if (prev >= 0 && (prot & TR_PROT_EXEC) && (prev & TR_PROT_WRITE) && !(prev & TR_PROT_EXEC) &&
		 !(prot & TR_PROT_WRITE))
		alert = ALERT_MPROT_W_REM;	/* written, then made executable */
	else if ((prot & (TR_PROT_WRITE | TR_PROT_EXEC)) == (TR_PROT_WRITE | TR_PROT_EXEC) &&
		 (prev < 0 || !((prev & (TR_PROT_WRITE | TR_PROT_EXEC)) == (TR_PROT_WRITE | TR_PROT_EXEC))))
		alert = ALERT_MPROT_W_ADD;
	else if (prev >= 0 && (prot & TR_PROT_EXEC) && !(prev & TR_PROT_EXEC))
		alert = ALERT_MPROT_X_ADD;
	if (!alert)
		return 0;
	arg_int(o, "alert", alert);
	arg_int(o, "addr", (int64_t)addr);
	arg_int(o, "len", (int64_t)len);
	arg_int(o, "prot", prot);
	arg_int(o, "prev_prot", prev < 0 ? 0 : prev);
	if (is_mmap) {
		const struct tr_fdent *f = fd_of(s, TR_AK_FD);

		if (f && f->path.p)
			arg_bytes(o, "pathname", f->path.p, f->path.len);
	}
	return 1;
}

static int d_socket_dup(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_fdent *f = fd_of(s, TR_AK_OLDFD);
	int64_t oldfd = tr_view__ki64(s, TR_AK_OLDFD, -1);

	if (!f && s->info->idx[TR_AK_OLDFD] < 0) {	/* fcntl(F_DUPFD*) */
		int64_t cmd = tr_view__ki64(s, TR_AK_CMD, -1);

		if (cmd != 0 && cmd != 1030)
			return 0;
		f = fd_of(s, TR_AK_FD);
		oldfd = tr_view__ki64(s, TR_AK_FD, -1);
	}
	if (!ok(s) || !f || f->kind != TR_FDE_SOCKET || (f->family != 2 && f->family != 10 && f->family != 1))
		return 0;
	arg_int(o, "oldfd", oldfd);
	arg_int(o, "newfd", s->ev->retval);
	if (f->peer.p)
		arg_bytes(o, "remote_addr", f->peer.p, f->peer.len);
	return 1;
}

static int container_event(const struct tr_event_view *s, struct out *o, struct tr_container *c)
{
	const uint8_t *p;
	uint32_t len;

	if (!tr_view__kbytes(s, TR_AK_CGROUP_PATH, &p, &len) || !tr_container__parse((const char *)p, len, c) ||
	    !c->leaf)
		return 0;
	arg_bytes(o, "runtime", c->runtime, (uint32_t)strlen(c->runtime));
	arg_bytes(o, "container_id", c->id, 64);
	return 1;
}

static int d_container_create(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	static struct tr_container c; /* its strings must outlive this call */

	if (!container_event(s, o, &c))
		return 0;
	arg_int(o, "ctime", (int64_t)s->ev->h.ts);
	if (c.pod_uid[0])
		arg_bytes(o, "pod_uid", c.pod_uid, (uint32_t)strlen(c.pod_uid));
	return 1;
}

static int d_container_remove(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	static struct tr_container c;

	return container_event(s, o, &c);
}

/* ---- flows from the pcaps (replay/enrich/netflow.h) ---- */

struct endpoint {
	uint8_t family;		/* 4, 6; 0: not an IP socket address */
	uint8_t addr[16];
	uint16_t port;
};

static struct endpoint endpoint(const uint8_t *p, uint32_t len)
{
	struct endpoint e = { 0 };
	uint16_t fam = len >= 2 ? (uint16_t)(p[0] | p[1] << 8) : 0;

	if (fam == 2 && len >= 8) {
		e.family = 4;
		memcpy(e.addr, p + 4, 4);
	} else if (fam == 10 && len >= 24) {
		e.family = 6;
		memcpy(e.addr, p + 8, 16);
	} else {
		return e;
	}
	e.port = (uint16_t)(p[2] << 8 | p[3]);
	return e;
}

static void ip_text(char *out, size_t cap, uint8_t family, const uint8_t *a)
{
	if (family == 4) {
		snprintf(out, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else {
		size_t o = 0;

		for (int i = 0; i < 8 && o < cap; i++)
			o += (size_t)snprintf(out + o, cap - o, "%s%x", i ? ":" : "", a[2 * i] << 8 | a[2 * i + 1]);
	}
}

/* Fill a flow event of d's scratch: src is the local side. */
static int flow_event(struct tr_derive *d, struct out *o, const struct tr_flow *f, int reversed, uint64_t ts,
		      const char *direction)
{
	const struct tr_net *net = tr_enrich__net(d->en);
	const uint8_t *local = reversed ? f->dst : f->src, *remote = reversed ? f->src : f->dst;
	uint16_t lport = reversed ? f->dport : f->sport, rport = reversed ? f->sport : f->dport;
	char *ls = (char *)d->scratch[0], *rs = ls + 64;
	char *ln = (char *)d->scratch[1], *rn = ln + 2048;
	size_t lnl, rnl;

	ip_text(ls, 64, f->family, local);
	ip_text(rs, 64, f->family, remote);
	lnl = tr_net__names(net, f->family, local, ts, ln, 2048);
	rnl = tr_net__names(net, f->family, remote, ts, rn, 2048);
	arg_bytes(o, "conn_direction", direction, (uint32_t)strlen(direction));
	arg_bytes(o, "src", ls, (uint32_t)strlen(ls));
	arg_bytes(o, "dst", rs, (uint32_t)strlen(rs));
	arg_int(o, "src_port", lport);
	arg_int(o, "dst_port", rport);
	arg_bytes(o, "src_dns", ln, (uint32_t)lnl);
	arg_bytes(o, "dst_dns", rn, (uint32_t)rnl);
	return 1;
}

static struct tr_flow *flow_of(struct tr_derive *d, const uint8_t *lp, uint32_t ll, const uint8_t *rp, uint32_t rl,
			       int *reversed)
{
	struct endpoint l = endpoint(lp, ll), r = endpoint(rp, rl);

	if (!l.family || l.family != r.family)
		return NULL;
	return tr_net__flow(tr_enrich__net(d->en), l.family, l.addr, l.port, r.addr, r.port, reversed);
}

static int d_flow_begin(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const uint8_t *rp, *lp;
	uint32_t rl, ll;
	struct tr_flow *f;
	int rev, outgoing = s->def->id == TR_EV_CONNECT;

	if (!tr_enrich__net(d->en) || !tr_view__kbytes(s, TR_AK_SOCKADDR, &rp, &rl))
		return 0;
	if (outgoing) {
		if ((s->ev->retval && s->ev->retval != -TR_EINPROGRESS) || !tr_view__kbytes(s, TR_AK_LOCAL_ADDR, &lp, &ll))
			return 0;
	} else {
		const struct tr_fdent *l = fd_of(s, TR_AK_SOCKFD);	/* the listener */

		if (!ok(s) || !l || !l->local.p)
			return 0;
		lp = (const uint8_t *)l->local.p;
		ll = l->local.len;
	}
	f = flow_of(d, lp, ll, rp, rl, &rev);
	if (!f || f->begun)
		return 0;
	f->begun = 1;
	return flow_event(d, o, f, outgoing ? rev : !rev, f->begin_ns, outgoing ? "outgoing" : "incoming");
}

static int d_flow_end(struct tr_derive *d, const struct tr_event_view *s, struct out *o)
{
	const struct tr_fdent *sock = fd_of(s, TR_AK_FD);
	struct tr_flow *f;
	int rev;

	if (!tr_enrich__net(d->en) || !sock || sock->kind != TR_FDE_SOCKET || !sock->local.p || !sock->peer.p)
		return 0;
	f = flow_of(d, (const uint8_t *)sock->local.p, sock->local.len, (const uint8_t *)sock->peer.p,
		    sock->peer.len, &rev);
	if (!f || f->ended || !f->begun)
		return 0;
	f->ended = 1;
	/* the side that sent the SYN is the flow's src: outgoing when it is ours */
	return flow_event(d, o, f, rev, f->end_ns ? f->end_ns : s->ev->h.ts, rev ? "incoming" : "outgoing");
}

/* The table: derived event, the events it consumes, the function. */
static const struct row rows[] = {
	{ "security_file_open", { "open", "openat", "openat2", "creat" }, d_file_open },
	{ "security_inode_unlink", { "unlink", "unlinkat" }, d_unlink },
	{ "security_inode_rename", { "rename", "renameat", "renameat2" }, d_rename },
	{ "security_socket_connect", { "connect" }, d_connect },
	{ "security_socket_bind", { "bind" }, d_bind },
	{ "security_socket_accept", { "accept", "accept4" }, d_accept },
	{ "security_sb_mount", { "mount" }, d_mount },
	{ "security_bprm_check", { "sched_process_exec" }, d_bprm_check },
	{ "magic_write", { "write", "pwrite64", "writev" }, d_magic_write },
	{ "mem_prot_alert", { "mmap", "mprotect" }, d_mem_prot },
	{ "socket_dup", { "dup", "dup2", "dup3", "fcntl" }, d_socket_dup },
	{ "net_flow_tcp_begin", { "connect", "accept", "accept4" }, d_flow_begin },
	{ "net_flow_tcp_end", { "close" }, d_flow_end },
	{ "container_create", { "cgroup_mkdir" }, d_container_create },
	{ "container_remove", { "cgroup_rmdir" }, d_container_remove },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

const char *tr_derive__row(size_t i, const char *const **sources)
{
	if (i >= NROWS)
		return NULL;
	*sources = rows[i].sources;
	return rows[i].derived;
}

/* Every (source name, row) of the table, sorted by name, then row, then
 * place in the row: an event's rows are found by a binary search (once per
 * process), not by comparing its name with every source of every row. */
static struct source {
	const char *name;
	uint16_t row;
	uint16_t k;
} sources[NROWS * 8];
static size_t nsources;
static pthread_once_t sources_once = PTHREAD_ONCE_INIT;

static int cmp_source(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static void sources_init(void)
{
	for (size_t r = 0; r < NROWS; r++)
		for (size_t k = 0; k < 8 && rows[r].sources[k]; k++)
			sources[nsources++] = (struct source){ rows[r].sources[k], (uint16_t)r, (uint16_t)k };
	qsort(sources, nsources, sizeof(*sources), cmp_source);
}

/* The first source entry whose name is not below name. */
static size_t sources_first(const char *name)
{
	size_t lo = 0, hi = nsources;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(sources[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct tr_event_def *by_name(const struct tr_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->events[i].name[0] == name[0] && !strcmp(c->events[i].name, name))
			return &c->events[i];
	return NULL;
}

int tr_derive__new(struct tr_derive **out, const struct tr_catalog *catalog, const struct tr_enrich *en,
		   int (*want)(void *ctx, uint32_t id), tr_derive_emit_fn emit, void *ctx)
{
	struct tr_derive *d = calloc(1, sizeof(*d));
	const struct tr_event_def *rowdef[NROWS];
	size_t cap = 0;

	*out = NULL;
	if (!d)
		return -ENOMEM;
	d->catalog = catalog;
	d->en = en;
	d->emit = emit;
	d->ctx = ctx;
	d->first = calloc(catalog->n + 1, sizeof(*d->first));
	d->count = calloc(catalog->n + 1, sizeof(*d->count));
	for (size_t r = 0; r < NROWS; r++)
		for (size_t k = 0; k < 8 && rows[r].sources[k]; k++)
			cap++;
	d->binds = calloc(cap + 1, sizeof(*d->binds));
	if (!d->first || !d->count || !d->binds) {
		tr_derive__free(d);
		return -ENOMEM;
	}
	/* Each row's derived event, if wanted: once per row, not per source. */
	for (size_t r = 0; r < NROWS; r++) {
		const struct tr_event_def *def = by_name(tr_catalog__builtin(), rows[r].derived);

		rowdef[r] = def && (!want || want(ctx, def->id)) ? def : NULL;
	}
	/* Binds grouped by source event, rows in table order within one. */
	pthread_once(&sources_once, sources_init);
	for (size_t i = 0; i < catalog->n; i++) {
		d->first[i] = (uint32_t)d->nbinds;
		for (size_t j = sources_first(catalog->events[i].name);
		     j < nsources && !strcmp(sources[j].name, catalog->events[i].name); j++) {
			const struct tr_event_def *def = rowdef[sources[j].row];
			struct bind *b;

			if (!def)
				continue;
			b = &d->binds[d->nbinds++];
			b->row = sources[j].row;
			b->def = def;
			tr_evinfo__init_shared(&b->info, def);
		}
		d->count[i] = (uint32_t)d->nbinds - d->first[i];
	}
	*out = d;
	return 0;
}

void tr_derive__free(struct tr_derive *d)
{
	if (!d)
		return;
	free(d->first);
	free(d->count);
	for (size_t i = 0; d->binds && i < d->nbinds; i++)
		tr_evinfo__fini(&d->binds[i].info);
	free(d->binds);
	free(d->reg);
	free(d);
}

int tr_derive__event(struct tr_derive *d, const struct tr_event_view *src)
{
	size_t pos;
	int err;

	if (src->kind != TR_VIEW_EVENT || src->def < d->catalog->events ||
	    src->def >= d->catalog->events + d->catalog->n)
		return 0;
	pos = (size_t)(src->def - d->catalog->events);
	for (uint32_t i = 0; i < d->count[pos]; i++) {
		struct bind *b = &d->binds[d->first[pos] + i];
		struct out o;

		o.def = b->def;
		o.b = b;
		o.ev = *src->ev;
		o.ev.event_id = b->def->id;
		o.ev.nargs = 0;
		o.ev.flags = 0;
		o.ev.retval = 0;
		o.ev.h.size = sizeof(o.ev);
		o.v = *src;
		memset(o.v.args, 0, sizeof(o.v.args));
		o.v.def = b->def;
		o.v.info = &b->info;
		o.v.ev = &o.ev;
		o.v.derived = 1;
		o.v.origin = src->def;
		if (rows[b->row].fn(d, src, &o) <= 0)
			continue;
		err = d->emit(d->ctx, &o.v);
		if (err)
			return err;
	}
	return 0;
}
