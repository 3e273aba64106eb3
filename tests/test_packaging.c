/*
 * test_packaging.c - the class packages work: runs tests/test_packaging.sh,
 * which builds the Gradescope zip and the student tarball, unpacks each in
 * a throwaway directory and grades, builds and leak-checks them there.
 * The shell script does the work (it is zip, tar and make all the way);
 * this test makes it part of `make test` and shows its report on failure.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The last `size` - 1 bytes of file `path` (where the failures and the
 * totals are) into buf, NUL-terminated; "" if it cannot be read. */
static void tail_of(const char *path, char *buf, size_t size)
{
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0) {
		long end = ftell(f);
		long from = end > (long)size - 1 ? end - ((long)size - 1) : 0;
		fseek(f, from, SEEK_SET);
	}
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
}

Test(packaging, gradescope_zip_and_student_tarball_work, .timeout = 300)
{
	const char *root = getenv("ZCL_ROOT");
	cr_assert_not_null(root, "ZCL_ROOT is set by make test");

	char log[] = "/var/tmp/zcl-packaging-log-XXXXXX";
	int fd = mkstemp(log);
	cr_assert(fd >= 0, "mkstemp: cannot make a log file");
	close(fd);

	char cmd[2048];
	int n = snprintf(cmd, sizeof cmd, "cd '%s' && sh tests/test_packaging.sh >'%s' 2>&1", root, log);
	cr_assert(n > 0 && (size_t)n < sizeof cmd, "ZCL_ROOT is too long: %s", root);
	int status = system(cmd);

	static char out[32 * 1024];
	tail_of(log, out, sizeof out);
	unlink(log);
	cr_assert(status != -1 && WIFEXITED(status), "tests/test_packaging.sh did not run to its end:\n%s", out);
	cr_expect_eq(WEXITSTATUS(status), 0, "tests/test_packaging.sh failed:\n%s", out);
	cr_expect(strstr(out, " passed, 0 failed") != NULL, "no clean summary line:\n%s", out);
}
