/*
 * filter.c - the seccomp filter that decides which syscalls stop the
 * program for the tracer (SECCOMP_RET_TRACE) and which run untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "filter.h"

/*
 * Build the filter in the parent and export it as raw BPF: the child of a
 * multi-threaded process may only make async-signal-safe calls, so it
 * installs the ready program with one prctl() and allocates nothing.
 * Returns a malloc'd program, or NULL.
 */
struct sock_fprog *zcl_filter_build(const struct zcl_trace_opts *o)
{
	struct sock_fprog *prog = NULL;
	int fd = -1;
	scmp_filter_ctx f = seccomp_init(o->trap_all ? SCMP_ACT_TRACE(0) : SCMP_ACT_ALLOW);
	if (!f)
		return NULL;
	if (!o->trap_all && o->trap)
		for (const int *p = o->trap; *p >= 0; p++)
			if (seccomp_rule_add(f, SCMP_ACT_TRACE(0), *p, 0) < 0)
				goto out;
	/* A child made with CLONE_UNTRACED would escape the tracer; clone3's
	 * flags live in memory a filter cannot read, so refuse it (glibc then
	 * falls back to clone). With trap_all the caller's entry hook sees
	 * every call and refuses these itself, so it can say so. */
	if (!o->trap_all &&
	    (seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_UNTRACED, CLONE_UNTRACED)) < 0 ||
	     seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0))
		goto out;
	/* x32 and int 0x80 would bypass our syscall table: kill them. */
	seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	fd = memfd_create("zcl-bpf", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(f, fd) < 0)
		goto out;
	off_t len = lseek(fd, 0, SEEK_END);
	if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0)
		goto out;
	prog = malloc(sizeof *prog + (size_t)len);
	if (!prog)
		goto out;
	prog->len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)(prog + 1);
	if (pread(fd, prog->filter, (size_t)len, 0) != len) {
		free(prog);
		prog = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(f);
	return prog;
}
