/*
 * class.c - grade a whole class: find the students, give each a private
 * lab tree, run `zcl grade` for each (N at once), resume, then report.
 *
 * One student = one child process: `zcl grade --format json --out ...`
 * with ZCL_ROOT pointing at the student's own tree (the harness, zcl.h and
 * the student's stage files, or the skeleton for a stage not handed in).
 * Children share nothing: each has its own tree, build directory, scratch
 * and loopback ports (the kernel picks them), and runs on its own CPU
 * (affinity k mod ncpu) so two gradings do not fight over one core.
 *
 * Scratch: each child has a private base (ZCL_SCRATCH, zcl-XXXXXX under
 * ours), removed once the child is reaped, however it ended (Ctrl-C, the
 * per-student limit, a crash). It leads a process group, killed as one.
 *
 * Resuming: NAME.key holds a hash of what was graded (the stage files,
 * the seed, the options and the zcl binary). If it matches, the old
 * NAME.json stands and the student is not graded again.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "copyfile.h"
#include "fingerprint.h"
#include "class.h"
#include "cli.h"
#include "class_report.h"
#include "runner.h"
#include "params.h"
#include "scratch.h"
#include "stages.h"

#define MAX_STAGE_FILE (1 << 20) /* a stage file larger than this is not a stage file: bytes */
#define STUDENT_LIMIT_S 900      /* one student's whole grading, wall seconds, before it is killed */

/* The archive suffixes a student may be handed in as, and how to unpack. */
static const struct { const char *suffix; const char *tool; } archives[] = {
	{".zip", "unzip"}, {".tar.gz", "tar"}, {".tgz", "tar"}, {".tar.xz", "tar"}, {".tar", "tar"},
};

