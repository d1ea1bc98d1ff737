// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * events.bpf.c: the core event set, from raw syscall tracepoints and the
 * sched process tracepoints. Records are built in the exact on-disk layout
 * of schema/tr_format.h and sent through a per-CPU perf buffer; userland
 * appends them to segments unchanged.
 *
 * Syscalls are table-driven (schema/sctable.h): the recorder fills sc_table
 * from the catalog; sys_enter reads what lives in user memory into the
 * thread's pending record (task storage), sys_exit adds what the kernel did
 * (return value, resolved paths, addresses filled in) and sends it.
 *
 * Only tp_btf (BTF raw tracepoints) are used: they need neither kprobes nor
 * tracefs, and give typed, direct access to the tracepoint arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "tr_format.h"
#include "catalog.h"
#include "sctable.h"
#include "syscalls.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The recorder's own thread group: never recorded (set before load). */
const volatile __u32 self_tgid = 0;

#include "filter.bpf.h"

/*
 * A record being built: the thread's pending syscall (task storage), or a
 * per-CPU one for events made in one go. Writes start below TR_PEND_REC and
 * copy at most TR_STR_MAX bytes, so the slack keeps every access in bounds
 * for the verifier; a record never grows past TR_PEND_REC.
 */
#define TR_PEND_REC  8192
#define TR_PEND_INFO 4
#define TR_POFF(o)   ((o) & (TR_PEND_REC - 1))

struct pend {
	__u64 regs[8];		/* 6 used; 8 so that an index & 7 stays inside */
	__s64 sysnr;		/* raw syscall number at entry; -1: nothing pending */
	__u32 slot;		/* sc_table slot */
	__u32 off;		/* bytes of the record so far */
	__u16 retry;		/* arguments whose entry read failed, by index */
	__u8 compat;
	__u8 ninfo;
	__u32 pad;
	struct tr_arg_info info[TR_PEND_INFO];
	__u8 buf[TR_PEND_REC + TR_STR_MAX + 64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pend);
} scratch_map SEC(".maps");

/* Path building: components are written backwards from the middle. */
#define TR_PATH_HALF 4096
struct pathbuf {
	__u8 b[TR_PATH_HALF * 2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pathbuf);
} path_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pend);
} pend_map SEC(".maps");

/* The syscall table and the ia32 numbers onto its slots (schema/sctable.h),
 * filled by the recorder before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TR_SC_SLOTS);
	__type(key, __u32);
	__type(value, struct tr_sc_desc);
} sc_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TR_SC_NR_MAX);
	__type(key, __u32);
	__type(value, __u32);
} sc_ia32 SEC(".maps");

/* The events' ring buffer, shared by every CPU: a record is copied in once,
 * and the recorder reads it in place. Its size is set before load
 * (--buffer-size). The recorder is woken only when wake_bytes are waiting
 * (a quarter of the ring), and otherwise polls: no wake-up per record. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 26);
} events SEC(".maps");

const volatile __u64 wake_bytes = 1 << 24;

/* Per-CPU record sequence: every record sent or dropped takes a number, so a
 * gap in a CPU's sequence is a loss even if the loss record itself is lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq_map SEC(".maps");

/* Per-CPU count of records the full ring refused: the recorder turns what
 * it has not yet said into gap records after every drain. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_map SEC(".maps");

static __always_inline struct pend *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* inet_sock_set_state runs in softirq, which can interrupt a program
 * building in scratch_map on the same CPU: it builds in its own. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pend);
} irq_scratch_map SEC(".maps");

/* A 32-bit syscall (int 0x80 / sysenter from ia32 code): its own numbers,
 * arguments in other registers, 32-bit pointers. */
static __always_inline bool is_compat_syscall(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->thread_info.status & TR_TS_COMPAT;
}

static __always_inline bool is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/* The number of a task's pid in the pid namespace it lives in. */
static __always_inline __u32 ns_nr(struct pid *pid, __u32 *ns_inum)
{
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level]);
	if (ns_inum)
		*ns_inum = BPF_CORE_READ(up.ns, ns.inum);
	return up.nr;
}

/* Fill the record head (all but the time) and the task context of an event
 * for the current task. Fields come from the task's own structures by direct
 * (BTF) loads, not helper calls: this runs twice per recorded syscall. */
static __always_inline struct tr_event *event_ctx(struct pend *p, __u32 id)
{
	struct tr_event *e = (void *)p->buf;
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = task->real_parent;
	const struct cred *cred = task->cred;

	e->h.kind = TR_REC_EVENT;
	e->event_id = id;
	e->nargs = 0;
	e->flags = 0;
	e->retval = 0;
	e->start_ns = leader->start_boottime;
	e->parent_start_ns = parent->group_leader->start_boottime;
	/* the default hierarchy's cgroup, as bpf_get_current_cgroup_id() gives it */
	e->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	e->host_tid = task->pid;
	e->host_pid = task->tgid;
	e->host_ppid = parent->tgid;
	if (!task->thread_pid->level) {
		/* the initial pid namespace, where most tasks live: namespace
		 * ids are host ids, and walking three pid structs is skipped */
		e->tid = e->host_tid;
		e->pid = e->host_pid;
		e->ppid = e->host_ppid;
		e->pid_ns = task->thread_pid->numbers[0].ns->ns.inum;
	} else {
		e->tid = ns_nr(task->thread_pid, &e->pid_ns);
		e->pid = ns_nr(leader->thread_pid, NULL);
		e->ppid = ns_nr(parent->group_leader->thread_pid, NULL);
	}
	e->uid = cred->uid.val;
	e->gid = cred->gid.val;
	e->mnt_ns = task->nsproxy->mnt_ns->ns.inum; /* NULL-safe: a faulting BTF load reads 0 */
	e->euid = cred->euid.val;
	e->fsuid = cred->fsuid.val;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	p->off = sizeof(struct tr_event);
	p->ninfo = 0;
	return e;
}

