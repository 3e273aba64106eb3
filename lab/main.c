/*
 * main.c - the zcl command line: parse, dispatch, exit code; and the small
 * commands (list, check, hint, help).
 *
 * The commands and their options are tables (help.c): parse() takes from
 * getopt only what the table lists, refuses an option the command does not
 * take, and a mistyped command, stage or option gets the nearest known one
 * (suggest.c). Exit codes: 0 pass (or success), 1 fail, 2 usage or
 * environment error, always with one line on stderr saying which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "build.h"
#include "grader.h"
#include "help.h"
#include "progress.h"
#include "params.h"
#include "passon.h"
#include "report.h"
#include "runner.h"
#include "stages.h"
#include "suggest.h"
#include "tracer.h"


/* SIGINT, SIGTERM, SIGHUP: end the traced program; the run then cleans up
 * (scratch directory, receiver) and main() exits by the same signal. In
 * `zcl trace CMD` the first one is the program's to handle (passon.h);
 * SIGALRM ends that grace. */
volatile int interrupted; /* an int: the app reads it too */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGALRM) {
		sig = zcl_passon_expire();
		if (!sig)
			return;
	} else if (zcl_passon_signal(sig, si && si->si_code == SI_KERNEL, si ? si->si_pid : 0)) {
		return;
	}
	interrupted = sig;
	zcl_trace_kill_current();
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGALRM};
	for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
		sigaction(sigs[k], &sa, NULL);
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

/* An option parse() could not take: unknown (with the nearest option that
 * the command takes, if one is near), or missing its argument. -1. */
static int bad_option(const char *cmd, const char *arg)
{
	size_t n, nc = 0;
	const struct zcl_option *opts = zcl_options(&n);
	const char *cands[n];
	int c = zcl_command_find(cmd);
	for (size_t i = 0; i < n; i++)
		if (c >= 0 && (opts[i].cmds & ZC_BIT(c)))
			cands[nc++] = opts[i].name;
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(arg + strspn(arg, "-"), "="), arg + strspn(arg, "-"));
	for (size_t i = 0; i < n; i++)
		if ((!strcmp(opts[i].name, name) || (opts[i].short_name && !strcmp(arg + 1, (char[]){opts[i].short_name, 0}))) &&
		    opts[i].arg && !strchr(arg, '='))
			return die("%s: %s needs a value (%s %s)", cmd, arg, arg, opts[i].arg), -1;
	const char *near = strncmp(arg, "--", 2) ? NULL : zcl_suggest(name, cands, nc);
	if (near)
		return die("%s: unknown option %s; did you mean --%s?", cmd, arg, near), -1;
	return die("%s: unknown or incomplete option: %s (zcl %s --help lists its options)", cmd, arg, cmd), -1;
}

/* Parse options after the command (argv[0]). Returns the index of the
 * first operand, or -1 after printing a usage error: an option the
 * command does not take (help.c's table) is one. */
int parse(int argc, char **argv, struct opts *o, bool stop_at_operand)
{
	int cmd = zcl_command_find(argv[0]);
	bool ok;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, zcl_getopt_shorts(stop_at_operand), zcl_getopt_longs(), NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(argv[0], argv[optind - 1]);
		if (cmd >= 0 && !zcl_option_applies(c, (enum zcl_cmd)cmd)) {
			char name[64], cmds[256];
			zcl_option_describe(c, name, sizeof name, cmds, sizeof cmds);
			return die("%s: %s does not apply to %s (it is for %s; see zcl %s --help)",
				   argv[0], name, argv[0], cmds, argv[0]), -1;
		}
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
		case 0x105: zcl_grade_only_test(optarg); break; /* grade --test NAME (grader.c) */
		case 0x102: {
			char *end;
			o->speed = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->speed < 1 || o->speed > 9)
				return die("--speed: a number from 1 (slowest) to 9 (nothing animated), not %s", optarg), -1;
			break;
		}
		case 0x104: o->tui = true; break; /* trace --tui */
		case 'p': if (trace_attach_arg(optarg) < 0) return -1; break; /* trace -p PID (cli_trace.c) */
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
		default: /* in help.c's table, but no case here: a bug */
			return die("%s: %s: not handled (a bug in zcl)", argv[0], argv[optind - 1]), -1;
		}
	}
	return optind;
}

/* zcl list: every stage, its file, and whether it is done (progress.h:
 * the full grade, earned by the bytes the exercise has now). */
static int cmd_list(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("list: unexpected argument: %s", argv[i]);
	size_t n;
	int done = 0;
	const struct zcl_stage *s = zcl_stages(&n);
	printf("stages (edit exercises/NN-slug.c, then: zcl check N)\n");
	for (size_t k = 0; k < n; k++) {
		char src[4096];
		zcl_stage_source(&s[k], false, src, sizeof src);
		bool here = access(src, R_OK) == 0, ok = here && zcl_progress_verified(&s[k]);
		done += ok;
		printf("  %d  %-10s %-30s %s\n", s[k].num, s[k].slug, s[k].title,
		       !here ? "(exercise file missing)" : ok ? "done" : "pending");
		printf("     %s\n", s[k].method);
	}
	printf("progress: %d of %zu stages done (done: its full grade, from zcl grade or zcl watch, with the\n"
	       "  exercise's current bytes)\n", done, n);
	return 0;
}

