/*
 * test_verdicts.c - every way a submission can fail gets its own verdict:
 * wrong bytes, broken rules, an error (the failing call named), a wrong
 * return value, crash, timeout, compile error.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <sys/syscall.h>

#include "helpers.h"

struct verdict_case {
	const char *what;
	int stage;
	const char *src;
	enum zcl_verdict want;
	const char *reason_has; /* a phrase the reason or a violation must contain */
};

#define PRELUDE "#define _GNU_SOURCE\n#include <pthread.h>\n#include <sys/wait.h>\n#include <sys/sendfile.h>\n#include <sys/socket.h>\n#include <sys/mman.h>\n" \
		"#include <unistd.h>\n#include <stdlib.h>\n#include \"zcl.h\"\n"

/* A correct read/write loop, reused by cheating stages. */
#define RW_LOOP "char b[4096]; ssize_t n; while ((n = read(f, b, sizeof b)) > 0) " \
		"for (ssize_t o = 0; o < n;) { ssize_t w = write(s, b + o, n - o); if (w < 0) return -1; o += w; }"

/* A correct sendfile loop as a statement on f, s, z. */
#define SF_LOOP "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= (size_t)n; }"

static struct verdict_case cases[] = {
	{"leaving the process group, then sleeping", 1, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; setpgid(0, getpgid(getppid())); "
	 "setsid(); for (;;) pause(); }",
	 ZV_RULE, "denied: setpgid"},
	{"an untraced child (CLONE_UNTRACED) is refused", 3, PRELUDE "#include <sched.h>\n#include <signal.h>\n"
	 "#include <sys/syscall.h>\n"
	 "int send_file(int f, int s, size_t z) { long p = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0); "
	 "if (p < 0) return -1; if (p == 0) { " SF_LOOP " _exit(0); } int st; waitpid((pid_t)p, &st, 0); return 0; }",
	 ZV_RULE, "denied: clone"},
	{"a seccomp filter of its own is refused", 3, PRELUDE "#include <sys/prctl.h>\n#include <linux/seccomp.h>\n"
	 "int send_file(int f, int s, size_t z) { if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) == 0) return 0; "
	 SF_LOOP " return 0; }",
	 ZV_RULE, "denied: prctl"},
	{"mmap stage unmapping window by window", 2, PRELUDE
	 "int send_file(int f, int s, size_t z) { if (!z) return 0; char *m = mmap(0, z, PROT_READ, MAP_SHARED, f, 0); "
	 "if (m == MAP_FAILED) return -1; size_t o = 0; while (o < z) { size_t w = z - o < 4096 ? z - o : 4096; "
	 "ssize_t n = write(s, m + o, w); if (n <= 0) return -1; if (n == 4096) munmap(m + o, 4096); o += (size_t)n; } "
	 "return 0; }",
	 ZV_PASS, "intact"},
	{"mmap stage writing from a thread started before the mapping", 2, PRELUDE
	 "static char *M; static size_t Z; static int S; static volatile int go; static int r;\n"
	 "static void *th(void *a) { (void)a; while (!go) ; size_t o = 0; while (o < Z) { ssize_t n = write(S, M + o, Z - o); "
	 "if (n <= 0) { r = -1; break; } o += (size_t)n; } return NULL; }\n"
	 "int send_file(int f, int s, size_t z) { pthread_t t; S = s; Z = z; if (pthread_create(&t, 0, th, 0)) return -1; "
	 "M = z ? mmap(0, z, PROT_READ, MAP_SHARED, f, 0) : 0; go = 1; pthread_join(t, 0); return r; }",
	 ZV_PASS, "intact"},
	{"bytes sent by a syscall the model does not know (sendmmsg)", 2, PRELUDE
	 "int send_file(int f, int s, size_t z) { char *m = mmap(0, z, PROT_READ, MAP_SHARED, f, 0); size_t o = 0; "
	 "while (o < z) { struct iovec v = {m + o, z - o}; struct mmsghdr h = {.msg_hdr = {.msg_iov = &v, .msg_iovlen = 1}}; "
	 "if (sendmmsg(s, &h, 1, 0) != 1) return -1; o += h.msg_len; } return 0; }",
	 ZV_RULE, "does not know"},
	{"the sendfile stage copying through a pipe", 3, PRELUDE "#include <fcntl.h>\n"
	 "int send_file(int f, int s, size_t z) { char *m = mmap(0, z, PROT_READ, MAP_SHARED, f, 0); int p[2]; "
	 "if (pipe(p)) return -1; size_t o = 0; while (o < z) { ssize_t n = write(p[1], m + o, z - o < 4096 ? z - o : 4096); "
	 "if (n <= 0) return -1; while (n > 0) { ssize_t k = splice(p[0], 0, s, 0, (size_t)n, 0); if (k <= 0) return -1; "
	 "n -= k; o += (size_t)k; } } return 0; }",
	 ZV_RULE, "copied by the CPU"},
	{"a thread moves the data (followed, counted)", 3, PRELUDE
	 "static int F, S; static size_t Z; static int r;\n"
	 "static int loop(int f, int s, size_t z) { " SF_LOOP " return 0; }\n"
	 "static void *th(void *a) { (void)a; r = loop(F, S, Z); return NULL; }\n"
	 "int send_file(int f, int s, size_t z) { pthread_t t; F = f; S = s; Z = z; "
	 "if (pthread_create(&t, NULL, th, NULL)) return -1; pthread_join(t, NULL); return r; }",
	 ZV_PASS, "intact"},
	{"a forked child moves the data (followed, counted)", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { pid_t p = fork(); if (p < 0) return -1; "
	 "if (p == 0) { " SF_LOOP " _exit(0); } int st; waitpid(p, &st, 0); return st == 0 ? 0 : -1; }",
	 ZV_PASS, "intact"},
	{"vfork + exec of cat in the sendfile stage", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)z; pid_t p = vfork(); if (p == 0) { dup2(f, 0); dup2(s, 1); "
	 "execl(\"/bin/cat\", \"cat\", (char *)0); _exit(127); } int st; waitpid(p, &st, 0); return 0; }",
	 ZV_RULE, "denied: execve"},
	{"bytes sent before the function was called", 1, PRELUDE
	 "__attribute__((constructor)) static void early(void) { if (write(4, \"x\", 1)) {} }\n"
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; return 0; }",
	 ZV_WRONG_BYTES, "differs"},
	{"the file read before the function was called", 3, PRELUDE
	 "__attribute__((constructor)) static void early(void) { char b[16]; if (pread(3, b, 16, 0)) {} }\n"
	 "int send_file(int f, int s, size_t z) { " SF_LOOP " return 0; }",
	 ZV_RULE, "outside your function"},
	{"one byte short", 1, PRELUDE "int send_file(int f, int s, size_t z) { static char b[1 << 20]; "
	 "ssize_t n = read(f, b, z - 1); if (n < 0 || write(s, b, (size_t)n) != n) return -1; return 0; }",
	 ZV_WRONG_BYTES, "missing"},
	{"wrong content", 1, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; char b[1] = {0}; "
	 "for (size_t i = 0; i < z; i++) if (write(s, b, 1) != 1) return -1; return 0; }",
	 ZV_WRONG_BYTES, "differs"},
	{"read+write in the sendfile stage", 3, PRELUDE "int send_file(int f, int s, size_t z) { (void)z; " RW_LOOP " return 0; }",
	 ZV_RULE, "read() copied"},
	{"read+write in the mmap stage", 2, PRELUDE "int send_file(int f, int s, size_t z) { (void)z; " RW_LOOP " return 0; }",
	 ZV_RULE, "never mmap"},
	{"sendfile in the read/write stage", 1, PRELUDE "int send_file(int f, int s, size_t z) { "
	 "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= n; } return 0; }",
	 ZV_RULE, "without passing through your buffer"},
	{"header without MSG_MORE", 4, PRELUDE "int send_response(int s, const char *h, size_t hl, int f, size_t z) { "
	 "if (write(s, h, hl) != (ssize_t)hl) return -1; "
	 "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= n; } return 0; }",
	 ZV_RULE, "MSG_MORE"},
	{"a crash", 1, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; "
	 "volatile int *p = 0; return *p; }",
	 ZV_CRASH, "signal 11"},
	{"exit() inside the function", 3, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; exit(3); }",
	 ZV_CRASH, "status 3"},
	{"an endless loop", 1, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; for (;;) ; }",
	 ZV_TIMEOUT, "killed"},
	{"sleeping forever", 1, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; for (;;) pause(); }",
	 ZV_TIMEOUT, "killed"},
	{"limiting the lab's own process (prlimit on the parent)", 3, PRELUDE "#include <sys/resource.h>\n"
	 "int send_file(int f, int s, size_t z) { struct rlimit l = {0, 0}; prlimit(getppid(), RLIMIT_FSIZE, &l, 0); "
	 SF_LOOP " return 0; }",
	 ZV_RULE, "denied: prlimit64"},
	{"changing the mode of a lab file", 3, PRELUDE "#include <sys/stat.h>\n"
	 "int send_file(int f, int s, size_t z) { fchmod(f, 0666); " SF_LOOP " return 0; }",
	 ZV_RULE, "denied: fchmod"},
	{"including a file that is not a system header", 3, PRELUDE "#include \"/etc/hostname\"\n",
	 ZV_COMPILE_ERROR, "compiler"},
	{"a syntax error", 1, PRELUDE "int send_file(int f, int s, size_t z) { return 0 }", ZV_COMPILE_ERROR, "compiler"},
	{"returns -1 with nothing failing", 3, PRELUDE "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; return -1; }",
	 ZV_ERROR, "no system call failed"},
	{"returns -1 after a failing call: the call and its errno are named", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)z; if (sendfile(s, 99, NULL, 10) < 0) return -1; return 0; }",
	 ZV_ERROR, "sendfile() failed with EBADF"},
	{"the bytes right, the byte count returned", 1, PRELUDE "int send_file(int f, int s, size_t z) { " RW_LOOP
	 " return (int)z; }",
	 ZV_WRONG_RETURN, "the byte count"},
	{"a stderr message in the sendfile stage is not a CPU copy of the data", 3, PRELUDE "#include <stdio.h>\n"
	 "int send_file(int f, int s, size_t z) { fprintf(stderr, \"sending %zu bytes\\n\", z); " SF_LOOP " return 0; }",
	 ZV_PASS, "intact"},
};

