/*
 * test_attach.c - zcl trace -p PID: attach to a program that is already
 * running, count what it does from then on, and leave it running.
 *
 * The program is tests/trace_prog.c's loop mode (threads that read 4 KiB
 * and write it to /dev/null every 10 ms), built into a scratch directory.
 * Readiness is polled with a deadline (the program's "ready" line, its
 * TracerPid, the trace's own lines), never timed: the tests assert what
 * happened, not how fast.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "proc.h"

static const char *prog(void) { return build_trace_prog("attach-test"); }

/* A file of the scratch directory. */
static const char *scratch(const char *name)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", test_dir, name);
	return p;
}

/* The whole of a file (static storage, up to 256 KiB), "" if none. */
static const char *contents(const char *path)
{
	static char buf[256 * 1024];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : 0;
	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Poll until cond(arg) holds, at most 5 s. */
static bool within_5s(bool (*cond)(const void *arg), const void *arg)
{
	for (int i = 0; i < 500; i++) {
		if (cond(arg))
			return true;
		usleep(10000);
	}
	return cond(arg);
}

struct prog { pid_t pid; int in; };

/* trace_prog loop THREADS ROUNDS STATUS, its stdin a pipe we hold; returns
 * once it has said "ready" (all its threads run). */
/* trace_prog MODE ARGS... (up to 3), once it printed "ready". */
static struct prog start_mode(const char *bin, const char *mode, const char *a, const char *b, const char *c)
{
	int in[2], out[2];
	cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0); /* not zcl's */
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(bin, "trace_prog", mode, a, b, c, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	char line[16] = "";
	ssize_t n = read(out[0], line, sizeof line - 1); /* blocks until "ready" */
	close(out[0]);
	cr_assert(n > 0 && !strncmp(line, "ready", 5), "trace_prog %s did not start", mode);
	return (struct prog){pid, in[1]};
}

static struct prog start_loop(const char *bin, const char *threads, const char *rounds, const char *status)
{
	return start_mode(bin, "loop", threads, rounds, status);
}

static void stop_prog(struct prog p)
{
	kill(p.pid, SIGKILL);
	close(p.in);
	while (waitpid(p.pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Start $ZCL_BIN with argv (argv[0] is "zcl"), stdout and stderr to files. */
static pid_t start_zcl(const char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(getenv("ZCL_BIN"), (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Its exit status, 128+N for signal N. */
static int status_of(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A field of /proc/PID/status ("TracerPid"), -1 if gone; *state the State letter. */
static long proc_field(pid_t pid, const char *key, char *state)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (zcl_proc_slurp(path, buf, sizeof buf) <= 0)
		return -1;
	const char *s = strstr(buf, "\nState:");
	if (state)
		*state = s ? s[strspn(s + 7, " \t") + 7] : '?';
	return zcl_proc_field(buf, key);
}

struct traced { pid_t pid, by; };

static bool is_traced_by(const void *arg)
{
	const struct traced *t = arg;
	return proc_field(t->pid, "TracerPid", NULL) == t->by;
}

struct text { const char *file, *text; };

static bool file_has(const void *arg)
{
	const struct text *t = arg;
	return strstr(contents(t->file), t->text) != NULL;
}

/* syscw of /proc/PID/io: it moves while the program works. */
static long long syscw(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
	const char *p = strstr(contents(path), "syscw:");
	return p ? atoll(p + 6) : -1;
}

struct moving { pid_t pid; long long from; };

static bool writes_again(const void *arg)
{
	const struct moving *m = arg;
	return syscw(m->pid) > m->from;
}

/* zcl attached to p (its TracerPid) and its trace file has `seen`. */
static void wait_attached(struct prog p, pid_t zcl, const char *file, const char *seen)
{
	struct traced t = {p.pid, zcl};
	cr_assert(within_5s(is_traced_by, &t), "zcl (PID %d) never attached to PID %d", (int)zcl, (int)p.pid);
	struct text x = {file, seen};
	cr_assert(within_5s(file_has, &x), "the trace never showed %s:\n%s", seen, contents(file));
}

/* After zcl let go: p is alive, untraced, and works on. */
static void assert_runs_on_untraced(struct prog p)
{
	char state = '?';
	cr_expect_eq(proc_field(p.pid, "TracerPid", &state), 0, "TracerPid of the detached program");
	cr_expect(state != '?' && !strchr("TtZX", state), "the detached program's state is %c", state);
	struct moving m = {p.pid, syscw(p.pid)};
	cr_expect(within_5s(writes_again, &m), "the detached program stopped writing");
}

Test(attach, sigint_detaches_and_the_program_runs_on_untraced, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_loop(prog(), "1", "0", "0");
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)p.pid);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", pid, "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	wait_attached(p, z, out, "pread64(");
	kill(z, SIGINT);
	cr_expect_eq(status_of(z), 128 + SIGINT, "zcl dies of the SIGINT that detached it: %s", contents(err));
	const char *e = contents(err);
	char said[128];
	snprintf(said, sizeof said, "zcl: attached to PID %d (trace_prog), 1 thread;", (int)p.pid);
	cr_expect(strstr(e, said), "no attach line: %s", e);
	snprintf(said, sizeof said, "zcl: detached from PID %d (trace_prog): it keeps running", (int)p.pid);
	cr_expect(strstr(e, said), "no detach line: %s", e);
	const char *t = contents(out);
	cr_expect(strstr(t, "= 4096"), "a read or write of 4 KiB is in the timeline:\n%s", t);
	cr_expect(strstr(t, "detached on SIGINT, still running (zcl exits 130)"), "%s", t);
	cr_expect(strstr(t, "since attach"), "the counts say what they cover:\n%s", t);
	assert_runs_on_untraced(p);
	stop_prog(p);
}

/* The distinct "pid": values of a JSON-lines trace. */
static int pids_in(const char *text)
{
	long seen[64];
	int n = 0;
	for (const char *p = text; (p = strstr(p, "\"pid\":")) && n < 64; p++) {
		long v = strtol(p + 6, NULL, 10);
		bool known = false;
		for (int i = 0; i < n; i++)
			known |= seen[i] == v;
		if (!known)
			seen[n++] = v;
	}
	return n;
}

static bool four_threads(const void *arg)
{
	return pids_in(contents(arg)) >= 4;
}

Test(attach, every_thread_is_attached_and_its_calls_seen, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_loop(prog(), "4", "0", "0");
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)p.pid);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "--json", "--attach", pid, "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	wait_attached(p, z, out, "\"attached\":");
	cr_expect(within_5s(four_threads, out), "calls of 4 threads:\n%s", contents(out));
	kill(z, SIGTERM);
	cr_expect_eq(status_of(z), 128 + SIGTERM, "%s", contents(err));
	cr_expect(strstr(contents(err), "(trace_prog), 4 threads;"), "%s", contents(err));
	cr_expect(strstr(contents(out), "\"detached_tasks\":4"), "the summary counts the detached threads");
	assert_runs_on_untraced(p);
	stop_prog(p);
}

Test(attach, a_program_that_exits_while_attached_gives_zcl_its_status, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_loop(prog(), "2", "-1", "3"); /* exits 3 when its stdin closes */
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)p.pid);
	const char *out = scratch("stdout"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "--summary", "-p", pid, NULL};
	pid_t z = start_zcl(argv, out, err);
	wait_attached(p, z, err, "zcl: attached to PID");
	close(p.in);
	cr_expect_eq(status_of(z), 3, "%s", contents(err));
	const char *e = contents(err);
	cr_expect(strstr(e, "exited with status 3 (zcl exits 3)"), "%s", e);
	cr_expect(strstr(e, "/proc/PID/io"), "the kernel cross-check is there: %s", e);
	cr_expect(!strstr(e, "detached"), "nothing was detached: %s", e);
	while (waitpid(p.pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static bool stopped(const void *arg)
{
	char state = '?';
	proc_field(*(const pid_t *)arg, "TracerPid", &state);
	return state == 'T';
}

Test(attach, a_stopped_program_stays_stopped_through_attach_and_detach, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_loop(prog(), "2", "0", "0");
	kill(p.pid, SIGSTOP);
	cr_assert(within_5s(stopped, &p.pid), "SIGSTOP did not stop it");
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)p.pid);
	const char *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", pid, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	wait_attached(p, z, err, "zcl: attached to PID");
	kill(z, SIGINT);
	cr_expect_eq(status_of(z), 128 + SIGINT, "%s", contents(err));
	char state = '?';
	cr_expect_eq(proc_field(p.pid, "TracerPid", &state), 0);
	cr_expect_eq(state, 'T', "still stopped after the detach (a group-stop is the program's own)");
	kill(p.pid, SIGCONT);
	assert_runs_on_untraced(p);
	stop_prog(p);
}

Test(attach, two_processes_given_as_a_list_are_both_traced_and_let_go, .fini = drop_test_dir, .timeout = 30)
{
	const char *bin = prog();
	struct prog a = start_loop(bin, "1", "0", "0"), b = start_loop(bin, "1", "0", "0");
	char pids[40], said[96];
	snprintf(pids, sizeof pids, "%d,%d", (int)a.pid, (int)b.pid);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "--json", "-p", pids, "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	snprintf(said, sizeof said, "\"pid\":%d,", (int)b.pid);
	wait_attached(a, z, out, said); /* a call of the second one */
	kill(z, SIGINT);
	cr_expect_eq(status_of(z), 128 + SIGINT, "%s", contents(err));
	const char *e = contents(err), *second = strstr(e, "zcl: attached to PID");
	cr_expect(second && strstr(second + 1, "zcl: attached to PID"), "two attach lines: %s", e);
	cr_expect(strstr(contents(out), "\"detached_tasks\":2"), "%s", contents(out));
	cr_expect(strstr(contents(out), "several processes attached"),
		  "the lab's count of both is not compared with the first one's /proc/PID/io: %s", contents(out));
	assert_runs_on_untraced(a);
	assert_runs_on_untraced(b);
	stop_prog(a);
	stop_prog(b);
}

