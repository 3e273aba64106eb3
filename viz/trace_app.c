/*
 * trace_app.c - any program, animated: `zcl trace --tui -- CMD`.
 *
 * A real program has no stage to say what to draw, so the scene is drawn
 * from what it does: a box appears the first time a copy uses its place
 * (user buffer, pipe, socket, terminal), the page cache shows what the
 * program's reads filled. Steps come from the caller's tracer through the
 * same animating sink as a stage run (app_anim.c), but only for the process
 * on show (n / p pick the next one, or all of them); every process is
 * counted all the same, in a table that grows as processes appear. Copies
 * of a kind seen before shrink as in a stage run, and a burst of work after
 * a quiet spell (a server's next request) is animated afresh.
 *
 * The tracer blocks while the program waits (a server in epoll_wait), so a
 * second thread answers keys then; a mutex makes sure only one thread at a
 * time touches the state and the terminal.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_int.h"
#include "cast.h"
#include "params.h"
#include "term.h"

#define IDLE_RESET_MS 1000.0 /* a step after this long without one is animated afresh */
#define SYS_EXECVE 59        /* x86-64: the process gets a new name */

/* One process (thread group), or all of them (the first row). */
struct proc {
	pid_t tgid;              /* 0: all processes */
	char name[32];           /* its comm */
	struct zcl_totals t;
	uint64_t filled, sent;   /* page-cache fills; bytes into sockets */
	unsigned seen;           /* places its copies used, bit (1u << place) */
};

struct zcl_trace_view {
	struct proc *p;          /* p[0]: all; then by first appearance; grows */
	size_t n, cap;
	size_t sel;              /* the one on show */
	bool full;               /* out of memory for the table: said on screen */
	double last_step;        /* when the last step ended, ms */
	bool running;            /* the tracer is at work: the key thread answers */
	pthread_mutex_t lock;    /* one thread at a time on the state and terminal */
};

/* The comm of a process, or "pid N" once it has gone. */
static void proc_name(struct proc *p)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)p->tgid);
	FILE *f = fopen(path, "re");
	if (f && fgets(p->name, sizeof p->name, f))
		p->name[strcspn(p->name, "\n")] = 0;
	else
		snprintf(p->name, sizeof p->name, "pid %d", (int)p->tgid);
	if (f)
		fclose(f);
}

/* The row of process tgid, made on first sight; NULL when the table cannot
 * grow (the process is then counted in "all" only, and the screen says so). */
static struct proc *proc_for(struct zcl_trace_view *tv, pid_t tgid)
{
	for (size_t i = tv->n; i-- > 1;) /* newest first: the busy ones are usually recent */
		if (tv->p[i].tgid == tgid)
			return &tv->p[i];
	if (tv->n == tv->cap) {
		size_t cap = tv->cap ? tv->cap * 2 : 8;
		struct proc *np = realloc(tv->p, cap * sizeof *np);
		if (!np) {
			tv->full = true;
			return NULL;
		}
		tv->p = np;
		tv->cap = cap;
	}
	struct proc *p = &tv->p[tv->n++];
	memset(p, 0, sizeof *p);
	p->tgid = tgid;
	zcl_account_init(&p->t);
	proc_name(p);
	return p;
}

static void proc_add(struct proc *p, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	zcl_account_step(&p->t, r, ev, n);
	for (size_t i = 1; i < n; i++) {
		if (ev[i].kind != ZE_DMA && ev[i].kind != ZE_CPU && ev[i].kind != ZE_REF)
			continue;
		if ((unsigned)ev[i].from < 32 && (unsigned)ev[i].to < 32)
			p->seen |= 1u << ev[i].from | 1u << ev[i].to;
		if (ev[i].kind == ZE_DMA && ev[i].from == ZP_DISK)
			p->filled += ev[i].bytes;
		if (ev[i].to == ZP_SOCKET)
			p->sent += ev[i].bytes;
	}
}

