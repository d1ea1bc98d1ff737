// SPDX-License-Identifier: MIT
/*
 * test_derive.c: the enrich and derive stages on synthetic recordings built
 * with synth_event: fd tables through fchdir/dup/close/exec, the one *at
 * path resolver, containers from cgroup paths, thread start times, and
 * each derived event with a positive and a negative input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sys/wait.h>

#include "derive.h"
#include "netflow.h"
#include "json.h"
#include "pipeline.h"
#include "state.h"
#include "replay_synth.h"

#define MS 1000000ULL
#define DOCKER_ID "3f4e1c0a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"

struct run {
	struct tr_buf out;
	struct tr_json_host host;
	json_t *lines;		/* array of the output lines, parsed */
	int rc;
};

static int rec_event(void *ctx, const struct tr_event_view *v)
{
	struct run *r = ctx;

	return tr_json__event(&r->out, &r->host, v);
}

static char *tmpdir_new(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	assert_true(asprintf(&t, "%s/test_derive.XXXXXX", base && *base ? base : "/tmp") > 0);
	assert_non_null(mkdtemp(t));
	return t;
}

/* Replay dir with derived events and --parse-args; lines parsed. */
static void replay(const char *dir, struct run *r)
{
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = stderr, .derived = 1 };
	struct tr_sink sink = { .event = rec_event, .ctx = r };
	struct tr_replay *rp;
	char err[1024];
	const char *p, *end;

	memset(r, 0, sizeof(*r));
	assert_int_equal(tr_replay__open(&rp, dir, &o, err, sizeof(err)), 0);
	r->host = tr_replay__host(rp);
	r->host.flags = TR_JSON_PARSE_ARGS;
	r->rc = tr_replay__run(rp, &sink, err, sizeof(err));
	assert_int_equal(r->rc, 0);
	tr_replay__free(rp);
	r->lines = json_array();
	for (p = r->out.p, end = p + r->out.len; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t e;
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, &e);

		if (!j)
			fail_msg("not JSON: %s", e.text);
		json_array_append_new(r->lines, j);
		p = nl + 1;
	}
}

static void run_free(struct run *r)
{
	tr_buf__free(&r->out);
	json_decref(r->lines);
}

/* The nth (0-based) line of event name, or NULL. */
static json_t *find(const struct run *r, const char *name, size_t nth)
{
	for (size_t i = 0; i < json_array_size(r->lines); i++) {
		json_t *j = json_array_get(r->lines, i);

		if (!strcmp(json_string_value(json_object_get(j, "eventName")), name) && !nth--)
			return j;
	}
	return NULL;
}

static size_t count(const struct run *r, const char *name)
{
	size_t n = 0;

	while (find(r, name, n))
		n++;
	return n;
}

static json_t *arg(json_t *ev, const char *name)
{
	json_t *a = json_object_get(ev, "args");

	for (size_t i = 0; i < json_array_size(a); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(a, i), "name")), name))
			return json_object_get(json_array_get(a, i), "value");
	fail_msg("no argument %s", name);
	return NULL;
}

static const char *sarg(json_t *ev, const char *name)
{
	return json_string_value(arg(ev, name));
}

static const struct synth_task sh = { .pid = 300, .ppid = 1, .start_ns = 3000 * MS, .parent_start_ns = 10 * MS,
				      .comm = "sh" };

/* A recording of one process (snapshot cwd /home/u) and what body adds. */
typedef void (*body_fn)(struct synth *s);

static void with_recording(body_fn body, struct run *r, const struct tr_catalog *cat)
{
	char *tmp = tmpdir_new(), dir[PATH_MAX];
	struct synth s;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	s.catalog = cat;
	synth_proc(&s, 1000, sh.pid, 1, sh.start_ns, "sh", "/bin/sh", "/home/u", NULL);
	body(&s);
	synth_watermark(&s, 90000 * MS);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	replay(dir, r);
	synth_remove(tmp);
	free(tmp);
}

/* ---- the helpers themselves ---- */

static void test_synth_event_and_keys(void **state)
{
	struct synth_ev e;
	struct tr_arg_val a[TR_MAX_ARGS];
	struct tr_evinfo info;
	const struct tr_event_def *d = synth_def("openat");
	char msg[128];

	synth_ev_build(&e, 1, 5, &sh, "openat", "dirfd", -100, "pathname", "/x", "flags", 0101,
		       "@ret", (int64_t)3, NULL);
	assert_int_equal(e.ev.event_id, TR_EV_OPENAT);
	assert_int_equal(e.ev.retval, 3);
	assert_int_equal(e.ev.nargs, 3);
	assert_int_equal(tr_event__args(&e.ev, d, a, msg, sizeof(msg)), 0);
	tr_evinfo__init(&info, d);
	assert_int_equal(info.idx[TR_AK_DIRFD], 0);
	assert_int_equal(a[info.idx[TR_AK_DIRFD]].i, -100);
	assert_memory_equal(a[info.idx[TR_AK_PATHNAME]].b.p, "/x", 2);
	assert_int_equal(a[info.idx[TR_AK_FLAGS]].i, 0101);
	assert_false(a[info.idx[TR_AK_MODE]].present);	/* not named: left out */
	/* one name, two wire types: the key says which */
	tr_evinfo__init(&info, synth_def("mmap"));
	assert_int_equal(info.idx[TR_AK_ADDR], 0);
	assert_int_equal(info.idx[TR_AK_SOCKADDR], -1);
	tr_evinfo__init(&info, synth_def("connect"));
	assert_int_equal(info.idx[TR_AK_ADDR], -1);
	assert_int_equal(info.idx[TR_AK_SOCKADDR], 1);
}

