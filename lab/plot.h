/*
 * plot.h - zcl bench --plot: throughput and the sender's CPU per GiB
 * against file size, per stage, drawn by gnuplot into an SVG.
 */
#ifndef ZCL_PLOT_H
#define ZCL_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"

/* What to say when gnuplot is not installed. */
#define ZCL_GNUPLOT_MISSING "--plot needs gnuplot: apt-get install gnuplot-nox (make deps installs it)"

/* Is gnuplot in PATH? Its path into path. Can't fail. */
bool zcl_gnuplot_found(char *path, size_t len);

/* Draw b (the warm cache if measured, else the cold one; the first chunk
 * setting) into the file out: PNG when its name ends in .png, else SVG.
 * 0, or -1 with one line in err: gnuplot missing (ZCL_GNUPLOT_MISSING),
 * nothing timed, or gnuplot's own error. */
int zcl_bench_plot(const struct zcl_bench *b, const char *out, char *err, size_t errlen);

#endif
