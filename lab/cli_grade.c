/*
 * cli_grade.c - the commands for classes: grade (many runs per stage, in
 * the formats graders read), selfcheck (skeletons fail, solutions pass) and
 * bench (the stages side by side, copies and untraced speed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "class.h"
#include "cli.h"
#include "compare.h"
#include "grader.h"
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
		return die("--format: expected text, json, gradescope, junit or autolab, got %s", o->format);
	const struct zcl_stage *only = NULL;
	if (o->stage && !(only = zcl_stage_find(o->stage)))
		return die("--stage: unknown stage: %s (zcl list shows them)", o->stage);
	static struct zcl_grade g;
	/* A result file exists from the start: if the grader dies, it says so. */
	memset(&g, 0, sizeof g);
	g.seed = o->seed;
	snprintf(g.internal_error, sizeof g.internal_error, "the grader stopped before it finished");
	if (o->out && write_grade(o->out, &g, (enum zcl_grade_format)f) < 0)
		return EXIT_USAGE;
	int rc = zcl_grade_run(&g, only ? only->num : 0, o->solution, o->seed, o->timeout_s);
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

int cmd_bench(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("bench: unexpected argument: %s", argv[i]);
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	struct zcl_compare_row rows[8];
	int k = 0;
	for (size_t j = 0; j < n && j < 8; j++) {
		char err[512];
		fprintf(stderr, "zcl bench: stage %d %s...\n", st[j].num, st[j].slug);
		if (zcl_compare_stage(&st[j], o->solution, o->size, o->seed, !o->no_sg, &rows[k], err, sizeof err) < 0) {
			fprintf(stderr, "zcl: bench: %s\n", err);
			return EXIT_USAGE;
		}
		k++;
	}
	zcl_compare_print(stdout, rows, k, zcl_memcpy_mb_per_s(), o->size);
	return 0;
}
