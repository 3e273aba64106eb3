/*
 * test_watch.c - zcl watch: the progress file (kept, re-verified, safe when
 * broken), the inotify watch (a save is seen once, after the debounce) and
 * the watch screen drawn on a canvas.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "canvas.h"
#include "helpers.h"
#include "progress.h"
#include "watch.h"
#include "watch_view.h"

#define SKELETON "#include \"zcl.h\"\nint send_file(int f, int s, size_t n) { return -1; }\n"

static const struct zcl_stage *stage(int num)
{
	char name[8];
	snprintf(name, sizeof name, "%d", num);
	const struct zcl_stage *s = zcl_stage_find(name);
	cr_assert_not_null(s, "stage %d exists", num);
	return s;
}

static void exercise_path(int num, char *buf, size_t len)
{
	zcl_stage_source(stage(num), false, buf, len);
}

static void write_text(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);
	cr_assert_not_null(f, "%s: cannot write", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* Save like an editor that writes a temporary file and renames it. */
static void save_by_rename(const char *path, const char *text)
{
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.swp-tmp", path);
	write_text(tmp, "w", text);
	cr_assert_eq(rename(tmp, path), 0, "rename %s", tmp);
}

static uint64_t hash_of(int num)
{
	char src[512];
	uint64_t h;
	exercise_path(num, src, sizeof src);
	cr_assert_eq(zcl_progress_hash_file(src, &h), 0, "%s: hashed", src);
	return h;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the progress file ---- */

Test(watch, progress_round_trips_through_the_file, .fini = drop_fake_root)
{
	fake_root(2, SKELETON);
	struct zcl_progress p;
	zcl_progress_load(&p);
	cr_assert_eq(p.n, 0, "no file yet: no progress");
	cr_assert_not(zcl_progress_verified(stage(2)));

	uint64_t h = hash_of(2);
	cr_assert_eq(zcl_progress_mark(stage(2), h), 0, "marked");
	zcl_progress_load(&p);
	cr_assert_eq(p.n, 1);
	cr_assert_str_eq(p.passed[0].name, "02-mmap");
	cr_assert_eq(p.passed[0].hash, h);
	cr_assert(zcl_progress_verified(stage(2)), "the same bytes are verified");
	cr_assert_not(zcl_progress_verified(stage(1)), "stage 1 never passed");

	/* marking again replaces the line, it does not add one */
	cr_assert_eq(zcl_progress_mark(stage(2), h), 0);
	zcl_progress_load(&p);
	cr_assert_eq(p.n, 1, "one line per stage");

	cr_assert_eq(zcl_progress_forget(stage(2)), 0);
	cr_assert_not(zcl_progress_verified(stage(2)), "forgotten");
}

Test(watch, editing_a_passed_exercise_makes_it_pending_again, .fini = drop_fake_root)
{
	fake_root(2, SKELETON);
	cr_assert_eq(zcl_progress_mark(stage(2), hash_of(2)), 0);
	cr_assert(zcl_progress_verified(stage(2)));

	char src[512];
	exercise_path(2, src, sizeof src);
	write_text(src, "a", "/* one more line */\n");
	cr_assert_not(zcl_progress_verified(stage(2)), "edited after it passed: not verified");

	cr_assert_eq(zcl_progress_mark(stage(2), hash_of(2)), 0, "re-checked and passed");
	cr_assert(zcl_progress_verified(stage(2)));

	unlink(src);
	cr_assert_not(zcl_progress_verified(stage(2)), "a missing exercise is never done");
}

Test(watch, a_garbled_progress_file_is_no_progress, .fini = drop_fake_root)
{
	const char *root = fake_root(2, SKELETON);
	char path[512], good[128];
	snprintf(path, sizeof path, "%s/.zcl-progress", root);
	snprintf(good, sizeof good, "02-mmap %016llx\n", (unsigned long long)hash_of(2));
	static const char *const bad[] = {
		"garbage\n",
		"02-mmap 12345\n",                    /* short hash */
		"02-mmap 0123456789abcdeg\n",         /* not hex */
		"02-mmap 0123456789abcdef",           /* truncated: no newline */
		"../etc 0123456789abcdef\n",          /* not a stage name */
		"\n",
	};
	write_text(path, "w", good);
	cr_assert(zcl_progress_verified(stage(2)), "a good file is read");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "%s%s", good, bad[i]);
		write_text(path, "w", text);
		struct zcl_progress p;
		zcl_progress_load(&p);
		cr_assert_eq(p.n, 0, "case %zu: a bad line makes the whole file no progress", i);
		cr_assert_not(zcl_progress_verified(stage(2)), "case %zu", i);
	}
	/* and marking over a garbled file repairs it */
	cr_assert_eq(zcl_progress_mark(stage(2), hash_of(2)), 0);
	cr_assert(zcl_progress_verified(stage(2)));
}

