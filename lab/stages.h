/*
 * stages.h - the stage manifest: one row per stage of the progression.
 *
 * Adding a stage is data: a row here (its contract, input, outputs, rules
 * and copy target), exercises/NN-slug.c, solutions/NN-slug.c and its
 * WORKBOOK.md chapter. The build, the harness, the runner, the checker,
 * the grader, the bench and the scene read the row, never the number.
 */
#ifndef ZCL_STAGES_H
#define ZCL_STAGES_H

#include <stdbool.h>
#include <stddef.h>

/* The function the stage asks for (exercises/zcl.h); build.c compiles the
 * harness with -DZCL_CONTRACT_<MACRO> so it calls that one. */
enum zcl_contract {
	ZCT_SEND_FILE,      /* send_file(file_fd, sock_fd, size) */
	ZCT_SEND_RESPONSE,  /* send_response(sock_fd, header, len, file_fd, size) */
	ZCT_BROADCAST,      /* broadcast(in_pipe, sock_a, sock_b, size) */
	ZCT_COPY_FILE,      /* copy_file(in_fd, out_fd, size) */
	ZCT_SEND_BUFFER,    /* send_buffer(sock_fd, buf, len): the input handed as a buffer */
};

/* Where the bytes come from: the seeded file (cold or warm), or a pipe a
 * lab thread feeds the same seeded bytes into (a live stream: no page cache). */
enum zcl_input_kind { ZIN_FILE, ZIN_PIPE };

/* Where they go, each checked byte by byte against the input: one loopback
 * TCP socket, two of them (each with its own receiver), or an empty file the
 * lab opened in the run's directory (the input's filesystem). */
enum zcl_output_kind { ZOUT_SOCKET, ZOUT_TWO_SOCKETS, ZOUT_FILE };

/* A contract's shape: descriptors 3 (input), 4 and up (outputs), argv[1]
 * the size, argv[2] the header when it takes one. */
struct zcl_contract_info {
	const char *function;   /* "send_file" */
	const char *macro;      /* "SEND_FILE": the harness's -DZCL_CONTRACT_SEND_FILE */
	bool header;            /* argv[2] is the response header */
	bool buffer;            /* the harness reads the input into a buffer before the
				 * opening marker and hands that over (not the descriptor) */
};

struct zcl_stage {
	int num;
	const char *slug;        /* file name: exercises/NN-slug.c */
	const char *title;
	const char *method;      /* one line: how the bytes travel */
	bool gather;             /* send a header before the file (send_response) */
	/* rules the checker enforces (the lab's input and outputs, in the bracket; "file" is
	 * the input, "socket" the outputs, whatever they are: output_noun names them) */
	bool no_file_read;       /* no read() of the file's bytes into user space */
	bool map_writes;         /* socket writes must come from a mapping of the file */
	bool kernel_body;        /* the file must reach the socket inside the kernel */
	bool user_path;          /* the file must pass through a user buffer */
	bool held_header;        /* the header must be sent with MSG_MORE or under TCP_CORK */
	/* copy target: CPU bytes allowed = cpu_x * size (+ header), cpu_x_nosg without SG */
	unsigned cpu_x, cpu_x_nosg;
	const char *hint;
	enum zcl_contract contract;
	enum zcl_input_kind input;
	enum zcl_output_kind output;
	const char *output_noun; /* "the socket", "both sockets", "the output file" */
	/* every byte must leave with send(MSG_ZEROCOPY) on an SO_ZEROCOPY socket, and
	 * every completion be reaped (recvmsg(MSG_ERRQUEUE)) before returning */
	bool zerocopy;
	/* io_uring allowed (sandbox.c), still without SQPOLL or registered rings */
	bool allow_uring;
	const char *libs;        /* one extra link flag ("-luring"), NULL for none */
};

/* The shape of contract c. Can't fail (c is one of the enum's). */
const struct zcl_contract_info *zcl_contract_info(enum zcl_contract c);

/* How many output descriptors (4, 5, ...) the stage's program gets. */
int zcl_stage_outputs(const struct zcl_stage *s);

/* The stage with this number ("3") or slug ("sendfile", "03-sendfile"), or
 * NULL. Can't fail. */
const struct zcl_stage *zcl_stage_find(const char *name);

/* All stages, *n set to their number. */
const struct zcl_stage *zcl_stages(size_t *n);

#endif
