/*
 * cast.c - asciinema v2: a JSON header line, then one JSON array per
 * event: [seconds since start, "o", text written to the terminal].
 *
 * Every frame is the whole canvas at the size the header gives (the app
 * draws the recording on a canvas of its own, so a terminal resized during
 * the recording does not change it): cursor home, then each row with its
 * colours as SGR sequences, each row's rest erased. A frame that looks like
 * the one before is not written again; the header's idle_time_limit makes
 * the player skip the long waits (step mode, the end of a run).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cast.h"

#define IDLE_LIMIT_S 2 /* the player shortens any pause longer than this */

static FILE *out;
static struct timespec start;
static char *last;     /* the previous frame's text (malloc'd) */
static bool colour;

int zcl_cast_open(const char *path, int w, int h)
{
	out = fopen(path, "we");
	if (!out)
		return -1;
	const char *nc = getenv("NO_COLOR");
	colour = !(nc && *nc);
	clock_gettime(CLOCK_MONOTONIC, &start);
	fprintf(out, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, \"idle_time_limit\": %d, "
		     "\"title\": \"Zero-Copy Lab\", \"env\": {\"TERM\": \"xterm-256color\", \"SHELL\": \"/bin/sh\"}}\n",
		w, h, (long long)time(NULL), IDLE_LIMIT_S);
	return 0;
}

/* Write s as the inside of a JSON string. */
static void json_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

/* The SGR sequence for a cell's look: the same colours as the terminal
 * (term.c), ANSI numbers: 31 red, 32 green, 33 yellow, 34 blue, 35 magenta, 36 cyan. */
static void sgr(FILE *f, const struct zcl_cell *c)
{
	static const int fg[ZR__COUNT] = {
		[ZR_CPU] = 31, [ZR_DMA] = 36, [ZR_REF] = 35, [ZR_USER] = 34, [ZR_KERNEL] = 33,
		[ZR_HW] = 32, [ZR_GOOD] = 32, [ZR_BAD] = 31, [ZR_KEY] = 33,
	};
	fputs("\033[0", f);
	if (c->bold || c->role == ZR_TITLE)
		fputs(";1", f);
	if (c->role == ZR_DIM)
		fputs(";2", f);
	if (colour && c->role < ZR__COUNT && fg[c->role])
		fprintf(f, ";%d", fg[c->role]);
	fputc('m', f);
}

static void put_utf8(FILE *f, uint32_t c)
{
	if (c < 0x80) {
		fputc(c < 0x20 ? ' ' : (int)c, f);
	} else if (c < 0x800) {
		fputc((int)(0xc0 | (c >> 6)), f);
		fputc((int)(0x80 | (c & 0x3f)), f);
	} else {
		fputc((int)(0xe0 | (c >> 12)), f);
		fputc((int)(0x80 | ((c >> 6) & 0x3f)), f);
		fputc((int)(0x80 | (c & 0x3f)), f);
	}
}

/* The canvas as terminal output, into a malloc'd string (NULL if out of memory). */
static char *frame_text(const struct zcl_canvas *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs(last ? "\033[H" : "\033[?25l\033[H\033[2J", f);
	for (int y = 0; y < c->h; y++) {
		const struct zcl_cell *prev = NULL;
		for (int x = 0; x < c->w; x++) {
			const struct zcl_cell *cell = &c->cells[y * c->w + x];
			if (!prev || cell->role != prev->role || cell->bold != prev->bold)
				sgr(f, cell);
			put_utf8(f, cell->ch ? cell->ch : ' ');
			prev = cell;
		}
		fputs("\033[0m", f);
		if (y + 1 < c->h)
			fputs("\r\n", f);
	}
	fclose(f);
	return buf;
}

static double elapsed(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

void zcl_cast_frame(const struct zcl_canvas *c)
{
	if (!out)
		return;
	char *text = frame_text(c);
	if (!text || (last && strcmp(text, last) == 0)) {
		free(text);
		return;
	}
	fprintf(out, "[%.3f, \"o\", \"", elapsed());
	json_text(out, text);
	fputs("\"]\n", out);
	free(last);
	last = text;
}

void zcl_cast_close(void)
{
	if (out) {
		fprintf(out, "[%.3f, \"o\", \"\\u001b[0m\\u001b[?25h\\r\\n\"]\n", elapsed()); /* the cursor back */
		fclose(out);
	}
	out = NULL;
	free(last);
	last = NULL;
}
