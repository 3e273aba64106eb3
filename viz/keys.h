/*
 * keys.h - the key bindings, as a table: key, action, help.
 */
#ifndef ZCL_KEYS_H
#define ZCL_KEYS_H

#include <stddef.h>

enum zcl_action {
	ZA_NONE, ZA_STEP, ZA_RUN, ZA_FASTER, ZA_SLOWER, ZA_CACHE, ZA_SG, ZA_NEXT, ZA_PREV,
	ZA_SOLUTION, ZA_COMPARE, ZA_HINT, ZA_HELP, ZA_QUIT, ZA_RECHECK, ZA_ENTER,
	ZA_SKIP,
};

/* One line of the help overlay. */
struct zcl_key_help {
	const char *key;
	const char *help;
};

/* The action bound to key code `ch` (a curses key code), ZA_NONE if none. */
enum zcl_action zcl_key_action(int ch);

/* The bindings for the help overlay, *n set to their number. */
const struct zcl_key_help *zcl_keys_help(size_t *n);

#endif
