/*
 * suggest.h - "did you mean": the known word closest to a mistyped one.
 */
#ifndef ZCL_SUGGEST_H
#define ZCL_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b: insertions, deletions, substitutions and
 * swaps of two neighbours each count 1 (optimal string alignment),
 * case-sensitive. Words longer than 63 bytes are compared by their first
 * 63. Can't fail. */
int zcl_edit_distance(const char *a, const char *b);

/* The one of the n candidates that word most likely meant: the closest by
 * zcl_edit_distance if it is near enough (1 for words of up to 3 bytes,
 * 2 for longer ones; the first on a tie), else the only candidate that
 * starts with word (at least 2 bytes). NULL when none fits or word is a
 * candidate itself. Returns one of the candidates (not a copy). */
const char *zcl_suggest(const char *word, const char *const *cands, size_t n);

#endif