/* The same, stamped now. */
static __always_inline struct tr_event *event_init(struct pend *p, __u32 id)
{
	struct tr_event *e = event_ctx(p, id);

	e->h.ts = bpf_ktime_get_boot_ns();
	return e;
}

/* ---- argument writers: one index byte, then the value (FORMAT.md §5).
 * Global functions: the verifier checks each once, not at every call. Each
 * returns 0, -1 when user memory could not be read (worth a retry at exit),
 * -2 when the record is full or the value is absent. */

/* An argument-info trailer entry (FORMAT.md §4.2) for an argument just written. */
__noinline int tr_info(struct pend *p, __u32 idx, __u32 flags, __u32 orig_len)
{
	struct tr_event *e;
	__u32 n;

	if (!p)
		return -2;
	e = (void *)p->buf;
	n = p->ninfo;
	if (n >= TR_PEND_INFO)
		return -2;
	p->info[n].idx = idx;
	p->info[n].flags = flags;
	p->info[n].reserved = 0;
	p->info[n].orig_len = flags & TR_ARGF_TRUNC ? orig_len : 0;
	p->ninfo = n + 1;
	if (flags & TR_ARGF_TRUNC)
		e->flags |= TR_EVF_TRUNC;
	if (flags & TR_ARGF_AT_EXIT)
		e->flags |= TR_EVF_ARG_AT_EXIT;
	return 0;
}

/* An integer argument at the current offset, as its wire type says. */
static __always_inline int put_int(struct pend *p, __u32 idx, __u32 wire, __u64 v)
{
	struct tr_event *e = (void *)p->buf;
	__u32 o;

	if (p->off > TR_PEND_REC - 16)
		return -2;
	o = TR_POFF(p->off);
	p->buf[o] = idx;
	if (wire == TR_T_INT32 || wire == TR_T_UINT32) {
		__u32 x = v;

		__builtin_memcpy(&p->buf[o + 1], &x, sizeof(x));
		p->off = o + 5;
	} else {
		__builtin_memcpy(&p->buf[o + 1], &v, sizeof(v));
		p->off = o + 9;
	}
	e->nargs++;
	return 0;
}

__noinline int tr_put_int(struct pend *p, __u32 idx, __u32 wire, __u64 v)
{
	if (!p)
		return -2;
	return put_int(p, idx, wire, v);
}

/* Room for a length-prefixed value at the current offset, at most max. */
static __always_inline __u32 room_for(struct pend *p, __u32 max)
{
	__u32 o = TR_POFF(p->off), room;

	if (p->off > TR_PEND_REC - 6)
		return 0;
	room = TR_PEND_REC - 5 - o;
	return room < max ? room : max;
}

/* Close a length-prefixed value of len bytes written at p->off + 5. */
static __always_inline void close_value(struct pend *p, __u32 idx, __u32 len)
{
	struct tr_event *e = (void *)p->buf;
	__u32 o = TR_POFF(p->off);

	p->buf[o] = idx;
	__builtin_memcpy(&p->buf[o + 1], &len, sizeof(len));
	p->off = o + 5 + (len & (TR_STR_MAX * 2 - 1));
	e->nargs++;
}

/* A string from user (user != 0) or kernel memory. */
__noinline int tr_put_str(struct pend *p, __u32 idx, __u64 src, __u32 user)
{
	__u32 o, room;
	long n;

	if (!p)
		return -2;
	if (!src)
		return -2;
	room = room_for(p, TR_STR_MAX);
	if (room < 2)
		return -2;
	o = TR_POFF(p->off);
	if (user)
		n = bpf_probe_read_user_str(&p->buf[o + 5], room, (void *)src);
	else
		n = bpf_probe_read_kernel_str(&p->buf[o + 5], room, (void *)src);
	if (n <= 0)
		return -1;
	close_value(p, idx, (__u32)n - 1); /* the length leaves out the NUL */
	/* no NUL within room: there was more */
	if ((__u32)n == room)
		tr_info(p, idx, TR_ARGF_TRUNC, 0);
	return 0;
}

/* Bytes from user memory: the first max of len; a longer value is flagged
 * with its length. */
__noinline int tr_put_ubytes(struct pend *p, __u32 idx, __u64 src, __u64 len, __u32 max)
{
	__u32 o, n, room;

	if (!p || !src)
		return -2;
	room = room_for(p, max < TR_STR_MAX ? max : TR_STR_MAX - 1);
	n = len < room ? len : room;
	o = TR_POFF(p->off);
	barrier_var(n);
	if (n && bpf_probe_read_user(&p->buf[o + 5], n & (TR_STR_MAX - 1), (void *)src))
		return -1;
	close_value(p, idx, n);
	if (len > n)
		tr_info(p, idx, TR_ARGF_TRUNC, len > 0xffffffffULL ? 0 : (__u32)len);
	return 0;
}

