/*
 * suggest.c - "did you mean" for commands, stages and options.
 *
 * git and cargo do the same: the distance of the typed word to every
 * known one (Damerau's four typing slips: a letter missing, one too many,
 * one wrong, two swapped), and a suggestion only when it is close, so
 * `zcl frobnicate` gets none rather than a wild guess.
 */
#define _GNU_SOURCE
#include <string.h>

#include "suggest.h"

#define WORD_MAX 63 /* longer words are compared by their first 63 bytes */

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

int zcl_edit_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, WORD_MAX), lb = strnlen(b, WORD_MAX);
	int d[WORD_MAX + 1][WORD_MAX + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1; /* two neighbours swapped */
		}
	return d[la][lb];
}

const char *zcl_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word);
	int limit = len <= 3 ? 1 : 2, best_d = limit + 1;
	const char *best = NULL, *prefixed = NULL;
	int nprefixed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(word, cands[i]))
			return NULL;
		int d = zcl_edit_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
		if (len >= 2 && !strncmp(word, cands[i], len)) {
			prefixed = cands[i];
			nprefixed++;
		}
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}
