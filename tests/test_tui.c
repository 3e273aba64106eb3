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

/* Start zcl with args in a w x h pane, under env (e.g. "LANG=C.UTF-8") and
 * with ZCL_ROOT (root, or the tree under test). */
static void start_in(int w, int h, const char *env, const char *root, const char *args)
{
	snprintf(sock, sizeof sock, "zcl-test-%d", (int)getpid());
	cr_assert_eq(sh(NULL, 0, "command -v tmux >/dev/null"), 0, "tmux is needed (make deps installs it)");
	cr_assert_eq(sh(NULL, 0, "tmux -L %s -f /dev/null new-session -d -s t -x %d -y %d "
				 "'env ZCL_ROOT=%s TERM=xterm-256color %s %s %s; echo zcl exit status $?; sleep 30' && "
				 "tmux -L %s set -g remain-on-exit on",
		     sock, w, h, root ? root : getenv("ZCL_ROOT"), env, getenv("ZCL_BIN"), args, sock), 0);
}

static void start(int w, int h, const char *args)
{
	start_in(w, h, "LANG=C.UTF-8", NULL, args);
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

/* After q, Ctrl-C...: the TUI's screen is gone and the alternate screen left. */
static void expect_screen_given_back(char *buf, size_t len)
{
	for (int i = 0; i < 100 && strstr(buf, "USER SPACE"); i++) {
		usleep(50 * 1000);
		screen(buf, len);
	}
	cr_expect(strstr(buf, "USER SPACE") == NULL, "the screen is given back:\n%s", buf);
	char alt[64];
	sh(alt, sizeof alt, "tmux -L %s display -p -t t '#{alternate_on}'", sock);
	cr_expect_eq(alt[0], '0', "the alternate screen is left");
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
	start(100, 32, "run 3 --solution --size 100000 --speed 9");
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
	keys("g"); /* and g removes it again */
	for (int i = 0; i < 60 && number_after(buf, "CPU") != 0; i++) {
		usleep(100 * 1000);
		screen(buf, sizeof buf);
	}
	cr_expect_eq(number_after(buf, "CPU"), 0, "SG back on: no CPU copy\n%s", buf);
}

Test(tui, q_quits_and_restores_the_terminal, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 2 --solution --size 50000 --speed 9");
	cr_assert(wait_for("pass", buf, sizeof buf), "%s", buf);
	keys("q");
	expect_screen_given_back(buf, sizeof buf);
}

Test(tui, a_small_terminal_gets_a_clear_message, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(60, 20, "run 1 --solution --size 1000");
	cr_expect(wait_for("too small", buf, sizeof buf), "%s", buf);
	keys("q");
}

Test(tui, ctrl_c_stops_the_program_and_restores_the_terminal, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution --step --size 200003");
	cr_assert(wait_for("about to", buf, sizeof buf), "%s", buf);
	keys("C-c");
	expect_screen_given_back(buf, sizeof buf);
	char procs[256]; /* this test's program only: the other tests run theirs meanwhile */
	sh(procs, sizeof procs, "pgrep -f '/var/tmp/[z]cl-[A-Za-z0-9]+/stage 200003' || true");
	cr_expect_str_empty(procs, "no stage program survives: %s", procs);
}

Test(tui, a_resize_is_followed, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 3 --solution --size 10000 --speed 9");
	cr_assert(wait_for("pass", buf, sizeof buf), "%s", buf);
	sh(NULL, 0, "tmux -L %s resize-window -t t -x 70 -y 20", sock);
	cr_expect(wait_for("too small", buf, sizeof buf), "shrunk below 80x24:\n%s", buf);
	sh(NULL, 0, "tmux -L %s resize-window -t t -x 120 -y 40", sock);
	cr_expect(wait_for("USER SPACE", buf, sizeof buf), "grown back:\n%s", buf);
	keys("q");
}

Test(tui, without_a_utf8_locale_the_scene_is_ascii, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start_in(100, 32, "LANG=C LC_ALL=C NO_COLOR=1", NULL, "run 3 --solution --size 10000 --speed 9");
	cr_assert(wait_for("pass", buf, sizeof buf), "%s", buf);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
		cr_assert(*p < 0x80, "only ASCII on screen:\n%s", buf);
	cr_expect(strstr(buf, "+--") != NULL, "ASCII boxes:\n%s", buf);
	keys("q");
}

Test(tui, help_overlay_lists_the_keys, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 2 --solution --size 10000 --speed 9");
	cr_assert(wait_for("pass", buf, sizeof buf), "%s", buf);
	keys("?");
	cr_expect(wait_for("scatter-gather on / off", buf, sizeof buf), "%s", buf);
	keys("q");
}

Test(tui, watch_rechecks_a_saved_file, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	const char *root = fake_root(1, "#include \"zcl.h\"\nint send_file(int f, int s, size_t z) "
				     "{ (void)f; (void)s; (void)z; return ZCL_TODO; }\n");
	start_in(100, 32, "LANG=C.UTF-8", root, "watch");
	cr_assert(wait_for("not-implemented", buf, sizeof buf), "the first check:\n%s", buf);
	/* save a working stage 1 the way editors do: write a temporary, rename */
	char tmp[512], dst[512];
	snprintf(tmp, sizeof tmp, "%s/exercises/.01.tmp", root);
	snprintf(dst, sizeof dst, "%s/exercises/01-readwrite.c", root);
	FILE *f = fopen(tmp, "w");
	/* done means the full grade: EINTR is retried too */
	fputs("#include <errno.h>\n#include <unistd.h>\n#include \"zcl.h\"\nint send_file(int f, int s, size_t z) { char b[4096]; "
	      "(void)z; ssize_t n; while ((n = read(f, b, sizeof b)) != 0) { if (n < 0 && errno == EINTR) continue; "
	      "if (n < 0) return -1; for (ssize_t o = 0; o < n;) "
	      "{ ssize_t w = write(s, b + o, (size_t)(n - o)); if (w < 0 && errno == EINTR) continue; if (w < 0) return -1; o += w; } } "
	      "return 0; }\n", f);
	fclose(f);
	cr_assert_eq(rename(tmp, dst), 0);
	cr_expect(wait_for("[done] 1 readwrite", buf, sizeof buf), "the save was picked up and passed:\n%s", buf);
	keys("q");
	usleep(300 * 1000);
	drop_fake_root();
}

Test(tui, a_vanished_terminal_ends_zcl_and_its_program, .timeout = 60)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution --step --size 300001");
	cr_assert(wait_for("about to", buf, sizeof buf), "%s", buf);
	stop(); /* the terminal hangs up under zcl */
	char procs[512] = "";
	for (int i = 0; i < 60; i++) {
		usleep(50 * 1000);
		sh(procs, sizeof procs, "pgrep -f '[s]ize 300001|/var/tmp/[z]cl-[A-Za-z0-9]+/stage 300001' || true");
		if (!procs[0])
			break;
	}
	cr_expect_str_empty(procs, "nothing survives the terminal: %s", procs);
}

