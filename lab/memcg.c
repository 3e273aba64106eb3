/*
 * memcg.c - one memory cgroup per run, v1 or v2.
 *
 * Our own cgroup is read from /proc/self/cgroup (the "memory" line for v1,
 * the "0::" line for v2); the run's cgroup is made below it, its limit set
 * (v1: memory.limit_in_bytes, then memory.memsw.limit_in_bytes when swap is
 * accounted; v2: memory.max and memory.swap.max), and the child joins it
 * before exec. After the run, an OOM kill shows in memory.oom_control
 * (v1, "oom_kill N") or memory.events (v2). See the kernel's
 * Documentation/admin-guide/cgroup-v1/memory.rst and cgroup-v2.rst.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memcg.h"
#include "params.h"

static int put(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Our cgroup's directory: v1 memory hierarchy first, then v2. */
static bool own_cgroup(char *dir, size_t len, bool *v2)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return false;
	char line[PATH_MAX];
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (!b)
			continue;
		*b = 0;
		const char *ctl = a + 1, *path = b + 1;
		if (!strcmp(ctl, "memory") || (!strcmp(ctl, "") && !strncmp(line, "0", 2))) {
			*v2 = !strcmp(ctl, "");
			snprintf(dir, len, "/sys/fs/cgroup%s%s", *v2 ? "" : "/memory", path);
			struct stat st;
			found = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
			if (found && *v2) {
				char c[PATH_MAX];
				snprintf(c, sizeof c, "%s/memory.max", dir);
				found = access(c, F_OK) == 0 || !strcmp(path, "/");
			}
		}
	}
	fclose(f);
	return found;
}

static long long stat_of(const char *dir, const char *file, const char *key);
static bool reusable(const struct zcl_memcg *m);
static void remove_dir(struct zcl_memcg *m);

/* One cgroup kept from a run for the next (zcl_memcg_keep). */
static struct {
	bool keep;
	pid_t owner;        /* the process that keeps: a child forked meanwhile (the
			     * build-ahead helper) keeps nothing and never uses it */
	struct zcl_memcg m; /* m.on: one is kept */
} kept;

/* Keeping, in the process that asked, and as root: the program runs as
 * another uid, which cannot write the cgroup's files (its limit) nor move
 * itself out; a lab of the program's own uid makes a new one each run. */
static bool keeping(void)
{
	return kept.keep && kept.owner == getpid() && geteuid() == 0;
}

static long long oom_kills(const struct zcl_memcg *m)
{
	return stat_of(m->dir, m->v2 ? "memory.events" : "memory.oom_control", "oom_kill");
}

void zcl_memcg_create_run(struct zcl_memcg *m, uint64_t bytes)
{
	if (kept.m.on && kept.owner == getpid()) {
		bool fits = keeping() && kept.m.limit == bytes && reusable(&kept.m);
		*m = kept.m;
		kept.m.on = false;
		if (fits) {
			m->oom_base = oom_kills(m);
			return;
		}
		remove_dir(m);
	}
	zcl_memcg_create(m, bytes);
	m->keepable = m->on;
}

void zcl_memcg_create(struct zcl_memcg *m, uint64_t bytes)
{
	static unsigned serial;
	char base[PATH_MAX / 2 - 64], limit[32];
	/* our own cgroup, looked up once: this process is not moved meanwhile */
	static int found = -1;
	static bool v2;
	static char own[PATH_MAX / 2 - 64];
	memset(m, 0, sizeof *m);
	m->procs_fd = -1;
	if (found < 0)
		found = own_cgroup(own, sizeof own, &v2);
	if (!found)
		return;
	m->v2 = v2;
	snprintf(base, sizeof base, "%s", own);
	snprintf(m->dir, sizeof m->dir, "%s/zcl-%d-%u", base, (int)getpid(), serial++);
	if (mkdir(m->dir, 0755) < 0)
		return;
	snprintf(limit, sizeof limit, "%llu", (unsigned long long)bytes);
	bool ok = m->v2 ? put(m->dir, "memory.max", limit) == 0
			: put(m->dir, "memory.limit_in_bytes", limit) == 0;
	if (ok) {
		/* swap counted too, where the kernel accounts it (optional) */
		if (m->v2)
			put(m->dir, "memory.swap.max", "0");
		else
			put(m->dir, "memory.memsw.limit_in_bytes", limit);
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/cgroup.procs", m->dir);
		m->procs_fd = open(p, O_WRONLY | O_CLOEXEC);
	}
	if (!ok || m->procs_fd < 0) {
		rmdir(m->dir);
		return;
	}
	m->on = true;
	m->limit = bytes;
	m->oom_base = 0;
}

