/*
 * record.c - a run's event stream to a file and back (format: record.h).
 *
 * Writing is a sink: one S line per syscall record, one E line per event.
 * Reading checks the whole file before playing any of it (so a cut-short
 * file is an error before the animation starts, not halfway through),
 * then reads it again and feeds every step to the sinks. Strings in the
 * records (event notes, refusal reasons) are interned: the sinks may keep
 * the pointers, as they may keep the engine's static text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "record.h"

struct zcl_recorder {
	FILE *out;
	char *path;       /* where the recording goes once the run is whole */
	char *part;       /* where it is written until then */
	const struct zcl_run *run; /* for the receiver's live count */
};

/* Write s escaped (\\ \t \n \r), after "=", or "-" for NULL. */
static void put_str(FILE *f, const char *s)
{
	if (!s) {
		fputc('-', f);
		return;
	}
	fputc('=', f);
	for (; *s; s++) {
		static const char from[] = "\\\t\n\r", to[] = "\\tnr";
		const char *e = strchr(from, *s);
		if (e)
			fprintf(f, "\\%c", to[e - from]);
		else
			fputc(*s, f);
	}
}

static const char *machine(void)
{
	static struct utsname u;
	return uname(&u) == 0 ? u.machine : "unknown";
}

struct zcl_recorder *zcl_record_open(const char *path, const struct zcl_run *r, char *err, size_t errlen)
{
	struct zcl_recorder *rec = calloc(1, sizeof *rec);
	if (!rec || !(rec->path = strdup(path)) || asprintf(&rec->part, "%s.part", path) < 0 ||
	    !(rec->out = fopen(rec->part, "we"))) {
		snprintf(err, errlen, "--record: cannot write %s: %s", path, strerror(errno));
		if (rec) {
			free(rec->path);
			free(rec->part);
		}
		free(rec);
		return NULL;
	}
	rec->run = r;
	fprintf(rec->out, "%s %d\narch\t%s\nsetup\t%s\t%d\t%" PRIu64 "\t%" PRIu64 "\t%d\t%d\t%d\t", ZCL_RECORD_MAGIC,
		ZCL_RECORD_VERSION, machine(), r->stage->slug, r->solution, r->size, r->seed, r->warm, r->sg,
		(int)r->inject);
	put_str(rec->out, r->file);
	fputc('\n', rec->out);
	return rec;
}

/* A descriptor: kind, lab flags, tmpfs, class, O_NONBLOCK, route,
 * device SG, then its name and its network device as strings. */
static void put_fd(FILE *f, const struct zcl_fdinfo *d)
{
	fprintf(f, "\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t", (int)d->kind, d->lab_input, d->lab_socket, d->tmpfs,
		(int)d->cls, d->nonblock, (int)d->route, (int)d->dev_sg);
	put_str(f, d->name);
	fputc('\t', f);
	put_str(f, d->netdev);
}

void zcl_record_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n)
{
	struct zcl_recorder *rec = ctx;
	FILE *f = rec->out;
	uint64_t got = rec->run->received_live ? __atomic_load_n(rec->run->received_live, __ATOMIC_RELAXED) : 0;
	fprintf(f, "S\t%" PRIu64 "\t%d\t%d\t%ld", r->seq, (int)r->pid, (int)r->tgid, r->nr);
	for (int i = 0; i < 6; i++)
		fprintf(f, "\t%" PRIu64, r->args[i]);
	fprintf(f, "\t%" PRId64, r->ret);
	put_fd(f, &r->in);
	put_fd(f, &r->out);
	fprintf(f, "\t%" PRIu64 "\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%" PRIu64 "\t%zu\t%d\t%" PRIu64 "\t%" PRIu64 "\t",
		r->filled_bytes, r->src_in_filemap, r->msg_more, r->in_bracket, (int)r->injected, r->deny_errno,
		r->forged_marker, r->deferred, r->ret_unknown, got, n, r->err_unnamed, r->t_entry_ns, r->t_exit_ns);
	put_str(f, r->deny_why);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "E\t%d\t%d\t%d\t%" PRIu64 "\t%d\t", (int)ev[i].kind, (int)ev[i].from, (int)ev[i].to,
			ev[i].bytes, ev[i].modelled);
		put_str(f, ev[i].note);
		fputc('\n', f);
	}
}

