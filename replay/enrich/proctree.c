// SPDX-License-Identifier: MIT
/* proctree.c: the process tree (replay/proctree.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "proctree.h"

/* Room for a cwd and a path resolved against it. A cwd that grows past it
 * (chdir into ever deeper relative paths) becomes unknown, not cut. */
#define TR_PATH_BUF (2 * TR_STR_MAX + 2)

/* pid -> newest node, open addressing. Only looked up, never iterated, so
 * its layout cannot leak into the output order. */
struct tr_pidmap {
	uint32_t *keys;
	uint32_t *vals;		/* node index + 1; 0 marks an empty slot */
	size_t cap;		/* power of two */
	size_t used;
};

struct tr_proctree {
	struct tr_proc_node **nodes; /* by index; pointers stay valid */
	size_t n;
	size_t cap;
	struct tr_pidmap map;
	size_t bytes;		/* string bytes held, each shared block once */
	uint64_t refused;	/* strings not kept: the cap was reached */
};

/* Strings are shared, not copied: a fork inherits its parent's exe, argv,
 * cwd and cgroup by reference. Each string is one block with a count of
 * its holders; tr_bytes.p points at its bytes. */
struct tr_shared {
	uint32_t refs;
	uint32_t len;
	char data[];
};

#define SHARED(p) ((struct tr_shared *)((char *)(p) - offsetof(struct tr_shared, data)))

static inline size_t pid_slot(uint32_t pid, size_t cap)
{
	return (size_t)((pid * 0x9E3779B1U) & (cap - 1));
}

static int pidmap_grow(struct tr_pidmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	uint32_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t s;

		if (!m->vals[i])
			continue;
		for (s = pid_slot(m->keys[i], cap); vals[s]; s = (s + 1) & (cap - 1))
			;
		keys[s] = m->keys[i];
		vals[s] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* The slot of pid, or of the empty slot where it would go. */
static size_t pidmap_slot(const struct tr_pidmap *m, uint32_t pid)
{
	size_t s = pid_slot(pid, m->cap);

	while (m->vals[s] && m->keys[s] != pid)
		s = (s + 1) & (m->cap - 1);
	return s;
}

static int64_t pidmap_get(const struct tr_pidmap *m, uint32_t pid)
{
	size_t s;

	if (!m->cap)
		return -1;
	s = pidmap_slot(m, pid);
	return m->vals[s] ? (int64_t)m->vals[s] - 1 : -1;
}

static int pidmap_set(struct tr_pidmap *m, uint32_t pid, uint32_t idx)
{
	size_t s;
	int err;

	/* Keep the load under one half so probes stay short. */
	if ((m->used + 1) * 2 > m->cap) {
		err = pidmap_grow(m);
		if (err)
			return err;
	}
	s = pidmap_slot(m, pid);
	if (!m->vals[s])
		m->used++;
	m->keys[s] = pid;
	m->vals[s] = idx + 1;
	return 0;
}

struct tr_proctree *tr_proctree__new(void)
{
	struct tr_proctree *t = calloc(1, sizeof(*t));

	if (t && pidmap_grow(&t->map)) {
		free(t);
		return NULL;
	}
	return t;
}

static void bytes_free(struct tr_proctree *t, struct tr_bytes *b)
{
	if (b->p) {
		struct tr_shared *s = SHARED(b->p);

		if (!--s->refs) {
			t->bytes -= sizeof(*s) + s->len + 1;
			free(s);
		}
	}
	b->p = NULL;
	b->len = 0;
}

void tr_proctree__free(struct tr_proctree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		struct tr_proc_node *n = t->nodes[i];

		bytes_free(t, &n->exe);
		bytes_free(t, &n->cwd);
		bytes_free(t, &n->argv);
		bytes_free(t, &n->cgroup);
		free(n);
	}
	free(t->nodes);
	free(t->map.keys);
	free(t->map.vals);
	free(t);
}

size_t tr_proctree__count(const struct tr_proctree *t)
{
	return t->n;
}

const struct tr_proc_node *tr_proctree__node(const struct tr_proctree *t, size_t idx)
{
	return idx < t->n ? t->nodes[idx] : NULL;
}

