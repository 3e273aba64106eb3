/*
 * ccjail.c - the compiler's walls, and what it prints.
 *
 * The compiler runs on copies of its sources in a job directory of its
 * own, as the sandbox uid when the lab is root, under limits (CPU, address
 * space, file size, a memory cgroup, wall clock) and, where bubblewrap can
 * run, in a view that holds only the system and those copies (bwrap.c);
 * without bubblewrap, Landlock confines it to the job. Its output comes
 * back through a pipe; a limit hit is a sentence the checker reports,
 * never a crash of the lab.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bwrap.h"
#include "ccjail.h"
#include "copyfile.h"
#include "params.h"
#include "sandbox.h"
#include "scratch.h"

static void limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};
	setrlimit(res, &rl);
}

/* In the child: limits, cgroup, uid, then exec. Never returns. */
static _Noreturn void cc_child(char *const argv[], const struct zcl_cc_run *c, int out)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed grader takes its compiler along */
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (zcl_memcg_join(c->memcg) < 0)
		dprintf(2, "zcl: the compiler's memory cgroup could not be joined\n");
	struct rlimit cpu = {ZCL_CC_CPU_S, ZCL_CC_CPU_S + 1};
	setrlimit(RLIMIT_CPU, &cpu);
	limit(RLIMIT_AS, ZCL_CC_AS);
	limit(RLIMIT_FSIZE, ZCL_CC_FSIZE);
	limit(RLIMIT_CORE, 0);
	if (geteuid() == 0) {
		limit(RLIMIT_NPROC, ZCL_RLIMIT_NPROC);
		if (setgroups(0, NULL) < 0 || setgid(c->uid) < 0 || setuid(c->uid) < 0) {
			dprintf(2, "zcl: cannot drop privileges for the compiler\n");
			_exit(126);
		}
	}
	if (c->cwd && chdir(c->cwd) < 0)
		_exit(126);
	if (c->job)
		zcl_sandbox_confine_compiler(c->job); /* no bwrap: Landlock is the view */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	execvpe(argv[0], argv, c->envp);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

void zcl_cc_run(char *const argv[], struct zcl_cc_run *c)
{
	int p[2];
	c->out = NULL;
	c->truncated = c->timed_out = false;
	c->status = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0)
		cc_child(argv, c, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	size_t len = 0;
	char *buf = malloc(c->cap + 1);
	time_t start = time(NULL);
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		int k = poll(&pf, 1, 200);
		if (k < 0 && errno == EINTR)
			continue;
		if (time(NULL) - start > ZCL_CC_WALL_S) {
			kill(-pid, SIGKILL); /* the driver and cc1, as, ld under it (or bwrap) */
			c->timed_out = true;
			break;
		}
		if (k == 0)
			continue;
		char tmp[4096];
		ssize_t n = read(p[0], tmp, sizeof tmp);
		if (n <= 0)
			break;
		size_t take = buf && len < c->cap ? ((size_t)n < c->cap - len ? (size_t)n : c->cap - len) : 0;
		if (take)
			memcpy(buf + len, tmp, take);
		len += take;
		c->truncated |= take < (size_t)n;
	}
	close(p[0]);
	if (buf)
		buf[len] = 0;
	c->out = buf;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* nothing of the compiler outlives it */
	c->status = st;
}

const char *zcl_cc_limit_hit(const struct zcl_cc_run *c)
{
	static char why[160];
	const char *o = c->out ? c->out : "";
	if (c->timed_out)
		snprintf(why, sizeof why, "the compiler ran past the lab's wall-clock limit (%d s) and was stopped",
			 ZCL_CC_WALL_S);
	else if (strstr(o, "CPU time limit") || (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGXCPU))
		snprintf(why, sizeof why, "the compiler hit the lab's CPU-time limit (%d s)", ZCL_CC_CPU_S);
	else if (strstr(o, "File size limit") || strstr(o, "signal 25") ||
		 (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGXFSZ))
		snprintf(why, sizeof why, "the compiler hit the lab's file-size limit (%llu MiB)",
			 (unsigned long long)(ZCL_CC_FSIZE >> 20));
	else if (strstr(o, "out of memory") || strstr(o, "memory exhausted") || strstr(o, "Cannot allocate memory") ||
		 (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL))
		snprintf(why, sizeof why, "the compiler hit the lab's memory limit (%llu MiB)",
			 (unsigned long long)(ZCL_CC_AS >> 20));
	else
		return NULL;
	return why;
}

int zcl_cc_make_job(char *job, size_t len, uid_t uid, const char *const from[], const char *const names[],
		    size_t n, bool first_is_students)
{
	snprintf(job, len, "%s/zcl-XXXXXX", zcl_scratch_cc_base());
	if (!mkdtemp(job) || chmod(job, 0755) < 0)
		return -1;
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/src", job);
	if (mkdir(p, 0755) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) { /* the student's: never through a link */
		snprintf(p, sizeof p, "%s/src/%s", job, names[i]);
		if (zcl_copy_file(from[i], p, 0644, i == 0 && first_is_students ? 0 : ZCL_COPY_FOLLOW) < 0)
			return -1;
	}
	snprintf(p, sizeof p, "%s/tmp", job);
	if (mkdir(p, 0700) < 0 || (geteuid() == 0 && chown(p, uid, uid) < 0))
		return -1;
	return 0;
}

char **zcl_cc_argv(bool bw, const char *job, char *cmd[])
{
	if (!bw) {
		size_t n = 0;
		while (cmd[n])
			n++;
		char **v = malloc((n + 1) * sizeof *v);
		if (v)
			memcpy(v, cmd, (n + 1) * sizeof *v);
		return v;
	}
	static char src[PATH_MAX], tmp[PATH_MAX];
	snprintf(src, sizeof src, "%s/src", job);
	snprintf(tmp, sizeof tmp, "%s/tmp", job);
	return zcl_bwrap_argv(src, tmp, cmd);
}
