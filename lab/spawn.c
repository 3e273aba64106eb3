/*
 * spawn.c - start the program: seized by the tracer, or untraced to time it.
 *
 * Seized: the child waits on a socket until the tracer has attached with
 * PTRACE_SEIZE (so nothing the program does can run untraced, and no
 * SIGSTOP of ours is ever in its way), then runs the caller's setup,
 * installs the seccomp filter and execs. Untraced: the same child setup
 * (descriptors, sandbox walls), process group and deadline, but no ptrace
 * and no filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "tracer.h"

/* Write a fixed message: between fork and exec only async-signal-safe calls. */
static void say(const char *msg)
{
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
}

/* The child: wait until the tracer has seized us, then set up, install the
 * filter and exec. The parent may be multi-threaded: nothing here allocates. */
static void child(char *const argv[], char *const envp[], const struct zcl_trace_opts *o,
		  const struct sock_fprog *f, int go)
{
	if (o->own_group)
		setpgid(0, 0);
	char c;
	ssize_t n;
	while ((n = read(go, &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(126); /* the tracer gave up on us */
	close(go);
	if (o->child_setup)
		o->child_setup(o->child_arg);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, f) < 0) {
		say("zcl: tracer: cannot install the seccomp filter\n");
		_exit(126);
	}
	execve(o->path ? o->path : argv[0], argv, envp);
	say("zcl: tracer: execve failed\n");
	_exit(127);
}

pid_t zcl_spawn_seized(char *const argv[], char *const envp[], const struct zcl_trace_opts *o,
		       const struct sock_fprog *f, long ptrace_opts, char *err, size_t errlen)
{
	int go[2]; /* a socket pair, so that telling a dead child raises no SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0) {
		snprintf(err, errlen, "tracer: socketpair: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "tracer: fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		child(argv, envp, o, f, go[0]);
	}
	close(go[0]);
	if (o->own_group)
		setpgid(pid, pid); /* also done in the child: no race on who is first */
	if (ptrace(PTRACE_SEIZE, pid, 0L, ptrace_opts) < 0) {
		int e = errno;
		close(go[1]); /* the child reads EOF and leaves */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		snprintf(err, errlen, "tracer: ptrace not permitted here: %s", strerror(e));
		errno = e;
		return -1;
	}
	ssize_t w = send(go[1], "g", 1, MSG_NOSIGNAL);
	(void)w; /* if the child is gone already, waitpid() says so */
	close(go[1]);
	return pid;
}


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
		execve(o->path ? o->path : argv[0], argv, envp);
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
