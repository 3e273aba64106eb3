/*
 * test_trace_model.c - `zcl trace` on real programs tells the truth about
 * files, sockets and failures (issue 9, items 4-7). Each test is one kind
 * of program an engineer traces: many files then a cold read, tar of many
 * cold files, sendfile into a unix socketpair, dd with O_DIRECT, a
 * non-blocking writer that meets EAGAIN, a thread that execs, io_uring.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "input.h"
#include "pagecache.h"

static void make_dir(void) { make_test_dir("tm"); }

TestSuite(trace_model, .init = make_dir, .fini = drop_test_dir);

/* A file of size bytes at dir/name, its pages dropped from the cache. */
static void cold_file(const char *name, uint64_t size, uint64_t seed, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", test_dir, name);
	cr_assert_eq(zcl_gen_file(path, seed, size), 0);
	int fd = open(path, O_RDONLY);
	cr_assert_geq(zcl_pc_evict(fd), 0);
	close(fd);
}

static int64_t resident(const char *path)
{
	int fd = open(path, O_RDONLY);
	int64_t r = zcl_pc_resident(fd);
	close(fd);
	return r;
}

/* Run `zcl trace OPTS -o LOG -- cmd...`; returns the log (static storage)
 * and the exit status in *status. */
static char *trace(const char *const *opts, const char *const *cmd, int *status)
{
	static char text[1 << 20];
	char log[256];
	snprintf(log, sizeof log, "%s/trace.log", test_dir);
	const char *argv[32] = {"trace"};
	int n = 1;
	for (; *opts; opts++)
		argv[n++] = *opts;
	argv[n++] = "-o";
	argv[n++] = log;
	argv[n++] = "--";
	for (; *cmd && n < 31; cmd++)
		argv[n++] = *cmd;
	argv[n] = NULL;
	struct cli r = run_cli(argv);
	*status = r.status;
	FILE *f = fopen(log, "r");
	cr_assert_not_null(f, "%s", r.err);
	size_t k = fread(text, 1, sizeof text - 1, f);
	text[k] = 0;
	fclose(f);
	return text;
}

/* Sum of "filled_bytes" over the JSON events whose in_name starts with prefix. */
static uint64_t fills_of(const char *log, const char *prefix)
{
	char key[300];
	snprintf(key, sizeof key, "\"in_name\":\"%s", prefix);
	uint64_t sum = 0;
	for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n'), *k = strstr(l, key), *f = strstr(l, "\"filled_bytes\":");
		if (k && f && (!end || (k < end && f < end)))
			sum += strtoull(f + 15, NULL, 10);
	}
	return sum;
}

/* Does [l, e) hold s? (e NULL: up to the end.) */
static bool in_line(const char *l, const char *e, const char *s)
{
	const char *p = strstr(l, s);
	return p && (!e || p < e);
}

/* Compile src into dir/name; returns the binary's path (static storage). */
static const char *build(const char *name, const char *src)
{
	static char bin[256];
	char c[256], cmd[700];
	snprintf(c, sizeof c, "%s/%s.c", test_dir, name);
	snprintf(bin, sizeof bin, "%s/%s", test_dir, name);
	FILE *f = fopen(c, "w");
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "cc -O1 -pthread -o '%s' '%s'", bin, c);
	cr_assert_eq(system(cmd), 0, "cc %s", name);
	return bin;
}

