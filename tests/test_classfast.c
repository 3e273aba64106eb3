/*
 * test_classfast.c - what makes a class grade fast without changing a
 * score: the harness compiled once per contract and linked with each
 * student's file, the include check read out of that one compile's -H
 * list, the stages compiled ahead by a helper, one run directory kept
 * through a grade (emptied and checked between runs), the generated input
 * kept in memory and compared with memcmp.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "buildahead.h"
#include "content.h"
#include "scratch.h"
#include "ccjail.h"
#include "helpers.h"
#include "includes.h"
#include "inputcache.h"
#include "input.h"
#include "receiver.h"
#include "rundir.h"
#include "runner.h"
#include "stages.h"
#include "view.h"

/* Files in dir whose names start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void build_ok(int num, bool solution, const char *out)
{
	char name[8], bin[4096], err[512] = "", *diag = NULL;
	snprintf(name, sizeof name, "%d", num);
	int rc = zcl_build_stage(zcl_stage_find(name), solution, out, bin, sizeof bin, &diag, err, sizeof err);
	cr_assert_eq(rc, 0, "stage %d: rc %d: %s %s", num, rc, err, diag ? diag : "");
	cr_assert_eq(access(bin, X_OK), 0, "%s", bin);
	free(diag);
}

static char out_dir[] = "/var/tmp/zcl-classfast-XXXXXX";

static void drop_out_dir(void)
{
	zcl_rm_rf(out_dir);
	drop_fake_root();
}

Test(classfast, the_harness_is_compiled_once_per_contract, .fini = drop_out_dir, .timeout = 30)
{
	cr_assert_not_null(mkdtemp(out_dir));
	/* stages 1 and 3 share the send_file contract: one object serves both */
	build_ok(1, true, out_dir);
	build_ok(3, true, out_dir);
	cr_assert_eq(count_prefixed(out_dir, "harness-SEND_FILE-"), 1);
	cr_assert_eq(count_prefixed(out_dir, "harness-"), 1, "only the contract built so far");
}

/* Does the ELF file at path have a section named name? (64-bit, as built here) */
static bool has_section(const char *path, const char *name)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s", path);
	static char img[8 << 20];
	size_t n = fread(img, 1, sizeof img, f);
	fclose(f);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	cr_assert(n > sizeof *eh && !memcmp(eh->e_ident, ELFMAG, SELFMAG), "%s is ELF", path);
	cr_assert(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) <= n);
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	const char *names = img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return true;
	return false;
}

/* A class's binaries carry no debug information (ZCL_DEBUG_INFO=no, set
 * by the class); everyone else's do, for gdb. */
Test(classfast, a_class_builds_without_debug_information, .fini = drop_out_dir, .timeout = 30)
{
	cr_assert_not_null(mkdtemp(out_dir));
	char name[8] = "1", bin[4096], err[512] = "", *diag = NULL;
	unsetenv("ZCL_DEBUG_INFO");
	cr_assert_eq(zcl_build_stage(zcl_stage_find(name), true, out_dir, bin, sizeof bin, &diag, err, sizeof err), 0,
		     "%s", err);
	free(diag);
	cr_assert(has_section(bin, ".debug_info"), "a student's binary has its debug information");
	zcl_rm_rf(out_dir);
	cr_assert_eq(mkdir(out_dir, 0700), 0);
	setenv("ZCL_DEBUG_INFO", "no", 1);
	int rc = zcl_build_stage(zcl_stage_find(name), true, out_dir, bin, sizeof bin, &diag, err, sizeof err);
	unsetenv("ZCL_DEBUG_INFO");
	free(diag);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not(has_section(bin, ".debug_info"), "a class's has none, its harness included");
	cr_assert(has_section(bin, ".text"));
}

