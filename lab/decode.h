/*
 * decode.h - a syscall's arguments as strace shows them: descriptors with
 * their names (strace -yy), pointers in hex, flags by name.
 *
 * One row per syscall the lab traps (decode.c), one kind per argument, as
 * strace's syscallent.h rows carry a decoder each.
 */
#ifndef ZCL_DECODE_H
#define ZCL_DECODE_H

#include <stddef.h>

#include "event.h"

/* "read(3</tmp/f>, 0x7ffc..., 65536" (no closing parenthesis) into buf;
 * returns the length written (snprintf's, capped at len - 1). Descriptor
 * names come from rec->in / rec->out when the argument is theirs. */
size_t zcl_decode_args(const struct zcl_sysrec *rec, char *buf, size_t len);

/* Flags decoded by a table ("MSG_MORE|MSG_DONTWAIT", "0", "0x400|MSG_PEEK");
 * which: "msg", "splice", "rwf", "prot", "map", "mremap". Writes into buf. */
const char *zcl_decode_flags(const char *which, unsigned long v, char *buf, size_t len);

/* An error number's name and words, as strace shows a failed call: libc's
 * for user-visible errors, and the kernel's own for the restart codes a
 * tracer sees at an exit stop when a signal interrupts a call (512-516,
 * include/linux/errno.h: the call is restarted or fails with EINTR; the
 * program never sees them). Static strings; "?" and "unknown error" when
 * neither knows the number. */
const char *zcl_errno_name(int e);
const char *zcl_errno_words(int e);

#endif
