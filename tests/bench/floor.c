// SPDX-License-Identifier: MIT
/* floor: load the benchmark's empty BPF programs (floor.bpf.c) on the
 * recorder's hooks, run COMMAND, detach when it exits; its exit status is
 * COMMAND's. Without COMMAND, hold the programs until SIGINT/SIGTERM.
 *   usage: floor [-- COMMAND [ARGS...]]      (root) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	int status = 0, i = 1;
	pid_t pid;

	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	libbpf_set_print(quiet);
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	skel = floor_bpf__open_and_load();
	if (!skel || floor_bpf__attach(skel)) {
		fprintf(stderr, "floor: error: loading or attaching the empty BPF programs failed: %s\n",
			strerror(errno));
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
	floor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
