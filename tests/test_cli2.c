/*
 * test_cli2.c - zcl as a Unix tool: each command's own --help from one
 * table, options refused where they do not apply, "did you mean",
 * --version, the man page (mandoc -Tlint), the bash completion and the
 * README kept in step with the table; zcl reset, zcl list's progress,
 * the compiler's warnings in check, and make demo's packages.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "help.h"
#include "progress.h"
#include "stages.h"
#include "suggest.h"

/* The output of a shell command (stdout and stderr, up to 64 KiB, static)
 * and its exit status in *status. */
static char *sh(const char *cmd, int *status)
{
	static char buf[64 * 1024 + 1];
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = 0;
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return buf;
}

static const char *root(void)
{
	const char *r = getenv("ZCL_ROOT");
	cr_assert_not_null(r, "ZCL_ROOT is set by make test");
	return r;
}

/* A file of the lab's tree into a malloc'd string. */
static char *read_lab_file(const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root(), rel);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot read %s", path);
	char *text = NULL;
	size_t cap = 0;
	FILE *m = open_memstream(&text, &cap);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return text;
}

/* Is "--name" in text as a whole option (not the start of a longer one)? */
static bool has_option(const char *text, const char *dashed)
{
	size_t n = strlen(dashed);
	for (const char *p = text; (p = strstr(p, dashed)); p += n) {
		char next = p[n];
		if (!(next == '-' || (next >= 'a' && next <= 'z')))
			return true;
	}
	return false;
}

Test(cli2, every_command_has_a_help_of_its_own_options_only)
{
	size_t nc, no;
	const struct zcl_command *cmds = zcl_commands(&nc);
	const struct zcl_option *opts = zcl_options(&no);
	for (size_t c = 0; c < nc; c++) {
		const char *argv[] = {cmds[c].name, "--help", NULL};
		struct cli r = run_cli(argv);
		cr_expect_eq(r.status, 0, "%s --help: exit %d", cmds[c].name, r.status);
		char usage[64];
		snprintf(usage, sizeof usage, "usage: zcl %s", cmds[c].name);
		cr_expect(strncmp(r.out, usage, strlen(usage)) == 0, "%s --help starts %s", cmds[c].name, r.out);
		char *from = strstr(r.out, "\noptions:\n"), *to = strstr(r.out, "\nexit status:\n");
		cr_assert(from && to && from < to, "%s --help has options, then its exit status:\n%s", cmds[c].name, r.out);
		*to = 0;
		for (size_t k = 0; k < no; k++) {
			char dashed[64];
			snprintf(dashed, sizeof dashed, "--%s", opts[k].name);
			bool applies = zcl_option_applies(opts[k].val, (enum zcl_cmd)c);
			cr_expect_eq(has_option(from, dashed), applies, "zcl %s --help %s %s", cmds[c].name,
				     applies ? "lacks" : "shows", dashed);
		}
	}
}

/* Every option given to every command that does not take it: refused. */
Test(cli2, an_option_a_command_does_not_take_is_an_error_naming_the_command)
{
	size_t nc, no;
	const struct zcl_command *cmds = zcl_commands(&nc);
	const struct zcl_option *opts = zcl_options(&no);
	int tried = 0;
	for (size_t c = 0; c < nc; c++)
		for (size_t k = 0; k < no; k++) {
			if (zcl_option_applies(opts[k].val, (enum zcl_cmd)c))
				continue;
			char dashed[64];
			snprintf(dashed, sizeof dashed, "--%s", opts[k].name);
			const char *argv[] = {cmds[c].name, dashed, opts[k].arg ? "1" : NULL, NULL};
			struct cli r = run_cli(argv);
			char says[128];
			snprintf(says, sizeof says, "does not apply to %s", cmds[c].name);
			cr_expect_eq(r.status, 2, "zcl %s %s: exit %d", cmds[c].name, dashed, r.status);
			cr_expect(strstr(r.err, says) && strstr(r.err, dashed), "zcl %s %s: %s", cmds[c].name, dashed, r.err);
			tried++;
		}
	cr_expect_gt(tried, 100, "most options are for a few commands");
	const char *argv[] = {"check", "1", "--format", "json", NULL};
	struct cli r = run_cli(argv);
	cr_expect(strstr(r.err, "zcl: check: --format does not apply to check (it is for grade"), "%s", r.err);
}

