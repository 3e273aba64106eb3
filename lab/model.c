/*
 * model.c - the copy model: which copies the kernel makes for each syscall.
 *
 * This file is the lesson in table form. Each row of `rules` names a syscall
 * family and where its descriptors, buffer, count and flags are; each family
 * has one small function below that says what the kernel copies:
 *
 *   read(file)        [DMA disk -> page cache, on a miss]  CPU page cache -> user
 *   write(socket)     CPU user -> socket buffer            DMA socket buffer -> NIC
 *   write(socket) from a file mapping:  CPU page cache -> socket buffer
 *   sendfile(file -> socket), NIC with scatter-gather:
 *                     descriptor page cache -> socket buffer (no bytes copied)
 *                     DMA page cache -> NIC (the NIC gathers the pages)
 *   sendfile without scatter-gather:  CPU page cache -> socket buffer, DMA -> NIC
 *
 * What is measured and what is modelled: page-cache fills are measured by
 * the collectors (residency before and after the call, rec->filled_bytes);
 * CPU copies follow from the syscall's meaning and its return value; the
 * NIC's DMA is modelled (on loopback there is no NIC) and marked so.
 */
#define _GNU_SOURCE
#include <linux/io_uring.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "model.h"
#include "params.h"
#include "uring.h"

/*  nr                   name               family         in out buf cnt flg iov io */
static const struct zcl_rule rules[] = {
	{SYS_read,            "read",            ZM_READ,       0, -1,  1,  2, -1, 0, 1},
	{SYS_pread64,         "pread64",         ZM_READ,       0, -1,  1,  2, -1, 0, 1},
	{SYS_readv,           "readv",           ZM_READ,       0, -1,  1, -1, -1, 1, 1},
	{SYS_preadv,          "preadv",          ZM_READ,       0, -1,  1, -1, -1, 1, 1},
	{SYS_preadv2,         "preadv2",         ZM_READ,       0, -1,  1, -1, -1, 1, 1},
	{SYS_write,           "write",           ZM_WRITE,     -1,  0,  1,  2, -1, 0, 2},
	{SYS_pwrite64,        "pwrite64",        ZM_WRITE,     -1,  0,  1,  2, -1, 0, 2},
	{SYS_writev,          "writev",          ZM_WRITE,     -1,  0,  1, -1, -1, 1, 2},
	{SYS_pwritev,         "pwritev",         ZM_WRITE,     -1,  0,  1, -1, -1, 1, 2},
	{SYS_pwritev2,        "pwritev2",        ZM_WRITE,     -1,  0,  1, -1, -1, 1, 2},
	{SYS_sendto,          "sendto",          ZM_SEND,      -1,  0,  1,  2,  3, 0, 0},
	{SYS_sendmsg,         "sendmsg",         ZM_SEND,      -1,  0,  1, -1,  2, 1, 0},
	{SYS_recvfrom,        "recvfrom",        ZM_RECV,       0, -1,  1,  2,  3, 0, 0},
	{SYS_recvmsg,         "recvmsg",         ZM_RECV,       0, -1,  1, -1,  2, 1, 0},
	{SYS_sendfile,        "sendfile",        ZM_SENDFILE,   1,  0, -1,  3, -1, 0, 3},
	{SYS_splice,          "splice",          ZM_SPLICE,     0,  2, -1,  4, -1, 0, 0},
	{SYS_tee,             "tee",             ZM_TEE,        0,  1, -1,  2, -1, 0, 0},
	{SYS_vmsplice,        "vmsplice",        ZM_VMSPLICE,  -1,  0,  1, -1, -1, 1, 0},
	{SYS_copy_file_range, "copy_file_range", ZM_COPYRANGE,  0,  2, -1,  4, -1, 0, 3},
	{SYS_mmap,            "mmap",            ZM_MMAP,       4, -1, -1, -1, -1, 0, 0},
	{SYS_munmap,          "munmap",          ZM_MUNMAP,    -1, -1, -1, -1, -1, 0, 0},
	{SYS_mremap,          "mremap",          ZM_MUNMAP,    -1, -1, -1, -1, -1, 0, 0},
};

/* io_uring operations, by opcode (include/uapi/linux/io_uring.h). Their
 * records' args (uring.c): SPLICE/TEE fd_in, fd_out, len, flags, off_in,
 * off_out; SEND/RECV family fd, addr, len, msg_flags, off, user_data; the
 * others fd, addr, len, off, rw_flags, user_data. */
