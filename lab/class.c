/*
 * class.c - grade a whole class: the students and their trees
 * (class_students.c), `zcl grade` for each (N at once), resume, report.
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
#include <errno.h>
#include <sched.h>
#include <signal.h>
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
#include "class_students.h"
#include "cli.h"
#include "class_report.h"
#include "runner.h"
#include "params.h"
#include "scratch.h"
#include "stages.h"

#define STUDENT_LIMIT_S 900      /* one student's whole grading, wall seconds, before it is killed */

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
	return zcl_class_asprintf("%s/%s.%s", b->students, s->file, ext);
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
	zcl_class_stdio_to(log);
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
	char *work = zcl_class_asprintf("%s/%s", b->work, s->file), *log = result_path(b, s, "log");
	unlink(log);
	if (zcl_class_prepare(s, work, log, b->base_key) < 0)
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
	char *lab = zcl_class_asprintf("%s/lab", work);
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
	char *kp = result_path(b, s, "key"), *work = zcl_class_asprintf("%s/%s", b->work, s->file);
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
	char *build = zcl_class_asprintf("%s/build", zcl_root()), *dir = zcl_class_asprintf("%s/stages", build), err[512];
	if (mkdir_p(build) < 0 || mkdir_p(dir) < 0 || access(dir, W_OK) < 0) {
		free(dir);
		dir = zcl_class_asprintf("%s/harness", b->work);
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
	b.n = zcl_class_students(o->dir, &b.v);
	if (b.n <= 0) {
		fprintf(stderr, "zcl: grade --class: %s: no students in it (one sub-folder or archive each)\n", o->dir);
		free(b.v);
		return EXIT_USAGE;
	}
	char *trimmed = zcl_class_asprintf("%s", o->dir);
	for (size_t k = strlen(trimmed); k > 1 && trimmed[k - 1] == '/'; k--)
		trimmed[k - 1] = 0;
	b.out = o->out ? zcl_class_asprintf("%s", o->out) : zcl_class_asprintf("%s-results", trimmed);
	free(trimmed);
	b.students = zcl_class_asprintf("%s/students", b.out);
	b.work = zcl_class_asprintf("%s/.work-%d", b.out, (int)getpid());
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
