/*
 * class_report.c - a class's results, as a CSV and as one HTML page.
 *
 * Input: each student's `zcl grade --format json` result, read back with
 * json-c (Debian's libjson-c: a reader we did not have to write). Output:
 *   grades.csv   student, one column per stage, total, max, status, the
 *                verdicts that cost points (RFC 4180 quoting; a field that
 *                a spreadsheet would run as a formula gets a leading ')
 *   report.html  one file, no scripts or links out: the class's score
 *                distribution per stage, the most common verdicts and
 *                failing tests, then every student's tests in a <details>
 *                that the summary table links to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "class_report.h"
#include "runner.h"
#include "stages.h"

#define TOP 10 /* rows in the "most common" tables */

/* One student's result as the reports need it. */
struct row {
	const struct zcl_student *s;
	json_object *res;   /* the parsed result, or NULL */
	double score, max;
	const char *why;    /* no result: why; or the grader's internal error */
};

/* A tally of strings (verdicts, test names), grown as needed. */
struct tally { char **key; int *count; size_t n, cap; };

void zcl_student_free(struct zcl_student *s)
{
	free(s->name), free(s->path), free(s->file);
	s->name = s->path = s->file = NULL;
}

void zcl_class_key_put(const char *path, const char *key)
{
	FILE *f = key ? fopen(path, "we") : NULL;
	bool ok = f && fprintf(f, "%s\n", key) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		unlink(path);
}

bool zcl_class_result_ok(const char *path)
{
	json_object *j = json_object_from_file(path);
	bool ok = j && json_object_is_type(j, json_type_object) &&
		  json_object_object_get_ex(j, "stages", NULL);
	json_object_put(j);
	return ok;
}

void zcl_class_progress(const struct zcl_student *v, int n, int done)
{
	static int shown = -1;
	(void)v;
	if (done == shown)
		return;
	shown = done;
	if (isatty(2)) {
		int w = 30, k = n ? done * w / n : w;
		fprintf(stderr, "\r[%.*s%*s] %d/%d graded", k, "##############################", w - k, "", done, n);
		if (done == n)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "zcl: %d/%d graded\n", done, n);
	}
}

static void tally_add(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->key[i], key) == 0) {
			t->count[i]++;
			return;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->key = realloc(t->key, t->cap * sizeof *t->key);
		t->count = realloc(t->count, t->cap * sizeof *t->count);
		if (!t->key || !t->count)
			abort(); /* out of memory while reporting: nothing sensible to do */
	}
	t->key[t->n] = strdup(key);
	t->count[t->n++] = 1;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->key[i]);
	free(t->key), free(t->count);
}

/* Index of the k-th largest count not yet taken (taken[] marks), or -1. */
static int tally_next(const struct tally *t, char *taken)
{
	int best = -1;
	for (size_t i = 0; i < t->n; i++)
		if (!taken[i] && (best < 0 || t->count[i] > t->count[best]))
			best = (int)i;
	if (best >= 0)
		taken[best] = 1;
	return best;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : "";
}

static double jnum(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

static json_object *jarr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

/* The stage result for stage number num in a student's result, or NULL. */
static json_object *stage_of(json_object *res, int num)
{
	json_object *a = res ? jarr(res, "stages") : NULL;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		if ((int)jnum(s, "stage") == num)
			return s;
	}
	return NULL;
}

/* The verdict of a failed test, from its output ("rule: ..." -> "rule"):
 * the first word when it names a verdict; "compile-error" for the
 * compiler's report ("the compiler rejected the file: ..."); "no-point"
 * for a run that passed but earns nothing alone (the empty file, before
 * the test it depends on passes); "failed" otherwise. Never a stray word
 * of a sentence. Can't fail; buf gets at most len - 1 bytes. */
