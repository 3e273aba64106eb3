/*
 * test_copyfile.c - the one copy helper: bytes and mode kept, links and
 * special files refused (a student's upload is the usual source); and
 * through it, a submission that is a link to a secret shows no byte of it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copyfile.h"
#include "helpers.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/zcl-copyfile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

TestSuite(copyfile, .init = setup, .fini = teardown, .timeout = 5);

Test(copyfile, copies_every_byte_of_a_file_larger_than_its_buffer_with_the_mode_asked)
{
	char a[128], b[128];
	path(a, sizeof a, "a"), path(b, sizeof b, "b");
	size_t n = 200000;
	char *data = malloc(n);
	cr_assert_not_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 251);
	FILE *f = fopen(a, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
	cr_assert_eq(zcl_copy_file(a, b, 0751, 0), 0);
	struct stat st;
	cr_assert_eq(stat(b, &st), 0);
	cr_expect_eq((size_t)st.st_size, n);
	cr_expect_eq(st.st_mode & 0700, 0700, "the owner's bits as asked");
	char *back = malloc(n);
	f = fopen(b, "r");
	cr_assert_not_null(f);
	cr_assert_eq(fread(back, 1, n, f), n);
	fclose(f);
	cr_expect_eq(memcmp(data, back, n), 0);
	free(data), free(back);
}

Test(copyfile, refuses_a_source_that_is_a_symbolic_link_so_no_other_file_leaks)
{
	char secret[128], link[128], out[128];
	path(secret, sizeof secret, "secret"), path(link, sizeof link, "link"), path(out, sizeof out, "out");
	FILE *f = fopen(secret, "w");
	cr_assert_not_null(f);
	fputs("SECRET\n", f);
	fclose(f);
	cr_assert_eq(symlink(secret, link), 0);
	errno = 0;
	cr_expect_eq(zcl_copy_file(link, out, 0644, 0), -1);
	cr_expect_eq(errno, ELOOP);
	cr_expect_neq(access(out, F_OK), 0, "nothing written");
	cr_expect_eq(zcl_copy_file(link, out, 0644, ZCL_COPY_FOLLOW), 0, "the lab's own links are followed when asked");
}

Test(copyfile, refuses_a_fifo_at_once_instead_of_waiting_for_a_writer)
{
	char fifo[128], out[128];
	path(fifo, sizeof fifo, "fifo"), path(out, sizeof out, "out");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	errno = 0;
	cr_expect_eq(zcl_copy_file(fifo, out, 0644, ZCL_COPY_FOLLOW), -1);
	cr_expect_eq(errno, EINVAL);
}

Test(copyfile, does_not_write_through_a_symbolic_link_at_the_destination)
{
	char src[128], victim[128], link[128];
	path(src, sizeof src, "src"), path(victim, sizeof victim, "victim"), path(link, sizeof link, "dst");
	FILE *f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs("new\n", f);
	fclose(f);
	f = fopen(victim, "w");
	cr_assert_not_null(f);
	fputs("old\n", f);
	fclose(f);
	cr_assert_eq(symlink(victim, link), 0);
	cr_expect_eq(zcl_copy_file(src, link, 0644, ZCL_COPY_FOLLOW), -1);
	char buf[8] = {0};
	f = fopen(victim, "r");
	cr_assert_not_null(f);
	cr_expect_not_null(fgets(buf, sizeof buf, f));
	fclose(f);
	cr_expect_str_eq(buf, "old\n");
}

/* No suite fixture: fake_root makes its own tree. */
Test(copyfile_grade, a_submission_that_links_to_a_secret_file_shows_no_byte_of_it,
     .fini = drop_fake_root, .timeout = 60)
{
	char secret[] = "/var/tmp/zcl-secret-XXXXXX";
	int fd = mkstemp(secret);
	cr_assert_geq(fd, 0);
	static const char canary[] = "LINKED-SECRET-CANARY-51c2: not a C program\n";
	cr_assert_eq(write(fd, canary, sizeof canary - 1), (ssize_t)(sizeof canary - 1));
	close(fd);
	const char *root = fake_root(1, "int x;\n");
	char ex[512];
	snprintf(ex, sizeof ex, "%s/exercises/01-readwrite.c", root);
	cr_assert_eq(unlink(ex), 0);
	cr_assert_eq(symlink(secret, ex), 0);
	struct cli c = run_cli((const char *[]){"grade", "--stage", "1", NULL});
	unlink(secret);
	cr_expect_neq(c.status, 0, "no points for a link");
	cr_expect_null(strstr(c.out, "LINKED-SECRET"), "the compiler never saw the file: %s", c.out);
	cr_expect_null(strstr(c.err, "LINKED-SECRET"), "%s", c.err);
	cr_expect_eq(c.status, 1, "the student's doing: a verdict (exit 1), not the grader's error: %s", c.err);
	cr_expect(strstr(c.out, "compile-error") || strstr(c.out, "symbolic link"), "named: %s", c.out);
	cr_expect_null(strstr(c.out, "INTERNAL ERROR"), "%s", c.out);
}
