/*
 * scene.c - the lanes, the boxes, and the copy on its way.
 *
 * The layout is computed from the canvas size each frame: three lanes
 * separated by rules, each place (enum zcl_place) a box in its lane. Bytes
 * flow left to right through a V: disk and page cache on the left, the user
 * buffer up in the middle, socket buffer and NIC on the right; in-kernel
 * moves (sendfile, splice) cut straight across the KERNEL lane, so the
 * shortcut is visible. An arrow between two boxes is a straight line when
 * they share a lane or a column, otherwise an L whose upright stands at the
 * kernel box. The current event is a block at `progress` along its arrow,
 * labelled "DMA 64K" / "CPU 64K" / "ref 64K" so it reads without colour.
 *
 * Which boxes there are comes from the stage's description (stages.h): an
 * input that is a pipe has no disk or page cache, only pipes; an output
 * file takes the socket's place (its page cache: a copy page cache -> page
 * cache runs from one box to the other) and there is no NIC; two sockets
 * share the socket box, named for both.
 */
#include <stdio.h>
#include <string.h>

#include "scene.h"
#include "scene_panels.h"

#define PATH_MAX_CELLS 512 /* cells of one arrow: more than any screen's width + height */
#define BASE_W 49          /* scene columns on an 80-column screen; wider ones grow the boxes */
#define BASE_ROWS 18       /* scene rows on a 24-row screen; taller ones grow the gaps */

struct rect { int x, y, w, h; };

struct layout {
	int sw;                     /* scene columns 0 .. sw-1; the panel is to the right */
	int rule_user, rule_kernel, rule_hw; /* rows of the lane rules */
	int notes;                  /* row under the hardware boxes */
	int footer;                 /* first row of the footer (zcl_footer_draw) */
	struct rect box[ZP__COUNT]; /* each place; w == 0: not shown */
	struct rect mapping;        /* the file mapping (stage 2); w == 0: none */
	struct rect out_file;       /* the output file's pages (an output file); w == 0: none */
	int mid;                    /* centre column between the left and right boxes */
	int kern_y;                 /* top row of the kernel lane's boxes */
};

struct path {
	int n;
	int x[PATH_MAX_CELLS], y[PATH_MAX_CELLS];
	enum zcl_glyph head; /* the arrowhead at the last cell */
	int turn;            /* index of the corner of an L, -1 for a straight line */
};

bool zcl_scene_fits(int w, int h)
{
	return w >= ZCL_SCENE_MIN_W && h >= ZCL_SCENE_MIN_H;
}

void zcl_scene_too_small(struct zcl_canvas *c)
{
	char msg[96];
	zcl_canvas_clear(c);
	snprintf(msg, sizeof msg, "terminal too small: need %dx%d, have %dx%d", ZCL_SCENE_MIN_W,
		 ZCL_SCENE_MIN_H, c->w, c->h);
	int n = zcl_text_width(msg);
	int x = n < c->w ? (c->w - n) / 2 : 0;
	zcl_textn(c, x, c->h / 2, c->w, msg, ZR_BAD, true);
	const char *more = "enlarge the window, or press q to quit";
	n = zcl_text_width(more);
	if (c->h / 2 + 1 < c->h)
		zcl_textn(c, n < c->w ? (c->w - n) / 2 : 0, c->h / 2 + 1, c->w, more, ZR_DIM, false);
}

/* The event being animated, or NULL (none, or one naming no known place). */
static const struct zcl_event *current(const struct zcl_viz_state *s)
{
	if (s->cur < 1 || s->cur >= s->nev || s->cur >= ZCL_VIZ_MAX_EV)
		return NULL;
	const struct zcl_event *e = &s->ev[s->cur];
	if (e->kind == ZE_MARK || e->kind == ZE_SYSCALL || (unsigned)e->from >= ZP__COUNT ||
	    (unsigned)e->to >= ZP__COUNT)
		return NULL;
	return e;
}

/* Does any copy of the syscall on screen touch place p? */
static bool uses(const struct zcl_viz_state *s, enum zcl_place p)
{
	for (int i = 0; i < s->nev && i < ZCL_VIZ_MAX_EV; i++)
		if ((s->ev[i].kind == ZE_DMA || s->ev[i].kind == ZE_CPU || s->ev[i].kind == ZE_REF) &&
		    (s->ev[i].from == p || s->ev[i].to == p))
			return true;
	return false;
}

