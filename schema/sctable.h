/* SPDX-License-Identifier: MIT */
/*
 * sctable.h: the per-syscall table the BPF programs read (kernel and
 * recorder only, never on disk). The recorder builds it from the catalog
 * (schema/catalog.def, through tr_sctable__build) and loads it into the
 * "sc_table" map before attaching: one generic path in bpf/events.bpf.c
 * saves the raw arguments at sys_enter, reads what lives in user memory
 * there, and encodes the rest by this table at sys_exit. The same table is
 * the event selection (enabled).
 */
#ifndef TR_SCTABLE_H
#define TR_SCTABLE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TR_SC_NR_MAX	512	/* x86_64 and ia32 syscall numbers below this */
#define TR_SC_RAW	TR_SC_NR_MAX	   /* slot of the raw_syscall descriptor (--events all) */
#define TR_SC_SLOTS	(TR_SC_NR_MAX + 1)
#define TR_SC_NONE	0xffffffffU	/* sc_ia32: no slot */
#define TR_SC_ARGS	8	/* most arguments one syscall event encodes */
#define TR_DATA_MAX	64	/* bytes of a written buffer kept (ELF, #! headers) */
#define TR_RIGHTS_MAX	8	/* fds of one SCM_RIGHTS message kept */
#define TR_REG_RET	0xff	/* tr_sc_arg.reg: the return value, not an argument */

/* How one argument is read (tr_sc_arg.read); TR_RD_AT_EXIT: at sys_exit. */
enum tr_rd {
	TR_RD_NONE = 0,		/* not recorded (envp: DESIGN.md 4.6) */
	TR_RD_REG,		/* the register's value, encoded by its wire type */
	TR_RD_NR,		/* the syscall number (raw_syscall) */
	TR_RD_COMPAT,		/* 1 for a 32-bit (ia32) syscall (raw_syscall) */
	TR_RD_USTR,		/* NUL-ended string in user memory at reg */
	TR_RD_UARGV,		/* NULL-ended array of user string pointers at reg */
	TR_RD_USOCKADDR,	/* sockaddr at reg, its length in register len_reg */
	TR_RD_USOCKADDR_PLEN,	/* sockaddr at reg, its length at the user int* in len_reg */
	TR_RD_UBYTES,		/* the first TR_DATA_MAX bytes at reg, count in len_reg */
	TR_RD_IOV,		/* the first TR_DATA_MAX bytes of iov[0] at reg */
	TR_RD_PIPEFD,		/* int[2] at reg */
	TR_RD_FD_PATH,		/* kernel-resolved path of fd reg (or the return value) */
	TR_RD_SOCK_LOCAL,	/* local address of socket fd reg (or the return value) */
	TR_RD_MSG_NAME,		/* msg_name of the user msghdr at reg */
	TR_RD_MSG_RIGHTS,	/* SCM_RIGHTS fds of the user msghdr at reg */
	TR_RD_MMSG_NAME,	/* msg_name of the first mmsghdr at reg */
	TR_RD_BPF_PROG_TYPE,	/* prog_type of the bpf_attr at reg when cmd (reg 0) loads one */
	TR_RD_BPF_DETACH,	/* 1 when cmd (register len_reg) detaches a program or link */
	TR_RD_PRCTL_NAME,	/* PR_SET_NAME's name (string at reg when option, reg 0, is 15) */
	TR_RD_SOCKETCALL_FD,	/* ia32 socketcall: the socket, args[0] of the array at reg (call in len_reg) */
	TR_RD_SOCKETCALL_ADDR,	/* ia32 socketcall: the sockaddr of bind, connect, sendto */
	TR_RD_MAX,
};
#define TR_RD_AT_EXIT	0x80

struct tr_sc_arg {
	__u8 read;		/* enum tr_rd, | TR_RD_AT_EXIT */
	__u8 wire;		/* enum tr_wire_type */
	__u8 reg;		/* raw argument 0-5, or TR_REG_RET */
	__u8 len_reg;		/* raw argument holding the length (USOCKADDR, UBYTES) */
};

/* Descriptor flags. */
#define TR_SCF_AT_ENTRY	 0x01	/* sent at sys_enter (exec: its memory is gone at exit) */
#define TR_SCF_SIGNAL	 0x02	/* register sig_reg is a pid: flag signals sent to the recorder */
#define TR_SCF_IA32_ONLY 0x04	/* reached only through sc_ia32 (socketcall) */
#define TR_SCF_NO_RETURN 0x08	/* never returns (exit, exit_group): sent whole at sys_enter */
#define TR_SCF_CONTEXT	 0x10	/* changes the task's context (ids, namespaces) or returns
				 * twice (fork): its context is read at sys_enter */
#define TR_SCF_EXIT_ONLY 0x20	/* nothing to read at entry: made whole at sys_exit
				 * (set by tr_sctable__build, not by the rules) */

struct tr_sc_desc {
	__u32 event_id;		/* catalog id */
	__u8 enabled;		/* recorded (the event selection) */
	__u8 nargs;		/* args used */
	__u8 flags;		/* TR_SCF_* */
	__u8 sig_reg;
	struct tr_sc_arg args[TR_SC_ARGS]; /* by catalog argument index */
};

_Static_assert(sizeof(struct tr_sc_desc) == 8 + 4 * TR_SC_ARGS, "tr_sc_desc layout");

#ifndef __VMLINUX_H__
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/* Which events to record: --events. */
struct tr_evsel {
	int all;			/* every other syscall as raw_syscall */
	uint8_t on[TR_SC_NR_MAX];	/* by syscall event id */
};

/* Parse a comma-separated selection into sel (starting from nothing):
 * "default" (TR_SET_DEFAULT), "all", a set name (file, net, proc, system,
 * container), an event name; "+NAME" adds to the default set, "-NAME"
 * removes. 0, or -EINVAL with a message naming the word in err. */
int tr_evsel__parse(struct tr_evsel *sel, const struct tr_catalog *c, const char *spec, char *err, size_t errlen);

/* Fill table[TR_SC_SLOTS] and ia32[TR_SC_NR_MAX] (ia32 number -> slot)
 * from the catalog and the selection. 0, or -EINVAL with a message in err
 * when a catalog row cannot be expressed (an argument the table has no
 * way to read). */
int tr_sctable__build(const struct tr_catalog *c, const struct tr_evsel *sel,
		      struct tr_sc_desc *table, uint32_t *ia32, char *err, size_t errlen);
#endif

#endif /* TR_SCTABLE_H */
