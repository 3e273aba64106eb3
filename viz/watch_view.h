/*
 * watch_view.h - the zcl watch screen, drawn on a canvas.
 *
 * The watch loop (the app) fills a zcl_watch_view from the progress file,
 * the watch engine and the latest stage run; zcl_watch_draw only reads it.
 * The view decides nothing: done/pending and verdicts come from the engine.
 */
#ifndef ZCL_WATCH_VIEW_H
#define ZCL_WATCH_VIEW_H

#include <stdbool.h>

#include "canvas.h"
#include "runner.h"
#include "stages.h"

#define ZCL_WATCH_VIEW_MAX 16 /* stages the list shows */

struct zcl_watch_view {
	int nstages;
	struct zcl_watch_view_stage {
		const struct zcl_stage *stage;
		bool done;              /* passed with the file's current bytes (zcl_progress_verified) */
	} stages[ZCL_WATCH_VIEW_MAX];
	int current;                    /* index into stages of the stage in focus */

	/* the current stage's latest check */
	bool checked;                   /* false: not checked since watch started */
	enum zcl_verdict verdict;
	char reason[256];               /* the checker's one line (zcl_run.reason) */
	const char *diag;               /* compiler output, or NULL; not owned */
	const char *hint;               /* shown instead of the errors while set, or NULL */
	const char *root;               /* "ROOT" stripped from "ROOT/..." paths in diag, or NULL */
	bool rebuilding;                /* a build + check is running now */

	char status[256];               /* bottom line: what just happened, or why saves are not seen */
};

/*
 * Draw the watch screen on c (cleared first): the stage list with [done]
 * marks and a progress bar, the current stage's verdict, its compiler
 * errors (wrapped, as many lines as fit), the status line and the keys.
 * Laid out for 80x24 and up; text carries every meaning, colour only
 * repeats it. Can't fail.
 */
void zcl_watch_draw(struct zcl_canvas *c, const struct zcl_watch_view *v);

#endif