/* ---- small helpers ---- */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
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
	char *s = xasprintf("%s", name[0] ? name : "unnamed");
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
static int list_students(const char *dir, struct zcl_student **out)
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
		char *path = xasprintf("%s/%s", dir, e->d_name);
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
				char *s = xasprintf("%s~%zu", v[i].file, i);
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
static void stdio_to(const char *log)
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
		stdio_to(log);
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
static int prepare(struct zcl_student *s, const char *work, const char *log, uint64_t base_key)
{
	const char *root = zcl_root();
	char *upload = s->archive >= 0 ? xasprintf("%s/upload", work) : xasprintf("%s", s->path);
	char *lab = xasprintf("%s/lab", work), *labdir = xasprintf("%s/lab/lab", work);
	char *ex = xasprintf("%s/lab/exercises", work);
	int rc = -1;
	if (mkdir(work, 0700) < 0 || mkdir(lab, 0755) < 0 || mkdir(labdir, 0755) < 0 || mkdir(ex, 0755) < 0) {
		snprintf(s->error, sizeof s->error, "cannot make a work folder: %s", strerror(errno));
		goto out;
	}
	if (s->archive >= 0 && unpack(s, upload, log) < 0) {
		snprintf(s->error, sizeof s->error, "cannot unpack %s (see its log)", archives[s->archive].suffix);
		goto out;
	}
	char *from = xasprintf("%s/lab/harness.c", root), *to = xasprintf("%s/harness.c", labdir);
	int c1 = zcl_copy_file(from, to, 0644, ZCL_COPY_FOLLOW);
	free(from), free(to);
	from = xasprintf("%s/exercises/zcl.h", root), to = xasprintf("%s/zcl.h", ex);
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
		char *skel = xasprintf("%s/exercises/%02d-%s.c", root, st[i].num, st[i].slug);
		char *dst = xasprintf("%s/%02d-%s.c", ex, st[i].num, st[i].slug);
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

/* ---- grading, N at once ---- */

struct batch {
	const struct zcl_class_opts *o;
	struct zcl_student *v;
	int n, next, running, done, graded; /* graded: of done, with a result (new or kept) */
	char *out, *students, *work;
	uint64_t base_key;
	int ncpu;
	bool *cpu_busy;
	char **scratch;  /* student i's private scratch base while it runs, else NULL */
};

static char *result_path(const struct batch *b, const struct zcl_student *s, const char *ext)
{
	return xasprintf("%s/%s.%s", b->students, s->file, ext);
}

/* Has this student been graded on exactly these files and options? */
static bool already_graded(const struct batch *b, const struct zcl_student *s)
{
	char *kp = result_path(b, s, "key"), *jp = result_path(b, s, "json");
	char old[32] = "";
	FILE *f = fopen(kp, "re");
	if (f) {
		if (!fgets(old, sizeof old, f))
			old[0] = 0;
		fclose(f);
	}
	old[strcspn(old, "\n")] = 0;
	bool same = strcmp(old, s->key) == 0 && access(jp, R_OK) == 0;
	free(kp), free(jp);
	return same;
}

/* In the child: its own CPU, stdin /dev/null, output to the log, then zcl
 * grade on the student's tree. Never returns. */
static void grade_child(const struct batch *b, const struct zcl_student *s, int cpu, const char *lab,
			const char *scratch)
{
	char *log = result_path(b, s, "log"), *part = result_path(b, s, "json.part");
	setpgid(0, 0); /* its own group, with its build-ahead helper: killed as one */
	stdio_to(log);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
	setenv("ZCL_ROOT", lab, 1);
	setenv("ZCL_SCRATCH", scratch, 1);
	setenv("ZCL_KEEP_PROGRESS", "no", 1); /* its tree is a copy, removed after */
	/* as root, its compiles in a tmpfs of its own (else on the disk, as before) */
	(void)zcl_scratch_cc_tmpfs(scratch, ZCL_CLASS_CC_TMPFS);
	char seed[32], tmo[32];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)b->o->seed);
	snprintf(tmo, sizeof tmo, "%g", b->o->timeout_s);
	char *argv[16];
	int k = 0;
	argv[k++] = "zcl", argv[k++] = "grade", argv[k++] = "--format", argv[k++] = "json";
	argv[k++] = "--out", argv[k++] = part, argv[k++] = "--seed", argv[k++] = seed;
	if (b->o->timeout_set)
		argv[k++] = "--timeout", argv[k++] = tmo;
	if (b->o->stage)
		argv[k++] = "--stage", argv[k++] = (char *)b->o->stage;
	if (b->o->solution)
		argv[k++] = "--solution";
	argv[k] = NULL;
	execv("/proc/self/exe", argv);
	fprintf(stderr, "zcl: grade --class: cannot run zcl: %s\n", strerror(errno));
	_exit(127);
}

/* Remove a private scratch base and everything its grader left in it. */
static void drop_scratch(char **dir)
{
	if (*dir)
		zcl_rm_rf(*dir);
	free(*dir), *dir = NULL;
}

static void start_one(struct batch *b, struct zcl_student *s)
{
	char *work = xasprintf("%s/%s", b->work, s->file), *log = result_path(b, s, "log");
	unlink(log);
	if (prepare(s, work, log, b->base_key) < 0)
		goto fail;
	if (already_graded(b, s)) {
		s->resumed = true;
		b->graded++;
		zcl_rm_rf(work);
		goto out;
	}
	int cpu = 0;
	while (cpu < b->ncpu - 1 && b->cpu_busy[cpu])
		cpu++;
	char **scratch = &b->scratch[s - b->v];
	*scratch = zcl_scratch_private();
	if (!*scratch) {
		snprintf(s->error, sizeof s->error, "cannot make a scratch folder: %s", strerror(errno));
		goto fail;
	}
	char *lab = xasprintf("%s/lab", work);
	pid_t p = fork();
	if (p == 0)
		grade_child(b, s, cpu, lab, *scratch);
	free(lab);
	if (p < 0) {
		snprintf(s->error, sizeof s->error, "fork: %s", strerror(errno));
		drop_scratch(scratch);
		goto fail;
	}
	setpgid(p, p); /* also done in the child: no race on who is first */
	b->cpu_busy[cpu] = true;
	s->cpu = cpu;
	s->pid = p;
	s->started = time(NULL);
	b->running++;
	free(work), free(log);
	return;
fail:
	zcl_rm_rf(work);
out:
	free(work), free(log);
	b->done++;
}

