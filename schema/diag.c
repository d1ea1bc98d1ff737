// SPDX-License-Identifier: MIT
/* diag.c: errors, and warnings about damaged or odd input (schema/diag.h). */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

void tr_diag__verror(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: error: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tr_diag__error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag__verror(prog, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 0)))
static void tr_diag_vwarn(struct tr_diag *d, int damage, const char *file, int64_t offset,
			  const char *fmt, va_list ap)
{
	char msg[1024];

	d->warnings++;
	d->damage += !!damage;
	if (!d->out && !d->hook)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (d->hook)
		d->hook(d->hook_ctx, damage, file, offset, msg);
	if (!d->out || d->warnings > TR_DIAG_MAX_PRINTED)
		return;
	fprintf(d->out, "%s: warning: ", d->prog ? d->prog : "tracee");
	if (file)
		fprintf(d->out, "%s: ", file);
	if (offset >= 0)
		fprintf(d->out, "offset %lld: ", (long long)offset);
	fputs(msg, d->out);
	fputc('\n', d->out);
	if (d->warnings == TR_DIAG_MAX_PRINTED)
		fprintf(d->out, "%s: warning: more than %d warnings; only counting the rest\n",
			d->prog ? d->prog : "tracee", TR_DIAG_MAX_PRINTED);
}

void tr_diag__warn(struct tr_diag *d, const char *file, int64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vwarn(d, 0, file, offset, fmt, ap);
	va_end(ap);
}

void tr_diag__damage(struct tr_diag *d, const char *file, int64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vwarn(d, 1, file, offset, fmt, ap);
	va_end(ap);
}

void tr_diag__summary(struct tr_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->out)
		return;
	fprintf(d->out, "%s: warning: ", d->prog ? d->prog : "tracee");
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}
