/*
 * build.c - cc -DZCL_CONTRACT_<NAME> -I. harness.c NN-slug.c -o stage, in a sandbox
 * (the contract from the stage's row: which function the harness calls).
 *
 * The compiler runs on copies of the three sources in a job directory of
 * its own, as the sandbox uid when the lab is root, under limits (CPU,
 * address space, file size, a memory cgroup, wall clock) and, where
 * bubblewrap can run, in a view that holds only the system and those
 * copies (bwrap.c). Its output comes back through a pipe; a compile error,
 * or a limit hit, is a result the checker reports, never a crash of the
 * lab. Binaries are cached next to the sources' newest modification time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "copyfile.h"
#include "bwrap.h"
#include "memcg.h"
#include "params.h"
#include "runner.h"
#include "sandbox.h"
#include "scratch.h"

#define DIAG_MAX (64 * 1024) /* compiler output kept, bytes */

static void find_root(char *root, size_t size);

const char *zcl_root(void)
{
	static char root[PATH_MAX];
	if (!root[0])
		find_root(root, sizeof root);
	/* Paths are built on top of the root: keep room for them. */
	if (strlen(root) > PATH_MAX / 2)
		root[PATH_MAX / 2] = 0;
	return root;
}

static void find_root(char *root, size_t size)
{
	const char *env = getenv("ZCL_ROOT");
	if (env && *env) {
		/* absolute: stage binaries run from a scratch directory */
		if (!realpath(env, root))
			snprintf(root, size, "%s", env);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", root, size - 1);
	if (n <= 0) {
		snprintf(root, size, ".");
		return;
	}
	root[n] = 0;
	char *d = dirname(root);
	memmove(root, d, strlen(d) + 1);
	return;
}

void zcl_stage_source(const struct zcl_stage *s, bool solution, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%02d-%s.c", zcl_root(), solution ? "solutions" : "exercises",
		 s->num, s->slug);
}

/* When path last changed: its content (mtime) or its inode (ctime: a copy
 * made with cp -p keeps an old mtime but gets a new ctime). -1 if missing. */
static int64_t mtime_ns(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	int64_t m = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	int64_t c = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	return m > c ? m : c;
}

/* How the compiler runs: its limits and uid, and what came back. */
struct cc_run {
	const struct zcl_memcg *memcg;
	uid_t uid;              /* drop to it when root */
	const char *cwd;        /* without bwrap: where to run */
	char *const *envp;      /* its environment (bwrap sets its own inside) */
	const char *job;        /* without bwrap: confine reads and writes to it (Landlock) */
	size_t cap;             /* most output bytes kept */
	/* results */
	char *out;              /* stdout+stderr, malloc'd */
	bool truncated;         /* more than cap bytes came */
	bool timed_out;         /* past ZCL_CC_WALL_S: the group was killed */
	int status;             /* wait status; -1: could not run */
};

static void limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};
	setrlimit(res, &rl);
}

/* In the child: limits, cgroup, uid, then exec. Never returns. */
static _Noreturn void cc_child(char *const argv[], const struct cc_run *c, int out)
{
	setpgid(0, 0);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (zcl_memcg_join(c->memcg) < 0)
		dprintf(2, "zcl: the compiler's memory cgroup could not be joined\n");
	struct rlimit cpu = {ZCL_CC_CPU_S, ZCL_CC_CPU_S + 1};
	setrlimit(RLIMIT_CPU, &cpu);
	limit(RLIMIT_AS, ZCL_CC_AS);
	limit(RLIMIT_FSIZE, ZCL_CC_FSIZE);
	limit(RLIMIT_CORE, 0);
	if (geteuid() == 0) {
		limit(RLIMIT_NPROC, ZCL_RLIMIT_NPROC);
		if (setgroups(0, NULL) < 0 || setgid(c->uid) < 0 || setuid(c->uid) < 0) {
			dprintf(2, "zcl: cannot drop privileges for the compiler\n");
			_exit(126);
		}
	}
	if (c->cwd && chdir(c->cwd) < 0)
		_exit(126);
	if (c->job)
		zcl_sandbox_confine_compiler(c->job); /* no bwrap: Landlock is the view */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	execvpe(argv[0], argv, c->envp);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Run argv under c's walls with stdin from /dev/null, capturing stdout and
 * stderr (the first c->cap bytes) and killing the whole group after
 * ZCL_CC_WALL_S. Fills c->out, truncated, timed_out, status. */
static void run_capture(char *const argv[], struct cc_run *c)
{
	int p[2];
	c->out = NULL;
	c->truncated = c->timed_out = false;
	c->status = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0)
		cc_child(argv, c, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	size_t len = 0;
	char *buf = malloc(c->cap + 1);
	time_t start = time(NULL);
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		int k = poll(&pf, 1, 200);
		if (k < 0 && errno == EINTR)
			continue;
		if (time(NULL) - start > ZCL_CC_WALL_S) {
			kill(-pid, SIGKILL); /* the driver and cc1, as, ld under it (or bwrap) */
			c->timed_out = true;
			break;
		}
		if (k == 0)
			continue;
		char tmp[4096];
		ssize_t n = read(p[0], tmp, sizeof tmp);
		if (n <= 0)
			break;
		size_t take = buf && len < c->cap ? ((size_t)n < c->cap - len ? (size_t)n : c->cap - len) : 0;
		if (take)
			memcpy(buf + len, tmp, take);
		len += take;
		c->truncated |= take < (size_t)n;
	}
	close(p[0]);
	if (buf)
		buf[len] = 0;
	c->out = buf;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* nothing of the compiler outlives it */
	c->status = st;
}

