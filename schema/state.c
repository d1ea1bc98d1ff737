// SPDX-License-Identifier: MIT
/* state.c: the table of state record kinds (schema/state.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "state.h"

__attribute__((format(printf, 3, 4)))
static const char *tr_why(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* The checks of each kind's fixed part. */

static const char *check_clock(const void *rec, char *buf, size_t len)
{
	const struct tr_clock *c = rec;

	if (!c->reason || c->reason > TR_CLOCK_REASON_MAX)
		return tr_why(buf, len, "offset %zu: clock reason %u unknown", offsetof(struct tr_clock, reason), c->reason);
	if (c->flags || c->reserved)
		return tr_why(buf, len, "offset %zu: reserved fields not zero", offsetof(struct tr_clock, flags));
	return NULL;
}

static const char *check_fd(const void *rec, char *buf, size_t len)
{
	const struct tr_fd *f = rec;

	if (!f->kind || f->kind > TR_FD_KIND_MAX)
		return tr_why(buf, len, "offset %zu: fd kind %u unknown", offsetof(struct tr_fd, kind), f->kind);
	if (f->flags & ~TR_FDF_KNOWN)
		return tr_why(buf, len, "offset %zu: reserved fd flags set (0x%04x)", offsetof(struct tr_fd, flags), f->flags);
	if (f->reserved || f->reserved2)
		return tr_why(buf, len, "offset %zu: reserved fields not zero", offsetof(struct tr_fd, reserved));
	if (f->fd < 0)
		return tr_why(buf, len, "offset %zu: fd %d is negative", offsetof(struct tr_fd, fd), f->fd);
	return NULL;
}

static const char *check_cgroup(const void *rec, char *buf, size_t len)
{
	const struct tr_cgroup *c = rec;

	if (c->reserved)
		return tr_why(buf, len, "offset %zu: reserved field not zero", offsetof(struct tr_cgroup, reserved));
	return NULL;
}

static const char *check_mount(const void *rec, char *buf, size_t len)
{
	const struct tr_mount *m = rec;

	if (m->reserved || m->reserved2)
		return tr_why(buf, len, "offset %zu: reserved fields not zero", offsetof(struct tr_mount, reserved));
	return NULL;
}

static const char *check_user(const void *rec, char *buf, size_t len)
{
	const struct tr_user *u = rec;

	if (!u->kind || u->kind > TR_USER_KIND_MAX)
		return tr_why(buf, len, "offset %zu: user kind %u unknown", offsetof(struct tr_user, kind), u->kind);
	return NULL;
}

static const char *check_netif(const void *rec, char *buf, size_t len)
{
	const struct tr_netif *n = rec;

	if (n->reserved || n->reserved2)
		return tr_why(buf, len, "offset %zu: reserved fields not zero", offsetof(struct tr_netif, reserved));
	return NULL;
}

static const char *check_host(const void *rec, char *buf, size_t len)
{
	const struct tr_host *h = rec;

	if (h->reserved || h->reserved2)
		return tr_why(buf, len, "offset %zu: reserved fields not zero", offsetof(struct tr_host, reserved));
	return NULL;
}

static const char *check_checkpoint(const void *rec, char *buf, size_t len)
{
	const struct tr_checkpoint *c = rec;

	if (!c->phase || c->phase > TR_CHECKPOINT_PHASE_MAX)
		return tr_why(buf, len, "offset %zu: checkpoint phase %u unknown",
			      offsetof(struct tr_checkpoint, phase), c->phase);
	if (!c->reason || c->reason > TR_CHECKPOINT_REASON_MAX)
		return tr_why(buf, len, "offset %zu: checkpoint reason %u unknown",
			      offsetof(struct tr_checkpoint, reason), c->reason);
	if (c->phase == TR_CHECKPOINT_BEGIN && c->records)
		return tr_why(buf, len, "offset %zu: a checkpoint begin counts %u records",
			      offsetof(struct tr_checkpoint, records), c->records);
	return NULL;
}

/* Argument tables. */

static const uint8_t fd_wires[TR_FD_ARG_NARGS] = {
	[TR_FD_ARG_PATH] = TR_T_STR,
	[TR_FD_ARG_LOCAL] = TR_T_SOCKADDR,
	[TR_FD_ARG_REMOTE] = TR_T_SOCKADDR,
	[TR_FD_ARG_SOCK_TYPE] = TR_T_UINT32,
	[TR_FD_ARG_PROTOCOL] = TR_T_UINT32,
	[TR_FD_ARG_SOCK_STATE] = TR_T_UINT32,
	[TR_FD_ARG_NET_NS] = TR_T_UINT32,
};
static const char *const fd_names[TR_FD_ARG_NARGS] = {
	"path", "local", "remote", "sock_type", "protocol", "sock_state", "net_ns",
};

