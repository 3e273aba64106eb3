/*
 * report.h - writers of the event stream and of a run's result: the text
 * timeline, JSON lines, and the `zcl check` summary (text or JSON).
 */
#ifndef ZCL_REPORT_H
#define ZCL_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "account.h"
#include "collect.h"
#include "runner.h"

/* Columns a line of text may take on out: the terminal's width when out
 * is a terminal, else 80 (a pipe or a file: what an editor, a mail or a
 * pager shows). Can't fail. */
int zcl_out_width(FILE *out);

/* A timeline sink: ctx is a struct zcl_timeline. A line that would pass
 * the width goes on over indented lines: the call, then its copies and the
 * running totals. */
struct zcl_timeline {
	FILE *out;
	bool json;                /* one JSON object per line instead of text */
	bool bracket_only;        /* skip steps outside the bracket (stage runs) */
	struct zcl_totals totals; /* running totals shown on each line */
	pid_t first;              /* the first process; others are tagged with their pid */
	int width;                /* text: the columns a line may take (zcl_out_width) */
};

/* A fresh timeline writing to out (the caller's stream, not closed here),
 * as JSON lines or text as wide as out's terminal
 * (80 columns when it is not one); bracket_only: stage runs, where steps
 * outside the harness's bracket are skipped. Can't fail. */
void zcl_timeline_init(struct zcl_timeline *tl, FILE *out, bool json, bool bracket_only);

/* The sink step (struct zcl_sink): one syscall r and its n copy events ev
 * (both the caller's, only read) printed as one line or several, the
 * running totals updated. Write errors of out are left to the caller
 * (ferror). */
void zcl_timeline_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n);

/* "read(3, 0x7ffc..., 65536) = 65536" into buf (the short form the viz
 * shows; zcl trace's timeline names descriptors and decodes flags). */
void zcl_format_call(const struct zcl_sysrec *r, char *buf, size_t len);

/* The result as strace shows it: " = 65536", " = -1 EAGAIN (Resource
 * temporarily unavailable)", " =~ 4096" (deferred: from the I/O counters),
 * " = -1 (failed; ...)" (deferred, the counters prove a failure), " = ?",
 * " =~ ?" (deferred, checked in a run whose split is unknown; the run's
 * last such call says how many bytes the calls moved between them). */
void zcl_format_ret(const struct zcl_sysrec *r, char *buf, size_t len);

/* Totals as a few lines of text, with per-byte figures for `delivered`. */
void zcl_print_totals(FILE *out, const struct zcl_totals *t, uint64_t delivered);

/* `zcl check` output. */
void zcl_print_run_text(FILE *out, const struct zcl_run *r);
void zcl_print_run_json(FILE *out, const struct zcl_run *r);

/* Length of the valid UTF-8 character at p (1-4), or 0 if the bytes there
 * are not valid UTF-8. Can't fail. */
size_t zcl_utf8_len(const char *p);

/* Write s as a JSON string literal (with quotes); bytes that are not valid
 * UTF-8 become U+FFFD, so the result is always valid JSON. */
void zcl_json_str(FILE *out, const char *s);

#endif
