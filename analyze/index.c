// SPDX-License-Identifier: MIT
/* index.c: the indexer (analyze/index.h), on any store. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "index.h"
#include "netflow.h"
#include "recording.h"

#define DEFAULT_BATCH 100000

/* ---- what an event tells about files and flows: one row per event name ---- */

enum touch {
	TOUCH_NONE = 0,
	TOUCH_OPEN,	/* open or write, by the flags */
	TOUCH_WRITE,	/* creat */
	TOUCH_UNLINK,
	TOUCH_RENAME,
	TOUCH_CHMOD,
	TOUCH_CONNECT,	/* a flow out */
	TOUCH_ACCEPT,	/* a flow in */
};

static const char *const touch_how[] = {
	[TOUCH_OPEN] = "open", [TOUCH_WRITE] = "write", [TOUCH_UNLINK] = "unlink",
	[TOUCH_RENAME] = "rename", [TOUCH_CHMOD] = "chmod",
};

/* Argument names as Tracee v0.24.1 names them; a name absent from an
 * event (dirfd of open) is simply not found. */
static const struct touch_rule {
	const char *event;
	uint8_t touch;
	const char *dirfd, *path, *newdirfd, *newpath, *flags;
} touch_rules[] = {
	{ "open", TOUCH_OPEN, NULL, "pathname", NULL, NULL, "flags" },
	{ "openat", TOUCH_OPEN, "dirfd", "pathname", NULL, NULL, "flags" },
	{ "openat2", TOUCH_OPEN, "dirfd", "pathname", NULL, NULL, "flags" },
	{ "creat", TOUCH_WRITE, NULL, "pathname", NULL, NULL, "mode" },
	{ "truncate", TOUCH_WRITE, NULL, "path", NULL, NULL, NULL },
	{ "unlink", TOUCH_UNLINK, NULL, "pathname", NULL, NULL, NULL },
	{ "unlinkat", TOUCH_UNLINK, "dirfd", "pathname", NULL, NULL, "flags" },
	{ "rmdir", TOUCH_UNLINK, NULL, "pathname", NULL, NULL, NULL },
	{ "rename", TOUCH_RENAME, NULL, "oldpath", NULL, "newpath", NULL },
	{ "renameat", TOUCH_RENAME, "olddirfd", "oldpath", "newdirfd", "newpath", NULL },
	{ "renameat2", TOUCH_RENAME, "olddirfd", "oldpath", "newdirfd", "newpath", "flags" },
	{ "chmod", TOUCH_CHMOD, NULL, "pathname", NULL, NULL, "mode" },
	{ "fchmodat", TOUCH_CHMOD, "dirfd", "pathname", NULL, NULL, "mode" },
	{ "fchmodat2", TOUCH_CHMOD, "dirfd", "pathname", NULL, NULL, "mode" },
	{ "connect", TOUCH_CONNECT, NULL, "addr", NULL, NULL, NULL },
	{ "accept", TOUCH_ACCEPT, NULL, "addr", NULL, NULL, NULL },
	{ "accept4", TOUCH_ACCEPT, NULL, "addr", NULL, NULL, NULL },
};

#define AT_FDCWD_VALUE (-100)

struct ix {
	struct tr_store *store;
	const struct tr_replay *replay;
	const struct tr_index_opts *o;
	struct tr_index_stats *st;
	int64_t rec;
	struct tr_json_host host;
	const struct tr_catalog *catalog;
	const struct touch_rule **rule_of; /* by catalog index; NULL: none */
	struct tr_buf args, data, path, newpath, tmp;
	uint64_t last_event_ordinal;	/* the event row last written */
	uint64_t ndetections;
	size_t batch_rows, pending;
	uint32_t nsegs;			/* segments rows written */
	/* the recording's artifact records, read before the replay, tied to
	 * their events as those pass */
	struct art {
		uint64_t ts, seq;
		uint16_t cpu, source;
		uint32_t pid, flags;
		uint64_t start_ns, size;
		char sha[65];
		char *path;
		uint64_t ordinal;	/* 0: its event not seen */
		int64_t proc;		/* process row, 0: unknown */
	} *arts;
	size_t narts;
	struct tr_convs convs;		/* conversations in the pcaps */
	/* uid -> user name, as events name them (USER state records) */
	struct uname { uint32_t uid; char *name; } *users;
	size_t nusers;
	/* warnings of the replay, for the warnings table */
	struct ix_warning *warn;
	size_t nwarn, warncap;
	int warn_nomem;
	char *err;
	size_t errlen;
};

static void artifact_event(struct ix *x, const struct tr_event_view *v);

static int64_t wall(const struct ix *x, uint64_t boot_ns)
{
	return (int64_t)(boot_ns + (uint64_t)x->host.boot_to_wall_ns);
}

static int store_fail(struct ix *x, int rc)
{
	snprintf(x->err, x->errlen, "%s", x->store->err);
	return rc;
}

static int insert(struct ix *x, enum tr_tab t, const struct tr_val *row)
{
	int rc = x->store->ops->insert(x->store, t, row);

	if (rc)
		return store_fail(x, rc);
	x->st->rows++;
	if (++x->pending >= x->batch_rows) {
		x->pending = 0;
		if ((rc = x->store->ops->batch(x->store)))
			return store_fail(x, rc);
	}
	return 0;
}

static struct tr_val proc_val(const struct ix *x, const struct tr_proc_node *p)
{
	return p ? tr_val_int(tr_row_id(x->rec, (uint64_t)p->idx + 1)) : (struct tr_val){ 0 };
}

