/*
 * test_model.c - the copy model as a table: a syscall record in, the
 * expected copies out. Each row is one lesson of the lab.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "decode.h"
#include "deferral.h"
#include "model.h"
#include "params.h"

#define FILE_IN {.kind = ZF_FILE, .lab_input = true}
#define SOCK {.kind = ZF_SOCKET, .lab_socket = true}
#define PIPE {.kind = ZF_PIPE}
#define NOFD {.kind = ZF_NONE}
#define UNIX_S {.kind = ZF_SOCKET, .cls = ZC_UNIX}
#define TCP_LO {.kind = ZF_SOCKET, .cls = ZC_TCP, .route = ZR_LOOPBACK, .dev_sg = -1}
#define TCP_DEV(sg_) {.kind = ZF_SOCKET, .cls = ZC_TCP, .route = ZR_DEVICE, .dev_sg = sg_}
#define DIRECT {.kind = ZF_FILE, .cls = ZC_DIRECT}
#define PSEUDO {.kind = ZF_OTHER, .cls = ZC_PSEUDO}
#define TTY {.kind = ZF_OTHER, .cls = ZC_TTY}
#define DEVNULL {.kind = ZF_OTHER, .cls = ZC_NULL}
#define DISKFILE {.kind = ZF_FILE, .cls = ZC_FILE}

struct want { enum zcl_evkind kind; enum zcl_place from, to; uint64_t bytes; bool modelled; };

struct model_case {
	const char *what;
	long nr;
	int64_t ret;
	struct zcl_fdinfo in, out;
	uint64_t filled;
	bool filemap, sg;
	size_t n; /* copy events expected after the SYSCALL event */
	struct want w[4];
};

