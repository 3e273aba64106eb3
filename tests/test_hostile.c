/*
 * test_hostile.c - hostile submissions: each one gets the right verdict in
 * time, and the grader neither hangs nor dies, no process survives it, and
 * nothing outside its scratch directory changes.
 *
 * Each case runs in a "lab process" forked from the test (hostile_run.c):
 * it builds and runs the stage through zcl_run_stage and hands the result
 * back through a pipe. The submission can only reach that process (its
 * parent, the tracer), so a kill of the parent shows up as a dead lab, not
 * a dead test; kill(-1) with a real signal runs inside a PID namespace of
 * its own, where it can reach nothing but the lab. The test waits with a
 * deadline, then checks: verdict and phrase, wall time, survivors in /proc,
 * the fake root's exercises/, solutions/ and lab/ (byte for byte), and
 * leftover scratch directories (every submission prints its cwd and its
 * lab root at start). This file holds the case table, the verdict matching
 * and the test.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "hostile_run.h"
#include "stages.h"

#define SLACK_S 8.0       /* build, receiver drain and cleanup on top of the run's own limit */
#define SURVIVOR_WAIT_S 2.0 /* how long a SIGKILLed process may take to vanish */

#define PRELUDE "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <signal.h>\n" \
	"#include <stddef.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n" \
	"#include <sys/mman.h>\n#include <sys/prctl.h>\n#include <sys/ptrace.h>\n#include <sys/sendfile.h>\n" \
	"#include <sys/socket.h>\n#include <sys/syscall.h>\n#include <sys/wait.h>\n#include <unistd.h>\n" \
	"#include <linux/filter.h>\n#include <linux/io_uring.h>\n#include <linux/seccomp.h>\n#include \"zcl.h\"\n" \
	"__attribute__((constructor)) static void where_(void) { char d[512]; " \
	"if (getcwd(d, sizeof d)) dprintf(2, \"zcl-scratch: %s for \" ZCL_LAB_ROOT \"\\n\", d); }\n"

/* A correct sendfile loop as a statement on f, s, z. */
#define SF_LOOP "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= (size_t)n; }"

/* A read/write loop on f and s. */
#define RW_LOOP "char b[4096]; ssize_t n; while ((n = read(f, b, sizeof b)) > 0) " \
		"for (ssize_t o = 0; o < n;) { ssize_t w = write(s, b + o, n - o); if (w < 0) return -1; o += w; }"

/* Write n bytes of b to s, or return -1. */
#define SEND_BUF "for (long w = 0; w < (long)n;) { ssize_t k = write(s, b + w, (size_t)((long)n - w)); " \
		 "if (k <= 0) return -1; w += k; }"

/* A filter handing sysinfo() to a user-space supervisor: a syscall the
 * tracer would never see. */
#define NOTIF_FILTER "static struct sock_filter code[] = { " \
	"BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)), " \
	"BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sysinfo, 0, 1), " \
	"BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };\n" \
	"static struct sock_fprog prog = {4, code};\n"

/* io_uring by hand (no liburing): one ring, one IORING_OP_READ at a time. */
#define URING "static int R = -1; static char *SQ, *CQ; static struct io_uring_sqe *SQE; static struct io_uring_params P;\n" \
	"static int ring(void) { R = (int)syscall(SYS_io_uring_setup, 4, &P); if (R < 0) return -1;\n" \
	" SQ = mmap(0, P.sq_off.array + P.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R, IORING_OFF_SQ_RING);\n" \
	" CQ = mmap(0, P.cq_off.cqes + P.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R, IORING_OFF_CQ_RING);\n" \
	" SQE = mmap(0, P.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R, IORING_OFF_SQES);\n" \
	" return SQ == MAP_FAILED || CQ == MAP_FAILED || SQE == MAP_FAILED ? -1 : 0; }\n" \
	"static int uread(int fd, char *b, unsigned n, unsigned long long off) {\n" \
	" unsigned *tail = (unsigned *)(SQ + P.sq_off.tail), m = *(unsigned *)(SQ + P.sq_off.ring_mask), t = *tail, i = t & m;\n" \
	" memset(&SQE[i], 0, sizeof SQE[i]); SQE[i].opcode = IORING_OP_READ; SQE[i].fd = fd; SQE[i].addr = (unsigned long)b;\n" \
	" SQE[i].len = n; SQE[i].off = off; ((unsigned *)(SQ + P.sq_off.array))[i] = i; __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);\n" \
	" if (syscall(SYS_io_uring_enter, R, 1, 1, IORING_ENTER_GETEVENTS, 0, 0) < 0) return -1;\n" \
	" unsigned *head = (unsigned *)(CQ + P.cq_off.head), h = __atomic_load_n(head, __ATOMIC_ACQUIRE);\n" \
	" int res = ((struct io_uring_cqe *)(CQ + P.cq_off.cqes))[h & *(unsigned *)(CQ + P.cq_off.ring_mask)].res;\n" \
	" __atomic_store_n(head, h + 1, __ATOMIC_RELEASE); return res; }\n"

