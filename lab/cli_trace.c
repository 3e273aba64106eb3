/*
 * cli_trace.c - zcl trace -- CMD ARGS...: any program under the tracer,
 * as strace -f follows it; its timeline (or JSON events, or a strace -c
 * like summary), then how it ended and its copy totals. zcl exits with
 * the program's own status.
 *
 * zcl trace -p PID: the same for a program already running (attach.c),
 * counted from the attach on; Ctrl-C, SIGTERM or --timeout detach and
 * leave it running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "attach_kids.h"
#include "cli.h"
#include "cli_trace_tui.h"
#include "collect.h"
#include "escape.h"
#include "fdclass.h"
#include "help.h"
#include "params.h"
#include "passon.h"
#include "report.h"
#include "summary.h"
#include "tracer.h"

/* Why path cannot be run as a program, or NULL if it can (a regular file
 * we may execute: execve(2)'s EACCES and ENOENT, said the shell's way). */
static const char *not_runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? "no such file" : strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "is a directory";
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	return access(path, X_OK) == 0 ? NULL : "not executable (chmod +x, or name its interpreter)";
}

/* The program's path: as given when it has a slash, else the first
 * runnable one in PATH. NULL, or why not (a static string). */
static const char *find_program(const char *name, char *path, size_t len)
{
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		return not_runnable(path);
	}
	const char *p = getenv("PATH");
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(path, len, "%.*s/%s", (int)n, p, name);
		if (!not_runnable(path))
			return NULL;
		p += n + (p[n] == ':');
	}
	return "command not found in PATH";
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
static int passed_on; /* the signal zcl passed on to the program (passon.h), 0 none */
static const char *passed_how = "";
static bool grace_over; /* and it did not end within ZCL_PASSON_GRACE_S */

static int trace_status(const struct zcl_trace_result *res, char *text, size_t len)
{
	if (res->timed_out) {
		snprintf(text, len, "timed out: killed, with everything it started");
		return 124;
	}
	const char *given = passed_on ? sigabbrev_np(passed_on) : NULL;
	if (res->killed && interrupted) { /* zcl's SIGKILL, not the program's own end */
		const char *abbrev = sigabbrev_np(interrupted);
		if (given && grace_over)
			snprintf(text, len, "killed by zcl: it did not end within %d s of SIG%s (%s)",
				 ZCL_PASSON_GRACE_S, given, passed_how);
		else if (given)
			snprintf(text, len, "killed by zcl on a second SIG%s", abbrev ? abbrev : "?");
		else
			snprintf(text, len, "killed by zcl on SIG%s", abbrev ? abbrev : "?");
		return 128 + interrupted;
	}
	char after[64] = "";
	if (given)
		snprintf(after, sizeof after, " after SIG%s (%s)", given, passed_how);
	if (res->term_signal) {
		const char *abbrev = sigabbrev_np(res->term_signal);
		if (given && res->term_signal == passed_on)
			snprintf(after, sizeof after, " (%s)", passed_how);
		snprintf(text, len, "killed by SIG%s%s", abbrev ? abbrev : "?", after);
		return 128 + res->term_signal;
	}
	snprintf(text, len, "exited with status %d%s", res->exit_code, after);
	return res->exit_code;
}

/* ---- trace -p PID ---- */

/* The processes to attach to, as given (main.c's parse() hands them over). */
static struct { pid_t *v; size_t n, cap; } attach_pids;

