/*
 * test_trace.c - `zcl trace` runs a program as strace -f would: as many
 * threads and processes as it likes, its own stops and continues, children
 * that outlive it followed to their end, int 0x80 calls traced, argv[0] and
 * its CPUs untouched, its exit status passed on, and SIGINT, SIGTERM or
 * --timeout ending everything it started.
 *
 * The programs are the modes of tests/trace_prog.c, built into a scratch
 * directory by each test and run traced and untraced.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static const char *prog(void) { return build_trace_prog("trace-test"); }

struct outcome {
	int status;      /* exit status, or 128 + signal */
	char out[4096];  /* stdout: the program's */
	char err[16384]; /* stderr: zcl's trace and messages */
};

static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : 0;
	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* Wait until file has bytes (at most 5 s). */
static void wait_for_output(const char *file)
{
	for (int i = 0; i < 500; i++) {
		struct stat st;
		if (stat(file, &st) == 0 && st.st_size > 0)
			return;
		usleep(10000);
	}
	cr_assert_fail("%s: the program printed nothing within 5 s", file);
}

/* A signal run() sends second_after_ms after the first (0: none). */
static int second_signal, second_after_ms;

/* Run argv (argv[0] "zcl" means $ZCL_BIN); if sig, send it to the process
 * once its stdout has something in it (and second_signal after it). */
static struct outcome run(const char *const argv[], int sig)
{
	static struct outcome o;
	char out[] = "/var/tmp/zcl-trace-o-XXXXXX", err[] = "/var/tmp/zcl-trace-e-XXXXXX";
	int fo = mkstemp(out), fe = mkstemp(err);
	cr_assert(fo >= 0 && fe >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		const char *bin = strcmp(argv[0], "zcl") ? argv[0] : getenv("ZCL_BIN");
		execvp(bin, (char *const *)argv);
		_exit(127);
	}
	close(fo);
	close(fe);
	if (sig) {
		wait_for_output(out);
		kill(pid, sig);
		if (second_signal) {
			usleep((useconds_t)second_after_ms * 1000);
			kill(pid, second_signal);
		}
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, o.out, sizeof o.out);
	slurp(err, o.err, sizeof o.err);
	return o;
}