/* Replace the tree's zcl.h (a link to the lab's) by a copy ending in line. */
static void edit_zcl_h(const char *root, const char *line)
{
	char path[4096], real[4096], text[1 << 16];
	snprintf(path, sizeof path, "%s/exercises/zcl.h", root);
	cr_assert(realpath(path, real) != NULL);
	FILE *f = fopen(real, "re");
	cr_assert_not_null(f);
	size_t n = fread(text, 1, sizeof text, f);
	fclose(f);
	cr_assert_eq(unlink(path), 0);
	cr_assert_not_null(f = fopen(path, "we"));
	fwrite(text, 1, n, f);
	fputs(line, f);
	fclose(f);
}

Test(classfast, the_harness_is_compiled_again_when_zcl_h_changes, .fini = drop_out_dir, .timeout = 30)
{
	cr_assert_not_null(mkdtemp(out_dir));
	const char *root = fake_root(3, "#include \"zcl.h\"\nint send_file(int f, int s, size_t n)\n"
					"{ (void)f; (void)s; (void)n; return ZCL_TODO; }\n");
	edit_zcl_h(root, "/* an instructor's edit */\n");
	build_ok(3, false, out_dir);
	cr_assert_eq(count_prefixed(out_dir, "harness-SEND_FILE-"), 1);
	edit_zcl_h(root, "/* and another */\n");
	build_ok(3, false, out_dir);
	cr_assert_eq(count_prefixed(out_dir, "harness-SEND_FILE-"), 2, "zcl.h is part of the harness's key");
}

Test(classfast, a_class_graders_harness_is_linked_from_ZCL_HARNESS_DIR, .fini = drop_out_dir, .timeout = 30)
{
	cr_assert_not_null(mkdtemp(out_dir));
	char shared[4200], own[4200], err[512] = "";
	snprintf(shared, sizeof shared, "%s/shared", out_dir);
	snprintf(own, sizeof own, "%s/own", out_dir);
	cr_assert_eq(zcl_build_harnesses(shared, err, sizeof err), 0, "%s", err);
	size_t ns;
	zcl_stages(&ns);
	int contracts = count_prefixed(shared, "harness-");
	cr_assert(contracts >= 1 && contracts <= (int)ns, "one object per contract: %d", contracts);
	setenv("ZCL_HARNESS_DIR", shared, 1);
	build_ok(4, true, own);
	build_ok(9, true, own);
	cr_assert_eq(count_prefixed(own, "harness-"), 0, "the student's build compiled no harness of its own");
	cr_assert_eq(count_prefixed(shared, "harness-"), contracts, "nothing new in the shared folder");
}

Test(classfast, the_header_list_leaves_the_diagnostics_and_names_a_foreign_header)
{
	char out[] = ". /usr/include/stdio.h\n"
		     ".. /usr/include/x86_64-linux-gnu/bits/types.h\n"
		     ". /zcl/zcl.h\n"
		     "/zcl/03-sendfile.c: In function 'send_file':\n"
		     "/zcl/03-sendfile.c:4:13: warning: unused variable 'x' [-Wunused-variable]\n"
		     "    4 |         int x;\n"
		     ". /zcl/harness.o\n"
		     ". /opt/elsewhere/secret.h\n"
		     "Multiple include guards may be useful for:\n"
		     "/usr/include/x86_64-linux-gnu/bits/types.h\n"
		     "/zcl/zcl.h\n"
		     "/usr/bin/ld: /tmp/cc.o: in function `main': undefined reference to `send_file'\n"
		     "collect2: error: ld returned 1 exit status\n";
	char *bad = zcl_take_headers(out, "/zcl/zcl.h");
	cr_assert_str_eq(bad, "/zcl/harness.o", "the first header that is not allowed");
	cr_assert_str_eq(out, "/zcl/03-sendfile.c: In function 'send_file':\n"
			      "/zcl/03-sendfile.c:4:13: warning: unused variable 'x' [-Wunused-variable]\n"
			      "    4 |         int x;\n"
			      "/usr/bin/ld: /tmp/cc.o: in function `main': undefined reference to `send_file'\n"
			      "collect2: error: ld returned 1 exit status\n");
	free(bad);
	char clean[] = ". /usr/include/stdio.h\n. /zcl/zcl.h\n";
	cr_assert_null(zcl_take_headers(clean, "/zcl/zcl.h"));
	cr_assert_str_eq(clean, "");
}

