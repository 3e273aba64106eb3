/*
 * test_fastmode.c - zcl trace's default (fast) mode checks a thread's reads
 * and writes in runs, one reading of its I/O counters per run (lab/runs.c):
 * a full loop is exact call by call and matches --exact, a loop that ends
 * short keeps every total exact and names any call whose own result it
 * cannot tell, short reads from a pipe stay exact, every call is reported
 * once (also when --timeout ends the program mid-run), and a write that
 * moved nothing is still shown failed.
 *
 * The programs are dd, cat and sh from the base system, on small files in
 * a scratch directory; the trace is read back as --json records. The run
 * logic itself is tested on made-up calls at the end.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"
#include "report.h"
#include "runs.h"

static void make_dir(void) { make_test_dir("fast-test"); }

/* A file of `size` bytes (not all zero) in the scratch directory; its path. */
static const char *make_file(const char *name, size_t size)
{
	static char path[2][128];
	static int k;
	char *p = path[k++ % 2];
	snprintf(p, 128, "%s/%s", test_dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('a' + (int)(i % 23), f);
	cr_assert_eq(fclose(f), 0);
	return p;
}

/* One traced read or write, as --json tells it. */
struct call {
	long seq;
	char name[16];
	long fd, count, ret;
	char from[12];  /* "counters", "exit", "run" (split unknown), "unknown" */
	bool failed;    /* "error" is not null */
};

struct trace {
	struct call *c;
	size_t n;
	long records;   /* every record with a "syscall" (any call) */
	long max_seq;
	long summary_syscalls;
	bool seq_twice; /* some seq came twice */
};

static void add_record(struct trace *t, json_object *o, bool *seen, size_t nseen)
{
	json_object *v, *args;
	t->records++;
	json_object_object_get_ex(o, "seq", &v);
	long seq = (long)json_object_get_int64(v);
	if (seq > 0 && (size_t)seq < nseen) {
		t->seq_twice |= seen[seq];
		seen[seq] = true;
	}
	t->max_seq = seq > t->max_seq ? seq : t->max_seq;
	json_object_object_get_ex(o, "syscall", &v);
	const char *name = json_object_get_string(v);
	if (strcmp(name, "read") && strcmp(name, "write"))
		return;
	struct call *c = &t->c[t->n++];
	memset(c, 0, sizeof *c);
	c->seq = seq;
	snprintf(c->name, sizeof c->name, "%s", name);
	json_object_object_get_ex(o, "args", &args);
	c->fd = (long)json_object_get_int64(json_object_array_get_idx(args, 0));
	c->count = (long)json_object_get_int64(json_object_array_get_idx(args, 2));
	json_object_object_get_ex(o, "ret", &v);
	c->ret = (long)json_object_get_int64(v);
	json_object_object_get_ex(o, "ret_from", &v);
	snprintf(c->from, sizeof c->from, "%s", json_object_get_string(v));
	c->failed = json_object_object_get_ex(o, "error", &v) && v != NULL;
}

/* Trace argv (NULL-terminated) with --json into the scratch directory and
 * read the records back. exact: with --exact. extra: one more option
 * before the -- (or NULL). */
static struct trace run_traced(const char *const *argv, bool exact, const char *extra, const char *extra_arg)
{
	char out[128];
	snprintf(out, sizeof out, "%s/trace%s.json", test_dir, exact ? "-exact" : "");
	const char *a[32] = {"trace", "--json", "-o", out};
	int k = 4;
	if (exact)
		a[k++] = "--exact";
	if (extra) {
		a[k++] = extra;
		a[k++] = extra_arg;
	}
	a[k++] = "--";
	for (int i = 0; argv[i] && k < 31; i++)
		a[k++] = argv[i];
	a[k] = NULL;
	run_cli(a);
	FILE *f = fopen(out, "r");
	cr_assert_not_null(f, "zcl trace wrote %s", out);
	struct trace t = {.c = calloc(200000, sizeof *t.c)};
	size_t nseen = 400000;
	bool *seen = calloc(nseen, 1);
	cr_assert(t.c && seen);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0 && t.n < 200000) {
		json_object *o = json_tokener_parse(line), *v;
		if (o && json_object_object_get_ex(o, "syscall", &v))
			add_record(&t, o, seen, nseen);
		else if (o && json_object_object_get_ex(o, "summary", &v) &&
			 json_object_object_get_ex(o, "syscalls", &v))
			t.summary_syscalls = (long)json_object_get_int64(v);
		json_object_put(o);
	}
	free(line);
	free(seen);
	fclose(f);
	return t;
}

