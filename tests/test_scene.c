/*
 * test_scene.c - the headless renderer: golden frames of the key moments of
 * each stage, and the properties a frame must keep (DMA and CPU told apart
 * by colour and by label, ASCII mode is pure ASCII, the page cache grows
 * with a fill).
 *
 * Each frame is built the way the app builds it: syscall records go through
 * the real model and accounting, the call is printed by zcl_format_call.
 * The frames are compared with tests/golden/NAME.txt. ZCL_GOLDEN_UPDATE=1
 * rewrites the golden files instead: then look at them (cat) before keeping
 * them.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "account.h"
#include "canvas.h"
#include "helpers.h"
#include "model.h"
#include "params.h"
#include "report.h"
#include "scene.h"
#include "stages.h"
#include "state.h"

#define K 1024ull
#define FILE_SIZE (192 * K)
#define BUF 0x7ffd4c3e2000ull  /* the student's buffer */
#define MAP 0x7f3a1c000000ull  /* the file mapping */
#define HDR 0x5581e2a4b2a0ull  /* the header (stage 4) */

static const char *const status = "space step  r run  Tab compare  h hint  ? keys  q quit";

static size_t header_len(void)
{
	char h[256];
	return (size_t)snprintf(h, sizeof h, ZCL_GATHER_HEADER_FMT, (unsigned long long)FILE_SIZE);
}

static struct zcl_viz_state start(const char *stage, bool sg)
{
	struct zcl_viz_state s = {0};
	s.stage = stage ? zcl_stage_find(stage) : NULL; /* NULL: zcl trace */
	s.sg = sg;
	s.stepping = true;
	s.speed = 5;
	s.cur = -1;
	s.file_size = FILE_SIZE;
	s.expected = FILE_SIZE + (s.stage && s.stage->gather ? header_len() : 0);
	s.vol_cs = 3;
	s.invol_cs = 1;
	s.hint = s.stage ? s.stage->hint : NULL;
	zcl_account_init(&s.totals);
	snprintf(s.status, sizeof s.status, "%s", status);
	return s;
}

/* One syscall finishes: account it and put it on screen, nothing animating yet. */
static void feed(struct zcl_viz_state *s, struct zcl_sysrec r)
{
	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	r.in_bracket = true;
	size_t n = zcl_model(&r, s->sg, ev, ZCL_MAX_EVENTS_PER_CALL);
	zcl_account_step(&s->totals, &r, ev, n);
	s->cached_bytes += r.filled_bytes;
	s->received = s->totals.delivered_bytes;
	zcl_format_call(&r, s->call, sizeof s->call);
	memcpy(s->ev, ev, n * sizeof ev[0]);
	s->nev = (int)n;
	s->cur = -1;
	s->in_kernel = false;
}

/* Animate event `cur` of the call on screen at `progress` (cached_bytes
 * already counts its fill, as in app.c: the scene shows it arriving). */
static void at(struct zcl_viz_state *s, int cur, double progress, const char *sentence)
{
	cr_assert_lt(cur, s->nev, "event %d of a call with %d events", cur, s->nev);
	s->cur = cur;
	s->progress = progress;
	s->in_kernel = true;
	snprintf(s->sentence, sizeof s->sentence, "%s", sentence);
}


static struct zcl_sysrec sendfile_all(uint64_t filled)
{
	return (struct zcl_sysrec){.nr = SYS_sendfile, .args = {4, 3, 0, FILE_SIZE}, .ret = (int64_t)FILE_SIZE,
				   .in = rec_lab_file, .out = rec_lab_sock, .filled_bytes = filled};
}

static struct zcl_sysrec send_header(void)
{
	return (struct zcl_sysrec){.nr = SYS_sendto, .args = {4, HDR, header_len(), MSG_MORE},
				   .ret = (int64_t)header_len(), .out = rec_lab_sock, .msg_more = true};
}

