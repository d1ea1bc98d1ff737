// SPDX-License-Identifier: MIT
/* test_bytes.c: the byte-string escape of FORMAT.md §8 and its reverse. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"

/* The escape into a buffer of exactly the documented size, so that
 * valgrind catches a write past it. */
static char *escape(const void *p, size_t len, size_t *outlen)
{
	char *out = malloc(TR_BYTES_ESCAPED_MAX(len));

	assert_non_null(out);
	*outlen = tr_bytes__escape(out, p, len);
	assert_int_equal(out[*outlen], '\0');
	return out;
}

static void expect_escape(const void *p, size_t len, const char *want, size_t wantlen)
{
	size_t n;
	char *out = escape(p, len, &n);

	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
	free(out);
}

/* Escape, then unescape: must give the bytes back. */
static void expect_roundtrip(const void *p, size_t len)
{
	size_t n, backlen;
	char *out = escape(p, len, &n), *back = malloc(n + 1);

	assert_non_null(back);
	assert_int_equal(tr_bytes__unescape(back, &backlen, out, n), 0);
	assert_int_equal(backlen, len);
	assert_memory_equal(back, p, len);
	assert_int_equal(back[backlen], '\0');
	free(back);
	free(out);
}

/* sizeof, not strlen: some of the bytes are NULs. */
#define CASE(in, want) { in, sizeof(in) - 1, want, sizeof(want) - 1 }
static const struct { const char *in; size_t len; const char *want; size_t wantlen; } cases[] = {
	/* the table of FORMAT.md §8 */
	CASE("/tmp/a b", "/tmp/a b"),
	CASE("caf\xc3\xa9", "caf\xc3\xa9"),			/* valid UTF-8 kept */
	CASE("a\\b", "a\\\\b"),
	CASE("caf\xe9", "caf\\xe9"),				/* Latin-1 */
	CASE("\xed\xa0\x80", "\\xed\\xa0\\x80"),		/* a surrogate is not UTF-8 */
	CASE("x\ny", "x\ny"),					/* controls are JSON's job */
	/* and the edges of UTF-8 */
	CASE("", ""),
	CASE("\xff", "\\xff"),
	CASE("\xc3(", "\\xc3("),				/* truncated sequence */
	CASE("\xc0\xaf", "\\xc0\\xaf"),			/* overlong */
	CASE("\xe0\x80\xaf", "\\xe0\\x80\\xaf"),		/* overlong, 3 bytes */
	CASE("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),	/* 4-byte emoji */
	CASE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"),	/* past U+10FFFF */
	CASE("\xf5", "\\xf5"),
	CASE("z\0z", "z\0z"),					/* NUL is valid UTF-8 */
	CASE("\\xff", "\\\\xff"),				/* literal text \xff */
	CASE("\xff\xfe\xfd", "\\xff\\xfe\\xfd"),		/* the longest: 4 * len */
};

static void test_escape(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_escape(cases[i].in, cases[i].len, cases[i].want, cases[i].wantlen);
	/* the decoded form for text columns */
	expect_escape("a\\\xff\n", 4, "a\\\\\\xff\n", 8);
}

static void test_roundtrip(void **state)
{
	uint8_t all[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_roundtrip(cases[i].in, cases[i].len);
	/* every byte value, in every position of a sequence */
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i, all[511 - i] = (uint8_t)i;
	expect_roundtrip(all, sizeof(all));
}

static void expect_unescape(const char *s, const char *want, size_t wantlen)
{
	char out[16];
	size_t n;

	assert_int_equal(tr_bytes__unescape(out, &n, s, strlen(s)), 0);
	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
}

static void test_unescape(void **state)
{
	static const char *const bad[] = {
		"\\", "a\\", "\\q", "\\x", "\\xf", "\\xfg", "\\X41", "\\u0041", "ok\\\\\\",
	};
	char out[16];
	size_t n;

	expect_unescape("\\xFF\\xAb", "\xff\xab", 2);	/* uppercase hex accepted */
	expect_unescape("\\x00", "", 1);		/* a NUL: C strings reject it */
	expect_unescape("\\\\x41", "\\x41", 4);		/* a literal backslash, then text */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tr_bytes__unescape(out, &n, bad[i], strlen(bad[i])), -EILSEQ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
