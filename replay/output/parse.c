// SPDX-License-Identifier: MIT
/*
 * parse.c: --parse-args, arguments rendered by name as Tracee's
 * parse-arguments does: open flags 577 -> "O_WRONLY|O_CREAT|O_TRUNC", exit
 * status 768 -> "exit 3", signals, ptrace requests, socket families and
 * types, mmap protections, fcntl and prctl commands, and fds as
 * "3=/path" (Tracee's parse-arguments-fds) where replay knows the file.
 * One table: (argument name, events or any, renderer).
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

struct name { int64_t v; const char *n; };

#define N(x) { x, #x }

static const struct name open_flags[] = {
	{ 00000100, "O_CREAT" }, { 00000200, "O_EXCL" }, { 00000400, "O_NOCTTY" }, { 00001000, "O_TRUNC" },
	{ 00002000, "O_APPEND" }, { 00004000, "O_NONBLOCK" }, { 00010000, "O_DSYNC" }, { 00020000, "O_ASYNC" },
	{ 00040000, "O_DIRECT" }, { 00100000, "O_LARGEFILE" }, { 00200000, "O_DIRECTORY" },
	{ 00400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" },
	{ 04010000, "O_SYNC" }, { 010000000, "O_PATH" }, { 020200000, "O_TMPFILE" }, { 0, NULL },
};
static const struct name prots[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" }, { 0, NULL },
};
static const struct name map_flags[] = {
	{ 0x01, "MAP_SHARED" }, { 0x02, "MAP_PRIVATE" }, { 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" }, { 0, NULL },
};
static const struct name clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" }, { 0x800, "CLONE_SIGHAND" },
	{ 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" }, { 0x20000, "CLONE_NEWNS" },
	{ 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x400000, "CLONE_DETACHED" }, { 0x800000, "CLONE_UNTRACED" },
	{ 0x1000000, "CLONE_CHILD_SETTID" }, { 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000LL, "CLONE_IO" }, { 0, NULL },
};
static const struct name signals[] = {
	{ 1, "SIGHUP" }, { 2, "SIGINT" }, { 3, "SIGQUIT" }, { 4, "SIGILL" }, { 5, "SIGTRAP" }, { 6, "SIGABRT" },
	{ 7, "SIGBUS" }, { 8, "SIGFPE" }, { 9, "SIGKILL" }, { 10, "SIGUSR1" }, { 11, "SIGSEGV" },
	{ 12, "SIGUSR2" }, { 13, "SIGPIPE" }, { 14, "SIGALRM" }, { 15, "SIGTERM" }, { 16, "SIGSTKFLT" },
	{ 17, "SIGCHLD" }, { 18, "SIGCONT" }, { 19, "SIGSTOP" }, { 20, "SIGTSTP" }, { 21, "SIGTTIN" },
	{ 22, "SIGTTOU" }, { 23, "SIGURG" }, { 24, "SIGXCPU" }, { 25, "SIGXFSZ" }, { 26, "SIGVTALRM" },
	{ 27, "SIGPROF" }, { 28, "SIGWINCH" }, { 29, "SIGIO" }, { 30, "SIGPWR" }, { 31, "SIGSYS" }, { 0, NULL },
};
static const struct name ptrace_reqs[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" }, { 3, "PTRACE_PEEKUSR" },
	{ 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" }, { 6, "PTRACE_POKEUSR" }, { 7, "PTRACE_CONT" },
	{ 8, "PTRACE_KILL" }, { 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 16, "PTRACE_ATTACH" }, { 17, "PTRACE_DETACH" }, { 24, "PTRACE_SYSCALL" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" }, { 0x4202, "PTRACE_GETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" }, { 0x4206, "PTRACE_SEIZE" },
	{ 0x4207, "PTRACE_INTERRUPT" }, { 0x4208, "PTRACE_LISTEN" }, { 0, NULL },
};
static const struct name families[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" }, { 10, "AF_INET6" }, { 16, "AF_NETLINK" },
	{ 17, "AF_PACKET" }, { 40, "AF_VSOCK" }, { 44, "AF_XDP" }, { 0, NULL },
};
static const struct name socktypes[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" }, { 4, "SOCK_RDM" },
	{ 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" }, { 10, "SOCK_PACKET" }, { 0, NULL },
};
static const struct name fcntl_cmds[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" }, { 4, "F_SETFL" },
	{ 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" }, { 1030, "F_DUPFD_CLOEXEC" }, { 0, NULL },
};
static const struct name prctl_opts[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 4, "PR_SET_DUMPABLE" }, { 8, "PR_SET_KEEPCAPS" }, { 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" }, { 22, "PR_SET_SECCOMP" }, { 38, "PR_SET_NO_NEW_PRIVS" },
	{ 0x59616d61, "PR_SET_PTRACER" }, { 0, NULL },
};

static const char *lookup(const struct name *t, int64_t v)
{
	for (; t->n; t++)
		if (t->v == v)
			return t->n;
	return NULL;
}

/* "A|B|C" of the bits of v, rest as a number; zero is zero_name. */
static void put_bits(struct tr_buf *b, const struct name *t, uint64_t v, const char *zero_name)
{
	int first = 1;

	tr_buf__putc(b, '"');
	if (!v && zero_name)
		tr_buf__puts(b, zero_name);
	for (; t->n; t++)
		if (t->v && (v & (uint64_t)t->v) == (uint64_t)t->v) {
			if (!first)
				tr_buf__putc(b, '|');
			tr_buf__puts(b, t->n);
			first = 0;
			v &= ~(uint64_t)t->v;
		}
	if (v) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%s0x%llx", first ? "" : "|", (unsigned long long)v);
		tr_buf__puts(b, tmp);
	}
	tr_buf__putc(b, '"');
}

