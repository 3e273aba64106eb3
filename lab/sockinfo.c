/*
 * sockinfo.c - a socket's family, endpoints and route (see sockinfo.h).
 *
 * The route decides what the model may claim about the NIC. A peer on
 * 127.0.0.0/8, ::1, or one of this machine's own addresses is reached
 * through the loopback device: no NIC ever touches the bytes, so the NIC's
 * DMA is modelled (and said to be). Otherwise the local address names the
 * device the bytes leave by, and the device itself answers whether it does
 * scatter-gather (ethtool's "tx-scatter-gather", the legacy ETHTOOL_GSG
 * request; linux/ethtool.h), instead of the lab's --no-sg switch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockinfo.h"

/* "1.2.3.4:80" or "[::1]:80"; "?" for what is not inet. */
static void addr_str(const struct sockaddr_storage *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)a;
		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
		snprintf(buf, len, "%s:%u", ip, ntohs(s->sin_port));
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a;
		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
}

/* Same IP address (ports aside)? */
static bool same_ip(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
	return false;
}

static bool is_loopback_ip(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->ss_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(x) ||
		       (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
	}
	return false;
}

int zcl_netdev_sg(const char *ifname)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ethtool_value ev = {.cmd = ETHTOOL_GSG};
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	ifr.ifr_data = (char *)&ev;
	int r = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	return r < 0 ? -1 : ev.data != 0;
}

/* The route from local to peer: loopback, a device (named), or unknown. */
static void route(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		  struct zcl_fdinfo *info, char *dev, size_t devlen)
{
	if (is_loopback_ip(peer) || same_ip((const struct sockaddr *)local, (const struct sockaddr *)peer)) {
		info->route = ZR_LOOPBACK;
		return;
	}
	struct ifaddrs *ifs, *i;
	if (getifaddrs(&ifs) < 0)
		return;
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (same_ip(i->ifa_addr, (const struct sockaddr *)peer)) {
			info->route = ZR_LOOPBACK; /* one of our own addresses */
			break;
		}
		if (same_ip(i->ifa_addr, (const struct sockaddr *)local) && !(i->ifa_flags & IFF_LOOPBACK)) {
			info->route = ZR_DEVICE;
			snprintf(dev, devlen, "%s", i->ifa_name);
		}
	}
	freeifaddrs(ifs);
	if (info->route == ZR_DEVICE)
		info->dev_sg = (signed char)zcl_netdev_sg(dev);
}

static void inet(int fd, int type, struct zcl_fdinfo *info, char *name, size_t len,
		 char *dev, size_t devlen)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof l, pl = sizeof p;
	memset(&l, 0, sizeof l);
	memset(&p, 0, sizeof p);
	char ls[64], ps[64];
	bool lok = getsockname(fd, (struct sockaddr *)&l, &ll) == 0;
	bool pok = getpeername(fd, (struct sockaddr *)&p, &pl) == 0;
	addr_str(&l, ls, sizeof ls);
	const char *proto = type == SOCK_STREAM ? "TCP" : type == SOCK_DGRAM ? "UDP" : "INET";
	if (pok) {
		addr_str(&p, ps, sizeof ps);
		snprintf(name, len, "%s:[%s->%s]", proto, ls, ps);
		if (lok)
			route(&l, &p, info, dev, devlen);
	} else {
		snprintf(name, len, "%s:[%s]", proto, lok ? ls : "?");
	}
}

static void unix_name(int fd, int type, char *name, size_t len)
{
	struct sockaddr_un a;
	socklen_t al = sizeof a;
	const char *t = type == SOCK_STREAM ? "STREAM" : type == SOCK_DGRAM ? "DGRAM" : "SEQPACKET";
	memset(&a, 0, sizeof a);
	bool named = getsockname(fd, (struct sockaddr *)&a, &al) == 0 && al > sizeof(sa_family_t);
	if (!named) { /* our end has no name: the peer's, as strace shows a client */
		al = sizeof a;
		named = getpeername(fd, (struct sockaddr *)&a, &al) == 0 && al > sizeof(sa_family_t);
	}
	if (named && a.sun_path[0])
		snprintf(name, len, "UNIX-%s:[%.*s]", t, (int)(al - sizeof(sa_family_t)), a.sun_path);
	else if (named)
		snprintf(name, len, "UNIX-%s:[@%.*s]", t, (int)(al - sizeof(sa_family_t) - 1), a.sun_path + 1);
	else
		snprintf(name, len, "UNIX-%s", t);
}

void zcl_sock_describe(int fd, struct zcl_fdinfo *info, char *name, size_t len,
		       char *dev, size_t devlen)
{
	int dom = -1, type = -1;
	socklen_t sl = sizeof dom;
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &sl);
	sl = sizeof type;
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &sl);
	info->dev_sg = -1;
	dev[0] = 0;
	name[0] = 0;
	switch (dom) {
	case AF_INET:
	case AF_INET6:
		info->cls = type == SOCK_STREAM ? ZC_TCP : type == SOCK_DGRAM ? ZC_UDP : ZC_SOCKET;
		inet(fd, type, info, name, len, dev, devlen);
		break;
	case AF_UNIX:
		info->cls = ZC_UNIX;
		unix_name(fd, type, name, len);
		break;
	case AF_NETLINK:
		info->cls = ZC_NETLINK;
		snprintf(name, len, "NETLINK");
		break;
	default:
		info->cls = ZC_SOCKET;
		break;
	}
}