/* The lab's limit the compiler hit, as a sentence, or NULL. */
static const char *limit_hit(const struct cc_run *c)
{
	static char why[160];
	const char *o = c->out ? c->out : "";
	if (c->timed_out)
		snprintf(why, sizeof why, "the compiler ran past the lab's wall-clock limit (%d s) and was stopped",
			 ZCL_CC_WALL_S);
	else if (strstr(o, "CPU time limit") || (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGXCPU))
		snprintf(why, sizeof why, "the compiler hit the lab's CPU-time limit (%d s)", ZCL_CC_CPU_S);
	else if (strstr(o, "File size limit") || strstr(o, "signal 25") ||
		 (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGXFSZ))
		snprintf(why, sizeof why, "the compiler hit the lab's file-size limit (%llu MiB)",
			 (unsigned long long)(ZCL_CC_FSIZE >> 20));
	else if (strstr(o, "out of memory") || strstr(o, "memory exhausted") || strstr(o, "Cannot allocate memory") ||
		 (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL))
		snprintf(why, sizeof why, "the compiler hit the lab's memory limit (%llu MiB)",
			 (unsigned long long)(ZCL_CC_AS >> 20));
	else
		return NULL;
	return why;
}

/* In the compiler's view a file outside it does not exist ("fatal error:
 * PATH: No such file or directory"; Landlock, without bwrap: "Permission
 * denied") for an #include by absolute or parent path. Say why, as the
 * include check would have. True when found. */
static bool outside_view(const char *out, char **diag)
{
	const char *m = strstr(out, "fatal error: ");
	if (!m)
		return false;
	m += strlen("fatal error: ");
	size_t n = strcspn(m, ":\n");
	bool hidden = !strncmp(m + n, ": No such file", 14) || !strncmp(m + n, ": Permission denied", 19);
	if (!hidden || (m[0] != '/' && !memmem(m, n, "../", 3)))
		return false;
	if (asprintf(diag, "your exercise includes %.*s: a stage may include only system headers and zcl.h "
		     "(the compiler cannot see anything else)\n", (int)n, m) < 0)
		*diag = NULL;
	return true;
}

/*
 * A submission may include system headers and zcl.h, nothing else: an
 * #include of the reference solution would pass the stage with code that
 * is not the student's. This is the second line: the first is the
 * compiler's view (bwrap), where nothing else exists. The preprocessor runs
 * with the real build's flags and -H, which prints every header it opens on
 * a line of its own (". /usr/include/stdio.h"), so no path needs unquoting
 * and all of them are read. Each must be a system header or the lab's
 * zcl.h. Returns true when the source is clean or cannot be preprocessed
 * (the compiler then reports the error); false with *diag saying which file.
 */
static bool includes_ok(struct cc_run *c, char *argv[], const char *header, char **diag)
{
	c->cap = 16u << 20;
	run_capture(argv, c);
	bool ok = true;
	if (c->out && c->truncated) {
		ok = false;
		if (asprintf(diag, "zcl: the preprocessor listed more than %zu MiB of headers\n", c->cap >> 20) < 0)
			*diag = NULL;
	}
	if (c->out && ok && outside_view(c->out, diag)) {
		free(c->out);
		return false;
	}
	if (!c->out || !WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0) {
		free(c->out);
		return ok;
	}
	static const char *const system[] = {"/usr/include/", "/usr/local/include/", "/usr/lib/gcc/",
					     "/usr/lib/llvm"};
	char *save = NULL;
	for (char *line = strtok_r(c->out, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '.')
			continue; /* a diagnostic, not a header */
		const char *path = line + strspn(line, ".");
		path += *path == ' ';
		char real[PATH_MAX];
		if (!realpath(path, real))
			snprintf(real, sizeof real, "%s", path);
		bool sys = false;
		for (size_t i = 0; i < sizeof system / sizeof system[0]; i++)
			sys = sys || strncmp(real, system[i], strlen(system[i])) == 0;
		if (sys || !strcmp(path, header) || !strcmp(real, header))
			continue;
		ok = false;
		if (asprintf(diag, "your exercise includes %s: a stage may include only system headers and zcl.h\n",
			     path) < 0)
			*diag = NULL;
	}
	free(c->out);
	return ok;
}