#define U(op) (ZCL_NR_URING + (op))
static const struct zcl_rule uring_rules[] = {
	/* opcode             name                      family        in out buf cnt flg iov io */
	{U(1),  "io_uring:READV",       ZM_READ,       0, -1,  1, -1, -1, 1, 0},
	{U(2),  "io_uring:WRITEV",      ZM_WRITE,     -1,  0,  1, -1, -1, 1, 0},
	{U(4),  "io_uring:READ_FIXED",  ZM_READ,       0, -1,  1,  2, -1, 0, 0},
	{U(5),  "io_uring:WRITE_FIXED", ZM_WRITE,     -1,  0,  1,  2, -1, 0, 0},
	{U(9),  "io_uring:SENDMSG",     ZM_SEND,      -1,  0,  1, -1,  3, 1, 0},
	{U(10), "io_uring:RECVMSG",     ZM_RECV,       0, -1,  1, -1,  3, 1, 0},
	{U(22), "io_uring:READ",        ZM_READ,       0, -1,  1,  2, -1, 0, 0},
	{U(23), "io_uring:WRITE",       ZM_WRITE,     -1,  0,  1,  2, -1, 0, 0},
	{U(26), "io_uring:SEND",        ZM_SEND,      -1,  0,  1,  2,  3, 0, 0},
	{U(27), "io_uring:RECV",        ZM_RECV,       0, -1,  1,  2,  3, 0, 0},
	{U(30), "io_uring:SPLICE",      ZM_SPLICE,     0,  1, -1,  2, -1, 0, 0},
	{U(33), "io_uring:TEE",         ZM_TEE,        0,  1, -1,  2, -1, 0, 0},
	{U(47), "io_uring:SEND_ZC",     ZM_SEND,      -1,  0,  1,  2,  3, 0, 0},
	{U(48), "io_uring:SENDMSG_ZC",  ZM_SEND,      -1,  0,  1, -1,  3, 1, 0},
	{U(60), "io_uring:READV_FIXED", ZM_READ,       0, -1,  1, -1, -1, 1, 0},
	{U(61), "io_uring:WRITEV_FIXED", ZM_WRITE,    -1,  0,  1, -1, -1, 1, 0},
};
#undef U

/* The row of an io_uring operation: its own, or one that moves nothing. */
static const struct zcl_rule *uring_rule(long nr)
{
	static struct zcl_rule by_op[ZCL_URING_NOPS];
	static bool built;
	if (!built) {
		for (unsigned op = 0; op < ZCL_URING_NOPS; op++)
			by_op[op] = (struct zcl_rule){ZCL_NR_URING + op, "io_uring:op", ZM_OTHER, -1, -1, -1, -1, -1, 0, 0};
		for (size_t i = 0; i < sizeof uring_rules / sizeof uring_rules[0]; i++)
			by_op[uring_rules[i].nr - ZCL_NR_URING] = uring_rules[i];
		built = true;
	}
	return &by_op[nr - ZCL_NR_URING];
}

const struct zcl_rule *zcl_rules(size_t *n)
{
	*n = sizeof rules / sizeof rules[0];
	return rules;
}

/* Called several times for every traced syscall: an index by number,
 * built from the table on first use. */
const struct zcl_rule *zcl_rule_for(long nr)
{
	static const struct zcl_rule *by_nr[512];
	static bool built;
	if (zcl_is_uring_op(nr))
		return uring_rule(nr);
	if (!built) {
		for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
			if (rules[i].nr >= 0 && rules[i].nr < 512)
				by_nr[rules[i].nr] = &rules[i];
		built = true;
	}
	return nr >= 0 && nr < 512 ? by_nr[nr] : NULL;
}

const char *zcl_syscall_name(long nr)
{
	static char *cache[1024];
	static char uring[ZCL_URING_NOPS][32];
	if (zcl_is_uring_op(nr)) {
		char *u = uring[nr - ZCL_NR_URING];
		if (!u[0])
			snprintf(u, sizeof uring[0], "io_uring:%s", zcl_uring_opname((unsigned)(nr - ZCL_NR_URING)));
		return u;
	}
	const struct zcl_rule *r = zcl_rule_for(nr);
	if (r)
		return r->name;
	if (nr >= 0 && nr < 1024) {
		if (!cache[nr]) {
			char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
			if (!s && asprintf(&s, "syscall_%ld", nr) < 0)
				return "syscall_?";
			cache[nr] = s; /* kept for the life of the process */
		}
		return cache[nr];
	}
	return "syscall_?";
}

bool zcl_looks_like_marker(const struct zcl_sysrec *rec)
{
	return rec->nr == SYS_getppid && rec->args[0] == ZCL_MARK_MAGIC;
}

