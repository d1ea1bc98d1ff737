// SPDX-License-Identifier: MIT
/* sigrun.c: the signatures of one run (replay/sigrun.h). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "sigexcept.h"
#include "sigplugin.h"
#include "sigma/sigma.h"
#include "sigrun.h"

struct tr_sigrun {
	const char *prog;
	const struct tr_signature **all;
	size_t nall, capall;
	const struct tr_signature **sel;
	size_t nsel;
	struct tr_exceptions *exc;
	struct tr_sigplugins *plugins;
	struct tr_sigma *sigma;
	int nsigma_paths;
};

static void sigma_warn(void *ctx, const char *file, const char *reason)
{
	struct tr_sigrun *r = ctx;

	fprintf(stderr, "%s: warning: %s: sigma rule refused: %s\n", r->prog, file, reason);
}

static int add(void *ctx, const struct tr_signature *s)
{
	struct tr_sigrun *r = ctx;

	if (r->nall == r->capall) {
		size_t cap = r->capall ? r->capall * 2 : 64;
		const struct tr_signature **v = realloc(r->all, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->all = v;
		r->capall = cap;
	}
	for (size_t i = 0; i < r->nall; i++)
		if (!strcmp(r->all[i]->id, s->id)) {
			tr_diag__error(r->prog, "signature %s (%s) is defined twice; ids must be unique",
				       s->id, s->name);
			return -EEXIST;
		}
	r->all[r->nall++] = s;
	return 0;
}

int tr_sigrun__option(struct tr_sigrun_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	/* the list options: where each keeps its arguments */
	static const struct {
		int c;
		const char *name;
		size_t list, count;
		int kind;
	} lists[] = {
		{ TR_SIGRUN_OPT_DIR, "--signatures-dir", offsetof(struct tr_sigrun_opts, dirs),
		  offsetof(struct tr_sigrun_opts, ndirs), 1 },
		{ TR_SIGRUN_OPT_SIGMA, "--sigma", offsetof(struct tr_sigrun_opts, sigma),
		  offsetof(struct tr_sigrun_opts, nsigma), 1 },
		{ TR_SIGRUN_OPT_EXC_FILE, "--exceptions", offsetof(struct tr_sigrun_opts, exc_files),
		  offsetof(struct tr_sigrun_opts, nexc_files), 2 },
		{ TR_SIGRUN_OPT_EXC_RULE, "--except", offsetof(struct tr_sigrun_opts, exc_rules),
		  offsetof(struct tr_sigrun_opts, nexc_rules), 2 },
	};

	if (c == TR_SIGRUN_OPT_SELECT) {
		o->select = arg;
		return 1;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char **list;
		size_t *n;

		if (lists[i].c != c)
			continue;
		list = (const char **)((char *)o + lists[i].list);
		n = (size_t *)((char *)o + lists[i].count);
		if (*n == TR_SIGRUN_MAX_PATHS) {
			snprintf(err, errlen, "too many %s options", lists[i].name);
			return -E2BIG;
		}
		list[(*n)++] = arg;
		return lists[i].kind;
	}
	return 0;
}

