/*
 * copyfile.h - copy one regular file to a new path: the one helper the
 * builder, the runner, the bench and the class grader share.
 *
 * The source is often a student's upload, so it is opened as the file
 * itself, never through a symbolic link (a link to /root/secret would make
 * the grader, running as root, hand that file to the compiler, which
 * quotes it in its errors), and only a regular file is read (a FIFO would
 * block the grader forever, a device would never end).
 */
#ifndef ZCL_COPYFILE_H
#define ZCL_COPYFILE_H

#include <sys/types.h>

/* flags of zcl_copy_file */
#define ZCL_COPY_FOLLOW 1 /* `from` may be a symbolic link: the lab's own files only */

/* Copy the regular file `from` to `to`, created (or truncated) with
 * permission bits `mode` (before the umask). `to`'s last component may not
 * be a symbolic link, nor `from`'s unless flags has ZCL_COPY_FOLLOW (a
 * student's file never has it). Writes are retried until complete (a
 * short write is not an error; EINTR is retried). Returns 0, or -1 with
 * errno: ELOOP for a refused symbolic link (open(2) with O_NOFOLLOW),
 * EINVAL if `from` is not a regular file, or the error of
 * open/read/write/close. On failure `to` may exist with part of the bytes. */
int zcl_copy_file(const char *from, const char *to, mode_t mode, int flags);

#endif
