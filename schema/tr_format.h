/* SPDX-License-Identifier: MIT */
/*
 * tr_format.h: every byte layout shared by the BPF programs, the recorder and
 * the readers. The prose specification is schema/FORMAT.md; this header is
 * its executable half. Included by BPF code (after vmlinux.h) and userland.
 *
 * All multi-byte integers are little-endian. Every constant says since which
 * format version it is valid. Reserved fields are zero on write and rejected
 * on read.
 */
#ifndef TR_FORMAT_H
#define TR_FORMAT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Format version of segments and records. Since 1. Version 2 (2026-12-01)
 * adds the hash chain of frames (struct tr_frame_hdr; version 1 frames,
 * struct tr_frame_hdr_v1, stay readable), and tr_event gains euid/fsuid and
 * the argument-info trailer (TR_EVF_TRUNC, TR_EVF_ARG_AT_EXIT); version 1
 * events are widened on read. */
#define TR_FORMAT_VERSION 2

/*
 * Frame header. Each frame of a segment file is a zstd skippable frame that
 * carries this header, followed by one ordinary zstd frame (with zstd's own
 * content checksum) holding whole records. A segment is therefore a valid
 * zstd stream: `zstdcat` decodes it, skipping the headers.
 */
#define TR_SKIP_MAGIC	0x184D2A5AU /* zstd skippable-frame magic 0x184D2A5?, variant A; since 1 */
#define TR_FRAME_MAGIC	0x31465254U /* "TRF1"; since 1 */
#define TR_FRAME_MAX_RAW	(64U << 20) /* largest raw_size a reader accepts; since 1 */

/* Version 1 frame header (40 bytes), still read. */
struct tr_frame_hdr_v1 {
	__u32 skip_magic;	/* TR_SKIP_MAGIC */
	__u32 skip_size;	/* sizeof(struct tr_frame_hdr_v1) - 8 = 32 */
	__u32 magic;		/* TR_FRAME_MAGIC */
	__u16 version;		/* 1 */
	__u16 flags;		/* reserved, zero */
	__u32 comp_size;	/* bytes of the zstd frame that follows */
	__u32 raw_size;		/* bytes of records once decompressed */
	__u32 nrecords;		/* records in the frame */
	__u32 frame_seq;	/* 0-based index of the frame in its segment */
	__u32 comp_crc;		/* CRC-32 (zlib polynomial) of the comp_size bytes */
	__u32 hdr_crc;		/* CRC-32 of the 36 bytes before this field */
};

/* Version 2 frame header (56 bytes): version 1's fields, then the hash
 * chain. prev_hash is the first 16 bytes of the SHA-256 of the previous
 * frame of the recording (its header and zstd bytes as written), across
 * segment boundaries; all zero for the first frame of a recording. Since 2. */
#define TR_CHAIN_LEN 16
struct tr_frame_hdr {
	__u32 skip_magic;	/* TR_SKIP_MAGIC */
	__u32 skip_size;	/* sizeof(struct tr_frame_hdr) - 8 = 48 */
	__u32 magic;		/* TR_FRAME_MAGIC */
	__u16 version;		/* 2 */
	__u16 flags;		/* reserved, zero */
	__u32 comp_size;	/* bytes of the zstd frame that follows */
	__u32 raw_size;		/* bytes of records once decompressed */
	__u32 nrecords;		/* records in the frame */
	__u32 frame_seq;	/* 0-based index of the frame in its segment */
	__u32 comp_crc;		/* CRC-32 (zlib polynomial) of the comp_size bytes */
	__u8 prev_hash[TR_CHAIN_LEN]; /* SHA-256 of the previous frame, truncated */
	__u32 hdr_crc;		/* CRC-32 of the 52 bytes before this field */
};

/* Record kinds (tr_rec_hdr.kind). Never renumbered. */
enum tr_rec_kind {
	TR_REC_EVENT = 1,	/* a catalog event from the kernel; since 1 */
	TR_REC_RETVAL = 2,	/* late return value for an event sent at syscall entry; since 1 */
	TR_REC_PROC = 3,	/* process state from the /proc snapshot; since 1 */
	TR_REC_GAP = 4,		/* events lost on one CPU; since 1 */
	TR_REC_WATERMARK = 5,	/* every event stamped before ts has been written; since 1 */
	TR_REC_KIND_MAX = 5,
};