/* "unknown stage 'x'", with the stage it most likely meant. */
static void unknown_stage(const char *what, const char *name)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	const char *cands[2 * n + 1];
	char full[n + 1][64];
	for (size_t k = 0; k < n; k++) {
		snprintf(full[k], sizeof full[k], "%02d-%s", s[k].num, s[k].slug);
		cands[k] = s[k].slug;
		cands[n + k] = full[k];
	}
	const char *near = zcl_suggest(name, cands, 2 * n);
	if (near)
		die("%sunknown stage '%s'; did you mean '%s'?", what, name, near);
	else
		die("%sunknown stage '%s' (zcl list shows them)", what, name);
}

const struct zcl_stage *zcl_stage_arg(const char *what, const char *name)
{
	const struct zcl_stage *s = zcl_stage_find(name);
	if (!s)
		unknown_stage(what, name);
	return s;
}

const struct zcl_stage *stage_command(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return NULL;
	if (i >= argc) {
		die("%s: which stage? (zcl list shows them)", argv[0]);
		return NULL;
	}
	if (i + 1 < argc) {
		die("unexpected argument: %s", argv[i + 1]);
		return NULL;
	}
	return zcl_stage_arg("", argv[i]);
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

/* zcl check: one run, its verdict and accounting, the compiler's warnings
 * (cli_run.c keeps them for a cached build), the grade tests not run. */
static int cmd_check(int argc, char **argv, struct opts *o)
{
	const struct zcl_stage *s = stage_command(argc, argv, o);
	if (!s)
		return EXIT_USAGE;
	struct zcl_run r = {
		.stage = s, .solution = o->solution, .size = o->size, .file = o->file, .seed = o->seed,
		.warm = o->warm, .sg = !o->no_sg, .timeout_s = o->timeout_s, .inject = o->inject,
	};
	char err[512];
	if (zcl_run_stage(&r, err, sizeof err) < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		zcl_run_free(&r);
		return EXIT_USAGE;
	}
	run_warnings(&r);
	if (o->json) {
		zcl_print_run_json(stdout, &r);
	} else {
		zcl_print_run_text(stdout, &r);
		char note[600];
		zcl_grade_injected(&r, note, sizeof note);
		if (note[0])
			printf("%s\n", note);
		zcl_datapath_note(&r.totals.path, note, sizeof note);
		if (note[0])
			printf("note: %s\n", note);
		if (r.verdict != ZV_COMPILE_ERROR) {
			print_warnings(stdout, &r);
			zcl_grade_not_run(stdout, &r);
		}
	}
	int rc = r.verdict == ZV_PASS ? 0 : EXIT_FAIL;
	zcl_run_free(&r);
	return rc;
}

/* "unknown command 'chek'; did you mean 'check'?" */
static int unknown_command(const char *name)
{
	size_t n;
	const struct zcl_command *c = zcl_commands(&n);
	const char *cands[n];
	for (size_t k = 0; k < n; k++)
		cands[k] = c[k].name;
	const char *near = name[0] == '-' ? NULL : zcl_suggest(name, cands, n);
	if (near)
		return die("unknown command '%s'; did you mean '%s'?", name, near);
	return die("unknown command '%s' (zcl --help lists them)", name);
}

static int cmd_hint(int argc, char **argv, struct opts *o)
{
	const struct zcl_stage *s = stage_command(argc, argv, o);
	if (!s)
		return EXIT_USAGE;
	printf("stage %d %s: %s\n  %s\n", s->num, s->slug, s->title, s->hint);
	return 0;
}

static int cmd_help(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i + 1 < argc)
		return die("help: unexpected argument: %s", argv[i + 1]);
	if (i == argc) {
		zcl_help_overview(stdout);
		return 0;
	}
	int c = zcl_command_find(argv[i]);
	if (c < 0)
		return unknown_command(argv[i]);
	zcl_help_command(stdout, (enum zcl_cmd)c);
	return 0;
}

/* The commands, in help.c's order (enum zcl_cmd). */
static int (*const commands[ZC_NCMDS])(int argc, char **argv, struct opts *o) = {
	[ZC_LIST] = cmd_list, [ZC_CHECK] = cmd_check, [ZC_RUN] = cmd_run, [ZC_REPLAY] = cmd_replay,
	[ZC_TRACE] = cmd_trace, [ZC_HINT] = cmd_hint, [ZC_WATCH] = cmd_watch, [ZC_TOUR] = cmd_tour,
	[ZC_RESET] = cmd_reset, [ZC_GRADE] = cmd_grade, [ZC_SELFCHECK] = cmd_selfcheck, [ZC_BENCH] = cmd_bench,
	[ZC_HELP] = cmd_help,
};

/* -h or --help among a command's options (before any "--", and for
 * trace before the program it runs)? */
static bool wants_help(int argc, char **argv, int cmd)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
		if (cmd == ZC_TRACE && argv[i][0] != '-' && !(i > 1 && !strcmp(argv[i - 1], "-o")))
			return false;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct opts o = {.size = ZCL_DEFAULT_SIZE, .seed = ZCL_DEFAULT_SEED,
			 .timeout_s = ZCL_DEFAULT_TIMEOUT_S};
	if (argc < 2) {
		zcl_help_overview(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
		zcl_help_overview(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		zcl_help_version(stdout);
		return 0;
	}
	int cmd = zcl_command_find(name);
	if (cmd < 0)
		return unknown_command(name);
	argc--, argv++;
	if (wants_help(argc, argv, cmd)) {
		zcl_help_command(stdout, (enum zcl_cmd)cmd);
		return 0;
	}
	catch_signals();
	return finish(commands[cmd](argc, argv, &o));
}