/* Code points of the longest line of asciinema's output, cursor homes and
 * line ends splitting lines, escape sequences taking no room. */
static int widest_line(const char *text)
{
	int widest = 0, w = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == 0x1b && p[1] == '[') { /* CSI: parameters, then a final letter */
			p += 2;
			while (*p && !(*p >= 0x40 && *p <= 0x7e))
				p++;
			if (*p == 'H' || *p == 'J')
				w = 0;
			if (!*p)
				break;
		} else if (*p == '\r' || *p == '\n') {
			w = 0;
		} else if ((*p & 0xc0) != 0x80) {
			w++;
		}
		widest = w > widest ? w : widest;
	}
	return widest;
}

Test(tui, a_resize_during_cast_keeps_the_recording_playable, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	char cast[] = "/var/tmp/zcl-cast-XXXXXX";
	close(mkstemp(cast));
	char args[256];
	snprintf(args, sizeof args, "run 3 --solution --size 10000 --speed 6 --once --cast %s", cast);
	start(100, 32, args);
	cr_assert(wait_for("stage 3/", buf, sizeof buf), "%s", buf);
	sh(NULL, 0, "tmux -L %s resize-window -t t -x 160 -y 40", sock);
	/* --once: zcl leaves when the run ends, the file complete */
	cr_assert(wait_for("zcl exit status 0", buf, sizeof buf), "%s", buf);

	FILE *f = fopen(cast, "r");
	cr_assert_not_null(f);
	static char line[1 << 16];
	cr_assert_not_null(fgets(line, sizeof line, f));
	fclose(f);
	int w = 0, h = 0, idle = 0;
	cr_expect_eq(sscanf(line, "{\"version\": 2, \"width\": %d, \"height\": %d", &w, &h), 2, "header: %s", line);
	cr_expect(w == 100 && h == 32, "the header has the size at the start: %s", line);
	const char *il = strstr(line, "\"idle_time_limit\": ");
	cr_expect(il && sscanf(il, "\"idle_time_limit\": %d", &idle) == 1 && idle > 0, "an idle limit: %s", line);

	/* played by the real player (it wants a terminal: a pane of its own) */
	char played[64];
	snprintf(played, sizeof played, "%s.out", cast);
	sh(NULL, 0, "tmux -L %s new-window -d 'asciinema cat %s > %s 2>&1; touch %s.done'", sock, cast, played, cast);
	char done[80];
	snprintf(done, sizeof done, "%s.done", cast);
	for (int i = 0; i < 200 && access(done, F_OK) != 0; i++)
		usleep(50 * 1000);
	f = fopen(played, "r");
	cr_assert_not_null(f, "asciinema cat wrote nothing (is asciinema installed? make deps)");
	static char text[1 << 22];
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	cr_expect_gt(n, 1000, "the player played frames: %.300s", text);
	cr_expect(strstr(text, "Traceback") == NULL && strstr(text, "rror") == NULL, "the player read it: %.500s", text);
	cr_expect(strstr(text, "sendfile") != NULL, "the scene is in it");
	cr_expect(strstr(text, "\033[0;1;36m") || strstr(text, "\033[0;36m"), "in colour (DMA is cyan)");
	int widest = widest_line(text);
	cr_expect(widest <= w, "every line fits the recorded width %d, the widest has %d", w, widest);
	unlink(cast);
	unlink(played);
	unlink(done);
}