static const uint8_t cgroup_wires[TR_CGROUP_ARG_NARGS] = { [TR_CGROUP_ARG_PATH] = TR_T_STR };
static const char *const cgroup_names[TR_CGROUP_ARG_NARGS] = { "path" };

static const uint8_t mount_wires[TR_MOUNT_ARG_NARGS] = {
	TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR,
};
static const char *const mount_names[TR_MOUNT_ARG_NARGS] = {
	"root", "mount_point", "options", "optional", "fstype", "source", "super_options",
};

static const uint8_t user_wires[TR_USER_ARG_NARGS] = {
	[TR_USER_ARG_NAME] = TR_T_STR,
	[TR_USER_ARG_GECOS] = TR_T_STR,
	[TR_USER_ARG_HOME] = TR_T_STR,
	[TR_USER_ARG_SHELL] = TR_T_STR,
	[TR_USER_ARG_MEMBERS] = TR_T_STR_ARRAY,
};
static const char *const user_names[TR_USER_ARG_NARGS] = { "name", "gecos", "home", "shell", "members" };

static const char *check_netif_args(const struct tr_arg_val *a, char *buf, size_t len)
{
	const struct tr_arg_val *addrs = &a[TR_NETIF_ARG_ADDRS];
	struct tr_netif_addr x;

	if (!addrs->present)
		return NULL;
	if (addrs->b.len % sizeof(x))
		return tr_why(buf, len, "addresses of %u bytes, not a multiple of %zu", addrs->b.len, sizeof(x));
	for (size_t i = 0; !tr_netif__addr(addrs, i, &x); i++)
		if (x.reserved || (x.family != 2 && x.family != 10))
			return tr_why(buf, len, "address %zu: family %u, reserved 0x%02x", i, x.family, x.reserved);
	return NULL;
}

static const uint8_t netif_wires[TR_NETIF_ARG_NARGS] = {
	[TR_NETIF_ARG_NAME] = TR_T_STR,
	[TR_NETIF_ARG_HWADDR] = TR_T_BYTES,
	[TR_NETIF_ARG_ADDRS] = TR_T_BYTES,
};
static const char *const netif_names[TR_NETIF_ARG_NARGS] = { "name", "hwaddr", "addrs" };

static const uint8_t host_wires[TR_HOST_ARG_NARGS] = {
	TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR, TR_T_STR,
	[TR_HOST_ARG_OS_RELEASE] = TR_T_STR_ARRAY,
};
static const char *const host_names[TR_HOST_ARG_NARGS] = {
	"hostname", "kernel_release", "kernel_version", "machine", "boot_id", "machine_id", "os_release",
};

#define F(type, f, sgn) { #f, offsetof(struct type, f), sizeof(((struct type *)0)->f), sgn }

static const struct tr_state_field clock_fields[] = {
	F(tr_clock, boot_to_wall_ns, 1),
	F(tr_clock, uncertainty_ns, 0),
	F(tr_clock, reason, 0),
	F(tr_clock, flags, 0),
	F(tr_clock, reserved, 0),
};
static const struct tr_state_field fd_fields[] = {
	F(tr_fd, host_pid, 0),
	F(tr_fd, fd, 1),
	F(tr_fd, start_ns, 0),
	F(tr_fd, ino, 0),
	F(tr_fd, dev_major, 0),
	F(tr_fd, dev_minor, 0),
	F(tr_fd, pos, 0),
	F(tr_fd, open_flags, 0),
	F(tr_fd, mode, 0),
	F(tr_fd, mnt_id, 0),
	F(tr_fd, kind, 0),
	F(tr_fd, flags, 0),
	F(tr_fd, nargs, 0),
	F(tr_fd, reserved, 0),
	F(tr_fd, reserved2, 0),
};
static const struct tr_state_field cgroup_fields[] = {
	F(tr_cgroup, cgroup_id, 0),
	F(tr_cgroup, level, 0),
	F(tr_cgroup, nargs, 0),
	F(tr_cgroup, reserved, 0),
};
static const struct tr_state_field mount_fields[] = {
	F(tr_mount, mnt_ns, 0),
	F(tr_mount, host_pid, 0),
	F(tr_mount, mount_id, 0),
	F(tr_mount, parent_id, 0),
	F(tr_mount, dev_major, 0),
	F(tr_mount, dev_minor, 0),
	F(tr_mount, nargs, 0),
	F(tr_mount, reserved, 0),
	F(tr_mount, reserved2, 0),
};
static const struct tr_state_field user_fields[] = {
	F(tr_user, id, 0),
	F(tr_user, gid, 0),
	F(tr_user, mnt_ns, 0),
	F(tr_user, kind, 0),
	F(tr_user, nargs, 0),
};
static const struct tr_state_field netif_fields[] = {
	F(tr_netif, ifindex, 0),
	F(tr_netif, if_flags, 0),
	F(tr_netif, net_ns, 0),
	F(tr_netif, mtu, 0),
	F(tr_netif, nargs, 0),
	F(tr_netif, reserved, 0),
	F(tr_netif, reserved2, 0),
};
static const struct tr_state_field host_fields[] = {
	F(tr_host, cpu_count, 0),
	F(tr_host, clk_tck, 0),
	F(tr_host, nargs, 0),
	F(tr_host, reserved, 0),
	F(tr_host, reserved2, 0),
};
static const struct tr_state_field checkpoint_fields[] = {
	F(tr_checkpoint, id, 0),
	F(tr_checkpoint, segment, 0),
	F(tr_checkpoint, phase, 0),
	F(tr_checkpoint, reason, 0),
	F(tr_checkpoint, records, 0),
};

