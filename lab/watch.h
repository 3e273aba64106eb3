/*
 * watch.h - notice when the student saves an exercise (zcl watch).
 *
 * An inotify watch on ROOT/exercises reports files closed after writing,
 * created, or renamed into place (editors that write a temporary file and
 * rename it over the old one). A change counts once the file has been
 * quiet for ZCL_WATCH_DEBOUNCE_MS, so one save - or a burst of them - is
 * one rebuild. Without inotify the caller falls back to a manual re-check.
 */
#ifndef ZCL_WATCH_H
#define ZCL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stages.h"

#include "params.h"

#ifndef ZCL_WATCH_DEBOUNCE_MS
#define ZCL_WATCH_DEBOUNCE_MS 300         /* watch: a saved exercise counts once it was quiet this long */
#endif
#define ZCL_WATCH_MAX_STAGE 63            /* highest stage number the watch tracks */

struct zcl_watch {
	int fd;                 /* inotify descriptor, -1 when closed or unavailable */
	int wd;                 /* the watch on ROOT/exercises, -1 while the directory is gone */
	char dir[4096];         /* ROOT/exercises */
	/* per stage number: CLOCK_MONOTONIC ns of its last event, 0 when settled */
	int64_t last_ns[ZCL_WATCH_MAX_STAGE + 1];
	char err[512];          /* why zcl_watch_open or zcl_watch_changed failed */
};

/* Start watching zcl_root()/exercises. 0, or -1 with one line in w->err
 * ("inotify unavailable: ...: press r to re-check by hand"); w->fd is then
 * -1 and zcl_watch_close is still safe. */
int zcl_watch_open(struct zcl_watch *w);

/* The descriptor to poll(2) for POLLIN beside the keyboard, or -1. */
int zcl_watch_fd(const struct zcl_watch *w);

/* Milliseconds until zcl_watch_changed has something to do: the next
 * pending change settles, or (while exercises/ is gone) it looks for the
 * directory again. -1 when nothing is pending: a poll timeout for the
 * caller's loop. Can't fail. */
int zcl_watch_timeout(const struct zcl_watch *w);

/*
 * Wait up to timeout_ms (0: just look; -1: forever) for an exercise file to
 * settle after a change. Returns 1 with its stage number in *stage_num, 0 on
 * timeout or when a signal interrupted the wait, -1 with w->err set when the
 * watch is broken. When several stages changed together, each is returned
 * by its own call, lowest number first. Non-stage files are ignored.
 */
int zcl_watch_changed(struct zcl_watch *w, int timeout_ms, int *stage_num);

/* Stop watching. Can't fail; safe on a watch that failed to open. */
void zcl_watch_close(struct zcl_watch *w);

/*
 * Is stage s done? Done means the stage's full grade, as `zcl grade --stage
 * N --seed SEED` gives it (a pass in one check is not enough: a sendfile()
 * with no loop passes a check and loses the short-transfer points). Grades
 * the exercise; *score and *max get its points; why gets one line: the
 * first test that lost points, or an environment error (then false and
 * *max is 0). Takes about a second.
 */
bool zcl_watch_full_grade(const struct zcl_stage *s, uint64_t seed, double timeout_s,
			  double *score, double *max, char *why, size_t len);

/* The lowest stage number whose progress is not verified (see progress.h),
 * or 0 when every stage is done. Can't fail. */
int zcl_watch_first_pending(void);

#endif
