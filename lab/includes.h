/*
 * includes.h - what a submission may include: system headers and the lab's
 * zcl.h, nothing else. The compiler runs with -H, which prints every header
 * it opens; this reads that list out of what the compiler printed.
 */
#ifndef ZCL_INCLUDES_H
#define ZCL_INCLUDES_H

#include <stdbool.h>

/* Remove from out (NUL-terminated, edited in place; NULL is fine) what -H
 * printed: each ". path" line (one dot per include level) and the closing
 * "Multiple include guards may be useful for:" list, leaving the
 * diagnostics as they were. Returns the first header that is neither a
 * system header (/usr/include, /usr/local/include, GCC's and LLVM's own)
 * nor header itself (the lab's zcl.h as the compiler names it), malloc'd,
 * or NULL when every header is allowed (or out of memory). */
char *zcl_take_headers(char *out, const char *header);

/* In the compiler's view a file outside it does not exist ("fatal error:
 * PATH: No such file or directory"; Landlock, without bwrap: "Permission
 * denied") for an #include by absolute or parent path. True when out says
 * so, with *diag (malloc'd; NULL if out of memory) naming the file. */
bool zcl_include_outside_view(const char *out, char **diag);

/* The sentence for a header a stage may not include (malloc'd, or NULL
 * when out of memory). */
char *zcl_include_refused(const char *path);

#endif