/* Bytes the calls named `name` on descriptor fd moved between them. */
static long total(const struct trace *t, const char *name, long fd)
{
	long s = 0;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->c[i].name, name) && t->c[i].fd == fd && !t->c[i].failed && t->c[i].ret > 0)
			s += t->c[i].ret;
	return s;
}

/* The calls on descriptors 0 and 1 (dd's input and output), in order. */
static size_t data_calls(const struct trace *t, struct call *out)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->c[i].fd == 0 || t->c[i].fd == 1)
			out[k++] = t->c[i];
	return k;
}

Test(fastmode, long_full_loop_is_exact_per_call_and_matches_exact, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	const char *in = make_file("in", 512 * 1024);
	char of[160], iff[160];
	snprintf(iff, sizeof iff, "if=%s", in);
	snprintf(of, sizeof of, "of=%s/out", test_dir);
	const char *argv[] = {"dd", iff, of, "bs=4k", NULL};
	struct trace f = run_traced(argv, false, NULL, NULL), x = run_traced(argv, true, NULL, NULL);
	struct call *fc = calloc(f.n, sizeof *fc), *xc = calloc(x.n, sizeof *xc);
	size_t nf = data_calls(&f, fc), nx = data_calls(&x, xc);
	cr_assert_eq(nf, 2 * 128 + 1, "128 reads, 128 writes and the read at the end: %zu", nf);
	cr_assert_eq(nf, nx);
	for (size_t i = 0; i < nf; i++) {
		cr_expect_str_eq(fc[i].from, "counters", "call %zu (%s) is read from the counters", i, fc[i].name);
		cr_expect(!strcmp(fc[i].name, xc[i].name) && fc[i].ret == xc[i].ret,
			  "call %zu: %s = %ld, --exact says %s = %ld", i, fc[i].name, fc[i].ret, xc[i].name, xc[i].ret);
	}
	cr_expect_eq(total(&f, "read", 0), 512 * 1024);
	cr_expect_eq(total(&f, "write", 1), total(&x, "write", 1));
	free(fc);
	free(xc);
	free(f.c);
	free(x.c);
}

/* A fast call agrees with --exact's, or says its own result is unknown. */
static bool agrees_or_says_so(const struct call *f, const struct call *x)
{
	if (!strcmp(f->from, "run"))
		return true;
	return f->failed ? x->failed : !x->failed && f->ret == x->ret;
}

