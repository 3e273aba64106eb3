/*
 * buildahead.c - the stages of a grade compiled ahead, in a helper.
 *
 * A grade compiles each stage (about 50 ms of CPU) before its runs, and
 * the runs leave the CPU idle part of the time (a cold-cache run reads its
 * input from disk, the tracer and the receiver wait on each other). The
 * helper, a child process forked before any run, compiles stage after
 * stage with zcl_build_stage into the build directory the runs use and
 * writes one byte, the stage's row, on a pipe as each one is done. The
 * grader, about to build a stage, first waits for that byte: the binary is
 * then there and newer than its sources, so the build is a lookup. A stage
 * that did not compile is compiled again by the grader, which then has the
 * compiler's messages for the verdict.
 *
 * The helper is a child of the grader, and the tracer waits for any child
 * (waitpid(-1, __WALL)): so the helper never exits on its own. When done it
 * blocks reading the pipe until the grader closes its end, and the grader
 * reaps it by its pid (zcl_build_ahead_stop). The compilers are the
 * helper's children, never the grader's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "buildahead.h"
#include "proc.h"

static struct {
	pid_t pid;          /* the helper; 0: none */
	int done_rd;        /* its reports: one byte per stage row built */
	int stop_wr;        /* closed to tell it to stop */
	const struct zcl_stage *st;
	bool *asked, *done; /* by row */
	size_t n;
} ahead;

/* This process has one thread? (fork copies only the calling thread, with
 * whatever locks the others held.) */
static bool single_threaded(void)
{
	return zcl_proc_status(getpid(), "Threads") == 1;
}

/* The helper: build each wanted row, report it, then wait to be told to go. */
static _Noreturn void helper(const bool want[], bool solution, const char *dir, int done_wr, int stop_rd)
{
	signal(SIGPIPE, SIG_IGN);
	/* a class grade pins each grader to a CPU of its own for its runs; the
	 * compiler may run wherever a CPU is idle */
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof all, &all);
	/* and yields to the runs: a run's time limit is wall-clock time, and a
	 * compile ahead must not make a slow program late (nice 10: about a
	 * tenth of a CPU a run wants too) */
	setpriority(PRIO_PROCESS, 0, 10);
	for (size_t i = 0; i < ahead.n; i++) {
		if (!want[i])
			continue;
		char bin[4096], err[512], *diag = NULL;
		zcl_build_stage(&ahead.st[i], solution, dir, bin, sizeof bin, &diag, err, sizeof err);
		free(diag);
		unsigned char row = (unsigned char)i;
		if (write(done_wr, &row, 1) != 1)
			_exit(0); /* the grader is gone, or wants no more */
	}
	char c;
	while (read(stop_rd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

void zcl_build_ahead_start(const struct zcl_stage *st, const bool want[], size_t n, bool solution, const char *dir)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += want[i];
	if (ahead.pid || k < 2 || n > 256 || !single_threaded())
		return;
	int done[2], stop[2];
	if (pipe2(done, O_CLOEXEC) < 0)
		return;
	if (pipe2(stop, O_CLOEXEC) < 0) {
		close(done[0]), close(done[1]);
		return;
	}
	ahead.asked = calloc(n, sizeof *ahead.asked);
	ahead.done = calloc(n, sizeof *ahead.done);
	ahead.st = st;
	ahead.n = n;
	pid_t p = ahead.asked && ahead.done ? fork() : -1;
	if (p == 0) {
		close(done[0]), close(stop[1]);
		ahead.pid = 0; /* the helper's own builds wait for nobody */
		helper(want, solution, dir, done[1], stop[0]);
	}
	close(done[1]), close(stop[0]);
	if (p < 0) {
		close(done[0]), close(stop[1]);
		free(ahead.asked), free(ahead.done);
		ahead.asked = ahead.done = NULL;
		return;
	}
	memcpy(ahead.asked, want, n * sizeof *want);
	ahead.pid = p;
	ahead.done_rd = done[0];
	ahead.stop_wr = stop[1];
}

void zcl_build_ahead_wait(const struct zcl_stage *s)
{
	if (!ahead.pid || s < ahead.st || s >= ahead.st + ahead.n)
		return;
	size_t row = (size_t)(s - ahead.st);
	while (ahead.asked[row] && !ahead.done[row]) {
		unsigned char b;
		ssize_t r = read(ahead.done_rd, &b, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 1) { /* the helper is gone: build in turn from here on */
			for (size_t i = 0; i < ahead.n; i++)
				ahead.asked[i] = false;
			break;
		}
		if (b < ahead.n)
			ahead.done[b] = true;
	}
}

void zcl_build_ahead_stop(void)
{
	if (!ahead.pid)
		return;
	close(ahead.stop_wr);
	close(ahead.done_rd); /* a helper still compiling stops at its next report */
	while (waitpid(ahead.pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(ahead.asked), free(ahead.done);
	ahead.asked = ahead.done = NULL;
	ahead.pid = 0;
}