struct tr_proc_node *tr_proctree__find(const struct tr_proctree *t, uint32_t host_pid, uint64_t start_ns)
{
	int64_t i = pidmap_get(&t->map, host_pid);
	uint64_t tick = tr_proc__tick(start_ns);

	if (i < 0 || !start_ns)
		return i < 0 ? NULL : t->nodes[i];
	for (; i >= 0; i = t->nodes[i]->older)
		if (tr_proc__tick(t->nodes[i]->start_ns) == tick)
			return t->nodes[i];
	return NULL;
}

const struct tr_proc_node *tr_proctree__parent(const struct tr_proctree *t, const struct tr_proc_node *n)
{
	return n->parent >= 0 ? t->nodes[n->parent] : NULL;
}

/* A new string of its own for b. Past TR_PROCTREE_BYTES_MAX held, b is
 * left unknown (NULL) and counted: a stream that execs without end cannot
 * take all memory. */
static int bytes_set(struct tr_proctree *t, struct tr_bytes *b, const void *p, uint32_t len)
{
	size_t need = sizeof(struct tr_shared) + (size_t)len + 1;
	struct tr_shared *s;

	bytes_free(t, b);
	if (t->bytes + need > TR_PROCTREE_BYTES_MAX) {
		t->refused++;
		return 0;
	}
	s = malloc(need);
	if (!s)
		return -ENOMEM;
	s->refs = 1;
	s->len = len;
	memcpy(s->data, p, len);
	s->data[len] = '\0';
	t->bytes += need;
	b->p = s->data;
	b->len = len;
	return 0;
}

/* dst holds src's string too. */
static int bytes_copy(struct tr_proctree *t, struct tr_bytes *dst, const struct tr_bytes *src)
{
	if (!src->p || dst->p == src->p)
		return 0;
	bytes_free(t, dst);
	if (SHARED(src->p)->refs == UINT32_MAX)
		return bytes_set(t, dst, src->p, src->len);
	SHARED(src->p)->refs++;
	*dst = *src;
	return 0;
}

size_t tr_proctree__bytes(const struct tr_proctree *t, uint64_t *refused)
{
	if (refused)
		*refused = t->refused;
	return t->bytes;
}

static void comm_set(char dst[17], const char src[16])
{
	memcpy(dst, src, 16);
	dst[16] = '\0';
}

/* A new node with a pid and start time, chained behind the other holders
 * of its pid so that the map always points at the newest one. */
