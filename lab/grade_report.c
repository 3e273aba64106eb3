/*
 * grade_report.c - a grading in the formats classes use.
 *
 *   text        a table, then "Points X/Y"
 *   json        the lab's own schema (README.md)
 *   gradescope  results.json: score, execution_time, output, tests[]; each
 *               test's visibility from ZCL_GS_VISIBILITY (default visible)
 *   junit       XML testsuites, one suite per stage, totals on every level
 *               and a failure's explanation in its body (Jenkins' xUnit
 *               schema, GitLab, CircleCI; tests/junit.xsd checks it)
 *   autolab     the text table, then the last line {"scores": ..., "scoreboard": [...]}
 *               with every stage of the lab in it, 0 for one not graded
 *   classroom   what education/autograding-grading-reporter reads from a
 *               runner (base64 of it in RUNNER_RESULTS): version, status,
 *               max_score, tests[] with name, status, score, message, line_no
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "grader.h"
#include "report.h"
#include "stages.h"

static const char *status_name(enum zcl_tstatus s)
{
	return s == ZT_PASSED ? "passed" : s == ZT_SKIPPED ? "skipped" : "failed";
}

int zcl_grade_format_parse(const char *name)
{
	static const char *const names[] = {
		[ZG_TEXT] = "text", [ZG_JSON] = "json", [ZG_GRADESCOPE] = "gradescope",
		[ZG_JUNIT] = "junit", [ZG_AUTOLAB] = "autolab", [ZG_CLASSROOM] = "classroom",
	};
	for (int i = 0; i < ZG_NFORMATS; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

static void text(FILE *o, const struct zcl_grade *g)
{
	fprintf(o, "zcl grade: %s, seed %" PRIu64 "\n", g->solution ? "reference solutions" : "exercises", g->seed);
	if (g->internal_error[0]) {
		fputs("INTERNAL ERROR (not the submission's fault): ", o);
		zcl_put_text(o, g->internal_error);
		fputc('\n', o);
	}
	for (int i = 0; i < g->nstages; i++) {
		const struct zcl_stage_result *sr = &g->stages[i];
		fprintf(o, "\nstage %d %s: %g/%g\n", sr->stage->num, sr->stage->slug, sr->score, sr->max_score);
		for (int k = 0; k < sr->ntests; k++) {
			const struct zcl_test_result *t = &sr->tests[k];
			fprintf(o, "  %-7s %4g/%-3g %s\n", status_name(t->status), t->score, t->max_score,
				t->name + strcspn(t->name, ":") + 2);
			/* indent the output under its test (a passed test: its
			 * notes); what the program printed is in it: escaped */
			static char line[sizeof t->output];
			for (const char *p = t->output; *p;) {
				size_t n = strcspn(p, "\n");
				if (t->status != ZT_PASSED || strncmp(p, "note: ", 6) == 0) {
					snprintf(line, sizeof line, "%.*s", (int)n, p);
					fputs("            ", o);
					zcl_put_text(o, line);
					fputc('\n', o);
				}
				p += n + (p[n] == '\n');
			}
		}
	}
	fprintf(o, "\nPoints %g/%g\n", g->score, g->max_score);
}

static void json(FILE *o, const struct zcl_grade *g)
{
	fprintf(o, "{\"seed\":%" PRIu64 ",\"solution\":%s,\"score\":%g,\"max_score\":%g,\"passed\":%s,"
		   "\"internal_error\":",
		g->seed, g->solution ? "true" : "false", g->score, g->max_score,
		zcl_grade_all_passed(g) ? "true" : "false");
	if (g->internal_error[0])
		zcl_put_json(o, g->internal_error);
	else
		fputs("null", o);
	fputs(",\"stages\":[", o);
	for (int i = 0; i < g->nstages; i++) {
		const struct zcl_stage_result *sr = &g->stages[i];
		fprintf(o, "%s{\"stage\":%d,\"slug\":\"%s\",\"score\":%g,\"max_score\":%g,\"tests\":[", i ? "," : "",
			sr->stage->num, sr->stage->slug, sr->score, sr->max_score);
		for (int k = 0; k < sr->ntests; k++) {
			const struct zcl_test_result *t = &sr->tests[k];
			fprintf(o, "%s{\"name\":", k ? "," : "");
			zcl_json_str(o, t->name);
			fprintf(o, ",\"score\":%g,\"max_score\":%g,\"status\":\"%s\",\"output\":", t->score,
				t->max_score, status_name(t->status));
			zcl_put_json(o, t->output);
			fprintf(o, ",\"seconds\":%.3f}", t->seconds);
		}
		fputs("]}", o);
	}
	fprintf(o, "],\"execution_time\":%.3f}\n", g->seconds);
}

