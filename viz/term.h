/*
 * term.h - the one module that owns curses: setup, teardown, drawing a
 * canvas, reading keys. Every exit path restores the terminal.
 */
#ifndef ZCL_TERM_H
#define ZCL_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"

/* Take over the terminal. -1 with a message in err when there is none (no
 * TTY) or curses cannot start; the terminal is untouched then. */
int zcl_term_open(char *err, size_t errlen);

/* Give the terminal back. Safe to call twice, and at exit. */
void zcl_term_close(void);

/* Is a UTF-8 locale in force? (Otherwise draw ASCII.) */
bool zcl_term_utf8(void);

/* The terminal's size now. */
void zcl_term_size(int *w, int *h);

/* Copy the canvas to the screen in one update (no flicker). */
void zcl_term_show(const struct zcl_canvas *c);

/* A key, or -1 after timeout_ms (0: don't wait; <0: wait forever), or
 * ZCL_KEY_HANGUP when the terminal is gone (the caller must leave). A
 * resize returns the curses KEY_RESIZE code, see zcl_term_key_resize(). */
#define ZCL_KEY_HANGUP (-2)
int zcl_term_key(int timeout_ms);

/* The code zcl_term_key returns for a resize (curses' KEY_RESIZE), for
 * callers that do not include curses. Can't fail. */
int zcl_term_key_resize(void);

#endif