static void verdict_word(const char *output, char *buf, size_t len)
{
	size_t k = strcspn(output, ": \n");
	const char *name;
	/* every verdict but pass, up to the end of the table ("?") */
	for (int v = ZV_NOT_IMPLEMENTED; strcmp(name = zcl_verdict_name((enum zcl_verdict)v), "?") != 0; v++) {
		if (strlen(name) == k && strncmp(output, name, k) == 0 && output[k] == ':') {
			snprintf(buf, len, "%s", name);
			return;
		}
	}
	if (strncmp(output, "the compiler", 12) == 0)
		snprintf(buf, len, "%s", zcl_verdict_name(ZV_COMPILE_ERROR));
	else if (strstr(output, "\nno point:"))
		snprintf(buf, len, "no-point");
	else
		snprintf(buf, len, "failed");
}

/* Every failed test of a result, in order: f(test, ctx). */
static void each_failure(json_object *res, void (*f)(json_object *, void *), void *ctx)
{
	json_object *a = res ? jarr(res, "stages") : NULL;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *tests = jarr(json_object_array_get_idx(a, i), "tests");
		for (size_t k = 0; tests && k < json_object_array_length(tests); k++) {
			json_object *t = json_object_array_get_idx(tests, k);
			if (strcmp(jstr(t, "status"), "failed") == 0)
				f(t, ctx);
		}
	}
}

static void load(struct row *r, const struct zcl_student *s, const char *students)
{
	memset(r, 0, sizeof *r);
	r->s = s;
	if (s->error[0]) {
		r->why = s->error;
		return;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.json", students, s->file);
	r->res = json_object_from_file(path);
	if (!r->res) {
		r->why = "no result file";
		return;
	}
	r->score = jnum(r->res, "score");
	r->max = jnum(r->res, "max_score");
	json_object *ie;
	if (json_object_object_get_ex(r->res, "internal_error", &ie) && json_object_is_type(ie, json_type_string))
		r->why = json_object_get_string(ie);
}

/* ---- CSV ---- */

static void csv_field(FILE *o, const char *s)
{
	bool formula = strchr("=+-@\t\r", s[0]) && s[0];
	fputc('"', o);
	if (formula)
		fputc('\'', o);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', o);
		fputc(*s, o);
	}
	fputc('"', o);
}

/* "1 readwrite: not-implemented; 3 sendfile: rule, crash": per stage, the
 * distinct verdicts of its failed tests. */
static void csv_verdicts(FILE *o, json_object *res)
{
	json_object *a = res ? jarr(res, "stages") : NULL;
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *sj = json_object_array_get_idx(a, i), *tests = jarr(sj, "tests");
		struct tally t = {0};
		for (size_t k = 0; tests && k < json_object_array_length(tests); k++) {
			json_object *tj = json_object_array_get_idx(tests, k);
			char w[64];
			if (strcmp(jstr(tj, "status"), "failed") != 0)
				continue;
			verdict_word(jstr(tj, "output"), w, sizeof w);
			tally_add(&t, w);
		}
		if (t.n)
			fprintf(o, "%s%d %s:", ftell(o) ? "; " : "", (int)jnum(sj, "stage"), jstr(sj, "slug"));
		for (size_t k = 0; k < t.n; k++)
			fprintf(o, "%s %s", k ? "," : "", t.key[k]);
		tally_free(&t);
	}
}

static void write_csv(FILE *o, const struct row *rows, int n)
{
	size_t ns;
	const struct zcl_stage *st = zcl_stages(&ns);
	fputs("student", o);
	for (size_t i = 0; i < ns; i++)
		fprintf(o, ",%02d-%s", st[i].num, st[i].slug);
	fputs(",total,max,status,lost points on\n", o);
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		csv_field(o, r->s->name);
		for (size_t k = 0; k < ns; k++) {
			json_object *sj = stage_of(r->res, st[k].num);
			if (sj)
				fprintf(o, ",%g", jnum(sj, "score"));
			else
				fputs(",", o);
		}
		fprintf(o, ",%g,%g,", r->score, r->max);
		csv_field(o, r->res && !r->why ? "graded" : r->why ? r->why : "not graded");
		fputc(',', o);
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (m) {
			csv_verdicts(m, r->res);
			fclose(m);
			csv_field(o, buf ? buf : "");
			free(buf);
		}
		fputc('\n', o);
	}
}

