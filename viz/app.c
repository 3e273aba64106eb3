/*
 * app.c - the student's program, live on screen (or a recording of it).
 *
 * One run of the current setup at a time (run_once); the event stream goes
 * to the animating sink (app_anim.c). Between runs the app waits for keys
 * that change the setup (cache, scatter-gather, stage, solution) and runs
 * again. The tour and a replay fix the setup: their keys are the speed,
 * the overlays and q. Handlers only change the state; zcl_app_draw() is the
 * one place that draws (htop's redraw).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "cast.h"
#include "keys.h"
#include "params.h"
#include "record.h"
#include "scene.h"
#include "term.h"
#include "tour.h"

int zcl_app_speed(const struct app *a)
{
	return a->skip ? ZCL_PACE_MAX : a->s.speed;
}

/* The first of the key lines that fits w columns (the last always does). */
static void fit(char *buf, size_t len, int w, const char *const *lines, int n)
{
	for (int i = 0; i < n; i++) {
		snprintf(buf, len, "%s", lines[i]);
		if (zcl_text_width(buf) <= w || i == n - 1)
			return;
	}
}

static void set_status(struct app *a, int w)
{
	struct zcl_viz_state *s = &a->s;
	char l[3][160];
	if (a->notice || a->message) {
		snprintf(s->status, sizeof s->status, "%s", a->notice ? a->notice : a->message);
		return;
	}
	const char *mode = a->o.replay ? "REPLAY" : s->stepping ? "STEP" : s->paused ? "PAUSED" : "RUN";
	if (a->o.trace && s->done) {
		snprintf(l[0], sizeof l[0], "TRACE done · n/p process · Tab compare · ? help · q quit");
		snprintf(l[1], sizeof l[1], "TRACE done · n/p process · q quit");
	} else if (a->o.trace && !s->stepping) {
		snprintf(l[0], sizeof l[0], "TRACE x%d · +/- speed · f no animation · space step · n/p process · Tab · q quit",
			 zcl_app_speed(a));
		snprintf(l[1], sizeof l[1], "TRACE x%d · +/- speed · f skip · n/p process · q quit", zcl_app_speed(a));
	} else if (s->done && a->o.replay) {
		snprintf(l[0], sizeof l[0], "REPLAY done · r play again · space step through · Tab compare · ? help · q quit");
		snprintf(l[1], sizeof l[1], "REPLAY done · r again · space step · ? help · q quit");
	} else if (s->done) {
		snprintf(l[0], sizeof l[0], "space step · r run · c cache · g SG · n/p stage · s %s · Tab compare · ? help · q quit",
			 s->solution ? "yours" : "solution");
		snprintf(l[1], sizeof l[1], "space step · r run · c cache · g SG · n/p stage · s %s · Tab · ? · q quit",
			 s->solution ? "yours" : "solution");
	} else if (a->fixed && !a->o.replay && !s->stepping) { /* the tour: space and r wait for its end */
		snprintf(l[0], sizeof l[0], "TOUR x%d · + faster · - slower · f skip to the end · Tab compare · ? help · q quit",
			 zcl_app_speed(a));
		snprintf(l[1], sizeof l[1], "TOUR x%d · +/- speed · f skip to the end · ? help · q quit", zcl_app_speed(a));
	} else if (s->stepping) {
		snprintf(l[0], sizeof l[0], "%s · space next syscall · r run on · ? help · q quit", mode);
		snprintf(l[1], sizeof l[1], "%s · space next · r run · q quit", mode);
	} else {
		snprintf(l[0], sizeof l[0], "%s x%d · + faster · - slower · f skip to the end · space step · r pause · ? help · q quit",
			 mode, zcl_app_speed(a));
		snprintf(l[1], sizeof l[1], "%s x%d · +/- speed · f skip to the end · r pause · ? help · q quit", mode,
			 zcl_app_speed(a));
	}
	snprintf(l[2], sizeof l[2], "? help · q quit");
	const char *lines[3] = {l[0], l[1], l[2]};
	fit(s->status, sizeof s->status, w - 2, lines, 3);
}

/* The state on canvas c: the scene, or the too-small message. */
static void render(struct app *a, struct zcl_canvas *c)
{
	set_status(a, c->w);
	if (zcl_scene_fits(c->w, c->h))
		zcl_scene_draw(c, &a->s);
	else
		zcl_scene_too_small(c);
}

/* A replay learns its setup from the recording, once checked (before the
 * first step is played). */