ParameterizedTestParameters(verdicts, each_failure_has_its_verdict)
{
	INDEX_PARAMS(cases);
}

static bool mentions(const struct zcl_run *r, const char *phrase)
{
	if (strstr(r->reason, phrase))
		return true;
	for (int i = 0; i < r->nviolations; i++)
		if (strstr(r->violations[i], phrase))
			return true;
	return false;
}

ParameterizedTest(int *i, verdicts, each_failure_has_its_verdict, .timeout = 30, .fini = drop_fake_root)
{
	const struct verdict_case *c = &cases[*i];
	fake_root(c->stage, c->src);
	/* Only the hanging cases should meet the deadline: keep it short for them. */
	double limit = c->want == ZV_TIMEOUT ? 1.0 : 10.0;
	struct zcl_run r = run_stage(c->stage, false, 10000, false, true, ZI_NONE, limit);
	if (c->want == ZV_PASS && c->stage == 3)
		cr_expect_gt(r.totals.by_nr[SYS_sendfile], 0, "%s: the sendfile calls were seen", c->what);
	if (c->want == ZV_PASS && c->stage == 2)
		cr_expect_eq(r.totals.sock_map_bytes, 10000, "%s: every byte was written from the mapping", c->what);
	cr_expect_eq(r.verdict, c->want, "%s: got %s - %s", c->what, zcl_verdict_name(r.verdict), r.reason);
	cr_expect(mentions(&r, c->reason_has), "%s: reason \"%s\" should mention \"%s\"", c->what, r.reason, c->reason_has);
	if (c->want == ZV_COMPILE_ERROR && strstr(c->src, "/etc/hostname"))
		cr_expect(r.diag && strstr(r.diag, "may include only system headers and zcl.h"), "%s", r.diag);
	else if (c->want == ZV_COMPILE_ERROR)
		cr_expect(r.diag && strstr(r.diag, "error"), "the compiler's diagnostics are kept");
	zcl_run_free(&r);
}