/* Stage 1 up to the second read (the first one filled 128K: readahead). */
static struct zcl_viz_state s1_second_read(void)
{
	struct zcl_viz_state s = start("1", true);
	feed(&s, rec_read(64 * K, 128 * K));
	feed(&s, rec_write(BUF, 64 * K, 64 * K, false, 0));
	feed(&s, rec_read(64 * K, 64 * K));
	return s;
}

static struct zcl_viz_state s1_read_fill(void)
{
	struct zcl_viz_state s = s1_second_read();
	at(&s, 1, 0.5, "read(): page-cache miss — the disk DMAs 65536 bytes into the page cache; "
		       "the CPU does not touch them (measured, readahead included)");
	return s;
}

static struct zcl_viz_state s1_read_copy(void)
{
	struct zcl_viz_state s = s1_second_read();
	at(&s, 2, 0.3, "read(): the CPU copies 65536 bytes from the page cache into your buffer "
		       "— copy 2 of 4 for this chunk");
	return s;
}

static struct zcl_viz_state s1_about_to_write(void)
{
	struct zcl_viz_state s = s1_second_read();
	struct zcl_sysrec next = rec_write(BUF, 64 * K, 0, false, 0);
	zcl_format_call(&next, s.call, sizeof s.call);
	char *ret = strstr(s.call, ") = ");
	if (ret)
		ret[1] = 0; /* not run yet: no return value */
	s.nev = 0;
	s.about_to = true;
	snprintf(s.sentence, sizeof s.sentence,
		 "write() is held at the kernel's door: press space to let it run");
	return s;
}

static struct zcl_viz_state s1_write(void)
{
	struct zcl_viz_state s = s1_second_read();
	feed(&s, rec_write(BUF, 64 * K, 64 * K, false, 0));
	at(&s, 1, 0.6, "write(): the CPU copies 65536 bytes from your buffer into the socket buffer "
		       "— copy 3 of 4 for this chunk");
	return s;
}

static struct zcl_viz_state s2_write_from_map(void)
{
	struct zcl_viz_state s = start("2", true);
	feed(&s, (struct zcl_sysrec){.nr = SYS_mmap, .args = {0, FILE_SIZE, 1, 2, 3, 0},
				     .ret = (int64_t)MAP, .in = rec_lab_file});
	feed(&s, rec_write(MAP, FILE_SIZE, 64 * K, true, 128 * K));
	feed(&s, rec_write(MAP + 64 * K, FILE_SIZE - 64 * K, 64 * K, true, 64 * K));
	at(&s, 2, 0.5, "write() from the mapping: the CPU copies 65536 bytes from the page cache "
		       "into the socket buffer — no user buffer in between");
	return s;
}

static struct zcl_viz_state s3_sendfile(bool sg, int cur, double progress, const char *sentence)
{
	struct zcl_viz_state s = start("3", sg);
	feed(&s, sendfile_all(FILE_SIZE));
	at(&s, cur, progress, sentence);
	return s;
}

static struct zcl_viz_state s3_ref(void)
{
	return s3_sendfile(true, 2, 0.5, "sendfile(): scatter-gather — only page descriptors go "
					 "into the socket buffer, no byte is copied");
}

static struct zcl_viz_state s3_gather(void)
{
	return s3_sendfile(true, 3, 0.7, "sendfile(): the NIC gathers the pages straight from the "
					 "page cache (modelled: loopback has no NIC)");
}

static struct zcl_viz_state s3_nosg(void)
{
	return s3_sendfile(false, 2, 0.5, "sendfile() without scatter-gather: the CPU copies 196608 "
					  "bytes from the page cache into the socket buffer");
}

static struct zcl_viz_state s4_header(void)
{
	struct zcl_viz_state s = start("4", true);
	feed(&s, send_header());
	at(&s, 1, 0.5, "sendto() with MSG_MORE: the CPU copies the header into the socket buffer; "
		       "TCP holds it until the body comes");
	return s;
}

