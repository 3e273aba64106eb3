/*
 * fdclass.c - classify a tracee's descriptors through /proc, with a cache.
 *
 * The cache is keyed by (pid, fd). Forgetting is deliberately coarse: a
 * close of fd 5 forgets fd 5 in every process, because threads share one
 * descriptor table and a wrong "socket" would mislabel every copy after it.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "fdclass.h"
#include "params.h"

struct entry {
	bool used;
	pid_t pid;
	long fd;
	struct zcl_fdinfo info;
	dev_t dev;
	ino_t ino;
};

static struct entry cache[ZCL_MAX_FDS_CACHED];
static dev_t lab_dev;
static ino_t lab_ino, lab_sock;

void zcl_fd_set_lab(dev_t input_dev, ino_t input_ino, ino_t socket_ino)
{
	lab_dev = input_dev;
	lab_ino = input_ino;
	lab_sock = socket_ino;
	zcl_fd_forget_all();
}

static struct zcl_fdinfo classify(pid_t pid, long fd, dev_t *dev, ino_t *ino)
{
	struct zcl_fdinfo info = {.kind = ZF_NONE};
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)pid, fd);
	if (stat(path, &st) < 0)
		return info;
	*dev = st.st_dev;
	*ino = st.st_ino;
	if (S_ISREG(st.st_mode)) {
		struct statfs fs;
		info.kind = ZF_FILE;
		info.lab_input = lab_ino && st.st_dev == lab_dev && st.st_ino == lab_ino;
		if (statfs(path, &fs) == 0)
			info.tmpfs = fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC;
	} else if (S_ISSOCK(st.st_mode)) {
		info.kind = ZF_SOCKET;
		info.lab_socket = lab_sock && st.st_ino == lab_sock;
	} else if (S_ISFIFO(st.st_mode)) {
		info.kind = ZF_PIPE;
	} else {
		info.kind = ZF_OTHER;
	}
	return info;
}

struct zcl_fdinfo zcl_fd_class(pid_t pid, long fd, dev_t *dev, ino_t *ino)
{
	dev_t d = 0;
	ino_t i = 0;
	if (fd < 0 || fd > 0x7fffffff) {
		struct zcl_fdinfo none = {.kind = ZF_NONE};
		return none;
	}
	unsigned slot = ((unsigned)pid * 31u + (unsigned)fd) % ZCL_MAX_FDS_CACHED;
	struct entry *e = &cache[slot];
	if (!(e->used && e->pid == pid && e->fd == fd)) {
		struct zcl_fdinfo info = classify(pid, fd, &d, &i);
		if (info.kind == ZF_NONE) {
			if (dev) *dev = 0;
			if (ino) *ino = 0;
			return info; /* closed: don't cache */
		}
		*e = (struct entry){true, pid, fd, info, d, i};
	}
	if (dev)
		*dev = e->dev;
	if (ino)
		*ino = e->ino;
	return e->info;
}

void zcl_fd_forget(long fd)
{
	for (int i = 0; i < ZCL_MAX_FDS_CACHED; i++)
		if (cache[i].used && cache[i].fd == fd)
			cache[i].used = false;
}

void zcl_fd_forget_all(void)
{
	memset(cache, 0, sizeof cache);
}
