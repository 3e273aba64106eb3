/*
 * scratch.h - where runs keep their files, and removing them whatever a
 * submission left inside (zcl_rm_rf is declared in runner.h).
 */
#ifndef ZCL_SCRATCH_H
#define ZCL_SCRATCH_H

/* $ZCL_SCRATCH, else /var/tmp. Static storage or the environment's. */
const char *zcl_scratch_base(void);

/* Where compiles keep their job folders: $ZCL_CC_SCRATCH (a class's
 * grader as root: a private tmpfs, zcl_scratch_cc_tmpfs), else the base.
 * Static storage or the environment's. */
const char *zcl_scratch_cc_base(void);

/* As root, in a process of its own (a class's grader, before it execs):
 * a mount namespace of its own with a tmpfs of `bytes` at DIR/cc, named
 * in ZCL_CC_SCRATCH for its compiles. Every compile makes and removes a
 * dozen files (the job's sources, the compiler's temporaries); on ext4
 * without a journal each new inode is looked for past the ones deleted in
 * the last seconds, which a class deletes by the thousand. Nothing else
 * of the process moves: its runs' inputs stay on the disk (cold cache is
 * a lesson). The tmpfs goes with the namespace (mount_namespaces(7)).
 * 0, or -1 with errno (the compiles use the disk; the process may be in
 * a mount namespace of its own already, which changes nothing else). */
int zcl_scratch_cc_tmpfs(const char *dir, unsigned long long bytes);

/* A zcl killed with SIGKILL cannot clean up after itself: remove its run
 * directories (zcl-XXXXXX under the base) a day old or more. Can't fail. */
void zcl_scratch_sweep(void);

/* A new folder zcl-XXXXXX under the base, mode 0755 (a private base for a
 * child's ZCL_SCRATCH: the sandbox's uid must reach the run directories
 * inside; zcl_scratch_sweep knows the name). malloc'd path, or NULL with
 * errno. The caller removes it with zcl_rm_rf. */
char *zcl_scratch_private(void);

#endif
