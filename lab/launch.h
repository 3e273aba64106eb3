/*
 * launch.h - start a stage program inside its walls and see it to the end.
 *
 * The runner prepares the run (directory, binary, input, connection); this
 * half starts the program: its output pipe, its memory cgroup, its view,
 * limits and uid (in the child), the time budget, the tracer (or the
 * untraced spawn), and afterwards the layers that were in force.
 */
#ifndef ZCL_LAUNCH_H
#define ZCL_LAUNCH_H

#include <stdbool.h>

#include "runner.h"

/* What the runner hands over. */
struct zcl_launch {
	const char *dir;      /* the run's directory (binary, input, work/, view/) */
	char *const *argv;    /* argv[0]: the binary's path, in dir */
	char *const *envp;
	int file_fd, sock_fd; /* become descriptors 3 and 4 (the input, the first output) */
	int sock2_fd;         /* a second output, descriptor 5; -1: none */
	unsigned long token;  /* the bracket markers' token */
};

/* What came back beside r->tr, r->output, r->layers, r->sandbox, r->kernel. */
struct zcl_launched {
	bool fired;           /* the time budget killed it */
	bool oom;             /* the memory cgroup's limit killed something */
	char doing[160];      /* what it was doing last (budget.c) */
};

/* Run the program for r (traced, or untraced when r->untraced), feeding
 * r's sinks. Fills r->tr, r->output (the tail, raw), r->kernel, r->layers,
 * r->sandbox and *out. Returns 0, or -1 with err when it could not be run
 * (the tracer failed, or the sandbox's walls could not be put up). The
 * caller closes the socket and finishes its receiver afterwards. */
int zcl_launch_program(struct zcl_run *r, const struct zcl_launch *l, struct zcl_launched *out,
		       char *err, size_t errlen);

#endif