static void put_line(FILE *f, const char *key, const char *s)
{
	fprintf(f, "%s\t", key);
	put_str(f, s);
	fputc('\n', f);
}

static void put_result(FILE *f, const struct zcl_run *r)
{
	const struct zcl_totals *t = &r->totals;
	fprintf(f, "verdict\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%zu\t%d\t%d\t%" PRIu64 "\t%" PRIu64 "\t%d\n",
		zcl_verdict_name(r->verdict), r->expected_bytes, r->received_bytes, r->first_mismatch,
		r->header_len, r->tmpfs, r->kernel.end.valid, r->kernel.end.vol_cs, r->kernel.end.invol_cs,
		r->crosscheck_bad);
	const struct zcl_procio *kb = &r->kernel.begin, *ke = &r->kernel.end;
	fprintf(f, "kernel\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\nexit\t%d\t%d\t%d\t%d\n",
		ke->rchar - kb->rchar, ke->wchar - kb->wchar, ke->syscr - kb->syscr, ke->syscw - kb->syscw,
		r->tr.exited, r->tr.exit_code, r->tr.term_signal, r->tr.timed_out);
	put_line(f, "reason", r->reason);
	put_line(f, "crosscheck", r->crosscheck);
	for (int i = 0; i < r->nviolations; i++)
		put_line(f, "violation", r->violations[i]);
	put_line(f, "output", r->output);
	put_line(f, "sandbox", r->sandbox);
	fprintf(f, "layers\t%u\n", r->layers);
	if (r->diag)
		put_line(f, "diag", r->diag);
	fprintf(f, "totals\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
		   "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\nend\n",
		t->syscalls, t->mode_switches, t->dma.count, t->dma.bytes, t->cpu.count, t->cpu.bytes, t->ref.count,
		t->ref.bytes, t->filled_bytes, t->delivered_bytes);
}

int zcl_record_close(struct zcl_recorder *rec, const struct zcl_run *r, char *err, size_t errlen)
{
	if (r)
		put_result(rec->out, r);
	bool bad = ferror(rec->out) != 0;
	int e = errno;
	if (fclose(rec->out) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad && r && rename(rec->part, rec->path) < 0) {
		bad = true;
		e = errno;
	}
	if (bad)
		snprintf(err, errlen, "--record: writing %s failed: %s", rec->path, strerror(e));
	if (bad || !r)
		unlink(rec->part); /* an earlier whole recording at path stays */
	free(rec->path);
	free(rec->part);
	free(rec);
	return bad ? -1 : 0;
}

/* ---- reading ---- */

/* Strings the sinks may keep (event notes, refusal reasons, the file name):
 * each distinct one stored once, until the next replay. */
static char **interned;
static size_t ninterned, cap_interned;

static void forget_strings(void)
{
	for (size_t i = 0; i < ninterned; i++)
		free(interned[i]);
	free(interned);
	interned = NULL;
	ninterned = cap_interned = 0;
}

static const char *intern(const char *s)
{
	for (size_t i = 0; i < ninterned; i++)
		if (strcmp(interned[i], s) == 0)
			return interned[i];
	if (ninterned == cap_interned) {
		size_t cap = cap_interned ? 2 * cap_interned : 16;
		char **grown = realloc(interned, cap * sizeof *grown);
		if (!grown)
			return NULL;
		interned = grown;
		cap_interned = cap;
	}
	char *copy = strdup(s);
	if (copy)
		interned[ninterned++] = copy;
	return copy;
}

#define MAX_FIELDS 64

