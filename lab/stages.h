/*
 * stages.h - the stage manifest: one row per stage of the progression.
 */
#ifndef ZCL_STAGES_H
#define ZCL_STAGES_H

#include <stdbool.h>
#include <stddef.h>

struct zcl_stage {
	int num;
	const char *slug;        /* file name: exercises/NN-slug.c */
	const char *title;
	const char *method;      /* one line: how the bytes travel */
	bool gather;             /* send a header before the file (send_response) */
	/* rules the checker enforces (the lab's file and socket, in the bracket) */
	bool no_file_read;       /* no read() of the file's bytes into user space */
	bool map_writes;         /* socket writes must come from a mapping of the file */
	bool kernel_body;        /* the file must reach the socket inside the kernel */
	bool user_path;          /* the file must pass through a user buffer */
	bool held_header;        /* the header must be sent with MSG_MORE or under TCP_CORK */
	/* copy target: CPU bytes allowed = cpu_x * size (+ header), cpu_x_nosg without SG */
	unsigned cpu_x, cpu_x_nosg;
	const char *hint;
};

/* The stage with this number ("3") or slug ("sendfile", "03-sendfile"), or
 * NULL. Can't fail. */
const struct zcl_stage *zcl_stage_find(const char *name);

/* All stages, *n set to their number. */
const struct zcl_stage *zcl_stages(size_t *n);

#endif