/* A user pointer in an array of pointers: 8 bytes, or 4 for ia32. */
static __always_inline __u64 read_uptr(__u64 at, __u32 compat)
{
	__u64 v = 0;

	if (compat) {
		__u32 x = 0;

		bpf_probe_read_user(&x, sizeof(x), (void *)at);
		return x;
	}
	bpf_probe_read_user(&v, sizeof(v), (void *)at);
	return v;
}

/* A user argv: at most TR_ARGV_MAX elements and TR_STR_MAX - 1 bytes. */
__noinline int tr_put_uargv(struct pend *p, __u32 idx, __u64 argv, __u32 compat)
{
	__u32 o, len = 0, room, trunc = 0, step = compat ? 4 : 8;
	int i;

	if (!p || !argv)
		return -2;
	room = room_for(p, TR_STR_MAX - 1);
	if (room < 2)
		return -2;
	o = TR_POFF(p->off);
	for (i = 0; i < TR_ARGV_MAX; i++) {
		__u64 arg = read_uptr(argv + i * step, compat);
		__u32 left;
		long n;

		if (!arg)
			break;
		if (len >= room) {
			trunc = 1;
			break;
		}
		/* the barrier keeps clang from dropping the mask the verifier needs */
		left = room - len;
		barrier_var(left);
		left &= TR_STR_MAX - 1;
		/* o + 5 + len < TR_PEND_REC (len < room): the mask changes nothing */
		n = bpf_probe_read_user_str(&p->buf[TR_POFF(o + 5 + len)], left, (void *)arg);
		if (n <= 0) {
			if (!i)
				return -1;
			break;
		}
		len += n;
		if (len >= room) {
			len = room;
			trunc = 1;
			break;
		}
	}
	if (i == TR_ARGV_MAX && read_uptr(argv + i * step, compat))
		trunc = 1;
	close_value(p, idx, len);
	if (trunc)
		tr_info(p, idx, TR_ARGF_TRUNC, 0);
	return 0;
}

/* A kernel address read as a scalar (a file from an fd table, a mount from
 * its vfsmount) turned into a read-only typed pointer: its fields are then
 * plain loads the verifier guards (a bad address reads 0), not one helper
 * call each. */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id) __ksym;
#define tr_cast(addr, type) ((type *)bpf_rdonly_cast((void *)(addr), bpf_core_type_id_kernel(type)))

/* The kernel-resolved path of a struct file: its dentry chain up through
 * the mounts to the root, as d_path would print it (pseudo files such as
 * a memfd: "/memfd:NAME (deleted)"). */
#define TR_PATH_DEPTH 48
__noinline int tr_put_file_path(struct pend *p, __u32 idx, __u64 file_addr)
{
	struct file *f;
	struct pathbuf *pb;
	struct dentry *d, *root, *parent;
	struct vfsmount *vfs;
	struct mount *mnt;
	__u32 zero = 0, pos = TR_PATH_HALF, len, o, room, deleted = 0, pseudo = 0;
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	int i;

	if (!p || !file_addr)
		return -2;
	pb = bpf_map_lookup_elem(&path_map, &zero);
	if (!pb)
		return -2;
	f = tr_cast(file_addr, struct file);
	d = f->f_path.dentry;
	vfs = f->f_path.mnt;
	if (!d || !vfs)
		return -2;
	mnt = tr_cast((__u64)vfs - mnt_off, struct mount);
	root = vfs->mnt_root;
	parent = d->d_parent;
	if (parent == d && d != root)
		pseudo = deleted = 1;
	else if (!d->d_hash.pprev && parent != d)
		deleted = 1;
	if (deleted) {
		pos -= 10;
		__builtin_memcpy(&pb->b[TR_PATH_HALF - 10], " (deleted)", 10);
	}
	for (i = 0; i < TR_PATH_DEPTH; i++) {
		parent = d->d_parent;
		if (!pseudo && (d == root || d == parent)) {
			struct mount *up = mnt->mnt_parent;

			if (d != root || up == mnt)
				break;	/* the root of everything, or a detached tree */
			d = mnt->mnt_mountpoint;
			mnt = tr_cast((__u64)up, struct mount);
			root = mnt->mnt.mnt_root;
			continue;
		}
		len = d->d_name.len & 255;
		if (len + 1 > pos)
			break;
		pos = (pos - len) & (TR_PATH_HALF - 1);
		bpf_probe_read_kernel(&pb->b[pos], len, d->d_name.name);
		pos = (pos - 1) & (TR_PATH_HALF - 1);
		pb->b[pos] = '/';
		if (pseudo)
			break;
		d = parent;
	}
	if (pos == TR_PATH_HALF - (deleted ? 10 : 0)) {
		pos = (pos - 1) & (TR_PATH_HALF - 1);
		pb->b[pos] = '/';
	}
	len = TR_PATH_HALF - pos;
	room = room_for(p, TR_STR_MAX - 1);
	o = TR_POFF(p->off);
	if (len > room)
		len = room;
	if (!len)
		return -2;
	barrier_var(len);
	bpf_probe_read_kernel(&p->buf[o + 5], len & (TR_STR_MAX - 1), &pb->b[pos & (TR_PATH_HALF - 1)]);
	close_value(p, idx, len);
	return 0;
}

/* The struct file of fd in the current task's table, or 0. */
static __always_inline __u64 fd_file(__s64 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt;
	struct file *f = NULL;

	if (fd < 0)
		return 0;
	fdt = task->files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]);
	return (__u64)f;
}