/* A job directory for one compile: JOB/src (the copies, read-only to the
 * compiler) and JOB/tmp (its temporaries and the binary, its own). */
static int make_job(char *job, size_t len, uid_t uid, const char *const from[3], const char *const names[3])
{
	snprintf(job, len, "%s/zcl-XXXXXX", zcl_scratch_base());
	if (!mkdtemp(job) || chmod(job, 0755) < 0)
		return -1;
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/src", job);
	if (mkdir(p, 0755) < 0)
		return -1;
	for (int i = 0; i < 3; i++) { /* [0] is the student's: never through a link */
		snprintf(p, sizeof p, "%s/src/%s", job, names[i]);
		if (zcl_copy_file(from[i], p, 0644, i == 0 ? 0 : ZCL_COPY_FOLLOW) < 0)
			return -1;
	}
	snprintf(p, sizeof p, "%s/tmp", job);
	if (mkdir(p, 0700) < 0 || (geteuid() == 0 && chown(p, uid, uid) < 0))
		return -1;
	return 0;
}

/* The compiler's argv: through bwrap when it can be had, else as is. */
static char **wrap(bool bw, const char *job, char *cmd[])
{
	if (!bw) {
		size_t n = 0;
		while (cmd[n])
			n++;
		char **v = malloc((n + 1) * sizeof *v);
		if (v)
			memcpy(v, cmd, (n + 1) * sizeof *v);
		return v;
	}
	static char src[PATH_MAX], tmp[PATH_MAX];
	snprintf(src, sizeof src, "%s/src", job);
	snprintf(tmp, sizeof tmp, "%s/tmp", job);
	return zcl_bwrap_argv(src, tmp, cmd);
}

/* Preprocess (the include check), then compile into JOB/tmp/stage.
 * 0 built, 1 rejected (*diag says why), -1 the compiler cannot run. */
static int compile(const struct zcl_stage *s, const char *job, struct cc_run *c, char **diag)
{
	bool bw = zcl_bwrap_usable();
	c->job = bw ? NULL : job;
	char dir[PATH_MAX], srcf[PATH_MAX + 16], harness[PATH_MAX + 16], header[PATH_MAX + 16], inc[PATH_MAX + 16],
		out[PATH_MAX + 16], def[64];
	snprintf(dir, sizeof dir, "%s/src", job);
	const char *d = bw ? ZCL_BWRAP_SRC : dir;
	snprintf(srcf, sizeof srcf, "%s/%02d-%s.c", d, s->num, s->slug);
	snprintf(harness, sizeof harness, "%s/harness.c", d);
	snprintf(header, sizeof header, "%s/zcl.h", d);
	snprintf(inc, sizeof inc, "-I%s", d);
	snprintf(out, sizeof out, "%s/stage", bw ? ZCL_BWRAP_TMP : "."); /* cwd: JOB/tmp without bwrap */
	snprintf(def, sizeof def, "-DZCL_CONTRACT_%s", zcl_contract_info(s->contract)->macro);
	const char *cc = getenv("CC");
	if (!cc || !*cc)
		cc = "cc";
	char *pre[] = {(char *)cc, "-std=gnu17", "-O2", "-g", def, inc, "-E", "-H", "-o", "/dev/null", srcf, NULL};
	/* the row's extra link flags (libs: "-luring") go last, after the sources */
	char *full[] = {(char *)cc, "-std=gnu17", "-O2", "-g", "-Wall", "-Wextra", def, inc, "-o", out, harness,
			srcf, s->libs ? (char *)s->libs : NULL, NULL};
	char **a = wrap(bw, job, pre), **b = wrap(bw, job, full);
	int ret = -1;
	if (!a || !b)
		goto done;
	if (!includes_ok(c, a, header, diag)) {
		ret = 1;
		goto done;
	}
	c->cap = DIAG_MAX;
	run_capture(b, c);
	*diag = c->out;
	const char *why = limit_hit(c);
	if (why) {
		char *old = *diag;
		if (asprintf(diag, "%s\n%s", why, old ? old : "") < 0)
			*diag = NULL;
		free(old);
		ret = 1;
	} else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0) {
		ret = 0;
	} else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 127 && *diag &&
		   strstr(*diag, strerror(ENOENT))) {
		ret = -1; /* no compiler */
	} else {
		ret = 1;
	}
