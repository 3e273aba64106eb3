/*
 * sandbox.h - what a student's program may not do, and the walls around it.
 *
 * Two halves. The policy is consulted by the collector at every syscall
 * entry of a stage run (every syscall is trapped there), so a refused call
 * is skipped, fails with an errno, and is reported by name. The walls are
 * put up in the child before exec: limits, an unprivileged uid when the lab
 * runs as root, and Landlock so it writes nowhere but its scratch directory.
 */
#ifndef ZCL_SANDBOX_H
#define ZCL_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "event.h"

/* Facts the policy needs about the run. */
struct zcl_sandbox_state {
	bool exec_seen;   /* the stage binary has been exec'd: no further exec */
	pid_t group;      /* the program's process group (its first pid) */
	bool (*is_ours)(pid_t pid); /* is pid one of the program's processes or threads? */
};

/* Should r (at entry) be refused? Returns 0 to let it run, or the errno to
 * fail it with; *why is set to a sentence naming the rule, or NULL when the
 * refusal is quiet (clone3: glibc falls back to clone). Can't fail. */
int zcl_sandbox_check(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st,
		      const char **why);

/* The uid and gid a stage program runs as when the lab is root: unused ids
 * of our own, so runs share no process limit with anyone. */
uid_t zcl_sandbox_uid(void);

/* In the child, before exec: limits, the unprivileged uid (when root),
 * Landlock (writes only below `scratch`). Only async-signal-safe calls.
 * Returns 0, or -1 when a wall could not be put up that must be (the uid
 * change); Landlock missing from the kernel is not an error. */
int zcl_sandbox_enter(const char *scratch);

#endif
