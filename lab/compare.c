/*
 * compare.c - the sweep behind zcl bench: each stage of the table, at each
 * size, chunk and cache state, for a number of rounds.
 *
 * First every stage runs once under the tracer, small, through the lab's
 * own runner and checker: a stage that sends the wrong bytes has no speed
 * worth showing, and the traced run gives its modelled CPU copies. Then the
 * timed rounds (bench.c) run without the tracer. Rounds are interleaved
 * (round 1 of every stage, then round 2, ...) so that a machine that gets
 * busier half-way hurts every stage alike; each figure is the median of the
 * rounds, with the smallest and largest beside it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "compare.h"
#include "input.h"
#include "pagecache.h"
#include "runner.h"
#include "sandbox.h"

#define CHECK_SIZE (1u << 20)   /* input of the traced verdict run: copies per byte do not grow with it */
#define GIB 1073741824.0

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median, min and max of field `off` (a double) of n samples. */
static struct zcl_stat stat_of(const struct zcl_bench_sample *s, int n, size_t off, double scale)
{
	struct zcl_stat st = {0, 0, 0};
	double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
	if (!v || n <= 0) {
		free(v);
		return st;
	}
	for (int i = 0; i < n; i++)
		v[i] = *(const double *)((const char *)&s[i] + off) * scale;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	st.min = v[0];
	st.max = v[n - 1];
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return st;
}

/* Fill the derived figures of a cell from its samples. */
static void summarize(struct zcl_bench_cell *c)
{
	if (c->n <= 0)
		return;
	double gib = (double)c->size / GIB;
	/* throughput is size / wall: take the stat of 1/wall, scaled */
	struct zcl_bench_sample *s = c->samples;
	for (int i = 0; i < c->n; i++)
		s[i].wall_s = s[i].wall_s > 0 ? 1 / s[i].wall_s : 0; /* now per second */
	c->gib_s = stat_of(s, c->n, offsetof(struct zcl_bench_sample, wall_s), gib);
	for (int i = 0; i < c->n; i++)
		s[i].wall_s = s[i].wall_s > 0 ? 1 / s[i].wall_s : 0; /* back to seconds */
	double per = gib > 0 ? 1 / gib : 0;
	c->cpu_s_gib = stat_of(s, c->n, offsetof(struct zcl_bench_sample, cpu_s), per);
	c->user_s_gib = stat_of(s, c->n, offsetof(struct zcl_bench_sample, user_s), per);
	c->sys_s_gib = stat_of(s, c->n, offsetof(struct zcl_bench_sample, sys_s), per);
	c->recv_s_gib = stat_of(s, c->n, offsetof(struct zcl_bench_sample, recv_cpu_s), per);
	double *f = malloc(sizeof *f * (size_t)c->n);
	if (f) {
		for (int i = 0; i < c->n; i++)
			f[i] = (double)s[i].minflt;
		qsort(f, (size_t)c->n, sizeof *f, cmp_double);
		c->minflt_per_mib = c->size ? f[c->n / 2] / ((double)c->size / 1048576.0) : 0;
		free(f);
	}
}

const struct zcl_bench_cell *zcl_bench_cell(const struct zcl_bench *b, size_t zi, size_t ci, bool warm, size_t si)
{
	if ((warm && !b->warm) || (!warm && !b->cold) || !b->cells)
		return NULL;
	size_t k = ((zi * b->nchunks + ci) * 2 + (warm ? 0 : 1)) * b->nstages + si;
	return k < b->ncells ? &b->cells[k] : NULL;
}

/* The baseline's cell beside c: stage index 0, same size, chunk, cache. */
static const struct zcl_bench_cell *baseline(const struct zcl_bench *b, const struct zcl_bench_cell *c)
{
	size_t k = (size_t)(c - b->cells);
	return &b->cells[k - k % b->nstages];
}

double zcl_bench_cpu_ratio(const struct zcl_bench *b, const struct zcl_bench_cell *c)
{
	const struct zcl_bench_cell *r = baseline(b, c);
	return c->n && r->n && r->cpu_s_gib.median > 0 ? c->cpu_s_gib.median / r->cpu_s_gib.median : 0;
}

double zcl_bench_speed_ratio(const struct zcl_bench *b, const struct zcl_bench_cell *c)
{
	const struct zcl_bench_cell *r = baseline(b, c);
	return c->n && r->n && r->gib_s.median > 0 ? c->gib_s.median / r->gib_s.median : 0;
}

/* Told to stop (SIGINT and the like)? */
static bool stopped(const struct zcl_bench *b)
{
	return b->interrupted && *b->interrupted;
}

/* One progress line, when the caller wants them. */
__attribute__((format(printf, 2, 3)))
static void say(const struct zcl_bench *b, const char *fmt, ...)
{
	if (!b->progress)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(b->progress, fmt, ap);
	va_end(ap);
	fflush(b->progress);
}

