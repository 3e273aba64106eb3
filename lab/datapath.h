/*
 * datapath.h - which CPU copies are on the lab's data path.
 *
 * A stage's copy target is about the bytes that travel from the lab's input
 * file to the lab's socket. A program may do other I/O as well - write a log
 * file, print to stderr, let glibc read its time-zone file - and those
 * copies are its own business: shown, never scored. The data path is:
 *   - every call on the lab's input file or the lab's socket, and every
 *     write from a mapping of the input file;
 *   - every call whose source is an object (file, pipe) that the lab's
 *     bytes were moved into ("tainted");
 *   - the CPU copies into an object that later feeds the lab's socket (a
 *     temporary file sent with sendfile()): counted when it feeds it.
 * Objects are named by (device, inode); user memory cannot be followed, so
 * a write from a plain buffer into the socket is on the path by the rule
 * above, wherever its bytes came from.
 */
#ifndef ZCL_DATAPATH_H
#define ZCL_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "model.h"

#define ZCL_DATAPATH_OBJECTS 32 /* objects followed per run; past it, copies count (said in the note) */

struct zcl_dp_object {
	dev_t dev;
	ino_t ino;
	bool tainted;        /* the lab's bytes were moved into it */
	bool feeds;          /* it moved bytes into the lab's socket */
	uint64_t pending;    /* CPU bytes copied into it, not (yet) on the data path */
	uint64_t written;    /* bytes the program moved into it */
	uint64_t read;       /* bytes the program moved out of it */
	char name[64];       /* for the note: "debug.log", "stderr", "/etc/localtime" */
};

struct zcl_datapath {
	struct zcl_dp_object obj[ZCL_DATAPATH_OBJECTS];
	int nobj;
	uint64_t untracked_cpu; /* CPU bytes of calls on objects past the table: counted */
};

/*
 * One finished data call in the bracket (rule non-NULL, r->ret > 0), whose
 * events hold cpu CPU-copied bytes. Returns how many of them are on the
 * data path. Learns the objects the call touched (their names from
 * /proc/PID/fd). Can't fail: an object it cannot name is still counted.
 */
uint64_t zcl_datapath_step(struct zcl_datapath *d, const struct zcl_sysrec *r,
			   const struct zcl_rule *rule, uint64_t cpu);

/* One line (NUL-terminated, may be empty) naming the program's other I/O:
 * "your program also wrote 33 bytes to debug.log: not part of the target".
 * Can't fail. */
void zcl_datapath_note(const struct zcl_datapath *d, char *buf, size_t len);

#endif
