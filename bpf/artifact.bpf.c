// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * artifact.bpf.c: exec notes for --capture exec. The exec event itself
 * reaches the recorder with the next drain round, up to 200 ms later, when
 * a short-lived process (or its memfd, or its deleted binary) may be gone.
 * This program tells the recorder at once, through a ring buffer of its
 * own (its default wake-up: as soon as the reader is idle), which process
 * just executed what, so the file can be opened while it still exists.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tr_format.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The recorder's own thread group: never noted (set before load). */
const volatile __u32 self_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_notes SEC(".maps");

/* Why here: the new image is in place and bprm names its file; the same
 * tracepoint as the exec event, so the note and the event match in time. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tr_exec_note, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct tr_exec_note *n;
	struct inode *inode;

	if (p->tgid == self_tgid)
		return 0;
	/* a note that does not fit is no loss of record: the event still comes */
	n = bpf_ringbuf_reserve(&exec_notes, sizeof(*n), 0);
	if (!n)
		return 0;
	n->ts = bpf_ktime_get_boot_ns();
	n->start_ns = p->group_leader->start_boottime;
	n->pid = p->tgid;
	inode = bprm->file->f_inode;
	n->ino = inode->i_ino;
	n->dev = inode->i_sb->s_dev;
	n->script = bprm->interp != bprm->filename;
	n->reserved = 0;
	if (bpf_probe_read_kernel_str(n->path, sizeof(n->path), bprm->filename) < 0)
		n->path[0] = 0;
	bpf_ringbuf_submit(n, 0);
	return 0;
}