Test(watch, marking_leaves_no_temporary_file_behind, .fini = drop_fake_root)
{
	const char *root = fake_root(2, SKELETON);
	cr_assert_eq(zcl_progress_mark(stage(2), hash_of(2)), 0);
	DIR *d = opendir(root);
	cr_assert_not_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".tmp"), "left behind: %s", e->d_name);
	closedir(d);
}

Test(watch, first_pending_is_the_lowest_stage_not_verified, .fini = drop_fake_root)
{
	fake_root(1, SKELETON);
	size_t n;
	const struct zcl_stage *all = zcl_stages(&n);
	for (size_t i = 0; i < n; i++) {
		char src[512];
		zcl_stage_source(&all[i], false, src, sizeof src);
		write_text(src, "w", SKELETON);
	}
	cr_assert_eq(zcl_watch_first_pending(), 1);
	cr_assert_eq(zcl_progress_mark(stage(1), hash_of(1)), 0);
	cr_assert_eq(zcl_progress_mark(stage(3), hash_of(3)), 0);
	cr_assert_eq(zcl_watch_first_pending(), 2, "stage 2 is the gap");
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(zcl_progress_mark(&all[i], hash_of(all[i].num)), 0);
	cr_assert_eq(zcl_watch_first_pending(), 0, "all done");
}

/* ---- the inotify watch ---- */

Test(watch, a_file_saved_by_rename_is_seen, .fini = drop_fake_root, .timeout = 10)
{
	fake_root(2, SKELETON);
	struct zcl_watch w;
	cr_assert_eq(zcl_watch_open(&w), 0, "%s", w.err);
	cr_assert_geq(zcl_watch_fd(&w), 0);
	cr_assert_eq(zcl_watch_timeout(&w), -1, "nothing pending");

	char src[512];
	exercise_path(2, src, sizeof src);
	save_by_rename(src, SKELETON "/* saved */\n");
	int num = 0;
	cr_assert_eq(zcl_watch_changed(&w, 2000, &num), 1, "the save was seen: %s", w.err);
	cr_assert_eq(num, 2);
	zcl_watch_close(&w);
}

Test(watch, three_quick_writes_are_one_change_after_the_debounce, .fini = drop_fake_root,
     .timeout = 10)
{
	fake_root(2, SKELETON);
	struct zcl_watch w;
	cr_assert_eq(zcl_watch_open(&w), 0, "%s", w.err);
	char src[512];
	exercise_path(2, src, sizeof src);
	double last = 0;
	int num = 0;
	for (int i = 0; i < 3; i++) {
		write_text(src, "w", SKELETON);
		last = now_s();
		/* 50 ms later the file is still settling: nothing to report yet */
		if (i < 2)
			cr_assert_eq(zcl_watch_changed(&w, 50, &num), 0, "write %d: reported mid-burst", i);
	}
	cr_assert_eq(zcl_watch_changed(&w, 2000, &num), 1, "%s", w.err);
	cr_assert_eq(num, 2);
	double quiet = now_s() - last;
	cr_assert_geq(quiet, ZCL_WATCH_DEBOUNCE_MS / 1000.0 - 0.01,
		      "reported %.3f s after the last write: before the debounce", quiet);
	cr_assert_eq(zcl_watch_changed(&w, 2 * ZCL_WATCH_DEBOUNCE_MS, &num), 0,
		     "the burst was reported once");
	zcl_watch_close(&w);
}

