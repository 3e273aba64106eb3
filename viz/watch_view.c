/*
 * watch_view.c - draw the zcl watch screen (see watch_view.h).
 *
 * Top to bottom at 80x24:
 *   title, progress bar "2/4 stages"
 *   the stages, [done] or [    ], the current one marked
 *   a box with the current stage's verdict and why
 *   a box with the compiler's errors, wrapped, cut to fit
 *   the status line and the keys
 * Every line is text first; roles (colours) only repeat what it says.
 */
#include <stdio.h>
#include <string.h>

#include "watch_view.h"

#define MIN_W 40 /* below this the screen says it is too small */
#define MIN_H 14
#define VERDICT_H 5 /* the verdict box, borders included */
#define ERRORS_MIN_H 7 /* the errors box, at least (5 lines inside: an error, its context, the cut) */
#define BAR_W 24    /* cells of the progress bar */

/* The keys of watch mode as the key line shows them; the loop's own key
 * table decides what they do. */
static const struct {
	const char *key, *help;
} keys[] = {
	{"r", "re-check"}, {"h", "hint"}, {"Enter", "animate"}, {"n/p", "stage"}, {"q", "quit"},
};

/*
 * The first display line of s[0..len): at most width cells (one per code
 * point), cut hard: compiler output is code and paths, not prose. Returns
 * its length in bytes.
 */
static size_t cut(const char *s, size_t len, int width)
{
	size_t i = 0;
	if (width < 1)
		width = 1; /* always make progress */
	for (int n = 0; i < len && n < width; n++)
		for (i++; i < len && ((unsigned char)s[i] & 0xc0) == 0x80; i++)
			; /* the rest of this code point */
	return i;
}

/* Draw len bytes of s at (x, y). */
static void text_n(struct zcl_canvas *c, int x, int y, const char *s, size_t len, enum zcl_role r,
		   bool bold)
{
	char buf[512];
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = 0;
	zcl_text(c, x, y, buf, r, bold);
}

/* One line of compiler output made printable: ROOT/ removed from paths,
 * tabs expanded, escape sequences (colour) and other control bytes dropped. */
static size_t clean_line(const char *s, size_t len, const char *root, char *out, size_t cap)
{
	size_t rl = root && *root ? strlen(root) : 0, o = 0;
	int col = 0;
	for (size_t i = 0; i < len && o + 8 < cap;) {
		unsigned char ch = (unsigned char)s[i];
		if (rl && i + rl < len && memcmp(s + i, root, rl) == 0 && s[i + rl] == '/') {
			i += rl + 1;
		} else if (ch == '\t') {
			do
				out[o++] = ' ';
			while (++col % 8 && o + 1 < cap);
			i++;
		} else if (ch == 0x1b) {
			i++;
			if (i < len && s[i] == '[') /* CSI: up to its final byte */
				for (i++; i < len && !(s[i] >= 0x40 && s[i] <= 0x7e); i++)
					;
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			i++;
		} else {
			col += (ch & 0xc0) != 0x80;
			out[o++] = s[i++];
		}
	}
	out[o] = 0;
	return o;
}

/* Does this line of compiler output belong to a warning? A line that
 * starts a diagnostic decides; quoted source (indented) and notes belong
 * to the diagnostic above them. */
static bool in_warning(const char *line, bool before)
{
	if (!line[0] || line[0] == ' ' || strstr(line, ": note: "))
		return before;
	return strstr(line, ": warning: ") != NULL;
}

/*
 * Lay the compiler output out in width-cell lines (hard-wrapped: it is code
 * and paths, not prose), leaving out warnings when skip_warnings is set, and
 * draw those with index < rows from (x, y) when draw is set. Returns how
 * many display lines that takes.
 */
static int diag_lines(struct zcl_canvas *c, int x, int y, int width, int rows, const char *diag,
		      const char *root, bool skip_warnings, bool draw)
{
	int k = 0;
	bool warning = false;
	for (const char *p = diag; *p;) {
		size_t len = strcspn(p, "\n");
		char line[1024];
		size_t n = clean_line(p, len, root, line, sizeof line);
		p += len + (p[len] == '\n');
		warning = in_warning(line, warning);
		if (skip_warnings && warning)
			continue;
		bool error = strstr(line, "error:") != NULL;
		const char *s = line;
		do {
			size_t m = cut(s, n, width);
			if (draw && k < rows)
				text_n(c, x, y + k, s, m, error ? ZR_BAD : ZR_NORMAL, error);
			k++;
			s += m, n -= m;
		} while (n > 0);
	}
	return k;
}