Test(fastmode, loop_ending_short_keeps_totals_exact_and_names_unknown_splits, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	const char *in = make_file("in", 100000); /* 24 chunks and 1696 bytes */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "dd if=%s of=%s/out bs=4k 2>/dev/null; "
		 "trap '' XFSZ; ulimit -f 1; dd if=%s of=%s/cut bs=4k 2>/dev/null; true", in, test_dir, in, test_dir);
	const char *argv[] = {"sh", "-c", cmd, NULL};
	struct trace f = run_traced(argv, false, NULL, NULL), x = run_traced(argv, true, NULL, NULL);
	struct call *fc = calloc(f.n, sizeof *fc), *xc = calloc(x.n, sizeof *xc);
	size_t nf = data_calls(&f, fc), nx = data_calls(&x, xc);
	cr_assert_eq(nf, nx, "the same reads and writes: %zu and %zu", nf, nx);
	long reads = 0, writes = 0, xreads = 0, xwrites = 0;
	for (size_t i = 0; i < nf; i++) {
		cr_expect(agrees_or_says_so(&fc[i], &xc[i]), "call %zu: %s = %ld (%s), --exact: %ld", i,
			  fc[i].name, fc[i].ret, fc[i].from, xc[i].ret);
		long *fs = !strcmp(fc[i].name, "read") ? &reads : &writes;
		long *xs = !strcmp(xc[i].name, "read") ? &xreads : &xwrites;
		*fs += fc[i].failed || fc[i].ret < 0 ? 0 : fc[i].ret;
		*xs += xc[i].failed || xc[i].ret < 0 ? 0 : xc[i].ret;
	}
	cr_expect_eq(reads, xreads, "bytes read: %ld, --exact %ld", reads, xreads);
	/* the file copied whole, then 512 bytes of it (the size limit: one block) */
	cr_expect_eq(writes, 100000 + 512, "bytes written: %ld", writes);
	cr_expect_eq(xwrites, 100000 + 512, "bytes written (--exact): %ld", xwrites);
	free(fc);
	free(xc);
	free(f.c);
	free(x.c);
}

Test(fastmode, short_reads_from_a_pipe_are_exact_per_call, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	/* eight pieces of 7 bytes, apart in time: dd's 64 KiB reads come back short */
	const char *argv[] = {"sh", "-c",
			      "for i in 1 2 3 4 5 6 7 8; do echo piece$i; sleep 0.02; done | dd bs=64k of=/dev/null 2>/dev/null",
			      NULL};
	struct trace f = run_traced(argv, false, NULL, NULL);
	long reads = 0, sum = 0;
	for (size_t i = 0; i < f.n; i++) {
		const struct call *c = &f.c[i];
		if (strcmp(c->name, "read") || c->fd != 0 || c->count != 65536)
			continue;
		reads++;
		sum += c->ret;
		cr_expect_str_eq(c->from, "counters", "read %ld is exact (from the counters)", reads);
		cr_expect(c->ret >= 0 && c->ret < 65536 && c->ret % 7 == 0, "read %ld = %ld: whole pieces", reads, c->ret);
	}
	cr_expect_geq(reads, 2, "dd read more than once: %ld", reads);
	cr_expect_eq(sum, 8 * 7, "every byte read once: %ld", sum);
	free(f.c);
}

static void expect_each_call_once(const struct trace *t, const char *what)
{
	cr_expect_not(t->seq_twice, "%s: no call is reported twice", what);
	cr_expect_eq(t->records, t->max_seq, "%s: calls 1..%ld all reported (%ld records)", what, t->max_seq,
		     t->records);
	cr_expect_eq(t->summary_syscalls, t->records, "%s: the summary counts %ld, the records %ld", what,
		     t->summary_syscalls, t->records);
}

Test(fastmode, every_call_is_reported_once, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	const char *in = make_file("in", 300000);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "cat %s %s | dd bs=4k of=/dev/null 2>/dev/null", in, in);
	const char *argv[] = {"sh", "-c", cmd, NULL};
	struct trace f = run_traced(argv, false, NULL, NULL);
	expect_each_call_once(&f, "cat | dd");
	/* cat writes both copies into the pipe, dd reads them and writes them on */
	cr_expect_eq(total(&f, "read", 0), 2 * 300000, "dd read both copies: %ld", total(&f, "read", 0));
	cr_expect_eq(total(&f, "write", 1), 2 * 2 * 300000, "cat and dd wrote them: %ld", total(&f, "write", 1));
	free(f.c);
}