#define TR_CPU_NONE 0xffffU /* tr_rec_hdr.cpu of records made in userland */

/* Common head of every record. */
struct tr_rec_hdr {
	__u16 kind;	/* enum tr_rec_kind */
	__u16 cpu;	/* CPU the record was made on, or TR_CPU_NONE */
	__u32 size;	/* whole record, head included, in bytes */
	__u64 ts;	/* CLOCK_BOOTTIME ns */
	__u64 seq;	/* per-CPU sequence (per-source for TR_CPU_NONE); gaps mean loss */
};

/* Event flags (tr_event.flags). */
#define TR_EVF_AT_ENTRY	   0x0001U /* sent at syscall entry; a TR_REC_RETVAL carries the result; since 1 */
#define TR_EVF_TRUNC	   0x0002U /* an argument was cut short: see the argument-info trailer; since 2 */
#define TR_EVF_ARG_AT_EXIT 0x0004U /* an argument was read at syscall exit, its entry read having
				    * failed: see the argument-info trailer; since 2 */
#define TR_EVF_TO_RECORDER 0x0008U /* aimed at the recorder itself (a signal to it, a bpf detach); since 2 */
#define TR_EVF_KNOWN_V1	   0x0001U
#define TR_EVF_KNOWN	   0x000fU /* all flags defined so far */
/* The record ends with an argument-info trailer (struct tr_arg_info). */
#define TR_EVF_ARGINFO	   (TR_EVF_TRUNC | TR_EVF_ARG_AT_EXIT)

/* TR_REC_EVENT: head, task context, then nargs encoded arguments, then (with
 * TR_EVF_ARGINFO) the argument-info trailer. Version 1 records end at comm
 * (TR_EVENT_V1_SIZE); readers widen them (tr_event__from_v1) with euid and
 * fsuid TR_ID_UNKNOWN. */
struct tr_event {
	struct tr_rec_hdr h;
	__u32 event_id;		/* catalog id */
	__u16 nargs;		/* encoded arguments that follow */
	__u16 flags;		/* TR_EVF_* */
	__s64 retval;		/* syscall return value; 0 for non-syscall events */
	__u64 start_ns;		/* thread-group leader start, CLOCK_BOOTTIME ns */
	__u64 parent_start_ns;	/* real parent's start, CLOCK_BOOTTIME ns */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u32 host_tid;
	__u32 host_pid;
	__u32 host_ppid;
	__u32 tid;		/* ids as seen in the task's own pid namespace */
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 mnt_ns;		/* inode numbers of the namespaces */
	__u32 pid_ns;
	char comm[16];
	__u32 euid;		/* effective uid; since 2 */
	__u32 fsuid;		/* filesystem uid (what file access is checked against); since 2 */
};

#define TR_EVENT_V1_SIZE 120U	/* sizeof(struct tr_event) in version 1 */
#define TR_ID_UNKNOWN 0xffffffffU /* a uid the record does not know (version 1's euid, fsuid) */

/*
 * Argument-info trailer (since 2): present when tr_event.flags has any
 * TR_EVF_ARGINFO bit; it is what follows the nargs encoded arguments, one
 * entry per argument that has something to say, at least one. A reader of a
 * record without those flags never looks for it.
 */
#define TR_ARGF_TRUNC	0x01U	/* the value was cut short; orig_len is its real length */
#define TR_ARGF_AT_EXIT	0x02U	/* read at syscall exit: the entry read failed (page not resident) */
#define TR_ARGF_KNOWN	0x03U

struct tr_arg_info {
	__u8 idx;		/* index of an argument present in the record */
	__u8 flags;		/* TR_ARGF_*, at least one */
	__u16 reserved;		/* zero */
	__u32 orig_len;		/* with TR_ARGF_TRUNC: bytes the whole value had (STR_ARRAY:
				 * every element with its NUL), 0 if unknown; else zero */
};

/* TR_REC_RETVAL: the result of an event sent with TR_EVF_AT_ENTRY. */
struct tr_retval {
	struct tr_rec_hdr h;
	__u32 event_id;
	__u32 host_tid;
	__s64 retval;
};

/* TR_REC_PROC: one process of the start-up snapshot, then encoded arguments
 * (indexes TR_PROC_ARG_*). ts is the time the process was read from /proc. */