static void put_name(struct tr_buf *b, const struct name *t, int64_t v)
{
	const char *n = lookup(t, v);
	char tmp[32];

	if (!n) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
		n = tmp;
	}
	tr_json__cstr(b, n);
}

typedef int (*render_fn)(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i);

static int r_open_flags(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	uint64_t f = (uint64_t)a->i & 0xffffffffU;
	struct tr_buf t = { 0 };

	tr_buf__putc(b, '"');
	tr_buf__puts(b, acc[f & 3]);
	f &= ~3ULL;
	if (f) {
		put_bits(&t, open_flags, f, NULL);
		if (!t.err && t.len > 2) {
			tr_buf__putc(b, '|');
			tr_buf__put(b, t.p + 1, t.len - 2);
		}
		tr_buf__free(&t);
	}
	tr_buf__putc(b, '"');
	return 1;
}

static int r_mode(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "\"%#llo\"", (unsigned long long)a->u & 07777);
	tr_buf__puts(b, tmp);
	return 1;
}

static int r_prot(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_bits(b, prots, (uint64_t)a->i & 0xffffffffU, "PROT_NONE");
	return 1;
}

static int r_map_flags(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_bits(b, map_flags, (uint64_t)a->i & 0xffffffffU, NULL);
	return 1;
}

static int r_clone_flags(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	uint64_t f = a->u;
	const char *sig = lookup(signals, (int64_t)(f & 0xff));

	put_bits(b, clone_flags, f & ~0xffULL, NULL);
	if (sig && b->len >= 1 && !b->err) {	/* the exit signal in the low byte */
		b->len--;
		if (b->p[b->len - 1] != '"')
			tr_buf__putc(b, '|');
		tr_buf__puts(b, sig);
		tr_buf__putc(b, '"');
	}
	return 1;
}

static int r_signal(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_name(b, signals, a->i);
	return 1;
}

static int r_ptrace(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_name(b, ptrace_reqs, a->i);
	return 1;
}

static int r_family(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_name(b, families, a->i);
	return 1;
}

static int r_socktype(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	static const struct name fl[] = { { 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" }, { 0, NULL } };
	const char *n = lookup(socktypes, a->i & 0xf);
	struct tr_buf t = { 0 };
	char tmp[32];

	if (!n) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)(a->i & 0xf));
		n = tmp;
	}
	tr_buf__putc(b, '"');
	tr_buf__puts(b, n);
	if (a->i & ~0xfLL) {
		put_bits(&t, fl, (uint64_t)a->i & ~0xfULL & 0xffffffffU, NULL);
		if (!t.err && t.len > 2) {
			tr_buf__putc(b, '|');
			tr_buf__put(b, t.p + 1, t.len - 2);
		}
		tr_buf__free(&t);
	}
	tr_buf__putc(b, '"');
	return 1;
}

static int r_fcntl_cmd(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_name(b, fcntl_cmds, a->i);
	return 1;
}

