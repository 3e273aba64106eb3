/*
 * app_int.h - what app.c (the loop, keys and runs) and app_anim.c (the
 * event-stream sink that animates) share. Private to the app.
 */
#ifndef ZCL_VIZ_APP_INT_H
#define ZCL_VIZ_APP_INT_H

#include <stdbool.h>

#include "app.h"
#include "canvas.h"
#include "collect.h"
#include "pace.h"
#include "runner.h"
#include "state.h"

#define FRAME_MS 30      /* one animation frame */
#define STEP_COPY_MS 700 /* step mode: one copy's travel time */

struct app {
	struct zcl_app_opts o;
	struct zcl_run *run;     /* the run in progress, for the receiver's live count */
	struct zcl_viz_state s;
	struct zcl_canvas *cv;   /* the terminal's size */
	struct zcl_canvas *cast; /* the recording's size (--cast), or NULL */
	struct zcl_pace pace;
	bool quit;               /* q: leave */
	bool rerun;              /* a key changed the setup: run again */
	bool release;            /* step mode: let the held syscall run */
	bool skip;               /* f: the rest of this run without animation */
	bool fixed;              /* tour or replay: the setup keys do nothing */
	const char *message;     /* the tour's words for the status line, or NULL */
	const char *notice;      /* a one-off status message, until the next key */
	double last_draw;
	struct zcl_trace_view *tv; /* zcl trace --tui: its processes (trace_app.c), or NULL */
};

/* The one place that draws: the terminal, and the recording. */
void zcl_app_draw(struct app *a);

/* Apply a key. during_run: the program is alive (held or running). */
void zcl_app_key(struct app *a, int ch, bool during_run);

/* The speed in force: 9 after f (skip), else the chosen one. */
int zcl_app_speed(const struct app *a);

/* Monotonic milliseconds. */
double zcl_app_now_ms(void);

/* zcl trace --tui: show the next (dir 1) or previous (-1) process, or all
 * of them (trace_app.c). Can't fail. */
void zcl_trace_app_select(struct app *a, int dir);

/* The sink that animates the stream (ctx: struct app *). */
void zcl_app_on_entry(void *ctx, const struct zcl_sysrec *r);
void zcl_app_on_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n);

#endif
