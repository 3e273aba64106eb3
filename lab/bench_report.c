/*
 * bench_report.c - zcl bench's results for people (tables, a bar chart,
 * the ratios to read+write) and for programs (one JSON object).
 *
 * The text says what was timed and by whom (the harness's clocks, the
 * kernel's accounting of the sending process), what the receiver did with
 * the bytes, and shows the spread of the rounds beside each median.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "compare.h"

#define BAR 24              /* marks of the longest bar */
#define GIB 1073741824.0
#define SPLIT_MIN_S 0.04    /* CPU seconds a round needs before its user/system split means
			     * something: 10 ticks at HZ=250 (getrusage samples at each tick) */

/* "4 KiB", "256 MiB", "1 GiB", or bytes. */
static const char *human(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (u < 4 && n >= 1024 && n % 1024 == 0)
		n /= 1024, u++;
	snprintf(buf, len, "%" PRIu64 " %s", n, unit[u]);
	return buf;
}

static void bar(FILE *o, double v, double max, int width)
{
	int k = max > 0 ? (int)(v / max * width + 0.5) : 0;
	for (int i = 0; i < width; i++)
		fputc(i < k ? '#' : ' ', o);
}

static void header(FILE *o, const struct zcl_bench *b)
{
	int cpu[2];
	zcl_bench_cpus(cpu);
	fprintf(o, "zcl bench: what zero-copy saves - the sender's CPU time per GiB sent, beside throughput\n"
		   "  %s, %d round%s each: median [min-max]. Timed: the stage function alone (the harness reads\n"
		   "  the clocks just around it); CPU: the kernel's accounting of the sending process, user + system.\n",
		b->solution ? "solutions/" : "exercises/", b->rounds, b->rounds == 1 ? "" : "s");
	fprintf(o, "  receiver: %s\n",
		b->copy_receiver ? "read()s every byte into a buffer, like a plain client; its CPU is in the\n"
				   "  recv s/GiB column, not in the sender's"
				 : "discards the bytes without copying them (recv with MSG_TRUNC): its copy out\n"
				   "  of the socket is removed; what is left of its work is in the recv s/GiB column");
	if (cpu[0] >= 0)
		fprintf(o, "  sender on CPU %d, receiver on CPU %d, polling (it never sleeps, so it never paces the sender)\n",
			cpu[0], cpu[1]);
	else
		fprintf(o, "  one CPU only: sender and receiver share it (the receiver sleeps in recv)\n");
}

static void cell_row(FILE *o, const struct zcl_bench *b, const struct zcl_bench_cell *c, size_t si)
{
	fprintf(o, "%d %-11s ", c->stage->num, c->stage->slug);
	if (!c->n || c->why[0]) {
		fprintf(o, "not timed: %s\n", c->why[0] ? c->why : "no round finished");
		return;
	}
	fprintf(o, "%5.2f [%.2f-%.2f]  %6.3f [%.3f-%.3f]  ", c->gib_s.median, c->gib_s.min, c->gib_s.max,
		c->cpu_s_gib.median, c->cpu_s_gib.min, c->cpu_s_gib.max);
	/* getrusage splits the CPU time by the ticks that hit it: too few ticks, no split */
	if (c->cpu_s_gib.median * (double)c->size / GIB >= SPLIT_MIN_S)
		fprintf(o, "%5.3f %5.3f", c->user_s_gib.median, c->sys_s_gib.median);
	else
		fprintf(o, "%5s %5s", "-", "-");
	double cr = zcl_bench_cpu_ratio(b, c), sr = zcl_bench_speed_ratio(b, c);
	fprintf(o, " %9.1f  ", c->minflt_per_mib);
	if (cr > 0 && sr > 0) /* the baseline may not have been timed */
		fprintf(o, "%6.2f %8.2f", cr, sr);
	else
		fprintf(o, "%6s %8s", "-", "-");
	fprintf(o, "  %9.3f  %6.2f\n", c->recv_s_gib.median, b->stages[si].cpu_copies);
}

/* Bars: sender CPU per GiB and throughput, one line per timed stage. */
static void chart(FILE *o, const struct zcl_bench *b, size_t zi, size_t ci, bool warm)
{
	double maxc = 0, maxg = b->memcpy_gib_s;
	for (size_t si = 0; si < b->nstages; si++) {
		const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, ci, warm, si);
		if (c->n && !c->why[0]) {
			maxc = c->cpu_s_gib.median > maxc ? c->cpu_s_gib.median : maxc;
			maxg = c->gib_s.median > maxg ? c->gib_s.median : maxg;
		}
	}
	fprintf(o, "\n  %-13s %-*s   %s\n", "", BAR + 7, "sender CPU s/GiB (shorter: better)",
		"GiB/s (longer: better; | = memcpy)");
	for (size_t si = 0; si < b->nstages; si++) {
		const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, ci, warm, si);
		if (!c->n || c->why[0])
			continue;
		fprintf(o, "  %d %-11s ", c->stage->num, c->stage->slug);
		bar(o, c->cpu_s_gib.median, maxc, BAR);
		fprintf(o, " %6.3f   ", c->cpu_s_gib.median);
		int mark = maxg > 0 ? (int)(b->memcpy_gib_s / maxg * BAR + 0.5) : 0;
		int k = maxg > 0 ? (int)(c->gib_s.median / maxg * BAR + 0.5) : 0;
		for (int i = 0; i <= BAR; i++)
			fputc(i == mark ? '|' : i < k ? '#' : ' ', o);
		fprintf(o, " %5.2f\n", c->gib_s.median);
	}
}

