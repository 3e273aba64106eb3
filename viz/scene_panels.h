/*
 * scene_panels.h - the scene's text parts (scene_panels.c), for scene.c:
 * the title bar, the side panel of figures, the lines under the lanes, and
 * the overlays.
 * Not a public API: only scene.c calls these.
 */
#ifndef ZCL_SCENE_PANELS_H
#define ZCL_SCENE_PANELS_H

#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "state.h"

/* Rows under the lanes, at least: the syscall, the sentence (2 lines), the
 * current copy's note or the verdict, the status line. */
#define ZCL_FOOTER_H 5

/* bytes as "512B", "64K", "1.5M", "2G" into buf; returns buf. Can't fail. */
const char *zcl_size_str(uint64_t bytes, char *buf, size_t len);

/* Row 0: the stage, and the run's switches (solution, SG, cache, step/run). */
void zcl_title_draw(struct zcl_canvas *c, const struct zcl_viz_state *s);

/* Totals, target and receiver in the w x h panel at (x, y). */
void zcl_panel_draw(struct zcl_canvas *c, const struct zcl_viz_state *s, int x, int y, int w, int h);

/* The rows from y to the bottom (at least ZCL_FOOTER_H; the sentence gets
 * up to two more lines when there is room). */
void zcl_footer_draw(struct zcl_canvas *c, const struct zcl_viz_state *s, int y);

/* s->overlay, if any, on top of what is drawn. */
void zcl_overlay_draw(struct zcl_canvas *c, const struct zcl_viz_state *s);

#endif
