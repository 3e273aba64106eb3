/*
 * cli_trace_tui.c - `zcl trace --tui -- CMD`: any program, animated.
 *
 * The same tracer, collector and sinks as `zcl trace` (totals, the
 * per-syscall summary, and with -o the text timeline), plus the viz's
 * animating sink (viz/trace_app.c). The program's terminal descriptors
 * are pointed at /dev/null while the animation has the screen (its output
 * would tear the picture). When the animation is over, the same totals
 * `zcl trace` prints are printed on stderr (or -o FILE), so they stay on the
 * terminal. No curses here: the viz is reached through viz/app.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cli_trace_tui.h"
#include "collect.h"
#include "fdclass.h"
#include "report.h"
#include "summary.h"

struct trace_tui {
	char **argv;
	const char *prog;
	const struct opts *o;
	FILE *out;               /* -o FILE: the text timeline too; else NULL */
	struct zcl_totals totals;
	struct zcl_summary *sum;
	struct zcl_kernel_acct k;
	struct zcl_trace_result res;
};

bool zcl_trace_tui_ok(const struct opts *o)
{
	char why[160];
	const char *no = o->json ? "--json writes JSON lines" :
			 !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ? "no terminal (stdin and stdout)" : NULL;
	if (!no && !zcl_app_terminal_ok(why, sizeof why))
		no = why;
	if (no)
		fprintf(stderr, "zcl: trace --tui: %s: the text timeline instead of the animation\n", no);
	return no == NULL;
}

/* In the program, before exec: its terminal descriptors read and write
 * /dev/null instead (the screen is the animation's). */
static void quiet_terminal(void *arg)
{
	(void)arg;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		if (isatty(fd))
			dup2(null, fd);
	if (null > 2)
		close(null);
}

/* How the program ended, as zcl trace says it; the status zcl exits with
 * (128+N for signal N, 124 after --timeout, as timeout(1) has it). */
static int status(const struct trace_tui *t, char *how, size_t len)
{
	const struct zcl_trace_result *r = &t->res;
	const char *name = strrchr(t->argv[0], '/') ? strrchr(t->argv[0], '/') + 1 : t->argv[0];
	int rc = r->timed_out ? 124 : r->term_signal ? 128 + r->term_signal : r->exit_code;
	if (r->timed_out)
		snprintf(how, len, "%s timed out: killed, with everything it started (zcl exits %d)", name, rc);
	else if (r->term_signal)
		snprintf(how, len, "%s killed by SIG%s (zcl exits %d)", name,
			 sigabbrev_np(r->term_signal) ? sigabbrev_np(r->term_signal) : "?", rc);
	else
		snprintf(how, len, "%s exited with status %d (zcl exits %d)", name, r->exit_code, rc);
	return rc;
}

/* The viz's run function (viz/app.h): trace the program once. */
static int run(void *ctx, const struct zcl_sink *anim, char *how, size_t howlen, char *err, size_t errlen)
{
	struct trace_tui *t = ctx;
	struct zcl_timeline tl;
	struct zcl_sink sinks[4] = {{.ctx = &t->totals, .step = zcl_account_step},
				    {.ctx = t->sum, .step = zcl_summary_step}, *anim};
	size_t n = 3;
	if (t->out) {
		zcl_timeline_init(&tl, t->out, false, false);
		sinks[n++] = (struct zcl_sink){.ctx = &tl, .step = zcl_timeline_step};
	}
	struct zcl_collect_opts co = {.sg = !t->o->no_sg, .fast = !t->o->exact};
	zcl_fd_set_lab(0, 0, 0);
	zcl_collect_begin(&co, sinks, n);
	struct zcl_trace_opts to = {
		.trap = zcl_collect_trap_list(), .timeout_s = t->o->timeout_set ? t->o->timeout_s : 0,
		.pin_cpu = true, .follow_children = true, .trace_other_abi = true, .path = t->prog,
		.child_setup = quiet_terminal,
	};
	extern char **environ;
	int rc = zcl_trace_run(t->argv, environ, &to, zcl_collect_hooks(), &t->res, err, errlen);
	t->k = zcl_collect_kernel();
	zcl_collect_end();
	if (rc < 0)
		return -1;
	if (t->res.exec_failed) {
		snprintf(err, errlen, "trace: cannot run %s", t->prog);
		return -1;
	}
	return status(t, how, howlen);
}

int zcl_trace_tui(char **argv, const char *prog, const struct opts *o, volatile int *intr)
{
	struct trace_tui t = {.argv = argv, .prog = prog, .o = o};
	FILE *out = stderr;
	if (o->out && !(out = t.out = fopen(o->out, "we"))) { /* close-on-exec: not the program's */
		fprintf(stderr, "zcl: -o: cannot write %s\n", o->out);
		return 2;
	}
	zcl_account_init(&t.totals);
	if (!(t.sum = zcl_summary_new(false))) {
		fprintf(stderr, "zcl: trace: out of memory\n");
		return 2;
	}
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct zcl_app_trace at = {.cmd = name, .sg = !o->no_sg, .step = o->step, .once = o->once,
				   .speed = o->speed, .cast = o->cast, .interrupted = intr,
				   .run = run, .ctx = &t};
	char err[512];
	int rc = zcl_app_trace(&at, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		rc = 2;
	} else {
		char how[160];
		status(&t, how, sizeof how);
		fprintf(out, "zcl trace: %s\n", how);
		if (t.res.other_abi)
			fprintf(out, "  other ABI      %lu syscalls through int 0x80 or x32: traced, not modelled\n",
				t.res.other_abi);
		zcl_summary_print(out, t.sum, false, &t.totals, &t.k);
	}
	zcl_summary_free(t.sum);
	if (t.out)
		fclose(t.out);
	return rc;
}
