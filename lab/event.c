/*
 * event.c - names for the event stream's enums (see event.h).
 */
#include "event.h"

static const char *const place_names[ZP__COUNT] = {
	[ZP_NONE] = "-",
	[ZP_DISK] = "disk",
	[ZP_PAGE_CACHE] = "page cache",
	[ZP_USER] = "user buffer",
	[ZP_SOCKET] = "socket buffer",
	[ZP_PIPE] = "pipe",
	[ZP_NIC] = "NIC",
	[ZP_KERNEL] = "kernel",
	[ZP_TTY] = "tty",
};

const char *zcl_place_name(enum zcl_place p)
{
	return (unsigned)p < ZP__COUNT ? place_names[p] : "?";
}

const char *zcl_evkind_name(enum zcl_evkind k)
{
	static const char *const names[] = {
		[ZE_SYSCALL] = "syscall", [ZE_DMA] = "dma", [ZE_CPU] = "cpu",
		[ZE_REF] = "ref", [ZE_MARK] = "mark", [ZE_OP] = "op",
	};
	return (unsigned)k <= ZE_OP ? names[k] : "?";
}

const char *zcl_fdkind_name(enum zcl_fdkind k)
{
	static const char *const names[] = {
		[ZF_NONE] = "none", [ZF_FILE] = "file", [ZF_SOCKET] = "socket",
		[ZF_PIPE] = "pipe", [ZF_OTHER] = "other",
	};
	return (unsigned)k <= ZF_OTHER ? names[k] : "?";
}

const char *zcl_fdclass_name(enum zcl_fdclass c)
{
	static const char *const names[ZC__COUNT] = {
		[ZC_UNKNOWN] = "unknown", [ZC_FILE] = "file", [ZC_TMPFS] = "tmpfs-file",
		[ZC_DIRECT] = "O_DIRECT-file", [ZC_PSEUDO] = "pseudo-file", [ZC_DIR] = "directory",
		[ZC_PIPE] = "pipe", [ZC_TCP] = "tcp", [ZC_UDP] = "udp", [ZC_UNIX] = "unix",
		[ZC_NETLINK] = "netlink", [ZC_SOCKET] = "socket", [ZC_TTY] = "tty",
		[ZC_NULL] = "null", [ZC_ZERO] = "zero", [ZC_CHAR] = "char-device",
		[ZC_ANON] = "anon", [ZC_OTHER] = "other",
	};
	return (unsigned)c < ZC__COUNT ? names[c] : "?";
}
