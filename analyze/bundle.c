// SPDX-License-Identifier: MIT
/* bundle.c: evidence bundles (analyze/bundle.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bundle.h"
#include "manifest.h"

#define BLOCK 65536

static void hex(const unsigned char *md, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* ---- create ---- */

struct writer {
	struct archive *a;
	json_t *files;
	char *err;
	size_t errlen;
};

static int arch_fail(struct writer *w, const char *what)
{
	snprintf(w->err, w->errlen, "%s: %s", what, archive_error_string(w->a));
	return -EIO;
}

/* One regular file from disk as name, hashed while written. */
static int add_file(struct writer *w, const char *path, const char *name)
{
	struct archive_entry *e = archive_entry_new();
	unsigned char buf[BLOCK], md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char sha[65];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = 0;

	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(w->err, w->errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(w->err, w->errlen, "%s: not a regular file", path);
		goto out;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		rc = arch_fail(w, name);
		goto out;
	}
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(c, buf, (size_t)n);
		if (archive_write_data(w->a, buf, (size_t)n) != n) {
			rc = arch_fail(w, name);
			goto out;
		}
	}
	if (n < 0) {
		rc = -errno;
		snprintf(w->err, w->errlen, "%s: read failed: %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(c, md, NULL);
	hex(md, sha);
	json_array_append_new(w->files, json_pack("{s:s, s:I, s:s}", "path", name, "bytes", (json_int_t)st.st_size,
						  "sha256", sha));
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c);
	archive_entry_free(e);
	return rc;
}

static int add_bytes(struct writer *w, const char *name, const void *p, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(w->a, e) != ARCHIVE_OK || archive_write_data(w->a, p, len) != (la_ssize_t)len)
		rc = arch_fail(w, name);
	archive_entry_free(e);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under dir/rel, in name order, as prefix/rel/... */
static int add_tree(struct writer *w, const char *dir, const char *rel, const char *prefix)
{
	char path[PATH_MAX], name[PATH_MAX], **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dh;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
	if (!(dh = opendir(path))) {
		snprintf(w->err, w->errlen, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	while ((d = readdir(dh))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*nn));

			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n++] = strdup(d->d_name)))
			rc = -ENOMEM;
	}
	closedir(dh);
	if (!rc)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; !rc && i < n; i++) {
		struct stat st;
		char sub[PATH_MAX];

		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]) >= (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path) ||
		    snprintf(name, sizeof(name), "%s/%s", prefix, sub) >= (int)sizeof(name)) {
			rc = -ENAMETOOLONG;
			snprintf(w->err, w->errlen, "%s/%s: path too long", dir, sub);
		} else if (lstat(path, &st)) {
			rc = -errno;
			snprintf(w->err, w->errlen, "%s: %s", path, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = add_tree(w, dir, sub, prefix);
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(w, path, name);
		} else {
			rc = -EINVAL;
			snprintf(w->err, w->errlen, "%s: not a regular file or directory; refused", path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == -ENOMEM)
		snprintf(w->err, w->errlen, "out of memory");
	return rc;
}

static int sign(const char *keyfile, const void *msg, size_t len, unsigned char sig[64], char *err, size_t errlen)
{
	FILE *f = fopen(keyfile, "r");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t siglen = 64;
	int rc = 0;

	if (!f)
		rc = -errno;
	else if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
		rc = -EINVAL;
	else if (!c || EVP_DigestSignInit(c, NULL, NULL, NULL, k) != 1 ||
		 EVP_DigestSign(c, sig, &siglen, msg, len) != 1 || siglen != 64)
		rc = -EIO;
	if (rc)
		snprintf(err, errlen, "%s: %s", keyfile, rc == -EINVAL ? "not a PEM Ed25519 private key" :
			 rc == -EIO ? "signing failed" : strerror(-rc));
	if (f)
		fclose(f);
	EVP_PKEY_free(k);
	EVP_MD_CTX_free(c);
	return rc;
}

static char *utc_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *s;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return asprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec) < 0 ? NULL : s;
}

