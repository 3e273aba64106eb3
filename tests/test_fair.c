/*
 * test_fair.c - the grade a careful human grader would give, with a reason
 * a student can act on (issue 7). Each case is a small submission of one
 * kind, graded as `zcl grade --stage N` grades it: its score, and a phrase
 * the test that lost (or kept) the points must say.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "grader.h"
#include "helpers.h"
#include "inject.h"

#define INC "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <stdlib.h>\n" \
	    "#include <string.h>\n#include <time.h>\n#include <netinet/in.h>\n#include <netinet/tcp.h>\n"        \
	    "#include <sys/mman.h>\n#include <sys/sendfile.h>\n#include <sys/socket.h>\n#include <sys/uio.h>\n"  \
	    "#include <unistd.h>\n#include \"zcl.h\"\n"

/* a correct sendfile loop on s, f, z */
#define SF "off_t o = 0; while ((size_t)o < z) { ssize_t n = sendfile(s, f, &o, z - (size_t)o); " \
	   "if (n < 0 && errno == EINTR) continue; if (n <= 0) return -1; } "
/* send all of p[0..n) with flags fl on s */
#define SEND_ALL "static int sa(int s, const char *p, size_t n, int fl) { while (n) { ssize_t w = send(s, p, n, fl); " \
		 "if (w < 0 && errno == EINTR) continue; if (w < 0) return -1; p += w; n -= (size_t)w; } return 0; }\n"
#define SF_FN "static int sf(int s, int f, size_t z) { " SF "return 0; }\n"

struct fair_case {
	const char *what;
	int stage;
	const char *src;
	double min, max;    /* the fair score, out of 20 */
	const char *test;   /* a test whose output must say ... */
	const char *phrase; /* ... this */
};

