/*
 * test_sandbox.c - the sandbox's pieces on their own: escaping of what a
 * program prints, in text and XML; the results a grader writes, valid
 * whatever a program printed; the policy rows for AIO, ioctl and leases;
 * inputs the lab cannot send; a tree deeper than PATH_MAX removed.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bwrap.h"
#include "escape.h"
#include "helpers.h"
#include "grader.h"
#include "input.h"
#include "report.h"
#include "runner.h"
#include "sandbox.h"

/* Everything a program could print that a viewer must not act on. */
static const char hostile_text[] = "ok\x1b[2J\x1b[HPoints 20/20\x07 \x01\x7f \xc2\x9b" /* C1 CSI */
				   "\xef\xbf\xbf\xef\xbf\xbe" /* U+FFFF U+FFFE */
				   "\xe2\x80\xae" /* right-to-left override */
				   "\xff\xfe bad bytes\ttab\nline 2 <&\">";

static char *capture(void (*put)(FILE *, const char *), const char *s, size_t *len)
{
	char *out = NULL;
	FILE *m = open_memstream(&out, len);
	put(m, s);
	fclose(m);
	return out;
}

/* Does buf hold the UTF-8 encoding of code point cp? */
static bool holds(const char *buf, size_t len, unsigned cp)
{
	for (size_t i = 0; i < len;) {
		size_t n = zcl_utf8_len(buf + i);
		if (n && zcl_utf8_decode(buf + i, n) == cp)
			return true;
		i += n ? n : 1;
	}
	return false;
}

Test(escape, text_shows_controls_as_escapes_and_keeps_lines)
{
	size_t len;
	char *t = capture(zcl_put_text, hostile_text, &len);
	cr_expect_null(memchr(t, 0x1b, len), "ESC reached the text: %s", t);
	cr_expect_null(memchr(t, 0x07, len));
	cr_expect_null(memchr(t, 0x7f, len));
	for (unsigned cp = 0x80; cp < 0xa0; cp++)
		cr_expect(!holds(t, len, cp), "C1 control U+%04X reached the text", cp);
	cr_expect(!holds(t, len, 0xffff) && !holds(t, len, 0xfffe) && !holds(t, len, 0x202e));
	cr_expect(strstr(t, "\\x1b[2J"), "the escape is shown, not dropped: %s", t);
	cr_expect(strstr(t, "\\xff\\xfe bad bytes\ttab\nline 2"), "bad bytes shown, tab and newline kept: %s", t);
	for (size_t i = 0; i < len;) { /* the result is valid UTF-8 */
		size_t n = zcl_utf8_len(t + i);
		cr_assert_neq(n, 0, "byte %zu of the text is not UTF-8", i);
		i += n;
	}
	free(t);
}

Test(escape, escape_text_into_a_buffer_never_cuts_an_escape)
{
	char buf[8];
	zcl_escape_text("ab\x1b[2J", buf, sizeof buf);
	cr_expect_str_eq(buf, "ab\\x1b[", "got %s", buf);
	zcl_escape_text("abc\x1b", buf, 6); /* "abc" + "\x1b" does not fit in 5 */
	cr_expect_str_eq(buf, "abc");
}

/* Every character of t is allowed in XML 1.0 and no markup is open. */
static void expect_xml_text(const char *t, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = zcl_utf8_len(t + i);
		cr_assert_neq(n, 0, "byte %zu is not UTF-8", i);
		unsigned cp = zcl_utf8_decode(t + i, n);
		cr_expect(cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xd7ff) ||
			  (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000, "U+%04X is not allowed in XML", cp);
		cr_expect(cp != '<' && cp != '>' && cp != '"', "markup character %c in text", (char)cp);
		i += n;
	}
}

Test(escape, xml_has_only_characters_xml_allows)
{
	size_t len;
	char *t = capture(zcl_put_xml, hostile_text, &len);
	expect_xml_text(t, len);
	cr_expect(strstr(t, "&lt;&amp;&quot;&gt;"), "got %s", t);
	free(t);
}

Test(escape, every_grade_format_is_valid_whatever_the_program_printed)
{
	static struct zcl_grade g;
	g.seed = 1;
	g.nstages = 1;
	static struct zcl_stage st = {.num = 1, .slug = "readwrite"};
	g.stages[0].stage = &st;
	g.stages[0].ntests = 1;
	struct zcl_test_result *t = &g.stages[0].tests[0];
	snprintf(t->name, sizeof t->name, "stage 1: correct bytes");
	t->status = ZT_FAILED;
	t->max_score = 1;
	snprintf(t->output, sizeof t->output, "your program printed: %s", hostile_text);
	for (int f = ZG_TEXT; f <= ZG_AUTOLAB; f++) {
		char *out = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&out, &len);
		zcl_grade_write(m, &g, (enum zcl_grade_format)f);
		fclose(m);
		cr_expect_null(memchr(out, 0x1b, len), "format %d: a raw ESC", f);
		cr_expect(!holds(out, len, 0xffff) && !holds(out, len, 0xfffe), "format %d: U+FFFF/U+FFFE", f);
		if (f == ZG_JUNIT) {
			const char *body = strstr(out, "?>") + 2;
			char *msg = strstr(body, "message=\"") + 9;
			size_t mlen = strcspn(msg, "\"");
			expect_xml_text(msg, mlen);
		}
		if (f == ZG_GRADESCOPE)
			cr_expect(strstr(out, "\"output_format\":\"text\""), "Gradescope must show output as text");
		free(out);
	}
}

static int check(long nr, unsigned long a0, unsigned long a1, unsigned long a2, const char **why)
{
	struct zcl_sysrec r = {.nr = nr, .args = {a0, a1, a2}};
	struct zcl_sandbox_state st = {.exec_seen = true, .group = 100};
	*why = NULL;
	return zcl_sandbox_check(&r, &st, why);
}