int tr_bundle__create(const char *out, const struct tr_bundle_opts *o, char *err, size_t errlen)
{
	struct writer w = { .files = json_array(), .err = err, .errlen = errlen };
	json_t *root = NULL, *recs = json_array();
	struct passwd *pw = getpwuid(geteuid());
	char host[256] = "", *tmp = NULL, *now = utc_now(), *text = NULL;
	unsigned char sig[64];
	int rc = 0, fd;

	err[0] = '\0';
	gethostname(host, sizeof(host) - 1);
	if (!w.files || !recs || !now || asprintf(&tmp, "%s.tmp", out) < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		goto out;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(-rc));
		goto out;
	}
	w.a = archive_write_new();
	if (!w.a || archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(w.a) != ARCHIVE_OK || archive_write_open_fd(w.a, fd) != ARCHIVE_OK) {
		rc = arch_fail(&w, out);
		close(fd);
		goto out_unlink;
	}
	/* The recordings, each under recordings/NAME (NAME made unique). */
	for (size_t i = 0; !rc && i < o->nrecordings; i++) {
		const char *dir = o->recordings[i];
		char base[NAME_MAX + 1], prefix[PATH_MAX], *real = realpath(dir, NULL), mpath[PATH_MAX];
		const char *b = strrchr(real ? real : dir, '/');
		struct tr_manifest m;
		char merr[256];
		json_t *r;

		snprintf(base, sizeof(base), "%s", b ? b + 1 : dir);
		snprintf(prefix, sizeof(prefix), "recordings/%s", base);
		for (size_t k = 0, dup = 1; k < i; k++) {
			char *other = realpath(o->recordings[k], NULL);
			const char *ob = strrchr(other ? other : o->recordings[k], '/');

			if (!strcmp(ob ? ob + 1 : o->recordings[k], base))
				snprintf(prefix, sizeof(prefix), "recordings/%s-%zu", base, ++dup);
			free(other);
		}
		snprintf(mpath, sizeof(mpath), "%s/" TR_MANIFEST_NAME, dir);
		r = json_pack("{s:s, s:s}", "path", prefix, "source", real ? real : dir);
		if (!tr_manifest__read(dir, &m, merr, sizeof(merr))) {
			json_object_set_new(r, "hostname", json_string(m.hostname ? m.hostname : ""));
			json_object_set_new(r, "boot_id", json_string(m.boot_id ? m.boot_id : ""));
			json_object_set_new(r, "start_boot_ns", json_integer((json_int_t)m.start_boot_ns));
			tr_manifest__free(&m);
		}
		json_array_append_new(recs, r);
		free(real);
		if (access(mpath, F_OK) && access(dir, F_OK)) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		} else {
			rc = add_tree(&w, dir, "", prefix);
		}
	}
	if (!rc && o->db)
		rc = add_file(&w, o->db, "case.db");
	if (!rc && o->report)
		rc = add_file(&w, o->report, "report.html");
	if (rc)
		goto out_close;
	root = json_pack("{s:s, s:i, s:{s:s, s:s, s:I, s:s, s:s}, s:o, s:o}", "format", "tracee-bundle", "version", 1,
			 "custody", "created", now, "created_by", pw ? pw->pw_name : "", "created_by_uid",
			 (json_int_t)geteuid(), "host", host, "tool", "tracee-analyze " TR_VERSION,
			 "recordings", recs, "files", w.files);
	recs = w.files = NULL;
	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		rc = -ENOMEM;
		goto out_close;
	}
	rc = add_bytes(&w, TR_BUNDLE_MANIFEST, text, strlen(text));
	if (!rc && o->sign_key && !(rc = sign(o->sign_key, text, strlen(text), sig, err, errlen)))
		rc = add_bytes(&w, TR_BUNDLE_SIG, sig, sizeof(sig));
out_close:
	if (archive_write_close(w.a) != ARCHIVE_OK && !rc)
		rc = arch_fail(&w, out);
	archive_write_free(w.a);
	close(fd);
	if (!rc && rename(tmp, out)) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write: %s", out, strerror(-rc));
	}
out_unlink:
	if (rc)
		unlink(tmp);
out:
	if (rc == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	json_decref(root);
	json_decref(recs);
	json_decref(w.files);
	free(text);
	free(now);
	free(tmp);
	return rc;
}

/* ---- verify ---- */

struct seen {
	char *path;
	char sha[65];
	int64_t bytes;
};

struct check {
	struct seen *s;
	size_t n, cap;
	char *manifest;		/* BUNDLE.json bytes */
	size_t manifest_len;
	unsigned char *sig;
	size_t sig_len;
	FILE *report;
	int bad;
};

