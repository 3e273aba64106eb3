/*
 * test_proc.c - the lab's small readings of /proc (proc.h).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

Test(proc, a_status_field_is_found_at_a_line_start_only)
{
	const char *text = "Name:\tx\nPPid:\t7\nTgid:\t42\nTracerPid:\t0\n";
	cr_assert_eq(zcl_proc_field(text, "Tgid"), 42);
	cr_assert_eq(zcl_proc_field(text, "Pid"), -1, "not the tail of PPid or TracerPid");
	cr_assert_eq(zcl_proc_field(text, "TracerPid"), 0);
}

Test(proc, this_process_reads_as_itself)
{
	char name[64];
	cr_assert_eq(zcl_proc_status(getpid(), "Pid"), getpid());
	cr_assert_eq(zcl_proc_parent(getpid()), getppid());
	zcl_proc_comm(getpid(), name, sizeof name);
	cr_assert(strlen(name) > 0 && strcmp(name, "?") != 0 && !strchr(name, '\n'), "comm: '%s'", name);
}

Test(proc, a_process_that_is_not_there_reads_as_unknown)
{
	char name[64], buf[16];
	pid_t none = 0x3ffffff; /* above any pid_max */
	cr_assert_eq(zcl_proc_status(none, "Tgid"), -1);
	cr_assert_eq(zcl_proc_parent(none), 0);
	zcl_proc_comm(none, name, sizeof name);
	cr_assert_str_eq(name, "?");
	cr_assert_eq(zcl_proc_slurp("/proc/no/such/file", buf, sizeof buf), -1);
	cr_assert_str_eq(buf, "");
}