/* A place's box when the stage does not decide: a copy of the call on
 * screen uses it, or (a traced program) one of its copies did before. */
static bool shown(const struct zcl_viz_state *s, enum zcl_place p)
{
	return uses(s, p) || (s->trace && (s->seen & (1u << p)));
}

/* A user buffer box, from the stage's description: the file passes through
 * one (read + write), a header is sent from one (gather), or the contract
 * hands the input in one (send_buffer); any program
 * (no stage) may have one; and whatever the stage, a copy that does visit
 * user memory gets its box (a sendfile stage that read()s after all). */
static bool has_user_buffer(const struct zcl_viz_state *s)
{
	return (!s->stage && !s->trace) ||
	       (s->stage && (s->stage->user_path || s->stage->gather || zcl_contract_info(s->stage->contract)->buffer)) ||
	       shown(s, ZP_USER);
}

static void layout(struct layout *L, const struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	memset(L, 0, sizeof *L);
	int pw = 30 + (c->w - ZCL_SCENE_MIN_W) / 4; /* the panel */
	L->sw = c->w - pw - 1;
	int grow = (L->sw - BASE_W) / 4;

	/* rows: rule, [a], user boxes, [b], rule, [c], kernel boxes, [d], rule, [e],
	 * hardware boxes, notes; the gaps take the height beyond 24 rows, up to
	 * a limit (longer arrows, not a sparse screen) */
	int gap[5] = {0, 1, 1, 1, 1};
	static const int order[5] = {1, 2, 3, 4, 0}, most[5] = {1, 4, 4, 4, 4};
	int extra = c->h - ZCL_FOOTER_H - 1 - BASE_ROWS;
	for (int i = 0; extra > 0 && i < 25; i++)
		if (gap[order[i % 5]] < most[order[i % 5]]) {
			gap[order[i % 5]]++;
			extra--;
		}
	int y = 1;
	L->rule_user = y;
	int user_y = y + 1 + gap[0];
	L->rule_kernel = user_y + 3 + gap[1];
	int kern_y = L->rule_kernel + 1 + gap[2];
	L->rule_hw = kern_y + 4 + gap[3];
	int hw_y = L->rule_hw + 1 + gap[4];
	L->notes = hw_y + 3;
	L->footer = c->h - ZCL_FOOTER_H - (extra > 2 ? 2 : extra); /* a longer sentence if there is room */

	int lw = 14 + grow, rw = 15 + grow, uw = 13 + grow, dw = 9 + grow / 2;
	int rx = L->sw - 1 - rw;
	L->mid = (1 + lw + rx) / 2;
	L->kern_y = kern_y;
	if (has_user_buffer(s))
		L->box[ZP_USER] = (struct rect){L->mid - uw / 2, user_y, uw, 3};
	bool pipe_in = s->stage && s->stage->input == ZIN_PIPE, file_out = s->stage && s->stage->output == ZOUT_FILE;
	if (!pipe_in || uses(s, ZP_PAGE_CACHE))
		L->box[ZP_PAGE_CACHE] = (struct rect){1, kern_y, lw, 4};
	if (!pipe_in || uses(s, ZP_DISK))
		L->box[ZP_DISK] = (struct rect){1, hw_y, dw, 3};
	if (file_out) {
		L->out_file = (struct rect){rx, kern_y, rw, 4};
	} else {
		if (!s->trace || shown(s, ZP_SOCKET)) /* a traced program: once it uses one */
			L->box[ZP_SOCKET] = (struct rect){rx, kern_y, rw, 4};
		if (!s->trace || shown(s, ZP_NIC))
			L->box[ZP_NIC] = (struct rect){L->sw - 1 - dw, hw_y, dw, 3};
	}
	if (pipe_in) /* the input's place: where the page cache would be */
		L->box[ZP_PIPE] = (struct rect){1, kern_y, lw, 4};
	else if (shown(s, ZP_PIPE))
		L->box[ZP_PIPE] = (struct rect){L->mid - 4, kern_y, 8, 4};
	else if (shown(s, ZP_KERNEL)) /* /proc, /dev/urandom: made up by the kernel */
		L->box[ZP_KERNEL] = (struct rect){L->mid - 5, kern_y, 10, 4};
	if (shown(s, ZP_TTY)) /* the terminal: below the user buffer, a straight drop */
		L->box[ZP_TTY] = (struct rect){L->mid - uw / 2, hw_y, uw, 3};
	if (s->stage && s->stage->map_writes) /* the file is mapped, not read */
		L->mapping = (struct rect){1, user_y, lw, 3};
}

