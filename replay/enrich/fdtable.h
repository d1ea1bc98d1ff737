/* SPDX-License-Identifier: MIT */
/*
 * fdtable.h: per-process file descriptor tables rebuilt during replay, and
 * the containers recognised from cgroup paths.
 *
 * A table follows open/creat/openat/openat2, dup/dup2/dup3/fcntl(F_DUPFD*),
 * close, socket/connect/bind/accept, pipe/pipe2, memfd_create, fork (a copy)
 * and exec (close-on-exec descriptors go). What a descriptor refers to is
 * what the recording says: an absolute path (made from cwd and dirfd), a
 * socket with its family, type and addresses, a pipe or a memfd.
 */
#ifndef TR_FDTABLE_H
#define TR_FDTABLE_H

#include <stdint.h>

#include "proctree.h"

enum tr_fdent_kind {
	TR_FDE_FILE = 1,		/* path known when path.p */
	TR_FDE_SOCKET = 2,
	TR_FDE_PIPE = 3,
	TR_FDE_MEMFD = 4,
	TR_FDE_OTHER = 5,	/* open, of unknown kind (snapshot, fcntl on unknown) */
};

struct tr_fdent {
	uint8_t kind;		/* enum tr_fdent_kind; 0: slot unused */
	uint8_t cloexec;
	uint16_t family;	/* sockets: AF_* */
	int32_t socktype;	/* sockets: SOCK_* without flags */
	struct tr_bytes path;	/* files: absolute path; memfd: "memfd:NAME"; pipe: "pipe:[N]" */
	struct tr_bytes local;	/* sockets: sockaddr bound/accepted on */
	struct tr_bytes peer;	/* sockets: sockaddr connected/accepted from */
};

/* A container recognised from a cgroup path. */
struct tr_container {
	char id[65];		/* 64 hex digits */
	const char *runtime;	/* "docker", "containerd", "crio", "podman", "" */
	char pod_uid[40];	/* kubepods: the pod's uid, "" otherwise */
	uint64_t first_ns;	/* boot ns it was first seen */
	uint8_t removed;
	uint8_t leaf;		/* the id is the path's last component (the container's own cgroup) */
};

/* Recognise a container id in cgroup path[0..len): 1 with c filled, or 0.
 * Layouts: docker (/docker/ID, docker-ID.scope), containerd
 * (cri-containerd-ID.scope, /kubepods/.../ID), cri-o (crio-ID.scope),
 * podman (libpod-ID.scope), kubepods (systemd and cgroupfs drivers). */
int tr_container__parse(const char *path, uint32_t len, struct tr_container *c);

#endif /* TR_FDTABLE_H */
