// SPDX-License-Identifier: MIT
/* fs.c: small file-system helpers (fs.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fs.h"

int tr_fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}
