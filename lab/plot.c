/*
 * plot.c - zcl bench --plot FILE.svg: the sweep as a picture for a slide.
 *
 * Two panels side by side, file size on a log axis: throughput (GiB/s) and
 * the sender's CPU seconds per GiB, one line per stage, the median with a
 * bar from the fastest to the slowest round. gnuplot draws it (Debian's
 * gnuplot-nox: no X needed); we write its script with the numbers inline
 * (datablocks, gnuplot >= 5) and run it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

bool zcl_gnuplot_found(char *path, size_t len)
{
	const char *p = getenv("PATH");
	for (p = p && *p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(path, len, "%.*s/gnuplot", (int)n, p);
		struct stat st;
		if (access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* One datablock per timed stage: size, then median/min/max of GiB/s and of
 * CPU s/GiB. Returns how many stages have at least one point. */
static int datablocks(FILE *f, const struct zcl_bench *b, bool warm)
{
	int lines = 0;
	for (size_t si = 0; si < b->nstages; si++) {
		bool any = false;
		for (size_t zi = 0; zi < b->nsizes; zi++) {
			const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, 0, warm, si);
			if (!c || !c->n || c->why[0])
				continue;
			if (!any)
				fprintf(f, "$s%zu << EOD\n", si);
			any = true;
			fprintf(f, "%" PRIu64 " %g %g %g %g %g %g\n", c->size, c->gib_s.median, c->gib_s.min, c->gib_s.max,
				c->cpu_s_gib.median, c->cpu_s_gib.min, c->cpu_s_gib.max);
		}
		if (any) {
			fprintf(f, "EOD\n");
			lines++;
		}
	}
	return lines;
}

/* plot $s0 using 1:COLS ..., one term per stage with data. */
static void plot_cmd(FILE *f, const struct zcl_bench *b, bool warm, const char *cols)
{
	fprintf(f, "plot ");
	bool first = true;
	for (size_t si = 0; si < b->nstages; si++) {
		const struct zcl_bench_cell *any = NULL;
		for (size_t zi = 0; zi < b->nsizes && !any; zi++) {
			const struct zcl_bench_cell *c = zcl_bench_cell(b, zi, 0, warm, si);
			if (c && c->n && !c->why[0])
				any = c;
		}
		if (!any)
			continue;
		fprintf(f, "%s$s%zu using 1:%s with yerrorlines lw 3 pt 7 ps 1.2 title \"%d %s\"", first ? "" : ", ",
			si, cols, any->stage->num, any->stage->slug);
		first = false;
	}
	fprintf(f, "\n");
}

/* The x tics: the sizes measured, labelled in KiB/MiB/GiB. */
static void xtics(FILE *f, const struct zcl_bench *b)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	fprintf(f, "set xtics (");
	for (size_t zi = 0; zi < b->nsizes; zi++) {
		uint64_t n = b->sizes[zi];
		int u = 0;
		while (u < 4 && n >= 1024 && n % 1024 == 0)
			n /= 1024, u++;
		fprintf(f, "%s\"%" PRIu64 " %s\" %" PRIu64, zi ? ", " : "", n, unit[u], b->sizes[zi]);
	}
	fprintf(f, ")\n");
}

static int write_script(FILE *f, const struct zcl_bench *b, const char *out)
{
	bool warm = b->warm;
	size_t n = strlen(out);
	if (n > 4 && !strcasecmp(out + n - 4, ".png"))
		fprintf(f, "set terminal pngcairo size 1600,800 enhanced font \"sans,16\" background rgb \"white\"\n");
	else
		fprintf(f, "set terminal svg size 1600,800 dynamic enhanced font \"sans,20\" background rgb \"white\"\n");
	fprintf(f, "set output \"");
	for (const char *p = out; *p; p++) /* a gnuplot string: escape its quotes */
		fprintf(f, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
	fprintf(f, "\"\n");
	if (datablocks(f, b, warm) == 0)
		return -1;
	fprintf(f, "set multiplot layout 1,2 title \"Sending a file over loopback TCP (%s cache, %s, median of %d, "
		   "bars: fastest-slowest)\"\n",
		warm ? "warm" : "cold", b->chunks[0] ? "chunked calls" : "the stages' own calls", b->rounds);
	fprintf(f, "set logscale x 2\nset grid\nset key top left\nset xlabel \"file size\"\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	xtics(f, b);
	fprintf(f, "set yrange [0:*]\nset ylabel \"throughput, GiB/s (higher: better)\"\n");
	plot_cmd(f, b, warm, "2:3:4");
	/* tiny files cost many times more per GiB: a log axis keeps the big ones readable */
	fprintf(f, "set logscale y 10\nset yrange [*:*]\nset key top right\n");
	fprintf(f, "set ylabel \"sender CPU seconds per GiB (lower: better; log)\"\n");
	plot_cmd(f, b, warm, "5:6:7");
	fprintf(f, "unset multiplot\n");
	return 0;
}

/* Run gnuplot on script; its first error line into err. 0 or -1. */
static int run_gnuplot(const char *gp, const char *script, const char *errfile, char *err, size_t errlen)
{
	pid_t pid = fork();
	if (pid == 0) {
		int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDWR);
		if (e >= 0)
			dup2(e, 2);
		if (null >= 0)
			dup2(null, 0), dup2(null, 1);
		execl(gp, "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char line[256] = "";
	FILE *ef = fopen(errfile, "re");
	while (ef && fgets(line, sizeof line, ef) && strspn(line, " \t\n^") == strlen(line))
		;
	if (ef)
		fclose(ef);
	line[strcspn(line, "\n")] = 0;
	snprintf(err, errlen, "--plot: gnuplot failed: %s", line[0] ? line : "(no message)");
	return -1;
}

int zcl_bench_plot(const struct zcl_bench *b, const char *out, char *err, size_t errlen)
{
	char gp[PATH_MAX], script[] = "/tmp/zcl-plot-XXXXXX", errfile[sizeof script + 8];
	if (!zcl_gnuplot_found(gp, sizeof gp)) {
		snprintf(err, errlen, "%s", ZCL_GNUPLOT_MISSING);
		return -1;
	}
	int fd = mkstemp(script);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "--plot: cannot write a gnuplot script in /tmp: %s", strerror(errno));
		if (fd >= 0)
			close(fd), unlink(script);
		return -1;
	}
	int ret = write_script(f, b, out);
	if (fclose(f) != 0 || ret < 0) {
		snprintf(err, errlen, "--plot: %s", ret < 0 ? "no stage was timed: nothing to draw"
							  : "cannot write the gnuplot script");
		unlink(script);
		return -1;
	}
	snprintf(errfile, sizeof errfile, "%s.err", script);
	ret = run_gnuplot(gp, script, errfile, err, errlen);
	unlink(script);
	unlink(errfile);
	return ret;
}