/* Like wait_for, up to `seconds`. */
static bool wait_long(const char *what, char *buf, size_t len, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		screen(buf, len);
		if (strstr(buf, what))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* The README promises: a 1 MiB stage-1 run animates for about 25 s (20-40). */
#define DOCUMENTED_RUN_S 40

Test(tui, run_animates_by_default_and_finishes_in_the_documented_time, .timeout = 90, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution");
	cr_assert(wait_for("RUN x3", buf, sizeof buf), "the run starts at the default pace:\n%s", buf);
	usleep(1000 * 1000);
	screen(buf, sizeof buf);
	cr_expect(strstr(buf, "DMA 256K") || strstr(buf, "DMA 128K") || strstr(buf, "CPU 64K") ||
		  strstr(buf, "a mode switch"), "after 1 s a copy (or a mode switch) is on its way:\n%s", buf);
	long mid = number_after(buf, "syscalls");
	cr_expect(mid >= 0 && mid < 32, "after 1 s the syscall counter (%ld) is below its final 32:\n%s", mid, buf);
	cr_expect(strstr(buf, "f skip") != NULL, "the screen says how to skip:\n%s", buf);
	cr_expect(wait_long("verdict: pass", buf, sizeof buf, DOCUMENTED_RUN_S), "finished within %d s:\n%s",
		  DOCUMENTED_RUN_S, buf);
	cr_expect_eq(number_after(buf, "syscalls"), 32, "%s", buf);
}

Test(tui, f_skips_the_animation_to_the_end, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution --size 300K");
	cr_assert(wait_for("RUN x3", buf, sizeof buf), "%s", buf);
	keys("f");
	cr_expect(wait_for("verdict: pass", buf, sizeof buf), "f: the end at once:\n%s", buf);
}

Test(tui, q_during_a_run_is_stopped_by_you_and_exits_0, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "run 1 --solution");
	cr_assert(wait_for("RUN x3", buf, sizeof buf), "%s", buf);
	keys("q");
	cr_expect(wait_for("zcl exit status 0", buf, sizeof buf), "q is not a failure:\n%s", buf);
	expect_screen_given_back(buf, sizeof buf);
}

Test(tui, the_tour_ignores_setup_keys_while_a_stage_plays, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(100, 32, "tour --size 100K");
	cr_assert(wait_for("stage 1/", buf, sizeof buf), "%s", buf);
	cr_expect(wait_for("TOUR x3", buf, sizeof buf) && !strstr(buf, "space step"),
		  "the key line offers only the keys that act in the tour:\n%s", buf);
	keys("Space");
	keys("c g n p s");
	cr_expect(wait_for("setup keys work after it", buf, sizeof buf), "it says why:\n%s", buf);
	keys("f");
	cr_assert(wait_for("space for the next stage", buf, sizeof buf), "stage 1 ends:\n%s", buf);
	cr_expect(strstr(buf, "verdict: pass") && strstr(buf, "[solution] [SG on] [cold cache]") &&
		  strstr(buf, "stage 1/") && !strstr(buf, "crash"), "the reference run was left alone:\n%s", buf);
	keys("q");
	cr_expect(wait_for("zcl exit status 0", buf, sizeof buf), "quitting the tour is no failure:\n%s", buf);
}