int tr_sigrun__load(struct tr_sigrun **out, const struct tr_sigrun_opts *o)
{
	struct tr_sigrun *r = calloc(1, sizeof(*r));
	const struct tr_signature *const *b;
	char err[512];
	size_t nb;
	int rc;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->prog = o->prog;
	b = tr_signatures__builtin(&nb);
	for (size_t i = 0; i < nb; i++)
		if ((rc = add(r, b[i])))
			goto fail;
	for (size_t i = 0; i < o->ndirs; i++) {
		rc = tr_sigplugins__load_dir(&r->plugins, o->dirs[i], add, r, err, sizeof(err));
		if (rc) {
			tr_diag__error(r->prog, "--signatures-dir: %s", err);
			goto fail;
		}
	}
	if (o->nsigma) {
		const struct tr_signature *const *sg;
		size_t ns;

		r->sigma = tr_sigma__new();
		if (!r->sigma) {
			rc = -ENOMEM;
			goto fail;
		}
		r->nsigma_paths = (int)o->nsigma;
		for (size_t i = 0; i < o->nsigma; i++) {
			rc = tr_sigma__load(r->sigma, o->sigma[i], sigma_warn, r, err, sizeof(err));
			if (rc) {
				tr_diag__error(r->prog, "--sigma: %s", rc == -ENOMEM ? "out of memory" : err);
				goto fail;
			}
		}
		sg = tr_sigma__sigs(r->sigma, &ns);
		for (size_t i = 0; i < ns; i++)
			if ((rc = add(r, sg[i])))
				goto fail;
	}
	r->sel = calloc(r->nall ? r->nall : 1, sizeof(*r->sel));
	if (!r->sel) {
		rc = -ENOMEM;
		goto fail;
	}
	r->exc = tr_exceptions__new();
	if (!r->exc) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < o->nexc_files; i++) {
		rc = tr_exceptions__load(r->exc, o->exc_files[i], err, sizeof(err));
		if (rc) {
			tr_diag__error(r->prog, "--exceptions: %s", err);
			goto fail;
		}
	}
	for (size_t i = 0; i < o->nexc_rules; i++) {
		char where[32];

		snprintf(where, sizeof(where), "--except %zu", i + 1);
		rc = tr_exceptions__add(r->exc, o->exc_rules[i], where, err, sizeof(err));
		if (!rc && !o->exc_rules[i][strspn(o->exc_rules[i], " \t")])
			snprintf(err, sizeof(err), "empty"), rc = -EINVAL;
		if (rc) {
			tr_diag__error(r->prog, "--except '%s': %s", o->exc_rules[i], err);
			goto fail;
		}
	}
	rc = tr_sigs__select(r->all, r->nall, o->select ? o->select : "all", r->sel, &r->nsel, err, sizeof(err));
	if (rc) {
		tr_diag__error(r->prog, "--signatures: %s", err);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	tr_sigrun__free(r);
	return rc;
}

const struct tr_signature *const *tr_sigrun__sigs(const struct tr_sigrun *r, size_t *n)
{
	*n = r->nsel;
	return r->sel;
}

void tr_sigrun__list(const struct tr_sigrun *r, FILE *f)
{
	char status[512];

	fprintf(f, "ID\tSEVERITY\tORIGIN\tMITRE\tNAME\tEVENTS\tSTATUS\n");
	for (size_t i = 0; i < r->nall; i++) {
		const struct tr_signature *s = r->all[i];

		fprintf(f, "%s\t%s%s%s%s\t%s\t%s %s\t%s\t", s->id, tr_severity__name(s->severity),
			s->level ? " (" : "", s->level ? s->level : "", s->level ? ")" : "",
			tr_origin__name(s->origin), s->mitre_id ? s->mitre_id : "-",
			s->mitre_name ? s->mitre_name : "", s->name);
		for (uint32_t j = 0; j < s->nevents; j++)
			fprintf(f, "%s%s", j ? "," : "", s->events[j]);
		fprintf(f, "\t%s\n", tr_sig__status(s, status, sizeof(status)));
	}
}

tr_suppress_fn tr_sigrun__suppress(struct tr_sigrun *r, void **ctx)
{
	*ctx = r->exc;
	return tr_exceptions__count(r->exc) ? tr_exceptions__match : NULL;
}

void tr_sigrun__summary(const struct tr_sigrun *r, FILE *f)
{
	if (r->sigma)
		tr_sigma__summary(r->sigma, f, r->prog);
	tr_exceptions__summary(r->exc, f, r->prog);
}

void tr_sigrun__free(struct tr_sigrun *r)
{
	if (!r)
		return;
	free(r->all);
	free(r->sel);
	tr_exceptions__free(r->exc);
	tr_sigplugins__free(r->plugins);
	tr_sigma__free(r->sigma);
	free(r);
}
