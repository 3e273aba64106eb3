/*
 * app_anim.c - the event stream, animated at a pace a person can follow.
 *
 * The app is a sink of the engine's event stream (live, or replayed from a
 * recording). At each syscall entry in the bracket it can hold the program
 * (step mode: the syscall runs when the student presses space) or linger on
 * the mode switch; at each exit it moves every copy the model reported
 * along its arrow, for as long as pace.c says, then shows the return to
 * user space. Copies too quick to see are coalesced: a frame now and then.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app_int.h"
#include "model.h"
#include "report.h"
#include "term.h"

double zcl_app_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static bool leaving(const struct app *a)
{
	return a->quit || a->rerun || (a->o.interrupted && *a->o.interrupted);
}

/* Wait up to ms for a key and apply it. */
static void poll_key(struct app *a, int ms)
{
	int ch = zcl_term_key(ms);
	if (ch >= 0 || ch == ZCL_KEY_HANGUP)
		zcl_app_key(a, ch, true);
	if (a->o.interrupted && *a->o.interrupted)
		a->quit = true;
}

/* Keep the screen as it is for ms (a mode switch), answering keys; a pause
 * stretches it, f, step mode or q cut it short. */
static void hold(struct app *a, double ms)
{
	bool stepping = a->s.stepping;
	double end = zcl_app_now_ms() + ms;
	for (double now = zcl_app_now_ms(); (now < end || a->s.paused) && !leaving(a) && !a->skip &&
					     a->s.stepping == stepping; now = zcl_app_now_ms()) {
		double before = now;
		poll_key(a, a->s.paused ? 100 : (int)(end - now) + 1);
		if (a->s.paused)
			end += zcl_app_now_ms() - before;
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

/* Step mode: hold the program before the call until space (or r, q...). */
static void hold_for_space(struct app *a, const struct zcl_sysrec *r)
{
	struct zcl_viz_state *s = &a->s;
	snprintf(s->sentence, sizeof s->sentence,
		 "your program is stopped just before %s() enters the kernel: press space", zcl_syscall_name(r->nr));
	a->release = false;
	zcl_app_draw(a);
	while (!a->release && !leaving(a) && s->stepping)
		poll_key(a, 250); /* wake now and then to see a signal */
}

void zcl_app_on_entry(void *ctx, const struct zcl_sysrec *r)
{
	struct app *a = ctx;
	struct zcl_viz_state *s = &a->s;
	if (!r->in_bracket || leaving(a) || zcl_looks_like_marker(r))
		return;
	call_at_entry(r, s->call, sizeof s->call);
	s->about_to = true;
	s->in_kernel = false;
	s->nev = 0;
	s->cur = -1;
	if (s->stepping) {
		hold_for_space(a, r);
		return;
	}
	/* a traced program makes hundreds of calls that move nothing: only
	 * those that copy are animated, from their exit (step mode holds all) */
	double ms = a->skip || a->o.trace ? 0 : zcl_pace_switch_ms(&a->pace, zcl_app_speed(a), r->nr);
	if (ms > 0) {
		snprintf(s->sentence, sizeof s->sentence,
			 "%s(): a mode switch - the process leaves user space and the kernel runs the call",
			 zcl_syscall_name(r->nr));
		zcl_app_draw(a);
		hold(a, ms);
	}
	poll_key(a, 0);
	while (s->paused && !leaving(a))
		poll_key(a, 100);
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

/* Move copy i along its arrow; the speed may change under it (+, -, f).
 * Returns whether it was animated at all. */
static bool travel(struct app *a, int i)
{
	struct zcl_viz_state *s = &a->s;
	double t0 = zcl_app_now_ms();
	bool shown = false;
	while (!leaving(a)) {
		double dur = s->stepping ? STEP_COPY_MS : a->skip ? 0 :
			     zcl_pace_copy_ms(&a->pace, zcl_app_speed(a), &s->ev[i]);
		if (dur <= 0)
			break;
		double before = zcl_app_now_ms();
		s->progress = (before - t0) / dur;
		if (s->progress > 1)
			s->progress = 1;
		zcl_app_draw(a);
		shown = true;
		if (s->progress >= 1)
			break;
		double left = dur - (before - t0); /* the last frame lands on time, not a frame late */
		poll_key(a, left < FRAME_MS ? (int)left + 1 : FRAME_MS);
		if (s->paused)
			t0 += zcl_app_now_ms() - before; /* paused: the block stays put */
	}
	return shown;
}

void zcl_app_on_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
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
	s->nev = (int)(n < ZCL_VIZ_MAX_EV ? n : ZCL_VIZ_MAX_EV);
	memcpy(s->ev, ev, (size_t)s->nev * sizeof *ev);
	if (s->nev == 1)
		snprintf(s->sentence, sizeof s->sentence, "%s(): %s", zcl_syscall_name(r->nr),
			 ev[0].note ? ev[0].note : "no data moves: two mode switches, nothing copied");
	bool animated = false;
	for (int i = 1; i < s->nev && !leaving(a); i++) {
		const struct zcl_event *e = &s->ev[i];
		if (e->kind == ZE_DMA && e->from == ZP_DISK)
			s->cached_bytes += e->bytes;
		s->cur = i;
		s->progress = 0;
		explain(s, r, i);
		animated |= travel(a, i);
	}
	s->cur = s->nev > 1 ? s->nev - 1 : -1;
	s->progress = 1;
	double back = s->stepping || a->skip || (a->o.trace && !animated) ? 0 :
		      zcl_pace_switch_ms(&a->pace, zcl_app_speed(a), r->nr);
	zcl_pace_seen(&a->pace, r->nr, s->ev, s->nev);
	if (back > 0 && !leaving(a)) {
		s->in_kernel = false;
		char ret[48];
		snprintf(ret, sizeof ret, "%lld", (long long)r->ret);
		snprintf(s->sentence, sizeof s->sentence, "%s() returns %s: a mode switch back to user space",
			 zcl_syscall_name(r->nr), r->ret < 0 ? "an error" : ret);
		zcl_app_draw(a);
		hold(a, back);
		return;
	}
	s->in_kernel = false;
	if (animated || s->stepping || zcl_app_now_ms() - a->last_draw >= zcl_pace_coalesce_ms(zcl_app_speed(a)))
		zcl_app_draw(a);
}