struct reader {
	FILE *f;
	const char *path;
	char *line;
	size_t cap;
	long lineno;
	char *fld[MAX_FIELDS];
	int nf;
	bool bad;            /* a field did not parse */
	bool partial;        /* the last line read had no newline: the file was cut there */
	struct zcl_event *ev; /* one step's events (grown) */
	size_t evcap;
};

/* The next line, split at tabs. false at the end of the file. */
static bool next_line(struct reader *rd)
{
	ssize_t n = getline(&rd->line, &rd->cap, rd->f);
	if (n <= 0)
		return false;
	rd->lineno++;
	rd->partial = rd->line[n - 1] != '\n';
	if (rd->line[n - 1] == '\n')
		rd->line[n - 1] = 0;
	rd->nf = 0;
	for (char *p = rd->line; p && rd->nf < MAX_FIELDS; rd->nf++) {
		rd->fld[rd->nf] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = 0;
	}
	return true;
}

static uint64_t u64(struct reader *rd, int i)
{
	char *end;
	errno = 0;
	uint64_t v = i < rd->nf ? strtoull(rd->fld[i], &end, 10) : 0;
	if (i >= rd->nf || errno || end == rd->fld[i] || *end || rd->fld[i][0] == '-')
		rd->bad = true;
	return v;
}

static int64_t i64(struct reader *rd, int i)
{
	char *end;
	errno = 0;
	int64_t v = i < rd->nf ? strtoll(rd->fld[i], &end, 10) : 0;
	if (i >= rd->nf || errno || end == rd->fld[i] || *end)
		rd->bad = true;
	return v;
}

/* A recording may come from anyone ("look what my program did"): its
 * strings reach the terminal, so control characters other than newline and
 * tab, C1 controls (UTF-8 C2 80..9F) included, become '?'. In place. */
static void defang(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
	}
}

/* Field i as a string ("=text" unescaped in place, "-" NULL, made safe
 * for a terminal), interned. */
static const char *str(struct reader *rd, int i)
{
	if (i >= rd->nf || (rd->fld[i][0] != '=' && strcmp(rd->fld[i], "-") != 0)) {
		rd->bad = true;
		return NULL;
	}
	if (rd->fld[i][0] == '-')
		return NULL;
	char *s = rd->fld[i] + 1, *o = s;
	for (; *s; s++) {
		static const char from[] = "\\tnr", to[] = "\\\t\n\r";
		const char *e = s[0] == '\\' && s[1] ? strchr(from, s[1]) : NULL;
		*o++ = e ? to[e - from] : *s;
		s += e != NULL;
	}
	*o = 0;
	defang(rd->fld[i] + 1);
	const char *k = intern(rd->fld[i] + 1);
	rd->bad |= k == NULL;
	return k;
}

#define FD_FIELDS 10 /* fields put_fd writes */

static void get_fd(struct reader *rd, int i, struct zcl_fdinfo *d)
{
	d->kind = (enum zcl_fdkind)u64(rd, i);
	d->lab_input = u64(rd, i + 1);
	d->lab_socket = u64(rd, i + 2);
	d->tmpfs = u64(rd, i + 3);
	d->cls = (enum zcl_fdclass)u64(rd, i + 4);
	d->nonblock = u64(rd, i + 5);
	d->route = (enum zcl_route)u64(rd, i + 6);
	d->dev_sg = (signed char)i64(rd, i + 7);
	d->name = str(rd, i + 8);
	d->netdev = str(rd, i + 9);
}