static int r_prctl(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	put_name(b, prctl_opts, a->i);
	return 1;
}

/* wait status: "exit N", "killed by SIGX" (", core dumped") */
static int r_exit(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	int64_t st = a->i;
	const char *sig = lookup(signals, st & 0x7f);
	char tmp[64];

	if ((st & 0x7f) == 0)
		snprintf(tmp, sizeof(tmp), "\"exit %lld\"", (long long)((st >> 8) & 0xff));
	else if (sig)
		snprintf(tmp, sizeof(tmp), "\"killed by %s%s\"", sig, st & 0x80 ? ", core dumped" : "");
	else
		snprintf(tmp, sizeof(tmp), "\"killed by signal %lld\"", (long long)(st & 0x7f));
	tr_buf__puts(b, tmp);
	return 1;
}

/* "3=/path" where replay knows what the fd is. */
static int r_fd(struct tr_buf *b, const struct tr_event_view *v, const struct tr_arg_val *a, unsigned i)
{
	const struct tr_fdent *f = NULL;
	struct tr_buf t = { 0 };
	char tmp[32];

	if ((int32_t)a->i == -100 && !strcmp(v->def->args[i].name, "dirfd")) {
		tr_json__cstr(b, "AT_FDCWD");
		return 1;
	}
	for (int s = 0; s < 2; s++)
		if (v->fd[s].arg == (int)i)
			f = v->fd[s].f;
	if (!f || !f->path.p)
		return 0;
	snprintf(tmp, sizeof(tmp), "%lld=", (long long)(int32_t)a->i);
	tr_buf__puts(&t, tmp);
	tr_buf__put(&t, f->path.p, f->path.len);
	if (!t.err)
		tr_json__str(b, t.p, t.len);
	tr_buf__free(&t);
	return 1;
}

static const struct {
	const char *arg;
	const char *events;	/* space-separated, NULL: any event */
	render_fn fn;
	uint32_t wires;
} table[] = {
	{ "flags", "open openat creat security_file_open", r_open_flags, TR_WIRES_INT },
	{ "mode", "open openat creat mkdir mkdirat chmod fchmod fchmodat", r_mode, TR_WIRES_INT },
	{ "prot", NULL, r_prot, TR_WIRES_INT },
	{ "prev_prot", NULL, r_prot, TR_WIRES_INT },
	{ "flags", "mmap", r_map_flags, TR_WIRES_INT },
	{ "flags", "clone", r_clone_flags, TR_WIRES_INT },
	{ "flags", "unshare", r_clone_flags, TR_WIRES_INT },
	{ "nstype", "setns", r_clone_flags, TR_WIRES_INT },
	{ "sig", NULL, r_signal, TR_WIRES_INT },
	{ "signal_code", NULL, r_signal, TR_WIRES_INT },
	{ "request", "ptrace", r_ptrace, TR_WIRES_INT },
	{ "domain", NULL, r_family, TR_WIRES_INT },
	{ "type", "socket socketpair", r_socktype, TR_WIRES_INT },
	{ "type", "security_socket_connect", r_socktype, TR_WIRES_INT },
	{ "cmd", "fcntl", r_fcntl_cmd, TR_WIRES_INT },
	{ "option", "prctl", r_prctl, TR_WIRES_INT },
	{ "exit_code", NULL, r_exit, TR_WIRES_INT },
	{ "status", "exit_group exit", r_exit, TR_WIRES_INT },
	{ "fd", NULL, r_fd, TR_WIRES_INT },
	{ "oldfd", NULL, r_fd, TR_WIRES_INT },
	{ "sockfd", NULL, r_fd, TR_WIRES_INT },
	{ "dirfd", NULL, r_fd, TR_WIRES_INT },
};

static int event_in(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int tr_parse__arg(struct tr_buf *b, const struct tr_event_view *v, unsigned i)
{
	const struct tr_arg_def *d = &v->def->args[i];
	const struct tr_arg_val *a = &v->args[i];

	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
		if (strcmp(table[k].arg, d->name) || a->wire > TR_T_MAX || !(table[k].wires & TR_WIRE_BIT(a->wire)))
			continue;
		if (table[k].events && !event_in(table[k].events, v->def->name))
			continue;
		return table[k].fn(b, v, a, i);
	}
	return 0;
}
