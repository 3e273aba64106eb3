/*
 * pagecache.h - how much of a file sits in the page cache, and evicting it.
 *
 * Residency is measured with cachestat(2) (Linux >= 6.5), or with mincore(2)
 * on the lab's own read-only mapping of the file on older kernels. Neither
 * reads the file, so measuring does not change what is measured.
 */
#ifndef ZCL_PAGECACHE_H
#define ZCL_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes of fd's file resident in the page cache (pages x page size), or -1
 * with errno. fd is the lab's own descriptor. */
int64_t zcl_pc_resident(int fd);

/* Which method zcl_pc_resident uses: "cachestat" or "mincore". */
const char *zcl_pc_method(void);

/* Write back and drop fd's pages (fdatasync + POSIX_FADV_DONTNEED). Returns
 * the bytes still resident afterwards (0 on a disk filesystem; everything on
 * tmpfs, which has no disk to drop to), or -1 with errno. */
int64_t zcl_pc_evict(int fd);

/* Is fd's file on tmpfs or ramfs (no disk under its page cache)? */
bool zcl_pc_on_tmpfs(int fd);

#endif