static struct model_case cases[] = {
	{"read of a cold file: disk DMA, then CPU into the buffer", SYS_read, 4096, FILE_IN, NOFD, 4096, false, true, 2,
	 {{ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, 4096, false}, {ZE_CPU, ZP_PAGE_CACHE, ZP_USER, 4096, false}}},
	{"read of a warm file: only the CPU copy", SYS_read, 4096, FILE_IN, NOFD, 0, false, true, 1,
	 {{ZE_CPU, ZP_PAGE_CACHE, ZP_USER, 4096, false}}},
	{"read with readahead: the fill is bigger than the read", SYS_pread64, 100, FILE_IN, NOFD, 131072, false, true, 2,
	 {{ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, 131072, false}, {ZE_CPU, ZP_PAGE_CACHE, ZP_USER, 100, false}}},
	{"write to a socket: CPU into the skb, modelled DMA to the NIC", SYS_write, 4096, NOFD, SOCK, 0, false, true, 2,
	 {{ZE_CPU, ZP_USER, ZP_SOCKET, 4096, false}, {ZE_DMA, ZP_SOCKET, ZP_NIC, 4096, true}}},
	{"write from a file mapping: the CPU copies page cache to skb", SYS_write, 8192, NOFD, SOCK, 8192, true, true, 3,
	 {{ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, 8192, false}, {ZE_CPU, ZP_PAGE_CACHE, ZP_SOCKET, 8192, false},
	  {ZE_DMA, ZP_SOCKET, ZP_NIC, 8192, true}}},
	{"sendto is a write", SYS_sendto, 10, NOFD, SOCK, 0, false, true, 2,
	 {{ZE_CPU, ZP_USER, ZP_SOCKET, 10, false}, {ZE_DMA, ZP_SOCKET, ZP_NIC, 10, true}}},
	{"sendfile with scatter-gather: descriptors only, the NIC gathers", SYS_sendfile, 65536, FILE_IN, SOCK, 65536, false, true, 3,
	 {{ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, 65536, false}, {ZE_REF, ZP_PAGE_CACHE, ZP_SOCKET, 65536, false},
	  {ZE_DMA, ZP_PAGE_CACHE, ZP_NIC, 65536, true}}},
	{"sendfile without scatter-gather: the CPU copy comes back", SYS_sendfile, 65536, FILE_IN, SOCK, 0, false, false, 2,
	 {{ZE_CPU, ZP_PAGE_CACHE, ZP_SOCKET, 65536, false}, {ZE_DMA, ZP_SOCKET, ZP_NIC, 65536, true}}},
	{"splice file to pipe: page references", SYS_splice, 4096, FILE_IN, PIPE, 0, false, true, 1,
	 {{ZE_REF, ZP_PAGE_CACHE, ZP_PIPE, 4096, false}}},
	{"splice pipe to socket with SG: references and a gather DMA", SYS_splice, 4096, PIPE, SOCK, 0, false, true, 2,
	 {{ZE_REF, ZP_PIPE, ZP_SOCKET, 4096, false}, {ZE_DMA, ZP_PIPE, ZP_NIC, 4096, true}}},
	{"copy_file_range: an in-kernel CPU copy", SYS_copy_file_range, 4096, FILE_IN, {.kind = ZF_FILE}, 0, false, true, 1,
	 {{ZE_CPU, ZP_PAGE_CACHE, ZP_PAGE_CACHE, 4096, false}}},
	{"recvfrom: socket buffer into user memory", SYS_recvfrom, 300, SOCK, NOFD, 0, false, true, 1,
	 {{ZE_CPU, ZP_SOCKET, ZP_USER, 300, false}}},
	{"a failed write copies nothing", SYS_write, -11, NOFD, SOCK, 0, false, true, 0, {{0}}},
	{"mmap copies nothing", SYS_mmap, 0x7f0000000000, FILE_IN, NOFD, 0, false, true, 0, {{0}}},
	{"an unmodelled syscall is only a mode switch", SYS_getpid, 1234, NOFD, NOFD, 0, false, true, 0, {{0}}},
	/* the descriptor's class decides (issue 9, item 5) */
	{"write to a unix socket: the peer's receive queue, no NIC", SYS_write, 4096, NOFD, UNIX_S, 0, false, true, 1,
	 {{ZE_CPU, ZP_USER, ZP_SOCKET, 4096, false}}},
	{"sendfile into a unix socket: page references, no NIC", SYS_sendfile, 65536, DISKFILE, UNIX_S, 0, false, true, 1,
	 {{ZE_REF, ZP_PAGE_CACHE, ZP_SOCKET, 65536, false}}},
	{"write to TCP on loopback: the NIC DMA is modelled", SYS_write, 100, NOFD, TCP_LO, 0, false, true, 2,
	 {{ZE_CPU, ZP_USER, ZP_SOCKET, 100, false}, {ZE_DMA, ZP_SOCKET, ZP_NIC, 100, true}}},
	{"sendfile to a device without SG: the device wins over --sg", SYS_sendfile, 8192, DISKFILE, TCP_DEV(0), 0, false, true, 2,
	 {{ZE_CPU, ZP_PAGE_CACHE, ZP_SOCKET, 8192, false}, {ZE_DMA, ZP_SOCKET, ZP_NIC, 8192, true}}},
	{"sendfile to a device with SG: the device wins over --no-sg", SYS_sendfile, 8192, DISKFILE, TCP_DEV(1), 0, false, false, 2,
	 {{ZE_REF, ZP_PAGE_CACHE, ZP_SOCKET, 8192, false}, {ZE_DMA, ZP_PAGE_CACHE, ZP_NIC, 8192, true}}},
	{"O_DIRECT read: disk DMA into the buffer, no page cache, no CPU", SYS_read, 1048576, DIRECT, NOFD, 0, false, true, 1,
	 {{ZE_DMA, ZP_DISK, ZP_USER, 1048576, false}}},
	{"O_DIRECT write: disk DMA from the buffer", SYS_pwrite64, 4096, NOFD, DIRECT, 0, false, true, 1,
	 {{ZE_DMA, ZP_USER, ZP_DISK, 4096, false}}},
	{"read of /proc: kernel-made bytes, a CPU copy, no page cache", SYS_read, 1412, PSEUDO, NOFD, 0, false, true, 1,
	 {{ZE_CPU, ZP_KERNEL, ZP_USER, 1412, false}}},
	{"write to a terminal: a CPU copy into the tty", SYS_write, 12, NOFD, TTY, 0, false, true, 1,
	 {{ZE_CPU, ZP_USER, ZP_TTY, 12, false}}},
	{"write to /dev/null: nothing is copied", SYS_write, 4096, NOFD, DEVNULL, 0, false, true, 0, {{0}}},
	{"write to a pipe: a CPU copy into the pipe buffer", SYS_write, 2, NOFD, PIPE, 0, false, true, 1,
	 {{ZE_CPU, ZP_USER, ZP_PIPE, 2, false}}},
};

