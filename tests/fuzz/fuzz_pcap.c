// SPDX-License-Identifier: MIT
/*
 * fuzz_pcap: the pcap reader replay uses (capture/pcap.c) on any bytes.
 *
 * The input is a pcap file, held in a heap block of exactly its size so
 * ASan sees a read past it. Every packet handed out must lie inside the
 * input, right after its 16-byte head, in file order, with caplen <= len
 * and a timestamp consistent with the head; the reader must stop at the end
 * or at an error that names the file and an offset inside it. A second pass
 * must give the same packets (the reader keeps no hidden state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"

#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_pcap: %s:%d: broken: %s\n", __FILE__,     \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

static uint64_t pass(const uint8_t *data, size_t size, uint64_t *last_off)
{
	struct tr_pcap_reader r;
	struct tr_pcap_packet p;
	char err[256] = "";
	uint64_t sum = 0;
	size_t next = TR_PCAP_FILE_HDR;
	int rc;

	rc = tr_pcap_reader__init(&r, "in.pcap", data, size, err, sizeof(err));
	if (rc) {
		check(rc == -EBADMSG);
		check(!strncmp(err, "in.pcap: offset ", 16));
		return 0;
	}
	check(size >= TR_PCAP_FILE_HDR);
	while ((rc = tr_pcap_reader__next(&r, &p, err, sizeof(err))) == 1) {
		check(p.offset == next);
		check(p.data == data + p.offset + TR_PCAP_REC_HDR);
		check(p.caplen <= TR_PCAP_MAX_CAPLEN && p.caplen <= p.len);
		check(p.offset + TR_PCAP_REC_HDR + p.caplen <= size);
		next = p.offset + TR_PCAP_REC_HDR + p.caplen;
		for (uint32_t i = 0; i < p.caplen; i++)
			sum += p.data[i];	/* every byte is readable */
		sum += p.ts_ns + p.len;
	}
	if (rc < 0) {
		unsigned long long off;

		check(rc == -EBADMSG);
		check(sscanf(err, "in.pcap: offset %llu: ", &off) == 1);
		check(off < size);
	} else {
		check(rc == 0 && next == size);
	}
	*last_off = next;
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	uint64_t off1 = 0, off2 = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	check(pass(copy, size, &off1) == pass(copy, size, &off2));
	check(off1 == off2);
	free(copy);
	return 0;
}
