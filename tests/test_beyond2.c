/*
 * test_beyond2.c - stages 8 and 9, on 1 MiB cold.
 *   8 (MSG_ZEROCOPY): the reference pins every byte (no CPU byte on the
 *     data path: what a real NIC would see), reaps a completion for every
 *     send, and on loopback the kernel's deferred copy, measured from the
 *     completions, equals the bytes sent; a plain send() and a return
 *     before the completions break the rules; io_uring is still refused.
 *   9 (io_uring): no CPU byte with scatter-gather, far fewer
 *     io_uring_enter calls than operations, every operation decoded (one
 *     per completion the program took), fewer mode switches per MiB than
 *     stage 3 and 5 at the same 64 KiB chunk; SQPOLL and AIO are refused
 *     with a rule verdict; the sandbox's io_uring rows, call by call.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "sandbox.h"
#include "stages.h"

#define MIB (1024u * 1024u)
#define CHUNK (64u * 1024u) /* the references' chunk: a pipe's default capacity, pipe(7) */

#define INC "#define _GNU_SOURCE\n#include <errno.h>\n#include <string.h>\n#include <sys/socket.h>\n" \
	"#include <sys/syscall.h>\n#include <sys/sendfile.h>\n#include <unistd.h>\n#include <linux/io_uring.h>\n" \
	"#include <linux/aio_abi.h>\n#include \"zcl.h\"\n"

/* A send loop of z bytes from b on s with flags f, as a statement. */
#define SEND_LOOP(f) "for (size_t o = 0; o < z;) { ssize_t k = send(s, (const char *)b + o, z - o, " f "); " \
	"if (k < 0 && errno == EINTR) continue; if (k <= 0) return -1; o += (size_t)k; }"