static struct zcl_viz_state s4_done(void)
{
	struct zcl_viz_state s = start("4", true);
	feed(&s, send_header());
	feed(&s, sendfile_all(FILE_SIZE));
	s.done = true;
	snprintf(s.verdict, sizeof s.verdict, "pass");
	snprintf(s.reason, sizeof s.reason, "all %llu bytes arrived intact, rules kept",
		 (unsigned long long)s.expected);
	snprintf(s.sentence, sizeof s.sentence,
		 "done: the header and the file left in one gather DMA; the CPU copied only the header");
	snprintf(s.status, sizeof s.status, "n next stage  Tab compare  c cold/warm  g scatter-gather  q quit");
	return s;
}

/* zcl trace of a program that splices file -> pipe -> socket: the pipe
 * appears, pages move by reference, the run is not a stage (no target). */
static struct zcl_viz_state trace_splice(void)
{
	static const struct zcl_fdinfo pipe_fd = {.kind = ZF_PIPE};
	struct zcl_viz_state s = start(NULL, true);
	s.stepping = false;
	s.speed = 7;
	s.solution = true;
	feed(&s, (struct zcl_sysrec){.nr = SYS_splice, .args = {3, 0, 6, 0, 64 * K, 0}, .ret = (int64_t)(64 * K),
				     .in = rec_lab_file, .out = pipe_fd, .filled_bytes = 128 * K});
	feed(&s, (struct zcl_sysrec){.nr = SYS_splice, .args = {5, 0, 4, 0, 64 * K, 0}, .ret = (int64_t)(64 * K),
				     .in = pipe_fd, .out = rec_lab_sock});
	at(&s, 1, 0.4, "splice(): the pipe's page references go into the socket buffer — still no copy");
	return s;
}

static struct zcl_viz_state with_overlay(struct zcl_viz_state s, enum zcl_viz_overlay o);

/* zcl trace --tui of a server's sendfile: boxes only where its copies went
 * (no user buffer, no pipe), one process of three on show, its name on the
 * marker, what it sent into sockets instead of a stage's target. */
static struct zcl_viz_state trace_tui_sendfile(void)
{
	struct zcl_viz_state s = start(NULL, true);
	s.trace = true;
	s.stepping = false;
	s.speed = 3;
	s.file_size = 0;
	snprintf(s.trace_cmd, sizeof s.trace_cmd, "nginx");
	snprintf(s.proc, sizeof s.proc, "nginx, pid 4242 (2 of 3)");
	s.nprocs = 3;
	feed(&s, sendfile_all(FILE_SIZE));
	s.seen = 1u << ZP_DISK | 1u << ZP_PAGE_CACHE | 1u << ZP_SOCKET | 1u << ZP_NIC;
	s.sent = FILE_SIZE;
	s.cached_bytes = FILE_SIZE;
	s.trace_row = (struct zcl_viz_row){.valid = true, .totals = s.totals, .delivered = s.sent};
	at(&s, 2, 0.5, "sendfile(): the kernel hands over page references for 196608 bytes from the page "
		       "cache to the socket buffer - step 2 of 3 of this call");
	snprintf(s.status, sizeof s.status, "TRACE x3 · +/- speed · f skip · n/p process · q quit");
	return s;
}

static struct zcl_viz_state trace_compare(void) { return with_overlay(trace_tui_sendfile(), ZO_COMPARE); }

static struct zcl_viz_state with_overlay(struct zcl_viz_state s, enum zcl_viz_overlay o)
{
	s.overlay = o;
	return s;
}

static struct zcl_viz_state help_overlay(void) { return with_overlay(s1_read_copy(), ZO_HELP); }
static struct zcl_viz_state hint_overlay(void) { return with_overlay(s2_write_from_map(), ZO_HINT); }