Test(watch, files_that_are_not_exercises_are_ignored, .fini = drop_fake_root, .timeout = 10)
{
	const char *root = fake_root(2, SKELETON);
	struct zcl_watch w;
	cr_assert_eq(zcl_watch_open(&w), 0, "%s", w.err);
	char p[512];
	snprintf(p, sizeof p, "%s/exercises/notes.txt", root);
	write_text(p, "w", "todo\n");
	snprintf(p, sizeof p, "%s/exercises/02-mmap.c~", root);
	write_text(p, "w", "backup\n");
	int num = 0;
	cr_assert_eq(zcl_watch_changed(&w, 3 * ZCL_WATCH_DEBOUNCE_MS, &num), 0, "stage %d?", num);
	zcl_watch_close(&w);
}

Test(watch, without_an_exercises_directory_it_says_to_press_r, .timeout = 10)
{
	char dir[] = "/var/tmp/zcl-nowatch-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	setenv("ZCL_ROOT", dir, 1);
	struct zcl_watch w;
	cr_assert_eq(zcl_watch_open(&w), -1);
	cr_assert_eq(zcl_watch_fd(&w), -1);
	cr_assert_not_null(strstr(w.err, "press r"), "%s", w.err);
	int num;
	cr_assert_eq(zcl_watch_changed(&w, 0, &num), -1, "a closed watch is an error");
	zcl_watch_close(&w);
	rmdir(dir);
}

/* ---- the watch screen ---- */

static bool canvas_has(const struct zcl_canvas *c, const char *needle)
{
	char row[1024];
	for (int y = 0; y < c->h; y++) {
		zcl_canvas_row(c, y, row, sizeof row);
		if (strstr(row, needle))
			return true;
	}
	return false;
}

static void fill_view(struct zcl_watch_view *v)
{
	memset(v, 0, sizeof *v);
	size_t n;
	const struct zcl_stage *all = zcl_stages(&n);
	for (size_t i = 0; i < n && i < ZCL_WATCH_VIEW_MAX; i++)
		v->stages[v->nstages++] = (struct zcl_watch_view_stage){&all[i], i == 0};
	v->current = 1;
	v->checked = true;
	v->verdict = ZV_COMPILE_ERROR;
	snprintf(v->reason, sizeof v->reason, "the exercise does not compile: see the compiler's errors");
	v->root = "/home/student/lab";
	v->diag = "/home/student/lab/exercises/02-mmap.c: In function 'send_file':\n"
		  "/home/student/lab/exercises/02-mmap.c:12:9: error: 'mapp' undeclared\n"
		  "\tif (mapp == MAP_FAILED)\n";
	snprintf(v->status, sizeof v->status, "watching exercises/: saved 02-mmap.c, re-checked");
}

Test(watch, the_screen_shows_progress_verdict_and_errors_at_80x24)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	cr_assert_not_null(c);
	struct zcl_watch_view v;
	fill_view(&v);
	zcl_watch_draw(c, &v);
	char fig[32];
	snprintf(fig, sizeof fig, "1/%d stages", v.nstages);
	cr_assert(canvas_has(c, fig), "the progress figure %s", fig);
	cr_assert(canvas_has(c, "[done] 1 readwrite"), "stage 1 is done");
	cr_assert(canvas_has(c, "[    ] 2 mmap"), "stage 2 is pending");
	cr_assert(canvas_has(c, "stage 2 mmap"), "the verdict box names the current stage");
	cr_assert(canvas_has(c, "FAIL (compile-error)"), "the verdict");
	cr_assert(canvas_has(c, "the exercise does not compile"), "the reason");
	cr_assert(canvas_has(c, "exercises/02-mmap.c:12:9: error: 'mapp' undeclared"), "an error line");
	cr_assert_not(canvas_has(c, "/home/student/lab"), "paths are shown relative to the lab");
	cr_assert(canvas_has(c, "        if (mapp"), "tabs expanded");
	cr_assert(canvas_has(c, "saved 02-mmap.c"), "the status line");
	cr_assert(canvas_has(c, "r re-check"), "the keys");
	cr_assert(canvas_has(c, "q quit"), "the keys");
	zcl_canvas_free(c);
}

