/*
 * class_report.h - what a class grading knows about each student, and
 * the reports written from it: a CSV (one row per student) and a
 * self-contained HTML page (distributions, common verdicts, every
 * student's tests one click away). See class.c for the grading itself.
 */
#ifndef ZCL_CLASS_REPORT_H
#define ZCL_CLASS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct zcl_student {
	char *name;          /* as handed in (folder name, archive without suffix); malloc'd */
	char *path;          /* the folder or archive; malloc'd */
	char *file;          /* results file stem: [A-Za-z0-9._~-] only, unique; malloc'd */
	int archive;         /* index into class_students.c's archive table, -1 for a folder */
	unsigned found;      /* bit i set: stage i's file came from the upload */
	char key[17];        /* fingerprint of what was graded (hex) */
	char error[256];     /* non-empty: no result, and why */
	bool resumed;        /* an earlier result with the same key was kept */
	pid_t pid;           /* the grading child while it runs, else 0 */
	int cpu;             /* the CPU that child runs on */
	time_t started;      /* when it started, for the per-student limit */
};

/* Free what zcl_class_students() allocated for s. Can't fail. */
void zcl_student_free(struct zcl_student *s);

/* Write key (a line) to path, the record that lets a resumed class keep a
 * student's result; key NULL, or a failed write: path is removed instead.
 * Can't fail otherwise. */
void zcl_class_key_put(const char *path, const char *key);

/* Does path hold a zcl grade JSON result (an object with "stages")? */
bool zcl_class_result_ok(const char *path);

/* Show progress on stderr: a bar on a terminal, a line per change otherwise. */
void zcl_class_progress(const struct zcl_student *v, int n, int done);

/*
 * Read every student's OUT/students/FILE.json, write OUT/grades.csv and
 * OUT/report.html (each written to a temporary name, then renamed) and
 * print one line per student on stdout. Every string from a submission is
 * escaped for its format (CSV quoting with a guard against spreadsheet
 * formulas, HTML entities). Returns 0 when every student has a result, 1
 * when some have none (their rows say why), 2 when a report cannot be
 * written (message on stderr).
 */
int zcl_class_report(const struct zcl_student *v, int n, const char *out, const char *students);

#endif
