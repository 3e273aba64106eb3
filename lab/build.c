/*
 * build.c - a stage binary: the student's NN-slug.c compiled and linked
 * with the lab's harness (its main(); -DZCL_CONTRACT_<NAME> from the
 * stage's row says which function it calls), in the compiler's walls
 * (ccjail.c).
 *
 * The harness is the lab's, the same for every student: it is compiled
 * once per contract into an object named by a fingerprint of harness.c,
 * zcl.h, the flags and the compiler, and each build compiles only the
 * student's file and links it with that object, in one run of the
 * compiler. The same run prints every header it opens (-H) for the
 * include check (includes.c). A compile error, or a limit hit, is a
 * result the checker reports, never a crash of the lab. Binaries are
 * cached next to the sources' newest modification time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "buildahead.h"
#include "bwrap.h"
#include "ccjail.h"
#include "copyfile.h"
#include "fingerprint.h"
#include "includes.h"
#include "memcg.h"
#include "params.h"
#include "runner.h"
#include "sandbox.h"

#define DIAG_MAX (64 * 1024)       /* compiler output kept for the student, bytes */
#define LISTING_MAX (16u << 20)    /* compiler output read (the -H header list with it), bytes */

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


/* The flags of every compile, harness and stage alike (the object's
 * fingerprint covers them). -fno-use-linker-plugin (no LTO plugin loaded:
 * no object here is LTO) changes nothing in the program and takes 1.5 ms
 * off each stage's 40. (-pipe would take 4 more, but a 1 GiB initialised
 * array then meets the 10 s CPU wall instead of the file-size wall at once.) */
static const char *const cflags[] = {"-std=gnu17", "-O2", "-g", "-Wall", "-Wextra", "-fno-use-linker-plugin"};
#define NFLAGS (sizeof cflags / sizeof cflags[0])

/* Is flag f of cflags used? -g is not where ZCL_DEBUG_INFO=no (a class
 * grade: nobody runs a debugger on its binaries): it changes no
 * instruction (gcc(1), -g) and costs 4 ms of a stage's 35. */
static bool flag_used(const char *f)
{
	const char *d = getenv("ZCL_DEBUG_INFO");
	return strcmp(f, "-g") != 0 || !d || strcmp(d, "no") != 0;
}

/* The linker flag: gold when binutils has it (it links a stage in 11 ms
 * where ld.bfd takes 16, the same program: the code is the compiler's),
 * else the compiler's default ("-fuse-ld=bfd", said for a steady argv). */
static char *linker(void)
{
	static int gold = -1;
	if (gold < 0)
		gold = access("/usr/bin/ld.gold", X_OK) == 0;
	return gold ? "-fuse-ld=gold" : "-fuse-ld=bfd";
}

static const char *compiler(void)
{
	const char *cc = getenv("CC");
	return cc && *cc ? cc : "cc";
}

/* ---- one compile: a job directory, the walls, the environment ---- */

struct job {
	char dir[PATH_MAX / 2];
	char src[PATH_MAX];             /* the sources, as the compiler sees them */
	char tmpdir[PATH_MAX / 2 + 8], tmp_env[PATH_MAX / 2 + 16];
	char *envp[4];
	bool bw;
	struct zcl_memcg mcg;
	struct zcl_cc_run c;
};

/* Copies of from[] (named names[]) in a new job, and the compiler's walls.
 * 0, or -1 with err (nothing left behind). */
