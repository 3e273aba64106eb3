/*
 * summary_print.c - print `zcl trace`'s summary (summary.h): the syscall
 * table as `strace -c` lays it out, per process, the copies with measured,
 * derived and modelled DMA apart, the classes, the blind spots, and the
 * kernel's cross-check with a word on how independent it is.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "pagecache.h"
#include "report.h"
#include "summary_priv.h"

/* 1536 -> "1.5K"; exact below 1 KiB. */
static const char *human(uint64_t b, char *buf, size_t len)
{
	if (b < 1024)
		snprintf(buf, len, "%" PRIu64, b);
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.1fK", (double)b / 1024);
	else if (b < 1024ull * 1024 * 1024)
		snprintf(buf, len, "%.1fM", (double)b / (1024 * 1024));
	else
		snprintf(buf, len, "%.2fG", (double)b / (1024.0 * 1024 * 1024));
	return buf;
}

static int by_nr(const void *a, const void *b)
{
	const struct zcl_sum_row *x = a, *y = b;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

static int by_time(const void *a, const void *b)
{
	const struct zcl_sum_row *x = a, *y = b;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? 1 : -1;
	return (x->calls < y->calls) - (x->calls > y->calls);
}

/* The per-syscall rows of process tgid (0: all processes merged), sorted
 * by time then calls; *n set. NULL when there are none (or no memory). */
static struct zcl_sum_row *merged(const struct zcl_summary *s, pid_t tgid, size_t *n)
{
	struct zcl_sum_row *v = malloc((s->n + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; v && i < s->n; i++)
		if (s->rows[i].nr >= 0 && (!tgid || s->rows[i].tgid == tgid))
			v[k++] = s->rows[i];
	qsort(v, k, sizeof *v, by_nr);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && v[m - 1].nr == v[i].nr) {
			v[m - 1].calls += v[i].calls;
			v[m - 1].errors += v[i].errors;
			v[m - 1].bytes += v[i].bytes;
			v[m - 1].time_ns += v[i].time_ns;
			v[m - 1].timed += v[i].timed;
		} else {
			v[m++] = v[i];
		}
	}
	qsort(v, m, sizeof *v, by_time);
	*n = m;
	return v;
}

static void table(FILE *out, const struct zcl_summary *s)
{
	size_t n;
	struct zcl_sum_row *v = merged(s, 0, &n), tot = {0};
	for (size_t i = 0; v && i < n; i++) {
		tot.calls += v[i].calls, tot.errors += v[i].errors, tot.bytes += v[i].bytes;
		tot.time_ns += v[i].time_ns, tot.timed += v[i].timed;
	}
	static const char rule[] = "  ------ ----------- ----------- --------- --------- ------------ ----------------\n";
	fprintf(out, "  %% time     seconds  usecs/call     calls    errors        bytes syscall\n%s", rule);
	for (size_t i = 0; v && i < n; i++) {
		char err[24] = "";
		if (v[i].errors)
			snprintf(err, sizeof err, "%" PRIu64, v[i].errors);
		fprintf(out, "  %6.2f %11.6f %11.0f %9" PRIu64 " %9s %12" PRIu64 " %s\n",
			tot.time_ns ? 100.0 * (double)v[i].time_ns / (double)tot.time_ns : 0.0,
			(double)v[i].time_ns / 1e9, v[i].timed ? (double)v[i].time_ns / 1e3 / (double)v[i].timed : 0.0,
			v[i].calls, err, v[i].bytes, zcl_syscall_name(v[i].nr));
	}
	fprintf(out, "%s  100.00 %11.6f             %9" PRIu64 " %9" PRIu64 " %12" PRIu64 " total\n", rule,
		(double)tot.time_ns / 1e9, tot.calls, tot.errors, tot.bytes);
	if (tot.timed < tot.calls)
		fprintf(out, "  (time: entry to exit stop, tracer included; %" PRIu64 " calls shown \"=~\" had no exit stop and are not timed)\n",
			tot.calls - tot.timed);
	free(v);
}