/* An S line into r; *n its event count, *got the receiver's count. */
static void get_sysrec(struct reader *rd, struct zcl_sysrec *r, size_t *n, uint64_t *got)
{
	memset(r, 0, sizeof *r);
	r->seq = u64(rd, 1);
	r->pid = (pid_t)i64(rd, 2);
	r->tgid = (pid_t)i64(rd, 3);
	r->nr = (long)i64(rd, 4);
	for (int i = 0; i < 6; i++)
		r->args[i] = u64(rd, 5 + i);
	r->ret = i64(rd, 11);
	get_fd(rd, 12, &r->in);
	get_fd(rd, 12 + FD_FIELDS, &r->out);
	int k = 12 + 2 * FD_FIELDS;
	r->filled_bytes = u64(rd, k);
	r->src_in_filemap = u64(rd, k + 1);
	r->msg_more = u64(rd, k + 2);
	r->in_bracket = u64(rd, k + 3);
	r->injected = (enum zcl_inject)u64(rd, k + 4);
	r->deny_errno = (int)i64(rd, k + 5);
	r->forged_marker = u64(rd, k + 6);
	r->deferred = u64(rd, k + 7);
	r->ret_unknown = u64(rd, k + 8);
	*got = u64(rd, k + 9);
	*n = (size_t)u64(rd, k + 10);
	r->err_unnamed = u64(rd, k + 11);
	r->t_entry_ns = u64(rd, k + 12);
	r->t_exit_ns = u64(rd, k + 13);
	r->deny_why = str(rd, k + 14);
	r->watch = -1;
	rd->bad |= rd->nf != k + 15;
}

/* The n E lines after an S line into rd->ev. */
static bool get_events(struct reader *rd, size_t n)
{
	if (n > (1u << 20))
		return rd->bad = true, false;
	if (n > rd->evcap) {
		struct zcl_event *grown = realloc(rd->ev, n * sizeof *grown);
		if (!grown)
			return rd->bad = true, false;
		rd->ev = grown;
		rd->evcap = n;
	}
	for (size_t i = 0; i < n; i++) {
		if (!next_line(rd))
			return false;
		struct zcl_event *e = &rd->ev[i];
		rd->bad |= strcmp(rd->fld[0], "E") != 0 || rd->nf != 7;
		e->kind = (enum zcl_evkind)u64(rd, 1);
		e->from = (enum zcl_place)u64(rd, 2);
		e->to = (enum zcl_place)u64(rd, 3);
		e->bytes = u64(rd, 4);
		e->modelled = u64(rd, 5);
		e->note = str(rd, 6);
		rd->bad |= e->kind > ZE_OP || e->from >= ZP__COUNT || e->to >= ZP__COUNT;
		if (rd->bad)
			return true;
	}
	return true;
}

/* The magic, version, machine and setup lines. 0, or -1 with err. */
static int get_header(struct reader *rd, struct zcl_run *r, char *err, size_t errlen)
{
	int version = 0;
	if (!next_line(rd) || sscanf(rd->line, ZCL_RECORD_MAGIC " %d", &version) != 1) {
		snprintf(err, errlen, "%s: not a zcl recording (zcl run N --record FILE makes one)", rd->path);
		return -1;
	}
	if (version != ZCL_RECORD_VERSION) {
		snprintf(err, errlen, "%s: recording format version %d; this zcl reads version %d", rd->path, version,
			 ZCL_RECORD_VERSION);
		return -1;
	}
	if (!next_line(rd) || strcmp(rd->fld[0], "arch") != 0 || rd->nf != 2) {
		snprintf(err, errlen, "%s: line %ld: the machine line is missing", rd->path, rd->lineno);
		return -1;
	}
	if (strcmp(rd->fld[1], machine()) != 0) {
		snprintf(err, errlen, "%s: recorded on %.40s, this is %s: the syscall numbers differ", rd->path,
			 rd->fld[1], machine());
		return -1;
	}
	if (!next_line(rd) || strcmp(rd->fld[0], "setup") != 0 || rd->nf != 9) {
		snprintf(err, errlen, "%s: line %ld: the setup line is missing", rd->path, rd->lineno);
		return -1;
	}
	r->stage = zcl_stage_find(rd->fld[1]);
	if (!r->stage) {
		snprintf(err, errlen, "%s: stage '%.40s' is not in this lab", rd->path, rd->fld[1]);
		return -1;
	}
	r->solution = u64(rd, 2);
	r->size = u64(rd, 3);
	r->seed = u64(rd, 4);
	r->warm = u64(rd, 5);
	r->sg = u64(rd, 6);
	r->inject = (enum zcl_inject)u64(rd, 7);
	r->file = str(rd, 8);
	return 0;
}

