/* SPDX-License-Identifier: MIT */
/* tr_filter.h: what the in-kernel filters (bpf/filter.bpf.h) and tracee-record
 * agree on. */
#ifndef TR_TR_FILTER_H
#define TR_TR_FILTER_H

#define TR_FILTER_PID		0x1U	/* only the followed thread groups */
#define TR_FILTER_COMM		0x2U	/* only tasks whose comm is marked IN */
#define TR_FILTER_EXCL_COMM	0x4U	/* not tasks whose comm is marked OUT */
#define TR_FILTER_UID		0x8U	/* only this real uid */
#define TR_FILTER_CGROUP	0x10U	/* only this cgroup and those below it */

#define TR_FILTER_COMM_IN	0x1U
#define TR_FILTER_COMM_OUT	0x2U

#define TR_FILTER_MAX_PIDS	65536
#define TR_FILTER_MAX_COMMS	256
#define TR_COMM_LEN		16

#endif /* TR_FILTER_H */
