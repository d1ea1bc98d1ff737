// SPDX-License-Identifier: MIT
/* sigplugin.c: out-of-tree signatures from shared objects (replay/sigplugin.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigplugin.h"

struct tr_sigplugins {
	void **h;
	size_t n, cap;
};

typedef const struct tr_signature *const *(*table_fn)(size_t *n);

/* Who may have written st: nobody but root or us, and not group/others. */
static const char *unsafe(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "is owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "is writable by group or others";
	return NULL;
}

static int keep(struct tr_sigplugins *pl, void *h)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 8;
		void **v = realloc(pl->h, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pl->h = v;
		pl->cap = cap;
	}
	pl->h[pl->n++] = h;
	return 0;
}

static int load_one(struct tr_sigplugins *pl, const char *path, int (*add)(void *, const struct tr_signature *),
		    void *ctx, char *err, size_t errlen)
{
	const struct tr_signature *const *tab;
	const uint32_t *abi;
	struct stat st;
	const char *why;
	table_fn fn;
	char msg[512];
	size_t n = 0;
	void *h;
	int rc;

	if (lstat(path, &st)) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (refused)", path);
		return -EPERM;
	}
	if ((why = unsafe(&st))) {
		snprintf(err, errlen, "%s: %s (refused: a plugin runs with our privileges)", path, why);
		return -EPERM;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "%s: cannot load: %s", path, dlerror());
		return -ENOEXEC;
	}
	abi = dlsym(h, "tr_sig_plugin_abi");
	*(void **)&fn = dlsym(h, "tr_sig_plugin_table");
	if (!abi || !fn) {
		snprintf(err, errlen, "%s: does not export %s (refused)", path,
			 !abi ? "tr_sig_plugin_abi" : "tr_sig_plugin_table");
		dlclose(h);
		return -ENOENT;
	}
	if (*abi != TR_SIG_ABI_VERSION) {
		snprintf(err, errlen, "%s: built for signature ABI %u, this build has %u (refused: rebuild it "
			 "against this signature.h)", path, *abi, TR_SIG_ABI_VERSION);
		dlclose(h);
		return -EPROTO;
	}
	tab = fn(&n);
	if (!tab || !n || n > TR_SIGPLUGIN_MAX) {
		snprintf(err, errlen, "%s: its table has %zu signatures%s (refused)", path, n,
			 tab ? "" : " and no array");
		dlclose(h);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (tr_sig__validate(tab[i], msg, sizeof(msg))) {
			snprintf(err, errlen, "%s: table entry %zu: %s (refused)", path, i, msg);
			dlclose(h);
			return -EINVAL;
		}
	rc = keep(pl, h);
	if (rc) {
		dlclose(h);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		rc = add(ctx, tab[i]);
		if (rc) {
			snprintf(err, errlen, "%s: %s: cannot add it (refused)", path, tab[i]->id);
			return rc;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tr_sigplugins__load_dir(struct tr_sigplugins **plp, const char *dir,
			    int (*add)(void *ctx, const struct tr_signature *s), void *ctx, char *err, size_t errlen)
{
	struct tr_sigplugins *pl = *plp;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	const char *why;
	DIR *d;
	int rc = 0;

	if (!pl && !(pl = *plp = calloc(1, sizeof(*pl))))
		return -ENOMEM;
	if (stat(dir, &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if ((why = unsafe(&st))) {
		snprintf(err, errlen, "%s: %s (refused: anyone could put a plugin there)", dir, why);
		return -EPERM;
	}
	d = opendir(dir);
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		return rc;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 4 || strcmp(de->d_name + l - 3, ".so"))
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 16;
			char **v = realloc(names, c * sizeof(*v));

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			names = v;
			cap = c;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!rc && n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; !rc && i < n; i++)
		rc = load_one(pl, names[i], add, ctx, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

void tr_sigplugins__free(struct tr_sigplugins *pl)
{
	if (!pl)
		return;
	for (size_t i = 0; i < pl->n; i++)
		dlclose(pl->h[i]);
	free(pl->h);
	free(pl);
}
