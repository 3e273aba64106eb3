/*
 * test_class.c - zcl grade --class: a folder of students (folders and
 * archives, hostile names and links among them) graded two at a time into
 * a CSV and an HTML page; a second run keeps what did not change; a broken
 * archive is one row saying why, never the end of the batch; Ctrl-C in the
 * middle leaves nothing in the scratch folder.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "class_report.h"
#include "helpers.h"
#include "runner.h"

static char base[] = "/tmp/zcl-class-test-XXXXXX";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	cr_assert_not_null(f, "%s", path);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The cell of `column` in the row whose first cell is "student", from a
 * CSV without commas inside the cells read here (static storage). */
static const char *cell(const char *csv, const char *student, const char *column)
{
	static char out[256];
	int col = 0;
	const char *h = csv, *hit = strstr(csv, column);
	cr_assert_not_null(hit, "no column %s", column);
	for (; h < hit; h++)
		col += *h == ',';
	char key[128];
	snprintf(key, sizeof key, "\n\"%s\",", student);
	const char *row = strstr(csv, key);
	cr_assert_not_null(row, "no row for %s:\n%s", student, csv);
	row++;
	for (int k = 0; k < col; k++)
		row = strchr(row, ',') + 1;
	size_t n = strcspn(row, ",\n");
	snprintf(out, sizeof out, "%.*s", (int)n, row);
	return out;
}

/* alice: a folder with the reference; carol: a zip with it nested two
 * levels down; bob: a tar.gz of the skeleton; a student whose name is a
 * spreadsheet formula and markup, holding only a link to the reference;
 * dave: a .zip that is not a zip; erin: a file the compiler rejects. */
static void make_class(void)
{
	cr_assert_not_null(mkdtemp(base));
	const char *root = getenv("ZCL_ROOT");
	cr_assert_not_null(root);
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "set -e; cd %s; mkdir -p class/alice up/a/b bob class/'=cmd|x<b>'; "
		 "cp %s/solutions/03-sendfile.c class/alice/; cp %s/solutions/03-sendfile.c up/a/b/; "
		 "(cd up && zip -qr ../class/carol.zip a); cp %s/exercises/03-sendfile.c bob/; "
		 "tar -czf class/bob.tar.gz -C bob .; ln -s %s/solutions/03-sendfile.c class/'=cmd|x<b>'/03-sendfile.c; "
		 "echo not a zip > class/dave.zip; echo loose > class/notes.txt; "
		 "mkdir class/erin; echo 'int send_file(int a, int b, unsigned long c) { return <; }' > class/erin/03-sendfile.c",
		 base, root, root, root, root);
	cr_assert_eq(system(cmd), 0);
}

static void cleanup(void)
{
	zcl_rm_rf(base);
}

Test(class, a_folder_of_students_gives_one_row_each_and_a_valid_report, .init = make_class, .fini = cleanup,
     .timeout = 120)
{
	char dir[256], out[256];
	snprintf(dir, sizeof dir, "%s/class", base);
	snprintf(out, sizeof out, "%s/results", base);
	struct cli c = run_cli((const char *[]){"grade", "--class", dir, "--out", out, "-j", "2", "--stage", "3", NULL});
	cr_expect_eq(c.status, 1, "one student could not be graded: exit 1; stderr: %s", c.err);
	char path[512];
	snprintf(path, sizeof path, "%s/grades.csv", out);
	char *csv = slurp(path);
	cr_expect_str_eq(cell(csv, "alice", "03-sendfile"), "20", "alice full marks: %s", csv);
	cr_expect_str_eq(cell(csv, "alice", "status"), "\"graded\"", "%s", csv);
	cr_expect_str_eq(cell(csv, "carol", "03-sendfile"), "20", "a nested file in a zip is found: %s", csv);
	cr_expect_str_eq(cell(csv, "bob", "03-sendfile"), "0", "the skeleton scores 0: %s", csv);
	cr_expect_str_eq(cell(csv, "'=cmd|x<b>", "03-sendfile"), "0",
			 "a link is not followed; the formula is defused: %s", csv);
	cr_expect(strstr(csv, "\"dave\"") && strstr(csv, "cannot unpack"), "the broken archive is one row: %s", csv);
	cr_expect_null(strstr(csv, "notes"), "a loose file is not a student");
	cr_expect_str_eq(cell(csv, "erin", "lost points on"), "\"3 sendfile: compile-error\"",
			 "the verdict is named, not the first word of the compiler's sentence: %s", csv);
	snprintf(path, sizeof path, "xmllint --noout %s/report.html", out);
	cr_expect_eq(system(path), 0, "report.html is well-formed (XHTML syntax)");
	snprintf(path, sizeof path, "%s/report.html", out);
	char *html = slurp(path);
	cr_expect_null(strstr(html, "<b>"), "a student's name is escaped in the HTML");
	cr_expect(strstr(html, "=cmd|x&lt;b&gt;"), "and shown");
}