/* Add the straight run of cells from (x0, y0) to (x1, y1) to p. */
static void run(struct path *p, int x0, int y0, int x1, int y1)
{
	int dx = (x1 > x0) - (x1 < x0), dy = (y1 > y0) - (y1 < y0);
	for (int x = x0, y = y0; p->n < PATH_MAX_CELLS; x += dx, y += dy) {
		if (!(p->n > 0 && p->x[p->n - 1] == x && p->y[p->n - 1] == y)) {
			p->x[p->n] = x;
			p->y[p->n] = y;
			p->n++;
		}
		if (x == x1 && y == y1)
			break;
	}
	p->head = dx > 0 ? ZG_ARROW_R : dx < 0 ? ZG_ARROW_L : dy < 0 ? ZG_ARROW_U : ZG_ARROW_D;
}

/* The arrow from box a to box b (see the comment at the top). A copy from
 * the page cache to the page cache goes to the output file, if there is one. */
static void route(const struct layout *L, enum zcl_place from, enum zcl_place to, struct path *p)
{
	p->n = 0;
	p->turn = -1;
	if ((unsigned)from >= ZP__COUNT || (unsigned)to >= ZP__COUNT)
		return;
	if (from == to && !(from == ZP_PAGE_CACHE && L->out_file.w))
		return;
	struct rect a = L->box[from], b = from == to ? L->out_file : L->box[to];
	if (a.w == 0 || b.w == 0)
		return;
	if (a.y == b.y) { /* one lane: straight across */
		int row = a.y + a.h / 2;
		if (a.x < b.x)
			run(p, a.x + a.w, row, b.x - 1, row);
		else
			run(p, a.x - 1, row, b.x + b.w, row);
		return;
	}
	int lo = (a.x > b.x ? a.x : b.x) + 1;
	int hi = (a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w) - 2;
	if (lo <= hi) { /* one column: straight up or down */
		int x = (lo + hi) / 2;
		if (a.y < b.y)
			run(p, x, a.y + a.h, x, b.y - 1);
		else
			run(p, x, a.y - 1, x, b.y + b.h);
		return;
	}
	/* an L: the upright at the kernel box, the crossbar in the other lane */
	bool pivot_a = a.y == L->kern_y || b.y != L->kern_y;
	struct rect pv = pivot_a ? a : b, other = pivot_a ? b : a;
	int ux = other.x > pv.x ? pv.x + pv.w - 3 : pv.x + 2;
	int bar = other.y + other.h / 2;
	int side = other.x > pv.x ? other.x - 1 : other.x + other.w;
	if (pivot_a) {
		run(p, ux, b.y < a.y ? a.y - 1 : a.y + a.h, ux, bar);
		p->turn = p->n - 1;
		run(p, ux, bar, side, bar);
	} else {
		run(p, side, bar, ux, bar);
		p->turn = p->n - 1;
		run(p, ux, bar, ux, a.y < b.y ? b.y - 1 : b.y + b.h);
	}
}

/* The corner glyph where a path moving (dx0,dy0) turns to move (dx1,dy1):
 * its arms point back along the first move and on along the second. */
static enum zcl_glyph corner(int dx0, int dy0, int dx1, int dy1)
{
	bool down = dy0 < 0 || dy1 > 0, left = dx0 > 0 || dx1 < 0;
	if (down)
		return left ? ZG_TR : ZG_TL;
	return left ? ZG_BR : ZG_BL;
}