/* The state shows the selected row: its figures and its name. */
static void show_sel(struct app *a)
{
	struct zcl_trace_view *tv = a->tv;
	struct zcl_viz_state *s = &a->s;
	const struct proc *p = &tv->p[tv->sel];
	s->totals = p->t;
	s->cached_bytes = p->filled;
	s->seen = p->seen;
	s->sent = p->sent;
	s->nprocs = (int)tv->n - 1;
	if (!p->tgid && s->nprocs == 1)
		snprintf(s->proc, sizeof s->proc, "%s, pid %d (the only process)", tv->p[1].name, (int)tv->p[1].tgid);
	else if (p->tgid)
		snprintf(s->proc, sizeof s->proc, "%s, pid %d (%zu of %d)", p->name, (int)p->tgid, tv->sel,
			 s->nprocs);
	else
		snprintf(s->proc, sizeof s->proc, "all %d process%s%s", s->nprocs, s->nprocs == 1 ? "" : "es",
			 tv->full ? " (some uncounted: no memory)" : "");
	s->trace_row.totals = p->t; /* the comparison: the process on show, or all */
	s->trace_row.delivered = p->sent;
}

void zcl_trace_app_select(struct app *a, int dir)
{
	struct zcl_trace_view *tv = a->tv;
	if (!tv || tv->n == 0)
		return;
	tv->sel = (tv->sel + tv->n + (size_t)(dir < 0 ? tv->n - 1 : 1)) % tv->n;
	a->s.nev = 0; /* the call on screen was another process's */
	a->s.cur = -1;
	a->s.call[0] = 0;
	show_sel(a);
}

static void on_entry(void *ctx, const struct zcl_sysrec *r)
{
	struct app *a = ctx;
	struct zcl_trace_view *tv = a->tv;
	pthread_mutex_lock(&tv->lock);
	bool on_show = tv->sel == 0 || tv->p[tv->sel].tgid == r->tgid;
	if (on_show && a->s.stepping) /* step mode: hold the program at its next call */
		zcl_app_on_entry(a, r);
	pthread_mutex_unlock(&tv->lock);
}

static void on_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct app *a = ctx;
	struct zcl_trace_view *tv = a->tv;
	pthread_mutex_lock(&tv->lock);
	if (zcl_app_now_ms() - tv->last_step > IDLE_RESET_MS)
		zcl_pace_init(&a->pace); /* the program was quiet: its next burst is news */
	struct proc *p = proc_for(tv, r->tgid);
	if (p && r->nr == SYS_EXECVE && r->ret == 0)
		proc_name(p);
	bool on_show = tv->sel == 0 || (p && (size_t)(p - tv->p) == tv->sel);
	show_sel(a); /* the figures before this step: the sink adds it as it animates */
	proc_add(&tv->p[0], r, ev, n);
	if (p)
		proc_add(p, r, ev, n);
	a->s.seen = tv->p[tv->sel].seen; /* boxes appear as this step's copies start */
	a->s.sent = tv->p[tv->sel].sent;
	if (on_show)
		zcl_app_on_step(a, r, ev, n);
	show_sel(a);
	if (!on_show && zcl_app_now_ms() - a->last_draw >= zcl_pace_coalesce_ms(zcl_app_speed(a)))
		zcl_app_draw(a);
	tv->last_step = zcl_app_now_ms();
	pthread_mutex_unlock(&tv->lock);
}

/* While the tracer waits for the program: keys, and a signal's flag. */
static void *key_thread(void *arg)
{
	struct app *a = arg;
	struct zcl_trace_view *tv = a->tv;
	for (;;) {
		struct pollfd pf = {STDIN_FILENO, POLLIN, 0};
		int k = poll(&pf, 1, 100);
		pthread_mutex_lock(&tv->lock);
		if (!tv->running) {
			pthread_mutex_unlock(&tv->lock);
			return NULL;
		}
		int ch = k != 0 ? zcl_term_key(0) : -1; /* a key, a resize, or a hangup */
		if (ch >= 0 || ch == ZCL_KEY_HANGUP)
			zcl_app_key(a, ch, true);
		if ((a->o.interrupted && *a->o.interrupted) || a->quit)
			zcl_trace_kill_current();
		bool hangup = ch == ZCL_KEY_HANGUP;
		pthread_mutex_unlock(&tv->lock);
		if (hangup)
			return NULL;
	}
}

