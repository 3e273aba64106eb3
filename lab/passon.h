/*
 * passon.h - Ctrl-C during `zcl trace CMD` reaches the program, as it does
 * untraced: the first SIGINT, SIGTERM or SIGHUP is passed on, the program
 * ends as it chooses, and only a second signal or the grace period's end
 * makes zcl kill it.
 */
#ifndef ZCL_PASSON_H
#define ZCL_PASSON_H

#include <stdbool.h>

#include <sys/types.h>

/* Pass signals on (on) for the run about to start, or stop doing so (off:
 * also cancels a pending grace alarm). Only `zcl trace CMD` turns it on;
 * the lab's own runs and `trace -p` (which detaches) keep their ways. */
void zcl_passon_enable(bool on);

/* From main.c's handler of SIGINT/SIGTERM/SIGHUP, async-signal-safe; from
 * is the sender (si_pid). The first signal of a run with pass-on: send it
 * to the program's first process unless from_terminal and the program is
 * in our process group (a terminal's signal reached the whole foreground
 * group, tty(4): si_code SI_KERNEL), arm a ZCL_PASSON_GRACE_S alarm
 * (SIGALRM, alarm(2)), and return true: the run goes on. The same signal
 * again from the same sender within ZCL_PASSON_SAME_MS: true, ignored.
 * Otherwise false: the caller ends the run now. */
bool zcl_passon_signal(int sig, bool from_terminal, pid_t from);

/* The signal passed on in the run going on (0: none, or pass-on is off):
 * read it before zcl_passon_enable(false). */
int zcl_passon_passed(void);

/* From main.c's SIGALRM handler: the grace is over. The signal passed on
 * (the run is to end as if zcl got it now), or 0 if there is no grace to
 * end. Async-signal-safe. */
int zcl_passon_expire(void);

/* Did the grace run out (rather than a second signal end the run)? */
bool zcl_passon_expired(void);

/* Did the terminal send that signal to the program itself (zcl only
 * waited), rather than zcl passing it on? */
bool zcl_passon_by_terminal(void);

#endif