/* Rounds whose throughput spread past this ratio (max / min) are called
 * out: a median of such rounds, and the ratios to it, say little. */
#define UNSTEADY_SPREAD 3.0

/* A note naming the stages whose throughput varied more than
 * UNSTEADY_SPREAD times between rounds (other work took the CPUs, or
 * the disk): nothing when every row is steady. */
static void unsteady(FILE *o, const struct zcl_bench *b, size_t zi, size_t ci, bool warm)
{
	int n = 0;
	for (size_t si = 0; si < b->nstages; si++) {
		const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, ci, warm, si);
		if (!c->n || c->why[0] || c->gib_s.max <= UNSTEADY_SPREAD * c->gib_s.min)
			continue;
		fprintf(o, "%s %s", n++ ? "," : "  unsteady: throughput varied more than 3x between rounds for",
			c->stage->slug);
	}
	if (n)
		fprintf(o, ".\n  The machine was busy (other work took the CPUs or the disk): those GiB/s and\n"
			   "  speed×rw figures say little; sender CPU s/GiB is steadier. Run again when idle, or\n"
			   "  with more --rounds.\n");
}

/* --chunk caps syscalls (lab/shim/chunkcap.c wraps them); an io_uring
 * operation is an SQE in shared memory that no wrapper sees, so a stage
 * that may use io_uring keeps its own operation size: say so. */
static void uncapped(FILE *o, const struct zcl_bench *b)
{
	for (size_t si = 0; si < b->nstages; si++)
		if (b->stages[si].stage->allow_uring)
			fprintf(o, "  %s: --chunk caps syscalls only; its io_uring operations (SQEs) keep the stage's own size\n",
				b->stages[si].stage->slug);
}

static void block(FILE *o, const struct zcl_bench *b, size_t zi, size_t ci, bool warm)
{
	char sz[32], ch[32], line[64];
	uint64_t chunk = b->chunks[ci];
	if (chunk)
		snprintf(line, sizeof line, "at most %s per call", human(chunk, ch, sizeof ch));
	fprintf(o, "\n%s input, %s, %s\n", human(b->sizes[zi], sz, sizeof sz), chunk ? line : "the stages' own calls",
		warm ? "warm cache (input in the page cache)"
		     : b->tmpfs ? "\"cold\" cache (but the input is on tmpfs: no disk)" : "cold cache (read from disk)");
	fprintf(o, "%-13s %-18s  %-22s  %5s %5s %9s  %6s %8s  %9s  %6s\n", "stage", "GiB/s", "sender CPU s/GiB",
		"user", "sys", "faults/MiB", "CPU×rw", "speed×rw", "recv s/GiB", "copies");
	for (size_t si = 0; si < b->nstages; si++)
		cell_row(o, b, zcl_bench_cell(b, zi, ci, warm, si), si);
	if (chunk)
		uncapped(o, b);
	unsteady(o, b, zi, ci, warm);
	chart(o, b, zi, ci, warm);
}

/* The article's table: rows are sizes, columns the stages' ratios to
 * read+write (sender CPU x, throughput x). */
static void ratios(FILE *o, const struct zcl_bench *b, size_t ci, bool warm)
{
	char sz[32];
	fprintf(o, "\nratios to %s, %s cache, %s: sender CPU x / throughput x (smaller / larger: better)\n",
		b->stages[0].stage->slug, warm ? "warm" : "cold",
		b->chunks[ci] ? human(b->chunks[ci], sz, sizeof sz) : "own calls");
	fprintf(o, "%-10s", "size");
	for (size_t si = 1; si < b->nstages; si++)
		fprintf(o, " %14s", b->stages[si].stage->slug);
	fputc('\n', o);
	for (size_t zi = 0; zi < b->nsizes; zi++) {
		fprintf(o, "%-10s", human(b->sizes[zi], sz, sizeof sz));
		for (size_t si = 1; si < b->nstages; si++) {
			const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, ci, warm, si);
			double cr = zcl_bench_cpu_ratio(b, c), sr = zcl_bench_speed_ratio(b, c);
			if (cr > 0 && sr > 0)
				fprintf(o, "    %4.2f / %4.2f", cr, sr);
			else
				fprintf(o, " %14s", "-");
		}
		fputc('\n', o);
	}
}