/* One line of the result into r; false if it is not one. */
static bool get_result(struct reader *rd, struct zcl_run *r, struct zcl_totals *said)
{
	const char *k = rd->fld[0];
	if (strcmp(k, "verdict") == 0 && rd->nf == 11) {
		r->verdict = ZV_PASS;
		while (strcmp(zcl_verdict_name(r->verdict), rd->fld[1]) != 0 && strcmp(zcl_verdict_name(r->verdict), "?"))
			r->verdict++;
		rd->bad |= strcmp(zcl_verdict_name(r->verdict), "?") == 0;
		r->expected_bytes = u64(rd, 2);
		r->received_bytes = u64(rd, 3);
		r->first_mismatch = i64(rd, 4);
		r->header_len = (size_t)u64(rd, 5);
		r->tmpfs = u64(rd, 6);
		r->kernel.end.valid = u64(rd, 7);
		r->kernel.end.vol_cs = u64(rd, 8);
		r->kernel.end.invol_cs = u64(rd, 9);
		r->crosscheck_bad = (int)i64(rd, 10);
	} else if (strcmp(k, "kernel") == 0 && rd->nf == 5) { /* the span's I/O: begin stays 0 */
		r->kernel.end.rchar = u64(rd, 1);
		r->kernel.end.wchar = u64(rd, 2);
		r->kernel.end.syscr = u64(rd, 3);
		r->kernel.end.syscw = u64(rd, 4);
	} else if (strcmp(k, "exit") == 0 && rd->nf == 5) {
		r->tr.exited = u64(rd, 1);
		r->tr.exit_code = (int)i64(rd, 2);
		r->tr.term_signal = (int)i64(rd, 3);
		r->tr.timed_out = u64(rd, 4);
	} else if (strcmp(k, "totals") == 0 && rd->nf == 11) {
		uint64_t *f[] = {&said->syscalls, &said->mode_switches, &said->dma.count, &said->dma.bytes,
				 &said->cpu.count, &said->cpu.bytes, &said->ref.count, &said->ref.bytes,
				 &said->filled_bytes, &said->delivered_bytes};
		for (int i = 0; i < 10; i++)
			*f[i] = u64(rd, i + 1);
	} else if (rd->nf == 2 && !strcmp(k, "diag")) {
		const char *d = str(rd, 1);
		free(r->diag);
		r->diag = d ? strdup(d) : NULL;
	} else if (rd->nf == 2 && !strcmp(k, "layers")) {
		r->layers = (unsigned)u64(rd, 1);
	} else if (rd->nf == 2 && (!strcmp(k, "reason") || !strcmp(k, "crosscheck") || !strcmp(k, "output") ||
				   !strcmp(k, "sandbox"))) {
		const char *s = str(rd, 1);
		char *to = k[0] == 'r' ? r->reason : k[0] == 'c' ? r->crosscheck : k[0] == 'o' ? r->output : r->sandbox;
		size_t len = k[0] == 'r' ? sizeof r->reason : k[0] == 'c' ? sizeof r->crosscheck
				: k[0] == 'o' ? sizeof r->output : sizeof r->sandbox;
		snprintf(to, len, "%s", s ? s : "");
	} else if (rd->nf == 2 && !strcmp(k, "violation") && r->nviolations < ZCL_MAX_VIOLATIONS) {
		const char *s = str(rd, 1);
		snprintf(r->violations[r->nviolations++], sizeof r->violations[0], "%s", s ? s : "");
	} else {
		return false;
	}
	return true;
}