ParameterizedTestParameters(model, rules_give_the_expected_copies)
{
	INDEX_PARAMS(cases);
}

ParameterizedTest(int *ix, model, rules_give_the_expected_copies)
{
	const struct model_case *c = &cases[*ix];
	struct zcl_sysrec r = {.nr = c->nr, .ret = c->ret, .in = c->in, .out = c->out,
			       .filled_bytes = c->filled, .src_in_filemap = c->filemap, .in_bracket = true};
	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	size_t n = zcl_model(&r, c->sg, ev, ZCL_MAX_EVENTS_PER_CALL);
	cr_assert_geq(n, 1, "%s: at least the syscall event", c->what);
	cr_assert_eq(ev[0].kind, ZE_SYSCALL, "%s: the first event is the mode switch pair", c->what);
	cr_assert_eq(n - 1, c->n, "%s: %zu copy events, expected %zu", c->what, n - 1, c->n);
	for (size_t i = 0; i < c->n; i++) {
		const struct zcl_event *e = &ev[i + 1];
		const struct want *w = &c->w[i];
		cr_expect_eq(e->kind, w->kind, "%s: event %zu kind %s", c->what, i, zcl_evkind_name(e->kind));
		cr_expect_eq(e->from, w->from, "%s: event %zu from %s", c->what, i, zcl_place_name(e->from));
		cr_expect_eq(e->to, w->to, "%s: event %zu to %s", c->what, i, zcl_place_name(e->to));
		cr_expect_eq(e->bytes, w->bytes, "%s: event %zu bytes %llu", c->what, i, (unsigned long long)e->bytes);
		cr_expect_eq(e->modelled, w->modelled, "%s: event %zu modelled flag", c->what, i);
	}
}

Test(model, every_rule_is_found_by_its_number)
{
	size_t n;
	const struct zcl_rule *r = zcl_rules(&n);
	cr_assert_gt(n, 15);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(zcl_rule_for(r[i].nr), &r[i], "%s", r[i].name);
	cr_expect_null(zcl_rule_for(SYS_getpid));
}

Test(model, names_come_from_the_table_or_libseccomp)
{
	cr_expect_str_eq(zcl_syscall_name(SYS_sendfile), "sendfile");
	cr_expect_str_eq(zcl_syscall_name(SYS_getpid), "getpid");
}

Test(model, the_marker_needs_magic_and_token)
{
	struct zcl_sysrec r = {.nr = SYS_getppid, .args = {ZCL_MARK_MAGIC, 0xabc, 1}};
	int phase = 0;
	cr_expect(zcl_is_marker(&r, 0xabc, &phase));
	cr_expect_eq(phase, 1);
	cr_expect_not(zcl_is_marker(&r, 0xabd, &phase), "a forged token is no marker");
	r.args[2] = 3;
	cr_expect_not(zcl_is_marker(&r, 0xabc, &phase), "phase must be 1 or 2");
}

Test(model, every_class_has_a_name)
{
	for (int c = 0; c < ZC__COUNT; c++)
		cr_expect_str_neq(zcl_fdclass_name((enum zcl_fdclass)c), "?", "class %d", c);
	cr_expect_str_eq(zcl_fdclass_name(ZC_UNIX), "unix");
	cr_expect_str_eq(zcl_place_name(ZP_TTY), "tty");
}

