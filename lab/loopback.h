/*
 * loopback.h - the lab's TCP connection to itself: one end for the
 * receiver, the other for the program under test.
 */
#ifndef ZCL_LOOPBACK_H
#define ZCL_LOOPBACK_H

/* A connected TCP pair on 127.0.0.1 (the kernel picks the port, so runs
 * in parallel never collide): *lab is the receiver's end, *stage the
 * program's. Both close-on-exec (the child dup2()s the one it gets).
 * 0, or -1 with errno (socket, bind, listen, connect, accept4); nothing
 * is left open on failure. */
int zcl_tcp_pair(int *lab, int *stage);

#endif
