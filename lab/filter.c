/*
 * filter.c - the seccomp filter that decides which syscalls stop the
 * program for the tracer (SECCOMP_RET_TRACE) and which run untouched.
 *
 * Besides the caller's list, the tracer traps sched_getaffinity and
 * sched_setaffinity for itself when it manages where the program runs
 * (tracer_cpu.c). A syscall of another ABI (int 0x80 on x86-64 takes i386
 * numbers; x32) is killed in stage runs, whose sandbox table is x86-64's,
 * and stops for the tracer in zcl trace, which reports it as that ABI's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
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
	if (!o->trap_all && o->pin_cpu &&
	    (seccomp_rule_add(f, SCMP_ACT_TRACE(0), SCMP_SYS(sched_getaffinity), 0) < 0 ||
	     seccomp_rule_add(f, SCMP_ACT_TRACE(0), SCMP_SYS(sched_setaffinity), 0) < 0))
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
	if (seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH,
			     o->trace_other_abi ? SCMP_ACT_TRACE(0) : SCMP_ACT_KILL_PROCESS) < 0)
		goto out;
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

const char *zcl_filter_syscall_name(uint32_t arch, long nr, char *buf, size_t len)
{
	/* libseccomp's SCMP_ARCH_* are the kernel's AUDIT_ARCH_* values */
	uint32_t a = arch == SCMP_ARCH_X86_64 && (nr & 0x40000000L) ? SCMP_ARCH_X32 : arch;
	char *name = seccomp_syscall_resolve_num_arch(a, (int)nr);
	snprintf(buf, len, "%s", name ? name : "");
	if (!name)
		snprintf(buf, len, "syscall_%ld", nr);
	free(name);
	return buf;
}
