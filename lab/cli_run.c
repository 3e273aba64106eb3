/*
 * cli_run.c - the commands that show a run: run (animated, or the text
 * timeline; --record keeps its event stream), replay (a recorded run, with
 * nothing traced or built), tour and watch; and the compiler warnings
 * zcl check shows (kept with a cached build).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "build.h"
#include "cli.h"
#include "progress.h"
#include "record.h"
#include "report.h"
#include "runner.h"
#include "stages.h"
#include "tour.h"
#include "watch_app.h"

static void timeline_legend(FILE *out)
{
	fprintf(out, "  PC = page cache, skb = socket buffer, * = modelled (loopback has no NIC),\n"
		     "  REF = page descriptors only, no bytes copied\n");
}

/* A finished run's result, as zcl check prints it; the exit code. */
static int run_result(const struct zcl_run *r, const struct opts *o)
{
	if (o->json)
		zcl_print_run_json(stdout, r); /* --json: the result is the last line */
	else
		zcl_print_run_text(stdout, r);
	return r->verdict == ZV_PASS ? 0 : EXIT_FAIL;
}

/* zcl run: animated on a terminal, else the text timeline; --record keeps
 * the event stream for zcl replay. */
int cmd_run(int argc, char **argv, struct opts *o)
{
	const struct zcl_stage *s = stage_command(argc, argv, o);
	if (!s)
		return EXIT_USAGE;
	bool tui = use_tui(o);
	if (o->cast && !tui)
		return die("%s", "--cast records the animated view: it needs a terminal (and no --no-tui or --json)");
	if (tui) {
		struct zcl_app_opts ao = {
			.stage = s, .solution = o->solution, .warm = o->warm, .sg = !o->no_sg, .step = o->step,
			.size = o->size, .seed = o->seed, .file = o->file, .timeout_s = o->timeout_s,
			.cast = o->cast, .interrupted = &interrupted, .once = o->once, .speed = o->speed,
			.record = o->record,
		};
		return app(&ao);
	}
	struct zcl_timeline tl;
	zcl_timeline_init(&tl, stdout, o->json, true);
	struct zcl_run r = {
		.stage = s, .solution = o->solution, .size = o->size, .file = o->file, .seed = o->seed,
		.warm = o->warm, .sg = !o->no_sg, .timeout_s = o->timeout_s, .inject = o->inject,
	};
	char err[512];
	struct zcl_sink sinks[2] = {{.ctx = &tl, .step = zcl_timeline_step}};
	struct zcl_recorder *rec = o->record ? zcl_record_open(o->record, &r, err, sizeof err) : NULL;
	if (o->record && !rec)
		return die("%s", err);
	if (rec)
		sinks[1] = (struct zcl_sink){.ctx = rec, .step = zcl_record_step};
	r.sinks = sinks;
	r.nsinks = rec ? 2 : 1;
	if (!o->json) {
		printf("timeline of stage %d (%s): seq, the syscall, its copies, running totals\n", s->num, s->slug);
		timeline_legend(stdout);
	}
	int started = zcl_run_stage(&r, err, sizeof err);
	if (rec && zcl_record_close(rec, started == 0 && !interrupted ? &r : NULL, err, sizeof err) < 0 &&
	    started == 0)
		started = -1;
	int rc = started < 0 ? die("%s", err) : run_result(&r, o);
	zcl_run_free(&r);
	return rc;
}

/* The text timeline of a replay, under a heading written once the file
 * has been checked (at the first step), so a bad file is one line only. */
struct replay_text {
	struct zcl_timeline tl;
	const char *path;
	bool json, said;
};

static void replay_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct replay_text *rt = ctx;
	if (!rt->said && !rt->json) {
		printf("replay of %s: the recorded timeline (nothing runs now)\n", rt->path);
		timeline_legend(stdout);
	}
	rt->said = true;
	zcl_timeline_step(&rt->tl, r, ev, n);
}

/* zcl replay FILE: a recorded run, animated (or as text), without running
 * anything. The exit code is the recorded verdict's; 2 for a file that is
 * not a whole recording. */
int cmd_replay(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i >= argc)
		return die("%s", "replay: which file? (zcl run N --record FILE makes one)");
	if (i + 1 < argc)
		return die("replay: unexpected argument: %s", argv[i + 1]);
	bool tui = use_tui(o);
	if (o->cast && !tui)
		return die("%s", "--cast records the animated view: it needs a terminal (and no --no-tui or --json)");
	if (tui) {
		struct zcl_app_opts ao = {.replay = argv[i], .step = o->step, .speed = o->speed, .cast = o->cast,
					  .interrupted = &interrupted, .once = o->once};
		return app(&ao);
	}
	struct replay_text rt = {.path = argv[i], .json = o->json};
	zcl_timeline_init(&rt.tl, stdout, o->json, true);
	struct zcl_sink sink = {.ctx = &rt, .step = replay_step};
	struct zcl_run r;
	char err[512];
	int rc = zcl_record_replay(argv[i], &sink, 1, &r, err, sizeof err) < 0 ? die("%s", err) : run_result(&r, o);
	zcl_run_free(&r);
	return rc;
}

