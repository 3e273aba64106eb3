/*
 * spawn.c - run a stage program without the tracer, to time it: the same
 * child setup (descriptors, sandbox walls), process group and deadline as a
 * traced run, but no ptrace and no filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracer.h"

int zcl_spawn_untraced(char *const argv[], char *const envp[], const struct zcl_trace_opts *o,
		       struct zcl_trace_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof *res);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "spawn: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (o->child_setup)
			o->child_setup(o->child_arg);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		execve(argv[0], argv, envp);
		static const char msg[] = "zcl: spawn: execve failed\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		_exit(127);
	}
	setpgid(pid, pid);
	res->pid = pid;
	zcl_trace_set_current(pid, true);
	/* Poll for the exit: a few ms of slack do not matter next to a deadline. */
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int st = 0;
	for (;;) {
		pid_t p = waitpid(pid, &st, WNOHANG);
		if (p == pid)
			break;
		if (p < 0 && errno != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double dt = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (o->timeout_s > 0 && dt > o->timeout_s && !res->timed_out) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
		}
		struct timespec nap = {0, 200 * 1000};
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL); /* nothing it started outlives it */
	zcl_trace_set_current(0, false);
	res->exited = WIFEXITED(st);
	res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	res->term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	res->exec_failed = res->exited && res->exit_code == 127;
	return 0;
}
