/*
 * keys.c - the key table (htop's Action.c, tmux's bind -N): one row per
 * binding, so the help overlay and the dispatcher read the same data.
 */
#include "keys.h"

#define KEY_TAB 9
#define KEY_RET 10

static const struct {
	int key;
	enum zcl_action action;
	const char *name;
	const char *help;
} table[] = {
	{' ', ZA_STEP, "space", "step: run the next syscall"},
	{'r', ZA_RUN, "r", "run / pause"},
	{'+', ZA_FASTER, "+ / -", "faster / slower (speed 1-9; 9 animates nothing)"},
	{'=', ZA_FASTER, NULL, NULL},
	{'-', ZA_SLOWER, NULL, NULL},
	{'f', ZA_SKIP, "f", "finish: the rest of this run without animation"},
	{'c', ZA_CACHE, "c", "cold / warm cache, and re-run"},
	{'g', ZA_SG, "g", "scatter-gather on / off, and re-run"},
	{'n', ZA_NEXT, "n / p", "next / previous stage"},
	{'p', ZA_PREV, NULL, NULL},
	{'s', ZA_SOLUTION, "s", "your code / the reference solution"},
	{KEY_TAB, ZA_COMPARE, "Tab", "comparison of the stages run so far"},
	{'h', ZA_HINT, "h", "a hint for this stage"},
	{'?', ZA_HELP, "?", "this help"},
	{KEY_RET, ZA_ENTER, NULL, NULL},
	{'q', ZA_QUIT, "q", "quit"},
};

enum zcl_action zcl_key_action(int ch)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].key == ch)
			return table[i].action;
	return ZA_NONE;
}

const struct zcl_key_help *zcl_keys_help(size_t *n)
{
	static struct zcl_key_help help[sizeof table / sizeof table[0]];
	size_t k = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].name)
			help[k++] = (struct zcl_key_help){table[i].name, table[i].help};
	*n = k;
	return help;
}
