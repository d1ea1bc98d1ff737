// SPDX-License-Identifier: MIT
/* sigutil.c: helpers shared by the built-in signatures (sigutil.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "catalog.h"
#include "sigutil.h"

/* Where each event keeps its paths: one row per event, read by name. */
struct fsrc {
	uint32_t id;
	const char *path;	/* the (old) path */
	const char *dirfd;	/* NULL: relative to the cwd */
	const char *path2;	/* a rename's new path */
	const char *dirfd2;
	const char *flags;	/* open flags */
	const char *mode;	/* chmod mode */
	unsigned op;		/* for path; 0: from the open flags */
};

static const struct fsrc fsrcs[] = {
	{ TR_EV_SECURITY_FILE_OPEN, "pathname", NULL, NULL, NULL, "flags", NULL, 0 },
	{ TR_EV_OPENAT, "pathname", "dirfd", NULL, NULL, "flags", NULL, 0 },
	{ TR_EV_OPEN, "pathname", NULL, NULL, NULL, "flags", NULL, 0 },
	{ TR_EV_SECURITY_INODE_RENAME, "old_path", NULL, "new_path", NULL, NULL, NULL, TR_FOP_RENAME_FROM },
	{ TR_EV_RENAME, "oldpath", NULL, "newpath", NULL, NULL, NULL, TR_FOP_RENAME_FROM },
	{ TR_EV_RENAMEAT, "oldpath", "olddirfd", "newpath", "newdirfd", NULL, NULL, TR_FOP_RENAME_FROM },
	{ TR_EV_RENAMEAT2, "oldpath", "olddirfd", "newpath", "newdirfd", NULL, NULL, TR_FOP_RENAME_FROM },
	{ TR_EV_SECURITY_INODE_UNLINK, "pathname", NULL, NULL, NULL, NULL, NULL, TR_FOP_UNLINK },
	{ TR_EV_UNLINK, "pathname", NULL, NULL, NULL, NULL, NULL, TR_FOP_UNLINK },
	{ TR_EV_UNLINKAT, "pathname", "dirfd", NULL, NULL, NULL, NULL, TR_FOP_UNLINK },
	{ TR_EV_TRUNCATE, "path", NULL, NULL, NULL, NULL, NULL, TR_FOP_TRUNC },
	{ TR_EV_CHMOD, "pathname", NULL, NULL, NULL, NULL, "mode", TR_FOP_CHMOD },
	{ TR_EV_FCHMODAT, "pathname", "dirfd", NULL, NULL, NULL, "mode", TR_FOP_CHMOD },
	{ TR_EV_MAGIC_WRITE, "pathname", NULL, NULL, NULL, NULL, NULL, TR_FOP_MAGIC },
};

#define S TR_WIRES_STR
#define I TR_WIRES_INT
const struct tr_sig_arg tr_sigu_file_args[TR_SIGU_NFILE_ARGS] = {
	{ "security_file_open", "pathname", S }, { "security_file_open", "flags", I },
	{ "openat", "pathname", S }, { "openat", "dirfd", I }, { "openat", "flags", I },
	{ "open", "pathname", S }, { "open", "flags", I },
	{ "security_inode_rename", "old_path", S }, { "security_inode_rename", "new_path", S },
	{ "rename", "oldpath", S }, { "rename", "newpath", S },
	{ "renameat", "oldpath", S }, { "renameat", "newpath", S },
	{ "renameat", "olddirfd", I }, { "renameat", "newdirfd", I },
	{ "renameat2", "oldpath", S }, { "renameat2", "newpath", S },
	{ "renameat2", "olddirfd", I }, { "renameat2", "newdirfd", I },
	{ "security_inode_unlink", "pathname", S },
	{ "unlink", "pathname", S }, { "unlinkat", "pathname", S }, { "unlinkat", "dirfd", I },
	{ "truncate", "path", S },
	{ "chmod", "pathname", S }, { "chmod", "mode", I },
	{ "fchmodat", "pathname", S }, { "fchmodat", "dirfd", I }, { "fchmodat", "mode", I },
	{ "magic_write", "pathname", S },
	{ "sched_process_exec", "pathname", S }, { "sched_process_exec", "cmdpath", S },
};
#undef S
#undef I

