/*
 * test_cli.c - the zcl binary as a user meets it: exit codes, one-line
 * errors, the JSON schema's fields, and `zcl trace` on a real program.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

struct bad_case { const char *argv[6]; const char *says; };

static struct bad_case bad[] = {
	{{"check", "99", NULL}, "unknown stage"},
	{{"check", "nosuch", NULL}, "unknown stage"},
	{{"check", NULL}, "which stage"},
	{{"check", "1", "--size", "lots", NULL}, "--size"},
	{{"check", "1", "--inject", "bogus", NULL}, "--inject"},
	{{"check", "1", "--file", "/nonexistent/input", NULL}, "No such file"},
	{{"check", "1", "--file", "/tmp", NULL}, "is a directory"},
	{{"check", "1", "--timeout", "-3", NULL}, "--timeout"},
	{{"check", "1", "--frobnicate", NULL}, "unknown"},
	{{"frobnicate", NULL}, "unknown command"},
	{{"trace", NULL}, "no command"},
	{{"trace", "--", "/nonexistent/prog", NULL}, "/nonexistent/prog: no such file"},
	{{"trace", "--", "/tmp", NULL}, "/tmp: is a directory"},
	{{"trace", "--", "/etc/passwd", NULL}, "/etc/passwd: not executable"},
	{{"trace", "--", "/dev/null", NULL}, "/dev/null: not a regular file"},
	{{"trace", "--", "zcl-no-such-command", NULL}, "zcl-no-such-command: command not found in PATH"},
};

ParameterizedTestParameters(cli, bad_input_exits_2_with_one_line)
{
	INDEX_PARAMS(bad);
}

ParameterizedTest(int *ix, cli, bad_input_exits_2_with_one_line)
{
	const struct bad_case *c = &bad[*ix];
	struct cli r = run_cli(c->argv);
	cr_expect_eq(r.status, 2, "%s %s: exit %d", c->argv[0], c->argv[1] ? c->argv[1] : "", r.status);
	cr_expect(strstr(r.err, c->says) != NULL, "stderr \"%s\" should say \"%s\"", r.err, c->says);
	char *nl = strchr(r.err, '\n');
	cr_expect(nl && nl[1] == 0, "exactly one line on stderr: \"%s\"", r.err);
}

Test(cli, help_is_printed_and_exits_0)
{
	const char *argv[] = {"--help", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: zcl") && strstr(r.out, "check STAGE") && strstr(r.out, "COMMAND --help"),
		  "%s", r.out);
	const char *argv2[] = {"check", "--help", NULL};
	r = run_cli(argv2);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "--no-sg") && strstr(r.out, "--inject"), "%s", r.out);
}

Test(cli, check_json_has_the_documented_fields)
{
	const char *argv[] = {"check", "sendfile", "--solution", "--json", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "stderr: %s", r.err);
	static const char *const fields[] = {
		"\"stage\":3", "\"slug\":\"sendfile\"", "\"passed\":true", "\"verdict\":\"pass\"",
		"\"correct\":true", "\"expected_bytes\":1048576", "\"received_bytes\":1048576",
		"\"first_mismatch\":null", "\"syscalls\":{\"sendfile\":", "\"mode_switches\":",
		"\"copies\":{\"dma\":{\"count\":", "\"cpu\":{\"count\":0,\"bytes\":0}",
		"\"page_cache_filled_bytes\":", "\"sg\":true", "\"cache\":\"cold\"", "\"violations\":[]",
		"\"kernel\":{\"available\":true",
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		cr_expect(strstr(r.out, fields[i]) != NULL, "missing %s in %s", fields[i], r.out);
	cr_expect_eq(strchr(r.out, '\n'), r.out + strlen(r.out) - 1, "one object, one line");
}

Test(cli, a_failing_check_exits_1)
{
	const char *argv[] = {"check", "2", NULL}; /* the untouched skeleton */
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.out, "not-implemented") != NULL, "%s", r.out);
}

Test(cli, run_prints_one_line_per_syscall_with_totals)
{
	const char *argv[] = {"run", "1", "--solution", "--size", "200000", "--no-tui", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "read(3, ") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "write(4, ") != NULL);
	cr_expect(strstr(r.out, "CPU PC->user") != NULL);
	cr_expect(strstr(r.out, "| sys ") != NULL, "running totals on each line");
}

Test(cli, user_file_is_checked_against_its_own_bytes)
{
	char path[] = "/var/tmp/zcl-userfile-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "hello, zero copy\n", 17), 17);
	close(fd);
	const char *argv[] = {"check", "3", "--solution", "--file", path, "--json", NULL};
	struct cli r = run_cli(argv);
	unlink(path);
	cr_expect_eq(r.status, 0, "%s %s", r.out, r.err);
	cr_expect(strstr(r.out, "\"received_bytes\":17") != NULL, "%s", r.out);
}