/* ---- fd tables and the resolver ---- */

static void body_fchdir_dup(struct synth *s)
{
	uint64_t t = 5000 * MS;

	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "work", "flags", 0200000, "@ret", (int64_t)3, NULL);
	synth_event(s, 0, t++, &sh, "fchdir", "fd", 3, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "./.x/payload", "flags", 0101,
		    "@ret", (int64_t)4, NULL);
	synth_event(s, 0, t++, &sh, "dup2", "oldfd", 4, "newfd", 9, "@ret", (int64_t)9, NULL);
	synth_event(s, 0, t++, &sh, "close", "fd", 4, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "write", "fd", 9, "count", (uint64_t)10, "@ret", (int64_t)10, NULL);
	synth_event(s, 0, t++, &sh, "write", "fd", 4, "count", (uint64_t)10, "@ret", (int64_t)-9, NULL);
	/* relative to a dirfd, not the cwd */
	synth_event(s, 0, t++, &sh, "openat", "dirfd", 3, "pathname", "../y", "flags", 0, "@ret", (int64_t)5, NULL);
	synth_event(s, 0, t++, &sh, "openat", "dirfd", 77, "pathname", "z", "flags", 0, "@ret", (int64_t)6, NULL);
	/* close-on-exec goes at exec, the rest stays */
	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "/etc/c", "flags", 02000000,
		    "@ret", (int64_t)8, NULL);
	synth_exec(s, 0, t++, &sh, "/bin/true", (const char *const[]){ "true", NULL }, sh.pid);
	synth_event(s, 0, t++, &sh, "write", "fd", 8, "@ret", (int64_t)1, NULL);
	synth_event(s, 0, t++, &sh, "write", "fd", 9, "@ret", (int64_t)1, NULL);
}

static void test_fd_tables(void **state)
{
	struct run r;

	with_recording(body_fchdir_dup, &r, NULL);
	/* write(fd=9): dup'ed from a relative open in an fchdir'ed process */
	assert_string_equal(sarg(find(&r, "write", 0), "fd"), "9=/home/u/work/.x/payload");
	/* fd 4 was closed: no name */
	assert_int_equal(json_integer_value(arg(find(&r, "write", 1), "fd")), 4);
	assert_string_equal(sarg(find(&r, "security_file_open", 1), "pathname"), "/home/u/work/.x/payload");
	assert_string_equal(sarg(find(&r, "security_file_open", 1), "syscall_pathname"), "./.x/payload");
	assert_string_equal(sarg(find(&r, "security_file_open", 1), "flags"), "O_WRONLY|O_CREAT");
	assert_string_equal(sarg(find(&r, "security_file_open", 2), "pathname"), "/home/u/y");
	/* an unknown dirfd is not guessed at: the path stays as given */
	assert_string_equal(sarg(find(&r, "security_file_open", 3), "pathname"), "z");
	assert_string_equal(sarg(find(&r, "openat", 1), "dirfd"), "AT_FDCWD");
	assert_int_equal(json_integer_value(arg(find(&r, "write", 2), "fd")), 8);	/* closed at exec */
	assert_string_equal(sarg(find(&r, "write", 3), "fd"), "9=/home/u/work/.x/payload");
	/* what the recorder leaves out of sched_process_exec, from the state */
	assert_string_equal(sarg(find(&r, "sched_process_exec", 0), "prev_comm"), "sh");
	assert_string_equal(sarg(find(&r, "sched_process_exec", 0), "pwd"), "/home/u/work");
	assert_string_equal(sarg(find(&r, "sched_process_exec", 0), "pathname"), "/bin/true");
	run_free(&r);
}

/* ---- derived events, each positive and negative ---- */