/* Totals of a whole run of each stage, for the comparison. */
static struct zcl_viz_row row_of(struct zcl_viz_state s, double mb_per_s)
{
	return (struct zcl_viz_row){.stage = s.stage, .valid = true, .totals = s.totals,
				    .delivered = s.totals.delivered_bytes, .mb_per_s = mb_per_s};
}

static struct zcl_viz_state compare_overlay(void)
{
	struct zcl_viz_state s = s4_done(), r;
	r = start("1", true);
	for (int i = 0; i < 3; i++) {
		feed(&r, rec_read(64 * K, i == 0 ? 128 * K : i == 1 ? 64 * K : 0));
		feed(&r, rec_write(BUF, 64 * K, 64 * K, false, 0));
	}
	feed(&r, rec_read(0, 0));
	s.rows[0] = row_of(r, 1850);
	r = s2_write_from_map();
	feed(&r, rec_write(MAP + 128 * K, 64 * K, 64 * K, true, 0));
	feed(&r, (struct zcl_sysrec){.nr = SYS_munmap, .args = {MAP, FILE_SIZE}});
	s.rows[1] = row_of(r, 2630);
	r = start("3", true);
	feed(&r, sendfile_all(FILE_SIZE));
	s.rows[2] = row_of(r, 4120);
	s.rows[3] = row_of(s, 0); /* not measured yet */
	s.overlay = ZO_COMPARE;
	return s;
}

static struct zcl_viz_state plain(void) { return s1_read_fill(); }

struct frame_case {
	const char *name;
	struct zcl_viz_state (*build)(void);
	int w, h;
	bool ascii;
};

static const struct frame_case frames[] = {
	{"s1_read_fill", s1_read_fill, 80, 24, false},
	{"s1_read_copy", s1_read_copy, 80, 24, false},
	{"s1_about_to_write", s1_about_to_write, 80, 24, false},
	{"s1_write", s1_write, 80, 24, false},
	{"s2_write_from_map", s2_write_from_map, 80, 24, false},
	{"s3_sendfile_sg", s3_ref, 80, 24, false},
	{"s3_sendfile_sg_gather", s3_gather, 80, 24, false},
	{"s3_sendfile_nosg", s3_nosg, 80, 24, false},
	{"s4_header", s4_header, 80, 24, false},
	{"s4_done_pass", s4_done, 80, 24, false},
	{"overlay_help", help_overlay, 80, 24, false},
	{"overlay_hint", hint_overlay, 80, 24, false},
	{"overlay_compare", compare_overlay, 80, 24, false},
	{"trace_splice", trace_splice, 80, 24, false},
	{"trace_tui_sendfile", trace_tui_sendfile, 80, 24, false},
	{"overlay_compare_trace", trace_compare, 80, 24, false},
	{"too_small_60x20", plain, 60, 20, false},
	{"ascii_s1_write", s1_write, 80, 24, true},
	{"ascii_s3_sendfile_sg", s3_ref, 80, 24, true},
	{"big_s1_read_fill", s1_read_fill, 120, 40, false},
	{"big_s3_sendfile_sg", s3_ref, 120, 40, false},
};

static struct zcl_canvas *render(const struct frame_case *fc)
{
	struct zcl_canvas *c = zcl_canvas_new(fc->w, fc->h, fc->ascii);
	cr_assert_not_null(c, "canvas %dx%d", fc->w, fc->h);
	struct zcl_viz_state s = fc->build();
	zcl_scene_draw(c, &s);
	return c;
}

static char *dump(const struct zcl_canvas *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_not_null(f, "open_memstream");
	zcl_canvas_dump(c, f);
	fclose(f);
	return text;
}

static void golden_path(const char *name, char *buf, size_t len)
{
	const char *root = getenv("ZCL_ROOT");
	snprintf(buf, len, "%s%stests/golden/%s.txt", root ? root : "", root ? "/" : "", name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, 0, f);
	fclose(f);
	if (n < 0) {
		free(text);
		return strdup("");
	}
	return text;
}

