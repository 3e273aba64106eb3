/*
 * scratch.h - where runs keep their files, and removing them whatever a
 * submission left inside (zcl_rm_rf is declared in runner.h).
 */
#ifndef ZCL_SCRATCH_H
#define ZCL_SCRATCH_H

/* $ZCL_SCRATCH, else /var/tmp. Static storage or the environment's. */
const char *zcl_scratch_base(void);

/* A zcl killed with SIGKILL cannot clean up after itself: remove its run
 * directories (zcl-XXXXXX under the base) a day old or more. Can't fail. */
void zcl_scratch_sweep(void);

/* A new folder zcl-XXXXXX under the base, mode 0755 (a private base for a
 * child's ZCL_SCRATCH: the sandbox's uid must reach the run directories
 * inside; zcl_scratch_sweep knows the name). malloc'd path, or NULL with
 * errno. The caller removes it with zcl_rm_rf. */
char *zcl_scratch_private(void);

#endif