static struct tr_val buf_val(const struct tr_buf *b)
{
	return tr_val_text(b->len ? b->p : "", b->len);
}

static struct tr_val opt_cstr(const char *s)
{
	return s ? tr_val_cstr(s) : (struct tr_val){ 0 };
}

/* Kernel bytes in the decoded form into b (reset first); NULL p: NULL. */
static struct tr_val bytes_val(struct tr_buf *b, const void *p, size_t len)
{
	if (!p)
		return (struct tr_val){ 0 };
	tr_buf__reset(b);
	tr_text__bytes(b, p, len);
	return buf_val(b);
}

static uint64_t view_ts(const struct tr_event_view *v)
{
	return v->kind == TR_VIEW_EVENT ? v->ev->h.ts : v->gap->h.ts;
}

static int segment_row(struct ix *x, const struct tr_event_view *v)
{
	while (x->nsegs <= v->src.segment_index) {
		struct tr_val row[3];
		int rc;

		row[0] = tr_val_int(x->rec);
		row[1] = tr_val_int(x->nsegs);
		row[2] = x->nsegs == v->src.segment_index && v->src.segment ? tr_val_cstr(v->src.segment)
									     : tr_val_cstr("");
		if ((rc = insert(x, TR_TAB_SEGMENTS, row)))
			return rc;
		x->nsegs++;
	}
	return 0;
}

static int event_row(struct ix *x, const struct tr_event_view *v)
{
	struct tr_val row[14];
	int rc;

	if (x->last_event_ordinal == v->ordinal)
		return 0;
	if ((rc = segment_row(x, v)))
		return rc;
	/* the present arguments as one object {"name": value}, each value
	 * as replay prints it */
	tr_buf__reset(&x->args);
	tr_buf__putc(&x->args, '{');
	for (unsigned i = 0, first = 1; i < v->def->nargs && i < TR_MAX_ARGS; i++) {
		if (!v->args[i].present)
			continue;
		if (!first)
			tr_buf__putc(&x->args, ',');
		first = 0;
		tr_json__cstr(&x->args, v->def->args[i].name);
		tr_buf__putc(&x->args, ':');
		tr_json__arg_value(&x->args, &x->host, v, i);
	}
	tr_buf__putc(&x->args, '}');
	if (x->args.err)
		return -ENOMEM;
	row[0] = tr_val_int(tr_row_id(x->rec, v->ordinal));
	row[1] = tr_val_int(x->rec);
	row[2] = tr_val_int((int64_t)v->ordinal);
	row[3] = tr_val_int(wall(x, view_ts(v)));
	row[4] = tr_val_int(v->def->id);
	row[5] = tr_val_cstr(v->def->name);
	if (v->kind == TR_VIEW_EVENT) {
		row[6] = tr_val_int(v->ev->host_pid);
		row[7] = tr_val_int(v->ev->host_tid);
		row[9] = tr_val_int(v->ev->retval);
	} else {
		row[6] = row[7] = row[9] = (struct tr_val){ 0 };
	}
	row[8] = proc_val(x, v->proc);
	row[10] = buf_val(&x->args);
	row[11] = tr_val_int(v->src.segment_index);
	row[12] = tr_val_int((int64_t)v->src.frame_offset);
	row[13] = tr_val_int(v->src.index);
	if ((rc = insert(x, TR_TAB_EVENTS, row)))
		return rc;
	x->last_event_ordinal = v->ordinal;
	x->st->events++;
	return 0;
}

/* A path argument made absolute against the process's cwd when it can be
 * (relative to AT_FDCWD), else as recorded, in the decoded form. */
static int path_arg(struct ix *x, const struct tr_event_view *v, const char *dirfd_name, const char *name,
		    struct tr_buf *out)
{
	char abs[PATH_MAX];
	const uint8_t *p;
	uint32_t len;
	int n = -EINVAL;

	if (!name || !tr_view__str(v, name, &p, &len))
		return 0;
	/* the enrichment's absolute form (dirfd and cwd applied), if known */
	for (int k = 0; k < 2; k++) {
		const struct tr_view_path *vp = &v->path[k];

		if (vp->arg >= 0 && vp->arg < (int)v->def->nargs && vp->p && !strcmp(v->def->args[vp->arg].name, name)) {
			tr_buf__reset(out);
			tr_text__bytes(out, vp->p, vp->len);
			return out->err ? -ENOMEM : 1;
		}
	}
	if (v->proc && (!len || p[0] != '/') &&
	    (!dirfd_name || tr_view__i64(v, dirfd_name, AT_FDCWD_VALUE) == AT_FDCWD_VALUE))
		n = tr_proctree__resolve(v->proc, v->ev->h.ts, p, len, abs, sizeof(abs));
	tr_buf__reset(out);
	if (n >= 0)
		tr_text__bytes(out, abs, (size_t)n);
	else
		tr_text__bytes(out, p, len);
	return out->err ? -ENOMEM : 1;
}