Test(model, no_event_of_a_unix_socket_reaches_a_nic)
{
	static const long nrs[] = {SYS_write, SYS_sendto, SYS_sendfile, SYS_splice, SYS_writev};
	struct zcl_fdinfo in = DISKFILE, out = UNIX_S;
	for (size_t i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
		for (int sg = 0; sg < 2; sg++) {
			struct zcl_sysrec r = {.nr = nrs[i], .ret = 5000, .in = in, .out = out, .in_bracket = true};
			struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
			size_t n = zcl_model(&r, sg, ev, ZCL_MAX_EVENTS_PER_CALL);
			cr_expect_gt(n, 1, "%s moved bytes", zcl_syscall_name(nrs[i]));
			for (size_t k = 0; k < n; k++)
				cr_expect_neq(ev[k].to, ZP_NIC, "%s: event %zu goes to a NIC", zcl_syscall_name(nrs[i]), k);
		}
}

Test(model, arguments_are_decoded_as_strace_shows_them)
{
	char buf[512];
	cr_expect_str_eq(zcl_decode_flags("msg", MSG_MORE | MSG_DONTWAIT, buf, sizeof buf), "MSG_DONTWAIT|MSG_MORE");
	cr_expect_str_eq(zcl_decode_flags("msg", 0, buf, sizeof buf), "0");
	cr_expect_str_eq(zcl_decode_flags("prot", 0, buf, sizeof buf), "PROT_NONE");
	cr_expect_str_eq(zcl_decode_flags("splice", 0x1 | 0x100, buf, sizeof buf), "SPLICE_F_MOVE|0x100",
			 "unknown bits are shown in hex");
	struct zcl_sysrec r = {.nr = SYS_sendto, .args = {4, 0x7ffc0000, 10, MSG_MORE, 0, 0},
			       .out = {.kind = ZF_SOCKET, .cls = ZC_TCP, .name = "TCP:[127.0.0.1:1->127.0.0.1:2]"}};
	zcl_decode_args(&r, buf, sizeof buf);
	cr_expect_str_eq(buf, "sendto(4<TCP:[127.0.0.1:1->127.0.0.1:2]>, 0x7ffc0000, 10, MSG_MORE, NULL, 0");
	struct zcl_sysrec d = {.nr = SYS_read, .args = {3, 0x1000, 4096},
			       .in = {.kind = ZF_FILE, .cls = ZC_DIRECT, .name = "/data/\x1b[2Jx"}};
	zcl_decode_args(&d, buf, sizeof buf);
	cr_expect_str_eq(buf, "read(3<O_DIRECT-file:/data/\\x1b[2Jx>, 0x1000, 4096",
			 "the class where the name does not show it; the program's bytes escaped");
}

Test(model, only_calls_whose_failure_cannot_pass_for_eof_skip_the_exit_stop)
{
	static const struct {
		const char *what;
		long nr;
		struct zcl_fdinfo in, out;
		bool defer;
	} c[] = {
		{"read of a disk file", SYS_read, DISKFILE, NOFD, true},
		{"read of a file opened O_NONBLOCK (tar): no EAGAIN from a file", SYS_read,
		 {.kind = ZF_FILE, .cls = ZC_FILE, .nonblock = true}, NOFD, true},
		{"write to a non-blocking socket: EAGAIN", SYS_write, NOFD,
		 {.kind = ZF_SOCKET, .cls = ZC_TCP, .nonblock = true}, false},
		{"write to a closed descriptor: EBADF", SYS_write, NOFD, NOFD, false},
		{"read of an O_DIRECT file: EINVAL when misaligned", SYS_read, DIRECT, NOFD, false},
		{"sendfile: EINVAL or EXDEV for many pairs", SYS_sendfile, DISKFILE, TCP_LO, false},
		{"write to a blocking pipe", SYS_write, NOFD, PIPE, true},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct zcl_sysrec r = {.nr = c[i].nr, .in = c[i].in, .out = c[i].out};
		cr_expect_eq(zcl_can_defer(&r, zcl_rule_for(c[i].nr)), c[i].defer, "%s", c[i].what);
	}
}
