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

#endif