/* How many stages the view holds (never more than it has room for). */
static int count(const struct zcl_watch_view *v)
{
	return v->nstages < 0 ? 0 : v->nstages > ZCL_WATCH_VIEW_MAX ? ZCL_WATCH_VIEW_MAX : v->nstages;
}

/* The stage in focus, or NULL. */
static const struct zcl_stage *current_stage(const struct zcl_watch_view *v)
{
	return v->current >= 0 && v->current < count(v) ? v->stages[v->current].stage : NULL;
}

static void draw_header(struct zcl_canvas *c, const struct zcl_watch_view *v)
{
	int done = 0, total = count(v);
	for (int i = 0; i < total; i++)
		done += v->stages[i].done;
	zcl_text(c, 1, 0, "Zero-Copy Lab - watch", ZR_TITLE, true);
	zcl_text(c, c->w - 38 > 24 ? c->w - 38 : 24, 0, "edit an exercise, save: it re-checks", ZR_DIM,
		 false);
	int x = 1 + zcl_text(c, 1, 1, "progress ", ZR_NORMAL, false);
	int fill = total ? done * BAR_W / total : 0;
	zcl_put(c, x++, 1, '[', ZR_NORMAL, false);
	for (int i = 0; i < BAR_W; i++)
		zcl_put(c, x++, 1, zcl_glyph(c, i < fill ? ZG_BLOCK : ZG_SHADE),
			i < fill ? ZR_GOOD : ZR_DIM, false);
	zcl_put(c, x++, 1, ']', ZR_NORMAL, false);
	zcl_textf(c, x + 1, 1, done == total ? ZR_GOOD : ZR_NORMAL, true, "%d/%d stages%s", done,
		  total, done == total && done ? " - all done" : "");
}

/* The stage list from row y, at most rows lines. Returns the lines used. */
static int draw_stages(struct zcl_canvas *c, const struct zcl_watch_view *v, int y, int rows)
{
	int first = 0, n = count(v) < rows ? count(v) : rows;
	if (v->current >= n && v->current < count(v)) /* more stages than rows: keep the current one visible */
		first = v->current - n + 1;
	for (int k = 0; k < n; k++) {
		int i = first + k;
		const struct zcl_stage *s = v->stages[i].stage;
		bool cur = i == v->current;
		if (cur)
			zcl_put(c, 1, y + k, zcl_glyph(c, ZG_MARKER), ZR_KEY, true);
		zcl_text(c, 3, y + k, v->stages[i].done ? "[done]" : "[    ]",
			 v->stages[i].done ? ZR_GOOD : ZR_DIM, v->stages[i].done);
		if (!s)
			continue;
		zcl_textf(c, 10, y + k, ZR_NORMAL, cur, "%d %-10s %s", s->num, s->slug, s->title);
		if (c->w >= 80)
			zcl_textf(c, 54, y + k, ZR_DIM, false, "exercises/%02d-%s.c", s->num, s->slug);
	}
	return n;
}

static void draw_verdict(struct zcl_canvas *c, const struct zcl_watch_view *v, int y)
{
	const struct zcl_stage *s = current_stage(v);
	char title[96];
	snprintf(title, sizeof title, " stage %d %s: verdict ", s ? s->num : 0, s ? s->slug : "?");
	zcl_box(c, 0, y, c->w, VERDICT_H, title, ZR_NORMAL);
	int x = 2, width = c->w - 4;
	if (v->rebuilding) {
		zcl_text(c, x, y + 1, "rebuilding and re-checking...", ZR_TITLE, true);
		if (v->checked && v->verdict == ZV_PASS)
			zcl_text(c, x, y + 2, "previous: PASS", ZR_DIM, false);
		else if (v->checked)
			zcl_textf(c, x, y + 2, ZR_DIM, false, "previous: FAIL (%s)",
				  zcl_verdict_name(v->verdict));
		return;
	}
	if (!v->checked) {
		zcl_textf(c, x, y + 1, ZR_DIM, false, "not checked yet: save exercises/%02d-%s.c or press r",
			  s ? s->num : 0, s ? s->slug : "?");
		return;
	}
	bool pass = v->verdict == ZV_PASS;
	if (pass)
		zcl_text(c, x, y + 1, "PASS", ZR_GOOD, true);
	else
		zcl_textf(c, x, y + 1, ZR_BAD, true, "FAIL (%s)", zcl_verdict_name(v->verdict));
	zcl_wrap(c, x, y + 2, width, VERDICT_H - 3, v->reason, ZR_NORMAL, false);
}