static int by_tgid(const void *a, const void *b)
{
	const struct zcl_sum_row *x = a, *y = b;
	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/* The process rows (nr -1), by pid; *n set. */
static struct zcl_sum_row *processes(const struct zcl_summary *s, size_t *n)
{
	struct zcl_sum_row *v = malloc((s->n + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; v && i < s->n; i++)
		if (s->rows[i].nr < 0)
			v[k++] = s->rows[i];
	if (v)
		qsort(v, k, sizeof *v, by_tgid);
	*n = k;
	return v;
}

/* One line per process: its totals and its syscalls by count. */
static void per_process(FILE *out, const struct zcl_summary *s)
{
	size_t np;
	struct zcl_sum_row *p = processes(s, &np);
	fprintf(out, "  per process (%zu):\n", np);
	for (size_t i = 0; p && i < np; i++) {
		char b[32], comm[sizeof p[i].comm * 4];
		size_t w = 0;
		for (const unsigned char *c = (const unsigned char *)p[i].comm; *c; c++) /* the program's name: escaped */
			w += (size_t)snprintf(comm + w, sizeof comm - w, *c < 0x20 || *c >= 0x7f ? "\\x%02x" : "%c", *c);
		comm[w] = 0;
		fprintf(out, "    pid %-7d %-16s calls %" PRIu64 ", errors %" PRIu64 ", bytes %s:", (int)p[i].tgid,
			comm, p[i].calls, p[i].errors, human(p[i].bytes, b, sizeof b));
		size_t n;
		struct zcl_sum_row *v = merged(s, p[i].tgid, &n);
		for (size_t j = 0; v && j < n; j++)
			fprintf(out, " %s x%" PRIu64 "%s", zcl_syscall_name(v[j].nr), v[j].calls,
				j + 1 < n ? "," : "");
		fputc('\n', out);
		free(v);
	}
	free(p);
}

/* io_uring's operations against its syscalls, and MSG_ZEROCOPY's pins and completions. */
static void io_uring_and_zc(FILE *out, const struct zcl_summary *s)
{
	char a[32], b[32];
	if (s->uring_ops || s->uring_notifs) {
		fprintf(out, "  io_uring       %" PRIu64 " operations decoded from the rings in %" PRIu64
			     " io_uring_enter calls (no mode switches of\n                 their own; %" PRIu64
			     " notifications):", s->uring_ops, s->uring_enters, s->uring_notifs);
		for (unsigned op = 0; op < ZCL_URING_NOPS; op++)
			if (s->uring_by_op[op])
				fprintf(out, " %s x%" PRIu64, zcl_uring_opname(op), s->uring_by_op[op]);
		fputc('\n', out);
	}
	if (s->zc_sends || s->zc_completions)
		fprintf(out, "  zerocopy       %" PRIu64 " sends pinned %s of your pages; %" PRIu64
			     " completions read, %s copied after all\n", s->zc_sends, human(s->zc_pinned, a, sizeof a),
			s->zc_completions, human(s->zc_copied, b, sizeof b));
	if (s->zc_unreported)
		fprintf(out, "                 (%" PRIu64 " SEND_ZC notifications did not say whether the kernel copied:\n"
			     "                 IORING_SEND_ZC_REPORT_USAGE asks; on loopback the copy is modelled)\n",
			s->zc_unreported);
}

static void copies(FILE *out, const struct zcl_summary *s)
{
	char a[32], b[32], c[32];
	fprintf(out, "  DMA measured   disk -> page cache %s in %" PRIu64 " fills (residency before/after, %s)\n",
		human(s->fill, a, sizeof a), s->fills, zcl_pc_method());
	if (s->directs)
		fprintf(out, "      derived    disk <-> your buffer (O_DIRECT) %s in %" PRIu64 " calls (from the return values)\n",
			human(s->direct, a, sizeof a), s->directs);
	fprintf(out, "      modelled   -> NIC %s in %" PRIu64 " sends (the lab sees no NIC)\n",
		human(s->nic, a, sizeof a), s->nics);
	fprintf(out, "  CPU copies     %s   by reference %s (page descriptors, no copy)\n",
		human(s->cpu, a, sizeof a), human(s->ref, b, sizeof b));
	if (s->sent) {
		double all = (double)s->cpu / (double)s->sent, skb = (double)s->cpu_to_skb / (double)s->sent;
		fprintf(out, "  per byte sent  %.2f CPU bytes per byte into a socket (%s sent): %.2f the copy into\n"
			     "                 the socket buffer, %.2f every other copy the program made (its reads too)\n",
			all, human(s->sent, c, sizeof c), skb, all - skb);
	}
	else
		fputs("  per byte sent  nothing was sent into a socket\n", out);
}

/* Which class each descriptor got, and what the model did with it. */
static void descriptor_classes(FILE *out, const struct zcl_summary *s)
{
	static const char *const meaning[ZC__COUNT] = {
		[ZC_FILE] = "page cache over a disk", [ZC_TMPFS] = "page cache, no disk",
		[ZC_DIRECT] = "disk DMA to/from your buffer", [ZC_PSEUDO] = "kernel-made data, CPU copy",
		[ZC_PIPE] = "pipe buffer", [ZC_TCP] = "socket buffer, NIC", [ZC_UDP] = "socket buffer, NIC",
		[ZC_UNIX] = "peer's receive queue, no NIC", [ZC_NETLINK] = "to the kernel, no NIC",
		[ZC_TTY] = "CPU copy into the tty", [ZC_NULL] = "discarded", [ZC_ZERO] = "CPU-made zeroes",
		[ZC_CHAR] = "kernel-made data, CPU copy",
	};
	fputs("  descriptors   ", out);
	bool any = false;
	for (int c = 0; c < ZC__COUNT; c++)
		if (s->cls[c]) {
			fprintf(out, " %s x%" PRIu64 "%s%s%s", zcl_fdclass_name((enum zcl_fdclass)c), s->cls[c],
				meaning[c] ? " (" : "", meaning[c] ? meaning[c] : "", meaning[c] ? ")" : "");
			any = true;
		}
	fputs(any ? "\n" : " none used\n", out);
	if (s->loop_sends)
		fprintf(out, "  route          loopback (%" PRIu64 " sends): no NIC, its DMA is modelled\n", s->loop_sends);
	if (s->dev_sends)
		fprintf(out, "  route          device %s (%" PRIu64 " sends): scatter-gather %s\n",
			s->netdev ? s->netdev : "?", s->dev_sends,
			s->netdev_sg < 0 ? "unknown: the --no-sg switch decides (modelled)"
			: s->netdev_sg ? "on, read from the device (ethtool ETHTOOL_GSG)"
				       : "off, read from the device (ethtool ETHTOOL_GSG)");
	if (s->noroute_sends)
		fprintf(out, "  route          unknown for %" PRIu64 " sends (no peer address): NIC modelled\n",
			s->noroute_sends);
}

/* What the lab could not see, said out loud. */
static void blind_spots(FILE *out, const struct zcl_summary *s, const struct zcl_kernel_acct *k)
{
	char a[32], b[32];
	if (s->uring_undecoded)
		fprintf(out, "  not seen       io_uring (%" PRIu64 " calls): their bytes and copies are missing above:\n"
			     "                 %s\n", s->uring_undecoded, s->uring_why);
	if (zcl_uring_lost())
		fprintf(out, "  not seen       %" PRIu64 " io_uring completions: the CQ ring wrapped before the lab looked,\n"
			     "                 or memory ran out\n", zcl_uring_lost());
	if (s->aio)
		fprintf(out, "  not seen       Linux AIO (%" PRIu64 " io_setup/io_submit calls): the transfers they start are\n"
			     "                 not decoded: missing above and from /proc/PID/io's rchar/wchar\n", s->aio);
	if (s->cls[ZC_DIRECT])
		fprintf(out, "  O_DIRECT       %" PRIu64 " uses: the disk DMA to/from your buffer is derived from the\n"
			     "                 return values (no page cache to measure); the page cache is untouched\n",
			s->cls[ZC_DIRECT]);
	if (s->err_unnamed)
		fprintf(out, "  failures       %" PRIu64 " writes had no exit stop and moved nothing: failed, error unnamed (--exact names it)\n",
			s->err_unnamed);
	if (s->ambiguous)
		fprintf(out, "  split unknown  %" PRIu64 " calls shown \"=~ ?\": fast mode checks runs of calls with one\n"
			     "                 counter reading; their bytes between them are exact (so every total is),\n"
			     "                 how they split is not (--exact shows each)\n", s->ambiguous);
	if (s->unknown)
		fprintf(out, "  unknown        %" PRIu64 " calls: the thread vanished before its counters could be read\n", s->unknown);
	struct zcl_pcw_stats w = s->pcw;
	if (w.unwatched || w.unmeasured)
		fprintf(out, "  not measured   %" PRIu64 " files could not be opened to measure, %" PRIu64 " fills lost\n",
			w.unwatched, w.unmeasured);
	if (s->maps_lost)
		fprintf(out, "  not measured   %" PRIu64 " file mappings not remembered (out of memory): writes from\n"
			     "                 them are shown as from plain memory\n", s->maps_lost);
	if ((s->uring || s->aio || s->cls[ZC_DIRECT]) && k->begin.valid && k->end.valid)
		fprintf(out, "  disk reads     the kernel says the first process read %s from the disk (read_bytes);\n"
			     "                 the lab accounts for %s (page-cache fills + O_DIRECT)\n",
			human(k->end.read_bytes - k->begin.read_bytes, a, sizeof a), human(s->fill + s->direct, b, sizeof b));
}

static size_t nprocs(const struct zcl_summary *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->rows[i].nr < 0;
	return n;
}

/* The cross-check line: agrees or not, and how much that proves. */
static void crosscheck(FILE *out, const struct zcl_summary *s, const struct zcl_totals *t,
		       const struct zcl_kernel_acct *k)
{
	char cc[512];
	if (k->not_compared) {
		fprintf(out, "  kernel         /proc/PID/io not compared:\n                 %s\n", k->not_compared);
		return;
	}
	int bad = zcl_account_crosscheck(t, k, cc, sizeof cc);
	if (bad < 0) {
		fputs("  kernel         /proc/PID/io: not available (the first process was gone before it could be read)\n", out);
		return;
	}
	const char *verdict = bad ? "DISAGREES" : s->uring || s->aio ? "agrees (neither side counts io_uring/AIO transfers)"
									     : "agrees";
	fprintf(out, "  kernel         /proc/PID/io of the first process %s\n", verdict);
	if (s->deferred)
		fprintf(out, "                 (not independent for rchar/wchar: %" PRIu64 " byte counts shown \"=~\" were read\n"
			     "                 from the same counters; syscr/syscw and --exact are independent)\n", s->deferred);
	if (!bad)
		return;
	for (const char *l = cc; *l;) { /* each line under the others */
		size_t n = strcspn(l, "\n");
		fprintf(out, "                 %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	if (nprocs(s) > 1)
		fputs("                 (the first process's figures hold only the children it waited for)\n", out);
}

void zcl_summary_print(FILE *out, const struct zcl_summary *s, bool with_table,
		       const struct zcl_totals *t, const struct zcl_kernel_acct *k)
{
	uint64_t calls = 0;
	for (size_t i = 0; i < s->n; i++)
		calls += s->rows[i].nr < 0 ? s->rows[i].calls : 0;
	if (s->all_trapped)
		fprintf(out, "  counted        every syscall (%" PRIu64 ")\n", calls);
	else
		fprintf(out, "  counted        %" PRIu64 " trapped syscalls: I/O, mappings, descriptors, processes\n"
			     "                 (others run untrapped and uncounted; --summary traps and counts every one)\n",
			calls);
	fprintf(out, "  syscalls       %" PRIu64 "  (mode switches: %" PRIu64 ", 2 per syscall)\n", t->syscalls,
		t->mode_switches);
	copies(out, s);
	io_uring_and_zc(out, s);
	descriptor_classes(out, s);
	blind_spots(out, s, k);
	crosscheck(out, s, t, k);
	if (with_table) {
		table(out, s);
		per_process(out, s);
	}
}

static void json_rows(FILE *o, const struct zcl_summary *s)
{
	size_t n, np;
	struct zcl_sum_row *v = merged(s, 0, &n), *p = processes(s, &np);
	fputs("\"syscalls\":[", o);
	for (size_t i = 0; v && i < n; i++)
		fprintf(o, "%s{\"syscall\":\"%s\",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes\":%" PRIu64
			   ",\"seconds\":%.6f,\"timed_calls\":%" PRIu64 "}",
			i ? "," : "", zcl_syscall_name(v[i].nr), v[i].calls, v[i].errors, v[i].bytes,
			(double)v[i].time_ns / 1e9, v[i].timed);
	fputs("],\"processes\":[", o);
	for (size_t i = 0; p && i < np; i++) {
		fprintf(o, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)p[i].tgid);
		zcl_json_str(o, p[i].comm);
		fprintf(o, ",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", p[i].calls,
			p[i].errors, p[i].bytes);
	}
	fputs("]", o);
	free(v);
	free(p);
}

void zcl_summary_json(FILE *o, const struct zcl_summary *s, const struct zcl_totals *t,
		      const struct zcl_kernel_acct *k)
{
	char cc[512] = "";
	int bad = k->not_compared ? -1 : zcl_account_crosscheck(t, k, cc, sizeof cc);
	fprintf(o, "{\"syscall_summary\":{\"all_trapped\":%s,", s->all_trapped ? "true" : "false");
	json_rows(o, s);
	fprintf(o, ",\"dma\":{\"measured_fill_bytes\":%" PRIu64 ",\"direct_bytes\":%" PRIu64
		   ",\"modelled_nic_bytes\":%" PRIu64 "},\"cpu_bytes\":%" PRIu64 ",\"cpu_into_socket_bytes\":%" PRIu64
		   ",\"ref_bytes\":%" PRIu64 ",\"sent_bytes\":%" PRIu64 ",\"cpu_per_byte_sent\":",
		s->fill, s->direct, s->nic, s->cpu, s->cpu_to_skb, s->ref, s->sent);
	if (s->sent)
		fprintf(o, "%.4f", (double)s->cpu / (double)s->sent);
	else
		fputs("null", o);
	fputs(",\"classes\":{", o);
	for (int c = 0, first = 1; c < ZC__COUNT; c++)
		if (s->cls[c]) {
			fprintf(o, "%s\"%s\":%" PRIu64, first ? "" : ",", zcl_fdclass_name((enum zcl_fdclass)c), s->cls[c]);
			first = 0;
		}
	fprintf(o, "},\"io_uring\":{\"enter_calls\":%" PRIu64 ",\"operations\":%" PRIu64 ",\"notifications\":%" PRIu64
		   ",\"lost\":%" PRIu64 "},\"zerocopy\":{\"sends\":%" PRIu64 ",\"pinned_bytes\":%" PRIu64
		   ",\"completions\":%" PRIu64 ",\"copied_bytes\":%" PRIu64 "}",
		s->uring_enters, s->uring_ops, s->uring_notifs, zcl_uring_lost(), s->zc_sends, s->zc_pinned,
		s->zc_completions, s->zc_copied);
	fprintf(o, ",\"not_seen\":{\"io_uring_calls\":%" PRIu64 ",\"aio_calls\":%" PRIu64 ",\"o_direct_uses\":%"
		   PRIu64 ",\"failed_unnamed\":%" PRIu64 ",\"unknown\":%" PRIu64 "},\"kernel\":{\"available\":%s,"
		   "\"agrees\":%s,\"independent\":%s,\"disagreements\":",
		s->uring_undecoded, s->aio, s->cls[ZC_DIRECT], s->err_unnamed, s->unknown, bad >= 0 ? "true" : "false",
		bad == 0 ? "true" : "false", s->deferred ? "false" : "true");
	zcl_json_str(o, k->not_compared ? k->not_compared : cc);
	fputs("}}}\n", o);
}
