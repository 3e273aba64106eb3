/*
 * scene.h - the whole screen of a stage run, drawn on a canvas.
 *
 * Left: three lanes (USER SPACE, KERNEL, HARDWARE) with the places bytes
 * visit, the process marker on its side of the user/kernel line, and the
 * current copy travelling along its arrow. Right: running totals, the
 * stage's target, the receiver. Below: the syscall, what the kernel is
 * doing, the verdict, the status line. Overlays (help, hint, comparison)
 * go on top. The scene reads the state and decides nothing.
 */
#ifndef ZCL_SCENE_H
#define ZCL_SCENE_H

#include <stdbool.h>

#include "canvas.h"
#include "state.h"

#define ZCL_SCENE_MIN_W 80 /* smallest canvas the scene is laid out for */
#define ZCL_SCENE_MIN_H 24

/* Draw everything s shows on c (cleared first). A canvas smaller than
 * ZCL_SCENE_MIN_W x ZCL_SCENE_MIN_H gets zcl_scene_too_small instead;
 * a bigger one gets wider boxes and longer arrows. Can't fail. */
void zcl_scene_draw(struct zcl_canvas *c, const struct zcl_viz_state *s);

/* Is a w x h terminal big enough for the scene? */
bool zcl_scene_fits(int w, int h);

/* Clear c and centre "terminal too small: need 80x24, have WxH" on it. */
void zcl_scene_too_small(struct zcl_canvas *c);

#endif