struct typo { const char *argv[4]; const char *err; };

static struct typo typos[] = {
	{{"chek", "1", NULL}, "zcl: unknown command 'chek'; did you mean 'check'?\n"},
	{{"check", "sendfle", NULL}, "zcl: unknown stage 'sendfle'; did you mean 'sendfile'?\n"},
	{{"hint", "03-sendfle", NULL}, "zcl: unknown stage '03-sendfle'; did you mean '03-sendfile'?\n"},
	{{"grade", "--stage", "mmpa", NULL}, "zcl: --stage: unknown stage 'mmpa'; did you mean 'mmap'?\n"},
	{{"check", "1", "--wram", NULL}, "zcl: check: unknown option --wram; did you mean --warm?\n"},
	{{"frobnicate", NULL}, "zcl: unknown command 'frobnicate' (zcl --help lists them)\n"},
	{{"check", "zzzzzz", NULL}, "zcl: unknown stage 'zzzzzz' (zcl list shows them)\n"},
};

ParameterizedTestParameters(cli2, a_typo_gets_the_nearest_word_or_none)
{
	INDEX_PARAMS(typos);
}

ParameterizedTest(int *ix, cli2, a_typo_gets_the_nearest_word_or_none)
{
	struct cli r = run_cli(typos[*ix].argv);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, typos[*ix].err);
}

Test(cli2, edit_distance_counts_each_typing_slip_once)
{
	cr_expect_eq(zcl_edit_distance("check", "check"), 0);
	cr_expect_eq(zcl_edit_distance("chek", "check"), 1, "a letter missing");
	cr_expect_eq(zcl_edit_distance("chhek", "check"), 2);
	cr_expect_eq(zcl_edit_distance("chekc", "check"), 1, "two letters swapped");
	cr_expect_eq(zcl_edit_distance("", "list"), 4);
	const char *const words[] = {"list", "check", "run", "replay"};
	cr_expect_str_eq(zcl_suggest("rnu", words, 4), "run");
	cr_expect_str_eq(zcl_suggest("rep", words, 4), "replay", "the only word it starts");
	cr_expect_null(zcl_suggest("xyzzy", words, 4));
	cr_expect_null(zcl_suggest("check", words, 4), "a known word needs no suggestion");
}

/* "1.0" from the man page's .TH line: "Zero-Copy Lab 1.0". */
static void man_version(const char *man, char *buf, size_t len)
{
	const char *p = strstr(man, "\"Zero-Copy Lab ");
	cr_assert_not_null(p, "zcl.1's .TH names the version");
	p += strlen("\"Zero-Copy Lab ");
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\""), p);
}

Test(cli2, version_is_printed_and_the_man_page_has_the_same)
{
	const char *argv[] = {"--version", NULL};
	struct cli r = run_cli(argv);
	cr_expect_eq(r.status, 0);
	char *man = read_lab_file("lab/zcl.1"), want[64], said[64];
	man_version(man, want, sizeof want);
	cr_assert(sscanf(r.out, "zcl %63s", said) == 1, "%s", r.out);
	cr_expect_str_eq(said, want, "zcl --version and zcl.1's .TH");
	free(man);
}

