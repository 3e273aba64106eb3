/*
 * test_hostile2.c - the sandbox's walls (issue 8): each kind of attack on
 * the compiler, the program's view, its output, what outlives the run, the
 * terminal, signals and leases, asynchronous I/O and the result files, with
 * the safe outcome, with namespaces and in the fallback without them, as
 * root and as a normal user where it matters.
 *
 * Each case builds a lab tree whose path has a space, '#' and '$' (the
 * old include check broke on those), with the real reference solution in
 * solutions/ and canary files no report may quote: a root-only one and
 * another student's upload (mode 0600). It runs through hostile_run.c (a
 * lab process of its own, a scratch base of its own) and then checks: the
 * verdict, the time, no survivor, no scratch left, no SysV object of the
 * run left, and no byte of a canary in the reason, violations, compiler
 * and program output or the text report.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "params.h"
#include "hostile_run.h"
#include "report.h"
#include "stages.h"

#define SLACK_S 8.0
#define CANARY_DIR "/tmp/hostile-canary"
#define ROOT_SECRET "ROOT-ONLY-CANARY-7f3a"
#define PEER_SECRET "STUDENT-B-CANARY-c41e"
#define USER_SECRET "NOBODY-PRIVATE-CANARY-99d0"
#define SOLUTION_SECRET "SOLUTION_CANARY_5b2e" /* first line, C that the assembler quotes whole */

#define P "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <stdlib.h>\n" \
	"#include <string.h>\n#include <sys/ioctl.h>\n#include <linux/sockios.h>\n#include <sys/sendfile.h>\n#include <sys/stat.h>\n" \
	"#include <sys/syscall.h>\n#include <unistd.h>\n#include \"zcl.h\"\n"
#define SF "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= (size_t)n; } return 0;"

/* Print every file named in the list to stderr (what a report would show). */
#define LEAK "static void leak(const char *p) { char b[256]; int d = open(p, O_RDONLY); if (d < 0) return; " \
	"ssize_t n = read(d, b, sizeof b - 1); if (n > 0) { b[n] = 0; dprintf(2, \"%s\\n\", b); } close(d); }\n"

struct case2 {
	struct hostile_case c; /* what, stage, src (NULL: from file), timeout, flags, outcomes */
	const char *file;      /* tests/cases/NAME, or NULL */
	bool shm_free;         /* no SysV segment of the run may remain */
	const char *diag_has;  /* the compiler's output must say this (a limit by name) */
};

#define W(verdict, phrase) {.v = (verdict), .has = (phrase)}
#define W2(verdict, phrase, also) {.v = (verdict), .has = (phrase), .and_has = (also)}
#define ANY {{.has = NULL}}

