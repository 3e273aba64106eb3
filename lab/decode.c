/*
 * decode.c - argument decoders for the syscalls the lab traps (decode.h).
 *
 * `calls` says, for each syscall, how many arguments it has and what each
 * one is; `flagsets` name the bits of each flag argument (from the man
 * pages: send(2), splice(2), preadv2(2), mmap(2), mremap(2)). A syscall
 * without a row is shown by name only: "getpid(...)".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "decode.h"
#include "model.h"
#include "uring.h"

enum arg { A_NUM, A_FD, A_PTR, A_MSGF, A_SPLICEF, A_RWF, A_PROT, A_MAPF, A_MREMAPF, A_HEX };

struct bit { unsigned long v; const char *name; };
#define B(x) {x, #x}
static const struct bit msg_bits[] = {B(MSG_OOB), B(MSG_PEEK), B(MSG_DONTROUTE), B(MSG_CTRUNC),
	B(MSG_TRUNC), B(MSG_DONTWAIT), B(MSG_EOR), B(MSG_WAITALL), B(MSG_CONFIRM), B(MSG_NOSIGNAL),
	B(MSG_MORE), B(MSG_WAITFORONE), B(MSG_ZEROCOPY), B(MSG_FASTOPEN), B(MSG_CMSG_CLOEXEC), {0, 0}};
static const struct bit splice_bits[] = {B(SPLICE_F_MOVE), B(SPLICE_F_NONBLOCK), B(SPLICE_F_MORE),
	B(SPLICE_F_GIFT), {0, 0}};
static const struct bit rwf_bits[] = {{0x1, "RWF_HIPRI"}, {0x2, "RWF_DSYNC"}, {0x4, "RWF_SYNC"},
	{0x8, "RWF_NOWAIT"}, {0x10, "RWF_APPEND"}, {0, 0}};
static const struct bit prot_bits[] = {B(PROT_READ), B(PROT_WRITE), B(PROT_EXEC), {0, 0}};
static const struct bit map_bits[] = {B(MAP_SHARED), B(MAP_PRIVATE), B(MAP_FIXED), B(MAP_ANONYMOUS),
	B(MAP_GROWSDOWN), B(MAP_DENYWRITE), B(MAP_EXECUTABLE), B(MAP_LOCKED), B(MAP_NORESERVE),
	B(MAP_POPULATE), B(MAP_NONBLOCK), B(MAP_STACK), B(MAP_HUGETLB), B(MAP_FIXED_NOREPLACE), {0, 0}};
static const struct bit mremap_bits[] = {B(MREMAP_MAYMOVE), B(MREMAP_FIXED), {0x4, "MREMAP_DONTUNMAP"}, {0, 0}};

static const struct { const char *name; const struct bit *bits; const char *none; } flagsets[] = {
	{"msg", msg_bits, "0"}, {"splice", splice_bits, "0"}, {"rwf", rwf_bits, "0"},
	{"prot", prot_bits, "PROT_NONE"}, {"map", map_bits, "0"}, {"mremap", mremap_bits, "0"},
};

/*  nr                        nargs  arguments */
static const struct { long nr; int n; enum arg a[6]; } calls[] = {
	{SYS_read,            3, {A_FD, A_PTR, A_NUM}},
	{SYS_pread64,         4, {A_FD, A_PTR, A_NUM, A_NUM}},
	{SYS_readv,           3, {A_FD, A_PTR, A_NUM}},
	{SYS_preadv,          4, {A_FD, A_PTR, A_NUM, A_NUM}},
	{SYS_preadv2,         6, {A_FD, A_PTR, A_NUM, A_NUM, A_NUM, A_RWF}},
	{SYS_write,           3, {A_FD, A_PTR, A_NUM}},
	{SYS_pwrite64,        4, {A_FD, A_PTR, A_NUM, A_NUM}},
	{SYS_writev,          3, {A_FD, A_PTR, A_NUM}},
	{SYS_pwritev,         4, {A_FD, A_PTR, A_NUM, A_NUM}},
	{SYS_pwritev2,        6, {A_FD, A_PTR, A_NUM, A_NUM, A_NUM, A_RWF}},
	{SYS_sendto,          6, {A_FD, A_PTR, A_NUM, A_MSGF, A_PTR, A_NUM}},
	{SYS_sendmsg,         3, {A_FD, A_PTR, A_MSGF}},
	{SYS_recvfrom,        6, {A_FD, A_PTR, A_NUM, A_MSGF, A_PTR, A_PTR}},
	{SYS_recvmsg,         3, {A_FD, A_PTR, A_MSGF}},
	{SYS_sendfile,        4, {A_FD, A_FD, A_PTR, A_NUM}},
	{SYS_splice,          6, {A_FD, A_PTR, A_FD, A_PTR, A_NUM, A_SPLICEF}},
	{SYS_tee,             4, {A_FD, A_FD, A_NUM, A_SPLICEF}},
	{SYS_vmsplice,        4, {A_FD, A_PTR, A_NUM, A_SPLICEF}},
	{SYS_copy_file_range, 6, {A_FD, A_PTR, A_FD, A_PTR, A_NUM, A_NUM}},
	{SYS_mmap,            6, {A_PTR, A_NUM, A_PROT, A_MAPF, A_FD, A_HEX}},
	{SYS_munmap,          2, {A_PTR, A_NUM}},
	{SYS_mremap,          5, {A_PTR, A_NUM, A_NUM, A_MREMAPF, A_PTR}},
	{SYS_close,           1, {A_FD}},
	{SYS_dup2,            2, {A_FD, A_NUM}},
	{SYS_dup3,            3, {A_FD, A_NUM, A_HEX}},
	{SYS_close_range,     3, {A_NUM, A_NUM, A_HEX}},
	{SYS_setsockopt,      5, {A_FD, A_NUM, A_NUM, A_PTR, A_NUM}},
	{SYS_fcntl,           3, {A_FD, A_NUM, A_HEX}},
	{SYS_ioctl,           3, {A_FD, A_HEX, A_PTR}},
	{SYS_io_uring_enter,  6, {A_FD, A_NUM, A_NUM, A_HEX, A_PTR, A_NUM}},
	{SYS_io_submit,       3, {A_HEX, A_NUM, A_PTR}},
	/* io_uring operations (uring.c lays out their records' arguments) */
	{ZCL_NR_URING + 1,    3, {A_FD, A_PTR, A_NUM}},            /* READV */
	{ZCL_NR_URING + 2,    3, {A_FD, A_PTR, A_NUM}},            /* WRITEV */
	{ZCL_NR_URING + 9,    4, {A_FD, A_PTR, A_NUM, A_MSGF}},    /* SENDMSG */
	{ZCL_NR_URING + 10,   4, {A_FD, A_PTR, A_NUM, A_MSGF}},    /* RECVMSG */
	{ZCL_NR_URING + 22,   3, {A_FD, A_PTR, A_NUM}},            /* READ */
	{ZCL_NR_URING + 23,   3, {A_FD, A_PTR, A_NUM}},            /* WRITE */
	{ZCL_NR_URING + 26,   4, {A_FD, A_PTR, A_NUM, A_MSGF}},    /* SEND */
	{ZCL_NR_URING + 27,   4, {A_FD, A_PTR, A_NUM, A_MSGF}},    /* RECV */
	{ZCL_NR_URING + 30,   4, {A_FD, A_FD, A_NUM, A_SPLICEF}},  /* SPLICE */
	{ZCL_NR_URING + 33,   4, {A_FD, A_FD, A_NUM, A_SPLICEF}},  /* TEE */
	{ZCL_NR_URING + 47,   4, {A_FD, A_PTR, A_NUM, A_MSGF}},    /* SEND_ZC */
};