/* An inet or inet6 socket's local address as a sockaddr. */
static __always_inline int put_sock_addr(struct pend *p, __u32 idx, __u64 sk_addr, __u32 remote)
{
	struct sock *sk = (void *)sk_addr;
	__u16 family;
	__u32 o;

	if (!p || !sk)
		return -2;
	if (p->off > TR_PEND_REC - 40)
		return -2;
	o = TR_POFF(p->off);
	barrier_var(o);
	o &= TR_PEND_REC - 1;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == 2 /* AF_INET */) {
		struct sockaddr_in sin = { .sin_family = family };

		if (remote) {
			sin.sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
			sin.sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		} else {
			sin.sin_port = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
			sin.sin_addr.s_addr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		}
		__builtin_memcpy(&p->buf[o + 5], &sin, sizeof(sin));
		close_value(p, idx, sizeof(sin));
		return 0;
	}
	if (family == 10 /* AF_INET6 */) {
		struct sockaddr_in6 sin6 = { .sin6_family = family };

		if (remote) {
			sin6.sin6_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
			BPF_CORE_READ_INTO(&sin6.sin6_addr, sk, __sk_common.skc_v6_daddr);
		} else {
			sin6.sin6_port = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
			BPF_CORE_READ_INTO(&sin6.sin6_addr, sk, __sk_common.skc_v6_rcv_saddr);
		}
		__builtin_memcpy(&p->buf[o + 5], &sin6, sizeof(sin6));
		close_value(p, idx, sizeof(sin6));
		return 0;
	}
	return -2;
}

/* The struct sock of socket fd, or 0. */
static __always_inline __u64 fd_sock(__s64 fd)
{
	struct file *f = (void *)fd_file(fd);
	struct socket *sock;
	umode_t mode;

	if (!f)
		return 0;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & 00170000) != 0140000 /* S_IFSOCK */)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	return (__u64)BPF_CORE_READ(sock, sk);
}

/* msg_name, msg_namelen, msg_control, msg_controllen of a user msghdr. */
struct msg_view {
	__u64 name, control, controllen;
	__u32 namelen;
};

static __always_inline int read_msghdr(__u64 at, __u32 compat, struct msg_view *m)
{
	if (compat) {
		struct compat_msghdr c;

		if (bpf_probe_read_user(&c, sizeof(c), (void *)at))
			return -1;
		m->name = c.msg_name;
		m->namelen = c.msg_namelen;
		m->control = c.msg_control;
		m->controllen = c.msg_controllen;
		return 0;
	} else {
		struct user_msghdr u;

		if (bpf_probe_read_user(&u, sizeof(u), (void *)at))
			return -1;
		m->name = (__u64)u.msg_name;
		m->namelen = u.msg_namelen;
		m->control = (__u64)u.msg_control;
		m->controllen = u.msg_controllen;
		return 0;
	}
}

/* The fds of the first SCM_RIGHTS control message, as int32s. */
__noinline int tr_put_rights(struct pend *p, __u32 idx, __u64 control, __u64 controllen, __u32 compat)
{
	__u32 hdr = compat ? 12 : 16, n, o;
	__u64 at = control;
	int i;

	if (!p || !control)
		return -2;
	if (p->off > TR_PEND_REC - 5 - 4 * TR_RIGHTS_MAX - 1)
		return -2;
	for (i = 0; i < 4; i++) {
		__u64 clen = 0;
		int level = 0, type = 0;

		if (at + hdr > control + controllen)
			return -2;
		if (compat) {
			__u32 l = 0;

			bpf_probe_read_user(&l, sizeof(l), (void *)at);
			clen = l;
		} else {
			bpf_probe_read_user(&clen, sizeof(clen), (void *)at);
		}
		bpf_probe_read_user(&level, sizeof(level), (void *)(at + hdr - 8));
		bpf_probe_read_user(&type, sizeof(type), (void *)(at + hdr - 4));
		if (clen < hdr)
			return -2;
		if (level == 1 /* SOL_SOCKET */ && type == 1 /* SCM_RIGHTS */) {
			n = (clen - hdr) / 4;
			if (n > TR_RIGHTS_MAX)
				n = TR_RIGHTS_MAX;
			o = TR_POFF(p->off);
			n *= 4;
			barrier_var(n);
			n &= 63;
			if (n && bpf_probe_read_user(&p->buf[o + 5], n, (void *)(at + hdr)))
				return -1;
			close_value(p, idx, n);
			return 0;
		}
		at += compat ? (clen + 3) & ~3ULL : (clen + 7) & ~7ULL;
	}
	return -2;
}

/* One argument by its descriptor (struct tr_sc_arg as a u32: read, wire,
 * reg, len_reg from the low byte up). */
