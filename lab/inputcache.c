/*
 * inputcache.c - write each generated input once per grade.
 *
 * The stages of one student ask for the same few inputs (0, 1, 4095, 4096,
 * 4097 bytes, 1 MiB, 1 MiB + 3, 8 MiB + 1, one seed): written into each
 * run's directory and synced before each cold run, they were about 100 MiB
 * of disk writes per student, the grade's largest disk cost. Here each is
 * written once, in a directory of the lab's, and each run gets a new
 * read-only descriptor on it: the program reads it through that
 * descriptor, never by a path (its view of the filesystem does not hold
 * this directory). A cold run still evicts the file from the page cache,
 * a warm one reads it in, as for a new file (runner.c).
 *
 * Only when the lab runs as root: the program then runs as the sandbox's
 * uid without capabilities (sandbox.c) and cannot write the lab's 0644
 * file; as a plain user the program has the lab's own uid, so every run
 * gets a file of its own, as before. Belt and braces: a cached file is used
 * again only if it is as written (inode, owner, mode, size, mtime, one
 * link); else it is written anew.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content.h"
#include "inputcache.h"
#include "runner.h"
#include "scratch.h"

struct entry {
	uint64_t seed, size;
	struct stat st; /* as written */
};

static struct {
	bool on;
	char dir[PATH_MAX / 4]; /* "": not made yet */
	struct entry *e;
	size_t n, cap;
} cache;

void zcl_inputcache_use(bool on)
{
	if (cache.dir[0])
		zcl_rm_rf(cache.dir);
	cache.dir[0] = 0;
	free(cache.e);
	cache.e = NULL;
	cache.n = cache.cap = 0;
	cache.on = on && geteuid() == 0;
}

/* The cache's directory, made on first use (named as a run directory, so
 * that zcl_scratch_sweep removes one a crashed grade left). */
static bool ready(void)
{
	if (cache.dir[0])
		return true;
	snprintf(cache.dir, sizeof cache.dir, "%s/zcl-XXXXXX", zcl_scratch_base());
	if (!mkdtemp(cache.dir)) {
		cache.dir[0] = 0;
		return false;
	}
	return true;
}

static bool as_written(const struct stat *a, const struct stat *w)
{
	return S_ISREG(a->st_mode) && a->st_ino == w->st_ino && a->st_dev == w->st_dev && a->st_uid == w->st_uid &&
	       a->st_mode == w->st_mode && a->st_size == w->st_size && a->st_nlink == 1 &&
	       a->st_mtim.tv_sec == w->st_mtim.tv_sec && a->st_mtim.tv_nsec == w->st_mtim.tv_nsec;
}

/* The entry of (seed, size), added if new; NULL when out of memory. */
static struct entry *entry_of(uint64_t seed, uint64_t size)
{
	for (size_t i = 0; i < cache.n; i++)
		if (cache.e[i].seed == seed && cache.e[i].size == size)
			return &cache.e[i];
	if (cache.n == cache.cap) {
		size_t cap = cache.cap ? 2 * cache.cap : 8;
		struct entry *ne = realloc(cache.e, cap * sizeof *ne);
		if (!ne)
			return NULL;
		cache.e = ne, cache.cap = cap;
	}
	cache.e[cache.n] = (struct entry){.seed = seed, .size = size};
	return &cache.e[cache.n++];
}

int zcl_inputcache_open(uint64_t seed, uint64_t size)
{
	struct entry *e;
	if (!cache.on || !ready() || !(e = entry_of(seed, size))) {
		errno = cache.on ? errno : ENOENT;
		return -1;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/in-%llu-%llu.bin", cache.dir, (unsigned long long)seed,
		 (unsigned long long)size);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && e->st.st_ino && as_written(&st, &e->st))
		return fd;
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (zcl_content_file(path, seed, size) < 0 || lstat(path, &e->st) < 0) {
		e->st.st_ino = 0;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}
