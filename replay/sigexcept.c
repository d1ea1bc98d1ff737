// SPDX-License-Identifier: MIT
/* sigexcept.c: exceptions to findings (replay/sigexcept.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "sigexcept.h"

enum key {
	K_SIGNATURE,
	K_EXE,
	K_COMM,
	K_ANCESTOR,
	K_CONTAINER,
	K_USER,
	K_ARG,
};

static const char *const key_names[] = {
	[K_SIGNATURE] = "signature", [K_EXE] = "exe", [K_COMM] = "comm", [K_ANCESTOR] = "ancestor",
	[K_CONTAINER] = "container", [K_USER] = "user", [K_ARG] = "arg.",
};

#define ALT_MAX 16
#define COND_MAX 16
#define ANCESTORS_MAX 64

struct cond {
	enum key key;
	char *arg;		/* K_ARG: the data key */
	char *alts[ALT_MAX];	/* globs, any of */
	size_t nalts;
};

struct exception {
	char *name;
	struct cond c[COND_MAX];
	size_t n;
	uint64_t hits;
};

struct tr_exceptions {
	struct exception *v;
	size_t n, cap;
};

struct tr_exceptions *tr_exceptions__new(void)
{
	return calloc(1, sizeof(struct tr_exceptions));
}

static void exception_free(struct exception *e)
{
	free(e->name);
	for (size_t i = 0; i < e->n; i++) {
		free(e->c[i].arg);
		for (size_t j = 0; j < e->c[i].nalts; j++)
			free(e->c[i].alts[j]);
	}
}

void tr_exceptions__free(struct tr_exceptions *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		exception_free(&x->v[i]);
	free(x->v);
	free(x);
}

size_t tr_exceptions__count(const struct tr_exceptions *x)
{
	return x ? x->n : 0;
}

uint64_t tr_exceptions__hits(const struct tr_exceptions *x, size_t i)
{
	return i < x->n ? x->v[i].hits : 0;
}

/* The next word of *p (a quoted one may hold spaces); NULL at the end. */
static char *next_word(const char **p, char *err, size_t errlen, int *bad)
{
	const char *s = *p, *start;
	char *out;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#')
		return NULL;
	out = malloc(strlen(s) + 1);
	if (!out) {
		*bad = -ENOMEM;
		return NULL;
	}
	for (start = s; *s && *s != ' ' && *s != '\t'; s++) {
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				out[n++] = *s;
			if (!*s) {
				snprintf(err, errlen, "unterminated quote in '%s'", start);
				free(out);
				*bad = -EINVAL;
				return NULL;
			}
			continue;
		}
		out[n++] = *s;
	}
	out[n] = '\0';
	*p = s;
	return out;
}

static int parse_cond(struct cond *c, char *word, char *err, size_t errlen)
{
	char *eq = strchr(word, '='), *v, *save = NULL;
	size_t klen;

	if (!eq || eq == word) {
		snprintf(err, errlen, "'%s' is not KEY=VALUE", word);
		return -EINVAL;
	}
	klen = (size_t)(eq - word);
	c->key = (enum key)-1;
	for (size_t k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++)
		if (k == K_ARG ? klen > 4 && !strncmp(word, "arg.", 4)
			       : strlen(key_names[k]) == klen && !strncmp(word, key_names[k], klen))
			c->key = (enum key)k;
	if (c->key == (enum key)-1) {
		snprintf(err, errlen, "unknown key '%.*s' (signature, exe, comm, ancestor, container, user, "
			 "arg.NAME)", (int)klen, word);
		return -EINVAL;
	}
	if (c->key == K_ARG && !(c->arg = strndup(word + 4, klen - 4)))
		return -ENOMEM;
	if (!eq[1]) {
		snprintf(err, errlen, "'%s' has an empty value", word);
		return -EINVAL;
	}
	for (v = strtok_r(eq + 1, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		if (c->nalts == ALT_MAX) {
			snprintf(err, errlen, "more than %d alternatives for %.*s", ALT_MAX, (int)klen, word);
			return -EINVAL;
		}
		if (c->key == K_CONTAINER && strcmp(v, "host") && strcmp(v, "container") && strcmp(v, "any")) {
			snprintf(err, errlen, "container=%s: host, container or any", v);
			return -EINVAL;
		}
		if (c->key == K_USER && strcmp(v, "root") && strspn(v, "0123456789") != strlen(v)) {
			snprintf(err, errlen, "user=%s: a uid (or root)", v);
			return -EINVAL;
		}
		if (!(c->alts[c->nalts++] = strdup(v)))
			return -ENOMEM;
	}
	return 0;
}

int tr_exceptions__add(struct tr_exceptions *x, const char *line, const char *where, char *err, size_t errlen)
{
	struct exception e = { 0 };
	const char *p = line;
	char *w;
	int bad = 0;

	while ((w = next_word(&p, err, errlen, &bad))) {
		size_t l = strlen(w);

		if (!e.n && !e.name && l > 1 && w[l - 1] == ':' && !strchr(w, '=')) {
			w[l - 1] = '\0';
			e.name = w;
			continue;
		}
		if (e.n == COND_MAX) {
			snprintf(err, errlen, "more than %d conditions", COND_MAX);
			free(w);
			bad = -EINVAL;
			break;
		}
		bad = parse_cond(&e.c[e.n++], w, err, errlen);
		free(w);
		if (bad)
			break;
	}
	if (!bad && !e.n && e.name) {
		snprintf(err, errlen, "exception %s has no conditions", e.name);
		bad = -EINVAL;
	}
	if (bad || !e.n) {
		exception_free(&e);
		return bad;
	}
	if (!e.name && !(e.name = strdup(where))) {
		exception_free(&e);
		return -ENOMEM;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		struct exception *v = realloc(x->v, cap * sizeof(*v));

		if (!v) {
			exception_free(&e);
			return -ENOMEM;
		}
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = e;
	return 0;
}

int tr_exceptions__load(struct tr_exceptions *x, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, where[4200], msg[512];
	size_t cap = 0;
	unsigned no = 0;
	int rc = 0;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(where, sizeof(where), "%s:%u", path, ++no);
		rc = tr_exceptions__add(x, line, where, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "%s: %s", where, msg);
			break;
		}
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read failed", path);
	}
	free(line);
	fclose(f);
	return rc;
}

