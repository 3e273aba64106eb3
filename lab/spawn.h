/*
 * spawn.h - start the traced program (for tracer.c; see spawn.c).
 */
#ifndef ZCL_SPAWN_H
#define ZCL_SPAWN_H

#include <linux/filter.h>
#include <sys/types.h>

#include "tracer.h"

/*
 * Fork the program and seize it (PTRACE_SEIZE with ptrace_opts) before it
 * runs o->child_setup, installs filter f and execs o->path (or argv[0])
 * with argv and envp. Returns its pid, or -1 with errno and a message in err
 * (fork failed, ptrace not permitted: the child is then reaped already).
 */
pid_t zcl_spawn_seized(char *const argv[], char *const envp[], const struct zcl_trace_opts *o,
		       const struct sock_fprog *f, long ptrace_opts, char *err, size_t errlen);

#endif
