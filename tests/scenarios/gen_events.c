// SPDX-License-Identifier: MIT
/*
 * gen_events: write a recording of the events listed on standard input,
 * one per line, for signature and Sigma tests that need events
 * gen_recording's session does not have:
 *
 *   proc: pid=100 ppid=1 comm=bash exe=/usr/bin/bash cwd=/root   (a snapshot process)
 *   openat: dirfd=-100 pathname=/etc/shadow flags=0 @pid=100 @comm=cat @ret=3
 *
 * Event arguments are typed by the catalog's wire type, as in
 * tests/unit/sig_synth.h (integers, STR, STR_ARRAY with '|', SOCKADDR as
 * inet:A.B.C.D:PORT / unix:PATH, BYTES "elf"); @pid, @ppid, @uid, @comm,
 * @ret and @container (outside the initial pid namespace) set the context.
 * Events are 1 ms apart on CPU 0, with a watermark after each.
 *
 *   gen_events DIR < events.txt
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../unit/replay_synth.h"

#define MS 1000000ULL

/* Mark with \x1f the spaces that separate arguments (as sig_synth.h). */
static void join_words(char *s)
{
	for (char *p = s; *p; p++) {
		char *end;

		if (*p != ' ')
			continue;
		end = strchr(p + 1, ' ');
		if (p[1] == '@' || memchr(p + 1, '=', end ? (size_t)(end - p - 1) : strlen(p + 1)))
			*p = '\x1f';
	}
}

static const struct tr_event_def *def_by_name(const char *name)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->events[i].name, name))
			return &c->events[i];
	return NULL;
}

static int put_arg(struct synth_ev *e, const struct tr_event_def *d, const char *name, const char *val)
{
	uint8_t buf[4096];
	size_t n = 0;
	unsigned k;

	for (k = 0; k < d->nargs && strcmp(d->args[k].name, name); k++)
		;
	if (k == d->nargs)
		return -1;
	switch (d->args[k].wire) {
	case TR_T_INT32:
	case TR_T_UINT32:
		synth_ev_u32(e, (uint8_t)k, (uint32_t)strtoll(val, NULL, 0));
		return 0;
	case TR_T_INT64:
	case TR_T_UINT64:
		synth_ev_u64(e, (uint8_t)k, (uint64_t)strtoll(val, NULL, 0));
		return 0;
	case TR_T_STR_ARRAY:
		for (const char *p = val; *p && n + 1 < sizeof(buf); p++)
			buf[n++] = *p == '|' ? 0 : (uint8_t)*p;
		buf[n++] = 0;
		break;
	case TR_T_SOCKADDR:
		if (!strncmp(val, "inet:", 5)) {
			struct sockaddr_in sin = { .sin_family = AF_INET };
			const char *c = strrchr(val + 5, ':');
			char ip[64];

			snprintf(ip, sizeof(ip), "%.*s", (int)(c - val - 5), val + 5);
			inet_pton(AF_INET, ip, &sin.sin_addr);
			sin.sin_port = htons((uint16_t)atoi(c + 1));
			memcpy(buf, &sin, n = sizeof(sin));
		} else {
			struct sockaddr_un sun = { .sun_family = AF_UNIX };

			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", val + 5);
			n = offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path) + 1;
			memcpy(buf, &sun, n);
		}
		break;
	case TR_T_BYTES:
		if (!strcmp(val, "elf")) {
			memcpy(buf, "\x7f" "ELF\x02\x01\x01\0", 8);
			n = 8;
			break;
		}
		/* fall through */
	default:
		n = strlen(val);
		memcpy(buf, val, n);
	}
	synth_ev_bytes(e, (uint8_t)k, buf, (uint32_t)n);
	return 0;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;
	uint64_t ts = 1000 * MS;
	struct synth s;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_events DIR < events.txt\n");
		return 2;
	}
	err = synth_open(&s, argv[1], 0);
	while (!err && getline(&line, &cap, stdin) > 0) {
		struct synth_task t = { .pid = 100, .ppid = 1, .start_ns = 500 * MS, .parent_start_ns = 10 * MS,
					.comm = "proc" };
		char *save = NULL, *tok, *colon, comm[17] = "proc", exe[4096] = "", cwd[4096] = "";
		const struct tr_event_def *d;
		struct synth_ev e;
		int64_t ret = 0;
		int container = 0, isproc;

		no++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon) {
			fprintf(stderr, "gen_events: error: line %u: no 'EVENT:'\n", no);
			return 2;
		}
		*colon = '\0';
		isproc = !strcmp(line, "proc");
		d = isproc ? NULL : def_by_name(line);
		if (!isproc && !d) {
			fprintf(stderr, "gen_events: error: line %u: no event %s\n", no, line);
			return 2;
		}
		if (d)
			synth_ev_begin(&e, 0, ts += MS, d->id, &t);
		join_words(colon + 1);
		for (tok = strtok_r(colon + 1, "\x1f", &save); tok; tok = strtok_r(NULL, "\x1f", &save)) {
			char *eq = strchr(tok, '=');
			const char *v = eq ? eq + 1 : "";

			while (*tok == ' ')
				tok++;
			if (eq)
				*eq = '\0';
			if (!strcmp(tok, "@pid") || (!strcmp(tok, "pid") && isproc))
				t.pid = (uint32_t)atoi(v);
			else if (!strcmp(tok, "@ppid") || (!strcmp(tok, "ppid") && isproc))
				t.ppid = (uint32_t)atoi(v);
			else if (!strcmp(tok, "@uid"))
				t.uid = (uint32_t)atoi(v);
			else if (!strcmp(tok, "@comm") || (!strcmp(tok, "comm") && isproc))
				snprintf(comm, sizeof(comm), "%s", v);
			else if (!strcmp(tok, "@ret"))
				ret = strtoll(v, NULL, 0);
			else if (!strcmp(tok, "@container"))
				container = 1;
			else if (isproc && !strcmp(tok, "exe"))
				snprintf(exe, sizeof(exe), "%s", v);
			else if (isproc && !strcmp(tok, "cwd"))
				snprintf(cwd, sizeof(cwd), "%s", v);
			else if (!d || put_arg(&e, d, tok, v)) {
				fprintf(stderr, "gen_events: error: line %u: no argument %s\n", no, tok);
				return 2;
			}
		}
		if (isproc) {
			synth_proc(&s, ts, t.pid, t.ppid, t.start_ns, comm, exe[0] ? exe : NULL, cwd[0] ? cwd : NULL, NULL);
			continue;
		}
		e.ev.host_pid = e.ev.pid = e.ev.host_tid = e.ev.tid = t.pid;
		e.ev.host_ppid = e.ev.ppid = t.ppid;
		e.ev.uid = e.ev.gid = t.uid;
		e.ev.retval = ret;
		synth_comm(e.ev.comm, comm);
		if (container)
			e.ev.pid_ns = 4026532999U;
		synth_ev_end(&s, &e);
		synth_watermark(&s, ts + 1);
		err = s.err;
	}
	free(line);
	if (!err)
		err = synth_close(&s, TR_STATE_COMPLETE, 1);
	if (err) {
		fprintf(stderr, "gen_events: error: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