static void adopt_setup(struct app *a, const struct zcl_run *r)
{
	struct zcl_viz_state *s = &a->s;
	a->o.stage = s->stage = r->stage;
	a->o.solution = s->solution = r->solution;
	a->o.sg = s->sg = r->sg;
	a->o.warm = s->warm = r->warm;
	a->o.size = s->file_size = r->size;
	s->expected = r->expected_bytes;
	s->cached_bytes = r->warm ? r->size : 0;
	s->hint = r->stage->hint;
}

void zcl_app_draw(struct app *a)
{
	int w, h;
	zcl_term_size(&w, &h);
	if (!a->cv || a->cv->w != w || a->cv->h != h) {
		zcl_canvas_free(a->cv);
		a->cv = zcl_canvas_new(w, h, !zcl_term_utf8());
		if (!a->cv)
			return;
	}
	if (a->o.replay && a->run && a->run->stage && a->s.stage != a->run->stage)
		adopt_setup(a, a->run);
	if (a->run && a->run->received_live)
		a->s.received = __atomic_load_n(a->run->received_live, __ATOMIC_RELAXED);
	render(a, a->cv);
	zcl_term_show(a->cv);
	if (a->cast) { /* the recording keeps its own size, whatever the terminal does */
		if (a->cast->w != w || a->cast->h != h)
			render(a, a->cast);
		zcl_cast_frame(a->cast->w == w && a->cast->h == h ? a->cv : a->cast);
	}
	a->last_draw = zcl_app_now_ms();
}

static void measure_speeds(struct app *a);

/* Keys that change the setup: each makes a new run (not in the tour or a replay). */
static bool setup_key(struct app *a, enum zcl_action act)
{
	switch (act) {
	case ZA_CACHE: a->o.warm = !a->o.warm; return true;
	case ZA_SG: a->o.sg = !a->o.sg; return true;
	case ZA_SOLUTION: a->o.solution = !a->o.solution; return true;
	case ZA_NEXT:
	case ZA_PREV: {
		char num[16];
		snprintf(num, sizeof num, "%d", a->o.stage->num + (act == ZA_NEXT ? 1 : -1));
		const struct zcl_stage *st = zcl_stage_find(num);
		if (st)
			a->o.stage = st;
		return st != NULL;
	}
	default: return false;
	}
}

/* space and r: step, run, pause; between runs they start one. */
static bool run_key(struct app *a, enum zcl_action act, bool during_run)
{
	struct zcl_viz_state *s = &a->s;
	if (act == ZA_STEP && during_run && s->stepping)
		a->release = true;
	else if (act == ZA_STEP && during_run)
		s->stepping = a->o.step = true; /* from run mode: hold at the next syscall */
	else if (act == ZA_RUN && during_run && s->stepping) {
		s->stepping = a->o.step = false;
		a->release = true;
	} else if (act == ZA_RUN && during_run)
		s->paused = !s->paused;
	else {
		a->o.step = act == ZA_STEP;
		return true;
	}
	return false;
}

void zcl_app_key(struct app *a, int ch, bool during_run)
{
	struct zcl_viz_state *s = &a->s;
	if (ch == ZCL_KEY_HANGUP) { /* the terminal is gone: so are we */
		a->quit = true;
		if (during_run && !a->o.replay)
			zcl_trace_kill_current();
		return;
	}
	a->notice = NULL;
	if (ch == zcl_term_key_resize()) {
		zcl_app_draw(a);
		return;
	}
	enum zcl_action act = zcl_key_action(ch);
	bool change = false;
	switch (act) {
	case ZA_QUIT: a->quit = true; break;
	case ZA_HELP: s->overlay = s->overlay == ZO_HELP ? ZO_NONE : ZO_HELP; break;
	case ZA_HINT: s->overlay = s->overlay == ZO_HINT ? ZO_NONE : ZO_HINT; break;
	case ZA_COMPARE:
		s->overlay = s->overlay == ZO_COMPARE ? ZO_NONE : ZO_COMPARE;
		if (s->overlay == ZO_COMPARE && !during_run)
			measure_speeds(a);
		break;
	case ZA_FASTER: if (s->speed < ZCL_PACE_MAX) s->speed++; a->skip = false; break;
	case ZA_SLOWER: if (s->speed > 1) s->speed--; a->skip = false; break;
	case ZA_SKIP: if (during_run) a->skip = true; break;
	case ZA_STEP:
	case ZA_RUN:
		if (a->o.trace && !during_run)
			a->notice = "the program has ended: zcl trace --tui runs it again";
		else if (a->fixed && !a->o.replay && !a->o.trace && during_run) /* the tour keeps its own pace */
			a->notice = "the tour plays on by itself: + / - set its speed, f skips, q quits";
		else
			change = run_key(a, act, during_run);
		break;
	case ZA_NEXT: case ZA_PREV:
		if (a->o.trace) {
			zcl_trace_app_select(a, act == ZA_NEXT ? 1 : -1);
			break;
		}
		/* fall through */
	case ZA_CACHE: case ZA_SG: case ZA_SOLUTION:
		if (a->o.trace)
			a->notice = "a traced program runs as it is: c, g, s need a stage (zcl run N)";
		else if (a->fixed)
			a->notice = a->o.replay ? "a replay shows what was recorded: c, g, n, p, s need a live run"
						: "the tour runs the reference solutions as they are: setup keys work after it";
		else
			change = setup_key(a, act);
		break;
	default: break;
	}
	if (change)
		a->rerun = true;
	if (during_run && !a->o.replay && (a->quit || a->rerun))
		zcl_trace_kill_current(); /* the run ends now; the engine cleans up */
	zcl_app_draw(a);
}