static const struct fsrc *fsrc_of(uint32_t id)
{
	for (size_t i = 0; i < TR_SIGU_NELEM(fsrcs); i++)
		if (fsrcs[i].id == id)
			return &fsrcs[i];
	return NULL;
}

/* arg made absolute (dirfd AT_FDCWD or absent, or an absolute path). */
static int fact_path(const struct tr_event_view *v, const char *arg, const char *dirfd, struct tr_fact *f)
{
	const uint8_t *p;
	uint32_t len;
	int n;

	if (!tr_view__str(v, arg, &p, &len) || !len)
		return 0;
	if (p[0] != '/' && dirfd && tr_view__i64(v, dirfd, AT_FDCWD) != AT_FDCWD)
		return 0;	/* relative to a directory fd: not known here */
	n = tr_proctree__resolve(v->proc, v->ev->h.ts, p, len, f->path, sizeof(f->path));
	if (n < 0)
		return 0;
	f->plen = n;
	return 1;
}

static int file_facts(const struct tr_event_view *v, struct tr_fact out[2])
{
	const struct fsrc *s;
	int n = 0;

	if (v->kind != TR_VIEW_EVENT || !(s = fsrc_of(v->def->id)))
		return 0;
	if ((v->def->sets & TR_SET_SYSCALL) && v->ev->retval < 0)
		return 0;
	out[0].flags = -1;
	out[0].mode = 0;
	out[0].op = s->op;
	if (s->flags) {
		int32_t fl = (int32_t)tr_view__i64(v, s->flags, 0);
		int acc = fl & O_ACCMODE;

		out[0].flags = fl;
		out[0].op = acc == O_RDONLY ? TR_FOP_READ : acc == O_WRONLY ? TR_FOP_WRITE
								 : TR_FOP_READ | TR_FOP_WRITE;
		if (fl & (O_CREAT | O_TRUNC))
			out[0].op |= TR_FOP_WRITE;
		if (fl & O_TRUNC)
			out[0].op |= TR_FOP_TRUNC;
	}
	if (s->mode)
		out[0].mode = (uint32_t)tr_view__u64(v, s->mode, 0);
	n = fact_path(v, s->path, s->dirfd, &out[0]);
	if (s->path2) {
		struct tr_fact *f = &out[n];

		f->flags = -1;
		f->mode = 0;
		f->op = TR_FOP_RENAME_TO;
		n += fact_path(v, s->path2, s->dirfd2, f);
	}
	return n;
}

/* The facts of the event being dispatched, shared by every signature that
 * asks (a path resolved once, not once per signature). The key is the
 * event as the engine numbers it. */
static struct {
	const struct tr_event_view *v;
	uint64_t ordinal, ts, gen;
	uint32_t id;
	int n;
	struct tr_fact f[2];
} facts_cache;

int tr_sigu__file_facts(const struct tr_event_view *v, const struct tr_fact **out)
{
	if (v->kind != TR_VIEW_EVENT) {
		*out = facts_cache.f;
		return 0;
	}
	if (facts_cache.v != v || facts_cache.ordinal != v->ordinal || facts_cache.ts != v->ev->h.ts ||
	    facts_cache.id != v->def->id || facts_cache.gen != tr_sig__generation()) {
		facts_cache.gen = tr_sig__generation();
		facts_cache.v = v;
		facts_cache.ordinal = v->ordinal;
		facts_cache.ts = v->ev->h.ts;
		facts_cache.id = v->def->id;
		facts_cache.n = file_facts(v, facts_cache.f);
	}
	*out = facts_cache.f;
	return facts_cache.n;
}

/* fnmatch(3) without flags, for the patterns signatures use ("*", "?",
 * "[a-z0-9]"; "*" crosses "/"), without the locale work glibc does. */
static int class_match(const char **pp, char c)
{
	const char *p = *pp + 1;
	int neg = *p == '!' || *p == '^', hit = 0, first = 1;

	p += neg;
	/* p[1] is read only under a non-NUL p[0], p[2] under p[1] == '-' */
	for (; *p && (first || *p != ']'); first = 0) {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hit |= c >= p[0] && c <= p[2];
			p += 3;
		} else {
			hit |= c == *p++;
		}
	}
	if (!*p)
		return -1;	/* no "]": the "[" is literal */
	*pp = p + 1;
	return hit != neg;
}

