/*
 * main.c - the zcl command line: parse, dispatch, exit code.
 *
 * Exit codes: 0 pass (or success), 1 fail, 2 usage or environment error,
 * always with one line on stderr saying which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "watch_app.h"
#include "build.h"
#include "compare.h"
#include "grader.h"
#include "collect.h"
#include "fdclass.h"
#include "pagecache.h"
#include "params.h"
#include "report.h"
#include "runner.h"
#include "stages.h"
#include "summary.h"
#include "tracer.h"
#include "tour.h"


static const char usage[] =
	"usage: zcl COMMAND [OPTIONS]\n"
	"\n"
	"Zero-Copy Lab: run your zero-copy exercises under ptrace, count every copy.\n"
	"\n"
	"commands:\n"
	"  list                     the stages and where their files are\n"
	"  check STAGE              build and run a stage once; print the verdict and its copy accounting\n"
	"  run STAGE                watch your program copy its bytes, animated at a pace you can follow\n"
	"                           (1 MiB of stage 1: about 25 s; + faster, f skips to the end, q stops);\n"
	"                           with --no-tui, --json or no terminal (or TERM=dumb): the text timeline,\n"
	"                           one line per syscall with its copies and running totals\n"
	"  replay FILE              a run kept with run --record FILE, animated again (or as text): no\n"
	"                           ptrace, no compiler; same keys, --step and --speed work\n"
	"  trace [OPTS] -- CMD...   run any program under the tracer and show how it moved its bytes\n"
	"  hint STAGE               a hint for the stage\n"
	"  watch                    edit, save: it rebuilds and re-checks; progress per stage (needs a\n"
	"                           terminal; r re-checks, Enter animates, n/p stage, h hint, q quits)\n"
	"  tour                     every stage with the reference solutions, narrated (animated on a\n"
	"                           terminal), then the comparison (takes --size, --seed, --warm, --no-sg,\n"
	"                           --speed); only the speed keys, f, Tab, h, ? and q act while it plays\n"
	"  grade [OPTS]             score the exercises: every stage, many runs each (see below)\n"
	"  selfcheck                instructor check: every skeleton fails, every solution passes\n"
	"  bench [OPTS]             what zero-copy saves: every stage's sender CPU time per GiB sent and\n"
	"                           throughput, warm and cold, median of rounds (see bench options)\n"
	"\n"
	"STAGE is a number (1-5) or a slug (readwrite, mmap, sendfile, gather, splice).\n"
	"\n"
	"check/run options:\n"
	"  --solution        run solutions/NN-slug.c instead of exercises/NN-slug.c\n"
	"  --size BYTES      generated input size (K, M, G suffixes; default 1M)\n"
	"  --file PATH       use your own file as the input instead\n"
	"  --seed N          seed of the generated input (default 42)\n"
	"  --warm            keep the input in the page cache (default: cold, evicted first)\n"
	"  --no-sg           model a NIC without scatter-gather (the CPU copy comes back)\n"
	"  --timeout SEC     time limit: the program's own time, the tracer's not counted (default 10)\n"
	"  --inject KIND     short: cut to half the calls that move seeded byte offsets of the lab's\n"
	"                    file and socket (--seed); eintr: fail those with EINTR instead\n"
	"  --json            check: one JSON object; run: one JSON event per line\n"
	"  --no-tui          run, tour: the text timeline even on a terminal\n"
	"  --step            run, replay: start in step mode (one syscall per key press)\n"
	"  --speed N         run, tour, replay: 1 (slowest) .. 9 (nothing animated); default 3\n"
	"  --record FILE     run: keep the event stream in FILE for zcl replay\n"
	"  --cast FILE       run, tour, replay: record the animation as an asciinema v2 file (needs a\n"
	"                    terminal; kept at the terminal's starting size)\n"
	"  --once            run, replay: leave the animated view when the run ends (scripts, benchmarks)\n"
	"\n"
	"trace options:\n"
	"  --json            one JSON event per line\n"
	"  --summary         no timeline: the totals, then a table per syscall (calls, errors, bytes,\n"
	"                    time) like strace -c, and per process; every syscall is trapped and counted\n"
	"  -o FILE           write the trace to FILE (default: stderr), leaving the program's output alone\n"
	"  --exact           stop at every traced call's exit for its return value; by default\n"
	"                    reads and writes on blocking descriptors (shown \"=~\") take their byte\n"
	"                    count from the thread's /proc I/O counters instead, one ptrace stop fewer\n"
	"                    each (calls that may fail, e.g. EAGAIN, keep their exit stop)\n"
	"  --no-sg, --timeout SEC   as above (trace has no timeout unless given)\n"
	"  As strace -f: every thread and process is followed, also those that outlive the\n"
	"  command, until the last one exits (Ctrl-C ends them all); stops (SIGSTOP) and\n"
	"  signals stay the program's own; int 0x80 (i386) calls are traced and shown, not\n"
	"  modelled. zcl trace exits with the program's status (128+N if signal N killed it,\n"
	"  124 after --timeout). CPUs: while the program is a single task it runs on the\n"
	"  tracer's CPU (a ptrace stop costs much less there) and sched_getaffinity tells it\n"
	"  the CPUs it really has; from its second thread or process on, every task gets\n"
	"  them all back; a program that sets its own affinity is left alone.\n"
	"\n"
	"grade options:\n"
	"  --stage STAGE     grade one stage only\n"
	"  --format F        text (default), json, gradescope, junit, autolab\n"
	"  --out FILE        write the result there (written even if the grader fails)\n"
	"  --solution, --seed N, --timeout SEC   as above\n"
	"  --class DIR       grade every student in DIR (a folder or archive each): a CSV and an\n"
	"                    HTML report in --out DIR (default DIR-results); resumable\n"
	"  -j, --jobs N      --class: students graded at once (default 1)\n"
	"  --test NAME       that one test only (and the runs it needs); exit 0 if it passes\n"
	"\n"
	"bench options:\n"
	"  --size BYTES      input size (default 256M); --sizes 4K,1M,256M  a sweep of sizes\n"
	"  --chunk LIST      at most this many bytes per read/write/sendfile/splice call (own: the\n"
	"                    stage's own calls, the default), e.g. --chunk own,4K,64K\n"
	"  --rounds N        rounds per figure (default 5): the median and the spread are shown\n"
	"  --warm, --cold    only that cache state (default: both)\n"
	"  --receiver R      discard (default: recv with MSG_TRUNC, no copy) or copy (read() it all)\n"
	"  --plot FILE       draw throughput and CPU per GiB against size (SVG, or PNG for .png;\n"
	"                    needs gnuplot)\n"
	"  --json            the numbers as one JSON object; --solution, --seed N, --timeout SEC\n"
	"\n"
	"verdicts: pass, not-implemented, wrong-bytes, error (returned -1: the failing syscall and its\n"
	"errno named), wrong-return (neither 0 nor -1), rule (the stage's way or copy target not kept),\n"
	"crash, timeout, compile-error.\n"
	"\n"
	"exit status: 0 pass, 1 fail, 2 usage or environment error (replay: a file that is not a whole\n"
	"recording); q in the animated view stops a run (\"stopped by you\", no verdict): zcl exits with\n"
	"the last finished run's verdict, 0 if none finished; on SIGINT/SIGTERM/SIGHUP the\n"
	"traced program is stopped, everything cleaned up, and zcl dies of the same signal.\n"
	"Measured: page-cache fills (cachestat/mincore), syscalls and their return values.\n"
	"Modelled: which CPU copies a syscall implies, and the NIC's DMA (loopback has no NIC).\n";

/* SIGINT, SIGTERM, SIGHUP: end the traced program; the run then cleans up
 * (scratch directory, receiver) and main() exits by the same signal. */