void zcl_bench_print_text(FILE *o, const struct zcl_bench *b)
{
	header(o, b);
	for (size_t zi = 0; zi < b->nsizes; zi++)
		for (size_t ci = 0; ci < b->nchunks; ci++)
			for (int w = 1; w >= 0; w--)
				if (zcl_bench_cell(b, zi, ci, w, 0))
					block(o, b, zi, ci, w);
	if (b->nsizes > 1)
		for (size_t ci = 0; ci < b->nchunks; ci++)
			for (int w = 1; w >= 0; w--)
				if (zcl_bench_cell(b, 0, ci, w, 0))
					ratios(o, b, ci, w);
	fprintf(o, "\nCPU×rw, speed×rw: the median against %s's at the same size, chunk and cache.\n"
		   "copies: CPU bytes per byte sent, modelled from one traced %" PRIu64 "-byte run (the lesson's count).\n"
		   "faults/MiB: the sender's page faults; mmap pays them as the kernel touches the mapping (one fault\n"
		   "maps several pages: fault-around, large folios), and on a cold cache they wait for the disk.\n"
		   "user, sys: getrusage(2)'s split of the sender's CPU, by the timer ticks that hit it; \"-\" when\n"
		   "a round used too little CPU for ticks to tell. The total CPU is exact (CLOCK_PROCESS_CPUTIME_ID).\n"
		   "memcpy on this machine: %.2f GiB/s. Loopback has no NIC: the \"NIC's\" work is the kernel's\n"
		   "receive path, run on the sender's CPU; WORKBOOK.md \"Measure it\" says what a real NIC changes.\n",
		b->stages[0].stage->slug, b->check_size, b->memcpy_gib_s);
}

/* A JSON string: our own text (slugs, reasons), escaped all the same. */
static void jstr(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(o, "\\u%04x", c < 0x20 ? c : '?');
		else
			fputc(c, o);
	}
	fputc('"', o);
}

static void jstat(FILE *o, const char *name, struct zcl_stat s)
{
	fprintf(o, "\"%s\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g}", name, s.median, s.min, s.max);
}

static void jcell(FILE *o, const struct zcl_bench *b, const struct zcl_bench_cell *c)
{
	fprintf(o, "{\"stage\":%d,\"slug\":", c->stage->num);
	jstr(o, c->stage->slug);
	fprintf(o, ",\"size\":%" PRIu64 ",\"chunk\":%" PRIu64 ",\"cache\":\"%s\",\"rounds\":%d,\"timed\":%s",
		c->size, c->chunk, c->warm ? "warm" : "cold", c->n, c->n && !c->why[0] ? "true" : "false");
	if (c->why[0]) {
		fprintf(o, ",\"why\":");
		jstr(o, c->why);
	}
	if (c->n && !c->why[0]) {
		fputc(',', o), jstat(o, "gib_per_s", c->gib_s);
		fputc(',', o), jstat(o, "sender_cpu_s_per_gib", c->cpu_s_gib);
		fputc(',', o), jstat(o, "sender_user_s_per_gib", c->user_s_gib);
		fputc(',', o), jstat(o, "sender_sys_s_per_gib", c->sys_s_gib);
		fputc(',', o), jstat(o, "receiver_cpu_s_per_gib", c->recv_s_gib);
		fprintf(o, ",\"minor_faults_per_mib\":%.6g,\"cpu_ratio_to_baseline\":%.6g,\"speed_ratio_to_baseline\":%.6g",
			c->minflt_per_mib, zcl_bench_cpu_ratio(b, c), zcl_bench_speed_ratio(b, c));
	}
	fputc('}', o);
}

void zcl_bench_print_json(FILE *o, const struct zcl_bench *b)
{
	fprintf(o, "{\"schema\":\"zcl-bench/1\",\"solution\":%s,\"rounds\":%d,\"receiver\":\"%s\",\"tmpfs\":%s,"
		   "\"memcpy_gib_per_s\":%.6g,\"check_size\":%" PRIu64 ",\"baseline\":",
		b->solution ? "true" : "false", b->rounds, b->copy_receiver ? "copy" : "discard",
		b->tmpfs ? "true" : "false", b->memcpy_gib_s, b->check_size);
	jstr(o, b->nstages ? b->stages[0].stage->slug : "");
	fprintf(o, ",\"stages\":[");
	for (size_t si = 0; si < b->nstages; si++) {
		fprintf(o, "%s{\"stage\":%d,\"slug\":", si ? "," : "", b->stages[si].stage->num);
		jstr(o, b->stages[si].stage->slug);
		fprintf(o, ",\"verdict\":");
		jstr(o, b->stages[si].verdict);
		fprintf(o, ",\"cpu_copies_per_byte\":%.6g}", b->stages[si].cpu_copies);
	}
	fprintf(o, "],\"results\":[");
	bool first = true;
	for (size_t k = 0; k < b->ncells; k++) {
		const struct zcl_bench_cell *c = &b->cells[k];
		if ((c->warm && !b->warm) || (!c->warm && !b->cold))
			continue;
		fputs(first ? "" : ",", o);
		first = false;
		jcell(o, b, c);
	}
	fprintf(o, "]}\n");
}