static int file_row(struct ix *x, const struct tr_event_view *v, const struct touch_rule *r)
{
	struct tr_val row[10] = { 0 };
	int how = r->touch, rc;

	if ((rc = path_arg(x, v, r->dirfd, r->path, &x->path)) <= 0)
		return rc;
	row[7] = (struct tr_val){ 0 };
	if (r->newpath) {
		if ((rc = path_arg(x, v, r->newdirfd, r->newpath, &x->newpath)) < 0)
			return rc;
		if (rc)
			row[7] = buf_val(&x->newpath);
	}
	if (r->flags && tr_view__arg(v, r->flags, TR_WIRES_INT)) {
		int64_t f = tr_view__i64(v, r->flags, 0);

		row[8] = tr_val_int(f);
		if (how == TOUCH_OPEN && ((f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC))))
			how = TOUCH_WRITE;
	}
	row[0] = tr_val_int(tr_row_id(x->rec, v->ordinal));
	row[1] = tr_val_int(x->rec);
	row[2] = tr_val_int((int64_t)v->ordinal);
	row[3] = proc_val(x, v->proc);
	row[4] = tr_val_int(wall(x, v->ev->h.ts));
	row[5] = tr_val_cstr(touch_how[how]);
	row[6] = buf_val(&x->path);
	row[9] = tr_val_int(v->ev->retval);
	x->st->files++;
	return insert(x, TR_TAB_FILES, row);
}

static int flow_row(struct ix *x, const struct tr_event_view *v, const struct touch_rule *r)
{
	const struct tr_arg_val *a = tr_view__arg(v, r->path, TR_WIRE_BIT(TR_T_SOCKADDR));
	struct tr_val row[17] = { 0 };
	char addr[INET6_ADDRSTRLEN], fam[16], local[INET6_ADDRSTRLEN];
	const uint8_t *s;
	uint16_t family;

	if (!a || a->b.len < 2)
		return 0;
	s = a->b.p;
	family = (uint16_t)(s[0] | s[1] << 8);
	switch (family) {
	case AF_INET:
		if (a->b.len < 8)
			return 0;
		inet_ntop(AF_INET, s + 4, addr, sizeof(addr));
		row[10] = tr_val_cstr(addr);
		row[11] = tr_val_int(s[2] << 8 | s[3]);
		row[6] = tr_val_cstr("AF_INET");
		break;
	case AF_INET6:
		if (a->b.len < 24)
			return 0;
		inet_ntop(AF_INET6, s + 8, addr, sizeof(addr));
		row[10] = tr_val_cstr(addr);
		row[11] = tr_val_int(s[2] << 8 | s[3]);
		row[6] = tr_val_cstr("AF_INET6");
		break;
	case AF_UNIX: {
		const uint8_t *p = s + 2;
		size_t len = a->b.len - 2;

		while (len && p[len - 1] == 0 && p[0] != 0)
			len--;
		if (len && p[0] == 0) {	/* abstract: "@name" */
			tr_buf__reset(&x->path);
			tr_buf__putc(&x->path, '@');
			while (len > 1 && p[len - 1] == 0)
				len--;
			tr_text__bytes(&x->path, p + 1, len - 1);
			row[10] = buf_val(&x->path);
		} else {
			row[10] = bytes_val(&x->path, p, strnlen((const char *)p, len));
		}
		row[6] = tr_val_cstr("AF_UNIX");
		break;
	}
	default:
		snprintf(fam, sizeof(fam), "%u", family);
		row[6] = tr_val_cstr(fam);
	}
	/* the conversation in the pcaps: local end, protocol, bytes */
	if ((family == AF_INET || family == AF_INET6) && x->convs.ndns)
		row[12] = opt_cstr(tr_convs__name(&x->convs, family, s + (family == AF_INET ? 4 : 8),
						  (uint64_t)wall(x, v->ev->h.ts)));
	if ((family == AF_INET || family == AF_INET6) && x->convs.n) {
		const uint8_t *ra = s + (family == AF_INET ? 4 : 8);
		struct tr_conv *c = tr_convs__take(&x->convs, family, ra, (uint16_t)(s[2] << 8 | s[3]),
						   (uint64_t)wall(x, v->ev->h.ts));

		if (c) {
			int remote_is_b = c->bport == (uint16_t)(s[2] << 8 | s[3]) &&
					  !memcmp(c->b, ra, family == AF_INET ? 4 : 16);

			inet_ntop(family, remote_is_b ? c->a : c->b, local, sizeof(local));
			row[7] = tr_val_cstr(c->proto == IPPROTO_TCP ? "tcp" : "udp");
			row[8] = tr_val_cstr(local);
			row[9] = tr_val_int(remote_is_b ? c->aport : c->bport);
			row[13] = tr_val_int((int64_t)(remote_is_b ? c->bytes_ab : c->bytes_ba));
			row[14] = tr_val_int((int64_t)(remote_is_b ? c->bytes_ba : c->bytes_ab));
			row[15] = tr_val_int((int64_t)c->packets);
		}
	}
	row[0] = tr_val_int(tr_row_id(x->rec, v->ordinal));
	row[1] = tr_val_int(x->rec);
	row[2] = tr_val_int((int64_t)v->ordinal);
	row[3] = proc_val(x, v->proc);
	row[4] = tr_val_int(wall(x, v->ev->h.ts));
	row[5] = tr_val_cstr(r->touch == TOUCH_CONNECT ? "out" : "in");
	row[16] = tr_val_int(v->ev->retval);
	x->st->flows++;
	return insert(x, TR_TAB_FLOWS, row);
}

static int gap_row(struct ix *x, const struct tr_event_view *v)
{
	struct tr_val row[6] = {
		tr_val_int(tr_row_id(x->rec, v->ordinal)), tr_val_int(x->rec), tr_val_int((int64_t)v->ordinal),
		tr_val_int(v->gap->h.cpu), tr_val_int((int64_t)v->gap->lost), tr_val_int(wall(x, v->gap->h.ts)),
	};

	x->st->gaps++;
	return insert(x, TR_TAB_GAPS, row);
}