static struct fair_case cases[] = {
	/* 1: the copy target is about the lab's data path */
	{"a sendfile loop that logs to debug.log (s3-logfile)", 3, INC
	 "int send_file(int f, int s, size_t z) { FILE *log = fopen(\"debug.log\", \"w\"); off_t o = 0; int rc = 0;\n"
	 "while ((size_t)o < z) { ssize_t n = sendfile(s, f, &o, z - (size_t)o); if (log) fprintf(log, \"sendfile -> %zd\\n\", n);\n"
	 "if (n < 0 && errno == EINTR) continue; if (n <= 0) { rc = -1; break; } } if (log) fclose(log); return rc; }\n",
	 20, 20, "rules and copy target", "bytes to debug.log: not part of the target"},
	{"a read/write loop that logs to a file", 1, INC
	 "int send_file(int f, int s, size_t z) { FILE *log = fopen(\"debug.log\", \"a\"); char b[65536]; (void)z; ssize_t r;\n"
	 "while ((r = read(f, b, sizeof b)) != 0) { if (r < 0 && errno == EINTR) continue; if (r < 0) return -1;\n"
	 "for (ssize_t o = 0; o < r;) { ssize_t w = write(s, b + o, (size_t)(r - o)); if (w < 0 && errno == EINTR) continue;\n"
	 "if (w < 0) return -1; o += w; } if (log) fprintf(log, \"sent %zd\\n\", r); } if (log) fclose(log); return 0; }\n",
	 20, 20, "rules and copy target", "debug.log"},
	{"ctime() on stderr: glibc reads its time-zone file", 3, INC
	 "int send_file(int f, int s, size_t z) { time_t t = time(NULL); fprintf(stderr, \"start %s\", ctime(&t)); " SF
	 "return 0; }\n",
	 20, 20, "rules and copy target", "stdout/stderr"},
	{"a heap copy sent through a temporary file is still a CPU copy", 3, INC
	 "int send_file(int f, int s, size_t z) { if (!z) return 0; char *m = mmap(0, z, PROT_READ, MAP_PRIVATE, f, 0);\n"
	 "char *h = malloc(z); memcpy(h, m, z); int t = open(\"tmp.bin\", O_RDWR | O_CREAT | O_TRUNC, 0600);\n"
	 "for (size_t w = 0; w < z;) { ssize_t k = write(t, h + w, z - w); if (k <= 0) return -1; w += (size_t)k; }\n"
	 "f = t; " SF "return 0; }\n",
	 0, 2, "1 MiB + 3, cold", "copied by the CPU"},
	/* 2: fault injection reaches every family, and cannot be dodged */
	{"writev ignoring a short return (s1-writev-no-short-loop)", 1, INC
	 "static char a[32768], b[32768];\n"
	 "int send_file(int f, int s, size_t z) { size_t left = z; while (left > 0) { size_t want = left < 65536 ? left : 65536;\n"
	 "struct iovec v[2] = {{a, want < 32768 ? want : 32768}, {b, want > 32768 ? want - 32768 : 0}};\n"
	 "ssize_t r = readv(f, v, 2); if (r < 0 && errno == EINTR) continue; if (r <= 0) return -1;\n"
	 "if ((size_t)r <= 32768) { v[0].iov_len = (size_t)r; v[1].iov_len = 0; } else v[1].iov_len = (size_t)r - 32768;\n"
	 "ssize_t w; do w = writev(s, v, 2); while (w < 0 && errno == EINTR); if (w < 0) return -1; left -= (size_t)r; }\n"
	 "return 0; }\n",
	 18, 18, "short transfers", "writev #"},
	{"one sendfile(0x7ffff000) with no loop", 3, INC
	 "int send_file(int f, int s, size_t z) { (void)z; for (;;) { ssize_t n = sendfile(s, f, NULL, 0x7ffff000);\n"
	 "if (n < 0 && errno == EINTR) continue; return n < 0 ? -1 : 0; } }\n",
	 18, 18, "short transfers", "sendfile #1 cut short"},
	{"a zero-length first call does not absorb the fault", 3, INC
	 "int send_file(int f, int s, size_t z) { off_t o = 0; while (sendfile(s, f, &o, 0) < 0 && errno == EINTR) ;\n"
	 "ssize_t n = sendfile(s, f, &o, z); return n < 0 ? -1 : 0; }\n",
	 16, 16, "EINTR injected", "sendfile #2 -> EINTR"},
	{"a writev loop that reads its iovec back sees it unchanged", 1, INC
	 "static char b[65536];\n"
	 "int send_file(int f, int s, size_t z) { (void)z; ssize_t r; while ((r = read(f, b, sizeof b)) != 0) {\n"
	 "if (r < 0 && errno == EINTR) continue; if (r < 0) return -1; struct iovec v = {b, (size_t)r};\n"
	 "while (v.iov_len) { ssize_t w = writev(s, &v, 1); if (w < 0 && errno == EINTR) continue;\n"
	 "if (w < 0) return -1; v.iov_base = (char *)v.iov_base + w; v.iov_len -= (size_t)w; } } return 0; }\n",
	 20, 20, "short transfers", "writev #"},
	/* 3: the mapping rule checks every iovec, and only the input's mapping */
	{"first iovec in the mapping, the rest from a heap copy (s2-writev-first-iov-cheat)", 2, INC
	 "int send_file(int f, int s, size_t z) { if (z == 0) return 0; char *m = mmap(NULL, z, PROT_READ, MAP_PRIVATE, f, 0);\n"
	 "if (m == MAP_FAILED) return -1; char *h = malloc(z); memcpy(h, m, z); size_t d = 0; while (d < z) {\n"
	 "struct iovec v[2] = {{m + d, 1}, {h + d + 1, z - d - 1}}; ssize_t w = writev(s, v, z - d > 1 ? 2 : 1);\n"
	 "if (w < 0 && errno == EINTR) continue; if (w < 0) return -1; d += (size_t)w; } return 0; }\n",
	 0, 2, "1 MiB + 3, cold", "written from a plain buffer"},
	{"the mapping copied into a memfd mapping", 2, INC
	 "int send_file(int f, int s, size_t z) { if (z == 0) return 0; char *m = mmap(NULL, z, PROT_READ, MAP_PRIVATE, f, 0);\n"
	 "int fd = memfd_create(\"copy\", 0); if (fd < 0 || ftruncate(fd, (off_t)z)) return -1;\n"
	 "char *c = mmap(NULL, z, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0); memcpy(c, m, z); size_t d = 0;\n"
	 "while (d < z) { ssize_t w = write(s, c + d, z - d); if (w < 0 && errno == EINTR) continue; if (w < 0) return -1;\n"
	 "d += (size_t)w; } return 0; }\n",
	 0, 2, "1 MiB + 3, cold", "written from a plain buffer"},
	/* 4: the gather stage, judged on what left the socket */
	{"last header bytes without MSG_MORE (s4-header-more-last-unheld)", 4, INC SEND_ALL SF_FN
	 "int send_response(int s, const char *h, size_t hl, int f, size_t z) { size_t t = hl >= 2 ? 2 : hl;\n"
	 "if (sa(s, h, hl - t, MSG_MORE) || sa(s, h + hl - t, t, 0)) return -1; return sf(s, f, z); }\n",
	 1, 1, "1 MiB + 3, cold", "header left alone"},
	{"TCP_CORK never cleared", 4, INC SEND_ALL SF_FN
	 "int send_response(int s, const char *h, size_t hl, int f, size_t z) { int one = 1;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_CORK, &one, sizeof one); if (sa(s, h, hl, 0)) return -1; return sf(s, f, z); }\n",
	 0, 1, "1 MiB + 3, cold", "TCP_CORK still on"},
	{"MSG_MORE on a header with an empty body", 4, INC SEND_ALL SF_FN
	 "int send_response(int s, const char *h, size_t hl, int f, size_t z) { if (sa(s, h, hl, MSG_MORE)) return -1;\n"
	 "return sf(s, f, z); }\n",
	 19, 19, "empty file", "MSG_MORE on your last send"},
	{"TCP_NODELAY set after corking", 4, INC SEND_ALL SF_FN
	 "int send_response(int s, const char *h, size_t hl, int f, size_t z) { int one = 1, zero = 0;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_CORK, &one, sizeof one); if (sa(s, h, hl, 0)) return -1;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); if (sf(s, f, z)) return -1;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero); return 0; }\n",
	 0, 1, "1 MiB + 3, cold", "TCP_NODELAY"},
	{"TCP_CORK on until the body is queued, then cleared", 4, INC SEND_ALL SF_FN
	 "int send_response(int s, const char *h, size_t hl, int f, size_t z) { int one = 1, zero = 0;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_CORK, &one, sizeof one); if (sa(s, h, hl, 0) || sf(s, f, z)) return -1;\n"
	 "setsockopt(s, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero); return 0; }\n",
	 20, 20, "rules and copy target", "pass"},
	/* 8: an error is named */
	{"mmap of size 0 (s2-no-zero-guard)", 2, INC
	 "int send_file(int f, int s, size_t z) { char *m = mmap(NULL, z, PROT_READ, MAP_PRIVATE, f, 0);\n"
	 "if (m == MAP_FAILED) return -1; size_t d = 0; while (d < z) { ssize_t w = write(s, m + d, z - d);\n"
	 "if (w < 0) { if (errno == EINTR) continue; return -1; } d += (size_t)w; } munmap(m, z); return 0; }\n",
	 19, 19, "empty file", "error: your function returned -1 after mmap() failed with EINVAL"},
	{"returning the byte count", 3, INC
	 "int send_file(int f, int s, size_t z) { " SF "return (int)z; }\n",
	 0, 1, "1 MiB + 3, cold", "wrong-return: your function returned 1048579 (the byte count)"},
	/* 9: doing nothing earns nothing */
	{"return 0 and nothing else (s1-return-zero)", 1, INC
	 "int send_file(int f, int s, size_t z) { (void)f; (void)s; (void)z; return 0; }\n",
	 0, 0, "empty file", "needs the correct bytes: 1 MiB + 3"},
};

