/*
 * view.h - the filesystem and IPC world a stage program lives in.
 *
 * Where the machine allows namespaces (root, or unprivileged user
 * namespaces), the program gets a mount namespace of its own whose root is
 * an empty read-only tmpfs holding only: the system's libraries and tools
 * (/usr and the /lib, /bin links, read-only), /etc/ld.so.cache and
 * /etc/localtime, /dev/null, zero, full, random and urandom, the run's
 * directory (its binary and the generated input, read-only) and its
 * scratch: a fresh tmpfs with a size and inode limit that vanishes with
 * the namespace, whatever is inside. No /proc, no /sys, nothing of the
 * lab's tree or of anyone's home. It also gets an IPC namespace of its own
 * (SysV segments, semaphores and queues die with it).
 *
 * Where namespaces cannot be had (a container without them), the program
 * runs in the host's view; Landlock still confines its writes to the
 * scratch directory, which the lab removes after the run. The layers in
 * force are reported back (a bit set) so the result can say so.
 */
#ifndef ZCL_VIEW_H
#define ZCL_VIEW_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

enum {
	ZCL_LAYER_MOUNTNS = 1 << 0, /* own filesystem view (mount namespace + pivot_root) */
	ZCL_LAYER_IPCNS = 1 << 1,   /* own IPC namespace */
	ZCL_LAYER_USERNS = 1 << 2,  /* a user namespace was needed (not root) */
	ZCL_LAYER_TMPFS = 1 << 3,   /* scratch is a size- and inode-limited tmpfs */
	ZCL_LAYER_UID = 1 << 4,     /* runs as an unused unprivileged uid */
	ZCL_LAYER_LANDLOCK = 1 << 5, /* Landlock: writes only below the scratch */
	ZCL_LAYER_MEMCG = 1 << 6,   /* a memory cgroup counts all its memory */
	ZCL_LAYER_NOTTY = 1 << 7,   /* no controlling terminal */
};

/* Prepared by the lab before the fork: everything the child needs, so the
 * child makes no allocation and formats no string. */
struct zcl_view {
	bool try_ns;            /* attempt the namespaces (false: forced fallback) */
	char run_dir[PATH_MAX / 4]; /* host directory: binary, input; shown read-only */
	char work[PATH_MAX / 4];    /* run_dir/work: the scratch, the program's cwd */
	char root[PATH_MAX / 4];    /* run_dir/view: where the new root is built */
	char tmpfs_opts[128];   /* size, nr_inodes, mode, uid, gid of the scratch tmpfs */
	char uid_map[64], gid_map[64]; /* "ID ID 1\n" for a user namespace */
	bool need_userns;       /* not root: namespaces need a user namespace */
	int tmpl_fd;            /* the grade's template for run_dir (zcl_view_template), or -1 */
};

/* In the lab: fill v for a run in run_dir, its scratch owned by uid/gid
 * (the sandbox uid when root). try_ns is false when $ZCL_SANDBOX_LAYERS is
 * "basic" (tests of the fallback). Can't fail. */
void zcl_view_prepare(struct zcl_view *v, const char *run_dir, uid_t uid, gid_t gid);

/* As root, for a grade whose runs use run_dir one after another: make the
 * view's tree once, in a mount namespace the lab then holds (an nsfs
 * descriptor), and let each run's child copy it (setns(2), then
 * unshare(2)) and add only the run directory and a fresh scratch, instead
 * of making the tree anew: thirty mount(2)s and a hundred path lookups a
 * run. The copy is the same tree, its root read-only from the start
 * (mount_namespaces(7)). Forks a child that makes it. 0, or -1 (not root,
 * no namespaces, a /proc of another PID namespace, or it could not be
 * made: runs make their own; not tried again for that directory). */
int zcl_view_template(const char *run_dir);

/* Let the template go (its namespace ends with the last copy). Can't fail. */
void zcl_view_template_drop(void);

/* In the child, before exec and before the uid change: unshare and build
 * the view. Only async-signal-safe calls. Returns the ZCL_LAYER_* bits now
 * in force (0 when the namespaces could not be made: the host's view
 * stays, which is the fallback). A failure half way leaves the view
 * unusable: returns -1 and the caller must not run the program. */
int zcl_view_enter(const struct zcl_view *v);

/* "mount namespace, IPC namespace, ..." for the bits in layers into buf.
 * Can't fail. */
void zcl_layers_describe(unsigned layers, char *buf, size_t len);

#endif
