/* SPDX-License-Identifier: MIT */
/*
 * pcap.h: the pcap files of a recording's net/ directory: a writer that
 * buffers whole packet records and writes them with one write(2) per flush
 * (so a killed recorder leaves only whole packets), and a reader for replay
 * that checks every field it relies on and names the offset of what is
 * wrong. Classic pcap (not pcapng), as libpcap, tcpdump and Wireshark read
 * it (the IETF draft "PCAP Capture File Format" describes it).
 */
#ifndef TR_CAPTURE_PCAP_H
#define TR_CAPTURE_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define TR_PCAP_MAGIC_USEC 0xa1b2c3d4U
#define TR_PCAP_MAGIC_NSEC 0xa1b23c4dU /* what we write */
#define TR_PCAP_LINKTYPE_ETHERNET 1
#define TR_PCAP_LINKTYPE_RAW 101	/* IPv4 or IPv6, no link-layer header */
#define TR_PCAP_FILE_HDR 24
#define TR_PCAP_REC_HDR 16
/* Largest caplen the reader accepts, as libpcap's own limit. */
#define TR_PCAP_MAX_CAPLEN 262144U

struct tr_pcap_writer {
	int fd;
	uint8_t *buf;		/* records not yet written */
	size_t len, cap;
	uint64_t bytes;		/* written to the file so far (the header too) */
	uint64_t packets;
};

/* Create path (mode 0600, exclusive) and write the file header: nanosecond
 * timestamps, the given link type and snap length. 0 or -errno. */
int tr_pcap_writer__create(struct tr_pcap_writer *w, const char *path, uint32_t linktype, uint32_t snaplen);
/* Buffer one packet record: wall-clock ns, caplen bytes of data, the length
 * it had on the wire. 0 or -ENOMEM. */
int tr_pcap_writer__add(struct tr_pcap_writer *w, uint64_t wall_ns, const void *data, uint32_t caplen, uint32_t len);
/* Write what is buffered with one write(2) (more only if the kernel takes
 * part of it). On failure the file is cut back to its last whole record and
 * the buffered records are dropped: *dropped (may be NULL) says how many.
 * 0 or -errno. */
int tr_pcap_writer__flush(struct tr_pcap_writer *w, uint64_t *dropped);
/* Flush, fsync and close. NULL or a never-created writer is fine. */
int tr_pcap_writer__close(struct tr_pcap_writer *w);

struct tr_pcap_reader {
	const char *name;	/* for messages */
	const uint8_t *data;
	size_t len;
	size_t off;		/* of the next record */
	int swapped;		/* written on a host of the other byte order */
	int nsec;		/* nanosecond timestamps */
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t index;		/* records read so far */
	void *map;		/* set by tr_pcap_reader__open */
	size_t map_len;
};

struct tr_pcap_packet {
	uint64_t ts_ns;		/* wall-clock ns (microsecond files: * 1000) */
	uint32_t caplen;
	uint32_t len;		/* on the wire */
	const uint8_t *data;	/* caplen bytes, inside the reader's buffer */
	size_t offset;		/* of the record head in the file */
};

/* Read the file header of data[0..len) (not copied: it must outlive the
 * reader). 0, or -EBADMSG with "NAME: offset N: what" in err. */
int tr_pcap_reader__init(struct tr_pcap_reader *r, const char *name, const void *data, size_t len,
			 char *err, size_t errlen);
/* Map the file at path and init from it. 0, -errno or -EBADMSG (err set). */
int tr_pcap_reader__open(struct tr_pcap_reader *r, const char *path, char *err, size_t errlen);
/* The next packet: 1, 0 at the end, or -EBADMSG (err names the offset; the
 * file cannot be read past it: a bad length leaves no way to resynchronise). */
int tr_pcap_reader__next(struct tr_pcap_reader *r, struct tr_pcap_packet *p, char *err, size_t errlen);
/* Unmap what tr_pcap_reader__open mapped. NULL is fine. */
void tr_pcap_reader__close(struct tr_pcap_reader *r);

#endif /* TR_CAPTURE_PCAP_H */
