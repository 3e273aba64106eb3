/*
 * ccjail.h - run the compiler in its walls: a job directory of its own,
 * limits (CPU, address space, file size, a memory cgroup, wall clock), the
 * sandbox uid when the lab is root, bubblewrap's view where it can run
 * (bwrap.c) and Landlock where it cannot. What it prints comes back.
 */
#ifndef ZCL_CCJAIL_H
#define ZCL_CCJAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "memcg.h"

/* How the compiler runs: its limits and uid, and what came back. */
struct zcl_cc_run {
	const struct zcl_memcg *memcg;
	uid_t uid;              /* drop to it when root */
	const char *cwd;        /* without bwrap: where to run */
	char *const *envp;      /* its environment (bwrap sets its own inside) */
	const char *job;        /* without bwrap: confine reads and writes to it (Landlock) */
	size_t cap;             /* most output bytes kept */
	/* results */
	char *out;              /* stdout+stderr, malloc'd (NULL: out of memory or no run) */
	bool truncated;         /* more than cap bytes came */
	bool timed_out;         /* past ZCL_CC_WALL_S: the group was killed */
	int status;             /* wait status; -1: could not run */
};

/* A job directory for one compile under the scratch base: JOB/src with a
 * copy of each from[i] named names[i] (read-only to the compiler; from[0]
 * never through a link when first_is_students), and JOB/tmp (its
 * temporaries and output, owned by uid). 0, or -1 with errno (JOB may
 * exist, half made: remove it with zcl_rm_rf). */
int zcl_cc_make_job(char *job, size_t len, uid_t uid, const char *const from[], const char *const names[],
		    size_t n, bool first_is_students);

/* The compiler's argv: through bwrap (sources at ZCL_BWRAP_SRC) when bw,
 * else cmd itself. A malloc'd array (free it only), NULL when out of
 * memory. Not reentrant (static storage for the paths). */
char **zcl_cc_argv(bool bw, const char *job, char *cmd[]);

/* Run argv under c's walls with stdin from /dev/null, capturing stdout and
 * stderr (the first c->cap bytes) and killing the whole group after
 * ZCL_CC_WALL_S. Fills c->out, truncated, timed_out, status. */
void zcl_cc_run(char *const argv[], struct zcl_cc_run *c);

/* The lab's limit the compiler hit, as a sentence (static storage), or
 * NULL. Can't fail. */
const char *zcl_cc_limit_hit(const struct zcl_cc_run *c);

#endif
