/*
 * capture.h - the program's stdout and stderr, through a pipe the lab holds.
 *
 * The lab never reopens a path the program could have replaced (a symlink
 * to a secret, a FIFO that blocks open() forever): the program writes into
 * a pipe, and a thread of the lab reads it while the program runs, keeping
 * the last bytes only, so any amount of output costs the lab nothing.
 */
#ifndef ZCL_CAPTURE_H
#define ZCL_CAPTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZCL_CAPTURE_TAIL 1024 /* bytes of the output's end that are kept */

struct zcl_capture {
	int rd;                       /* the lab's read end */
	pthread_t thread;
	volatile bool stop;
	char ring[ZCL_CAPTURE_TAIL];  /* the last bytes, circular */
	uint64_t total;               /* bytes the program wrote */
};

/* Make the pipe and start the reader. *wr is the write end (O_CLOEXEC; the
 * child dup2()s it onto 1 and 2); the caller closes it once the child has
 * been started. 0, or -1 with errno. */
int zcl_capture_start(struct zcl_capture *c, int *wr);

/* Wait up to grace_s for end of file (every writer gone), stop the reader,
 * and put the tail of the output in out (NUL-terminated, at most cap - 1
 * bytes, raw: escape before showing). Can't fail. */
void zcl_capture_finish(struct zcl_capture *c, double grace_s, char *out, size_t cap);

#endif
