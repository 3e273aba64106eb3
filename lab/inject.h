/*
 * inject.h - where --inject disturbs a stage run.
 *
 * Not "every Nth call": a program could then feed the fault a dummy call.
 * The lab picks byte offsets in the two streams - the bytes read out of its
 * input file, and the bytes put into its socket - from the run's seed, and
 * disturbs the call that moves each of them. Every byte must be moved by
 * some call, so a call with no loop around it is caught; a zero-length
 * call moves nothing and catches nothing; the same seed disturbs the same
 * calls again.
 */
#ifndef ZCL_INJECT_H
#define ZCL_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "event.h"
#include "model.h"

#define ZCL_INJECT_FIRST 4096u          /* the first offset lies in [0, this) of each stream */
#define ZCL_INJECT_GAP (32u * 1024u)    /* then one every GAP + [0, SPREAD) bytes */
#define ZCL_INJECT_SPREAD (256u * 1024u)

enum zcl_stream { ZS_FILE, ZS_SOCKET, ZS_NONE };

/* Start a run's plan from its seed: positions 0, offsets drawn anew.
 * Can't fail. */
void zcl_inject_begin(uint64_t seed);

/* A call is about to move up to len bytes of stream s from its current
 * position. True when one of the plan's offsets lies in that range; the
 * plan then moves past the offsets in the first `moves` bytes (what the
 * disturbed call will still move) and past the first offset in any case.
 * The others stay: the call that moves them next is disturbed in its turn
 * (a short call's rest, an interrupted call's retry). Can't fail. */
bool zcl_inject_due(enum zcl_stream s, uint64_t len, uint64_t moves);

/* The call moved n bytes of stream s. Can't fail. */
void zcl_inject_moved(enum zcl_stream s, uint64_t n);

/* The stream a data call on the lab's descriptors moves: into the socket,
 * else out of the input file; ZS_NONE for anything else. */
enum zcl_stream zcl_inject_stream(const struct zcl_sysrec *r);

/*
 * At a data call's entry (r on the lab's descriptors, in the bracket): does
 * the plan disturb it, and how? kind is ZI_SHORT or ZI_EINTR. A short call
 * is cut to half of what it could move (the count, what is left of the
 * file from its offset, or what waits in the pipe it reads, whichever is
 * least): a count argument is lowered in
 * r->args and *count_arg names it; an iovec array is shortened in the
 * tracee's memory (*count_arg = -1) and put back by zcl_inject_restore at
 * the call's exit. Returns what the tracer should do (tracer.h).
 */
enum zcl_inject zcl_inject_decide(struct zcl_sysrec *r, const struct zcl_rule *rule,
				  enum zcl_inject kind, int *count_arg);

/* At a call's exit: put back the iovecs zcl_inject_decide shortened for
 * thread pid, if any. Can't fail (a vanished thread is forgotten). */
void zcl_inject_restore(pid_t pid);

/* The iovec array of a writev-type call (or of sendmsg's msghdr) in the
 * tracee: a malloc'd copy the caller frees, its length in *cnt and its
 * address in *addr; NULL when there is none or it cannot be read. */
struct iovec *zcl_iov_peek(const struct zcl_sysrec *r, const struct zcl_rule *rule,
			   uint64_t *addr, uint64_t *cnt);

#endif
