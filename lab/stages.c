/*
 * stages.c - the progression, as data.
 *
 * Each row says how the stage moves the file, which rules the checker
 * enforces, and how many CPU copies the stage may make. The copy targets
 * are the articles' table: read+write copies every byte twice with the
 * CPU, mmap+write once, sendfile once without a scatter-gather NIC and
 * never with one; the gather stage copies only its header.
 *
 * A row also names its contract (the function the harness calls), its
 * input (the file, or a pipe the lab feeds) and its outputs (a socket, two
 * sockets, an output file): the build, the harness, the runner, the
 * checker, the grader and the scene read these, never the stage's number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages.h"

static const struct zcl_stage stages[] = {
	{1, "readwrite", "read() + write()",
	 "read() into your buffer, write() it to the socket: 4 copies, 4 mode switches per chunk",
	 false, false, false, false, true, false, 2, 2,
	 "Loop: read() up to a buffer's worth, then write() until all of it is sent - "
	 "write() may send less than you asked. Stop when read() returns 0.",
	 ZCT_SEND_FILE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, false, NULL},
	{2, "mmap", "mmap() + write()",
	 "map the file, write() straight from the mapping: the CPU copies page cache -> socket buffer",
	 false, true, true, false, false, false, 1, 1,
	 "mmap(NULL, size, PROT_READ, MAP_PRIVATE, file_fd, 0), then write() from the mapping "
	 "until everything is sent. A size of 0 cannot be mapped: send nothing. munmap() at the end.",
	 ZCT_SEND_FILE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, false, NULL},
	{3, "sendfile", "sendfile()",
	 "sendfile(): the kernel moves page-cache pages to the socket; with scatter-gather no CPU copy",
	 false, true, false, true, false, false, 0, 1,
	 "off_t offset = 0; sendfile(sock_fd, file_fd, &offset, left) in a loop: it may send less than asked, "
	 "and at most 0x7ffff000 bytes per call.",
	 ZCT_SEND_FILE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, false, NULL},
	{4, "gather", "header + sendfile() (gather)",
	 "send the header with MSG_MORE, the body with sendfile(): the NIC gathers both in one go",
	 true, true, false, true, false, true, 0, 1,
	 "send(sock_fd, header, len, MSG_MORE) until the header is out, then the sendfile() loop "
	 "of stage 3. MSG_MORE tells TCP more is coming, so header and body leave together.",
	 ZCT_SEND_RESPONSE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, false, NULL},
	{5, "splice", "splice() through a pipe",
	 "splice() the file into a pipe (page references), then the pipe into the socket: sendfile by hand",
	 false, true, false, true, false, false, 0, 1,
	 "pipe2() a pipe; loop: n = splice(file_fd, &off, pipe_wr, NULL, left, SPLICE_F_MOVE), "
	 "then splice(pipe_rd, NULL, sock_fd, NULL, ...) until those n bytes left the pipe.",
	 ZCT_SEND_FILE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, false, NULL},
	{6, "tee", "tee() to two sockets",
	 "tee() duplicates the live stream's pipe pages into a second pipe; splice() sends each pipe to a socket",
	 false, true, false, true, false, false, 0, 2,
	 "pipe2() a pipe; loop: n = tee(in_pipe, p[1], left, 0) duplicates the stream's head without "
	 "consuming it; splice n bytes in_pipe -> sock_a, then n bytes p[0] -> sock_b (each in a loop).",
	 ZCT_BROADCAST, ZIN_PIPE, ZOUT_TWO_SOCKETS, "both sockets", false, false, NULL},
	{7, "copy", "copy_file_range() file -> file",
	 "copy_file_range(): the filesystem copies inside the kernel (page cache -> page cache, or shares the extents)",
	 false, true, false, true, false, false, 1, 1,
	 "loff_t in_off = 0, out_off = 0; n = copy_file_range(in_fd, &in_off, out_fd, &out_off, left, 0) "
	 "in a loop: a copy may be short, and both offsets move by n. n == 0 before size bytes: the input ended.",
	 ZCT_COPY_FILE, ZIN_FILE, ZOUT_FILE, "the output file", false, false, NULL},
	{8, "zerocopy", "send(MSG_ZEROCOPY) from memory",
	 "send(MSG_ZEROCOPY) pins your buffer's pages for the NIC; completions on the error queue say when they are free",
	 false, true, false, false, false, false, 0, 1,
	 "setsockopt(sock_fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one); loop: send(sock_fd, buf + sent, chunk, "
	 "MSG_ZEROCOPY), counting sends; then until every send is completed: poll() for POLLERR and "
	 "recvmsg(MSG_ERRQUEUE): one completion covers sends ee_info..ee_data.",
	 ZCT_SEND_BUFFER, ZIN_FILE, ZOUT_SOCKET, "the socket", true, false, NULL},
	{9, "uring", "io_uring: linked splices",
	 "io_uring: splice file -> pipe -> socket as linked operations, many per io_uring_enter(): fewer mode switches",
	 false, true, false, true, false, false, 0, 1,
	 "A pipe and a ring (io_uring_queue_init); per batch queue linked splice pairs "
	 "(io_uring_prep_splice file -> pipe at its offset, pipe -> socket, IOSQE_IO_LINK), "
	 "io_uring_submit_and_wait, then take every CQE: a short one cancels the rest, carry on from what moved.",
	 ZCT_SEND_FILE, ZIN_FILE, ZOUT_SOCKET, "the socket", false, true, "-luring"},
};

static const struct zcl_contract_info contracts[] = {
	[ZCT_SEND_FILE] = {"send_file", "SEND_FILE", false},
	[ZCT_SEND_RESPONSE] = {"send_response", "SEND_RESPONSE", true},
	[ZCT_BROADCAST] = {"broadcast", "BROADCAST", false},
	[ZCT_COPY_FILE] = {"copy_file", "COPY_FILE", false},
	[ZCT_SEND_BUFFER] = {"send_buffer", "SEND_BUFFER", false, true},
};

const struct zcl_contract_info *zcl_contract_info(enum zcl_contract c)
{
	return &contracts[(unsigned)c < sizeof contracts / sizeof contracts[0] ? c : ZCT_SEND_FILE];
}

int zcl_stage_outputs(const struct zcl_stage *s)
{
	return s->output == ZOUT_TWO_SOCKETS ? 2 : 1;
}

const struct zcl_stage *zcl_stages(size_t *n)
{
	*n = sizeof stages / sizeof stages[0];
	return stages;
}

const struct zcl_stage *zcl_stage_find(const char *name)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	char *end;
	long num = strtol(name, &end, 10);
	for (size_t i = 0; i < n; i++) {
		char full[64];
		snprintf(full, sizeof full, "%02d-%s", s[i].num, s[i].slug);
		if ((*end == 0 && end != name && num == s[i].num) ||
		    strcmp(name, s[i].slug) == 0 || strcmp(name, full) == 0)
			return &s[i];
	}
	return NULL;
}
