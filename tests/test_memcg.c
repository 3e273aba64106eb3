/*
 * test_memcg.c - a grade's runs share one memory cgroup, checked between
 * runs; a lab killed with SIGKILL leaves none behind for long.
 *
 * Where this machine gives the lab no memory controller it can write to
 * (a container, a normal user), there is no cgroup to keep: the tests say
 * so and are skipped (CI runs as root with one). Not root, a cgroup is
 * never kept: the tests check that instead, where they can.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memcg.h"

#define LIMIT (256ull << 20)

/* m could not be made: no controller the lab may write here. */
#define NEED_MEMCG(m)                                                                  \
	do {                                                                           \
		if (!(m).on) {                                                         \
			zcl_memcg_keep(false);                                         \
			cr_skip_test("no memory controller the lab may write here");   \
		}                                                                      \
	} while (0)

/* Not root: a run's cgroup is removed when its run ends, never kept. */
static void not_kept_when_not_root(struct zcl_memcg *m)
{
	char dir[sizeof m->dir];
	snprintf(dir, sizeof dir, "%s", m->dir);
	zcl_memcg_destroy(m);
	zcl_memcg_keep(false);
	struct stat st;
	cr_assert_neq(stat(dir, &st), 0, "not root: the program could write it: never kept");
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* rmdir a cgroup its last task is leaving. */
static void rmdir_soon(const char *p)
{
	for (int i = 0; i < 200 && rmdir(p) < 0 && errno == EBUSY; i++)
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
}

/* A grade's first run's cgroup, keeping on: true as root; not root, checks
 * it is not kept and says the test is over (false). Skips without one. */
static bool first_kept_run(struct zcl_memcg *a)
{
	zcl_memcg_keep(true);
	zcl_memcg_create_run(a, LIMIT);
	NEED_MEMCG(*a);
	if (geteuid() == 0)
		return true;
	not_kept_when_not_root(a);
	return false;
}

Test(memcg, a_grades_runs_use_one_cgroup_and_the_grades_end_removes_it)
{
	struct zcl_memcg a, b;
	if (!first_kept_run(&a))
		return;
	char dir[sizeof a.dir];
	snprintf(dir, sizeof dir, "%s", a.dir);
	cr_assert_not(zcl_memcg_destroy(&a), "no limit was hit");
	cr_assert(is_dir(dir), "kept for the next run");
	zcl_memcg_create_run(&b, LIMIT);
	cr_assert(b.on);
	cr_assert_str_eq(b.dir, dir, "the next run of the grade uses it again");
	cr_assert_eq(b.limit, LIMIT);
	zcl_memcg_destroy(&b);
	struct zcl_memcg c;
	zcl_memcg_create_run(&c, LIMIT * 2);
	cr_assert(c.on);
	cr_assert_str_neq(c.dir, dir, "another limit: another cgroup");
	cr_assert_not(is_dir(dir), "and the kept one is removed");
	snprintf(dir, sizeof dir, "%s", c.dir);
	zcl_memcg_destroy(&c);
	zcl_memcg_keep(false);
	cr_assert_not(is_dir(dir), "the grade's end removes the kept cgroup");
}

Test(memcg, a_cgroup_with_a_task_left_in_it_is_not_used_again, .timeout = 20)
{
	struct zcl_memcg a, b;
	if (!first_kept_run(&a))
		return;
	int ready[2];
	cr_assert_eq(pipe(ready), 0);
	pid_t left = fork();
	cr_assert_geq(left, 0);
	if (left == 0) {
		char c = zcl_memcg_join(&a) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause(); /* a process of the run that outlived it */
		_exit(0);
	}
	char c = 0;
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_assert_eq(c, 'y', "the child joined the cgroup");
	char dir[sizeof a.dir];
	snprintf(dir, sizeof dir, "%s", a.dir);
	zcl_memcg_destroy(&a);
	zcl_memcg_create_run(&b, LIMIT);
	cr_assert(b.on);
	cr_assert_str_neq(b.dir, dir, "a task is still in the old one: the next run gets a new one");
	kill(left, SIGKILL);
	waitpid(left, NULL, 0);
	rmdir_soon(dir);
	zcl_memcg_destroy(&b);
	zcl_memcg_keep(false);
	cr_assert_not(is_dir(b.dir));
	close(ready[0]);
	close(ready[1]);
}

Test(memcg, a_killed_labs_cgroup_is_removed_when_the_next_grade_starts, .timeout = 20)
{
	struct zcl_memcg probe;
	zcl_memcg_create(&probe, LIMIT); /* where ours are made: beside it */
	NEED_MEMCG(probe);
	char parent[sizeof probe.dir], stale[sizeof probe.dir + 64], alive[sizeof probe.dir + 64];
	snprintf(parent, sizeof parent, "%s", probe.dir);
	*strrchr(parent, '/') = 0;
	zcl_memcg_destroy(&probe);
	pid_t gone = fork();
	cr_assert_geq(gone, 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0); /* a PID no process has now */
	snprintf(stale, sizeof stale, "%s/zcl-%d-0", parent, (int)gone);
	snprintf(alive, sizeof alive, "%s/zcl-%d-0", parent, (int)getpid());
	cr_assert_eq(mkdir(stale, 0755), 0, "%s: %s", stale, strerror(errno));
	cr_assert_eq(mkdir(alive, 0755), 0, "%s: %s", alive, strerror(errno));
	zcl_memcg_keep(true);
	zcl_memcg_keep(false);
	cr_assert(is_dir(stale), "just made: perhaps a lab whose PIDs we do not see; it stays");
	struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, stale, old, 0), 0, "%s: %s", stale, strerror(errno));
	cr_assert_eq(utimensat(AT_FDCWD, alive, old, 0), 0, "%s: %s", alive, strerror(errno));
	zcl_memcg_keep(true);
	zcl_memcg_keep(false);
	cr_assert_not(is_dir(stale), "an hour old, its lab gone: removed");
	cr_assert(is_dir(alive), "a live lab's cgroup stays");
	rmdir(alive);
}