Test(attach, children_it_starts_are_followed_and_the_shell_runs_on, .fini = drop_test_dir, .timeout = 30)
{
	prog(); /* (the scratch directory) */
	int in[2], out[2];
	cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
	pid_t sh = fork();
	if (sh == 0) { /* a shell that starts a child every 20 ms */
		dup2(out[1], 1);
		execl("/bin/sh", "sh", "-c", "echo ready; while :; do cat /proc/self/stat >/dev/null; sleep 0.02; done",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char line[16];
	cr_assert(read(out[0], line, sizeof line) > 0);
	close(out[0]);
	struct prog p = {sh, in[1]};
	close(in[0]);
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)sh);
	const char *trace = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", pid, "-o", trace, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	wait_attached(p, z, trace, "execve("); /* a child's exec: children are traced */
	kill(z, SIGINT);
	cr_expect_eq(status_of(z), 128 + SIGINT, "%s", contents(err));
	cr_expect(strstr(contents(trace), "/proc/"), "cat's read of /proc/self/stat is seen");
	assert_runs_on_untraced(p); /* (the children it reaps add to its syscw) */
	stop_prog(p);
}

/* ---- refusals: one line, exit 2 ---- */

static void expect_refusal(const char *const argv[], const char *why)
{
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 2, "zcl %s %s %s: exit %d: %s", argv[0], argv[1], argv[2], r.status, r.err);
	cr_expect(strstr(r.err, why), "expected \"%s\", got: %s", why, r.err);
	cr_expect(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "one line: %s", r.err);
}