bool zcl_is_marker(const struct zcl_sysrec *rec, unsigned long token, int *phase)
{
	if (rec->nr != SYS_getppid || rec->args[0] != ZCL_MARK_MAGIC || rec->args[1] != token)
		return false;
	if (rec->args[2] != 1 && rec->args[2] != 2)
		return false;
	*phase = (int)rec->args[2];
	return true;
}

/* An event buffer being filled. */
struct out {
	struct zcl_event *ev;
	size_t n, max;
};

static void emit(struct out *o, enum zcl_evkind k, enum zcl_place from, enum zcl_place to,
		 uint64_t bytes, bool modelled, const char *note)
{
	if (o->n < o->max)
		o->ev[o->n++] = (struct zcl_event){k, from, to, bytes, modelled, note};
}

/* Where a descriptor's bytes live inside the kernel, by its class. */
static const enum zcl_place class_place[ZC__COUNT] = {
	[ZC_FILE] = ZP_PAGE_CACHE, [ZC_TMPFS] = ZP_PAGE_CACHE, [ZC_DIRECT] = ZP_DISK,
	[ZC_PSEUDO] = ZP_KERNEL, [ZC_PIPE] = ZP_PIPE, [ZC_TCP] = ZP_SOCKET, [ZC_UDP] = ZP_SOCKET,
	[ZC_UNIX] = ZP_SOCKET, [ZC_NETLINK] = ZP_SOCKET, [ZC_SOCKET] = ZP_SOCKET, [ZC_TTY] = ZP_TTY,
	[ZC_ZERO] = ZP_KERNEL, [ZC_CHAR] = ZP_KERNEL, [ZC_ANON] = ZP_KERNEL,
	/* ZC_NULL, ZC_DIR, ZC_OTHER: nothing is copied */
};

static enum zcl_place place_of(const struct zcl_fdinfo *fd)
{
	if (fd->cls != ZC_UNKNOWN && (unsigned)fd->cls < ZC__COUNT)
		return class_place[fd->cls];
	switch (fd->kind) { /* only the coarse kind is known */
	case ZF_FILE: return ZP_PAGE_CACHE;
	case ZF_SOCKET: return ZP_SOCKET;
	case ZF_PIPE: return ZP_PIPE;
	default: return ZP_NONE;
	}
}

/* Does a socket's data leave through a network card (real or modelled)? */
static bool has_nic(const struct zcl_fdinfo *fd)
{
	return fd->cls == ZC_UNKNOWN || fd->cls == ZC_TCP || fd->cls == ZC_UDP || fd->cls == ZC_SOCKET;
}

/* Scatter-gather: read from the device when the route has one, else the switch. */
static bool use_sg(const struct zcl_fdinfo *fd, bool sg)
{
	return fd->route == ZR_DEVICE && fd->dev_sg >= 0 ? fd->dev_sg == 1 : sg;
}

/* Pages that came from the disk into the page cache during the call. */
static void fill(struct out *o, const struct zcl_sysrec *r)
{
	if (r->filled_bytes > 0)
		emit(o, ZE_DMA, ZP_DISK, ZP_PAGE_CACHE, r->filled_bytes, false,
		     "page-cache miss: the disk DMAs the pages in (measured, readahead included)");
}

/* Bytes leave through the NIC: always modelled (the lab sees no NIC). */
static void nic(struct out *o, const struct zcl_fdinfo *to, enum zcl_place from, uint64_t bytes, bool more)
{
	if (!has_nic(to))
		return;
	const char *note = more ? "MSG_MORE: queued, leaves with the next bytes in one gather DMA (modelled)"
		: to->route == ZR_DEVICE ? "the NIC DMAs the bytes out (modelled: the lab does not see the device)"
		: "the NIC DMAs the bytes out (modelled: loopback has no NIC)";
	emit(o, ZE_DMA, from, ZP_NIC, bytes, true, note);
}

/* The CPU copy of a read or write, its note by where the bytes go or come from. */
static const char *cpu_note(enum zcl_place from, enum zcl_place to, const struct zcl_fdinfo *fd)
{
	if (fd->cls == ZC_UNIX && to == ZP_SOCKET)
		return "copy_from_user into the peer's receive queue (unix socket: no NIC)";
	if (fd->cls == ZC_ZERO)
		return "the CPU writes zeroes into your buffer (/dev/zero has no source)";
	if (from == ZP_KERNEL)
		return "kernel-generated data (no page cache, no disk): the CPU copies it to your buffer";
	if (to == ZP_KERNEL)
		return "copy_from_user: your buffer -> the kernel object";
	if (to == ZP_TTY)
		return "copy_from_user into the terminal's buffer";
	if (from == ZP_PAGE_CACHE)
		return "copy_to_user: page cache -> your buffer";
	if (to == ZP_USER)
		return "copy_to_user: kernel buffer -> your buffer";
	return "copy_from_user: your buffer -> kernel buffer";
}

