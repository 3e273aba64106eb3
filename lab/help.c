/*
 * help.c - the command and option tables, and the help printed from them.
 *
 * `zcl --help` is the overview: every command's synopsis and one line.
 * `zcl COMMAND --help` is that command alone: its synopsis, what it does,
 * only the options it takes (the rows of the option table whose command
 * bits include it) and its exit status. parse() builds getopt's list from
 * the same option table and refuses an option whose rows leave the command
 * out, so what --help shows is exactly what parse() takes.
 */
#include <stdio.h>
#include <string.h>

#include "help.h"
#include "stages.h"
#include "version.h" /* build/version.h, from the Makefile's VERSION (+ git describe) */

#define B ZC_BIT
#define STAGE_RUNS (B(ZC_CHECK) | B(ZC_RUN))
#define ANIMATED (B(ZC_RUN) | B(ZC_TOUR) | B(ZC_REPLAY))
#define ALL_CMDS ((1u << ZC_NCMDS) - 1)

static const char exit_run[] =
	"0 pass, 1 fail (any other verdict), 2 usage or environment error (unknown stage, missing\n"
	"input, ptrace not permitted, no compiler), with one line on stderr saying which. On\n"
	"SIGINT, SIGTERM or SIGHUP the traced program is stopped, everything cleaned up, and zcl\n"
	"dies of the same signal.";
static const char exit_plain[] = "0 done, 2 usage or environment error (one line on stderr says which).";

