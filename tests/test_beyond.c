/*
 * test_beyond.c - the stages past the articles, on 1 MiB cold.
 *   5 (splice): the reference moves every file byte by reference through
 *     its pipe, the CPU copies nothing with scatter-gather and every byte
 *     without it, and it pays about two syscalls per pipe-full where
 *     sendfile pays one call.
 *   6 (tee): a live stream (a pipe the lab feeds) to two sockets - no disk
 *     fill, no CPU copy with scatter-gather (2x the size without: one per
 *     socket), every byte to each receiver; the naive way (read once, write
 *     twice), run as the "before" picture, costs 3x the size and breaks the
 *     rule; one socket short is wrong bytes, named.
 *   7 (copy_file_range): the filesystem copies in the kernel - 1x the size
 *     on ext4, nothing where the output shares the input's blocks - no byte
 *     visits user space, the output file is the input exactly; a read/write
 *     copy breaks the rule, a byte too many is wrong bytes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <string.h>
#include <sys/syscall.h>

#include "grader.h"
#include "helpers.h"

#define MIB (1024u * 1024u)
#define PIPE_BYTES (64u * 1024u) /* a pipe's default capacity: pipe(7) */

Test(beyond, splice_moves_page_references_and_no_cpu_bytes_with_sg)
{
	struct zcl_run r = run_stage(5, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(t->cpu.bytes, 0, "CPU bytes %llu with scatter-gather", (unsigned long long)t->cpu.bytes);
	/* file -> pipe and pipe -> socket: each byte is referenced twice */
	cr_expect_eq(t->ref.bytes, 2ull * MIB, "by reference %llu", (unsigned long long)t->ref.bytes);
	if (!r.tmpfs)
		cr_expect_eq(t->filled_bytes, MIB, "the disk fill is measured: the whole file, once");
	/* 16 pipe-fulls, 2 splices each, plus pipe2 and two closes */
	uint64_t chunks = MIB / PIPE_BYTES;
	cr_expect_geq(t->syscalls, 2 * chunks, "syscalls %llu", (unsigned long long)t->syscalls);
	cr_expect_leq(t->syscalls, 2 * chunks + 4, "syscalls %llu", (unsigned long long)t->syscalls);
	cr_expect_eq(t->mode_switches, 2 * t->syscalls);
	zcl_run_free(&r);
}

Test(beyond, splice_without_sg_copies_every_byte_once)
{
	struct zcl_run r = run_stage(5, true, MIB, false, false, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect_eq(r.totals.cpu.bytes, MIB, "CPU bytes %llu without SG", (unsigned long long)r.totals.cpu.bytes);
	zcl_run_free(&r);
}

Test(beyond, splice_takes_twice_the_syscalls_of_sendfile)
{
	struct zcl_run s3 = run_stage(3, true, MIB, false, true, ZI_NONE, 10);
	struct zcl_run s5 = run_stage(5, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(s3.verdict, ZV_PASS, "%s", s3.reason);
	cr_assert_eq(s5.verdict, ZV_PASS, "%s", s5.reason);
	cr_expect_gt(s5.totals.mode_switches, 2 * s3.totals.mode_switches,
		     "splice %llu mode switches, sendfile %llu", (unsigned long long)s5.totals.mode_switches,
		     (unsigned long long)s3.totals.mode_switches);
	zcl_run_free(&s3);
	zcl_run_free(&s5);
}

Test(beyond, splice_skeleton_is_not_implemented)
{
	struct zcl_run r = run_stage(5, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_NOT_IMPLEMENTED, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	zcl_run_free(&r);
}

/* ---- stage 7: copy_file_range, file -> file ---- */

#define INC "#define _GNU_SOURCE\n#include <errno.h>\n#include <unistd.h>\n#include \"zcl.h\"\n"

Test(beyond, copy_file_range_copies_in_the_kernel_and_never_in_user_space)
{
	struct zcl_run r = run_stage(7, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(r.received_bytes, MIB, "the output file holds the input, nothing beyond");
	cr_expect_eq(r.first_mismatch, -1);
	cr_expect_eq(t->file_read_bytes + t->sock_user_bytes + t->sock_map_bytes, 0, "no byte in user space");
	cr_expect_eq(t->sock_kernel_bytes, MIB, "every byte moved inside the kernel");
	cr_expect_eq(t->by_nr[SYS_copy_file_range] > 0, true);
	/* the filesystem's answer: measured on the output's extents */
	bool reflinked = r.out_extents.measured && r.out_extents.shared_bytes >= MIB;
	cr_expect_eq(t->cpu.bytes, reflinked ? 0 : MIB, "in-kernel CPU bytes %llu (reflink: %d)",
		     (unsigned long long)t->cpu.bytes, reflinked);
	if (!r.tmpfs) {
		cr_expect(r.out_extents.measured, "FIEMAP on a disk filesystem: %s", strerror(r.out_extents.error));
		cr_expect_eq(t->filled_bytes, MIB, "the input came from the disk, once");
		cr_expect(strstr(r.reason, reflinked ? "reflink" : "copied in the kernel"), "%s", r.reason);
	}
	if (r.kernel.begin.valid && r.kernel.end.valid && !reflinked)
		cr_expect_geq(r.kernel.end.write_bytes - r.kernel.begin.write_bytes, MIB,
			      "the copy dirtied the output's pages: write-back owed");
	zcl_run_free(&r);
}

Test(beyond, copy_skeleton_is_not_implemented)
{
	struct zcl_run r = run_stage(7, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_NOT_IMPLEMENTED, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	zcl_run_free(&r);
}

Test(beyond, copy_by_read_and_write_breaks_the_rule, .fini = drop_fake_root)
{
	fake_root(7, INC "int copy_file(int in, int out, size_t z) { char b[65536]; (void)z; ssize_t n;\n"
		     "while ((n = read(in, b, sizeof b)) > 0) for (ssize_t o = 0; o < n;) { ssize_t w = write(out, b + o, "
		     "(size_t)(n - o)); if (w <= 0) return -1; o += w; } return n < 0 ? -1 : 0; }\n");
	struct zcl_run r = run_stage(7, false, MIB, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "read() copied"), "%s", r.reason);
	cr_expect_eq(r.totals.sock_user_bytes, MIB, "the writes into the output file were seen");
	zcl_run_free(&r);
}

Test(beyond, copy_by_mmap_and_write_breaks_the_rule, .fini = drop_fake_root)
{
	fake_root(7, "#define _GNU_SOURCE\n#include <sys/mman.h>\n#include <unistd.h>\n#include \"zcl.h\"\n"
		     "int copy_file(int in, int out, size_t z) { if (!z) return 0; char *m = mmap(0, z, PROT_READ, MAP_PRIVATE, in, 0);\n"
		     "if (m == MAP_FAILED) return -1; for (size_t o = 0; o < z;) { ssize_t w = write(out, m + o, z - o);\n"
		     "if (w <= 0) return -1; o += (size_t)w; } munmap(m, z); return 0; }\n");
	struct zcl_run r = run_stage(7, false, MIB, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "written to the output file from your memory"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond, copy_with_a_byte_too_many_is_wrong_bytes, .fini = drop_fake_root)
{
	fake_root(7, INC "int copy_file(int in, int out, size_t z) { off_t a = 0, b = 0; size_t l = z + 1;\n"
		     "while (l > 0) { ssize_t n = copy_file_range(in, &a, out, &b, l, 0); if (n < 0) return -1; "
		     "if (n == 0) break; l -= (size_t)n; }\n"
		     "return pwrite(out, \"x\", 1, b) == 1 ? 0 : -1; }\n");
	struct zcl_run r = run_stage(7, false, 4097, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_WRONG_BYTES, "%s - %s %s", zcl_verdict_name(r.verdict), r.reason, r.diag ? r.diag : "");
	cr_expect(strstr(r.reason, "1 extra"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond, the_copy_stage_is_graded_out_of_twenty_without_a_socket_test)
{
	static struct zcl_grade g;
	cr_assert_eq(zcl_grade_run(&g, 7, true, 42, 10), 0, "%s", g.internal_error);
	cr_expect_eq(g.score, 20.0);
	cr_expect_eq(g.max_score, 20.0);
	for (int k = 0; k < g.stages[0].ntests; k++)
		cr_expect_null(strstr(g.stages[0].tests[k].name, "socket"), "%s", g.stages[0].tests[k].name);
}

/* ---- stage 6: tee, one live stream to two sockets ---- */

#define INC6 "#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include \"zcl.h\"\n"
/* write all of b[0..n) to s */
#define WALL "static int wall(int s, const char *b, size_t n) { while (n) { ssize_t w = write(s, b, n); " \
	     "if (w < 0 && errno == EINTR) continue; if (w <= 0) return -1; b += w; n -= (size_t)w; } return 0; }\n"

Test(beyond, tee_sends_a_live_stream_to_two_sockets_without_a_copy)
{
	struct zcl_run r = run_stage(6, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(r.received_by[0], MIB, "receiver A got every byte");
	cr_expect_eq(r.received_by[1], MIB, "receiver B got every byte");
	cr_expect_eq(t->filled_bytes, 0, "a pipe has no page cache: nothing came from the disk");
	cr_expect_eq(t->cpu.bytes, 0, "CPU bytes %llu with scatter-gather", (unsigned long long)t->cpu.bytes);
	cr_expect_eq(t->file_read_bytes, 0, "no byte of the stream was read() into user space");
	cr_expect_gt(t->by_nr[SYS_tee], 0, "tee() duplicated the stream");
	zcl_run_free(&r);
}

Test(beyond, tee_without_sg_copies_once_per_socket)
{
	struct zcl_run r = run_stage(6, true, MIB, false, false, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect_eq(r.totals.cpu.bytes, 2ull * MIB, "CPU bytes %llu", (unsigned long long)r.totals.cpu.bytes);
	zcl_run_free(&r);
}

Test(beyond, tee_skeleton_is_not_implemented)
{
	struct zcl_run r = run_stage(6, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_NOT_IMPLEMENTED, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	zcl_run_free(&r);
}

/* The "before" picture: read the stream once, write it twice. */
Test(beyond, the_naive_broadcast_copies_every_byte_three_times, .fini = drop_fake_root)
{
	fake_root(6, INC6 WALL "int broadcast(int in, int a, int b, size_t z) { static char buf[65536]; (void)z;\n"
		      "for (;;) { ssize_t n = read(in, buf, sizeof buf); if (n < 0 && errno == EINTR) continue;\n"
		      "if (n < 0) return -1; if (n == 0) return 0;\n"
		      "if (wall(a, buf, (size_t)n) < 0 || wall(b, buf, (size_t)n) < 0) return -1; } }\n");
	struct zcl_run r = run_stage(6, false, MIB, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "read() copied"), "%s", r.reason);
	cr_expect_eq(r.received_by[0], MIB);
	cr_expect_eq(r.received_by[1], MIB);
	cr_expect_eq(r.totals.cpu.bytes, 3ull * MIB, "pipe -> buffer, buffer -> socket twice: %llu",
		     (unsigned long long)r.totals.cpu.bytes);
	zcl_run_free(&r);
}

Test(beyond, a_broadcast_that_forgets_one_socket_is_wrong_bytes_for_it, .fini = drop_fake_root)
{
	fake_root(6, INC6 "int broadcast(int in, int a, int b, size_t z) { (void)b;\n"
		      "while (z) { ssize_t n = splice(in, NULL, a, NULL, z, 0); if (n < 0 && errno == EINTR) continue;\n"
		      "if (n <= 0) return -1; z -= (size_t)n; } return 0; }\n");
	struct zcl_run r = run_stage(6, false, 4097, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_WRONG_BYTES, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "sock_b: 0 of 4097"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond, a_broadcast_that_sends_twice_to_one_socket_is_wrong_bytes, .fini = drop_fake_root)
{
	fake_root(6, INC6 "int broadcast(int in, int a, int b, size_t z) { int p[2]; (void)b; if (pipe(p) < 0) return -1;\n"
		      "size_t l = z; while (l) { ssize_t n = tee(in, p[1], l, 0); if (n <= 0) return -1;\n"
		      "for (ssize_t k = n; k;) { ssize_t m = splice(in, NULL, a, NULL, (size_t)k, 0); if (m <= 0) return -1; k -= m; }\n"
		      "for (ssize_t k = n; k;) { ssize_t m = splice(p[0], NULL, a, NULL, (size_t)k, 0); if (m <= 0) return -1; k -= m; }\n"
		      "l -= (size_t)n; } close(p[0]); close(p[1]); return 0; }\n");
	struct zcl_run r = run_stage(6, false, 4097, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_WRONG_BYTES, "twice the bytes on A, none on B: %s - %s",
		     zcl_verdict_name(r.verdict), r.reason);
	zcl_run_free(&r);
}