Test(classfast, the_kept_content_is_the_generated_stream_at_every_size)
{
	static uint8_t want[3 << 20];
	uint64_t sizes[] = {0, 1, 4095, 4097, (1u << 20) + 3, 3u << 20, 5};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		const uint8_t *c = zcl_content(42, sizes[i]);
		cr_assert_not_null(c);
		zcl_gen(42, 0, want, sizes[i]);
		cr_assert(memcmp(c, want, sizes[i]) == 0, "size %llu", (unsigned long long)sizes[i]);
	}
	const uint8_t *c = zcl_content(7, 4096);
	zcl_gen(7, 0, want, 4096);
	cr_assert(memcmp(c, want, 4096) == 0, "another seed: its own bytes");
	cr_assert_null(zcl_content(7, 1ull << 40), "too large to keep: the caller generates");
}

/* Send header + content with byte `flip` of the stream changed (-1: none)
 * and return what the receiver found. */
static struct zcl_receiver receive(const char *header, uint64_t size, int64_t flip)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	static struct zcl_expect e;
	e = (struct zcl_expect){.header = header, .header_len = strlen(header), .seed = 9, .size = size, .fd = -1};
	e.data = zcl_content(9, size);
	cr_assert_not_null(e.data);
	static struct zcl_receiver r;
	cr_assert_eq(zcl_receiver_start(&r, sv[0], &e), 0);
	size_t total = e.header_len + size;
	uint8_t *all = malloc(total);
	memcpy(all, header, e.header_len);
	memcpy(all + e.header_len, e.data, size);
	if (flip >= 0)
		all[flip] ^= 0x5a;
	for (size_t off = 0; off < total;) {
		ssize_t w = write(sv[1], all + off, total - off);
		cr_assert(w > 0);
		off += (size_t)w;
	}
	close(sv[1]);
	free(all);
	zcl_receiver_finish(&r, 5.0);
	cr_assert_eq(r.received, total);
	return r;
}

Test(classfast, a_wrong_byte_is_found_at_its_offset_when_the_content_is_in_memory, .timeout = 20)
{
	cr_assert_eq(receive("HTTP/1.1 200 OK\r\n\r\n", 300000, -1).first_mismatch, -1, "intact");
	cr_assert_eq(receive("HTTP/1.1 200 OK\r\n\r\n", 300000, 5).first_mismatch, 5, "in the header");
	cr_assert_eq(receive("HTTP/1.1 200 OK\r\n\r\n", 300000, 200001).first_mismatch, 200001, "deep in the body");
	cr_assert_eq(receive("", 70000, 69999).first_mismatch, 69999, "the last byte");
}

/* In a child of one thread (the helper is only started then): build stages
 * 1 and 3 ahead; the exit status says what went wrong, 0 for nothing. */
static int ahead_child(void)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	bool want[64] = {false};
	if (n < 3 || n > 64)
		return 1;
	want[0] = want[2] = true;
	zcl_build_ahead_start(st, want, n, true, out_dir);
	zcl_build_ahead_wait(&st[2]); /* done with 1, then 3 */
	char bin[4200];
	snprintf(bin, sizeof bin, "%s/%02d-%s-solution", out_dir, st[0].num, st[0].slug);
	if (access(bin, X_OK) != 0)
		return 2;
	snprintf(bin, sizeof bin, "%s/%02d-%s-solution", out_dir, st[2].num, st[2].slug);
	if (access(bin, X_OK) != 0)
		return 3;
	snprintf(bin, sizeof bin, "%s/%02d-%s-solution", out_dir, st[1].num, st[1].slug);
	if (access(bin, F_OK) == 0)
		return 4;
	zcl_build_ahead_stop();
	return waitpid(-1, NULL, WNOHANG) == -1 ? 0 : 5;
}

