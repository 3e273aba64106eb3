/*
 * build.c - cc -DZCL_STAGE=N -Iexercises lab/harness.c NN-slug.c -o stage.
 *
 * The compiler runs as a child with its output captured in a pipe; a
 * compile error is a result the checker reports, never a crash of the lab.
 * Binaries are cached next to the sources' newest modification time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"

#define COMPILE_TIMEOUT_S 60
#define DIAG_MAX (64 * 1024)

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

/* Run argv in a process group of its own with stdin from /dev/null, capture
 * stdout+stderr into *out (malloc'd). Returns the exit status, -1 if it
 * could not run, -2 if it ran past COMPILE_TIMEOUT_S (the group is killed). */
static int run_capture(char *const argv[], char **out)
{
	bool timed_out = false;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	char *buf = malloc(DIAG_MAX + 1);
	time_t start = time(NULL);
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		int k = poll(&pf, 1, 1000);
		if (k < 0 && errno == EINTR)
			continue;
		if (time(NULL) - start > COMPILE_TIMEOUT_S) {
			kill(-pid, SIGKILL); /* the driver and cc1, as, ld under it */
			timed_out = true;
			break;
		}
		if (k == 0)
			continue;
		char tmp[4096];
		ssize_t n = read(p[0], tmp, sizeof tmp);
		if (n <= 0)
			break;
		if (buf && len < DIAG_MAX) {
			size_t take = (size_t)n < DIAG_MAX - len ? (size_t)n : DIAG_MAX - len;
			memcpy(buf + len, tmp, take);
			len += take;
		}
	}
	close(p[0]);
	if (buf)
		buf[len] = 0;
	*out = buf;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* nothing of the compiler outlives it */
	if (timed_out)
		return -2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * A submission may include system headers and zcl.h, nothing else: an
 * #include of the reference solution (by any path or macro) would pass the
 * stage with code that is not the student's. The preprocessor lists every
 * file the source pulls in (cc -M); each must be a system header (under
 * /usr/include, /usr/local/include or the compiler's own) or zcl.h. Returns true when the source is clean or cannot be
 * preprocessed (the compiler then reports the error); otherwise false with
 * *diag saying which file.
 */
static bool includes_ok(char *argv[], const char *src, const char *header, char **diag)
{
	char *out = NULL;
	int st = run_capture(argv, &out);
	if (st != 0 || !out) {
		free(out);
		return true;
	}
	char real_src[PATH_MAX], real_hdr[PATH_MAX], real[PATH_MAX];
	if (!realpath(src, real_src) || !realpath(header, real_hdr)) {
		free(out);
		return true;
	}
	bool ok = true;
	char *save = NULL;
	for (char *tok = strtok_r(out, " \t\n\\", &save); tok && ok; tok = strtok_r(NULL, " \t\n\\", &save)) {
		size_t n = strlen(tok);
		if (n == 0 || tok[n - 1] == ':' || !realpath(tok, real))
			continue; /* the target, or a name that is not a file */
		static const char *const system[] = {"/usr/include/", "/usr/local/include/", "/usr/lib/gcc/",
						     "/usr/lib/llvm"};
		bool sys = false;
		for (size_t i = 0; i < sizeof system / sizeof system[0]; i++)
			sys = sys || strncmp(real, system[i], strlen(system[i])) == 0;
		if (sys || !strcmp(real, real_src) || !strcmp(real, real_hdr))
			continue;
		ok = false;
		if (asprintf(diag, "%s: includes %s: a stage may include only system headers and zcl.h\n",
			     src, tok) < 0)
			*diag = NULL;
	}
	free(out);
	return ok;
}

int zcl_build_stage(const struct zcl_stage *s, bool solution, const char *out_dir,
		    char *bin, size_t binlen, char **diag, char *err, size_t errlen)
{
	char src[PATH_MAX], harness[PATH_MAX], header[PATH_MAX], inc[PATH_MAX + 2], def[32];
	*diag = NULL;
	zcl_stage_source(s, solution, src, sizeof src);
	snprintf(harness, sizeof harness, "%s/lab/harness.c", zcl_root());
	snprintf(header, sizeof header, "%s/exercises/zcl.h", zcl_root());
	snprintf(inc, sizeof inc, "-I%s/exercises", zcl_root());
	snprintf(def, sizeof def, "-DZCL_STAGE=%d", s->num);
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
	const char *cc = getenv("CC");
	if (!cc || !*cc)
		cc = "cc";
	char *deps[] = {(char *)cc, "-std=gnu17", def, inc, "-M", src, NULL};
	if (!includes_ok(deps, src, header, diag))
		return 1;
	/* Compile to a private name and rename: a run started meanwhile (tests
	 * and graders run in parallel) sees the old binary or the new one,
	 * never half of one. */
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", bin, (int)getpid());
	char *argv[] = {(char *)cc, "-std=gnu17", "-O2", "-g", "-Wall", "-Wextra", def, inc,
			"-o", tmp, harness, src, NULL};
	int st = run_capture(argv, diag);
	if (st == 0 && rename(tmp, bin) < 0) {
		snprintf(err, errlen, "%s: rename: %s", bin, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (st != 0)
		unlink(tmp);
	if (st == 127 && *diag && strstr(*diag, strerror(ENOENT))) {
		snprintf(err, errlen, "%s: C compiler not found (apt-get install gcc, or set CC)", cc);
		free(*diag);
		*diag = NULL;
		return -1;
	}
	if (st == -2) {
		free(*diag);
		if (asprintf(diag, "the compiler ran for more than %d s and was stopped\n", COMPILE_TIMEOUT_S) < 0)
			*diag = NULL;
		return 1;
	}
	if (st != 0)
		return 1;
	return 0;
}
