/*
 * attach_kids.h - the children a process had when zcl attached to it.
 *
 * When a process reaps a child, the kernel adds all the child's I/O, since
 * it started, to the parent's /proc/PID/io (proc(5); kernel/exit.c,
 * wait_task_zombie). For a child born after the attach, zcl saw every call
 * too; for one that ran before, it did not: the cross-check cannot compare
 * the two then, and says so.
 */
#ifndef ZCL_ATTACH_KIDS_H
#define ZCL_ATTACH_KIDS_H

#include <stdbool.h>
#include <sys/types.h>

/* Remember parent's children now (a /proc scan). Out of memory: some are
 * not remembered (then zcl_kids_one_ended may miss one). */
void zcl_kids_note(pid_t parent);

/* Has a remembered child stopped being parent's child (ended and reaped,
 * most likely)? */
bool zcl_kids_one_ended(pid_t parent);

/* Forget them all. */
void zcl_kids_free(void);

#endif
