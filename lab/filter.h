/*
 * filter.h - build the tracer's seccomp filter (see filter.c).
 */
#ifndef ZCL_FILTER_H
#define ZCL_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "tracer.h"

/* The filter for o as a ready BPF program (malloc'd; one free() releases
 * it), or NULL when libseccomp refused a rule. */
struct sock_fprog *zcl_filter_build(const struct zcl_trace_opts *o);

/* The name of syscall nr of the ABI whose AUDIT_ARCH_* is arch (x32 calls
 * carry their 0x40000000 bit), in buf: "getpid", or "syscall_N" when
 * libseccomp does not know it. Returns buf. Can't fail. */
const char *zcl_filter_syscall_name(uint32_t arch, long nr, char *buf, size_t len);

#endif
