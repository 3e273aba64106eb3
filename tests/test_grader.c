/*
 * test_grader.c - scores are fair and repeatable, partial work earns partial
 * points, and every format carries what its consumer reads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grader.h"
#include "stages.h"
#include "helpers.h"
#include "report.h"

static struct zcl_grade g; /* large: keep it off the stack */

/* Grade and render in one format into a malloc'd string. */
static char *render(int stage, bool solution, enum zcl_grade_format f)
{
	cr_assert_eq(zcl_grade_run(&g, stage, solution, 42, 10), 0, "%s", g.internal_error);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	zcl_grade_write(m, &g, f);
	fclose(m);
	return buf;
}

Test(grader, solutions_earn_every_point)
{
	cr_assert_eq(zcl_grade_run(&g, 0, true, 42, 10), 0, "%s", g.internal_error);
	size_t n;
	zcl_stages(&n);
	cr_expect_eq(g.nstages, (int)n, "every stage of the table is graded");
	cr_expect_eq(g.score, g.max_score, "%g/%g", g.score, g.max_score);
	cr_expect_gt(g.max_score, 0);
	cr_expect(zcl_grade_all_passed(&g));
}

Test(grader, skeletons_earn_nothing)
{
	cr_assert_eq(zcl_grade_run(&g, 0, false, 42, 10), 0, "%s", g.internal_error);
	cr_expect_eq(g.score, 0);
	cr_expect_not(zcl_grade_all_passed(&g));
	cr_expect(strstr(g.stages[0].tests[1].output, "not-implemented") != NULL, "%s", g.stages[0].tests[1].output);
}

/* Remove "seconds":x and "execution_time":x: the only fields allowed to differ. */
static void strip_timing(char *s)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, "\"(seconds|execution_time)\":[0-9.]+", REG_EXTENDED), 0);
	regmatch_t m;
	while (regexec(&re, s, 1, &m, 0) == 0)
		memmove(s + m.rm_so, s + m.rm_eo, strlen(s + m.rm_eo) + 1);
	regfree(&re);
}

Test(grader, the_same_submission_twice_gives_the_same_json)
{
	fake_root(1, "#include <unistd.h>\n#include \"zcl.h\"\n"
		     "int send_file(int f, int s, size_t z) { char b[4096]; (void)z; ssize_t n;\n"
		     "  while ((n = read(f, b, sizeof b)) > 0) if (write(s, b, (size_t)n) != n) return -1;\n"
		     "  return n < 0 ? -1 : 0; }\n");
	char *a = render(1, false, ZG_JSON);
	char *b = render(1, false, ZG_JSON);
	strip_timing(a);
	strip_timing(b);
	cr_expect_str_eq(a, b);
	cr_expect(strstr(a, "\"seed\":42") != NULL, "the seed is printed");
	free(a);
	free(b);
	drop_fake_root();
}

Test(grader, ignoring_short_writes_loses_the_robustness_points)
{
	/* correct when write() sends everything, wrong when it does not */
	fake_root(1, "#include <unistd.h>\n#include \"zcl.h\"\n"
		     "int send_file(int f, int s, size_t z) { char b[65536]; (void)z; ssize_t n;\n"
		     "  while ((n = read(f, b, sizeof b)) > 0) if (write(s, b, (size_t)n) < 0) return -1;\n"
		     "  return n < 0 ? -1 : 0; }\n");
	cr_assert_eq(zcl_grade_run(&g, 1, false, 42, 10), 0, "%s", g.internal_error);
	const struct zcl_stage_result *sr = &g.stages[0];
	bool short_failed = false, bytes_ok = true;
	for (int i = 0; i < sr->ntests; i++) {
		if (strstr(sr->tests[i].name, "short transfers"))
			short_failed = sr->tests[i].status == ZT_FAILED;
		if (strstr(sr->tests[i].name, "correct bytes"))
			bytes_ok = bytes_ok && sr->tests[i].status == ZT_PASSED;
	}
	cr_expect(bytes_ok, "plain runs deliver every byte");
	cr_expect(short_failed, "an injected short write loses bytes");
	cr_expect(sr->score > 0 && sr->score < sr->max_score, "partial points: %g/%g", sr->score, sr->max_score);
	drop_fake_root();
}

