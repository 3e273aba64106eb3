/*
 * report.c - print the event stream and a run's result.
 *
 * The text timeline is one line per syscall: the call as strace would show
 * it, the copies it caused, and the running totals. The JSON forms carry the
 * same facts for programs; their schemas are documented in README.md.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "decode.h"
#include "model.h"
#include "escape.h"
#include "report.h"

void zcl_timeline_init(struct zcl_timeline *tl, FILE *out, bool json, bool bracket_only)
{
	memset(tl, 0, sizeof *tl);
	tl->out = out;
	tl->json = json;
	tl->bracket_only = bracket_only;
	tl->width = out ? zcl_out_width(out) : 80;
	zcl_account_init(&tl->totals);
}

int zcl_out_width(FILE *out)
{
	struct winsize ws;
	int fd = fileno(out);
	if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

#define NOBREAK '\x01' /* a space a line must not break at (put_wrapped) */

/* Columns of the valid UTF-8 text s up to n bytes (one per code point). */
static int columns(const char *s, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n && s[i];) {
		size_t k = zcl_utf8_len(s + i);
		i += k ? k : 1;
		w++;
	}
	return w;
}

/* s on out, each of its lines word-wrapped at spaces to width columns,
 * the lines it goes on over starting with indent spaces; NOBREAK shows as
 * a space that is never a break; a word longer than a line is cut. Ends
 * with a newline. Can't fail (errors of out are the caller's). */
static void put_wrapped(FILE *out, int width, int indent, const char *s)
{
	int col = 0;
	bool word_on_line = false;
	for (const char *p = s; *p;) {
		if (*p == '\n') {
			fputc('\n', out);
			col = 0, word_on_line = false, p++;
			continue;
		}
		size_t sp = strspn(p, " "), wl = strcspn(p + sp, " \n");
		int ww = columns(p + sp, wl);
		if (word_on_line && col + (int)sp + ww > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent, sp = 0;
		}
		fprintf(out, "%*s", (int)sp, "");
		col += (int)sp;
		p += strspn(p, " ");
		for (const char *e = p + wl; p < e;) { /* the word, cut where it must be */
			size_t k = zcl_utf8_len(p);
			k = k ? k : 1;
			if (col >= width && col > indent) {
				fprintf(out, "\n%*s", indent, "");
				col = indent;
			}
			if (*p == NOBREAK)
				fputc(' ', out);
			else
				fwrite(p, 1, k, out);
			p += k, col++;
		}
		word_on_line = true;
	}
	fputc('\n', out);
}