ParameterizedTestParameters(fair, each_kind_gets_the_fair_grade)
{
	INDEX_PARAMS(cases);
}

static struct zcl_grade g; /* large: keep it off the stack */

ParameterizedTest(int *i, fair, each_kind_gets_the_fair_grade, .timeout = 60, .fini = drop_fake_root)
{
	const struct fair_case *c = &cases[*i];
	fake_root(c->stage, c->src);
	cr_assert_eq(zcl_grade_run(&g, c->stage, false, 42, 10), 0, "%s: %s", c->what, g.internal_error);
	const struct zcl_stage_result *sr = &g.stages[0];
	cr_expect(sr->score >= c->min && sr->score <= c->max, "%s: %g/%g, fair is %g..%g", c->what, sr->score,
		  sr->max_score, c->min, c->max);
	bool said = false;
	const char *out = "(no such test)";
	for (int k = 0; k < sr->ntests; k++)
		if (strstr(sr->tests[k].name, c->test)) {
			out = sr->tests[k].output;
			said = strstr(out, c->phrase) != NULL;
			break;
		}
	cr_expect(said, "%s: test \"%s\" should say \"%s\":\n%s", c->what, c->test, c->phrase, out);
}

Test(fair, the_same_seed_disturbs_the_same_calls, .timeout = 60, .fini = drop_fake_root)
{
	fake_root(1, cases[4].src); /* the writev loop */
	struct zcl_run a = run_stage(1, false, 1048579, false, true, ZI_SHORT, 10);
	struct zcl_run b = run_stage(1, false, 1048579, false, true, ZI_SHORT, 10);
	cr_assert_gt(a.totals.injected, 1, "several calls disturbed");
	cr_expect_eq(a.totals.injected, b.totals.injected);
	for (uint64_t k = 0; k < a.totals.injected && k < ZCL_INJ_REPORT; k++) {
		cr_expect_eq(a.totals.inj[k].nr, b.totals.inj[k].nr, "call %llu", (unsigned long long)k);
		cr_expect_eq(a.totals.inj[k].nth, b.totals.inj[k].nth, "call %llu", (unsigned long long)k);
	}
	zcl_run_free(&a);
	zcl_run_free(&b);
}