/* Gradescope's visibility of every test: ZCL_GS_VISIBILITY if it is one
 * Gradescope knows (hidden, after_due_date, after_published, visible),
 * else "visible". */
static const char *gs_visibility(void)
{
	static const char *const known[] = {"visible", "hidden", "after_due_date", "after_published"};
	const char *v = getenv("ZCL_GS_VISIBILITY");
	for (size_t i = 0; v && i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(v, known[i]))
			return known[i];
	return "visible";
}

static void gradescope(FILE *o, const struct zcl_grade *g)
{
	const char *visibility = gs_visibility();
	char summary[768];
	snprintf(summary, sizeof summary, "Zero-Copy Lab: %g/%g points (seed %" PRIu64 ").%s%s", g->score,
		 g->max_score, g->seed, g->internal_error[0] ? " INTERNAL ERROR of the grader, not your fault: " : "",
		 g->internal_error);
	/* "text": Gradescope shows every output as plain text, never as HTML
	 * or Markdown a program could have printed */
	fprintf(o, "{\"score\":%g,\"execution_time\":%.0f,\"output_format\":\"text\","
		   "\"test_output_format\":\"text\",\"output\":", g->score, g->seconds + 0.5);
	zcl_put_json(o, summary);
	fputs(",\"tests\":[", o);
	bool first = true;
	for (int i = 0; i < g->nstages; i++)
		for (int k = 0; k < g->stages[i].ntests; k++) {
			const struct zcl_test_result *t = &g->stages[i].tests[k];
			fprintf(o, "%s{\"name\":", first ? "" : ",");
			first = false;
			zcl_json_str(o, t->name);
			/* Gradescope knows passed and failed; a skipped test failed to earn its points */
			fprintf(o, ",\"score\":%g,\"max_score\":%g,\"status\":\"%s\",\"output\":", t->score,
				t->max_score, t->status == ZT_PASSED ? "passed" : "failed");
			zcl_put_json(o, t->output);
			fprintf(o, ",\"visibility\":\"%s\"}", visibility);
		}
	fputs("]}\n", o);
}

/* Counts of one stage's tests, for JUnit's attributes. */
struct tally {
	int tests, failures, errors, skipped;
	double seconds;
};

static struct tally tally_stage(const struct zcl_stage_result *sr)
{
	struct tally t = {.tests = sr->ntests};
	for (int k = 0; k < sr->ntests; k++) {
		t.failures += sr->tests[k].status == ZT_FAILED;
		t.skipped += sr->tests[k].status == ZT_SKIPPED;
		t.seconds += sr->tests[k].seconds;
	}
	return t;
}

/* Text as an element's body: escaped, its line breaks kept as such. */
static void xml_body(FILE *o, const char *s)
{
	static char line[2048];
	while (*s) {
		size_t n = strcspn(s, "\n");
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
		zcl_put_xml(o, line);
		fputc('\n', o);
		s += n + (s[n] == '\n');
	}
}

/* <failure message="first line" type="...">the whole explanation</failure> */
static void xml_problem(FILE *o, const char *tag, const char *type, const char *text)
{
	char first[256];
	snprintf(first, sizeof first, "%.*s", (int)strcspn(text, "\n"), text);
	fprintf(o, "\n      <%s message=\"", tag);
	zcl_put_xml(o, first);
	fprintf(o, "\" type=\"%s\">", type);
	xml_body(o, text);
	fprintf(o, "</%s>\n    ", tag);
}

static void junit_case(FILE *o, const struct zcl_stage_result *sr, const struct zcl_test_result *t)
{
	fputs("    <testcase name=\"", o);
	zcl_put_xml(o, t->name);
	fprintf(o, "\" classname=\"zcl.%s\" time=\"%.3f\">", sr->stage->slug, t->seconds);
	const char *text = t->output[0] ? t->output : "failed";
	if (t->status == ZT_FAILED)
		xml_problem(o, "failure", "failed", text);
	else if (t->status == ZT_SKIPPED)
		xml_problem(o, "skipped", "skipped", text);
	else if (t->output[0]) {
		fputs("\n      <system-out>", o);
		xml_body(o, t->output);
		fputs("</system-out>\n    ", o);
	}
	fputs("</testcase>\n", o);
}