static void m_read(struct out *o, const struct zcl_sysrec *r, bool sg, uint64_t n)
{
	(void)sg;
	enum zcl_place from = place_of(&r->in);
	if (r->in.cls == ZC_DIRECT) {
		if (n > 0)
			emit(o, ZE_DMA, ZP_DISK, ZP_USER, n, false,
			     "O_DIRECT: the disk DMAs straight into your buffer; page cache untouched, no CPU copy");
		return;
	}
	if (r->in.kind == ZF_FILE)
		fill(o, r);
	if (n > 0 && from != ZP_NONE)
		emit(o, ZE_CPU, from, ZP_USER, n, false, cpu_note(from, ZP_USER, &r->in));
}

/* MSG_ZEROCOPY or SEND_ZC: the socket buffer references your pinned pages
 * (Documentation/networking/msg_zerocopy.rst); a NIC DMAs from them. */
static void zerocopy_send(struct out *o, const struct zcl_sysrec *r, uint64_t n)
{
	emit(o, ZE_REF, ZP_USER, ZP_SOCKET, n, false,
	     "zerocopy: your pages are pinned and referenced by the socket buffer, no copy");
	if (has_nic(&r->out))
		emit(o, ZE_DMA, ZP_USER, ZP_NIC, n, true,
		     r->out.route == ZR_LOOPBACK
			     ? "a NIC would DMA from your pinned pages (modelled; loopback copies instead, see the completion)"
			     : "the NIC DMAs straight from your pinned pages (modelled)");
}

/* A zerocopy completion (recvmsg(MSG_ERRQUEUE), or SEND_ZC's notification):
 * when the kernel copied after all, the deferred copy of the range's bytes. */
static void zerocopy_done(struct out *o, const struct zcl_sysrec *r)
{
	if (r->zc_copied && r->zc_bytes > 0)
		emit(o, ZE_CPU, ZP_USER, ZP_SOCKET, r->zc_bytes, false,
		     "deferred copy: the kernel copied your pinned pages after all (SO_EE_CODE_ZEROCOPY_COPIED)");
	else if (r->zc_unreported && r->zc_bytes > 0 && r->out.route == ZR_LOOPBACK)
		emit(o, ZE_CPU, ZP_USER, ZP_SOCKET, r->zc_bytes, true,
		     "deferred copy (modelled): loopback copies pinned pages on delivery; "
		     "IORING_SEND_ZC_REPORT_USAGE would say");
}

static void m_write(struct out *o, const struct zcl_sysrec *r, bool sg, uint64_t n)
{
	(void)sg;
	if (r->zerocopy && n > 0 && r->out.kind == ZF_SOCKET && !(r->cqe_flags & IORING_CQE_F_NOTIF)) {
		zerocopy_send(o, r, n);
		return;
	}
	enum zcl_place to = place_of(&r->out);
	enum zcl_place from = r->src_in_filemap ? ZP_PAGE_CACHE : ZP_USER;
	if (r->src_in_filemap)
		fill(o, r); /* touching the mapping faulted the pages in */
	if (n == 0 || to == ZP_NONE)
		return;
	if (r->out.cls == ZC_DIRECT) {
		emit(o, ZE_DMA, from, ZP_DISK, n, false,
		     "O_DIRECT: the disk DMAs straight from your buffer; no page cache, no CPU copy");
		return;
	}
	emit(o, ZE_CPU, from, to, n, false,
	     r->src_in_filemap ? "copy_from_user through your mapping: page cache -> kernel buffer"
			       : cpu_note(from, to, &r->out));
	if (to == ZP_SOCKET)
		nic(o, &r->out, ZP_SOCKET, n, r->msg_more);
}

