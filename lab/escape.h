/*
 * escape.h - every string that came from a student's program or the
 * compiler, made safe for where it is shown.
 *
 * A program can print anything: terminal escape sequences that repaint the
 * report ("Points 20/20" over a real 0/20), bytes that are not UTF-8,
 * characters XML forbids (U+FFFF, C0 controls) that make a JUnit file
 * unreadable, bidirectional overrides that reorder what a reader sees.
 * Text keeps newlines and tabs and shows everything else as an escape;
 * XML gets only the characters XML 1.0 allows (the rest replaced by
 * U+FFFD). JSON keeps C0 as \u escapes and gets the rest replaced.
 */
#ifndef ZCL_ESCAPE_H
#define ZCL_ESCAPE_H

#include <stdbool.h>
#include <stdio.h>

/* s for a terminal or a text file: printable UTF-8, '\n' and '\t' as
 * they are; C0 and C1 controls, DEL, bidirectional controls, U+FFFE and
 * U+FFFF as \xNN or \u{NNNN}; bytes that are not UTF-8 as \xNN. NULL
 * prints nothing. Can't fail (errors of out are the caller's). */
void zcl_put_text(FILE *out, const char *s);

/* The same into buf (at most len - 1 bytes, NUL-terminated; an escape is
 * never cut in half). Can't fail. */
void zcl_escape_text(const char *s, char *buf, size_t len);

/* s as XML character data or an attribute value: &, <, >, " escaped, line
 * breaks as &#10; (attributes keep them), every character XML 1.0 does not
 * allow replaced by U+FFFD. Always well-formed. Can't fail. */
void zcl_put_xml(FILE *out, const char *s);

/* s as a JSON string literal (zcl_json_str, which escapes C0 controls),
 * with bytes that are not UTF-8, C1 controls, bidirectional controls and
 * U+FFFE/U+FFFF replaced by U+FFFD first. Can't fail (out of memory: ""). */
void zcl_put_json(FILE *out, const char *s);

/* The Unicode code point of the valid UTF-8 character of n bytes at p. */
unsigned zcl_utf8_decode(const char *p, size_t n);

#endif
