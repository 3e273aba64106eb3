/*
 * bwrap.h - the compiler's sandbox: bubblewrap's command line.
 *
 * The compiler is not traced, so a well-kept tool does the isolation:
 * bubblewrap (bwrap(1), Debian's `bubblewrap`) gives it new user, mount,
 * PID, IPC, UTS, network and cgroup namespaces, a new session (no
 * terminal), and a filesystem that holds only /usr (with the /bin, /lib
 * links), /etc/alternatives and ld.so.cache, a minimal /dev, the sources
 * the lab copied for it (read-only) and its temporary directory. The
 * lab's tree, solutions/, other submissions and anyone's home are not in
 * it, whatever the preprocessor or the assembler asks for.
 */
#ifndef ZCL_BWRAP_H
#define ZCL_BWRAP_H

#include <stdbool.h>
#include <stddef.h>

#define ZCL_BWRAP_SRC "/zcl"     /* where the sources appear inside */
#define ZCL_BWRAP_TMP "/tmp"     /* the compiler's writable directory inside */

/* Can bubblewrap run here (installed, namespaces allowed, as the uid the
 * compiler will run as)? Probed once per process; false when
 * $ZCL_SANDBOX_LAYERS is "basic". Can't fail. */
bool zcl_bwrap_usable(void);

/* argv for bwrap running cmd (NULL-terminated) with src_dir shown
 * read-only at ZCL_BWRAP_SRC and tmp_dir writable at ZCL_BWRAP_TMP.
 * Returns a malloc'd NULL-terminated array whose strings are static or
 * the caller's; free the array only. NULL when out of memory. */
char **zcl_bwrap_argv(const char *src_dir, const char *tmp_dir, char *const cmd[]);

#endif
