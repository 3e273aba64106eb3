/*
 * class.h - grade a folder of submissions: one zcl grade per student, in
 * parallel, resumable, then a CSV and an HTML report for the class.
 *
 * A student is a sub-folder or an archive (.zip, .tar, .tar.gz, .tgz,
 * .tar.xz) of DIR, laid out as Gradescope's "export submissions", GitHub
 * Classroom's cloned repositories or Autolab's handin directory leave them.
 * Each student is graded by a separate `zcl grade --format json` process
 * with a lab tree of its own (harness, zcl.h, the student's stage files),
 * so nothing is shared between runs and a grader that crashes costs one
 * row, never the batch.
 */
#ifndef ZCL_CLASS_H
#define ZCL_CLASS_H

#include <stdbool.h>
#include <stdint.h>

struct zcl_class_opts {
	const char *dir;      /* the class folder (one entry per student) */
	const char *out;      /* results folder (created); NULL: DIR-results beside DIR */
	int jobs;             /* students graded at once, >= 1 */
	uint64_t seed;        /* passed to every grading */
	double timeout_s;     /* per stage run, as zcl grade --timeout */
	bool timeout_set;
	const char *stage;    /* grade one stage only, or NULL */
	bool solution;        /* grade the reference solutions (a check of the class tool) */
};

/*
 * Grade every student of o->dir. Writes OUT/students/NAME.json (zcl grade's
 * JSON), NAME.log (its stderr), NAME.key (what was graded, for resuming),
 * OUT/grades.csv and OUT/report.html. A student whose stage files, seed
 * and zcl are unchanged since the last run is not graded again.
 * Returns 0 when every student was graded (whatever the scores), 1 when
 * some could not be (their rows say why), 2 on a usage or environment
 * error (message on stderr): no folder, no students, cannot write OUT.
 */
int zcl_class_grade(const struct zcl_class_opts *o);

#endif
