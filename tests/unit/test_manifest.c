// SPDX-License-Identifier: MIT
/* test_manifest.c: manifest.json round trip, atomic replace, rejections. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "manifest.h"

static char tmpdir[] = "/tmp/tr-test-manifest-XXXXXX";

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char *argv_in[] = {
	"tracee-record", "-o", "/tmp/rec dir",
	"caf\xc3\xa9",		/* valid UTF-8, kept */
	"a\\b\xff\x80z",	/* backslash and bytes outside UTF-8, escaped */
	"\xed\xa0\x80",		/* an encoded surrogate is not valid UTF-8 */
};
static uint64_t lost_in[] = { 0, 3, 40 };
static struct tr_manifest_file segs_in[] = {
	{ "events/seg-000000.zst", { 1000, 3, 120, SHA_A } },
	{ "events/seg-000001.zst", { (uint64_t)INT64_MAX, 1, 2, SHA_B } },
};
static struct tr_manifest_file pcaps_in[] = {
	{ "net/eth0.pcap", { 24, 0, 0, SHA_B } },
};

static struct tr_manifest sample(void)
{
	return (struct tr_manifest){
		.tool_version = "0.1.0",
		.state = TR_STATE_COMPLETE,
		.end_reason = "signal SIGINT",
		.hostname = "web-01\xfe",
		.kernel_release = "6.18.0-1-amd64",
		.boot_id = "6c0b4a36-2f5e-4a4e-9d4c-0e3c8f3a9a11",
		.cpu_count = 8,
		.boot_to_wall_ns = -1234567890123LL,
		.argc = sizeof(argv_in) / sizeof(argv_in[0]),
		.argv = argv_in,
		.start_boot_ns = 5000000000ULL,
		.stop_boot_ns = 65000000000ULL,
		.nsegments = 2,
		.segments = segs_in,
		.npcaps = 1,
		.pcaps = pcaps_in,
		.nlost = 3,
		.lost_per_cpu = lost_in,
	};
}

static char *dir_path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static bool exists(const char *name)
{
	return access(dir_path(name), F_OK) == 0;
}

static void assert_file_equal(const struct tr_manifest_file *a, const struct tr_manifest_file *b)
{
	assert_string_equal(a->path, b->path);
	assert_int_equal(a->info.bytes, b->info.bytes);
	assert_int_equal(a->info.frames, b->info.frames);
	assert_int_equal(a->info.records, b->info.records);
	assert_string_equal(a->info.sha256, b->info.sha256);
}

static void assert_catalog_equal(const struct tr_catalog *a, const struct tr_catalog *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct tr_event_def *x = &a->events[i], *y = &b->events[i];

		assert_int_equal(x->id, y->id);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->nargs, y->nargs);
		for (unsigned j = 0; j < x->nargs; j++) {
			assert_int_equal(x->args[j].wire, y->args[j].wire);
			assert_string_equal(x->args[j].type, y->args[j].type);
			assert_string_equal(x->args[j].name, y->args[j].name);
		}
	}
}