Test(fastmode, timeout_mid_run_still_reports_every_call_once, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	const char *argv[] = {"dd", "if=/dev/zero", "of=/dev/null", "bs=4k", NULL};
	struct trace f = run_traced(argv, false, "--timeout", "0.3");
	cr_assert_gt(f.n, 100, "dd ran a while: %zu calls", f.n);
	expect_each_call_once(&f, "dd killed by --timeout");
	long unsettled = 0;
	for (size_t i = 0; i < f.n; i++)
		unsettled += !strcmp(f.c[i].from, "unknown") || !strcmp(f.c[i].from, "run");
	cr_expect_leq(unsettled, 32, "at most one run left unsettled: %ld", unsettled);
	free(f.c);
}

Test(fastmode, failed_deferred_write_still_shows_as_failed, .timeout = 30, .fini = drop_test_dir)
{
	make_dir();
	char cmd[256], out[160];
	snprintf(cmd, sizeof cmd, "trap '' XFSZ; ulimit -f 0; exec dd if=/dev/zero of=%s/f bs=4k count=3", test_dir);
	snprintf(out, sizeof out, "%s/trace.txt", test_dir);
	const char *argv[] = {"trace", "-o", out, "--", "sh", "-c", cmd, NULL};
	struct cli c = run_cli(argv);
	cr_expect_neq(c.status, 0, "dd failed to write");
	char text[1 << 16] = "";
	int fd = open(out, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
	if (fd >= 0)
		close(fd);
	cr_assert_gt(n, 0);
	text[n] = 0;
	const char *w = strstr(text, "write(1<");
	cr_assert_not_null(w, "dd's write is in the trace:\n%s", text);
	const char *next = strstr(w + 1, "write(");
	const char *shown = strstr(w, "= -1 (failed; --exact names the error)");
	cr_expect(shown && (!next || shown < next), "shown failed:\n%.300s", w);
	struct trace f = run_traced((const char *[]){"sh", "-c", cmd, NULL}, false, NULL, NULL);
	long failed = 0;
	for (size_t i = 0; i < f.n; i++)
		failed += !strcmp(f.c[i].name, "write") && f.c[i].fd == 1 && f.c[i].failed;
	cr_expect_eq(failed, 1, "one write to the file failed: %ld", failed);
	free(f.c);
}

/* ---- the run logic itself (lab/runs.c), on made-up calls ---- */

static struct zcl_sysrec settled[64];
static size_t nsettled;

static void keep(struct zcl_sysrec *r, bool disk)
{
	(void)disk;
	cr_assert_lt(nsettled, 64);
	settled[nsettled++] = *r;
}

/* A deferred read or write of `count` bytes on fd, from this process. */
static struct zcl_sysrec call(long nr, long fd, uint64_t count, enum zcl_fdclass cls)
{
	struct zcl_sysrec r = {.pid = getpid(), .tgid = getpid(), .nr = nr, .watch = -1, .deferred = true};
	r.args[0] = (uint64_t)fd;
	r.args[2] = count;
	struct zcl_fdinfo *side = nr == SYS_read ? &r.in : &r.out;
	side->kind = cls == ZC_PIPE ? ZF_PIPE : ZF_FILE;
	side->cls = cls;
	return r;
}

static enum zcl_run_admit admit(const struct zcl_sysrec *r)
{
	return zcl_run_admit(r, zcl_rule_for(r->nr));
}

/* Hold the n calls (each must be let in), then close the run with the
 * counters moved by (dr, dw); the settled calls land in settled[]. */
static void run(const struct zcl_sysrec *rs, size_t n, uint64_t dr, uint64_t dw)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(admit(&rs[i]), ZCL_RUN_JOIN, "call %zu joins the run", i);
		zcl_run_hold(&rs[i]);
	}
	struct zcl_taskio before = {.tid = getpid(), .have = true, .rchar = 1000, .wchar = 2000};
	struct zcl_taskio after = before;
	after.rchar += dr;
	after.wchar += dw;
	nsettled = 0;
	zcl_run_close(getpid(), &before, &after, keep);
	cr_assert_eq(nsettled, n, "every held call settled once");
}