static const char *user_of(const struct ix *x, uint32_t uid)
{
	for (size_t i = 0; i < x->nusers; i++)
		if (x->users[i].uid == uid)
			return x->users[i].name;
	return NULL;
}

/* The most recent uid is kept last, so the check per event is one compare. */
static int remember_user(struct ix *x, uint32_t uid, const char *name)
{
	struct uname *u;

	for (size_t i = 0; i < x->nusers; i++)
		if (x->users[i].uid == uid) {
			struct uname t = x->users[i];

			x->users[i] = x->users[x->nusers - 1];
			x->users[x->nusers - 1] = t;
			return 0;
		}
	u = realloc(x->users, (x->nusers + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	x->users = u;
	if (!(u[x->nusers].name = strdup(name)))
		return -ENOMEM;
	u[x->nusers++].uid = uid;
	return 0;
}

static int on_event(void *ctx, const struct tr_event_view *v)
{
	struct ix *x = ctx;
	const struct touch_rule *r;
	size_t di;
	int rc;

	if (x->o->stop && *x->o->stop)
		return -EINTR;
	if (v->kind == TR_VIEW_GAP)
		return gap_row(x, v);
	x->st->replayed++;
	if (x->narts)
		artifact_event(x, v);
	if (v->user && v->ev && (!x->nusers || x->users[x->nusers - 1].uid != v->ev->uid) &&
	    (rc = remember_user(x, v->ev->uid, v->user)))
		return rc;
	if (!x->o->detections_only && (rc = event_row(x, v)))
		return rc;
	di = (size_t)(v->def - x->catalog->events);
	r = di < x->catalog->n ? x->rule_of[di] : NULL;
	if (!r)
		return 0;
	return r->touch >= TOUCH_CONNECT ? flow_row(x, v, r) : file_row(x, v, r);
}

static int on_finding(void *ctx, const struct tr_finding *f)
{
	struct ix *x = ctx;
	const struct tr_event_view *v = f->ev;
	struct tr_val row[9];
	int rc = event_row(x, v);

	if (rc)
		return rc;
	tr_buf__reset(&x->data);
	tr_json__kv(&x->data, f->data, f->ndata);
	if (x->data.err)
		return -ENOMEM;
	row[0] = tr_val_int(tr_row_id(x->rec, ++x->ndetections));
	row[1] = tr_val_int(x->rec);
	row[2] = tr_val_cstr(f->sig->id);
	row[3] = tr_val_int(tr_row_id(x->rec, v->ordinal));
	row[4] = tr_val_int((int64_t)v->ordinal);
	row[5] = proc_val(x, f->proc);
	row[6] = tr_val_int(f->sig->severity);
	row[7] = tr_val_int(wall(x, view_ts(v)));
	row[8] = buf_val(&x->data);
	x->st->detections++;
	return insert(x, TR_TAB_DETECTIONS, row);
}

struct ix_warning {
	int damage;
	char *file;
	int64_t offset;
	char *msg;
};

/* Warnings kept for the table, at most; the rest are counted in
 * recordings.warnings. */
#define IX_WARNINGS_MAX 10000

static void on_warning(void *ctx, int damage, const char *file, int64_t offset, const char *msg)
{
	struct ix *x = ctx;
	struct ix_warning *w;

	if (x->nwarn == IX_WARNINGS_MAX)
		return;
	if (x->nwarn == x->warncap) {
		size_t cap = x->warncap ? x->warncap * 2 : 16;

		w = realloc(x->warn, cap * sizeof(*w));
		if (!w) {
			x->warn_nomem = 1;
			return;
		}
		x->warn = w;
		x->warncap = cap;
	}
	w = &x->warn[x->nwarn];
	w->damage = damage;
	w->offset = offset;
	w->file = file ? strdup(file) : NULL;
	w->msg = strdup(msg);
	if (!w->msg || (file && !w->file)) {
		free(w->file);
		free(w->msg);
		x->warn_nomem = 1;
		return;
	}
	x->nwarn++;
}

/* "FILE: offset N: MESSAGE", as on stderr. */
static char *warning_text(const struct ix_warning *w)
{
	char *s = NULL;
	int n;

	if (w->file && w->offset >= 0)
		n = asprintf(&s, "%s: offset %lld: %s", w->file, (long long)w->offset, w->msg);
	else if (w->file)
		n = asprintf(&s, "%s: %s", w->file, w->msg);
	else
		n = asprintf(&s, "%s", w->msg);
	return n < 0 ? NULL : s;
}

static int write_warnings(struct ix *x)
{
	int rc = 0;

	if (x->warn_nomem)
		return -ENOMEM;
	for (size_t i = 0; !rc && i < x->nwarn; i++) {
		struct tr_val row[6] = {
			tr_val_int(tr_row_id(x->rec, i + 1)), tr_val_int(x->rec), tr_val_int(x->warn[i].damage),
			opt_cstr(x->warn[i].file),
			x->warn[i].offset >= 0 ? tr_val_int(x->warn[i].offset) : (struct tr_val){ 0 },
			tr_val_cstr(x->warn[i].msg),
		};

		rc = insert(x, TR_TAB_WARNINGS, row);
	}
	return rc;
}

/* recordings.damage: a JSON array of the damage found, or NULL. */
static int damage_json(struct ix *x, uint64_t damage, struct tr_buf *b, struct tr_val *out)
{
	size_t n = 0;

	tr_buf__reset(b);
	tr_buf__putc(b, '[');
	for (size_t i = 0; i < x->nwarn; i++) {
		char *t;

		if (!x->warn[i].damage)
			continue;
		t = warning_text(&x->warn[i]);
		if (!t)
			return -ENOMEM;
		if (n++)
			tr_buf__putc(b, ',');
		tr_json__str(b, t, strlen(t));
		free(t);
	}
	tr_buf__putc(b, ']');
	if (b->err)
		return b->err;
	*out = n || damage ? buf_val(b) : (struct tr_val){ 0 };
	return 0;
}

static int write_signatures(struct ix *x)
{
	size_t n, nb;
	const struct tr_signature *const *sigs = x->o->sigs;
	const struct tr_signature *const *builtin = tr_signatures__builtin(&nb);
	int rc = 0;

	if (sigs)
		n = x->o->nsigs;
	else
		sigs = tr_signatures__builtin(&n);
	for (size_t i = 0; !rc && i < n; i++) {
		/* where it came from: the built-in table, a Sigma rule (it has a
		 * level), or an out-of-tree plugin */
		const char *origin = sigs[i]->level ? "sigma" : "plugin";
		struct tr_val row[10];

		for (size_t k = 0; k < nb; k++)
			if (builtin[k] == sigs[i])
				origin = "builtin";
		row[0] = tr_val_cstr(sigs[i]->id);
		row[1] = tr_val_int(sigs[i]->event_id);
		row[2] = tr_val_cstr(sigs[i]->name);
		row[3] = tr_val_cstr(sigs[i]->description);
		row[4] = tr_val_int(sigs[i]->severity);
		row[5] = tr_val_cstr(sigs[i]->mitre_id);
		row[6] = tr_val_cstr(sigs[i]->mitre_name);
		row[7] = tr_val_cstr(origin);
		row[8] = tr_val_cstr(TR_VERSION);
		row[9] = (struct tr_val){ 0 };

		rc = insert(x, TR_TAB_SIGNATURES, row);
	}
	return rc;
}

static const char *source_name(uint8_t src)
{
	return src == TR_PSRC_SNAPSHOT ? "snapshot" : src == TR_PSRC_FORK ? "fork" : "event";
}

/* 64 hex digits in a cgroup path: a container id (docker-<id>.scope,
 * /kubepods/.../<id>, ...). */
static size_t container_id(const char *p, size_t len, const char **id)
{
	size_t run = 0;

	for (size_t i = 0; p && i < len; i++) {
		int hex = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f');

		run = hex ? run + 1 : 0;
		if (run == 64 && (i + 1 == len || !((p[i + 1] >= '0' && p[i + 1] <= '9') ||
						    (p[i + 1] >= 'a' && p[i + 1] <= 'f')))) {
			*id = p + i + 1 - 64;
			return 64;
		}
	}
	return 0;
}

static void entity(char *buf, size_t len, const struct ix *x, const struct tr_proc_node *n)
{
	snprintf(buf, len, "%s:%u:%lld", x->host.hostname ? x->host.hostname : "", n->host_pid,
		 (long long)wall(x, n->start_ns));
}

static int write_processes(struct ix *x, const struct tr_proctree *t)
{
	struct tr_buf exe = { 0 }, comm = { 0 }, argv = { 0 }, cwd = { 0 }, cg = { 0 };
	int rc = 0;

	for (size_t i = 0; !rc && i < tr_proctree__count(t); i++) {
		const struct tr_proc_node *n = tr_proctree__node(t, i);
		const struct tr_proc_node *par = tr_proctree__parent(t, n);
		char ent[128], pent[128];
		const char *cid = NULL;
		size_t cidlen = container_id(n->cgroup.p, n->cgroup.len, &cid);
		struct tr_val row[24] = { 0 };

		entity(ent, sizeof(ent), x, n);
		row[0] = proc_val(x, n);
		row[1] = tr_val_int(x->rec);
		row[2] = tr_val_cstr(ent);
		row[3] = tr_val_int(n->host_pid);
		row[4] = tr_val_int(wall(x, n->start_ns));
		row[5] = tr_val_int(n->pid);
		row[6] = tr_val_int(n->host_ppid);
		if (par) {
			entity(pent, sizeof(pent), x, par);
			row[7] = proc_val(x, par);
			row[8] = tr_val_cstr(pent);
		}
		row[9] = bytes_val(&exe, n->exe.p, n->exe.len);
		row[10] = bytes_val(&comm, n->comm, strlen(n->comm));
		if (n->argv.p) {
			tr_buf__reset(&argv);
			tr_json__str_array(&argv, n->argv.p, n->argv.len);
			row[11] = buf_val(&argv);
		}
		row[12] = bytes_val(&cwd, n->cwd.p, n->cwd.len);
		row[13] = bytes_val(&cg, n->cgroup.p, n->cgroup.len);
		if (cidlen)
			row[14] = tr_val_text(cid, cidlen);
		row[15] = tr_val_int(n->uid);
		row[16] = opt_cstr(user_of(x, n->uid));
		row[17] = tr_val_int(n->gid);
		row[18] = tr_val_cstr(source_name(n->source));
		row[19] = tr_val_int(wall(x, n->seen_ns));
		row[20] = tr_val_int(n->nexec);
		row[21] = tr_val_int(n->exited);
		if (n->exited) {
			row[22] = tr_val_int(n->exit_code);
			row[23] = tr_val_int(wall(x, n->exit_ns));
		}
		if (exe.err || comm.err || argv.err || cwd.err || cg.err)
			rc = -ENOMEM;
		else
			rc = insert(x, TR_TAB_PROCESSES, row);
		x->st->processes += !rc;
	}
	tr_buf__free(&exe);
	tr_buf__free(&comm);
	tr_buf__free(&argv);
	tr_buf__free(&cwd);
	tr_buf__free(&cg);
	return rc;
}

/* SHA-256 of dir/name as hex into out[65]; 0 or -errno. */
static int sha256_file(const char *dir, const char *name, char out[65])
{
	unsigned char md[32], buf[65536];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char path[PATH_MAX];
	unsigned mdlen = 0;
	ssize_t n;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* O_NONBLOCK: a FIFO in its place must not hang us; only a regular
	 * file is read */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !c) {
		rc = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	{
		struct stat st;

		if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			rc = -EINVAL;
			goto out;
		}
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(c, buf, (size_t)n);
	if (n < 0)
		rc = -errno;
	EVP_DigestFinal_ex(c, md, &mdlen);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c);
	return rc;
}

static int file_rows(struct ix *x, const char *kind, const struct tr_manifest_file *f, size_t n)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		struct tr_val row[5] = { tr_val_int(x->rec), tr_val_cstr(kind), tr_val_cstr(f[i].path),
					 tr_val_int((int64_t)f[i].info.bytes),
					 f[i].info.sha256[0] ? tr_val_cstr(f[i].info.sha256) : (struct tr_val){ 0 } };

		rc = insert(x, TR_TAB_RECORDING_FILES, row);
	}
	return rc;
}

