/*
 * loopback.c - a TCP connection on loopback: listen on an ephemeral port,
 * connect to it, accept, and close the listener. Stage runs and the bench
 * send through it; loopback has no NIC, which the model says.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

int zcl_tcp_pair(int *lab, int *stage)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1;
	if (ls < 0)
		return -1;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) < 0)
		goto fail;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		goto fail;
	if ((*lab = accept4(ls, NULL, NULL, SOCK_CLOEXEC)) < 0)
		goto fail;
	*stage = c;
	close(ls);
	return 0;
fail:
	if (c >= 0)
		close(c);
	close(ls);
	return -1;
}