Test(cli2, man_page_passes_mandoc_lint_and_has_every_command_and_option)
{
	char cmd[4200];
	int st;
	snprintf(cmd, sizeof cmd, "mandoc -Tlint -W warning '%s/lab/zcl.1' 2>&1", root());
	char *lint = sh(cmd, &st);
	cr_expect_eq(st, 0, "mandoc -Tlint (Debian package mandoc): %s", lint);
	cr_expect_str_eq(lint, "", "mandoc -Tlint says nothing");
	char *man = read_lab_file("lab/zcl.1");
	size_t nc, no;
	const struct zcl_command *cmds = zcl_commands(&nc);
	const struct zcl_option *opts = zcl_options(&no);
	for (size_t c = 0; c < nc; c++) {
		char b[64], bi[64];
		snprintf(b, sizeof b, "\n.B %s\n", cmds[c].name);
		snprintf(bi, sizeof bi, "\n.BI %s \"", cmds[c].name);
		cr_expect(strstr(man, b) || strstr(man, bi), "zcl.1 has no entry for %s", cmds[c].name);
	}
	for (size_t k = 0; k < no; k++) {
		char dashed[64];
		snprintf(dashed, sizeof dashed, "\\-\\-%s", opts[k].name);
		for (char *p = dashed + 4; *p; p++)
			if (*p == '-')
				memmove(p + 1, p, strlen(p) + 1), *p++ = '\\';
		cr_expect(has_option(man, dashed), "zcl.1 does not mention %s", dashed);
	}
	free(man);
}

/* What the completion offers for the words (the last is the one typed),
 * one per line. */
