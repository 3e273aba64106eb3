/*
 * hostile_run.h - the machinery of test_hostile.c: run one hostile case in
 * a lab process (in a PID namespace of its own when asked) and collect its
 * result through a pipe, then the after-checks: snapshots of the fake
 * root, survivors in /proc, leftover scratch directories.
 *
 * The case table and the verdict matching stay in test_hostile.c; what a
 * case is and what a run brings back are defined here, since both sides
 * read them.
 */
#ifndef ZCL_TEST_HOSTILE_RUN_H
#define ZCL_TEST_HOSTILE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "runner.h"

#define HANG_S 25.0       /* no result this long after the run's limit: the lab hung */
#define ESCAPED "zcl-hostile-escaped.txt" /* written beside the run directory ($ZCL_SCRATCH) */

/* One acceptable outcome: the verdict, and a line (the reason or one
 * violation) holding one of `has` and one of `and_has` ('|' separates
 * alternatives; "" or NULL: anything). `output_has`: the program's output too. */
struct outcome {
	enum zcl_verdict v;
	const char *has, *and_has, *output_has;
};

enum {
	H_PIDNS = 1,       /* run in a PID namespace: the submission may signal everything */
	H_ANY_VERDICT = 2, /* the verdict is free; only the after-checks matter */
	H_ESCAPE = 4,      /* tries to write ../ESCAPED */
	H_BASIC = 8,       /* the fallback: no namespaces (ZCL_SANDBOX_LAYERS=basic) */
	H_STACK_UNLIMITED = 16, /* the grader's shell has `ulimit -s unlimited` */
	H_TTY = 32,        /* the lab has a controlling terminal (hostile_tty_slave) */
	H_NOBODY = 64,     /* the lab runs as a normal user (uid 65534), not root */
};

/* H_TTY: the slave side of a pseudo-terminal the lab process makes its
 * controlling terminal; set by the test before contained_run. */
extern int hostile_tty_slave;

struct hostile_case {
	const char *what;
	int stage;
	const char *src;  /* ZCL_LAB_ROOT is defined in front of it */
	double timeout_s;
	unsigned flags;
	struct outcome ok[4]; /* any one will do; the list ends at has == NULL */
};

/* What the lab process sends back. */
struct wire {
	int rc;             /* zcl_run_stage's return */
	char err[512];
	struct zcl_run r;   /* pointers in it are the lab process's: only .stage stays valid */
	char diag[2048];
	/* hostile_in_grade: the reference solution run next, in the same grade
	 * (kept directory, view template, memory cgroup) */
	int later_rc;
	enum zcl_verdict later_verdict;
	char later_reason[256];
	bool later_template; /* that run's view was a copy of the grade's template */
};

/* One run as the test saw it. */
struct contained {
	struct wire w;
	bool have;          /* a whole wire arrived */
	bool hung;          /* no result by the deadline: we killed the lab */
	int status;         /* wait status of the lab process (-1: unknown) */
	double elapsed;
};

/* Seconds on the monotonic clock. Can't fail. */
static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run case c (in the fake root ZCL_ROOT names) in a lab process, in a PID
 * namespace when c->flags has H_PIDNS, and wait for its result until
 * c->timeout_s + HANG_S, killing it then (o->hung). Fills *o (o->w.r's
 * pointers are cleared or point into the dead lab: use o->w.err, o->w.diag).
 * *ns_pid is the namespace's init, still holding the namespace until the
 * caller closes *hold and reaps it (0 and -1 without a namespace). Returns
 * false with errno set when the namespace could not be made; a failed pipe
 * or fork fails the test (Criterion assert). */
bool contained_run(const struct hostile_case *c, struct contained *o, pid_t *ns_pid, int *hold);

/* Run the case as a grade runs it (true): a kept run directory and, as
 * root, the grade's template of the view (view.h); else as `zcl check`
 * does. Set by the test before contained_run. */
extern bool hostile_in_grade;

/* Put the lab's reference solution of stage num into root/solutions/ (the
 * later run of hostile_in_grade). Fails the test when it cannot. */
void hostile_add_reference(const char *root, int num);

/* A listing of root's exercises/, solutions/ and lab/ (name, mode, size and
 * a content hash per entry; a missing directory says so) into out, replacing
 * what was there; truncated at cap. Can't fail. */
void snapshot(const char *root, char *out, size_t cap);

struct survivors {
	int alive, zombies;
	char what[1024];    /* "PID (state, exe or cmdline)" of each one alive */
};

/* Processes of this run still there: the stage binary (exe or cmdline in
 * the fake root), anything in its process group, anything in its PID
 * namespace (nslink; init `skip` aside). Reaps our own orphans first.
 * Fails the test if /proc cannot be read. */
void find_survivors(const char *root, pid_t group, const char *nslink, pid_t skip, struct survivors *s);

/* Scratch directories of this run still there (zcl-XXXXXX in the case's
 * own $ZCL_SCRATCH, see use_own_scratch). Returns how many and lists them
 * in what (truncated at cap); removes them (after counting) so a failure
 * leaves no litter. */
int leftover_scratch(const char *root, char *what, size_t cap);

/* Give this test process a scratch base of its own (/var/tmp/zcl-hostile-
 * XXXXXX, set as $ZCL_SCRATCH for the lab it starts): cases running in
 * parallel cannot see each other's run directories. Fails the test if it
 * cannot. drop_own_scratch removes it. */
void use_own_scratch(void);
void drop_own_scratch(void);

/* The path an H_ESCAPE case writes to: ESCAPED in $ZCL_SCRATCH (default
 * /var/tmp), beside the scratch directories. Static storage. */
const char *escaped_path(void);

#endif