__noinline int tr_put_arg(struct pend *p, __u32 i, __u32 desc, __s64 ret)
{
	__u32 rd = desc & 0x7f, wire = (desc >> 8) & 0xff, reg = (desc >> 16) & 0xff, len_reg = desc >> 24;
	__u64 v, len;
	struct msg_view m = {};

	if (!p)
		return -2;
	v = reg == TR_REG_RET ? (__u64)ret : p->regs[reg & 7];
	len = p->regs[len_reg & 7];
	switch (rd) {
	case TR_RD_REG:
		if (p->compat && (wire == TR_T_INT64))
			v = (__s64)(__s32)v;
		return tr_put_int(p, i, wire, v);
	case TR_RD_NR:
		return tr_put_int(p, i, wire, p->sysnr);
	case TR_RD_COMPAT:
		return tr_put_int(p, i, wire, p->compat);
	case TR_RD_USTR:
		return tr_put_str(p, i, v, 1);
	case TR_RD_UARGV:
		return tr_put_uargv(p, i, v, p->compat);
	case TR_RD_USOCKADDR:
		return tr_put_ubytes(p, i, v, len, TR_SOCKADDR_MAX);
	case TR_RD_USOCKADDR_PLEN: {
		int n = 0;

		if ((__s64)ret < 0 || !len || bpf_probe_read_user(&n, sizeof(n), (void *)len) || n <= 0)
			return -2;
		return tr_put_ubytes(p, i, v, n, TR_SOCKADDR_MAX);
	}
	case TR_RD_UBYTES:
		return tr_put_ubytes(p, i, v, len, TR_DATA_MAX);
	case TR_RD_IOV: {
		__u64 base = read_uptr(v, p->compat);
		__u64 n = read_uptr(v + (p->compat ? 4 : 8), p->compat);

		return tr_put_ubytes(p, i, base, n, TR_DATA_MAX);
	}
	case TR_RD_PIPEFD:
		if ((__s64)ret < 0)
			return -2;
		return tr_put_ubytes(p, i, v, 8, 8);
	case TR_RD_FD_PATH:
		return tr_put_file_path(p, i, fd_file((__s64)(int)v));
	case TR_RD_SOCK_LOCAL:
		if ((__s64)ret < 0)
			return -2;
		return put_sock_addr(p, i, fd_sock((__s64)(int)v), 0);
	case TR_RD_MSG_NAME:
		if (read_msghdr(v, p->compat, &m))
			return -1;
		return tr_put_ubytes(p, i, m.name, m.namelen, TR_SOCKADDR_MAX);
	case TR_RD_MMSG_NAME:
		/* struct mmsghdr starts with its msghdr */
		if (read_msghdr(v, p->compat, &m))
			return -1;
		return tr_put_ubytes(p, i, m.name, m.namelen, TR_SOCKADDR_MAX);
	case TR_RD_MSG_RIGHTS:
		if (read_msghdr(v, p->compat, &m))
			return -1;
		return tr_put_rights(p, i, m.control, m.controllen, p->compat);
	case TR_RD_BPF_PROG_TYPE: {
		__u32 type = 0;

		if ((int)len != 5 /* BPF_PROG_LOAD */ || bpf_probe_read_user(&type, sizeof(type), (void *)v))
			return -2;
		return tr_put_int(p, i, wire, type);
	}
	case TR_RD_BPF_DETACH:
		/* BPF_PROG_DETACH, BPF_LINK_DETACH */
		return tr_put_int(p, i, wire, (int)len == 9 || (int)len == 34);
	case TR_RD_SOCKETCALL_FD:
		/* args is an array of 32-bit values: the socket comes first */
		if (!v || len < 2 || len > 20 || len == 8 /* socketpair */)
			return -2;
		return tr_put_int(p, i, wire, read_uptr(v, 1));
	case TR_RD_SOCKETCALL_ADDR: {
		/* bind, connect: (fd, addr, len); sendto: (fd, buf, n, flags, addr, len) */
		__u32 at = (int)len == 11 ? 4 : 1;

		if (!v || ((int)len != 2 && (int)len != 3 && (int)len != 11))
			return -2;
		return tr_put_ubytes(p, i, read_uptr(v + 4 * at, 1), read_uptr(v + 4 * (at + 1), 1), TR_SOCKADDR_MAX);
	}
	case TR_RD_PRCTL_NAME:
		if ((int)len != 15 /* PR_SET_NAME */)
			return -2;
		return tr_put_str(p, i, v, 1);
	default:
		return -2;
	}
}

/* Every argument read at this point: at entry (at_exit 0) or at exit,
 * where arguments whose entry read failed are read again and flagged. */
static __always_inline void put_args(struct pend *p, struct tr_sc_desc *d, __u32 at_exit, __s64 ret)
{
	for (int i = 0; i < TR_SC_ARGS; i++) {
		struct tr_sc_arg a = d->args[i];
		__u32 exit_arg = a.read & TR_RD_AT_EXIT, retry = 0, packed;
		int rc;

		if (i >= d->nargs)
			break;
		if (at_exit && !exit_arg) {
			if (!(p->retry & (1U << i)))
				continue;
			retry = 1;
		} else if (!at_exit && exit_arg) {
			continue;
		}
		/* a register as an integer, the commonest argument: written here,
		 * not through two calls */
		if (a.read == TR_RD_REG && a.reg < 6 && !(p->compat && a.wire == TR_T_INT64)) {
			put_int(p, i, a.wire, p->regs[a.reg & 7]);
			continue;
		}
		packed = a.read | (__u32)a.wire << 8 | (__u32)a.reg << 16 | (__u32)a.len_reg << 24;
		rc = tr_put_arg(p, i, packed, ret);
		if (rc == -1 && !at_exit)
			p->retry |= 1U << i;
		else if (!rc && retry)
			tr_info(p, i, TR_ARGF_AT_EXIT, 0);
	}
}

/* Send the record in buf, size bytes; count it in the CPU's sequence. */
static __always_inline void submit(void *buf, __u32 size)
{
	struct tr_rec_hdr *h = buf;
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&seq_map, &zero), flags;

	if (!seq)
		return;
	h->seq = (*seq)++;
	h->cpu = bpf_get_smp_processor_id();
	h->size = size;
	if (size > TR_PEND_REC + 64)
		return;
	flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, buf, size, flags)) {
		__u64 *n = bpf_map_lookup_elem(&lost_map, &zero);

		if (n)
			(*n)++;
	}
}

