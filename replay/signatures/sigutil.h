/* SPDX-License-Identifier: MIT */
/*
 * sigutil.h: what several built-in signatures share. Tracee's security_*
 * events are LSM hooks we cannot attach here (no kprobes, no BPF LSM), so
 * the replay derive stage makes them from syscalls; until it does, and for
 * recordings that carry only syscalls, the file helpers below read both the
 * derived event and the syscalls it comes from, so a signature says what it
 * watches (opened for write, renamed onto, unlinked...) once.
 *
 * Paths are made absolute against the process's cwd at that time (the
 * process tree follows chdir) and collapsed; a relative path with an
 * unknown cwd, or relative to a dirfd other than AT_FDCWD, is not guessed.
 * Syscalls count only when they succeeded (retval >= 0): Tracee's LSM hooks
 * fire after the permission checks, so a refused open is not an open.
 */
#ifndef TR_SIGUTIL_H
#define TR_SIGUTIL_H

#include <stdint.h>
#include <string.h>

#include "signature.h"

enum tr_fop {
	TR_FOP_READ = 1U << 0,		/* opened for reading */
	TR_FOP_WRITE = 1U << 1,		/* opened for writing (O_WRONLY, O_RDWR, O_TRUNC, O_CREAT) */
	TR_FOP_UNLINK = 1U << 2,
	TR_FOP_RENAME_TO = 1U << 3,	/* the new name of a rename */
	TR_FOP_RENAME_FROM = 1U << 4,	/* the old name of a rename */
	TR_FOP_TRUNC = 1U << 5,		/* truncate(2), or an open with O_TRUNC */
	TR_FOP_CHMOD = 1U << 6,
	TR_FOP_MAGIC = 1U << 7,		/* magic_write: the first bytes written to a new file */
};

#define TR_SIGU_PATH_MAX (2 * TR_STR_MAX + 2)

struct tr_fact {
	unsigned op;		/* one TR_FOP_* (TR_FOP_TRUNC may come with TR_FOP_WRITE) */
	int32_t flags;		/* open flags, -1 when not an open */
	uint32_t mode;		/* chmod mode */
	int plen;
	char path[TR_SIGU_PATH_MAX];
};

/* The events each kind of file access comes from, derived first. */
#define TR_SIGU_OPEN_EVENTS "security_file_open", "openat", "open"
#define TR_SIGU_RENAME_EVENTS "security_inode_rename", "rename", "renameat", "renameat2"
#define TR_SIGU_UNLINK_EVENTS "security_inode_unlink", "unlink", "unlinkat"
#define TR_SIGU_TRUNC_EVENTS "truncate"
#define TR_SIGU_CHMOD_EVENTS "chmod", "fchmodat"

#define TR_SIGU_NELEM(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* Table fields from lists: .events/.nevents, .tags/.ntags, .args/.nargs. */
#define TR_SIG_EVENTS(...) .events = (const char *const[]){ __VA_ARGS__ }, \
	.nevents = TR_SIGU_NELEM(((const char *const[]){ __VA_ARGS__ }))
#define TR_SIG_TAGS(...) .tags = (const char *const[]){ __VA_ARGS__ }, \
	.ntags = TR_SIGU_NELEM(((const char *const[]){ __VA_ARGS__ }))
#define TR_SIG_ARGS(...) .args = (const struct tr_sig_arg[]){ __VA_ARGS__ }, \
	.nargs = TR_SIGU_NELEM(((const struct tr_sig_arg[]){ __VA_ARGS__ }))
#define TR_SIG_FILE_ARGS .args = tr_sigu_file_args, .nargs = TR_SIGU_NFILE_ARGS

/* The arguments the file helpers read, for every event above. */
#define TR_SIGU_NFILE_ARGS 32
extern const struct tr_sig_arg tr_sigu_file_args[TR_SIGU_NFILE_ARGS];

/* The file accesses of v (a rename gives two): how many (0 when v is none,
 * failed, or its path cannot be made absolute), in *out, valid until the
 * next event (computed once per event, whichever signature asks first). */
int tr_sigu__file_facts(const struct tr_event_view *v, const struct tr_fact **out);

/* A signature made of one file rule: set it as the signature's priv and
 * tr_sigu__file_rule as its on_event. */
struct tr_file_rule {
	unsigned ops;			/* TR_FOP_* that count */
	const char *const *paths;	/* fnmatch(3) patterns on the absolute path, NULL-ended */
	const char *const *exempt;	/* comms that may (Tracee's allow-lists), NULL-ended */
	const char *const *execs;	/* also: exec of a file with one of these names */
};
int tr_sigu__file_rule(struct tr_sig_ctx *ctx, const struct tr_event_view *v);
/* The TR_FOP_* of v's file accesses together (0: none). A file rule whose
 * ops miss them all finds nothing in v unless it is an exec it watches:
 * the engine skips it then (tr_sigu__rule_ops). */
unsigned tr_sigu__fact_ops(const struct tr_event_view *v);
/* For a signature s selecting event id: the ops that must meet
 * tr_sigu__fact_ops for its on_event to find anything, or 0 when it must
 * run anyway (not a file rule, or an exec it watches). */
unsigned tr_sigu__rule_ops(const struct tr_signature *s, uint32_t id);
/* Report one fact (data: pathname, operation, flags). */
int tr_sigu__report_fact(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_fact *f);

/* fnmatch(3) against a NULL-ended list. */
int tr_sigu__glob_any(const char *const *pats, const char *s);
/* The comm of v's task in a NULL-ended list. */
int tr_sigu__comm_in(const char *comm16, const char *const *list);
/* The last path element of path[0..len). */
const char *tr_sigu__base(const char *path, size_t len, size_t *blen);

/* The environment of an exec event: sched_process_exec's env, execve's or
 * security_bprm_check's envp. 1 with the value of NAME found, else 0. */
int tr_sigu__env(const struct tr_event_view *v, const char *name, const char **val, size_t *len);
/* 1 when some element of the STR_ARRAY argument arg contains needle. */
int tr_sigu__argv_has(const struct tr_event_view *v, const char *arg, const char *needle);

/* A socket address argument, decoded. */
struct tr_sa {
	int family;		/* AF_INET, AF_INET6, AF_UNIX, or 0 */
	uint16_t port;
	char addr[128];		/* inet text, or the unix path ("@name" for abstract) */
};
int tr_sigu__sockaddr(const struct tr_event_view *v, const char *arg, struct tr_sa *out);
/* The remote address of a connect: security_socket_connect's remote_addr
 * or connect's addr (successful or in progress). 1 when v is one. */
int tr_sigu__connect(const struct tr_event_view *v, struct tr_sa *out, int32_t *fd);

#endif /* TR_SIGUTIL_H */
