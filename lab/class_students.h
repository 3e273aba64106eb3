/*
 * class_students.h - the students of a class folder and the lab tree each
 * is graded in (class_students.c); the batch that grades them is class.c.
 */
#ifndef ZCL_CLASS_STUDENTS_H
#define ZCL_CLASS_STUDENTS_H

#include <stdint.h>

#include "class_report.h"

/* asprintf(3) that cannot fail: out of memory, says so on stderr and exits
 * with EXIT_USAGE. The string is malloc'd, the caller's to free. */
char *zcl_class_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The students of dir: its sub-folders and archives (.zip, .tar, .tar.gz,
 * .tgz, .tar.xz), sorted by name, each with a results file stem unique in
 * the class ([A-Za-z0-9._~-]). *out: a malloc'd array, each entry freed
 * with zcl_student_free. Returns the count, or -1 with errno (opendir). */
int zcl_class_students(const char *dir, struct zcl_student **out);

/* Make work/lab for student s: lab/harness.c, exercises/zcl.h and one file
 * per stage (the student's, or the skeleton), unpacking an archive into
 * work/upload first (the tool's output appended to log). Sets s->found and
 * s->key (base_key, then every stage file's name and bytes). 0, or -1 with
 * a sentence in s->error. */
int zcl_class_prepare(struct zcl_student *s, const char *work, const char *log, uint64_t base_key);

/* In a child about to exec: no signal blocked (the batch blocks SIGCHLD),
 * stdin from /dev/null, stdout and stderr appended to log. Can't fail
 * (what cannot be opened stays as it was). */
void zcl_class_stdio_to(const char *log);

#endif
