/*
 * extents.h - where a file's bytes are on disk, as the filesystem says
 * (FIEMAP): shared with another file (a reflink: copy_file_range copied
 * nothing), or its own; still waiting for write-back (delayed allocation)
 * or written.
 */
#ifndef ZCL_EXTENTS_H
#define ZCL_EXTENTS_H

#include <stdbool.h>
#include <stdint.h>

struct zcl_extents {
	bool measured;           /* FIEMAP answered (not on tmpfs, procfs, ...) */
	int error;               /* its errno when it did not */
	uint64_t extents;        /* how many */
	uint64_t bytes;          /* their length in all */
	uint64_t shared_bytes;   /* FIEMAP_EXTENT_SHARED: blocks shared with another file */
	uint64_t delalloc_bytes; /* FIEMAP_EXTENT_DELALLOC: dirty in the page cache, no block yet */
};

/* Read fd's extents (the whole file, without syncing it first: what is not
 * written back yet shows as delayed allocation). Returns 0 with e->measured,
 * or -1 with e->error (EOPNOTSUPP: the filesystem has no FIEMAP).
 * Source: Documentation/filesystems/fiemap.rst, ioctl_fiemap(2). */
int zcl_extents_read(int fd, struct zcl_extents *e);

#endif