static char *complete(const char *words)
{
	char cmd[8192];
	int st;
	snprintf(cmd, sizeof cmd,
		 "bash --norc --noprofile -c 'source \"%s/lab/zcl.bash\"; COMP_WORDS=(\"%s\" %s); "
		 "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _zcl; printf \"%%s\\n\" \"${COMPREPLY[@]}\" | sort' 2>&1",
		 root(), getenv("ZCL_BIN"), words);
	char *out = sh(cmd, &st);
	cr_expect_eq(st, 0, "bash: %s", out);
	return out;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

Test(cli2, completion_offers_the_commands_each_ones_options_and_the_stages)
{
	size_t nc, no, ns;
	const struct zcl_command *cmds = zcl_commands(&nc);
	const struct zcl_option *opts = zcl_options(&no);
	const struct zcl_stage *st = zcl_stages(&ns);
	char *first = strdup(complete("\"\""));
	for (size_t c = 0; c < nc; c++)
		cr_expect(has_line(first, cmds[c].name), "zcl <Tab> lacks %s:\n%s", cmds[c].name, first);
	free(first);
	for (size_t c = 0; c < nc; c++) {
		char words[64];
		snprintf(words, sizeof words, "%s -", cmds[c].name);
		char *got = strdup(complete(words));
		for (size_t k = 0; k < no; k++) {
			char dashed[64];
			snprintf(dashed, sizeof dashed, "--%s", opts[k].name);
			bool applies = zcl_option_applies(opts[k].val, (enum zcl_cmd)c);
			cr_expect_eq(has_line(got, dashed), applies, "zcl %s -<Tab> %s %s:\n%s", cmds[c].name,
				     applies ? "lacks" : "offers", dashed, got);
		}
		free(got);
	}
	char *stages = complete("check \"\"");
	for (size_t k = 0; k < ns; k++) {
		char num[16];
		snprintf(num, sizeof num, "%d", st[k].num);
		cr_expect(has_line(stages, num) && has_line(stages, st[k].slug), "zcl check <Tab>: %s", stages);
	}
	cr_expect(has_line(complete("grade --format j"), "junit"));
}

Test(cli2, readme_commands_section_lists_every_command)
{
	char *readme = read_lab_file("README.md");
	char *from = strstr(readme, "\n## Commands\n");
	cr_assert_not_null(from);
	char *to = strstr(from + 1, "\n## ");
	if (to)
		*to = 0;
	size_t nc;
	const struct zcl_command *cmds = zcl_commands(&nc);
	for (size_t c = 0; c < nc; c++) {
		char line[64];
		snprintf(line, sizeof line, "./zcl %s", cmds[c].name);
		cr_expect(strstr(from, line), "README's Commands lack %s", line);
	}
	free(readme);
}

/* A lab tree with stage 1's exercise (fake_root), plus the skeleton in
 * exercises/.pristine/ when pristine is not NULL. */
static const char *tree(const char *mine, const char *pristine)
{
	const char *r = fake_root(1, mine);
	if (pristine) {
		char p[4096];
		snprintf(p, sizeof p, "%s/exercises/.pristine", r);
		cr_assert_eq(mkdir(p, 0755), 0);
		snprintf(p, sizeof p, "%s/exercises/.pristine/01-readwrite.c", r);
		FILE *f = fopen(p, "w");
		fputs(pristine, f);
		fclose(f);
	}
	return r;
}

static char *slurp_path(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[2][4096];
	static int k;
	char *b = buf[k ^= 1];
	size_t n = fread(b, 1, sizeof buf[0] - 1, f);
	b[n] = 0;
	fclose(f);
	return b;
}

Test(reset, restores_the_pristine_skeleton_and_keeps_a_dated_backup, .fini = drop_fake_root)
{
	const char *r = tree("int my_work;\n", "/* skeleton */\n");
	const char *argv[] = {"reset", "1", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect(strstr(c.out, "01-readwrite.c.bak-2") && strstr(c.out, "is the skeleton again"), "%s", c.out);
	char p[4096];
	snprintf(p, sizeof p, "%s/exercises/01-readwrite.c", r);
	cr_expect_str_eq(slurp_path(p), "/* skeleton */\n");
	char cmd[4200];
	int st;
	snprintf(cmd, sizeof cmd, "cat '%s'/exercises/01-readwrite.c.bak-[0-9]*-[0-9]*", r);
	cr_expect_str_eq(sh(cmd, &st), "int my_work;\n", "the backup holds the student's file");
	c = run_cli(argv);
	cr_expect_eq(c.status, 0);
	cr_expect(strstr(c.out, "already the skeleton"), "a second reset changes nothing: %s", c.out);
	snprintf(cmd, sizeof cmd, "ls '%s'/exercises | grep -c bak-", r);
	cr_expect_str_eq(sh(cmd, &st), "1\n", "one backup, not two");
}

Test(reset, takes_the_skeleton_from_git_head_without_a_pristine_copy, .fini = drop_fake_root)
{
	const char *r = tree("/* as committed */\n", NULL);
	char cmd[4200];
	int st;
	snprintf(cmd, sizeof cmd, "cd '%s' && git init -q && git add exercises/01-readwrite.c && "
		 "git -c user.name=t -c user.email=t@t commit -qm skel && echo 'int edited;' >exercises/01-readwrite.c 2>&1",
		 r);
	char *out = sh(cmd, &st);
	cr_assert_eq(st, 0, "git: %s", out);
	const char *argv[] = {"reset", "readwrite", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s", c.err);
	cr_expect(strstr(c.out, "git's HEAD"), "%s", c.out);
	char p[4096];
	snprintf(p, sizeof p, "%s/exercises/01-readwrite.c", r);
	cr_expect_str_eq(slurp_path(p), "/* as committed */\n");
}

Test(reset, without_a_skeleton_anywhere_it_fails_and_changes_nothing, .fini = drop_fake_root)
{
	const char *r = tree("int mine;\n", NULL);
	const char *argv[] = {"reset", "1", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 2);
	cr_expect(strstr(c.err, "no skeleton"), "%s", c.err);
	char p[4096];
	snprintf(p, sizeof p, "%s/exercises/01-readwrite.c", r);
	cr_expect_str_eq(slurp_path(p), "int mine;\n");
}

/* zcl list's line for stage 1. */
static const char *list_line(void)
{
	const char *argv[] = {"list", NULL};
	struct cli c = run_cli(argv);
	cr_assert_eq(c.status, 0, "%s", c.err);
	static char line[256];
	const char *p = strstr(c.out, "  1  readwrite");
	cr_assert_not_null(p, "%s", c.out);
	snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

Test(list, shows_done_only_while_the_exercise_has_the_bytes_that_earned_it, .fini = drop_fake_root)
{
	const char *r = tree("int v1;\n", NULL);
	cr_expect(strstr(list_line(), "pending"), "%s", list_line());
	char p[4096];
	uint64_t h;
	snprintf(p, sizeof p, "%s/exercises/01-readwrite.c", r);
	cr_assert_eq(zcl_progress_hash_file(p, &h), 0);
	snprintf(p, sizeof p, "%s/.zcl-progress", r);
	FILE *f = fopen(p, "w");
	fprintf(f, "01-readwrite %016llx\n", (unsigned long long)h);
	fclose(f);
	cr_expect(strstr(list_line(), "done"), "%s", list_line());
	snprintf(p, sizeof p, "%s/exercises/01-readwrite.c", r);
	f = fopen(p, "a");
	fputs("int v2;\n", f);
	fclose(f);
	cr_expect(strstr(list_line(), "pending"), "edited after it was done: %s", list_line());
}

Test(list, a_full_grade_marks_the_stage_done, .fini = drop_fake_root)
{
	char *sol = read_lab_file("solutions/01-readwrite.c");
	tree(sol, NULL);
	free(sol);
	const char *argv[] = {"grade", "--stage", "1", NULL};
	struct cli c = run_cli(argv);
	cr_expect_eq(c.status, 0, "%s %s", c.out, c.err);
	cr_expect(strstr(list_line(), "done"), "%s", list_line());
}

Test(check, prints_the_compilers_warnings_escaped_also_from_a_cached_build, .fini = drop_fake_root)
{
	char *skel = read_lab_file("exercises/01-readwrite.c");
	char *brace = strstr(skel, "\n{\n");
	cr_assert_not_null(brace, "the skeleton's function body");
	char *src;
	cr_assert(asprintf(&src, "%.*s\n{\n\tint unused_lab_var; const char *esc = \"\x1b[31m\";\n%s",
			   (int)(brace - skel), skel, brace + 3) > 0);
	tree(src, NULL);
	free(skel);
	free(src);
	const char *argv[] = {"check", "1", NULL};
	for (int round = 0; round < 2; round++) { /* built, then from the cache */
		struct cli c = run_cli(argv);
		cr_expect_eq(c.status, 1, "the skeleton fails: %s", c.err);
		char *w = strstr(c.out, "compiler warnings (");
		cr_expect(w && strstr(w, "unused_lab_var"), "round %d: %s", round, c.out);
		cr_expect_null(strchr(c.out, '\x1b'), "no raw escape byte reaches the terminal");
		cr_expect(w && strstr(w, "\\x1b"), "round %d: the escape byte shown as \\x1b: %s", round, w ? w : c.out);
	}
}

Test(make, demo_installs_only_the_runtime_packages_and_test_installs_the_rest)
{
	char cmd[4200];
	int st;
	snprintf(cmd, sizeof cmd, "make -s -n -C '%s' demo 2>&1 | grep deps.sh", root());
	char *demo = strdup(sh(cmd, &st));
	snprintf(cmd, sizeof cmd, "make -s -n -C '%s' test 2>&1 | grep deps.sh", root());
	char *test = strdup(sh(cmd, &st));
	static const char *const runtime[] = {"gcc", "make", "pkg-config", "libseccomp-dev", "libncurses-dev"};
	static const char *const test_only[] = {"libcriterion-dev", "tmux", "strace", "zip", "asciinema", "mandoc"};
	for (size_t i = 0; i < sizeof runtime / sizeof runtime[0]; i++)
		cr_expect(has_option(demo, runtime[i]) && has_option(test, runtime[i]), "%s: demo %s test %s",
			  runtime[i], demo, test);
	for (size_t i = 0; i < sizeof test_only / sizeof test_only[0]; i++) {
		cr_expect(!has_option(demo, test_only[i]), "make demo checks %s: %s", test_only[i], demo);
		cr_expect(has_option(test, test_only[i]), "make test lacks %s: %s", test_only[i], test);
	}
	free(demo);
	free(test);
}
