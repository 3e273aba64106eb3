/*
 * cli.h - what the command files share: the parsed options, the parser,
 * the one-line error, the exit codes and the signal flag (main.c).
 */
#ifndef ZCL_CLI_H
#define ZCL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct opts {
	bool solution, json, warm, no_sg, summary, help, exact, no_tui, step, once;
	bool tui;               /* trace --tui: animated (cli_trace_tui.c) */
	const char *cast;
	const char *record;     /* run: write the event stream there (lab/record.h) */
	int speed;              /* run, tour, replay: 1-9; 0: the default pace */
	uint64_t size;
	const char *file, *out, *format, *stage;
	const char *class_dir;  /* grade --class DIR */
	int jobs;               /* grade --class: students at once (-j N) */
	uint64_t seed;
	double timeout_s;
	bool timeout_set;
	enum zcl_inject inject;
	const char *sizes, *chunks, *rounds, *plot, *receiver; /* bench (lab/cli_grade.c parses them) */
	bool cold;
};

/* Set by SIGINT/SIGTERM/SIGHUP (the signal's number), else 0. */
extern volatile int interrupted;

/* "zcl: <message>" on stderr; returns EXIT_USAGE. */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse the options after a command into o. Returns the index of the first
 * operand, or -1 after printing a usage error. */
int parse(int argc, char **argv, struct opts *o, bool stop_at_operand);

/* A command whose one operand is a stage (check, run, hint, reset): its
 * options parsed into o, then the stage named by the last argument. NULL
 * after a usage error (a bad option, no stage, more arguments, or an
 * unknown stage: "did you mean"). */
const struct zcl_stage *stage_command(int argc, char **argv, struct opts *o);

/* The stage called name, or NULL after "zcl: <what>unknown stage 'name'"
 * and the stage it most likely meant, if one is near. */
const struct zcl_stage *zcl_stage_arg(const char *what, const char *name);

/* The animated view, or text? (a terminal that can take it, no --no-tui or
 * --json; says once on stderr why not when the terminal cannot.) */
bool use_tui(const struct opts *o);

/* Run the TUI (viz/app.h); its errors are one line. The exit code. */
struct zcl_app_opts;
int app(const struct zcl_app_opts *ao);

/* The commands that show a run (cli_run.c). */
int cmd_run(int argc, char **argv, struct opts *o);
int cmd_replay(int argc, char **argv, struct opts *o);
int cmd_tour(int argc, char **argv, struct opts *o);
int cmd_watch(int argc, char **argv, struct opts *o);

/* The compiler's warnings of a run that built (cli_run.c). run_warnings:
 * when the binary came from the cache (r->diag empty), r->diag gets the
 * warnings kept from the compile that made it, if the source has not
 * changed since; after a fresh compile, keeps them (ROOT/build/stages/
 * NN-slug.warnings). Failing to keep or read them only loses them.
 * print_warnings: "compiler warnings:" and the text, indented, control
 * bytes escaped (\xNN); nothing without warnings. */
struct zcl_run;
void run_warnings(struct zcl_run *r);
void print_warnings(FILE *out, const struct zcl_run *r);

/* zcl reset STAGE: the skeleton back, the student's file kept (reset.c). */
int cmd_reset(int argc, char **argv, struct opts *o);

/* zcl trace (cli_trace.c): exits with the program's status. */
int cmd_trace(int argc, char **argv, struct opts *o);

/* trace -p PID[,PID...] (repeatable): remember the process ids for
 * cmd_trace. 0, or -1 after a usage error. */
int trace_attach_arg(const char *arg);

/* The class commands (cli_grade.c). */
int cmd_grade(int argc, char **argv, struct opts *o);
int cmd_selfcheck(int argc, char **argv, struct opts *o);
int cmd_bench(int argc, char **argv, struct opts *o);

#endif
