/* SPDX-License-Identifier: MIT */
/*
 * signature.h: native signatures and the engine that runs them.
 *
 * A signature names the events it selects (by catalog name, resolved to ids
 * once when a set is built), the origin it cares about (host, container,
 * any) and the arguments it reads; the engine calls its on_event for each
 * selected event of that origin, in replay order, with read access to the
 * enrichment (the process tree). A signature reports findings through
 * tr_sig__report; exceptions (replay/sigexcept.h) may suppress them, and
 * each suppression is counted. Everything a signature sees comes from the
 * recording, so findings are as deterministic as the events.
 *
 * Ids: Tracee's ids ("TRC-102") where the behaviour is one of Tracee's
 * signatures, ours "TRR-NNNN" (from TRR-1001, never renumbered or reused);
 * Sigma rules carry their rule id; out-of-tree ones pick another prefix.
 * A finding is printed as an event whose eventId is the signature's
 * event_id, from 6000 up as Tracee numbers its signature events.
 *
 * This header is also the out-of-tree ABI (TR_SIG_ABI_VERSION): a plugin
 * (see examples/) exports
 *     const uint32_t tr_sig_plugin_abi = TR_SIG_ABI_VERSION;
 *     const struct tr_signature *const *tr_sig_plugin_table(size_t *n);
 * and may call the tr_sig__* and tr_view__* functions below.
 */
#ifndef TR_SIGNATURE_H
#define TR_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "proctree.h"
#include "view.h"

/* 2: selects by name, origin, declared arguments, category and tags,
 *    priv, level; plugins export tr_sig_plugin_abi/tr_sig_plugin_table */
#define TR_SIG_ABI_VERSION 2

enum tr_severity {
	TR_SEV_INFO = 0,
	TR_SEV_LOW = 1,
	TR_SEV_MEDIUM = 2,
	TR_SEV_HIGH = 3,
};

/* Which events of a selected name a signature gets. */
enum tr_sig_origin {
	TR_ORIGIN_ANY = 0,
	TR_ORIGIN_HOST = 1,
	TR_ORIGIN_CONTAINER = 2,
};

/* One key/value of a finding's data. Strings are bytes (len counted). */
enum tr_kv_type {
	TR_KV_STR = 1,
	TR_KV_INT = 2,
	TR_KV_UINT = 3,
};

struct tr_kv {
	const char *key;
	uint8_t type;	/* enum tr_kv_type */
	union {
		struct {
			const void *p;
			uint32_t len;
		} s;
		int64_t i;
		uint64_t u;
	};
};

#define TR_KV_CSTR(k, str) ((struct tr_kv){ .key = (k), .type = TR_KV_STR, \
					    .s = { (str), (uint32_t)strlen(str) } })
#define TR_KV_BYTES(k, ptr, n) ((struct tr_kv){ .key = (k), .type = TR_KV_STR, .s = { (ptr), (uint32_t)(n) } })
#define TR_KV_I64(k, v) ((struct tr_kv){ .key = (k), .type = TR_KV_INT, .i = (int64_t)(v) })

struct tr_signature;

/* A finding as the engine hands it out; valid during the callback only. */
struct tr_finding {
	const struct tr_signature *sig;
	const struct tr_event_view *ev;	  /* the triggering event: ordinal, src */
	const struct tr_proc_node *proc;  /* the process it is about */
	const struct tr_kv *data;
	size_t ndata;
};

/* An argument a signature reads, and the wire types it reads it as
 * (TR_WIRES_*). A recording whose catalog types it otherwise is reported
 * once, and the typed accessors leave it out. */
struct tr_sig_arg {
	const char *event;
	const char *arg;
	unsigned wires;
};

struct tr_sig_ctx;

struct tr_signature {
	const char *id;		/* "TRC-102", "TRR-1001" */
	uint32_t event_id;	/* eventId of its findings, >= 6000 */
	const char *name;	/* eventName of its findings, snake_case */
	const char *description;
	uint8_t severity;	/* enum tr_severity */
	uint8_t origin;		/* enum tr_sig_origin */
	const char *mitre_id;	/* ATT&CK technique, "T1105" */
	const char *mitre_name;
	const char *category;	/* Tracee's: "defense-evasion", "privilege-escalation", ... */
	const char *const *tags;
	uint32_t ntags;
	const char *const *events; /* names of the events it selects */
	uint32_t nevents;
	const struct tr_sig_arg *args;
	uint32_t nargs;
	const char *level;	/* Sigma's level, kept beside severity; NULL for native */
	const void *priv;	/* the signature's own constant data (tr_sig__self) */
	/* Optional per-run state; init returns 0 or -errno. */
	int (*init)(void **state);
	void (*fini)(void *state);
	/* 0, or -errno to stop the run. */
	int (*on_event)(struct tr_sig_ctx *ctx, const struct tr_event_view *v);
};

