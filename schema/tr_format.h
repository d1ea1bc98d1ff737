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
	TR_REC_CLOCK = 6,	/* boot-time to wall-clock offset, re-sampled; since 2 */
	TR_REC_FD = 7,		/* one open fd of a process (state); since 2 */
	TR_REC_CGROUP = 8,	/* cgroup v2 id -> path (state); since 2 */
	TR_REC_MOUNT = 9,	/* one mountinfo line of a mount namespace (state); since 2 */
	TR_REC_USER = 10,	/* one user or group (state); since 2 */
	TR_REC_NETIF = 11,	/* one network interface and its addresses (state); since 2 */
	TR_REC_HOST = 12,	/* hostname, kernel, os-release, boot id (state); since 2 */
	TR_REC_CHECKPOINT = 13,	/* begin or end of a state checkpoint; since 2 */
	TR_REC_PACKET_GAP = 14,	/* packets lost on one CPU; since 2 */
	TR_REC_ARTIFACT = 15,	/* a file copied into artifacts/; since 2 */
	TR_REC_KIND_MAX = 15,
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
	TR_PROC_ARG_EUID = 4,	/* UINT32: effective uid; since 2 */
	TR_PROC_ARG_EGID = 5,	/* UINT32: effective gid; since 2 */
	TR_PROC_ARG_FSUID = 6,	/* UINT32: filesystem uid; since 2 */
	TR_PROC_ARG_NET_NS = 7,	/* UINT32: net namespace inode; since 2 */
	TR_PROC_ARG_USER_NS = 8, /* UINT32: user namespace inode; since 2 */
	TR_PROC_ARG_UTS_NS = 9,	/* UINT32: uts namespace inode; since 2 */
	TR_PROC_ARG_CGROUP_NS = 10, /* UINT32: cgroup namespace inode; since 2 */
	TR_PROC_ARG_NARGS = 11,
};

/* TR_REC_GAP: events lost on CPU h.cpu, noticed at h.ts. */
struct tr_gap {
	struct tr_rec_hdr h;
	__u64 lost;
};

/* TR_REC_WATERMARK is a bare tr_rec_hdr. */

/* TR_REC_PACKET_GAP: packets lost on CPU h.cpu (by the packet buffer or the
 * pcap writer), noticed at h.ts. Since 2. */
struct tr_packet_gap {
	struct tr_rec_hdr h;
	__u64 lost;
	__u32 ifindex;		/* interface, or 0 when the buffer does not say */
	__u32 reserved;		/* zero */
};

/* TR_REC_ARTIFACT: a file copied into artifacts/<sha256> (or skipped, with a
 * reason in flags), tied to the event that made it wanted: the event is the
 * record (event_ts, event_cpu, event_seq) of the recording. Then nargs
 * encoded arguments (indexes TR_ART_ARG_*). Since 2. */
struct tr_artifact {
	struct tr_rec_hdr h;	/* ts: when the file was read */
	__u64 event_ts;
	__u64 event_seq;
	__u16 event_cpu;
	__u16 source;		/* enum tr_art_source */
	__u32 event_id;
	__u32 host_pid;		/* the process, (host_pid, start_ns) */
	__u32 flags;		/* TR_ARTF_* */
	__u64 start_ns;
	__u64 size;		/* bytes of the file (also when it was not copied) */
	__u8 sha256[32];	/* of the content; zero when not copied */
	__u16 nargs;
	__u16 reserved;		/* zero */
	__u32 reserved2;	/* zero */
};

enum tr_art_source {
	TR_ART_EXEC = 1,	/* the executable of an exec (/proc/PID/exe) */
	TR_ART_SCRIPT = 2,	/* the script an interpreter was exec'd for */
	TR_ART_WRITE = 3,	/* a file opened for writing under a --capture write prefix */
};