Test(grader, a_compile_error_fails_compiles_and_skips_the_rest)
{
	fake_root(3, "int send_file(int f, int s, unsigned long z) { return f + s + z }\n");
	cr_assert_eq(zcl_grade_run(&g, 3, false, 42, 10), 0, "%s", g.internal_error);
	const struct zcl_stage_result *sr = &g.stages[0];
	cr_expect_eq(sr->tests[0].status, ZT_FAILED);
	cr_expect(strstr(sr->tests[0].output, "error") != NULL, "compiler diagnostics: %s", sr->tests[0].output);
	cr_expect(strstr(sr->tests[0].output, "\n03-sendfile.c:1:") != NULL, "the student's file by its name: %s",
		  sr->tests[0].output);
	cr_expect(strstr(sr->tests[0].output, "/03-sendfile.c") == NULL, "no path of the lab's: %s", sr->tests[0].output);
	for (int i = 1; i < sr->ntests; i++) {
		cr_expect_eq(sr->tests[i].status, ZT_SKIPPED, "%s", sr->tests[i].name);
		cr_expect(strstr(sr->tests[i].output, "does not compile") != NULL);
	}
	cr_expect_eq(sr->score, 0);
	drop_fake_root();
}

Test(grader, wrong_bytes_skip_robustness_and_rules)
{
	fake_root(3, "#include <sys/sendfile.h>\n#include \"zcl.h\"\n"
		     "int send_file(int f, int s, size_t z) { if (z > 1) z--; \n"
		     "  while (z > 0) { ssize_t n = sendfile(s, f, 0, z); if (n <= 0) return -1; z -= (size_t)n; }\n"
		     "  return 0; }\n");
	cr_assert_eq(zcl_grade_run(&g, 3, false, 42, 10), 0, "%s", g.internal_error);
	const struct zcl_stage_result *sr = &g.stages[0];
	int skipped = 0;
	for (int i = 0; i < sr->ntests; i++)
		if (sr->tests[i].status == ZT_SKIPPED) {
			skipped++;
			cr_expect(strstr(sr->tests[i].output, "needs correct bytes") != NULL, "%s", sr->tests[i].output);
		}
	cr_expect_eq(skipped, 4, "3 robustness tests and the rules test");
	cr_expect(sr->score > 0, "sizes 0 and 1 still pass");
	drop_fake_root();
}

Test(grader, gradescope_json_has_the_schema_fields)
{
	char *s = render(4, true, ZG_GRADESCOPE);
	static const char *const keys[] = {"{\"score\":20,", "\"execution_time\":", "\"output\":\"", "\"tests\":[",
					   "\"name\":\"4 gather: compiles\"", "\"max_score\":5",
					   "\"status\":\"passed\"", "\"visibility\":\"visible\""};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cr_expect(strstr(s, keys[i]) != NULL, "missing %s in %s", keys[i], s);
	free(s);
}

Test(grader, gradescope_visibility_comes_from_the_environment)
{
	setenv("ZCL_GS_VISIBILITY", "after_due_date", 1);
	char *s = render(1, false, ZG_GRADESCOPE);
	cr_expect(strstr(s, "\"visibility\":\"after_due_date\"") != NULL, "%s", s);
	cr_expect(strstr(s, "\"visibility\":\"visible\"") == NULL, "every test: %s", s);
	free(s);
	setenv("ZCL_GS_VISIBILITY", "sometimes", 1); /* not Gradescope's: the default */
	s = render(1, false, ZG_GRADESCOPE);
	unsetenv("ZCL_GS_VISIBILITY");
	cr_expect(strstr(s, "\"visibility\":\"visible\"") != NULL, "%s", s);
	free(s);
}

Test(grader, junit_counts_failures_and_skips)
{
	/* the skeleton: everything but "compiles" fails */
	char *s = render(2, false, ZG_JUNIT);
	cr_expect(strncmp(s, "<?xml", 5) == 0);
	cr_expect(strstr(s, "<testsuites name=\"zcl grade\" tests=\"14\" failures=\"13\" errors=\"0\" skipped=\"0\" time=\"")
		  != NULL, "the root has the totals: %s", s);
	cr_expect(strstr(s, "<testsuite name=\"stage 2 mmap\" tests=\"14\" failures=\"13\" errors=\"0\" skipped=\"0\" time=\"")
		  != NULL, "%s", s);
	cr_expect(strstr(s, "type=\"failed\">not-implemented: the stage function still returns ZCL_TODO\n") != NULL,
		  "the explanation is in the failure's body: %s", s);
	cr_expect(strstr(s, "</testsuites>\n") != NULL);
	free(s);
}