static int any_glob(const struct cond *c, const char *s)
{
	for (size_t i = 0; i < c->nalts; i++)
		if (!fnmatch(c->alts[i], s, 0))
			return 1;
	return 0;
}

static int cond_match(const struct cond *c, const struct tr_finding *f, const struct tr_proctree *tree)
{
	const struct tr_proc_node *p = f->proc;
	char buf[64];

	switch (c->key) {
	case K_SIGNATURE:
		return any_glob(c, f->sig->id) || any_glob(c, f->sig->name);
	case K_EXE:
		return p && p->exe.p && any_glob(c, p->exe.p);
	case K_COMM:
		if (f->ev->kind == TR_VIEW_EVENT) {
			snprintf(buf, sizeof(buf), "%.16s", f->ev->ev->comm);
			return any_glob(c, buf);
		}
		return p && any_glob(c, p->comm);
	case K_ANCESTOR:
		for (int d = 0; p && tree && d < ANCESTORS_MAX; d++) {
			p = tr_proctree__parent(tree, p);
			if (p && p->exe.p && any_glob(c, p->exe.p))
				return 1;
		}
		return 0;
	case K_CONTAINER: {
		int in = tr_view__container(f->ev);

		for (size_t i = 0; i < c->nalts; i++)
			if (!strcmp(c->alts[i], "any") || !strcmp(c->alts[i], in ? "container" : "host"))
				return 1;
		return 0;
	}
	case K_USER: {
		uint32_t uid = f->ev->kind == TR_VIEW_EVENT ? f->ev->ev->uid : p ? p->uid : (uint32_t)-1;

		for (size_t i = 0; i < c->nalts; i++)
			if ((uint32_t)strtoul(!strcmp(c->alts[i], "root") ? "0" : c->alts[i], NULL, 10) == uid)
				return 1;
		return 0;
	}
	case K_ARG:
		for (size_t i = 0; i < f->ndata; i++) {
			const struct tr_kv *kv = &f->data[i];
			char val[4200];

			if (strcmp(kv->key, c->arg))
				continue;
			if (kv->type == TR_KV_STR)
				snprintf(val, sizeof(val), "%.*s", (int)kv->s.len, (const char *)kv->s.p);
			else if (kv->type == TR_KV_INT)
				snprintf(val, sizeof(val), "%lld", (long long)kv->i);
			else
				snprintf(val, sizeof(val), "%llu", (unsigned long long)kv->u);
			return any_glob(c, val);
		}
		return 0;
	}
	return 0;
}

int tr_exceptions__match(void *ctx, const struct tr_finding *f, const struct tr_proctree *tree)
{
	struct tr_exceptions *x = ctx;

	for (size_t i = 0; i < x->n; i++) {
		struct exception *e = &x->v[i];
		size_t k;

		for (k = 0; k < e->n && cond_match(&e->c[k], f, tree); k++)
			;
		if (k == e->n) {
			e->hits++;
			return 1;
		}
	}
	return 0;
}

void tr_exceptions__summary(const struct tr_exceptions *x, FILE *out, const char *prog)
{
	uint64_t total = 0;

	for (size_t i = 0; x && i < x->n; i++) {
		fprintf(out, "%s: exception %s suppressed %llu finding%s\n", prog, x->v[i].name,
			(unsigned long long)x->v[i].hits, x->v[i].hits == 1 ? "" : "s");
		total += x->v[i].hits;
	}
	if (x && x->n)
		fprintf(out, "%s: %llu finding%s suppressed by %zu exception%s\n", prog, (unsigned long long)total,
			total == 1 ? "" : "s", x->n, x->n == 1 ? "" : "s");
}