static int node_new(struct tr_proctree *t, uint32_t host_pid, uint64_t start_ns, struct tr_proc_node **out)
{
	struct tr_proc_node *n;
	int64_t head;
	int err;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct tr_proc_node **nodes;

		if (cap > UINT32_MAX)
			return -ENOMEM;
		nodes = realloc(t->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -ENOMEM;
		t->nodes = nodes;
		t->cap = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->idx = (uint32_t)t->n;
	n->host_pid = host_pid;
	n->start_ns = start_ns;
	n->parent = -1;
	n->older = -1;

	head = pidmap_get(&t->map, host_pid);
	if (head < 0 || tr_proc__tick(t->nodes[head]->start_ns) <= tr_proc__tick(start_ns)) {
		err = pidmap_set(&t->map, host_pid, n->idx);
		if (err) {
			free(n);
			return err;
		}
		n->older = head;
	} else {
		/* An older process than the pid's current holder (its events
		 * were stamped before the snapshot that showed the newer one):
		 * keep the chain sorted, newest first. */
		struct tr_proc_node *p = t->nodes[head];

		while (p->older >= 0 && tr_proc__tick(t->nodes[p->older]->start_ns) > tr_proc__tick(start_ns))
			p = t->nodes[p->older];
		n->older = p->older;
		p->older = n->idx;
	}
	t->nodes[t->n++] = n;
	*out = n;
	return 0;
}

int tr_proctree__snapshot(struct tr_proctree *t, const struct tr_proc *p, const struct tr_arg_val *args)
{
	struct tr_proc_node *n = tr_proctree__find(t, p->host_pid, p->start_ns);
	static const int slots[] = { TR_PROC_ARG_EXE, TR_PROC_ARG_CWD, TR_PROC_ARG_ARGV, TR_PROC_ARG_CGROUP };
	int err, known;

	/* A start time of 0 would match any holder of the pid in find(); a
	 * snapshot entry always has one, so only an exact match is reused. */
	if (n && tr_proc__tick(n->start_ns) != tr_proc__tick(p->start_ns))
		n = NULL;
	known = n != NULL;
	if (!n) {
		err = node_new(t, p->host_pid, p->start_ns, &n);
		if (err)
			return err;
		n->source = TR_PSRC_SNAPSHOT;
		n->seen_ns = p->h.ts;
	}
	/* Every segment opens with a checkpoint that restates the processes
	 * (FORMAT.md 4.4): a process already known is the same process as of
	 * a later moment. It is updated, never duplicated. */
	n->host_ppid = p->host_ppid;
	n->pid = p->pid;
	n->ppid = p->ppid;
	n->uid = p->uid;
	n->gid = p->gid;
	n->cgroup_id = p->cgroup_id;
	n->mnt_ns = p->mnt_ns;
	n->pid_ns = p->pid_ns;
	comm_set(n->comm, p->comm);
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		const struct tr_arg_val *a = &args[slots[i]];
		struct tr_bytes *dst = slots[i] == TR_PROC_ARG_EXE ? &n->exe :
				       slots[i] == TR_PROC_ARG_CWD ? &n->cwd :
				       slots[i] == TR_PROC_ARG_ARGV ? &n->argv : &n->cgroup;

		if (!a->present)
			continue;
		if (known && dst->p) {
			/* what an exec event said stays (/proc/PID/exe names
			 * the file behind symlinks: /bin/sh would become
			 * /usr/bin/dash mid-recording) */
			if ((dst == &n->exe || dst == &n->argv) && n->nexec)
				continue;
			/* the same cwd holds since it was learned: events
			 * stamped before this record may still come, and can
			 * use it */
			if (dst == &n->cwd && dst->len == a->b.len && !memcmp(dst->p, a->b.p, a->b.len))
				continue;
		}
		err = bytes_set(t, dst, a->b.p, a->b.len);
		if (err)
			return err;
		if (dst == &n->cwd)
			n->cwd_ns = p->h.ts;
	}
	return 0;
}

void tr_proctree__link_snapshot(struct tr_proctree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tr_proc_node *n = t->nodes[i], *p;

		if (n->source != TR_PSRC_SNAPSHOT || n->parent >= 0 || !n->host_ppid)
			continue;
		/* The snapshot has no parent start times; the pid's newest
		 * holder is the parent if it started no later than the child
		 * (else the real parent exited and the pid was reused). */
		p = tr_proctree__find(t, n->host_ppid, 0);
		while (p && tr_proc__tick(p->start_ns) > tr_proc__tick(n->start_ns))
			p = p->older >= 0 ? t->nodes[p->older] : NULL;
		if (!p || p == n)
			continue;
		n->parent = p->idx;
		n->parent_start_ns = p->start_ns;
	}
}

int tr_proctree__event(struct tr_proctree *t, const struct tr_event *ev, struct tr_proc_node **out)
{
	struct tr_proc_node *n = tr_proctree__find(t, ev->host_pid, ev->start_ns);
	struct tr_proc_node *p;
	int err;

	if (n && ev->start_ns && tr_proc__tick(n->start_ns) != tr_proc__tick(ev->start_ns))
		n = NULL;
	if (n) {
		*out = n;
		return 0;
	}
	err = node_new(t, ev->host_pid, ev->start_ns, &n);
	if (err)
		return err;
	n->source = TR_PSRC_EVENT;
	n->seen_ns = ev->h.ts;
	n->host_ppid = ev->host_ppid;
	n->pid = ev->pid;
	n->ppid = ev->ppid;
	n->uid = ev->uid;
	n->gid = ev->gid;
	n->parent_start_ns = ev->parent_start_ns;
	n->cgroup_id = ev->cgroup_id;
	n->mnt_ns = ev->mnt_ns;
	n->pid_ns = ev->pid_ns;
	comm_set(n->comm, ev->comm);
	if (ev->parent_start_ns) {
		p = tr_proctree__find(t, ev->host_ppid, ev->parent_start_ns);
		if (p && p != n)
			n->parent = p->idx;
	}
	*out = n;
	return 0;
}