volatile int interrupted; /* an int: the app reads it too */

static void on_signal(int sig)
{
	interrupted = sig;
	zcl_trace_kill_current();
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* After an interrupted run: say so, then die of the same signal. */
static int finish(int rc)
{
	if (!interrupted)
		return rc;
	int sig = interrupted;
	fprintf(stderr, "zcl: interrupted by %s: the program was stopped, nothing left behind\n",
		strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}


int die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "zcl: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

/* "4K" -> 4096. 0 and *ok=false on garbage. */
static uint64_t parse_size(const char *s, bool *ok)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	*ok = errno == 0 && end != s && s[0] != '-';
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	*ok = *ok && *end == 0;
	return v;
}

/* Parse options after the command. Returns the index of the first operand,
 * or -1 after printing a usage error. */
int parse(int argc, char **argv, struct opts *o, bool stop_at_operand)
{
	static const struct option longs[] = {
		{"solution", no_argument, 0, 'S'}, {"json", no_argument, 0, 'Y'},
		{"class", required_argument, 0, 0x101}, {"jobs", required_argument, 0, 'j'},
		{"warm", no_argument, 0, 'w'}, {"no-sg", no_argument, 0, 'g'},
		{"no-tui", no_argument, 0, 'T'}, {"summary", no_argument, 0, 'u'},
		{"size", required_argument, 0, 's'}, {"file", required_argument, 0, 'f'},
		{"seed", required_argument, 0, 'e'}, {"timeout", required_argument, 0, 't'},
		{"inject", required_argument, 0, 'i'}, {"help", no_argument, 0, 'h'},
		{"exact", no_argument, 0, 'x'}, {"step", no_argument, 0, 'P'},
		{"cast", required_argument, 0, 'C'}, {"once", no_argument, 0, 'O'}, {"format", required_argument, 0, 'F'},
		{"out", required_argument, 0, 'o'}, {"stage", required_argument, 0, 'G'},
		{"sizes", required_argument, 0, 'Z'}, {"chunk", required_argument, 0, 'K'},
		{"rounds", required_argument, 0, 'R'}, {"plot", required_argument, 0, 'L'},
		{"receiver", required_argument, 0, 'V'}, {"cold", no_argument, 0, 'D'},
		{"speed", required_argument, 0, 0x102}, {"record", required_argument, 0, 0x103},
		{"test", required_argument, 0, 0x104},
		{0, 0, 0, 0},
	};
	bool ok;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, stop_at_operand ? "+o:h" : "o:hj:", longs, NULL)) != -1) {
		switch (c) {
		case 'S': o->solution = true; break;
		case 'Y': o->json = true; break;
		case 0x101: o->class_dir = optarg; break;
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*end || end == optarg || j < 1 || j > 256)
				return die("-j: not a number of jobs (1-256): %s", optarg), -1;
			o->jobs = (int)j;
			break;
		}
		case 'w': o->warm = true; break;
		case 'g': o->no_sg = true; break;
		case 'T': o->no_tui = true; break;
		case 'P': o->step = true; break;
		case 'O': o->once = true; break;
		case 'C': o->cast = optarg; break;
		case 0x103: o->record = optarg; break;
		case 0x104: zcl_grade_only_test(optarg); break; /* grade --test NAME (grader.c) */
		case 0x102: {
			char *end;
			o->speed = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->speed < 1 || o->speed > 9)
				return die("--speed: a number from 1 (slowest) to 9 (nothing animated), not %s", optarg), -1;
			break;
		}
		case 'u': o->summary = true; break;
		case 'x': o->exact = true; break;
		case 'F': o->format = optarg; break;
		case 'G': o->stage = optarg; break;
		case 'h': o->help = true; break;
		case 'o': o->out = optarg; break;
		case 'f': o->file = optarg; break;
		case 'Z': o->sizes = optarg; break;
		case 'K': o->chunks = optarg; break;
		case 'R': o->rounds = optarg; break;
		case 'L': o->plot = optarg; break;
		case 'V': o->receiver = optarg; break;
		case 'D': o->cold = true; break;
		case 's':
			o->size = parse_size(optarg, &ok);
			if (!ok)
				return die("--size: not a byte count: %s", optarg), -1;
			break;
		case 'e':
			o->seed = parse_size(optarg, &ok);
			if (!ok)
				return die("--seed: not a number: %s", optarg), -1;
			break;
		case 't': {
			char *end;
			o->timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || o->timeout_s <= 0 || o->timeout_s > 86400)
				return die("--timeout: not a number of seconds (0-86400]: %s", optarg), -1;
			o->timeout_set = true;
			break;
		}
		case 'i':
			if (strcmp(optarg, "short") == 0)
				o->inject = ZI_SHORT;
			else if (strcmp(optarg, "eintr") == 0)
				o->inject = ZI_EINTR;
			else
				return die("--inject: expected short or eintr, got %s", optarg), -1;
			break;
		default:
			return die("unknown or incomplete option: %s", argv[optind - 1]), -1;
		}
	}
	return optind;
}