/* The artifact records (FORMAT.md, TR_REC_ARTIFACT), read in a pass of
 * their own before the replay, which does not hand them to its sink; only
 * when the recording has an artifacts/ directory. Damage is replay's to
 * report: this pass is quiet. */
static int art_cmp(const void *a, const void *b)
{
	const struct art *p = a, *q = b;

	return p->ts < q->ts ? -1 : p->ts > q->ts ? 1 : p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int read_artifacts(struct ix *x, const char *dir)
{
	struct tr_diag quiet = { .prog = x->o->prog };
	const struct tr_rec_hdr *h;
	struct tr_recording *rec;
	struct tr_src src;
	char path[PATH_MAX], e[256];
	struct stat st;
	int rc;

	snprintf(path, sizeof(path), "%s/artifacts", dir);
	if (lstat(path, &st) || !S_ISDIR(st.st_mode) || tr_recording__open(&rec, dir, &quiet, e, sizeof(e)))
		return 0;
	while ((rc = tr_recording__next(rec, &h, &src, e, sizeof(e))) > 0) {
		struct tr_artifact a;
		const uint8_t *p;
		struct art *n;
		size_t rest;

		if (h->kind != TR_REC_ARTIFACT || h->size < sizeof(a))
			continue;
		memcpy(&a, h, sizeof(a));
		n = realloc(x->arts, (x->narts + 1) * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			break;
		}
		x->arts = n;
		n += x->narts++;
		memset(n, 0, sizeof(*n));
		n->ts = a.event_ts;
		n->seq = a.event_seq;
		n->cpu = a.event_cpu;
		n->source = a.source;
		n->pid = a.host_pid;
		n->flags = a.flags;
		n->start_ns = a.start_ns;
		n->size = a.size;
		for (int i = 0; i < 32; i++)
			sprintf(n->sha + 2 * i, "%02x", a.sha256[i]);
		/* argument 0, STR: the file's path */
		p = (const uint8_t *)h + sizeof(a);
		rest = h->size - sizeof(a);
		if (a.nargs && rest >= 5 && p[0] == 0) {
			uint32_t len = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;

			if (len <= rest - 5) {
				struct tr_buf b = { 0 };

				tr_text__bytes(&b, p + 5, len);
				if (b.err || !(n->path = strndup(b.p ? b.p : "", b.len)))
					rc = -ENOMEM;
				tr_buf__free(&b);
			}
		}
		if (rc < 0)
			break;
	}
	tr_recording__close(rec);
	if (x->narts)
		qsort(x->arts, x->narts, sizeof(*x->arts), art_cmp);
	return rc == -ENOMEM ? rc : 0;
}

/* An event an artifact record names: remember its ordinal. */
static void artifact_event(struct ix *x, const struct tr_event_view *v)
{
	size_t lo = 0, hi = x->narts;

	while (lo < hi) {	/* arts are sorted by event ts */
		size_t mid = (lo + hi) / 2;

		if (x->arts[mid].ts < v->ev->h.ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < x->narts && x->arts[i].ts == v->ev->h.ts; i++) {
		struct art *a = &x->arts[i];

		if (!a->ordinal && a->cpu == v->ev->h.cpu && a->seq == v->ev->h.seq) {
			a->ordinal = v->ordinal;
			a->proc = v->proc ? tr_row_id(x->rec, (uint64_t)v->proc->idx + 1) : 0;
		}
	}
}

/* Artifacts as the manifest lists them ("artifacts": [{...}]), read
 * leniently: the list is the capture side's (issue 10). */
static int artifact_rows(struct ix *x, const char *dir, const struct tr_proctree *t)
{
	char path[PATH_MAX];
	json_t *root, *list, *a;
	size_t i;
	int rc = 0;

	struct stat st;
	int fd;

	if (x->narts) {
		for (size_t k = 0; k < x->narts; k++) {
			const struct art *a = &x->arts[k];
			const struct tr_proc_node *p = a->proc ? NULL : tr_proctree__find(t, a->pid, a->start_ns);
			char stored[80];
			/* TR_ARTF_TOO_BIG, _BUDGET, _QUEUE, _GONE, _IO: not copied */
			int copied = !(a->flags & 0x1f);
			struct tr_val row[9] = { 0 };

			snprintf(stored, sizeof(stored), "artifacts/%s", a->sha);
			row[0] = tr_val_int(tr_row_id(x->rec, k + 1));
			row[1] = tr_val_int(x->rec);
			row[2] = tr_val_cstr(a->sha);
			row[3] = opt_cstr(a->path);
			row[4] = copied ? tr_val_cstr(stored) : (struct tr_val){ 0 };
			row[5] = tr_val_int((int64_t)a->size);
			row[6] = a->proc ? tr_val_int(a->proc) : proc_val(x, p);
			if (a->ordinal)
				row[7] = tr_val_int((int64_t)a->ordinal);
			row[8] = tr_val_int(wall(x, a->ts));
			if ((rc = insert(x, TR_TAB_ARTIFACTS, row)))
				return rc;
			x->st->artifacts++;
		}
		return 0;
	}
	if (!tr_replay__recording(x->replay)->have_manifest)
		return 0;
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	root = fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) ? json_loadfd(fd, 0, NULL) : NULL;
	if (fd >= 0)
		close(fd);
	list = root ? json_object_get(root, "artifacts") : NULL;
	json_array_foreach(list, i, a) {
		const char *sha = json_string_value(json_object_get(a, "sha256"));
		const char *stored = json_string_value(json_object_get(a, "path"));
		const char *orig = json_string_value(json_object_get(a, "source_path"));
		json_t *bytes = json_object_get(a, "bytes"), *pid = json_object_get(a, "host_pid");
		json_t *ord = json_object_get(a, "ordinal"), *ts = json_object_get(a, "timestamp");
		struct tr_val row[9] = { 0 };
		const struct tr_proc_node *p = NULL;

		if (!sha)
			continue;
		if (!orig)
			orig = json_string_value(json_object_get(a, "original_path"));
		if (json_is_integer(pid))
			p = tr_proctree__find(t, (uint32_t)json_integer_value(pid), 0);
		row[0] = tr_val_int(tr_row_id(x->rec, i + 1));
		row[1] = tr_val_int(x->rec);
		row[2] = tr_val_cstr(sha);
		row[3] = tr_val_cstr(orig);
		row[4] = tr_val_cstr(stored);
		row[6] = proc_val(x, p);
		if (json_is_integer(bytes))
			row[5] = tr_val_int(json_integer_value(bytes));
		if (json_is_integer(ord))
			row[7] = tr_val_int(json_integer_value(ord));
		if (json_is_integer(ts))
			row[8] = tr_val_int(wall(x, (uint64_t)json_integer_value(ts)));
		if ((rc = insert(x, TR_TAB_ARTIFACTS, row)))
			break;
		x->st->artifacts++;
	}
	json_decref(root);
	return rc;
}

static int write_recording(struct ix *x, const struct tr_replay *r, const char *dir, const char *uid)
{
	const struct tr_recording *rec = tr_replay__recording(r);
	const struct tr_manifest *m = &rec->manifest;
	const struct tr_engine_stats *es = tr_engine__stats(tr_replay__engine(r));
	struct tr_val row[25] = { 0 };
	struct tr_buf opts = { 0 }, dmg = { 0 };
	uint64_t damage = tr_replay__damage(r);
	char sha[65];
	struct timespec now;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	row[0] = tr_val_int(x->rec);
	row[1] = tr_val_cstr(uid);
	row[2] = tr_val_cstr(dir);
	if (rec->have_manifest) {
		row[3] = tr_val_cstr(m->hostname);
		row[4] = tr_val_cstr(m->kernel_release);
		row[5] = tr_val_cstr(m->boot_id);
		row[6] = tr_val_int(m->cpu_count);
		row[7] = tr_val_int(m->format_version);
		row[8] = tr_val_cstr(m->tool_version);
		tr_buf__putc(&opts, '[');
		for (size_t i = 0; i < m->argc; i++) {
			if (i)
				tr_buf__putc(&opts, ',');
			tr_json__cstr(&opts, m->argv[i]);
		}
		tr_buf__putc(&opts, ']');
		if (opts.err) {
			tr_buf__free(&opts);
			return -ENOMEM;
		}
		row[9] = buf_val(&opts);
		row[11] = tr_val_int(wall(x, m->start_boot_ns));
		if (m->stop_boot_ns)
			row[12] = tr_val_int(wall(x, m->stop_boot_ns));
		row[14] = tr_val_cstr(m->end_reason);
		if (!sha256_file(dir, "manifest.json", sha))
			row[19] = tr_val_cstr(sha);
	}
	row[10] = tr_val_int(x->host.boot_to_wall_ns);
	row[13] = tr_val_cstr(!rec->have_manifest ? "unknown" : rec->interrupted ? "interrupted" : "complete");
	row[15] = tr_val_int((int64_t)es->events);
	row[16] = tr_val_int((int64_t)es->lost);
	row[17] = tr_val_int((int64_t)rec->stats.frames_bad);
	row[18] = tr_val_int((int64_t)tr_replay__warnings(r));
	row[20] = tr_val_int(x->o->detections_only);
	row[21] = tr_val_int(1);
	row[22] = tr_val_cstr("tracee-analyze " TR_VERSION);
	row[23] = tr_val_int((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
	x->st->damage = damage;
	x->st->damaged = damage || rec->stats.frames_bad;
	rc = damage_json(x, damage, &dmg, &row[24]);
	if (!rc)
		rc = insert(x, TR_TAB_RECORDINGS, row);
	tr_buf__free(&opts);
	tr_buf__free(&dmg);
	if (!rc && rec->have_manifest)
		rc = file_rows(x, "segment", m->segments, m->nsegments);
	if (!rc && rec->have_manifest)
		rc = file_rows(x, "pcap", m->pcaps, m->npcaps);
	return rc;
}

/* Which recording dir holds: hostname/boot id/start, or its real path. */
static int recording_uid(const struct tr_replay *r, const char *dir, char **uid)
{
	const struct tr_recording *rec = tr_replay__recording(r);
	const struct tr_manifest *m = &rec->manifest;
	char *real;
	int n;

	if (rec->have_manifest) {
		n = asprintf(uid, "%s/%s/%llu", m->hostname ? m->hostname : "", m->boot_id ? m->boot_id : "",
			     (unsigned long long)m->start_boot_ns);
		return n < 0 ? -ENOMEM : 0;
	}
	real = realpath(dir, NULL);
	n = asprintf(uid, "%s", real ? real : dir);
	free(real);
	return n < 0 ? -ENOMEM : 0;
}

int tr_index__recording(struct tr_store *store, const char *dir, const struct tr_index_opts *o,
			struct tr_index_stats *stats, char *err, size_t errlen)
{
	struct ix x = { .store = store, .o = o, .st = stats, .err = err, .errlen = errlen,
			.batch_rows = o->batch_rows ? o->batch_rows : DEFAULT_BATCH };
	/* The index proves the recording whole or names its damage: the
	 * hashes are always checked. */
	struct tr_replay_opts ro = { .prog = o->prog, .diag = o->diag, .signatures = 1,
				     .progress = o->progress, .progress_ctx = o->progress_ctx,
				     .stop = o->stop, .verify = 1, .warning = on_warning, .warning_ctx = &x,
				     .sigs = o->sigs, .nsigs = o->nsigs, .suppress = o->suppress,
				     .suppress_ctx = o->suppress_ctx };
	struct tr_sink sink = { .event = on_event, .finding = on_finding, .ctx = &x };
	struct tr_replay *r = NULL;
	char *uid = NULL;
	int rc, existed = 0, dropped = 0;

	memset(stats, 0, sizeof(*stats));
	err[0] = '\0';
	rc = tr_replay__open(&r, dir, &ro, err, errlen);
	if (rc)
		return rc;
	x.host = tr_replay__host(r);
	x.replay = r;
	x.catalog = tr_replay__recording(r)->catalog;
	x.rule_of = calloc(x.catalog->n ? x.catalog->n : 1, sizeof(*x.rule_of));
	if (!x.rule_of || (rc = recording_uid(r, dir, &uid))) {
		rc = -ENOMEM;
		goto out;
	}
	/* Names resolve to rules once, not per event. */
	for (size_t i = 0; i < x.catalog->n; i++)
		for (size_t j = 0; j < sizeof(touch_rules) / sizeof(touch_rules[0]); j++)
			if (!strcmp(x.catalog->events[i].name, touch_rules[j].event))
				x.rule_of[i] = &touch_rules[j];

	/* The same recording again replaces its rows; what a crashed run left
	 * under a fresh id goes too. */
	if ((rc = store->ops->recording_id(store, uid, &x.rec, &existed)) ||
	    (rc = store->ops->recording_drop(store, x.rec))) {
		store_fail(&x, rc);
		goto out;
	}
	dropped = 1;
	stats->recording_id = x.rec;
	stats->replaced = existed;
	if ((rc = write_signatures(&x)) || (rc = read_artifacts(&x, dir)))
		goto out;
	{
		char perr[512];
		int prc = tr_convs__read(&x.convs, dir, perr, sizeof(perr));

		if (prc == -ENOMEM) {
			rc = prc;
			goto out;
		}
		if (prc && o->diag)	/* damage in a pcap is the capture's to report; say it here too */
			fprintf(o->diag, "%s: warning: %s; flows get bytes from the packets before it\n", o->prog, perr);
	}
	rc = tr_replay__run(r, &sink, err, errlen);
	if (rc == -EINTR)
		snprintf(err, errlen, "%s: interrupted; the recording was not indexed", dir);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		goto out;
	}
	if ((rc = write_processes(&x, tr_engine__tree(tr_replay__engine(r)))) ||
	    (rc = artifact_rows(&x, dir, tr_engine__tree(tr_replay__engine(r)))) ||
	    (rc = write_recording(&x, r, dir, uid)) ||
	    (rc = write_warnings(&x)))
		goto out;
	if ((rc = store->ops->batch(store)))
		store_fail(&x, rc);
out:
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "%s: out of memory", dir);
	if (rc && dropped) {
		/* Leave no half of it behind. */
		store->ops->recording_drop(store, x.rec);
		store->ops->batch(store);
	}
	if (r)
		tr_replay__summary(r);
	tr_replay__free(r);
	tr_buf__free(&x.args);
	tr_buf__free(&x.data);
	tr_buf__free(&x.path);
	tr_buf__free(&x.newpath);
	tr_buf__free(&x.tmp);
	for (size_t i = 0; i < x.nwarn; i++) {
		free(x.warn[i].file);
		free(x.warn[i].msg);
	}
	free(x.warn);
	tr_convs__free(&x.convs);
	for (size_t i = 0; i < x.narts; i++)
		free(x.arts[i].path);
	free(x.arts);
	for (size_t i = 0; i < x.nusers; i++)
		free(x.users[i].name);
	free(x.users);
	free(x.rule_of);
	free(uid);
	return rc;
}
