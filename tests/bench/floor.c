// SPDX-License-Identifier: MIT
/* floor: load the benchmark's empty BPF programs (floor.bpf.c) on the
 * recorder's hooks, run COMMAND, detach when it exits; its exit status is
 * COMMAND's. Without COMMAND, hold the programs until SIGINT/SIGTERM.
 * --mode makes sys_exit do one piece of a recorder's work for every
 * syscall (tests/bench/hookcost.sh): base (what the others share), perf (a 160-byte record through a
 * perf buffer, woken at a quarter full, as tracee-record did), ringbuf (the
 * same through a ring buffer), reserve (reserved and committed in place),
 * clock, storage (task storage), ustr (a string from user memory). What
 * is sent is read and dropped by a thread of the loader.
 *   usage: floor [--mode MODE] [-- COMMAND [ARGS...]]      (root) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

static const char *const modes[] = { "empty", "base", "perf", "ringbuf", "reserve", "clock", "storage", "ustr" };
#define PERF_PAGES 256

static volatile int done;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static enum bpf_perf_event_ret drop_perf(void *ctx, int cpu, struct perf_event_header *h)
{
	return LIBBPF_PERF_EVENT_CONT;
}

static int drop_ring(void *ctx, void *data, size_t size)
{
	return 0;
}

/* Reads and drops what the programs send, as a recorder's drain would. */
static void *drain(void *arg)
{
	struct floor_bpf *skel = arg;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
		.wakeup_watermark = PERF_PAGES * 4096 / 4,
	};
	struct perf_buffer *pb = perf_buffer__new_raw(bpf_map__fd(skel->maps.pb), PERF_PAGES, &attr, drop_perf,
						      NULL, NULL);
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), drop_ring, NULL, NULL);

	while (!done && pb && rb) {
		perf_buffer__poll(pb, 50);
		ring_buffer__poll(rb, 50);
	}
	perf_buffer__free(pb);
	ring_buffer__free(rb);
	return NULL;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	pthread_t drainer;
	int status = 0, i = 1, mode = 0;
	pid_t pid;

	if (i + 1 < argc && !strcmp(argv[i], "--mode")) {
		for (mode = 0; mode < (int)(sizeof(modes) / sizeof(modes[0])); mode++)
			if (!strcmp(argv[i + 1], modes[mode]))
				break;
		if (mode == (int)(sizeof(modes) / sizeof(modes[0]))) {
			fprintf(stderr, "floor: error: --mode: '%s' is not one of empty, base, perf, ringbuf, reserve, "
				"clock, storage, ustr\n", argv[i + 1]);
			return 2;
		}
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	libbpf_set_print(quiet);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	skel = floor_bpf__open();
	if (skel) {
		skel->rodata->mode = mode;
		skel->rodata->self_tgid = getpid();
	}
	if (!skel || floor_bpf__load(skel) || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: error: loading or attaching the BPF programs failed: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	if (pthread_create(&drainer, NULL, drain, skel)) {
		fprintf(stderr, "floor: error: cannot start the drain thread\n");
		floor_bpf__destroy(skel);
		return 1;
	}
	if (i >= argc) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	} else {
		pid = fork();
		if (pid == 0) {
			execvp(argv[i], argv + i);
			fprintf(stderr, "floor: error: cannot run '%s': %s\n", argv[i], strerror(errno));
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			status = 1 << 8;
	}
	done = 1;
	pthread_join(drainer, NULL);
	floor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
