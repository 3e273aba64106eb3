/*
 * cli_grade.c - the commands for classes: grade (many runs per stage, in
 * the formats graders read), selfcheck (skeletons fail, solutions pass) and
 * bench (the stages side by side, copies and untraced speed). A grade of
 * your own exercises keeps your progress (.zcl-progress), as zcl watch does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "class.h"
#include "cli.h"
#include "compare.h"
#include "grader.h"
#include "params.h"
#include "plot.h"
#include "progress.h"
#include "stages.h"

/* Write a grading to path atomically (a temporary file, then rename), or
 * to stdout. 0, or -1 after saying why. */
static int write_grade(const char *path, const struct zcl_grade *g, enum zcl_grade_format f)
{
	if (!path) {
		zcl_grade_write(stdout, g, f);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	FILE *out = fopen(tmp, "we");
	if (!out) {
		fprintf(stderr, "zcl: --out: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	zcl_grade_write(out, g, f);
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "zcl: --out: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The exercises' hashes before grading (a save during the run is not
 * credited), then the progress file (progress.h) after: a stage with its
 * full grade is done, any other is pending. Like zcl watch; failing to
 * write the file only loses the progress. */
static void hash_exercises(uint64_t *hash, bool *hashed)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (size_t k = 0; k < n; k++) {
		char src[4096];
		zcl_stage_source(&st[k], false, src, sizeof src);
		hashed[k] = zcl_progress_hash_file(src, &hash[k]) == 0;
	}
}

static void keep_progress(const struct zcl_grade *g, const uint64_t *hash, const bool *hashed)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (int k = 0; k < g->nstages; k++) {
		const struct zcl_stage_result *sr = &g->stages[k];
		size_t i = (size_t)(sr->stage - st);
		if (i >= n || !hashed[i])
			continue;
		if (sr->max_score > 0 && sr->score == sr->max_score)
			zcl_progress_mark(sr->stage, hash[i]);
		else
			zcl_progress_forget(sr->stage);
	}
}

/* grade --class DIR: the whole class (class.c). */
static int grade_class(const struct opts *o)
{
	if (o->format && strcmp(o->format, "json") != 0)
		return die("grade --class writes grades.csv and report.html; --format does not apply");
	struct zcl_class_opts co = {
		.dir = o->class_dir, .out = o->out, .jobs = o->jobs ? o->jobs : 1, .seed = o->seed,
		.timeout_s = o->timeout_s, .timeout_set = o->timeout_set, .stage = o->stage,
		.solution = o->solution,
	};
	return zcl_class_grade(&co);
}

int cmd_grade(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("grade: unexpected argument: %s (use --stage N)", argv[i]);
	if (o->class_dir)
		return grade_class(o);
	if (o->jobs)
		return die("grade: -j applies to --class only");
	int f = zcl_grade_format_parse(o->format ? o->format : "text");
	if (f < 0)
		return die("--format: expected text, json, gradescope, junit, autolab or classroom, got %s", o->format);
	const struct zcl_stage *only = NULL;
	if (o->stage && !(only = zcl_stage_arg("--stage: ", o->stage)))
		return EXIT_USAGE;
	static struct zcl_grade g;
	/* A result file exists from the start: if the grader dies, it says so. */
	memset(&g, 0, sizeof g);
	g.seed = o->seed;
	snprintf(g.internal_error, sizeof g.internal_error, "the grader stopped before it finished");
	if (o->out && write_grade(o->out, &g, (enum zcl_grade_format)f) < 0)
		return EXIT_USAGE;
	size_t nst;
	zcl_stages(&nst);
	uint64_t hash[nst];
	bool hashed[nst];
	hash_exercises(hash, hashed);
	int rc = zcl_grade_run(&g, only ? only->num : 0, o->solution, o->seed, o->timeout_s);
	/* a class's grader (class.c) grades a copy that is thrown away: no
	 * progress file to keep there (nine fsync(2)s a student) */
	const char *keep = getenv("ZCL_KEEP_PROGRESS");
	if (rc == 0 && !interrupted && !o->solution && !(keep && !strcmp(keep, "no")))
		keep_progress(&g, hash, hashed);
	if (interrupted)
		snprintf(g.internal_error, sizeof g.internal_error, "interrupted by %s", strsignal(interrupted));
	if (write_grade(o->out, &g, (enum zcl_grade_format)f) < 0)
		return EXIT_USAGE;
	if (rc < 0 || interrupted) {
		fprintf(stderr, "zcl: grade: %s\n", g.internal_error);
		return EXIT_USAGE;
	}
	return zcl_grade_all_passed(&g) ? 0 : EXIT_FAIL;
}

/* Instructor check: the skeletons must earn nothing, the solutions everything. */
int cmd_selfcheck(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("selfcheck: unexpected argument: %s", argv[i]);
	static struct zcl_grade skel, sol;
	if (zcl_grade_run(&skel, 0, false, o->seed, o->timeout_s) < 0 ||
	    zcl_grade_run(&sol, 0, true, o->seed, o->timeout_s) < 0) {
		fprintf(stderr, "zcl: selfcheck: %s%s\n", skel.internal_error, sol.internal_error);
		return EXIT_USAGE;
	}
	bool ok = true;
	for (int k = 0; k < skel.nstages && k < sol.nstages; k++) {
		const struct zcl_stage_result *a = &skel.stages[k], *b = &sol.stages[k];
		bool skel_ok = a->score == 0, sol_ok = b->score == b->max_score;
		printf("stage %d %-10s skeleton %4g/%-3g %-16s solution %4g/%-3g %s\n", a->stage->num,
		       a->stage->slug, a->score, a->max_score, skel_ok ? "(fails: good)" : "(EARNS POINTS)",
		       b->score, b->max_score, sol_ok ? "(passes: good)" : "(LOSES POINTS)");
		ok = ok && skel_ok && sol_ok;
	}
	printf("selfcheck: %s (seed %llu, %.1f s)\n", ok ? "ok" : "FAILED", (unsigned long long)o->seed,
	       skel.seconds + sol.seconds);
	return ok ? 0 : EXIT_FAIL;
}

/* The largest of n sizes (bytes); *smallest gets the least. */
static uint64_t size_range(const uint64_t *sizes, size_t n, uint64_t *smallest)
{
	uint64_t big = 0;
	*smallest = UINT64_MAX;
	for (size_t k = 0; k < n; k++) {
		big = sizes[k] > big ? sizes[k] : big;
		*smallest = sizes[k] < *smallest ? sizes[k] : *smallest;
	}
	return big;
}

/* zcl bench: the sender's CPU per GiB and throughput, every stage, a
 * sweep of sizes and chunks, warm and cold (compare.c, bench_report.c). */
int cmd_bench(int argc, char **argv, struct opts *o)
{
	if (o->size == ZCL_DEFAULT_SIZE)
		o->size = 256u << 20; /* long enough that a round is not all TCP slow start */
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("bench: unexpected argument: %s", argv[i]);
	char err[512], gp[4096];
	if (o->plot && !zcl_gnuplot_found(gp, sizeof gp))
		return die("%s", ZCL_GNUPLOT_MISSING);
	if (o->receiver && strcmp(o->receiver, "discard") && strcmp(o->receiver, "copy"))
		return die("--receiver: expected discard or copy, got %s", o->receiver);
	char *end = NULL;
	long rounds = o->rounds ? strtol(o->rounds, &end, 10) : 5;
	if (o->rounds && (*end || end == o->rounds || rounds < 1 || rounds > 1000))
		return die("--rounds: not a number from 1 to 1000: %s", o->rounds);
	uint64_t one_size = o->size, own = 0, *sizes = &one_size, *chunks = &own;
	size_t nsizes = 1, nchunks = 1;
	if ((o->sizes && zcl_bench_parse_list(o->sizes, false, &sizes, &nsizes, err, sizeof err) < 0) ||
	    (o->chunks && zcl_bench_parse_list(o->chunks, true, &chunks, &nchunks, err, sizeof err) < 0)) {
		if (sizes != &one_size)
			free(sizes);
		return die("%s", err);
	}
	uint64_t smallest, biggest = size_range(sizes, nsizes, &smallest);
	if (smallest == 0) {
		if (sizes != &one_size)
			free(sizes);
		if (chunks != &own)
			free(chunks);
		return die("%s: 0 bytes leave nothing to time (a figure per GiB needs bytes): sizes start at 1",
			   o->sizes ? "--sizes" : "--size");
	}
	struct zcl_bench b = {
		.solution = o->solution, .copy_receiver = o->receiver && !strcmp(o->receiver, "copy"), .sg = !o->no_sg,
		.rounds = (int)rounds, .seed = o->seed, .sizes = sizes, .nsizes = nsizes, .chunks = chunks,
		.nchunks = nchunks, .warm = o->warm || !o->cold, .cold = o->cold || !o->warm, .progress = stderr,
		.interrupted = &interrupted,
		/* a slow disk reads a cold GiB in a minute: allow 16 MiB/s */
		.timeout_s = o->timeout_set ? o->timeout_s : 30 + (double)(biggest >> 24),
	};
	int rc = zcl_bench_run(&b, err, sizeof err);
	if (rc == 0) {
		if (o->json)
			zcl_bench_print_json(stdout, &b);
		else
			zcl_bench_print_text(stdout, &b);
		if (o->plot && zcl_bench_plot(&b, o->plot, err, sizeof err) < 0)
			rc = -1;
		else if (o->plot)
			fprintf(stderr, "zcl bench: plot written to %s\n", o->plot);
	}
	if (rc < 0 && !interrupted) /* main() says it was interrupted */
		fprintf(stderr, "zcl: bench: %s\n", err);
	zcl_bench_free(&b);
	if (sizes != &one_size)
		free(sizes);
	if (chunks != &own)
		free(chunks);
	return rc < 0 ? EXIT_USAGE : 0;
}