Test(attach, refusals_are_one_line_and_exit_2)
{
	char max[32] = "4194304", pid[32], parent[32];
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f && fgets(max, sizeof max, f))
		max[strcspn(max, "\n")] = 0;
	if (f)
		fclose(f);
	snprintf(pid, sizeof pid, "%lld", atoll(max) + 1); /* above pid_max: never a process */
	expect_refusal((const char *const[]){"trace", "-p", pid, NULL}, "no such process");
	expect_refusal((const char *const[]){"trace", "-p", "12ab", NULL}, "-p: not a process id: 12ab");
	expect_refusal((const char *const[]){"trace", "-p", "1", "--", "true", NULL}, "either a command or -p");
	expect_refusal((const char *const[]){"trace", "--tui", "-p", "1", NULL}, "--tui does not go with -p");
	snprintf(parent, sizeof parent, "%d", (int)getpid()); /* run_cli's zcl is our child */
	expect_refusal((const char *const[]){"trace", "-p", parent, NULL}, "zcl's own parent");
	expect_refusal((const char *const[]){"check", "-p", "1", "1", NULL}, "does not apply to check");
}

Test(attach, zcl_will_not_attach_to_itself)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "exec \"%s\" trace -p $$ 2>&1", getenv("ZCL_BIN"));
	FILE *p = popen(cmd, "r");
	char line[512] = "";
	cr_assert_not_null(p);
	char *got = fgets(line, sizeof line, p);
	int st = pclose(p);
	cr_expect(got && strstr(line, "that is zcl itself"), "%s", line);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d", st);
}

static bool is_nobody(const void *arg)
{
	return proc_field(*(const pid_t *)arg, "Uid", NULL) == 65534;
}

Test(attach, ptrace_refused_names_ptrace_scope_or_cap_sys_ptrace)
{
	cr_assert_eq(getuid(), 0, "the tests run as root (the sandbox's do too)");
	pid_t other = fork();
	if (other == 0) { /* someone else's process */
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	cr_assert(within_5s(is_nobody, &other), "the other process never became nobody");
	char pid[32], out[] = "/var/tmp/zcl-attach-e-XXXXXX";
	snprintf(pid, sizeof pid, "%d", (int)other);
	int fe = mkstemp(out);
	pid_t z = fork();
	if (z == 0) { /* root without CAP_SYS_PTRACE: may not trace another user's process */
		dup2(fe, 2);
		if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) < 0)
			_exit(99);
		execl(getenv("ZCL_BIN"), "zcl", "trace", "-p", pid, (char *)NULL);
		_exit(127);
	}
	int st = status_of(z);
	const char *e = contents(out);
	unlink(out);
	close(fe);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	cr_expect_eq(st, 2, "%s", e);
	cr_expect(strstr(e, "not permitted (EPERM)") && strstr(e, "CAP_SYS_PTRACE"), "%s", e);
	cr_expect(!strchr(e, '\n') || strchr(e, '\n') == e + strlen(e) - 1, "one line: %s", e);
}

