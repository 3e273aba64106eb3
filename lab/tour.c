/*
 * tour.c - the article's progression, run for real and told in order.
 *
 * Each stage's reference solution runs on the same cold input; the tour
 * prints what that stage changed and then one table, so the copies that
 * disappear from row to row are the lesson. Numbers are the run's own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "stages.h"
#include "tour.h"

/* What each step of the progression takes away. */
static const char *const story[] = {
	[1] = "The classic way: the file's bytes are copied into your buffer and out again.\n"
	      "  Two CPU copies per byte, and two syscalls (four mode switches) per chunk.",
	[2] = "Map the file instead of reading it: write() copies straight from the page cache.\n"
	      "  One CPU copy gone; the write()s remain.",
	[3] = "sendfile(): one syscall moves file pages to the socket without visiting user space.\n"
	      "  With a scatter-gather NIC the socket buffer only gets page descriptors: no CPU copy.",
	[4] = "A real response has a header: send it with MSG_MORE, then sendfile() the body.\n"
	      "  The NIC gathers both; the only CPU copy is the header's.",
	[5] = "Past the articles: sendfile() is built on splice(). Do it by hand, file -> pipe -> socket.\n"
	      "  Page references move, not bytes: still no CPU copy, but two syscalls per pipe-full.",
	[6] = "A live stream (a pipe, no page cache) to two clients: tee() duplicates the pipe's pages\n"
	      "  into a second pipe, splice() sends each to a socket. Read once, write twice would copy\n"
	      "  every byte three times; this copies none (with scatter-gather).",
	[7] = "File -> file: copy_file_range() hands the copy to the filesystem, inside the kernel.\n"
	      "  ext4 copies page cache -> page cache (one CPU copy, none in user space, one syscall);\n"
	      "  XFS and btrfs share the blocks instead (a reflink: no copy at all). The lab says which.",
	[8] = "Bytes in your own memory, not in a file: send(MSG_ZEROCOPY) pins the buffer's pages and a\n"
	      "  NIC DMAs from them (no CPU copy); completions on the error queue hand the pages back.\n"
	      "  Loopback has no NIC: the kernel copies after all, and says so in each completion.",
	[9] = "The copies are gone; now the mode switches go. io_uring queues linked splices in a ring\n"
	      "  shared with the kernel and submits a whole batch with one io_uring_enter(): stage 5's\n"
	      "  path, with one syscall per MiB instead of two per 64 KiB.",
};

const char *zcl_tour_story(int stage)
{
	if (stage < 1 || stage >= (int)(sizeof story / sizeof story[0]))
		return "";
	return story[stage];
}

int zcl_tour(FILE *out, uint64_t size, uint64_t seed, bool warm, bool sg, char *err, size_t errlen)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	/* one row per stage of the manifest, however many there are */
	struct zcl_totals *tot = calloc(n, sizeof *tot);
	uint64_t *delivered = calloc(n, sizeof *delivered);
	int failed = 0;
	if (!tot || !delivered) {
		snprintf(err, errlen, "tour: out of memory");
		free(tot), free(delivered);
		return -1;
	}
	fprintf(out, "Zero-Copy Lab tour: %" PRIu64 " bytes, %s cache, %s NIC, reference solutions\n\n",
		size, warm ? "warm" : "cold", sg ? "scatter-gather" : "no scatter-gather");
	for (size_t i = 0; i < n; i++) {
		struct zcl_run r = {.stage = &st[i], .solution = true, .size = size, .seed = seed,
				    .warm = warm, .sg = sg, .timeout_s = 10};
		if (zcl_run_stage(&r, err, errlen) < 0) {
			zcl_run_free(&r);
			free(tot), free(delivered);
			return -1;
		}
		fprintf(out, "%d. %s\n  %s\n", st[i].num, st[i].title,
			st[i].num < (int)(sizeof story / sizeof story[0]) ? story[st[i].num] : "");
		fprintf(out, "  -> %s: %s\n\n", zcl_verdict_name(r.verdict), r.reason);
		failed |= r.verdict != ZV_PASS;
		tot[i] = r.totals;
		delivered[i] = r.expected_bytes;
		zcl_run_free(&r);
	}
	fprintf(out, "%-32s %8s %8s %12s %12s %9s %12s\n", "stage", "syscalls", "switches",
		"DMA bytes", "CPU bytes", "CPU/byte", "disk->cache");
	for (size_t i = 0; i < n; i++) {
		const struct zcl_totals *t = &tot[i];
		fprintf(out, "%d %-30s %8" PRIu64 " %8" PRIu64 " %12" PRIu64 " %12" PRIu64 " %9.2f %12" PRIu64 "\n",
			st[i].num, st[i].title, t->syscalls, t->mode_switches, t->dma.bytes, t->cpu.bytes,
			delivered[i] ? (double)t->cpu.bytes / (double)delivered[i] : 0.0, t->filled_bytes);
	}
	fprintf(out, "\nMeasured: syscalls, return values, page-cache fills. Modelled: CPU copies implied by\n"
		     "each syscall, and the NIC's DMA (loopback has no NIC). Mode switches: 2 per syscall.\n");
	free(tot), free(delivered);
	return failed ? 1 : 0;
}