/* printf, then put_wrapped to out's width with indent. */
static void printf_wrapped(FILE *out, int indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void printf_wrapped(FILE *out, int indent, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	put_wrapped(out, zcl_out_width(out), indent, buf);
}

/* 1536 -> "1.5K"; exact below 1 KiB. */
static const char *human(uint64_t b, char *buf, size_t len)
{
	if (b < 1024)
		snprintf(buf, len, "%" PRIu64, b);
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.1fK", (double)b / 1024);
	else
		snprintf(buf, len, "%.1fM", (double)b / (1024 * 1024));
	return buf;
}

void zcl_format_call(const struct zcl_sysrec *r, char *buf, size_t len)
{
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	int w = snprintf(buf, len, "%s(", zcl_syscall_name(r->nr));
	if (rule) {
		int last = rule->in_fd;
		int idx[] = {rule->out_fd, rule->buf, rule->count, rule->flags};
		for (size_t i = 0; i < 4; i++)
			if (idx[i] > last)
				last = idx[i];
		if (rule->fam == ZM_MMAP || rule->fam == ZM_MUNMAP)
			last = rule->fam == ZM_MMAP ? 5 : 1;
		for (int i = 0; i <= last && w > 0 && (size_t)w < len; i++) {
			const char *sep = i ? ", " : "";
			uint64_t a = r->args[i];
			if (i == rule->in_fd || i == rule->out_fd)
				w += snprintf(buf + w, len - (size_t)w, "%s%d", sep, (int)a);
			else if (i == rule->count)
				w += snprintf(buf + w, len - (size_t)w, "%s%" PRIu64, sep, a);
			else if (a == 0 && (i == rule->buf || (rule->fam == ZM_MMAP && i == 0) ||
					    (rule->fam == ZM_SENDFILE && i == 2) ||
					    ((rule->fam == ZM_SPLICE || rule->fam == ZM_COPYRANGE) && (i == 1 || i == 3))))
				w += snprintf(buf + w, len - (size_t)w, "%sNULL", sep); /* a null pointer */
			else if (a < 4096)
				w += snprintf(buf + w, len - (size_t)w, "%s%" PRIu64, sep, a); /* a small number */
			else
				w += snprintf(buf + w, len - (size_t)w, "%s%#" PRIx64, sep, a);
		}
	}
	if (w < 0 || (size_t)w + 1 >= len)
		return;
	buf[w++] = ')';
	buf[w] = 0;
	zcl_format_ret(r, buf + w, len - (size_t)w);
}

void zcl_format_ret(const struct zcl_sysrec *r, char *buf, size_t len)
{
	if (r->ret_unknown) {
		snprintf(buf, len, " = ?");
	} else if (r->err_unnamed) {
		snprintf(buf, len, " = -1 (failed; --exact names the error)");
	} else if (r->ret_ambiguous && r->run_calls) {
		snprintf(buf, len, " =~ ? (%u %s moved %" PRIu64 " of %" PRIu64 " bytes between them; fast mode"
			 " checks runs of calls, --exact shows each)", r->run_calls,
			 zcl_rule_for(r->nr) && zcl_rule_for(r->nr)->io & 2 ? "writes" : "reads",
			 r->run_moved, r->run_asked);
	} else if (r->ret_ambiguous) {
		snprintf(buf, len, " =~ ?");
	} else if (r->deferred) {
		snprintf(buf, len, " =~ %" PRId64, r->ret);
	} else if (r->ret < 0 && r->ret >= -4095) {
		snprintf(buf, len, " = -1 %s (%s)", zcl_errno_name((int)-r->ret), zcl_errno_words((int)-r->ret));
	} else if (r->nr == 9 /* mmap */ || r->ret > 0xffffffffLL) {
		snprintf(buf, len, " = %#" PRIx64, (uint64_t)r->ret);
	} else {
		snprintf(buf, len, " = %" PRId64, r->ret);
	}
}

/* zcl trace's form: descriptors named, flags decoded, the call's time. */
static void format_traced(const struct zcl_sysrec *r, char *buf, size_t len)
{
	size_t w = zcl_decode_args(r, buf, len);
	if (w + 2 >= len)
		return;
	buf[w++] = ')';
	buf[w] = 0;
	zcl_format_ret(r, buf + w, len - w);
	w += strlen(buf + w);
	if (r->t_exit_ns > r->t_entry_ns && w < len)
		snprintf(buf + w, len - w, " <%.6f>", (double)(r->t_exit_ns - r->t_entry_ns) / 1e9);
}

static const char *short_place(enum zcl_place p)
{
	static const char *const n[ZP__COUNT] = {
		[ZP_NONE] = "-", [ZP_DISK] = "disk", [ZP_PAGE_CACHE] = "PC", [ZP_USER] = "user",
		[ZP_SOCKET] = "skb", [ZP_PIPE] = "pipe", [ZP_NIC] = "NIC", [ZP_KERNEL] = "kernel",
		[ZP_TTY] = "tty",
	};
	return (unsigned)p < ZP__COUNT ? n[p] : "?";
}

/* Append to buf (of len) at *w; stops quietly when full. */
static void add(char *buf, size_t len, size_t *w, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *w, const char *fmt, ...)
{
	if (*w >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *w, len - *w, fmt, ap);
	va_end(ap);
	*w = n < 0 ? len : *w + (size_t)n >= len ? len - 1 : *w + (size_t)n;
}

/* The call with its spaces NOBREAK but those a line may break at: after a
 * comma, before the result (" = ", " =~ ") and before the time (" <"). */
static void mark_breaks(char *call)
{
	for (char *p = call; *p; p++)
		if (*p == ' ' && !(p > call && p[-1] == ',') && p[1] != '=' && p[1] != '<')
			*p = NOBREAK;
}

/* The copies, the injection and the running totals, after the call; sep is
 * what joins the words of one item (NOBREAK keeps an item on one line). */
static void step_tail(const struct zcl_timeline *tl, const struct zcl_sysrec *r, const struct zcl_event *ev,
		      size_t n, char sep, char *buf, size_t len, size_t *w)
{
	char b1[32], b2[32], b3[32];
	for (size_t i = 1; i < n; i++) {
		const struct zcl_event *e = &ev[i];
		add(buf, len, w, " %s%c%s->%s%c%s%s", e->kind == ZE_DMA ? "DMA" : e->kind == ZE_CPU ? "CPU" : "REF",
		    sep, short_place(e->from), short_place(e->to), sep, human(e->bytes, b1, sizeof b1),
		    e->modelled ? "*" : "");
	}
	if (r->injected != ZI_NONE)
		add(buf, len, w, " [injected%c%s]", sep, r->injected == ZI_EINTR ? "EINTR" : "short count");
	const struct zcl_totals *t = &tl->totals;
	add(buf, len, w, "  |%csys%c%" PRIu64 "%cms%c%" PRIu64 "%cdma%c%s%ccpu%c%s%cref%c%s", sep, sep, t->syscalls,
	    sep, sep, t->mode_switches, sep, sep, human(t->dma.bytes, b1, sizeof b1), sep, sep,
	    human(t->cpu.bytes, b2, sizeof b2), sep, sep, human(t->ref.bytes, b3, sizeof b3));
}

/* One line per syscall when it fits the width; else the call, its copies
 * and the totals go on over lines indented under the call. */
static void text_step(struct zcl_timeline *tl, const struct zcl_sysrec *r,
		      const struct zcl_event *ev, size_t n)
{
	char call[1536], line[4096];
	size_t w = 0;
	if (n > 0 && ev[0].kind == ZE_MARK) {
		fprintf(tl->out, "%6" PRIu64 " ---- %s ----\n", r->seq, ev[0].note);
		return;
	}
	if (tl->bracket_only)
		zcl_format_call(r, call, sizeof call); /* a stage run: the viz's short form */
	else
		format_traced(r, call, sizeof call);
	if (!tl->first)
		tl->first = r->pid;
	char tail[1024], head[64];
	size_t tw = 0;
	step_tail(tl, r, ev, n, ' ', tail, sizeof tail, &tw);
	if (r->pid != tl->first)
		snprintf(head, sizeof head, "%6" PRIu64 " [pid %d] ", r->seq, (int)r->pid);
	else
		snprintf(head, sizeof head, "%6" PRIu64 " ", r->seq);
	/* the totals in a column (at 51) when the width allows, else closer */
	int width = tl->width > 0 ? tl->width : 80;
	int hw = columns(head, strlen(head)), cw = columns(call, strlen(call)), rest = width - hw - columns(tail, tw);
	if (cw <= rest) {
		int pad = 51 - hw < rest ? 51 - hw : rest;
		fprintf(tl->out, "%s%s%*s%s\n", head, call, pad > cw ? pad - cw : 0, "", tail);
		return;
	}
	mark_breaks(call);
	w = 0;
	if (r->pid != tl->first)
		add(line, sizeof line, &w, "%6" PRIu64 " [pid%c%d] %s", r->seq, NOBREAK, (int)r->pid, call);
	else
		add(line, sizeof line, &w, "%6" PRIu64 " %s", r->seq, call);
	step_tail(tl, r, ev, n, NOBREAK, line, sizeof line, &w);
	put_wrapped(tl->out, width, 7, line);
}

size_t zcl_utf8_len(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0; /* overlong, or past U+10FFFF */
	return n;
}

void zcl_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	while (s && *s) {
		unsigned char c = (unsigned char)*s;
		size_t n = zcl_utf8_len(s);
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else if (n == 0)
			fputs("\\ufffd", out); /* not UTF-8 (a student's binary output): replaced */
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
	}
	fputc('"', out);
}