static void body_files(struct synth *s)
{
	uint64_t t = 5000 * MS;

	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "a", "flags", 0, "@ret", (int64_t)3, NULL);
	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "/nope", "flags", 0, "@ret", (int64_t)-2, NULL);
	synth_event(s, 0, t++, &sh, "unlink", "pathname", "old.txt", "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "unlinkat", "dirfd", -100, "pathname", "somedir", "flags", 0x200,
		    "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "unlink", "pathname", "/missing", "@ret", (int64_t)-2, NULL);
	synth_event(s, 0, t++, &sh, "renameat2", "olddirfd", -100, "oldpath", "x", "newdirfd", -100,
		    "newpath", "/tmp/y", "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "rename", "oldpath", "p", "newpath", "q", "@ret", (int64_t)-18, NULL);
	synth_event(s, 0, t++, &sh, "mount", "source", "tmpfs", "target", "mnt", "filesystemtype", "tmpfs",
		    "mountflags", (uint64_t)0, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "mount", "source", "x", "target", "/m", "@ret", (int64_t)-14, NULL);
	synth_exec(s, 0, t++, &sh, "./tool", (const char *const[]){ "./tool", "-v", NULL }, sh.pid);
}

static void test_derived_files(void **state)
{
	struct run r;

	with_recording(body_files, &r, NULL);
	assert_int_equal(count(&r, "security_file_open"), 1);
	assert_string_equal(sarg(find(&r, "security_file_open", 0), "pathname"), "/home/u/a");
	assert_string_equal(json_string_value(json_object_get(find(&r, "security_file_open", 0), "syscall")), "openat");
	assert_int_equal(count(&r, "security_inode_unlink"), 1);	/* not the rmdir, not the failure */
	assert_string_equal(sarg(find(&r, "security_inode_unlink", 0), "pathname"), "/home/u/old.txt");
	assert_int_equal(count(&r, "security_inode_rename"), 1);
	assert_string_equal(sarg(find(&r, "security_inode_rename", 0), "old_path"), "/home/u/x");
	assert_string_equal(sarg(find(&r, "security_inode_rename", 0), "new_path"), "/tmp/y");
	assert_int_equal(count(&r, "security_sb_mount"), 1);	/* EFAULT never reached the hook */
	assert_string_equal(sarg(find(&r, "security_sb_mount", 0), "path"), "/home/u/mnt");
	assert_string_equal(sarg(find(&r, "security_sb_mount", 0), "type"), "tmpfs");
	assert_int_equal(count(&r, "security_bprm_check"), 1);
	assert_string_equal(sarg(find(&r, "security_bprm_check", 0), "pathname"), "/home/u/tool");
	assert_int_equal(json_array_size(arg(find(&r, "security_bprm_check", 0), "argv")), 2);
	run_free(&r);
}

static uint8_t sa_remote[16], sa_local[16];

static void body_sockets(struct synth *s)
{
	uint64_t t = 5000 * MS;

	synth_sockaddr_in(sa_remote, "10.1.2.3", 4444);
	synth_sockaddr_in(sa_local, "0.0.0.0", 8080);
	synth_event(s, 0, t++, &sh, "socket", "domain", 2, "type", 1 | 02000000, "protocol", 0, "@ret", (int64_t)5, NULL);
	synth_event(s, 0, t++, &sh, "connect", "sockfd", 5, "addr", sa_remote, 16u, "addrlen", 16, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "connect", "sockfd", 42, "addr", sa_remote, 16u, "@ret", (int64_t)-9, NULL);
	synth_event(s, 0, t++, &sh, "dup2", "oldfd", 5, "newfd", 0, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "/etc/passwd", "@ret", (int64_t)6, NULL);
	synth_event(s, 0, t++, &sh, "dup2", "oldfd", 6, "newfd", 1, "@ret", (int64_t)1, NULL);
	synth_event(s, 0, t++, &sh, "socket", "domain", 2, "type", 1, "protocol", 0, "@ret", (int64_t)7, NULL);
	synth_event(s, 0, t++, &sh, "bind", "sockfd", 7, "addr", sa_local, 16u, "addrlen", 16, "@ret", (int64_t)0, NULL);
	synth_event(s, 0, t++, &sh, "accept4", "sockfd", 7, "addr", sa_remote, 16u, "flags", 0, "@ret", (int64_t)8, NULL);
	synth_event(s, 0, t++, &sh, "accept4", "sockfd", 7, "flags", 0, "@ret", (int64_t)-11, NULL);
	synth_event(s, 0, t++, &sh, "fcntl", "fd", 8, "cmd", 0, "arg", (uint64_t)2, "@ret", (int64_t)2, NULL);
}

static void test_derived_sockets(void **state)
{
	struct run r;
	json_t *ev;

	with_recording(body_sockets, &r, NULL);
	assert_int_equal(count(&r, "security_socket_connect"), 1);
	ev = find(&r, "security_socket_connect", 0);
	assert_string_equal(json_string_value(json_object_get(arg(ev, "remote_addr"), "sin_addr")), "10.1.2.3");
	assert_string_equal(sarg(ev, "type"), "SOCK_STREAM");
	assert_int_equal(count(&r, "socket_dup"), 2);	/* dup2 onto stdin, fcntl(F_DUPFD) onto stderr */
	ev = find(&r, "socket_dup", 0);
	assert_int_equal(json_integer_value(arg(ev, "newfd")), 0);
	assert_string_equal(json_string_value(json_object_get(arg(ev, "remote_addr"), "sin_port")), "4444");
	assert_int_equal(json_integer_value(arg(find(&r, "socket_dup", 1), "newfd")), 2);
	assert_int_equal(count(&r, "security_socket_bind"), 1);
	assert_int_equal(count(&r, "security_socket_accept"), 1);
	ev = find(&r, "security_socket_accept", 0);
	assert_string_equal(json_string_value(json_object_get(arg(ev, "local_addr"), "sin_port")), "8080");
	assert_string_equal(sarg(find(&r, "socket", 0), "domain"), "AF_INET");
	assert_string_equal(sarg(find(&r, "socket", 0), "type"), "SOCK_STREAM|SOCK_CLOEXEC");
	run_free(&r);
}

static void body_mem(struct synth *s)
{
	uint64_t t = 5000 * MS;

	/* RW, then RX: written, then made executable */
	synth_event(s, 0, t++, &sh, "mmap", "addr", (uint64_t)0, "length", (uint64_t)4096, "prot", 3, "flags", 0x22,
		    "fd", -1, "@ret", (int64_t)0x7f0000000000, NULL);
	synth_event(s, 0, t++, &sh, "mprotect", "addr", (uint64_t)0x7f0000000000, "len", (uint64_t)4096, "prot", 5,
		    "@ret", (int64_t)0, NULL);
	/* read-only to read-only: nothing */
	synth_event(s, 0, t++, &sh, "mmap", "addr", (uint64_t)0, "length", (uint64_t)4096, "prot", 1, "flags", 0x22,
		    "fd", -1, "@ret", (int64_t)0x7f0000100000, NULL);
	synth_event(s, 0, t++, &sh, "mprotect", "addr", (uint64_t)0x7f0000100000, "len", (uint64_t)4096, "prot", 1,
		    "@ret", (int64_t)0, NULL);
	/* W+X at once */
	synth_event(s, 0, t++, &sh, "mmap", "addr", (uint64_t)0, "length", (uint64_t)4096, "prot", 7, "flags", 0x22,
		    "fd", -1, "@ret", (int64_t)0x7f0000200000, NULL);
	/* a failed mprotect: nothing */
	synth_event(s, 0, t++, &sh, "mprotect", "addr", (uint64_t)0x7f0000100000, "len", (uint64_t)4096, "prot", 7,
		    "@ret", (int64_t)-13, NULL);
}

static void test_derived_mem_prot(void **state)
{
	struct run r;
	json_t *ev;

	with_recording(body_mem, &r, NULL);
	assert_int_equal(count(&r, "mem_prot_alert"), 2);
	ev = find(&r, "mem_prot_alert", 0);
	assert_int_equal(json_integer_value(arg(ev, "alert")), 4);
	assert_string_equal(sarg(ev, "prot"), "PROT_READ|PROT_EXEC");
	assert_string_equal(sarg(ev, "prev_prot"), "PROT_READ|PROT_WRITE");
	assert_int_equal(json_integer_value(arg(find(&r, "mem_prot_alert", 1), "alert")), 1);
	run_free(&r);
}

/* write's first bytes come with the recorder's v2 work: a catalog whose
 * write carries a BYTES argument, whatever its name. */
static struct tr_event_def cat_events[512];
static struct tr_catalog cat;

static void body_magic(struct synth *s)
{
	const struct tr_event_def *w = tr_catalog__find(&cat, TR_EV_WRITE);
	uint64_t t = 5000 * MS;
	struct synth_ev e;
	int32_t pfd[2] = { 10, 11 };

	synth_event(s, 0, t++, &sh, "openat", "dirfd", -100, "pathname", "/tmp/.x", "flags", 0101, "@ret", (int64_t)3, NULL);
	synth_event(s, 0, t++, &sh, "pipe2", "pipefd", pfd, 8u, "flags", 0, "@ret", (int64_t)0, NULL);
	for (int k = 0; k < 3; k++) {
		static const char *const data[] = { "\x7f" "ELF\2\1\1", "hello world", "#!/bin/sh\n" };
		int fd = k == 2 ? 11 : 3;

		synth_ev_begin(&e, 0, t++, TR_EV_WRITE, &sh);
		e.ev.retval = 100;
		synth_ev_u32(&e, 0, (uint32_t)fd);
		synth_ev_bytes(&e, (uint8_t)(w->nargs - 1), data[k], (uint32_t)strlen(data[k]));
		synth_ev_end(s, &e);
	}
}

static void test_derived_magic_write(void **state)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	struct tr_event_def *w;
	struct run r;

	assert_true(b->n <= sizeof(cat_events) / sizeof(cat_events[0]));
	memcpy(cat_events, b->events, b->n * sizeof(cat_events[0]));
	cat = (struct tr_catalog){ .n = b->n, .events = cat_events };
	w = (struct tr_event_def *)tr_catalog__find(&cat, TR_EV_WRITE);
	/* the recorder's write carries its first bytes as "data" (catalog.def);
	 * a catalog without it gets it here */
	if (strcmp(w->args[w->nargs - 1].name, "data"))
		w->args[w->nargs++] = (struct tr_arg_def){ TR_T_BYTES, "[]byte", "data" };
	with_recording(body_magic, &r, &cat);
	assert_int_equal(count(&r, "magic_write"), 1);	/* not "hello", not into a pipe */
	assert_string_equal(sarg(find(&r, "magic_write", 0), "pathname"), "/tmp/.x");
	assert_string_equal(sarg(find(&r, "magic_write", 0), "bytes"), "f0VMRgIBAQ==");
	run_free(&r);
}