static const struct case2 cases[] = {
	/* 1: the compiler */
	{.c = {"assembler .include of root-only files", 1, NULL, 5, H_ANY_VERDICT, ANY}, .file = "1-asm-include-root-file.c"},
	{.c = {"assembler .include, fallback", 1, NULL, 5, H_ANY_VERDICT | H_BASIC, ANY}, .file = "1-asm-include-root-file.c"},
	{.c = {"assembler .include of solutions/, fallback", 1,
	  "#include \"zcl.h\"\n__asm__(\".include \\\"\" ZCL_LAB_ROOT \"/solutions/03-sendfile.c\\\"\");\n"
	  "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; return ZCL_TODO; }",
	  5, H_ANY_VERDICT | H_BASIC, ANY}},
	{.c = {"a 1 GiB initialised array: the binary would be 1 GiB", 1,
	  P "static char big[1u << 30] = {1};\nint send_file(int f, int s, size_t z) { (void)big[z]; " SF " }",
	  5, 0, {W(ZV_COMPILE_ERROR, "rejected")}}, .diag_has = "file-size limit"},
	{.c = {"#include \"/dev/zero\": an endless source", 2, "#include \"zcl.h\"\n#include \"/dev/zero\"\n",
	       5, 0, {W(ZV_COMPILE_ERROR, "rejected")}}, .diag_has = "memory limit"},
	/* 2: the include check is not the wall */
	{.c = {"#include of the reference under #ifdef __OPTIMIZE__", 3, NULL, 5, 0,
	  {W(ZV_COMPILE_ERROR, "rejected"), W(ZV_NOT_IMPLEMENTED, "ZCL_TODO")}}, .file = "3-include-solution-optimize.c"},
	{.c = {"#include of the reference, fallback", 3, NULL, 5, H_BASIC,
	  {W(ZV_COMPILE_ERROR, "rejected"), W(ZV_NOT_IMPLEMENTED, "ZCL_TODO")}}, .file = "3-include-solution-optimize.c"},
	{.c = {"#include of another student's 0600 upload by absolute path", 3,
	  "#include \"" CANARY_DIR "/submissions/student-b/03-sendfile.c\"\n" P
	  "int send_file(int f, int s, size_t z) { " SF " }", 5, 0, {W(ZV_COMPILE_ERROR, "rejected")}}},
	/* 3: reads at run time */
	{.c = {"reading solutions/ and other uploads at run time", 3,
	  P LEAK "int send_file(int f, int s, size_t z) { leak(ZCL_LAB_ROOT \"/solutions/03-sendfile.c\"); "
	  "leak(\"" CANARY_DIR "/root-only-secret.txt\"); leak(\"" CANARY_DIR "/submissions/student-b/03-sendfile.c\"); "
	  "leak(\"" CANARY_DIR "/nobody-secret.txt\"); " SF " }", 5, 0, {W(ZV_PASS, "intact")}}},
	{.c = {"reading solutions/ at run time, fallback", 3,
	  P LEAK "int send_file(int f, int s, size_t z) { leak(ZCL_LAB_ROOT \"/solutions/03-sendfile.c\"); "
	  "leak(\"" CANARY_DIR "/root-only-secret.txt\"); " SF " }", 5, H_BASIC, {W(ZV_PASS, "intact")}}},
	{.c = {"reading the grading user's own private file, as a normal user", 3,
	  P LEAK "int send_file(int f, int s, size_t z) { leak(\"" CANARY_DIR "/nobody-secret.txt\"); "
	  "leak(ZCL_LAB_ROOT \"/solutions/03-sendfile.c\"); " SF " }", 5, H_NOBODY, {W(ZV_PASS, "intact")}}},
	{.c = {"reading the grading user's own private file, as a normal user, fallback", 3,
	  P LEAK "int send_file(int f, int s, size_t z) { leak(\"" CANARY_DIR "/nobody-secret.txt\"); "
	  "leak(ZCL_LAB_ROOT \"/solutions/03-sendfile.c\"); " SF " }", 5, H_NOBODY | H_BASIC, {W(ZV_PASS, "intact")}}},
	/* 4: the lab never reopens what the program controls */
	{.c = {"output replaced by a FIFO", 1, NULL, 5, H_ANY_VERDICT, ANY}, .file = "1-output-fifo-hang.c"},
	{.c = {"output replaced by a symlink to a secret", 1,
	  P "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; unlink(\"output.txt\"); "
	  "symlink(\"" CANARY_DIR "/root-only-secret.txt\", \"output.txt\"); return -1; }",
	  5, H_ANY_VERDICT, ANY}},
	/* 5: nothing outlives the run */
	{.c = {"SysV shared memory", 3, NULL, 10, 0, {W(ZV_PASS, "intact")}}, .file = "3-sysv-shm-outlives-run.c", .shm_free = true},
	{.c = {"SysV shared memory, fallback", 3, NULL, 10, H_BASIC, {W(ZV_PASS, "intact")}}, .file = "3-sysv-shm-outlives-run.c", .shm_free = true},
	{.c = {"a directory tree deeper than PATH_MAX", 3,
	  P "int send_file(int f, int s, size_t z) { char n[201]; memset(n, 'd', 200); n[200] = 0; "
	  "for (int i = 0; i < 40; i++) { if (mkdir(n, 0700) < 0 || chdir(n) < 0) break; "
	  "int d = open(\"x\", O_CREAT | O_WRONLY, 0600); close(d); } " SF " }",
	  5, 0, {W(ZV_PASS, "intact")}}},
	{.c = {"a directory tree deeper than PATH_MAX, fallback", 3,
	  P "int send_file(int f, int s, size_t z) { char n[201]; memset(n, 'd', 200); n[200] = 0; "
	  "for (int i = 0; i < 40; i++) { if (mkdir(n, 0700) < 0 || chdir(n) < 0) break; "
	  "int d = open(\"x\", O_CREAT | O_WRONLY, 0600); close(d); } " SF " }",
	  5, H_BASIC, {W(ZV_PASS, "intact")}}},
	{.c = {"memfds holding far more than the memory limit", 1,
	  "#include <sys/mman.h>\n" P "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; "
	  "static char b[1 << 20]; memset(b, 1, sizeof b); for (int k = 0; k < 50; k++) { "
	  "int m = memfd_create(\"hog\", 0); if (m < 0) return -1; "
	  "for (int i = 0; i < 48; i++) if (write(m, b, sizeof b) < 0) return -1; } return -1; }",
	  10, 0, {W(ZV_CRASH, "memory limit")}}},
	/* 6: no terminal, escaped output */
	{.c = {"TIOCSTI into the grader's terminal", 3, NULL, 5, H_TTY, {W(ZV_PASS, "intact"), W2(ZV_RULE, "denied", "ioctl")}}, .file = "3-tiocsti-grader-terminal.c"},
	{.c = {"TIOCSTI into the grader's terminal, fallback", 3, NULL, 5, H_TTY | H_BASIC,
	  {W(ZV_PASS, "intact"), W2(ZV_RULE, "denied", "ioctl")}}, .file = "3-tiocsti-grader-terminal.c"},
	{.c = {"TIOCSTI into the grader's terminal, as a normal user", 3, NULL, 5, H_TTY | H_NOBODY,
	       {W(ZV_PASS, "intact"), W2(ZV_RULE, "denied", "ioctl")}}, .file = "3-tiocsti-grader-terminal.c"},
	{.c = {"SysV shared memory, as a normal user, fallback", 3, NULL, 10, H_NOBODY | H_BASIC, {W(ZV_PASS, "intact")}},
	 .file = "3-sysv-shm-outlives-run.c", .shm_free = true},
	/* 7: signals and leases */
	{.c = {"FIOSETOWN aiming SIGIO at the grader", 3,
	  P "int send_file(int f, int s, size_t z) { int pp = getppid(); ioctl(s, FIOSETOWN, &pp); " SF " }",
	  5, 0, {W2(ZV_RULE, "denied", "ioctl")}}},
	{.c = {"SIOCSPGRP aiming SIGIO at the grader's group", 3,
	  P "int send_file(int f, int s, size_t z) { int pg = -getpgid(getppid()); ioctl(s, SIOCSPGRP, &pg); " SF " }",
	  5, 0, {W2(ZV_RULE, "denied", "ioctl")}}},
	{.c = {"a read lease on the input", 3,
	  P "int send_file(int f, int s, size_t z) { fcntl(f, F_SETLEASE, F_RDLCK); " SF " }",
	  5, 0, {W2(ZV_RULE, "denied", "fcntl")}}},
	/* 8: asynchronous I/O */
	{.c = {"Linux AIO reading the file", 3,
	  "#include <linux/aio_abi.h>\n" P "int send_file(int f, int s, size_t z) { aio_context_t ctx = 0; "
	  "if (syscall(SYS_io_setup, 8, &ctx) == 0) dprintf(2, \"aio: set up\\n\"); " SF " }",
	  5, 0, {W2(ZV_RULE, "denied", "io_setup")}}},
	/* issue 7: limits set by the lab, a start failure is a verdict */
	{.c = {"a 1 GiB static buffer", 1, NULL, 5, 0, {W2(ZV_CRASH, "cannot start", "address-space limit")}}, .file = "s1-static-1gib.c"},
	{.c = {"an 8 MiB stack array", 1, NULL, 5, 0, {W(ZV_CRASH, "stack overflow")}}, .file = "s1-stack-8mib.c"},
	{.c = {"an 8 MiB stack array, grader shell with ulimit -s unlimited", 1, NULL, 5, H_STACK_UNLIMITED,
	  {W(ZV_CRASH, "stack overflow")}}, .file = "s1-stack-8mib.c"},
	{.c = {"a sendfile loop that spins on 0 at the wrong offset", 3,
	  P "int send_file(int f, int s, size_t z) { off_t o = 1; for (;;) { ssize_t n = sendfile(s, f, &o, z); "
	  "if (n < 0) return -1; } }", 1, 0, {W2(ZV_TIMEOUT, "", "sendfile() = 0")}}},
	{.c = {"sleeping forever: the timeout says where", 3,
	  P "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; for (;;) sleep(1000); }",
	  1, 0, {W2(ZV_TIMEOUT, "", "inside clock_nanosleep()")}}},
};

