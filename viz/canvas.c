/*
 * canvas.c - a grid of character cells, and text on it.
 *
 * A cell holds one Unicode code point, a colour role and bold. Text comes
 * in as UTF-8 and is decoded here; rows go out as UTF-8 again (golden
 * frames, casts). Everything is clipped to the grid, so the scene can draw
 * without bounds checks. In ASCII mode (no UTF-8 locale) every code point
 * above 127 is swapped for a one-cell ASCII stand-in at the moment it is
 * put, so the same drawing code serves both modes and the layout is the
 * same in both.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"

#define REPLACEMENT '?' /* what an invalid UTF-8 byte shows as */

/* Each glyph in Unicode and in ASCII. */
static const struct {
	uint32_t uni;
	char ascii;
} glyphs[ZG__COUNT] = {
	[ZG_H] = {0x2500, '-'},        /* ─ */
	[ZG_V] = {0x2502, '|'},        /* │ */
	[ZG_TL] = {0x250c, '+'},       /* ┌ */
	[ZG_TR] = {0x2510, '+'},       /* ┐ */
	[ZG_BL] = {0x2514, '+'},       /* └ */
	[ZG_BR] = {0x2518, '+'},       /* ┘ */
	[ZG_ARROW_R] = {0x2192, '>'},  /* → */
	[ZG_ARROW_L] = {0x2190, '<'},  /* ← */
	[ZG_ARROW_U] = {0x2191, '^'},  /* ↑ */
	[ZG_ARROW_D] = {0x2193, 'v'},  /* ↓ */
	[ZG_BLOCK] = {0x2588, '#'},    /* █ */
	[ZG_SHADE] = {0x2591, '.'},    /* ░ */
	[ZG_DOT] = {0x00b7, '.'},      /* · */
	[ZG_BULLET] = {0x2022, 'o'},   /* • */
	[ZG_MARKER] = {0x25b6, '>'},   /* ▶ */
	[ZG_ELLIPSIS] = {0x2026, '~'}, /* … */
};

/* ASCII stand-ins for other code points text may carry. */
static const struct {
	uint32_t uni;
	char ascii;
} fallbacks[] = {
	{0x2013, '-'}, {0x2014, '-'}, {0x2018, '\''}, {0x2019, '\''}, {0x201c, '"'},
	{0x201d, '"'}, {0x00d7, 'x'}, {0x2264, '<'}, {0x2265, '>'}, {0x2550, '='},
	{0x2551, '|'}, {0x253c, '+'}, {0x251c, '+'}, {0x2524, '+'}, {0x252c, '+'},
	{0x2534, '+'}, {0x2506, ':'}, {0x2504, '.'}, {0x258f, '|'}, {0x2595, '|'},
	{0x25bc, 'v'}, {0x25b2, '^'}, {0x2713, '+'}, {0x2717, 'x'},
};

static uint32_t ascii_of(uint32_t ch)
{
	for (size_t i = 0; i < ZG__COUNT; i++)
		if (glyphs[i].uni == ch)
			return (uint32_t)glyphs[i].ascii;
	for (size_t i = 0; i < sizeof fallbacks / sizeof fallbacks[0]; i++)
		if (fallbacks[i].uni == ch)
			return (uint32_t)fallbacks[i].ascii;
	return '?';
}

struct zcl_canvas *zcl_canvas_new(int w, int h, bool ascii)
{
	if (w < 1 || h < 1)
		return NULL;
	struct zcl_canvas *c = malloc(sizeof *c);
	if (!c)
		return NULL;
	c->cells = malloc((size_t)w * (size_t)h * sizeof *c->cells);
	if (!c->cells) {
		free(c);
		return NULL;
	}
	c->w = w;
	c->h = h;
	c->ascii = ascii;
	zcl_canvas_clear(c);
	return c;
}

void zcl_canvas_free(struct zcl_canvas *c)
{
	if (!c)
		return;
	free(c->cells);
	free(c);
}

void zcl_canvas_clear(struct zcl_canvas *c)
{
	for (int i = 0; i < c->w * c->h; i++)
		c->cells[i] = (struct zcl_cell){' ', ZR_NORMAL, false};
}