Test(fair, the_solutions_survive_every_injection_seed, .timeout = 60)
{
	for (int stage = 1; stage <= 4; stage++)
		for (enum zcl_inject k = ZI_SHORT; k <= ZI_EINTR; k++) {
			struct zcl_run r = run_stage(stage, true, 300007, false, true, k, 10);
			cr_expect_eq(r.verdict, ZV_PASS, "stage %d, %s: %s", stage, k == ZI_SHORT ? "short" : "eintr",
				     r.reason);
			cr_expect_gt(r.totals.injected, 0, "stage %d: something was disturbed", stage);
			zcl_run_free(&r);
		}
}

Test(fair, check_names_the_grade_tests_it_did_not_run)
{
	const char *argv[] = {"check", "3", "--solution", "--size", "4096", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect(strstr(c.out, "not run by check") != NULL, "%s", c.out);
	cr_expect(strstr(c.out, "short transfers injected") != NULL, "%s", c.out);
	cr_expect(strstr(c.out, "zcl grade --stage 3") != NULL, "%s", c.out);
}

Test(fair, the_injection_plan_is_seeded_and_ignores_empty_calls)
{
	/* one call moving the whole stream is always caught */
	for (uint64_t seed = 0; seed < 50; seed++) {
		zcl_inject_begin(seed);
		cr_expect_not(zcl_inject_due(ZS_SOCKET, 0, 0), "seed %llu: a zero-length call", (unsigned long long)seed);
		cr_expect(zcl_inject_due(ZS_SOCKET, 0x7ffff000, 0x3ffff800), "seed %llu: one big call",
			  (unsigned long long)seed);
	}
	/* the same seed picks the same calls; the calls are not every Nth */
	bool first[64], again[64], other[64];
	for (int round = 0; round < 3; round++) {
		bool *hit = round == 0 ? first : round == 1 ? again : other;
		zcl_inject_begin(round == 2 ? 43 : 42);
		for (int k = 0; k < 64; k++) {
			hit[k] = zcl_inject_due(ZS_FILE, 16384, 8192);
			zcl_inject_moved(ZS_FILE, hit[k] ? 8192 : 16384);
		}
	}
	cr_expect_arr_eq(first, again, sizeof first, "same seed, same calls");
	cr_expect_arr_neq(first, other, sizeof first, "another seed, other calls");
}