static void put(const char *path, const char *text, mode_t mode, uid_t owner)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	cr_assert_eq(fchown(fd, owner, owner), 0);
	close(fd);
}

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void copy(const char *from, const char *to)
{
	put(to, slurp_file(from), 0644, 0);
}

/* The canaries, and a lab tree at a path with a space, '#' and '$'. */
static char root[PATH_MAX];

static const char *set_up(const struct case2 *k)
{
	mkdir(CANARY_DIR, 0755);
	mkdir(CANARY_DIR "/submissions", 0755);
	mkdir(CANARY_DIR "/submissions/student-b", 0755);
	put(CANARY_DIR "/root-only-secret.txt", ROOT_SECRET ": if you can read this, so can a student\n", 0600, 0);
	put(CANARY_DIR "/submissions/student-b/03-sendfile.c", "int " PEER_SECRET ";\n", 0600, 0);
	put(CANARY_DIR "/nobody-secret.txt", USER_SECRET "\n", 0600, 65534);
	const char *real = getenv("ZCL_ROOT");
	cr_assert_not_null(real, "ZCL_ROOT is set by make test");
	char from[PATH_MAX], to[PATH_MAX + 64], src[1 << 16];
	snprintf(root, sizeof root, "/var/tmp/zcl lab #$x-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	chmod(root, 0755);
	static const char *const dirs[] = {"lab", "exercises", "solutions"};
	for (int i = 0; i < 3; i++) {
		snprintf(to, sizeof to, "%s/%s", root, dirs[i]);
		mkdir(to, 0755);
	}
	snprintf(from, sizeof from, "%s/lab/harness.c", real);
	snprintf(to, sizeof to, "%s/lab/harness.c", root);
	copy(from, to);
	snprintf(from, sizeof from, "%s/exercises/zcl.h", real);
	snprintf(to, sizeof to, "%s/exercises/zcl.h", root);
	copy(from, to);
	snprintf(from, sizeof from, "%s/solutions/03-sendfile.c", real);
	snprintf(to, sizeof to, "%s/solutions/03-sendfile.c", root);
	snprintf(src, sizeof src, "typedef int " SOLUTION_SECRET ";\n%s", slurp_file(from));
	put(to, src, 0644, 0);
	const char *body = k->c.src;
	if (k->file) {
		snprintf(from, sizeof from, "%s/tests/cases/%s", real, k->file);
		body = slurp_file(from);
	}
	char name[8];
	snprintf(name, sizeof name, "%d", k->c.stage);
	const struct zcl_stage *s = zcl_stage_find(name);
	snprintf(src, sizeof src, "#define ZCL_LAB_ROOT \"%s\"\n%s", root, body);
	snprintf(to, sizeof to, "%s/exercises/%02d-%s.c", root, s->num, s->slug);
	put(to, src, 0644, 0);
	setenv("ZCL_ROOT", root, 1);
	return root;
}

static void tear_down(void)
{
	if (root[0])
		zcl_rm_rf(root);
	root[0] = 0;
	drop_own_scratch();
}

/* SysV segments in our IPC namespace made by process pid. */
static int segments_of(pid_t pid)
{
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		long v[10];
		if (sscanf(line, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7], &v[8], &v[9]) == 10 && v[4] == (long)pid)
			n++;
	}
	if (f)
		fclose(f);
	return n;
}

