/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* syscalls.bpf.h: what the syscall programs need to know of this
 * architecture. Syscall numbers come from the catalog (schema/sctable.h). */
#ifndef TR_SYSCALLS_BPF_H
#define TR_SYSCALLS_BPF_H

#if defined(__TARGET_ARCH_x86)
/* thread_info.status bit of a task inside a 32-bit syscall */
#define TR_TS_COMPAT	0x0002
#else
#error "syscall registers for this architecture are not defined yet"
#endif

#endif /* TR_SYSCALLS_BPF_H */