static void body_container(struct synth *s)
{
	struct synth_task c = sh;
	uint64_t t = 5000 * MS;
	struct synth_ev e;

	synth_event(s, 0, t++, &sh, "cgroup_mkdir", "cgroup_id", (uint64_t)777,
		    "cgroup_path", "/system.slice/docker-" DOCKER_ID ".scope", "hierarchy_id", 0, NULL);
	synth_event(s, 0, t++, &sh, "cgroup_mkdir", "cgroup_id", (uint64_t)778,
		    "cgroup_path", "/user.slice/user-1000.slice", "hierarchy_id", 0, NULL);
	synth_ev_build(&e, 0, t++, &c, "openat", "dirfd", -100, "pathname", "/etc/shadow", "@ret", (int64_t)3, NULL);
	e.ev.cgroup_id = 777;
	synth_ev_end(s, &e);
	synth_event(s, 0, t++, &sh, "cgroup_rmdir", "cgroup_id", (uint64_t)777,
		    "cgroup_path", "/system.slice/docker-" DOCKER_ID ".scope", "hierarchy_id", 0, NULL);
	/* a thread of sh, with its own start time */
	synth_fork(s, 0, t++, &sh, sh.pid, 301, 4242 * MS);
	c.tid = 301;
	synth_event(s, 0, t++, &c, "close", "fd", 3, NULL);
}