/* What a signature may use from on_event. */
const struct tr_proctree *tr_sig__tree(const struct tr_sig_ctx *ctx);
void *tr_sig__state(const struct tr_sig_ctx *ctx);
const struct tr_signature *tr_sig__self(const struct tr_sig_ctx *ctx);
/* Report a finding about proc (NULL: the event's process) triggered by v.
 * data is copied by the consumer if it keeps it. 0 or -errno. */
int tr_sig__report(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_proc_node *proc,
		   const struct tr_kv *data, size_t ndata);
/* 1 when the event comes from a container: a task outside the initial pid
 * namespace, or in a cgroup a container runtime made (docker, containerd,
 * cri-o, podman, kubepods, lxc). */
int tr_view__container(const struct tr_event_view *v);

/* A number that changes with every signature set made: per-event caches
 * shared by signatures (file facts, Sigma fields) key on it with the
 * event's ordinal, so one run's entries never serve the next. */
uint64_t tr_sig__generation(void);
/* The number of the event being dispatched, unique in the process (across
 * runs too): the key of such caches. */
uint64_t tr_sig__serial(const struct tr_sig_ctx *ctx);

/* The built-in signatures, in id order. */
const struct tr_signature *const *tr_signatures__builtin(size_t *n);
const char *tr_severity__name(uint8_t severity);
const char *tr_origin__name(uint8_t origin);

/* Selecting from a list of signatures by a comma-separated spec: ids or
 * names, "all", and "-ID"/"-NAME" to take one out ("all,-TRR-1001"); a spec
 * that starts with "-" starts from all. out[] gets at most n, in the order
 * of sigs. 0, or -ENOENT with the unknown word in err. */
int tr_sigs__select(const struct tr_signature *const *sigs, size_t n, const char *spec,
		    const struct tr_signature **out, size_t *nout, char *err, size_t errlen);
/* 1 when one of sigs selects event id (by its name in the built-in catalog). */
int tr_sigs__selects(const struct tr_signature *const *sigs, size_t n, uint32_t id);
/* A signature table that cannot run (null names or callbacks, no events,
 * an event or argument the catalog does not know, a severity above 3):
 * 0, or -EINVAL with the reason in err. */
int tr_sig__validate(const struct tr_signature *s, char *err, size_t errlen);
/* "live": some selected event comes from tracee-record (" (+derived:
 * X,Y)" when others come from replay's derive stage); "needs derived: X,Y"
 * when all come from the derive stage; "external: live recordings cannot
 * feed it" when all come only from other tools' logs. */
const char *tr_sig__status(const struct tr_signature *s, char *buf, size_t len);

/* The engine side. */
typedef int (*tr_finding_fn)(void *ctx, const struct tr_finding *f);
/* Return 1 to suppress the finding (the exception counts it). */
typedef int (*tr_suppress_fn)(void *ctx, const struct tr_finding *f, const struct tr_proctree *tree);

struct tr_sigset;
struct tr_diag;
struct tr_catalog;

struct tr_sigset_opts {
	const struct tr_catalog *catalog; /* the recording's, for argument types; NULL: built-in */
	struct tr_diag *diag;		  /* where catalog mismatches are reported; NULL: nowhere */
	const char *catalog_file;	  /* names the catalog in those reports */
	tr_suppress_fn suppress;	  /* exceptions; NULL: none */
	void *suppress_ctx;
};

int tr_sigset__new(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
		   const struct tr_proctree *tree, tr_finding_fn fn, void *ctx);
int tr_sigset__new_opts(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
			const struct tr_proctree *tree, tr_finding_fn fn, void *ctx,
			const struct tr_sigset_opts *o);
/* The replay makes derived event `derived` from `source`: a signature that
 * selects both gets only the derived one (the same behaviour, better
 * resolved), not each twice. Names from the catalog; unknown ones ignored. */
void tr_sigset__shadow(struct tr_sigset *s, const char *derived, const char *source);
/* Run the signatures that select v's event. 0 or the first error. */
int tr_sigset__event(struct tr_sigset *s, const struct tr_event_view *v);
uint64_t tr_sigset__findings(const struct tr_sigset *s);
uint64_t tr_sigset__suppressed(const struct tr_sigset *s);
void tr_sigset__free(struct tr_sigset *s);

#endif /* TR_SIGNATURE_H */
