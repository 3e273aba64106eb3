/*
 * buildahead.h - compile a grade's stages in a helper process while the
 * runs of the stages before them go on, so the compiler's CPU fills the
 * time the runs spend waiting (the disk of a cold cache, the loopback).
 */
#ifndef ZCL_BUILDAHEAD_H
#define ZCL_BUILDAHEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "stages.h"

/* Start a helper that builds st[i] for every want[i] (n rows of
 * zcl_stages()), in that order, into dir (zcl_build_dir's), the exercises
 * or the solutions. Nothing happens when fewer than two stages are wanted,
 * when this process has other threads (a fork would copy their locks), or
 * when the helper cannot be started: each build then happens in turn, as
 * without it. Can't fail. */
void zcl_build_ahead_start(const struct zcl_stage *st, const bool want[], size_t n, bool solution, const char *dir);

/* Before building s: wait until the helper is done with it (its binary is
 * then in place and up to date, or it did not compile and the caller's
 * build says why), or until the helper is gone. Returns at once for a
 * stage the helper was not asked for. Can't fail. */
void zcl_build_ahead_wait(const struct zcl_stage *s);

/* Tell the helper to stop after its current compile, and reap it. Can't fail. */
void zcl_build_ahead_stop(void);

#endif