ParameterizedTestParameters(scene, frame_matches_its_golden_file)
{
	INDEX_PARAMS(frames);
}

ParameterizedTest(int *ix, scene, frame_matches_its_golden_file)
{
	const struct frame_case *fc = &frames[*ix];
	struct zcl_canvas *c = render(fc);
	char *got = dump(c), path[1024];
	golden_path(fc->name, path, sizeof path);
	const char *update = getenv("ZCL_GOLDEN_UPDATE");
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f, "cannot write %s", path);
		fputs(got, f);
		fclose(f);
	} else {
		char *want = slurp(path);
		cr_assert_not_null(want, "golden frame %s is missing: run with ZCL_GOLDEN_UPDATE=1, "
					 "then review it by eye (cat %s)", path, path);
		cr_assert_str_eq(got, want, "frame %s (%dx%d%s) differs from %s; if the change is meant, "
					    "regenerate with ZCL_GOLDEN_UPDATE=1 and review it. Drawn now:\n%s",
				 fc->name, fc->w, fc->h, fc->ascii ? ", ASCII" : "", path, got);
		free(want);
	}
	free(got);
	zcl_canvas_free(c);
}

/* The cell where `text` starts on canvas c, or NULL. */
static const struct zcl_cell *find(const struct zcl_canvas *c, const char *text)
{
	char row[1024];
	for (int y = 0; y < c->h; y++) {
		zcl_canvas_row(c, y, row, sizeof row);
		char *p = strstr(row, text);
		if (p) {
			int x = 0;
			for (char *q = row; q < p; q++)
				x += ((unsigned char)*q & 0xc0) != 0x80; /* count code points */
			return &c->cells[y * c->w + x];
		}
	}
	return NULL;
}

Test(scene, dma_and_cpu_copies_differ_by_colour_and_by_label)
{
	struct { struct zcl_viz_state (*build)(void); const char *label; enum zcl_role role; } cases[] = {
		{s1_read_fill, "DMA 64K", ZR_DMA},
		{s1_read_copy, "CPU 64K", ZR_CPU},
		{s3_ref, "ref 192K", ZR_REF},
		{s3_gather, "DMA 192K*", ZR_DMA},
		{s3_nosg, "CPU 192K", ZR_CPU},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
		struct zcl_viz_state s = cases[i].build();
		zcl_scene_draw(c, &s);
		const struct zcl_cell *cell = find(c, cases[i].label);
		cr_assert_not_null(cell, "the travelling block is labelled \"%s\"", cases[i].label);
		cr_expect_eq(cell->role, cases[i].role, "\"%s\" is drawn in role %d, not %d", cases[i].label,
			     cell->role, cases[i].role);
		zcl_canvas_free(c);
	}
}

Test(scene, a_handoff_says_descriptor_and_no_copy_label)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	struct zcl_viz_state s = s3_ref();
	zcl_scene_draw(c, &s);
	cr_expect_not_null(find(c, "descriptor"), "a scatter-gather handoff names the descriptors");
	cr_expect_null(find(c, "CPU 192K"), "with scatter-gather no CPU copy travels");
	zcl_canvas_free(c);
}

Test(scene, ascii_frames_hold_only_ascii)
{
	for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
		struct zcl_canvas *c = zcl_canvas_new(frames[i].w, frames[i].h, true);
		struct zcl_viz_state s = frames[i].build();
		zcl_scene_draw(c, &s);
		for (int k = 0; k < c->w * c->h; k++)
			cr_assert_lt(c->cells[k].ch, 128, "frame %s in ASCII mode has U+%04X at (%d, %d)",
				     frames[i].name, c->cells[k].ch, k % c->w, k / c->w);
		zcl_canvas_free(c);
	}
}