int trace_attach_arg(const char *arg)
{
	for (const char *p = arg;;) {
		char *end;
		errno = 0;
		long v = p[0] >= '0' && p[0] <= '9' ? strtol(p, &end, 10) : 0;
		if (v <= 0 || v > INT_MAX || errno || (*end && *end != ','))
			return die("-p: not a process id: %s", arg), -1;
		if (attach_pids.n == attach_pids.cap) {
			size_t cap = attach_pids.cap ? 2 * attach_pids.cap : 4;
			pid_t *nv = realloc(attach_pids.v, cap * sizeof *nv);
			if (!nv)
				return die("%s", "-p: out of memory"), -1;
			attach_pids.v = nv;
			attach_pids.cap = cap;
		}
		attach_pids.v[attach_pids.n++] = (pid_t)v;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* The attached run as the hooks see it: where the lines go, the first
 * process, and the kernel's figures for it at its exit or at detach. */
static struct {
	FILE *out;
	bool json;
	bool header;              /* the timeline's header goes first, once attached */
	pid_t first;
	char name[160];           /* the first process's name, escaped */
	struct zcl_procio end;
	struct zcl_tracer_hooks collect; /* the collector's own hooks */
	int processes;            /* attached (the first and the others given) */
	bool kid_ended;           /* a child the first had at attach ended (attach_kids.h) */
} att;

static void on_attached(void *ctx, pid_t pid, size_t threads)
{
	char raw[64], name[160];
	zcl_proc_comm(pid, raw, sizeof raw);
	zcl_escape_text(raw, name, sizeof name);
	if (!att.first && att.header)
		fprintf(att.out, "zcl trace: seq, syscall, copies, running totals; PC = page cache, skb = socket buffer,\n"
				 "  * = modelled; attached: every call stops at entry and exit, every result is exact\n");
	if (!att.first) {
		att.first = pid;
		snprintf(att.name, sizeof att.name, "%s", name);
		zcl_kids_note(pid);
	}
	att.processes++;
	if (att.json) {
		fprintf(att.out, "{\"attached\":%d,\"comm\":", (int)pid);
		zcl_put_json(att.out, raw);
		fprintf(att.out, ",\"threads\":%zu}\n", threads);
		fflush(att.out);
	}
	if (!att.json || att.out != stderr) /* (not into a JSON stream) */
		fprintf(stderr, "zcl: attached to PID %d (%s), %zu thread%s; Ctrl-C detaches and leaves it running\n",
			(int)pid, name, threads, threads == 1 ? "" : "s");
	/* The collector reads the kernel's first figures at the first program
	 * image it sees (collect.h): for an attached process, that is now. */
	if (att.collect.proc_new)
		att.collect.proc_new(ctx, pid, pid, true);
}

/* The first process's end figures, and whether they can be compared. */
static void end_figures(pid_t pid)
{
	zcl_procio_read(pid, &att.end);
	att.kid_ended = zcl_kids_one_ended(pid);
}

static void on_detaching(void *ctx, pid_t pid)
{
	(void)ctx;
	if (pid == att.first)
		end_figures(pid);
}

static void on_proc_exit(void *ctx, pid_t pid)
{
	if (att.collect.proc_exit)
		att.collect.proc_exit(ctx, pid);
	if (pid == att.first)
		end_figures(pid);
}

/* Why an attached run's counts and the first process's /proc/PID/io
 * figures cover different things, or NULL. */
static const char *attach_not_compared(void)
{
	zcl_kids_free();
	if (att.processes > 1)
		return "several processes attached: the lab counts them all, /proc/PID/io is per process";
	if (att.kid_ended)
		return "a child it had before the attach ended, and the kernel added all the child's I/O\n"
		       "                 to its figures; the lab saw only what came after the attach";
	return NULL;
}

/* How an attached run ended: detached (the program runs on: 124 after
 * --timeout, 128+N after signal N, as zcl dies of it) or the first
 * process's end, as for a started program. */
static int attach_status(const struct zcl_trace_result *res, char *text, size_t len)
{
	if (!res->detached || res->exited || res->term_signal)
		return trace_status(res, text, len);
	if (res->timed_out) {
		snprintf(text, len, "detached after --timeout, still running");
		return 124;
	}
	const char *abbrev = interrupted ? sigabbrev_np(interrupted) : NULL;
	snprintf(text, len, "detached%s%s, still running", abbrev ? " on SIG" : "", abbrev ? abbrev : "");
	return interrupted ? 128 + interrupted : 0;
}

/* The lines only an attached run has: what the counts cover. */
static void attach_text_summary(FILE *out, const struct zcl_trace_result *res)
{
	fprintf(out, "  attached       syscalls, copies and /proc/PID/io below count since attach (every\n"
		     "                 result exact: attached, each call stops at entry and exit)\n");
	if (res->in_flight)
		fprintf(out, "                 %lu calls were in flight at attach: their ends seen, not counted\n",
			res->in_flight);
	if (res->detached)
		fprintf(out, "  detached       %lu %s, running on as they were\n", res->detached,
			res->detached == 1 ? "thread" : "threads and processes");
	if (res->undetached)
		fprintf(out, "                 %lu more did not stop within 3 s to be let go: the kernel lets\n"
			     "                 them go as zcl exits (they run on)\n", res->undetached);
}

/* Leave an attached run: say so; if a signal asked for it, die of it
 * (main.c would say the program was stopped: it was not). */
static int attach_done(const struct zcl_trace_result *res, int rc)
{
	if (!res->detached)
		return rc;
	if (!att.json || att.out != stderr) /* (JSON: the summary's detached_tasks says it) */
		fprintf(stderr, "zcl: detached from PID %d (%s): it keeps running\n", (int)att.first, att.name);
	int sig = interrupted;
	if (sig) {
		interrupted = 0;
		fflush(NULL);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}

/* The summary object that ends trace --json. */
static void trace_json_summary(FILE *out, const struct zcl_totals *totals, const struct zcl_trace_result *res,
			       int rc)
{
	fprintf(out, "{\"summary\":true,\"syscalls\":%llu,\"mode_switches\":%llu,\"dma\":{\"count\":%llu,\"bytes\":%llu},"
		     "\"cpu\":{\"count\":%llu,\"bytes\":%llu},\"ref\":{\"count\":%llu,\"bytes\":%llu},"
		     "\"page_cache_filled_bytes\":%llu,\"exit_code\":%d,\"signal\":%d,\"timed_out\":%s,"
		     "\"status\":%d,\"other_abi_syscalls\":%lu,\"tasks_lost\":%lu,\"attached\":%s,"
		     "\"detached_tasks\":%lu,\"in_flight_at_attach\":%lu}\n",
		(unsigned long long)totals->syscalls, (unsigned long long)totals->mode_switches,
		(unsigned long long)totals->dma.count, (unsigned long long)totals->dma.bytes,
		(unsigned long long)totals->cpu.count, (unsigned long long)totals->cpu.bytes,
		(unsigned long long)totals->ref.count, (unsigned long long)totals->ref.bytes,
		(unsigned long long)totals->filled_bytes, res->exit_code, res->term_signal,
		res->timed_out ? "true" : "false", rc, res->other_abi, res->lost, att.first ? "true" : "false",
		res->detached, res->in_flight);
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

/* The end of the trace: how the program ended (cmd: its name; NULL for
 * an attached run), the totals, the summary. The status zcl exits with. */
static int trace_report(FILE *out, const struct opts *o, const struct zcl_summary *sum,
			const struct zcl_totals *totals, const struct zcl_kernel_acct *k,
			const struct zcl_trace_result *res, const char *cmd)
{
	char how[128], who[200];
	int rc = cmd ? trace_status(res, how, sizeof how) : attach_status(res, how, sizeof how);
	if (cmd)
		snprintf(who, sizeof who, "%s", cmd);
	else
		snprintf(who, sizeof who, "PID %d (%s)", (int)att.first, att.name);
	if (o->json) {
		zcl_summary_json(out, sum, totals, k);
		trace_json_summary(out, totals, res, rc);
		return rc;
	}
	trace_text_summary(out, who, how, rc, res);
	if (!cmd)
		attach_text_summary(out, res);
	zcl_summary_print(out, sum, o->summary, totals, k);
	return rc;
}

/* Options that do not go with -p (a command, --tui), and processes that
 * cannot be attached (attach.h). 0, or EXIT_USAGE after one line. */
static int attach_refusals(int argc, char **argv, int i, const struct opts *o)
{
	if (i < argc)
		return die("trace: either a command or -p PID, not both (%s given after -p)", argv[i]);
	if (o->tui)
		return die("%s", "trace: --tui does not go with -p (the program's output would tear the picture): "
				 "the text timeline, or --summary");
	for (size_t k = 0; k < attach_pids.n; k++) { /* before the timeline's first line */
		char name[64], err[512];
		pid_t tgid;
		if (zcl_attach_check(attach_pids.v[k], &tgid, name, sizeof name, err, sizeof err) < 0)
			return die("%s", err);
	}
	return 0;
}

/* What to trace: -p's processes (checked, attach_refusals), or the command
 * argv[i], found (prog gets its file). 0, or EXIT_USAGE after one line. */
static int trace_target(int argc, char **argv, int i, const struct opts *o, char *prog, size_t len)
{
	if (attach_pids.n)
		return attach_refusals(argc, argv, i, o);
	if (i >= argc)
		return die("%s", "trace: no command given (zcl trace -- CMD ARGS..., or zcl trace -p PID)");
	const char *why = find_program(argv[i], prog, len);
	if (why)
		return die("trace: %s: %s", argv[i], why);
	return 0;
}

/* Trace the command argv (prog: its file) or, with -p, attach. The
 * tracer's return (0 or -1 with err). */
static int trace_it(char **argv, const char *prog, struct zcl_trace_opts *to, FILE *out, const struct opts *o,
		    struct zcl_trace_result *res, char *err, size_t errlen)
{
	struct zcl_tracer_hooks hooks = *zcl_collect_hooks();
	hooks.other_abi = trace_other_abi;
	other_abi_out.out = out;
	other_abi_out.json = o->json;
	other_abi_out.quiet = o->summary;
	extern char **environ;
	if (!attach_pids.n) {
		to->path = prog;
		to->pin_cpu = true;
		zcl_passon_enable(true); /* Ctrl-C is the program's first (passon.h) */
		int t = zcl_trace_run(argv, environ, to, &hooks, res, err, errlen);
		passed_on = zcl_passon_passed();
		passed_how = zcl_passon_by_terminal() ? "from the terminal" : "passed on by zcl";
		grace_over = zcl_passon_expired();
		zcl_passon_enable(false);
		return t;
	}
	att = (__typeof__(att)){.out = out, .json = o->json, .header = !o->json && !o->summary, .collect = hooks};
	hooks.attached = on_attached;
	hooks.detaching = on_detaching;
	hooks.proc_exit = on_proc_exit;
	to->trap_all = true; /* every call stops anyway: count them all */
	if (interrupted) { /* Ctrl-C before the tracer could hear it: attach nothing */
		snprintf(err, errlen, "trace -p: interrupted before attaching");
		return -1;
	}
	return zcl_trace_attach(attach_pids.v, attach_pids.n, to, &hooks, res, err, errlen);
}

int cmd_trace(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, true);
	if (i < 0)
		return EXIT_USAGE;
	if (o->help) { /* trace -p PID --help: main.c stopped looking at PID */
		zcl_help_command(stdout, ZC_TRACE);
		return 0;
	}
	bool attach = attach_pids.n > 0;
	char prog[4096] = "";
	if (trace_target(argc, argv, i, o, prog, sizeof prog))
		return EXIT_USAGE;
	if (o->tui && !o->summary && zcl_trace_tui_ok(o)) /* trace --tui: animated (cli_trace_tui.c) */
		return zcl_trace_tui(argv + i, prog, o, &interrupted);
	FILE *out = stderr;
	if (o->out && !(out = fopen(o->out, "we"))) /* close-on-exec: not the program's */
		return die("-o: cannot write %s", o->out);
	struct zcl_timeline tl;
	zcl_timeline_init(&tl, out, o->json, false);
	if (!o->json && !o->summary && !attach) /* (attached: once it is, on_attached) */
		fprintf(out, "zcl trace: seq, syscall, copies, running totals; PC = page cache, skb = socket buffer,\n"
			     "  * = modelled, =~ N: byte count from the thread's I/O counters, =~ ?: one call of a run\n"
			     "  whose split is unknown (the sum is exact; --exact for exit stops)\n");
	struct zcl_totals totals;
	zcl_account_init(&totals);
	struct zcl_summary *sum = zcl_summary_new(o->summary || attach); /* --summary: count every syscall */
	if (!sum)
		return die("%s", "trace: out of memory");
	struct zcl_sink sinks[3] = {{.ctx = &totals, .step = zcl_account_step},
				    {.ctx = sum, .step = zcl_summary_step},
				    {.ctx = &tl, .step = zcl_timeline_step}};
	/* attached, every call has its exit stop: never the deferred byte counts */
	struct zcl_collect_opts co = {.sg = !o->no_sg, .fast = !o->exact && !attach};
	zcl_fd_set_lab(0, 0, 0);
	zcl_collect_begin(&co, sinks, o->summary ? 2 : 3);
	struct zcl_trace_opts to = {
		.trap = zcl_collect_trap_list(), .trap_all = o->summary,
		.timeout_s = o->timeout_set ? o->timeout_s : 0,
		.follow_children = true, .trace_other_abi = true,
	};
	struct zcl_trace_result res;
	char err[1024];
	int t = trace_it(argv + i, prog, &to, out, o, &res, err, sizeof err);
	struct zcl_kernel_acct k = zcl_collect_kernel();
	if (attach) {
		k.end = att.end; /* the first process's figures at its exit or at detach */
		k.not_compared = attach_not_compared();
	}
	zcl_collect_end();
	int rc = EXIT_USAGE;
	if (t < 0)
		fprintf(stderr, "zcl: %s\n", err);
	else if (res.exec_failed && !attach)
		fprintf(stderr, "zcl: trace: cannot run %s\n", prog);
	else
		rc = trace_report(out, o, sum, &totals, &k, &res, attach ? NULL : argv[i]);
	zcl_summary_free(sum);
	if (out != stderr)
		fclose(out);
	return attach && t == 0 ? attach_done(&res, rc) : rc;
}
