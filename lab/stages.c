/*
 * stages.c - the progression, as data.
 *
 * Each row says how the stage moves the file, which rules the checker
 * enforces, and how many CPU copies the stage may make. The copy targets
 * are the articles' table: read+write copies every byte twice with the
 * CPU, mmap+write once, sendfile once without a scatter-gather NIC and
 * never with one; the gather stage copies only its header.
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
	 "write() may send less than you asked. Stop when read() returns 0."},
	{2, "mmap", "mmap() + write()",
	 "map the file, write() straight from the mapping: the CPU copies page cache -> socket buffer",
	 false, true, true, false, false, false, 1, 1,
	 "mmap(NULL, size, PROT_READ, MAP_PRIVATE, file_fd, 0), then write() from the mapping "
	 "until everything is sent. A size of 0 cannot be mapped: send nothing. munmap() at the end."},
	{3, "sendfile", "sendfile()",
	 "sendfile(): the kernel moves page-cache pages to the socket; with scatter-gather no CPU copy",
	 false, true, false, true, false, false, 0, 1,
	 "off_t offset = 0; sendfile(sock_fd, file_fd, &offset, left) in a loop: it may send less than asked, "
	 "and at most 0x7ffff000 bytes per call."},
	{4, "gather", "header + sendfile() (gather)",
	 "send the header with MSG_MORE, the body with sendfile(): the NIC gathers both in one go",
	 true, true, false, true, false, true, 0, 1,
	 "send(sock_fd, header, len, MSG_MORE) until the header is out, then the sendfile() loop "
	 "of stage 3. MSG_MORE tells TCP more is coming, so header and body leave together."},
	{5, "splice", "splice() through a pipe",
	 "splice() the file into a pipe (page references), then the pipe into the socket: sendfile by hand",
	 false, true, false, true, false, false, 0, 1,
	 "pipe2() a pipe; loop: n = splice(file_fd, &off, pipe_wr, NULL, left, SPLICE_F_MOVE), "
	 "then splice(pipe_rd, NULL, sock_fd, NULL, ...) until those n bytes left the pipe."},
};

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