/* Is pid gone (or a zombie nobody will run again)? Waits up to 2 s. */
static bool gone(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char path[64], buf[512] = "";
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return true;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		const char *state = n > 0 ? strrchr(buf, ')') : NULL;
		if (state && state[2] == 'Z')
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- the program behaves as it does untraced ---- */

struct same_case { const char *mode, *arg; };

static struct same_case same[] = {
	{"threads", "70"},   /* /work/shared/cases/trace/03-threads70.c */
	{"threads", "500"},
	{"procs", "500"},
	{"sigstop", NULL},   /* /work/shared/cases/trace/02-sigstop-worker.c */
	{"int80", NULL},
	{"cpus", NULL},      /* nproc, xz -T0, pigz: as many CPUs as untraced */
	{"pin", NULL},       /* its own affinity is its own */
};

ParameterizedTestParameters(trace, program_prints_and_exits_as_untraced)
{
	INDEX_PARAMS(same);
}

ParameterizedTest(int *i, trace, program_prints_and_exits_as_untraced, .timeout = 30, .fini = drop_test_dir)
{
	const struct same_case *c = &same[*i];
	const char *bin = prog();
	const char *plain[] = {bin, c->mode, c->arg, NULL};
	struct outcome u = run(plain, 0);
	char want[sizeof u.out];
	snprintf(want, sizeof want, "%s", u.out);
	cr_assert_eq(u.status, 0, "%s untraced: status %d: %s", c->mode, u.status, u.out);
	const char *traced[] = {"zcl", "trace", "--summary", "--", bin, c->mode, c->arg, NULL};
	struct outcome t = run(traced, 0);
	cr_expect_eq(t.status, 0, "%s %s traced: zcl exits %d\n%s", c->mode, c->arg ? c->arg : "", t.status, t.err);
	cr_expect_str_eq(t.out, want, "%s %s: traced output differs from untraced", c->mode, c->arg ? c->arg : "");
}

/* ---- children, argv, ABI ---- */

Test(trace, child_that_outlives_the_command_is_followed_to_its_end, .timeout = 30, .fini = drop_test_dir)
{
	const char *bin = prog();
	char file[128];
	snprintf(file, sizeof file, "%s/f", test_dir);
	const char *argv[] = {"zcl", "trace", "--summary", "--", bin, "daemon", file, NULL};
	struct outcome t = run(argv, 0);
	cr_expect_eq(t.status, 0, "zcl exits %d: %s", t.status, t.err);
	char text[64];
	slurp(file, text, sizeof text); /* right after zcl returned */
	cr_expect_str_eq(text, "done\n", "the daemon ran to its end before zcl returned");
}

Test(trace, argv0_is_what_the_user_typed, .timeout = 30, .fini = drop_test_dir)
{
	prog();
	char path[4096];
	snprintf(path, sizeof path, "%s:%s", test_dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1); /* found through PATH, as a shell would */
	const char *argv[] = {"zcl", "trace", "--summary", "--", "trace_prog", "argv0", NULL};
	struct outcome t = run(argv, 0);
	cr_expect_eq(t.status, 0, "%s", t.err);
	cr_expect_str_eq(t.out, "argv0=trace_prog\n");
}

Test(trace, int_0x80_call_is_traced_and_labelled, .timeout = 30, .fini = drop_test_dir)
{
	const char *bin = prog();
	const char *argv[] = {"zcl", "trace", "--", bin, "int80", NULL};
	struct outcome t = run(argv, 0);
	cr_expect_eq(t.status, 0, "killed by the filter? zcl exits %d: %s", t.status, t.err);
	cr_expect_str_eq(t.out, "int 0x80 getpid agrees\n");
	cr_expect(strstr(t.err, "getpid()") && strstr(t.err, "i386"), "the call is shown as i386's getpid:\n%s", t.err);
	cr_expect(strstr(t.err, "1 syscalls through int 0x80"), "the summary counts it:\n%s", t.err);
}

/* ---- the exit status is the program's ---- */

struct status_case { const char *mode, *arg; int status; const char *says; };

static struct status_case statuses[] = {
	{"exit", "0", 0, "exited with status 0"},
	{"exit", "3", 3, "exited with status 3"},
	{"kill", "15", 143, "killed by SIGTERM"},
	{"kill", "9", 137, "killed by SIGKILL"},
};

ParameterizedTestParameters(trace, zcl_exits_with_the_programs_status_and_says_it)
{
	INDEX_PARAMS(statuses);
}

ParameterizedTest(int *i, trace, zcl_exits_with_the_programs_status_and_says_it, .timeout = 30, .fini = drop_test_dir)
{
	const struct status_case *c = &statuses[*i];
	const char *bin = prog();
	const char *plain[] = {bin, c->mode, c->arg, NULL};
	cr_assert_eq(run(plain, 0).status, c->status, "untraced, as a shell counts it");
	const char *argv[] = {"zcl", "trace", "--summary", "--", bin, c->mode, c->arg, NULL};
	struct outcome t = run(argv, 0);
	cr_expect_eq(t.status, c->status, "%s %s: zcl exits %d", c->mode, c->arg, t.status);
	cr_expect(strstr(t.err, c->says), "the summary says \"%s\":\n%s", c->says, t.err);
}

/* ---- the run always ends, and nothing is left behind ---- */

struct end_case { int sig; const char *timeout; int status; };

static struct end_case ends[] = {
	{SIGINT, NULL, 128 + SIGINT},   /* zcl dies of the same signal */
	{SIGTERM, NULL, 128 + SIGTERM},
	{0, "0.3", 124},                /* as timeout(1) */
};

ParameterizedTestParameters(trace, signal_or_timeout_ends_a_hang_and_leaves_nothing)
{
	INDEX_PARAMS(ends);
}

ParameterizedTest(int *i, trace, signal_or_timeout_ends_a_hang_and_leaves_nothing, .timeout = 30,
		  .fini = drop_test_dir)
{
	const struct end_case *c = &ends[*i];
	const char *bin = prog();
	const char *with_timeout[] = {"zcl", "trace", "--summary", "--timeout", c->timeout, "--", bin, "hang", NULL};
	const char *without[] = {"zcl", "trace", "--summary", "--", bin, "hang", NULL};
	struct outcome t = run(c->timeout ? with_timeout : without, c->sig);
	cr_expect_eq(t.status, c->status, "zcl exits %d:\n%s", t.status, t.err);
	pid_t child = (pid_t)atoi(t.out);
	cr_assert_gt(child, 0, "the program printed its child's pid: %s", t.out);
	cr_expect(gone(child), "the program's child %d is gone", (int)child);
}

/* ---- Ctrl-C is the program's to handle first (lab/passon.h) ---- */

struct int_case { int on_int; int second; int after_ms; int status; const char *says; };

static struct int_case ints[] = {
	{5, 0, 0, 5, "exited with status 5 after SIGINT (passed on by zcl)"},     /* its own way out */
	{5, SIGINT, 50, 5, "exited with status 5 after SIGINT (passed on by zcl)"}, /* sent twice at once
										      * (timeout(1)): one request */
	{-1, 0, 0, 128 + SIGINT, "did not end within 2 s of SIGINT"},             /* ignores it: killed */
	{-1, SIGINT, 800, 128 + SIGINT, "killed by zcl on a second SIGINT"},      /* no waiting twice */
};

ParameterizedTestParameters(trace, ctrl_c_reaches_the_program_before_zcl_ends_it)
{
	INDEX_PARAMS(ints);
}

ParameterizedTest(int *i, trace, ctrl_c_reaches_the_program_before_zcl_ends_it, .timeout = 30, .fini = drop_test_dir)
{
	const struct int_case *c = &ints[*i];
	const char *bin = prog();
	char arg[16];
	snprintf(arg, sizeof arg, "%d", c->on_int);
	const char *argv[] = {"zcl", "trace", "--summary", "--", bin, "onint", arg, NULL};
	second_signal = c->second;
	second_after_ms = c->after_ms;
	struct outcome t = run(argv, SIGINT);
	second_signal = 0;
	cr_expect_eq(t.status, c->status, "zcl exits %d:\n%s", t.status, t.err);
	cr_expect(strstr(t.err, c->says), "the summary says \"%s\":\n%s", c->says, t.err);
	cr_expect(strstr(t.out, "ready"), "the program ran: %s", t.out);
}