static bool fits(const struct zcl_run *r, const struct outcome *o)
{
	if (r->verdict != o->v)
		return false;
	const char *lines[ZCL_MAX_VIOLATIONS + 1] = {r->reason};
	for (int i = 0; i < r->nviolations; i++)
		lines[i + 1] = r->violations[i];
	for (int i = 0; i <= r->nviolations; i++)
		if ((!o->has || strstr(lines[i], o->has)) && (!o->and_has || strstr(lines[i], o->and_has)))
			return true;
	return false;
}

/* No canary in anything a report shows. */
static void expect_no_leak(const struct case2 *k, const struct contained *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	struct zcl_run r = o->w.r;
	r.diag = (char *)o->w.diag;
	zcl_print_run_text(m, &r);
	zcl_print_run_json(m, &r);
	fclose(m);
	static const char *const secrets[] = {ROOT_SECRET, PEER_SECRET, USER_SECRET, SOLUTION_SECRET};
	const char *where[] = {o->w.diag, r.output, r.reason, text};
	for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++)
		for (size_t w = 0; w < sizeof where / sizeof where[0]; w++)
			cr_expect(!strstr(where[w], secrets[s]), "%s: a report quotes a file outside the view (%s):\n%.600s",
				  k->c.what, secrets[s], where[w]);
	for (size_t i = 0; i < len; i++)
		cr_expect(text[i] != 0x1b, "%s: a raw escape character reached the text report", k->c.what);
	free(text);
}