Test(watch, a_long_compiler_output_is_wrapped_and_cut_to_fit)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, true);
	cr_assert_not_null(c);
	struct zcl_watch_view v;
	fill_view(&v);
	static char diag[8192];
	size_t o = 0;
	for (int i = 1; i <= 40; i++)
		o += (size_t)snprintf(diag + o, sizeof diag - o, "exercises/02-mmap.c:%d:1: error: "
				      "a long message that goes on and on past the edge of the box %d\n",
				      i, i);
	v.diag = diag;
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "exercises/02-mmap.c:1:1: error"), "the first error is shown");
	cr_assert(canvas_has(c, "lines not shown: zcl check 2 shows them all"), "the cut is said");
	cr_assert_not(canvas_has(c, "exercises/02-mmap.c:40:1"), "what does not fit is not drawn");
	char row[1024];
	for (int y = 0; y < c->h; y++) {
		zcl_canvas_row(c, y, row, sizeof row);
		for (const char *p = row; *p; p++)
			cr_assert_lt((unsigned char)*p, 0x80, "ASCII mode: row %d is ASCII: %s", y, row);
	}
	zcl_canvas_free(c);
}

Test(watch, when_the_output_does_not_fit_the_errors_come_before_warnings)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	cr_assert_not_null(c);
	struct zcl_watch_view v;
	fill_view(&v);
	static char diag[8192];
	size_t o = (size_t)snprintf(diag, sizeof diag, "/home/student/lab/exercises/02-mmap.c: "
				    "In function 'send_file':\n");
	for (int i = 1; i <= 5; i++)
		o += (size_t)snprintf(diag + o, sizeof diag - o,
				      "/home/student/lab/exercises/02-mmap.c:%d:9: warning: unused variable 'x%d'\n"
				      "   %d |     int x%d;\n      |         ^~\n", i, i, i, i);
	snprintf(diag + o, sizeof diag - o,
		 "/usr/bin/ld: /tmp/cc1.o: in function `send_file':\n"
		 "/home/student/lab/exercises/02-mmap.c:53: undefined reference to `retrun'\n"
		 "collect2: error: ld returned 1 exit status\n");
	v.diag = diag;
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "undefined reference to `retrun'"), "the error is on screen");
	cr_assert(canvas_has(c, "collect2: error"));
	cr_assert_not(canvas_has(c, "unused variable"), "warnings are left out when space is short");
	cr_assert(canvas_has(c, "15 lines not shown (warnings first)"), "and that is said");

	/* when it all fits, warnings stay */
	snprintf(diag, sizeof diag, "exercises/02-mmap.c:1:9: warning: unused variable 'x'\n"
		 "exercises/02-mmap.c:2:1: error: expected ';'\n");
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "unused variable"));
	cr_assert(canvas_has(c, "expected ';'"));
	zcl_canvas_free(c);
}

Test(watch, the_screen_says_when_it_is_rebuilding_or_unchecked)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	cr_assert_not_null(c);
	struct zcl_watch_view v;
	fill_view(&v);
	v.rebuilding = true;
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "rebuilding"));
	cr_assert(canvas_has(c, "previous: FAIL (compile-error)"));

	fill_view(&v);
	v.checked = false;
	v.diag = NULL;
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "not checked yet: save exercises/02-mmap.c or press r"));
	cr_assert_not(canvas_has(c, "FAIL"), "no verdict before a check");

	fill_view(&v);
	v.verdict = ZV_PASS;
	v.diag = NULL;
	for (int i = 0; i < v.nstages; i++)
		v.stages[i].done = true;
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "PASS"));
	char all[48];
	snprintf(all, sizeof all, "%d/%d stages - all done", v.nstages, v.nstages);
	cr_assert(canvas_has(c, all), "%s", all);
	zcl_canvas_free(c);
}

Test(watch, a_small_terminal_gets_a_clear_message)
{
	struct zcl_canvas *c = zcl_canvas_new(30, 10, false);
	cr_assert_not_null(c);
	struct zcl_watch_view v;
	fill_view(&v);
	zcl_watch_draw(c, &v);
	cr_assert(canvas_has(c, "needs a bigger"));
	zcl_canvas_free(c);
}
