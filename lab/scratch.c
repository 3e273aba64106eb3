/*
 * scratch.c - remove a directory tree whatever a submission left in it.
 *
 * A program may build a tree deeper than PATH_MAX, full of odd names,
 * symlinks, FIFOs and read-only directories. Paths cannot reach the bottom
 * of such a tree, so the walk never builds one: it holds a descriptor of
 * the directory it is in, descends with openat(O_NOFOLLOW), removes entries
 * with unlinkat, and climbs back with openat(".."), checking that ".." is
 * the directory it came from (device and inode). The stack of levels is on
 * the heap, so no depth overflows ours. Symlinks are removed, never followed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "scratch.h"

struct level {
	dev_t dev;   /* the parent we came from */
	ino_t ino;
	char *name;  /* the directory we went into, in that parent */
};

/* Remove every non-directory entry of the directory open at fd; return the
 * name of its first subdirectory in sub (malloc'd), or NULL when none is
 * left. A directory we cannot enter or read (mode 0) is made readable first. */
static char *clear_files(int fd)
{
	int dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup < 0)
		return NULL;
	DIR *d = fdopendir(dup);
	if (!d) {
		close(dup);
		return NULL;
	}
	char *sub = NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			continue;
		if (errno == EACCES && fchmod(fd, 0700) == 0 && unlinkat(fd, e->d_name, 0) == 0)
			continue; /* a directory it made read-only */
		if ((errno == EISDIR || errno == EPERM) && !sub) {
			/* a directory: remove it if empty, else descend into it */
			if (unlinkat(fd, e->d_name, AT_REMOVEDIR) == 0)
				continue;
			sub = strdup(e->d_name);
		}
	}
	closedir(d);
	return sub;
}

/* Open the subdirectory name of fd, making it searchable if it is not. */
static int enter(int fd, const char *name)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int c = openat(fd, name, flags);
	if (c < 0 && errno == EACCES && fchmodat(fd, name, 0700, 0) == 0)
		c = openat(fd, name, flags);
	return c;
}

void zcl_rm_rf(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		unlink(dir); /* a file or a symlink where the directory was */
		return;
	}
	struct level *stack = NULL;
	size_t depth = 0, cap = 0;
	for (;;) {
		char *sub = clear_files(fd);
		if (sub) {
			int c = enter(fd, sub);
			struct stat st;
			if (c < 0 || fstat(fd, &st) < 0) {
				if (c >= 0)
					close(c);
				free(sub);
				break; /* cannot go on: what is left stays */
			}
			if (depth == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct level *n = realloc(stack, ncap * sizeof *n);
				if (!n) {
					close(c);
					free(sub);
					break;
				}
				stack = n;
				cap = ncap;
			}
			stack[depth++] = (struct level){st.st_dev, st.st_ino, sub};
			close(fd);
			fd = c;
			continue;
		}
		if (depth == 0)
			break; /* the top is empty */
		/* this level is empty: climb and remove it */
		int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		close(fd);
		fd = up;
		struct level *l = &stack[--depth];
		bool same = up >= 0 && fstat(up, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino;
		/* stop when the tree moved under us (never remove elsewhere) or
		 * the level cannot go (a mount point): no endless descent */
		bool gone = same && unlinkat(up, l->name, AT_REMOVEDIR) == 0;
		free(l->name);
		if (!gone)
			break;
	}
	if (fd >= 0)
		close(fd);
	while (depth > 0)
		free(stack[--depth].name);
	free(stack);
	rmdir(dir);
}

const char *zcl_scratch_base(void)
{
	const char *b = getenv("ZCL_SCRATCH");
	return b && *b ? b : "/var/tmp";
}

const char *zcl_scratch_cc_base(void)
{
	const char *b = getenv("ZCL_CC_SCRATCH");
	return b && *b ? b : zcl_scratch_base();
}

int zcl_scratch_cc_tmpfs(const char *dir, unsigned long long bytes)
{
	char cc[PATH_MAX], opts[64];
	if (geteuid() != 0) {
		errno = EPERM;
		return -1;
	}
	snprintf(cc, sizeof cc, "%s/cc", dir);
	snprintf(opts, sizeof opts, "size=%llu,mode=0755", bytes);
	if (mkdir(cc, 0755) < 0 && errno != EEXIST)
		return -1;
	/* private first: a mount in a copy of a shared tree would reach the host's */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("zcl-cc", cc, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return -1;
	return setenv("ZCL_CC_SCRATCH", cc, 1);
}

char *zcl_scratch_private(void)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/zcl-XXXXXX", zcl_scratch_base()) < 0)
		return NULL;
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
		int e = errno;
		rmdir(dir);
		free(dir);
		errno = e;
		return NULL;
	}
	return dir;
}

void zcl_scratch_sweep(void)
{
	const char *base = zcl_scratch_base();
	DIR *d = opendir(base);
	if (!d)
		return;
	time_t now = time(NULL);
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, "zcl-", 4) != 0 || strlen(e->d_name) != 10)
			continue;
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", base, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > 24 * 3600)
			zcl_rm_rf(p);
	}
	closedir(d);
}