/* The comparison view's speeds: each stage run so far, again without the
 * tracer (warm cache, same input). Measured when the view opens, not after
 * every run: a run must not pay for a view nobody looks at. A replay has
 * no program to time. */
static void measure_speeds(struct app *a)
{
	for (int i = 0; i < ZCL_VIZ_MAX_STAGES && !a->o.replay; i++) {
		struct zcl_viz_row *row = &a->s.rows[i];
		if (!row->valid || row->warm_done)
			continue;
		snprintf(a->s.status, sizeof a->s.status, "measuring stage %d untraced...", row->stage->num);
		struct zcl_run u = {.stage = row->stage, .solution = row->solution, .size = a->o.size,
				    .file = a->o.file, .seed = a->o.seed, .warm = true, .sg = a->o.sg,
				    .timeout_s = 10, .untraced = true};
		char err[256];
		if (zcl_run_stage(&u, err, sizeof err) == 0 && u.verdict == ZV_PASS && u.seconds > 0)
			row->mb_per_s = (double)u.expected_bytes / u.seconds / 1e6;
		row->warm_done = true;
		zcl_run_free(&u);
	}
}

/* A fresh state for the setup in a->o, keeping the speed, the comparison
 * rows and the comparison overlay. */
static void reset_state(struct app *a)
{
	struct zcl_viz_state *s = &a->s;
	int keep_speed = s->speed;
	enum zcl_viz_overlay keep_overlay = s->overlay;
	struct zcl_viz_row rows[ZCL_VIZ_MAX_STAGES];
	memcpy(rows, s->rows, sizeof rows);
	memset(s, 0, sizeof *s);
	memcpy(s->rows, rows, sizeof rows);
	s->overlay = keep_overlay == ZO_COMPARE ? ZO_COMPARE : ZO_NONE;
	s->stage = a->o.stage;
	s->solution = a->o.solution;
	s->sg = a->o.sg;
	s->warm = a->o.warm;
	s->stepping = a->o.step;
	s->speed = keep_speed;
	s->replay = a->o.replay != NULL;
	s->hint = a->o.stage ? a->o.stage->hint : NULL;
	s->cur = -1;
	s->file_size = a->o.size;
	if (a->o.warm)
		s->cached_bytes = a->o.size;
	/* until the engine says: the file, and the gather stage's header */
	s->expected = a->o.size;
	if (a->o.stage && a->o.stage->gather)
		s->expected += (uint64_t)snprintf(NULL, 0, ZCL_GATHER_HEADER_FMT, (unsigned long long)a->o.size);
	zcl_pace_init(&a->pace);
	a->rerun = a->skip = false;
}