static int seen_add(struct check *c, const char *path, const unsigned char md[32], int64_t bytes)
{
	if (c->n == c->cap) {
		struct seen *ns = realloc(c->s, (c->cap = c->cap ? c->cap * 2 : 64) * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		c->s = ns;
	}
	if (!(c->s[c->n].path = strdup(path)))
		return -ENOMEM;
	hex(md, c->s[c->n].sha);
	c->s[c->n++].bytes = bytes;
	return 0;
}

static void problem(struct check *c, const char *what, const char *path)
{
	fprintf(c->report, "%s: %s\n", what, path);
	c->bad = 1;
}

/* "./a/b" and "a/b" are the same member. */
static const char *member(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

static int check_sig(struct check *c, const char *pubkey, char *err, size_t errlen)
{
	FILE *f;
	EVP_PKEY *k;
	EVP_MD_CTX *m;
	int ok;

	if (!pubkey) {
		if (c->sig)	/* not a problem: a note, on stderr */
			fprintf(stderr, "note: %s present, not checked (no --pubkey)\n", TR_BUNDLE_SIG);
		return 0;
	}
	if (!(f = fopen(pubkey, "r"))) {
		snprintf(err, errlen, "%s: cannot open: %s", pubkey, strerror(errno));
		return -errno;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		snprintf(err, errlen, "%s: not a PEM Ed25519 public key", pubkey);
		return -EINVAL;
	}
	if (!c->sig || !c->manifest) {
		EVP_PKEY_free(k);
		problem(c, "unsigned", TR_BUNDLE_SIG " is missing");
		return 0;
	}
	m = EVP_MD_CTX_new();
	ok = m && EVP_DigestVerifyInit(m, NULL, NULL, NULL, k) == 1 &&
	     EVP_DigestVerify(m, c->sig, c->sig_len, (const unsigned char *)c->manifest, c->manifest_len) == 1;
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	if (!ok)
		problem(c, "bad signature", TR_BUNDLE_MANIFEST);
	return 0;
}

/* Compare what was seen with BUNDLE.json. */
static int judge(struct check *c, const char *pubkey, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *files, *f;
	unsigned char *listed;
	size_t i;
	int rc;

	if (!c->manifest) {
		problem(c, "missing", TR_BUNDLE_MANIFEST);
		for (i = 0; i < c->n; i++)
			problem(c, "unlisted", c->s[i].path);
		return 0;
	}
	root = json_loadb(c->manifest, c->manifest_len, 0, &je);
	files = root ? json_object_get(root, "files") : NULL;
	if (!json_is_array(files) || strcmp(json_string_value(json_object_get(root, "format")) ?: "", "tracee-bundle")) {
		json_decref(root);
		problem(c, "not a bundle manifest", TR_BUNDLE_MANIFEST);
		return 0;
	}
	listed = calloc(c->n + 1, 1);
	if (!listed) {
		json_decref(root);
		return -ENOMEM;
	}
	json_array_foreach(files, i, f) {
		const char *p = json_string_value(json_object_get(f, "path"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		json_int_t bytes = json_integer_value(json_object_get(f, "bytes"));
		size_t k;

		if (!p || !sha) {
			problem(c, "bad entry in", TR_BUNDLE_MANIFEST);
			continue;
		}
		for (k = 0; k < c->n && strcmp(c->s[k].path, p); k++)
			;
		if (k == c->n) {
			problem(c, "missing", p);
			continue;
		}
		listed[k] = 1;
		if (strcmp(c->s[k].sha, sha) || c->s[k].bytes != bytes)
			problem(c, "changed", p);
	}
	for (i = 0; i < c->n; i++)
		if (!listed[i])
			problem(c, "added", c->s[i].path);
	free(listed);
	json_decref(root);
	rc = check_sig(c, pubkey, err, errlen);
	return rc;
}

static void check_free(struct check *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->s[i].path);
	free(c->s);
	free(c->manifest);
	free(c->sig);
}

/* Read the data of the current entry: hashed, and kept when keep. */
static int read_entry(struct archive *a, unsigned char md[32], int64_t *bytes, char **keep, size_t *keeplen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char buf[BLOCK];
	la_ssize_t n;
	size_t cap = 0;
	int rc = 0;

	*bytes = 0;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(c, buf, (size_t)n);
		*bytes += n;
		if (keep && *bytes <= (1 << 26)) {
			if (*keeplen + (size_t)n > cap) {
				char *nk = realloc(*keep, cap = (*keeplen + (size_t)n) * 2);

				if (!nk) {
					rc = -ENOMEM;
					break;
				}
				*keep = nk;
			}
			memcpy(*keep + *keeplen, buf, (size_t)n);
			*keeplen += (size_t)n;
		}
	}
	if (n < 0)
		rc = -EIO;
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	return rc;
}

static struct archive *open_bundle(const char *bundle, char *err, size_t errlen)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, bundle, BLOCK) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", bundle, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int tr_bundle__verify(const char *bundle, const char *pubkey, FILE *report, char *err, size_t errlen)
{
	struct check c = { .report = report };
	struct archive_entry *e;
	struct archive *a;
	int rc = 0, r, nentries = 0;

	err[0] = '\0';
	if (access(bundle, R_OK)) {
		snprintf(err, errlen, "%s: cannot open: %s", bundle, strerror(errno));
		return -errno;
	}
	if (!(a = open_bundle(bundle, err, errlen))) {
		/* readable, but not as a bundle: damaged before its first member */
		fprintf(report, "damaged: %s (%s)\n", bundle, err);
		return 1;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = member(archive_entry_pathname(e));
		unsigned char md[32];
		int64_t bytes;

		nentries++;
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (archive_entry_filetype(e) != AE_IFREG) {
			problem(&c, "added (not a regular file)", p);
			continue;
		}
		if (!strcmp(p, TR_BUNDLE_MANIFEST))
			rc = read_entry(a, md, &bytes, &c.manifest, &c.manifest_len);
		else if (!strcmp(p, TR_BUNDLE_SIG))
			rc = read_entry(a, md, &bytes, (char **)&c.sig, &c.sig_len);
		else if (!(rc = read_entry(a, md, &bytes, NULL, NULL)))
			rc = seen_add(&c, p, md, bytes);
		if (rc == -EIO) {
			fprintf(report, "damaged: %s (%s)\n", p, archive_error_string(a));
			c.bad = 1;
			break;
		}
		if (rc)
			break;
	}
	if (!rc && r != ARCHIVE_EOF) {
		fprintf(report, "damaged: %s after %d entries (%s)\n", bundle, nentries, archive_error_string(a));
		c.bad = 1;
	}
	archive_read_free(a);
	if (!rc || rc == -EIO)
		rc = judge(&c, pubkey, err, errlen);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	check_free(&c);
	return rc < 0 ? rc : c.bad;
}

/* ---- extract ---- */

/* A relative path without "..", "." games or empty parts. */
static int safe_path(const char *p)
{
	const char *s = p;

	if (!*p || *p == '/')
		return 0;
	while (*s) {
		size_t n = strcspn(s, "/");

		if ((n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
		while (*s == '/')
			s++;
	}
	return 1;
}

/* Does link target t, in the directory of entry p, stay inside? */
static int link_inside(const char *p, const char *t)
{
	int depth = 0;
	const char *s;

	if (*t == '/')
		return 0;
	for (s = p; *s; s++)	/* directories above p's */
		depth += *s == '/' && s[1] && s[1] != '/';
	for (s = t; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n && !(n == 1 && s[0] == '.')) {
			depth++;
		}
		s += n;
		while (*s == '/')
			s++;
	}
	return 1;
}

/* The parents of path, as mkdir -p makes them, mode 0700. */
static void mkdir_parents(const char *path)
{
	char *p = strdup(path);

	for (char *q = p ? p + 1 : NULL; q && *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0700);
		*q = '/';
	}
	free(p);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static int hash_tree(struct check *c, const char *root, const char *rel)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dh;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(dh = opendir(path)))
		return -errno;
	while (!rc && (d = readdir(dh))) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", d->d_name) >= (int)sizeof(sub) ||
		    snprintf(full, sizeof(full), "%s/%s", root, sub) >= (int)sizeof(full))
			rc = -ENAMETOOLONG;
		else if (lstat(full, &st))
			rc = -errno;
		else if (S_ISDIR(st.st_mode))
			rc = hash_tree(c, root, sub);
		else if (S_ISREG(st.st_mode)) {
			int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			unsigned char buf[BLOCK], md[32];
			EVP_MD_CTX *m = EVP_MD_CTX_new();
			char **keep = NULL;
			size_t *keeplen = NULL;
			ssize_t n;

			if (fd < 0) {
				EVP_MD_CTX_free(m);
				rc = -errno;
				break;
			}
			if (!strcmp(sub, TR_BUNDLE_MANIFEST)) {
				keep = &c->manifest;
				keeplen = &c->manifest_len;
			} else if (!strcmp(sub, TR_BUNDLE_SIG)) {
				keep = (char **)&c->sig;
				keeplen = &c->sig_len;
			}
			EVP_DigestInit_ex(m, EVP_sha256(), NULL);
			while ((n = read(fd, buf, sizeof(buf))) > 0) {
				EVP_DigestUpdate(m, buf, (size_t)n);
				if (keep) {
					char *nk = realloc(*keep, *keeplen + (size_t)n);

					if (!nk) {
						rc = -ENOMEM;
						break;
					}
					*keep = nk;
					memcpy(nk + *keeplen, buf, (size_t)n);
					*keeplen += (size_t)n;
				}
			}
			EVP_DigestFinal_ex(m, md, NULL);
			EVP_MD_CTX_free(m);
			close(fd);
			if (!rc && !keep)
				rc = seen_add(c, sub, md, st.st_size);
		} else {
			problem(c, "added (not a regular file)", sub);
		}
	}
	closedir(dh);
	return rc;
}

