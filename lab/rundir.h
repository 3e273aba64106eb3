/*
 * rundir.h - a run's directory on the scratch filesystem: DIR (the lab's,
 * read-only to the program) holding the binary and the input, DIR/work
 * (the program's scratch where it has no tmpfs of its own) and DIR/view
 * (where its filesystem view is built). A grade keeps it from one of its
 * runs to the next, emptied and checked in between.
 */
#ifndef ZCL_RUNDIR_H
#define ZCL_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/* A directory for a run into dir: the kept one when there is one and it
 * holds nothing but what a run leaves (checked), else a new one. 0, or -1
 * with a sentence in err. */
int zcl_rundir_open(char *dir, size_t len, char *err, size_t errlen);

/* After the run: empty dir for the next run when runs keep it (the input
 * and output files go, the scratch is emptied), else remove it. Can't fail
 * (what cannot be emptied makes the next run start afresh). */
void zcl_rundir_close(const char *dir);

/* The stage binary bin at DIR/stage (its path into exe): a fresh copy,
 * unless the one there is a copy of the same bin (same inode, size, mtime
 * and ctime) left exactly as it was made, in the kept directory of a lab
 * whose programs run as another uid (as root: nothing they do can write
 * it; a 100 KiB rewrite a run, truncate and writeback, saved). 0, or -1
 * with errno. */
int zcl_rundir_stage(const char *dir, const char *bin, char *exe, size_t len);

/* Keep the directory between runs (true: one process's runs one after
 * another, a grade), or stop keeping it and remove it (false). Can't fail. */
void zcl_rundir_keep(bool keep);

#endif