/* A compile's cgroup is never kept, and a run that hit the limit leaves
 * its cgroup to no one: the next run gets a new one. */
Test(memcg, a_compiles_cgroup_and_one_whose_limit_was_hit_are_not_kept, .timeout = 30)
{
	zcl_memcg_keep(true);
	struct zcl_memcg cc, a, b;
	zcl_memcg_create(&cc, LIMIT);
	NEED_MEMCG(cc);
	char dir[sizeof cc.dir];
	snprintf(dir, sizeof dir, "%s", cc.dir);
	zcl_memcg_destroy(&cc);
	cr_assert_not(is_dir(dir), "a compile's cgroup is removed at once");
	zcl_memcg_create_run(&a, 32ull << 20);
	cr_assert(a.on);
	snprintf(dir, sizeof dir, "%s", a.dir);
	pid_t hog = fork();
	cr_assert_geq(hog, 0);
	if (hog == 0) {
		if (zcl_memcg_join(&a) < 0)
			_exit(2);
		for (;;) { /* past the limit: the OOM killer ends it */
			char *p = malloc(1 << 20);
			if (!p)
				_exit(3);
			memset(p, 1, 1 << 20);
		}
	}
	int st = 0;
	waitpid(hog, &st, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the hog was killed by the limit (status %#x)", st);
	cr_assert(zcl_memcg_destroy(&a), "the limit was hit");
	cr_assert_not(is_dir(dir), "not kept: removed");
	zcl_memcg_create_run(&b, 32ull << 20);
	cr_assert(b.on);
	zcl_memcg_destroy(&b);
	zcl_memcg_keep(false);
	cr_assert_not(is_dir(b.dir));
}