static char checker_said[4096]; /* what the last check_file's command printed */

/* Write s to a file and run cmd with the file as its last argument; what
 * it printed goes to checker_said. Returns the exit status. */
static int check_file(const char *s, const char *cmd)
{
	char path[] = "/var/tmp/zcl-junit-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	char line[2048];
	snprintf(line, sizeof line, "%s %s 2>&1", cmd, path);
	FILE *p = popen(line, "r");
	cr_assert_not_null(p);
	size_t n = fread(checker_said, 1, sizeof checker_said - 1, p);
	checker_said[n] = 0;
	int rc = pclose(p);
	unlink(path);
	return rc;
}

/* The schema (tests/junit.xsd, Jenkins' xUnit structure) and Debian's
 * junitparser accept the report, and junitparser reads the same totals. */
static void junit_is_accepted(const char *s, int tests, int failures, int errors)
{
	char cmd[1536];
	snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s/tests/junit.xsd'", getenv("ZCL_ROOT"));
	cr_expect_eq(check_file(s, cmd), 0, "xmllint rejects the report: %s\n%s", checker_said, s);
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import sys; from junitparser import JUnitXml\n"
		 "x = JUnitXml.fromfile(sys.argv[1])\n"
		 "bodies = all((r.text or \"\").strip() for s in x for c in s for r in c.result)\n"
		 "sys.exit(0 if (x.tests, x.failures, x.errors) == (%d, %d, %d) and bodies else 1)'",
		 tests, failures, errors);
	cr_expect_eq(check_file(s, cmd), 0, "junitparser: not %d tests, %d failures, %d errors with bodies: %s\n%s",
		     tests, failures, errors, checker_said, s);
}

Test(grader, junit_validates_against_the_schema_and_parses_with_junitparser)
{
	char *s = render(1, false, ZG_JUNIT);
	junit_is_accepted(s, 14, 13, 0);
	free(s);
	/* the grader itself failed: an error, not a failure of the student */
	memset(&g, 0, sizeof g);
	snprintf(g.internal_error, sizeof g.internal_error, "scratch: <cannot> & \"make\"\nsecond line");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	zcl_grade_write(m, &g, ZG_JUNIT);
	fclose(m);
	junit_is_accepted(buf, 1, 0, 1);
	free(buf);
}

Test(grader, classroom_json_is_what_the_reporter_adds_up)
{
	char *s = render(3, true, ZG_CLASSROOM);
	static const char *const keys[] = {"{\"version\":1,\"status\":\"pass\",\"max_score\":20,\"tests\":[",
					   "{\"name\":\"3 sendfile: compiles\",\"status\":\"pass\",\"score\":0,\"message\":",
					   "\"name\":\"3 sendfile: rules and copy target: 1 MiB, cold cache\",\"status\":\"pass\",\"score\":5,",
					   "\"line_no\":0}]}\n"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		cr_expect(strstr(s, keys[i]) != NULL, "missing %s in %s", keys[i], s);
	free(s);
	s = render(3, false, ZG_CLASSROOM);
	cr_expect(strstr(s, "\"status\":\"fail\",\"max_score\":20,") != NULL, "%s", s);
	cr_expect(strstr(s, "\"status\":\"pass\",\"score\":1") == NULL, "a skeleton earns nothing: %s", s);
	free(s);
}

Test(grader, one_test_exits_by_that_test)
{
	const char *pass[] = {"grade", "--stage", "3", "--solution", "--test", "robust: EINTR injected", NULL};
	struct cli r = run_cli(pass);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "Points 2/2") != NULL, "that test alone: %s", r.out);
	const char *fail[] = {"grade", "--stage", "3", "--test", "3 sendfile: robust: EINTR injected", NULL};
	r = run_cli(fail);
	cr_expect_eq(r.status, 1, "the skeleton fails it: %s%s", r.out, r.err);
	const char *none[] = {"grade", "--stage", "3", "--test", "robust: no such test", NULL};
	r = run_cli(none);
	cr_expect_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_expect(strstr(r.err, "no test named") != NULL, "%s", r.err);
}