int zcl_memcg_join(const struct zcl_memcg *m)
{
	if (!m->on)
		return 0;
	return write(m->procs_fd, "0", 1) == 1 ? 0 : -1;
}

/* "key N" in file: N, or 0. */
static long long stat_of(const char *dir, const char *file, const char *key)
{
	char p[PATH_MAX], line[256];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	FILE *f = fopen(p, "re");
	long long v = 0;
	size_t kl = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			v = atoll(line + kl + 1);
	if (f)
		fclose(f);
	return v;
}

/* The first number in dir/file, or -1. */
static long long number_in(const char *dir, const char *file)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	FILE *f = fopen(p, "re");
	long long v = -1;
	if (f && fscanf(f, "%lld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/* No task left in m (its cgroup.procs is empty), and little memory. */
static bool reusable(const struct zcl_memcg *m)
{
	long long task = number_in(m->dir, "cgroup.procs"); /* -1: none listed */
	long long used = number_in(m->dir, m->v2 ? "memory.current" : "memory.usage_in_bytes");
	return task < 0 && used >= 0 && (unsigned long long)used <= ZCL_MEMCG_REUSE_MAX;
}

static void remove_dir(struct zcl_memcg *m)
{
	close(m->procs_fd);
	m->procs_fd = -1;
	/* the last task may take a moment to leave after it was reaped */
	for (int i = 0; i < 100 && rmdir(m->dir) < 0 && errno == EBUSY; i++) {
		struct timespec nap = {0, 2 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	m->on = false;
}

bool zcl_memcg_destroy(struct zcl_memcg *m)
{
	if (!m->on)
		return false;
	bool hit = oom_kills(m) > m->oom_base;
	if (m->keepable && keeping() && !hit && !kept.m.on) {
		kept.m = *m; /* checked again before it is used (reusable) */
		m->on = false;
		return hit;
	}
	remove_dir(m);
	return hit;
}

/* A lab killed with SIGKILL leaves its run's cgroup behind: remove the
 * zcl-PID-N below ours whose PID is gone and that is a minute old or more
 * (a lab in another PID namespace under the same parent may have just
 * made it; an empty cgroup: rmdir(2); one with a task in it stays). Can't
 * fail. */
static void sweep(void)
{
	char own[PATH_MAX / 2 - 64], p[PATH_MAX];
	bool v2;
	if (!own_cgroup(own, sizeof own, &v2))
		return;
	DIR *d = opendir(own);
	for (struct dirent *e; d && (e = readdir(d));) {
		int pid = 0;
		unsigned n;
		char end;
		if (sscanf(e->d_name, "zcl-%d-%u%c", &pid, &n, &end) != 2 || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to ask): its own */
		snprintf(p, sizeof p, "%s/%s", own, e->d_name);
		struct stat st;
		if (stat(p, &st) < 0 || st.st_mtime > time(NULL) - SWEEP_AGE_S)
			continue; /* just made: perhaps by a lab whose PIDs we do not see */
		rmdir(p);
	}
	if (d)
		closedir(d);
}

void zcl_memcg_keep(bool keep)
{
	kept.keep = keep;
	if (keep) {
		kept.owner = getpid();
		sweep();
	}
	if (!keep && kept.m.on && kept.owner == getpid()) {
		struct zcl_memcg m = kept.m;
		kept.m.on = false;
		remove_dir(&m);
	}
}