static void test_round_trip(void **state)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "";
	struct stat st;

	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	assert_int_equal(stat(dir_path(TR_MANIFEST_NAME), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(exists(TR_MANIFEST_NAME ".tmp"));

	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.format_version, TR_FORMAT_VERSION);
	assert_string_equal(out.tool_version, in.tool_version);
	assert_int_equal(out.state, TR_STATE_COMPLETE);
	assert_string_equal(out.end_reason, in.end_reason);
	assert_string_equal(out.hostname, in.hostname);
	assert_string_equal(out.kernel_release, in.kernel_release);
	assert_string_equal(out.boot_id, in.boot_id);
	assert_int_equal(out.cpu_count, in.cpu_count);
	assert_true(out.boot_to_wall_ns == in.boot_to_wall_ns);
	assert_int_equal(out.argc, in.argc);
	for (size_t i = 0; i < in.argc; i++)
		assert_string_equal(out.argv[i], in.argv[i]);
	assert_int_equal(out.start_boot_ns, in.start_boot_ns);
	assert_int_equal(out.stop_boot_ns, in.stop_boot_ns);
	assert_int_equal(out.nsegments, 2);
	assert_file_equal(&out.segments[0], &in.segments[0]);
	assert_file_equal(&out.segments[1], &in.segments[1]);
	assert_int_equal(out.npcaps, 1);
	assert_file_equal(&out.pcaps[0], &in.pcaps[0]);
	assert_int_equal(out.nlost, 3);
	assert_memory_equal(out.lost_per_cpu, lost_in, sizeof(lost_in));
	/* the catalog written was the built-in one; it comes back as a copy */
	assert_int_equal(out.catalog_owned, 1);
	assert_ptr_not_equal(out.catalog, tr_catalog__builtin());
	assert_catalog_equal(out.catalog, tr_catalog__builtin());
	tr_manifest__free(&out);
	assert_null(out.hostname);
	tr_manifest__free(NULL);
}

static void test_while_recording(void **state)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "";

	in.state = TR_STATE_RECORDING;
	in.end_reason = NULL;
	in.stop_boot_ns = 0;
	in.nsegments = in.npcaps = in.nlost = in.argc = 0;
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.state, TR_STATE_RECORDING);
	assert_null(out.end_reason);
	assert_int_equal(out.nsegments + out.npcaps + out.nlost + out.argc, 0);
	tr_manifest__free(&out);
}

/* Replacing is atomic: the new content in place, no .tmp left behind, and
 * a stale .tmp from a crash (even a symlink) is replaced, not followed. */
static void test_atomic_replace(void **state)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "";
	int fd;

	in.state = TR_STATE_RECORDING;
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	fd = open(dir_path("victim"), O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink("victim", dir_path(TR_MANIFEST_NAME ".tmp")), 0);

	in.state = TR_STATE_COMPLETE;
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	assert_false(exists(TR_MANIFEST_NAME ".tmp"));
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.state, TR_STATE_COMPLETE);
	tr_manifest__free(&out);
	fd = open(dir_path("victim"), O_RDONLY);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
	close(fd);
	unlink(dir_path("victim"));
}

static void test_write_refuses_bad_values(void **state)
{
	struct tr_manifest in = sample();
	struct tr_manifest_file seg = { "../outside.zst", { 1, 1, 1, SHA_A } };
	uint64_t huge = (uint64_t)INT64_MAX + 1;

	unlink(dir_path(TR_MANIFEST_NAME));
	in.tool_version = NULL;
	assert_int_equal(tr_manifest__write(tmpdir, &in), -EINVAL);
	in = sample();
	in.stop_boot_ns = huge;
	assert_int_equal(tr_manifest__write(tmpdir, &in), -EINVAL);
	in = sample();
	in.segments = &seg;
	in.nsegments = 1;
	assert_int_equal(tr_manifest__write(tmpdir, &in), -EINVAL);
	in = sample();
	in.lost_per_cpu = &huge;
	in.nlost = 1;
	assert_int_equal(tr_manifest__write(tmpdir, &in), -EINVAL);
	assert_false(exists(TR_MANIFEST_NAME));
	assert_false(exists(TR_MANIFEST_NAME ".tmp"));
}

/* A write that fails (here: the file size limit) leaves the old manifest
 * in place and no .tmp behind. */
static void test_failed_write_keeps_old(void **state)
{
	struct tr_manifest in = sample(), out;
	struct rlimit old, lim;
	char err[256] = "";

	in.state = TR_STATE_RECORDING;
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	in.state = TR_STATE_COMPLETE;
	assert_int_equal(tr_manifest__write(tmpdir, &in), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_false(exists(TR_MANIFEST_NAME ".tmp"));
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.state, TR_STATE_RECORDING);
	tr_manifest__free(&out);
}