static void draw_path(struct zcl_canvas *c, const struct path *p, bool dotted, enum zcl_role r)
{
	for (int i = 0; i < p->n; i++) {
		enum zcl_glyph g;
		if (i == p->n - 1)
			g = p->head;
		else if (dotted)
			g = ZG_DOT;
		else if (i == p->turn && i > 0)
			g = corner(p->x[i] - p->x[i - 1], p->y[i] - p->y[i - 1], p->x[i + 1] - p->x[i],
				   p->y[i + 1] - p->y[i]);
		else
			g = p->x[i] == p->x[i + 1] ? ZG_V : ZG_H;
		zcl_put(c, p->x[i], p->y[i], zcl_glyph(c, g), r, i == p->n - 1);
	}
}

static enum zcl_role role_of(enum zcl_evkind k)
{
	return k == ZE_DMA ? ZR_DMA : k == ZE_CPU ? ZR_CPU : k == ZE_REF ? ZR_REF : ZR_NORMAL;
}

/* The current event: a block at s->progress along its arrow, with a label. */
static void draw_block(struct zcl_canvas *c, const struct layout *L, const struct zcl_event *e,
		       const struct path *p, double progress)
{
	enum zcl_role r = role_of(e->kind);
	char size[16], label[64];
	zcl_size_str(e->bytes, size, sizeof size);
	snprintf(label, sizeof label, "%s %s%s",
		 e->kind == ZE_DMA ? "DMA" : e->kind == ZE_CPU ? "CPU" : "ref", size, e->modelled ? "*" : "");
	int len = zcl_text_width(label);
	if (p->n == 0) { /* nowhere to travel (a copy within one place, tee): in the box, or by it */
		struct rect b = L->box[e->from];
		if (b.w && b.w - 2 >= len)
			zcl_text(c, b.x + 1, b.y + 2, label, r, true);
		else if (b.w)
			zcl_text(c, b.x + 1, b.y - 1, label, r, true);
		return;
	}
	if (progress < 0)
		progress = 0;
	if (progress > 1)
		progress = 1;
	int i = (int)(progress * (p->n - 1) + 0.5);
	int x = p->x[i], y = p->y[i];
	bool vertical = p->n > 1 && p->x[i > 0 ? i - 1 : 1] == x;
	zcl_put(c, x, y, zcl_glyph(c, ZG_BLOCK), r, true);
	int lx, ly = y;
	if (vertical) {
		/* the label goes on the side away from the L's crossbar */
		int far = p->turn < 0 ? x : p->x[0] == p->x[p->turn] ? p->x[p->n - 1] : p->x[0];
		lx = far > x ? x - 1 - len : x + 2;
		if (lx + len > L->sw - 1)
			lx = x - 1 - len;
		if (lx < 1)
			lx = x + 2;
	} else {
		/* above the arrow if the gap holds it, else under the boxes it joins */
		bool roomy = p->n >= len + 2;
		if (!roomy && e->kind == ZE_REF)
			len = zcl_text_width(strcat(label, ", descriptors"));
		ly = roomy ? y - 1 : L->box[e->from].y + L->box[e->from].h;
		lx = x - len / 2;
		if (lx + len > L->sw - 1)
			lx = L->sw - 1 - len;
		if (lx < 1)
			lx = 1;
	}
	zcl_put(c, lx - 1, ly, ' ', r, false); /* a margin, so the label stands out on a rule */
	zcl_put(c, lx + len, ly, ' ', r, false);
	zcl_text(c, lx, ly, label, r, true);
	if (e->kind == ZE_REF && !vertical && ly == y - 1) { /* under a handoff: what moved */
		const char *what = "descriptor only";
		int mx = (p->x[0] + p->x[p->n - 1]) / 2 - zcl_text_width(what) / 2;
		zcl_text(c, mx, y + 1, what, ZR_REF, false);
	}
}

/* Does any arrow pass through (x, y)? */
static bool crossed(const struct path *paths, int n, int x, int y)
{
	for (int k = 0; k < n; k++)
		for (int i = 0; i < paths[k].n; i++)
			if (paths[k].x[i] == x && paths[k].y[i] == y)
				return true;
	return false;
}