/* Append the argument-info trailer and send the record. */
static __always_inline void submit_pend(struct pend *p)
{
	__u32 o = TR_POFF(p->off);

	for (int i = 0; i < TR_PEND_INFO; i++) {
		if (i >= p->ninfo)
			break;
		__builtin_memcpy(&p->buf[o], &p->info[i], sizeof(struct tr_arg_info));
		o += sizeof(struct tr_arg_info);
	}
	submit(p->buf, o);
}

/* A native (x86_64) syscall's six arguments; regs is a trusted pointer:
 * plain loads, no probe reads. At sys_exit they still hold the arguments. */
static __always_inline void native_regs(struct pend *p, struct pt_regs *regs)
{
	p->regs[0] = regs->di;
	p->regs[1] = regs->si;
	p->regs[2] = regs->dx;
	p->regs[3] = regs->r10;
	p->regs[4] = regs->r8;
	p->regs[5] = regs->r9;
}

/*
 * sys_enter: why here: what the caller passed is in user memory now, and a
 * second thread may change it before the kernel is done (a path swapped
 * while openat blocks). Pointed-to values are copied into the thread's
 * pending record; exec is sent right away (its memory is replaced), its
 * result follows as a TR_REC_RETVAL.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tr_sys_enter, struct pt_regs *regs, long id)
{
	struct tr_sc_desc *d;
	struct pend *p;
	__u32 slot = id, compat;

	if (id < 0 || id >= TR_SC_NR_MAX || skip_task())
		return 0;
	compat = is_compat_syscall();
	if (compat) {
		__u32 *s = bpf_map_lookup_elem(&sc_ia32, &slot);

		if (!s || *s == TR_SC_NONE)
			return 0;
		slot = *s;
	}
	d = bpf_map_lookup_elem(&sc_table, &slot);
	if (!d || !d->enabled || (!compat && (d->flags & TR_SCF_IA32_ONLY)))
		return 0;
	/* made whole at sys_exit (an ia32 call keeps the pending path) */
	if ((d->flags & TR_SCF_EXIT_ONLY) && !compat)
		return 0;
	p = bpf_task_storage_get(&pend_map, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->sysnr = id;
	p->slot = slot;
	p->compat = compat;
	p->retry = 0;
	/* regs is a trusted pointer here: plain loads, no probe reads */
	if (compat) {
		p->regs[0] = (__u32)regs->bx;
		p->regs[1] = (__u32)regs->cx;
		p->regs[2] = (__u32)regs->dx;
		p->regs[3] = (__u32)regs->si;
		p->regs[4] = (__u32)regs->di;
		p->regs[5] = (__u32)regs->bp;
	} else {
		native_regs(p, regs);
	}
	/* stamped at exit, when it is sent; an event sent at entry now */
	event_ctx(p, d->event_id);
	put_args(p, d, 0, 0);
	if (d->flags & (TR_SCF_AT_ENTRY | TR_SCF_NO_RETURN)) {
		struct tr_event *e = (void *)p->buf;

		e->h.ts = bpf_ktime_get_boot_ns();
		/* exit and exit_group never return: nothing to wait for */
		if (d->flags & TR_SCF_AT_ENTRY)
			e->flags |= TR_EVF_AT_ENTRY;
		submit_pend(p);
	}
	return 0;
}

/* An event with nothing to read at entry (TR_SCF_EXIT_ONLY: close, dup,
 * mmap, kill, ...), made whole here from the registers, which still hold
 * the arguments: no pending record, no work at sys_enter. */
static __always_inline int exit_only(struct pt_regs *regs, struct tr_sc_desc *d, long nr, long ret)
{
	struct tr_event *e;
	struct pend *p;

	if (skip_task())
		return 0;
	p = scratch_get();
	if (!p)
		return 0;
	p->sysnr = nr;
	p->slot = nr;
	p->compat = 0;
	p->retry = 0;
	native_regs(p, regs);
	e = event_init(p, d->event_id);
	e->retval = ret;
	put_args(p, d, 0, ret);
	put_args(p, d, 1, ret);
	if ((d->flags & TR_SCF_SIGNAL) && (__u32)p->regs[d->sig_reg & 7] == self_tgid && self_tgid)
		e->flags |= TR_EVF_TO_RECORDER;
	submit_pend(p);
	return 0;
}

/* sys_exit: why here: the return value is known, and what the kernel made
 * of the call (the file an fd refers to, addresses it filled in). */
SEC("tp_btf/sys_exit")
int BPF_PROG(tr_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct tr_sc_desc *d;
	struct tr_event *e;
	struct pend *p;
	__u32 slot;

	if (nr < 0 || nr >= TR_SC_NR_MAX || is_self())
		return 0;
	/* a native syscall not recorded, or made whole here: no pending
	 * record to look up (the table never changes while recording) */
	if (!is_compat_syscall()) {
		slot = nr;
		d = bpf_map_lookup_elem(&sc_table, &slot);
		if (!d || !d->enabled)
			return 0;
		if (d->flags & TR_SCF_EXIT_ONLY)
			return exit_only(regs, d, nr, ret);
	}
	p = bpf_task_storage_get(&pend_map, bpf_get_current_task_btf(), NULL, 0);
	if (!p || p->sysnr != nr)
		return 0;
	p->sysnr = -1;
	slot = p->slot;
	d = bpf_map_lookup_elem(&sc_table, &slot);
	if (!d)
		return 0;
	if (d->flags & TR_SCF_AT_ENTRY) {
		struct pend *s = scratch_get();
		struct tr_retval *rv;

		if (!s)
			return 0;
		rv = (void *)s->buf;
		rv->h.kind = TR_REC_RETVAL;
		rv->h.ts = bpf_ktime_get_boot_ns();
		rv->event_id = d->event_id;
		rv->host_tid = (__u32)bpf_get_current_pid_tgid();
		rv->retval = ret;
		submit(s->buf, sizeof(*rv));
		return 0;
	}
	e = (void *)p->buf;
	e->retval = ret;
	e->h.ts = bpf_ktime_get_boot_ns();
	put_args(p, d, 1, ret);
	if ((d->flags & TR_SCF_SIGNAL) && (__u32)p->regs[d->sig_reg & 7] == self_tgid && self_tgid)
		e->flags |= TR_EVF_TO_RECORDER;
	submit_pend(p);
	return 0;
}