#define FIELDS(k) .fields = k##_fields, .nfields = sizeof(k##_fields) / sizeof(k##_fields[0])

#define ARGS(type, w, n) .head = sizeof(struct type), .nargs_off = offsetof(struct type, nargs), \
	.nwires = sizeof(w), .wires = w, .arg_names = n

static const struct tr_state_def tr_state_defs[] = {
	{ TR_REC_CLOCK, "clock", FIELDS(clock), .head = sizeof(struct tr_clock), .exact = true, .check = check_clock },
	{ TR_REC_FD, "fd", FIELDS(fd), ARGS(tr_fd, fd_wires, fd_names), .check = check_fd },
	{ TR_REC_CGROUP, "cgroup", FIELDS(cgroup), ARGS(tr_cgroup, cgroup_wires, cgroup_names), .check = check_cgroup },
	{ TR_REC_MOUNT, "mount", FIELDS(mount), ARGS(tr_mount, mount_wires, mount_names), .check = check_mount },
	{ TR_REC_USER, "user", FIELDS(user), ARGS(tr_user, user_wires, user_names), .check = check_user },
	{ TR_REC_NETIF, "netif", FIELDS(netif), ARGS(tr_netif, netif_wires, netif_names), .check = check_netif,
	  .check_args = check_netif_args },
	{ TR_REC_HOST, "host", FIELDS(host), ARGS(tr_host, host_wires, host_names), .check = check_host },
	{ TR_REC_CHECKPOINT, "checkpoint", FIELDS(checkpoint), .head = sizeof(struct tr_checkpoint), .exact = true,
	  .check = check_checkpoint },
};

_Static_assert(sizeof(tr_state_defs) / sizeof(tr_state_defs[0]) == TR_REC_CHECKPOINT - TR_REC_CLOCK + 1,
	       "one definition per state kind");

const struct tr_state_def *tr_state__def(uint16_t kind)
{
	if (kind < TR_REC_CLOCK || kind > TR_REC_CHECKPOINT)
		return NULL;
	return &tr_state_defs[kind - TR_REC_CLOCK];
}

bool tr_state__is_state(uint16_t kind)
{
	return kind == TR_REC_PROC || tr_state__def(kind);
}

int tr_state__args(const struct tr_rec_hdr *rec, struct tr_arg_val out[TR_MAX_ARGS], char *err, size_t errlen)
{
	const struct tr_state_def *d = tr_state__def(rec->kind);
	char why[160];
	const char *problem;
	uint16_t nargs;
	int rc;

	memset(out, 0, sizeof(*out) * TR_MAX_ARGS);
	if (!d) {
		if (err && errlen)
			snprintf(err, errlen, "offset 0: record kind %u is not a state kind", rec->kind);
		return -ENOENT;
	}
	if (rec->size < d->head || (d->exact && rec->size != d->head)) {
		if (err && errlen)
			snprintf(err, errlen, "offset %zu: %s record of %u bytes, its head is %u%s",
				 offsetof(struct tr_rec_hdr, size), d->name, rec->size, d->head,
				 d->exact ? " and it has no arguments" : "");
		return -EBADMSG;
	}
	problem = d->check ? d->check(rec, why, sizeof(why)) : NULL;
	if (problem) {
		if (err && errlen)
			snprintf(err, errlen, "%s record: %s", d->name, problem);
		return -EBADMSG;
	}
	if (d->exact)
		return 0;
	memcpy(&nargs, (const uint8_t *)rec + d->nargs_off, sizeof(nargs));
	rc = tr_args__decode_at(d->wires, d->nwires, (const uint8_t *)rec + d->head, rec->size - d->head,
				nargs, out, d->head, err, errlen);
	if (rc) {
		memset(out, 0, sizeof(*out) * TR_MAX_ARGS); /* nothing half-decoded */
		return rc;
	}
	problem = d->check_args ? d->check_args(out, why, sizeof(why)) : NULL;
	if (problem) {
		if (err && errlen)
			snprintf(err, errlen, "%s record: %s", d->name, problem);
		memset(out, 0, sizeof(*out) * TR_MAX_ARGS);
		return -EBADMSG;
	}
	return 0;
}

