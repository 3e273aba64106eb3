/*
 * cli_trace.c - zcl trace -- CMD ARGS...: any program under the tracer,
 * as strace -f follows it; its timeline (or JSON events, or a strace -c
 * like summary), then how it ended and its copy totals. zcl exits with
 * the program's own status.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_trace_tui.h"
#include "collect.h"
#include "fdclass.h"
#include "report.h"
#include "summary.h"
#include "tracer.h"

/* The program's path: as given when it has a slash, else found in PATH. */
static bool find_program(const char *name, char *path, size_t len)
{
	struct stat st;
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		return access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	const char *p = getenv("PATH");
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(path, len, "%.*s/%s", (int)n, p, name);
		if (access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* zcl trace: where the other-ABI lines go (the timeline's stream). */
static struct { FILE *out; bool json, quiet; } other_abi_out;

/* A syscall made through another ABI (int 0x80): shown, not modelled. */
static void trace_other_abi(void *ctx, const struct zcl_sysrec *r, const char *abi, const char *name)
{
	(void)ctx;
	FILE *o = other_abi_out.out;
	if (other_abi_out.quiet)
		return;
	if (other_abi_out.json)
		fprintf(o, "{\"other_abi\":\"%s\",\"pid\":%d,\"syscall\":\"%s\",\"nr\":%ld,\"ret\":%lld,"
			   "\"modelled\":false}\n", abi, (int)r->pid, name, r->nr, (long long)r->ret);
	else
		fprintf(o, "     - [pid %d] %s() = %lld   %s ABI (%s): traced, not modelled\n", (int)r->pid,
			name, (long long)r->ret, abi, strcmp(abi, "i386") ? "another syscall table" : "int 0x80");
}

/* The program's exit, said as a shell would count it: its status, 128+N
 * for signal N; a timeout is 124, as timeout(1) has it. */
static int trace_status(const struct zcl_trace_result *res, char *text, size_t len)
{
	if (res->timed_out) {
		snprintf(text, len, "timed out: killed, with everything it started");
		return 124;
	}
	if (res->term_signal) {
		const char *abbrev = sigabbrev_np(res->term_signal);
		snprintf(text, len, "killed by SIG%s", abbrev ? abbrev : "?");
		return 128 + res->term_signal;
	}
	snprintf(text, len, "exited with status %d", res->exit_code);
	return res->exit_code;
}

/* The summary object that ends trace --json. */
static void trace_json_summary(FILE *out, const struct zcl_totals *totals, const struct zcl_trace_result *res,
			       int rc)
{
	fprintf(out, "{\"summary\":true,\"syscalls\":%llu,\"mode_switches\":%llu,\"dma\":{\"count\":%llu,\"bytes\":%llu},"
		     "\"cpu\":{\"count\":%llu,\"bytes\":%llu},\"ref\":{\"count\":%llu,\"bytes\":%llu},"
		     "\"page_cache_filled_bytes\":%llu,\"exit_code\":%d,\"signal\":%d,\"timed_out\":%s,"
		     "\"status\":%d,\"other_abi_syscalls\":%lu,\"tasks_lost\":%lu}\n",
		(unsigned long long)totals->syscalls, (unsigned long long)totals->mode_switches,
		(unsigned long long)totals->dma.count, (unsigned long long)totals->dma.bytes,
		(unsigned long long)totals->cpu.count, (unsigned long long)totals->cpu.bytes,
		(unsigned long long)totals->ref.count, (unsigned long long)totals->ref.bytes,
		(unsigned long long)totals->filled_bytes, res->exit_code, res->term_signal,
		res->timed_out ? "true" : "false", rc, res->other_abi, res->lost);
}

/* How the program ended, and what the tracer could not follow; the
 * totals and the cross-check follow (summary.h). */
static void trace_text_summary(FILE *out, const char *cmd, const char *how, int rc, const struct zcl_trace_result *res)
{
	fprintf(out, "zcl trace: %s %s (zcl exits %d)\n", cmd, how, rc);
	if (res->other_abi)
		fprintf(out, "  other ABI      %lu syscalls through int 0x80 or x32: traced, not modelled\n",
			res->other_abi);
	if (res->lost)
		fprintf(out, "  LOST           %lu threads or processes the tracer had no memory for: killed\n",
			res->lost);
}

int cmd_trace(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, true);
	if (i < 0)
		return EXIT_USAGE;
	if (i >= argc)
		return die("%s", "trace: no command given (zcl trace -- CMD ARGS...)");
	char prog[4096];
	if (!find_program(argv[i], prog, sizeof prog))
		return die("trace: %s: no such program (or not executable)", argv[i]);
	if (o->tui && !o->summary && zcl_trace_tui_ok(o)) /* trace --tui: animated (cli_trace_tui.c) */
		return zcl_trace_tui(argv + i, prog, o, &interrupted);
	FILE *out = stderr;
	if (o->out && !(out = fopen(o->out, "we"))) /* close-on-exec: not the program's */
		return die("-o: cannot write %s", o->out);
	struct zcl_timeline tl;
	zcl_timeline_init(&tl, out, o->json, false);
	if (!o->json && !o->summary)
		fprintf(out, "zcl trace: seq, syscall, copies, running totals; PC = page cache, skb = socket buffer,\n"
			     "  * = modelled, =~ N: byte count from the thread's I/O counters (--exact for exit stops)\n");
	struct zcl_totals totals;
	zcl_account_init(&totals);
	struct zcl_summary *sum = zcl_summary_new(o->summary); /* --summary: count every syscall */
	if (!sum)
		return die("%s", "trace: out of memory");
	struct zcl_sink sinks[3] = {{.ctx = &totals, .step = zcl_account_step},
				    {.ctx = sum, .step = zcl_summary_step},
				    {.ctx = &tl, .step = zcl_timeline_step}};
	struct zcl_collect_opts co = {.sg = !o->no_sg, .fast = !o->exact};
	zcl_fd_set_lab(0, 0, 0);
	zcl_collect_begin(&co, sinks, o->summary ? 2 : 3);
	struct zcl_trace_opts to = {
		.trap = zcl_collect_trap_list(), .trap_all = o->summary,
		.timeout_s = o->timeout_set ? o->timeout_s : 0, .pin_cpu = true,
		.follow_children = true, .trace_other_abi = true, .path = prog,
	};
	struct zcl_tracer_hooks hooks = *zcl_collect_hooks();
	hooks.other_abi = trace_other_abi;
	other_abi_out.out = out;
	other_abi_out.json = o->json;
	other_abi_out.quiet = o->summary;
	struct zcl_trace_result res;
	char err[512];
	extern char **environ;
	int t = zcl_trace_run(argv + i, environ, &to, &hooks, &res, err, sizeof err);
	struct zcl_kernel_acct k = zcl_collect_kernel();
	zcl_collect_end();
	if (t < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		return EXIT_USAGE;
	}
	if (res.exec_failed) {
		fprintf(stderr, "zcl: trace: cannot run %s\n", prog);
		return EXIT_USAGE;
	}
	char how[128];
	int rc = trace_status(&res, how, sizeof how);
	if (o->json) {
		zcl_summary_json(out, sum, &totals, &k);
		trace_json_summary(out, &totals, &res, rc);
	} else {
		trace_text_summary(out, argv[i], how, rc, &res);
		zcl_summary_print(out, sum, o->summary, &totals, &k);
	}
	zcl_summary_free(sum);
	if (out != stderr)
		fclose(out);
	return rc;
}
