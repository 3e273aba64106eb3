/*
 * proc.h - small readings of /proc the lab makes in several places
 * (proc(5)): one way to read a small file, a status field, a name, a
 * parent.
 */
#ifndef ZCL_PROC_H
#define ZCL_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Read the small file at path into buf (len bytes, NUL-terminated: "" when
 * nothing was read). Bytes read, or -1 (open or read failed). */
ssize_t zcl_proc_slurp(const char *path, char *buf, size_t len);

/* The number after "key:" at the start of a line of text (a status file's
 * contents, e.g. key "Tgid"), or -1. */
long zcl_proc_field(const char *text, const char *key);

/* The number after "key:" in /proc/PID/status, or -1 (no such process or
 * field). */
long zcl_proc_status(pid_t pid, const char *key);

/* The name (comm) of pid, as the kernel keeps it (unescaped: see
 * zcl_escape_text before printing it), or "?". Can't fail. */
void zcl_proc_comm(pid_t pid, char *name, size_t len);

/* The parent of pid (/proc/PID/stat's 4th field), or 0 if unknown. */
pid_t zcl_proc_parent(pid_t pid);

#endif
