/*
 * pagecache.c - page-cache residency of a file, measured without reading it.
 *
 * cachestat(fd, range, stats, 0) returns counts of cached, dirty, writeback
 * and evicted pages for a byte range; range {0, 0} means the whole file.
 * Where the kernel is too old (ENOSYS), we fall back to mapping the file
 * read-only and asking mincore(2) which pages are present - mapping does not
 * fault anything in, so the measurement is still free of side effects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "pagecache.h"

#ifndef SYS_cachestat
#define SYS_cachestat 451 /* same number on every architecture */
#endif

struct cs_range { uint64_t off, len; };
struct cs_stat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static int have_cachestat = -1; /* unknown until the first call */

static int64_t by_mincore(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)st.st_size;
	size_t pages = (len + (size_t)pg - 1) / (size_t)pg;
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	unsigned char *vec = malloc(pages);
	int64_t res = -1;
	if (vec && mincore(map, len, vec) == 0) {
		res = 0;
		for (size_t i = 0; i < pages; i++)
			res += (vec[i] & 1) ? pg : 0;
	}
	free(vec);
	munmap(map, len);
	return res;
}

int64_t zcl_pc_resident(int fd)
{
	if (have_cachestat != 0) {
		struct cs_range r = {0, 0};
		struct cs_stat s;
		if (syscall(SYS_cachestat, fd, &r, &s, 0) == 0) {
			have_cachestat = 1;
			return (int64_t)s.nr_cache * sysconf(_SC_PAGESIZE);
		}
		if (errno != ENOSYS)
			return -1;
		have_cachestat = 0;
	}
	return by_mincore(fd);
}

const char *zcl_pc_method(void)
{
	if (have_cachestat < 0) {
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			zcl_pc_resident(fd);
			close(fd);
		}
	}
	return have_cachestat == 1 ? "cachestat" : "mincore";
}

int64_t zcl_pc_evict(int fd)
{
	/* Dirty pages cannot be dropped: write them back first and wait
	 * (sync_file_range(2); the journal need not be committed for the
	 * pages to be clean). */
	if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					  SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
	    fdatasync(fd) < 0 && errno != EINVAL)
		return -1;
	int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return zcl_pc_resident(fd);
}

bool zcl_pc_on_tmpfs(int fd)
{
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		return false;
	return fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC;
}
