/*
 * passon.c - pass Ctrl-C on to a traced program instead of killing it.
 *
 * Untraced, Ctrl-C in a terminal sends SIGINT to the foreground process
 * group: the program may save its work, print, and exit with a status of
 * its choosing (python's KeyboardInterrupt, nginx's fast shutdown). zcl
 * trace keeps that: the first signal reaches the program, the tracer goes
 * on following it to its end, and the summary says how it ended. A program
 * that ignores the signal is killed after ZCL_PASSON_GRACE_S, or at once
 * on a second signal, as before.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "params.h"
#include "passon.h"
#include "tracer.h"

static volatile sig_atomic_t enabled, passed, by_terminal, expired;
static volatile sig_atomic_t sender;  /* who sent the signal passed on (si_pid) */
static struct timespec passed_at;     /* when (CLOCK_MONOTONIC) */

/* Milliseconds since the signal was passed on (clock_gettime(2) is
 * async-signal-safe, signal-safety(7)). */
static long ms_since_passed(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - passed_at.tv_sec) * 1000 + (now.tv_nsec - passed_at.tv_nsec) / 1000000;
}

void zcl_passon_enable(bool on)
{
	enabled = 0; /* first: a late SIGALRM finds nothing to end */
	alarm(0);
	passed = expired = 0;
	enabled = on;
}

bool zcl_passon_signal(int sig, bool from_terminal, pid_t from)
{
	pid_t first = zcl_trace_current();
	if (!enabled || first <= 0)
		return false;
	if (passed) /* the same signal from the same sender at once is one request
		     * sent twice (timeout(1): to its child, then to its group) */
		return sig == passed && from == sender && ms_since_passed() < ZCL_PASSON_SAME_MS;
	passed = sig;
	sender = from;
	clock_gettime(CLOCK_MONOTONIC, &passed_at);
	/* the terminal reached the program itself only if it is in the
	 * terminal's foreground group, ours (it may have left: setsid) */
	by_terminal = from_terminal && getpgid(first) == getpgrp();
	if (!by_terminal)
		kill(first, sig);
	alarm(ZCL_PASSON_GRACE_S);
	return true;
}

int zcl_passon_passed(void)
{
	return enabled ? passed : 0;
}

int zcl_passon_expire(void)
{
	if (enabled && passed)
		expired = 1;
	return enabled ? passed : 0;
}

bool zcl_passon_expired(void)
{
	return expired;
}

bool zcl_passon_by_terminal(void)
{
	return by_terminal;
}
