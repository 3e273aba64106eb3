/*
 * 02-mmap.c - reference solution for stage 2: mmap() + write().
 *
 * Instead of copying the file into a buffer of our own, map it: the pages
 * of the mapping are the page cache pages themselves. write() from the
 * mapping then has the CPU copy straight from the page cache into the
 * socket buffer, so one CPU copy per byte disappears compared with stage 1.
 * The mode switches do not: write() still enters the kernel, and mmap(),
 * munmap() and the page faults on first touch come on top.
 *
 * The catch: while the file is mapped, somebody may truncate it. Touching
 * a mapped page that no longer has file behind it raises SIGBUS, which
 * kills a program that does not handle it. Here only the kernel touches
 * the mapping (inside write()), and there the same fault turns into
 * write() failing with EFAULT, which we pass on like any other error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send the first `size` bytes of file_fd to sock_fd through a read-only
 * mapping. Returns 0, or -1 with errno set. The mapping never outlives
 * the call.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* mmap() refuses a zero length with EINVAL, and an empty file has
	 * nothing to send anyway. */
	if (size == 0)
		return 0;

	/* MAP_SHARED + PROT_READ: we look at the page cache, we never write
	 * it. Nothing is read from disk yet; pages arrive on first touch,
	 * i.e. inside write() below. */
	char *map = mmap(NULL, size, PROT_READ, MAP_SHARED, file_fd, 0);
	if (map == MAP_FAILED)
		return -1;

	int rc = -1, saved;
	size_t done = 0;
	while (done < size) {
		/* One copy (CPU): page cache -> socket buffer. Ask for all that
		 * is left; the kernel may take less (a signal, or the per-call
		 * cap of 0x7ffff000 bytes every read/write has), so loop. */
		ssize_t w = write(sock_fd, map + done, size - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		done += (size_t)w;
	}
	rc = 0;
out:
	/* Unmap on success and on failure alike. Unmapping a whole mapping
	 * we made does not fail, but keep write()'s errno for the caller. */
	saved = errno;
	munmap(map, size);
	errno = saved;
	return rc;
}