/* The traced verdict run of each stage, and its binary copied into dir. */
static int check_stages(struct zcl_bench *b, const char *dir, char *err, size_t errlen)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	b->stages = calloc(n, sizeof *b->stages);
	if (!b->stages) {
		snprintf(err, errlen, "bench: out of memory");
		return -1;
	}
	b->nstages = n;
	b->check_size = CHECK_SIZE;
	for (size_t i = 0; i < n && !stopped(b); i++) {
		struct zcl_bench_stage *s = &b->stages[i];
		s->stage = &st[i];
		say(b, "zcl bench: checking stage %s (traced, %" PRIu64 " bytes)...\n", st[i].slug, b->check_size);
		struct zcl_run r = {.stage = &st[i], .solution = b->solution, .size = b->check_size, .seed = b->seed,
				    .sg = b->sg, .timeout_s = 30};
		if (zcl_run_stage(&r, err, errlen) < 0) {
			zcl_run_free(&r);
			return -1;
		}
		snprintf(s->verdict, sizeof s->verdict, "%s", zcl_verdict_name(r.verdict));
		s->cpu_copies = r.expected_bytes ? (double)r.totals.cpu.bytes / (double)r.expected_bytes : 0;
		zcl_run_free(&r);
		char built[PATH_MAX], name[64];
		char outdir[PATH_MAX];
		snprintf(outdir, sizeof outdir, "%s/build/stages", zcl_root());
		if (r.verdict != ZV_PASS)
			continue;
		char *diag = NULL;
		int rc = zcl_build_stage(&st[i], b->solution, outdir, built, sizeof built, &diag, err, errlen);
		free(diag);
		snprintf(name, sizeof name, "%02d-%s", st[i].num, st[i].slug);
		if (rc != 0 || zcl_bench_copy_exe(built, dir, name, s->bin, sizeof s->bin) < 0) {
			snprintf(s->verdict, sizeof s->verdict, "not built");
			continue;
		}
	}
	return 0;
}

/* Time one round of every cell at size index zi (the input is at path). */
static void one_round(struct zcl_bench *b, size_t zi, const char *dir, const char *input, const char *shim)
{
	for (size_t ci = 0; ci < b->nchunks; ci++)
		for (int w = 0; w < 2; w++)
			for (size_t si = 0; si < b->nstages; si++) {
				struct zcl_bench_cell *c = (struct zcl_bench_cell *)zcl_bench_cell(b, zi, ci, w == 0, si);
				if (!c || c->why[0] || stopped(b))
					continue;
				struct zcl_bench_job j = {
					.stage = c->stage, .bin = b->stages[si].bin, .input = input, .size = c->size,
					.chunk = c->chunk, .shim = shim, .warm = c->warm, .copy_receiver = b->copy_receiver,
					.sandbox = !b->solution, .dir = dir, .timeout_s = b->timeout_s,
				};
				struct zcl_bench_sample s;
				char why[sizeof c->why];
				if (zcl_bench_round(&j, &s, why, sizeof why) != 0) {
					snprintf(c->why, sizeof c->why, "%s", why);
					continue;
				}
				c->samples[c->n++] = s;
			}
}

/* Lay out the cells: every stage at every size, chunk and cache state. */
static int make_cells(struct zcl_bench *b, char *err, size_t errlen)
{
	b->ncells = b->nsizes * b->nchunks * 2 * b->nstages;
	b->cells = calloc(b->ncells, sizeof *b->cells);
	if (!b->cells) {
		snprintf(err, errlen, "bench: out of memory");
		return -1;
	}
	for (size_t k = 0; k < b->ncells; k++) {
		struct zcl_bench_cell *c = &b->cells[k];
		size_t si = k % b->nstages, rest = k / b->nstages;
		c->stage = b->stages[si].stage;
		c->warm = rest % 2 == 0;
		c->chunk = b->chunks[(rest / 2) % b->nchunks];
		c->size = b->sizes[rest / 2 / b->nchunks];
		if (!(c->samples = calloc((size_t)b->rounds, sizeof *c->samples))) {
			snprintf(err, errlen, "bench: out of memory");
			return -1;
		}
		if (strcmp(b->stages[si].verdict, "pass") != 0)
			snprintf(c->why, sizeof c->why, "%s", b->stages[si].verdict);
	}
	return 0;
}

