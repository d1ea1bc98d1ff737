// SPDX-License-Identifier: MIT
/* evinfo.c: argument keys of the built-in catalog's events, resolved once
 * per process (replay/view.h). */
#include <pthread.h>
#include <stdlib.h>

#include "catalog.h"
#include "view.h"

static struct tr_evinfo *builtin;	/* by position in the built-in catalog */
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	builtin = calloc(c->n ? c->n : 1, sizeof(*builtin));
	for (size_t i = 0; builtin && i < c->n; i++)
		tr_evinfo__init(&builtin[i], &c->events[i]);
}

void tr_evinfo__init_shared(struct tr_evinfo *info, const struct tr_event_def *def)
{
	const struct tr_catalog *c = tr_catalog__builtin();

	if (def && def >= c->events && def < c->events + c->n) {
		pthread_once(&builtin_once, builtin_init);
		if (builtin) {
			*info = builtin[def - c->events];
			info->cache = NULL;	/* the owner's own */
			return;
		}
	}
	tr_evinfo__init(info, def);
}
