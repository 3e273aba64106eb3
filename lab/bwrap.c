/*
 * bwrap.c - the compiler's view, as bubblewrap arguments.
 *
 * The table is the view: one row per path, how it is shown. /bin, /lib ...
 * are symlinks into /usr on a merged-/usr system (Debian 12) and are shown
 * as the same symlinks; a real directory is bound read-only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bwrap.h"
#include "grow.h"
#include "sandbox.h"

#define BWRAP "bwrap"

static const char *const top_links[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

struct argv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void add(struct argv *a, const char *s)
{
	if (a->n + 2 > a->cap && ZCL_GROW(a->v, a->cap, 64) < 0) {
		a->oom = true;
		return;
	}
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void add2(struct argv *a, const char *x, const char *y)
{
	add(a, x);
	add(a, y);
}

static void add3(struct argv *a, const char *x, const char *y, const char *z)
{
	add2(a, x, y);
	add(a, z);
}

/* /bin -> usr/bin etc.: the targets live in static storage for argv. */
static void add_top(struct argv *a)
{
	static char targets[sizeof top_links / sizeof top_links[0]][64];
	for (size_t i = 0; i < sizeof top_links / sizeof top_links[0]; i++) {
		struct stat st;
		if (lstat(top_links[i], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(top_links[i], targets[i], sizeof targets[i] - 1);
			if (n <= 0)
				continue;
			targets[i][n] = 0;
			add3(a, "--symlink", targets[i], top_links[i]);
		} else if (S_ISDIR(st.st_mode)) {
			add3(a, "--ro-bind", top_links[i], top_links[i]);
		}
	}
}

char **zcl_bwrap_argv(const char *src_dir, const char *tmp_dir, char *const cmd[])
{
	struct argv a = {0};
	add(&a, BWRAP);
	add(&a, "--unshare-all");     /* user, mount, pid, ipc, uts, net, cgroup */
	add(&a, "--die-with-parent"); /* the lab gone: so is the compiler */
	add(&a, "--new-session");     /* no controlling terminal (TIOCSTI) */
	add(&a, "--as-pid-1");        /* no bwrap "init" between: it outlived the outer bwrap, a
				       * zombie left to the machine's PID 1 after every compile */
	add3(&a, "--ro-bind", "/usr", "/usr");
	add_top(&a);
	add3(&a, "--ro-bind-try", "/etc/alternatives", "/etc/alternatives"); /* cc -> gcc */
	add3(&a, "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache");
	add2(&a, "--dev", "/dev");
	add3(&a, "--ro-bind", src_dir, ZCL_BWRAP_SRC);
	add3(&a, "--bind", tmp_dir, ZCL_BWRAP_TMP);
	add2(&a, "--chdir", ZCL_BWRAP_TMP);
	add(&a, "--clearenv");
	add3(&a, "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin");
	add3(&a, "--setenv", "TMPDIR", ZCL_BWRAP_TMP);
	add3(&a, "--setenv", "LC_ALL", "C");
	add(&a, "--");
	for (size_t i = 0; cmd[i]; i++)
		add(&a, cmd[i]);
	if (a.oom) {
		free(a.v);
		return NULL;
	}
	return a.v;
}

bool zcl_bwrap_usable(void)
{
	static int usable = -1;
	if (usable >= 0)
		return usable;
	const char *want = getenv("ZCL_SANDBOX_LAYERS");
	usable = 0;
	if (want && !strcmp(want, "basic"))
		return false;
	char *const cmd[] = {"true", NULL};
	char **argv = zcl_bwrap_argv("/usr", "/usr", cmd); /* any two directories will do */
	if (!argv)
		return false;
	uid_t id = zcl_sandbox_uid();
	pid_t pid = fork();
	if (pid == 0) {
		/* as the uid the compiler will run as: unprivileged user namespaces may be off */
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(id) < 0 || setuid(id) < 0))
			_exit(126);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	free(argv);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	usable = pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	return usable;
}