Test(class, a_second_run_keeps_the_students_whose_files_did_not_change, .init = make_class, .fini = cleanup,
     .timeout = 120)
{
	char dir[256], out[256];
	snprintf(dir, sizeof dir, "%s/class", base);
	snprintf(out, sizeof out, "%s/results", base);
	const char *argv[] = {"grade", "--class", dir, "--out", out, "--stage", "3", NULL};
	run_cli(argv);
	/* bob hands in the reference this time: only he is graded again */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "set -e; cd %s; cp %s/solutions/03-sendfile.c bob/; tar -czf class/bob.tar.gz -C bob .",
		 base, getenv("ZCL_ROOT"));
	cr_assert_eq(system(cmd), 0);
	struct cli c = run_cli(argv);
	cr_expect(strstr(c.out, "alice") && strstr(c.out, "(kept)"), "alice is not graded again: %s", c.out);
	char *line = strstr(c.out, "alice");
	cr_assert_not_null(line);
	cr_expect(strncmp(strchr(line, '\n') - 6, "(kept)", 6) == 0, "alice's row says kept: %s", c.out);
	line = strstr(c.out, "bob");
	cr_assert_not_null(line);
	cr_expect(strstr(line, "20 / 20") && strncmp(strchr(line, '\n') - 6, "(kept)", 6) != 0,
		  "bob's new file is graded: %s", c.out);
}

Test(class, a_missing_folder_is_a_usage_error)
{
	struct cli c = run_cli((const char *[]){"grade", "--class", "/nonexistent/class", NULL});
	cr_expect_eq(c.status, 2);
	cr_expect(strstr(c.err, "/nonexistent/class"), "%s", c.err);
	c = run_cli((const char *[]){"grade", "-j", "2", NULL});
	cr_expect_eq(c.status, 2, "-j without --class is an error, not ignored");
}

static bool saw_run;

static int spot_run(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	saw_run = saw_run || (type == FTW_D && strcmp(path + f->base, "work") == 0);
	return 0;
}

/* Entries in dir; *busy: a run folder (one with work/ in it) is somewhere
 * under it, i.e. a student's grader is running a stage. */
static int entries(const char *dir, bool *busy)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	saw_run = false;
	nftw(dir, spot_run, 16, FTW_PHYS);
	*busy = saw_run;
	return n;
}

Test(class, an_interrupted_class_leaves_nothing_in_the_scratch_folder, .fini = drop_test_dir, .timeout = 60)
{
	const char *t = make_test_dir("classint");
	char cmd[1024], scratch[256], dir[256], out[256];
	snprintf(scratch, sizeof scratch, "%s/scratch", t);
	snprintf(dir, sizeof dir, "%s/class", t);
	snprintf(out, sizeof out, "%s/out", t);
	snprintf(cmd, sizeof cmd,
		 "set -e; mkdir %s; for s in s1 s2 s3; do mkdir -p %s/$s; cp %s/solutions/[0-9][0-9]-*.c %s/$s/; done",
		 scratch, dir, getenv("ZCL_ROOT"), dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	pid_t p = fork();
	cr_assert_geq(p, 0);
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1), dup2(null, 2);
		setenv("ZCL_SCRATCH", scratch, 1);
		execl(getenv("ZCL_BIN"), "zcl", "grade", "--class", dir, "--out", out, "-j", "2", (char *)NULL);
		_exit(127);
	}
	/* wait until a grader runs a stage (a deadline, not a guess at its speed) */
	bool busy = false;
	for (int i = 0; i < 3000 && !busy; i++) {
		entries(scratch, &busy);
		if (!busy)
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	kill(p, busy ? SIGINT : SIGKILL);
	cr_assert(busy, "no grader ran a stage within 30 s");
	int st;
	cr_assert_eq(waitpid(p, &st, 0), p);
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "zcl dies of the SIGINT it got (status %#x)", st);
	int left = entries(scratch, &busy);
	snprintf(cmd, sizeof cmd, "find %s >&2", scratch);
	if (left)
		cr_assert_eq(system(cmd), 0);
	cr_expect_eq(left, 0, "the scratch folder is empty after the interrupt");
}

/* A student's key (what lets a resumed class keep the result) is written
 * only for a grade that ran to its end; otherwise it is removed, so the
 * student is graded again. */
Test(class, the_resume_key_is_kept_only_for_a_finished_grade)
{
	char path[] = "/var/tmp/zcl-key-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	zcl_class_key_put(path, "abc123");
	FILE *f = fopen(path, "r");
	char line[32] = "";
	cr_assert_not_null(f);
	cr_expect_not_null(fgets(line, sizeof line, f));
	fclose(f);
	cr_expect_str_eq(line, "abc123\n");
	zcl_class_key_put(path, NULL); /* cut short: no key, graded again */
	cr_expect_neq(access(path, F_OK), 0, "the key of an unfinished grade is gone");
}
