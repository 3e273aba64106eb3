/*
 * copyfile.c - copy one regular file, refusing links and special files.
 *
 * A plain read/write loop through a 64 KiB buffer on the stack: the files
 * are sources and stage binaries (kilobytes to a few megabytes), so
 * copy_file_range(2) would save nothing worth a fallback path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copyfile.h"
#include "input.h"

int zcl_copy_file(const char *from, const char *to, mode_t mode, int flags)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int nofollow = flags & ZCL_COPY_FOLLOW ? 0 : O_NOFOLLOW;
	int in = open(from, O_RDONLY | O_CLOEXEC | O_NONBLOCK | nofollow), out = -1, ret = -1, err = 0;
	if (in < 0)
		return -1;
	struct stat st;
	if (fstat(in, &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (out < 0)
		goto out;
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && zcl_write_all(out, buf, (size_t)n) < 0))
			goto out;
		if (n == 0)
			break;
	}
	ret = 0;
out:
	err = errno;
	close(in);
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = -1, err = errno;
	errno = err;
	return ret;
}
