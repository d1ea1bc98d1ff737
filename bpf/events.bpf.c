// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * events.bpf.c: the core event set, from raw syscall tracepoints and the
 * sched process tracepoints. Records are built in a per-CPU scratch buffer
 * in the exact on-disk layout of schema/tr_format.h and sent through a
 * per-CPU perf buffer; userland appends them to segments unchanged.
 *
 * Only tp_btf (BTF raw tracepoints) are used: they need neither kprobes nor
 * tracefs, and give typed, direct access to the tracepoint arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "tr_format.h"
#include "catalog.h"
#include "syscalls.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The recorder's own thread group: never recorded (set before load). */
const volatile __u32 self_tgid = 0;

/*
 * The scratch buffer: records are at most TR_BUF_REC bytes; writes start at
 * offsets masked with TR_BUF_REC - 1 and copy at most TR_STR_MAX bytes, so
 * the other half keeps every access in bounds for the verifier.
 */
#define TR_BUF_SIZE 32768
#define TR_BUF_REC  16384
#define TR_OFF(o)   ((o) & (TR_BUF_REC - 1))

struct scratch {
	__u8 buf[TR_BUF_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Per-CPU record sequence: every record sent or dropped takes a number, so a
 * gap in a CPU's sequence is a loss even if the loss record itself is lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq_map SEC(".maps");

/* Per-CPU count of records the perf buffer refused, by event id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TR_DROP_IDS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Syscall arguments saved at entry for events sent at exit. Task storage:
 * no hashing on the hot path, and it goes away with the thread, also one
 * killed inside a syscall. nr is -1 when nothing is saved. */
struct saved_args {
	__s64 nr;
	__u64 args[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct saved_args);
} args_map SEC(".maps");

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* A 32-bit syscall (int 0x80 / sysenter from ia32 code) has its own numbers
 * and 32-bit pointers: ours would misread it, so it is not recorded. */
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

/* Fill the record head and task context of an event for the current task. */
static __always_inline struct tr_event *event_init(struct scratch *s, __u32 id, __u16 flags)
{
	struct tr_event *e = (void *)s->buf;
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = task->real_parent;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	e->h.kind = TR_REC_EVENT;
	e->h.cpu = bpf_get_smp_processor_id();
	e->h.ts = bpf_ktime_get_boot_ns();
	e->event_id = id;
	e->nargs = 0;
	e->flags = flags;
	e->retval = 0;
	e->start_ns = leader->start_boottime;
	e->parent_start_ns = parent->group_leader->start_boottime;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->host_tid = (__u32)pid_tgid;
	e->host_pid = pid_tgid >> 32;
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
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->euid = task->cred->euid.val;
	e->fsuid = task->cred->fsuid.val;
	e->mnt_ns = task->nsproxy->mnt_ns->ns.inum; /* NULL-safe: a faulting BTF load reads 0 */
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* Argument writers: one index byte, then the value (schema/FORMAT.md). */
static __always_inline void put_u32(struct scratch *s, __u32 *off, __u8 idx, __u32 v)
{
	struct tr_event *e = (void *)s->buf;
	__u32 o = TR_OFF(*off);

	s->buf[o] = idx;
	__builtin_memcpy(&s->buf[o + 1], &v, sizeof(v));
	*off = o + 1 + sizeof(v);
	e->nargs++;
}

static __always_inline void put_u64(struct scratch *s, __u32 *off, __u8 idx, __u64 v)
{
	struct tr_event *e = (void *)s->buf;
	__u32 o = TR_OFF(*off);

	s->buf[o] = idx;
	__builtin_memcpy(&s->buf[o + 1], &v, sizeof(v));
	*off = o + 1 + sizeof(v);
	e->nargs++;
}

/* A string from user (user = true) or kernel memory; left out if unreadable. */
static __always_inline void put_str(struct scratch *s, __u32 *off, __u8 idx, const void *src, bool user)
{
	struct tr_event *e = (void *)s->buf;
	__u32 o = TR_OFF(*off);
	long n;

	if (!src)
		return;
	if (user)
		n = bpf_probe_read_user_str(&s->buf[TR_OFF(o + 5)], TR_STR_MAX, src);
	else
		n = bpf_probe_read_kernel_str(&s->buf[TR_OFF(o + 5)], TR_STR_MAX, src);
	if (n <= 0)
		return;
	n--; /* the length leaves out the NUL */
	s->buf[o] = idx;
	__builtin_memcpy(&s->buf[o + 1], &n, sizeof(__u32));
	*off = o + 5 + (__u32)n;
	e->nargs++;
}

/* Raw bytes from user memory (a sockaddr), up to TR_SOCKADDR_MAX. */
static __always_inline void put_user_bytes(struct scratch *s, __u32 *off, __u8 idx, const void *src, __u32 len)
{
	struct tr_event *e = (void *)s->buf;
	__u32 o = TR_OFF(*off);

	if (!src || !len)
		return;
	if (len > TR_SOCKADDR_MAX)
		len = TR_SOCKADDR_MAX;
	barrier_var(len);
	len &= TR_SOCKADDR_MAX * 2 - 1;
	if (bpf_probe_read_user(&s->buf[TR_OFF(o + 5)], len, src))
		return;
	s->buf[o] = idx;
	__builtin_memcpy(&s->buf[o + 1], &len, sizeof(len));
	*off = o + 5 + len;
	e->nargs++;
}

/* A user argv array as NUL-ended elements: at most TR_ARGV_MAX elements and
 * TR_STR_MAX - 1 bytes; an element cut short keeps no NUL. */
static __always_inline void put_argv(struct scratch *s, __u32 *off, __u8 idx, const char *const *argv)
{
	struct tr_event *e = (void *)s->buf;
	__u32 o = TR_OFF(*off), len = 0;

	if (!argv)
		return;
	for (int i = 0; i < TR_ARGV_MAX; i++) {
		const char *arg = NULL;
		__u32 room;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		if (len >= TR_STR_MAX - 1)
			break;
		/* the barrier keeps clang from dropping the mask the verifier needs */
		room = TR_STR_MAX - 1 - len;
		barrier_var(room);
		room &= TR_STR_MAX - 1;
		n = bpf_probe_read_user_str(&s->buf[TR_OFF(o + 5 + len)], room, arg);
		if (n <= 0)
			break;
		len += n;
		if (len >= TR_STR_MAX - 1) {
			len = TR_STR_MAX - 1;
			break;
		}
	}
	s->buf[o] = idx;
	__builtin_memcpy(&s->buf[o + 1], &len, sizeof(len));
	*off = o + 5 + (len & (TR_STR_MAX - 1));
	e->nargs++;
}

/* Send the record built in s, size bytes; count it in the CPU's sequence. */
static __always_inline void submit(void *ctx, struct scratch *s, __u32 size, __u32 event_id)
{
	struct tr_rec_hdr *h = (void *)s->buf;
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&seq_map, &zero);

	if (!seq)
		return;
	h->seq = (*seq)++;
	size &= TR_BUF_REC - 1;
	h->size = size;
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, s->buf, size)) {
		__u64 *n = bpf_map_lookup_elem(&drops, &event_id);

		if (n)
			(*n)++;
	}
}

