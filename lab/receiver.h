/*
 * receiver.h - the network peer: reads everything the stage sends and
 * compares every byte with the expected stream, in a thread of its own.
 */
#ifndef ZCL_RECEIVER_H
#define ZCL_RECEIVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "input.h"

struct zcl_receiver {
	/* set by zcl_receiver_start */
	int fd;
	const struct zcl_expect *expect;
	pthread_t thread;
	volatile bool stop;
	uint8_t *buf;            /* its gulp buffer (receiver.c's, while it runs) */
	/* results, valid after zcl_receiver_finish */
	uint64_t received;       /* bytes read from the socket */
	int64_t first_mismatch;  /* offset of the first wrong byte, -1 if none */
	bool eof;                /* the sender closed its end */
	int error;               /* errno of a failed read, 0 if none */
};

/* Start reading fd (the lab's end of the connection) in a new thread. The
 * receiver owns fd from now on and closes it. 0 or -1 with errno. Start and
 * finish receivers from one thread (their buffers are handed out there). */
int zcl_receiver_start(struct zcl_receiver *r, int fd, const struct zcl_expect *e);

/* Wait up to grace_s seconds for end of stream, then stop and join. */
void zcl_receiver_finish(struct zcl_receiver *r, double grace_s);

/* Check an output file the program wrote (it has ended): every byte of fd
 * from offset 0 to its end against e, streamed; r->received is the file's
 * length (bytes past e's end count, as extra), r->first_mismatch as above.
 * fd stays the caller's. 0, or -1 with r->error set when a read failed. */
int zcl_receiver_check_file(struct zcl_receiver *r, int fd, const struct zcl_expect *e);

#endif