static int glob(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '[') {
			const char *q = p;
			int m = class_match(&q, *s);

			if (m > 0) {
				p = q;
				s++;
				continue;
			}
			if (m == 0)
				goto back;
		}
		if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
			continue;
		}
back:
		if (!star_p)
			return 0;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

int tr_sigu__glob_any(const char *const *pats, const char *s)
{
	for (; pats && *pats; pats++)
		if (glob(*pats, s))
			return 1;
	return 0;
}

int tr_sigu__comm_in(const char *comm16, const char *const *list)
{
	for (; list && *list; list++)
		if (!strncmp(comm16, *list, 16))
			return 1;
	return 0;
}

const char *tr_sigu__base(const char *path, size_t len, size_t *blen)
{
	size_t i = len;

	while (i && path[i - 1] != '/')
		i--;
	*blen = len - i;
	return path + i;
}

static const char *op_name(unsigned op)
{
	if (op & TR_FOP_MAGIC)
		return "magic_write";
	if (op & TR_FOP_RENAME_TO)
		return "rename_to";
	if (op & TR_FOP_RENAME_FROM)
		return "rename_from";
	if (op & TR_FOP_UNLINK)
		return "unlink";
	if (op & TR_FOP_CHMOD)
		return "chmod";
	if (op & TR_FOP_TRUNC)
		return "truncate";
	if (op & TR_FOP_WRITE)
		return "open_write";
	return "open_read";
}

int tr_sigu__report_fact(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_fact *f)
{
	struct tr_kv data[3];
	size_t n = 0;

	data[n++] = TR_KV_BYTES("pathname", f->path, f->plen);
	data[n++] = TR_KV_CSTR("operation", op_name(f->op));
	if (f->flags >= 0)
		data[n++] = TR_KV_I64("flags", f->flags);
	else if (f->op & TR_FOP_CHMOD)
		data[n++] = TR_KV_I64("mode", f->mode);
	return tr_sig__report(ctx, v, NULL, data, n);
}

/* An exec of one of r->execs (by the file's name). */
static int exec_rule(struct tr_sig_ctx *ctx, const struct tr_event_view *v, const struct tr_file_rule *r)
{
	const uint8_t *p;
	uint32_t len;
	const char *b;
	size_t bl;

	if (!tr_view__str(v, "pathname", &p, &len) || !len)
		tr_view__str(v, "cmdpath", &p, &len);
	if (!p || !len)
		return 0;
	b = tr_sigu__base((const char *)p, len, &bl);
	for (const char *const *e = r->execs; *e; e++)
		if (strlen(*e) == bl && !memcmp(*e, b, bl)) {
			struct tr_kv data[2] = { TR_KV_BYTES("pathname", p, len), TR_KV_CSTR("operation", "exec") };

			return tr_sig__report(ctx, v, NULL, data, 2);
		}
	return 0;
}

static int exempt(const struct tr_event_view *v, const struct tr_file_rule *r)
{
	return r->exempt && v->kind == TR_VIEW_EVENT && tr_sigu__comm_in(v->ev->comm, r->exempt);
}

int tr_sigu__file_rule(struct tr_sig_ctx *ctx, const struct tr_event_view *v)
{
	const struct tr_file_rule *r = tr_sig__self(ctx)->priv;
	const struct tr_fact *f;
	int n;

	/* The cheap tests first (the operation, the path), the allow-list
	 * of comms only for a match: the outcome is the same. */
	if (r->execs && v->def->id == TR_EV_SCHED_PROCESS_EXEC)
		return exempt(v, r) ? 0 : exec_rule(ctx, v, r);
	n = tr_sigu__file_facts(v, &f);
	for (int i = 0; i < n; i++)
		if ((f[i].op & r->ops) && tr_sigu__glob_any(r->paths, f[i].path))
			return exempt(v, r) ? 0 : tr_sigu__report_fact(ctx, v, &f[i]);
	return 0;
}

unsigned tr_sigu__fact_ops(const struct tr_event_view *v)
{
	const struct tr_fact *f;
	int n = tr_sigu__file_facts(v, &f);
	unsigned ops = 0;

	for (int i = 0; i < n; i++)
		ops |= f[i].op;
	return ops;
}

