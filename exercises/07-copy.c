/*
 * 07-copy.c - stage 7: file -> file without leaving the kernel.
 *
 * So far the destination was a socket. Copying a file to another file
 * with read() + write() brings every byte up into your buffer and back
 * down. copy_file_range() hands the job to the kernel, and the kernel to
 * the filesystem: on ext4 the CPU copies page cache -> page cache inside
 * the kernel; on XFS or btrfs the two files may simply share their disk
 * blocks (a reflink) and nothing is copied at all; on NFS the server
 * copies. The lab tells you which happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "zcl.h"

/*
 * Copy bytes [0, size) of in_fd (open read-only, offset 0) to out_fd (an
 * empty file opened for writing) with copy_file_range(). Return 0 once all
 * bytes were copied, or -1 with errno set. Do not read() or write() the
 * data yourself. Do not close either descriptor.
 *
 * Watch out:
 *   - a call may copy fewer bytes than asked: loop;
 *   - with offset pointers the kernel advances them for you;
 *   - 0 means the input ended early;
 *   - EXDEV: the two files are on different filesystems (older kernels).
 */
int copy_file(int in_fd, int out_fd, size_t size)
{
	/* TODO: loff_t in_off = 0, out_off = 0; loop on copy_file_range(). */

	(void)in_fd;
	(void)out_fd;
	(void)size;
	return ZCL_TODO;	/* TODO: return 0 on success, -1 on error */
}
