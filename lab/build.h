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

/*
 * Build the stage binary into out_dir (created if missing) and put its path
 * in bin. Rebuilds only when a source is newer than the binary.
 * Returns 0 when it built, 1 when the compiler rejected the code (its
 * diagnostics in *diag, malloc'd, caller frees), -1 with a message in err
 * when building was impossible (no compiler, no source file).
 */
int zcl_build_stage(const struct zcl_stage *s, bool solution, const char *out_dir,
		    char *bin, size_t binlen, char **diag, char *err, size_t errlen);

#endif