/* A lane rule with its name as near the middle as the arrows crossing it allow. */
static void lane_rule(struct zcl_canvas *c, int sw, int y, const char *name, enum zcl_role r,
		      const struct path *paths, int npaths)
{
	zcl_hline(c, 0, y, sw, ZR_DIM);
	int n = zcl_text_width(name), x = (sw - n) / 2 - 1;
	for (int d = 0; d < sw; d++) { /* try x, x+1, x-1, x+2, ... */
		int t = x + (d % 2 ? (d + 1) / 2 : -(d / 2));
		bool free = t >= 1 && t + n + 1 < sw;
		for (int i = t; free && i <= t + n + 1; i++)
			free = !crossed(paths, npaths, i, y);
		if (free) {
			x = t;
			break;
		}
	}
	zcl_put(c, x, y, ' ', r, false);
	zcl_text(c, x + 1, y, name, r, true);
	zcl_put(c, x + 1 + n, y, ' ', r, false);
}

static void place_box(struct zcl_canvas *c, struct rect b, const char *label, enum zcl_role r, bool hot)
{
	if (b.w == 0)
		return;
	zcl_box(c, b.x, b.y, b.w, b.h, NULL, r);
	zcl_textn(c, b.x + 1, b.y + 1, b.w - 2, label, hot ? ZR_TITLE : ZR_NORMAL, hot);
}

/* The page cache's fill bar. cached_bytes already holds the fill being
 * animated; the bar shows it arriving, growing with the progress. */
static void fill_bar(struct zcl_canvas *c, struct rect b, const struct zcl_viz_state *s)
{
	if (b.w == 0)
		return;
	double cached = (double)s->cached_bytes;
	const struct zcl_event *e = current(s);
	if (e) {
		if (e->kind == ZE_DMA && e->to == ZP_PAGE_CACHE)
			cached -= (1 - s->progress) * (double)e->bytes;
	}
	if (cached < 0)
		cached = 0;
	if (s->trace) { /* no one input file: what the program's reads filled */
		char size[16];
		zcl_textf(c, b.x + 1, b.y + 2, ZR_DMA, false, "filled %s", zcl_size_str((uint64_t)cached, size, sizeof size));
		return;
	}
	double frac = s->file_size ? cached / (double)s->file_size : 0;
	if (frac > 1)
		frac = 1;
	int bw = b.w - 2 - 5;
	int full = (int)(frac * bw);
	for (int i = 0; i < bw; i++)
		zcl_put(c, b.x + 1 + i, b.y + 2, zcl_glyph(c, i < full ? ZG_BLOCK : ZG_SHADE),
			i < full ? ZR_DMA : ZR_DIM, false);
	zcl_textf(c, b.x + 1 + bw, b.y + 2, ZR_NORMAL, false, "%4d%%", (int)(frac * 100));
}

