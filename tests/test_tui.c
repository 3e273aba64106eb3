/*
 * test_tui.c - the animated view end to end, as a person meets it: zcl runs
 * in a real terminal (a tmux pane), the test types keys and reads the screen
 * with capture-pane.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char sock[64]; /* a tmux server of our own: -L zcl-test-PID */

/* Run a shell command; its stdout into out (may be NULL). Returns the status. */
static int sh(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	size_t n = 0;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = 0;
	} else {
		char junk[4096];
		while (fread(junk, 1, sizeof junk, p) > 0)
			;
	}
	return pclose(p);
}

/* Start zcl with args in a w x h pane. */
static void start(int w, int h, const char *args)
{
	snprintf(sock, sizeof sock, "zcl-test-%d", (int)getpid());
	cr_assert_eq(sh(NULL, 0, "command -v tmux >/dev/null"), 0, "tmux is needed (make deps installs it)");
	cr_assert_eq(sh(NULL, 0, "tmux -L %s -f /dev/null new-session -d -s t -x %d -y %d "
				 "'env ZCL_ROOT=%s LANG=C.UTF-8 TERM=xterm-256color %s %s; sleep 30' && "
				 "tmux -L %s set -g remain-on-exit on",
		     sock, w, h, getenv("ZCL_ROOT"), getenv("ZCL_BIN"), args, sock), 0);
}

static void screen(char *buf, size_t len)
{
	sh(buf, len, "tmux -L %s capture-pane -p -t t", sock);
}

static void keys(const char *k)
{
	sh(NULL, 0, "tmux -L %s send-keys -t t %s", sock, k);
}

/* Wait until the screen shows `what` (up to 10 s). */
static bool wait_for(const char *what, char *buf, size_t len)
{
	for (int i = 0; i < 200; i++) {
		screen(buf, len);
		if (strstr(buf, what))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static void stop(void)
{
	sh(NULL, 0, "tmux -L %s kill-server 2>/dev/null", sock);
}

/* The number after `label` on the screen, or -1. */
static long number_after(const char *buf, const char *label)
{
	const char *p = strstr(buf, label);
	if (!p)
		return -1;
	p += strlen(label);
	while (*p && (*p < '0' || *p > '9'))
		p++;
	return *p ? strtol(p, NULL, 10) : -1;
}

Test(tui, step_mode_holds_the_program_and_space_advances_it, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution --step --size 200000");
	cr_assert(wait_for("STEP", buf, sizeof buf), "the step-mode status line: %s", buf);
	cr_assert(wait_for("about to", buf, sizeof buf), "held before the first syscall: %s", buf);
	long before = number_after(buf, "syscalls");
	keys("Space");
	usleep(800 * 1000); /* the copies animate */
	keys("Space");
	usleep(800 * 1000);
	screen(buf, sizeof buf);
	long after = number_after(buf, "syscalls");
	cr_expect_gt(after, before, "space runs syscalls: %ld -> %ld\n%s", before, after, buf);
	cr_expect(strstr(buf, "USER SPACE") && strstr(buf, "KERNEL") && strstr(buf, "HARDWARE"), "%s", buf);
}

Test(tui, g_brings_the_cpu_copy_back_in_the_sendfile_stage, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 3 --solution --size 100000");
	cr_assert(wait_for("pass", buf, sizeof buf), "the run finishes: %s", buf);
	cr_expect(strstr(buf, "scatter-gather") != NULL, "%s", buf);
	long cpu_sg = number_after(buf, "CPU");
	keys("g");
	usleep(300 * 1000);
	cr_assert(wait_for("pass", buf, sizeof buf), "the re-run finishes: %s", buf);
	for (int i = 0; i < 40 && number_after(buf, "CPU") == cpu_sg; i++) {
		usleep(100 * 1000);
		screen(buf, sizeof buf);
	}
	long cpu_nosg = number_after(buf, "CPU");
	cr_expect_eq(cpu_sg, 0, "with SG, no CPU copy\n%s", buf);
	cr_expect_gt(cpu_nosg, 0, "without SG the CPU copy comes back\n%s", buf);
}

Test(tui, q_quits_and_restores_the_terminal, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 2 --solution --size 50000");
	cr_assert(wait_for("pass", buf, sizeof buf), "%s", buf);
	keys("q");
	for (int i = 0; i < 100; i++) {
		usleep(50 * 1000);
		screen(buf, sizeof buf);
		if (!strstr(buf, "USER SPACE"))
			break;
	}
	cr_expect(strstr(buf, "USER SPACE") == NULL, "the TUI's screen is gone after q:\n%s", buf);
	char alt[64];
	sh(alt, sizeof alt, "tmux -L %s display -p -t t '#{alternate_on}'", sock);
	cr_expect_eq(alt[0], '0', "the alternate screen is left");
}

Test(tui, a_small_terminal_gets_a_clear_message, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(60, 20, "run 1 --solution --size 1000");
	cr_expect(wait_for("too small", buf, sizeof buf), "%s", buf);
	keys("q");
}
