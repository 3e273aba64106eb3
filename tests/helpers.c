/*
 * helpers.c - see helpers.h.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"
#include "stages.h"

struct zcl_run run_stage(int num, bool solution, uint64_t size, bool warm, bool sg,
			 enum zcl_inject inject, double timeout_s)
{
	char name[8];
	snprintf(name, sizeof name, "%d", num);
	struct zcl_run r = {
		.stage = zcl_stage_find(name), .solution = solution, .size = size, .seed = 7,
		.warm = warm, .sg = sg, .timeout_s = timeout_s, .inject = inject,
	};
	cr_assert_not_null(r.stage, "stage %d exists", num);
	char err[512] = "";
	cr_assert_eq(zcl_run_stage(&r, err, sizeof err), 0, "stage %d ran: %s", num, err);
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: cannot write", path);
	fputs(text, f);
	fclose(f);
}

static char root[256];

void drop_fake_root(void)
{
	if (root[0])
		zcl_rm_rf(root);
	root[0] = 0;
}

const char *fake_root(int num, const char *src)
{
	const char *real = getenv("ZCL_ROOT");
	cr_assert_not_null(real, "ZCL_ROOT is set by make test");
	snprintf(root, sizeof root, "/var/tmp/zcl-test-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char p[512], q[512];
	snprintf(p, sizeof p, "%s/lab", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/exercises", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/lab/harness.c", root);
	snprintf(q, sizeof q, "%s/lab/harness.c", real);
	cr_assert_eq(symlink(q, p), 0);
	snprintf(p, sizeof p, "%s/exercises/zcl.h", root);
	snprintf(q, sizeof q, "%s/exercises/zcl.h", real);
	cr_assert_eq(symlink(q, p), 0);
	char name[8];
	snprintf(name, sizeof name, "%d", num);
	const struct zcl_stage *s = zcl_stage_find(name);
	snprintf(p, sizeof p, "%s/exercises/%02d-%s.c", root, s->num, s->slug);
	write_file(p, src);
	setenv("ZCL_ROOT", root, 1);
	return root;
}

/* Read fd into one of two static buffers (stdout, stderr). */
static char *slurp(int fd, int which)
{
	static char bufs[2][64 * 1024 + 1];
	size_t cap = 64 * 1024, len = 0;
	char *buf = bufs[which];
	memset(buf, 0, cap + 1);
	ssize_t n;
	while ((n = read(fd, buf + len, cap - len)) > 0 && (len += (size_t)n) < cap)
		;
	close(fd);
	return buf;
}

struct cli run_cli(const char *const argv[])
{
	const char *bin = getenv("ZCL_BIN");
	cr_assert_not_null(bin, "ZCL_BIN is set by make test");
	char out[] = "/var/tmp/zcl-out-XXXXXX", err[] = "/var/tmp/zcl-err-XXXXXX";
	int fo = mkstemp(out), fe = mkstemp(err);
	cr_assert(fo >= 0 && fe >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		const char *args[32] = {bin};
		for (int i = 0; argv[i] && i < 30; i++)
			args[i + 1] = argv[i];
		dup2(fo, 1);
		dup2(fe, 2);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	struct cli c = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(fo, 0), slurp(fe, 1)};
	unlink(out);
	unlink(err);
	return c;
}

char test_dir[64];

const char *make_test_dir(const char *tag)
{
	snprintf(test_dir, sizeof test_dir, "/var/tmp/zcl-%s-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(test_dir));
	return test_dir;
}

void drop_test_dir(void)
{
	if (test_dir[0])
		zcl_rm_rf(test_dir);
	test_dir[0] = 0;
}

const char *build_trace_prog(const char *tag)
{
	static char bin[128];
	const char *lab = getenv("ZCL_ROOT");
	cr_assert_not_null(lab, "ZCL_ROOT is set by make test");
	snprintf(bin, sizeof bin, "%s/trace_prog", make_test_dir(tag));
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cc -O2 -pthread -o %s %s/tests/trace_prog.c", bin, lab);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	return bin;
}

const struct zcl_fdinfo rec_lab_file = {.kind = ZF_FILE, .lab_input = true};
const struct zcl_fdinfo rec_lab_sock = {.kind = ZF_SOCKET, .lab_socket = true};

struct zcl_sysrec rec_read(int64_t ret, uint64_t filled)
{
	return (struct zcl_sysrec){.nr = SYS_read, .args = {3, REC_BUF, 64 * 1024}, .ret = ret,
				   .in = rec_lab_file, .filled_bytes = filled};
}

struct zcl_sysrec rec_write(uint64_t buf, uint64_t count, int64_t ret, bool map, uint64_t filled)
{
	return (struct zcl_sysrec){.nr = SYS_write, .args = {4, buf, count}, .ret = ret, .out = rec_lab_sock,
				   .src_in_filemap = map, .filled_bytes = filled};
}