static void lanes(struct zcl_canvas *c, const struct layout *L, const struct zcl_viz_state *s,
		  const struct path *paths, int npaths)
{
	lane_rule(c, L->sw, L->rule_user, "USER SPACE", ZR_USER, paths, npaths);
	lane_rule(c, L->sw, L->rule_kernel, "KERNEL", ZR_KERNEL, paths, npaths);
	lane_rule(c, L->sw, L->rule_hw, "HARDWARE", ZR_HW, paths, npaths);
	zcl_vline(c, L->sw, 1, L->footer - 1, ZR_DIM);

	const struct zcl_event *e = current(s);
	bool hot[ZP__COUNT] = {false};
	if (e)
		hot[e->from] = hot[e->to] = true;
	place_box(c, L->box[ZP_USER], "user buffer", ZR_USER, hot[ZP_USER]);
	place_box(c, L->mapping, "file mapping", ZR_USER, false);
	place_box(c, L->box[ZP_PAGE_CACHE], "page cache", ZR_KERNEL, hot[ZP_PAGE_CACHE]);
	bool two = s->stage && s->stage->output == ZOUT_TWO_SOCKETS, pipe_in = s->stage && s->stage->input == ZIN_PIPE;
	place_box(c, L->box[ZP_SOCKET], two ? "sockets A, B" : "socket buffer", ZR_KERNEL, hot[ZP_SOCKET]);
	place_box(c, L->box[ZP_PIPE], pipe_in ? "pipes" : "pipe", ZR_KERNEL, hot[ZP_PIPE]);
	place_box(c, L->out_file, "output file", ZR_KERNEL, e && e->from == ZP_PAGE_CACHE && e->to == ZP_PAGE_CACHE);
	if (L->out_file.w)
		zcl_textn(c, L->out_file.x + 1, L->out_file.y + 2, L->out_file.w - 2, "(page cache)", ZR_DIM, false);
	place_box(c, L->box[ZP_DISK], "disk", s->tmpfs ? ZR_DIM : ZR_HW, hot[ZP_DISK]);
	place_box(c, L->box[ZP_NIC], "NIC*", ZR_HW, hot[ZP_NIC]);
	place_box(c, L->box[ZP_TTY], "terminal", ZR_HW, hot[ZP_TTY]);
	place_box(c, L->box[ZP_KERNEL], "kernel", ZR_KERNEL, hot[ZP_KERNEL]);
	fill_bar(c, L->box[ZP_PAGE_CACHE], s);

	if (L->mapping.w) { /* the mapping is the page cache's own pages */
		struct rect m = L->mapping;
		int x = m.x + 4;
		for (int y = m.y + m.h; y < L->box[ZP_PAGE_CACHE].y; y++)
			zcl_put(c, x, y, zcl_glyph(c, ZG_DOT), ZR_DIM, false);
		zcl_text(c, x + 2, L->rule_kernel - 1, "same pages", ZR_DIM, false);
	}
	if (e && e->kind == ZE_REF && e->from != e->to && L->box[e->to].w > 12)
		zcl_text(c, L->box[e->to].x + 1, L->box[e->to].y + 2, "descriptors", ZR_REF, false);
	const char *nic = s->trace ? "* NIC modelled" : "* modelled: loopback has no NIC";
	if (L->box[ZP_NIC].w)
		zcl_text(c, L->sw - 1 - zcl_text_width(nic), L->notes, nic, ZR_DIM, false);
	if (s->tmpfs)
		zcl_text(c, 1, L->notes, "tmpfs: no disk", ZR_DIM, false);
}

/* The process marker, on its side of the user/kernel line. */
static void marker(struct zcl_canvas *c, const struct layout *L, const struct zcl_viz_state *s)
{
	int y = s->in_kernel ? L->rule_kernel + 1 : L->rule_kernel - 1;
	int x = L->mid - 4;
	enum zcl_role r = s->in_kernel ? ZR_KERNEL : ZR_USER;
	zcl_put(c, x, y, zcl_glyph(c, ZG_MARKER), r, true);
	char name[32] = "process"; /* a traced program: the process on show */
	if (s->trace && strncmp(s->proc, "all ", 4) != 0)
		snprintf(name, sizeof name, "%.*s", (int)strcspn(s->proc, ","), s->proc);
	zcl_text(c, x + 2, y, name, r, true);
}

void zcl_scene_draw(struct zcl_canvas *c, const struct zcl_viz_state *s)
{
	if (!zcl_scene_fits(c->w, c->h)) {
		zcl_scene_too_small(c);
		return;
	}
	zcl_canvas_clear(c);
	static struct layout L;     /* static: the paths are big, and drawing is single-threaded */
	static struct path paths[ZCL_VIZ_MAX_EV]; /* one per event of the call on screen */
	layout(&L, c, s);
	int n = s->nev < ZCL_VIZ_MAX_EV ? s->nev : ZCL_VIZ_MAX_EV;
	for (int i = 0; i < n; i++) {
		paths[i].n = 0;
		if (i > 0 && s->ev[i].kind != ZE_MARK)
			route(&L, s->ev[i].from, s->ev[i].to, &paths[i]);
	}
	zcl_title_draw(c, s);
	lanes(c, &L, s, paths, n);
	marker(c, &L, s);

	/* this syscall's arrows: the others dim, then the current one on top */
	for (int i = 1; i < n; i++)
		if (i != s->cur)
			draw_path(c, &paths[i], s->ev[i].kind == ZE_REF, ZR_DIM);
	const struct zcl_event *e = current(s);
	if (e) {
		draw_path(c, &paths[s->cur], e->kind == ZE_REF, role_of(e->kind));
		draw_block(c, &L, e, &paths[s->cur], s->progress);
	}
	zcl_panel_draw(c, s, L.sw + 2, 1, c->w - L.sw - 2, L.footer - 1);
	zcl_footer_draw(c, s, L.footer);
	zcl_overlay_draw(c, s);
}
