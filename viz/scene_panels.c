/*
 * scene_panels.c - the scene's words and figures.
 *
 * The title bar (the stage and the run's switches), the side panel (running
 * totals, the stage's copy target, the receiver), the lines under the lanes
 * (the syscall as strace prints it, what the kernel is doing, the verdict,
 * the status line) and the overlays (keys, hint, the comparison of stages). Every figure is the engine's: nothing
 * here counts or judges, it only lays text out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "scene_panels.h"

const char *zcl_size_str(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "KMG";
	if (b < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", b);
		return buf;
	}
	double v = (double)b / 1024;
	int u = 0;
	while (v >= 1024 && u < 2)
		v /= 1024, u++;
	if (v == (double)(uint64_t)v || v >= 100)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

/* CPU bytes per byte delivered: "2.00"; "-" before anything was delivered;
 * a share too small for two decimals (stage 4's header) is not rounded to
 * zero: "0.0004" with room for it, else "<.01". */
static void per_byte(uint64_t cpu, uint64_t delivered, bool roomy, char *buf, size_t len)
{
	double v = delivered ? (double)cpu / (double)delivered : 0;
	if (!delivered)
		snprintf(buf, len, "-");
	else if (v > 0 && v < 0.01)
		snprintf(buf, len, roomy ? "%.4f" : "<.01", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* A panel section heading: "─ name ────". */
static void heading(struct zcl_canvas *c, int x, int y, int w, const char *name)
{
	zcl_hline(c, x, y, w, ZR_DIM);
	zcl_put(c, x + 1, y, ' ', ZR_DIM, false);
	int n = zcl_text(c, x + 2, y, name, ZR_TITLE, true);
	zcl_put(c, x + 2 + n, y, ' ', ZR_DIM, false);
}

/* label on the left, value flush right. */
static void figure(struct zcl_canvas *c, int x, int y, int w, const char *label, const char *value,
		   enum zcl_role r)
{
	int vw = zcl_text_width(value);
	zcl_textn(c, x, y, w - vw - 1, label, ZR_NORMAL, false);
	zcl_text(c, x + w - vw, y, value, r, true);
}

/* "DMA copies   6    384K": count in a column, bytes flush right. */
static void copies(struct zcl_canvas *c, int x, int y, int w, const char *label,
		   const struct zcl_count *n, enum zcl_role r)
{
	char v[48], size[16];
	zcl_text(c, x, y, label, r, true);
	snprintf(v, sizeof v, "%" PRIu64, n->count);
	zcl_text(c, x + 18 - zcl_text_width(v), y, v, ZR_NORMAL, true);
	snprintf(v, sizeof v, "%s", zcl_size_str(n->bytes, size, sizeof size));
	zcl_text(c, x + w - zcl_text_width(v), y, v, ZR_NORMAL, true);
}

/* "target: 0 CPU copies per byte (scatter-gather)", from the stage row. */
static void target(const struct zcl_viz_state *s, char *buf, size_t len)
{
	const struct zcl_stage *st = s->stage;
	if (!st) {
		snprintf(buf, len, "no target: tracing a program");
		return;
	}
	unsigned x = s->sg ? st->cpu_x : st->cpu_x_nosg;
	/* a zerocopy stage: the kernel's deferred copy on loopback is shown, not counted */
	bool deferred = st->zerocopy && s->sg && s->totals.zc_copied_bytes > 0;
	snprintf(buf, len, "target: %u CPU cop%s per byte%s%s%s", x, x == 1 ? "y" : "ies",
		 st->gather ? " + the header" : "", st->output == ZOUT_TWO_SOCKETS ? " sent" : "",
		 deferred ? ", loopback's copy aside"
		 : st->cpu_x == st->cpu_x_nosg ? "" : s->sg ? " (scatter-gather)" : " (no scatter-gather)");
}

static void bar(struct zcl_canvas *c, int x, int y, int w, double frac, enum zcl_role r)
{
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int full = (int)(frac * w);
	for (int i = 0; i < w; i++)
		zcl_put(c, x + i, y, zcl_glyph(c, i < full ? ZG_BLOCK : ZG_SHADE), i < full ? r : ZR_DIM, false);
}

/* On a tall screen: the call's events, the current one marked. */
static void events(struct zcl_canvas *c, const struct zcl_viz_state *s, int x, int y, int w)
{
	static const char *const kind[] = {[ZE_DMA] = "DMA", [ZE_CPU] = "CPU", [ZE_REF] = "ref"};
	heading(c, x, y++, w, "this syscall");
	for (int i = 1; i < s->nev && i < ZCL_VIZ_MAX_EV; i++) {
		const struct zcl_event *e = &s->ev[i];
		if (e->kind != ZE_DMA && e->kind != ZE_CPU && e->kind != ZE_REF)
			continue;
		char line[96], size[16];
		bool now = i == s->cur;
		if (now)
			zcl_put(c, x, y, zcl_glyph(c, ZG_MARKER), ZR_KEY, true);
		enum zcl_role r = e->kind == ZE_DMA ? ZR_DMA : e->kind == ZE_CPU ? ZR_CPU : ZR_REF;
		snprintf(size, sizeof size, "%s%s", zcl_size_str(e->bytes, line, sizeof line), e->modelled ? "*" : "");
		int room = w - zcl_text_width(size) - 1; /* for "DMA disk → page cache" */
		snprintf(line, sizeof line, "%s %s", kind[e->kind], zcl_place_name(e->from));
		int n = 2 + zcl_textn(c, x + 2, y, room - 2, line, r, now);
		zcl_put(c, x + n + 1, y, zcl_glyph(c, ZG_ARROW_R), r, now);
		zcl_textn(c, x + n + 3, y, room - n - 3, zcl_place_name(e->to), r, now);
		zcl_text(c, x + w - zcl_text_width(size), y++, size, ZR_NORMAL, now);
	}
}

/* A traced program's sections: which process, and what it sent. Returns
 * the next free row. */
static int trace_sections(struct zcl_canvas *c, const struct zcl_viz_state *s, int x, int y, int w)
{
	char v[96], a[16];
	heading(c, x, y++, w, "process");
	zcl_textn(c, x, y++, w, s->proc, ZR_TITLE, true);
	if (s->nprocs > 1)
		zcl_textn(c, x, y++, w, "n / p: next / previous", ZR_DIM, false);
	heading(c, x, y++, w, "into sockets");
	snprintf(v, sizeof v, "%" PRIu64 " bytes", s->sent);
	if (zcl_text_width(v) > w - 5)
		snprintf(v, sizeof v, "%s", zcl_size_str(s->sent, a, sizeof a));
	figure(c, x, y++, w, "sent", v, ZR_NORMAL);
	return y;
}

void zcl_panel_draw(struct zcl_canvas *c, const struct zcl_viz_state *s, int x, int y, int w, int h)
{
	const struct zcl_totals *t = &s->totals;
	char v[96], a[16], b[16];
	int y0 = y;
	heading(c, x, y++, w, "totals");
	snprintf(v, sizeof v, "%" PRIu64, t->syscalls);
	figure(c, x, y++, w, "syscalls", v, ZR_NORMAL);
	snprintf(v, sizeof v, "%" PRIu64, t->mode_switches);
	figure(c, x, y++, w, "mode switches", v, ZR_NORMAL);
	zcl_text(c, x + 2, y++, "2 per syscall: in and out", ZR_DIM, false);
	copies(c, x, y++, w, "DMA copies", &t->dma, ZR_DMA);
	copies(c, x, y++, w, "CPU copies", &t->cpu, ZR_CPU);
	copies(c, x, y++, w, "ref handoffs", &t->ref, ZR_REF);
	per_byte(t->cpu.bytes, s->trace ? s->sent : t->delivered_bytes, w > 30, v, sizeof v);
	figure(c, x, y++, w, s->trace ? "CPU bytes/byte sent" : "CPU bytes/byte delivered", v, ZR_CPU);
	snprintf(v, sizeof v, "%s / %s", zcl_size_str(t->filled_bytes, a, sizeof a),
		 zcl_size_str(t->hit_bytes, b, sizeof b));
	figure(c, x, y++, w, "cache fills / hits", v, ZR_DMA);
	if (!s->trace) { /* a traced program's are in zcl trace's summary, at the end */
		snprintf(v, sizeof v, "%" PRIu64, s->vol_cs + s->invol_cs);
		figure(c, x, y++, w, "sched ctx switches", v, ZR_NORMAL);
		zcl_textf(c, x + 2, y++, ZR_DIM, false, "%" PRIu64 " voluntary, %" PRIu64 " involuntary", s->vol_cs,
			  s->invol_cs);
	}

	if (y - y0 + 6 > h)
		return;
	if (s->trace) {
		y = trace_sections(c, s, x, y, w);
		if (s->nev > 1 && y - y0 + s->nev + 1 <= h)
			events(c, s, x, y + 1, w);
		return;
	}
	heading(c, x, y++, w, "target");
	target(s, v, sizeof v);
	y += zcl_wrap(c, x, y, w, 2, v, ZR_NORMAL, false) == 1 ? 1 : 2;

	/* the far end, from the stage's outputs: a receiver, two, or the file the lab checks */
	const struct zcl_stage *st = s->stage;
	heading(c, x, y++, w, !st || st->output == ZOUT_SOCKET ? "receiver"
			      : st->output == ZOUT_TWO_SOCKETS ? "receivers A + B" : "output file");
	snprintf(v, sizeof v, "received %" PRIu64 " of %" PRIu64 " bytes", s->received, s->expected);
	if (zcl_text_width(v) > w)
		snprintf(v, sizeof v, "received %s of %s bytes", zcl_size_str(s->received, a, sizeof a),
			 zcl_size_str(s->expected, b, sizeof b));
	zcl_textn(c, x, y++, w, v, ZR_NORMAL, false);
	double frac = s->expected ? (double)s->received / (double)s->expected : 0;
	bar(c, x, y, w - 5, frac, s->done ? (strcmp(s->verdict, "pass") == 0 ? ZR_GOOD : ZR_BAD) : ZR_NORMAL);
	zcl_textf(c, x + w - 4, y++, ZR_NORMAL, false, "%3d%%", (int)(frac * 100));
	if (s->nev > 1 && y - y0 + s->nev + 1 <= h)
		events(c, s, x, y + 1, w);
}

/* "Zero-Copy Lab  stage 1/4: read() + write()" left, the run's switches right. */
void zcl_title_draw(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	size_t nstages;
	zcl_stages(&nstages);
	char flags[96], mode[16], title[160];
	if (s->stepping)
		snprintf(mode, sizeof mode, "step");
	else if (s->paused)
		snprintf(mode, sizeof mode, "paused");
	else
		snprintf(mode, sizeof mode, "%s x%d", s->replay ? "replay" : "run", s->speed);
	if (s->trace)
		snprintf(flags, sizeof flags, "[SG %s] [%s]", s->sg ? "on" : "off", mode);
	else
		snprintf(flags, sizeof flags, "[%s] [SG %s] [%s cache] [%s]", s->solution ? "solution" : "your code",
			 s->sg ? "on" : "off", s->warm ? "warm" : "cold", mode);
	int fw = zcl_text_width(flags);
	zcl_text(c, c->w - fw, 0, flags, ZR_DIM, false);
	if (s->stage)
		snprintf(title, sizeof title, "stage %d/%zu: %s", s->stage->num, nstages, s->stage->title);
	else
		snprintf(title, sizeof title, "trace%s%s", s->trace_cmd[0] ? ": " : "", s->trace_cmd);
	int room = c->w - fw - 2, x = 0;
	const char *name = "Zero-Copy Lab  ";
	if (zcl_text_width(name) + zcl_text_width(title) <= room)
		x = zcl_text(c, 0, 0, name, ZR_TITLE, true);
	zcl_textn(c, x, 0, room - x, title, ZR_NORMAL, true);
}

void zcl_footer_draw(struct zcl_canvas *c, const struct zcl_viz_state *s, int y)
{
	int lines = c->h - 3 - y; /* the sentence's: what the call, note and status leave */
	lines = lines < 2 ? 2 : lines > 4 ? 4 : lines;
	int x = 1;
	if (s->about_to)
		x += zcl_text(c, x, y, "about to: ", ZR_KEY, true);
	if (s->call[0])
		zcl_textn(c, x, y, c->w - x - 1, s->call, ZR_NORMAL, true);
	else
		zcl_text(c, x, y, "(no syscall yet)", ZR_DIM, false);
	y++;
	y += zcl_wrap(c, 1, y, c->w - 2, lines, s->sentence, ZR_NORMAL, false) <= 2 ? 2 : lines;
	if (s->done && s->trace) {
		zcl_textn(c, 1, y, c->w - 2, s->reason, s->exit_rc == 0 ? ZR_GOOD : ZR_BAD, true);
	} else if (s->done && s->stopped) {
		zcl_textn(c, 1, y, c->w - 2, s->reason, ZR_KEY, true);
	} else if (s->done) {
		bool pass = strcmp(s->verdict, "pass") == 0;
		x = 1 + zcl_textf(c, 1, y, pass ? ZR_GOOD : ZR_BAD, true, "verdict: %s", s->verdict);
		if (s->reason[0]) {
			zcl_text(c, x, y, " - ", ZR_NORMAL, false);
			zcl_textn(c, x + 3, y, c->w - x - 4, s->reason, ZR_NORMAL, false);
		}
	} else if (s->cur > 0 && s->cur < s->nev && s->cur < ZCL_VIZ_MAX_EV && s->ev[s->cur].note) {
		x = 1 + zcl_text(c, 1, y, "now: ", ZR_DIM, false);
		zcl_textn(c, x, y, c->w - x - 1, s->ev[s->cur].note, ZR_DIM, false);
	}
	zcl_textn(c, 1, c->h - 1, c->w - 2, s->status, ZR_KEY, false);
}

/* A cleared, framed rectangle centred on the canvas; sets *x, *y to its corner. */
static void frame(struct zcl_canvas *c, int w, int h, const char *title, int *x, int *y)
{
	if (w > c->w)
		w = c->w;
	if (h > c->h - 2)
		h = c->h - 2;
	*x = (c->w - w) / 2;
	*y = (c->h - h) / 2;
	zcl_fill(c, *x, *y, w, h, ZR_NORMAL);
	zcl_box(c, *x, *y, w, h, title, ZR_TITLE);
}

static void help(struct zcl_canvas *c)
{
	size_t n;
	const struct zcl_key_help *k = zcl_keys_help(&n);
	int kw = 0, hw = 0;
	for (size_t i = 0; i < n; i++) {
		int a = zcl_text_width(k[i].key), b = zcl_text_width(k[i].help);
		kw = a > kw ? a : kw;
		hw = b > hw ? b : hw;
	}
	int x, y;
	frame(c, kw + hw + 7, (int)n + 4, "keys", &x, &y);
	for (size_t i = 0; i < n && (int)i < c->h - 6; i++) {
		zcl_text(c, x + 2, y + 2 + (int)i, k[i].key, ZR_KEY, true);
		zcl_text(c, x + 4 + kw, y + 2 + (int)i, k[i].help, ZR_NORMAL, false);
	}
}

static void hint(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	const char *text = s->hint && *s->hint ? s->hint : "no hint for this stage";
	int w = c->w - 10 < 70 ? c->w - 10 : 70;
	int lines = zcl_wrap(NULL, 0, 0, w - 4, c->h - 8, text, ZR_NORMAL, false);
	char title[96];
	if (s->stage)
		snprintf(title, sizeof title, "hint: stage %d, %s", s->stage->num, s->stage->title);
	else
		snprintf(title, sizeof title, "hint");
	int x, y;
	frame(c, w, lines + 4, title, &x, &y);
	zcl_wrap(c, x + 2, y + 2, w - 4, lines, text, ZR_NORMAL, false);
}

/* The comparison's columns: heading (two lines) and width; the bar takes the rest. */
static const struct { const char *h1, *h2; int w; } cols[] = {
	{"stage", "", 12}, {"sys-", "calls", 7}, {"mode", "switch", 7}, {"DMA", "n/bytes", 10},
	{"CPU", "n/bytes", 10}, {"CPU B", "per B", 7}, {"cache", "fills", 7}, {"MB/s", "untraced", 6},
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void compare_row(struct zcl_canvas *c, const struct zcl_viz_row *r, const char *label, int x, int y,
			int barw, double best)
{
	char f[NCOLS][32], a[16], b[16];
	const struct zcl_totals *t = &r->totals;
	snprintf(f[0], sizeof f[0], "%s", label);
	snprintf(f[1], sizeof f[1], "%" PRIu64, t->syscalls);
	snprintf(f[2], sizeof f[2], "%" PRIu64, t->mode_switches);
	snprintf(f[3], sizeof f[3], "%" PRIu64 "/%s", t->dma.count, zcl_size_str(t->dma.bytes, a, sizeof a));
	snprintf(f[4], sizeof f[4], "%" PRIu64 "/%s", t->cpu.count, zcl_size_str(t->cpu.bytes, b, sizeof b));
	per_byte(t->cpu.bytes, r->delivered, true, f[5], sizeof f[5]);
	snprintf(f[6], sizeof f[6], "%s", zcl_size_str(t->filled_bytes, a, sizeof a));
	if (r->mb_per_s > 0)
		snprintf(f[7], sizeof f[7], "%.0f", r->mb_per_s);
	else
		snprintf(f[7], sizeof f[7], "-");
	static const enum zcl_role roles[NCOLS] = {ZR_TITLE, ZR_NORMAL, ZR_NORMAL, ZR_DMA, ZR_CPU,
						   ZR_CPU, ZR_DMA, ZR_NORMAL};
	for (size_t i = 0; i < NCOLS; i++) {
		zcl_textn(c, x, y, cols[i].w - 1, f[i], roles[i], i == 0);
		x += cols[i].w;
	}
	if (r->mb_per_s > 0 && best > 0) {
		int n = (int)(r->mb_per_s / best * barw + 0.5);
		for (int i = 0; i < (n ? n : 1); i++)
			zcl_put(c, x + i, y, zcl_glyph(c, ZG_BLOCK), ZR_GOOD, false);
	}
}

/* The comparison of a traced program: its row in the stages' columns (per
 * byte sent into sockets), then each stage's target from the stage table. */
static void compare_trace(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	static const char *const notes =
		"The program's totals: the process on show (n / p), or all; CPU B per B: CPU bytes copied "
		"per byte it sent into sockets. Stage rows: each stage's target per byte (scatter-gather "
		"as set); zcl tour measures them.";
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	int x, y, w = c->w;
	int lines = zcl_wrap(NULL, 0, 0, w - 4, 3, notes, ZR_DIM, false);
	char title[96];
	snprintf(title, sizeof title, "comparison: %.40s (traced) and the stages", s->trace_cmd);
	frame(c, w, (int)n + 1 + lines + 7, title, &x, &y);
	int tx = x + 2;
	for (size_t i = 0, cx = (size_t)tx; i < NCOLS; cx += (size_t)cols[i].w, i++) {
		zcl_text(c, (int)cx, y + 2, cols[i].h1, ZR_TITLE, true);
		zcl_text(c, (int)cx, y + 3, cols[i].h2, ZR_TITLE, true);
	}
	int row = y + 4;
	compare_row(c, &s->trace_row, s->trace_cmd, tx, row++, 0, 0);
	int cpb = tx;
	for (size_t i = 0; i < 5; i++)
		cpb += cols[i].w;
	for (size_t i = 0; i < n; i++, row++) {
		unsigned target = s->sg ? st[i].cpu_x : st[i].cpu_x_nosg;
		zcl_textf(c, tx, row, ZR_DIM, false, "%d %s", st[i].num, st[i].slug);
		zcl_text(c, tx + cols[0].w, row, "target:", ZR_DIM, false);
		zcl_textf(c, cpb, row, ZR_CPU, false, "%u.00", target);
	}
	zcl_wrap(c, tx, row + 1, w - 4, lines, notes, ZR_DIM, false);
}

static void compare(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	const int nrows = (int)(sizeof s->rows / sizeof s->rows[0]);
	int shown = 0;
	double best = 0;
	for (int i = 0; i < nrows; i++) {
		if (!s->rows[i].stage)
			continue;
		shown++;
		if (s->rows[i].valid && s->rows[i].mb_per_s > best)
			best = s->rows[i].mb_per_s;
	}
	static const char *const notes =
		"n/bytes: copies and the bytes they moved. CPU B per B: CPU bytes copied per byte "
		"delivered. MB/s: the stage's program run untraced on the same input; - not measured.";
	if (s->trace) {
		compare_trace(c, s);
		return;
	}
	int x, y, w = c->w;
	int lines = zcl_wrap(NULL, 0, 0, w - 4, 3, notes, ZR_DIM, false);
	frame(c, w, (shown ? shown : 1) + lines + 7, "comparison: the stages run so far, same input", &x, &y);
	int tx = x + 2, barw = w - 4;
	for (size_t i = 0; i < NCOLS; i++)
		barw -= cols[i].w;
	for (size_t i = 0, cx = (size_t)tx; i < NCOLS; cx += (size_t)cols[i].w, i++) {
		zcl_text(c, (int)cx, y + 2, cols[i].h1, ZR_TITLE, true);
		zcl_text(c, (int)cx, y + 3, cols[i].h2, ZR_TITLE, true);
	}
	int row = y + 4;
	if (shown == 0)
		zcl_text(c, tx, row++, "no stage has run yet: n / p pick a stage, space or r runs it",
			 ZR_DIM, false);
	for (int i = 0; i < nrows; i++) {
		const struct zcl_viz_row *r = &s->rows[i];
		if (!r->stage)
			continue;
		char label[32];
		snprintf(label, sizeof label, "%d %s", r->stage->num, r->stage->slug);
		if (r->valid)
			compare_row(c, r, label, tx, row, barw, best);
		else
			zcl_textf(c, tx, row, ZR_DIM, false, "%d %-10s not run yet", r->stage->num, r->stage->slug);
		row++;
	}
	zcl_wrap(c, tx, row + 1, w - 4, lines, notes, ZR_DIM, false);
}

void zcl_overlay_draw(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	switch (s->overlay) {
	case ZO_HELP: help(c); break;
	case ZO_HINT: hint(c, s); break;
	case ZO_COMPARE: compare(c, s); break;
	case ZO_NONE: break;
	}
}