static const struct zcl_command commands[ZC_NCMDS] = {
	[ZC_LIST] = {"list", "", "the stages, their files, and your progress (done or pending)",
		"done: the stage's full grade (zcl grade --stage N, or zcl watch) was earned by the bytes\n"
		"its exercise file has now; edit the file and the stage is pending until graded again.\n"
		"The progress is kept in .zcl-progress at the top of the lab.",
		exit_plain},
	[ZC_CHECK] = {"check", "STAGE", "build and run a stage once: verdict, copies, compiler warnings",
		"Builds exercises/NN-slug.c with the lab's harness, runs it once under the tracer with a\n"
		"generated input sent to a local socket, and prints the verdict, the copies and mode\n"
		"switches it made, the warnings the compiler gave, and which grade tests it did not run.",
		exit_run},
	[ZC_RUN] = {"run", "STAGE", "watch your program copy its bytes, animated (or as text)",
		"Animated at a pace you can follow (1 MiB of stage 1: about 25 s; + faster, f skips to the\n"
		"end, q stops). With --no-tui, --json or no terminal (or TERM=dumb): the text timeline, one\n"
		"line per syscall with its copies and running totals. q stops a run (\"stopped by you\", no\n"
		"verdict): zcl exits with the last finished run's verdict, 0 if none finished.",
		exit_run},
	[ZC_REPLAY] = {"replay", "FILE", "a run kept with run --record FILE, shown again (nothing runs)",
		"Same keys as run; --step and --speed work. Without a terminal: the recorded timeline as text.",
		"the recorded verdict's (0 pass, 1 fail); 2 for a file that is not a whole recording."},
	[ZC_TRACE] = {"trace", "-- CMD [ARGS...] | -p PID", "any program under the tracer: how it moved its bytes",
		"As strace -f: every thread and process is followed, also those that outlive the command,\n"
		"until the last one exits; stops (SIGSTOP) and signals stay the program's own. Ctrl-C,\n"
		"SIGTERM, SIGHUP reach the program first (passed on to it, as untraced): it ends its own\n"
		"way, and zcl exits with its status; a second signal, or 2 s without an end, kills\n"
		"them all and zcl dies of the signal. int 0x80 (i386) calls are traced and shown, not\n"
		"modelled. CPUs: while the program is a single task it runs on the tracer's CPU (a ptrace\n"
		"stop costs much less there) and sched_getaffinity tells it the CPUs it really has; from\n"
		"its second thread or process on, every task gets them all back; a program that sets its\n"
		"own affinity is left alone. Options go before the --.\n"
		"With -p PID instead of a command: attach to that running process (every thread), as\n"
		"strace -p; its children are followed until they exit. Every call stops at entry and exit\n"
		"(no filter can be added from outside): results exact, counted since attach, its CPUs\n"
		"untouched. Ctrl-C, SIGTERM, SIGHUP or --timeout detach: the program runs on.",
		"the program's own status, 128+N if signal N killed it, 124 after --timeout; 2 when zcl\n"
		"could not trace it (usage error, no such program or not a program, ptrace not\n"
		"permitted). With -p: the process's status if it ends while attached; 124 after\n"
		"--timeout, which detaches; on SIGINT, SIGTERM or SIGHUP zcl detaches and dies of the\n"
		"same signal; 2 when it cannot attach (no such process, a zombie, zcl itself or its\n"
		"parent, a kernel thread, already traced, ptrace not permitted)."},
	[ZC_HINT] = {"hint", "STAGE", "a hint for the stage", "", exit_plain},
	[ZC_WATCH] = {"watch", "", "edit, save: it rebuilds, re-checks, shows your progress (a terminal)",
		"Keys: r re-checks, Enter animates, n/p next or previous stage, h hint, q quits. A stage is\n"
		"done when it earns its full grade; zcl list shows the same progress.",
		"0 when every stage is done, 1 otherwise; 2 without a full-screen terminal."},
	[ZC_TOUR] = {"tour", "", "every stage with the reference solutions, narrated, then compared",
		"Animated on a terminal, else as text; only the speed keys, f, Tab, h, ? and q act while it\n"
		"plays. Needs solutions/ (a student copy has none).",
		exit_run},
	[ZC_RESET] = {"reset", "STAGE", "put a stage's skeleton back, keeping your file as a backup",
		"Copies your exercises/NN-slug.c to exercises/NN-slug.c.bak-YYYYmmdd-HHMMSS, then writes the\n"
		"skeleton in its place, from exercises/.pristine/NN-slug.c (shipped in the student\n"
		"tarball) or, without it, from git's HEAD in a git work tree. Asks nothing; says what it\n"
		"did. The stage is pending again (zcl list).",
		"0 done (or already the skeleton), 2 usage error or no skeleton to restore."},
	[ZC_GRADE] = {"grade", "", "score the exercises: every stage, many runs each",
		"Every stage (or --stage), a test table per stage: sizes, short transfers, EINTR, the copy\n"
		"target, the stage's rules. Stages that earn their full grade are marked done (zcl list).\n"
		"--class DIR grades every student in DIR (a folder or archive each) instead.",
		"0 every test passed, 1 points lost, 2 usage or environment error (the result file, if\n"
		"any, says the grader failed)."},
	[ZC_SELFCHECK] = {"selfcheck", "", "instructor check: every skeleton fails, every solution passes", "",
		"0 ok, 1 a skeleton earns points or a solution loses some, 2 environment error."},
	[ZC_BENCH] = {"bench", "", "what zero-copy saves: each stage's CPU per GiB and throughput",
		"Runs every stage untraced, warm and cold, median of rounds, and prints the sender's CPU\n"
		"time per GiB sent and its throughput.",
		exit_plain},
	[ZC_HELP] = {"help", "[COMMAND]", "this overview, or a command's help (as zcl COMMAND --help)", "", exit_plain},
};