static void junit(FILE *o, const struct zcl_grade *g)
{
	struct tally all = {.errors = g->internal_error[0] != 0};
	all.tests = all.errors;
	for (int i = 0; i < g->nstages; i++) {
		struct tally t = tally_stage(&g->stages[i]);
		all.tests += t.tests, all.failures += t.failures, all.skipped += t.skipped;
	}
	fprintf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"zcl grade\" tests=\"%d\" "
		   "failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
		all.tests, all.failures, all.errors, all.skipped, g->seconds);
	if (g->internal_error[0]) {
		fputs("  <testsuite name=\"grader\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n"
		      "    <testcase name=\"internal error\" classname=\"zcl.grader\" time=\"0.000\">", o);
		xml_problem(o, "error", "internal", g->internal_error);
		fputs("</testcase>\n  </testsuite>\n", o);
	}
	for (int i = 0; i < g->nstages; i++) {
		const struct zcl_stage_result *sr = &g->stages[i];
		struct tally t = tally_stage(sr);
		fprintf(o, "  <testsuite name=\"stage %d %s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" "
			   "time=\"%.3f\">\n", sr->stage->num, sr->stage->slug, t.tests, t.failures, t.skipped, t.seconds);
		for (int k = 0; k < sr->ntests; k++)
			junit_case(o, sr, &sr->tests[k]);
		fputs("  </testsuite>\n", o);
	}
	fputs("</testsuites>\n", o);
}

/* Every stage of the lab, graded or not: Autolab wants a score for each
 * problem and the whole scoreboard, even when the grader failed. */
static void autolab(FILE *o, const struct zcl_grade *g)
{
	text(o, g);
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	double *score = calloc(n ? n : 1, sizeof *score), total = 0;
	for (size_t i = 0; i < n && score; i++)
		for (int k = 0; k < g->nstages; k++)
			if (g->stages[k].stage == &st[i])
				score[i] = g->stages[k].score;
	fputs("{\"scores\": {", o);
	for (size_t i = 0; i < n; i++) {
		fprintf(o, "%s\"%02d-%s\": %g", i ? ", " : "", st[i].num, st[i].slug, score ? score[i] : 0);
		total += score ? score[i] : 0;
	}
	fputs("}, \"scoreboard\": [", o);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%g, ", score ? score[i] : 0);
	fprintf(o, "%g]}\n", total);
	free(score);
}

/* One runner's results for GitHub Classroom's reporter. It adds up the
 * tests' scores against max_score (the grade it sends to Classroom). */
static void classroom(FILE *o, const struct zcl_grade *g)
{
	const char *status = g->internal_error[0] ? "error" : zcl_grade_all_passed(g) ? "pass" : "fail";
	fprintf(o, "{\"version\":1,\"status\":\"%s\",\"max_score\":%g,\"tests\":[", status, g->max_score);
	bool first = true;
	if (g->internal_error[0]) {
		fputs("{\"name\":\"internal error of the grader\",\"status\":\"fail\",\"score\":0,\"message\":", o);
		zcl_put_json(o, g->internal_error);
		fputs(",\"line_no\":0}", o);
		first = false;
	}
	for (int i = 0; i < g->nstages; i++)
		for (int k = 0; k < g->stages[i].ntests; k++) {
			const struct zcl_test_result *t = &g->stages[i].tests[k];
			fprintf(o, "%s{\"name\":", first ? "" : ",");
			first = false;
			zcl_json_str(o, t->name);
			fprintf(o, ",\"status\":\"%s\",\"score\":%g,\"message\":", t->status == ZT_PASSED ? "pass" : "fail",
				t->score);
			zcl_put_json(o, t->output);
			fputs(",\"line_no\":0}", o);
		}
	fputs("]}\n", o);
}

void zcl_grade_write(FILE *o, const struct zcl_grade *g, enum zcl_grade_format f)
{
	switch (f) {
	case ZG_TEXT: text(o, g); break;
	case ZG_JSON: json(o, g); break;
	case ZG_GRADESCOPE: gradescope(o, g); break;
	case ZG_JUNIT: junit(o, g); break;
	case ZG_AUTOLAB: autolab(o, g); break;
	case ZG_CLASSROOM: classroom(o, g); break;
	case ZG_NFORMATS: break;
	}
}