Test(tui, a_terminal_without_cursor_addressing_gets_the_text_timeline, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start_in(100, 32, "LANG=C.UTF-8 TERM=dumb", NULL, "run 1 --solution --size 10000");
	cr_assert(wait_for("zcl exit status", buf, sizeof buf), "%s", buf);
	cr_expect(strstr(buf, "TERM=dumb has no cursor addressing") != NULL, "it says why:\n%s", buf);
	cr_expect(strstr(buf, "read(3") != NULL && strstr(buf, "pass") != NULL, "the timeline:\n%s", buf);
	cr_expect(strstr(buf, "USER SPACE") == NULL, "no full-screen view:\n%s", buf);
}

Test(tui, at_80x24_the_key_line_keeps_q_quit, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start(80, 24, "run 3 --solution --size 10000 --speed 9");
	cr_assert(wait_for("verdict: pass", buf, sizeof buf), "%s", buf);
	const char *last = buf + strlen(buf);
	while (last > buf && (last[-1] == '\n' || last[-1] == ' '))
		last--;
	while (last > buf && last[-1] != '\n')
		last--;
	cr_expect(strncmp(last, " space step", 11) == 0 && strstr(last, "q quit") != NULL,
		  "the last line has the keys and q quit: %s", last);
	keys("q");
}

Test(tui, replay_animates_a_recording_with_the_same_scene, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	char rec[] = "/var/tmp/zcl-rec-XXXXXX";
	close(mkstemp(rec));
	cr_assert_eq(sh(NULL, 0, "ZCL_ROOT=%s %s run 1 --solution --size 100K --no-tui --record %s",
			getenv("ZCL_ROOT"), getenv("ZCL_BIN"), rec), 0);
	char args[256];
	snprintf(args, sizeof args, "replay %s --step --speed 8", rec);
	start(100, 32, args);
	cr_assert(wait_for("about to", buf, sizeof buf), "step mode holds the replay too:\n%s", buf);
	cr_expect(strstr(buf, "stage 1/") && strstr(buf, "USER SPACE"), "the same scene:\n%s", buf);
	long before = number_after(buf, "syscalls");
	keys("Space");
	usleep(1500 * 1000); /* the copies animate */
	screen(buf, sizeof buf);
	cr_expect_gt(number_after(buf, "syscalls"), before, "space plays the next syscall\n%s", buf);
	keys("r");
	cr_expect(wait_for("verdict: pass", buf, sizeof buf), "r plays on to the end:\n%s", buf);
	cr_expect_eq(number_after(buf, "syscalls"), 4, "100K in 64K chunks: 2 reads, 2 writes\n%s", buf);
	cr_expect(strstr(buf, "100%│") != NULL, "the page cache filled as it did live\n%s", buf);
	keys("c");
	cr_expect(wait_for("need a live run", buf, sizeof buf), "setup keys say why not:\n%s", buf);
	keys("q");
	cr_expect(wait_for("zcl exit status 0", buf, sizeof buf), "%s", buf);
	unlink(rec);
}

Test(tui, watch_on_a_terminal_without_cursor_addressing_says_so, .timeout = 60, .fini = stop)
{
	static char buf[16384];
	start_in(100, 32, "LANG=C.UTF-8 TERM=dumb", NULL, "watch");
	cr_assert(wait_for("zcl exit status", buf, sizeof buf), "%s", buf);
	cr_expect(strstr(buf, "no cursor addressing") && strstr(buf, "zcl exit status 2"), "one line, exit 2:\n%s", buf);
}

/* zcl trace --tui's subject: a file sent to a TCP peer (a child process
 * that reads it all), with sendfile or with read + write; argv: MODE FILE. */
