/*
 * includes.c - a submission may include system headers and zcl.h, nothing
 * else: an #include of the reference solution would pass the stage with
 * code that is not the student's. This is the second line: the first is
 * the compiler's view (bwrap), where nothing else exists.
 *
 * The compile runs with -H, which prints every header it opens on a line
 * of its own (". /usr/include/stdio.h", one dot per level), so no path
 * needs unquoting and all of them are read. Each must be a system header
 * or the lab's zcl.h. Those lines, and GCC's closing "Multiple include
 * guards may be useful for:" list, are taken out of what the student sees.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "includes.h"

#define GUARDS "Multiple include guards may be useful for:"

static const char *const system_dirs[] = {"/usr/include/", "/usr/local/include/", "/usr/lib/gcc/", "/usr/lib/llvm"};

/* Is path (as the compiler printed it) a system header or header itself? */
static bool allowed(const char *path, const char *header)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
		if (strncmp(real, system_dirs[i], strlen(system_dirs[i])) == 0)
			return true;
	return !strcmp(path, header) || !strcmp(real, header);
}

char *zcl_take_headers(char *out, const char *header)
{
	char *bad = NULL, *w = out;
	bool guards = false;
	if (!out)
		return NULL;
	for (char *line = out; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
		size_t len = nl ? n - 1 : n, dots = strspn(line, ".");
		bool drop = true;
		if (dots > 0 && dots < len && line[dots] == ' ') {
			guards = false;
			if (!bad) {
				char path[PATH_MAX];
				snprintf(path, sizeof path, "%.*s", (int)(len - dots - 1), line + dots + 1);
				if (!allowed(path, header))
					bad = strdup(path);
			}
		} else if (len == strlen(GUARDS) && !strncmp(line, GUARDS, len)) {
			guards = true;
		} else if (!(guards && line[0] == '/' && !memmem(line, len, ": ", 2))) {
			guards = false; /* a diagnostic (a header path in the guards list has no ": ") */
			drop = false;
		}
		if (!drop) {
			memmove(w, line, n);
			w += n;
		}
		line += n;
	}
	*w = 0;
	return bad;
}

bool zcl_include_outside_view(const char *out, char **diag)
{
	const char *m = strstr(out, "fatal error: ");
	if (!m)
		return false;
	m += strlen("fatal error: ");
	size_t n = strcspn(m, ":\n");
	bool hidden = !strncmp(m + n, ": No such file", 14) || !strncmp(m + n, ": Permission denied", 19);
	if (!hidden || (m[0] != '/' && !memmem(m, n, "../", 3)))
		return false;
	if (asprintf(diag, "your exercise includes %.*s: a stage may include only system headers and zcl.h "
		     "(the compiler cannot see anything else)\n", (int)n, m) < 0)
		*diag = NULL;
	return true;
}

char *zcl_include_refused(const char *path)
{
	char *s;
	if (asprintf(&s, "your exercise includes %s: a stage may include only system headers and zcl.h\n", path) < 0)
		return NULL;
	return s;
}
