/*
 * fdclass.h - what a tracee's descriptor is: file, socket, pipe or other.
 *
 * Read from /proc/PID/fd/N (stat follows the link to the open object),
 * cached, and forgotten when the descriptor may have changed: on close,
 * dup2/dup3 onto it, and exec.
 */
#ifndef ZCL_FDCLASS_H
#define ZCL_FDCLASS_H

#include <sys/types.h>

#include "event.h"

/* Tell the classifier which objects are the lab's own (0 = none). */
void zcl_fd_set_lab(dev_t input_dev, ino_t input_ino, ino_t socket_ino);

/* Class of descriptor fd in process pid; kind ZF_NONE if fd < 0 or closed.
 * *dev, *ino (may be NULL) get the object's identity. Can't fail. */
struct zcl_fdinfo zcl_fd_class(pid_t pid, long fd, dev_t *dev, ino_t *ino);

/* Forget what is cached for fd (in every process: threads share tables). */
void zcl_fd_forget(long fd);

/* Forget everything cached (exec, a new process). */
void zcl_fd_forget_all(void);

#endif
