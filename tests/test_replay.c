/*
 * test_replay.c - a recorded run played back: the same steps, the same
 * totals, the same text as live; and files that are not whole recordings
 * refused in one line with exit status 2.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "helpers.h"
#include "record.h"
#include "runner.h"

static char path[64];

static void make_path(void)
{
	snprintf(path, sizeof path, "/var/tmp/zcl-rec-test-XXXXXX");
	close(mkstemp(path));
}

static void drop_path(void)
{
	unlink(path);
}

/* Record stage `num` with the zcl binary; its stdout (static storage). */
static char *record(int num, const char *size)
{
	char n[8];
	snprintf(n, sizeof n, "%d", num);
	const char *argv[] = {"run", n, "--solution", "--size", size, "--no-tui", "--record", path, NULL};
	struct cli c = run_cli(argv);
	cr_assert_eq(c.status, 0, "the live run passes: %s", c.err);
	return c.out;
}

/* Everything after the first line (the heading names the run or the file). */
static const char *body(const char *out)
{
	const char *nl = strchr(out, '\n');
	return nl ? nl + 1 : out;
}

Test(replay, replay_prints_what_the_live_run_printed, .init = make_path, .fini = drop_path, .timeout = 30)
{
	char *live = strdup(record(1, "150K"));
	const char *argv[] = {"replay", path, NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect_str_eq(body(c.out), body(live), "the timeline, totals and verdict as live");
	cr_expect(strstr(c.out, "syscalls       6") != NULL, "150K in 64K reads and writes:\n%s", c.out);
	free(live);
}

Test(replay, json_replay_equals_the_live_json_stream, .init = make_path, .fini = drop_path, .timeout = 30)
{
	const char *live_argv[] = {"run", "4", "--solution", "--size", "50K", "--json", "--record", path, NULL};
	struct cli live = run_cli(live_argv);
	cr_assert_eq(live.status, 0, "%s", live.err);
	char *want = strdup(live.out);
	const char *argv[] = {"replay", path, "--json", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect_str_eq(c.out, want, "every event line and the result line, as live");
	free(want);
}

/* A sink that only counts. */
static void count(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	zcl_account_step(ctx, r, ev, n);
}

Test(replay, replay_of_a_recorded_run_equals_the_live_runs_final_totals, .init = make_path, .fini = drop_path,
     .timeout = 30)
{
	size_t nst;
	const struct zcl_stage *st = zcl_stages(&nst);
	for (size_t i = 0; i < nst; i++) {
		struct zcl_run live = {.stage = &st[i], .solution = true, .size = 100000, .seed = 7, .sg = true,
				       .timeout_s = 10};
		char err[512];
		struct zcl_recorder *rec = zcl_record_open(path, &live, err, sizeof err);
		cr_assert_not_null(rec, "%s", err);
		struct zcl_sink sink = {.ctx = rec, .step = zcl_record_step};
		live.sinks = &sink;
		live.nsinks = 1;
		cr_assert_eq(zcl_run_stage(&live, err, sizeof err), 0, "%s", err);
		cr_assert_eq(zcl_record_close(rec, &live, err, sizeof err), 0, "%s", err);

		struct zcl_totals seen;
		zcl_account_init(&seen);
		struct zcl_sink counter = {.ctx = &seen, .step = count};
		struct zcl_run back;
		cr_assert_eq(zcl_record_replay(path, &counter, 1, &back, err, sizeof err), 0, "%s", err);
		const struct zcl_totals *a = &live.totals, *b = &seen;
		cr_expect(a->syscalls == b->syscalls && a->mode_switches == b->mode_switches &&
			  a->dma.bytes == b->dma.bytes && a->cpu.bytes == b->cpu.bytes && a->ref.bytes == b->ref.bytes &&
			  a->filled_bytes == b->filled_bytes && a->delivered_bytes == b->delivered_bytes,
			  "stage %d: the replayed steps add up to the live totals (%lu/%lu syscalls, %lu/%lu CPU bytes)",
			  st[i].num, (unsigned long)a->syscalls, (unsigned long)b->syscalls, (unsigned long)a->cpu.bytes,
			  (unsigned long)b->cpu.bytes);
		cr_expect_eq(back.verdict, live.verdict, "stage %d: the verdict", st[i].num);
		cr_expect_eq(back.stage, live.stage);
		cr_expect_eq(back.received_bytes, live.received_bytes);
		cr_expect_str_eq(back.reason, live.reason);
		zcl_run_free(&live);
		zcl_run_free(&back);
	}
}

/* zcl replay on `file`: exit 2, nothing on stdout, one line on stderr naming `why`. */
static void refused(const char *file, const char *why)
{
	const char *argv[] = {"replay", file, NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 2, "exit status 2 for %s: %s", why, c.err);
	cr_expect_str_empty(c.out, "nothing on stdout: %s", c.out);
	cr_expect(strstr(c.err, why) != NULL, "stderr says '%s': %s", why, c.err);
	cr_expect(strchr(c.err, '\n') == c.err + strlen(c.err) - 1, "one line: %s", c.err);
}

/* Rewrite path through a sed expression into path.new; returns that name. */
static const char *edited(const char *sed)
{
	static char out[128];
	snprintf(out, sizeof out, "%s.new", path);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s %s > %s", sed, path, out);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	return out;
}

Test(replay, a_recording_cut_short_is_refused_in_one_line, .init = make_path, .fini = drop_path, .timeout = 30)
{
	record(1, "100K");
	refused(edited("head -n 20"), "incomplete");
	refused(edited("head -c 1500"), "incomplete");
	refused(edited("grep -v '^end$'"), "incomplete");
	unlink(edited("true"));
}

Test(replay, a_file_that_is_not_a_recording_is_refused_in_one_line, .init = make_path, .fini = drop_path)
{
	record(3, "10K");
	refused(getenv("ZCL_BIN"), "not a zcl recording");
	refused("/nonexistent/recording", "cannot read");
	refused(edited("sed 's/^zcl-record [0-9]*$/zcl-record 99/'"), "version 99");
	refused(edited("sed 's/^arch\t.*/arch\tpdp11/'"), "recorded on pdp11");
	refused(edited("sed 's/^totals\t\\([0-9]*\\)/totals\t1\\1/'"), "damaged");
	refused(edited("sed 's/^E\t/E\tx/'"), "not a line of a zcl recording");
	refused(edited("sed 's/^setup\tsendfile/setup\tnosuchstage/'"), "not in this lab");
	unlink(edited("true"));
}

Test(replay, a_run_that_did_not_finish_leaves_an_earlier_recording_alone, .init = make_path, .fini = drop_path)
{
	FILE *f = fopen(path, "w");
	fputs("an earlier recording\n", f);
	fclose(f);
	struct zcl_run r = {.stage = zcl_stage_find("1"), .size = 10};
	char err[512], part[128], text[64] = "";
	struct zcl_recorder *rec = zcl_record_open(path, &r, err, sizeof err);
	cr_assert_not_null(rec, "%s", err);
	cr_expect_eq(zcl_record_close(rec, NULL, err, sizeof err), 0, "%s", err);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_expect_not_null(fgets(text, sizeof text, f));
	fclose(f);
	cr_expect_str_eq(text, "an earlier recording\n", "q mid-run does not destroy the last whole recording");
	snprintf(part, sizeof part, "%s.part", path);
	cr_expect_neq(access(part, F_OK), 0, "no half recording is left behind");
}

Test(replay, a_recording_cannot_send_escape_sequences_to_the_terminal, .init = make_path, .fini = drop_path)
{
	record(3, "10K");
	/* the reason as a hostile sender would write it: ESC ] (OSC) and a C1 CSI */
	const char *hostile = edited("sed 's/^reason\t=.*/reason\t=\x1b]0;owned\x07 \xc2\x9b" "2J done/'");
	const char *argv[] = {"replay", hostile, NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect(strstr(c.out, "?]0;owned? ??2J done") != NULL, "the controls are shown as ?:\n%s", c.out);
	cr_expect(strchr(c.out, 0x1b) == NULL && strstr(c.out, "\xc2\x9b") == NULL, "no ESC, no C1 CSI");
	unlink(hostile);
}
