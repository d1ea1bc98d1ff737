// SPDX-License-Identifier: MIT
/* test_pcap.c: the pcap writer and reader of capture/pcap.c: what is written
 * reads back; a failed write leaves only whole records; damage is named
 * with its offset; the other byte order and microsecond files read. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hash.h"
#include "pcap.h"

static char dir[] = "/tmp/test_pcap.XXXXXX";

static void test_round_trip(void **state)
{
	struct tr_pcap_writer w;
	struct tr_pcap_reader r;
	struct tr_pcap_packet p;
	char path[256], err[256];
	uint8_t data[300];
	struct stat st;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	snprintf(path, sizeof(path), "%s/a.pcap", dir);
	assert_int_equal(tr_pcap_writer__create(&w, path, TR_PCAP_LINKTYPE_ETHERNET, 65535), 0);
	assert_int_equal(tr_pcap_writer__add(&w, 1764561234999999999ULL, data, 100, 1500), 0);
	assert_int_equal(tr_pcap_writer__add(&w, 1764561235000000001ULL, data, 300, 300), 0);
	/* nothing reaches the file before the flush, then all of it at once */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, TR_PCAP_FILE_HDR);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tr_pcap_writer__flush(&w, NULL), 0);
	assert_int_equal(tr_pcap_writer__add(&w, 1764561236000000000ULL, data, 0, 60), 0);
	assert_int_equal(tr_pcap_writer__close(&w), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, TR_PCAP_FILE_HDR + 3 * TR_PCAP_REC_HDR + 400);

	assert_int_equal(tr_pcap_reader__open(&r, path, err, sizeof(err)), 0);
	assert_int_equal(r.nsec, 1);
	assert_int_equal(r.swapped, 0);
	assert_int_equal(r.linktype, TR_PCAP_LINKTYPE_ETHERNET);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 1);
	assert_int_equal(p.ts_ns, 1764561234999999999ULL);
	assert_int_equal(p.caplen, 100);
	assert_int_equal(p.len, 1500);
	assert_memory_equal(p.data, data, 100);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 1);
	assert_int_equal(p.ts_ns, 1764561235000000001ULL);
	assert_int_equal(p.caplen, 300);
	assert_memory_equal(p.data, data, 300);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 1);
	assert_int_equal(p.caplen, 0);
	assert_int_equal(p.len, 60);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 0);
	tr_pcap_reader__close(&r);
}

/* A disk that fills up: the flush fails, the file keeps whole records only,
 * and the dropped packets are counted. */
static void test_full_disk(void **state)
{
	struct tr_pcap_writer w;
	uint8_t data[64] = { 1 };
	uint64_t dropped = 0;
	char path[256];
	int full = open("/dev/full", O_WRONLY);

	if (full < 0)
		skip();
	snprintf(path, sizeof(path), "%s/full.pcap", dir);
	assert_int_equal(tr_pcap_writer__create(&w, path, TR_PCAP_LINKTYPE_RAW, 65535), 0);
	assert_int_equal(tr_pcap_writer__add(&w, 1, data, 64, 64), 0);
	assert_int_equal(tr_pcap_writer__add(&w, 2, data, 10, 64), 0);
	assert_int_equal(dup2(full, w.fd), w.fd);
	assert_int_equal(tr_pcap_writer__flush(&w, &dropped), -ENOSPC);
	assert_int_equal(dropped, 2);
	assert_int_equal(w.len, 0);
	close(full);
	close(w.fd);
	free(w.buf);
}

static void expect_bad(const void *buf, size_t len, int at_next, const char *want)
{
	struct tr_pcap_reader r;
	struct tr_pcap_packet p;
	char err[256] = "";
	int rc = tr_pcap_reader__init(&r, "x.pcap", buf, len, err, sizeof(err));

	if (at_next) {
		assert_int_equal(rc, 0);
		while ((rc = tr_pcap_reader__next(&r, &p, err, sizeof(err))) == 1)
			;
	}
	assert_int_equal(rc, -EBADMSG);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_damage(void **state)
{
	uint8_t f[TR_PCAP_FILE_HDR + TR_PCAP_REC_HDR + 8] = { 0 };
	uint32_t magic = TR_PCAP_MAGIC_NSEC, rec[4] = { 1, 5, 8, 8 };
	uint16_t ver = 2;

	memcpy(f, &magic, 4);
	memcpy(f + 4, &ver, 2);
	memcpy(f + TR_PCAP_FILE_HDR, rec, sizeof(rec));
	expect_bad(f, 10, 0, "x.pcap: offset 0: 10 bytes, shorter than a pcap file header");
	expect_bad("\x0a\x0d\x0d\x0a" "0123456789abcdefghijklmn", 24, 0, "offset 0: magic 0x0a0d0d0a");
	expect_bad(f, sizeof(f) - 1, 1, "x.pcap: offset 24: packet 0: truncated (8 bytes captured, 7 left)");
	expect_bad(f, TR_PCAP_FILE_HDR + 5, 1, "offset 24: packet 0: truncated record head (5 of 16 bytes)");
	rec[1] = 1000000000;
	memcpy(f + TR_PCAP_FILE_HDR, rec, sizeof(rec));
	expect_bad(f, sizeof(f), 1, "offset 28: packet 0: fraction of a second 1000000000 out of range");
	rec[1] = 0;
	rec[2] = TR_PCAP_MAX_CAPLEN + 1;
	memcpy(f + TR_PCAP_FILE_HDR, rec, sizeof(rec));
	expect_bad(f, sizeof(f), 1, "offset 32: packet 0: captured length 262145 is over 262144");
	ver = 3;
	memcpy(f + 4, &ver, 2);
	expect_bad(f, sizeof(f), 0, "offset 4: version 3.0, expected 2.4");
}

/* Written on a big-endian host, microsecond timestamps. */
static void test_swapped_usec(void **state)
{
	const uint8_t f[] = {
		0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1,
		0, 0, 0, 7, 0, 0x0f, 0x42, 0x3f, 0, 0, 0, 2, 0, 0, 0, 9, 0xab, 0xcd,
	};
	struct tr_pcap_reader r;
	struct tr_pcap_packet p;
	char err[256];

	assert_int_equal(tr_pcap_reader__init(&r, "be.pcap", f, sizeof(f), err, sizeof(err)), 0);
	assert_int_equal(r.swapped, 1);
	assert_int_equal(r.nsec, 0);
	assert_int_equal(r.snaplen, 65535);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 1);
	assert_int_equal(p.ts_ns, 7 * 1000000000ULL + 999999 * 1000ULL);
	assert_int_equal(p.caplen, 2);
	assert_int_equal(p.len, 9);
	assert_int_equal(p.data[0], 0xab);
	assert_int_equal(tr_pcap_reader__next(&r, &p, err, sizeof(err)), 0);
}

static void test_sha256(void **state)
{
	char path[256], hex[65];
	uint64_t size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/abc", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	assert_int_equal(cap_sha256__file(path, hex, &size), 0);
	assert_int_equal(size, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_swapped_usec),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
