/*
 * canvas.h - a grid of character cells the scene is drawn on.
 *
 * The viz never draws with curses directly: the scene fills a canvas, and
 * the canvas is copied to the terminal (term.c), dumped as text (golden
 * frames in tests), or written as an asciinema frame (cast.c). One drawing
 * path, three outputs: what the tests see is what the student sees.
 */
#ifndef ZCL_CANVAS_H
#define ZCL_CANVAS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Cell attributes: a colour role and bold. The terminal maps roles to
 * colours (or to nothing with NO_COLOR); the text never depends on them. */
enum zcl_role { ZR_NORMAL, ZR_DIM, ZR_TITLE, ZR_CPU, ZR_DMA, ZR_REF, ZR_USER, ZR_KERNEL,
		ZR_HW, ZR_GOOD, ZR_BAD, ZR_KEY, ZR__COUNT };

struct zcl_cell {
	uint32_t ch;      /* a Unicode code point (ASCII in ASCII mode) */
	uint8_t role;     /* enum zcl_role */
	bool bold;
};

struct zcl_canvas {
	int w, h;
	bool ascii;       /* draw with ASCII only (no UTF-8 locale) */
	struct zcl_cell *cells;
};

/* Glyphs that have an ASCII fallback. */
enum zcl_glyph { ZG_H, ZG_V, ZG_TL, ZG_TR, ZG_BL, ZG_BR, ZG_ARROW_R, ZG_ARROW_L, ZG_ARROW_U,
		 ZG_ARROW_D, ZG_BLOCK, ZG_SHADE, ZG_DOT, ZG_BULLET, ZG_MARKER, ZG_ELLIPSIS, ZG__COUNT };

/* A w x h canvas of spaces. NULL when out of memory. Free with zcl_canvas_free. */
struct zcl_canvas *zcl_canvas_new(int w, int h, bool ascii);
void zcl_canvas_free(struct zcl_canvas *c);
void zcl_canvas_clear(struct zcl_canvas *c);

/* The code point for a glyph in this canvas's mode. */
uint32_t zcl_glyph(const struct zcl_canvas *c, enum zcl_glyph g);

/*
 * Drawing; everything is clipped to the canvas, so callers need not check.
 * One code point is one cell. In ASCII mode every code point above 127 is
 * replaced by a one-cell ASCII stand-in (box and arrow glyphs by their
 * fallback, dashes by '-', anything unknown by '?'), so layout does not
 * change between modes. Control characters become spaces.
 */
void zcl_put(struct zcl_canvas *c, int x, int y, uint32_t ch, enum zcl_role r, bool bold);
/* UTF-8 text (invalid bytes show as '?'); returns its width in cells,
 * clipped or not, so callers can place what follows. */
int zcl_text(struct zcl_canvas *c, int x, int y, const char *utf8, enum zcl_role r, bool bold);
int zcl_textf(struct zcl_canvas *c, int x, int y, enum zcl_role r, bool bold, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Like zcl_text, but at most max cells: a longer text ends in an ellipsis.
 * Returns the cells written (<= max). */
int zcl_textn(struct zcl_canvas *c, int x, int y, int max, const char *utf8, enum zcl_role r, bool bold);
/* Word-wrap utf8 into a w-cell column from (x, y), at most maxlines lines;
 * what does not fit ends in an ellipsis. Returns the lines used. With c
 * NULL it only counts them (to size a box before drawing it). */
int zcl_wrap(struct zcl_canvas *c, int x, int y, int w, int maxlines, const char *utf8,
	     enum zcl_role r, bool bold);
/* Width of utf8 in cells (its code points). Can't fail. */
int zcl_text_width(const char *utf8);
void zcl_hline(struct zcl_canvas *c, int x, int y, int len, enum zcl_role r);
void zcl_vline(struct zcl_canvas *c, int x, int y, int len, enum zcl_role r);
/* Fill a rectangle with spaces of role r (clears what an overlay covers). */
void zcl_fill(struct zcl_canvas *c, int x, int y, int w, int h, enum zcl_role r);
/* A frame with an optional title in its top edge; the inside is left alone. */
void zcl_box(struct zcl_canvas *c, int x, int y, int w, int h, const char *title, enum zcl_role r);

/* Row y as UTF-8 text, trailing spaces removed, into buf. */
void zcl_canvas_row(const struct zcl_canvas *c, int y, char *buf, size_t len);
/* The whole canvas as text, one row a line (golden frames). */
void zcl_canvas_dump(const struct zcl_canvas *c, FILE *out);

#endif