Test(scene, the_page_cache_grows_while_a_fill_arrives)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	struct zcl_viz_state s = s1_read_fill();
	s.progress = 0;
	zcl_scene_draw(c, &s);
	cr_expect_not_null(find(c, " 66%"), "128K of 192K cached before the fill");
	s.progress = 1;
	zcl_scene_draw(c, &s);
	cr_expect_not_null(find(c, "100%"), "and all of it once the fill has arrived");
	zcl_canvas_free(c);
}

Test(scene, the_process_crosses_the_user_kernel_line)
{
	struct zcl_canvas *c = zcl_canvas_new(80, 24, false);
	struct zcl_viz_state s = s1_write();
	zcl_scene_draw(c, &s);
	const struct zcl_cell *in = find(c, "process"), *kernel = find(c, "KERNEL");
	cr_assert(in && kernel);
	s.in_kernel = false;
	zcl_scene_draw(c, &s);
	const struct zcl_cell *out = find(c, "process");
	kernel = find(c, "KERNEL");
	cr_assert(out && kernel);
	int line = (int)(kernel - c->cells) / c->w;
	cr_expect_gt((int)(in - c->cells) / c->w, line, "in the kernel: below the line");
	cr_expect_lt((int)(out - c->cells) / c->w, line, "in user space: above it");
	zcl_canvas_free(c);
}

Test(scene, below_80x24_the_scene_does_not_fit)
{
	cr_expect(zcl_scene_fits(80, 24));
	cr_expect(zcl_scene_fits(200, 60));
	cr_expect_not(zcl_scene_fits(79, 24));
	cr_expect_not(zcl_scene_fits(80, 23));
}

Test(canvas, text_is_decoded_clipped_and_encoded_again)
{
	struct zcl_canvas *c = zcl_canvas_new(10, 2, false);
	char row[64];
	cr_expect_eq(zcl_text(c, 7, 0, "a→é€x", ZR_NORMAL, false), 5, "five code points, five cells");
	zcl_canvas_row(c, 0, row, sizeof row);
	cr_expect_str_eq(row, "       a→é", "clipped at the right edge");
	zcl_text(c, -1, 1, "xy\xff" "z", ZR_NORMAL, false);
	zcl_canvas_row(c, 1, row, sizeof row);
	cr_expect_str_eq(row, "y?z", "clipped at the left edge; an invalid byte shows as ?");
	zcl_canvas_free(c);
}

Test(canvas, ascii_mode_swaps_in_one_cell_stand_ins)
{
	struct zcl_canvas *c = zcl_canvas_new(12, 3, true);
	char row[64];
	zcl_box(c, 0, 0, 12, 3, "t", ZR_NORMAL);
	zcl_text(c, 1, 1, "a→b—c█", ZR_NORMAL, false);
	zcl_canvas_row(c, 0, row, sizeof row);
	cr_expect_str_eq(row, "+ t -------+");
	zcl_canvas_row(c, 1, row, sizeof row);
	cr_expect_str_eq(row, "|a>b-c#    |");
	zcl_canvas_free(c);
}

Test(canvas, wrap_breaks_between_words_and_marks_a_cut)
{
	struct zcl_canvas *c = zcl_canvas_new(12, 3, false);
	char row[64];
	int lines = zcl_wrap(c, 0, 0, 10, 2, "the page cache fills from the disk", ZR_NORMAL, false);
	cr_expect_eq(lines, 2);
	zcl_canvas_row(c, 0, row, sizeof row);
	cr_expect_str_eq(row, "the page");
	zcl_canvas_row(c, 1, row, sizeof row);
	cr_expect_str_eq(row, "cache…", "the rest did not fit: an ellipsis says so");
	cr_expect_eq(zcl_wrap(NULL, 0, 0, 10, 9, "the page cache fills from the disk", ZR_NORMAL, false), 4,
		     "a NULL canvas only counts the lines");
	zcl_canvas_free(c);
}
