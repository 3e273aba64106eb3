/*
 * test_account.c - totals count only the bracket, and the cross-check with
 * /proc/PID/io reports a disagreement.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>
#include <sys/syscall.h>

#include "account.h"
#include "model.h"

static void feed(struct zcl_totals *t, struct zcl_sysrec *r)
{
	struct zcl_event ev[8];
	size_t n = zcl_model(r, true, ev, 8);
	zcl_account_step(t, r, ev, n);
}

Test(account, only_the_bracket_counts_and_outside_moves_are_noted)
{
	struct zcl_totals t;
	zcl_account_init(&t);
	struct zcl_sysrec r = {.nr = SYS_read, .ret = 100, .in = {ZF_FILE, true, false, false}, .in_bracket = false};
	feed(&t, &r);
	cr_expect_eq(t.syscalls, 0);
	cr_expect_eq(t.outside_bytes, 100);
	cr_expect_eq(t.outside_nr, SYS_read);
	r.in_bracket = true;
	feed(&t, &r);
	cr_expect_eq(t.syscalls, 1);
	cr_expect_eq(t.mode_switches, 2);
	cr_expect_eq(t.cpu.bytes, 100);
	cr_expect_eq(t.file_read_bytes, 100);
	cr_expect_eq(t.io_rchar, 100);
	cr_expect_eq(t.io_syscr, 1);
}

Test(account, crosscheck_agrees_and_disagrees)
{
	struct zcl_totals t;
	zcl_account_init(&t);
	t.io_rchar = 500;
	t.io_syscr = 2;
	struct zcl_kernel_acct k = {.begin = {.valid = true, .rchar = 1000, .syscr = 10},
				    .end = {.valid = true, .rchar = 1500, .syscr = 12}};
	char buf[512];
	cr_expect_eq(zcl_account_crosscheck(&t, &k, buf, sizeof buf), 0);
	cr_expect_str_empty(buf);
	k.end.rchar = 1600;
	cr_expect_eq(zcl_account_crosscheck(&t, &k, buf, sizeof buf), 1);
	cr_expect(strstr(buf, "rchar: lab counted 500, kernel /proc/PID/io says 600") != NULL, "%s", buf);
	k.end.rchar = 1500;
	k.excluded.syscr = 9; /* more excluded than the span holds: an end read too early */
	cr_expect_eq(zcl_account_crosscheck(&t, &k, buf, sizeof buf), 1);
	cr_expect(strstr(buf, "syscr: lab counted 2, kernel /proc/PID/io has no figure (read 10 at the start, 12 at "
			      "the end, 9 excluded") != NULL, "%s", buf);
	cr_expect_null(strstr(buf, "18446744"), "never a wrapped-around difference: %s", buf);
	k.end.valid = false;
	cr_expect_eq(zcl_account_crosscheck(&t, &k, buf, sizeof buf), -1, "no figures, no verdict");
}