/* The descriptors' classes and names, the error, the call's time. */
static void json_fds(FILE *o, const struct zcl_sysrec *r)
{
	fprintf(o, "\"in_class\":\"%s\",\"out_class\":\"%s\",\"in_name\":",
		zcl_fdclass_name(r->in.cls), zcl_fdclass_name(r->out.cls));
	if (r->in.name)
		zcl_json_str(o, r->in.name);
	else
		fputs("null", o);
	fputs(",\"out_name\":", o);
	if (r->out.name)
		zcl_json_str(o, r->out.name);
	else
		fputs("null", o);
	const char *e = r->err_unnamed ? "unknown"
		: !r->deferred && r->ret < 0 && r->ret >= -4095 ? zcl_errno_name((int)-r->ret) : NULL;
	fputs(",\"error\":", o);
	if (e)
		zcl_json_str(o, e);
	else
		fputs("null", o);
	if (r->t_exit_ns > r->t_entry_ns)
		fprintf(o, ",\"time_us\":%.3f,", (double)(r->t_exit_ns - r->t_entry_ns) / 1e3);
	else
		fputs(",\"time_us\":null,", o);
}

static void json_step(struct zcl_timeline *tl, const struct zcl_sysrec *r,
		      const struct zcl_event *ev, size_t n)
{
	FILE *o = tl->out;
	fprintf(o, "{\"seq\":%" PRIu64 ",\"pid\":%d,\"syscall\":", r->seq, (int)r->pid);
	zcl_json_str(o, zcl_syscall_name(r->nr));
	fprintf(o, ",\"nr\":%ld,\"args\":[", r->nr);
	for (int i = 0; i < 6; i++)
		fprintf(o, "%s%" PRIu64, i ? "," : "", r->args[i]);
	fprintf(o, "],\"ret\":%" PRId64 ",\"in\":\"%s\",\"out\":\"%s\",\"in_bracket\":%s,"
		   "\"ret_from\":\"%s\",\"filled_bytes\":%" PRIu64 ",\"injected\":\"%s\",",
		r->ret, zcl_fdkind_name(r->in.kind), zcl_fdkind_name(r->out.kind),
		r->in_bracket ? "true" : "false",
		r->ret_unknown ? "unknown" : r->ret_ambiguous ? "run" : r->deferred ? "counters" : "exit",
		r->filled_bytes,
		r->injected == ZI_EINTR ? "eintr" : r->injected == ZI_SHORT ? "short" : "none");
	json_fds(o, r);
	fputs("\"events\":[", o);
	for (size_t i = 0; i < n; i++) {
		const struct zcl_event *e = &ev[i];
		fprintf(o, "%s{\"kind\":\"%s\",\"from\":", i ? "," : "", zcl_evkind_name(e->kind));
		zcl_json_str(o, zcl_place_name(e->from));
		fputs(",\"to\":", o);
		zcl_json_str(o, zcl_place_name(e->to));
		fprintf(o, ",\"bytes\":%" PRIu64 ",\"modelled\":%s,\"note\":", e->bytes,
			e->modelled ? "true" : "false");
		if (e->note)
			zcl_json_str(o, e->note);
		else
			fputs("null", o);
		fputc('}', o);
	}
	fputs("]}\n", o);
}

