/*
 * view.c - build the program's own filesystem view, in the child.
 *
 * unshare(CLONE_NEWNS | CLONE_NEWIPC) (with CLONE_NEWUSER first when the
 * lab is not root), make every mount private, mount an empty tmpfs at
 * run_dir/view and bind into it, read-only, only what a stage program
 * needs; mount the scratch tmpfs; pivot_root into the view and detach the
 * old root. The table below is the whole view. Everything here runs between
 * fork and exec of a threaded parent: system calls and memory copies only.
 * See mount_namespaces(7), pivot_root(2), user_namespaces(7).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "params.h"
#include "view.h"

enum kind { DIR_RO, FILE_RO, DEV, LINK_OR_DIR };

/* The view: host path, what it is. A missing host path is skipped. */
static const struct {
	const char *path;
	enum kind kind;
} view_table[] = {
	{"/usr", DIR_RO},
	{"/bin", LINK_OR_DIR}, {"/sbin", LINK_OR_DIR}, {"/lib", LINK_OR_DIR},
	{"/lib32", LINK_OR_DIR}, {"/lib64", LINK_OR_DIR}, {"/libx32", LINK_OR_DIR},
	{"/etc/ld.so.cache", FILE_RO}, {"/etc/localtime", LINK_OR_DIR},
	{"/dev/null", DEV}, {"/dev/zero", DEV}, {"/dev/full", DEV},
	{"/dev/random", DEV}, {"/dev/urandom", DEV},
};

/* dst = a + b (async-signal-safe; truncates). */
static void join(char *dst, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la >= cap)
		la = cap - 1;
	memcpy(dst, a, la);
	if (lb >= cap - la)
		lb = cap - la - 1;
	memcpy(dst + la, b, lb);
	dst[la + lb] = 0;
}

/* mkdir -p of every directory in path below its first `under` bytes (the
 * new root, made already: trying the host's /var, /var/tmp, ... again cost
 * a hundred failed mkdir(2)s a run), path itself too when last. */
