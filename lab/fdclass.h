/*
 * fdclass.h - what a tracee's descriptor is: file, socket, pipe or other,
 * and the finer class the model reads (disk file, tmpfs, O_DIRECT,
 * pseudo-file, TCP/UDP/unix socket and its route, tty, /dev/null, ...),
 * with its name as strace -yy shows it.
 *
 * Read from /proc/PID/fd/N (stat follows the link to the open object) and
 * from a duplicate the lab takes with pidfd_getfd(2), cached, and forgotten
 * when the descriptor may have changed: on close, dup2/dup3 onto it,
 * fcntl(F_SETFL)/ioctl(FIONBIO) on it, and exec.
 */
#ifndef ZCL_FDCLASS_H
#define ZCL_FDCLASS_H

#include <sys/types.h>

#include "event.h"

/* Tell the classifier which objects are the lab's own (0 = none); a new
 * run: the last run's names are freed. */
void zcl_fd_set_lab(dev_t input_dev, ino_t input_ino, ino_t socket_ino);

/* One more of the lab's outputs (a second socket, an output file): its
 * descriptors are classified lab_socket ("the lab's output") too. Call after
 * zcl_fd_set_lab. At most ZCL_LAB_OUTPUTS; -1 past that. */
#define ZCL_LAB_OUTPUTS 2
int zcl_fd_add_lab_output(dev_t dev, ino_t ino);

/* Class of descriptor fd in process (or thread) pid; kind ZF_NONE if fd < 0
 * or closed. *dev, *ino (may be NULL) get the object's identity. The name
 * and netdev strings belong to the classifier and stay valid until the
 * next zcl_fd_set_lab. Can't fail (what cannot be read stays unknown). */
struct zcl_fdinfo zcl_fd_class(pid_t pid, long fd, dev_t *dev, ino_t *ino);

/* Forget what is cached for fd (in every process: threads share tables). */
void zcl_fd_forget(long fd);

/* After a call succeeded: fcntl(F_SETFL) and ioctl(FIONBIO) change a
 * descriptor's flags (O_NONBLOCK, O_DIRECT), so it is classified again
 * next time. Other calls: nothing. Can't fail. */
void zcl_fd_after_call(const struct zcl_sysrec *r);

/* Forget everything cached (exec, a new process). */
void zcl_fd_forget_all(void);

/* The file position of descriptor fd of task pid, from the "pos:" line of
 * /proc/PID/fdinfo/FD (proc(5)), bytes; -1 when unknown (no such task or
 * descriptor, or no pos: line). */
int64_t zcl_fd_pos(pid_t pid, long fd);

#endif