static int cmd_list(void)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	printf("stages (edit exercises/NN-slug.c, then: zcl check N)\n");
	for (size_t i = 0; i < n; i++) {
		char src[4096];
		zcl_stage_source(&s[i], false, src, sizeof src);
		printf("  %d  %-10s %-30s %s\n", s[i].num, s[i].slug, s[i].title,
		       access(src, R_OK) == 0 ? "" : "(exercise file missing)");
		printf("     %s\n", s[i].method);
	}
	return 0;
}

const struct zcl_stage *stage_arg(int argc, char **argv, int i)
{
	if (i >= argc) {
		die("%s: which stage? (zcl list shows them)", argv[0]);
		return NULL;
	}
	if (i + 1 < argc) {
		die("unexpected argument: %s", argv[i + 1]);
		return NULL;
	}
	const struct zcl_stage *s = zcl_stage_find(argv[i]);
	if (!s)
		die("unknown stage: %s (zcl list shows them)", argv[i]);
	return s;
}

/* The animated view when there is a terminal that can take it and nobody
 * asked for text. A terminal without cursor addressing (TERM=dumb: Emacs'
 * shell, IDE consoles) gets the text timeline, and one line saying why. */
bool use_tui(const struct opts *o)
{
	if (o->no_tui || o->json || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	static int ok = -1; /* asked once, said once */
	if (ok < 0) {
		char why[160];
		ok = zcl_app_terminal_ok(why, sizeof why);
		if (!ok)
			fprintf(stderr, "zcl: %s: the text timeline instead of the animation\n", why);
	}
	return ok;
}

/* Run the TUI; its errors are one line like every other. */
int app(const struct zcl_app_opts *ao)
{
	char err[512];
	int rc = zcl_app_run(ao, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		return EXIT_USAGE;
	}
	return rc ? EXIT_FAIL : 0;
}

static int cmd_check(int argc, char **argv, const struct opts *o, bool timeline)
{
	int i = parse(argc, argv, (struct opts *)o, false);
	if (i < 0)
		return EXIT_USAGE;
	const struct zcl_stage *s = stage_arg(argc, argv, i);
	if (!s)
		return EXIT_USAGE;
	if (o->cast && !(timeline && use_tui(o)))
		return die("%s", "--cast records the animated view: it needs a terminal (and no --no-tui or --json)");
	if (timeline && use_tui(o)) {
		struct zcl_app_opts ao = {
			.stage = s, .solution = o->solution, .warm = o->warm, .sg = !o->no_sg, .step = o->step,
			.size = o->size, .seed = o->seed, .file = o->file, .timeout_s = o->timeout_s,
			.cast = o->cast, .interrupted = &interrupted, .once = o->once,
		};
		return app(&ao);
	}
	struct zcl_timeline tl;
	zcl_timeline_init(&tl, stdout, o->json, true);
	struct zcl_sink sink = {.ctx = &tl, .step = zcl_timeline_step};
	struct zcl_run r = {
		.stage = s, .solution = o->solution, .size = o->size, .file = o->file, .seed = o->seed,
		.warm = o->warm, .sg = !o->no_sg, .timeout_s = o->timeout_s, .inject = o->inject,
		.sinks = timeline ? &sink : NULL, .nsinks = timeline ? 1 : 0,
	};
	if (timeline && !o->json)
		printf("timeline of stage %d (%s): seq, the syscall, its copies, running totals\n"
		       "  PC = page cache, skb = socket buffer, * = modelled (loopback has no NIC), "
		       "REF = page descriptors only, no bytes copied\n", s->num, s->slug);
	char err[512];
	if (zcl_run_stage(&r, err, sizeof err) < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		zcl_run_free(&r);
		return EXIT_USAGE;
	}
	if (o->json) {
		zcl_print_run_json(stdout, &r); /* run --json: the result is the last line */
	} else {
		zcl_print_run_text(stdout, &r);
		char note[600];
		zcl_grade_injected(&r, note, sizeof note);
		if (note[0])
			printf("%s\n", note);
		zcl_datapath_note(&r.totals.path, note, sizeof note);
		if (note[0])
			printf("note: %s\n", note);
		if (r.verdict != ZV_COMPILE_ERROR && !timeline)
			zcl_grade_not_run(stdout, &r);
	}
	int rc = r.verdict == ZV_PASS ? 0 : EXIT_FAIL;
	zcl_run_free(&r);
	return rc;
}

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

static int cmd_trace(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, true);
	if (i < 0)
		return EXIT_USAGE;
	if (i >= argc)
		return die("%s", "trace: no command given (zcl trace -- CMD ARGS...)");
	char prog[4096];
	if (!find_program(argv[i], prog, sizeof prog))
		return die("trace: %s: no such program (or not executable)", argv[i]);
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

static int cmd_hint(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	const struct zcl_stage *s = stage_arg(argc, argv, i);
	if (!s)
		return EXIT_USAGE;
	printf("stage %d %s: %s\n  %s\n", s->num, s->slug, s->title, s->hint);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.size = ZCL_DEFAULT_SIZE, .seed = ZCL_DEFAULT_SEED,
			 .timeout_s = ZCL_DEFAULT_TIMEOUT_S};
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		}
	argc--, argv++;
	catch_signals();
	if (!strcmp(cmd, "list"))
		return argc > 1 ? die("list: unexpected argument: %s", argv[1]) : cmd_list();
	if (!strcmp(cmd, "check"))
		return finish(cmd_check(argc, argv, &o, false));
	if (!strcmp(cmd, "run"))
		return finish(cmd_run(argc, argv, &o));
	if (!strcmp(cmd, "replay"))
		return finish(cmd_replay(argc, argv, &o));
	if (!strcmp(cmd, "trace"))
		return finish(cmd_trace(argc, argv, &o));
	if (!strcmp(cmd, "tour"))
		return finish(cmd_tour(argc, argv, &o));
	if (!strcmp(cmd, "grade"))
		return finish(cmd_grade(argc, argv, &o));
	if (!strcmp(cmd, "bench")) {
		if (o.size == ZCL_DEFAULT_SIZE)
			o.size = 256u << 20; /* long enough that a round is not all TCP slow start */
		return finish(cmd_bench(argc, argv, &o));
	}
	if (!strcmp(cmd, "selfcheck"))
		return finish(cmd_selfcheck(argc, argv, &o));
	if (!strcmp(cmd, "watch"))
		return finish(cmd_watch(argc, argv, &o));
	if (!strcmp(cmd, "hint"))
		return cmd_hint(argc, argv, &o);
	return die("unknown command: %s (zcl --help)", cmd);
}
