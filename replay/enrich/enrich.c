// SPDX-License-Identifier: MIT
/* enrich.c: the enrichment stage (replay/enrich/enrich.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enrich.h"
#include "path.h"

#define TR_PATH_BUF (2 * TR_STR_MAX + 2)
/* Descriptors above this are not tracked (a table is an array by fd). */
#define TR_FD_MAX 65536

#define TR_O_CLOEXEC 02000000
#define TR_SOCK_CLOEXEC 02000000
#define TR_MFD_CLOEXEC 1
#define TR_F_DUPFD 0
#define TR_F_SETFD 2
#define TR_F_DUPFD_CLOEXEC 1030
#define TR_FD_CLOEXEC 1
#define TR_PR_SET_NAME 15

/* u64 -> u64 open addressing; key 0 is never stored (ids and tids are not 0). */
struct map {
	uint64_t *k, *v;
	size_t cap, used;
};

static size_t map_slot(const struct map *m, uint64_t key)
{
	size_t s = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (m->cap - 1);

	while (m->k[s] && m->k[s] != key)
		s = (s + 1) & (m->cap - 1);
	return s;
}

static int map_grow(struct map *m)
{
	struct map n = { .cap = m->cap ? m->cap * 2 : 256 };

	n.k = calloc(n.cap, sizeof(*n.k));
	n.v = calloc(n.cap, sizeof(*n.v));
	if (!n.k || !n.v) {
		free(n.k);
		free(n.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->k[i]) {
			size_t s = map_slot(&n, m->k[i]);

			n.k[s] = m->k[i];
			n.v[s] = m->v[i];
		}
	n.used = m->used;
	free(m->k);
	free(m->v);
	*m = n;
	return 0;
}

static int map_get(const struct map *m, uint64_t key, uint64_t *val)
{
	size_t s;

	if (!m->cap || !key)
		return 0;
	s = map_slot(m, key);
	if (!m->k[s])
		return 0;
	*val = m->v[s];
	return 1;
}

static int map_set(struct map *m, uint64_t key, uint64_t val)
{
	size_t s;

	if (!key)
		return 0;
	if ((m->used + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	s = map_slot(m, key);
	if (!m->k[s])
		m->used++;
	m->k[s] = key;
	m->v[s] = val;
	return 0;
}

struct fdtab {
	struct tr_fdent *v;
	uint32_t cap;
};

/* What an event does to the state: one row per event name. */
enum op {
	OP_NONE, OP_OPEN, OP_CLOSE, OP_DUP, OP_DUP2, OP_DUP3, OP_FCNTL, OP_SOCKET, OP_CONNECT,
	OP_BIND, OP_ACCEPT, OP_PIPE, OP_MEMFD, OP_CHDIR, OP_FCHDIR, OP_EXECVE, OP_EXEC, OP_FORK,
	OP_EXIT, OP_SETUID, OP_SETREUID, OP_PRCTL, OP_CGROUP_MKDIR, OP_CGROUP_RMDIR,
};

static const struct {
	const char *event;
	enum op op;
} ops[] = {
	{ "open", OP_OPEN }, { "openat", OP_OPEN }, { "openat2", OP_OPEN }, { "creat", OP_OPEN },
	{ "open_by_handle_at", OP_OPEN },
	{ "close", OP_CLOSE },
	{ "dup", OP_DUP }, { "dup2", OP_DUP2 }, { "dup3", OP_DUP3 }, { "fcntl", OP_FCNTL },
	{ "socket", OP_SOCKET }, { "connect", OP_CONNECT }, { "bind", OP_BIND },
	{ "accept", OP_ACCEPT }, { "accept4", OP_ACCEPT },
	{ "pipe", OP_PIPE }, { "pipe2", OP_PIPE }, { "memfd_create", OP_MEMFD },
	{ "chdir", OP_CHDIR }, { "fchdir", OP_FCHDIR },
	{ "execve", OP_EXECVE }, { "execveat", OP_EXECVE }, { "sched_process_exec", OP_EXEC },
	{ "sched_process_fork", OP_FORK }, { "sched_process_exit", OP_EXIT },
	{ "setuid", OP_SETUID }, { "setreuid", OP_SETREUID }, { "setresuid", OP_SETREUID },
	{ "prctl", OP_PRCTL },
	{ "cgroup_mkdir", OP_CGROUP_MKDIR }, { "cgroup_rmdir", OP_CGROUP_RMDIR },
};

/* The pairs (dirfd, path) whose absolute forms go to view.path[]: the
 * first two an event has, in this order. */
static const struct {
	int8_t dirkey;		/* -1: relative to the cwd */
	enum tr_argkey path;
} path_keys[] = {
	{ TR_AK_DIRFD, TR_AK_PATHNAME },
	{ TR_AK_OLDDIRFD, TR_AK_OLDPATH },
	{ TR_AK_NEWDIRFD, TR_AK_NEWPATH },
	{ -1, TR_AK_PATH },
	{ -1, TR_AK_TARGET },
};

/* fd arguments whose entries go to view.fd[]. */
static const enum tr_argkey fd_keys[] = { TR_AK_FD, TR_AK_OLDFD, TR_AK_SOCKFD, TR_AK_DIRFD };

struct tr_enrich {
	struct tr_proctree *tree;
	const struct tr_catalog *catalog;
	uint8_t *op;			/* by position in catalog->events */
	struct fdtab *fdt;		/* by node index */
	size_t nfdt;
	struct map tid_start;		/* host tid -> thread start (boot ns) */
	struct map cgroups;		/* cgroup id -> container index + 1 (0: none) */
	struct tr_container *ctr;
	size_t nctr, capctr;
	struct map users;		/* uid + 1 -> index + 1 in names */
	char **names;
	size_t nnames;
	struct tr_net *net;
	char buf[2][TR_PATH_BUF];
	/* the view's fd entries: copies as of before the event (the table
	 * may move while the event is applied), and the entry a close just
	 * took out, kept until the next close (its bytes are the copy's) */
	struct tr_fdent fdcopy[2];
	struct tr_fdent closed;
	char prev_comm[17];
};

/* Set argument name of v (absent, of wire w in v's catalog) to bytes or an
 * integer: what Tracee's sched_process_exec has and the recorder did not
 * read, filled from the state (the record's own values always win). */
static void fill_arg(struct tr_event_view *v, const char *name, uint8_t w, const void *p, uint32_t len, uint64_t u)
{
	for (unsigned i = 0; i < v->def->nargs && i < TR_MAX_ARGS; i++) {
		struct tr_arg_val *a = &v->args[i];
		int zero;

		if (strcmp(v->def->args[i].name, name))
			continue;
		if (v->def->args[i].wire != w)
			return;
		/* an argument the recorder sent as its zero value counts as absent */
		zero = !a->present || ((w == TR_T_STR || w == TR_T_STR_ARRAY) ? !a->b.len : !a->u);
		if (!zero)
			return;
		a->present = 1;
		a->wire = w;
		if (w == TR_T_STR) {
			a->b.p = p;
			a->b.len = len;
		} else {
			a->u = u;
		}
		return;
	}
}

/* st_mode's file type of what an fd is (Tracee's stdin_type). */
static uint32_t fd_mode(const struct tr_fdent *f)
{
	switch (f->kind) {
	case TR_FDE_SOCKET: return 0140000;
	case TR_FDE_PIPE: return 0010000;
	case TR_FDE_FILE:
		return f->path.p && !strncmp(f->path.p, "/dev/", 5) ? 0020000 : 0100000;
	default: return 0;
	}
}

int tr_enrich__new(struct tr_enrich **out, struct tr_proctree *tree, const struct tr_catalog *catalog)
{
	struct tr_enrich *en = calloc(1, sizeof(*en));

	*out = NULL;
	if (!en)
		return -ENOMEM;
	en->tree = tree;
	en->catalog = catalog;
	en->op = calloc(catalog->n ? catalog->n : 1, 1);
	if (!en->op) {
		free(en);
		return -ENOMEM;
	}
	for (size_t i = 0; i < catalog->n; i++)
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (catalog->events[i].name[0] == ops[k].event[0] &&
			    !strcmp(catalog->events[i].name, ops[k].event))
				en->op[i] = (uint8_t)ops[k].op;
	*out = en;
	return 0;
}

static void fd_clear(struct tr_fdent *f)
{
	free(f->path.p);
	free(f->local.p);
	free(f->peer.p);
	memset(f, 0, sizeof(*f));
}

static void fdtab_free(struct fdtab *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		fd_clear(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->cap = 0;
}

void tr_enrich__free(struct tr_enrich *en)
{
	if (!en)
		return;
	for (size_t i = 0; i < en->nfdt; i++)
		fdtab_free(&en->fdt[i]);
	free(en->fdt);
	free(en->op);
	free(en->tid_start.k);
	free(en->tid_start.v);
	free(en->cgroups.k);
	free(en->cgroups.v);
	free(en->ctr);
	free(en->users.k);
	free(en->users.v);
	for (size_t i = 0; i < en->nnames; i++)
		free(en->names[i]);
	free(en->names);
	tr_net__free(en->net);
	fd_clear(&en->closed);
	free(en);
}

static struct fdtab *fdtab_of(struct tr_enrich *en, const struct tr_proc_node *n, int create)
{
	if (n->idx >= en->nfdt) {
		size_t cap = en->nfdt ? en->nfdt : 64;
		struct fdtab *v;

		if (!create)
			return NULL;
		while (cap <= n->idx)
			cap *= 2;
		v = realloc(en->fdt, cap * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + en->nfdt, 0, (cap - en->nfdt) * sizeof(*v));
		en->fdt = v;
		en->nfdt = cap;
	}
	return &en->fdt[n->idx];
}

const struct tr_fdent *tr_enrich__fd(const struct tr_enrich *en, const struct tr_proc_node *n, int64_t fd)
{
	const struct fdtab *t;

	if (!n || fd < 0 || n->idx >= en->nfdt)
		return NULL;
	t = &en->fdt[n->idx];
	return fd < t->cap && t->v[fd].kind ? &t->v[fd] : NULL;
}

/* The slot for fd in n's table, emptied; NULL when untracked or no memory. */
static struct tr_fdent *fd_slot(struct tr_enrich *en, const struct tr_proc_node *n, int64_t fd)
{
	struct fdtab *t;

	if (fd < 0 || fd >= TR_FD_MAX)
		return NULL;
	t = fdtab_of(en, n, 1);
	if (!t)
		return NULL;
	if (fd >= t->cap) {
		uint32_t cap = t->cap ? t->cap : 16;
		struct tr_fdent *v;

		while (cap <= fd)
			cap *= 2;
		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + t->cap, 0, (cap - t->cap) * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	fd_clear(&t->v[fd]);
	return &t->v[fd];
}

static int bytes_dup(struct tr_bytes *d, const void *p, uint32_t len)
{
	if (!p)
		return 0;
	d->p = malloc((size_t)len + 1);
	if (!d->p)
		return -ENOMEM;
	memcpy(d->p, p, len);
	d->p[len] = '\0';
	d->len = len;
	return 0;
}

static int fd_copy(struct tr_fdent *d, const struct tr_fdent *s)
{
	*d = (struct tr_fdent){ .kind = s->kind, .cloexec = s->cloexec, .family = s->family,
			     .socktype = s->socktype };
	if (bytes_dup(&d->path, s->path.p, s->path.len) || bytes_dup(&d->local, s->local.p, s->local.len) ||
	    bytes_dup(&d->peer, s->peer.p, s->peer.len))
		return -ENOMEM;
	return 0;
}

int tr_enrich__resolve(const struct tr_enrich *en, const struct tr_proc_node *n, uint64_t ts, int have_dirfd,
		       int64_t dirfd, const void *path, uint32_t len, char *out, size_t cap)
{
	const struct tr_fdent *f;

	if (!len || ((const char *)path)[0] == '/' || !have_dirfd || (int32_t)dirfd == TR_AT_FDCWD)
		return tr_proctree__resolve(n, ts, path, len, out, cap);
	f = tr_enrich__fd(en, n, (int32_t)dirfd);
	if (!f || f->kind != TR_FDE_FILE || !f->path.p)
		return -EINVAL;
	return tr_path__resolve(f->path.p, f->path.len, path, len, out, cap);
}

const struct tr_container *tr_enrich__container(const struct tr_enrich *en, uint64_t cgroup_id)
{
	uint64_t v;

	return map_get(&en->cgroups, cgroup_id, &v) && v ? &en->ctr[v - 1] : NULL;
}

/* Learn cgroup id -> path; a container path gets (or finds) its entry. */
static int cgroup_learn(struct tr_enrich *en, uint64_t id, const char *path, uint32_t len, uint64_t ts)
{
	struct tr_container c;
	uint64_t old;
	size_t i;

	if (!id || !path || map_get(&en->cgroups, id, &old))
		return 0;
	if (!tr_container__parse(path, len, &c))
		return map_set(&en->cgroups, id, 0);
	for (i = 0; i < en->nctr; i++)
		if (!strcmp(en->ctr[i].id, c.id))
			break;
	if (i == en->nctr) {
		if (en->nctr == en->capctr) {
			size_t cap = en->capctr ? en->capctr * 2 : 16;
			struct tr_container *v = realloc(en->ctr, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			en->ctr = v;
			en->capctr = cap;
		}
		c.first_ns = ts;
		en->ctr[en->nctr++] = c;
	}
	return map_set(&en->cgroups, id, i + 1);
}

void tr_enrich__set_net(struct tr_enrich *en, struct tr_net *net)
{
	tr_net__free(en->net);
	en->net = net;
}

struct tr_net *tr_enrich__net(const struct tr_enrich *en)
{
	return en->net;
}

const char *tr_enrich__user(const struct tr_enrich *en, uint32_t uid)
{
	uint64_t v;

	return map_get(&en->users, (uint64_t)uid + 1, &v) && v ? en->names[v - 1] : NULL;
}

static int state_fd(struct tr_enrich *en, const struct tr_fd *r, const struct tr_arg_val *args)
{
	struct tr_proc_node *n = tr_proctree__find(en->tree, r->host_pid, r->start_ns);
	const struct tr_arg_val *a;
	struct tr_fdent *f;

	if (!n || r->fd < 0 || r->fd >= TR_FD_MAX)
		return 0;
	f = fd_slot(en, n, r->fd);
	if (!f)
		return -ENOMEM;
	switch (r->kind) {
	case TR_FD_SOCKET:
		f->kind = TR_FDE_SOCKET;
		break;
	case TR_FD_PIPE:
		f->kind = TR_FDE_PIPE;
		break;
	case TR_FD_MEMFD:
		f->kind = TR_FDE_MEMFD;
		break;
	case TR_FD_ANON:
	case TR_FD_OTHER:
		f->kind = TR_FDE_OTHER;
		break;
	default:
		f->kind = TR_FDE_FILE;
	}
	f->cloexec = (r->flags & TR_FDF_FDINFO) && (r->open_flags & 02000000);
	a = &args[TR_FD_ARG_PATH];
	if (a->present && bytes_dup(&f->path, a->b.p, a->b.len))
		return -ENOMEM;
	if (f->kind == TR_FDE_SOCKET) {
		a = &args[TR_FD_ARG_LOCAL];
		if (a->present && a->b.len >= 2) {
			f->family = (uint16_t)(a->b.p[0] | a->b.p[1] << 8);
			if (bytes_dup(&f->local, a->b.p, a->b.len))
				return -ENOMEM;
		}
		a = &args[TR_FD_ARG_REMOTE];
		if (a->present && a->b.len >= 2 && bytes_dup(&f->peer, a->b.p, a->b.len))
			return -ENOMEM;
		if (args[TR_FD_ARG_SOCK_TYPE].present)
			f->socktype = (int32_t)args[TR_FD_ARG_SOCK_TYPE].u;
	}
	return 0;
}

int tr_enrich__state(struct tr_enrich *en, const struct tr_rec_hdr *rec, const struct tr_arg_val *args)
{
	switch (rec->kind) {
	case TR_REC_FD:
		return state_fd(en, (const struct tr_fd *)rec, args);
	case TR_REC_CGROUP: {
		const struct tr_cgroup *c = (const struct tr_cgroup *)rec;

		if (!args[TR_CGROUP_ARG_PATH].present)
			return 0;
		return cgroup_learn(en, c->cgroup_id, (const char *)args[TR_CGROUP_ARG_PATH].b.p,
				    args[TR_CGROUP_ARG_PATH].b.len, rec->ts);
	}
	case TR_REC_USER: {
		const struct tr_user *u = (const struct tr_user *)rec;
		const struct tr_arg_val *a = &args[TR_USER_ARG_NAME];
		uint64_t old;
		char **v, *name;

		/* the host's users: the first seen for a uid (the recorder's
		 * own mount namespace comes first) */
		if (u->kind != TR_USER_USER || !a->present || map_get(&en->users, (uint64_t)u->id + 1, &old))
			return 0;
		name = malloc((size_t)a->b.len + 1);
		v = realloc(en->names, (en->nnames + 1) * sizeof(*v));
		if (v)
			en->names = v;
		if (!name || !v) {
			free(name);
			return -ENOMEM;
		}
		memcpy(name, a->b.p, a->b.len);
		name[a->b.len] = '\0';
		en->names[en->nnames++] = name;
		return map_set(&en->users, (uint64_t)u->id + 1, en->nnames);
	}
	default:
		return 0;
	}
}

int tr_enrich__snapshot(struct tr_enrich *en, struct tr_proc_node *n)
{
	return cgroup_learn(en, n->cgroup_id, n->cgroup.p, n->cgroup.len, n->seen_ns);
}

/* Fill v->path[] and v->fd[] from the state before the event. */
static void refer(struct tr_enrich *en, struct tr_event_view *v, const struct tr_proc_node *n)
{
	unsigned np = 0, nf = 0;

	v->path[0].arg = v->path[1].arg = -1;
	v->path[0].p = v->path[1].p = NULL;
	v->fd[0].arg = v->fd[1].arg = -1;
	v->fd[0].f = v->fd[1].f = NULL;
	for (size_t i = 0; i < sizeof(path_keys) / sizeof(path_keys[0]) && np < 2; i++) {
		int pi = v->info->idx[path_keys[i].path];
		const struct tr_arg_val *d;
		int r;

		if (pi < 0)
			continue;
		v->path[np].arg = (int8_t)pi;
		if (v->args[pi].present) {
			d = path_keys[i].dirkey >= 0 ? tr_view__key(v, (enum tr_argkey)path_keys[i].dirkey) : NULL;
			r = tr_enrich__resolve(en, n, v->ev->h.ts, !!d, d ? d->i : 0, v->args[pi].b.p,
					       v->args[pi].b.len, en->buf[np], sizeof(en->buf[np]));
			if (r >= 0) {
				v->path[np].p = en->buf[np];
				v->path[np].len = (uint32_t)r;
			}
		}
		np++;
	}
	for (size_t i = 0; i < sizeof(fd_keys) / sizeof(fd_keys[0]) && nf < 2; i++) {
		const struct tr_arg_val *a;
		int fi = v->info->idx[fd_keys[i]];

		if (fi < 0)
			continue;
		a = v->args[fi].present ? &v->args[fi] : NULL;
		v->fd[nf].arg = (int8_t)fi;
		v->fd[nf].f = a ? tr_enrich__fd(en, n, (int32_t)a->i) : NULL;
		if (v->fd[nf].f) {
			en->fdcopy[nf] = *v->fd[nf].f;
			v->fd[nf].f = &en->fdcopy[nf];
		}
		nf++;
	}
}

/* The event succeeded (and its result is known). */
static int succeeded(const struct tr_event_view *v)
{
	if ((v->ev->flags & TR_EVF_AT_ENTRY) && !v->paired)
		return 0;
	return v->ev->retval >= 0;
}

static int new_file_fd(struct tr_enrich *en, struct tr_event_view *v, const struct tr_proc_node *n, int64_t fd,
		       uint8_t kind, const void *path, uint32_t len, int cloexec)
{
	struct tr_fdent *f = fd_slot(en, n, fd);

	if (!f)
		return fd < 0 || fd >= TR_FD_MAX ? 0 : -ENOMEM;
	f->kind = kind;
	f->cloexec = !!cloexec;
	return bytes_dup(&f->path, path, len);
}

static int dup_fd(struct tr_enrich *en, const struct tr_proc_node *n, int64_t oldfd, int64_t newfd, int cloexec)
{
	const struct tr_fdent *o = tr_enrich__fd(en, n, oldfd);
	struct tr_fdent tmp, *f;
	int err;

	if (oldfd == newfd)
		return 0;
	if (!o) {
		/* Unknown source: the new fd is open, of unknown kind. */
		f = fd_slot(en, n, newfd);
		if (f)
			f->kind = TR_FDE_OTHER;
		return 0;
	}
	err = fd_copy(&tmp, o);	/* before the slot is cleared: the table may move */
	if (err) {
		fd_clear(&tmp);
		return err;
	}
	f = fd_slot(en, n, newfd);
	if (!f) {
		fd_clear(&tmp);
		return newfd < 0 || newfd >= TR_FD_MAX ? 0 : -ENOMEM;
	}
	*f = tmp;
	f->cloexec = !!cloexec;
	return 0;
}

static void close_cloexec(struct tr_enrich *en, const struct tr_proc_node *n)
{
	struct fdtab *t = n->idx < en->nfdt ? &en->fdt[n->idx] : NULL;

	for (uint32_t i = 0; t && i < t->cap; i++)
		if (t->v[i].kind && t->v[i].cloexec)
			fd_clear(&t->v[i]);
}

static int on_fork(struct tr_enrich *en, struct tr_event_view *v, struct tr_proc_node *n)
{
	const struct tr_arg_val *cpid = tr_view__key(v, TR_AK_CHILD_PID);
	const struct tr_arg_val *ctid = tr_view__key(v, TR_AK_CHILD_TID);
	uint64_t start = tr_view__ku64(v, TR_AK_START_TIME, 0);
	uint32_t parent_pid = (uint32_t)tr_view__ku64(v, TR_AK_PARENT_PID, v->ev->host_pid);
	struct tr_proc_node *child;
	struct fdtab *pt;
	int err;

	if (ctid && start) {
		err = map_set(&en->tid_start, (uint32_t)ctid->u, start);
		if (err)
			return err;
	}
	if (!cpid || (uint32_t)cpid->u == parent_pid)
		return 0;	/* a thread, not a process */
	err = tr_proctree__fork(en->tree, n, v->ev, (uint32_t)cpid->u,
				(uint32_t)tr_view__ku64(v, TR_AK_CHILD_NS_PID, 0), start ? start : v->ev->h.ts, &child);
	if (err)
		return err;
	/* The child gets a copy of the parent's table. */
	pt = n->idx < en->nfdt ? &en->fdt[n->idx] : NULL;
	if (pt && pt->cap && child != n) {
		uint32_t cap = pt->cap;
		struct tr_fdent *copy = calloc(cap, sizeof(*copy));
		struct fdtab *ct;

		if (!copy)
			return -ENOMEM;
		for (uint32_t i = 0; i < cap; i++)
			if (en->fdt[n->idx].v[i].kind && fd_copy(&copy[i], &en->fdt[n->idx].v[i])) {
				for (uint32_t k = 0; k <= i; k++)
					fd_clear(&copy[k]);
				free(copy);
				return -ENOMEM;
			}
		ct = fdtab_of(en, child, 1);
		if (!ct) {
			for (uint32_t k = 0; k < cap; k++)
				fd_clear(&copy[k]);
			free(copy);
			return -ENOMEM;
		}
		fdtab_free(ct);
		ct->v = copy;
		ct->cap = cap;
	}
	return 0;
}

int tr_enrich__event(struct tr_enrich *en, struct tr_event_view *v, struct tr_proc_node *n)
{
	const struct tr_event *ev = v->ev;
	const struct tr_arg_val *a;
	const uint8_t *p, *argv;
	uint32_t len, argvlen;
	int64_t fd = ev->retval;
	uint64_t ts = 0;
	enum op op = en->op[v->def - en->catalog->events];
	int err = 0;

	/* Before: what the event refers to. */
	if (ev->host_tid == ev->host_pid)
		v->thread_start_ns = ev->start_ns;
	else
		v->thread_start_ns = map_get(&en->tid_start, ev->host_tid, &ts) ? ts : 0;
	v->container = tr_enrich__container(en, ev->cgroup_id);
	if (!v->container && n->cgroup.p && n->cgroup_id == ev->cgroup_id) {
		err = cgroup_learn(en, ev->cgroup_id, n->cgroup.p, n->cgroup.len, ev->h.ts);
		if (err)
			return err;
		v->container = tr_enrich__container(en, ev->cgroup_id);
	}
	refer(en, v, n);
	v->user = tr_enrich__user(en, ev->uid);
	n->mnt_ns = ev->mnt_ns;
	n->pid_ns = ev->pid_ns;

	/* After: its effect. */
	switch (op) {
	case OP_NONE:
		return 0;
	case OP_OPEN:
		if (!succeeded(v))
			return 0;
		return new_file_fd(en, v, n, fd, TR_FDE_FILE, v->path[0].p, v->path[0].len,
				   tr_view__ki64(v, TR_AK_FLAGS, 0) & TR_O_CLOEXEC);
	case OP_CLOSE: {
		struct tr_fdent *f;

		if (ev->retval && ev->retval != -4 /* EINTR: closed anyway */)
			return 0;
		a = tr_view__key(v, TR_AK_FD);
		f = a ? (struct tr_fdent *)tr_enrich__fd(en, n, (int32_t)a->i) : NULL;
		if (f) {
			fd_clear(&en->closed);
			en->closed = *f;	/* the view's copy still points at its bytes */
			memset(f, 0, sizeof(*f));
		}
		return 0;
	}
	case OP_DUP:
		return succeeded(v) ? dup_fd(en, n, (int32_t)tr_view__ki64(v, TR_AK_OLDFD, -1), fd, 0) : 0;
	case OP_DUP2:
	case OP_DUP3:
		return succeeded(v) ? dup_fd(en, n, (int32_t)tr_view__ki64(v, TR_AK_OLDFD, -1), fd,
					     op == OP_DUP3 && (tr_view__ki64(v, TR_AK_FLAGS, 0) & TR_O_CLOEXEC)) : 0;
	case OP_FCNTL: {
		int64_t cmd = tr_view__ki64(v, TR_AK_CMD, -1);
		int32_t ofd = (int32_t)tr_view__ki64(v, TR_AK_FD, -1);

		if (!succeeded(v))
			return 0;
		if (cmd == TR_F_DUPFD || cmd == TR_F_DUPFD_CLOEXEC)
			return dup_fd(en, n, ofd, fd, cmd == TR_F_DUPFD_CLOEXEC);
		if (cmd == TR_F_SETFD && tr_enrich__fd(en, n, ofd))
			en->fdt[n->idx].v[ofd].cloexec = tr_view__ku64(v, TR_AK_ARG, 0) & TR_FD_CLOEXEC;
		return 0;
	}
	case OP_SOCKET: {
		struct tr_fdent *f;
		int64_t type = tr_view__ki64(v, TR_AK_TYPE, 0);

		if (!succeeded(v) || !(f = fd_slot(en, n, fd)))
			return succeeded(v) && fd >= 0 && fd < TR_FD_MAX ? -ENOMEM : 0;
		f->kind = TR_FDE_SOCKET;
		f->family = (uint16_t)tr_view__ki64(v, TR_AK_DOMAIN, 0);
		f->socktype = (int32_t)(type & 0xf);
		f->cloexec = !!(type & TR_SOCK_CLOEXEC);
		return 0;
	}
	case OP_CONNECT:
	case OP_BIND: {
		int32_t s = (int32_t)tr_view__ki64(v, TR_AK_SOCKFD, -1);
		struct tr_fdent *f = (struct tr_fdent *)tr_enrich__fd(en, n, s);
		struct tr_bytes *dst;

		/* A non-blocking connect in progress (-EINPROGRESS) is connecting. */
		if (!f || !tr_view__kbytes(v, TR_AK_SOCKADDR, &p, &len) || (ev->retval < 0 && ev->retval != -115))
			return 0;
		dst = op == OP_CONNECT ? &f->peer : &f->local;
		free(dst->p);
		dst->p = NULL;
		dst->len = 0;
		if (f->kind != TR_FDE_SOCKET) {
			f->kind = TR_FDE_SOCKET;
			f->family = len >= 2 ? (uint16_t)(p[0] | p[1] << 8) : 0;
		}
		if (bytes_dup(dst, p, len))
			return -ENOMEM;
		/* the recorder's: where the connecting socket was bound */
		if (op == OP_CONNECT && tr_view__kbytes(v, TR_AK_LOCAL_ADDR, &p, &len) && len >= 2) {
			free(f->local.p);
			f->local.p = NULL;
			f->local.len = 0;
			return bytes_dup(&f->local, p, len);
		}
		return 0;
	}
	case OP_ACCEPT: {
		int32_t s = (int32_t)tr_view__ki64(v, TR_AK_SOCKFD, -1);
		const struct tr_fdent *l = tr_enrich__fd(en, n, s);
		struct tr_fdent tmp = { .kind = TR_FDE_SOCKET }, *f;

		if (!succeeded(v))
			return 0;
		if (l && fd_copy(&tmp, l)) {
			fd_clear(&tmp);
			return -ENOMEM;
		}
		free(tmp.peer.p);
		tmp.peer.p = NULL;
		tmp.peer.len = 0;
		if (tr_view__kbytes(v, TR_AK_SOCKADDR, &p, &len) && bytes_dup(&tmp.peer, p, len)) {
			fd_clear(&tmp);
			return -ENOMEM;
		}
		f = fd_slot(en, n, fd);
		if (!f) {
			fd_clear(&tmp);
			return 0;
		}
		*f = tmp;
		f->cloexec = !!(tr_view__ki64(v, TR_AK_FLAGS, 0) & TR_SOCK_CLOEXEC);
		return 0;
	}
	case OP_PIPE: {
		int32_t pfd[2];

		if (!succeeded(v) || !tr_view__kbytes(v, TR_AK_PIPEFD, &p, &len) || len < 8)
			return 0;
		memcpy(pfd, p, sizeof(pfd));
		for (int i = 0; i < 2; i++) {
			err = new_file_fd(en, v, n, pfd[i], TR_FDE_PIPE, "pipe", 4,
					  tr_view__ki64(v, TR_AK_FLAGS, 0) & TR_O_CLOEXEC);
			if (err)
				return err;
		}
		return 0;
	}
	case OP_MEMFD: {
		char name[TR_STR_MAX + 8] = "memfd:";

		if (!succeeded(v))
			return 0;
		len = 0;
		if (tr_view__kbytes(v, TR_AK_NAME, &p, &len)) {
			len = len < TR_STR_MAX ? len : TR_STR_MAX;
			memcpy(name + 6, p, len);
		}
		return new_file_fd(en, v, n, fd, TR_FDE_MEMFD, name, 6 + len,
				   tr_view__ku64(v, TR_AK_FLAGS, 0) & TR_MFD_CLOEXEC);
	}
	case OP_CHDIR:
		/* Sent at exit with its result; only a success moves. */
		if (ev->retval || !succeeded(v))
			return 0;
		tr_view__kbytes(v, TR_AK_PATH, &p, &len);
		return tr_proctree__chdir(en->tree, n, ev->h.ts, p, len);
	case OP_FCHDIR: {
		const struct tr_fdent *f = tr_enrich__fd(en, n, (int32_t)tr_view__ki64(v, TR_AK_FD, -1));

		if (ev->retval || !succeeded(v))
			return 0;
		/* An unknown directory makes the cwd unknown, not stale. */
		if (!f || f->kind != TR_FDE_FILE || !f->path.p)
			return tr_proctree__chdir(en->tree, n, ev->h.ts, NULL, 0);
		return tr_proctree__chdir(en->tree, n, ev->h.ts, f->path.p, f->path.len);
	}
	case OP_EXECVE:
		/* Only a successful execve changes the image; one sent at entry
		 * is known to have succeeded only once paired. */
		if (ev->retval || !succeeded(v))
			return 0;
		tr_view__kbytes(v, TR_AK_PATHNAME, &p, &len);
		tr_view__kbytes(v, TR_AK_ARGV, &argv, &argvlen);
		close_cloexec(en, n);
		return tr_proctree__exec(en->tree, n, ev->h.ts, p, len, argv, argvlen, NULL);
	case OP_EXEC: {
		const struct tr_fdent *in = tr_enrich__fd(en, n, 0);

		/* the file the kernel runs (version 2 records it, resolved:
		 * a fexecve'd memfd, not /dev/fd/N), else the name asked for */
		if (!tr_view__kbytes(v, TR_AK_PATHNAME, &p, &len) || !len)
			tr_view__kbytes(v, TR_AK_CMDPATH, &p, &len);
		tr_view__kbytes(v, TR_AK_ARGV, &argv, &argvlen);
		n->nexec++;
		memcpy(en->prev_comm, n->comm, sizeof(en->prev_comm));
		if (in) {
			en->fdcopy[1] = *in;	/* stays valid through close_cloexec: stdin is rarely CLOEXEC */
			in = in->cloexec ? NULL : &en->fdcopy[1];
		}
		close_cloexec(en, n);
		err = tr_proctree__exec(en->tree, n, ev->h.ts, p, len, argv, argvlen, ev->comm);
		if (err)
			return err;
		/* what the recorder leaves out, from the state */
		fill_arg(v, "prev_comm", TR_T_STR, en->prev_comm, (uint32_t)strlen(en->prev_comm), 0);
		if (n->cwd.p && ev->h.ts >= n->cwd_ns)
			fill_arg(v, "pwd", TR_T_STR, n->cwd.p, n->cwd.len, 0);
		if (n->exe.p && n->exe.p[0] == '/')
			fill_arg(v, "pathname", TR_T_STR, n->exe.p, n->exe.len, 0);
		if (in && in->path.p)
			fill_arg(v, "stdin_path", TR_T_STR, in->path.p, in->path.len, 0);
		if (in && fd_mode(in))
			fill_arg(v, "stdin_type", TR_T_UINT32, NULL, 0, fd_mode(in));
		return 0;
	}
	case OP_FORK:
		return on_fork(en, v, n);
	case OP_EXIT:
		if (tr_view__ku64(v, TR_AK_GROUP_EXIT, 0)) {
			tr_proctree__exit(en->tree, n, tr_view__ki64(v, TR_AK_EXIT_CODE, 0), ev->h.ts);
			if (n->idx < en->nfdt)
				fdtab_free(&en->fdt[n->idx]);
		}
		return 0;
	case OP_SETUID:
	case OP_SETREUID: {
		int64_t uid = tr_view__ki64(v, op == OP_SETUID ? TR_AK_UID : TR_AK_RUID, -1);

		if (ev->retval || !succeeded(v))
			return 0;
		if ((int32_t)uid != -1)
			n->uid = (uint32_t)uid;
		return 0;
	}
	case OP_PRCTL:
		/* Sent at exit: the task's comm is already the new name. */
		if (!ev->retval && succeeded(v) && tr_view__ki64(v, TR_AK_OPTION, 0) == TR_PR_SET_NAME) {
			memcpy(n->comm, ev->comm, 16);
			n->comm[16] = '\0';
		}
		return 0;
	case OP_CGROUP_MKDIR:
		if (tr_view__kbytes(v, TR_AK_CGROUP_PATH, &p, &len))
			return cgroup_learn(en, tr_view__ku64(v, TR_AK_CGROUP_ID, 0), (const char *)p, len, ev->h.ts);
		return 0;
	case OP_CGROUP_RMDIR: {
		const struct tr_container *c = tr_enrich__container(en, tr_view__ku64(v, TR_AK_CGROUP_ID, 0));

		if (c)
			((struct tr_container *)c)->removed = 1;
		return 0;
	}
	}
	return 0;
}