static const struct zcl_option options[] = {
	{"solution", 0, NULL, 'S', STAGE_RUNS, "run solutions/NN-slug.c instead of exercises/NN-slug.c"},
	{"solution", 0, NULL, 'S', B(ZC_GRADE), "grade solutions/ instead of exercises/"},
	{"solution", 0, NULL, 'S', B(ZC_BENCH), "time the reference solutions instead of your exercises"},
	{"size", 0, "BYTES", 's', STAGE_RUNS | B(ZC_TOUR) | B(ZC_WATCH),
	 "generated input size (K, M, G suffixes; default 1M)"},
	{"size", 0, "BYTES", 's', B(ZC_BENCH), "input size (default 256M)"},
	{"sizes", 0, "LIST", 'Z', B(ZC_BENCH), "a sweep of sizes, e.g. 4K,1M,256M"},
	{"file", 0, "PATH", 'f', STAGE_RUNS, "use your own file as the input instead"},
	{"seed", 0, "N", 'e', STAGE_RUNS | B(ZC_TOUR) | B(ZC_WATCH) | B(ZC_BENCH),
	 "seed of the generated input (default 42)"},
	{"seed", 0, "N", 'e', B(ZC_GRADE) | B(ZC_SELFCHECK), "seed of the grader's inputs (default 42)"},
	{"warm", 0, NULL, 'w', STAGE_RUNS | B(ZC_TOUR), "keep the input in the page cache (default: cold, evicted first)"},
	{"warm", 0, NULL, 'w', B(ZC_BENCH), "only the warm cache (default: both)"},
	{"cold", 0, NULL, 'D', B(ZC_BENCH), "only the cold cache (default: both)"},
	{"no-sg", 0, NULL, 'g', STAGE_RUNS | B(ZC_TOUR) | B(ZC_TRACE) | B(ZC_BENCH),
	 "model a NIC without scatter-gather (the CPU copy comes back)"},
	{"timeout", 0, "SEC", 't', STAGE_RUNS | B(ZC_TOUR) | B(ZC_WATCH), "time limit: the program's own time, the tracer's not counted (default 10)"},
	{"timeout", 0, "SEC", 't', B(ZC_TRACE), "end the program and all it started after SEC (exit 124); default none"},
	{"timeout", 0, "SEC", 't', B(ZC_GRADE) | B(ZC_SELFCHECK), "time limit of each run, as for check (default 10)"},
	{"timeout", 0, "SEC", 't', B(ZC_BENCH), "limit of each run (default 30 s + 1 s per 16 MiB)"},
	{"inject", 0, "KIND", 'i', STAGE_RUNS,
	 "short: cut to half the calls that move seeded byte offsets of the lab's\n"
	 "file and socket (--seed); eintr: fail those with EINTR instead"},
	{"json", 0, NULL, 'Y', B(ZC_CHECK), "one JSON object: the result"},
	{"json", 0, NULL, 'Y', B(ZC_RUN) | B(ZC_REPLAY), "one JSON event per line, the result last"},
	{"json", 0, NULL, 'Y', B(ZC_TRACE), "one JSON event per line, the summary last"},
	{"json", 0, NULL, 'Y', B(ZC_BENCH), "the numbers as one JSON object"},
	{"no-tui", 0, NULL, 'T', ANIMATED, "the text timeline even on a terminal"},
	{"step", 0, NULL, 'P', B(ZC_RUN) | B(ZC_REPLAY), "start in step mode (one syscall per key press)"},
	{"speed", 0, "N", 0x102, ANIMATED, "1 (slowest) .. 9 (nothing animated); default 3"},
	{"record", 0, "FILE", 0x103, B(ZC_RUN), "keep the event stream in FILE for zcl replay"},
	{"cast", 0, "FILE", 'C', ANIMATED,
	 "record the animation as an asciinema v2 file (needs a terminal;\n"
	 "kept at the terminal's starting size)"},
	{"once", 0, NULL, 'O', B(ZC_RUN) | B(ZC_REPLAY), "leave the animated view when the run ends (scripts, benchmarks)"},
	{"tui", 0, NULL, 0x104, B(ZC_TRACE), "animated, in the stages' scene, per process (needs a terminal)"},
	{"attach", 'p', "PID", 'p', B(ZC_TRACE),
	 "attach to a running process (every thread) instead of starting one,\n"
	 "as strace -p; repeat or PID,PID for more; Ctrl-C detaches, it runs on"},
	{"summary", 0, NULL, 'u', B(ZC_TRACE),
	 "no timeline: the totals, then a table per syscall (calls, errors,\n"
	 "bytes, time) like strace -c, and per process; every syscall is counted"},
	{"exact", 0, NULL, 'x', B(ZC_TRACE),
	 "stop at every traced call's exit for its return value; by default\n"
	 "reads and writes on blocking descriptors (shown \"=~\") take their byte\n"
	 "count from the thread's /proc I/O counters, one ptrace stop fewer each,\n"
	 "read once per run of such calls (up to 32): a run that moved all it\n"
	 "asked proves each call full; where a short run cannot tell one call's\n"
	 "result it shows \"=~ ?\" (the totals stay exact)"},
	{"out", 'o', "FILE", 'o', B(ZC_TRACE), "write the trace to FILE (default: stderr), not mixed with the program's"},
	{"out", 'o', "FILE", 'o', B(ZC_GRADE),
	 "write the result there (written even if the grader fails);\n"
	 "with --class: the results folder (default DIR-results)"},
	{"format", 0, "F", 'F', B(ZC_GRADE), "text (default), json, gradescope, junit, autolab, classroom"},
	{"test", 0, "NAME", 0x105, B(ZC_GRADE), "that one test only (and the runs it depends on); exit 0 if it passes"},
	{"stage", 0, "STAGE", 'G', B(ZC_GRADE), "grade one stage only"},
	{"class", 0, "DIR", 0x101, B(ZC_GRADE),
	 "grade every student in DIR (a folder or archive each): a CSV and an\n"
	 "HTML report in --out DIR; resumable"},
	{"jobs", 'j', "N", 'j', B(ZC_GRADE), "with --class: students graded at once (default 1)"},
	{"chunk", 0, "LIST", 'K', B(ZC_BENCH),
	 "at most this many bytes per read/write/sendfile/splice call (own: the\n"
	 "stage's own calls, the default), e.g. --chunk own,4K,64K; syscalls only:\n"
	 "io_uring operations keep their own size"},
	{"rounds", 0, "N", 'R', B(ZC_BENCH), "rounds per figure (default 5): the median and the spread are shown"},
	{"receiver", 0, "R", 'V', B(ZC_BENCH), "discard (default: recv with MSG_TRUNC, no copy) or copy (read() it all)"},
	{"plot", 0, "FILE", 'L', B(ZC_BENCH), "draw throughput and CPU per GiB against size (SVG, or PNG; needs gnuplot)"},
	{"help", 'h', NULL, 'h', ALL_CMDS, "this help"},
};