/* A run the time limit ended is judged on what was traced, as if the input
 * were the bytes that arrived: a correct loop that is only slow keeps the
 * rules (the grader then checks its bytes untraced, one efficiency point
 * off); a read() in the sendfile stage is a broken rule however slow. */
static struct zcl_run timed_out_after(int stage, uint64_t arrived, uint64_t read_bytes, uint64_t cpu)
{
	struct zcl_run r = {.stage = zcl_stage_find(stage == 1 ? "readwrite" : "sendfile"), .size = 1u << 20,
			    .sg = true, .first_mismatch = -1, .received_bytes = arrived, .expected_bytes = 1u << 20};
	r.tr.timed_out = true;
	zcl_account_init(&r.totals);
	r.totals.syscalls = 2 * arrived;
	r.totals.file_read_bytes = read_bytes;
	r.totals.data_cpu_bytes = cpu;
	r.totals.delivered_bytes = arrived;
	return r;
}

Test(verdicts, a_timed_out_run_is_judged_on_the_prefix_that_arrived)
{
	/* stage 1, a 1-byte loop: 182200 bytes arrived, one more read */
	struct zcl_run slow = timed_out_after(1, 182200, 182201, 2 * 182200 + 1);
	zcl_check_run(&slow);
	cr_expect_eq(slow.verdict, ZV_TIMEOUT);
	cr_expect_eq(slow.prefix_violations, 0, "a slow but correct loop keeps the rules: %s",
		     slow.nviolations ? slow.violations[0] : "");
	/* stage 3 with read(): broken however far it got */
	struct zcl_run cheat = timed_out_after(3, 4096, 4096, 8192);
	zcl_check_run(&cheat);
	cr_expect_eq(cheat.verdict, ZV_TIMEOUT);
	cr_expect_gt(cheat.prefix_violations, 0, "read() in the sendfile stage is named");
	/* nothing right arrived: not judged */
	struct zcl_run none = timed_out_after(1, 0, 0, 0);
	zcl_check_run(&none);
	cr_expect_eq(none.prefix_violations, -1);
}
