// SPDX-License-Identifier: MIT
/* floor.bpf.c: the benchmark's floor. Empty programs on the hooks
 * tracee-record attaches to (tp_btf sys_enter/sys_exit and the sched
 * tracepoints): what any recorder on these hooks pays before it records
 * anything. Each program returns at once.
 *
 * With mode set (floor --mode, tests/bench/hookcost.sh), sys_exit does one
 * thing a recorder does for every syscall but the loader's own (base: only
 * the test for the loader and a scratch lookup, which the others do too), so each
 * piece's cost can be read from the program's run time: send a 160-byte
 * record through a perf buffer or a ring buffer (copied in, or reserved
 * and committed in place), read the clock, get task storage, copy the
 * path string of the call from user memory. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

enum { M_EMPTY, M_BASE, M_PERF, M_RINGBUF, M_RESERVE, M_CLOCK, M_STORAGE, M_USTR };

const volatile __u32 mode = M_EMPTY;
const volatile __u32 self_tgid = 0;

#define REC 160
struct buf {
	__u8 b[4096];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct buf);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 26);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} storage SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0;
	struct buf *b;
	__u64 *v;
	__u8 *r;

	if (mode == M_EMPTY || (bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return 0;
	switch (mode) {
	case M_PERF:
		bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, b, REC);
		break;
	case M_RINGBUF:
		bpf_ringbuf_output(&rb, b, REC, BPF_RB_NO_WAKEUP);
		break;
	case M_RESERVE:
		r = bpf_ringbuf_reserve(&rb, REC, 0);
		if (r) {
			r[0] = 1;
			bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
		}
		break;
	case M_CLOCK:
		*(__u64 *)b->b = bpf_ktime_get_boot_ns();
		break;
	case M_STORAGE:
		v = bpf_task_storage_get(&storage, bpf_get_current_task_btf(), NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (v)
			(*v)++;
		break;
	case M_USTR:
		/* openat's pathname, or whatever the second argument points to */
		bpf_probe_read_user_str(b->b, 256, (void *)regs->si);
		break;
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_sched_process_exit, struct task_struct *p, bool group_dead)
{
	return 0;
}
