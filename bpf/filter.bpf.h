/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * filter.bpf.h: the in-kernel filters of tracee-record (--pid with
 * descendants, --comm, --exclude-comm, --uid, --cgroup), checked first, so a
 * task left out costs a few map lookups and no string read. Userland sets
 * filter_flags and the values before load, and fills the maps.
 */
#ifndef TR_FILTER_BPF_H
#define TR_FILTER_BPF_H

#include "tr_filter.h"

const volatile __u32 filter_flags = 0;	/* TR_FILTER_* */
const volatile __u32 filter_uid = 0;
const volatile __u64 filter_cgroup = 0;	/* cgroup v2 id (the directory's inode) */
const volatile __u32 filter_cgroup_level = 0; /* its depth below the root */

/* --pid: the thread groups followed; a fork from one adds the child */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TR_FILTER_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} filter_tgids SEC(".maps");

/* --comm (TR_FILTER_COMM_IN) and --exclude-comm (TR_FILTER_COMM_OUT) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TR_FILTER_MAX_COMMS);
	__type(key, char[TR_COMM_LEN]);
	__type(value, __u8);
} filter_comms SEC(".maps");

/* Is the current task outside what was asked for? */
static __always_inline bool filter_out(__u32 tgid)
{
	__u32 flags = filter_flags;

	if (!flags)
		return false;
	if ((flags & TR_FILTER_PID) && !bpf_map_lookup_elem(&filter_tgids, &tgid))
		return true;
	if ((flags & TR_FILTER_UID) && (__u32)bpf_get_current_uid_gid() != filter_uid)
		return true;
	if ((flags & TR_FILTER_CGROUP) &&
	    bpf_get_current_ancestor_cgroup_id(filter_cgroup_level) != filter_cgroup)
		return true;
	if (flags & (TR_FILTER_COMM | TR_FILTER_EXCL_COMM)) {
		char comm[TR_COMM_LEN] = {};
		__u8 *v;

		bpf_get_current_comm(comm, sizeof(comm));
		v = bpf_map_lookup_elem(&filter_comms, comm);
		if ((flags & TR_FILTER_COMM) && !(v && (*v & TR_FILTER_COMM_IN)))
			return true;
		if (v && (*v & TR_FILTER_COMM_OUT))
			return true;
	}
	return false;
}

/* The recorder itself, or a task the filters leave out. */
static __always_inline bool skip_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return tgid == self_tgid || filter_out(tgid);
}

/* At fork, in the parent: a followed process's child is followed too. */
static __always_inline void filter_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if ((filter_flags & TR_FILTER_PID) && ptgid != ctgid && bpf_map_lookup_elem(&filter_tgids, &ptgid))
		bpf_map_update_elem(&filter_tgids, &ctgid, &one, BPF_ANY);
}

/* At the exit of a whole thread group: forget it (pids are reused). */
static __always_inline void filter_exit(struct task_struct *t, bool group_dead)
{
	__u32 tgid = t->tgid;

	if ((filter_flags & TR_FILTER_PID) && group_dead)
		bpf_map_delete_elem(&filter_tgids, &tgid);
}

#endif /* TR_FILTER_BPF_H */