ParameterizedTestParameters(hostile2, each_wall_holds_with_the_safe_outcome)
{
	INDEX_PARAMS(cases);
}

ParameterizedTest(int *i, hostile2, each_wall_holds_with_the_safe_outcome, .timeout = 60, .fini = tear_down)
{
	const struct case2 *k = &cases[*i];
	use_own_scratch();
	set_up(k);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int master = -1;
	if (k->c.flags & H_TTY) {
		master = posix_openpt(O_RDWR | O_NOCTTY);
		cr_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
		hostile_tty_slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK);
		cr_assert_geq(hostile_tty_slave, 0);
	}
	static struct contained o;
	pid_t ns_pid;
	int hold;
	cr_assert(contained_run(&k->c, &o, &ns_pid, &hold), "%s: %s", k->c.what, strerror(errno));
	const struct zcl_run *r = &o.w.r;
	cr_log_info("%s: %s - %s (%.1f s)", k->c.what, o.have ? zcl_verdict_name(r->verdict) : "no verdict",
		    o.have ? r->reason : "", o.elapsed);
	cr_assert(!o.hung && o.have, "%s: no result (hung %d, status %d)", k->c.what, o.hung, o.status);
	cr_assert_eq(o.w.rc, 0, "%s: the run could not happen: %s", k->c.what, o.w.err);
	bool ok = k->c.flags & H_ANY_VERDICT;
	for (const struct outcome *oc = k->c.ok; !ok && oc < k->c.ok + 4 && oc->has; oc++)
		ok = fits(r, oc);
	cr_expect(ok, "%s: got %s - %s (%s)\n    output: %s\n    compiler: %.400s", k->c.what, zcl_verdict_name(r->verdict),
		  r->reason, r->nviolations ? r->violations[r->nviolations - 1] : "", r->output, o.w.diag);
	cr_expect_leq(o.elapsed, k->c.timeout_s * ZCL_WALL_FACTOR + SLACK_S, "%s: took %.1f s", k->c.what, o.elapsed);
	if (k->diag_has)
		cr_expect(strstr(o.w.diag, k->diag_has), "%s: the compiler's output does not say \"%s\":\n%.600s",
			  k->c.what, k->diag_has, o.w.diag);
	expect_no_leak(k, &o);
	if (r->sandbox[0]) { /* the program ran: the result says which layers held */
		bool view = strstr(r->sandbox, "own filesystem view");
		cr_expect(k->c.flags & H_BASIC ? !view : view, "%s: layers said: %s", k->c.what, r->sandbox);
		cr_expect(strstr(r->sandbox, "stack 8 MiB"), "%s: the limits are said: %s", k->c.what, r->sandbox);
	}
	if (k->shm_free)
		cr_expect_eq(segments_of(r->tr.pid), 0, "%s: SysV segments outlived the run", k->c.what);
	if (master >= 0) {
		char typed[256];
		ssize_t n = read(hostile_tty_slave, typed, sizeof typed);
		cr_expect_leq(n, 0, "%s: %zd bytes were typed into the grader's terminal", k->c.what, n);
		close(hostile_tty_slave);
		close(master);
	}
	struct survivors sv;
	find_survivors(root, r->tr.pid, NULL, 0, &sv);
	for (int t = 0; sv.alive && t < 40; t++) {
		usleep(50 * 1000);
		find_survivors(root, r->tr.pid, NULL, 0, &sv);
	}
	cr_expect_eq(sv.alive, 0, "%s: %d process(es) survived: %s", k->c.what, sv.alive, sv.what);
	char left[1024];
	cr_expect_eq(leftover_scratch(root, left, sizeof left), 0, "%s: scratch left behind: %s", k->c.what, left);
}
