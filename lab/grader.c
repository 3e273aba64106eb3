/*
 * grader.c - the tests each stage is graded on, and their points.
 *
 * Every stage gets the same table: it compiles (information, no points);
 * the right bytes arrive for awkward sizes, cold and warm; it survives
 * short transfers, EINTR and a small socket buffer; it keeps the stage's
 * rules and copy target. Every run must pass as a whole (bytes and rules):
 * the stage's method is the point of the stage. Robustness and rules need correct bytes first:
 * when the 1 MiB + 3 cold run fails, they are skipped and say why. The
 * empty file needs a working program too: doing nothing sends an empty
 * file perfectly, so its point counts only when the 1 MiB + 3 run delivered
 * every byte. Same seed, same runs, same scores.
 *
 * A scenario may apply to some outputs only (the stage's row says which it
 * has): a small socket send buffer means nothing to a stage that writes a
 * file, which gets a scenario of its own worth the same points instead, so
 * every stage is out of 20.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "buildahead.h"
#include "grader.h"
#include "inputcache.h"
#include "memcg.h"
#include "params.h"
#include "model.h"
#include "rundir.h"
#include "runner.h"
#include "stages.h"

#define MIB (1024ull * 1024ull)

enum kind { K_BYTES, K_ROBUST, K_RULES };

#define FOR_ALL 0u                                                     /* every stage */
#define FOR_SOCKETS ((1u << ZOUT_SOCKET) | (1u << ZOUT_TWO_SOCKETS))  /* outputs that are sockets */
#define FOR_FILES (1u << ZOUT_FILE)                                  /* an output file */