#define TR_ARTF_TOO_BIG	 0x0001U /* larger than --artifact-max-size: not copied */
#define TR_ARTF_BUDGET	 0x0002U /* the total budget was spent: not copied */
#define TR_ARTF_QUEUE	 0x0004U /* the capture queue was full: not copied */
#define TR_ARTF_GONE	 0x0008U /* the file could not be opened any more: not copied */
#define TR_ARTF_IO	 0x0010U /* reading or writing failed: not copied */
#define TR_ARTF_DUP	 0x0020U /* same content as an earlier artifact: stored once */
#define TR_ARTF_BY_PATH	 0x0040U /* the process was gone: read by its path, which may
				  * name another file by now (or another root's) */
#define TR_ARTF_KNOWN	 0x007fU
#define TR_ARTF_SKIPPED	 0x001fU /* any of these: no file in artifacts/ */

enum tr_art_arg {
	TR_ART_ARG_PATH = 0,	/* STR: the path the event named (or /proc's link target) */
};

/* Packets, kernel to recorder only (never on disk as such; the recorder
 * writes them into pcap files): this head, then caplen bytes of packet. */
#define TR_NET_SNAP_HEADERS 128U	/* --snaplen headers; since 2 */
#define TR_NET_SNAP_MAX	    65000U	/* largest caplen: a perf sample's size is 16 bits */
#define TR_NET_DIR_IN  1
#define TR_NET_DIR_OUT 2

struct tr_net_pkt {
	__u64 ts;		/* CLOCK_BOOTTIME ns */
	__u32 ifindex;
	__u32 len;		/* bytes on the wire (link-layer header included) */
	__u32 caplen;		/* bytes that follow */
	__u32 dir;		/* TR_NET_DIR_* */
};

/* Exec notes, kernel to recorder only (never on disk): sent on every exec
 * with --capture exec through a ring buffer that wakes the recorder at
 * once, so it can open /proc/PID/exe (and a script) while the process
 * still lives; the drained exec event then finds the file pinned. */
#define TR_EXEC_NOTE_PATH 256
struct tr_exec_note {
	__u64 ts;		/* CLOCK_BOOTTIME ns, at the sched_process_exec tracepoint */
	__u64 start_ns;		/* thread-group leader start, as tr_event.start_ns */
	__u64 ino;		/* the executed file's inode ... */
	__u32 dev;		/* ... and device (kernel encoding: major << 20 | minor) */
	__u32 pid;		/* thread-group id, initial pid namespace */
	__u32 script;		/* bprm->interp != bprm->filename: path is a script */
	__u32 reserved;
	char path[TR_EXEC_NOTE_PATH]; /* bprm->filename */
};

/*
 * State records (since 2). Each is made in userland (cpu = TR_CPU_NONE,
 * seq from the recorder's own sequence) and stamped with the boot ns at
 * which its state was read. Those with variable parts carry encoded
 * arguments (like tr_proc) whose wire types schema/state.c's table gives.
 * A checkpoint (TR_REC_CHECKPOINT begin ... end) restates the state as of
 * that moment; a record inside one that names something already known
 * (the same process, fd, cgroup) updates it, never adds a second one.
 */

/* TR_REC_CLOCK: wall = boot + boot_to_wall_ns around h.ts. */
enum tr_clock_reason {
	TR_CLOCK_START = 1,	/* recording started */
	TR_CLOCK_PERIODIC = 2,	/* the periodic re-sample */
	TR_CLOCK_SEGMENT = 3,	/* a new segment started (in its checkpoint) */
	TR_CLOCK_STOP = 4,	/* recording stopped */
	TR_CLOCK_REASON_MAX = 4,
};

struct tr_clock {
	struct tr_rec_hdr h;	/* ts: boot ns at the middle of the reading */
	__s64 boot_to_wall_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
	__u32 uncertainty_ns;	/* width of the boot-time bracket around the wall reading */
	__u16 reason;		/* enum tr_clock_reason */
	__u16 flags;		/* reserved, zero */
	__u64 reserved;		/* zero */
};

/* TR_REC_FD: one open file descriptor of process (host_pid, start_ns). */
enum tr_fd_kind {
	TR_FD_FILE = 1,		/* regular file */
	TR_FD_DIR = 2,
	TR_FD_CHR = 3,		/* character device (ttys, /dev/null) */
	TR_FD_BLK = 4,		/* block device */
	TR_FD_FIFO = 5,		/* named FIFO on a file system */
	TR_FD_PIPE = 6,		/* pipe:[ino] */
	TR_FD_SOCKET = 7,	/* socket:[ino] */
	TR_FD_ANON = 8,		/* anon_inode:... (eventfd, epoll, bpf, io_uring, ...) */
	TR_FD_MEMFD = 9,	/* memfd_create file (/memfd:NAME) */
	TR_FD_OTHER = 10,	/* none of these (symlink target unknown, ...) */
	TR_FD_KIND_MAX = 10,
};

#define TR_FDF_DELETED	0x0001U	/* the file was unlinked (st_nlink 0); path has no " (deleted)" */
#define TR_FDF_FDINFO	0x0002U	/* pos, open_flags and mnt_id are known (fdinfo was read) */
#define TR_FDF_STAT	0x0004U	/* ino, dev and mode are known (stat of the target worked) */
#define TR_FDF_KNOWN	0x0007U

struct tr_fd {
	struct tr_rec_hdr h;
	__u32 host_pid;		/* owner, initial pid namespace */
	__s32 fd;
	__u64 start_ns;		/* owner's start, as in its TR_REC_PROC */
	__u64 ino;		/* inode of the target (the socket's, the pipe's, ...) */
	__u32 dev_major;	/* device of the target's file system */
	__u32 dev_minor;
	__u64 pos;		/* file position (fdinfo "pos") */
	__u32 open_flags;	/* fdinfo "flags": O_* of x86-64 Linux, O_CLOEXEC 02000000 included */
	__u32 mode;		/* st_mode of the target */
	__u32 mnt_id;		/* fdinfo "mnt_id": the mount (TR_REC_MOUNT mount_id) */
	__u16 kind;		/* enum tr_fd_kind */
	__u16 flags;		/* TR_FDF_* */
	__u16 nargs;		/* encoded arguments that follow (TR_FD_ARG_*) */
	__u16 reserved;		/* zero */
	__u32 reserved2;	/* zero */
};

enum tr_fd_arg {
	TR_FD_ARG_PATH = 0,	/* STR: readlink of /proc/PID/fd/N (without " (deleted)" when TR_FDF_DELETED) */
	TR_FD_ARG_LOCAL = 1,	/* SOCKADDR: a socket's local address (AF_UNIX: its path) */
	TR_FD_ARG_REMOTE = 2,	/* SOCKADDR: a socket's peer (all zero when unconnected) */
	TR_FD_ARG_SOCK_TYPE = 3, /* UINT32: SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET */
	TR_FD_ARG_PROTOCOL = 4,	/* UINT32: IPPROTO_TCP, IPPROTO_UDP, ...; 0 for AF_UNIX */
	TR_FD_ARG_SOCK_STATE = 5, /* UINT32: TCP state (1 ESTABLISHED .. 10 LISTEN), unix SS_* state */
	TR_FD_ARG_NET_NS = 6,	/* UINT32: net namespace whose /proc/net tables named the socket */
	TR_FD_ARG_NARGS = 7,
};

/* TR_REC_CGROUP: a cgroup v2 directory; id is its inode number, the id BPF's
 * bpf_get_current_cgroup_id() and tr_event.cgroup_id give. */
struct tr_cgroup {
	struct tr_rec_hdr h;
	__u64 cgroup_id;
	__u32 level;		/* depth below the root (root: 0) */
	__u16 nargs;		/* TR_CGROUP_ARG_* */
	__u16 reserved;		/* zero */
};

enum tr_cgroup_arg {
	TR_CGROUP_ARG_PATH = 0,	/* STR: path from the cgroup2 root, "/" for the root */
	TR_CGROUP_ARG_NARGS = 1,
};

/* TR_REC_MOUNT: one line of /proc/PID/mountinfo of mount namespace mnt_ns;
 * strings with mountinfo's octal escapes (\040 ...) undone. */
struct tr_mount {
	struct tr_rec_hdr h;
	__u32 mnt_ns;		/* mount namespace inode */
	__u32 host_pid;		/* the process whose mountinfo was read */
	__u32 mount_id;
	__u32 parent_id;
	__u32 dev_major;
	__u32 dev_minor;
	__u16 nargs;		/* TR_MOUNT_ARG_* */
	__u16 reserved;		/* zero */
	__u32 reserved2;	/* zero */
};

enum tr_mount_arg {
	TR_MOUNT_ARG_ROOT = 0,	/* STR: root of the mount within its file system */
	TR_MOUNT_ARG_POINT = 1,	/* STR: mount point, relative to the process's root */
	TR_MOUNT_ARG_OPTIONS = 2, /* STR: per-mount options (rw,nosuid,...) */
	TR_MOUNT_ARG_OPTIONAL = 3, /* STR: optional fields (shared:N master:N ...), space-separated */
	TR_MOUNT_ARG_FSTYPE = 4, /* STR: file system type (with its subtype: fuse.sshfs) */
	TR_MOUNT_ARG_SOURCE = 5, /* STR: mount source */
	TR_MOUNT_ARG_SUPER_OPTIONS = 6, /* STR: super block options */
	TR_MOUNT_ARG_NARGS = 7,
};

/* TR_REC_USER: one entry of /etc/passwd or /etc/group, as seen from the root
 * of a process of mount namespace mnt_ns (containers have their own). */
enum tr_user_kind {
	TR_USER_USER = 1,	/* /etc/passwd */
	TR_USER_GROUP = 2,	/* /etc/group */
	TR_USER_KIND_MAX = 2,
};

struct tr_user {
	struct tr_rec_hdr h;
	__u32 id;		/* uid or gid */
	__u32 gid;		/* a user's primary group; 0 for a group */
	__u32 mnt_ns;		/* mount namespace whose /etc was read */
	__u16 kind;		/* enum tr_user_kind */
	__u16 nargs;		/* TR_USER_ARG_* */
};

enum tr_user_arg {
	TR_USER_ARG_NAME = 0,	/* STR */
	TR_USER_ARG_GECOS = 1,	/* STR: users */
	TR_USER_ARG_HOME = 2,	/* STR: users */
	TR_USER_ARG_SHELL = 3,	/* STR: users */
	TR_USER_ARG_MEMBERS = 4, /* STR_ARRAY: a group's listed members */
	TR_USER_ARG_NARGS = 5,
};

/* TR_REC_NETIF: one network interface of the recorder's net namespace. */
struct tr_netif {
	struct tr_rec_hdr h;
	__u32 ifindex;
	__u32 if_flags;		/* IFF_* (IFF_UP 0x1, IFF_LOOPBACK 0x8, IFF_PROMISC 0x100, ...) */
	__u32 net_ns;		/* net namespace inode */
	__u32 mtu;
	__u16 nargs;		/* TR_NETIF_ARG_* */
	__u16 reserved;		/* zero */
	__u32 reserved2;	/* zero */
};

/* TR_NETIF_ARG_ADDRS is an array of these, packed. */
struct tr_netif_addr {
	__u16 family;		/* AF_INET (2) or AF_INET6 (10) */
	__u8 prefix_len;
	__u8 reserved;		/* zero */
	__u8 addr[16];		/* network order; AF_INET uses the first 4 bytes, the rest zero */
};

enum tr_netif_arg {
	TR_NETIF_ARG_NAME = 0,	/* STR: eth0 */
	TR_NETIF_ARG_HWADDR = 1, /* BYTES: link-layer address */
	TR_NETIF_ARG_ADDRS = 2,	/* BYTES: struct tr_netif_addr[] */
	TR_NETIF_ARG_NARGS = 3,
};

/* TR_REC_HOST: what the host is. */
struct tr_host {
	struct tr_rec_hdr h;
	__u32 cpu_count;	/* possible CPUs */
	__u32 clk_tck;		/* USER_HZ: the precision of tr_proc.start_ns is 1/clk_tck s */
	__u16 nargs;		/* TR_HOST_ARG_* */
	__u16 reserved;		/* zero */
	__u32 reserved2;	/* zero */
};

enum tr_host_arg {
	TR_HOST_ARG_HOSTNAME = 0, /* STR: uname nodename */
	TR_HOST_ARG_KERNEL_RELEASE = 1, /* STR: uname -r */
	TR_HOST_ARG_KERNEL_VERSION = 2, /* STR: uname -v */
	TR_HOST_ARG_MACHINE = 3, /* STR: uname -m */
	TR_HOST_ARG_BOOT_ID = 4, /* STR: /proc/sys/kernel/random/boot_id */
	TR_HOST_ARG_MACHINE_ID = 5, /* STR: /etc/machine-id */
	TR_HOST_ARG_OS_RELEASE = 6, /* STR_ARRAY: /etc/os-release as KEY=value, quotes removed */
	TR_HOST_ARG_NARGS = 7,
};

/* TR_REC_CHECKPOINT: the state records between a begin and the end with
 * the same id are the state as of then (process table, fds, cgroups, ...). */
enum tr_checkpoint_phase {
	TR_CHECKPOINT_BEGIN = 1,
	TR_CHECKPOINT_END = 2,
	TR_CHECKPOINT_PHASE_MAX = 2,
};

enum tr_checkpoint_reason {
	TR_CHECKPOINT_START = 1,	/* the recording's first state */
	TR_CHECKPOINT_ROTATION = 2,	/* a new segment: it stands alone */
	TR_CHECKPOINT_REASON_MAX = 2,
};

struct tr_checkpoint {
	struct tr_rec_hdr h;
	__u32 id;		/* 0-based, +1 per checkpoint of the recording */
	__u32 segment;		/* number of the segment it opens (NNNNNN of seg-NNNNNN.zst) */
	__u16 phase;		/* enum tr_checkpoint_phase */
	__u16 reason;		/* enum tr_checkpoint_reason */
	__u32 records;		/* END: state records written since the BEGIN; BEGIN: 0 */
};

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
_Static_assert(sizeof(struct tr_packet_gap) == 40, "tr_packet_gap layout");
_Static_assert(sizeof(struct tr_artifact) == 112, "tr_artifact layout");
_Static_assert(__builtin_offsetof(struct tr_artifact, sha256) == 72, "tr_artifact layout");
_Static_assert(sizeof(struct tr_net_pkt) == 24, "tr_net_pkt layout");
_Static_assert(sizeof(struct tr_exec_note) == 296, "tr_exec_note layout");
_Static_assert(sizeof(struct tr_clock) == 48, "tr_clock layout");
_Static_assert(__builtin_offsetof(struct tr_clock, reason) == 36, "tr_clock layout");
_Static_assert(sizeof(struct tr_fd) == 88, "tr_fd layout");
_Static_assert(__builtin_offsetof(struct tr_fd, open_flags) == 64, "tr_fd layout");
_Static_assert(__builtin_offsetof(struct tr_fd, nargs) == 80, "tr_fd layout");
_Static_assert(sizeof(struct tr_cgroup) == 40, "tr_cgroup layout");
_Static_assert(sizeof(struct tr_mount) == 56, "tr_mount layout");
_Static_assert(__builtin_offsetof(struct tr_mount, nargs) == 48, "tr_mount layout");
_Static_assert(sizeof(struct tr_user) == 40, "tr_user layout");
_Static_assert(sizeof(struct tr_netif) == 48, "tr_netif layout");
_Static_assert(sizeof(struct tr_netif_addr) == 20, "tr_netif_addr layout");
_Static_assert(sizeof(struct tr_host) == 40, "tr_host layout");
_Static_assert(sizeof(struct tr_checkpoint) == 40, "tr_checkpoint layout");

#endif /* TR_FORMAT_H */