Test(attach, a_zombie_or_a_traced_process_is_refused_with_the_reason)
{
	pid_t z = fork();
	if (z == 0)
		_exit(0);
	char pid[32], tracer[64];
	for (int i = 0; i < 500; i++) { /* until it is a zombie */
		char state = '?';
		proc_field(z, "TracerPid", &state);
		if (state == 'Z')
			break;
		usleep(10000);
	}
	snprintf(pid, sizeof pid, "%d", (int)z);
	expect_refusal((const char *const[]){"trace", "-p", pid, NULL}, "a zombie");
	waitpid(z, NULL, 0);

	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	cr_assert_eq(ptrace(PTRACE_SEIZE, c, 0L, 0L), 0, "the test traces its own child");
	snprintf(pid, sizeof pid, "%d", (int)c);
	snprintf(tracer, sizeof tracer, "already traced by PID %d", (int)getpid());
	expect_refusal((const char *const[]){"trace", "-p", pid, NULL}, tracer);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

/* Threads that come and go faster than they can be stopped: the detach
 * still ends (it used to wait for ever, deaf to signals and --timeout),
 * and the program runs on untraced. */
Test(attach, a_program_making_threads_without_pause_is_still_let_go, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_mode(prog(), "churn", "4", NULL, NULL);
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)p.pid);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", pid, "--summary", "--timeout", "0.5", "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	cr_expect_eq(status_of(z), 124, "--timeout detaches: %s", contents(err));
	cr_expect(strstr(contents(out), "detached after --timeout, still running"), "%s", contents(out));
	char state = '?';
	cr_expect_eq(proc_field(p.pid, "TracerPid", &state), 0, "TracerPid of the detached program");
	cr_expect(state != '?' && !strchr("tZX", state), "the detached program's state is %c", state);
	stop_prog(p);
}

/* The same process given twice (as itself and as one of its threads) is
 * attached once, not refused as "already traced" by this very zcl. */
Test(attach, a_process_given_twice_is_attached_once, .fini = drop_test_dir, .timeout = 30)
{
	struct prog p = start_loop(prog(), "2", "0", "0");
	char list[64], tasks[64];
	snprintf(tasks, sizeof tasks, "/proc/%d/task", (int)p.pid);
	pid_t thread = 0;
	DIR *d = opendir(tasks);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));)
		if (atoi(e->d_name) > 0 && atoi(e->d_name) != p.pid)
			thread = atoi(e->d_name);
	closedir(d);
	cr_assert_gt(thread, 0, "trace_prog loop 2 has a second thread");
	snprintf(list, sizeof list, "%d,%d", (int)thread, (int)p.pid);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", list, "--summary", "--timeout", "0.3", "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	cr_expect_eq(status_of(z), 124, "attached once, detached at --timeout: %s", contents(err));
	cr_expect_null(strstr(contents(err), "already traced"), "%s", contents(err));
	cr_expect_eq(proc_field(p.pid, "TracerPid", NULL), 0);
	stop_prog(p);
}

/* A shell whose children (each `sleep`) come and go: one it had before the
 * attach ends while attached, and the kernel adds all of that child's I/O
 * to the shell's /proc/PID/io; the cross-check says it cannot compare,
 * never a false DISAGREES. */
Test(attach, a_child_from_before_the_attach_ending_is_not_a_disagreement, .fini = drop_test_dir, .timeout = 30)
{
	make_test_dir("attach-kid");
	pid_t sh = fork();
	if (sh == 0) {
		execl("/bin/sh", "sh", "-c", "while :; do sleep 0.05; done", (char *)NULL);
		_exit(127);
	}
	usleep(100000); /* a sleep is running (a child from before the attach) */
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)sh);
	const char *out = scratch("trace"), *err = scratch("err");
	const char *argv[] = {"zcl", "trace", "-p", pid, "--summary", "--timeout", "0.5", "-o", out, NULL};
	pid_t z = start_zcl(argv, scratch("stdout"), err);
	cr_expect_eq(status_of(z), 124, "%s", contents(err));
	const char *t = contents(out);
	cr_expect(strstr(t, "/proc/PID/io not compared:") && strstr(t, "a child it had before the attach ended"),
		  "%s", t);
	cr_expect_null(strstr(t, "DISAGREES"), "%s", t);
	kill(sh, SIGKILL);
	while (waitpid(sh, NULL, 0) < 0 && errno == EINTR)
		;
}