static void test_containers_and_threads(void **state)
{
	struct run r;
	json_t *ev;

	with_recording(body_container, &r, NULL);
	assert_int_equal(count(&r, "container_create"), 1);	/* the user slice is none */
	ev = find(&r, "container_create", 0);
	assert_string_equal(sarg(ev, "runtime"), "docker");
	assert_string_equal(sarg(ev, "container_id"), DOCKER_ID);
	assert_string_equal(json_string_value(json_object_get(find(&r, "openat", 0), "containerId")), DOCKER_ID);
	assert_string_equal(json_string_value(json_object_get(find(&r, "cgroup_mkdir", 0), "containerId")), "");
	assert_int_equal(count(&r, "container_remove"), 1);
	ev = find(&r, "close", 0);
	assert_int_equal(json_integer_value(json_object_get(ev, "threadStartTime")), SYNTH_BOOT_TO_WALL + 4242 * MS);
	assert_int_not_equal(json_integer_value(json_object_get(ev, "threadEntityId")),
			     json_integer_value(json_object_get(ev, "processEntityId")));
	run_free(&r);
}

static void test_container_layouts(void **state)
{
	static const struct { const char *path, *runtime, *pod; int leaf; } cases[] = {
		{ "/docker/" DOCKER_ID, "docker", "", 1 },
		{ "/system.slice/docker-" DOCKER_ID ".scope", "docker", "", 1 },
		{ "/system.slice/containerd.service/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice:cri-containerd:" DOCKER_ID,
		  NULL, NULL, 0 },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234abcd_5678_90ef_1234_567890abcdef.slice/cri-containerd-" DOCKER_ID ".scope",
		  "containerd", "1234abcd-5678-90ef-1234-567890abcdef", 1 },
		{ "/kubepods/besteffort/pod1234abcd-5678-90ef-1234-567890abcdef/" DOCKER_ID, "containerd",
		  "1234abcd-5678-90ef-1234-567890abcdef", 1 },
		{ "/kubepods.slice/kubepods-pod1234abcd_5678_90ef_1234_567890abcdef.slice/crio-" DOCKER_ID ".scope", "crio",
		  "1234abcd-5678-90ef-1234-567890abcdef", 1 },
		{ "/machine.slice/libpod-" DOCKER_ID ".scope/container", "podman", "", 0 },
		{ "/user.slice/user-1000.slice/session-3.scope", NULL, NULL, 0 },
		{ "/docker/" "3f4e1c0a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2", NULL, NULL, 0 },
		{ "/docker/" "3F4E1C0A9B8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F", NULL, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tr_container c;
		int got = tr_container__parse(cases[i].path, (uint32_t)strlen(cases[i].path), &c);

		if (!cases[i].runtime) {
			if (got)
				fail_msg("%s: a container %s", cases[i].path, c.id);
			continue;
		}
		if (!got)
			fail_msg("%s: no container", cases[i].path);
		assert_string_equal(c.id, DOCKER_ID);
		assert_string_equal(c.runtime, cases[i].runtime);
		assert_string_equal(c.pod_uid, cases[i].pod);
		assert_int_equal(c.leaf, cases[i].leaf);
	}
}

