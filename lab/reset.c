/*
 * reset.c - zcl reset STAGE: put the skeleton back, keep the student's file.
 *
 * Where the skeleton comes from, first found wins:
 *   1. ROOT/exercises/.pristine/NN-slug.c: the student tarball ships these
 *      (lab/pack/make-student.sh), so a copy of the lab that is not a git
 *      tree - or is the student's own repository, where HEAD holds their
 *      work - still has the skeleton as handed out;
 *   2. `git show HEAD:./exercises/NN-slug.c` in ROOT: the lab's own
 *      repository, where HEAD holds the skeleton as the instructor committed it.
 * The student's file is first copied to NN-slug.c.bak-YYYYmmdd-HHMMSS (never
 * over an older backup), then the skeleton replaces it atomically
 * (temporary file, rename). Nothing is asked; each step is said.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "cli.h"
#include "stages.h"

#define SKELETON_MAX (4u << 20) /* a skeleton is a few KiB; more is not one */

/* The whole of a file into *buf (malloc'd), its length in *len. 0, or -1
 * with errno. */
static int slurp_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *b = malloc(cap);
	ssize_t got;
	while (b && (got = read(fd, b + n, cap - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || n + (size_t)got >= SKELETON_MAX) {
			errno = got < 0 ? errno : EFBIG;
			free(b);
			return -1;
		}
		n += (size_t)got;
		if (n == cap && !(b = realloc(b, cap *= 2)))
			return -1;
	}
	if (!b)
		return -1;
	*buf = b;
	*len = n;
	return 0;
}

static int slurp(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = slurp_fd(fd, buf, len);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* `git -C root show HEAD:./exercises/NAME` into *buf. 0, or -1 (no git,
 * not a git tree, or the file is not in HEAD). */
static int from_git(const char *name, char **buf, size_t *len)
{
	char spec[256];
	snprintf(spec, sizeof spec, "HEAD:./exercises/%s", name);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(p[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		dup2(null, STDIN_FILENO);
		execlp("git", "git", "-C", zcl_root(), "show", spec, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	int rc = pid < 0 ? -1 : slurp_fd(p[0], buf, len);
	close(p[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		free(*buf);
		rc = -1;
	}
	return rc;
}

/* data to path through a temporary file and a rename. 0, or -1 with errno. */
static int write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	int e = errno;
	if (close(fd) < 0 && off == len)
		e = errno, off = 0;
	if (off != len || rename(tmp, path) < 0) {
		e = off == len ? errno : e;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* path.bak-YYYYmmdd-HHMMSS (-2, -3... when taken) into buf. */
static void backup_name(const char *path, char *buf, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(buf, len, "%s.bak-%s", path, stamp);
	for (int k = 2; access(buf, F_OK) == 0; k++)
		snprintf(buf, len, "%s.bak-%s-%d", path, stamp, k);
}

int cmd_reset(int argc, char **argv, struct opts *o)
{
	const struct zcl_stage *s = stage_command(argc, argv, o);
	if (!s)
		return EXIT_USAGE;
	char name[128], path[4096], pristine[4200], bak[4300];
	snprintf(name, sizeof name, "%02d-%s.c", s->num, s->slug);
	zcl_stage_source(s, false, path, sizeof path);
	snprintf(pristine, sizeof pristine, "%s/exercises/.pristine/%s", zcl_root(), name);
	char *skel = NULL, *mine = NULL;
	size_t skel_len = 0, mine_len = 0;
	const char *from = pristine;
	if (slurp(pristine, &skel, &skel_len) < 0) {
		if (from_git(name, &skel, &skel_len) < 0)
			return die("reset: no skeleton of %s to restore: neither %s nor git's HEAD has it", name, pristine);
		from = "git's HEAD";
	}
	int rc = EXIT_USAGE;
	bool have = slurp(path, &mine, &mine_len) == 0;
	if (have && mine_len == skel_len && !memcmp(mine, skel, skel_len)) {
		printf("zcl reset: exercises/%s is already the skeleton (as in %s): nothing changed\n", name, from);
		rc = 0;
		goto out;
	}
	if (have) {
		backup_name(path, bak, sizeof bak);
		if (write_atomic(bak, mine, mine_len, 0644) < 0) {
			die("reset: cannot keep a backup in %s: %s (nothing changed)", bak, strerror(errno));
			goto out;
		}
		printf("zcl reset: your exercises/%s is kept as %s\n", name, strrchr(bak, '/') + 1);
	}
	if (write_atomic(path, skel, skel_len, 0644) < 0) {
		die("reset: cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	printf("zcl reset: exercises/%s is the skeleton again (from %s); stage %d is pending\n", name,
	       from == pristine ? "exercises/.pristine/" : from, s->num);
	rc = 0;
out:
	free(skel);
	free(mine);
	return rc;
}