uint32_t zcl_glyph(const struct zcl_canvas *c, enum zcl_glyph g)
{
	if ((unsigned)g >= ZG__COUNT)
		return '?';
	return c->ascii ? (uint32_t)glyphs[g].ascii : glyphs[g].uni;
}

void zcl_put(struct zcl_canvas *c, int x, int y, uint32_t ch, enum zcl_role r, bool bold)
{
	if (!c || x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
		ch = ' ';
	else if (c->ascii && ch > 0x7f)
		ch = ascii_of(ch);
	c->cells[y * c->w + x] = (struct zcl_cell){ch, (uint8_t)r, bold};
}

/* Decode one code point at *p and advance past it; invalid or truncated
 * sequences give U+FFFD and consume one byte. */
static uint32_t decode(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t ch;
	int n;
	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	} else if ((s[0] & 0xe0) == 0xc0) {
		ch = s[0] & 0x1f, n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		ch = s[0] & 0x0f, n = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		ch = s[0] & 0x07, n = 3;
	} else {
		*p += 1;
		return REPLACEMENT;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p += 1;
			return REPLACEMENT;
		}
		ch = ch << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
	*p += n + 1;
	if (ch < min[n] || ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff))
		return REPLACEMENT;
	return ch;
}

/* Encode ch as UTF-8 into out (at least 4 bytes); returns the length. */
static size_t encode(uint32_t ch, char *out)
{
	if (ch < 0x80) {
		out[0] = (char)ch;
		return 1;
	} else if (ch < 0x800) {
		out[0] = (char)(0xc0 | ch >> 6);
		out[1] = (char)(0x80 | (ch & 0x3f));
		return 2;
	} else if (ch < 0x10000) {
		out[0] = (char)(0xe0 | ch >> 12);
		out[1] = (char)(0x80 | (ch >> 6 & 0x3f));
		out[2] = (char)(0x80 | (ch & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | ch >> 18);
	out[1] = (char)(0x80 | (ch >> 12 & 0x3f));
	out[2] = (char)(0x80 | (ch >> 6 & 0x3f));
	out[3] = (char)(0x80 | (ch & 0x3f));
	return 4;
}

int zcl_text_width(const char *utf8)
{
	int n = 0;
	while (utf8 && *utf8) {
		decode(&utf8);
		n++;
	}
	return n;
}

int zcl_text(struct zcl_canvas *c, int x, int y, const char *utf8, enum zcl_role r, bool bold)
{
	int n = 0;
	while (utf8 && *utf8)
		zcl_put(c, x + n++, y, decode(&utf8), r, bold);
	return n;
}

int zcl_textf(struct zcl_canvas *c, int x, int y, enum zcl_role r, bool bold, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return zcl_text(c, x, y, buf, r, bold);
}

int zcl_textn(struct zcl_canvas *c, int x, int y, int max, const char *utf8, enum zcl_role r, bool bold)
{
	if (max <= 0 || !utf8)
		return 0;
	int width = zcl_text_width(utf8), n = 0;
	int room = width > max ? max - 1 : width;
	while (n < room)
		zcl_put(c, x + n++, y, decode(&utf8), r, bold);
	if (width > max)
		zcl_put(c, x + n++, y, zcl_glyph(c, ZG_ELLIPSIS), r, bold);
	return n;
}

/* The width of the word at p (up to a space or the end), in cells. */
static int word_width(const char *p, const char **end)
{
	int n = 0;
	while (*p && *p != ' ' && *p != '\n') {
		decode(&p);
		n++;
	}
	*end = p;
	return n;
}

/* Put the word [p, end) at (x, y), at most max cells (an ellipsis ends a
 * cut word); returns the cells written. */
static int put_word(struct zcl_canvas *c, int x, int y, const char *p, const char *end, int max,
		    enum zcl_role r, bool bold)
{
	const char *q;
	int n = 0, width = word_width(p, &q);
	int room = width > max ? max - 1 : width;
	while (p < end && n < room)
		zcl_put(c, x + n++, y, decode(&p), r, bold);
	if (width > max && max > 0)
		zcl_put(c, x + n++, y, c ? zcl_glyph(c, ZG_ELLIPSIS) : 0, r, bold);
	return n;
}

int zcl_wrap(struct zcl_canvas *c, int x, int y, int w, int maxlines, const char *utf8,
	     enum zcl_role r, bool bold)
{
	if (!utf8 || w <= 0 || maxlines <= 0)
		return 0;
	int line = 0, col = 0;
	bool any = false;
	const char *p = utf8;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '\n') { /* a forced break */
			p++;
			if (line + 1 == maxlines)
				break;
			line++;
			col = 0;
			continue;
		}
		const char *end;
		int ww = word_width(p, &end);
		if (col > 0 && col + 1 + ww > w) { /* the word starts the next line */
			if (line + 1 == maxlines) { /* no next line: say the rest is cut */
				zcl_put(c, x + (col < w ? col : w - 1), y + line,
					c ? zcl_glyph(c, ZG_ELLIPSIS) : 0, r, bold);
				break;
			}
			line++;
			col = 0;
		}
		if (col > 0)
			col++; /* the space before the word */
		col += put_word(c, x + col, y + line, p, end, w - col, r, bold);
		any = true;
		p = end;
	}
	return any ? line + 1 : 0;
}

