// SPDX-License-Identifier: MIT
/*
 * manifest.c: manifest.json, written and read with jansson
 * (schema/FORMAT.md, "Manifest").
 *
 * Every string goes through the byte-string escape of FORMAT.md ("Byte
 * strings in JSON output"): hostnames and argv are bytes, not text, and JSON
 * can only carry valid UTF-8.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "bytes.h"
#include "fs.h"
#include "manifest.h"
#include "show.h"

/* ---- writing ---- */

static bool tr_path_ok(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *s = p;; s++) {
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || !s[2]))
			return false;
		s = strchr(s, '/');
		if (!s)
			return true;
	}
}

static bool tr_sha256_ok(const char *s)
{
	return strspn(s, "0123456789abcdef") == 64 && !s[64];
}

/* Each builder returns a new value, or NULL when the value cannot be
 * written (missing, out of JSON's range, no memory); json_pack() then fails
 * and releases what it was given. */
static json_t *tr_jbytes(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *e = s ? malloc(TR_BYTES_ESCAPED_MAX(n)) : NULL;
	json_t *j = NULL;

	if (e) {
		tr_bytes__escape(e, s, n);
		j = json_string(e);
	}
	free(e);
	return j;
}

/* jansson integers are int64_t; larger unsigned values cannot be written. */
static json_t *tr_ju64(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : NULL;
}