static int job_open(struct job *j, const char *const from[], const char *const names[], size_t n,
		    bool students, char *err, size_t errlen)
{
	memset(j, 0, sizeof *j);
	uid_t uid = geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
	if (zcl_cc_make_job(j->dir, sizeof j->dir, uid, from, names, n, students) < 0) {
		snprintf(err, errlen, "%s: cannot prepare the compiler's directory: %s", j->dir, strerror(errno));
		zcl_rm_rf(j->dir);
		return -1;
	}
	j->bw = zcl_bwrap_usable();
	if (j->bw)
		snprintf(j->src, sizeof j->src, "%s", ZCL_BWRAP_SRC);
	else
		snprintf(j->src, sizeof j->src, "%s/src", j->dir);
	snprintf(j->tmpdir, sizeof j->tmpdir, "%s/tmp", j->dir);
	snprintf(j->tmp_env, sizeof j->tmp_env, "TMPDIR=%s", j->tmpdir); /* its temporaries stay in the job */
	j->envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
	j->envp[1] = "LC_ALL=C";
	j->envp[2] = j->tmp_env;
	zcl_memcg_create(&j->mcg, ZCL_CC_AS);
	j->c = (struct zcl_cc_run){.memcg = &j->mcg, .uid = uid, .cwd = j->tmpdir, .envp = j->envp,
				   .job = j->bw ? NULL : j->dir, .cap = LISTING_MAX};
	return 0;
}

/* cc FLAGS -DZCL_CONTRACT_<macro> -I<src> extra... in the job's walls. */
static void job_cc(struct job *j, const struct zcl_stage *s, char *const extra[])
{
	char def[64], inc[PATH_MAX + 4];
	snprintf(def, sizeof def, "-DZCL_CONTRACT_%s", zcl_contract_info(s->contract)->macro);
	snprintf(inc, sizeof inc, "-I%s", j->src);
	char *cmd[NFLAGS + 16];
	size_t k = 0;
	cmd[k++] = (char *)compiler();
	for (size_t i = 0; i < NFLAGS; i++)
		if (flag_used(cflags[i]))
			cmd[k++] = (char *)cflags[i];
	cmd[k++] = def;
	cmd[k++] = inc;
	for (size_t i = 0; extra[i] && k < sizeof cmd / sizeof cmd[0] - 1; i++)
		cmd[k++] = extra[i];
	cmd[k] = NULL;
	char **argv = zcl_cc_argv(j->bw, j->dir, cmd);
	j->c.status = -1; /* no run (out of memory) unless zcl_cc_run says otherwise */
	if (argv)
		zcl_cc_run(argv, &j->c);
	free(argv);
}

/* The compiler's product inside the job, as the compiler names it (bwrap:
 * its TMP; else relative to its cwd, JOB/tmp). */
static void job_product(const struct job *j, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", j->bw ? ZCL_BWRAP_TMP : ".", name);
}

/* What the run said: 0 built, 1 rejected (*diag, malloc'd), -1 no compiler,
 * or it could not be started (err). Takes j->c.out. */
static int job_verdict(struct job *j, char **diag, char *err, size_t errlen)
{
	struct zcl_cc_run *c = &j->c;
	const char *why = zcl_cc_limit_hit(c); /* it reads the output: first */
	*diag = c->out;
	c->out = NULL;
	if (*diag && strlen(*diag) > DIAG_MAX)
		(*diag)[DIAG_MAX] = 0;
	if (why) {
		char *old = *diag;
		if (asprintf(diag, "%s\n%s", why, old ? old : "") < 0)
			*diag = NULL;
		free(old);
		return 1;
	}
	if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0)
		return 0;
	if (c->status == -1 || (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 127 && *diag &&
				strstr(*diag, strerror(ENOENT)))) {
		snprintf(err, errlen, "%s: C compiler not found (apt-get install gcc, or set CC)", compiler());
		free(*diag);
		*diag = NULL;
		return -1;
	}
	return 1;
}

/* Store the job's product name as dest (a private name, then rename: a run
 * started meanwhile, tests and graders run in parallel, sees the old file
 * or the new, never half of one) when rc is 0; then the walls and the job
 * go. rc, or -1 with err when it could not be stored. */
