/* SPDX-License-Identifier: MIT */
/*
 * signature.h: native signatures and the engine that runs them.
 *
 * A signature names the events it selects; the engine calls its on_event
 * for each of those, in replay order, with read access to the enrichment
 * (the process tree). A signature reports findings through tr_sig__report.
 * Everything a signature sees comes from the recording, so findings are as
 * deterministic as the events.
 *
 * Ids: built-in signatures are "TRR-NNNN" (Tracee Record/Replay), numbered
 * from TRR-1001 and never renumbered or reused; out-of-tree ones should pick
 * another prefix. A finding is printed as an event whose eventId is the
 * signature's event_id, from 6000 up as Tracee numbers its signature events
 * (so readers that parse eventId as a number keep working).
 */
#ifndef TR_SIGNATURE_H
#define TR_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "proctree.h"
#include "view.h"

#define TR_SIG_ABI_VERSION 1 /* struct tr_signature as of this header */

enum tr_severity {
	TR_SEV_INFO = 0,
	TR_SEV_LOW = 1,
	TR_SEV_MEDIUM = 2,
	TR_SEV_HIGH = 3,
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

struct tr_signature;

/* A finding as the engine hands it out; valid during the callback only. */
struct tr_finding {
	const struct tr_signature *sig;
	const struct tr_event_view *ev;	  /* the triggering event: ordinal, src */
	const struct tr_proc_node *proc;  /* the process it is about */
	const struct tr_kv *data;
	size_t ndata;
};

struct tr_sig_ctx;

struct tr_signature {
	const char *id;		/* "TRR-1001" */
	uint32_t event_id;	/* eventId of its findings, >= 6000 */
	const char *name;	/* eventName of its findings, snake_case */
	const char *description;
	uint8_t severity;	/* enum tr_severity */
	const char *mitre_id;	/* ATT&CK technique, "T1105" */
	const char *mitre_name;
	const uint32_t *selects; /* event ids it wants */
	uint32_t nselects;
	/* Optional per-run state; init returns 0 or -errno. */
	int (*init)(void **state);
	void (*fini)(void *state);
	/* 0, or -errno to stop the run. */
	int (*on_event)(struct tr_sig_ctx *ctx, const struct tr_event_view *v);
};

/* What a signature may use from on_event. */
const struct tr_proctree *tr_sig__tree(const struct tr_sig_ctx *ctx);
void *tr_sig__state(const struct tr_sig_ctx *ctx);
/* Report a finding about proc (NULL: the event's process) triggered by v.
 * data is copied by the consumer if it keeps it. 0 or -errno. */
int tr_sig__report(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_proc_node *proc,
		   const struct tr_kv *data, size_t ndata);

/* The built-in signatures, in id order. */
const struct tr_signature *const *tr_signatures__builtin(size_t *n);
const char *tr_severity__name(uint8_t severity);

/* The engine side. */
typedef int (*tr_finding_fn)(void *ctx, const struct tr_finding *f);

struct tr_sigset;

int tr_sigset__new(struct tr_sigset **out, const struct tr_signature *const *sigs, size_t n,
		   const struct tr_proctree *tree, tr_finding_fn fn, void *ctx);
/* Run the signatures that select v's event. 0 or the first error. */
int tr_sigset__event(struct tr_sigset *s, const struct tr_event_view *v);
uint64_t tr_sigset__findings(const struct tr_sigset *s);
void tr_sigset__free(struct tr_sigset *s);

#endif /* TR_SIGNATURE_H */