struct tr_proc {
	struct tr_rec_hdr h;
	__u32 host_pid;
	__u32 host_ppid;
	__u32 pid;		/* in its own pid namespace */
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u64 start_ns;		/* /proc starttime in ns (tick precision) */
	__u64 cgroup_id;
	__u32 mnt_ns;
	__u32 pid_ns;
	__u16 nargs;
	__u16 flags;		/* reserved, zero */
	__u32 reserved;		/* zero */
	char comm[16];
};

enum tr_proc_arg {
	TR_PROC_ARG_EXE = 0,	/* STR: /proc/PID/exe */
	TR_PROC_ARG_CWD = 1,	/* STR: /proc/PID/cwd */
	TR_PROC_ARG_ARGV = 2,	/* STR_ARRAY: /proc/PID/cmdline */
	TR_PROC_ARG_CGROUP = 3,	/* STR: cgroup v2 path */
};

/* TR_REC_GAP: events lost on CPU h.cpu, noticed at h.ts. */
struct tr_gap {
	struct tr_rec_hdr h;
	__u64 lost;
};

/* TR_REC_WATERMARK is a bare tr_rec_hdr. */

/*
 * Argument encoding. Each argument is one byte of index (its position in the
 * catalog entry) followed by its value, whose wire type the catalog gives:
 *   INT32, UINT32: 4 bytes; INT64, UINT64: 8 bytes;
 *   STR, BYTES, SOCKADDR, JSON: __u32 length, then that many bytes (no NUL);
 *   STR_ARRAY: __u32 length, then the elements, each ended by a NUL byte;
 *              a last element without its NUL was cut short.
 * An argument that could not be read is left out.
 */
enum tr_wire_type {
	TR_T_INT32 = 1,
	TR_T_UINT32 = 2,
	TR_T_INT64 = 3,
	TR_T_UINT64 = 4,
	TR_T_STR = 5,
	TR_T_STR_ARRAY = 6,
	TR_T_BYTES = 7,
	TR_T_SOCKADDR = 8,
	TR_T_JSON = 9,		/* like STR: a JSON value as text (Tracee's structured arguments); since 2 */
	TR_T_MAX = 9,
};

#define TR_MAX_ARGS	24	/* most arguments of one event; 12 in version 1 */
#define TR_STR_MAX	4096	/* longest string the BPF side copies */
#define TR_ARGV_MAX	64	/* most argv elements the BPF side copies */
#define TR_SOCKADDR_MAX	128
#define TR_ARG_BYTES_MAX 65536	/* longest STR_ARRAY or BYTES value a reader accepts; since 2 */
#define TR_REC_MAX	(1U << 20) /* largest record (h.size) a reader accepts; since 2 */

/* Kernel to recorder only (never on disk): the BPF "drops" map counts
 * records the perf buffer refused per CPU, indexed by event id (a late
 * return value counts under its event's id); ids are below this. */
#define TR_DROP_IDS 9216

/* Layout checks: these structs are the file format. */
_Static_assert(sizeof(struct tr_frame_hdr_v1) == 40, "tr_frame_hdr_v1 layout");
_Static_assert(sizeof(struct tr_frame_hdr) == 56, "tr_frame_hdr layout");
_Static_assert(__builtin_offsetof(struct tr_frame_hdr, prev_hash) == 36, "tr_frame_hdr layout");
_Static_assert(__builtin_offsetof(struct tr_frame_hdr, hdr_crc) == 52, "tr_frame_hdr layout");
_Static_assert(sizeof(struct tr_rec_hdr) == 24, "tr_rec_hdr layout");
_Static_assert(sizeof(struct tr_event) == 128, "tr_event layout");
_Static_assert(__builtin_offsetof(struct tr_event, comm) == 104, "tr_event layout");
_Static_assert(__builtin_offsetof(struct tr_event, euid) == TR_EVENT_V1_SIZE, "tr_event v1 is a prefix of v2");
_Static_assert(sizeof(struct tr_arg_info) == 8, "tr_arg_info layout");
_Static_assert(sizeof(struct tr_retval) == 40, "tr_retval layout");
_Static_assert(sizeof(struct tr_proc) == 96, "tr_proc layout");
_Static_assert(sizeof(struct tr_gap) == 32, "tr_gap layout");

#endif /* TR_FORMAT_H */