/* File or pipe pages into a socket, inside the kernel. */
static void to_socket(struct out *o, const struct zcl_sysrec *r, bool sg, enum zcl_place from, uint64_t n)
{
	if (r->out.cls == ZC_UNIX && (from == ZP_PAGE_CACHE || from == ZP_PIPE)) {
		emit(o, ZE_REF, from, ZP_SOCKET, n, false,
		     "page references go to the peer's receive queue (unix socket: no NIC, no copy)");
	} else if (!has_nic(&r->out)) {
		emit(o, ZE_CPU, from, ZP_SOCKET, n, false, "in-kernel CPU copy into the socket");
	} else if (use_sg(&r->out, sg) && (from == ZP_PAGE_CACHE || from == ZP_PIPE)) {
		emit(o, ZE_REF, from, ZP_SOCKET, n, false,
		     "scatter-gather: only page descriptors go into the socket buffer");
		emit(o, ZE_DMA, from, ZP_NIC, n, true,
		     r->out.route == ZR_DEVICE && r->out.dev_sg >= 0
			     ? "the NIC gathers the pages straight from memory (modelled; SG read from the device)"
			     : "the NIC gathers the pages straight from memory (modelled)");
	} else {
		emit(o, ZE_CPU, from, ZP_SOCKET, n, false,
		     "no scatter-gather: the CPU copies the pages into the socket buffer");
		nic(o, &r->out, ZP_SOCKET, n, false);
	}
}

/* sendfile, splice, tee, copy_file_range: the bytes never visit user space. */
static void m_inkernel(struct out *o, const struct zcl_sysrec *r, bool sg, uint64_t n)
{
	enum zcl_place from = place_of(&r->in), to = place_of(&r->out);
	if (from == ZP_DISK) /* O_DIRECT source: splice still reads through the page cache */
		from = ZP_PAGE_CACHE;
	if (r->in.kind == ZF_FILE)
		fill(o, r);
	if (n == 0 || to == ZP_NONE)
		return;
	if (to == ZP_SOCKET) {
		to_socket(o, r, sg, from, n);
	} else if (to == ZP_PIPE && from != ZP_SOCKET && from != ZP_KERNEL) {
		emit(o, ZE_REF, from, ZP_PIPE, n, false, "page references move into the pipe, no copy");
	} else {
		emit(o, ZE_CPU, from, to, n, false,
		     r->nr == SYS_copy_file_range
			     ? "in-kernel copy (a reflink filesystem may share the blocks instead)"
			     : "in-kernel CPU copy");
	}
}

static void m_vmsplice(struct out *o, const struct zcl_sysrec *r, bool sg, uint64_t n)
{
	(void)sg;
	if (n > 0 && r->out.kind == ZF_PIPE)
		emit(o, ZE_REF, ZP_USER, ZP_PIPE, n, false, "your pages are referenced by the pipe, no copy");
}

static void m_none(struct out *o, const struct zcl_sysrec *r, bool sg, uint64_t n)
{
	(void)o, (void)r, (void)sg, (void)n;
}

typedef void (*family_fn)(struct out *, const struct zcl_sysrec *, bool, uint64_t);

static const struct {
	family_fn fn;
	const char *what; /* the note on the syscall event */
} families[] = {
	[ZM_READ] = {m_read, "reads into your buffer"},
	[ZM_WRITE] = {m_write, "writes from your buffer"},
	[ZM_SEND] = {m_write, "sends from your buffer"},
	[ZM_RECV] = {m_read, "receives into your buffer"},
	[ZM_SENDFILE] = {m_inkernel, "moves file bytes to another fd inside the kernel"},
	[ZM_SPLICE] = {m_inkernel, "moves pages through a pipe inside the kernel"},
	[ZM_TEE] = {m_inkernel, "duplicates pipe pages by reference"},
	[ZM_VMSPLICE] = {m_vmsplice, "hands your pages to a pipe"},
	[ZM_COPYRANGE] = {m_inkernel, "copies between files inside the kernel"},
	[ZM_MMAP] = {m_none, "maps memory; a file mapping copies nothing until touched"},
	[ZM_MUNMAP] = {m_none, "unmaps or moves a mapping"},
	[ZM_OTHER] = {m_none, "an io_uring operation that moves no bytes"},
};

size_t zcl_model(const struct zcl_sysrec *r, bool sg, struct zcl_event *ev, size_t max)
{
	struct out o = {ev, 0, max};
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	bool op = zcl_is_uring_op(r->nr);
	if (op)
		emit(&o, ZE_OP, ZP_USER, ZP_NONE, 0, false,
		     r->cqe_flags & IORING_CQE_F_NOTIF
			     ? "io_uring notification: the kernel is done with your pages"
			     : "an io_uring operation, done for an io_uring_enter: no mode switch of its own");
	else
		emit(&o, ZE_SYSCALL, ZP_USER, ZP_NONE, 0, false,
		     r->uring_why ? r->uring_why : rule ? families[rule->fam].what : NULL);
	uint64_t n = r->ret > 0 ? (uint64_t)r->ret : 0;
	if (rule)
		families[rule->fam].fn(&o, r, sg, n);
	if (r->zc_done)
		zerocopy_done(&o, r);
	return o.n;
}