static int job_close(struct job *j, int rc, const char *name, const char *dest, char **diag, char *err,
		     size_t errlen)
{
	bool oom = zcl_memcg_destroy(&j->mcg);
	if (rc == 1 && oom && !strstr(*diag ? *diag : "", "memory limit")) {
		char *old = *diag;
		if (asprintf(diag, "the compiler hit the lab's memory limit (%llu MiB)\n%s",
			     (unsigned long long)(ZCL_CC_AS >> 20), old ? old : "") < 0)
			*diag = NULL;
		free(old);
	}
	char built[PATH_MAX + 64], tmp[PATH_MAX + 32];
	snprintf(built, sizeof built, "%s/%s", j->tmpdir, name);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", dest, (int)getpid());
	if (rc == 0 && (zcl_copy_file(built, tmp, 0755, 0) < 0 || rename(tmp, dest) < 0)) {
		snprintf(err, errlen, "%s: cannot store %s: %s", dest, name, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	free(j->c.out);
	zcl_rm_rf(j->dir);
	return rc;
}

/* ---- the harness, once per contract ---- */

/* Where the compiler program is, to tell one compiler from another: the
 * CC name and the inode, size and time of the file PATH finds for it. */
static uint64_t compiler_id(uint64_t h)
{
	const char *cc = compiler();
	h = zcl_fnv(h, cc, strlen(cc) + 1);
	static const char *const dirs[] = {"", "/usr/local/bin/", "/usr/bin/", "/bin/"};
	for (size_t i = strchr(cc, '/') ? 0 : 1; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof p, "%s%s", dirs[i], cc);
		if (stat(p, &st) == 0) {
			int64_t id[3] = {(int64_t)st.st_ino, (int64_t)st.st_size, (int64_t)st.st_mtime};
			return zcl_fnv(h, id, sizeof id);
		}
		if (!i)
			break;
	}
	return h;
}

/* harness-<MACRO>-<fingerprint>.o for s, from ROOT's harness.c and zcl.h. */
static void harness_name(const struct zcl_stage *s, char *buf, size_t len)
{
	char p[PATH_MAX];
	const char *macro = zcl_contract_info(s->contract)->macro;
	uint64_t h = zcl_fnv(ZCL_FNV_START, macro, strlen(macro) + 1);
	snprintf(p, sizeof p, "%s/lab/harness.c", zcl_root());
	h = zcl_fnv_file(h, p);
	snprintf(p, sizeof p, "%s/exercises/zcl.h", zcl_root());
	h = zcl_fnv_file(h, p);
	for (size_t i = 0; i < NFLAGS; i++)
		if (flag_used(cflags[i]))
			h = zcl_fnv(h, cflags[i], strlen(cflags[i]) + 1);
	h = compiler_id(h);
	snprintf(buf, len, "harness-%s-%016llx.o", macro, (unsigned long long)h);
}

/* The harness object for s in obj: found in $ZCL_HARNESS_DIR (a class
 * grade's, zcl_build_harnesses) or dir, else compiled into dir. 0, 1 when
 * the harness did not compile (*diag), -1 with err. */
static int harness_object(const struct zcl_stage *s, const char *dir, char *obj, size_t len, char **diag,
			  char *err, size_t errlen)
{
	char name[128], harness[PATH_MAX], header[PATH_MAX];
	harness_name(s, name, sizeof name);
	const char *shared = getenv("ZCL_HARNESS_DIR");
	if (shared && *shared) {
		snprintf(obj, len, "%s/%s", shared, name);
		if (access(obj, R_OK) == 0)
			return 0;
	}
	snprintf(obj, len, "%s/%s", dir, name);
	if (access(obj, R_OK) == 0)
		return 0;
	snprintf(harness, sizeof harness, "%s/lab/harness.c", zcl_root());
	snprintf(header, sizeof header, "%s/exercises/zcl.h", zcl_root());
	const char *const from[] = {harness, header}, *const names[] = {"harness.c", "zcl.h"};
	struct job j;
	if (job_open(&j, from, names, 2, false, err, errlen) < 0)
		return -1;
	char src[PATH_MAX + 16], out[PATH_MAX];
	snprintf(src, sizeof src, "%s/harness.c", j.src);
	job_product(&j, "harness.o", out, sizeof out);
	char *extra[] = {"-c", "-o", out, src, NULL};
	job_cc(&j, s, extra);
	int rc = job_verdict(&j, diag, err, errlen);
	return job_close(&j, rc, "harness.o", obj, diag, err, errlen);
}

int zcl_build_harnesses(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: mkdir: %s", dir, strerror(errno));
		return -1;
	}
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	for (size_t i = 0; i < n; i++) {
		char obj[PATH_MAX], *diag = NULL;
		int rc = harness_object(&st[i], dir, obj, sizeof obj, &diag, err, errlen);
		if (rc == 1)
			snprintf(err, errlen, "the lab's harness does not compile for stage %d: %.200s", st[i].num,
				 diag ? diag : "");
		free(diag);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- the student's file ---- */

/* Compile the student's file and link it with the harness object, one run
 * of the compiler with -H; then the include check. 0 built (JOB/tmp/stage
 * stored as bin), 1 rejected (*diag says why), -1 err. */
static int compile(const struct zcl_stage *s, const char *src, const char *obj, const char *bin, char **diag,
		   char *err, size_t errlen)
{
	char name[64], header[PATH_MAX];
	snprintf(name, sizeof name, "%02d-%s.c", s->num, s->slug);
	snprintf(header, sizeof header, "%s/exercises/zcl.h", zcl_root());
	const char *const from[] = {src, obj, header}, *const names[] = {name, "harness.o", "zcl.h"};
	struct job j;
	if (job_open(&j, from, names, 3, true, err, errlen) < 0)
		return -1;
	char srcf[PATH_MAX + 80], hobj[PATH_MAX + 16], out[PATH_MAX], seen[PATH_MAX + 16];
	snprintf(srcf, sizeof srcf, "%s/%s", j.src, name);
	snprintf(hobj, sizeof hobj, "%s/harness.o", j.src);
	snprintf(seen, sizeof seen, "%s/zcl.h", j.src);
	job_product(&j, "stage", out, sizeof out);
	/* the row's extra link flags (libs: "-luring") go last, after the sources */
	char *extra[] = {"-H", "-o", out, linker(), hobj, srcf, s->libs ? (char *)s->libs : NULL, NULL};
	job_cc(&j, s, extra);
	char *bad = zcl_take_headers(j.c.out, seen);
	int rc;
	if (j.c.truncated && !zcl_cc_limit_hit(&j.c)) {
		rc = 1; /* the header list may be cut short: it cannot be checked */
		if (asprintf(diag, "zcl: the compiler printed more than %u MiB (its header list and diagnostics)\n",
			     LISTING_MAX >> 20) < 0)
			*diag = NULL;
	} else if (!zcl_cc_limit_hit(&j.c) && j.c.out && zcl_include_outside_view(j.c.out, diag)) {
		rc = 1;
	} else if (!zcl_cc_limit_hit(&j.c) && bad) {
		rc = 1;
		*diag = zcl_include_refused(bad);
	} else {
		rc = job_verdict(&j, diag, err, errlen);
	}
	free(bad);
	return job_close(&j, rc, "stage", bin, diag, err, errlen);
}

int zcl_build_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/build", zcl_root());
	if (access(buf, W_OK) != 0 && mkdir(buf, 0755) < 0)
		return -1;
	snprintf(buf, len, "%s/build/stages", zcl_root());
	return 0;
}

int zcl_build_stage(const struct zcl_stage *s, bool solution, const char *out_dir,
		    char *bin, size_t binlen, char **diag, char *err, size_t errlen)
{
	char src[PATH_MAX], harness[PATH_MAX], header[PATH_MAX], name[64], obj[PATH_MAX];
	*diag = NULL;
	zcl_build_ahead_wait(s); /* a helper may be building it right now (buildahead.c) */
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
	int rc = harness_object(s, out_dir, obj, sizeof obj, diag, err, errlen);
	if (rc != 0)
		return rc; /* the harness itself did not compile (zcl.h changed?): its errors are the verdict */
	free(*diag); /* what the harness's compiler printed, when it built it: not the student's */
	*diag = NULL;
	return compile(s, src, obj, bin, diag, err, errlen);
}