#define NOPTIONS (sizeof options / sizeof options[0])

const struct zcl_command *zcl_commands(size_t *n)
{
	*n = ZC_NCMDS;
	return commands;
}

const struct zcl_option *zcl_options(size_t *n)
{
	*n = NOPTIONS;
	return options;
}

int zcl_command_find(const char *name)
{
	for (int c = 0; c < ZC_NCMDS; c++)
		if (!strcmp(commands[c].name, name))
			return c;
	return -1;
}

/* Is row i the first row of its option name? */
static bool first_row(size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (options[k].val == options[i].val)
			return false;
	return true;
}

const struct option *zcl_getopt_longs(void)
{
	static struct option longs[NOPTIONS + 1];
	if (longs[0].name)
		return longs;
	size_t n = 0;
	for (size_t i = 0; i < NOPTIONS; i++)
		if (first_row(i))
			longs[n++] = (struct option){options[i].name, options[i].arg ? required_argument : no_argument,
						     NULL, options[i].val};
	return longs;
}

const char *zcl_getopt_shorts(bool stop_at_operand)
{
	static char s[2][64];
	char *p = s[stop_at_operand];
	if (p[0])
		return p;
	size_t n = 0;
	if (stop_at_operand)
		p[n++] = '+';
	for (size_t i = 0; i < NOPTIONS && n + 3 < sizeof s[0]; i++)
		if (options[i].short_name && first_row(i)) {
			p[n++] = options[i].short_name;
			if (options[i].arg)
				p[n++] = ':';
		}
	p[n] = 0;
	return p;
}

bool zcl_option_applies(int val, enum zcl_cmd cmd)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].val == val && (options[i].cmds & B(cmd)))
			return true;
	return false;
}

