/* SPDX-License-Identifier: MIT */
/*
 * enrich.h: the enrichment stage. State rebuilt from the recording alone
 * (process tree, fd tables, cwd, thread start times, containers), read by
 * the derive stage, the output and signatures through the event view.
 *
 * For each event, tr_enrich__event first fills the view with what the
 * event refers to as of just before it (the absolute forms of its path
 * arguments, what its fds are, the container, the thread's start time),
 * then applies the event's effect on the state. Path arguments of every
 * syscall go through one resolver (tr_enrich__resolve): an absolute path
 * is collapsed; a relative one is taken against the dirfd's path for the
 * *at syscalls, or the cwd for AT_FDCWD and the others.
 */
#ifndef TR_ENRICH_H
#define TR_ENRICH_H

#include <stddef.h>
#include <stdint.h>

#include "fdtable.h"
#include "netflow.h"
#include "proctree.h"
#include "view.h"

#define TR_AT_FDCWD (-100)

struct tr_enrich;

int tr_enrich__new(struct tr_enrich **out, struct tr_proctree *tree, const struct tr_catalog *catalog);
void tr_enrich__free(struct tr_enrich *en);

/* A snapshot process record was applied to node n (its cgroup path is
 * known: containers). 0 or -ENOMEM. */
int tr_enrich__snapshot(struct tr_enrich *en, struct tr_proc_node *n);
/* A state record (FD, CGROUP, USER: schema/state.h), decoded: the
 * snapshot's and checkpoints' fd tables, cgroup paths and user names.
 * 0 or -ENOMEM. */
int tr_enrich__state(struct tr_enrich *en, const struct tr_rec_hdr *rec, const struct tr_arg_val *args);
/* The name of uid from the recording's USER records, or NULL. */
const char *tr_enrich__user(const struct tr_enrich *en, uint32_t uid);
/* Enrich v (an event of n's, decoded, v->info set), then apply it. 0 or
 * -ENOMEM. */
int tr_enrich__event(struct tr_enrich *en, struct tr_event_view *v, struct tr_proc_node *n);

/* path[0..len) as n would resolve it at ts relative to dirfd (AT_FDCWD or
 * no dirfd: the cwd), into out[cap]: its length, or -EINVAL when it cannot
 * be known, -ENAMETOOLONG. */
int tr_enrich__resolve(const struct tr_enrich *en, const struct tr_proc_node *n, uint64_t ts, int have_dirfd,
		       int64_t dirfd, const void *path, uint32_t len, char *out, size_t cap);
/* The entry of fd in n's table, or NULL. */
const struct tr_fdent *tr_enrich__fd(const struct tr_enrich *en, const struct tr_proc_node *n, int64_t fd);
/* The DNS answers and flows of the recording's pcaps (taken over; NULL:
 * none), and back. */
void tr_enrich__set_net(struct tr_enrich *en, struct tr_net *net);
struct tr_net *tr_enrich__net(const struct tr_enrich *en);
/* The container of a cgroup id, or NULL. */
const struct tr_container *tr_enrich__container(const struct tr_enrich *en, uint64_t cgroup_id);

#endif /* TR_ENRICH_H */