unsigned tr_sigu__rule_ops(const struct tr_signature *s, uint32_t id)
{
	const struct tr_file_rule *r = s->priv;

	if (s->on_event != tr_sigu__file_rule || !r || !r->ops || (r->execs && id == TR_EV_SCHED_PROCESS_EXEC))
		return 0;
	return r->ops;
}

static int strv_next(const uint8_t **p, const uint8_t *end, const char **s, size_t *len)
{
	const uint8_t *q;

	if (*p >= end)
		return 0;
	q = memchr(*p, 0, (size_t)(end - *p));
	*s = (const char *)*p;
	*len = q ? (size_t)(q - *p) : (size_t)(end - *p);
	*p = q ? q + 1 : end;
	return 1;
}

int tr_sigu__env(const struct tr_event_view *v, const char *name, const char **val, size_t *len)
{
	static const char *const args[] = { "env", "envp" };
	size_t nl = strlen(name);

	for (size_t k = 0; k < TR_SIGU_NELEM(args); k++) {
		const uint8_t *p, *end;
		const char *s;
		uint32_t l;
		size_t sl;

		if (!tr_view__strv(v, args[k], &p, &l))
			continue;
		for (end = p + l; strv_next(&p, end, &s, &sl);)
			if (sl > nl && s[nl] == '=' && !memcmp(s, name, nl)) {
				*val = s + nl + 1;
				*len = sl - nl - 1;
				return 1;
			}
	}
	return 0;
}

int tr_sigu__argv_has(const struct tr_event_view *v, const char *arg, const char *needle)
{
	const uint8_t *p, *end;
	const char *s;
	uint32_t l;
	size_t sl, nl = strlen(needle);

	if (!tr_view__strv(v, arg, &p, &l))
		return 0;
	for (end = p + l; strv_next(&p, end, &s, &sl);)
		if (sl >= nl && memmem(s, sl, needle, nl))
			return 1;
	return 0;
}

int tr_sigu__sockaddr(const struct tr_event_view *v, const char *arg, struct tr_sa *out)
{
	const struct tr_arg_val *a = tr_view__arg(v, arg, TR_WIRE_BIT(TR_T_SOCKADDR));
	sa_family_t fam;

	memset(out, 0, sizeof(*out));
	if (!a || a->b.len < sizeof(fam))
		return 0;
	memcpy(&fam, a->b.p, sizeof(fam));
	out->family = fam;
	if (fam == AF_INET && a->b.len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, a->b.p, sizeof(sin));
		out->port = ntohs(sin.sin_port);
		inet_ntop(AF_INET, &sin.sin_addr, out->addr, sizeof(out->addr));
	} else if (fam == AF_INET6 && a->b.len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, a->b.p, sizeof(sin6));
		out->port = ntohs(sin6.sin6_port);
		inet_ntop(AF_INET6, &sin6.sin6_addr, out->addr, sizeof(out->addr));
	} else if (fam == AF_UNIX) {
		size_t off = offsetof(struct sockaddr_un, sun_path), n = a->b.len > off ? a->b.len - off : 0;
		const char *p = (const char *)a->b.p + off;
		size_t o = 0;

		if (n && !p[0]) {	/* abstract */
			out->addr[o++] = '@';
			p++;
			n--;
		}
		while (n && !p[n - 1])
			n--;
		for (size_t i = 0; i < n && o + 1 < sizeof(out->addr) && p[i]; i++)
			out->addr[o++] = p[i];
		out->addr[o] = '\0';
	}
	return 1;
}

int tr_sigu__connect(const struct tr_event_view *v, struct tr_sa *out, int32_t *fd)
{
	if (v->kind != TR_VIEW_EVENT)
		return 0;
	if (v->def->id == TR_EV_SECURITY_SOCKET_CONNECT) {
		*fd = (int32_t)tr_view__i64(v, "sockfd", -1);
		return tr_sigu__sockaddr(v, "remote_addr", out);
	}
	if (v->def->id == TR_EV_CONNECT) {
		/* a non-blocking connect returns -EINPROGRESS and goes on */
		if (v->ev->retval < 0 && v->ev->retval != -115)
			return 0;
		*fd = (int32_t)tr_view__i64(v, "sockfd", -1);
		return tr_sigu__sockaddr(v, "addr", out);
	}
	return 0;
}
