/*
 * app.c - the student's program, live on screen.
 *
 * The app is a sink of the engine's event stream. At each syscall entry in
 * the bracket it can hold the program (step mode: the syscall runs when the
 * student presses space); at each exit it animates the copies the model
 * reported. Between runs it waits for keys that change the setup (cache,
 * scatter-gather, stage, solution) and run again. Handlers only change the
 * state; draw() is the one place that draws (htop's redraw).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cast.h"
#include "keys.h"
#include "model.h"
#include "params.h"
#include "report.h"
#include "runner.h"
#include "scene.h"
#include "state.h"
#include "term.h"
#include "tour.h"

#define FRAME_MS 30         /* one animation frame */
#define COALESCE_MS 40      /* run mode at speed >= 4: at most one frame this often */
#define TOUR_SPEED 3

struct app {
	struct zcl_app_opts o;
	struct zcl_run *run;    /* the run in progress, for the receiver's live count */
	struct zcl_viz_state s;
	struct zcl_canvas *cv;
	bool quit;              /* q: leave */
	bool rerun;             /* a key changed the setup: run again */
	bool release;           /* step mode: let the held syscall run */
	const char *message;    /* the tour's words for the status line, or NULL */
	double last_draw;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void set_status(struct app *a)
{
	struct zcl_viz_state *s = &a->s;
	if (a->message)
		snprintf(s->status, sizeof s->status, "%s", a->message);
	else if (s->done)
		snprintf(s->status, sizeof s->status,
			 "space step · r run · c cache · g SG · n/p stage · s %s · Tab compare · ? · q quit",
			 s->solution ? "yours" : "solution");
	else if (s->stepping)
		snprintf(s->status, sizeof s->status, "STEP · space next syscall · r run · ? help · q quit");
	else
		snprintf(s->status, sizeof s->status, "%s · speed %d/9 (+/-) · r pause · ? help · q quit",
			 s->paused ? "PAUSED" : "RUN", s->speed);
}

/* The one place that draws. */
static void draw(struct app *a)
{
	int w, h;
	zcl_term_size(&w, &h);
	if (!a->cv || a->cv->w != w || a->cv->h != h) {
		zcl_canvas_free(a->cv);
		a->cv = zcl_canvas_new(w, h, !zcl_term_utf8());
		if (!a->cv)
			return;
	}
	zcl_canvas_clear(a->cv);
	set_status(a);
	if (a->run && a->run->received_live)
		a->s.received = __atomic_load_n(a->run->received_live, __ATOMIC_RELAXED);
	if (zcl_scene_fits(w, h))
		zcl_scene_draw(a->cv, &a->s);
	else
		zcl_scene_too_small(a->cv);
	zcl_term_show(a->cv);
	zcl_cast_frame(a->cv);
	a->last_draw = now_ms();
}

static void measure_speeds(struct app *a);

/* Apply a key. during_run: the program is alive (held or running). */
static void on_key(struct app *a, int ch, bool during_run)
{
	struct zcl_viz_state *s = &a->s;
	if (ch == ZCL_KEY_HANGUP) { /* the terminal is gone: so are we */
		a->quit = true;
		if (during_run)
			zcl_trace_kill_current();
		return;
	}
	if (ch == zcl_term_key_resize()) {
		draw(a);
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
	case ZA_FASTER: if (s->speed < 9) s->speed++; break;
	case ZA_SLOWER: if (s->speed > 1) s->speed--; break;
	case ZA_STEP:
		if (during_run && s->stepping)
			a->release = true;
		else if (during_run)
			s->stepping = a->o.step = true; /* from run mode: hold at the next syscall */
		else {
			a->o.step = true;
			change = true;
		}
		break;
	case ZA_RUN:
		if (during_run && s->stepping) {
			s->stepping = a->o.step = false;
			a->release = true;
		} else if (during_run) {
			s->paused = !s->paused;
		} else {
			a->o.step = false;
			change = true;
		}
		break;
	case ZA_CACHE: a->o.warm = !a->o.warm; change = true; break;
	case ZA_SG: a->o.sg = !a->o.sg; change = true; break;
	case ZA_SOLUTION: a->o.solution = !a->o.solution; change = true; break;
	case ZA_NEXT:
	case ZA_PREV: {
		char num[8];
		snprintf(num, sizeof num, "%d", a->o.stage->num + (act == ZA_NEXT ? 1 : -1));
		const struct zcl_stage *st = zcl_stage_find(num);
		if (st) {
			a->o.stage = st;
			change = true;
		}
		break;
	}
	default: break;
	}
	if (change)
		a->rerun = true;
	if (during_run && (a->quit || a->rerun))
		zcl_trace_kill_current(); /* the run ends now; the engine cleans up */
	draw(a);
}

/* The comparison view's speeds: each stage run so far, again without the
 * tracer (warm cache, same input). Measured when the view opens, not after
 * every run: a run must not pay for a view nobody looks at. */
static void measure_speeds(struct app *a)
{
	for (int i = 0; i < 8; i++) {
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

/* Drop " = ret" from a formatted call: at entry there is no result yet. */
static void call_at_entry(const struct zcl_sysrec *r, char *buf, size_t len)
{
	zcl_format_call(r, buf, len);
	char *eq = strstr(buf, ") = ");
	if (eq)
		eq[1] = 0;
}

/* Sink: a syscall is about to run. */
static void on_entry(void *ctx, const struct zcl_sysrec *r)
{
	struct app *a = ctx;
	struct zcl_viz_state *s = &a->s;
	if (!r->in_bracket || a->quit || a->rerun || zcl_looks_like_marker(r))
		return;
	call_at_entry(r, s->call, sizeof s->call);
	s->about_to = true;
	s->in_kernel = false;
	s->nev = 0;
	s->cur = -1;
	if (s->stepping) {
		snprintf(s->sentence, sizeof s->sentence,
			 "your program is stopped just before %s() enters the kernel: press space", zcl_syscall_name(r->nr));
		a->release = false;
		draw(a);
		while (!a->release && !a->quit && !a->rerun && s->stepping) {
			int ch = zcl_term_key(250); /* wake now and then to see a signal */
			if (ch >= 0 || ch == ZCL_KEY_HANGUP)
				on_key(a, ch, true);
			if (a->o.interrupted && *a->o.interrupted)
				a->quit = true;
		}
		return;
	}
	int ch;
	while ((ch = zcl_term_key(s->paused ? 100 : 0)) >= 0 || ch == ZCL_KEY_HANGUP ||
	       (s->paused && !a->quit && !a->rerun && !(a->o.interrupted && *a->o.interrupted))) {
		if (ch >= 0 || ch == ZCL_KEY_HANGUP)
			on_key(a, ch, true);
		if (ch == ZCL_KEY_HANGUP)
			break;
	}
}

/* "the CPU copies 4096 bytes from the page cache into your buffer" */
static void explain(struct zcl_viz_state *s, const struct zcl_sysrec *r, int i)
{
	const struct zcl_event *e = &s->ev[i];
	const char *who = e->kind == ZE_DMA ? (e->from == ZP_DISK ? "the disk" : "the NIC") :
			  e->kind == ZE_CPU ? "the CPU" : "the kernel";
	const char *verb = e->kind == ZE_REF ? "hands over page references for" : e->kind == ZE_DMA ? "DMAs" : "copies";
	snprintf(s->sentence, sizeof s->sentence, "%s(): %s %s %llu bytes from the %s to the %s%s - step %d of %d of this call",
		 zcl_syscall_name(r->nr), who, verb, (unsigned long long)e->bytes, zcl_place_name(e->from),
		 zcl_place_name(e->to), e->modelled ? " (modelled)" : "", i, s->nev - 1);
}

/* Sink: a syscall finished; animate its copies. */
static void on_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct app *a = ctx;
	struct zcl_viz_state *s = &a->s;
	if (n > 0 && ev[0].kind == ZE_MARK) {
		snprintf(s->sentence, sizeof s->sentence, "%s", ev[0].note);
		return;
	}
	if (!r->in_bracket)
		return;
	zcl_account_step(&s->totals, r, ev, n);
	zcl_format_call(r, s->call, sizeof s->call);
	s->about_to = false;
	s->in_kernel = true;
	s->nev = (int)(n < 8 ? n : 8);
	memcpy(s->ev, ev, (size_t)s->nev * sizeof *ev);
	if (s->nev == 1)
		snprintf(s->sentence, sizeof s->sentence, "%s(): %s", zcl_syscall_name(r->nr),
			 ev[0].note ? ev[0].note : "no data moves: two mode switches, nothing copied");
	bool animate = s->stepping || s->speed <= 3;
	for (int i = 1; i < s->nev && !a->quit && !a->rerun; i++) {
		const struct zcl_event *e = &s->ev[i];
		if (e->kind == ZE_DMA && e->from == ZP_DISK)
			s->cached_bytes += e->bytes;
		s->cur = i;
		explain(s, r, i);
		if (!animate)
			continue;
		int frames = s->stepping ? 12 : (4 - s->speed) * 5;
		for (int f = 0; f <= frames && !a->quit && !a->rerun; f++) {
			s->progress = (double)f / frames;
			draw(a);
			int ch = zcl_term_key(FRAME_MS);
			if (ch >= 0 || ch == ZCL_KEY_HANGUP)
				on_key(a, ch, true);
		}
	}
	s->cur = s->nev > 1 ? s->nev - 1 : -1;
	s->progress = 1;
	s->in_kernel = false;
	/* speeds 4..9 draw less and less often: the program runs ahead */
	if (animate || now_ms() - a->last_draw >= COALESCE_MS * (s->speed - 3))
		draw(a);
}

/* One run of the current setup, drawn as it goes. */
static int run_once(struct app *a, char *err, size_t errlen)
{
	struct zcl_viz_state *s = &a->s;
	int keep_speed = s->speed ? s->speed : 4;
	enum zcl_viz_overlay keep_overlay = s->overlay;
	struct zcl_viz_row rows[8];
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
	s->hint = a->o.stage->hint;
	s->cur = -1;
	s->file_size = a->o.size;
	snprintf(s->sentence, sizeof s->sentence, "building and starting stage %d...", a->o.stage->num);
	a->rerun = false;
	draw(a);

	struct zcl_sink sink = {.ctx = a, .step = on_step, .entry = on_entry};
	struct zcl_run r = {
		.stage = a->o.stage, .solution = a->o.solution, .size = a->o.size, .file = a->o.file,
		.seed = a->o.seed, .warm = a->o.warm, .sg = a->o.sg,
		/* a student stepping through takes their time: no deadline then;
		 * an animated run gets a generous one (Ctrl-C stops it sooner) */
		.timeout_s = a->o.step ? 0 : (a->o.timeout_s > 120 ? a->o.timeout_s : 120),
		.sinks = &sink, .nsinks = 1,
	};
	if (a->o.warm)
		s->cached_bytes = a->o.size;
	/* until the engine says: the file, and the gather stage's header */
	s->expected = a->o.size;
	if (a->o.stage->gather)
		s->expected += (uint64_t)snprintf(NULL, 0, ZCL_GATHER_HEADER_FMT, (unsigned long long)a->o.size);
	a->run = &r;
	int started = zcl_run_stage(&r, err, errlen);
	a->run = NULL;
	if (started < 0) {
		zcl_run_free(&r);
		return -1;
	}
	s->done = true;
	s->file_size = r.size;
	s->expected = r.expected_bytes;
	s->received = r.received_bytes;
	s->tmpfs = r.tmpfs;
	s->totals = r.totals;
	s->vol_cs = r.kernel.end.vol_cs;
	s->invol_cs = r.kernel.end.invol_cs;
	s->in_kernel = false;
	s->about_to = false;
	snprintf(s->verdict, sizeof s->verdict, "%s", zcl_verdict_name(r.verdict));
	if (a->rerun || a->quit)
		snprintf(s->reason, sizeof s->reason, "stopped: the setup changed");
	else
		snprintf(s->reason, sizeof s->reason, "%s", r.reason);
	if (r.verdict == ZV_COMPILE_ERROR && r.diag) {
		/* the first error the compiler gave, without the lab's path */
		const char *e = strstr(r.diag, "error:");
		const char *line = e ? e : r.diag;
		while (line > r.diag && line[-1] != '\n')
			line--;
		const char *base = strstr(line, "exercises/");
		if (base && (!e || base < e))
			line = base;
		snprintf(s->sentence, sizeof s->sentence, "%.*s (zcl check %d shows all of it)",
			 (int)strcspn(line, "\n"), line, a->o.stage->num);
	}
	int rc = r.verdict == ZV_PASS ? 0 : 1;
	if (r.verdict == ZV_PASS && !a->rerun && !a->quit) {
		/* the comparison view: this stage's copies, and its untraced speed */
		struct zcl_viz_row *row = &s->rows[a->o.stage->num - 1];
		row->stage = a->o.stage;
		row->valid = true;
		row->totals = r.totals;
		row->delivered = r.expected_bytes;
		row->solution = a->o.solution;
		row->warm_done = false;
	}
	zcl_run_free(&r);
	if (s->overlay == ZO_COMPARE)
		measure_speeds(a); /* opened during the run: measure now */
	draw(a);
	return rc;
}

int zcl_app_run(const struct zcl_app_opts *o, char *err, size_t errlen)
{
	static struct app app; /* the viz state is large */
	struct app *a = &app;
	memset(a, 0, sizeof *a);
	a->o = *o;
	if (zcl_term_open(err, errlen) < 0)
		return -1;
	int w, h;
	zcl_term_size(&w, &h);
	if (o->cast && zcl_cast_open(o->cast, w, h) < 0) {
		zcl_term_close();
		snprintf(err, errlen, "--cast: cannot write %s", o->cast);
		return -1;
	}
	a->s.speed = o->tour ? TOUR_SPEED : 4;
	int rc = 0;
	if (o->tour) {
		a->o.solution = true;
		a->o.step = false;
		for (int n = 1; n <= 4 && !a->quit; n++) {
			char num[4];
			snprintf(num, sizeof num, "%d", n);
			a->o.stage = zcl_stage_find(num);
			if ((rc = run_once(a, err, errlen)) < 0)
				break;
			/* the story of the step just taken, until a key */
			const char *story = zcl_tour_story(n);
			snprintf(a->s.sentence, sizeof a->s.sentence, "%.*s", (int)strcspn(story, "\n"), story);
			a->message = n < 4 ? "TOUR: space for the next stage · Tab compare · q quit"
					   : "TOUR: done · space for the comparison · q quit";
			draw(a);
			for (;;) {
				int ch = zcl_term_key(250);
				if (o->interrupted && *o->interrupted)
					a->quit = true;
				if (ch == -1 && !a->quit)
					continue;
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
					on_key(a, ch, false);
			}
		}
		a->message = NULL;
		measure_speeds(a);
		a->s.overlay = ZO_COMPARE;
		a->rerun = false;
		draw(a);
	}
	if (!o->tour)
		rc = run_once(a, err, errlen);
	if (o->once)
		a->quit = true;
	struct zcl_app_opts good = a->o; /* the last setup that could run */
	while (rc >= 0 && !a->quit && !(o->interrupted && *o->interrupted)) {
		if (a->rerun) {
			rc = run_once(a, err, errlen);
			if (rc < 0) {
				/* e.g. s in a copy without solutions/: say so, keep going */
				a->o = good;
				a->s.stage = good.stage;
				a->s.solution = good.solution;
				a->s.sg = good.sg;
				a->s.warm = good.warm;
				a->s.done = true;
				snprintf(a->s.verdict, sizeof a->s.verdict, "not run");
				snprintf(a->s.reason, sizeof a->s.reason, "the new setup could not start");
				snprintf(a->s.sentence, sizeof a->s.sentence, "%.200s", err);
				a->rerun = false;
				rc = 1;
				draw(a);
			} else {
				good = a->o;
			}
			continue;
		}
		int ch = zcl_term_key(250); /* wake now and then to see a signal */
		if (ch >= 0 || ch == ZCL_KEY_HANGUP)
			on_key(a, ch, false);
	}
	zcl_cast_close();
	zcl_term_close();
	zcl_canvas_free(a->cv);
	return rc;
}