void zcl_hline(struct zcl_canvas *c, int x, int y, int len, enum zcl_role r)
{
	for (int i = 0; i < len; i++)
		zcl_put(c, x + i, y, zcl_glyph(c, ZG_H), r, false);
}

void zcl_vline(struct zcl_canvas *c, int x, int y, int len, enum zcl_role r)
{
	for (int i = 0; i < len; i++)
		zcl_put(c, x, y + i, zcl_glyph(c, ZG_V), r, false);
}

void zcl_fill(struct zcl_canvas *c, int x, int y, int w, int h, enum zcl_role r)
{
	for (int j = 0; j < h; j++)
		for (int i = 0; i < w; i++)
			zcl_put(c, x + i, y + j, ' ', r, false);
}

void zcl_box(struct zcl_canvas *c, int x, int y, int w, int h, const char *title, enum zcl_role r)
{
	if (w < 2 || h < 2)
		return;
	zcl_hline(c, x + 1, y, w - 2, r);
	zcl_hline(c, x + 1, y + h - 1, w - 2, r);
	zcl_vline(c, x, y + 1, h - 2, r);
	zcl_vline(c, x + w - 1, y + 1, h - 2, r);
	zcl_put(c, x, y, zcl_glyph(c, ZG_TL), r, false);
	zcl_put(c, x + w - 1, y, zcl_glyph(c, ZG_TR), r, false);
	zcl_put(c, x, y + h - 1, zcl_glyph(c, ZG_BL), r, false);
	zcl_put(c, x + w - 1, y + h - 1, zcl_glyph(c, ZG_BR), r, false);
	if (!title || w < 6)
		return;
	char t[256]; /* the title without surrounding spaces: the frame adds one each side */
	while (*title == ' ')
		title++;
	snprintf(t, sizeof t, "%s", title);
	for (size_t n = strlen(t); n > 0 && t[n - 1] == ' '; n--)
		t[n - 1] = 0;
	if (!*t)
		return;
	zcl_put(c, x + 1, y, ' ', r, false);
	int n = zcl_textn(c, x + 2, y, w - 5, t, r, true);
	zcl_put(c, x + 2 + n, y, ' ', r, false);
}

void zcl_canvas_row(const struct zcl_canvas *c, int y, char *buf, size_t len)
{
	if (len == 0)
		return;
	size_t n = 0, keep = 0; /* keep: length without trailing spaces */
	buf[0] = 0;
	if (y < 0 || y >= c->h)
		return;
	for (int x = 0; x < c->w; x++) {
		char u[4];
		size_t k = encode(c->cells[y * c->w + x].ch, u);
		if (n + k >= len)
			break;
		memcpy(buf + n, u, k);
		n += k;
		if (c->cells[y * c->w + x].ch != ' ')
			keep = n;
	}
	buf[keep] = 0;
}

void zcl_canvas_dump(const struct zcl_canvas *c, FILE *out)
{
	size_t len = (size_t)c->w * 4 + 1;
	char *buf = malloc(len);
	if (!buf)
		return;
	for (int y = 0; y < c->h; y++) {
		zcl_canvas_row(c, y, buf, len);
		fprintf(out, "%s\n", buf);
	}
	free(buf);
}