Test(classfast, the_stages_are_compiled_ahead_by_a_helper_that_is_reaped, .fini = drop_out_dir, .timeout = 30)
{
	cr_assert_not_null(mkdtemp(out_dir));
	fflush(NULL);
	pid_t p = fork();
	cr_assert_geq(p, 0);
	if (p == 0)
		_exit(ahead_child());
	int st;
	cr_assert_eq(waitpid(p, &st, 0), p);
	cr_assert(WIFEXITED(st));
	static const char *const why[] = {"", "stage table", "stage 1 not built before the helper said so",
					  "stage 3 not built before the helper said so", "stage 2 built though not asked for",
					  "a child left behind"};
	cr_assert_eq(WEXITSTATUS(st), 0, "%s", WEXITSTATUS(st) < 6 ? why[WEXITSTATUS(st)] : "?");
	build_ok(3, true, out_dir); /* a lookup now */
}

static void touch(const char *dir, const char *name)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "we");
	cr_assert_not_null(f, "%s", p);
	fputs("x", f);
	fclose(f);
}

Test(classfast, a_grade_keeps_its_run_directory_emptied_and_never_one_a_run_left_something_in)
{
	char a[1024], b[1024], c[1024], d[1024], err[256], p[1100];
	zcl_rundir_keep(true);
	cr_assert_eq(zcl_rundir_open(a, sizeof a, err, sizeof err), 0, "%s", err);
	touch(a, "input.bin");
	touch(a, "output.bin");
	touch(a, "stage");
	zcl_rundir_close(a);
	snprintf(p, sizeof p, "%s/input.bin", a);
	cr_assert_neq(access(p, F_OK), 0, "the input goes after the run");
	snprintf(p, sizeof p, "%s/output.bin", a);
	cr_assert_neq(access(p, F_OK), 0, "the output goes after the run");
	cr_assert_eq(zcl_rundir_open(b, sizeof b, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(a, b, "an emptied directory is used again");

	snprintf(p, sizeof p, "%s/work", b);
	touch(p, "left-by-the-program"); /* the fallback without namespaces writes there */
	zcl_rundir_close(b);
	cr_assert_neq(access(b, F_OK), 0, "a directory with something of a run's in it is removed");
	cr_assert_eq(zcl_rundir_open(c, sizeof c, err, sizeof err), 0, "%s", err);
	cr_assert_str_neq(b, c, "and the next run gets a new one");

	touch(c, "planted"); /* a name no run leaves */
	cr_assert_eq(zcl_rundir_open(d, sizeof d, err, sizeof err), 0, "%s", err);
	cr_assert_str_neq(c, d, "a directory with a stranger in it is not used again");
	cr_assert_neq(access(c, F_OK), 0, "it is removed");
	zcl_rundir_close(d);
	zcl_rundir_keep(false);
	cr_assert_neq(access(d, F_OK), 0, "the grade's end removes the kept directory");

	cr_assert_eq(zcl_rundir_open(a, sizeof a, err, sizeof err), 0, "%s", err);
	zcl_rundir_close(a);
	cr_assert_neq(access(a, F_OK), 0, "without a grade, each run's directory goes with it");
}

static void stat_of(const char *path, struct stat *st)
{
	cr_assert_eq(stat(path, st), 0, "%s: %s", path, strerror(errno));
}

static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_ctim.tv_sec != b->st_ctim.tv_sec ||
	       a->st_ctim.tv_nsec != b->st_ctim.tv_nsec;
}

/* The stage binary in a kept run directory: as root (the program runs as
 * another uid) it is copied once and kept while it and its build are as
 * they were; a copy someone changed, or a new build, is copied again.
 * Not root (the program is the lab's uid): copied for every run. */
Test(classfast, the_stage_binary_is_copied_again_only_when_it_or_its_build_changed)
{
	char dir[1024], bin[1100], exe[1100], err[256];
	zcl_rundir_keep(true);
	cr_assert_eq(zcl_rundir_open(dir, sizeof dir, err, sizeof err), 0, "%s", err);
	snprintf(bin, sizeof bin, "%s.bin", dir);
	FILE *f = fopen(bin, "we");
	cr_assert_not_null(f);
	fputs("#!/bin/true\n", f);
	fclose(f);
	struct stat first, again;
	cr_assert_eq(zcl_rundir_stage(dir, bin, exe, sizeof exe), 0);
	stat_of(exe, &first);
	struct timespec tick = {0, 20 * 1000 * 1000}; /* past the filesystem's clock tick */
	nanosleep(&tick, NULL);
	cr_assert_eq(zcl_rundir_stage(dir, bin, exe, sizeof exe), 0);
	stat_of(exe, &again);
	if (geteuid() != 0) {
		cr_assert(changed(&first, &again), "not root: the program could have written it: copied again");
	} else {
		cr_assert(!changed(&first, &again), "as root, an unchanged copy of the same build is kept");
		chmod(exe, 0777); /* as the fallback's program could not, but the test can */
		nanosleep(&tick, NULL);
		cr_assert_eq(zcl_rundir_stage(dir, bin, exe, sizeof exe), 0);
		stat_of(exe, &again);
		cr_assert_eq(again.st_mode & 07777, 0755, "a copy that is not as made is made again");
		first = again;
		nanosleep(&tick, NULL);
		f = fopen(bin, "we"); /* a new build: same name, new content */
		cr_assert_not_null(f);
		fputs("#!/bin/false\n", f);
		fclose(f);
		cr_assert_eq(zcl_rundir_stage(dir, bin, exe, sizeof exe), 0);
		stat_of(exe, &again);
		cr_assert(changed(&first, &again), "a new build is copied");
	}
	char text[64] = {0};
	f = fopen(exe, "re");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(text, sizeof text, f));
	fclose(f);
	cr_assert_str_eq(text, geteuid() == 0 ? "#!/bin/false\n" : "#!/bin/true\n", "the run gets the build's bytes");
	unlink(bin);
	zcl_rundir_close(dir);
	zcl_rundir_keep(false);
	cr_assert_neq(access(dir, F_OK), 0, "the grade's end removes the kept directory");
}

