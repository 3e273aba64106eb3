/*
 * help.h - the command line as data: one table of commands (synopsis,
 * summary, details, exit codes) and one table of options (which commands
 * take each). `zcl --help` (the overview), `zcl COMMAND --help`, parse()'s
 * getopt list and its "does not apply" check, and the tests that keep the
 * man page, the bash completion and the README in step all read them.
 *
 * Adding an option: one row in help.c's option table (its commands, its
 * text) and a case in parse() (main.c) for its value.
 */
#ifndef ZCL_HELP_H
#define ZCL_HELP_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

enum zcl_cmd {
	ZC_LIST, ZC_CHECK, ZC_RUN, ZC_REPLAY, ZC_TRACE, ZC_HINT, ZC_WATCH, ZC_TOUR,
	ZC_RESET, ZC_GRADE, ZC_SELFCHECK, ZC_BENCH, ZC_HELP,
	ZC_NCMDS
};

#define ZC_BIT(c) (1u << (c))

struct zcl_command {
	const char *name;       /* "check" */
	const char *operands;   /* "STAGE", "-- CMD ARGS...", or "" */
	const char *summary;    /* one line (the overview, the man page's list) */
	const char *details;    /* COMMAND --help: what it does, more lines; may be "" */
	const char *exits;      /* COMMAND --help: its exit status */
};

struct zcl_option {
	const char *name;       /* long name without "--", e.g. "size" */
	char short_name;        /* 'o', 'j', or 0 */
	const char *arg;        /* "BYTES", or NULL for a flag */
	int val;                /* what getopt_long returns for it */
	unsigned cmds;          /* ZC_BIT() of every command this row applies to */
	const char *help;       /* its text for those commands (continued lines start "\n") */
};

/* The command table, *n set to its length (ZC_NCMDS). Can't fail. */
const struct zcl_command *zcl_commands(size_t *n);

/* The option table, *n set to its length. An option may have several rows
 * (one text per group of commands); every row of a name has the same val,
 * arg and short_name. Can't fail. */
const struct zcl_option *zcl_options(size_t *n);

/* The command named name, or -1. Can't fail. */
int zcl_command_find(const char *name);

/* getopt_long's table (one entry per option name, the {0} end included)
 * and the matching short-option string ("+o:j:h" with stop_at_operand),
 * both static storage. Can't fail. */
const struct option *zcl_getopt_longs(void);
const char *zcl_getopt_shorts(bool stop_at_operand);

/* Does the option getopt returned as val apply to command cmd? */
bool zcl_option_applies(int val, enum zcl_cmd cmd);

/* How an option is written ("--size", "-j/--jobs") into buf, and the
 * commands it does apply to ("check, run, tour") into cmds. Can't fail. */
void zcl_option_describe(int val, char *buf, size_t len, char *cmds, size_t cmdslen);

/* The overview (zcl --help) to out. Can't fail. */
void zcl_help_overview(FILE *out);

/* One command's help: usage line, what it does, its options only, its
 * exit status. Can't fail. */
void zcl_help_command(FILE *out, enum zcl_cmd cmd);

/* "zcl 1.0 (git v1.0-12-gabcdef)" or "zcl 1.0" to out. Can't fail. */
void zcl_help_version(FILE *out);

#endif