/* sched_process_fork: why here: the one place both tasks are at hand, with
 * the child's start time that identifies it from then on. The recorder's
 * own threads are left out, the workload it forks is not. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tr_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pend *p;

	filter_fork(parent, child);
	if (child->tgid == self_tgid || filter_out(parent->tgid))
		return 0;
	p = scratch_get();
	if (!p)
		return 0;
	event_init(p, TR_EV_SCHED_PROCESS_FORK);
	tr_put_int(p, 0, TR_T_INT32, parent->pid);
	tr_put_int(p, 1, TR_T_INT32, ns_nr(parent->thread_pid, NULL));
	tr_put_int(p, 2, TR_T_INT32, parent->tgid);
	tr_put_int(p, 3, TR_T_INT32, ns_nr(parent->group_leader->thread_pid, NULL));
	tr_put_int(p, 4, TR_T_UINT64, parent->start_boottime);
	tr_put_int(p, 5, TR_T_INT32, child->pid);
	tr_put_int(p, 6, TR_T_INT32, ns_nr(child->thread_pid, NULL));
	tr_put_int(p, 7, TR_T_INT32, child->tgid);
	tr_put_int(p, 8, TR_T_INT32, ns_nr(child->group_leader->thread_pid, NULL));
	tr_put_int(p, 9, TR_T_UINT64, child->start_boottime);
	submit_pend(p);
	return 0;
}

/* The new image's argv or environment, from its own stack
 * (mm->arg_start..arg_end, env_start..env_end): no page fault needed,
 * nothing the caller can change any more. */
__noinline int tr_put_mm_argv(struct pend *p, __u32 idx, __u64 start, __u64 end)
{
	__u32 o, len, room, real;

	if (!p || end <= start)
		return -2;
	real = end - start > 0xffffffffULL ? 0 : end - start;
	room = room_for(p, TR_STR_MAX - 1);
	len = real < room ? real : room;
	o = TR_POFF(p->off);
	barrier_var(len);
	if (!len || bpf_probe_read_user(&p->buf[o + 5], len & (TR_STR_MAX - 1), (void *)start))
		return -1;
	close_value(p, idx, len);
	if (len < real)
		tr_info(p, idx, TR_ARGF_TRUNC, real);
	return 0;
}

/* sched_process_exec: why here: after a successful exec, with the new
 * image's argv in place, the file the kernel actually runs and the name
 * it was asked for. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tr_sched_process_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 filename, interp;
	struct pend *p;

	if (skip_task())
		return 0;
	p = scratch_get();
	if (!p)
		return 0;
	event_init(p, TR_EV_SCHED_PROCESS_EXEC);
	/* global functions take kernel pointers as scalars: probe reads */
	filename = (__u64)BPF_CORE_READ(bprm, filename);
	interp = (__u64)BPF_CORE_READ(bprm, interp);
	tr_put_str(p, 0, filename, 0);
	tr_put_file_path(p, 1, (__u64)BPF_CORE_READ(bprm, file));
	if (interp != filename)
		tr_put_str(p, 6, interp, 0);
	tr_put_mm_argv(p, 10, t->mm->arg_start, t->mm->arg_end);
	/* the environment the new image runs with, from its own stack too
	 * (the recorder keeps only what detections read: record/env.c) */
	tr_put_mm_argv(p, 16, t->mm->env_start, t->mm->env_end);
	tr_put_int(p, 18, TR_T_INT32, old_pid);
	submit_pend(p);
	return 0;
}

/* sched_process_exit: why here: every thread's exit, with whether it ended
 * the whole thread group. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tr_sched_process_exit, struct task_struct *t, bool group_dead)
{
	struct pend *p;

	if (skip_task()) {
		filter_exit(t, group_dead);
		return 0;
	}
	p = scratch_get();
	if (!p) {
		filter_exit(t, group_dead);
		return 0;
	}
	event_init(p, TR_EV_SCHED_PROCESS_EXIT);
	/* as Tracee splits the wait status: exit code and terminating signal */
	tr_put_int(p, 0, TR_T_INT32, (t->exit_code >> 8) & 0xff);
	tr_put_int(p, 1, TR_T_INT32, t->exit_code & 0x7f);
	tr_put_int(p, 2, TR_T_UINT32, group_dead ? 1 : 0);
	submit_pend(p);
	filter_exit(t, group_dead);
	return 0;
}

/* cgroup_mkdir/rmdir: why here: containers come and go; the id and path
 * join cgroup_id in every event's context. */