/* Runs of 1, 2 and 4 full 1-byte writes: the next run may hold 8. */
static void grow_to_8(void)
{
	zcl_runs_reset();
	struct zcl_sysrec w[4];
	for (int i = 0; i < 4; i++)
		w[i] = call(SYS_write, 1, 1, ZC_FILE);
	for (size_t n = 1; n <= 4; n *= 2)
		run(w, n, 0, n);
}

Test(fastmode, full_run_proves_every_call_and_doubles_the_next, .fini = zcl_runs_reset)
{
	grow_to_8();
	struct zcl_sysrec rs[8];
	for (int i = 0; i < 8; i++)
		rs[i] = call(i % 2 ? SYS_write : SYS_read, i % 2, 4096, ZC_FILE);
	run(rs, 8, 4 * 4096, 4 * 4096);
	for (size_t i = 0; i < 8; i++) {
		cr_expect_eq(settled[i].ret, 4096, "call %zu returned its whole count", i);
		cr_expect_not(settled[i].ret_ambiguous || settled[i].err_unnamed || settled[i].ret_unknown);
	}
	for (int i = 0; i < 16; i++) {
		struct zcl_sysrec w = call(SYS_write, 1, 1, ZC_FILE);
		cr_assert_eq(admit(&w), ZCL_RUN_JOIN, "the next run holds 16: call %d", i);
		zcl_run_hold(&w);
	}
	struct zcl_sysrec w = call(SYS_write, 1, 1, ZC_FILE);
	cr_expect_eq(admit(&w), ZCL_RUN_CLOSE, "the 17th waits for the next run");
}

Test(fastmode, short_run_shows_unknown_split_and_exact_sum, .fini = zcl_runs_reset)
{
	grow_to_8();
	struct zcl_sysrec rs[3];
	for (int i = 0; i < 3; i++)
		rs[i] = call(SYS_read, 999999, 4096, ZC_FILE); /* no such descriptor: no file to settle it */
	run(rs, 3, 8292, 0);
	int64_t sum = 0;
	for (size_t i = 0; i < 3; i++) {
		cr_expect(settled[i].ret_ambiguous, "read %zu: its own result is unknown", i);
		sum += settled[i].ret;
	}
	cr_expect_eq(sum, 8292, "the reads' bytes add up to what the counters moved");
	cr_expect_eq(settled[2].run_calls, 3);
	cr_expect_eq(settled[2].run_moved, 8292);
	cr_expect_eq(settled[2].run_asked, 3 * 4096);
	char text[256];
	zcl_format_ret(&settled[2], text, sizeof text);
	cr_expect_not_null(strstr(text, "=~ ? (3 reads moved 8292 of 12288 bytes between them"), "%s", text);
	zcl_format_ret(&settled[0], text, sizeof text);
	cr_expect_str_eq(text, " =~ ?");
	struct zcl_sysrec a = call(SYS_read, 0, 4096, ZC_FILE), b = a;
	cr_assert_eq(admit(&a), ZCL_RUN_JOIN);
	zcl_run_hold(&a);
	cr_expect_eq(admit(&b), ZCL_RUN_CLOSE, "after a short run, runs are 1 call again");
}

Test(fastmode, short_run_of_one_file_is_settled_by_its_size, .fini = zcl_runs_reset)
{
	char path[] = "/var/tmp/zcl-fast-file-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	char buf[10000];
	memset(buf, 'x', sizeof buf);
	cr_assert_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf); /* the offset is now at the end */
	grow_to_8();
	struct zcl_sysrec rs[4];
	for (int i = 0; i < 4; i++)
		rs[i] = call(SYS_read, fd, 4096, ZC_FILE);
	run(rs, 4, 10000, 0);
	const int64_t want[] = {4096, 4096, 1808, 0};
	for (size_t i = 0; i < 4; i++) {
		cr_expect_eq(settled[i].ret, want[i], "read %zu = %ld", i, (long)settled[i].ret);
		cr_expect_not(settled[i].ret_ambiguous);
	}
	close(fd);
}

