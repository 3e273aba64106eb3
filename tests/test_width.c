/*
 * test_width.c - piped text stays within 80 columns: the timeline of a
 * stage run and of zcl trace (a line that would pass the width goes on
 * over indented lines), and a stage run's result. Nothing is lost on the
 * way: every syscall's line and its running totals are still there.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Run a shell command; its stdout into out. Returns the status. */
static int sh(char *out, size_t len, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = 0;
	return pclose(p);
}

/* The widest line of text, in code points; its first line into worst. */
static int widest(const char *text, char *worst, size_t len)
{
	int most = 0;
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		int w = 0;
		for (size_t i = 0; i < n;) {
			size_t k = zcl_utf8_len(l + i);
			i += k ? k : 1;
			w++;
		}
		if (w > most) {
			most = w;
			snprintf(worst, len, "%.*s", (int)n, l);
		}
		l += n + (l[n] == '\n');
	}
	return most;
}

static char out[1 << 20];

Test(width, a_stage_runs_piped_text_stays_within_80_columns)
{
	char cmd[1024], worst[4096];
	for (int stage = 1; stage <= 4; stage += 3) { /* read+write, and gather: the longest lines */
		snprintf(cmd, sizeof cmd, "%s run %d --solution --size 100K --no-tui | cat", getenv("ZCL_BIN"), stage);
		cr_assert_eq(sh(out, sizeof out, cmd), 0, "%s", out);
		cr_expect_leq(widest(out, worst, sizeof worst), 80, "stage %d: %s", stage, worst);
		cr_expect(strstr(out, ": pass - ") != NULL, "the verdict is there:\n%s", out);
		/* the last syscall's running totals made it onto a line of their own or not */
		cr_expect(strstr(out, "| sys 4 ms 8") || strstr(out, "| sys 2 ms 4"), "totals kept:\n%s", out);
	}
}

Test(width, a_traces_timeline_piped_stays_within_80_columns_and_keeps_every_call)
{
	char cmd[1024], worst[4096];
	snprintf(cmd, sizeof cmd, "%s trace -- cat %s/lab/report.c 2>&1 >/dev/null", getenv("ZCL_BIN"),
		 getenv("ZCL_ROOT"));
	cr_assert_eq(sh(out, sizeof out, cmd), 0, "%s", out);
	char *end = strstr(out, "\nzcl trace: cat exited");
	cr_assert_not_null(end, "%s", out);
	*end = 0;
	char *timeline = strstr(out, "\n     1 ");
	cr_assert_not_null(timeline, "the first syscall:\n%s", out);
	cr_expect_leq(widest(timeline, worst, sizeof worst), 80, "%s", worst);
	/* every call has its line, in order, and each its totals */
	long calls = 0;
	for (char *l = timeline + 1; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
		if (l[0] == ' ' && strtol(l, NULL, 10) == calls + 1)
			calls++;
	cr_expect_gt(calls, 10, "%s", timeline);
	int totals = 0;
	for (char *p = timeline; (p = strstr(p, "| sys ")); p++)
		totals++;
	cr_expect_eq(totals, calls, "one running total per call:\n%s", timeline);
}
