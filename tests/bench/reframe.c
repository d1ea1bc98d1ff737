// SPDX-License-Identifier: MIT
/*
 * reframe: what bounding frames by records costs in size. Reads every
 * segment of a recording and writes its records again (zstd level 3, 1 MiB
 * frames) once per bound given, printing bytes and frames for each:
 *
 *   reframe DIR 0 4096 1024 256
 *
 * 0 is no bound by records (1 MiB of raw records, or a flush, closes a
 * frame). The recorder also closes a frame on each flush (at least once a
 * second), which this does not repeat: it shows the bound's own cost.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "segment.h"

int main(int argc, char **argv)
{
	char pattern[4096], out[] = "/tmp/reframe-XXXXXX";
	glob_t g;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: reframe DIR N...\n");
		return 2;
	}
	snprintf(pattern, sizeof(pattern), "%s/events/seg-*.zst", argv[1]);
	if (glob(pattern, 0, NULL, &g)) {
		fprintf(stderr, "reframe: error: %s: no segments\n", argv[1]);
		return 1;
	}
	fd = mkstemp(out);
	if (fd < 0)
		return 1;
	close(fd);
	for (int a = 2; a < argc; a++) {
		uint32_t n = (uint32_t)strtoul(argv[a], NULL, 10);
		struct tr_seg_writer *w;
		struct tr_seg_info info;

		unlink(out);
		w = tr_seg_writer__open(out, 3, 0);
		if (!w)
			return 1;
		tr_seg_writer__frame_records(w, n);
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct tr_seg_reader *r = tr_seg_reader__open(g.gl_pathv[i], NULL, NULL);
			const struct tr_rec_hdr *rec;

			while (r && tr_seg_reader__next(r, &rec, NULL) > 0)
				if (tr_seg_writer__append(w, rec, rec->size))
					return 1;
			tr_seg_reader__close(r);
		}
		if (tr_seg_writer__close(w, &info))
			return 1;
		printf("frame-records %-6u %10llu bytes %8llu frames %10llu records %.3f bytes/record\n", n,
		       (unsigned long long)info.bytes, (unsigned long long)info.frames,
		       (unsigned long long)info.records, (double)info.bytes / (double)info.records);
	}
	unlink(out);
	globfree(&g);
	return 0;
}