Test(grader, autolab_ends_with_the_scores_line)
{
	char *s = render(0, true, ZG_AUTOLAB);
	char *last = s + strlen(s) - 1;
	*last = 0; /* the final newline */
	char *nl = strrchr(s, '\n');
	cr_assert_not_null(nl);
	/* every stage at 20, then the total */
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	char want[1024] = "{\"scores\": {", board[256] = "";
	for (size_t i = 0; i < n; i++) {
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s\"%02d-%s\": 20", i ? ", " : "",
			 st[i].num, st[i].slug);
		snprintf(board + strlen(board), sizeof board - strlen(board), "20, ");
	}
	snprintf(want + strlen(want), sizeof want - strlen(want), "}, \"scoreboard\": [%s%zu]}", board, 20 * n);
	cr_expect_str_eq(nl + 1, want);
	free(s);
}

Test(grader, text_ends_with_points)
{
	char *s = render(1, false, ZG_TEXT);
	cr_expect(strstr(s, "\nPoints 0/20\n") != NULL, "%s", s);
	free(s);
}

Test(grader, a_result_file_is_written_even_when_the_grader_fails)
{
	char out[] = "/var/tmp/zcl-results-XXXXXX";
	close(mkstemp(out));
	setenv("ZCL_SCRATCH", "/nonexistent/zcl", 1); /* nowhere to run */
	const char *argv[] = {"grade", "--format", "gradescope", "--out", out, NULL};
	struct cli r = run_cli(argv);
	unsetenv("ZCL_SCRATCH");
	cr_expect_eq(r.status, 2, "an environment error: %s", r.err);
	FILE *f = fopen(out, "r");
	char text[8192] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	unlink(out);
	cr_expect(strstr(text, "\"score\":0") != NULL, "%s", text);
	cr_expect(strstr(text, "INTERNAL ERROR") != NULL, "%s", text);
}

Test(grader, autolab_lists_every_stage_when_the_grader_fails)
{
	setenv("ZCL_SCRATCH", "/nonexistent/zcl", 1); /* nowhere to run */
	const char *argv[] = {"grade", "--format", "autolab", NULL};
	struct cli r = run_cli(argv);
	unsetenv("ZCL_SCRATCH");
	cr_expect_eq(r.status, 2, "an environment error: %s", r.err);
	char *last = strrchr(r.out, '{');
	cr_assert_not_null(last, "%s", r.out);
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	char want[1024] = "{\"scores\": {", board[256] = "";
	for (size_t i = 0; i < n; i++) {
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s\"%02d-%s\": 0", i ? ", " : "", st[i].num,
			 st[i].slug);
		snprintf(board + strlen(board), sizeof board - strlen(board), "0, ");
	}
	snprintf(want + strlen(want), sizeof want - strlen(want), "}, \"scoreboard\": [%s0]}\n", board);
	cr_expect_str_eq(strstr(r.out, "{\"scores\""), want);
	/* and with nothing graded at all */
	memset(&g, 0, sizeof g);
	snprintf(g.internal_error, sizeof g.internal_error, "the grader stopped before it finished");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	zcl_grade_write(m, &g, ZG_AUTOLAB);
	fclose(m);
	cr_expect(strstr(buf, want) != NULL, "%s", buf);
	free(buf);
}

Test(grader, bad_format_is_a_usage_error)
{
	const char *argv[] = {"grade", "--format", "csv", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "--format") != NULL, "%s", r.err);
}

Test(grader, selfcheck_passes_on_this_tree)
{
	const char *argv[] = {"selfcheck", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "selfcheck: ok") != NULL, "%s", r.out);
}

Test(grader, binary_output_of_a_submission_keeps_every_format_valid_utf8)
{
	/* a common bug: the file goes to stdout instead of the socket */
	fake_root(1, "#include <unistd.h>\n#include \"zcl.h\"\n"
		     "int send_file(int f, int s, size_t z) { char b[4096]; (void)s; (void)z; ssize_t n;\n"
		     "  while ((n = read(f, b, sizeof b)) > 0) if (write(1, b, (size_t)n) != n) return -1;\n"
		     "  return n < 0 ? -1 : 0; }\n");
	enum zcl_grade_format fmts[] = {ZG_GRADESCOPE, ZG_JSON, ZG_JUNIT};
	for (size_t f = 0; f < 3; f++) {
		char *s = render(1, false, fmts[f]);
		for (const char *p = s; *p;) {
			size_t n = zcl_utf8_len(p);
			cr_assert_gt(n, 0, "format %zu: invalid UTF-8 at offset %td", f, p - s);
			p += n;
		}
		free(s);
	}
	drop_fake_root();
}