Test(cli, trace_counts_a_real_copy_tool_and_agrees_with_the_kernel)
{
	char in[] = "/var/tmp/zcl-trace-XXXXXX", out[] = "/var/tmp/zcl-trace-out-XXXXXX";
	char log[] = "/var/tmp/zcl-trace-log-XXXXXX";
	int fd = mkstemp(in);
	close(mkstemp(out));
	close(mkstemp(log));
	static char buf[50000];
	memset(buf, 'x', sizeof buf);
	cr_assert_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
	close(fd);
	const char *argv[] = {"trace", "--summary", "-o", log, "--", "/bin/cat", in, NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_eq(strlen(r.out), sizeof buf, "the program's own output stays its own");
	FILE *f = fopen(log, "r");
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	cr_expect(strstr(text, "CPU copies") != NULL, "%s", text);
	cr_expect(strstr(text, "/proc/PID/io of the first process agrees") != NULL, "%s", text);
	unlink(in);
	unlink(out);
	unlink(log);
}

Test(cli, trace_json_writes_one_event_per_line)
{
	char log[] = "/var/tmp/zcl-trace-json-XXXXXX";
	close(mkstemp(log));
	const char *argv[] = {"trace", "--json", "-o", log, "--", "/bin/true", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0);
	FILE *f = fopen(log, "r");
	char line[8192];
	int lines = 0;
	while (fgets(line, sizeof line, f)) {
		cr_expect_eq(line[0], '{', "%s", line);
		cr_expect_eq(line[strlen(line) - 2], '}', "%s", line);
		lines++;
	}
	fclose(f);
	unlink(log);
	cr_expect_gt(lines, 2, "events plus the summary line");
}

Test(cli, tour_runs_the_four_stages_and_prints_the_table)
{
	const char *argv[] = {"tour", "--size", "64K", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "1 read() + write()") != NULL, "%s", r.out);
	cr_expect(strstr(r.out, "3 sendfile()") != NULL);
	cr_expect(strstr(r.out, "-> pass") != NULL);
	cr_expect(strstr(r.out, "-> rule") == NULL && strstr(r.out, "-> crash") == NULL);
}

/* Totals printed by `zcl trace --summary` (the lines after the first). */
static void trace_totals(const char *mode, const char *file, char *text, size_t len)
{
	char log[] = "/var/tmp/zcl-trace-mode-XXXXXX";
	close(mkstemp(log));
	const char *fast[] = {"trace", "--summary", "-o", log, "--", "/bin/sh", "-c", "cat \"$0\" | wc -c", file, NULL};
	const char *exact[] = {"trace", "--exact", "--summary", "-o", log, "--", "/bin/sh", "-c", "cat \"$0\" | wc -c", file, NULL};
	struct cli r = run_cli(strcmp(mode, "exact") ? fast : exact);
	cr_assert_eq(r.status, 0, "%s", r.err);
	FILE *f = fopen(log, "r");
	size_t n = fread(text, 1, len - 1, f);
	text[n] = 0;
	fclose(f);
	unlink(log);
}

Test(cli, trace_counters_and_exit_stops_give_the_same_totals)
{
	char in[] = "/var/tmp/zcl-trace-eq-XXXXXX";
	int fd = mkstemp(in);
	static char buf[200000];
	memset(buf, 'y', sizeof buf);
	cr_assert_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
	close(fd);
	char a[4096], b[4096];
	trace_totals("fast", in, a, sizeof a);
	trace_totals("exact", in, b, sizeof b);
	unlink(in);
	cr_expect(strstr(a, "agrees") != NULL, "%s", a);
	cr_expect(strstr(b, "agrees") != NULL, "%s", b);
	char *ca = strstr(a, "CPU copies"), *cb = strstr(b, "CPU copies");
	cr_assert(ca && cb);
	cr_expect_eq(strcspn(ca, "\n"), strcspn(cb, "\n"));
	cr_expect_eq(strncmp(ca, cb, strcspn(ca, "\n")), 0, "fast: %s\nexact: %s", a, b);
}

Test(cli, scratch_left_by_a_killed_zcl_is_swept_a_day_later)
{
	char old[] = "/var/tmp/zcl-XXXXXX", young[] = "/var/tmp/zcl-XXXXXX";
	cr_assert_not_null(mkdtemp(old));
	cr_assert_not_null(mkdtemp(young));
	struct timespec t[2] = {{.tv_sec = time(NULL) - 2 * 86400}, {.tv_sec = time(NULL) - 2 * 86400}};
	cr_assert_eq(utimensat(AT_FDCWD, old, t, 0), 0);
	const char *argv[] = {"check", "1", "--solution", "--size", "10", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_neq(access(old, F_OK), 0, "the two-day-old scratch directory is gone");
	cr_expect_eq(access(young, F_OK), 0, "a fresh one (maybe another run's) is left alone");
	rmdir(young);
}
