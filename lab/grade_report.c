/*
 * grade_report.c - a grading in the formats classes use.
 *
 *   text        a table, then "Points X/Y"
 *   json        the lab's own schema (README.md)
 *   gradescope  results.json: score, execution_time, output, tests[]
 *   junit       XML testsuites, one suite per stage
 *   autolab     the text table, then the last line {"scores": ..., "scoreboard": [...]}
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "grader.h"
#include "report.h"

static const char *status_name(enum zcl_tstatus s)
{
	return s == ZT_PASSED ? "passed" : s == ZT_SKIPPED ? "skipped" : "failed";
}

int zcl_grade_format_parse(const char *name)
{
	static const char *const names[] = {
		[ZG_TEXT] = "text", [ZG_JSON] = "json", [ZG_GRADESCOPE] = "gradescope",
		[ZG_JUNIT] = "junit", [ZG_AUTOLAB] = "autolab",
	};
	for (int i = 0; i <= ZG_AUTOLAB; i++)
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

static void gradescope(FILE *o, const struct zcl_grade *g)
{
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
			fputs(",\"visibility\":\"visible\"}", o);
		}
	fputs("]}\n", o);
}

static void junit(FILE *o, const struct zcl_grade *g)
{
	fprintf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"zcl grade\" time=\"%.3f\">\n",
		g->seconds);
	if (g->internal_error[0]) {
		fputs("  <testsuite name=\"grader\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
		      "    <testcase name=\"internal\" classname=\"grader\"><error message=\"", o);
		zcl_put_xml(o, g->internal_error);
		fputs("\"/></testcase>\n  </testsuite>\n", o);
	}
	for (int i = 0; i < g->nstages; i++) {
		const struct zcl_stage_result *sr = &g->stages[i];
		int fails = 0, skips = 0;
		for (int k = 0; k < sr->ntests; k++) {
			fails += sr->tests[k].status == ZT_FAILED;
			skips += sr->tests[k].status == ZT_SKIPPED;
		}
		fprintf(o, "  <testsuite name=\"stage %d %s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n",
			sr->stage->num, sr->stage->slug, sr->ntests, fails, skips);
		for (int k = 0; k < sr->ntests; k++) {
			const struct zcl_test_result *t = &sr->tests[k];
			fputs("    <testcase name=\"", o);
			zcl_put_xml(o, t->name);
			fprintf(o, "\" classname=\"zcl.%s\" time=\"%.3f\">", sr->stage->slug, t->seconds);
			if (t->status != ZT_PASSED) {
				fprintf(o, "<%s message=\"", t->status == ZT_SKIPPED ? "skipped" : "failure");
				zcl_put_xml(o, t->output[0] ? t->output : "failed");
				fputs("\"/>", o);
			}
			fputs("</testcase>\n", o);
		}
		fputs("  </testsuite>\n", o);
	}
	fputs("</testsuites>\n", o);
}

static void autolab(FILE *o, const struct zcl_grade *g)
{
	text(o, g);
	fputs("{\"scores\": {", o);
	for (int i = 0; i < g->nstages; i++)
		fprintf(o, "%s\"%02d-%s\": %g", i ? ", " : "", g->stages[i].stage->num, g->stages[i].stage->slug,
			g->stages[i].score);
	fputs("}, \"scoreboard\": [", o);
	for (int i = 0; i < g->nstages; i++)
		fprintf(o, "%g, ", g->stages[i].score);
	fprintf(o, "%g]}\n", g->score);
}

void zcl_grade_write(FILE *o, const struct zcl_grade *g, enum zcl_grade_format f)
{
	switch (f) {
	case ZG_TEXT: text(o, g); break;
	case ZG_JSON: json(o, g); break;
	case ZG_GRADESCOPE: gradescope(o, g); break;
	case ZG_JUNIT: junit(o, g); break;
	case ZG_AUTOLAB: autolab(o, g); break;
	}
}
