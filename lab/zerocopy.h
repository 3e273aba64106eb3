/*
 * zerocopy.h - MSG_ZEROCOPY seen: which sends pinned the program's pages,
 * and what the kernel said when it was done with them.
 *
 * A socket with SO_ZEROCOPY set takes send(MSG_ZEROCOPY) without copying:
 * the socket buffer references the user's pages, pinned until the kernel
 * is done; then it queues a completion on the socket's error queue, which
 * the program reads with recvmsg(MSG_ERRQUEUE): a struct sock_extended_err
 * with ee_origin SO_EE_ORIGIN_ZEROCOPY naming a range of sends
 * [ee_info, ee_data] (the socket numbers its zerocopy sends 0, 1, ...), and
 * ee_code SO_EE_CODE_ZEROCOPY_COPIED when it had to copy after all (always
 * on loopback: the receiver must not see the sender's pages).
 * Documentation/networking/msg_zerocopy.rst; net/core/skbuff.c.
 */
#ifndef ZCL_ZEROCOPY_H
#define ZCL_ZEROCOPY_H

#include "event.h"

/* At a send's entry: rec->zerocopy when it asks MSG_ZEROCOPY on a socket
 * with SO_ZEROCOPY on. Other calls: no-op. */
void zcl_zc_entry(struct zcl_sysrec *rec);

/* At the exit, before the model: setsockopt(SO_ZEROCOPY) arms the socket;
 * a zerocopy send that moved bytes gets the socket's next number (its
 * bytes remembered); a recvmsg(MSG_ERRQUEUE) that got a zerocopy
 * completion fills rec->zc_* from the program's memory (the bytes of the
 * range's sends, forgotten then). Unreadable memory: no completion
 * recorded. Running out of memory: the send's bytes are unknown (0). */
void zcl_zc_exit(struct zcl_sysrec *rec);

/* Forget every socket (start or end of a run). Can't fail. */
void zcl_zc_reset(void);

#endif
