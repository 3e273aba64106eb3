/*
 * class_students.c - the students of a class folder, and the lab tree
 * each is graded in.
 *
 * A student is a sub-folder or an archive (unpacked with unzip or tar
 * into the student's work folder). Its tree is the lab's harness.c and
 * zcl.h and one file per stage: the student's (found by name anywhere in
 * the upload, the shallowest first, links never followed) or the
 * skeleton. What was graded is fingerprinted for resuming (class.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "class_students.h"
#include "cli.h"
#include "copyfile.h"
#include "fingerprint.h"
#include "runner.h"
#include "stages.h"

#define MAX_STAGE_FILE (1 << 20) /* a stage file larger than this is not a stage file: bytes */

/* The archive suffixes a student may be handed in as, and how to unpack. */
static const struct { const char *suffix; const char *tool; } archives[] = {
	{".zip", "unzip"}, {".tar.gz", "tar"}, {".tgz", "tar"}, {".tar.xz", "tar"}, {".tar", "tar"},
};

/* ---- small helpers ---- */

char *zcl_class_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		fputs("zcl: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	return s;
}

/* A file name made of [A-Za-z0-9._-] only (malloc'd): results are written
 * under it, whatever the student's folder was called. */
static char *safe_name(const char *name)
{
	char *s = zcl_class_asprintf("%s", name[0] ? name : "unnamed");
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

/* ---- finding the students ---- */

static int archive_kind(const char *name, size_t *stem)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof archives / sizeof archives[0]; i++) {
		size_t k = strlen(archives[i].suffix);
		if (n > k && strcasecmp(name + n - k, archives[i].suffix) == 0) {
			*stem = n - k;
			return (int)i;
		}
	}
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct zcl_student *)a)->name, ((const struct zcl_student *)b)->name);
}

/* The students of dir: sub-folders and archives, sorted by name (malloc'd
 * array in *out). Returns the count, or -1 with errno. */
int zcl_class_students(const char *dir, struct zcl_student **out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct zcl_student *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = zcl_class_asprintf("%s/%s", dir, e->d_name);
		struct stat st;
		size_t stem = strlen(e->d_name);
		int kind = -1;
		if (lstat(path, &st) < 0 || !(S_ISDIR(st.st_mode) ||
					      (S_ISREG(st.st_mode) && (kind = archive_kind(e->d_name, &stem)) >= 0))) {
			free(path);
			continue; /* loose files, links and the like are not students */
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			struct zcl_student *nv = realloc(v, cap * sizeof *v);
			if (!nv) {
				fputs("zcl: out of memory\n", stderr);
				exit(EXIT_USAGE);
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = strndup(e->d_name, stem);
		v[n].path = path;
		v[n].archive = kind;
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof *v, by_name);
	/* file names of the results: unique even if two names sanitize alike */
	for (size_t i = 0; i < n; i++) {
		v[i].file = safe_name(v[i].name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j].file, v[i].file) == 0) {
				char *s = zcl_class_asprintf("%s~%zu", v[i].file, i);
				free(v[i].file);
				v[i].file = s;
				break;
			}
	}
	*out = v;
	return (int)n;
}

/* ---- one student's tree ---- */

/* nftw cannot take a context: the search in progress. */
static struct {
	const char *want;    /* NN-slug.c */
	char *best;
	int best_depth;
} find;

static int find_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	if (type == FTW_D && strcmp(path + f->base, "__MACOSX") == 0)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || !S_ISREG(st->st_mode) || strcmp(path + f->base, find.want) != 0)
		return FTW_CONTINUE;
	if (st->st_size > MAX_STAGE_FILE)
		return FTW_CONTINUE;
	if (!find.best || f->level < find.best_depth ||
	    (f->level == find.best_depth && strcmp(path, find.best) < 0)) {
		free(find.best);
		find.best = strdup(path);
		find.best_depth = f->level;
	}
	return FTW_CONTINUE;
}

/* The student's file for stage s under upload (shallowest, then first by
 * name; regular files only, links never followed), or NULL. malloc'd. */