static char *slurp_manifest(size_t *len)
{
	FILE *f = fopen(dir_path(TR_MANIFEST_NAME), "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* In two steps (the recorder renders on its drain thread and commits on
 * another): rendering touches no file; the commit writes exactly the text
 * rendered, which is what tr_manifest__write writes too. */
static void test_render_then_commit(void **state)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "", *text, *file;
	size_t len, flen;

	in.state = TR_STATE_RECORDING;
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	in.state = TR_STATE_COMPLETE;
	assert_int_equal(tr_manifest__render(&in, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.state, TR_STATE_RECORDING);	/* not written yet */
	tr_manifest__free(&out);
	assert_int_equal(tr_manifest__commit(tmpdir, text, len), 0);
	assert_false(exists(TR_MANIFEST_NAME ".tmp"));
	file = slurp_manifest(&flen);
	assert_int_equal(flen, len);
	assert_memory_equal(file, text, len);
	free(file);
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_int_equal(out.state, TR_STATE_COMPLETE);
	tr_manifest__free(&out);
	/* the one-step write gives the same bytes */
	unlink(dir_path(TR_MANIFEST_NAME));
	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	file = slurp_manifest(&flen);
	assert_int_equal(flen, len);
	assert_memory_equal(file, text, len);
	free(file);
	free(text);
	/* a manifest that cannot be rendered is refused before any file */
	in.tool_version = NULL;
	assert_int_equal(tr_manifest__render(&in, &text, &len), -EINVAL);
	assert_null(text);
}

/* Write the sample, let edit change its JSON, and expect reading it to fail
 * with a message that names the file and contains want. */
static void assert_read_fails(void (*edit)(json_t *root), const char *want)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "";
	json_t *root;

	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	root = json_load_file(dir_path(TR_MANIFEST_NAME), 0, NULL);
	assert_non_null(root);
	edit(root);
	assert_int_equal(json_dump_file(root, dir_path(TR_MANIFEST_NAME), JSON_INDENT(2)), 0);
	json_decref(root);

	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), -EBADMSG);
	assert_null(out.hostname);
	assert_null(out.catalog);
	if (!strstr(err, dir_path(TR_MANIFEST_NAME)) || !strstr(err, want))
		fail_msg("message \"%s\" lacks the file or \"%s\"", err, want);
}

static json_t *at(json_t *root, const char *key, size_t i)
{
	return json_array_get(json_object_get(root, key), i);
}

static void wrong_format(json_t *root)
{
	json_object_set_new(root, "format", json_string("perf-data"));
}

static void newer_version(json_t *root)
{
	json_object_set_new(root, "format_version", json_integer(TR_FORMAT_VERSION + 1));
}

static void unknown_wire(json_t *root)
{
	json_object_set_new(json_array_get(json_object_get(at(root, "catalog", 0), "args"), 1), "wire",
			    json_string("FLOAT"));
}

static void missing_boot_id(json_t *root)
{
	json_object_del(json_object_get(root, "host"), "boot_id");
}

static void cpu_count_string(json_t *root)
{
	json_object_set_new(json_object_get(root, "host"), "cpu_count", json_string("8"));
}

static void duplicate_event_id(json_t *root)
{
	json_object_set_new(at(root, "catalog", 1), "id",
			    json_copy(json_object_get(at(root, "catalog", 0), "id")));
}

static void too_many_args(json_t *root)
{
	json_t *args = json_object_get(at(root, "catalog", 0), "args");

	while (json_array_size(args) <= TR_MAX_ARGS)
		json_array_append(args, json_array_get(args, 0));
}

static void path_outside(json_t *root)
{
	json_object_set_new(at(root, "segments", 1), "path", json_string("events/../../etc/shadow"));
}

static void bad_sha(json_t *root)
{
	json_object_set_new(at(root, "pcaps", 0), "sha256", json_string("abc"));
}

static void bad_escape(json_t *root)
{
	json_object_set_new(json_object_get(root, "host"), "hostname", json_string("web\\q"));
}