#define WANT(verdict, phrase) {.v = (verdict), .has = (phrase)}
#define WANT2(verdict, phrase, also) {.v = (verdict), .has = (phrase), .and_has = (also)}
#define DENIED(name) {WANT2(ZV_RULE, "denied", name)}

static const struct hostile_case cases[] = {
	{"an endless loop", 1, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; volatile unsigned long n = 0; for (;;) n++; }",
	 1.0, 0, {WANT(ZV_TIMEOUT, "killed"), WANT(ZV_CRASH, "CPU time")}},
	{"sleeping forever", 1, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; for (;;) sleep(1000); }",
	 1.0, 0, {WANT(ZV_TIMEOUT, "killed")}},
	/* Bounded at 2^12 processes, so that a broken sandbox cannot take the
	 * machine down; that is still far above every process limit. */
	{"a fork bomb", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; for (int i = 0; i < 12; i++) fork(); "
	 "for (;;) pause(); }",
	 2.0, 0, {WANT(ZV_TIMEOUT, "killed"), WANT(ZV_CRASH, "signal|status|ended"),
		  WANT(ZV_RULE, "denied|process|fork|clone")}},
	{"a memory hog", 1, PRELUDE "static char *volatile keep;\n"
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; "
	 "for (;;) { size_t n = (size_t)64 << 20; char *p = malloc(n); memset(p, 1, n); keep = p; } }",
	 10.0, 0, {WANT(ZV_CRASH, "signal"), WANT(ZV_RULE, "denied|memory")}},
	{"a disk filler writing to its cwd", 1, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; static char b[1 << 20]; memset(b, 'x', sizeof b); "
	 "int d = open(\"fill.bin\", O_WRONLY | O_CREAT | O_TRUNC, 0600); if (d < 0) return -1; "
	 "for (;;) if (write(d, b, sizeof b) < 0) return -1; }",
	 10.0, 0, {WANT(ZV_CRASH, "File size|signal 25"), WANT(ZV_RULE, "denied|size|disk|file")}},
	{"a raw syscall(SYS_read) in the sendfile stage", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)z; char b[4096]; long n; "
	 "while ((n = syscall(SYS_read, f, b, sizeof b)) > 0) { " SEND_BUF " } return n < 0 ? -1 : 0; }",
	 10.0, 0, {WANT(ZV_RULE, "read() copied")}},
