/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* syscalls.bpf.h: this architecture's numbers of the syscalls we trace.
 * Catalog ids are x86_64 numbers on every architecture; these are what
 * raw_syscalls sees on the one the program is built for. */
#ifndef TR_SYSCALLS_BPF_H
#define TR_SYSCALLS_BPF_H

#if defined(__TARGET_ARCH_x86)
#define TR_NR_connect	42
#define TR_NR_execve	59
#define TR_NR_chdir	80
#define TR_NR_openat	257
/* thread_info.status bit of a task inside a 32-bit syscall */
#define TR_TS_COMPAT	0x0002
#else
#error "syscall numbers for this architecture are not defined yet"
#endif

#endif /* TR_SYSCALLS_BPF_H */