/* A child ended with status st: keep its JSON if it parses, else say why. */
static void finish_one(struct batch *b, struct zcl_student *s, int st)
{
	char *part = result_path(b, s, "json.part"), *jp = result_path(b, s, "json");
	char *kp = result_path(b, s, "key"), *work = xasprintf("%s/%s", b->work, s->file);
	b->cpu_busy[s->cpu] = false;
	kill(-s->pid, SIGKILL); /* what a crashed grader left running in its group */
	s->pid = 0;
	b->running--;
	b->done++;
	if (zcl_class_result_ok(part) && rename(part, jp) == 0) {
		b->graded++;
		/* kept on resume only if it ran to its end (exit 0 or 1), not cut short */
		zcl_class_key_put(kp, WIFEXITED(st) && WEXITSTATUS(st) <= 1 ? s->key : NULL);
	} else {
		unlink(part);
		unlink(kp);
		if (WIFSIGNALED(st))
			snprintf(s->error, sizeof s->error, "the grader was killed by signal %d (see %s.log)",
				 WTERMSIG(st), s->file);
		else
			snprintf(s->error, sizeof s->error, "the grader exited with status %d without a result (see %s.log)",
				 WEXITSTATUS(st), s->file);
	}
	zcl_rm_rf(work);
	drop_scratch(&b->scratch[s - b->v]);
	free(part), free(jp), free(kp), free(work);
}

static struct zcl_student *by_pid(struct batch *b, pid_t p)
{
	for (int i = 0; i < b->n; i++)
		if (b->v[i].pid == p)
			return &b->v[i];
	return NULL;
}

/* Kill a student's grading that ran past STUDENT_LIMIT_S, or all of them
 * when we were interrupted. */
static void reap_stuck(struct batch *b)
{
	time_t now = time(NULL);
	for (int i = 0; i < b->n; i++) {
		struct zcl_student *s = &b->v[i];
		if (s->pid > 0 && (interrupted || now - s->started > STUDENT_LIMIT_S))
			kill(-s->pid, SIGKILL); /* the grader and its helper */
	}
}

static void run_batch(struct batch *b)
{
	/* SIGCHLD blocked, so that a child's end wakes the wait below at once
	 * (sigtimedwait) instead of at the next poll */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	while (b->done < b->n) {
		while (!interrupted && b->running < b->o->jobs && b->next < b->n) {
			start_one(b, &b->v[b->next++]);
			zcl_class_progress(b->v, b->n, b->done);
		}
		if (b->running == 0) {
			if (interrupted || b->next >= b->n)
				break;
			continue;
		}
		/* poll: a student past its limit, or a Ctrl-C, must be noticed
		 * even while no child ends */
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p < 0 && errno != EINTR)
			break;
		if (p <= 0) {
			reap_stuck(b);
			sigtimedwait(&chld, NULL, &(struct timespec){0, 50 * 1000 * 1000});
			continue;
		}
		struct zcl_student *s = by_pid(b, p);
		if (s)
			finish_one(b, s, st);
		zcl_class_progress(b->v, b->n, b->done);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}


/* What every student's key starts from: the zcl binary and the options. */
static uint64_t base_key(const struct zcl_class_opts *o)
{
	uint64_t h = zcl_fnv_file(ZCL_FNV_START, "/proc/self/exe");
	char opts[256];
	snprintf(opts, sizeof opts, "seed=%llu timeout=%g/%d stage=%s solution=%d",
		 (unsigned long long)o->seed, o->timeout_s, o->timeout_set, o->stage ? o->stage : "all",
		 o->solution);
	return zcl_fnv(h, opts, strlen(opts));
}