static void body_proc(struct synth *s)
{
	struct synth_task t2 = sh;
	uint64_t t = 5000 * MS;

	synth_event(s, 0, t++, &sh, "setuid", "uid", 0, "@ret", (int64_t)0, NULL);
	t2.comm = "kworker/0:1";
	synth_event(s, 0, t++, &t2, "prctl", "option", 15, "arg2", (uint64_t)0x1000, "@ret", (int64_t)0, NULL);
	synth_exit(s, 0, t++, &sh, 3 << 8, 1);
}


static void test_proctree_updates(void **state)
{
	struct run r;
	char *tmp = tmpdir_new(), dir[PATH_MAX], err[256];
	struct synth s;
	struct tr_replay *rp;
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = stderr };
	struct tr_sink sink = { 0 };
	const struct tr_proc_node *n;

	with_recording(body_proc, &r, NULL);
	assert_string_equal(sarg(find(&r, "sched_process_exit", 0), "exit_code"), "exit 3");
	assert_string_equal(sarg(find(&r, "prctl", 0), "option"), "PR_SET_NAME");
	run_free(&r);

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1000, sh.pid, 1, sh.start_ns, "sh", "/bin/sh", "/home/u", NULL);
	body_proc(&s);
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	assert_int_equal(tr_replay__open(&rp, dir, &o, err, sizeof(err)), 0);
	assert_int_equal(tr_replay__run(rp, &sink, err, sizeof(err)), 0);
	n = tr_proctree__find(tr_engine__tree(tr_replay__engine(rp)), sh.pid, sh.start_ns);
	assert_non_null(n);
	assert_int_equal(n->uid, 0);
	assert_string_equal(n->comm, "kworker/0:1");
	assert_true(n->exited);
	tr_replay__free(rp);
	synth_remove(tmp);
	free(tmp);
}

/* ---- state records (the snapshot's fds, cgroups, users) ---- */

static void state_append(struct synth *s, void *buf, size_t off, uint64_t ts)
{
	struct tr_rec_hdr *h = buf;

	h->cpu = TR_CPU_NONE;
	h->ts = ts;
	h->size = (uint32_t)off;
	synth_append(s, buf);
}

static void body_state(struct synth *s)
{
	uint8_t buf[1024], sa[16];
	uint64_t t = 5000 * MS;
	struct synth_ev e;
	size_t off;

	assert_int_equal(tr_state__begin(buf, sizeof(buf), TR_REC_FD, &off), 0);
	((struct tr_fd *)buf)->host_pid = sh.pid;
	((struct tr_fd *)buf)->start_ns = sh.start_ns / 10000000 * 10000000;
	((struct tr_fd *)buf)->fd = 3;
	((struct tr_fd *)buf)->kind = TR_FD_FILE;
	tr_state__put_bytes(buf, sizeof(buf), &off, TR_FD_ARG_PATH, "/home/u/secret", 14);
	state_append(s, buf, off, 1001);
	assert_int_equal(tr_state__begin(buf, sizeof(buf), TR_REC_FD, &off), 0);
	((struct tr_fd *)buf)->host_pid = sh.pid;
	((struct tr_fd *)buf)->start_ns = sh.start_ns / 10000000 * 10000000;
	((struct tr_fd *)buf)->fd = 4;
	((struct tr_fd *)buf)->kind = TR_FD_SOCKET;
	synth_sockaddr_in(sa, "10.9.8.7", 4444);
	tr_state__put_bytes(buf, sizeof(buf), &off, TR_FD_ARG_REMOTE, sa, 16);
	synth_sockaddr_in(sa, "10.0.0.1", 50000);
	tr_state__put_bytes(buf, sizeof(buf), &off, TR_FD_ARG_LOCAL, sa, 16);
	tr_state__put_u32(buf, sizeof(buf), &off, TR_FD_ARG_SOCK_TYPE, 1);
	state_append(s, buf, off, 1002);
	assert_int_equal(tr_state__begin(buf, sizeof(buf), TR_REC_CGROUP, &off), 0);
	((struct tr_cgroup *)buf)->cgroup_id = 900;
	tr_state__put_bytes(buf, sizeof(buf), &off, TR_CGROUP_ARG_PATH, "/docker/" DOCKER_ID, 8 + 64);
	state_append(s, buf, off, 1003);
	assert_int_equal(tr_state__begin(buf, sizeof(buf), TR_REC_USER, &off), 0);
	((struct tr_user *)buf)->id = 0;
	((struct tr_user *)buf)->kind = TR_USER_USER;
	tr_state__put_bytes(buf, sizeof(buf), &off, TR_USER_ARG_NAME, "root", 4);
	state_append(s, buf, off, 1004);
	synth_event(s, 0, t++, &sh, "write", "fd", 3, "@ret", (int64_t)5, NULL);
	synth_event(s, 0, t++, &sh, "dup2", "oldfd", 4, "newfd", 1, "@ret", (int64_t)1, NULL);
	synth_ev_build(&e, 0, t++, &sh, "close", "fd", 9, NULL);
	e.ev.cgroup_id = 900;
	synth_ev_end(s, &e);
}

