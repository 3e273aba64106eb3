/*
 * grader.h - score submissions: many runs per stage, points per test.
 *
 * The grader is a consumer of stage runs: it decides points from each run's
 * verdict, never draws, never traces. Its tests are a table (grader.c); its
 * formats are written by grade_report.c.
 */
#ifndef ZCL_GRADER_H
#define ZCL_GRADER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stages.h"

#define ZCL_GRADE_MAX_TESTS 16
#define ZCL_GRADE_MAX_STAGES 16

enum zcl_tstatus { ZT_PASSED, ZT_FAILED, ZT_SKIPPED };

struct zcl_test_result {
	char name[96];
	double score, max_score;
	enum zcl_tstatus status;
	char output[1536];  /* what a student can act on */
	double seconds;     /* a timing field: differs between gradings */
};

struct zcl_stage_result {
	const struct zcl_stage *stage;
	struct zcl_test_result tests[ZCL_GRADE_MAX_TESTS];
	int ntests;
	double score, max_score;
};

struct zcl_grade {
	uint64_t seed;
	bool solution;
	struct zcl_stage_result stages[ZCL_GRADE_MAX_STAGES];
	int nstages;
	double score, max_score;
	double seconds;            /* a timing field */
	char internal_error[512];  /* set when the grader itself could not work */
};

enum zcl_grade_format { ZG_TEXT, ZG_JSON, ZG_GRADESCOPE, ZG_JUNIT, ZG_AUTOLAB, ZG_CLASSROOM, ZG_NFORMATS };

/* From now on, zcl_grade_run grades only the test called name: its full
 * name ("3 sendfile: robust: EINTR injected") or the part after the stage
 * ("robust: EINTR injected", then in every stage graded), plus the runs its
 * points depend on; the result holds that test alone, so the exit status
 * of `zcl grade --test NAME` is that test's. NULL or "": every test again.
 * name is borrowed (it must outlive the gradings). Can't fail; a name no
 * stage has is reported by zcl_grade_run. */
void zcl_grade_only_test(const char *name);

/* Grade stage `only` (0: every stage) of the exercises (or the solutions).
 * Always fills *g; on an environment error g->internal_error says what,
 * the stages not graded score 0, and -1 is returned. */
int zcl_grade_run(struct zcl_grade *g, int only, bool solution, uint64_t seed, double timeout_s);

struct zcl_run;

/* After `zcl check`: list the grade tests that run r did not cover (sizes,
 * cache, --inject, the small send buffer) and the command that runs them
 * all. Writes to out. Can't fail. */
void zcl_grade_not_run(FILE *out, const struct zcl_run *r);

/* One line naming the calls --inject disturbed in run r ("injected (seed
 * 42): 2 calls: writev #1 cut short -> 16384, ..."), so that `zcl run N
 * --inject KIND --seed S` shows them again; empty without --inject.
 * Can't fail. */
void zcl_grade_injected(const struct zcl_run *r, char *buf, size_t len);

/* Did every graded test pass? */
bool zcl_grade_all_passed(const struct zcl_grade *g);

/* "text" -> ZG_TEXT ...; -1 if unknown. */
int zcl_grade_format_parse(const char *name);

/* Write g in a format. Can't fail (errors of out are the caller's). */
void zcl_grade_write(FILE *out, const struct zcl_grade *g, enum zcl_grade_format f);

#endif