/*
 * sys_enter: why here: execve's argv and pathname live in memory the exec
 * replaces, so execve is sent at entry (TR_EVF_AT_ENTRY) and its result
 * follows as a TR_REC_RETVAL. Other syscalls save their arguments and are
 * sent at exit, once the result is known.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tr_sys_enter, struct pt_regs *regs, long id)
{
	struct saved_args *sa;
	struct scratch *s;
	__u32 off;

	if (id != TR_NR_execve && id != TR_NR_openat && id != TR_NR_connect && id != TR_NR_chdir)
		return 0;
	if (is_self() || is_compat_syscall())
		return 0;
	if (id != TR_NR_execve) {
		sa = bpf_task_storage_get(&args_map, bpf_get_current_task_btf(), NULL,
					  BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!sa)
			return 0;
		/* regs is a trusted pointer here: plain loads, no probe reads */
		sa->nr = id;
		sa->args[0] = PT_REGS_PARM1_SYSCALL(regs);
		sa->args[1] = PT_REGS_PARM2_SYSCALL(regs);
		sa->args[2] = PT_REGS_PARM3_SYSCALL(regs);
		sa->args[3] = PT_REGS_PARM4_SYSCALL(regs);
		return 0;
	}
	s = scratch_get();
	if (!s)
		return 0;
	event_init(s, TR_EV_EXECVE, TR_EVF_AT_ENTRY);
	off = sizeof(struct tr_event);
	put_str(s, &off, 0, (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs), true);
	put_argv(s, &off, 1, (const char *const *)PT_REGS_PARM2_CORE_SYSCALL(regs));
	submit(ctx, s, off, TR_EV_EXECVE);
	return 0;
}