/* ---- HTML ---- */

/* Text into HTML: markup characters as entities, control characters
 * (but newline and tab) as U+FFFD. */
static void html(FILE *o, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				fputs("&#xfffd;", o);
			else
				fputc(c, o);
		}
	}
}

static const char css[] =
	"body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
	".bar{background:#4a7;height:.9em;display:inline-block}.bad{color:#b22}"
	"pre{white-space:pre-wrap;margin:0;font-size:.9em}details{margin:.3em 0}";

static void html_distribution(FILE *o, const struct row *rows, int n)
{
	size_t ns;
	const struct zcl_stage *st = zcl_stages(&ns);
	fputs("<h2>Scores per stage</h2>\n<table><tr><th>stage</th><th>mean</th><th>full marks</th>"
	      "<th>zero</th><th>distribution (0 &#8594; max, five bands)</th></tr>\n", o);
	for (size_t k = 0; k < ns; k++) {
		int bands[5] = {0}, full = 0, zero = 0, graded = 0;
		double sum = 0, max = 0;
		for (int i = 0; i < n; i++) {
			json_object *sj = stage_of(rows[i].res, st[k].num);
			if (!sj)
				continue;
			double sc = jnum(sj, "score"), mx = jnum(sj, "max_score");
			graded++, sum += sc, max = mx;
			full += mx > 0 && sc >= mx;
			zero += sc <= 0;
			int b = mx > 0 ? (int)(5 * sc / mx) : 0;
			bands[b > 4 ? 4 : b]++;
		}
		if (!graded)
			continue;
		fprintf(o, "<tr><td>%02d-%s</td><td>%.1f / %g</td><td>%d</td><td>%d</td><td>", st[k].num, st[k].slug,
			sum / graded, max, full, zero);
		for (int b = 0; b < 5; b++)
			fprintf(o, "<span class=\"bar\" style=\"width:%dpx\"></span> %d ",
				2 * (bands[b] * 100 / graded) + 1, bands[b]);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
}

static void count_failure(json_object *t, void *ctx)
{
	struct tally *two = ctx;
	char w[64];
	verdict_word(jstr(t, "output"), w, sizeof w);
	tally_add(&two[0], w);
	tally_add(&two[1], jstr(t, "name"));
}

static void html_top(FILE *o, const char *title, const struct tally *t)
{
	fprintf(o, "<h2>%s</h2>\n<table><tr><th>how many</th><th>what</th></tr>\n", title);
	char *taken = calloc(t->n + 1, 1);
	for (int k = 0, i; taken && k < TOP && (i = tally_next(t, taken)) >= 0; k++) {
		fprintf(o, "<tr><td>%d</td><td>", t->count[i]);
		html(o, t->key[i]);
		fputs("</td></tr>\n", o);
	}
	free(taken);
	fputs("</table>\n", o);
}

static void html_student(FILE *o, const struct row *r, int idx)
{
	fprintf(o, "<details id=\"s%d\"><summary>", idx);
	html(o, r->s->name);
	fprintf(o, ": %g / %g%s</summary>\n", r->score, r->max, r->s->resumed ? " (kept from an earlier run)" : "");
	if (r->why) {
		fputs("<p class=\"bad\">", o);
		html(o, r->why);
		fputs("</p>\n", o);
	}
	json_object *a = r->res ? jarr(r->res, "stages") : NULL;
	fputs("<table><tr><th>test</th><th>points</th><th>status</th><th>what happened</th></tr>\n", o);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *tests = jarr(json_object_array_get_idx(a, i), "tests");
		for (size_t k = 0; tests && k < json_object_array_length(tests); k++) {
			json_object *t = json_object_array_get_idx(tests, k);
			const char *status = jstr(t, "status");
			fputs("<tr><td>", o);
			html(o, jstr(t, "name"));
			fprintf(o, "</td><td>%g / %g</td><td%s>", jnum(t, "score"), jnum(t, "max_score"),
				strcmp(status, "failed") == 0 ? " class=\"bad\"" : "");
			html(o, status);
			fputs("</td><td><pre>", o);
			html(o, jstr(t, "output"));
			fputs("</pre></td></tr>\n", o);
		}
	}
	fputs("</table></details>\n", o);
}