Test(fastmode, lone_or_empty_directions_stay_exact, .fini = zcl_runs_reset)
{
	grow_to_8();
	/* one short write among full reads: exact; a run of writes that moved
	 * nothing: every one failed */
	struct zcl_sysrec rs[3] = {call(SYS_read, 0, 4096, ZC_FILE), call(SYS_write, 1, 4096, ZC_FILE),
				   call(SYS_read, 0, 4096, ZC_FILE)};
	run(rs, 3, 8192, 100);
	cr_expect_eq(settled[1].ret, 100);
	cr_expect_not(settled[1].ret_ambiguous || settled[1].err_unnamed);
	cr_expect_eq(settled[0].ret + settled[2].ret, 8192);
	grow_to_8();
	struct zcl_sysrec ws[2] = {call(SYS_write, 1, 4096, ZC_FILE), call(SYS_write, 1, 10, ZC_FILE)};
	run(ws, 2, 0, 0);
	cr_expect(settled[0].err_unnamed && settled[1].err_unnamed, "writes that moved nothing failed");
	nsettled = 0;
	struct zcl_sysrec r = call(SYS_read, 0, 4096, ZC_FILE);
	cr_assert_eq(admit(&r), ZCL_RUN_JOIN);
	zcl_run_hold(&r);
	zcl_run_close(getpid(), NULL, NULL, keep);
	cr_expect(nsettled == 1 && settled[0].ret_unknown, "counters that cannot be read: unknown");
}

Test(fastmode, stream_read_or_second_descriptor_closes_the_run_first, .fini = zcl_runs_reset)
{
	grow_to_8();
	struct zcl_sysrec p = call(SYS_read, 0, 65536, ZC_PIPE), p2 = p, w = call(SYS_write, 1, 7, ZC_FILE);
	struct zcl_sysrec w2 = call(SYS_write, 2, 7, ZC_FILE), f = call(SYS_read, 5, 4096, ZC_FILE);
	cr_assert_eq(admit(&p), ZCL_RUN_JOIN);
	zcl_run_hold(&p);
	cr_expect_eq(admit(&p2), ZCL_RUN_CLOSE, "a second read where one is a pipe's");
	cr_expect_eq(admit(&f), ZCL_RUN_CLOSE, "a file read after a pipe read");
	cr_assert_eq(admit(&w), ZCL_RUN_JOIN, "a write may join");
	zcl_run_hold(&w);
	cr_expect_eq(admit(&w2), ZCL_RUN_CLOSE, "a write on another descriptor");
}

/* A program that makes and ends threads by the thousand: each one's entry
 * goes when it is forgotten, and the others' runs stay where they were. */
Test(fastmode, forgotten_threads_leave_no_entry_and_others_keep_their_runs, .fini = zcl_runs_reset)
{
	zcl_runs_reset();
	struct zcl_sysrec keep_me = call(SYS_write, 1, 1, ZC_FILE);
	keep_me.pid = 1;
	cr_assert_eq(admit(&keep_me), ZCL_RUN_JOIN);
	zcl_run_hold(&keep_me);
	for (pid_t t = 2; t < 5002; t++) {
		struct zcl_sysrec w = call(SYS_write, 1, 1, ZC_FILE);
		w.pid = t;
		cr_assert_eq(admit(&w), ZCL_RUN_JOIN);
		zcl_run_hold(&w);
		struct zcl_taskio io = {.tid = t, .have = true};
		struct zcl_taskio after = io;
		after.wchar = 1;
		nsettled = 0;
		zcl_run_close(t, &io, &after, keep);
		cr_assert_eq(nsettled, 1);
		zcl_run_forget(t);
	}
	cr_assert_eq(zcl_runs_threads(), 1, "only the thread that is still there");
	cr_assert(zcl_run_pending(1), "its held call is still held");
	cr_assert_eq(zcl_run_any(), 1);
	zcl_run_forget(1); /* pending: kept until its run is closed */
	cr_assert_eq(zcl_runs_threads(), 1);
}
