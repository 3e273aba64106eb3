/*
 * cast.c - asciinema v2: a JSON header line, then one JSON array per
 * event: [seconds since start, "o", text written to the terminal]. Each
 * frame homes the cursor, clears the screen and writes the canvas's rows.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cast.h"

static FILE *out;
static struct timespec start;

int zcl_cast_open(const char *path, int w, int h)
{
	out = fopen(path, "we");
	if (!out)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	fprintf(out, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, "
		     "\"title\": \"Zero-Copy Lab\", \"env\": {\"TERM\": \"xterm-256color\"}}\n",
		w, h, (long long)time(NULL));
	return 0;
}

/* Write s as the inside of a JSON string. */
static void json_text(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

void zcl_cast_frame(const struct zcl_canvas *c)
{
	if (!out)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double t = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
	fprintf(out, "[%.3f, \"o\", \"", t);
	json_text("\033[H\033[2J");
	char row[4096];
	for (int y = 0; y < c->h; y++) {
		zcl_canvas_row(c, y, row, sizeof row);
		json_text(row);
		if (y + 1 < c->h)
			json_text("\r\n");
	}
	fputs("\"]\n", out);
}

void zcl_cast_close(void)
{
	if (out)
		fclose(out);
	out = NULL;
}
