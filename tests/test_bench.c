/*
 * test_bench.c - zcl bench: the order the lesson promises (the fewer CPU
 * copies, the less CPU the sender spends per GiB), the plot, the JSON and
 * the options. No figure is asserted: only orderings, shapes and counts.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "helpers.h"
#include "plot.h"

/* The stage index of slug in b, or -1. */
static int stage_index(const struct zcl_bench *b, const char *slug)
{
	for (size_t i = 0; i < b->nstages; i++)
		if (!strcmp(b->stages[i].stage->slug, slug))
			return (int)i;
	return -1;
}

/* 128 MiB, warm, 5 rounds: long enough that TCP start-up and the clock
 * reads are noise, the median steady under a busy machine (about 3 s). */
Test(bench, sender_cpu_per_gib_orders_readwrite_above_mmap_above_sendfile, .timeout = 60)
{
	static const uint64_t size = 128u << 20, own = 0;
	struct zcl_bench b = {.solution = true, .sg = true, .rounds = 5, .seed = 7, .timeout_s = 30,
			      .sizes = &size, .nsizes = 1, .chunks = &own, .nchunks = 1, .warm = true};
	char err[512];
	cr_assert_eq(zcl_bench_run(&b, err, sizeof err), 0, "bench: %s", err);
	int rw = stage_index(&b, "readwrite"), mm = stage_index(&b, "mmap"), sf = stage_index(&b, "sendfile");
	cr_assert(rw >= 0 && mm >= 0 && sf >= 0, "the stage table has readwrite, mmap and sendfile");
	const struct zcl_bench_cell *a = zcl_bench_cell(&b, 0, 0, true, (size_t)rw),
				    *m = zcl_bench_cell(&b, 0, 0, true, (size_t)mm),
				    *s = zcl_bench_cell(&b, 0, 0, true, (size_t)sf);
	cr_assert(a->n == 5 && m->n == 5 && s->n == 5, "every round timed: %s %s %s", a->why, m->why, s->why);
	cr_expect_gt(a->cpu_s_gib.median, m->cpu_s_gib.median, "read+write %.3f s/GiB should cost more than mmap %.3f",
		     a->cpu_s_gib.median, m->cpu_s_gib.median);
	cr_expect_gt(m->cpu_s_gib.median, s->cpu_s_gib.median, "mmap %.3f s/GiB should cost more than sendfile %.3f",
		     m->cpu_s_gib.median, s->cpu_s_gib.median);
	cr_expect_gt(m->minflt_per_mib, s->minflt_per_mib, "mmap pays page faults, sendfile does not");
	zcl_bench_free(&b);
}

/* The whole contents of path (malloc'd), its length in *len. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s exists", path);
	static char buf[1 << 20];
	*len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

Test(bench, plot_is_an_svg_of_every_stage_or_says_what_to_install, .timeout = 60)
{
	char svg[] = "/var/tmp/zcl-test-plot-XXXXXX.svg", gp[4096];
	int fd = mkstemps(svg, 4);
	cr_assert(fd >= 0);
	close(fd);
	unlink(svg);
	const char *argv[] = {"bench", "--solution", "--sizes", "16K,256K", "--rounds", "1", "--warm", "--plot", svg, NULL};
	struct cli r = run_cli(argv);
	if (!zcl_gnuplot_found(gp, sizeof gp)) {
		cr_expect_eq(r.status, 2);
		cr_expect(strstr(r.err, "apt-get install gnuplot-nox"), "says what to install: %s", r.err);
		return;
	}
	cr_assert_eq(r.status, 0, "zcl bench --plot: %s", r.err);
	size_t len;
	const char *s = slurp(svg, &len);
	unlink(svg);
	cr_expect_gt(len, 1000u, "a real picture, not an empty file");
	cr_expect(strstr(s, "<svg") && strstr(s, "</svg>"), "an SVG document");
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (size_t i = 0; i < n; i++)
		cr_expect(strstr(s, st[i].slug), "the legend names stage %s", st[i].slug);
	cr_expect(strstr(s, "GiB"), "the axes say their units");
}

/* How many times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int k = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		k++;
	return k;
}

Test(bench, json_has_a_result_per_stage_size_chunk_and_cache, .timeout = 60)
{
	const char *argv[] = {"bench", "--solution", "--sizes", "8K,64K", "--chunk", "own,4K", "--rounds", "2",
			      "--receiver", "copy", "--json", NULL};
	struct cli r = run_cli(argv);
	cr_assert_eq(r.status, 0, "zcl bench --json: %s", r.err);
	size_t n;
	zcl_stages(&n);
	cr_expect(strstr(r.out, "\"schema\":\"zcl-bench/1\"") && strstr(r.out, "\"receiver\":\"copy\""));
	/* 2 sizes x 2 chunks x warm and cold, every stage */
	cr_expect_eq(count(r.out, "\"cache\":"), (int)(8 * n), "%s", r.out);
	cr_expect_eq(count(r.out, "\"cache\":\"cold\""), (int)(4 * n));
	cr_expect_eq(count(r.out, "\"chunk\":4096"), (int)(4 * n));
	cr_expect_eq(count(r.out, "\"timed\":true"), (int)(8 * n), "every cell timed: %s", r.out);
	cr_expect_eq(count(r.out, "\"sender_cpu_s_per_gib\":{\"median\":"), (int)(8 * n));
	cr_expect_eq(r.out[strlen(r.out) - 1], '\n');
}

