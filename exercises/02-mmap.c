/*
 * 02-mmap.c - stage 2: send a file with mmap() + write().
 *
 * In stage 1 the CPU copied every byte from the page cache into your
 * buffer, only to copy it again into the socket. Skip the middle step: map
 * the file into your address space. The pages of the mapping are the page
 * cache pages themselves, so write() from the mapping copies page cache ->
 * socket buffer directly.
 *
 * What happens underneath:
 *   mmap():  sets up the mapping; no data moves yet;
 *   write(): touching a page that is not cached faults, and the disk DMAs
 *            it into the page cache; the CPU copies page cache -> socket
 *            buffer; the NIC DMAs it onto the wire;
 *   munmap(): tears the mapping down.
 * That is 3 copies (2 DMA, 1 CPU). The mode switches stay: 2 per write(),
 * plus the mmap() and munmap() calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Send the first `size` bytes of file_fd (open read-only, offset 0) to the
 * connected socket sock_fd, writing straight from a mapping of the file.
 * Return 0 once all of them were written, or -1 with errno set. `size` may
 * be 0. Unmap what you mapped; do not close either descriptor.
 *
 * Watch out:
 *   - mmap() with a length of 0 fails with EINVAL;
 *   - mmap() reports failure as MAP_FAILED, not NULL;
 *   - write() may move fewer bytes than asked, or fail with EINTR;
 *   - if the file shrinks while mapped, touching the vanished pages
 *     raises SIGBUS.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* TODO: handle size == 0. */

	/* TODO: mmap() the file: read-only, `size` bytes, from offset 0. */

	/* TODO: write() from the mapping to sock_fd until all `size` bytes
	 *       are sent. */

	/* TODO: munmap() on every way out, without losing errno. */

	(void)file_fd;
	(void)sock_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: return 0 on success, -1 on error */
}