void zcl_timeline_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct zcl_timeline *tl = ctx;
	bool mark = n > 0 && ev[0].kind == ZE_MARK;
	if (tl->bracket_only && !r->in_bracket && !mark)
		return;
	zcl_account_step(&tl->totals, r, ev, n);
	if (tl->json)
		json_step(tl, r, ev, n);
	else
		text_step(tl, r, ev, n);
}

void zcl_print_totals(FILE *out, const struct zcl_totals *t, uint64_t delivered)
{
	double d = delivered ? (double)delivered : 1.0;
	char per[64] = "";
	if (delivered)
		snprintf(per, sizeof per, "  (%.2f per byte delivered)", (double)t->cpu.bytes / d);
	printf_wrapped(out, 17, "  syscalls       %" PRIu64 "  (mode switches: %" PRIu64 ", 2 per syscall)",
		       t->syscalls, t->mode_switches);
	printf_wrapped(out, 17, "  DMA copies     %" PRIu64 "  %" PRIu64 " bytes  (disk->page cache %" PRIu64
			     " measured; ->NIC %" PRIu64 " modelled)",
		       t->dma.count, t->dma.bytes, t->filled_bytes, t->nic_bytes);
	printf_wrapped(out, 17, "  CPU copies     %" PRIu64 "  %" PRIu64 " bytes%s", t->cpu.count, t->cpu.bytes, per);
	printf_wrapped(out, 17, "  by reference   %" PRIu64 "  %" PRIu64 " bytes  (page descriptors, no copy)",
		       t->ref.count, t->ref.bytes);
	if (t->uring_ops)
		printf_wrapped(out, 17, "  io_uring       %" PRIu64 " operations decoded from the rings, in %u "
				     "io_uring_enter calls (no mode switches of their own)",
			       t->uring_ops, t->by_nr[SYS_io_uring_enter]);
	if (t->zc_sends)
		printf_wrapped(out, 17, "  zerocopy       %" PRIu64 " sends pinned %" PRIu64 " bytes; completions "
				     "reaped for %" PRIu64 "; copied after all %" PRIu64 " bytes (measured)",
			       t->zc_sends, t->zc_bytes, t->zc_completed, t->zc_copied_bytes);
}