struct bad { const char *opt, *val, *says; };

static const struct bad bads[] = {
	{"--sizes", "4Q", "--sizes"},
	{"--sizes", "", "--sizes"},
	{"--chunk", "0", "--chunk"},
	{"--size", "0", "--size"},
	{"--sizes", "4K,0", "--sizes"},
	{"--rounds", "0", "--rounds"},
	{"--receiver", "bogus", "--receiver"},
};

ParameterizedTestParameters(bench, a_bad_option_exits_2_with_one_line)
{
	INDEX_PARAMS(bads);
}

ParameterizedTest(int *ix, bench, a_bad_option_exits_2_with_one_line)
{
	const struct bad *c = &bads[*ix];
	const char *argv[] = {"bench", "--solution", c->opt, c->val, NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 2, "%s %s: exit %d", c->opt, c->val, r.status);
	cr_expect(strstr(r.err, c->says), "stderr \"%s\" names %s", r.err, c->says);
	char *nl = strchr(r.err, '\n');
	cr_expect(nl && nl[1] == 0, "one line: \"%s\"", r.err);
}

Test(bench, size_lists_take_units_and_chunk_lists_take_own)
{
	uint64_t *v;
	size_t n;
	char err[256];
	cr_assert_eq(zcl_bench_parse_list("4K,1M,2G,100", false, &v, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 4u);
	cr_expect(v[0] == 4096 && v[1] == (1u << 20) && v[2] == (2ull << 30) && v[3] == 100);
	free(v);
	cr_assert_eq(zcl_bench_parse_list("own,64KiB", true, &v, &n, err, sizeof err), 0, "%s", err);
	cr_expect(n == 2 && v[0] == 0 && v[1] == 65536);
	free(v);
	cr_expect_eq(zcl_bench_parse_list("own", false, &v, &n, err, sizeof err), -1, "own is a chunk, not a size");
	cr_expect_eq(zcl_bench_parse_list("1,,2", false, &v, &n, err, sizeof err), -1, "an empty item");
}

/* A bench with two timed stages at one size (warm only), readwrite steady
 * and stages[other] with rounds spread spread-fold, at chunk bytes per
 * call (0: own calls): the text printed. */
static char *printed_bench(double spread, uint64_t chunk, size_t other)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	cr_assert_gt(n, other);
	static const uint64_t size = 1 << 20;
	struct zcl_bench_stage stages[2] = {{.stage = &st[0]}, {.stage = &st[other]}};
	struct zcl_bench_cell cells[4] = {0};
	for (int i = 0; i < 2; i++) {
		cells[i] = (struct zcl_bench_cell){.stage = stages[i].stage, .size = size, .warm = true, .n = 3};
		cells[i].gib_s = (struct zcl_stat){1.0, 0.9, 1.1};
		cells[i].cpu_s_gib = (struct zcl_stat){0.3, 0.29, 0.31};
	}
	cells[1].gib_s = (struct zcl_stat){1.0, 0.5, 0.5 * spread};
	struct zcl_bench b = {.rounds = 3, .sizes = &size, .nsizes = 1, .chunks = &chunk, .nchunks = 1,
			      .warm = true, .stages = stages, .nstages = 2, .cells = cells, .ncells = 4,
			      .check_size = size, .memcpy_gib_s = 4};
	char *text = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&text, &len);
	cr_assert_not_null(o);
	zcl_bench_print_text(o, &b);
	fclose(o);
	return text;
}

static char *printed_with_spread(double spread) { return printed_bench(spread, 0, 2); }

/* The index of the stage that may use io_uring (stage 9). */
static size_t uring_stage(void)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (size_t i = 0; i < n; i++)
		if (st[i].allow_uring)
			return i;
	cr_assert_fail("no stage allows io_uring");
	return 0;
}

Test(bench, chunk_cap_says_it_does_not_reach_io_uring_operations)
{
	size_t u = uring_stage();
	char *capped = printed_bench(1, 4096, u), *own = printed_bench(1, 0, u), *other = printed_bench(1, 4096, 2);
	cr_expect(strstr(capped, "--chunk caps syscalls only; its io_uring operations (SQEs) keep"),
		  "capped io_uring stage: said:\n%s", capped);
	cr_expect_null(strstr(own, "--chunk caps"), "own calls: nothing to say:\n%s", own);
	cr_expect_null(strstr(other, "--chunk caps"), "no io_uring stage: nothing to say:\n%s", other);
	free(capped), free(own), free(other);
}

Test(bench, rounds_spread_past_three_fold_are_called_unsteady_by_stage)
{
	char *busy = printed_with_spread(10), *idle = printed_with_spread(1.5);
	cr_expect(strstr(busy, "unsteady: throughput varied more than 3x between rounds for sendfile."),
		  "the spread stage is named, the steady one is not:\n%s", busy);
	cr_expect_null(strstr(idle, "unsteady"), "steady rounds: no note:\n%s", idle);
	free(busy), free(idle);
}