static const struct scenario {
	enum kind kind;
	const char *name;
	uint64_t size;
	bool warm;
	enum zcl_inject inject;
	int sndbuf;
	double points;
	unsigned only;   /* FOR_*: the output kinds it applies to (0: all) */
} scenarios[] = {
	{K_BYTES, "correct bytes: empty file, cold cache", 0, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 1 byte, cold cache", 1, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 4095 bytes, cold cache", 4095, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 4096 bytes, cold cache", 4096, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 4097 bytes, cold cache", 4097, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 1 MiB + 3, cold cache", MIB + 3, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 8 MiB + 1, cold cache", 8 * MIB + 1, false, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 4097 bytes, warm cache", 4097, true, ZI_NONE, 0, 1, FOR_ALL},
	{K_BYTES, "correct bytes: 1 MiB + 3, warm cache", MIB + 3, true, ZI_NONE, 0, 1, FOR_ALL},
	{K_ROBUST, "robust: short transfers injected", MIB + 3, false, ZI_SHORT, 0, 2, FOR_ALL},
	{K_ROBUST, "robust: EINTR injected", MIB + 3, false, ZI_EINTR, 0, 2, FOR_ALL},
	{K_ROBUST, "robust: 4 KiB socket send buffer", MIB + 3, false, ZI_NONE, 4096, 2, FOR_SOCKETS},
	{K_ROBUST, "robust: short transfers injected, warm cache", MIB + 3, true, ZI_SHORT, 0, 2, FOR_FILES},
	{K_RULES, "rules and copy target: 1 MiB, cold cache", MIB, false, ZI_NONE, 0, 5, FOR_ALL},
};
#define NSCEN (sizeof scenarios / sizeof scenarios[0])
#define NEEDED 5 /* the bytes test robustness and rules depend on */

/* Does scenario sc apply to stage s (its outputs)? */
static bool applies(const struct scenario *sc, const struct zcl_stage *s)
{
	return !sc->only || (sc->only & (1u << s->output));
}

/* --test NAME: grade that one test only (NULL: every test). */
static const char *only_test;

void zcl_grade_only_test(const char *name)
{
	only_test = name && *name ? name : NULL;
}

/* Is test name (the scenario's, or "compiles") the one --test asked for?
 * NAME may be the full name ("3 sendfile: robust: EINTR injected") or the
 * part after the stage ("robust: EINTR injected"). */
static bool selected(const char *full)
{
	const char *tail = strchr(full, ':');
	return !only_test || !strcmp(only_test, full) || (tail && !strcmp(only_test, tail + 2));
}

/* Which scenarios to run for --test: the chosen one and what its points
 * depend on (the 1 MiB + 3 bytes test; any run compiles the stage). */
static void wanted(const struct zcl_stage *s, bool want[])
{
	char name[128];
	bool any = false, needs = false;
	for (size_t i = 0; i < NSCEN; i++) {
		snprintf(name, sizeof name, "%d %s: %s", s->num, s->slug, scenarios[i].name);
		want[i] = selected(name);
		any |= want[i];
		needs |= want[i] && (scenarios[i].kind != K_BYTES || scenarios[i].size == 0);
	}
	snprintf(name, sizeof name, "%d %s: compiles", s->num, s->slug);
	if (selected(name) && !any)
		want[0] = true; /* the cheapest run compiles the stage */
	if (needs)
		want[NEEDED] = true;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Append to a test's output. */
static void say(struct zcl_test_result *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct zcl_test_result *t, const char *fmt, ...)
{
	size_t len = strlen(t->output);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->output + len, sizeof t->output - len, fmt, ap);
	va_end(ap);
}

void zcl_grade_injected(const struct zcl_run *r, char *buf, size_t len)
{
	const struct zcl_totals *tt = &r->totals;
	size_t used = 0;
	int w;
#define ADD(...) (used < len && (w = snprintf(buf + used, len - used, __VA_ARGS__)) > 0 ? used += (size_t)w : 0)
	if (len)
		buf[0] = 0;
	if (r->inject == ZI_NONE)
		return;
	if (tt->injected == 0) {
		ADD("injected: nothing (no data call on the lab's file or socket moved a seeded offset)");
		return;
	}
	ADD("injected (seed %" PRIu64 "): %" PRIu64 " call%s", r->seed, tt->injected, tt->injected > 1 ? "s" : "");
	for (uint64_t i = 0; i < tt->injected && i < ZCL_INJ_REPORT; i++) {
		const struct zcl_injected *j = &tt->inj[i];
		if (j->kind == ZI_EINTR)
			ADD("%s %s #%u -> EINTR", i ? "," : ":", zcl_syscall_name(j->nr), j->nth);
		else
			ADD("%s %s #%u cut short -> %lld", i ? "," : ":", zcl_syscall_name(j->nr), j->nth,
			    (long long)j->ret);
	}
	if (tt->injected > ZCL_INJ_REPORT)
		ADD(", ...");
#undef ADD
}

/* What happened in a run, for a student: verdict, why, the input, the
 * violations, and what the program printed. */
static void describe(struct zcl_test_result *t, const struct zcl_run *r, const struct scenario *sc)
{
	say(t, "%s: %s\n", zcl_verdict_name(r->verdict), r->reason);
	const char *disturbed = sc->inject == ZI_SHORT ? ", short transfers at seeded offsets" :
				sc->inject == ZI_EINTR ? ", EINTR at seeded offsets" :
				sc->sndbuf ? ", socket send buffer 4 KiB" : "";
	if (r->stage->input == ZIN_PIPE) /* a live stream: no cache, warm or cold */
		say(t, "input: a %" PRIu64 "-byte stream through a pipe, seed %" PRIu64 "%s\n", sc->size, r->seed,
		    disturbed);
	else
		say(t, "input: a %" PRIu64 "-byte file, seed %" PRIu64 ", %s cache%s\n", sc->size, r->seed,
		    sc->warm ? "warm" : "cold", disturbed);
	char inj[600];
	zcl_grade_injected(r, inj, sizeof inj);
	if (inj[0])
		say(t, "%s\n", inj);
	if (r->verdict == ZV_WRONG_BYTES)
		say(t, "received %" PRIu64 " of %" PRIu64 " bytes%s\n", r->received_bytes, r->expected_bytes,
		    r->first_mismatch >= 0 ? "; see the first differing offset above" : "");
	for (int i = 0; i < r->nviolations; i++)
		if (r->verdict != ZV_RULE || i > 0 || strcmp(r->violations[i], r->reason) != 0)
			say(t, "violation: %s\n", r->violations[i]);
	if (sc->kind == K_RULES)
		say(t, "copies: CPU %" PRIu64 " bytes (%" PRIu64 " on the data path), DMA %" PRIu64 " bytes, %"
		    PRIu64 " syscalls\n", r->totals.cpu.bytes, r->totals.data_cpu_bytes, r->totals.dma.bytes,
		    r->totals.syscalls);
	char note[512];
	zcl_datapath_note(&r->totals.path, note, sizeof note);
	if (note[0] && (sc->kind == K_RULES || r->verdict != ZV_PASS)) /* once a stage, not under every test */
		say(t, "note: %s\n", note);
	if (r->verdict != ZV_PASS && r->output[0])
		say(t, "your program printed: %s", r->output);
}

/* Append the compiler's diagnostics to t with the lab's paths taken off
 * the files a student knows: "/zcl/03-sendfile.c:5:3: error" (the build's
 * view, or its job directory) reads "03-sendfile.c:5:3: error", the name
 * of the file the student handed in. */
static void say_diag(struct zcl_test_result *t, const struct zcl_stage *s, const char *diag)
{
	char own[96];
	snprintf(own, sizeof own, "%02d-%s.c", s->num, s->slug);
	const char *const known[] = {own, "zcl.h", "harness.c"};
	size_t len = strlen(t->output);
	for (const char *p = diag; *p && len + 1 < sizeof t->output;) {
		bool start = p == diag || strchr(" \n'\"`(", p[-1]);
		size_t tok = start && *p == '/' ? strcspn(p, ": \n'\"`)") : 0;
		const char *base = tok ? memrchr(p, '/', tok) + 1 : NULL;
		size_t blen = tok ? (size_t)(p + tok - base) : 0;
		for (size_t k = 0; base && k < sizeof known / sizeof known[0]; k++)
			if (blen == strlen(known[k]) && !memcmp(base, known[k], blen))
				p = base; /* drop the directories */
		t->output[len++] = *p++;
	}
	t->output[len] = 0;
}

/* Did the run deliver every byte and return 0 (whatever the rules say)? */
static bool bytes_ok(const struct zcl_run *r)
{
	int n = zcl_stage_outputs(r->stage);
	for (int i = 0; n > 1 && i < n; i++)
		if (r->received_by[i] != r->expected_bytes / (uint64_t)n)
			return false;
	return r->received_bytes == r->expected_bytes && r->first_mismatch < 0 && r->tr.exited &&
	       r->tr.exit_code == 0 && r->totals.marks == 2;
}

/* A run earns its points only when it passes: the right bytes, moved the
 * stage's way. (Counting right bytes alone would give a stage-1 loop pasted
 * into every stage most of their points.) */
static bool run_ok(const struct zcl_run *r)
{
	return r->verdict == ZV_PASS;
}

/* An empty file is sent perfectly by doing nothing: its point counts only
 * when the program also delivered the 1 MiB + 3 file. */
static void empty_needs_work(struct zcl_stage_result *sr, bool needed_bytes)
{
	for (size_t i = 0, k = 1; i < NSCEN; i++) {
		if (!applies(&scenarios[i], sr->stage))
			continue;
		struct zcl_test_result *t = &sr->tests[k++];
		if (scenarios[i].kind != K_BYTES || scenarios[i].size != 0 || t->status != ZT_PASSED || needed_bytes)
			continue;
		sr->score -= t->score;
		t->score = 0;
		t->status = ZT_FAILED;
		say(t, "no point: an empty file is sent by doing nothing; this point needs the %s test "
		       "to deliver every byte too\n", scenarios[NEEDED].name);
	}
}

/* Did the time limit end a correct program only because tracing each of
 * its many tiny calls costs more than the calls (a 1-byte buffer makes two
 * million syscalls per MiB)? The bytes so far are right, the rules kept in
 * what was traced, and the calls move few bytes each. */
static bool too_slow_to_trace(const struct zcl_run *r)
{
	uint64_t calls = r->totals.syscalls;
	return r->verdict == ZV_TIMEOUT && !r->untraced && r->first_mismatch < 0 && r->received_bytes > 0 &&
	       r->prefix_violations == 0 && calls >= ZCL_SLOW_MIN_CALLS &&
	       r->received_bytes / calls < ZCL_SLOW_BYTES_PER_CALL;
}

/* A bytes test of a program too slow to trace: run it again without the
 * tracer (the bytes are checked, the rules are the rules test's). True if
 * every byte arrived. 0 or -1 (environment error) in *rc. */
static bool bytes_untraced(struct zcl_test_result *t, const struct zcl_run *like, int *rc, char *err,
			   size_t errlen)
{
	struct zcl_run u = {
		.stage = like->stage, .solution = like->solution, .size = like->size, .seed = like->seed,
		.warm = like->warm, .sg = like->sg, .timeout_s = like->timeout_s, .inject = like->inject,
		.sndbuf = like->sndbuf, .untraced = true,
	};
	*rc = zcl_run_stage(&u, err, errlen);
	bool ok = *rc == 0 && u.verdict == ZV_PASS;
	if (*rc == 0)
		say(t, "checked without the tracer: %s: %s\n", zcl_verdict_name(u.verdict), u.reason);
	zcl_run_free(&u);
	return ok;
}

/* One point off a stage whose program was too slow to trace, said where
 * it is taken: on the rules test if it passed, else on the last passed. */
static void efficiency_point(struct zcl_stage_result *sr, uint64_t calls, uint64_t bytes)
{
	struct zcl_test_result *t = NULL;
	for (int i = 1; i < sr->ntests; i++)
		if (sr->tests[i].status == ZT_PASSED && sr->tests[i].score >= 1)
			t = &sr->tests[i];
	if (!t)
		return;
	t->score -= 1;
	sr->score -= 1;
	say(t, "efficiency: -1 point: about %" PRIu64 " bytes per syscall (%" PRIu64 " calls for %" PRIu64
	       " bytes), too many to trace within the time limit; a 64 KiB buffer makes 16 calls per MiB\n",
	    calls ? bytes / calls : 0, calls, bytes);
}

/* Grade one stage. 0, or -1 with err set on an environment error. */
static int grade_stage(struct zcl_stage_result *sr, const struct zcl_stage *s, bool solution,
		       uint64_t seed, double timeout_s, char *err, size_t errlen)
{
	memset(sr, 0, sizeof *sr);
	sr->stage = s;
	struct zcl_test_result *compile = &sr->tests[sr->ntests++];
	snprintf(compile->name, sizeof compile->name, "%d %s: compiles", s->num, s->slug);
	compile->status = ZT_PASSED;
	bool compiled = true, needed_ok = false, needed_bytes = false, todo = false, want[NSCEN];
	bool slow = false; /* too slow to trace: later runs judged untraced or on a prefix */
	uint64_t slow_calls = 0, slow_bytes = 0;
	wanted(s, want);
	for (size_t i = 0; i < NSCEN; i++) {
		const struct scenario *sc = &scenarios[i];
		if (!applies(sc, s))
			continue;
		struct zcl_test_result *t = &sr->tests[sr->ntests++];
		snprintf(t->name, sizeof t->name, "%d %s: %s", s->num, s->slug, sc->name);
		t->max_score = sc->points;
		sr->max_score += sc->points;
		if (!want[i]) { /* --test: not asked for, dropped by keep_selected */
			t->status = ZT_SKIPPED;
			continue;
		}
		if (!compiled) {
			t->status = ZT_SKIPPED;
			say(t, "skipped: does not compile\n");
			continue;
		}
		if (todo) { /* no need to run it again to know */
			t->status = ZT_FAILED;
			say(t, "not-implemented: the stage function still returns ZCL_TODO\n");
			continue;
		}
		if (sc->kind != K_BYTES && !needed_ok) {
			t->status = ZT_SKIPPED;
			say(t, "skipped: needs correct bytes (test \"%s\")\n", scenarios[NEEDED].name);
			continue;
		}
		double t0 = now_s();
		struct zcl_run r = {
			.stage = s, .solution = solution, .size = sc->size, .seed = seed, .warm = sc->warm,
			.sg = true, .timeout_s = slow && sc->kind != K_BYTES && timeout_s > ZCL_SLOW_PREFIX_S ? ZCL_SLOW_PREFIX_S
										    : timeout_s,
			.inject = sc->inject, .sndbuf = sc->sndbuf, .untraced = slow && sc->kind == K_BYTES,
		};
		if (zcl_run_stage(&r, err, errlen) < 0) {
			zcl_run_free(&r);
			return -1;
		}
		t->seconds = now_s() - t0;
		if (r.verdict == ZV_COMPILE_ERROR) {
			compiled = false;
			compile->status = ZT_FAILED;
			say(compile, "the compiler rejected the file:\n");
			say_diag(compile, s, r.diag ? r.diag : "");
			t->status = ZT_SKIPPED;
			say(t, "skipped: does not compile\n");
			zcl_run_free(&r);
			continue;
		}
		todo = r.verdict == ZV_NOT_IMPLEMENTED;
		bool ok = run_ok(&r), slow_now = too_slow_to_trace(&r);
		describe(t, &r, sc);
		if (slow_now && !slow) {
			slow = true;
			slow_calls = r.totals.syscalls;
			slow_bytes = r.received_bytes;
		}
		if (slow_now && sc->kind == K_BYTES) {
			int rc;
			say(t, "too slow to trace: %" PRIu64 " syscalls for the first %" PRIu64 " bytes\n",
			    r.totals.syscalls, r.received_bytes);
			ok = bytes_untraced(t, &r, &rc, err, errlen);
			if (rc < 0) {
				zcl_run_free(&r);
				return -1;
			}
		} else if (slow_now) {
			ok = true;
			say(t, "too slow to trace to the end: judged on the first %" PRIu64 " bytes, traced: rules kept\n",
			    r.received_bytes);
		} else if (r.untraced) {
			say(t, "run without the tracer (the stage was too slow to trace): the bytes only\n");
		}
		if (i == NEEDED) {
			needed_ok = ok;
			needed_bytes = ok || bytes_ok(&r);
		}
		t->status = ok ? ZT_PASSED : ZT_FAILED;
		t->score = ok ? sc->points : 0;
		sr->score += t->score;
		zcl_run_free(&r);
	}
	if (compiled)
		say(compile, "compiled with the lab's harness\n");
	empty_needs_work(sr, needed_bytes);
	if (slow)
		efficiency_point(sr, slow_calls, slow_bytes);
	return 0;
}

/* --test: keep only the chosen test of a stage; its score is the stage's.
 * Returns how many tests are left. */
static int keep_selected(struct zcl_stage_result *sr)
{
	int n = 0;
	sr->score = sr->max_score = 0;
	for (int k = 0; k < sr->ntests; k++)
		if (selected(sr->tests[k].name)) {
			sr->tests[n] = sr->tests[k];
			sr->score += sr->tests[n].score;
			sr->max_score += sr->tests[n].max_score;
			n++;
		}
	sr->ntests = n;
	return n;
}

int zcl_grade_run(struct zcl_grade *g, int only, bool solution, uint64_t seed, double timeout_s)
{
	memset(g, 0, sizeof *g);
	g->seed = seed;
	g->solution = solution;
	double t0 = now_s();
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	int rc = 0;
	zcl_rundir_keep(true); /* one student's runs, one after another: one directory (rundir.c) */
	zcl_inputcache_use(true); /* and each input written once (inputcache.c) */
	zcl_memcg_keep(true);     /* and one memory cgroup, checked between runs (memcg.c) */
	char dir[4096];
	if (!only && !only_test && zcl_build_dir(dir, sizeof dir) == 0) {
		bool *want = malloc(n * sizeof *want); /* every stage: compile them ahead of their runs */
		for (size_t i = 0; want && i < n; i++)
			want[i] = i < ZCL_GRADE_MAX_STAGES;
		if (want)
			zcl_build_ahead_start(st, want, n, solution, dir);
		free(want);
	}
	for (size_t i = 0; i < n && g->nstages < ZCL_GRADE_MAX_STAGES; i++) {
		if (only && st[i].num != only)
			continue;
		struct zcl_stage_result *sr = &g->stages[g->nstages++];
		char err[400] = "";
		if (rc == 0 && grade_stage(sr, &st[i], solution, seed, timeout_s, err, sizeof err) < 0) {
			snprintf(g->internal_error, sizeof g->internal_error, "stage %d: %s", st[i].num, err);
			rc = -1;
		}
		if (rc < 0) { /* what could not be graded scores 0, and says so */
			sr->stage = &st[i];
			sr->score = 0;
			sr->max_score = 0;
			for (size_t k = 0; k < NSCEN; k++)
				sr->max_score += applies(&scenarios[k], &st[i]) ? scenarios[k].points : 0;
			for (int k = 0; k < sr->ntests; k++) {
				sr->tests[k].score = 0;
				sr->tests[k].status = ZT_FAILED;
			}
		}
		if (only_test && rc == 0 && keep_selected(sr) == 0) {
			g->nstages--; /* no such test in this stage */
			continue;
		}
		g->score += sr->score;
		g->max_score += sr->max_score;
	}
	zcl_build_ahead_stop();
	zcl_rundir_keep(false);
	zcl_inputcache_use(false);
	zcl_memcg_keep(false);
	g->seconds = now_s() - t0;
	if (only_test && rc == 0 && g->nstages == 0) {
		snprintf(g->internal_error, sizeof g->internal_error,
			 "--test: no test named \"%.200s\" (zcl grade --format json lists the names)", only_test);
		rc = -1;
	}
	return rc;
}

bool zcl_grade_all_passed(const struct zcl_grade *g)
{
	if (g->internal_error[0])
		return false;
	for (int i = 0; i < g->nstages; i++)
		for (int k = 0; k < g->stages[i].ntests; k++)
			if (g->stages[i].tests[k].status != ZT_PASSED)
				return false;
	return g->nstages > 0;
}

/* Did run r do what scenario sc asks for? */
static bool covers(const struct zcl_run *r, const struct scenario *sc)
{
	return !r->file && sc->size == r->size && sc->warm == r->warm && sc->inject == r->inject && !sc->sndbuf;
}

/* Print item after what was printed on the line so far (*col columns),
 * starting a new indented line before 78 columns. */
static void wrapped(FILE *out, int *col, const char *sep, int len, const char *item)
{
	if (*col + (int)strlen(sep) + len > 78) {
		fprintf(out, ",\n     ");
		*col = 5;
		sep = "";
	}
	*col += fprintf(out, "%s%.*s", sep, len, item);
}

void zcl_grade_not_run(FILE *out, const struct zcl_run *r)
{
	double points = 0;
	for (size_t i = 0; i < NSCEN; i++)
		points += applies(&scenarios[i], r->stage) ? scenarios[i].points : 0;
	fprintf(out, "not run by check, run by grade (the score out of %g: zcl grade --stage %d):\n", points,
		r->stage->num);
	static const struct { enum kind kind; bool warm; const char *what; } groups[] = {
		{K_BYTES, false, "sizes, cold"}, {K_BYTES, true, "sizes, warm"},
		{K_ROBUST, false, "robust"}, {K_RULES, false, "rules"},
	};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		int n = 0, col = 0;
		for (size_t i = 0; i < NSCEN; i++) {
			const struct scenario *sc = &scenarios[i];
			if (sc->kind != groups[g].kind || (sc->kind == K_BYTES && sc->warm != groups[g].warm) ||
			    covers(r, sc) || !applies(sc, r->stage))
				continue;
			if (!n++)
				col = fprintf(out, "  %s: ", groups[g].what);
			const char *name = strchr(sc->name, ':'); /* "correct bytes: 4095 bytes, cold cache" */
			name = name ? name + 2 : sc->name;
			int len = sc->kind == K_BYTES ? (int)strcspn(name, ",") : (int)strlen(name);
			wrapped(out, &col, n > 1 ? ", " : "", len, name);
		}
		if (n)
			fputc('\n', out);
	}
}
