/*
 * fdclass.c - classify a tracee's descriptors through /proc, with a cache.
 *
 * stat(/proc/PID/fd/N) says file, socket, pipe or other; for the finer
 * class the lab takes its own duplicate of the descriptor (pidfd_getfd(2),
 * Linux >= 5.6, allowed to a tracer) and asks it: open flags (O_DIRECT,
 * O_NONBLOCK), the socket's family and route (sockinfo.c), whether a
 * character device is a terminal. statfs tells tmpfs and the pseudo
 * filesystems (/proc, /sys, ...) apart from disk-backed ones. The name
 * (path or endpoints, as strace -yy) comes with it.
 *
 * The cache is indexed by descriptor number (a growable array), each slot a
 * short list of the processes whose descriptor of that number is known.
 * Forgetting is deliberately coarse: a close of fd 5 forgets fd 5 in every
 * process, because threads share one descriptor table and a wrong "socket"
 * would mislabel every copy after it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "fdclass.h"
#include "htab.h"
#include "sockinfo.h"
#include "tasks.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* linux/pidfd.h, Linux >= 6.9: a pidfd for a thread */
#endif

struct entry {
	pid_t pid;
	struct zcl_fdinfo info;
	dev_t dev;
	ino_t ino;
};
struct slot { struct entry *e; unsigned n, cap; };

static struct {
	struct slot *by_fd; /* index: descriptor number */
	size_t nfd;
	char **names;       /* interned names, freed at the next run's start */
	size_t nnames, capnames;
	struct zcl_htab name_ix;
} F;

static dev_t lab_dev;
static ino_t lab_ino, lab_sock;
static struct { dev_t dev; ino_t ino; } lab_out[ZCL_LAB_OUTPUTS]; /* zcl_fd_add_lab_output */
static int nlab_out;

/* ---- interned names: one copy of each string for the run ---- */

static void hash2(const char *s, uint64_t *a, uint64_t *b)
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
	for (; *s; s++) {
		h1 = (h1 ^ (unsigned char)*s) * 1099511628211ull;
		h2 = (h2 + (unsigned char)*s) * 0xff51afd7ed558ccdull;
		h2 ^= h2 >> 31;
	}
	*a = h1;
	*b = h2;
}

/* The pooled copy of s; NULL if s is empty or memory ran out. */
static const char *intern(const char *s)
{
	uint64_t a, b;
	uint32_t i;
	if (!s || !*s)
		return NULL;
	hash2(s, &a, &b);
	if (zcl_htab_get(&F.name_ix, a, b, &i))
		return F.names[i];
	if (F.nnames == F.capnames) {
		size_t cap = F.capnames ? F.capnames * 2 : 64;
		char **n = realloc(F.names, cap * sizeof *n);
		if (!n)
			return NULL;
		F.names = n;
		F.capnames = cap;
	}
	char *c = strdup(s);
	if (!c || zcl_htab_put(&F.name_ix, a, b, (uint32_t)F.nnames) < 0) {
		free(c);
		return NULL;
	}
	F.names[F.nnames] = c;
	return F.names[F.nnames++];
}

static void names_free(void)
{
	for (size_t i = 0; i < F.nnames; i++)
		free(F.names[i]);
	free(F.names);
	zcl_htab_free(&F.name_ix);
	F.names = NULL;
	F.nnames = F.capnames = 0;
}

void zcl_fd_set_lab(dev_t input_dev, ino_t input_ino, ino_t socket_ino)
{
	lab_dev = input_dev;
	lab_ino = input_ino;
	lab_sock = socket_ino;
	nlab_out = 0;
	zcl_fd_forget_all();
	names_free(); /* a new run: the last one's names are no longer read */
}

int zcl_fd_add_lab_output(dev_t dev, ino_t ino)
{
	if (nlab_out >= ZCL_LAB_OUTPUTS)
		return -1;
	lab_out[nlab_out].dev = dev;
	lab_out[nlab_out++].ino = ino;
	zcl_fd_forget_all();
	return 0;
}

/* ---- classification ---- */

/* The lab's own duplicate of pid's descriptor fd, or -1. pid may be a
 * thread: before Linux 6.9 only its process has a pidfd (threads share
 * one descriptor table unless they asked not to). */
static int dup_of(pid_t pid, long fd)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (pfd < 0)
		pfd = (int)syscall(SYS_pidfd_open, zcl_task_tgid(pid), 0);
	if (pfd < 0)
		return -1;
	int d = (int)syscall(SYS_pidfd_getfd, pfd, (int)fd, 0);
	close(pfd);
	return d;
}

static bool pseudo_fs(long t)
{
	static const long magic[] = {PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
				     CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, SECURITYFS_MAGIC,
				     BPF_FS_MAGIC, PSTOREFS_MAGIC, EFIVARFS_MAGIC};
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (t == magic[i])
			return true;
	return false;
}

static void regular(const char *path, int d, struct zcl_fdinfo *info)
{
	struct statfs fs;
	info->kind = ZF_FILE;
	info->cls = ZC_FILE;
	if (statfs(path, &fs) == 0) {
		info->tmpfs = fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC;
		if (info->tmpfs)
			info->cls = ZC_TMPFS;
		if (pseudo_fs((long)fs.f_type)) {
			info->kind = ZF_OTHER; /* no page cache under it: not a file to the model */
			info->cls = ZC_PSEUDO;
		}
	}
	if (d >= 0 && info->cls == ZC_FILE && (fcntl(d, F_GETFL) & O_DIRECT))
		info->cls = ZC_DIRECT;
}