int tr_bundle__extract(const char *bundle, const char *dir, const char *pubkey, FILE *report, char *err,
		       size_t errlen)
{
	struct check c = { .report = report };
	struct archive *a, *disk = NULL;
	struct archive_entry *e;
	int rc = 0, r, made = 0, refused = 0;
	char *realdir = NULL;
	mode_t old_umask;
	DIR *dh;

	err[0] = '\0';
	mkdir_parents(dir);
	if (mkdir(dir, 0700) == 0) {
		made = 1;
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
		return -errno;
	} else if ((dh = opendir(dir))) {
		struct dirent *d;
		int n = 0;

		while ((d = readdir(dh)))
			n += strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
		closedir(dh);
		if (n) {
			snprintf(err, errlen, "%s: not empty", dir);
			return -EEXIST;
		}
	}
	if (!(a = open_bundle(bundle, err, errlen))) {
		rc = -EIO;
		goto out;
	}
	disk = archive_write_disk_new();
	/* Names are checked above and put under the real path of dir; on
	 * disk, libarchive still refuses to write through a symlink. */
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					     ARCHIVE_EXTRACT_NO_OVERWRITE);
	if (!(realdir = realpath(dir, NULL))) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		archive_write_free(disk);
		archive_read_free(a);
		goto out;
	}
	old_umask = umask(077);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = member(archive_entry_pathname(e));
		unsigned type = archive_entry_filetype(e);
		const char *link = archive_entry_symlink(e), *hard = archive_entry_hardlink(e);
		char target[PATH_MAX];
		const void *buf;
		size_t len;
		la_int64_t off;

		if (!safe_path(p)) {
			fprintf(report, "refused: %s (absolute or with \"..\")\n", p);
			refused = 1;
			break;
		}
		if (hard) {
			fprintf(report, "refused: %s (a hard link)\n", p);
			refused = 1;
			break;
		}
		if (type == AE_IFLNK && (!link || !link_inside(p, link))) {
			fprintf(report, "refused: %s (a symbolic link to %s, outside)\n", p, link ? link : "?");
			refused = 1;
			break;
		}
		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
			fprintf(report, "refused: %s (a device, FIFO or socket)\n", p);
			refused = 1;
			break;
		}
		if (snprintf(target, sizeof(target), "%s/%s", realdir, p) >= (int)sizeof(target)) {
			fprintf(report, "refused: %s (path too long)\n", p);
			refused = 1;
			break;
		}
		archive_entry_set_pathname(e, target);
		archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
		if (archive_write_header(disk, e) != ARCHIVE_OK) {
			fprintf(report, "refused: %s (%s)\n", p, archive_error_string(disk));
			refused = 1;
			break;
		}
		while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(disk, buf, len, off) != ARCHIVE_OK) {
				r = ARCHIVE_FATAL;
				break;
			}
		if (r != ARCHIVE_EOF) {
			fprintf(report, "damaged: %s (%s)\n", p, archive_error_string(a));
			c.bad = 1;
			break;
		}
		archive_write_finish_entry(disk);
	}
	if (!refused && !c.bad && r != ARCHIVE_EOF) {
		fprintf(report, "damaged: %s (%s)\n", bundle, archive_error_string(a));
		c.bad = 1;
	}
	umask(old_umask);
	archive_write_free(disk);
	archive_read_free(a);
	if (refused) {
		rc = 1;
		goto out;
	}
	/* Then verify what is on disk. */
	rc = hash_tree(&c, dir, "");
	if (!rc)
		rc = judge(&c, pubkey, err, errlen);
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
	if (!rc)
		rc = c.bad;
out:
	if (refused && made)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(realdir);
	check_free(&c);
	return rc;
}