/* Make the input of size index zi in dir and time every round on it. */
static int sweep_size(struct zcl_bench *b, size_t zi, const char *dir, const char *shim, char *err, size_t errlen)
{
	char input[PATH_MAX];
	snprintf(input, sizeof input, "%s/input.bin", dir);
	say(b, "zcl bench: writing a %" PRIu64 "-byte input...\n", b->sizes[zi]);
	if (zcl_gen_file(input, b->seed, b->sizes[zi]) < 0) {
		snprintf(err, errlen, "%s: cannot write the input: %s", input, strerror(errno));
		return -1;
	}
	/* Written back now, so no writeback runs during the rounds. */
	int fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		b->tmpfs = b->tmpfs || zcl_pc_on_tmpfs(fd);
		fdatasync(fd);
		close(fd);
	}
	for (int r = 0; r < b->rounds && !stopped(b); r++) {
		say(b, "zcl bench: round %d of %d...\n", r + 1, b->rounds);
		one_round(b, zi, dir, input, shim);
	}
	unlink(input);
	if (stopped(b)) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	return 0;
}

int zcl_bench_run(struct zcl_bench *b, char *err, size_t errlen)
{
	char dir[PATH_MAX / 2], shim[PATH_MAX];
	const char *base = getenv("ZCL_SCRATCH");
	snprintf(dir, sizeof dir, "%s/zcl-XXXXXX", base && *base ? base : "/var/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "%s: cannot make a scratch directory: %s", dir, strerror(errno));
		return -1;
	}
	int ret = -1;
	bool chunked = false;
	for (size_t i = 0; i < b->nchunks; i++)
		chunked = chunked || b->chunks[i] > 0;
	if (geteuid() == 0 && chown(dir, zcl_sandbox_uid(), zcl_sandbox_uid()) < 0) {
		snprintf(err, errlen, "%s: chown: %s", dir, strerror(errno));
		goto out;
	}
	if (check_stages(b, dir, err, errlen) < 0 || make_cells(b, err, errlen) < 0)
		goto out;
	if (stopped(b)) {
		snprintf(err, errlen, "interrupted");
		goto out;
	}
	if (chunked && zcl_bench_shim(dir, shim, sizeof shim, err, errlen) < 0)
		goto out;
	b->memcpy_gib_s = zcl_memcpy_gib_s();
	for (size_t zi = 0; zi < b->nsizes; zi++)
		if (sweep_size(b, zi, dir, chunked ? shim : NULL, err, errlen) < 0)
			goto out;
	for (size_t k = 0; k < b->ncells; k++)
		summarize(&b->cells[k]);
	ret = 0;
out:
	zcl_rm_rf(dir);
	return ret;
}

void zcl_bench_free(struct zcl_bench *b)
{
	for (size_t k = 0; k < b->ncells; k++)
		free(b->cells[k].samples);
	free(b->cells);
	free(b->stages);
	b->cells = NULL;
	b->stages = NULL;
	b->ncells = b->nstages = 0;
}

double zcl_memcpy_gib_s(void)
{
	size_t n = 64u << 20;
	char *a = malloc(n), *b = malloc(n);
	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 1, n);
	memset(b, 2, n); /* touch both: page faults are not memcpy */
	double t[5];
	for (int i = 0; i < 5; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		memcpy(i % 2 ? a : b, i % 2 ? b : a, n);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		t[i] = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	volatile char sink = a[n / 2] + b[n / 3]; /* keep the copies */
	(void)sink;
	free(a);
	free(b);
	qsort(t, 5, sizeof t[0], cmp_double);
	return (double)n / t[2] / GIB;
}

/* "4K" -> 4096 (K, M, G: powers of 1024; an optional "iB" or "B"). 0 or -1. */
static int one_size(const char *s, size_t len, uint64_t *v)
{
	char buf[32], *end;
	if (len == 0 || len >= sizeof buf || s[0] == '-')
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	static const char units[] = "KMG";
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
	int shift = u ? 10 * (int)(u - units + 1) : 0;
	end += u != NULL;
	if (!strcmp(end, "iB") || !strcmp(end, "B"))
		end += strlen(end);
	if (*end || x > (UINT64_MAX >> shift))
		return -1;
	*v = (uint64_t)x << shift;
	return 0;
}

int zcl_bench_parse_list(const char *s, bool chunk, uint64_t **out, size_t *n, char *err, size_t errlen)
{
	*n = 0;
	*out = NULL;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",");
		uint64_t v = 0;
		bool own = chunk && len == 3 && !strncmp(p, "own", 3);
		if (!own && (one_size(p, len, &v) < 0 || (chunk && v == 0))) {
			snprintf(err, errlen, "%s: not a %s: %.*s", chunk ? "--chunk" : "--sizes",
				 chunk ? "byte count (or own)" : "byte count", (int)len, p);
			free(*out);
			*out = NULL;
			return -1;
		}
		uint64_t *grown = realloc(*out, (*n + 1) * sizeof **out);
		if (!grown) {
			snprintf(err, errlen, "out of memory");
			free(*out);
			*out = NULL;
			return -1;
		}
		*out = grown;
		(*out)[(*n)++] = v;
		p += len + (p[len] == ',');
	}
	if (*n == 0) {
		snprintf(err, errlen, "%s: an empty list", chunk ? "--chunk" : "--sizes");
		return -1;
	}
	return 0;
}
