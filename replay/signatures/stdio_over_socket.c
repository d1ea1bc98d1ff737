// SPDX-License-Identifier: MIT
/*
 * stdio_over_socket.c: TRC-101 stdio_over_socket, a process whose standard
 * input, output or error is a connected internet socket: a reverse shell.
 *
 * Tracee's TRC-101 fires on socket_dup (a dup of an inet socket onto fd
 * 0, 1 or 2) and on security_socket_connect of fd 0, 1 or 2. Both come from
 * the replay derive stage. From raw syscalls we do the same cheaply: a
 * connect (successful or in progress) remembers (process, fd) -> address,
 * and a dup2/dup3 of such an fd onto 0-2 fires; a connect of fd 0-2 fires
 * at once. fds are per process (thread group); an exec keeps them. The
 * table is a hash of (process, fd) -> address, where a process is its pid
 * and start time (so a reused pid finds nothing of the old one's); a later
 * connect on the same fd replaces the entry. An fd closed and reused for
 * something else before a dup2 is not seen (close is not selected: it is
 * among the commonest events), an accepted imprecision.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "builtin.h"
#include "catalog.h"
#include "sigutil.h"

#define CONN_SLOTS 8192	/* remembered connected fds (a power of 2) */
#define CONN_PROBE 8		/* slots looked at per key; the last is replaced when all are taken */

struct conn {
	uint32_t pid;
	int32_t fd;
	uint64_t start;		/* the process's start time: 0 marks a free slot with pid 0 */
	struct tr_sa sa;
};

struct state {
	struct conn c[CONN_SLOTS];
};

static int init(void **st)
{
	*st = calloc(1, sizeof(struct state));
	return *st ? 0 : -ENOMEM;
}

static void fini(void *st)
{
	free(st);
}

static int inet(const struct tr_sa *sa)
{
	return (sa->family == AF_INET || sa->family == AF_INET6) && sa->port;
}

static int report(struct tr_sig_ctx *ctx, const struct tr_event_view *v, int32_t fd, const struct tr_sa *sa)
{
	struct tr_kv data[3] = {
		TR_KV_I64("fd", fd),
		TR_KV_CSTR("remote_ip", sa->addr),
		TR_KV_I64("remote_port", sa->port),
	};

	return tr_sig__report(ctx, v, NULL, data, 3);
}

static size_t slot(uint32_t pid, int32_t fd, uint64_t start)
{
	uint64_t h = ((uint64_t)pid << 32 | (uint32_t)fd) ^ start;

	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 40) & (CONN_SLOTS - 1);
}

/* The entry of (pid, start, fd); with make, a slot for it (free, or the
 * last probed). */
static struct conn *find(struct state *s, uint32_t pid, uint64_t start, int32_t fd, int make)
{
	size_t h = slot(pid, fd, start);
	struct conn *c = NULL;

	for (size_t i = 0; i < CONN_PROBE; i++) {
		c = &s->c[(h + i) & (CONN_SLOTS - 1)];
		if (c->pid == pid && c->fd == fd && c->start == start && (c->pid || c->start))
			return c;
		if (make && !c->pid && !c->start)
			return c;
	}
	return make ? c : NULL;
}

static int on_event(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	struct state *s = tr_sig__state(ctx);
	uint32_t pid = v->ev->host_pid;
	uint64_t start = v->proc ? v->proc->start_ns : v->ev->start_ns;
	struct tr_sa sa;
	struct conn *c;
	int32_t fd;

	switch (v->def->id) {
	case TR_EV_SOCKET_DUP: {
		int32_t newfd = (int32_t)tr_view__i64(v, "newfd", -1);

		if (newfd < 0 || newfd > 2 || !tr_sigu__sockaddr(v, "remote_addr", &sa) || !inet(&sa))
			return 0;
		return report(ctx, v, newfd, &sa);
	}
	case TR_EV_DUP2:
	case TR_EV_DUP3: {
		int32_t oldfd = (int32_t)tr_view__i64(v, "oldfd", -1), newfd = (int32_t)tr_view__i64(v, "newfd", -1);

		if (v->ev->retval < 0 || newfd < 0 || newfd > 2 || !(c = find(s, pid, start, oldfd, 0)))
			return 0;
		return report(ctx, v, newfd, &c->sa);
	}
	default:
		if (!tr_sigu__connect(v, &sa, &fd) || !inet(&sa))
			return 0;
		if (fd >= 0 && fd <= 2)
			return report(ctx, v, fd, &sa);
		c = find(s, pid, start, fd, 1);
		*c = (struct conn){ .pid = pid, .fd = fd, .start = start, .sa = sa };
		return 0;
	}
}

const struct tr_signature tr_sig_stdio_over_socket = {
	.id = "TRC-101",
	.event_id = 6101,
	.name = "stdio_over_socket",
	.description = "A process's standard input, output or error was redirected to a connected internet "
		       "socket: the shape of a reverse shell",
	.severity = TR_SEV_HIGH,
	.origin = TR_ORIGIN_ANY,
	.mitre_id = "T1059",
	.mitre_name = "Command and Scripting Interpreter",
	.category = "execution",
	TR_SIG_TAGS("execution", "network", "reverse-shell"),
	TR_SIG_EVENTS("socket_dup", "security_socket_connect", "connect", "dup2", "dup3"),
	TR_SIG_ARGS({ "socket_dup", "newfd", TR_WIRES_INT },
		    { "socket_dup", "remote_addr", TR_WIRE_BIT(TR_T_SOCKADDR) },
		    { "security_socket_connect", "sockfd", TR_WIRES_INT },
		    { "security_socket_connect", "remote_addr", TR_WIRE_BIT(TR_T_SOCKADDR) },
		    { "connect", "sockfd", TR_WIRES_INT },
		    { "connect", "addr", TR_WIRE_BIT(TR_T_SOCKADDR) },
		    { "dup2", "oldfd", TR_WIRES_INT }, { "dup2", "newfd", TR_WIRES_INT },
		    { "dup3", "oldfd", TR_WIRES_INT }, { "dup3", "newfd", TR_WIRES_INT }),
	.init = init,
	.fini = fini,
	.on_event = on_event,
};