static void write_html(FILE *o, const struct row *rows, int n)
{
	size_t ns;
	const struct zcl_stage *st = zcl_stages(&ns);
	time_t now = time(NULL);
	char when[64];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
	fprintf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Zero-Copy Lab: class "
		   "report</title><style>%s</style></head><body>\n<h1>Zero-Copy Lab: class report</h1>\n"
		   "<p>%d students, graded %s.</p>\n", css, n, when);
	html_distribution(o, rows, n);
	struct tally two[2] = {{0}};
	for (int i = 0; i < n; i++)
		each_failure(rows[i].res, count_failure, two);
	html_top(o, "Verdicts that cost the most points", &two[0]);
	html_top(o, "Tests failed most often", &two[1]);
	tally_free(&two[0]), tally_free(&two[1]);
	fputs("<h2>Students</h2>\n<table><tr><th>student</th>", o);
	for (size_t k = 0; k < ns; k++)
		fprintf(o, "<th>%02d</th>", st[k].num);
	fputs("<th>total</th></tr>\n", o);
	for (int i = 0; i < n; i++) {
		fprintf(o, "<tr><td><a href=\"#s%d\">", i);
		html(o, rows[i].s->name);
		fputs("</a></td>", o);
		for (size_t k = 0; k < ns; k++) {
			json_object *sj = stage_of(rows[i].res, st[k].num);
			if (sj)
				fprintf(o, "<td>%g</td>", jnum(sj, "score"));
			else
				fputs("<td>-</td>", o);
		}
		fprintf(o, "<td%s>%g / %g</td></tr>\n", rows[i].why ? " class=\"bad\"" : "", rows[i].score, rows[i].max);
	}
	fputs("</table>\n<h2>Each student</h2>\n", o);
	for (int i = 0; i < n; i++)
		html_student(o, &rows[i], i);
	fputs("</body></html>\n", o);
}

/* Write dir/name through a temporary file and a rename. 0 or -1. */
static int write_atomic(const char *dir, const char *name, const struct row *rows, int n,
			void (*w)(FILE *, const struct row *, int))
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	FILE *o = fopen(tmp, "we");
	if (!o) {
		fprintf(stderr, "zcl: grade --class: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	w(o, rows, n);
	if (fclose(o) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "zcl: grade --class: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int zcl_class_report(const struct zcl_student *v, int n, const char *out, const char *students)
{
	struct row *rows = calloc((size_t)n, sizeof *rows);
	if (!rows)
		return 2;
	int missing = 0;
	for (int i = 0; i < n; i++) {
		load(&rows[i], &v[i], students);
		missing += !rows[i].res;
		printf("%-24s %6g / %-4g %s\n", v[i].file, rows[i].score, rows[i].max,
		       rows[i].res ? (v[i].resumed ? "(kept)" : "") : "NOT GRADED: see report.html");
	}
	int rc = write_atomic(out, "grades.csv", rows, n, write_csv) < 0 ||
			 write_atomic(out, "report.html", rows, n, write_html) < 0
		 ? 2 : missing ? 1 : 0;
	if (rc != 2)
		printf("class: %d students, %d without a result; %s/grades.csv, %s/report.html\n", n, missing, out, out);
	for (int i = 0; i < n; i++)
		json_object_put(rows[i].res);
	free(rows);
	return rc;
}