static void test_state_records(void **state)
{
	struct run r;
	json_t *ev;

	with_recording(body_state, &r, NULL);
	assert_string_equal(sarg(find(&r, "write", 0), "fd"), "3=/home/u/secret");
	ev = find(&r, "socket_dup", 0);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(arg(ev, "remote_addr"), "sin_addr")), "10.9.8.7");
	assert_string_equal(json_string_value(json_object_get(find(&r, "close", 0), "containerId")), DOCKER_ID);
	run_free(&r);
}

/* ---- seeking through the time index, following ---- */

struct count_ctx {
	uint64_t since, until, n, frames_past;
};

static int count_window(void *ctx, const struct tr_event_view *v)
{
	struct count_ctx *c = ctx;

	if (v->kind == TR_VIEW_EVENT && v->def->id == TR_EV_OPENAT && v->ev->h.ts >= c->since &&
	    v->ev->h.ts <= c->until)
		c->n++;
	return 0;
}

static void replay_window(const char *dir, struct count_ctx *c, int seek)
{
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = stderr };
	struct tr_sink sink = { .event = count_window, .ctx = c };
	struct tr_replay *rp;
	char err[256];

	assert_int_equal(tr_replay__open(&rp, dir, &o, err, sizeof(err)), 0);
	if (seek)
		tr_replay__window(rp, c->since, c->until);
	assert_int_equal(tr_replay__run(rp, &sink, err, sizeof(err)), 0);
	c->frames_past = tr_replay__recording(rp)->stats.frames_sought_past;
	tr_replay__free(rp);
}

static void test_time_window_seek(void **state)
{
	char *tmp = tmpdir_new(), dir[PATH_MAX], tix[PATH_MAX + 32];
	struct count_ctx full = { .since = 50000 * MS, .until = 50999 * MS };
	struct count_ctx seek = full;
	struct synth s;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	assert_int_equal(synth_open(&s, dir, 0), 0);
	synth_proc(&s, 1000, sh.pid, 1, sh.start_ns, "sh", "/bin/sh", "/home/u", NULL);
	synth_flush(&s);
	for (int f = 0; f < 100; f++) {	/* a frame a second, 10 opens each */
		for (int k = 0; k < 10; k++)
			synth_openat(&s, (uint16_t)(k % 2), (uint64_t)f * 1000 * MS + (uint64_t)k * MS, &sh, "/etc/x", 3);
		synth_watermark(&s, (uint64_t)f * 1000 * MS + 999 * MS);
		synth_flush(&s);
		if (f == 60)
			synth_rotate(&s);
	}
	assert_int_equal(synth_close(&s, TR_STATE_COMPLETE, 1), 0);
	snprintf(tix, sizeof(tix), "%s/events/seg-000000.tix", dir);
	assert_int_equal(access(tix, F_OK), 0);	/* the writer wrote the index */
	replay_window(dir, &full, 0);
	replay_window(dir, &seek, 1);
	assert_int_equal(full.n, 10);
	assert_int_equal(seek.n, full.n);	/* the same events in the window */
	assert_int_equal(full.frames_past, 0);
	assert_true(seek.frames_past >= 95);	/* the others were never decompressed */
	/* a damaged index is ignored: everything is read */
	{
		FILE *f = fopen(tix, "r+");

		assert_non_null(f);
		fseek(f, 20, SEEK_SET);
		fputc('X', f);
		fclose(f);
	}
	seek.n = 0;
	replay_window(dir, &seek, 1);
	assert_int_equal(seek.n, 10);
	assert_true(seek.frames_past < 95);
	synth_remove(tmp);
	free(tmp);
}