static void draw_errors(struct zcl_canvas *c, const struct zcl_watch_view *v, int y, int h)
{
	if (v->hint) { /* h: the hint takes the box until the next key */
		zcl_box(c, 0, y, c->w, h, " hint ", ZR_KEY);
		zcl_wrap(c, 2, y + 1, c->w - 4, h - 2, v->hint, ZR_NORMAL, false);
		return;
	}
	const char *diag = v->diag && *v->diag ? v->diag : NULL;
	zcl_box(c, 0, y, c->w, h, " compiler errors ", diag ? ZR_BAD : ZR_NORMAL);
	int x = 2, width = c->w - 4, rows = h - 2;
	if (!diag) {
		zcl_text(c, x, y + 1, v->checked && !v->rebuilding ? "none: it compiled" : "none",
			 ZR_DIM, false);
		return;
	}
	int total = diag_lines(c, x, y + 1, width, rows, diag, v->root, false, false);
	if (total <= rows) {
		diag_lines(c, x, y + 1, width, rows, diag, v->root, false, true);
		return;
	}
	/* It does not fit: the errors matter most, so leave the warnings out
	 * (unless that leaves nothing) and say how much is not shown. */
	int errors = diag_lines(c, x, y + 1, width, rows, diag, v->root, true, false);
	bool skip = errors > 0 && errors < total;
	int shown = diag_lines(c, x, y + 1, width, rows - 1, diag, v->root, skip, true);
	if (shown > rows - 1)
		shown = rows - 1;
	const struct zcl_stage *s = current_stage(v);
	zcl_textf(c, x, y + rows, ZR_DIM, false, "... %d lines not shown%s: zcl check %d shows them all",
		  total - shown, skip ? " (warnings first)" : "", s ? s->num : 0);
}

static void draw_keys(struct zcl_canvas *c, int y)
{
	uint32_t sep = c->ascii ? '|' : zcl_glyph(c, ZG_DOT);
	int x = 1;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (i) {
			zcl_put(c, x + 1, y, sep, ZR_DIM, false);
			x += 3;
		}
		x += zcl_text(c, x, y, keys[i].key, ZR_KEY, true);
		x += 1 + zcl_text(c, x + 1, y, keys[i].help, ZR_NORMAL, false);
	}
}

void zcl_watch_draw(struct zcl_canvas *c, const struct zcl_watch_view *v)
{
	zcl_canvas_clear(c);
	if (c->w < MIN_W || c->h < MIN_H) {
		char msg[128];
		snprintf(msg, sizeof msg, "zcl watch needs a bigger terminal: 80x24 (this is %dx%d)",
			 c->w, c->h);
		zcl_wrap(c, 0, 0, c->w, c->h, msg, ZR_BAD, true);
		return;
	}
	draw_header(c, v);
	/* rows: header 2, blank, stages, blank, verdict box, errors box (at
	 * least ERRORS_MIN_H), status, keys; a short screen shortens the list */
	int room = c->h - 2 - 1 - 1 - VERDICT_H - ERRORS_MIN_H - 2;
	int y = 3 + draw_stages(c, v, 3, room < 1 ? 1 : room) + 1;
	draw_verdict(c, v, y);
	y += VERDICT_H;
	draw_errors(c, v, y, c->h - 2 - y);
	zcl_textn(c, 1, c->h - 2, c->w - 2, v->status, ZR_NORMAL, false);
	draw_keys(c, c->h - 1);
}