void zcl_option_describe(int val, char *buf, size_t len, char *cmds, size_t cmdslen)
{
	unsigned mask = 0;
	buf[0] = cmds[0] = 0;
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].val == val) {
			mask |= options[i].cmds;
			if (options[i].short_name)
				snprintf(buf, len, "-%c/--%s", options[i].short_name, options[i].name);
			else
				snprintf(buf, len, "--%s", options[i].name);
		}
	size_t used = 0;
	for (int c = 0; c < ZC_NCMDS && used < cmdslen; c++)
		if (mask & B(c))
			used += (size_t)snprintf(cmds + used, cmdslen - used, "%s%s", used ? ", " : "", commands[c].name);
}

/* "STAGE is a number (1-5) or a slug (readwrite, ...)", from the stage table. */
static void stage_line(FILE *out)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	fprintf(out, "STAGE is a number (%d-%d) or a slug (", n ? s[0].num : 0, n ? s[n - 1].num : 0);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", s[i].slug);
	fprintf(out, ", or NN-slug).\n");
}

/* Text with its continuation lines indented by `indent` spaces. */
static void indented(FILE *out, const char *text, int indent)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "%.*s\n", (int)n, p);
		p += n;
		if (*p == '\n' && *++p)
			fprintf(out, "%*s", indent, "");
	}
}

void zcl_help_overview(FILE *out)
{
	fprintf(out, "usage: zcl COMMAND [OPTIONS] [OPERANDS]\n"
		     "\n"
		     "Zero-Copy Lab: run your zero-copy exercises under ptrace, count every copy.\n"
		     "\n"
		     "commands:\n");
	for (int c = 0; c < ZC_NCMDS; c++) {
		char syn[64];
		snprintf(syn, sizeof syn, "%s %s", commands[c].name, commands[c].operands);
		if (strlen(syn) > 23) /* its own line, the words under the others' */
			fprintf(out, "  %s\n  %-23s %s\n", syn, "", commands[c].summary);
		else
			fprintf(out, "  %-23s %s\n", syn, commands[c].summary);
	}
	fprintf(out, "\n");
	stage_line(out);
	fprintf(out, "\n"
		     "zcl COMMAND --help shows a command's options and exit status; zcl --version the version.\n"
		     "\n"
		     "verdicts: pass, not-implemented, wrong-bytes, error (returned -1: the failing syscall and its\n"
		     "errno named), wrong-return (neither 0 nor -1), rule (the stage's way or copy target not kept),\n"
		     "crash, timeout, compile-error.\n"
		     "\n"
		     "exit status: 0 pass, 1 fail, 2 usage or environment error (one line on stderr says which).\n"
		     "Measured: page-cache fills (cachestat/mincore), syscalls and their return values.\n"
		     "Modelled: which CPU copies a syscall implies, and the NIC's DMA (loopback has no NIC).\n");
}

void zcl_help_command(FILE *out, enum zcl_cmd cmd)
{
	const struct zcl_command *c = &commands[cmd];
	fprintf(out, "usage: zcl %s%s%s%s\n\n", c->name, cmd == ZC_HELP ? "" : " [OPTIONS]",
		c->operands[0] ? " " : "", c->operands);
	fprintf(out, "%c%s.\n", c->summary[0] >= 'a' && c->summary[0] <= 'z' ? c->summary[0] - 32 : c->summary[0],
		c->summary + 1);
	if (c->details[0])
		fprintf(out, "\n%s\n", c->details);
	if (cmd == ZC_CHECK || cmd == ZC_RUN || cmd == ZC_HINT || cmd == ZC_RESET) {
		fputc('\n', out);
		stage_line(out);
	}
	fprintf(out, "\noptions:\n");
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct zcl_option *o = &options[i];
		if (!(o->cmds & B(cmd)))
			continue;
		char left[64];
		int n = o->short_name ? snprintf(left, sizeof left, "-%c, ", o->short_name) : 0;
		snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-20s ", left);
		indented(out, o->help, 23);
	}
	fprintf(out, "\nexit status:\n  ");
	indented(out, c->exits, 2);
}

void zcl_help_version(FILE *out)
{
	fprintf(out, "zcl %s\n", ZCL_VERSION_TEXT);
}