/* sys_exit: why here: the return value is known; the saved arguments'
 * memory is still the caller's. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tr_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct saved_args *sa;
	struct scratch *s;
	__u32 tid, off;

	if (nr != TR_NR_execve && nr != TR_NR_openat && nr != TR_NR_connect && nr != TR_NR_chdir)
		return 0;
	if (is_self() || is_compat_syscall())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (nr == TR_NR_execve) {
		struct tr_retval *rv = (void *)s->buf;

		rv->h.kind = TR_REC_RETVAL;
		rv->h.cpu = bpf_get_smp_processor_id();
		rv->h.ts = bpf_ktime_get_boot_ns();
		rv->event_id = TR_EV_EXECVE;
		rv->host_tid = tid;
		rv->retval = ret;
		submit(ctx, s, sizeof(*rv), TR_EV_EXECVE);
		return 0;
	}
	sa = bpf_task_storage_get(&args_map, bpf_get_current_task_btf(), NULL, 0);
	if (!sa || sa->nr != nr)
		return 0;
	sa->nr = -1;
	off = sizeof(struct tr_event);
	if (nr == TR_NR_openat) {
		struct tr_event *e = event_init(s, TR_EV_OPENAT, 0);

		e->retval = ret;
		put_u32(s, &off, 0, (__u32)sa->args[0]);
		put_str(s, &off, 1, (const char *)sa->args[1], true);
		put_u32(s, &off, 2, (__u32)sa->args[2]);
		put_u32(s, &off, 3, (__u32)sa->args[3]);
		submit(ctx, s, off, TR_EV_OPENAT);
	} else if (nr == TR_NR_chdir) {
		struct tr_event *e = event_init(s, TR_EV_CHDIR, 0);

		e->retval = ret;
		put_str(s, &off, 0, (const char *)sa->args[0], true);
		submit(ctx, s, off, TR_EV_CHDIR);
	} else {
		struct tr_event *e = event_init(s, TR_EV_CONNECT, 0);

		e->retval = ret;
		put_u32(s, &off, 0, (__u32)sa->args[0]);
		put_user_bytes(s, &off, 1, (const void *)sa->args[1], (__u32)sa->args[2]);
		put_u32(s, &off, 2, (__u32)sa->args[2]);
		submit(ctx, s, off, TR_EV_CONNECT);
	}
	return 0;
}

/* sched_process_fork: why here: the one place both tasks are at hand, with
 * the child's start time that identifies it from then on. The recorder's
 * own threads are left out, the workload it forks is not. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tr_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct scratch *s;
	__u32 off = sizeof(struct tr_event);

	if (child->tgid == self_tgid)
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	event_init(s, TR_EV_SCHED_PROCESS_FORK, 0);
	put_u32(s, &off, 0, parent->pid);
	put_u32(s, &off, 1, ns_nr(parent->thread_pid, NULL));
	put_u32(s, &off, 2, parent->tgid);
	put_u32(s, &off, 3, ns_nr(parent->group_leader->thread_pid, NULL));
	put_u64(s, &off, 4, parent->start_boottime);
	put_u32(s, &off, 5, child->pid);
	put_u32(s, &off, 6, ns_nr(child->thread_pid, NULL));
	put_u32(s, &off, 7, child->tgid);
	put_u32(s, &off, 8, ns_nr(child->group_leader->thread_pid, NULL));
	put_u64(s, &off, 9, child->start_boottime);
	submit(ctx, s, off, TR_EV_SCHED_PROCESS_FORK);
	return 0;
}

/* sched_process_exec: why here: after a successful exec, with the new
 * image's argv in place and the name it was run by. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tr_sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s;
	struct tr_event *e;
	unsigned long arg_start, arg_end;
	__u32 off = sizeof(struct tr_event), o, len;

	if (is_self())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	e = event_init(s, TR_EV_SCHED_PROCESS_EXEC, 0);
	put_str(s, &off, 0, bprm->filename, false);
	if (bprm->interp != bprm->filename)
		put_str(s, &off, 6, bprm->interp, false);
	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > TR_STR_MAX - 1)
		len = TR_STR_MAX - 1;
	o = TR_OFF(off);
	if (len && !bpf_probe_read_user(&s->buf[TR_OFF(o + 5)], len & (TR_STR_MAX - 1), (void *)arg_start)) {
		s->buf[o] = 10; /* argv */
		__builtin_memcpy(&s->buf[o + 1], &len, sizeof(len));
		off = o + 5 + (len & (TR_STR_MAX - 1));
		e->nargs++;
	}
	put_u32(s, &off, 18, old_pid);
	submit(ctx, s, off, TR_EV_SCHED_PROCESS_EXEC);
	return 0;
}

/* sched_process_exit: why here: every thread's exit, with whether it ended
 * the whole thread group. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tr_sched_process_exit, struct task_struct *p, bool group_dead)
{
	struct scratch *s;
	__u32 off = sizeof(struct tr_event);

	if (is_self())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	event_init(s, TR_EV_SCHED_PROCESS_EXIT, 0);
	/* as Tracee splits the wait status: exit code and terminating signal */
	put_u32(s, &off, 0, (__u32)((p->exit_code >> 8) & 0xff));
	put_u32(s, &off, 1, (__u32)(p->exit_code & 0x7f));
	put_u32(s, &off, 2, group_dead ? 1 : 0);
	submit(ctx, s, off, TR_EV_SCHED_PROCESS_EXIT);
	return 0;
}