done:
	free(a);
	free(b);
	return ret;
}

int zcl_build_stage(const struct zcl_stage *s, bool solution, const char *out_dir,
		    char *bin, size_t binlen, char **diag, char *err, size_t errlen)
{
	char src[PATH_MAX], harness[PATH_MAX], header[PATH_MAX], name[64];
	*diag = NULL;
	zcl_stage_source(s, solution, src, sizeof src);
	snprintf(harness, sizeof harness, "%s/lab/harness.c", zcl_root());
	snprintf(header, sizeof header, "%s/exercises/zcl.h", zcl_root());
	if (mtime_ns(src) < 0) {
		if (solution && errno == ENOENT)
			snprintf(err, errlen, "%s: missing: this copy of the lab has no solutions/ "
				 "(--solution, tour and selfcheck need it)", src);
		else
			snprintf(err, errlen, "%s: cannot read the stage's source: %s", src, strerror(errno));
		return -1;
	}
	if (mtime_ns(harness) < 0) {
		snprintf(err, errlen, "%s: missing (set ZCL_ROOT to the lab's directory)", harness);
		return -1;
	}
	if (mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: mkdir: %s", out_dir, strerror(errno));
		return -1;
	}
	snprintf(bin, binlen, "%s/%02d-%s%s", out_dir, s->num, s->slug, solution ? "-solution" : "");
	int64_t b = mtime_ns(bin);
	if (b > mtime_ns(src) && b > mtime_ns(harness) && b > mtime_ns(header))
		return 0;

	char job[PATH_MAX / 2];
	snprintf(name, sizeof name, "%02d-%s.c", s->num, s->slug);
	struct stat lst;
	if (!solution && (lstat(src, &lst) < 0 || !S_ISREG(lst.st_mode))) {
		/* the student's own doing: a verdict, never the grader's error */
		if (asprintf(diag, "%s: %s: the lab compiles only a regular file of yours (put the code "
				   "itself in the file)\n", name,
			     S_ISLNK(lst.st_mode) ? "a symbolic link" : "not a regular file") < 0)
			*diag = NULL;
		return 1;
	}
	const char *const from[3] = {src, harness, header}, *const names[3] = {name, "harness.c", "zcl.h"};
	uid_t uid = geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
	if (make_job(job, sizeof job, uid, from, names) < 0) {
		snprintf(err, errlen, "%s: cannot prepare the compiler's directory: %s", job, strerror(errno));
		zcl_rm_rf(job);
		return -1;
	}
	struct zcl_memcg mcg;
	zcl_memcg_create(&mcg, ZCL_CC_AS);
	char tmpdir[PATH_MAX];
	snprintf(tmpdir, sizeof tmpdir, "%s/tmp", job);
	char tmp_env[PATH_MAX + 8];
	snprintf(tmp_env, sizeof tmp_env, "TMPDIR=%s", tmpdir); /* its temporaries stay in the job */
	char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", tmp_env, NULL};
	struct cc_run c = {.memcg = &mcg, .uid = uid, .cwd = tmpdir, .envp = envp};
	int rc = compile(s, job, &c, diag);
	bool oom = zcl_memcg_destroy(&mcg);
	if (rc == 1 && oom && !strstr(*diag ? *diag : "", "memory limit")) {
		char *old = *diag;
		if (asprintf(diag, "the compiler hit the lab's memory limit (%llu MiB)\n%s",
			     (unsigned long long)(ZCL_CC_AS >> 20), old ? old : "") < 0)
			*diag = NULL;
		free(old);
	}
	if (rc < 0) {
		const char *cc = getenv("CC");
		snprintf(err, errlen, "%s: C compiler not found (apt-get install gcc, or set CC)", cc && *cc ? cc : "cc");
		free(*diag);
		*diag = NULL;
	}
	/* Copy to a private name and rename: a run started meanwhile (tests
	 * and graders run in parallel) sees the old binary or the new one,
	 * never half of one. */
	char built[PATH_MAX], tmp[PATH_MAX + 32];
	snprintf(built, sizeof built, "%s/tmp/stage", job);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", bin, (int)getpid());
	if (rc == 0 && (zcl_copy_file(built, tmp, 0755, 0) < 0 || rename(tmp, bin) < 0)) {
		snprintf(err, errlen, "%s: cannot store the binary: %s", bin, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	zcl_rm_rf(job);
	return rc;
}
