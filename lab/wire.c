/*
 * wire.c - TCP_INFO of the lab's socket (see wire.h).
 *
 * On loopback a segment that tcp_write_xmit() sends is counted in
 * tcpi_data_segs_out before the sending syscall returns, so a sample taken
 * at a syscall-exit stop tells exactly what has left so far. Measured on
 * Linux 6.x: send(MSG_MORE) of a header leaves 0 segments and the header in
 * tcpi_notsent_bytes; a later send without MSG_MORE, TCP_NODELAY set while
 * corked, or clearing TCP_CORK pushes it out; held bytes otherwise leave
 * about 200 ms later (or at close()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire.h"

int zcl_wire_find(ino_t sock_ino)
{
	char want[64];
	snprintf(want, sizeof want, "socket:[%llu]", (unsigned long long)sock_ino);
	DIR *dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	int found = -1;
	struct dirent *e;
	while (found < 0 && (e = readdir(dir))) {
		char path[300], link[64];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, want) == 0)
			found = atoi(e->d_name);
	}
	closedir(dir);
	return found;
}

int zcl_wire_sample(int fd, struct zcl_wire_sample *s)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	memset(s, 0, sizeof *s);
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof ti.tcpi_data_segs_out)
		return -1;
	s->data_segs_out = ti.tcpi_data_segs_out;
	s->notsent = ti.tcpi_notsent_bytes;
	if (len >= offsetof(struct tcp_info, tcpi_bytes_sent) + sizeof ti.tcpi_bytes_sent)
		s->bytes_sent = ti.tcpi_bytes_sent;
	int v = 0;
	len = sizeof v;
	if (getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len) == 0)
		s->cork = v != 0;
	len = sizeof v;
	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0)
		s->nodelay = v != 0;
	return 0;
}