static int mkdir_p(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The lab's harness, compiled once for every contract before the first
 * student: in the lab's build/stages (kept for the next class, as a
 * single grade keeps it), else in this batch's work folder. Every student
 * links it (ZCL_HARNESS_DIR) and compiles only their own files. Should it
 * fail, each student compiles the harness again and says why. */
static void prebuild_harness(const struct batch *b)
{
	char *build = xasprintf("%s/build", zcl_root()), *dir = xasprintf("%s/stages", build), err[512];
	if (mkdir_p(build) < 0 || mkdir_p(dir) < 0 || access(dir, W_OK) < 0) {
		free(dir);
		dir = xasprintf("%s/harness", b->work);
	}
	if (zcl_build_harnesses(dir, err, sizeof err) == 0)
		setenv("ZCL_HARNESS_DIR", dir, 1);
	else
		fprintf(stderr, "zcl: grade --class: the harness was not compiled ahead: %s\n", err);
	free(build), free(dir);
}

int zcl_class_grade(const struct zcl_class_opts *o)
{
	struct batch b = {.o = o, .ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN)};
	struct stat st;
	if (stat(o->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "zcl: grade --class: %s: %s\n", o->dir,
			errno && !S_ISDIR(st.st_mode) ? strerror(errno) : "not a folder");
		return EXIT_USAGE;
	}
	b.n = list_students(o->dir, &b.v);
	if (b.n <= 0) {
		fprintf(stderr, "zcl: grade --class: %s: no students in it (one sub-folder or archive each)\n", o->dir);
		free(b.v);
		return EXIT_USAGE;
	}
	char *trimmed = xasprintf("%s", o->dir);
	for (size_t k = strlen(trimmed); k > 1 && trimmed[k - 1] == '/'; k--)
		trimmed[k - 1] = 0;
	b.out = o->out ? xasprintf("%s", o->out) : xasprintf("%s-results", trimmed);
	free(trimmed);
	b.students = xasprintf("%s/students", b.out);
	b.work = xasprintf("%s/.work-%d", b.out, (int)getpid());
	if (mkdir_p(b.out) < 0 || mkdir_p(b.students) < 0 || mkdir(b.work, 0700) < 0) {
		fprintf(stderr, "zcl: grade --class: cannot write %s: %s\n", b.out, strerror(errno));
		return EXIT_USAGE;
	}
	if (b.ncpu < 1)
		b.ncpu = 1;
	b.cpu_busy = calloc((size_t)b.ncpu, sizeof *b.cpu_busy);
	b.scratch = calloc((size_t)b.n, sizeof *b.scratch);
	if (!b.cpu_busy || !b.scratch) {
		fputs("zcl: out of memory\n", stderr);
		exit(EXIT_USAGE);
	}
	b.base_key = base_key(o);
	/* a class's binaries are graded and thrown away: no debug information
	 * in them (it changes no instruction; build.c), here and in every grader */
	setenv("ZCL_DEBUG_INFO", "no", 1);
	prebuild_harness(&b);
	fprintf(stderr, "zcl: grading %d students of %s, %d at once, results in %s\n", b.n, o->dir, o->jobs, b.out);
	run_batch(&b);
	for (int i = 0; i < b.n; i++) /* a child run_batch could not reap (it should not happen) */
		drop_scratch(&b.scratch[i]);
	zcl_rm_rf(b.work);
	int rc = 0;
	if (interrupted) {
		fprintf(stderr, "\nzcl: grade --class: interrupted; %d of %d graded, run again to resume\n", b.graded, b.n);
		rc = EXIT_USAGE;
	} else {
		rc = zcl_class_report(b.v, b.n, b.out, b.students);
	}
	for (int i = 0; i < b.n; i++)
		zcl_student_free(&b.v[i]);
	free(b.v), free(b.out), free(b.students), free(b.work), free(b.cpu_busy), free(b.scratch);
	return rc;
}