static void mkdirs(char *path, size_t under, bool last)
{
	for (char *p = path + (under ? under : 1); *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	if (last)
		mkdir(path, 0755);
}

/* The flags a read-only remount must keep (in a user namespace the kernel
 * refuses to drop nosuid, nodev, noexec or atime flags it locked). */
static unsigned long kept_flags(const char *path)
{
	struct statvfs s;
	unsigned long f = 0;
	if (statvfs(path, &s) < 0)
		return 0;
	if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (s.f_flag & ST_NODEV) f |= MS_NODEV;
	if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

/* Bind host onto target (made first as a dir or an empty file, below its
 * first `under` bytes), read-only. */
static int bind_ro(const char *host, const char *target, size_t under, bool dir, bool rec)
{
	if (dir) {
		char t[PATH_MAX];
		join(t, sizeof t, target, "");
		mkdirs(t, under, true);
	} else {
		char t[PATH_MAX];
		join(t, sizeof t, target, "");
		mkdirs(t, under, false);
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (mount(host, target, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
		return -1;
	unsigned long f = MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(target);
	return mount(NULL, target, NULL, f, NULL);
}

/* One row of the view table into the new root. */
static int add_row(const char *root, const char *path, enum kind k)
{
	char target[PATH_MAX], link[PATH_MAX];
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0; /* not on this machine */
	join(target, sizeof target, root, path);
	if (k == LINK_OR_DIR && S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			return 0;
		link[n] = 0;
		mkdirs(target, strlen(root), false);
		return symlink(link, target);
	}
	if (k == DEV)
		return bind_ro(path, target, strlen(root), false, false) < 0 && errno != ENOENT ? -1 : 0;
	return bind_ro(path, target, strlen(root), S_ISDIR(st.st_mode), true);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Map our own uid and gid into a new user namespace. */
static int enter_userns(const struct zcl_view *v)
{
	/* a lab that changed its uid (su without exec) is not dumpable: its
	 * /proc/self files would belong to root and the maps could not be written */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/uid_map", v->uid_map) < 0 ||
	    write_file("/proc/self/gid_map", v->gid_map) < 0)
		return -2;
	return 0;
}

/* The tree under v->root, read-write: the root tmpfs, the table's rows,
 * the run directory's mount point and the /tmp link. 0 or -1. */
static int make_tree(const struct zcl_view *v)
{
	char t[PATH_MAX];
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	if (mount("zcl-root", v->root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=256,mode=0755") < 0)
		return -1;
	for (size_t i = 0; i < sizeof view_table / sizeof view_table[0]; i++)
		if (add_row(v->root, view_table[i].path, view_table[i].kind) < 0)
			return -1;
	join(t, sizeof t, v->root, v->run_dir);
	mkdirs(t, strlen(v->root), true);
	join(t, sizeof t, v->root, "/tmp");
	if (symlink(v->work, t) < 0 && errno != EEXIST)
		return -1; /* EEXIST: the run itself is under /tmp ($TMPDIR says where to write) */
	return 0;
}

/* Into the tree: the run directory bound read-only, the scratch tmpfs,
 * pivot_root and the old root detached, the root read-only. 0 or -1. */
static int enter_tree(const struct zcl_view *v)
{
	char t[PATH_MAX];
	join(t, sizeof t, v->root, v->run_dir);
	if (bind_ro(v->run_dir, t, strlen(t), true, false) < 0)
		return -1;
	join(t, sizeof t, v->root, v->work);
	if (mount("zcl-scratch", t, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, v->tmpfs_opts) < 0)
		return -1;
	if (chdir(v->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0)
		return -1;
	/* the root tmpfs itself: read-only from now on */
	return mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

int zcl_view_enter(const struct zcl_view *v)
{
	if (!v->try_ns)
		return 0;
	const int all = ZCL_LAYER_MOUNTNS | ZCL_LAYER_IPCNS | ZCL_LAYER_TMPFS;
	if (v->tmpl_fd >= 0) { /* a copy of the grade's template (zcl_view_template) */
		if (setns(v->tmpl_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS | CLONE_NEWIPC) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return -1;
		return enter_tree(v) < 0 ? -1 : all;
	}
	int layers = 0;
	if (v->need_userns) {
		int u = enter_userns(v);
		if (u == -1)
			return 0; /* no user namespaces here: the fallback */
		if (u < 0)
			return -1;
		layers |= ZCL_LAYER_USERNS;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC) < 0)
		return v->need_userns ? -1 : 0; /* root without namespaces: the fallback */
	if (make_tree(v) < 0 || enter_tree(v) < 0)
		return -1;
	return layers | all;
}

/* ---- the grade's template: the tree made once, copied by each run ---- */

static struct {
	int fd;                     /* its mount namespace (nsfs), or -1 */
	char run_dir[PATH_MAX / 4]; /* the run directory it was made for */
	char failed[PATH_MAX / 4];  /* the one it could not be made for: not tried again */
} tmpl = {-1, "", ""};

/* Is /proc this process's PID namespace's? (A lab in a PID namespace under
 * the host's /proc would open another process's /proc/PID/ns/mnt.) */
static bool own_proc(void)
{
	char link[32] = "", me[32];
	snprintf(me, sizeof me, "%d", (int)getpid());
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	return n > 0 && (link[n] = 0, !strcmp(link, me));
}

/* The template's maker, a child: make the tree in a mount namespace of its
 * own, the root read-only, then wait until the lab holds the namespace. */
static _Noreturn void template_child(const struct zcl_view *v, const int ready[2], const int hold[2])
{
	char c = 'n';
	close(ready[0]);
	close(hold[1]); /* the lab's end: its close is the signal to leave */
	if (unshare(CLONE_NEWNS) == 0 && make_tree(v) == 0 &&
	    mount(NULL, v->root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) == 0)
		c = 'y';
	if (write(ready[1], &c, 1) != 1)
		_exit(1);
	while (read(hold[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int zcl_view_template(const char *run_dir)
{
	if (tmpl.fd >= 0 && !strcmp(tmpl.run_dir, run_dir))
		return 0;
	if (!strcmp(tmpl.failed, run_dir))
		return -1;
	zcl_view_template_drop();
	snprintf(tmpl.failed, sizeof tmpl.failed, "%s", run_dir); /* until it is made */
	struct zcl_view v;
	zcl_view_prepare(&v, run_dir, 0, 0);
	if (!v.try_ns || v.need_userns || !own_proc())
		return -1; /* as root only: a user namespace's copy could not join it */
	int ready[2], hold[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]), close(ready[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		template_child(&v, ready, hold);
	close(ready[1]), close(hold[0]);
	char c = 0, ns[64];
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'y') {
		snprintf(ns, sizeof ns, "/proc/%d/ns/mnt", (int)pid);
		tmpl.fd = open(ns, O_RDONLY | O_CLOEXEC);
	}
	close(ready[0]), close(hold[1]); /* the child leaves */
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (tmpl.fd >= 0) {
		snprintf(tmpl.run_dir, sizeof tmpl.run_dir, "%s", run_dir);
		tmpl.failed[0] = 0;
	}
	return tmpl.fd >= 0 ? 0 : -1;
}

void zcl_view_template_drop(void)
{
	if (tmpl.fd >= 0)
		close(tmpl.fd);
	tmpl.fd = -1;
	tmpl.run_dir[0] = 0;
	tmpl.failed[0] = 0;
}

void zcl_view_prepare(struct zcl_view *v, const char *run_dir, uid_t uid, gid_t gid)
{
	memset(v, 0, sizeof *v);
	const char *want = getenv("ZCL_SANDBOX_LAYERS");
	v->try_ns = !(want && !strcmp(want, "basic"));
	snprintf(v->run_dir, sizeof v->run_dir, "%s", run_dir);
	snprintf(v->work, sizeof v->work, "%s/work", run_dir);
	snprintf(v->root, sizeof v->root, "%s/view", run_dir);
	snprintf(v->tmpfs_opts, sizeof v->tmpfs_opts, "size=%llu,nr_inodes=%u,mode=0700,uid=%u,gid=%u",
		 (unsigned long long)ZCL_SCRATCH_BYTES, ZCL_SCRATCH_INODES, (unsigned)uid, (unsigned)gid);
	v->need_userns = geteuid() != 0;
	v->tmpl_fd = v->try_ns && !v->need_userns && !strcmp(tmpl.run_dir, run_dir) ? tmpl.fd : -1;
	snprintf(v->uid_map, sizeof v->uid_map, "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	snprintf(v->gid_map, sizeof v->gid_map, "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
}

void zcl_layers_describe(unsigned layers, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ZCL_LAYER_MOUNTNS, "own filesystem view"}, {ZCL_LAYER_IPCNS, "own IPC namespace"},
		{ZCL_LAYER_USERNS, "user namespace"}, {ZCL_LAYER_TMPFS, "size-limited tmpfs scratch"},
		{ZCL_LAYER_UID, "unprivileged uid"}, {ZCL_LAYER_LANDLOCK, "Landlock (reads and writes)"},
		{ZCL_LAYER_MEMCG, "memory cgroup"}, {ZCL_LAYER_NOTTY, "no terminal"},
	};
	buf[0] = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (layers & names[i].bit) {
			size_t u = strlen(buf);
			snprintf(buf + u, len - u, "%s%s", u ? ", " : "", names[i].name);
		}
}
