/*
 * hostile_run.c - the lab process and the after-checks of test_hostile.c.
 *
 * A case runs in a "lab process" forked from the test: it builds and runs
 * the stage through zcl_run_stage and writes a struct wire back through a
 * pipe, so the submission can only reach that process (its parent, the
 * tracer), never the test. With H_PIDNS the lab runs under an init of a
 * fresh PID namespace, which reports the lab's wait status and then holds
 * the namespace until the test has looked for survivors. The after-checks
 * read /proc and the fake root; see hostile_run.h for each contract.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile_run.h"
#include "copyfile.h"
#include "build.h"
#include "memcg.h"
#include "rundir.h"
#include "runner.h"
#include "stages.h"
#include "view.h"

/* ---- the lab process and its result ---- */

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		c += k;
		n -= (size_t)k;
	}
}

int hostile_tty_slave = -1;
bool hostile_in_grade;

/* The lab process's circumstances the case asks for (flags). */
static void circumstances(const struct hostile_case *c)
{
	if (c->flags & H_BASIC)
		setenv("ZCL_SANDBOX_LAYERS", "basic", 1);
	if (c->flags & H_STACK_UNLIMITED) {
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
		setrlimit(RLIMIT_STACK, &rl);
	}
	if ((c->flags & H_TTY) && hostile_tty_slave >= 0) {
		setsid();
		ioctl(hostile_tty_slave, TIOCSCTTY, 0);
	}
	if ((c->flags & H_NOBODY) && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
		_exit(5);
	/* A user who starts zcl gets a dumpable process (execve makes it so);
	 * setuid() from root here made this one undumpable, which would
	 * forbid PTRACE_SEIZE of its own children. */
	if (c->flags & H_NOBODY)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* The reference solution of the case's stage (the test put it in the
 * fake root's solutions/), built before the submission runs. 0 or -1. */
static int build_reference(struct wire *w)
{
	char dir[4096], bin[4096], err[256], *diag = NULL;
	int rc = zcl_build_dir(dir, sizeof dir) == 0 ?
			 zcl_build_stage(w->r.stage, true, dir, bin, sizeof bin, &diag, err, sizeof err) : -1;
	if (rc != 0)
		snprintf(w->later_reason, sizeof w->later_reason, "the reference did not build: %.200s",
			 rc < 0 ? err : (diag ? diag : "?"));
	free(diag);
	return rc == 0 ? 0 : -1;
}

/* Then run it in the same grade: nothing the submission did may reach it. */
static void later_run(struct wire *w)
{
	static struct zcl_run r;
	r = (struct zcl_run){.stage = w->r.stage, .solution = true, .size = 10000, .seed = 7, .sg = true,
			     .timeout_s = 10, .inject = ZI_NONE};
	char err[256];
	w->later_rc = zcl_run_stage(&r, err, sizeof err);
	w->later_verdict = r.verdict;
	snprintf(w->later_reason, sizeof w->later_reason, "%s", w->later_rc ? err : r.reason);
	struct zcl_view v;
	char dir[4096];
	w->later_template = zcl_rundir_open(dir, sizeof dir, err, sizeof err) == 0 &&
			    (zcl_view_prepare(&v, dir, 0, 0), v.tmpl_fd >= 0);
}

/* Put the lab's reference for stage num into root/solutions/ (in the test,
 * before the snapshot of the fake root). */
void hostile_add_reference(const char *root, int num)
{
	char exe[PATH_MAX] = "", to[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1); /* ROOT/build/test_zcl */
	char *cut = n > 0 ? (exe[n] = 0, strstr(exe, "/build/test_zcl")) : NULL;
	cr_assert_not_null(cut, "the test binary is ROOT/build/test_zcl: %s", exe);
	*cut = 0;
	char name[8];
	snprintf(name, sizeof name, "%d", num);
	const struct zcl_stage *s = zcl_stage_find(name);
	snprintf(to, sizeof to, "%s/solutions", root);
	mkdir(to, 0755);
	snprintf(to + strlen(to), sizeof to - strlen(to), "/%02d-%s.c", s->num, s->slug);
	snprintf(exe + strlen(exe), sizeof exe - strlen(exe), "/solutions/%02d-%s.c", s->num, s->slug);
	cr_assert_eq(zcl_copy_file(exe, to, 0644, 0), 0, "%s: %s", to, strerror(errno));
}

/* In the lab process: run the stage, send the wire, exit. Never returns. */
static _Noreturn void lab_main(const struct hostile_case *c, int out)
{
	static struct wire w;
	circumstances(c);
	char name[8];
	snprintf(name, sizeof name, "%d", c->stage);
	w.r = (struct zcl_run){
		.stage = zcl_stage_find(name), .size = 10000, .seed = 7, .sg = true,
		.timeout_s = c->timeout_s, .inject = ZI_NONE,
	};
	bool later = hostile_in_grade && build_reference(&w) == 0;
	w.later_rc = -1;
	if (hostile_in_grade) {
		zcl_rundir_keep(true);
		zcl_memcg_keep(true);
	}
	w.rc = zcl_run_stage(&w.r, w.err, sizeof w.err);
	if (later)
		later_run(&w);
	if (hostile_in_grade) {
		zcl_memcg_keep(false);
		zcl_rundir_keep(false);
	}
	if (w.r.diag)
		snprintf(w.diag, sizeof w.diag, "%s", w.r.diag);
	write_all(out, &w, sizeof w);
	_exit(0);
}

#define NS_FAILED (-2) /* ns_init's "wait status" when it could not set up */

/* The PID namespace's init: a fresh /proc (the lab reads /proc/PID of its
 * children), the lab process, its wait status onto `out`, then hold the
 * namespace until the test has looked for survivors (`hold` closes). */
static _Noreturn void ns_init(const struct hostile_case *c, int out, int hold)
{
	int st = NS_FAILED;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		write_all(out, &st, sizeof st);
		_exit(3);
	}
	pid_t w = fork();
	if (w == 0) {
		close(hold);
		lab_main(c, out);
	}
	for (pid_t p; w > 0 && (p = waitpid(-1, &st, 0)) != w;)
		if (p < 0 && errno != EINTR)
			break;
	write_all(out, &st, sizeof st);
	close(out);
	char x;
	while (read(hold, &x, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

bool contained_run(const struct hostile_case *c, struct contained *o, pid_t *ns_pid, int *hold)
{
	int res[2], rel[2] = {-1, -1};
	memset(o, 0, sizeof *o);
	o->status = -1;
	*ns_pid = 0;
	*hold = -1;
	cr_assert_eq(pipe2(res, O_CLOEXEC), 0);
	bool ns = c->flags & H_PIDNS;
	if (ns && (unshare(CLONE_NEWPID) < 0 || pipe2(rel, O_CLOEXEC) < 0)) {
		int e = errno;
		close(res[0]);
		close(res[1]);
		errno = e;
		return false;
	}
	double t0 = now();
	pid_t top = fork();
	if (top == 0) {
		close(res[0]);
		if (ns) {
			close(rel[1]);
			ns_init(c, res[1], rel[0]);
		}
		lab_main(c, res[1]);
	}
	cr_assert_geq(top, 0, "fork: %s", strerror(errno));
	close(res[1]);
	if (ns) {
		close(rel[0]);
		*ns_pid = top;
		*hold = rel[1];
	}
	static char buf[sizeof o->w + sizeof(int)];
	size_t len = 0;
	double deadline = t0 + c->timeout_s + HANG_S;
	for (;;) {
		double left = deadline - now();
		if (left <= 0) {
			o->hung = true;
			kill(top, SIGKILL); /* the tracer's death takes its tracees (EXITKILL), init's the namespace */
			break;
		}
		struct pollfd pf = {res[0], POLLIN, 0};
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		ssize_t n = read(res[0], buf + len, sizeof buf - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof o->w)
			o->elapsed = now() - t0;
	}
	close(res[0]);
	if (!o->elapsed)
		o->elapsed = now() - t0;
	o->have = len >= sizeof o->w;
	if (o->have) {
		memcpy(&o->w, buf, sizeof o->w);
		o->w.r.diag = NULL;
	}
	if (ns) {
		if (len == sizeof o->w + sizeof(int))
			memcpy(&o->status, buf + sizeof o->w, sizeof(int));
		else if (len == sizeof(int))
			memcpy(&o->status, buf, sizeof(int));
	} else {
		while (waitpid(top, &o->status, 0) < 0 && errno == EINTR)
			;
	}
	if (o->status == NS_FAILED) {
		close(*hold);
		waitpid(top, NULL, 0);
		*ns_pid = 0;
		errno = EPERM;
		return false;
	}
	return true;
}

/* ---- the after-checks ---- */

static size_t slurp_path(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;
	if (fd < 0) {
		buf[0] = 0;
		return 0;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* A listing of dir: name, type, size and an FNV-1a hash of the content
 * (or a symlink's target) per entry, appended to out. */
static void snapshot_dir(const char *root, const char *sub, char *out, size_t cap)
{
	char dir[PATH_MAX], p[PATH_MAX + 256];
	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	size_t used = strlen(out);
	if (n < 0) {
		snprintf(out + used, cap - used, "%s: missing\n", sub);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, name);
		if (strcmp(name, ".") && strcmp(name, "..") && lstat(p, &st) == 0) {
			unsigned long long h = 1469598103934665603ull;
			static char data[1 << 16];
			size_t len = 0;
			if (S_ISLNK(st.st_mode)) {
				ssize_t k = readlink(p, data, sizeof data - 1);
				len = k > 0 ? (size_t)k : 0;
			} else if (S_ISREG(st.st_mode)) {
				len = slurp_path(p, data, sizeof data);
			}
			for (size_t j = 0; j < len; j++)
				h = (h ^ (unsigned char)data[j]) * 1099511628211ull;
			used = strlen(out);
			snprintf(out + used, cap - used, "%s/%s %o %lld %016llx\n", sub, name, (unsigned)st.st_mode,
				 (long long)st.st_size, h);
		}
		free(ents[i]);
	}
	free(ents);
}

void snapshot(const char *root, char *out, size_t cap)
{
	out[0] = 0;
	snapshot_dir(root, "exercises", out, cap);
	snapshot_dir(root, "solutions", out, cap);
	snapshot_dir(root, "lab", out, cap);
}

void find_survivors(const char *root, pid_t group, const char *nslink, pid_t skip, struct survivors *s)
{
	memset(s, 0, sizeof *s);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	DIR *d = opendir("/proc");
	cr_assert_not_null(d);
	size_t rl = strlen(root);
	for (struct dirent *e; (e = readdir(d));) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == getpid() || pid == skip)
			continue;
		char path[64], buf[4096], exe[PATH_MAX] = "", ns[64] = "";
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if (!slurp_path(path, buf, sizeof buf))
			continue;
		char *rp = strrchr(buf, ')');
		char state = '?';
		int ppid = 0, pgrp = 0;
		if (!rp || sscanf(rp + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
			continue;
		bool match = group > 0 && pgrp == group;
		snprintf(path, sizeof path, "/proc/%ld/exe", pid);
		ssize_t k = readlink(path, exe, sizeof exe - 1);
		exe[k > 0 ? k : 0] = 0;
		match |= strncmp(exe, root, rl) == 0 && exe[rl] == '/';
		snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
		size_t cl = slurp_path(path, buf, sizeof buf);
		for (size_t i = 0; i < cl; i++)
			if (!buf[i])
				buf[i] = ' ';
		match |= strstr(buf, root) != NULL;
		if (nslink) {
			snprintf(path, sizeof path, "/proc/%ld/ns/pid", pid);
			k = readlink(path, ns, sizeof ns - 1);
			ns[k > 0 ? k : 0] = 0;
			match |= strcmp(ns, nslink) == 0;
		}
		if (!match)
			continue;
		if (state == 'Z' || state == 'X') {
			s->zombies++;
			continue;
		}
		s->alive++;
		size_t used = strlen(s->what);
		snprintf(s->what + used, sizeof s->what - used, "%s%ld (%c, %.200s)", used ? ", " : "", pid, state,
			 exe[0] ? exe : buf);
	}
	closedir(d);
}

int leftover_scratch(const char *root, char *what, size_t cap)
{
	(void)root; /* each case has a scratch base of its own (use_own_scratch) */
	const char *base = getenv("ZCL_SCRATCH");
	char p[PATH_MAX * 2];
	int n = 0;
	what[0] = 0;
	DIR *d = base ? opendir(base) : NULL;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (strncmp(e->d_name, "zcl-", 4) || strlen(e->d_name) != 10)
			continue;
		n++;
		snprintf(p, sizeof p, "%s/%s", base, e->d_name);
		snprintf(what + strlen(what), cap - strlen(what), "%.300s ", p);
		zcl_rm_rf(p);
	}
	closedir(d);
	return n;
}

void use_own_scratch(void)
{
	static char base[64];
	snprintf(base, sizeof base, "/var/tmp/zcl-hostile-XXXXXX");
	cr_assert_not_null(mkdtemp(base), "mkdtemp: %s", strerror(errno));
	chmod(base, 01777); /* a lab running as a normal user (H_NOBODY) writes here too */
	setenv("ZCL_SCRATCH", base, 1);
}

void drop_own_scratch(void)
{
	const char *base = getenv("ZCL_SCRATCH");
	if (base && strstr(base, "/zcl-hostile-"))
		zcl_rm_rf(base);
}

const char *escaped_path(void)
{
	static char p[PATH_MAX];
	const char *base = getenv("ZCL_SCRATCH");
	snprintf(p, sizeof p, "%s/" ESCAPED, base && *base ? base : "/var/tmp");
	return p;
}