/* A class's grader as root compiles in a tmpfs of its own, in a mount
 * namespace of its own: its compile jobs are made there, and the machine's
 * mount table never shows it. Not root: nothing changes, the jobs stay on
 * the disk. (In a child: the namespace is the process's.) */
Test(classfast, a_class_graders_compiles_go_to_a_private_tmpfs_as_root, .timeout = 20)
{
	char base[] = "/var/tmp/zcl-cctmpfs-XXXXXX";
	cr_assert_not_null(mkdtemp(base));
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int rc = zcl_scratch_cc_tmpfs(base, 16ull << 20);
		if (geteuid() != 0)
			_exit(rc < 0 && errno == EPERM && !getenv("ZCL_CC_SCRATCH") ? 0 : 10);
		char cc[1100], job[1200];
		snprintf(cc, sizeof cc, "%s/cc", base);
		struct statfs fs;
		if (rc < 0 || statfs(cc, &fs) < 0 || fs.f_type != TMPFS_MAGIC)
			_exit(11);
		if (strcmp(zcl_scratch_cc_base(), cc) != 0)
			_exit(12);
		const char *from[] = {"/etc/hostname"}, *names[] = {"x.c"};
		if (zcl_cc_make_job(job, sizeof job, geteuid(), from, names, 1, false) < 0 ||
		    strncmp(job, cc, strlen(cc)) != 0 || statfs(job, &fs) < 0 || fs.f_type != TMPFS_MAGIC)
			_exit(13);
		_exit(0);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the child ended by a signal");
	cr_assert_eq(WEXITSTATUS(st), 0, "step %d failed (10: not root yet changed, 11: no tmpfs, 12: not the compile "
		     "base, 13: the job is not in it)", WEXITSTATUS(st));
	char line[4096];
	FILE *m = fopen("/proc/self/mountinfo", "re");
	cr_assert_not_null(m);
	while (fgets(line, sizeof line, m))
		cr_assert_null(strstr(line, base), "the tmpfs reached the machine's mount table: %s", line);
	fclose(m);
	zcl_rm_rf(base);
	cr_assert_neq(access(base, F_OK), 0);
}

