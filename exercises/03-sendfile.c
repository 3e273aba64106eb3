/*
 * 03-sendfile.c - stage 3: send a file with sendfile().
 *
 * Stages 1 and 2 brought the data up to user space (or mapped it there)
 * only to hand it straight back to the kernel. sendfile() says what you
 * mean instead: "move these bytes of this file to that socket". The data
 * never leaves the kernel and there is no buffer of yours at all.
 *
 * What happens underneath, per call:
 *   the disk DMAs missing pages into the page cache; the socket takes
 *   references to those pages. If the NIC can gather scattered memory
 *   (scatter-gather DMA), it reads them straight from the page cache and
 *   the CPU copies nothing. Without SG the kernel copies page cache ->
 *   socket buffer once, and the NIC DMAs from there.
 * One syscall, 2 mode switches; 2 copies with SG, 3 without.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/sendfile.h>
#include <sys/types.h>

#include "zcl.h"

/*
 * Send bytes [0, size) of file_fd (open read-only, offset 0) to the
 * connected socket sock_fd using sendfile(). Return 0 once all of them were
 * sent, or -1 with errno set. `size` may be 0. Do not read() the file: this
 * stage is about not touching the data. Do not close either descriptor.
 *
 * Watch out:
 *   - one sendfile() moves at most 0x7ffff000 bytes (see sendfile(2));
 *   - any call may return fewer bytes than asked, or fail with EINTR;
 *   - with an offset pointer the kernel advances *offset for you and
 *     leaves the descriptor's own file position alone.
 */
int send_file(int file_fd, int sock_fd, size_t size)
{
	/* TODO: keep an off_t offset, starting at 0. */

	/* TODO: loop: sendfile(sock_fd, file_fd, &offset, count) until all
	 *       `size` bytes are sent. Retry on EINTR; give up on other
	 *       errors; think about what a return value of 0 means. */

	(void)file_fd;
	(void)sock_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: return 0 on success, -1 on error */
}