/* A manifest string is a C string: the escape of a NUL byte is rejected. */
static void escaped_nul(json_t *root)
{
	json_object_set_new(json_object_get(root, "host"), "hostname", json_string("web\\x00"));
}

static void lost_total_wrong(json_t *root)
{
	json_object_set_new(json_object_get(root, "lost"), "total", json_integer(42));
}

static void negative_size(json_t *root)
{
	json_object_set_new(at(root, "segments", 0), "size", json_integer(-1));
}

static void bad_state(json_t *root)
{
	json_object_set_new(root, "state", json_string("crashed"));
}

static void test_rejects(void **state)
{
	assert_read_fails(wrong_format, "format: \"perf-data\", expected \"tracee-recording\"");
	assert_read_fails(newer_version, "format_version: 3 is newer than this reader (2)");
	assert_read_fails(unknown_wire, "catalog[0].args[1].wire: unknown wire type \"FLOAT\"");
	assert_read_fails(missing_boot_id, "host.boot_id: missing");
	assert_read_fails(cpu_count_string, "host.cpu_count: expected an integer");
	assert_read_fails(duplicate_event_id, "catalog: event id 0 defined twice");
	assert_read_fails(too_many_args, "catalog[0].args: 25 arguments, at most 24");
	assert_read_fails(path_outside, "segments[1].path: \"events/../../etc/shadow\" is not a relative path");
	assert_read_fails(bad_sha, "pcaps[0].sha256: expected 64 lowercase hex digits");
	assert_read_fails(bad_escape, "host.hostname: bad byte escape");
	assert_read_fails(escaped_nul, "host.hostname: bad byte escape");
	assert_read_fails(lost_total_wrong, "lost.total: 42, but per_cpu adds up to 43");
	assert_read_fails(negative_size, "segments[0].size: -1 is out of range");
	assert_read_fails(bad_state, "state: \"crashed\"");
}

static void test_rejects_bad_json(void **state)
{
	struct tr_manifest out;
	char err[256] = "", want[300];
	FILE *f = fopen(dir_path(TR_MANIFEST_NAME), "w");

	assert_non_null(f);
	fputs("{\n  \"format\": \"tracee-recording\",\n  \"format_version\": 1,\n  oops\n}\n", f);
	fclose(f);
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), -EBADMSG);
	snprintf(want, sizeof(want), "%s:4:", dir_path(TR_MANIFEST_NAME));
	if (strncmp(err, want, strlen(want)))
		fail_msg("message \"%s\" does not start with \"%s\"", err, want);
}

static void test_missing_manifest(void **state)
{
	struct tr_manifest out;
	char err[256] = "";

	unlink(dir_path(TR_MANIFEST_NAME));
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open"));
}

/* A recording without a catalog is read with the built-in one. */
static void test_absent_catalog_is_builtin(void **state)
{
	struct tr_manifest in = sample(), out;
	char err[256] = "";
	json_t *root;

	assert_int_equal(tr_manifest__write(tmpdir, &in), 0);
	root = json_load_file(dir_path(TR_MANIFEST_NAME), 0, NULL);
	json_object_del(root, "catalog");
	json_dump_file(root, dir_path(TR_MANIFEST_NAME), 0);
	json_decref(root);
	assert_int_equal(tr_manifest__read(tmpdir, &out, err, sizeof(err)), 0);
	assert_ptr_equal(out.catalog, tr_catalog__builtin());
	assert_int_equal(out.catalog_owned, 0);
	tr_manifest__free(&out);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_while_recording),
		cmocka_unit_test(test_atomic_replace),
		cmocka_unit_test(test_write_refuses_bad_values),
		cmocka_unit_test(test_failed_write_keeps_old),
		cmocka_unit_test(test_render_then_commit),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rejects_bad_json),
		cmocka_unit_test(test_missing_manifest),
		cmocka_unit_test(test_absent_catalog_is_builtin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