/* As root, a grade's runs copy a template of the view made once for the
 * run directory; another directory gets none, and dropping it ends it.
 * Not root: no template (the runs make their own, in a user namespace). */
Test(classfast, a_grades_runs_copy_one_template_of_the_view_as_root, .timeout = 20)
{
	char dir[1024], err[256];
	zcl_rundir_keep(true);
	cr_assert_eq(zcl_rundir_open(dir, sizeof dir, err, sizeof err), 0, "%s", err);
	struct zcl_view v;
	zcl_view_prepare(&v, dir, 0, 0);
	if (geteuid() != 0) {
		cr_assert_eq(v.tmpl_fd, -1, "not root: no template");
	} else {
		cr_assert_geq(v.tmpl_fd, 0, "the kept run directory has its template");
		char ns[64], mine[64], link[256] = "", own[256] = "";
		snprintf(ns, sizeof ns, "/proc/self/fd/%d", v.tmpl_fd);
		snprintf(mine, sizeof mine, "/proc/self/ns/mnt");
		cr_assert_gt(readlink(ns, link, sizeof link - 1), 0);
		cr_assert_gt(readlink(mine, own, sizeof own - 1), 0);
		cr_assert(!strncmp(link, "mnt:[", 5), "a mount namespace: %s", link);
		cr_assert_str_neq(link, own, "not the lab's own");
		struct zcl_view other;
		zcl_view_prepare(&other, "/var/tmp/zcl-not-this-one", 0, 0);
		cr_assert_eq(other.tmpl_fd, -1, "another directory: no template");
	}
	zcl_rundir_close(dir);
	zcl_rundir_keep(false);
	zcl_view_prepare(&v, dir, 0, 0);
	cr_assert_eq(v.tmpl_fd, -1, "the grade's end lets it go");
}

/* A grade writes each generated input once (as root: the program cannot
 * write the lab's file) and opens it again for the next run of the same
 * seed and size; a file not as written is written anew; the cache is gone
 * when the grade ends. */
Test(classfast, a_grade_writes_each_input_once_and_rewrites_a_changed_one)
{
	zcl_inputcache_use(true);
	if (geteuid() != 0) { /* the program would run as our uid and could write it: no cache */
		cr_expect_eq(zcl_inputcache_open(42, 4097), -1, "not root: every run writes its own input");
		zcl_inputcache_use(false);
		return;
	}
	int a = zcl_inputcache_open(42, 4097), b = zcl_inputcache_open(42, 4097), c = zcl_inputcache_open(43, 4097);
	cr_assert(a >= 0 && b >= 0 && c >= 0);
	struct stat sa, sb, sc;
	cr_assert(fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && fstat(c, &sc) == 0);
	cr_expect_eq(sa.st_ino, sb.st_ino, "the same (seed, size): the same file");
	cr_expect_neq(sa.st_ino, sc.st_ino, "another seed: another file");
	cr_expect_eq(sa.st_size, 4097);
	cr_expect_eq(fcntl(a, F_GETFL) & O_ACCMODE, O_RDONLY, "the program gets it read-only");
	uint8_t got[4097];
	cr_assert_eq(pread(b, got, sizeof got, 0), (ssize_t)sizeof got);
	cr_expect_eq(memcmp(got, zcl_content(42, 4097), sizeof got), 0, "the generated bytes");
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", a);
	cr_assert_eq(chmod(path, 0666), 0);
	int d = zcl_inputcache_open(42, 4097);
	struct stat sd;
	cr_assert(d >= 0 && fstat(d, &sd) == 0);
	cr_expect_eq(sd.st_mode & 07777, 0644, "a file not as written is written anew");
	char dir[PATH_MAX];
	ssize_t n = readlink(path, dir, sizeof dir - 1);
	cr_assert_gt(n, 0);
	dir[n] = 0;
	*strrchr(dir, '/') = 0;
	zcl_inputcache_use(false);
	cr_expect_neq(access(dir, F_OK), 0, "the grade's end removes %s", dir);
	cr_expect_eq(zcl_inputcache_open(42, 4097), -1, "off: no cached file");
	close(a), close(b), close(c), close(d);
}