Test(beyond2, zerocopy_pins_every_byte_and_reaps_every_completion)
{
	struct zcl_run r = run_stage(8, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(t->zc_bytes, MIB, "every byte left by a zerocopy send: %llu", (unsigned long long)t->zc_bytes);
	cr_expect_eq(t->ref.bytes, MIB, "pinned, by reference: %llu", (unsigned long long)t->ref.bytes);
	cr_expect_eq(t->data_cpu_bytes, 0, "no CPU byte on the data path (a real NIC): %llu",
		     (unsigned long long)t->data_cpu_bytes);
	cr_expect_gt(t->zc_sends, 0);
	cr_expect_eq(t->zc_completed, t->zc_sends, "completions for %llu of %llu sends",
		     (unsigned long long)t->zc_completed, (unsigned long long)t->zc_sends);
	/* loopback: the kernel copies at delivery and says so in the completion */
	cr_expect_eq(t->zc_copied_bytes, MIB, "deferred copy measured: %llu", (unsigned long long)t->zc_copied_bytes);
	cr_expect_eq(t->cpu.bytes, MIB, "the deferred copy is shown: %llu", (unsigned long long)t->cpu.bytes);
	cr_expect(strstr(r.reason, "copied 1048576 bytes after all"), "the verdict says so: %s", r.reason);
	zcl_run_free(&r);
}

Test(beyond2, a_plain_send_in_the_zerocopy_stage_breaks_the_rule, .fini = drop_fake_root)
{
	fake_root(8, INC "int send_buffer(int s, const void *b, size_t z) { " SEND_LOOP("0") " return 0; }\n");
	struct zcl_run r = run_stage(8, false, MIB, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "without MSG_ZEROCOPY"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond2, returning_before_the_completions_breaks_the_rule, .fini = drop_fake_root)
{
	fake_root(8, INC "int send_buffer(int s, const void *b, size_t z) { int one = 1;\n"
		     "if (setsockopt(s, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) < 0) return -1;\n"
		     SEND_LOOP("MSG_ZEROCOPY") " return 0; }\n");
	struct zcl_run r = run_stage(8, false, MIB, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "no completion reaped"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond2, io_uring_is_still_refused_in_the_zerocopy_stage, .fini = drop_fake_root)
{
	fake_root(8, INC "int send_buffer(int s, const void *b, size_t z) { struct io_uring_params p;\n"
		     "memset(&p, 0, sizeof p); if (syscall(SYS_io_uring_setup, 4, &p) >= 0) return -1;\n"
		     "return errno == ENOSYS ? 0 : -1; (void)s; (void)b; (void)z; }\n");
	struct zcl_run r = run_stage(8, false, 0, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "denied: io_uring_setup"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond2, uring_batches_the_splices_without_a_cpu_byte)
{
	struct zcl_run r = run_stage(9, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(r.verdict, ZV_PASS, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	const struct zcl_totals *t = &r.totals;
	cr_expect_eq(t->cpu.bytes, 0, "CPU bytes %llu with scatter-gather", (unsigned long long)t->cpu.bytes);
	cr_expect_eq(t->ref.bytes, 2ull * MIB, "file -> pipe -> socket by reference: %llu",
		     (unsigned long long)t->ref.bytes);
	/* every operation decoded: the reference takes one CQE per SQE, 2 per chunk */
	cr_expect_eq(t->uring_ops, 2 * (MIB / CHUNK), "operations decoded %llu", (unsigned long long)t->uring_ops);
	uint32_t enters = t->by_nr[SYS_io_uring_enter];
	cr_expect(enters >= 1 && 8ull * enters <= t->uring_ops, "io_uring_enter %u for %llu operations", enters,
		  (unsigned long long)t->uring_ops);
	cr_expect_eq(t->sock_kernel_bytes, MIB, "every byte into the socket inside the kernel");
	zcl_run_free(&r);
}

/* Mode switches of a stage 3 program that sends 64 KiB per sendfile (the
 * reference sends everything in one call), 1 MiB cold. In a child: the
 * lab's root is fixed at its first use, and this one is a fake root. */
static uint64_t sendfile_per_chunk_switches(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fake_root(3, INC "int send_file(int f, int s, size_t z) { while (z > 0) { ssize_t n = sendfile(s, f, "
			     "NULL, z < 65536 ? z : 65536); if (n < 0 && errno == EINTR) continue; if (n <= 0) return -1; "
			     "z -= (size_t)n; } return 0; }\n");
		struct zcl_run r = run_stage(3, false, MIB, false, true, ZI_NONE, 10);
		uint64_t v = r.verdict == ZV_PASS ? r.totals.mode_switches : 0;
		drop_fake_root();
		_exit(write(p[1], &v, sizeof v) == sizeof v ? 0 : 1);
	}
	close(p[1]);
	uint64_t v = 0;
	cr_expect_eq(read(p[0], &v, sizeof v), (ssize_t)sizeof v, "the stage 3 run reported");
	close(p[0]);
	waitpid(pid, NULL, 0);
	return v;
}

Test(beyond2, uring_pays_fewer_mode_switches_than_sendfile_and_splice_per_chunk)
{
	uint64_t s3 = sendfile_per_chunk_switches();
	cr_assert_gt(s3, 0, "stage 3 at 64 KiB per call passes");
	struct zcl_run s9 = run_stage(9, true, MIB, false, true, ZI_NONE, 10);
	struct zcl_run s5 = run_stage(5, true, MIB, false, true, ZI_NONE, 10);
	cr_assert_eq(s9.verdict, ZV_PASS, "%s", s9.reason);
	cr_assert_eq(s5.verdict, ZV_PASS, "%s", s5.reason);
	cr_expect_lt(s9.totals.mode_switches, s3, "stage 9 %llu, stage 3 %llu",
		     (unsigned long long)s9.totals.mode_switches, (unsigned long long)s3);
	cr_expect_lt(s9.totals.mode_switches, s5.totals.mode_switches, "stage 9 %llu, stage 5 %llu",
		     (unsigned long long)s9.totals.mode_switches, (unsigned long long)s5.totals.mode_switches);
	zcl_run_free(&s9);
	zcl_run_free(&s5);
}

/* io_uring_setup with flags, then the stage 3 loop when refused. */
static void setup_with(unsigned flags)
{
	char src[1024];
	snprintf(src, sizeof src, INC "int send_file(int f, int s, size_t z) { struct io_uring_params p;\n"
		 "memset(&p, 0, sizeof p); p.flags = %uu; p.sq_thread_idle = 10;\n"
		 "if (syscall(SYS_io_uring_setup, 4, &p) >= 0) return -1;\n"
		 "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= (size_t)n; } "
		 "return 0; }\n", flags);
	fake_root(9, src);
}

Test(beyond2, sqpoll_is_refused_in_the_uring_stage_with_a_rule_verdict, .fini = drop_fake_root)
{
	setup_with(IORING_SETUP_SQPOLL);
	struct zcl_run r = run_stage(9, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "denied: io_uring_setup") && strstr(r.reason, "SQPOLL"), "%s", r.reason);
	zcl_run_free(&r);
}

Test(beyond2, aio_is_refused_in_the_uring_stage, .fini = drop_fake_root)
{
	fake_root(9, INC "int send_file(int f, int s, size_t z) { aio_context_t c = 0;\n"
		     "if (syscall(SYS_io_setup, 4, &c) == 0) return -1;\n"
		     "while (z > 0) { ssize_t n = sendfile(s, f, NULL, z); if (n <= 0) return -1; z -= (size_t)n; } "
		     "return 0; }\n");
	struct zcl_run r = run_stage(9, false, 4096, false, true, ZI_NONE, 10);
	cr_expect_eq(r.verdict, ZV_RULE, "%s - %s", zcl_verdict_name(r.verdict), r.reason);
	cr_expect(strstr(r.reason, "denied: io_setup"), "%s", r.reason);
	zcl_run_free(&r);
}

/* The policy for one call of ours (the setup check reads our own memory). */
static int policy(long nr, uint64_t a1, uint64_t a3, bool allow)
{
	struct zcl_sysrec r = {.pid = getpid(), .nr = nr, .args = {0, a1, 0, a3}};
	struct zcl_sandbox_state st = {.exec_seen = true, .group = getpid(), .allow_uring = allow};
	const char *why = NULL;
	return zcl_sandbox_check(&r, &st, &why);
}

Test(beyond2, the_sandbox_lets_io_uring_in_only_where_the_row_allows_it_and_never_its_blind_spots)
{
	struct io_uring_params p = {0};
	uint64_t pp = (uint64_t)(uintptr_t)&p;
	cr_expect_eq(policy(SYS_io_uring_setup, pp, 0, true), 0, "a plain ring in an io_uring stage");
	cr_expect_eq(policy(SYS_io_uring_setup, pp, 0, false), ENOSYS, "not in another stage");
	const unsigned blind[] = {IORING_SETUP_SQPOLL, 1u << 14 /* NO_MMAP */, 1u << 15 /* REGISTERED_FD_ONLY */};
	for (size_t i = 0; i < sizeof blind / sizeof blind[0]; i++) {
		p.flags = blind[i];
		cr_expect_eq(policy(SYS_io_uring_setup, pp, 0, true), ENOSYS, "setup flags %#x refused", blind[i]);
	}
	cr_expect_eq(policy(SYS_io_uring_setup, 0, 0, true), ENOSYS, "unreadable params refused");
	cr_expect_eq(policy(SYS_io_uring_enter, 0, IORING_ENTER_GETEVENTS, true), 0);
	cr_expect_eq(policy(SYS_io_uring_enter, 0, 1u << 4 /* REGISTERED_RING */, true), ENOSYS);
	cr_expect_eq(policy(SYS_io_uring_enter, 0, 0, false), ENOSYS);
	cr_expect_eq(policy(SYS_io_uring_register, 0 /* REGISTER_BUFFERS */, 0, true), 0);
	cr_expect_eq(policy(SYS_io_uring_register, 20 /* REGISTER_RING_FDS */, 0, true), ENOSYS);
	cr_expect_eq(policy(SYS_io_setup, 4, 0, true), ENOSYS, "AIO stays refused");
	cr_expect_eq(policy(SYS_io_submit, 4, 0, true), ENOSYS, "AIO stays refused");
}

Test(beyond2, only_the_uring_stage_allows_io_uring_and_links_liburing)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	int allowed = 0;
	for (size_t i = 0; i < n; i++) {
		allowed += s[i].allow_uring;
		cr_expect(!s[i].allow_uring || (s[i].libs && strstr(s[i].libs, "-luring")),
			  "stage %d allows io_uring and links liburing", s[i].num);
	}
	cr_expect_eq(allowed, 1, "one stage allows io_uring");
	cr_expect(zcl_stage_find("uring") && zcl_stage_find("uring")->allow_uring);
}

/* A stage-9 program that trusts every operation to move its whole length:
 * with no fault it passes; with --inject short a halved splice breaks its
 * link and the bytes it never re-sent are missing (the robustness points
 * are earned by handling short completions, as for a syscall). */
#define NAIVE_URING                                                                              \
	"#include <liburing.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include \"zcl.h\"\n"          \
	"int send_file(int f, int s, size_t z) { struct io_uring r; int p[2];\n"                       \
	"  if (pipe2(p, O_CLOEXEC) < 0 || io_uring_queue_init(8, &r, 0) < 0) return -1;\n"             \
	"  for (size_t off = 0; off < z; off += 65536) {\n"                                           \
	"    unsigned n = z - off < 65536 ? (unsigned)(z - off) : 65536;\n"                            \
	"    struct io_uring_sqe *a = io_uring_get_sqe(&r);\n"                                         \
	"    io_uring_prep_splice(a, f, (int64_t)off, p[1], -1, n, 0); a->flags |= IOSQE_IO_LINK;\n"   \
	"    io_uring_prep_splice(io_uring_get_sqe(&r), p[0], -1, s, -1, n, 0);\n"                     \
	"    int e; do e = io_uring_submit_and_wait(&r, 2); while (e == -EINTR);\n"                    \
	"    for (int k = 0; k < 2; k++) { struct io_uring_cqe *c;\n"                                 \
	"      if (io_uring_wait_cqe(&r, &c) < 0) return -1; io_uring_cqe_seen(&r, c); } }\n"          \
	"  io_uring_queue_exit(&r); close(p[0]); close(p[1]); return 0; }\n"

Test(beyond2, a_uring_loop_that_ignores_short_completions_loses_bytes_when_one_is_cut, .fini = drop_fake_root)
{
	fake_root(9, "#include <errno.h>\n" NAIVE_URING);
	struct zcl_run ok = run_stage(9, false, MIB + 3, false, true, ZI_NONE, 10);
	cr_expect_eq(ok.verdict, ZV_PASS, "undisturbed it works: %s - %s", zcl_verdict_name(ok.verdict), ok.reason);
	zcl_run_free(&ok);
	struct zcl_run cut = run_stage(9, false, MIB + 3, false, true, ZI_SHORT, 2); /* it may hang: a short limit */
	cr_expect_gt(cut.totals.injected, 0, "operations were cut short in their SQEs");
	cr_expect_neq(cut.verdict, ZV_PASS, "a short splice it ignored: %s - %s", zcl_verdict_name(cut.verdict),
		      cut.reason);
	zcl_run_free(&cut);
}
