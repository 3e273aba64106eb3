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
#include <unistd.h>

#include "passon.h"
#include "tracer.h"

static volatile sig_atomic_t enabled, passed, by_terminal, expired;

void zcl_passon_enable(bool on)
{
	enabled = 0; /* first: a late SIGALRM finds nothing to end */
	alarm(0);
	passed = expired = 0;
	enabled = on;
}

bool zcl_passon_signal(int sig, bool from_terminal)
{
	pid_t first = zcl_trace_current();
	if (!enabled || passed || first <= 0)
		return false;
	passed = sig;
	by_terminal = from_terminal;
	if (!from_terminal)
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
