/*
 * filter.h - build the tracer's seccomp filter (see filter.c).
 */
#ifndef ZCL_FILTER_H
#define ZCL_FILTER_H

#include <linux/filter.h>

#include "tracer.h"

/* The filter for o as a ready BPF program (malloc'd; one free() releases
 * it), or NULL when libseccomp refused a rule. */
struct sock_fprog *zcl_filter_build(const struct zcl_trace_opts *o);

#endif