static json_t *tr_jstrv(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, tr_jbytes(v[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

static json_t *tr_jlost(const uint64_t *lost, size_t n)
{
	json_t *a = json_array();
	uint64_t total = 0;

	for (size_t i = 0; a && i < n; i++)
		if (__builtin_add_overflow(total, lost[i], &total) ||
		    json_array_append_new(a, tr_ju64(lost[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a ? json_pack("{s:o, s:o}", "per_cpu", a, "total", tr_ju64(total)) : NULL;
}

static json_t *tr_jfiles(const struct tr_manifest_file *f, size_t n, bool seg)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		const struct tr_seg_info *in = &f[i].info;
		json_t *o = NULL;

		if (f[i].path && tr_path_ok(f[i].path) && tr_sha256_ok(in->sha256))
			o = json_pack("{s:o, s:o, s:s}", "path", tr_jbytes(f[i].path),
				      "size", tr_ju64(in->bytes), "sha256", in->sha256);
		if (o && seg && (json_object_set_new(o, "frames", tr_ju64(in->frames)) ||
				 json_object_set_new(o, "records", tr_ju64(in->records)))) {
			json_decref(o);
			o = NULL;
		}
		if (json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *tr_jcatalog(const struct tr_catalog *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n; i++) {
		const struct tr_event_def *d = &c->events[i];
		json_t *args = json_array();

		for (unsigned j = 0; args && j < d->nargs && j < TR_MAX_ARGS; j++)
			if (json_array_append_new(args, json_pack("{s:o, s:o, s:s}",
								  "name", tr_jbytes(d->args[j].name),
								  "type", tr_jbytes(d->args[j].type),
								  "wire", tr_wire__name(d->args[j].wire)))) {
				json_decref(args);
				args = NULL;
			}
		if (json_array_append_new(a, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)d->id,
						       "name", tr_jbytes(d->name), "args", args))) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* dir/manifest.json + suffix into buf[PATH_MAX]; -ENAMETOOLONG if it does not fit. */
static int tr_manifest_path(char buf[PATH_MAX], const char *dir, const char *suffix)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s%s", dir, TR_MANIFEST_NAME, suffix);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The manifest describes files this library wrote, so it always says
 * TR_FORMAT_VERSION; m->format_version is what tr_manifest__read found.
 * Every string but end_reason is required (-EINVAL if NULL), and so are
 * valid relative paths and SHA-256 digests of the listed files. */
int tr_manifest__render(const struct tr_manifest *m, char **text, size_t *len)
{
	const struct tr_catalog *cat = m->catalog ? m->catalog : tr_catalog__builtin();
	json_t *root;
	char *t;
	size_t n;

	*text = NULL;
	*len = 0;
	root = json_pack("{s:s, s:i, s:o, s:s, s:o,"
			 " s:{s:o, s:o, s:o, s:I, s:I}, s:{s:o},"
			 " s:o, s:o, s:o, s:o, s:o, s:o}",
			 "format", TR_MANIFEST_FORMAT,
			 "format_version", TR_FORMAT_VERSION,
			 "tool_version", tr_jbytes(m->tool_version),
			 "state", m->state == TR_STATE_COMPLETE ? "complete" : "recording",
			 "end_reason", m->end_reason ? tr_jbytes(m->end_reason) : json_null(),
			 "host",
			 "hostname", tr_jbytes(m->hostname),
			 "kernel_release", tr_jbytes(m->kernel_release),
			 "boot_id", tr_jbytes(m->boot_id),
			 "cpu_count", (json_int_t)m->cpu_count,
			 "boot_to_wall_ns", (json_int_t)m->boot_to_wall_ns,
			 "options", "argv", tr_jstrv(m->argv, m->argc),
			 "start_boot_ns", tr_ju64(m->start_boot_ns),
			 "stop_boot_ns", tr_ju64(m->stop_boot_ns),
			 "segments", tr_jfiles(m->segments, m->nsegments, true),
			 "pcaps", tr_jfiles(m->pcaps, m->npcaps, false),
			 "lost", tr_jlost(m->lost_per_cpu, m->nlost),
			 "catalog", tr_jcatalog(cat));
	if (root && m->lost_unwritten &&
	    json_object_set_new(json_object_get(root, "lost"), "unwritten", tr_ju64(m->lost_unwritten))) {
		json_decref(root);
		root = NULL;
	}
	if (root && m->ncuts &&
	    json_object_set_new(root, "cuts", tr_jfiles(m->cuts, m->ncuts, true))) {
		json_decref(root);
		root = NULL;
	}
	if (root && json_object_set_new(root, "artifacts", tr_jfiles(m->artifacts, m->nartifacts, false))) {
		json_decref(root);
		root = NULL;
	}
	if (!root)
		return -EINVAL;
	t = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(root);
	if (!t)
		return -ENOMEM;
	n = strlen(t);
	*text = realloc(t, n + 2);
	if (!*text) {
		free(t);
		return -ENOMEM;
	}
	memcpy(*text + n, "\n", 2);
	*len = n + 1;
	return 0;
}

int tr_manifest__commit(const char *dir, const char *text, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, err = 0;

	if (tr_manifest_path(path, dir, "") || tr_manifest_path(tmp, dir, ".tmp"))
		return -ENAMETOOLONG;
	/* A .tmp left by a crash is replaced, never reused: O_EXCL gives a
	 * fresh file with our mode and follows no planted symlink. */
	if (unlink(tmp) && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	for (size_t off = 0; !err && off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		err = tr_fsync_path(dir);
out:
	return err;
}

int tr_manifest__write(const char *dir, const struct tr_manifest *m)
{
	char *text;
	size_t len;
	int err = tr_manifest__render(m, &text, &len);

	if (!err)
		err = tr_manifest__commit(dir, text, len);
	free(text);
	return err;
}

/* ---- reading ---- */

#define TR_JNAME 160

struct tr_jr {
	const char *file;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int tr_jbad(struct tr_jr *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err && r->errlen) {
		n = snprintf(r->err, r->errlen, "%s: %s: ", r->file, name);
		if (n >= 0 && (size_t)n < r->errlen) {
			va_start(ap, fmt);
			vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -EBADMSG;
}

/* A field's name for messages ("segments[2].sha256"); one too long for
 * the buffer is cut short, which only shortens a message. */
__attribute__((format(printf, 2, 3)))
static void tr_jname(char name[TR_JNAME], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, TR_JNAME, fmt, ap);
	va_end(ap);
}

/* obj.key (NULL if missing), and its full name in name. */
static json_t *tr_jkey(json_t *obj, const char *where, const char *key, char name[TR_JNAME])
{
	tr_jname(name, "%s%s%s", where, *where ? "." : "", key);
	return json_object_get(obj, key);
}

static int tr_jtype(struct tr_jr *r, json_t *v, const char *name, json_type type)
{
	static const char *const what[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
	};

	if (!v)
		return tr_jbad(r, name, "missing");
	if (json_typeof(v) != type)
		return tr_jbad(r, name, "expected %s", what[type]);
	return 0;
}

static int tr_jstr(struct tr_jr *r, json_t *v, const char *name, char **out)
{
	int err = tr_jtype(r, v, name, JSON_STRING);
	size_t n, len;

	if (err)
		return err;
	n = json_string_length(v);
	if (strlen(json_string_value(v)) != n)
		return tr_jbad(r, name, "contains a NUL character");
	*out = malloc(n + 1);
	if (!*out)
		return -ENOMEM;
	/* Manifest strings are C strings: "\x00" is as bad as a bad escape. */
	if (tr_bytes__unescape(*out, &len, json_string_value(v), n) || memchr(*out, '\0', len)) {
		free(*out);
		*out = NULL;
		return tr_jbad(r, name, "bad byte escape (only \\\\ and \\xhh)");
	}
	return 0;
}

static int tr_jint(struct tr_jr *r, json_t *v, const char *name, json_int_t min, json_int_t max,
		   json_int_t *out)
{
	int err = tr_jtype(r, v, name, JSON_INTEGER);

	if (err)
		return err;
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return tr_jbad(r, name, "%lld is out of range [%lld, %lld]", (long long)*out,
			       (long long)min, (long long)max);
	return 0;
}

/* Check v is an array and allocate *out for its elements (zeroed, so a
 * partly read array frees cleanly); *n is its size. */
static int tr_jarray(struct tr_jr *r, json_t *v, const char *name, size_t elsize, void *out, size_t *n)
{
	int err = tr_jtype(r, v, name, JSON_ARRAY);
	void *p;

	if (err)
		return err;
	p = calloc(json_array_size(v) + 1, elsize);
	if (!p)
		return -ENOMEM;
	memcpy(out, &p, sizeof(p));
	*n = json_array_size(v);
	return 0;
}

static int tr_jfile(struct tr_jr *r, json_t *v, const char *where, bool seg, struct tr_manifest_file *f)
{
	char name[TR_JNAME], show[TR_SHOW_MAX];
	json_t *sha;
	json_int_t n;
	int err;

	if ((err = tr_jtype(r, v, where, JSON_OBJECT)) ||
	    (err = tr_jstr(r, tr_jkey(v, where, "path", name), name, &f->path)))
		return err;
	if (!tr_path_ok(f->path))
		return tr_jbad(r, name, "\"%s\" is not a relative path inside the recording",
			       tr_show(show, f->path, strlen(f->path)));
	if ((err = tr_jint(r, tr_jkey(v, where, "size", name), name, 0, INT64_MAX, &n)))
		return err;
	f->info.bytes = (uint64_t)n;
	sha = tr_jkey(v, where, "sha256", name);
	if ((err = tr_jtype(r, sha, name, JSON_STRING)))
		return err;
	if (!tr_sha256_ok(json_string_value(sha)))
		return tr_jbad(r, name, "expected 64 lowercase hex digits");
	memcpy(f->info.sha256, json_string_value(sha), sizeof(f->info.sha256));
	if (!seg)
		return 0;
	if ((err = tr_jint(r, tr_jkey(v, where, "frames", name), name, 0, INT64_MAX, &n)))
		return err;
	f->info.frames = (uint64_t)n;
	if ((err = tr_jint(r, tr_jkey(v, where, "records", name), name, 0, INT64_MAX, &n)))
		return err;
	f->info.records = (uint64_t)n;
	return 0;
}

static int tr_jfiles_read(struct tr_jr *r, json_t *root, const char *key, bool seg,
			  struct tr_manifest_file **files, size_t *nfiles)
{
	char name[TR_JNAME], el[TR_JNAME];
	json_t *a = tr_jkey(root, "", key, name);
	int err = tr_jarray(r, a, name, sizeof(**files), files, nfiles);

	for (size_t i = 0; !err && i < *nfiles; i++) {
		tr_jname(el, "%s[%zu]", name, i);
		err = tr_jfile(r, json_array_get(a, i), el, seg, &(*files)[i]);
	}
	return err;
}

static int tr_jlost_read(struct tr_jr *r, json_t *root, struct tr_manifest *m)
{
	char name[TR_JNAME], el[TR_JNAME];
	json_t *lost = tr_jkey(root, "", "lost", name), *a;
	json_int_t n, total;
	uint64_t sum = 0;
	int err;

	if ((err = tr_jtype(r, lost, name, JSON_OBJECT)))
		return err;
	a = tr_jkey(lost, "lost", "per_cpu", name);
	if ((err = tr_jarray(r, a, name, sizeof(*m->lost_per_cpu), &m->lost_per_cpu, &m->nlost)))
		return err;
	for (size_t i = 0; i < m->nlost; i++) {
		tr_jname(el, "%s[%zu]", name, i);
		if ((err = tr_jint(r, json_array_get(a, i), el, 0, INT64_MAX, &n)))
			return err;
		m->lost_per_cpu[i] = (uint64_t)n;
		if (__builtin_add_overflow(sum, m->lost_per_cpu[i], &sum))
			return tr_jbad(r, name, "sum out of range");
	}
	if ((err = tr_jint(r, tr_jkey(lost, "lost", "total", name), name, 0, INT64_MAX, &total)))
		return err;
	if ((uint64_t)total != sum)
		return tr_jbad(r, name, "%lld, but per_cpu adds up to %llu", (long long)total,
			       (unsigned long long)sum);
	if (json_object_get(lost, "unwritten")) {
		if ((err = tr_jint(r, tr_jkey(lost, "lost", "unwritten", name), name, 0, INT64_MAX, &total)))
			return err;
		m->lost_unwritten = (uint64_t)total;
	}
	return 0;
}

static int tr_event_def_cmp(const void *a, const void *b)
{
	const struct tr_event_def *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int tr_jevent(struct tr_jr *r, json_t *v, const char *where, struct tr_event_def *d)
{
	char name[TR_JNAME], aname[TR_JNAME], el[TR_JNAME], show[TR_SHOW_MAX], *wire = NULL;
	json_t *args;
	json_int_t n;
	int err;

	if ((err = tr_jtype(r, v, where, JSON_OBJECT)) ||
	    (err = tr_jint(r, tr_jkey(v, where, "id", name), name, 0, UINT32_MAX, &n)) ||
	    (err = tr_jstr(r, tr_jkey(v, where, "name", name), name, (char **)&d->name)))
		return err;
	d->id = (uint32_t)n;
	args = tr_jkey(v, where, "args", aname);
	if ((err = tr_jtype(r, args, aname, JSON_ARRAY)))
		return err;
	if (json_array_size(args) > TR_MAX_ARGS)
		return tr_jbad(r, aname, "%zu arguments, at most %u", json_array_size(args), TR_MAX_ARGS);
	d->nargs = (uint8_t)json_array_size(args);
	for (unsigned j = 0; !err && j < d->nargs; j++) {
		struct tr_arg_def *a = &d->args[j];
		json_t *av = json_array_get(args, j);

		tr_jname(el, "%s[%u]", aname, j);
		if ((err = tr_jtype(r, av, el, JSON_OBJECT)) ||
		    (err = tr_jstr(r, tr_jkey(av, el, "name", name), name, (char **)&a->name)) ||
		    (err = tr_jstr(r, tr_jkey(av, el, "type", name), name, (char **)&a->type)) ||
		    (err = tr_jstr(r, tr_jkey(av, el, "wire", name), name, &wire)))
			return err;
		a->wire = tr_wire__from_name(wire);
		if (!a->wire)
			err = tr_jbad(r, name, "unknown wire type \"%s\"", tr_show(show, wire, strlen(wire)));
		free(wire);
	}
	return err;
}

/* The recording's own catalog, so a newer reader decodes an older recording
 * by the definitions it was made with. */
static int tr_jcatalog_read(struct tr_jr *r, json_t *a, struct tr_manifest *m)
{
	char el[TR_JNAME];
	struct tr_catalog *c = calloc(1, sizeof(*c));
	struct tr_event_def *ev;
	int err;

	if (!c)
		return -ENOMEM;
	m->catalog = c;
	m->catalog_owned = 1;
	if ((err = tr_jarray(r, a, "catalog", sizeof(*ev), &ev, &c->n)))
		return err;
	c->events = ev;
	for (size_t i = 0; i < c->n; i++) {
		tr_jname(el, "catalog[%zu]", i);
		if ((err = tr_jevent(r, json_array_get(a, i), el, &ev[i])))
			return err;
	}
	qsort(ev, c->n, sizeof(*ev), tr_event_def_cmp);
	for (size_t i = 1; i < c->n; i++)
		if (ev[i].id == ev[i - 1].id)
			return tr_jbad(r, "catalog", "event id %u defined twice", ev[i].id);
	tr_catalog__canonicalize(c);
	/* two events of one name (a hostile catalog) map onto one id */
	for (size_t i = 1; i < c->n; i++)
		if (ev[i].id <= ev[i - 1].id)
			return tr_jbad(r, "catalog", "event id %u defined twice (once this build's ids are applied)",
				       ev[i].id);
	return 0;
}

static int tr_jmanifest(struct tr_jr *r, json_t *root, struct tr_manifest *m)
{
	char name[TR_JNAME], el[TR_JNAME], show[TR_SHOW_MAX];
	json_t *v, *host, *opts;
	json_int_t n;
	int err;

	if (!json_is_object(root))
		return tr_jbad(r, "top level", "expected an object");
	v = tr_jkey(root, "", "format", name);
	if ((err = tr_jtype(r, v, name, JSON_STRING)))
		return err;
	if (strcmp(json_string_value(v), TR_MANIFEST_FORMAT))
		return tr_jbad(r, name, "\"%s\", expected \"%s\"",
			       tr_show(show, json_string_value(v), json_string_length(v)), TR_MANIFEST_FORMAT);
	if ((err = tr_jint(r, tr_jkey(root, "", "format_version", name), name, 1, INT32_MAX, &n)))
		return err;
	if (n > TR_FORMAT_VERSION)
		return tr_jbad(r, name, "%lld is newer than this reader (%d)", (long long)n, TR_FORMAT_VERSION);
	m->format_version = (uint32_t)n;
	if ((err = tr_jstr(r, tr_jkey(root, "", "tool_version", name), name, &m->tool_version)))
		return err;

	v = tr_jkey(root, "", "state", name);
	if ((err = tr_jtype(r, v, name, JSON_STRING)))
		return err;
	if (!strcmp(json_string_value(v), "complete"))
		m->state = TR_STATE_COMPLETE;
	else if (strcmp(json_string_value(v), "recording"))
		return tr_jbad(r, name, "\"%s\", expected \"recording\" or \"complete\"",
			       tr_show(show, json_string_value(v), json_string_length(v)));
	v = tr_jkey(root, "", "end_reason", name);
	if (!json_is_null(v) && (err = tr_jstr(r, v, name, &m->end_reason)))
		return err;

	host = tr_jkey(root, "", "host", name);
	if ((err = tr_jtype(r, host, name, JSON_OBJECT)) ||
	    (err = tr_jstr(r, tr_jkey(host, "host", "hostname", name), name, &m->hostname)) ||
	    (err = tr_jstr(r, tr_jkey(host, "host", "kernel_release", name), name, &m->kernel_release)) ||
	    (err = tr_jstr(r, tr_jkey(host, "host", "boot_id", name), name, &m->boot_id)) ||
	    (err = tr_jint(r, tr_jkey(host, "host", "cpu_count", name), name, 0, UINT32_MAX, &n)))
		return err;
	m->cpu_count = (uint32_t)n;
	if ((err = tr_jint(r, tr_jkey(host, "host", "boot_to_wall_ns", name), name, INT64_MIN, INT64_MAX, &n)))
		return err;
	m->boot_to_wall_ns = n;

	opts = tr_jkey(root, "", "options", name);
	if ((err = tr_jtype(r, opts, name, JSON_OBJECT)))
		return err;
	v = tr_jkey(opts, "options", "argv", name);
	if ((err = tr_jarray(r, v, name, sizeof(*m->argv), &m->argv, &m->argc)))
		return err;
	for (size_t i = 0; i < m->argc; i++) {
		tr_jname(el, "%s[%zu]", name, i);
		if ((err = tr_jstr(r, json_array_get(v, i), el, &m->argv[i])))
			return err;
	}

	if ((err = tr_jint(r, tr_jkey(root, "", "start_boot_ns", name), name, 0, INT64_MAX, &n)))
		return err;
	m->start_boot_ns = (uint64_t)n;
	if ((err = tr_jint(r, tr_jkey(root, "", "stop_boot_ns", name), name, 0, INT64_MAX, &n)))
		return err;
	m->stop_boot_ns = (uint64_t)n;

	if ((err = tr_jfiles_read(r, root, "segments", true, &m->segments, &m->nsegments)) ||
	    (err = tr_jfiles_read(r, root, "pcaps", false, &m->pcaps, &m->npcaps)) ||
	    (err = tr_jlost_read(r, root, m)))
		return err;
	if (json_object_get(root, "cuts") &&
	    (err = tr_jfiles_read(r, root, "cuts", true, &m->cuts, &m->ncuts)))
		return err;
	/* artifacts: since format 2, so optional */
	if (json_object_get(root, "artifacts") &&
	    (err = tr_jfiles_read(r, root, "artifacts", false, &m->artifacts, &m->nartifacts)))
		return err;

	v = json_object_get(root, "catalog");
	if (!v) {
		m->catalog = tr_catalog__builtin();
		return 0;
	}
	return tr_jcatalog_read(r, v, m);
}

/* The manifest of dir, opened relative to it: never through a symlink
 * (another user's link could point anywhere), never a FIFO (opening one
 * waits for a writer: O_NONBLOCK, then only a regular file is read), and
 * not larger than TR_MANIFEST_MAX. */
static FILE *tr_manifest_open(const char *dir, const char *file, char *err, size_t errlen, int *rc)
{
	struct stat st;
	FILE *f = NULL;
	int dfd, fd = -1;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fd = openat(dfd, TR_MANIFEST_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		*rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", file,
			 *rc == -ELOOP ? "a symbolic link; not followed" : strerror(-*rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*rc = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file; not read", file);
		goto out;
	}
	if (st.st_size > TR_MANIFEST_MAX) {
		*rc = -EFBIG;
		snprintf(err, errlen, "%s: %lld bytes, more than a manifest may have (%d)", file,
			 (long long)st.st_size, TR_MANIFEST_MAX);
		goto out;
	}
	f = fdopen(fd, "r");
	if (!f)
		*rc = -errno;
	else
		fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return f;
}

int tr_manifest__read(const char *dir, struct tr_manifest *m, char *err, size_t errlen)
{
	char file[PATH_MAX];
	struct tr_jr r = { .file = file, .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	FILE *f;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = tr_manifest_path(file, dir, "");
	if (rc) {
		snprintf(err, errlen, "%s/%s: path too long", dir, TR_MANIFEST_NAME);
		return rc;
	}
	f = tr_manifest_open(dir, file, err, errlen, &rc);
	if (!f)
		return rc;
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!root) {
		char show[TR_SHOW_MAX];

		/* jansson quotes the bytes near the error, which are the file's */
		snprintf(err, errlen, "%s:%d:%d: %s", file, jerr.line, jerr.column,
			 tr_show(show, jerr.text, strlen(jerr.text)));
		return -EBADMSG;
	}
	rc = tr_jmanifest(&r, root, m);
	json_decref(root);
	if (rc)
		tr_manifest__free(m);
	return rc;
}

void tr_manifest__free(struct tr_manifest *m)
{
	if (!m)
		return;
	free(m->tool_version);
	free(m->end_reason);
	free(m->hostname);
	free(m->kernel_release);
	free(m->boot_id);
	for (size_t i = 0; i < m->argc; i++)
		free(m->argv[i]);
	free(m->argv);
	for (size_t i = 0; i < m->nsegments; i++)
		free(m->segments[i].path);
	free(m->segments);
	for (size_t i = 0; i < m->npcaps; i++)
		free(m->pcaps[i].path);
	free(m->pcaps);
	for (size_t i = 0; i < m->nartifacts; i++)
		free(m->artifacts[i].path);
	free(m->artifacts);
	for (size_t i = 0; i < m->ncuts; i++)
		free(m->cuts[i].path);
	free(m->cuts);
	free(m->lost_per_cpu);
	if (m->catalog_owned && m->catalog) {
		struct tr_catalog *c = (struct tr_catalog *)m->catalog;
		struct tr_event_def *ev = (struct tr_event_def *)c->events;

		for (size_t i = 0; i < c->n; i++) {
			free((char *)ev[i].name);
			for (unsigned j = 0; j < TR_MAX_ARGS; j++) {
				free((char *)ev[i].args[j].name);
				free((char *)ev[i].args[j].type);
			}
		}
		free(ev);
		free(c);
	}
	memset(m, 0, sizeof(*m));
}
