/*
 * state.h - what the screen shows, as data.
 *
 * The app (app.c) fills this from the engine's event stream; the scene
 * (scene.c) only reads it and draws. The viz decides no verdict: verdicts
 * and totals come from the engine.
 */
#ifndef ZCL_VIZ_STATE_H
#define ZCL_VIZ_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "account.h"
#include "event.h"
#include "stages.h"

enum zcl_viz_overlay { ZO_NONE, ZO_HELP, ZO_HINT, ZO_COMPARE };

#define ZCL_VIZ_MAX_EV 8 /* events of one syscall on screen (ZCL_MAX_EVENTS_PER_CALL) */
#define ZCL_VIZ_MAX_STAGES 16 /* rows of the comparison view: stage numbers 1..16 (the manifest has 9 at most) */

/* One finished stage run, for the comparison view. */
struct zcl_viz_row {
	const struct zcl_stage *stage;
	bool valid;
	struct zcl_totals totals;
	uint64_t delivered;
	double mb_per_s;      /* untraced throughput, measured; 0: not measured */
	bool solution;        /* the run was of the reference solution */
	bool warm_done;       /* mb_per_s was measured (or tried) */
};

struct zcl_viz_state {
	const struct zcl_stage *stage;
	bool solution, sg, warm;
	bool stepping;           /* step mode: one syscall per key */
	bool replay;             /* played from a recording (zcl replay), not live */
	int speed;               /* run mode: 1 (slow) .. 9 (fastest) */
	bool paused;

	/* the syscall on screen */
	char call[256];          /* as strace would print it */
	char sentence[256];      /* what the kernel is doing now, and why */
	bool in_kernel;          /* the process marker: user or kernel side */
	bool about_to;           /* step mode: held at entry, not run yet */
	struct zcl_event ev[ZCL_VIZ_MAX_EV]; /* its events (ev[0] is the ZE_SYSCALL) */
	int nev;
	int cur;                 /* the event being animated (index into ev), -1 none */
	double progress;         /* 0..1 along the current event's arrow */

	/* running figures (from the engine's accounting) */
	struct zcl_totals totals;
	uint64_t file_size;      /* input bytes */
	uint64_t cached_bytes;   /* how much of the input is in the page cache (measured fills),
				  * including a fill being animated: the scene grows the bar
				  * from cached_bytes - fill to cached_bytes with progress */
	uint64_t received;       /* bytes the receiver has counted so far */
	uint64_t expected;
	uint64_t vol_cs, invol_cs; /* the scheduler's real context switches */
	bool tmpfs;

	/* the end */
	bool done;
	bool stopped;            /* ended by a key (q, or a new setup): no verdict */
	char verdict[64];        /* "pass", "wrong-bytes", ... from the checker */
	char reason[256];

	/* overlays and messages */
	enum zcl_viz_overlay overlay;
	const char *hint;
	struct zcl_viz_row rows[ZCL_VIZ_MAX_STAGES]; /* comparison view, by stage number - 1 */
	char status[160];        /* one line at the bottom: keys, or a message */

	/* zcl trace --tui: any program, no stage (stage is NULL) */
	bool trace;
	unsigned seen;           /* places the shown process has used, bit (1u << place):
				  * boxes appear when a copy first uses them */
	char proc[96];           /* the process shown: "cat, pid 123" or "all 3 processes" */
	int nprocs;              /* processes seen so far */
	uint64_t sent;           /* bytes the shown process put into sockets */
	struct zcl_viz_row trace_row; /* the trace's totals, for the comparison */
	char trace_cmd[64];      /* the command, as the comparison names it */
	int exit_rc;             /* done: the program's status as zcl exits with it */
};

#endif