static __always_inline int cgroup_event(__u32 id, struct cgroup *cgrp, const char *path)
{
	struct pend *p;

	if (skip_task())
		return 0;
	p = scratch_get();
	if (!p)
		return 0;
	event_init(p, id);
	tr_put_int(p, 0, TR_T_UINT64, BPF_CORE_READ(cgrp, kn, id));
	tr_put_str(p, 1, (__u64)path, 0);
	tr_put_int(p, 2, TR_T_UINT32, BPF_CORE_READ(cgrp, root, hierarchy_id));
	submit_pend(p);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(tr_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_event(TR_EV_CGROUP_MKDIR, cgrp, path);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(tr_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_event(TR_EV_CGROUP_RMDIR, cgrp, path);
}

/* inet_sock_set_state: why here: every TCP state change, whoever causes
 * it. It often runs in softirq context on behalf of no task, so the task
 * context is zeroed and the socket identifies itself instead. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tr_inet_sock_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct tr_event *e;
	struct pend *p;
	__u64 ino;

	/* no task to filter by: a filtered recording leaves these out */
	if (filter_flags || BPF_CORE_READ(sk, sk_protocol) != 6 /* IPPROTO_TCP */)
		return 0;
	p = bpf_map_lookup_elem(&irq_scratch_map, &(__u32){ 0 });
	if (!p)
		return 0;
	e = event_init(p, TR_EV_INET_SOCK_SET_STATE);
	__builtin_memset(&e->start_ns, 0, sizeof(struct tr_event) - __builtin_offsetof(struct tr_event, start_ns));
	e->euid = e->fsuid = TR_ID_UNKNOWN;
	ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	tr_put_int(p, 0, TR_T_UINT64, ino);
	tr_put_int(p, 1, TR_T_UINT64, bpf_get_socket_cookie((void *)sk));
	tr_put_int(p, 2, TR_T_INT32, oldstate);
	tr_put_int(p, 3, TR_T_INT32, newstate);
	tr_put_int(p, 4, TR_T_INT32, 6);
	put_sock_addr(p, 5, (__u64)sk, 0);
	put_sock_addr(p, 6, (__u64)sk, 1);
	submit_pend(p);
	return 0;
}

/* io_uring opens wait here, keyed by ring and user_data, for their result. */
struct uring_key {
	__u64 ring;
	__u64 user_data;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct uring_key);
	__type(value, struct pend);
} uring_map SEC(".maps");

#define TR_IORING_OP_OPENAT	18
#define TR_IORING_OP_OPENAT2	28

/* io_uring_submit_req: why here: the request is prepared (an open's
 * filename already copied from the caller into struct io_open), and it
 * runs in the submitting task. */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(tr_io_uring_submit_req, struct io_kiocb *req)
{
	struct uring_key key = {};
	struct io_open *op;
	struct pend *p;
	__u8 opcode;

	if (skip_task())
		return 0;
	p = scratch_get();
	if (!p)
		return 0;
	opcode = BPF_CORE_READ(req, opcode);
	key.ring = (__u64)BPF_CORE_READ(req, ctx);
	key.user_data = BPF_CORE_READ(req, cqe.user_data);
	if (opcode != TR_IORING_OP_OPENAT && opcode != TR_IORING_OP_OPENAT2) {
		event_init(p, TR_EV_IO_URING_SUBMIT);
		tr_put_int(p, 0, TR_T_UINT32, opcode);
		tr_put_int(p, 1, TR_T_UINT64, key.user_data);
		tr_put_int(p, 2, TR_T_UINT32, (__u32)BPF_CORE_READ(req, flags));
		tr_put_int(p, 3, TR_T_UINT32, !!(bpf_get_current_task_btf()->flags & 0x10 /* PF_IO_WORKER */));
		submit_pend(p);
		return 0;
	}
	/* the request's command area holds its struct io_open */
	op = (void *)req;
	if (opcode == TR_IORING_OP_OPENAT) {
		event_init(p, TR_EV_OPENAT);
		tr_put_int(p, 0, TR_T_INT32, BPF_CORE_READ(op, dfd));
		tr_put_str(p, 1, (__u64)BPF_CORE_READ(op, filename, name), 0);
		tr_put_int(p, 2, TR_T_INT32, BPF_CORE_READ(op, how.flags));
		tr_put_int(p, 3, TR_T_UINT32, BPF_CORE_READ(op, how.mode));
	} else {
		event_init(p, TR_EV_OPENAT2);
		tr_put_int(p, 0, TR_T_INT32, BPF_CORE_READ(op, dfd));
		tr_put_str(p, 1, (__u64)BPF_CORE_READ(op, filename, name), 0);
	}
	bpf_map_update_elem(&uring_map, &key, p, BPF_ANY);
	return 0;
}

/* io_uring_complete: why here: the result (the new fd) of an open above;
 * the completing task shares the submitter's fd table. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(tr_io_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	struct uring_key key = {};
	struct tr_event *e;
	struct pend *p;
	__s32 res;

	key.ring = (__u64)ring;
	key.user_data = BPF_CORE_READ(cqe, user_data);
	p = bpf_map_lookup_elem(&uring_map, &key);
	if (!p)
		return 0;
	res = BPF_CORE_READ(cqe, res);
	e = (void *)p->buf;
	e->retval = res;
	e->h.ts = bpf_ktime_get_boot_ns();
	if (res >= 0)
		tr_put_file_path(p, 4, fd_file(res)); /* resolved_path of openat and openat2 */
	submit_pend(p);
	bpf_map_delete_elem(&uring_map, &key);
	return 0;
}