static void syscall_list_text(FILE *out, const struct zcl_totals *t)
{
	char line[4096] = "  calls         ";
	size_t w = strlen(line);
	for (long nr = 0; nr < ZCL_MAX_NR; nr++)
		if (t->by_nr[nr])
			add(line, sizeof line, &w, " %s%cx%u", zcl_syscall_name(nr), NOBREAK, t->by_nr[nr]);
	put_wrapped(out, zcl_out_width(out), 17, line);
}

void zcl_print_run_text(FILE *out, const struct zcl_run *r)
{
	const struct zcl_stage *s = r->stage;
	/* reason, violations, compiler and program output may quote the program: escaped */
	char reason[1024];
	zcl_escape_text(r->reason, reason, sizeof reason);
	printf_wrapped(out, 2, "stage %d %s (%s)%s: %s - %s", s->num, s->slug, s->title,
		       r->solution ? " [solution]" : "", zcl_verdict_name(r->verdict), reason);
	if (r->verdict == ZV_COMPILE_ERROR) {
		zcl_put_text(out, r->diag);
		return;
	}
	printf_wrapped(out, 17, "  input          %" PRIu64 " bytes%s, %s cache%s, %s NIC%s", r->size,
		r->file ? "" : " (generated)", r->warm ? "warm" : "cold",
		r->tmpfs ? " (on tmpfs: no disk, so no disk DMA)" : "",
		r->sg ? "scatter-gather" : "no scatter-gather",
		r->inject == ZI_SHORT ? ", short counts injected" : r->inject == ZI_EINTR ? ", EINTR injected" : "");
	fprintf(out, "  received       %" PRIu64 " of %" PRIu64 " bytes\n", r->received_bytes, r->expected_bytes);
	zcl_print_totals(out, &r->totals, r->expected_bytes);
	syscall_list_text(out, &r->totals);
	if (r->kernel.end.valid)
		printf_wrapped(out, 17, "  kernel         /proc/PID/io %s; scheduler context switches %" PRIu64
				   " voluntary, %" PRIu64 " involuntary\n"
			"                 (main thread, whole run, each ptrace stop included)",
			r->crosscheck_bad == 0 ? "agrees" : r->crosscheck_bad < 0 ? "not available" : "DISAGREES",
			r->kernel.end.vol_cs, r->kernel.end.invol_cs);
	if (r->crosscheck_bad > 0)
		fprintf(out, "%s", r->crosscheck);
	for (int i = 0; i < r->nviolations; i++) {
		char v[1024];
		zcl_escape_text(r->violations[i], v, sizeof v);
		printf_wrapped(out, 17, "  violation      %s", v);
	}
	if (r->sandbox[0])
		printf_wrapped(out, 17, "  sandbox        %s", r->sandbox);
	if (r->verdict != ZV_PASS && r->output[0]) {
		fputs("  program said   ", out);
		zcl_put_text(out, r->output);
		fputs(r->output[strlen(r->output) - 1] == '\n' ? "" : "\n", out);
	}
}

static void count_json(FILE *o, const char *name, const struct zcl_count *c, bool comma)
{
	fprintf(o, "\"%s\":{\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 "}%s", name, c->count, c->bytes,
		comma ? "," : "");
}