Test(sandbox, aio_ioctl_owners_terminal_typing_and_leases_are_refused)
{
	const char *why;
	static const long aio[] = {SYS_io_setup, SYS_io_submit, SYS_io_getevents, SYS_io_pgetevents, SYS_io_cancel,
				   SYS_io_destroy};
	for (size_t i = 0; i < sizeof aio / sizeof aio[0]; i++) {
		cr_expect_neq(check(aio[i], 0, 0, 0, &why), 0, "AIO syscall %ld let through", aio[i]);
		cr_expect(why && strstr(why, "AIO"));
	}
	static const unsigned long ioctls[] = {FIOSETOWN, SIOCSPGRP, TIOCSTI, TIOCSCTTY, TIOCLINUX};
	for (size_t i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++)
		cr_expect_neq(check(SYS_ioctl, 4, ioctls[i], 0, &why), 0, "ioctl %#lx let through", ioctls[i]);
	cr_expect_eq(check(SYS_ioctl, 4, FIONREAD, 0, &why), 0, "an ordinary ioctl is refused");
	cr_expect_neq(check(SYS_fcntl, 3, F_SETLEASE, F_RDLCK, &why), 0, "a lease let through");
	cr_expect_eq(check(SYS_fcntl, 3, F_GETFL, 0, &why), 0);
}

Test(input, pseudo_files_and_non_files_cannot_be_inputs)
{
	static const char *const bad[] = {"/proc/cpuinfo", "/proc/self/status", "/sys/kernel/mm/transparent_hugepage/enabled",
					  "/dev/null", "/tmp"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (access(bad[i], R_OK) != 0)
			continue; /* not on this machine */
		char err[512] = "";
		uint64_t size = 99;
		int check_fd = -1;
		int fd = zcl_input_open_user(bad[i], &size, &check_fd, err, sizeof err);
		cr_expect_eq(fd, -1, "%s accepted as an input", bad[i]);
		cr_expect(strstr(err, bad[i]), "the message names the file: %s", err);
	}
}

Test(input, a_users_file_is_checked_by_streaming_not_loaded)
{
	char path[] = "/var/tmp/zcl-input-XXXXXX";
	int w = mkstemp(path);
	cr_assert_geq(w, 0);
	cr_assert_eq(write(w, "hello, file", 11), 11);
	close(w);
	char err[256];
	uint64_t size = 0;
	int check_fd = -1;
	int fd = zcl_input_open_user(path, &size, &check_fd, err, sizeof err);
	cr_assert_geq(fd, 0, "%s", err);
	cr_expect_eq(size, 11);
	struct zcl_expect e = {.header = "H:", .header_len = 2, .size = size, .fd = check_fd};
	uint8_t got[13];
	zcl_expect_bytes(&e, 0, got, sizeof got);
	cr_expect_arr_eq(got, "H:hello, file", 13);
	zcl_expect_bytes(&e, 9, got, 4);
	cr_expect_arr_eq(got, "file", 4);
	close(fd);
	close(check_fd);
	unlink(path);
}

Test(scratch, a_tree_deeper_than_path_max_is_removed)
{
	char top[] = "/var/tmp/zcl-deep-XXXXXX", target[] = "/var/tmp/zcl-deep-target-XXXXXX";
	cr_assert_not_null(mkdtemp(top));
	close(mkstemp(target)); /* what the tree's symlinks point at: must survive */
	int fd = open(top, O_RDONLY | O_DIRECTORY);
	char name[201];
	memset(name, 'd', 200);
	name[200] = 0;
	for (int i = 0; i < 40; i++) { /* 40 x 201 bytes: twice PATH_MAX */
		cr_assert_eq(mkdirat(fd, name, 0700), 0, "%s", strerror(errno));
		int c = openat(fd, name, O_RDONLY | O_DIRECTORY);
		close(openat(c, "file", O_CREAT | O_WRONLY, 0600));
		symlinkat(target, c, "link");
		close(fd);
		fd = c;
	}
	fchmod(fd, 0500); /* a read-only directory at the bottom */
	close(fd);
	zcl_rm_rf(top);
	cr_expect_neq(access(top, F_OK), 0, "%s is still there", top);
	cr_expect_eq(access(target, F_OK), 0, "a symlink was followed");
	unlink(target);
}

/* The compiler's bubblewrap leaves no process behind: with a pid
 * namespace, bwrap's own "init" used to outlive the outer bwrap and end as
 * a zombie handed to the machine's PID 1, one per compile (a container
 * whose PID 1 does not reap fills its process table). As a subreaper, this
 * test is where such an orphan would come: none may. */
Test(sandbox, a_compile_leaves_no_orphan_behind, .fini = drop_fake_root)
{
	cr_assert(zcl_bwrap_usable(), "bubblewrap is installed by make deps and usable here");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	char src[PATH_MAX];
	snprintf(src, sizeof src, "%s/solutions/01-readwrite.c", getenv("ZCL_ROOT"));
	FILE *f = fopen(src, "r");
	cr_assert_not_null(f, "%s", src);
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	fake_root(1, text); /* a fresh tree: zcl compiles the harness and the stage */
	const char *argv[] = {"check", "1", "--size", "4096", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "the reference passes: %s%s", c.out, c.err);
	int orphans = 0;
	for (int i = 0; i < 30; i++) { /* 300 ms for a late exit */
		pid_t p;
		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			orphans++;
		usleep(10000);
	}
	cr_expect_eq(orphans, 0, "%d processes of the compile or the run outlived them", orphans);
}