static const char *const tr_kind_names[] = {
	[TR_REC_EVENT] = "event",
	[TR_REC_RETVAL] = "retval",
	[TR_REC_PROC] = "proc",
	[TR_REC_GAP] = "gap",
	[TR_REC_WATERMARK] = "watermark",
};

const char *tr_rec_kind__name(uint16_t kind)
{
	const struct tr_state_def *d = tr_state__def(kind);

	if (d)
		return d->name;
	return kind < sizeof(tr_kind_names) / sizeof(tr_kind_names[0]) ? tr_kind_names[kind] : NULL;
}

const char *tr_fd_kind__name(uint16_t kind)
{
	static const char *const names[TR_FD_KIND_MAX + 1] = {
		[TR_FD_FILE] = "file", [TR_FD_DIR] = "dir", [TR_FD_CHR] = "chr", [TR_FD_BLK] = "blk",
		[TR_FD_FIFO] = "fifo", [TR_FD_PIPE] = "pipe", [TR_FD_SOCKET] = "socket",
		[TR_FD_ANON] = "anon", [TR_FD_MEMFD] = "memfd", [TR_FD_OTHER] = "other",
	};

	return kind && kind <= TR_FD_KIND_MAX ? names[kind] : "?";
}

int tr_netif__addr(const struct tr_arg_val *addrs, size_t i, struct tr_netif_addr *out)
{
	if (!addrs->present || addrs->b.len % sizeof(*out) || i >= addrs->b.len / sizeof(*out))
		return -EBADMSG;
	memcpy(out, addrs->b.p + i * sizeof(*out), sizeof(*out));
	return 0;
}

/* ---- writing ---- */

int tr_state__begin(void *buf, size_t cap, uint16_t kind, size_t *off)
{
	const struct tr_state_def *d = tr_state__def(kind);

	if (!d)
		return -EINVAL;
	if (cap < d->head)
		return -ENOSPC;
	memset(buf, 0, d->head);
	((struct tr_rec_hdr *)buf)->kind = kind;
	*off = d->head;
	return 0;
}

/* The definition of buf's kind if it has argument idx of wire type wire. */
static const struct tr_state_def *tr_put_def(const void *buf, uint8_t idx, uint8_t wire)
{
	uint16_t kind;
	const struct tr_state_def *d;

	memcpy(&kind, buf, sizeof(kind));
	d = tr_state__def(kind);
	if (!d || d->exact || idx >= d->nwires || d->wires[idx] != wire)
		return NULL;
	return d;
}

static void tr_count(void *buf, const struct tr_state_def *d)
{
	uint16_t n;

	memcpy(&n, (uint8_t *)buf + d->nargs_off, sizeof(n));
	n++;
	memcpy((uint8_t *)buf + d->nargs_off, &n, sizeof(n));
}

int tr_state__put_u32(void *buf, size_t cap, size_t *off, uint8_t idx, uint32_t v)
{
	const struct tr_state_def *d = tr_put_def(buf, idx, TR_T_UINT32);
	int err;

	if (!d)
		return -EINVAL;
	err = tr_arg__put_u32(buf, cap, off, idx, v);
	if (!err)
		tr_count(buf, d);
	return err;
}

int tr_state__put_u64(void *buf, size_t cap, size_t *off, uint8_t idx, uint64_t v)
{
	const struct tr_state_def *d = tr_put_def(buf, idx, TR_T_UINT64);
	int err;

	if (!d)
		return -EINVAL;
	err = tr_arg__put_u64(buf, cap, off, idx, v);
	if (!err)
		tr_count(buf, d);
	return err;
}

int tr_state__put_bytes(void *buf, size_t cap, size_t *off, uint8_t idx, const void *p, uint32_t len)
{
	uint16_t kind;
	const struct tr_state_def *d;
	int err;

	memcpy(&kind, buf, sizeof(kind));
	d = tr_state__def(kind);
	if (!d || d->exact || idx >= d->nwires)
		return -EINVAL;
	switch (d->wires[idx]) {
	case TR_T_STR:
	case TR_T_STR_ARRAY:
	case TR_T_BYTES:
	case TR_T_SOCKADDR:
		break;
	default:
		return -EINVAL;
	}
	if ((d->wires[idx] == TR_T_STR && len > TR_STR_MAX) ||
	    (d->wires[idx] == TR_T_SOCKADDR && len > TR_SOCKADDR_MAX))
		return -E2BIG;
	err = tr_arg__put_bytes(buf, cap, off, idx, p, len);
	if (!err)
		tr_count(buf, d);
	return err;
}
