/*
 * sockinfo.h - what the lab can learn about a socket it holds a duplicate
 * of: family and type, both endpoints, and the route its bytes take
 * (loopback, or a real network device, whose scatter-gather support is
 * read from the device with the ethtool ioctl).
 */
#ifndef ZCL_SOCKINFO_H
#define ZCL_SOCKINFO_H

#include <stddef.h>

#include "event.h"

/* Fill info->cls (ZC_TCP, ZC_UDP, ZC_UNIX, ZC_NETLINK, ZC_SOCKET),
 * info->route and info->dev_sg from the socket fd (the lab's own duplicate),
 * the endpoints into name ("TCP:[10.0.0.1:5000->10.0.0.2:80]") and the
 * device's name into dev (empty unless ZR_DEVICE). Never fails: what cannot
 * be read stays unknown. */
void zcl_sock_describe(int fd, struct zcl_fdinfo *info, char *name, size_t len,
		       char *dev, size_t devlen);

/* Scatter-gather of network device ifname, read with ioctl(SIOCETHTOOL,
 * ETHTOOL_GSG): 1 on, 0 off, -1 when the device does not say. */
int zcl_netdev_sg(const char *ifname);

#endif
