/*
 * rundir.c - the run's directory, kept for the next run of a grade.
 *
 * Three directories and two files made and removed for each of a grade's
 * hundred-odd runs cost ext4 more than many of the runs themselves (each
 * new inode is looked for past the recently deleted ones). So a grade
 * keeps the directory of its runs, one run after another in one process:
 * after each run the input and output files are removed and the program's
 * scratch emptied; the stage binary is rewritten in place by the next run
 * (or kept: see below).
 * Before it is used again it is checked: only the names a run leaves (the
 * binary, view, work), view and work empty, owners and modes as made, the
 * same inodes. Anything else, and it is removed and a new one made. In
 * the program's view DIR is read-only and its scratch a fresh tmpfs, so
 * what it could leave is only in the fallback without namespaces, in work,
 * which is emptied. Nothing of one run is there for the next but the
 * lab's binary: overwritten before it runs, or, where the program runs as
 * another uid than the lab (as root), kept when it is still the copy made
 * of the same build, unchanged (zcl_rundir_stage).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copyfile.h"
#include "rundir.h"
#include "runner.h"
#include "sandbox.h"
#include "view.h"
#include "scratch.h"

static struct {
	bool keep;
	char dir[PATH_MAX / 4]; /* "": none kept */
	ino_t ino[3];            /* DIR, view, work as made */
	bool have_stage;         /* DIR/stage is a copy of from, made as st */
	struct stat from, st;
} kept;

static uid_t work_owner(void)
{
	return geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
}

/* Is path a directory of owner with mode, inode ino, and no entry but the
 * names in allowed (NULL-terminated; NULL: none)? */
static bool as_made(const char *path, uid_t owner, mode_t mode, ino_t ino, const char *const *allowed)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != owner || (st.st_mode & 07777) != mode ||
	    st.st_ino != ino)
		return false;
	DIR *d = opendir(path);
	if (!d)
		return false;
	bool ok = true;
	for (struct dirent *e; ok && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ok = false;
		for (size_t i = 0; allowed && allowed[i]; i++)
			ok = ok || !strcmp(e->d_name, allowed[i]);
	}
	closedir(d);
	return ok;
}

/* The kept directory still holds nothing but what a run leaves? */
static bool reusable(void)
{
	static const char *const top[] = {"view", "work", "stage", NULL};
	char p[PATH_MAX];
	if (!as_made(kept.dir, geteuid(), 0755, kept.ino[0], top))
		return false;
	snprintf(p, sizeof p, "%s/view", kept.dir);
	if (!as_made(p, geteuid(), 0755, kept.ino[1], NULL))
		return false;
	snprintf(p, sizeof p, "%s/work", kept.dir);
	if (!as_made(p, work_owner(), 0700, kept.ino[2], NULL))
		return false;
	struct stat st;
	snprintf(p, sizeof p, "%s/stage", kept.dir);
	return lstat(p, &st) < 0 ? errno == ENOENT : S_ISREG(st.st_mode) && st.st_uid == geteuid();
}

static void forget(void)
{
	zcl_view_template_drop();
	if (kept.dir[0])
		zcl_rm_rf(kept.dir);
	kept.dir[0] = 0;
	kept.have_stage = false;
}

/* A new directory in dir. 0 or -1 with err. */
static int make(char *dir, size_t len, char *err, size_t errlen)
{
	zcl_scratch_sweep();
	snprintf(dir, len, "%s/zcl-XXXXXX", zcl_scratch_base());
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "%s: cannot make a scratch directory: %s", zcl_scratch_base(), strerror(errno));
		return -1;
	}
	char sub[PATH_MAX];
	uid_t id = work_owner();
	snprintf(sub, sizeof sub, "%s/view", dir);
	int rc = chmod(dir, 0755) < 0 || mkdir(sub, 0755) < 0 ? -1 : 0;
	snprintf(sub, sizeof sub, "%s/work", dir);
	if (rc == 0 && (mkdir(sub, 0700) < 0 || (geteuid() == 0 && chown(sub, id, id) < 0)))
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", sub, strerror(errno));
	return rc;
}

/* Remember dir as made (its inodes), to keep it. */
static void remember(const char *dir)
{
	static const char *const sub[] = {"", "/view", "/work"};
	snprintf(kept.dir, sizeof kept.dir, "%s", dir);
	for (int i = 0; i < 3; i++) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof p, "%s%s", dir, sub[i]);
		if (lstat(p, &st) < 0) {
			kept.dir[0] = 0;
			return;
		}
		kept.ino[i] = st.st_ino;
	}
}

int zcl_rundir_open(char *dir, size_t len, char *err, size_t errlen)
{
	if (kept.dir[0] && strlen(kept.dir) < len && reusable()) {
		snprintf(dir, len, "%s", kept.dir);
		(void)zcl_view_template(dir); /* made for this directory already: kept */
		return 0;
	}
	forget();
	if (make(dir, len, err, errlen) < 0)
		return -1;
	if (kept.keep)
		remember(dir);
	if (kept.keep && kept.dir[0])
		(void)zcl_view_template(dir); /* as root: the view made once for its runs (view.h) */
	return 0;
}

void zcl_rundir_close(const char *dir)
{
	if (!kept.keep || strcmp(dir, kept.dir) != 0) {
		zcl_rm_rf(dir);
		return;
	}
	static const char *const files[] = {"input.bin", "output.bin"};
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/work", dir);
	if (!as_made(p, work_owner(), 0700, kept.ino[2], NULL))
		forget(); /* the program wrote in its scratch (no namespaces here): start afresh */
}

void zcl_rundir_keep(bool keep)
{
	kept.keep = keep;
	if (!keep)
		forget();
}

/* The same file, unchanged: inode, size, mode, owner, and both times
 * (ctime moves on every write, chmod, chown or rename, and cannot be set). */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int zcl_rundir_stage(const char *dir, const char *bin, char *exe, size_t len)
{
	snprintf(exe, len, "%s/stage", dir);
	struct stat from, st;
	if (stat(bin, &from) < 0)
		return -1;
	/* Kept only where the program cannot have written it: it runs as
	 * another uid than the copy's owner, and the directory is not its. */
	bool mine = kept.keep && !strcmp(dir, kept.dir) && work_owner() != geteuid();
	if (mine && kept.have_stage && same_file(&from, &kept.from) && lstat(exe, &st) == 0 &&
	    same_file(&st, &kept.st))
		return 0;
	kept.have_stage = false;
	/* rewritten in place (a new inode each run costs ext4 more), and its
	 * mode set again: a file that is there keeps its own when rewritten */
	if (zcl_copy_file(bin, exe, 0755, ZCL_COPY_FOLLOW) < 0 || chmod(exe, 0755) < 0)
		return -1;
	if (mine && lstat(exe, &st) == 0 && S_ISREG(st.st_mode)) {
		kept.from = from;
		kept.st = st;
		kept.have_stage = true;
	}
	return 0;
}