void zcl_print_run_json(FILE *o, const struct zcl_run *r)
{
	const struct zcl_totals *t = &r->totals;
	bool correct = r->received_bytes == r->expected_bytes && r->first_mismatch < 0 &&
		       r->verdict != ZV_COMPILE_ERROR;
	fprintf(o, "{\"stage\":%d,\"slug\":\"%s\",\"solution\":%s,\"passed\":%s,\"verdict\":\"%s\",\"reason\":",
		r->stage->num, r->stage->slug, r->solution ? "true" : "false",
		r->verdict == ZV_PASS ? "true" : "false", zcl_verdict_name(r->verdict));
	zcl_put_json(o, r->reason);
	fprintf(o, ",\"correct\":%s,\"expected_bytes\":%" PRIu64 ",\"received_bytes\":%" PRIu64
		   ",\"first_mismatch\":",
		correct ? "true" : "false", r->expected_bytes, r->received_bytes);
	if (r->first_mismatch >= 0)
		fprintf(o, "%" PRId64, r->first_mismatch);
	else
		fputs("null", o);
	fprintf(o, ",\"input\":{\"size\":%" PRIu64 ",\"seed\":%" PRIu64 ",\"file\":", r->size, r->seed);
	if (r->file)
		zcl_json_str(o, r->file);
	else
		fputs("null", o);
	fprintf(o, ",\"tmpfs\":%s,\"header_bytes\":%zu},\"syscalls\":{", r->tmpfs ? "true" : "false",
		r->header_len);
	bool first = true;
	for (long nr = 0; nr < ZCL_MAX_NR; nr++)
		if (t->by_nr[nr]) {
			fprintf(o, "%s\"%s\":%u", first ? "" : ",", zcl_syscall_name(nr), t->by_nr[nr]);
			first = false;
		}
	fprintf(o, "},\"syscall_count\":%" PRIu64 ",\"mode_switches\":%" PRIu64 ",\"copies\":{", t->syscalls,
		t->mode_switches);
	count_json(o, "dma", &t->dma, true);
	count_json(o, "cpu", &t->cpu, true);
	count_json(o, "ref", &t->ref, false);
	fprintf(o, "},\"page_cache_filled_bytes\":%" PRIu64 ",\"nic_bytes_modelled\":%" PRIu64
		   ",\"sg\":%s,\"cache\":\"%s\",\"inject\":\"%s\",\"violations\":[",
		t->filled_bytes, t->nic_bytes, r->sg ? "true" : "false", r->warm ? "warm" : "cold",
		r->inject == ZI_SHORT ? "short" : r->inject == ZI_EINTR ? "eintr" : "none");
	for (int i = 0; i < r->nviolations; i++) {
		if (i)
			fputc(',', o);
		zcl_put_json(o, r->violations[i]);
	}
	const struct zcl_procio *b = &r->kernel.begin, *e = &r->kernel.end;
	fprintf(o, "],\"kernel\":{\"available\":%s", r->crosscheck_bad >= 0 ? "true" : "false");
	if (r->crosscheck_bad >= 0)
		fprintf(o, ",\"rchar\":%" PRIu64 ",\"wchar\":%" PRIu64 ",\"syscr\":%" PRIu64 ",\"syscw\":%" PRIu64,
			e->rchar - b->rchar, e->wchar - b->wchar, e->syscr - b->syscr, e->syscw - b->syscw);
	fprintf(o, ",\"agrees\":%s,\"disagreements\":", r->crosscheck_bad == 0 ? "true" : "false");
	zcl_json_str(o, r->crosscheck);
	fprintf(o, ",\"voluntary_context_switches\":%" PRIu64 ",\"involuntary_context_switches\":%" PRIu64 "}",
		e->vol_cs, e->invol_cs);
	fprintf(o, ",\"exit\":{\"code\":%d,\"signal\":%d,\"timed_out\":%s},\"injected\":%" PRIu64
		   ",\"compiler_output\":",
		r->tr.exit_code, r->tr.term_signal, r->tr.timed_out ? "true" : "false", t->injected);
	zcl_put_json(o, r->diag ? r->diag : "");
	fputs(",\"program_output\":", o);
	zcl_put_json(o, r->output);
	fputs(",\"sandbox\":", o);
	zcl_json_str(o, r->sandbox);
	fputs("}\n", o);
}