int cmd_tour(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("tour: unexpected argument: %s", argv[i]);
	if (o->cast && !use_tui(o))
		return die("%s", "--cast records the animated view: it needs a terminal (and no --no-tui)");
	if (use_tui(o)) {
		struct zcl_app_opts ao = {
			.tour = true, .solution = true, .warm = o->warm, .sg = !o->no_sg, .size = o->size,
			.seed = o->seed, .timeout_s = o->timeout_s, .cast = o->cast, .interrupted = &interrupted,
			.speed = o->speed,
		};
		return app(&ao);
	}
	char err[512];
	int rc = zcl_tour(stdout, o->size, o->seed, o->warm, !o->no_sg, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		return EXIT_USAGE;
	}
	return rc;
}

int cmd_watch(int argc, char **argv, struct opts *o)
{
	int i = parse(argc, argv, o, false);
	if (i < 0)
		return EXIT_USAGE;
	if (i < argc)
		return die("watch: unexpected argument: %s", argv[i]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return die("%s", "watch: needs a terminal (use zcl check N without one)");
	char why[160];
	if (!zcl_app_terminal_ok(why, sizeof why))
		return die("watch: %s: it needs a full-screen terminal (zcl check N works without one)", why);
	struct zcl_watch_opts wo = {.size = o->size, .seed = o->seed, .timeout_s = o->timeout_s,
				    .interrupted = &interrupted};
	char err[512];
	int rc = zcl_watch_run(&wo, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "zcl: %s\n", err);
		return EXIT_USAGE;
	}
	return rc ? EXIT_FAIL : 0;
}

/* Where a stage build's warnings are kept: beside the cached binaries. */
static void warnings_path(const struct zcl_run *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/build/stages/%02d-%s%s.warnings", zcl_root(), r->stage->num, r->stage->slug,
		 r->solution ? "-solution" : "");
}

void run_warnings(struct zcl_run *r)
{
	char src[4096], path[4200];
	uint64_t hash;
	if (r->verdict == ZV_COMPILE_ERROR || !r->stage)
		return;
	zcl_stage_source(r->stage, r->solution, src, sizeof src);
	warnings_path(r, path, sizeof path);
	if (zcl_progress_hash_file(src, &hash) < 0)
		return;
	if (r->diag) { /* a fresh compile: keep what it said, or that it said nothing */
		if (!r->diag[0]) {
			unlink(path);
			return;
		}
		FILE *f = fopen(path, "we");
		if (f) {
			fprintf(f, "%016llx\n%s", (unsigned long long)hash, r->diag);
			fclose(f);
		}
		return;
	}
	FILE *f = fopen(path, "re"); /* the binary came from the cache */
	if (!f)
		return;
	unsigned long long kept = 0;
	char *text = NULL;
	size_t cap = 0;
	if (fscanf(f, "%16llx", &kept) == 1 && fgetc(f) == '\n' && kept == hash) {
		FILE *m = open_memstream(&text, &cap);
		int c;
		while (m && (c = fgetc(f)) != EOF)
			fputc(c, m);
		if (m)
			fclose(m);
	}
	fclose(f);
	r->diag = text; /* zcl_run_free frees it */
}

#define WARNINGS_SHOWN 40 /* lines of warnings check prints; --json has them all */

void print_warnings(FILE *out, const struct zcl_run *r)
{
	if (!r->diag || !r->diag[0] || r->verdict == ZV_COMPILE_ERROR)
		return;
	int lines = 0, count = 0;
	for (const char *p = r->diag; (p = strstr(p, ": warning:")); p++)
		count++;
	fprintf(out, "compiler warnings (%d):\n", count);
	bool bol = true;
	const char *p;
	for (p = r->diag; *p && lines < WARNINGS_SHOWN; p++) {
		unsigned char ch = (unsigned char)*p;
		if (bol)
			fputs("  ", out);
		bol = ch == '\n';
		lines += bol;
		if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch != 0x7f))
			fputc(ch, out); /* UTF-8 in a quoted source line passes: only control bytes are escaped */
		else
			fprintf(out, "\\x%02x", ch);
	}
	if (!bol)
		fputc('\n', out);
	if (*p) {
		int more = 0;
		for (; *p; p++)
			more += *p == '\n';
		fprintf(out, "  ... %d more lines (zcl check %d --json has them all)\n", more, r->stage->num);
	}
}
