/* SPDX-License-Identifier: MIT */
/* fs.h: small file-system helpers shared by the writers of recordings and
 * indexes. */
#ifndef TR_FS_H
#define TR_FS_H

/* fsync a file or a directory by path (a rename is durable only once its
 * directory is synced). 0 or -errno. */
int tr_fsync_path(const char *path);

#endif /* TR_FS_H */