/* include/linux/errno.h: "should never be seen by user programs". */
static const struct { int e; const char *name, *words; } kernel_errnos[] = {
	{512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
	{513, "ERESTARTNOINTR", "To be restarted"},
	{514, "ERESTARTNOHAND", "To be restarted if no handler"},
	{515, "ENOIOCTLCMD", "No ioctl command"},
	{516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
};

static int kernel_errno(int e)
{
	for (size_t k = 0; k < sizeof kernel_errnos / sizeof kernel_errnos[0]; k++)
		if (kernel_errnos[k].e == e)
			return (int)k;
	return -1;
}

const char *zcl_errno_name(int e)
{
	int k = kernel_errno(e);
	const char *n = k >= 0 ? kernel_errnos[k].name : strerrorname_np(e);
	return n ? n : "?";
}

const char *zcl_errno_words(int e)
{
	int k = kernel_errno(e);
	if (k >= 0)
		return kernel_errnos[k].words;
	const char *n = strerrorname_np(e);
	return n ? strerror(e) : "unknown error";
}

const char *zcl_decode_flags(const char *which, unsigned long v, char *buf, size_t len)
{
	const struct bit *bits = NULL;
	const char *none = "0";
	for (size_t i = 0; i < sizeof flagsets / sizeof flagsets[0]; i++)
		if (!strcmp(flagsets[i].name, which)) {
			bits = flagsets[i].bits;
			none = flagsets[i].none;
		}
	size_t w = 0;
	buf[0] = 0;
	for (; bits && bits->name && w < len; bits++)
		if (bits->v && (v & bits->v) == bits->v) {
			w += (size_t)snprintf(buf + w, len - w, "%s%s", w ? "|" : "", bits->name);
			v &= ~bits->v;
		}
	if (v && w < len)
		w += (size_t)snprintf(buf + w, len - w, "%s%#lx", w ? "|" : "", v);
	if (w == 0)
		snprintf(buf, len, "%s", none);
	return buf;
}

/* The descriptor argument i as "3</path>" (name from the record's in/out). */
static void fd_arg(const struct zcl_sysrec *r, int i, char *buf, size_t len)
{
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	const struct zcl_fdinfo *fi = !rule ? NULL : i == rule->in_fd ? &r->in : i == rule->out_fd ? &r->out : NULL;
	int fd = (int)r->args[i];
	size_t w = (size_t)snprintf(buf, len, "%d", fd);
	if (!fi || !fi->name || fi->kind == ZF_NONE || w + 8 >= len)
		return;
	/* the class, where the name does not show it (sockets and pipes do) */
	static const bool tag[ZC__COUNT] = {[ZC_TMPFS] = 1, [ZC_DIRECT] = 1, [ZC_PSEUDO] = 1, [ZC_DIR] = 1,
					    [ZC_TTY] = 1, [ZC_NULL] = 1, [ZC_ZERO] = 1, [ZC_CHAR] = 1};
	buf[w++] = '<';
	if ((unsigned)fi->cls < ZC__COUNT && tag[fi->cls])
		w += (size_t)snprintf(buf + w, len - w, "%s:", zcl_fdclass_name(fi->cls));
	/* the name is the program's (a path it chose): escaped, never raw */
	for (const unsigned char *p = (const unsigned char *)fi->name; *p && w + 6 < len; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			w += (size_t)snprintf(buf + w, len - w, "\\x%02x", *p);
		else
			buf[w++] = (char)*p;
	}
	buf[w++] = '>';
	buf[w] = 0;
}

static void one_arg(const struct zcl_sysrec *r, int i, enum arg a, char *buf, size_t len)
{
	static const char *const set[] = {[A_MSGF] = "msg", [A_SPLICEF] = "splice", [A_RWF] = "rwf",
		[A_PROT] = "prot", [A_MAPF] = "map", [A_MREMAPF] = "mremap"};
	uint64_t v = r->args[i];
	switch (a) {
	case A_FD: fd_arg(r, i, buf, len); break;
	case A_PTR:
		if (v == 0)
			snprintf(buf, len, "NULL");
		else
			snprintf(buf, len, "%#" PRIx64, v);
		break;
	case A_HEX: snprintf(buf, len, "%#" PRIx64, v); break;
	case A_NUM: snprintf(buf, len, "%" PRIu64, v); break;
	default: zcl_decode_flags(set[a], (unsigned long)v, buf, len); break;
	}
}

size_t zcl_decode_args(const struct zcl_sysrec *r, char *buf, size_t len)
{
	size_t w = (size_t)snprintf(buf, len, "%s(", zcl_syscall_name(r->nr));
	for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
		if (calls[c].nr != r->nr)
			continue;
		for (int i = 0; i < calls[c].n && w < len; i++) {
			char a[600];
			one_arg(r, i, calls[c].a[i], a, sizeof a);
			w += (size_t)snprintf(buf + w, len - w, "%s%s", i ? ", " : "", a);
		}
		return w < len ? w : len - 1;
	}
	if (w < len)
		w += (size_t)snprintf(buf + w, len - w, "...");
	return w < len ? w : len - 1;
}