static char *find_stage_file(const char *upload, const struct zcl_stage *s)
{
	char want[64];
	snprintf(want, sizeof want, "%02d-%s.c", s->num, s->slug);
	find.want = want;
	find.best = NULL;
	find.best_depth = 1 << 30;
	nftw(upload, find_one, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	return find.best;
}

/* In a child: no signal blocked (the batch blocks SIGCHLD), stdin from
 * /dev/null, stdout and stderr appended to log. */
void zcl_class_stdio_to(const char *log)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int in = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (in >= 0)
		dup2(in, 0);
}

/* Run argv with stdout+stderr appended to log; its exit status, or -1. */
static int run_tool(char *const argv[], const char *log)
{
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		zcl_class_stdio_to(log);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Unpack an archive into dir (members with absolute paths or ".." are
 * refused by both tools; links inside are never followed when searching). */
static int unpack(const struct zcl_student *s, const char *dir, const char *log)
{
	if (mkdir(dir, 0700) < 0)
		return -1;
	if (strcmp(archives[s->archive].tool, "unzip") == 0) {
		char *argv[] = {"unzip", "-qq", "-o", (char *)s->path, "-d", (char *)dir, NULL};
		return run_tool(argv, log) <= 1 ? 0 : -1; /* 1: warnings only */
	}
	char *argv[] = {"tar", "--no-same-owner", "--no-same-permissions", "-xf", (char *)s->path,
			"-C", (char *)dir, NULL};
	return run_tool(argv, log) == 0 ? 0 : -1;
}

/*
 * Make work/lab for student s: lab/harness.c, exercises/zcl.h and one file
 * per stage (the student's, or the skeleton). Sets s->found and s->key.
 * 0, or -1 with a message in s->error.
 */
int zcl_class_prepare(struct zcl_student *s, const char *work, const char *log, uint64_t base_key)
{
	const char *root = zcl_root();
	char *upload = s->archive >= 0 ? zcl_class_asprintf("%s/upload", work) : zcl_class_asprintf("%s", s->path);
	char *lab = zcl_class_asprintf("%s/lab", work), *labdir = zcl_class_asprintf("%s/lab/lab", work);
	char *ex = zcl_class_asprintf("%s/lab/exercises", work);
	int rc = -1;
	if (mkdir(work, 0700) < 0 || mkdir(lab, 0755) < 0 || mkdir(labdir, 0755) < 0 || mkdir(ex, 0755) < 0) {
		snprintf(s->error, sizeof s->error, "cannot make a work folder: %s", strerror(errno));
		goto out;
	}
	if (s->archive >= 0 && unpack(s, upload, log) < 0) {
		snprintf(s->error, sizeof s->error, "cannot unpack %s (see its log)", archives[s->archive].suffix);
		goto out;
	}
	char *from = zcl_class_asprintf("%s/lab/harness.c", root), *to = zcl_class_asprintf("%s/harness.c", labdir);
	int c1 = zcl_copy_file(from, to, 0644, ZCL_COPY_FOLLOW);
	free(from), free(to);
	from = zcl_class_asprintf("%s/exercises/zcl.h", root), to = zcl_class_asprintf("%s/zcl.h", ex);
	int c2 = zcl_copy_file(from, to, 0644, ZCL_COPY_FOLLOW);
	free(from), free(to);
	if (c1 < 0 || c2 < 0) {
		snprintf(s->error, sizeof s->error, "cannot copy the lab's harness or zcl.h from %s", root);
		goto out;
	}
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	uint64_t key = base_key;
	s->found = 0;
	for (size_t i = 0; i < n; i++) {
		char *mine = find_stage_file(upload, &st[i]);
		char *skel = zcl_class_asprintf("%s/exercises/%02d-%s.c", root, st[i].num, st[i].slug);
		char *dst = zcl_class_asprintf("%s/%02d-%s.c", ex, st[i].num, st[i].slug);
		const char *src = mine ? mine : skel;
		if (zcl_copy_file(src, dst, 0644, mine ? 0 : ZCL_COPY_FOLLOW) == 0 && mine)
			s->found |= 1u << i;
		key = zcl_fnv_file(zcl_fnv(key, dst + strlen(ex), strlen(dst + strlen(ex))), dst);
		free(mine), free(skel), free(dst);
	}
	snprintf(s->key, sizeof s->key, "%016llx", (unsigned long long)key);
	rc = 0;
out:
	free(upload), free(lab), free(labdir), free(ex);
	return rc;
}