/* The run, live (traced, recorded with --record) or replayed. 0, or -1 with err. */
static int start_run(struct app *a, struct zcl_run *r, char *err, size_t errlen)
{
	struct zcl_sink sinks[2] = {{.ctx = a, .step = zcl_app_on_step, .entry = zcl_app_on_entry}};
	a->run = r;
	if (a->o.replay) {
		int rc = zcl_record_replay(a->o.replay, sinks, 1, r, err, errlen);
		a->run = NULL;
		return rc;
	}
	*r = (struct zcl_run){
		.stage = a->o.stage, .solution = a->o.solution, .size = a->o.size, .file = a->o.file,
		.seed = a->o.seed, .warm = a->o.warm, .sg = a->o.sg,
		/* a student stepping through takes their time: no deadline then;
		 * an animated run gets a generous one (Ctrl-C stops it sooner) */
		.timeout_s = a->o.step ? 0 : (a->o.timeout_s > 120 ? a->o.timeout_s : 120),
		.sinks = sinks, .nsinks = 1,
	};
	struct zcl_recorder *rec = NULL;
	if (a->o.record) {
		if (!(rec = zcl_record_open(a->o.record, r, err, errlen)))
			return a->run = NULL, -1;
		sinks[r->nsinks++] = (struct zcl_sink){.ctx = rec, .step = zcl_record_step};
	}
	int rc = zcl_run_stage(r, err, errlen);
	a->run = NULL;
	bool whole = rc == 0 && !a->quit && !a->rerun; /* a stopped run is not worth keeping */
	if (rec && zcl_record_close(rec, whole ? r : NULL, err, errlen) < 0 && rc == 0)
		rc = -1;
	return rc;
}

/* The first error the compiler gave, without the lab's path, as the sentence. */
static void compile_error(struct zcl_viz_state *s, const struct zcl_run *r)
{
	const char *e = strstr(r->diag, "error:");
	const char *line = e ? e : r->diag;
	while (line > r->diag && line[-1] != '\n')
		line--;
	const char *base = strstr(line, "exercises/");
	if (base && (!e || base < e))
		line = base;
	snprintf(s->sentence, sizeof s->sentence, "%.*s (zcl check %d shows all of it)",
		 (int)strcspn(line, "\n"), line, r->stage->num);
}

/* What the finished (or stopped) run r leaves on screen. */
static void show_result(struct app *a, const struct zcl_run *r)
{
	struct zcl_viz_state *s = &a->s;
	s->done = true;
	s->stage = r->stage;
	s->file_size = r->size;
	s->expected = r->expected_bytes;
	s->received = r->received_bytes;
	s->tmpfs = r->tmpfs;
	s->totals = r->totals;
	s->vol_cs = r->kernel.end.vol_cs;
	s->invol_cs = r->kernel.end.invol_cs;
	s->in_kernel = s->about_to = false;
	s->stopped = a->rerun || a->quit;
	snprintf(s->verdict, sizeof s->verdict, "%s", zcl_verdict_name(r->verdict));
	snprintf(s->reason, sizeof s->reason, "%s",
		 a->quit ? "stopped by you: the run did not finish, so there is no verdict" :
		 a->rerun ? "stopped: the setup changed" : r->reason);
	if (r->verdict == ZV_COMPILE_ERROR && r->diag && !s->stopped)
		compile_error(s, r);
}

/* One run of the current setup, drawn as it goes. Returns 0 pass, 1 not,
 * 2 stopped (q, or a key that changed the setup), -1 with err. */
static int run_once(struct app *a, char *err, size_t errlen)
{
	reset_state(a);
	if (a->o.replay)
		snprintf(a->s.sentence, sizeof a->s.sentence, "replaying %.200s...", a->o.replay);
	else
		snprintf(a->s.sentence, sizeof a->s.sentence, "building and starting stage %d...", a->o.stage->num);
	zcl_app_draw(a);
	struct zcl_run r;
	memset(&r, 0, sizeof r);
	if (start_run(a, &r, err, errlen) < 0) {
		zcl_run_free(&r);
		return -1;
	}
	if (a->o.replay && a->s.stage != r.stage) /* no step showed it yet: the recording says what ran */
		adopt_setup(a, &r);
	show_result(a, &r);
	int rc = a->s.stopped ? 2 : r.verdict == ZV_PASS ? 0 : 1;
	if (rc == 0 && r.stage->num >= 1 && r.stage->num <= ZCL_VIZ_MAX_STAGES) { /* the comparison view: this stage's copies, and its untraced speed */
		struct zcl_viz_row *row = &a->s.rows[r.stage->num - 1];
		*row = (struct zcl_viz_row){.stage = r.stage, .valid = true, .totals = r.totals,
					    .delivered = r.expected_bytes, .solution = r.solution};
	}
	zcl_run_free(&r);
	if (a->s.overlay == ZO_COMPARE)
		measure_speeds(a); /* opened during the run: measure now */
	zcl_app_draw(a);
	return rc;
}

