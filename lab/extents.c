/*
 * extents.c - a file's extents through FIEMAP, in batches, so a file of any
 * size and fragmentation is read whole with a fixed buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>

#include "extents.h"

#define BATCH 64

int zcl_extents_read(int fd, struct zcl_extents *e)
{
	union {
		struct fiemap fm;
		char raw[sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent)];
	} u;
	memset(e, 0, sizeof *e);
	uint64_t start = 0;
	for (;;) {
		memset(&u, 0, sizeof u);
		u.fm.fm_start = start;
		u.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		u.fm.fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0) {
			e->error = errno;
			return -1;
		}
		bool last = u.fm.fm_mapped_extents == 0;
		for (uint32_t i = 0; i < u.fm.fm_mapped_extents; i++) {
			const struct fiemap_extent *x = &u.fm.fm_extents[i];
			e->extents++;
			e->bytes += x->fe_length;
			if (x->fe_flags & FIEMAP_EXTENT_SHARED)
				e->shared_bytes += x->fe_length;
			if (x->fe_flags & FIEMAP_EXTENT_DELALLOC)
				e->delalloc_bytes += x->fe_length;
			start = x->fe_logical + x->fe_length;
			last = last || (x->fe_flags & FIEMAP_EXTENT_LAST);
		}
		if (last || u.fm.fm_mapped_extents < BATCH)
			break;
	}
	e->measured = true;
	return 0;
}