/* The program, traced and animated; then its end on screen. */
static int trace_once(struct app *a, const struct zcl_app_trace *t, char *err, size_t errlen)
{
	struct zcl_trace_view *tv = a->tv;
	struct zcl_sink sink = {.ctx = a, .step = on_step, .entry = on_entry};
	char how[160] = "";
	snprintf(a->s.sentence, sizeof a->s.sentence,
		 "starting %.60s under the tracer (its terminal output goes to /dev/null meanwhile)", t->cmd);
	zcl_app_draw(a);
	pthread_t th;
	tv->running = true;
	bool keys = pthread_create(&th, NULL, key_thread, a) == 0;
	int rc = t->run(t->ctx, &sink, how, sizeof how, err, errlen);
	pthread_mutex_lock(&tv->lock);
	tv->running = false;
	pthread_mutex_unlock(&tv->lock);
	if (keys)
		pthread_join(th, NULL);
	if (rc < 0)
		return -1;
	struct zcl_viz_state *s = &a->s;
	show_sel(a);
	s->done = true;
	s->in_kernel = s->about_to = false;
	s->exit_rc = rc;
	s->trace_row.valid = true;
	snprintf(s->reason, sizeof s->reason, "%s%s", how, a->quit ? " (you stopped it with q)" : "");
	snprintf(s->sentence, sizeof s->sentence,
		 "the program has ended: Tab compares its copies per byte with the stages', n / p show "
		 "each process");
	zcl_app_draw(a);
	return rc;
}

static void init_state(struct app *a, const struct zcl_app_trace *t)
{
	struct zcl_viz_state *s = &a->s;
	memset(s, 0, sizeof *s);
	s->trace = true;
	s->sg = t->sg;
	s->stepping = t->step;
	s->speed = t->speed >= 1 && t->speed <= ZCL_PACE_MAX ? t->speed : ZCL_PACE_DEFAULT;
	s->cur = -1;
	s->hint = "zcl trace --tui shows what a program does: boxes appear as its copies use them. "
		  "Compare a server with sendfile on and off, or cp with cat.";
	snprintf(s->trace_cmd, sizeof s->trace_cmd, "%s", t->cmd);
	zcl_pace_init(&a->pace);
}

int zcl_app_trace(const struct zcl_app_trace *t, char *err, size_t errlen)
{
	static struct app app; /* the viz state is large */
	static struct zcl_trace_view view;
	struct app *a = &app;
	memset(a, 0, sizeof *a);
	memset(&view, 0, sizeof view);
	pthread_mutex_init(&view.lock, NULL);
	a->tv = &view;
	a->o = (struct zcl_app_opts){.trace = true, .sg = t->sg, .step = t->step, .speed = t->speed,
				     .cast = t->cast, .once = t->once, .interrupted = t->interrupted};
	init_state(a, t);
	int rc = -1;
	if (!proc_for(&view, 0)) { /* the "all processes" row */
		snprintf(err, errlen, "trace: out of memory");
		goto out;
	}
	view.p[0].name[0] = 0;
	show_sel(a);
	if (zcl_term_open(err, errlen) < 0)
		goto out;
	int w, h;
	zcl_term_size(&w, &h);
	if (t->cast && (zcl_cast_open(t->cast, w, h) < 0 || !(a->cast = zcl_canvas_new(w, h, !zcl_term_utf8())))) {
		snprintf(err, errlen, "--cast: cannot write %s", t->cast);
		goto close;
	}
	rc = trace_once(a, t, err, errlen);
	while (rc >= 0 && !t->once && !a->quit && !(t->interrupted && *t->interrupted)) {
		int ch = zcl_term_key(250); /* wake now and then to see a signal */
		if (ch >= 0 || ch == ZCL_KEY_HANGUP)
			zcl_app_key(a, ch, false);
	}
close:
	zcl_cast_close();
	zcl_term_close();
out:
	zcl_canvas_free(a->cv);
	zcl_canvas_free(a->cast);
	a->cv = a->cast = NULL;
	free(view.p);
	pthread_mutex_destroy(&view.lock);
	return rc;
}
