/*
 * watch_app.c - `zcl watch`: edit, save, it rebuilds and re-checks.
 *
 * Like rustlings: the screen shows every stage as done or pending, the
 * current stage's verdict and compiler errors. A save (seen by inotify,
 * debounced in lab/watch.c) re-checks that stage and makes it current; r
 * re-checks by hand (the fallback when inotify is missing); Enter animates
 * the current stage in the app; passes are kept in .zcl-progress and
 * re-verified against the file's bytes.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "build.h"
#include "keys.h"
#include "params.h"
#include "progress.h"
#include "runner.h"
#include "term.h"
#include "watch.h"
#include "watch_app.h"
#include "watch_view.h"

static struct zcl_watch_view view;
static char *diag; /* the view's diag points here */

static void refresh_done(void)
{
	for (int i = 0; i < view.nstages; i++)
		view.stages[i].done = zcl_progress_verified(view.stages[i].stage);
}

static void draw(struct zcl_canvas **cv)
{
	int w, h;
	zcl_term_size(&w, &h);
	if (!*cv || (*cv)->w != w || (*cv)->h != h) {
		zcl_canvas_free(*cv);
		*cv = zcl_canvas_new(w, h, !zcl_term_utf8());
		if (!*cv)
			return;
	}
	zcl_canvas_clear(*cv);
	zcl_watch_draw(*cv, &view);
	zcl_term_show(*cv);
}

/* Build and check the current stage; remember a pass. */
static void check(struct zcl_canvas **cv, const struct zcl_watch_opts *o)
{
	const struct zcl_stage *s = view.stages[view.current].stage;
	view.rebuilding = true;
	draw(cv);
	char src[4096], err[512];
	uint64_t hash = 0;
	zcl_stage_source(s, false, src, sizeof src);
	bool hashed = zcl_progress_hash_file(src, &hash) == 0; /* before the run: a later save is not credited */
	struct zcl_run r = {.stage = s, .size = o->size, .seed = o->seed, .sg = true, .timeout_s = o->timeout_s};
	free(diag);
	diag = NULL;
	view.diag = NULL;
	if (zcl_run_stage(&r, err, sizeof err) < 0) {
		snprintf(view.status, sizeof view.status, "%.250s", err);
		view.checked = false;
	} else {
		view.checked = true;
		view.verdict = r.verdict;
		snprintf(view.reason, sizeof view.reason, "%s", r.reason);
		diag = r.diag;
		r.diag = NULL;
		view.diag = diag;
		/* done = the stage's full grade, not one passing check (lab/watch.h) */
		double sc = 0, mx = 0;
		char why[200] = "";
		bool full = r.verdict == ZV_PASS && zcl_watch_full_grade(s, o->seed, o->timeout_s, &sc, &mx, why, sizeof why);
		if (full && hashed)
			zcl_progress_mark(s, hash);
		else if (hashed)
			zcl_progress_forget(s);
		if (r.verdict == ZV_PASS && !full)
			snprintf(view.reason, sizeof view.reason, "passes check; %g/%g in grade - %s", sc, mx, why);
		snprintf(view.status, sizeof view.status, "stage %d checked: %s%s", s->num, zcl_verdict_name(r.verdict),
			 r.verdict == ZV_PASS ? (full ? ", full grade: done" : ", not the full grade yet") : "");
	}
	zcl_run_free(&r);
	refresh_done();
	view.rebuilding = false;
	draw(cv);
}

int zcl_watch_run(const struct zcl_watch_opts *o, char *err, size_t errlen)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	memset(&view, 0, sizeof view);
	for (size_t i = 0; i < n && i < ZCL_WATCH_VIEW_MAX; i++)
		view.stages[view.nstages++].stage = &st[i];
	view.root = zcl_root();
	refresh_done();
	int first = zcl_watch_first_pending();
	view.current = first > 0 ? first - 1 : view.nstages - 1;

	struct zcl_watch w;
	bool watching = zcl_watch_open(&w) == 0;
	if (zcl_term_open(err, errlen) < 0) {
		zcl_watch_close(&w);
		return -1;
	}
	snprintf(view.status, sizeof view.status, "%.250s",
		 watching ? "watching exercises/: save a file to re-check it" : w.err);
	struct zcl_canvas *cv = NULL;
	check(&cv, o);
	bool quit = false;
	while (!quit && !(o->interrupted && *o->interrupted)) {
		draw(&cv);
		struct pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {watching ? zcl_watch_fd(&w) : -1, POLLIN, 0}};
		int t = watching ? zcl_watch_timeout(&w) : -1;
		poll(pf, 2, t < 0 || t > 250 ? 250 : t);
		if (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			quit = true; /* the terminal is gone */
		int ch;
		while (!quit && (ch = zcl_term_key(0)) != -1) {
			if (ch == ZCL_KEY_HANGUP) {
				quit = true;
				break;
			}
			enum zcl_action act = zcl_key_action(ch);
			if (act != ZA_HINT)
				view.hint = NULL; /* any other key puts the errors back */
			switch (act) {
			case ZA_QUIT: quit = true; break;
			case ZA_RUN: check(&cv, o); break;
			case ZA_NEXT: if (view.current + 1 < view.nstages) view.current++; view.checked = false; break;
			case ZA_PREV: if (view.current > 0) view.current--; view.checked = false; break;
			case ZA_HINT:
				view.hint = view.hint ? NULL : view.stages[view.current].stage->hint;
				break;
			case ZA_ENTER: {
				/* animate the current stage, then come back here */
				zcl_term_close();
				struct zcl_app_opts ao = {.stage = view.stages[view.current].stage, .sg = true,
							  .size = o->size, .seed = o->seed, .timeout_s = o->timeout_s,
							  .interrupted = o->interrupted};
				char e2[512];
				zcl_app_run(&ao, e2, sizeof e2);
				if (zcl_term_open(err, errlen) < 0)
					quit = true;
				break;
			}
			default: break;
			}
		}
		int num;
		while (watching && zcl_watch_changed(&w, 0, &num) == 1)
			for (int i = 0; i < view.nstages; i++)
				if (view.stages[i].stage->num == num) {
					view.current = i; /* jump to the file being edited */
					check(&cv, o);
				}
	}
	zcl_term_close();
	zcl_canvas_free(cv);
	zcl_watch_close(&w);
	free(diag);
	diag = NULL;
	refresh_done();
	return zcl_watch_first_pending() == 0 ? 0 : 1;
}