/* Do the steps add up to the totals the live run reported? */
static bool adds_up(const struct zcl_totals *t, const struct zcl_totals *said)
{
	return t->syscalls == said->syscalls && t->mode_switches == said->mode_switches &&
	       t->dma.count == said->dma.count && t->dma.bytes == said->dma.bytes &&
	       t->cpu.count == said->cpu.count && t->cpu.bytes == said->cpu.bytes &&
	       t->ref.count == said->ref.count && t->ref.bytes == said->ref.bytes &&
	       t->filled_bytes == said->filled_bytes && t->delivered_bytes == said->delivered_bytes;
}

/* One pass over the file: check it (sinks NULL), or play it. */
static int pass(struct reader *rd, const struct zcl_sink *sinks, size_t n, struct zcl_run *r, uint64_t *got,
		char *err, size_t errlen)
{
	if (get_header(rd, r, err, errlen) < 0)
		return -1;
	struct zcl_totals said;
	zcl_account_init(&said);
	if (!sinks)
		zcl_account_init(&r->totals);
	bool end = false;
	while (!rd->bad && !end && next_line(rd)) {
		if (strcmp(rd->fld[0], "S") == 0) {
			struct zcl_sysrec rec;
			size_t nev;
			get_sysrec(rd, &rec, &nev, got);
			if (rd->bad || !get_events(rd, nev))
				break;
			if (!sinks)
				zcl_account_step(&r->totals, &rec, rd->ev, nev);
			for (size_t i = 0; i < n; i++)
				if (sinks[i].entry)
					sinks[i].entry(sinks[i].ctx, &rec);
			for (size_t i = 0; i < n; i++)
				sinks[i].step(sinks[i].ctx, &rec, rd->ev, nev);
		} else if (strcmp(rd->fld[0], "end") == 0 && rd->nf == 1) {
			end = true;
		} else if (!get_result(rd, r, &said)) {
			rd->bad = true;
		}
	}
	if (rd->bad && rd->partial) {
		snprintf(err, errlen, "%s: cut short in line %ld: the recording is incomplete", rd->path, rd->lineno);
		return -1;
	}
	if (rd->bad) {
		snprintf(err, errlen, "%s: line %ld: not a line of a zcl recording (damaged?)", rd->path, rd->lineno);
		return -1;
	}
	if (!end) {
		snprintf(err, errlen, "%s: cut short after line %ld (no end line): the recording is incomplete",
			 rd->path, rd->lineno);
		return -1;
	}
	if (!sinks && !adds_up(&r->totals, &said)) {
		snprintf(err, errlen, "%s: damaged: its steps add up to %" PRIu64 " syscalls and %" PRIu64
			 " CPU bytes, its totals say %" PRIu64 " and %" PRIu64, rd->path, r->totals.syscalls,
			 r->totals.cpu.bytes, said.syscalls, said.cpu.bytes);
		return -1;
	}
	return 0;
}

int zcl_record_replay(const char *path, const struct zcl_sink *sinks, size_t n, struct zcl_run *r,
		      char *err, size_t errlen)
{
	forget_strings();
	struct reader rd = {.path = path};
	static uint64_t received; /* the receiver's count, as the sinks read it during the run */
	struct zcl_totals totals;
	memset(r, 0, sizeof *r);
	int rc = -1;
	if (!(rd.f = fopen(path, "re"))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (pass(&rd, NULL, 0, r, &received, err, errlen) < 0)
		goto out;
	totals = r->totals;
	rewind(rd.f);
	rd.lineno = 0;
	received = 0;
	r->received_live = &received;
	free(r->diag); /* read again below */
	r->diag = NULL;
	r->nviolations = 0;
	rc = pass(&rd, sinks, n, r, &received, err, errlen);
	r->received_live = NULL;
	r->totals = totals;
out:
	if (rd.f)
		fclose(rd.f);
	free(rd.line);
	free(rd.ev);
	return rc;
}