/* Character devices: terminals, /dev/null (1:3), /dev/zero (1:5), others. */
static enum zcl_fdclass chardev(const struct stat *st, int d)
{
	struct termios t;
	if (d >= 0 && tcgetattr(d, &t) == 0)
		return ZC_TTY;
	if (major(st->st_rdev) == 1 && minor(st->st_rdev) == 3)
		return ZC_NULL;
	if (major(st->st_rdev) == 1 && minor(st->st_rdev) == 5)
		return ZC_ZERO;
	return ZC_CHAR;
}

static struct zcl_fdinfo classify(pid_t pid, long fd, dev_t *dev, ino_t *ino)
{
	struct zcl_fdinfo info = {.kind = ZF_NONE};
	char path[64], name[512] = "", ndev[32] = "";
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
	if (stat(path, &st) < 0)
		return info;
	*dev = st.st_dev;
	*ino = st.st_ino;
	int d = dup_of(pid, fd);
	if (d >= 0)
		info.nonblock = (fcntl(d, F_GETFL) & O_NONBLOCK) != 0;
	ssize_t k = readlink(path, name, sizeof name - 1);
	name[k > 0 ? k : 0] = 0;
	info.dev_sg = -1;
	if (S_ISREG(st.st_mode)) {
		regular(path, d, &info);
		info.lab_input = lab_ino && st.st_dev == lab_dev && st.st_ino == lab_ino;
	} else if (S_ISSOCK(st.st_mode)) {
		info.kind = ZF_SOCKET;
		info.lab_socket = lab_sock && st.st_ino == lab_sock;
		if (d >= 0)
			zcl_sock_describe(d, &info, name, sizeof name, ndev, sizeof ndev);
		if (!strchr(name, '[')) { /* unnamed: its inode, as strace -yy */
			size_t l = strlen(name);
			snprintf(name + l, sizeof name - l, "%s[%lu]", l ? ":" : "socket:", (unsigned long)st.st_ino);
		}
	} else if (S_ISFIFO(st.st_mode)) {
		info.kind = ZF_PIPE;
		info.cls = ZC_PIPE;
	} else {
		info.kind = ZF_OTHER;
		info.cls = S_ISDIR(st.st_mode) ? ZC_DIR : S_ISCHR(st.st_mode) ? chardev(&st, d)
			 : strncmp(name, "anon_inode:", 11) == 0 ? ZC_ANON : ZC_OTHER;
	}
	/* a pipe the lab feeds is its input too; more outputs: a second socket, a file */
	info.lab_input = info.lab_input || (lab_ino && st.st_dev == lab_dev && st.st_ino == lab_ino);
	for (int i = 0; i < nlab_out; i++)
		info.lab_socket = info.lab_socket || (st.st_dev == lab_out[i].dev && st.st_ino == lab_out[i].ino);
	if (d >= 0)
		close(d);
	info.name = intern(name);
	info.netdev = intern(ndev);
	return info;
}

/* ---- the cache ---- */

static struct entry *find(pid_t pid, long fd)
{
	if ((size_t)fd >= F.nfd)
		return NULL;
	struct slot *s = &F.by_fd[fd];
	for (unsigned i = 0; i < s->n; i++)
		if (s->e[i].pid == pid)
			return &s->e[i];
	return NULL;
}

/* Remember e; out of memory just means it is classified again next time. */
static void remember(long fd, const struct entry *e)
{
	if ((size_t)fd >= F.nfd) {
		size_t n = F.nfd ? F.nfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct slot *b = realloc(F.by_fd, n * sizeof *b);
		if (!b)
			return;
		memset(b + F.nfd, 0, (n - F.nfd) * sizeof *b);
		F.by_fd = b;
		F.nfd = n;
	}
	struct slot *s = &F.by_fd[fd];
	if (s->n == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 2;
		struct entry *x = realloc(s->e, cap * sizeof *x);
		if (!x)
			return;
		s->e = x;
		s->cap = cap;
	}
	s->e[s->n++] = *e;
}

struct zcl_fdinfo zcl_fd_class(pid_t pid, long fd, dev_t *dev, ino_t *ino)
{
	if (fd < 0 || fd > 0x7fffffff) {
		struct zcl_fdinfo none = {.kind = ZF_NONE};
		return none;
	}
	struct entry *e = find(pid, fd), made;
	if (!e) {
		made = (struct entry){.pid = pid};
		made.info = classify(pid, fd, &made.dev, &made.ino);
		if (made.info.kind != ZF_NONE) /* closed: not cached */
			remember(fd, &made);
		e = &made;
	}
	if (dev)
		*dev = e->dev;
	if (ino)
		*ino = e->ino;
	return e->info;
}

void zcl_fd_forget(long fd)
{
	if (fd >= 0 && (size_t)fd < F.nfd)
		F.by_fd[fd].n = 0;
}

void zcl_fd_forget_all(void)
{
	for (size_t i = 0; i < F.nfd; i++)
		free(F.by_fd[i].e);
	free(F.by_fd);
	F.by_fd = NULL;
	F.nfd = 0;
}

void zcl_fd_after_call(const struct zcl_sysrec *r)
{
	if (r->ret < 0)
		return;
	if ((r->nr == SYS_fcntl && (int)r->args[1] == F_SETFL) ||
	    (r->nr == SYS_ioctl && (unsigned long)r->args[1] == FIONBIO))
		zcl_fd_forget((long)(int)r->args[0]);
}

int64_t zcl_fd_pos(pid_t pid, long fd)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/fdinfo/%ld", (int)pid, fd);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = f >= 0 ? read(f, buf, sizeof buf - 1) : -1;
	if (f >= 0)
		close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	const char *p = strstr(buf, "pos:");
	return p ? (int64_t)strtoll(p + 4, NULL, 10) : -1;
}
