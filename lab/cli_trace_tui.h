/*
 * cli_trace_tui.h - `zcl trace --tui -- CMD` (cli_trace_tui.c), for main.c.
 */
#ifndef ZCL_CLI_TRACE_TUI_H
#define ZCL_CLI_TRACE_TUI_H

#include <stdbool.h>

#include "cli.h"

/* Can trace --tui animate? A terminal on stdin and stdout that can take
 * the full-screen view, and no --json. When not, one line on stderr says
 * why and that the text timeline follows instead. */
bool zcl_trace_tui_ok(const struct opts *o);

/* Trace argv (prog: the file to execute) animated, then print zcl trace's
 * totals on stderr (or -o FILE, which also gets the text timeline). Uses
 * o's --no-sg, --exact, --timeout, --speed, --step, --cast, --once, -o.
 * Returns the status zcl exits with: the program's (128+N for signal N,
 * 124 after --timeout), or 2 when the tracer or the terminal could not be
 * had (said on stderr). intr: the signal flag (may be NULL). */
int zcl_trace_tui(char **argv, const char *prog, const struct opts *o, volatile int *intr);

#endif
