/*
 * launch.c - the program's start, in the child, and its end, in the lab.
 *
 * Child, between fork and exec (async-signal-safe only: the lab has
 * threads): stdout and stderr onto the lab's pipe, the memory cgroup, no
 * terminal, its own view (view.c), descriptors 0, 3, 4 (and 5 when the stage
 * has a second output), its scratch as
 * cwd, limits, uid and Landlock (sandbox.c); the layers in force go back
 * through a pipe. Lab: the budget's watchdog while it runs, then the
 * output's tail, the layers, the cgroup's verdict, SysV objects swept where
 * there was no IPC namespace, and one line saying all of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "capture.h"
#include "inject.h"
#include "launch.h"
#include "memcg.h"
#include "params.h"
#include "sandbox.h"
#include "view.h"

#define OUT2_FD (ZCL_SOCK_FD + 1) /* a stage's second output (lab/harness.c) */

/* What the child needs between fork and exec, prepared by the lab. */
struct child_env {
	int file_fd, sock_fd, sock2_fd, out_fd, report_fd;
	const struct zcl_memcg *memcg;
	struct zcl_view view;
	struct zcl_limits limits;
};

static void die(const char *msg)
{
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
	_exit(126);
}

/* In the child: the memory cgroup, no terminal, its own view, descriptors
 * 0-4, then the limits and the uid. The layers in force go to report_fd. */
static void child_setup(void *arg)
{
	struct child_env *c = arg;
	int layers = 0;
	/* stdout and stderr first: every message below reaches the lab */
	dup2(c->out_fd, 1);
	dup2(c->out_fd, 2);
	if (zcl_memcg_join(c->memcg) < 0)
		die("zcl: sandbox: cannot join the memory cgroup\n");
	if (c->memcg->on)
		layers |= ZCL_LAYER_MEMCG;
	if (zcl_sandbox_detach_tty())
		layers |= ZCL_LAYER_NOTTY;
	int v = zcl_view_enter(&c->view);
	if (v < 0)
		die("zcl: sandbox: cannot build the program's filesystem view\n");
	layers |= v;
	int in = open("/dev/null", O_RDONLY);
	/* Move the lab descriptors above 5 first, so dup2 cannot clobber them. */
	int f = fcntl(c->file_fd, F_DUPFD, 10), s = fcntl(c->sock_fd, F_DUPFD, 10);
	int s2 = c->sock2_fd >= 0 ? fcntl(c->sock2_fd, F_DUPFD, 10) : -1;
	int rep = fcntl(c->report_fd, F_DUPFD, 10); /* it may be 5, a second output's number */
	if (in < 0 || f < 0 || s < 0 || rep < 0 || (c->sock2_fd >= 0 && s2 < 0))
		die("zcl: sandbox: cannot set up descriptors\n");
	dup2(in, 0);
	dup2(f, ZCL_FILE_FD);
	dup2(s, ZCL_SOCK_FD);
	if (s2 >= 0)
		dup2(s2, OUT2_FD);
	if (chdir(c->view.work) < 0)
		die("zcl: sandbox: cannot enter the scratch directory\n");
	int w = zcl_sandbox_enter(c->view.run_dir, c->view.work, &c->limits);
	if (w < 0)
		die("zcl: sandbox: cannot drop privileges\n");
	layers |= w;
	ssize_t n = write(rep, &layers, sizeof layers);
	(void)n;
	syscall(SYS_close_range, s2 >= 0 ? OUT2_FD + 1u : (unsigned)OUT2_FD, ~0u, 0u);
}

/* "limits: ...; layers: ...": what was in force, for the result. */
static void describe(struct zcl_run *r, const struct zcl_limits *lim)
{
	char layers[160], time[48], pin[64] = "";
	zcl_layers_describe(r->layers, layers, sizeof layers);
	if (lim->memlock_bytes)
		snprintf(pin, sizeof pin, ", pinned memory %llu MiB",
			 (unsigned long long)(lim->memlock_bytes >> 20));
	if (r->timeout_s > 0)
		snprintf(time, sizeof time, "time %g s (CPU, and blocked)", r->timeout_s);
	else
		snprintf(time, sizeof time, "no time limit (CPU %d s)", ZCL_RLIMIT_CPU_S);
	snprintf(r->sandbox, sizeof r->sandbox,
		 "limits: %s, address space %llu MiB, stack %llu MiB, %s"
		 "files %llu MiB, %d processes%s; layers: %s",
		 time, (unsigned long long)(lim->as_bytes >> 20), (unsigned long long)(ZCL_RLIMIT_STACK >> 20),
		 r->layers & ZCL_LAYER_MEMCG ? "memory 1 GiB (all of it), " : "memory: no cgroup here, ",
		 (unsigned long long)(ZCL_RLIMIT_FSIZE >> 20), ZCL_RLIMIT_NPROC,
		 pin, layers[0] ? layers : "none");
}

