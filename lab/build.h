/*
 * build.h - compile a stage (the student's exercise or the reference
 * solution) together with the lab's harness main().
 */
#ifndef ZCL_BUILD_H
#define ZCL_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "stages.h"

/* The lab's source tree (where lab/, exercises/, solutions/ are): $ZCL_ROOT,
 * else the directory of the running zcl binary. Static storage. */
const char *zcl_root(void);

/* Path of a stage's source: ROOT/exercises/NN-slug.c or ROOT/solutions/...
 * into buf. */
void zcl_stage_source(const struct zcl_stage *s, bool solution, char *buf, size_t len);

/* The folder stage binaries are kept in, ROOT/build/stages, into buf
 * (ROOT/build made if missing). 0, or -1 when ROOT/build cannot be
 * written (the caller builds into a run's scratch directory then). */
int zcl_build_dir(char *buf, size_t len);

/*
 * Build the stage binary into out_dir (created if missing) and put its path
 * in bin. Rebuilds only when a source is newer than the binary. The harness
 * is compiled once per contract, into out_dir too (or found in
 * $ZCL_HARNESS_DIR), and linked with each build of the student's file.
 * Returns 0 when it built, 1 when the compiler rejected the code (its
 * diagnostics in *diag, malloc'd, caller frees), -1 with a message in err
 * when building was impossible (no compiler, no source file).
 */
int zcl_build_stage(const struct zcl_stage *s, bool solution, const char *out_dir,
		    char *bin, size_t binlen, char **diag, char *err, size_t errlen);

/*
 * Compile the lab's harness for every stage's contract into dir (made if
 * missing), where it is not there already, so that the students of a class
 * link it instead of compiling it again: their graders find it through
 * $ZCL_HARNESS_DIR. Sources from zcl_root(). 0, or -1 with a message in
 * err (no compiler, the harness does not compile, dir not writable).
 */
int zcl_build_harnesses(const char *dir, char *err, size_t errlen);

#endif
