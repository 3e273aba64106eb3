/*
 * wire.h - what left the host on the lab's socket, measured.
 *
 * The stage's socket is one end of a loopback TCP connection whose other
 * end is the lab's receiver; the lab keeps its own descriptor on the same
 * socket while the program runs. TCP_INFO on it says how many data
 * segments have left and how many queued bytes are still unsent, so the
 * gather stage can be judged on what actually went out (a header that left
 * in a segment of its own, a tail still held when the function returned)
 * rather than on the flags the program passed. See tcp(7), TCP_INFO,
 * TCP_CORK, TCP_NODELAY; the fields are in <linux/tcp.h>.
 */
#ifndef ZCL_WIRE_H
#define ZCL_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct zcl_wire_sample {
	uint32_t data_segs_out; /* segments with data that left (tcpi_data_segs_out) */
	uint32_t notsent;       /* bytes queued but not yet sent (tcpi_notsent_bytes) */
	uint64_t bytes_sent;    /* data bytes that left, retransmits included */
	bool cork, nodelay;     /* TCP_CORK and TCP_NODELAY as they are now */
};

/* The lab process's own descriptor on the socket with this inode (found in
 * /proc/self/fd; the lab owns it, do not close it), or -1. Can't fail. */
int zcl_wire_find(ino_t sock_ino);

/* Sample the socket behind fd (from zcl_wire_find). 0, or -1 when TCP_INFO
 * cannot be read (not TCP, or a kernel older than 4.6). */
int zcl_wire_sample(int fd, struct zcl_wire_sample *s);

#endif