static const char send_prog[] =
	"#include <fcntl.h>\n#include <netinet/in.h>\n#include <string.h>\n#include <sys/sendfile.h>\n"
	"#include <sys/socket.h>\n#include <sys/wait.h>\n#include <unistd.h>\n"
	"static char b[1 << 16];\n"
	"int main(int argc, char **argv) {\n"
	"  int l = socket(AF_INET, SOCK_STREAM, 0);\n"
	"  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};\n"
	"  socklen_t n = sizeof a;\n"
	"  if (argc < 3 || bind(l, (void *)&a, n) || listen(l, 1) || getsockname(l, (void *)&a, &n)) return 2;\n"
	"  if (fork() == 0) {\n"
	"    int c = socket(AF_INET, SOCK_STREAM, 0);\n"
	"    if (connect(c, (void *)&a, n)) return 3;\n"
	"    while (read(c, b, sizeof b) > 0) ;\n"
	"    return 0;\n"
	"  }\n"
	"  int s = accept(l, NULL, NULL), f = open(argv[2], O_RDONLY);\n"
	"  ssize_t r;\n"
	"  if (strcmp(argv[1], \"sendfile\") == 0) while (sendfile(s, f, NULL, 1 << 16) > 0) ;\n"
	"  else while ((r = read(f, b, sizeof b)) > 0) if (write(s, b, (size_t)r) != r) return 4;\n"
	"  close(s);\n"
	"  wait(NULL);\n"
	"  return 0;\n"
	"}\n";

/* Build send_prog and a 256 KiB input in a fresh directory (dir). */
static void build_send_prog(char *dir)
{
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/send.c", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(send_prog, f);
	fclose(f);
	cr_assert_eq(sh(NULL, 0, "cc -O2 -o %s/send %s/send.c && head -c 262144 /dev/urandom > %s/in", dir, dir, dir), 0);
}

/* The line of text starting with label (after spaces), or "" */
static void line_of(const char *text, const char *label, char *out, size_t len)
{
	const char *p = strstr(text, label);
	size_t n = p ? strcspn(p, "\n") : 0;
	snprintf(out, len, "%.*s", (int)n, p ? p : "");
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = 0;
}

Test(tui, trace_tui_animates_a_program_and_ends_with_the_summarys_totals, .timeout = 60, .fini = stop)
{
	static char buf[16384], sum[16384];
	char dir[] = "/var/tmp/zcl-tt-XXXXXX", args[512];
	build_send_prog(dir);
	snprintf(args, sizeof args, "trace --tui -- %s/send sendfile %s/in", dir, dir);
	start(100, 32, args);
	cr_assert(wait_for("sendfile(", buf, sizeof buf), "the scene, mid-run:\n%s", buf);
	cr_expect(strstr(buf, "USER SPACE") && strstr(buf, "trace: send") && strstr(buf, "TRACE x3"),
		  "the stages' scene, running:\n%s", buf);
	cr_expect(strstr(buf, "socket buffer") && strstr(buf, "TRACE done") == NULL,
		  "the socket's box appears once it is used, before the end:\n%s", buf);
	keys("f");
	cr_assert(wait_for("TRACE done", buf, sizeof buf), "%s", buf);
	cr_expect(strstr(buf, "all 2 processes") && strstr(buf, "send exited with status 0"), "%s", buf);
	keys("n");
	cr_expect(wait_for("(1 of 2)", buf, sizeof buf), "n shows one process:\n%s", buf);
	keys("Tab");
	cr_expect(wait_for("3 sendfile", buf, sizeof buf), "Tab: the program beside the stages:\n%s", buf);
	keys("q");
	cr_assert(wait_for("zcl exit status 0", buf, sizeof buf), "%s", buf);
	/* the same program under zcl trace --summary: the same copies */
	sh(sum, sizeof sum, "%s trace --summary -- %s/send sendfile %s/in 2>&1 >/dev/null", getenv("ZCL_BIN"), dir, dir);
	char a[256], b[256];
	line_of(buf, "CPU copies", a, sizeof a);
	line_of(sum, "CPU copies", b, sizeof b);
	cr_expect(a[0] && strcmp(a, b) == 0, "CPU copies: TUI's end [%s], --summary [%s]", a, b);
	line_of(buf, "per byte sent", a, sizeof a);
	line_of(sum, "per byte sent", b, sizeof b);
	cr_expect(a[0] && strcmp(a, b) == 0, "per byte sent: TUI's end [%s], --summary [%s]", a, b);
	sh(NULL, 0, "rm -rf %s", dir);
}

Test(tui, trace_tui_without_a_terminal_says_why_and_prints_the_timeline, .timeout = 30)
{
	static char out[65536];
	int st = sh(out, sizeof out, "%s trace --tui -- /bin/true 2>&1 </dev/null | cat", getenv("ZCL_BIN"));
	cr_expect_eq(st, 0);
	cr_expect(strstr(out, "trace --tui: no terminal") != NULL, "it says why:\n%s", out);
	cr_expect(strstr(out, "execve(") && strstr(out, "true exited with status 0"), "the timeline:\n%s", out);
}
