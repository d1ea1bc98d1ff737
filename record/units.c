// SPDX-License-Identifier: MIT
/* units.c: sizes and durations in option values. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

struct unit {
	const char *suffix;
	double scale;
};

static const struct unit size_units[] = {
	{ "", 1 }, { "B", 1 },
	{ "K", 1024.0 }, { "KB", 1024.0 }, { "KiB", 1024.0 },
	{ "M", 1048576.0 }, { "MB", 1048576.0 }, { "MiB", 1048576.0 },
	{ "G", 1073741824.0 }, { "GB", 1073741824.0 }, { "GiB", 1073741824.0 },
	{ "T", 1099511627776.0 }, { "TB", 1099511627776.0 }, { "TiB", 1099511627776.0 },
};

static const struct unit time_units[] = {
	{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 },
};

static int parse(const char *s, const struct unit *units, size_t n, int fold, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v > 0) || !isfinite(v))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(fold ? strcasecmp : strcmp)(end, units[i].suffix)) {
			v *= units[i].scale;
			if (v >= 1.8e19 || v < 1)
				return -EINVAL;
			*out = (uint64_t)v;
			return 0;
		}
	return -EINVAL;
}

int rec_units__size(const char *s, uint64_t *bytes)
{
	return parse(s, size_units, sizeof(size_units) / sizeof(size_units[0]), 1, bytes);
}

int rec_units__duration(const char *s, uint64_t *ns)
{
	/* lowercase only: "500m" is minutes, "500M" a size */
	return parse(s, time_units, sizeof(time_units) / sizeof(time_units[0]), 0, ns);
}
