// SPDX-License-Identifier: MIT
/* status.c: the live status line of tracee-record. */
#include <stdio.h>
#include <unistd.h>

#include "status.h"

#define STATUS_EVERY_NS 1000000000ULL

void rec_status__init(struct rec_status *s, FILE *f, int quiet, uint64_t now_ns)
{
	*s = (struct rec_status){ .start_ns = now_ns, .last_ns = now_ns };
	if (!quiet && f && isatty(fileno(f)))
		s->tty = f;
}

const char *rec_status__size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = n;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

void rec_status__tick(struct rec_status *s, uint64_t now_ns, const struct rec_counts *c)
{
	char size[32];
	double dt;

	if (!s->tty || now_ns - s->last_ns < STATUS_EVERY_NS)
		return;
	dt = (now_ns - s->last_ns) / 1e9;
	/* \r and erase to the end of the line: one line, redrawn in place */
	fprintf(s->tty, "\r\033[Ktracee-record: %.0f s, %llu events (%.0f events/s), %llu lost, %s written",
		(now_ns - s->start_ns) / 1e9, (unsigned long long)c->events, (c->events - s->last_events) / dt,
		(unsigned long long)c->lost, rec_status__size(size, sizeof(size), c->bytes));
	if (c->ratio > 0)
		fprintf(s->tty, " (%.1fx compressed)", c->ratio);
	if (c->head[0])
		fprintf(s->tty, ", chain head %s (%llu frames)", c->head, (unsigned long long)c->frames);
	fflush(s->tty);
	s->drawn = 1;
	s->last_ns = now_ns;
	s->last_events = c->events;
}

void rec_status__clear(struct rec_status *s)
{
	if (s->tty && s->drawn) {
		fputs("\r\033[K", s->tty);
		fflush(s->tty);
	}
	s->drawn = 0;
}