/* The tour: every stage with the solutions, each followed by its story
 * until space (or n); q leaves. Returns the last finished run's result. */
static int tour(struct app *a, char *err, size_t errlen)
{
	int rc = 0;
	a->o.solution = true;
	a->o.step = false;
	a->fixed = true;
	for (int n = 1; n <= 4 && !a->quit; n++) {
		char num[16];
		snprintf(num, sizeof num, "%d", n);
		a->o.stage = zcl_stage_find(num);
		int r = run_once(a, err, errlen);
		if (r < 0)
			return -1;
		rc = r == 2 ? rc : r;
		if (a->quit)
			break;
		/* the story of the step just taken, until a key */
		const char *story = zcl_tour_story(n);
		snprintf(a->s.sentence, sizeof a->s.sentence, "%.*s", (int)strcspn(story, "\n"), story);
		a->message = n < 4 ? "TOUR: space for the next stage · Tab compare · q quit"
				   : "TOUR: done · space for the comparison · q quit";
		zcl_app_draw(a);
		for (;;) {
			int ch = zcl_term_key(250);
			if (a->o.interrupted && *a->o.interrupted)
				a->quit = true;
			enum zcl_action act = ch >= 0 ? zcl_key_action(ch) : ZA_NONE;
			if (a->quit || act == ZA_QUIT || ch == ZCL_KEY_HANGUP) {
				a->quit = true;
				break;
			}
			if (act == ZA_STEP || act == ZA_NEXT)
				break;
			/* the tour is the references' story: setup keys wait for after it */
			if (act == ZA_COMPARE || act == ZA_HELP || act == ZA_HINT || act == ZA_FASTER ||
			    act == ZA_SLOWER || ch == zcl_term_key_resize())
				zcl_app_key(a, ch, false);
		}
		a->message = NULL;
	}
	a->fixed = false;
	measure_speeds(a);
	a->s.overlay = ZO_COMPARE;
	a->rerun = false;
	zcl_app_draw(a);
	return rc;
}

/* After a run: keys until q; a key that changes the setup runs again. */
static int after(struct app *a, int rc, char *err, size_t errlen)
{
	struct zcl_app_opts good = a->o; /* the last setup that could run */
	while (!a->quit && !(a->o.interrupted && *a->o.interrupted)) {
		if (!a->rerun) {
			int ch = zcl_term_key(250); /* wake now and then to see a signal */
			if (ch >= 0 || ch == ZCL_KEY_HANGUP)
				zcl_app_key(a, ch, false);
			continue;
		}
		int r = run_once(a, err, errlen);
		if (r >= 0) {
			good = a->o;
			rc = r == 2 ? rc : r;
			continue;
		}
		/* e.g. s in a copy without solutions/: say so, keep going */
		a->o = good;
		reset_state(a);
		a->s.done = true;
		snprintf(a->s.verdict, sizeof a->s.verdict, "not run");
		snprintf(a->s.reason, sizeof a->s.reason, "the new setup could not start");
		snprintf(a->s.sentence, sizeof a->s.sentence, "%.200s", err);
		rc = 1;
		zcl_app_draw(a);
	}
	return rc;
}

int zcl_app_run(const struct zcl_app_opts *o, char *err, size_t errlen)
{
	static struct app app; /* the viz state is large */
	struct app *a = &app;
	memset(a, 0, sizeof *a);
	a->o = *o;
	a->fixed = o->replay != NULL;
	a->s.speed = o->speed >= 1 && o->speed <= ZCL_PACE_MAX ? o->speed : ZCL_PACE_DEFAULT;
	if (zcl_term_open(err, errlen) < 0)
		return -1;
	int w, h;
	zcl_term_size(&w, &h);
	if (o->cast && (zcl_cast_open(o->cast, w, h) < 0 || !(a->cast = zcl_canvas_new(w, h, !zcl_term_utf8())))) {
		zcl_cast_close();
		zcl_term_close();
		snprintf(err, errlen, "--cast: cannot write %s", o->cast);
		return -1;
	}
	int rc = o->tour ? tour(a, err, errlen) : run_once(a, err, errlen);
	if (rc == 2)
		rc = 0; /* stopped by you: no verdict, no failure */
	if (rc >= 0 && !o->once)
		rc = after(a, rc, err, errlen);
	zcl_cast_close();
	zcl_term_close();
	zcl_canvas_free(a->cv);
	zcl_canvas_free(a->cast);
	a->cv = a->cast = NULL;
	return rc;
}