int tr_proctree__fork(struct tr_proctree *t, struct tr_proc_node *parent, const struct tr_event *ev,
		      uint32_t child_pid, uint32_t child_ns_pid, uint64_t child_start,
		      struct tr_proc_node **out)
{
	struct tr_proc_node *n = child_start ? tr_proctree__find(t, child_pid, child_start) : NULL;
	int err = 0;

	if (!n) {
		err = node_new(t, child_pid, child_start, &n);
		if (err)
			return err;
		n->source = TR_PSRC_FORK;
		n->seen_ns = ev->h.ts;
		n->pid = child_ns_pid;
		n->ppid = ev->pid;
		n->uid = ev->uid;
		n->gid = ev->gid;
		n->cgroup_id = ev->cgroup_id;
		n->mnt_ns = ev->mnt_ns;
		n->pid_ns = ev->pid_ns;
		/* The child copies the forking thread's comm. */
		comm_set(n->comm, ev->comm);
	}
	/* Probes attach before the snapshot, so the snapshot may already hold
	 * this child: complete what it lacks, keep what it knows (it was
	 * read later, after any exec). */
	if (n->parent < 0 && parent != n) {
		n->parent = parent->idx;
		n->parent_start_ns = parent->start_ns;
	}
	if (!n->host_ppid)
		n->host_ppid = parent->host_pid;
	if (!n->exe.p)
		err = err ?: bytes_copy(t, &n->exe, &parent->exe);
	if (!n->argv.p)
		err = err ?: bytes_copy(t, &n->argv, &parent->argv);
	/* The child starts where the parent is at the fork; a parent's cwd
	 * read by the snapshot after the fork may not be where it was then. */
	if (!n->cwd.p && parent->cwd.p && parent->cwd_ns <= ev->h.ts) {
		err = err ?: bytes_copy(t, &n->cwd, &parent->cwd);
		n->cwd_ns = ev->h.ts;
	}
	if (!n->cgroup.p)
		err = err ?: bytes_copy(t, &n->cgroup, &parent->cgroup);
	*out = n;
	return err;
}

int tr_proctree__resolve(const struct tr_proc_node *n, uint64_t ts, const void *path, uint32_t len,
			 char *out, size_t cap)
{
	int known = n && n->cwd.p && ts >= n->cwd_ns;

	return tr_path__resolve(known ? n->cwd.p : NULL, known ? n->cwd.len : 0, path, len, out, cap);
}

int tr_proctree__exec(struct tr_proctree *t, struct tr_proc_node *n, uint64_t ts, const void *path,
		      uint32_t len, const void *argv, uint32_t argvlen, const char comm[16])
{
	int err = 0;

	if (path) {
		char buf[TR_PATH_BUF];
		int r = -EINVAL;

		/* A relative path means nothing once the process has moved on,
		 * so store it made absolute when the cwd is known, and as it
		 * was given when not (a guess would name the wrong file). */
		if (len && ((const char *)path)[0] != '/')
			r = tr_proctree__resolve(n, ts, path, len, buf, sizeof(buf));
		err = r >= 0 ? bytes_set(t, &n->exe, buf, (uint32_t)r) : bytes_set(t, &n->exe, path, len);
	}
	if (!err && argv)
		err = bytes_set(t, &n->argv, argv, argvlen);
	if (comm)
		comm_set(n->comm, comm);
	return err;
}

int tr_proctree__chdir(struct tr_proctree *t, struct tr_proc_node *n, uint64_t ts, const void *path,
		       uint32_t len)
{
	char buf[TR_PATH_BUF];
	int r = -EINVAL;

	/* Already in the cwd we hold (the snapshot read it after). */
	if (n->cwd.p && ts < n->cwd_ns)
		return 0;
	if (path && len)
		r = tr_path__resolve(n->cwd.p, n->cwd.len, path, len, buf, sizeof(buf));
	n->cwd_ns = ts;
	if (r < 0) {
		/* It moved, and we cannot tell where to. */
		bytes_free(t, &n->cwd);
		return 0;
	}
	return bytes_set(t, &n->cwd, buf, (uint32_t)r);
}

void tr_proctree__exit(struct tr_proctree *t, struct tr_proc_node *n, int64_t code, uint64_t ts)
{
	n->exited = 1;
	n->exit_code = code;
	n->exit_ns = ts;
}
