/*
 * deferral.c - the fast mode's rule: a call may skip its exit stop only
 * when the change in the thread's rchar/wchar tells its result apart from
 * a failure.
 *
 * A read's counters move by the bytes it returned; a failure moves them by
 * nothing, exactly like end of file. So a call is deferred only where a
 * failure is not to be expected: every descriptor open (else EBADF),
 * blocking unless a regular file (else EAGAIN; O_NONBLOCK means nothing to
 * a regular file, and tar sets it), not O_DIRECT (EINVAL on a misaligned
 * buffer), and a plain read or write: sendfile and copy_file_range refuse
 * many descriptor pairs (EINVAL, EXDEV), and callers such as cat then fall
 * back to read. The failures left (EINTR after a signal, EIO, EPIPE with
 * SIGPIPE ignored) are rare, and a write that moved nothing is still shown
 * as failed (runs.c).
 *
 * The counters are not read after every deferred call: a thread's deferred
 * calls form runs (1, 2, 4 ... up to 32 calls while runs come out full),
 * checked by one reading at the run's end, before the thread's next call
 * that is not deferred, and at its exit (runs.c, collect.c). A run that
 * moved exactly what its calls asked proves each call full; a short one is
 * exact where one call of a direction or one regular file accounts for it,
 * else its calls are shown "=~ ?" with exact sums.
 */
#define _GNU_SOURCE
#include <time.h>

#include "deferral.h"

bool zcl_can_defer(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	if (rule->fam != ZM_READ && rule->fam != ZM_WRITE)
		return false;
	const struct zcl_fdinfo *fd[2] = {rule->in_fd >= 0 ? &r->in : NULL, rule->out_fd >= 0 ? &r->out : NULL};
	for (int i = 0; i < 2; i++)
		if (fd[i] && (fd[i]->kind == ZF_NONE || (fd[i]->nonblock && fd[i]->kind != ZF_FILE) ||
			      fd[i]->cls == ZC_DIRECT))
			return false;
	return true;
}

uint64_t zcl_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