#if defined(__x86_64__)
	/* Without IA32 emulation the kernel answers int 0x80 with SIGSEGV; with
	 * it, the filter's bad-arch action kills with SIGSYS. */
	{"int 0x80 reading the file", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { char *b = mmap(0, 65536, PROT_READ | PROT_WRITE, "
	 "MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0); if (b == MAP_FAILED) return -1; "
	 "for (size_t o = 0; o < z;) { long n; __asm__ volatile(\"int $0x80\" : \"=a\"(n) : \"a\"(3L), \"b\"((long)f), "
	 "\"c\"(b), \"d\"(65536L) : \"memory\"); if (n <= 0) return -1; " SEND_BUF " o += (size_t)n; } return 0; }",
	 10.0, 0, {WANT(ZV_CRASH, "signal 31|signal 11|Bad system call|Segmentation"),
		   WANT(ZV_RULE, "denied|32-bit|arch")}},
	/* ENOSYS (no x32 ABI) with the fallback is a fair pass. */
	{"an x32 syscall reading the file", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { char b[4096]; long n = syscall(0x40000000L | SYS_read, f, b, sizeof b); "
	 "if (n < 0) { dprintf(2, \"x32: %s\\n\", errno == ENOSYS ? \"ENOSYS\" : strerror(errno)); n = 0; } "
	 "else dprintf(2, \"x32: read %ld\\n\", n); " SEND_BUF " z -= (size_t)n; " SF_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_CRASH, "signal 31|Bad system call"), WANT(ZV_RULE, "denied|x32|arch"),
		   {.v = ZV_PASS, .has = "intact", .output_has = "x32: ENOSYS"}}},
#endif
	/* Falls back to sendfile when refused: the refusal itself must show. */
	{"io_uring reading the file", 3, PRELUDE URING
	 "int send_file(int f, int s, size_t z) { if (ring() < 0) { " SF_LOOP " return 0; } "
	 "static char b[65536]; unsigned long long o = 0; while (o < z) { int n = uread(f, b, sizeof b, o); "
	 "if (n <= 0) return -1; " SEND_BUF " o += (unsigned)n; } return 0; }",
	 10.0, 0, DENIED("io_uring")},
	{"vfork + exec of /bin/cat in the sendfile stage", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { pid_t p = vfork(); if (p < 0) return -1; "
	 "if (p == 0) { dup2(f, 0); dup2(s, 1); execl(\"/bin/cat\", \"cat\", (char *)0); _exit(127); } "
	 "int st; if (waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0; " SF_LOOP " return 0; }",
	 10.0, 0, {WANT2(ZV_RULE, "denied", "execve"), WANT(ZV_RULE, "read() copied")}},
	{"ptrace of the parent", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { pid_t pp = getppid(); if (ptrace(PTRACE_ATTACH, pp, 0, 0) == 0) { "
	 "int st; waitpid(pp, &st, __WALL); dprintf(2, \"ptrace: attached to %d\\n\", (int)pp); "
	 "ptrace(PTRACE_DETACH, pp, 0, 0); } " SF_LOOP " return 0; }",
	 10.0, 0, DENIED("ptrace")},
	{"kill of the parent", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { if (kill(getppid(), SIGKILL) == 0) dprintf(2, \"kill: parent killed\\n\"); "
	 SF_LOOP " return 0; }",
	 10.0, 0, DENIED("kill")},
	/* Signal 0 delivers nothing: safe outside a namespace, and still a kill. */
	{"kill(-1, 0) probing every process", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { if (kill(-1, 0) == 0) dprintf(2, \"kill(-1, 0) allowed\\n\"); "
	 SF_LOOP " return 0; }",
	 10.0, 0, DENIED("kill")},
	{"kill(-1, SIGKILL) (in a PID namespace)", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { if (kill(-1, SIGKILL) == 0) dprintf(2, \"kill(-1) sent\\n\"); "
	 SF_LOOP " return 0; }",
	 10.0, H_PIDNS, DENIED("kill")},
	{"a user-notification seccomp filter via seccomp(2)", 3, PRELUDE NOTIF_FILTER
	 "int send_file(int f, int s, size_t z) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); "
	 "long l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog); "
	 "if (l >= 0) dprintf(2, \"seccomp: listener %ld\\n\", l); " SF_LOOP " return 0; }",
	 10.0, 0, DENIED("seccomp")},
	{"a user-notification seccomp filter via prctl", 3, PRELUDE NOTIF_FILTER
	 "int send_file(int f, int s, size_t z) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); "
	 "if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0) dprintf(2, \"prctl: filter installed\\n\"); "
	 SF_LOOP " return 0; }",
	 10.0, 0, DENIED("seccomp|prctl")},
	{"forged closing markers, then read()", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { unsigned long g[] = {0, 1, 2, 0x5a434c4dUL, (unsigned long)getpid(), "
	 "(unsigned long)getppid(), 0xffffffffffffUL}; for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) "
	 "syscall(SYS_getppid, 0x5a434c4dUL, g[i], 2UL); (void)z; " RW_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_RULE, "forged")}},
	{"re-opening the input via /proc/self/fd and reading it", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)z; char p[64]; snprintf(p, sizeof p, \"/proc/self/fd/%d\", f); "
	 "int g = open(p, O_RDONLY); if (g >= 0) f = g; " RW_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_RULE, "read() copied")}},
	{"re-opening the input by its path and reading it", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { (void)z; char l[64], p[4096]; snprintf(l, sizeof l, \"/proc/self/fd/%d\", f); "
	 "ssize_t len = readlink(l, p, sizeof p - 1); if (len > 0) { p[len] = 0; int g = open(p, O_RDONLY); "
	 "if (g >= 0) f = g; } " RW_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_RULE, "read() copied")}},
	{"dup2 of the socket to fd 9, sending through it", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { if (dup2(s, 9) != 9) return -1; s = 9; " SF_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_PASS, "intact")}},
	{"closing the socket half way", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { size_t h = z / 2; while (h > 0) { ssize_t n = sendfile(s, f, NULL, h); "
	 "if (n <= 0) return -1; h -= (size_t)n; } close(s); return 0; }",
	 10.0, 0, {WANT(ZV_WRONG_BYTES, "missing")}},
	{"SIGSTOP to itself, then going on", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { kill(getpid(), SIGSTOP); " SF_LOOP " return 0; }",
	 2.0, 0, {WANT(ZV_PASS, "intact"), WANT(ZV_TIMEOUT, "killed")}},
	{"writing into the lab's solutions/ and exercises/", 3, PRELUDE
	 "static void scribble(const char *rel) { char p[4096]; snprintf(p, sizeof p, \"%s/%s\", ZCL_LAB_ROOT, rel); "
	 "int d = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644); if (d < 0) return; "
	 "if (write(d, \"/* pwned */\\n\", 12) == 12) dprintf(2, \"wrote %s\\n\", p); close(d); }\n"
	 "int send_file(int f, int s, size_t z) { char p[4096]; scribble(\"solutions/03-sendfile.c\"); "
	 "scribble(\"solutions/pwned.c\"); scribble(\"exercises/pwned.c\"); "
	 "snprintf(p, sizeof p, \"%s/solutions/notes.txt\", ZCL_LAB_ROOT); unlink(p); " SF_LOOP " return 0; }",
	 10.0, H_ANY_VERDICT, {{.has = NULL}}},
	/* The view's devices (view.c: the machine's, bound; Landlock's rules
	 * name those inodes) work as the machine's do; the program makes none. */
	{"using /dev/null, /dev/zero, /dev/urandom and /dev/full", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { char b[64]; int n = open(\"/dev/null\", O_WRONLY), "
	 "o = open(\"/dev/zero\", O_RDONLY), u = open(\"/dev/urandom\", O_RDONLY), fu = open(\"/dev/full\", O_WRONLY); "
	 "if (n < 0 || o < 0 || u < 0 || fu < 0 || write(n, b, 1) != 1 || read(o, b, sizeof b) != sizeof b || b[5] || "
	 "read(u, b, 8) != 8 || write(fu, b, 1) != -1 || errno != ENOSPC) { dprintf(2, \"a device failed\\n\"); "
	 "return -1; } " SF_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_PASS, "intact")}},
	{"making a device node (/dev/mem's number) in its scratch and in /", 3, PRELUDE
	 "#include <sys/sysmacros.h>\n"
	 "int send_file(int f, int s, size_t z) { if (mknod(\"mem\", S_IFCHR | 0666, makedev(1, 1)) == 0 || "
	 "mknod(\"/mem\", S_IFCHR | 0666, makedev(1, 1)) == 0) { dprintf(2, \"made a node\\n\"); return -1; } "
	 SF_LOOP " return 0; }",
	 10.0, 0, {WANT(ZV_PASS, "intact"), WANT2(ZV_RULE, "denied", "mknod")}},
	{"writing beside its scratch directory", 3, PRELUDE
	 "int send_file(int f, int s, size_t z) { int d = open(\"../../" ESCAPED "\", O_WRONLY | O_CREAT | O_TRUNC, 0644); "
	 "if (d >= 0) { if (write(d, \"out\\n\", 4) == 4) dprintf(2, \"escaped\\n\"); close(d); } " SF_LOOP " return 0; }",
	 10.0, H_ANY_VERDICT | H_ESCAPE, {{.has = NULL}}},
};

/* ---- verdicts ---- */

/* line holds one of the '|'-separated alternatives (NULL or "": any). */
static bool has_any(const char *line, const char *alts)
{
	if (!alts || !*alts)
		return true;
	char one[128];
	for (const char *a = alts; *a;) {
		size_t n = strcspn(a, "|");
		snprintf(one, sizeof one, "%.*s", (int)n, a);
		if (strstr(line, one))
			return true;
		a += n + (a[n] == '|');
	}
	return false;
}

static bool fits(const struct zcl_run *r, const struct outcome *o)
{
	if (r->verdict != o->v || (o->output_has && !strstr(r->output, o->output_has)))
		return false;
	if (has_any(r->reason, o->has) && has_any(r->reason, o->and_has))
		return true;
	for (int i = 0; i < r->nviolations; i++)
		if (has_any(r->violations[i], o->has) && has_any(r->violations[i], o->and_has))
			return true;
	return false;
}

static void describe(const struct hostile_case *c, char *out, size_t cap)
{
	out[0] = 0;
	for (const struct outcome *o = c->ok; o < c->ok + 4 && o->has; o++) {
		size_t u = strlen(out);
		snprintf(out + u, cap - u, "%s%s \"%s\"%s%s%s%s%s", u ? " or " : "", zcl_verdict_name(o->v), o->has,
			 o->and_has ? " + \"" : "", o->and_has ? o->and_has : "", o->and_has ? "\"" : "",
			 o->output_has ? " with output " : "", o->output_has ? o->output_has : "");
	}
}

static void put_file(const char *root, const char *name, const char *prefix, const char *text)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", root, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "%s: %s", p, strerror(errno));
	fprintf(f, "%s%s", prefix, text);
	fclose(f);
}

/* The fake root: the exercise with ZCL_LAB_ROOT defined, a solutions/ to
 * guard. Returns the root's real path (static storage). */
static const char *set_up(const struct hostile_case *c)
{
	static char root[PATH_MAX];
	cr_assert_not_null(realpath(fake_root(c->stage, "/* replaced */\n"), root));
	char name[8], file[64], def[PATH_MAX + 32];
	snprintf(name, sizeof name, "%d", c->stage);
	const struct zcl_stage *s = zcl_stage_find(name);
	snprintf(file, sizeof file, "exercises/%02d-%s.c", s->num, s->slug);
	snprintf(def, sizeof def, "#define ZCL_LAB_ROOT \"%s\"\n", root);
	put_file(root, file, def, c->src);
	snprintf(def, sizeof def, "%s/solutions", root);
	cr_assert_eq(mkdir(def, 0755), 0);
	put_file(root, "solutions/03-sendfile.c", "", "/* the reference solution: no submission may change it */\n");
	put_file(root, "solutions/notes.txt", "", "instructor notes\n");
	return root;
}

/* Every case twice: as `zcl check` runs it (0 .. N-1), and as a grade
 * does (N .. 2N-1: a kept run directory, and as root a copy of the grade's
 * template of the view). */
#define NCASES (sizeof cases / sizeof cases[0])

ParameterizedTestParameters(hostile, each_submission_gets_its_verdict_and_leaves_nothing_behind)
{
	static int idx[2 * NCASES];
	for (size_t i = 0; i < 2 * NCASES; i++)
		idx[i] = (int)i;
	return cr_make_param_array(int, idx, 2 * NCASES);
}

ParameterizedTest(int *i, hostile, each_submission_gets_its_verdict_and_leaves_nothing_behind, .timeout = 60,
		  .fini = drop_fake_root)
{
	const struct hostile_case *c = &cases[(size_t)*i % NCASES];
	hostile_in_grade = (size_t)*i >= NCASES;
	cr_log_info("%s", hostile_in_grade ? "as a grade runs it" : "as zcl check runs it");
	use_own_scratch();
	const char *root = set_up(c);
	if (hostile_in_grade)
		hostile_add_reference(root, c->stage);
	static char before[16384], after[16384];
	snapshot(root, before, sizeof before);
	if (c->flags & H_ESCAPE)
		unlink(escaped_path());
	prctl(PR_SET_CHILD_SUBREAPER, 1); /* the submission's orphans come to us, not to init */

	static struct contained o;
	pid_t ns_pid;
	int hold;
	if (!contained_run(c, &o, &ns_pid, &hold))
		cr_skip_test("%s: no PID namespace here (%s): kill(-1, SIGKILL) would reach every process",
			     c->what, strerror(errno));
	const struct zcl_run *r = &o.w.r;
	cr_log_info("%s: %s - %s (%.1f s)", c->what, o.have ? zcl_verdict_name(r->verdict) : "no verdict",
		    o.have ? r->reason : "", o.elapsed);

	/* The lab: alive, not hung, and it ran. */
	cr_expect(!o.hung, "%s: the lab hung: no verdict %.0f s after the run's limit; killed it", c->what, HANG_S);
	if (!o.hung && o.status != -1 && !(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0))
		cr_expect_fail("%s: the lab process died (%s %d): the submission reached the grader", c->what,
			       WIFSIGNALED(o.status) ? "signal" : "exit status",
			       WIFSIGNALED(o.status) ? WTERMSIG(o.status) : WEXITSTATUS(o.status));
	if (o.have && o.w.rc != 0)
		cr_expect_fail("%s: the run could not happen: %s", c->what, o.w.err);
	/* In a grade, the next run (the reference) is untouched by this one and,
	 * as root with namespaces, starts from the grade's view template. */
	if (hostile_in_grade && o.have && o.w.rc == 0) {
		cr_expect(o.w.later_rc == 0 && o.w.later_verdict == ZV_PASS,
			  "%s: the reference run after it in the same grade: %s (%s)", c->what,
			  o.w.later_rc ? "did not run" : zcl_verdict_name(o.w.later_verdict), o.w.later_reason);
		bool template_expected = geteuid() == 0 && !(c->flags & (H_BASIC | H_NOBODY));
		if (template_expected)
			cr_expect(o.w.later_template, "%s: the grade's runs copy its view template", c->what);
	}

	/* The verdict, in time. */
	if (o.have && o.w.rc == 0) {
		cr_expect(r->verdict != ZV_COMPILE_ERROR, "%s: the case does not compile:\n%s", c->what, o.w.diag);
		bool ok = c->flags & H_ANY_VERDICT;
		for (const struct outcome *oc = c->ok; !ok && oc < c->ok + 4 && oc->has; oc++)
			ok = fits(r, oc);
		char want[512], got[1024] = "";
		describe(c, want, sizeof want);
		for (int k = 0; k < r->nviolations; k++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "\n    violation: %s", r->violations[k]);
		cr_expect(ok, "%s: got %s - %s%s\n    output: %s\n    want: %s", c->what, zcl_verdict_name(r->verdict),
			  r->reason, got, r->output, want);
		cr_expect_leq(o.elapsed, c->timeout_s + SLACK_S, "%s: the run took %.1f s (limit %.1f s + %.0f s)",
			      c->what, o.elapsed, c->timeout_s, SLACK_S);
	}

	/* No process survives. */
	char nslink[64] = "";
	if (ns_pid > 0) {
		char p[64];
		snprintf(p, sizeof p, "/proc/%d/ns/pid", (int)ns_pid);
		ssize_t k = readlink(p, nslink, sizeof nslink - 1);
		nslink[k > 0 ? k : 0] = 0;
	}
	pid_t group = o.have && ns_pid == 0 ? r->tr.pid : 0;
	struct survivors sv;
	double until = now() + SURVIVOR_WAIT_S;
	do {
		find_survivors(root, group, nslink[0] ? nslink : NULL, ns_pid, &sv);
		if (sv.alive)
			usleep(50 * 1000);
	} while (sv.alive && now() < until);
	cr_expect_eq(sv.alive, 0, "%s: %d process(es) survived the run: %s", c->what, sv.alive, sv.what);
	if (sv.zombies)
		cr_log_info("%s: %d zombie(s) of the run not reaped yet (dead, not counted)", c->what, sv.zombies);
	if (ns_pid > 0) {
		close(hold); /* init exits; the namespace goes with it */
		while (waitpid(ns_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}

	/* Nothing outside the scratch directory changed. */
	snapshot(root, after, sizeof after);
	cr_expect_str_eq(after, before, "%s: the lab's exercises/, solutions/ or lab/ changed", c->what);
	char left[1024];
	int nleft = leftover_scratch(root, left, sizeof left);
	cr_expect_eq(nleft, 0, "%s: the run's scratch directory was left behind: %s", c->what, left);
	if (c->flags & H_ESCAPE) {
		cr_expect(access(escaped_path(), F_OK) != 0, "%s: %s was written outside the scratch directory",
			  c->what, escaped_path());
		unlink(escaped_path());
	}
	drop_own_scratch();
}