Test(trace_model, forty_files_read_first_do_not_hide_a_cold_reads_fill)
{
	char data[256], p[256];
	for (int i = 0; i < 40; i++) {
		char name[16];
		snprintf(name, sizeof name, "small%02d", i);
		snprintf(p, sizeof p, "%s/%s", test_dir, name);
		FILE *f = fopen(p, "w");
		fputs("x\n", f);
		fclose(f);
	}
	cold_file("data", 1 << 20, 9, data, sizeof data);
	int64_t before = resident(data);
	char script[512];
	snprintf(script, sizeof script, "for f in %s/small*; do read x < \"$f\"; done; LANG=C.UTF-8 cat %s", test_dir, data);
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {"/bin/sh", "-c", script, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	int64_t after = resident(data);
	cr_expect_eq(fills_of(log, data), (uint64_t)(after - before),
		     "the fills of the data file add up to what came into the cache");
	if (!zcl_pc_on_tmpfs(open(data, O_RDONLY)))
		cr_expect_geq(fills_of(log, data), 1 << 20, "a cold read of 1 MiB fills at least 1 MiB");
	cr_expect_gt(fills_of(log, test_dir), 0, "watched: 40 small files and the data file");
}

Test(trace_model, tar_of_many_cold_files_fills_their_total)
{
	char p[256], sub[256], out[256];
	snprintf(sub, sizeof sub, "%s/tree", test_dir);
	mkdir(sub, 0755);
	int64_t before = 0, after = 0;
	for (int i = 0; i < 24; i++) {
		char name[32];
		snprintf(name, sizeof name, "tree/f%02d", i);
		cold_file(name, 64 << 10, (uint64_t)i, p, sizeof p);
		before += resident(p);
	}
	snprintf(out, sizeof out, "%s/out.tar", test_dir);
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {"/bin/tar", "-cf", out, "-C", test_dir, "tree", NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	for (int i = 0; i < 24; i++) {
		snprintf(p, sizeof p, "%s/tree/f%02d", test_dir, i);
		after += resident(p);
	}
	/* tar names the files relative to its -C directory: find them by their /proc path */
	cr_expect_eq(fills_of(log, sub), (uint64_t)(after - before), "every file's fill is measured");
}

static const char unix_sendfile[] =
	"#include <sys/sendfile.h>\n#include <sys/socket.h>\n#include <sys/wait.h>\n#include <fcntl.h>\n"
	"#include <unistd.h>\n#include <sys/stat.h>\n"
	"int main(int c, char **v) { int sv[2]; (void)c; socketpair(AF_UNIX, SOCK_STREAM, 0, sv);\n"
	"  if (fork() == 0) { char b[65536]; close(sv[0]); while (read(sv[1], b, sizeof b) > 0); _exit(0); }\n"
	"  close(sv[1]); int fd = open(v[1], O_RDONLY); struct stat st; fstat(fd, &st); off_t off = 0;\n"
	"  while (off < st.st_size) if (sendfile(sv[0], fd, &off, st.st_size - off) <= 0) return 3;\n"
	"  close(sv[0]); wait(0); return 0; }\n";

Test(trace_model, sendfile_into_a_unix_socketpair_never_reaches_a_nic)
{
	char data[256];
	cold_file("payload", 256 << 10, 4, data, sizeof data);
	const char *bin = build("unixsend", unix_sendfile);
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {bin, data, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	cr_expect(strstr(log, "\"syscall\":\"sendfile\"") != NULL);
	cr_expect(strstr(log, "\"out_class\":\"unix\"") != NULL, "the socket is classed as unix");
	cr_expect_null(strstr(log, "\"to\":\"NIC\""), "no byte goes to a NIC");
	cr_expect(strstr(log, "peer's receive queue") != NULL, "the note says where the bytes go");
}

Test(trace_model, dd_with_o_direct_is_disk_dma_into_the_buffer)
{
	char data[256], arg[300];
	cold_file("direct", 1 << 20, 5, data, sizeof data);
	int probe = open(data, O_RDONLY | O_DIRECT);
	cr_assert_geq(probe, 0, "this filesystem takes O_DIRECT (ext4, xfs, btrfs and tmpfs >= 6.6 do)");
	bool tmpfs = zcl_pc_on_tmpfs(probe);
	close(probe);
	snprintf(arg, sizeof arg, "if=%s", data);
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {"/bin/dd", arg, "of=/dev/null", "iflag=direct", "bs=256K", NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	if (tmpfs) { /* tmpfs takes the flag but reads through its page cache */
		cr_expect(strstr(log, "\"in_class\":\"tmpfs-file\"") != NULL);
		return;
	}
	cr_expect(strstr(log, "\"in_class\":\"O_DIRECT-file\"") != NULL, "the descriptor is classed O_DIRECT");
	cr_expect(strstr(log, "\"from\":\"disk\",\"to\":\"user buffer\"") != NULL, "the disk DMAs into the buffer");
	cr_expect_eq(fills_of(log, data), 0, "no page-cache fill");
	cr_expect_eq(resident(data), 0, "the page cache is untouched");
}

static const char eagain[] =
	"#include <sys/socket.h>\n#include <unistd.h>\n#include <string.h>\n"
	"int main(void) { int sv[2]; static char b[65536]; memset(b, 1, sizeof b);\n"
	"  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);\n"
	"  for (int i = 0; i < 8; i++) write(sv[0], b, sizeof b);\n"
	"  write(99, b, 1); write(98, b, 1);\n  return 0; }\n";

Test(trace_model, a_failed_call_shows_its_error_in_the_default_mode)
{
	const char *bin = build("eagain", eagain);
	int st;
	const char *opts[] = {NULL}, *cmd[] = {bin, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	cr_expect(strstr(log, "= -1 EAGAIN") != NULL, "%s", log);
	cr_expect(strstr(log, "= -1 EBADF") != NULL);
	cr_expect_null(strstr(log, "UNIX-STREAM:[") ? strstr(strstr(log, "UNIX-STREAM:["), "=~ 0") : NULL,
		       "no failed write looks like end of file");
	cr_expect(strstr(log, "/proc/PID/io of the first process agrees") != NULL,
		  "two EBADF calls do not make the kernel disagree: %s", log);
}

static const char thread_exec[] =
	"#include <pthread.h>\n#include <unistd.h>\n#include <fcntl.h>\n"
	"static void *t(void *a) { char *v[] = {\"/bin/cat\", \"/etc/hostname\", 0}; (void)a; execv(v[0], v); return 0; }\n"
	"int main(void) { char b[100]; int fd = open(\"/etc/passwd\", O_RDONLY); read(fd, b, sizeof b);\n"
	"  pthread_t th; pthread_create(&th, 0, t, 0); pthread_join(th, 0); return 0; }\n";

Test(trace_model, exec_from_a_thread_keeps_the_kernel_in_agreement)
{
	const char *bin = build("thexec", thread_exec);
	const char *modes[][2] = {{NULL}, {"--exact", NULL}};
	for (int m = 0; m < 2; m++) {
		int st;
		const char *cmd[] = {bin, NULL};
		char *log = trace(modes[m], cmd, &st);
		cr_assert_eq(st, 0);
		cr_expect(strstr(log, "/proc/PID/io of the first process agrees") != NULL, "mode %d: %s", m, log);
	}
}

static const char uring[] =
	"#include <sys/syscall.h>\n#include <unistd.h>\n#include <string.h>\n"
	"int main(void) { char p[120]; memset(p, 0, sizeof p); p[8] = 2; /* SQPOLL: not decodable */\n"
	"  long fd = syscall(SYS_io_uring_setup, 4, p);\n"
	"  if (fd >= 0) close((int)fd); unsigned long ctx = 0; syscall(SYS_io_setup, 4, &ctx); return 0; }\n";

Test(trace_model, io_uring_and_aio_are_named_as_blind_spots)
{
	const char *bin = build("uring", uring);
	int st;
	const char *opts[] = {NULL}, *cmd[] = {bin, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	cr_expect(strstr(log, "not seen       io_uring") != NULL, "%s", log);
	cr_expect(strstr(log, "not seen       Linux AIO") != NULL, "%s", log);
	cr_expect_null(strstr(log, "first process agrees\n"), "never a bare \"agrees\" when io_uring ran");
}

Test(trace_model, summary_is_a_table_per_syscall_counting_every_call)
{
	const char *bin = build("eagain2", eagain);
	int st;
	const char *opts[] = {"--summary", NULL}, *cmd[] = {bin, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	cr_expect(strstr(log, "% time     seconds  usecs/call     calls    errors        bytes syscall") != NULL, "%s", log);
	cr_expect(strstr(log, " socketpair\n") != NULL, "an unmodelled call is counted: %s", log);
	cr_expect(strstr(log, "counted        every syscall") != NULL);
	cr_expect(strstr(log, "per process (1):") != NULL);
	const char *w = strstr(log, " write\n");
	cr_assert_not_null(w);
	const char *line = w;
	while (line > log && line[-1] != '\n')
		line--;
	unsigned long long calls = 0, errors = 0;
	cr_expect_eq(sscanf(line, "%*f %*f %*f %llu %llu", &calls, &errors), 2, "%.*s", (int)(w - line), line);
	cr_expect_eq(calls, 10, "8 writes to the socket, 2 to bad descriptors");
	cr_expect_geq(errors, 2, "EBADF twice, EAGAIN once the socket is full");
}

Test(trace_model, a_proc_file_is_kernel_data_not_page_cache)
{
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {"/bin/cat", "/proc/self/status", NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	/* the read of the /proc file (cat tries copy_file_range first: EXDEV) */
	const char *r = NULL;
	for (const char *l = log; l && *l && !r; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		if (in_line(l, e, "\"syscall\":\"read\"") && in_line(l, e, "\"in_class\":\"pseudo-file\"") &&
		    !in_line(l, e, "\"ret\":0,"))
			r = l;
	}
	cr_assert_not_null(r, "%s", log);
	const char *end = strchr(r, '\n');
	const char *k = strstr(r, "\"from\":\"kernel\",\"to\":\"user buffer\"");
	cr_expect(k && k < end, "kernel-made bytes copied by the CPU: %.*s", (int)(end - r), r);
	cr_expect_not(in_line(r, end, "\"from\":\"page cache\""), "no page cache in that record");
}

static const char tty_write[] =
	"#include <pty.h>\n#include <unistd.h>\n"
	"int main(void) { int m, s; if (openpty(&m, &s, 0, 0, 0)) return 2;\n"
	"  write(s, \"hello terminal\\n\", 15); char b[64]; read(m, b, sizeof b); return 0; }\n";

Test(trace_model, a_write_to_a_terminal_is_a_cpu_copy_into_the_tty)
{
	const char *bin = build("ttywrite", tty_write);
	int st;
	const char *opts[] = {"--json", NULL}, *cmd[] = {bin, NULL};
	char *log = trace(opts, cmd, &st);
	cr_assert_eq(st, 0);
	const char *w = strstr(log, "\"out_class\":\"tty\"");
	cr_assert_not_null(w, "%s", log);
	const char *end = strchr(w, '\n');
	cr_expect(in_line(w, end, "{\"kind\":\"cpu\",\"from\":\"user buffer\",\"to\":\"tty\",\"bytes\":15"),
		  "%.*s", (int)(end - w), w);
}
