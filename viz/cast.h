/*
 * cast.h - record what the screen shows as an asciinema v2 file (--cast),
 * for slides: one frame per drawn canvas, with its time.
 */
#ifndef ZCL_CAST_H
#define ZCL_CAST_H

#include "canvas.h"

/* Start a recording of w x h frames at path. 0, or -1 with errno. */
int zcl_cast_open(const char *path, int w, int h);

/* Add a frame (nothing when no recording is open). */
void zcl_cast_frame(const struct zcl_canvas *c);

/* Finish the recording. Safe when none is open. */
void zcl_cast_close(void);

#endif