/* Trace it (or spawn it untraced, timing it) under budget b. */
static int run(struct zcl_run *r, const struct zcl_launch *l, struct zcl_trace_opts *to, double limit,
	       struct zcl_budget *b, char *err, size_t errlen)
{
	int t;
	zcl_budget_start(b, limit, !r->untraced);
	if (r->untraced) {
		/* the same program, walls and input, without the tracer: its speed */
		struct timespec t0, t1;
		to->timeout_s = limit;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t = zcl_spawn_untraced(l->argv, l->envp, to, &r->tr, err, errlen);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} else {
		t = zcl_trace_run(l->argv, l->envp, to, zcl_collect_hooks(), &r->tr, err, errlen);
	}
	return t;
}

int zcl_launch_program(struct zcl_run *r, const struct zcl_launch *l, struct zcl_launched *out,
		       char *err, size_t errlen)
{
	static struct zcl_capture cap;
	static struct zcl_budget budget;
	static struct child_env ce;
	struct zcl_memcg mcg;
	int out_wr = -1, rep[2];
	memset(out, 0, sizeof *out);
	if (pipe2(rep, O_CLOEXEC | O_NONBLOCK) < 0 || zcl_capture_start(&cap, &out_wr) < 0) {
		snprintf(err, errlen, "output pipe: %s", strerror(errno));
		return -1;
	}
	zcl_memcg_create_run(&mcg, ZCL_MEMCG_BYTES);

	/* the accounting, the time budget, then every sink the caller gave */
	size_t ns = 0;
	struct zcl_sink *sinks = malloc((r->nsinks + 2) * sizeof *sinks);
	if (!sinks) {
		snprintf(err, errlen, "out of memory");
		zcl_memcg_destroy(&mcg);
		close(rep[0]), close(rep[1]), close(out_wr);
		zcl_capture_finish(&cap, 0, r->output, sizeof r->output);
		return -1;
	}
	sinks[ns++] = (struct zcl_sink){.ctx = &r->totals, .step = zcl_account_step};
	sinks[ns++] = zcl_budget_sink(&budget);
	for (size_t i = 0; i < r->nsinks; i++)
		sinks[ns++] = r->sinks[i];
	struct zcl_collect_opts co = {.sg = r->sg, .bracket = true, .token = l->token, .inject = r->inject,
				      .sandbox = true, .allow_uring = r->stage->allow_uring};
	zcl_inject_begin(r->seed); /* where --inject disturbs: inject.h */
	zcl_collect_begin(&co, sinks, ns);

	ce = (struct child_env){.file_fd = l->file_fd, .sock_fd = l->sock_fd, .sock2_fd = l->sock2_fd, .out_fd = out_wr,
				.report_fd = rep[1], .memcg = &mcg};
	uid_t id = geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
	zcl_view_prepare(&ce.view, l->dir, id, id);
	/* The watchdog (budget.c) holds the program to its limit plus the
	 * tracer's allowance; RLIMIT_CPU is the kernel's backstop at the cap,
	 * since ptrace stops are charged to the tracee's system time too.
	 * timeout_s <= 0: no time limit (the animated view's step mode); the
	 * CPU limit then stays at ZCL_RLIMIT_CPU_S. */
	double limit = r->timeout_s > 0 ? r->timeout_s : 0;
	rlim_t cpu = limit > 0 ? (rlim_t)(limit * (r->untraced ? 1 : ZCL_WALL_FACTOR)) + 1 : ZCL_RLIMIT_CPU_S;
	ce.limits = (struct zcl_limits){.cpu_s = cpu, .as_bytes = ZCL_RLIMIT_AS + r->size,
					.memlock_bytes = r->stage->zerocopy || r->stage->allow_uring ? ZCL_RLIMIT_MEMLOCK_PIN : 0};
	struct zcl_trace_opts to = {
		.trap_all = true, .timeout_s = limit > 0 ? limit * ZCL_WALL_FACTOR + 1 : 0, .pin_cpu = true,
		.own_group = true, .child_setup = child_setup, .child_arg = &ce,
	};
	int t = run(r, l, &to, limit, &budget, err, errlen);
	out->fired = zcl_budget_stop(&budget);
	zcl_budget_describe(&budget, out->doing, sizeof out->doing);
	r->kernel = zcl_collect_kernel();
	zcl_collect_end();
	free(sinks);

	close(out_wr); /* every writer gone: the reader sees the end */
	zcl_capture_finish(&cap, 1.0, r->output, sizeof r->output);
	int layers = 0;
	if (read(rep[0], &layers, sizeof layers) == (ssize_t)sizeof layers)
		r->layers = (unsigned)layers;
	close(rep[0]);
	close(rep[1]);
	out->oom = zcl_memcg_destroy(&mcg);
	if (!(r->layers & ZCL_LAYER_IPCNS)) /* as root its uid is its own: all its SysV objects go */
		zcl_sandbox_sweep_ipc(geteuid() == 0 ? id : (uid_t)-1, r->tr.pid);
	describe(r, &ce.limits);
	if (t < 0) {
		const char *ours = strstr(r->output, "zcl: sandbox: ");
		if (ours) /* the child said why it could not start: better than the tracer's status */
			snprintf(err, errlen, "%.*s", (int)strcspn(ours, "\n"), ours);
	}
	return t;
}