static int count_all(void *ctx, const struct tr_event_view *v)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static void test_follow(void **state)
{
	char *tmp = tmpdir_new(), dir[PATH_MAX], man[PATH_MAX + 32];
	struct tr_replay_opts o = { .prog = "tracee-replay", .diag = stderr, .follow = 1 };
	uint64_t n = 0;
	struct tr_sink sink = { .event = count_all, .ctx = &n };
	struct tr_replay *rp;
	char err[256];
	int status;
	pid_t child;

	snprintf(dir, sizeof(dir), "%s/rec", tmp);
	snprintf(man, sizeof(man), "%s/manifest.json", dir);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {	/* the writer: three rounds, a rotation, then finalised */
		struct synth s;
		uint64_t t = 5000 * MS;

		free(tmp);	/* the parent's; valgrind follows the child too */
		if (synth_open(&s, dir, 0) || synth_write_manifest(&s, TR_STATE_RECORDING))
			_exit(1);
		synth_proc(&s, 1000, sh.pid, 1, sh.start_ns, "sh", "/bin/sh", "/home/u", NULL);
		for (int round = 0; round < 3; round++) {
			for (int k = 0; k < 20; k++, t += MS)
				synth_openat(&s, 0, t, &sh, "/etc/x", 3);
			synth_watermark(&s, t);
			synth_flush(&s);
			if (round == 1)
				synth_rotate(&s);
			usleep(150 * 1000);
		}
		_exit(synth_close(&s, TR_STATE_COMPLETE, 1) ? 1 : 0);
	}
	for (int i = 0; i < 2000 && access(man, F_OK); i++)	/* slow under valgrind */
		usleep(10 * 1000);
	assert_int_equal(tr_replay__open(&rp, dir, &o, err, sizeof(err)), 0);
	assert_int_equal(tr_replay__run(rp, &sink, err, sizeof(err)), 0);
	tr_replay__free(rp);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(n, 60);	/* every event, once, and the run ended by itself */
	synth_remove(tmp);
	free(tmp);
}

/* ---- DNS answers (pcaps) ---- */

struct dns_seen {
	char name[256];
	uint8_t family, addr[16];
	int n;
};

static void on_dns(void *ctx, const char *name, uint8_t family, const uint8_t *addr)
{
	struct dns_seen *d = ctx;

	snprintf(d->name, sizeof(d->name), "%s", name);
	d->family = family;
	memcpy(d->addr, addr, family == 4 ? 4 : 16);
	d->n++;
}

static void test_dns_answers(void **state)
{
	/* c2.evil.example A 10.1.2.3, the answer's name compressed */
	static const uint8_t resp[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		2, 'c', '2', 4, 'e', 'v', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3,
	};
	uint8_t bad[sizeof(resp)];
	struct dns_seen d = { 0 };

	assert_int_equal(tr_dns__answers(resp, sizeof(resp), on_dns, &d), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.name, "c2.evil.example");
	assert_int_equal(d.family, 4);
	assert_memory_equal(d.addr, "\x0a\x01\x02\x03", 4);
	/* a query is no answer; a pointer loop and a cut message are rejected */
	memcpy(bad, resp, sizeof(bad));
	bad[2] = 0x01;
	d.n = 0;
	assert_int_equal(tr_dns__answers(bad, sizeof(bad), on_dns, &d), -EBADMSG);
	memcpy(bad, resp, sizeof(bad));
	bad[34] = 0x21;	/* the answer's name points at itself */
	assert_int_equal(tr_dns__answers(bad, sizeof(bad), on_dns, &d), -EBADMSG);
	assert_int_equal(tr_dns__answers(resp, sizeof(resp) - 2, on_dns, &d), -EBADMSG);
	assert_int_equal(d.n, 0);
}

static void test_derive_table(void **state)
{
	const struct tr_catalog *b = tr_catalog__builtin();
	const char *const *src;
	const char *name;
	size_t i;

	/* every row names a derived catalog event made from recorded ones */
	for (i = 0; (name = tr_derive__row(i, &src)); i++) {
		const struct tr_event_def *d = NULL;

		for (size_t k = 0; k < b->n; k++)
			if (!strcmp(b->events[k].name, name))
				d = &b->events[k];
		assert_non_null(d);
		assert_true(d->sets & TR_SET_DERIVED);
		for (size_t k = 0; k < 8 && src[k]; k++)
			assert_non_null(synth_def(src[k]));
	}
	assert_true(i >= 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synth_event_and_keys),
		cmocka_unit_test(test_fd_tables),
		cmocka_unit_test(test_derived_files),
		cmocka_unit_test(test_derived_sockets),
		cmocka_unit_test(test_derived_mem_prot),
		cmocka_unit_test(test_derived_magic_write),
		cmocka_unit_test(test_containers_and_threads),
		cmocka_unit_test(test_container_layouts),
		cmocka_unit_test(test_proctree_updates),
		cmocka_unit_test(test_derive_table),
		cmocka_unit_test(test_dns_answers),
		cmocka_unit_test(test_state_records),
		cmocka_unit_test(test_time_window_seek),
		cmocka_unit_test(test_follow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
