/*
 * harness.c - the main() every stage binary is built with.
 *
 * The lab compiles a student's exercise (or a reference solution) together
 * with this file: cc -DZCL_CONTRACT_<NAME> -Iexercises harness.c NN-slug.c,
 * the contract named by the stage's row (lab/stages.c). The lab starts the
 * binary with the input (a file, or a pipe it feeds) on descriptor 3 and the
 * outputs on 4 and up (a connected socket, a second one, or an output file),
 * the input size in argv[1] and, for a contract with a header, the response
 * header in argv[2]. A contract that takes a buffer (send_buffer) gets the
 * input read from descriptor 3 into memory before the opening marker.
 *
 * Around the student's function the harness makes two marker syscalls:
 * getppid() with a magic first argument and a per-run token. getppid ignores
 * its arguments, so the markers cost nothing, but the tracer sees them and
 * counts copies only between them (the "bracket").
 *
 * zcl bench sets ZCL_TIMING_FD: the harness then writes one line there after
 * the call, the call's own wall and CPU time from the kernel's accounting of
 * this process (getrusage(2), clock_gettime(2)), so start-up is not timed.
 *
 * Exit codes the lab reads: 0 the function returned 0; 1 it returned -1 (or
 * anything but 0 / ZCL_TODO); 77 it returned ZCL_TODO; 2 the harness itself
 * was started wrongly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zcl.h"

#define IN_FD 3
#define OUT_FD 4   /* the first output */
#define OUT2_FD 5  /* the second, for a contract with two */

/* The call to the stage's function, one per contract (exercises/zcl.h). */
#if defined(ZCL_CONTRACT_SEND_FILE)
#define CALL_STAGE(size, argc, argv) send_file(IN_FD, OUT_FD, size)
#elif defined(ZCL_CONTRACT_SEND_RESPONSE)
static int call_response(size_t size, int argc, char **argv)
{
	const char *header = argc > 2 ? argv[2] : "";
	return send_response(OUT_FD, header, strlen(header), IN_FD, size);
}
#define CALL_STAGE(size, argc, argv) call_response(size, argc, argv)
#elif defined(ZCL_CONTRACT_BROADCAST)
#define CALL_STAGE(size, argc, argv) broadcast(IN_FD, OUT_FD, OUT2_FD, size)
#elif defined(ZCL_CONTRACT_COPY_FILE)
#define CALL_STAGE(size, argc, argv) copy_file(IN_FD, OUT_FD, size)
#elif defined(ZCL_CONTRACT_SEND_BUFFER)
/* The input, read from descriptor 3 before the opening marker: that copy is
 * the lab's, not the student's (outside the bracket). */
static char *input_buf;
static int load_input(size_t size)
{
	input_buf = malloc(size ? size : 1);
	for (size_t got = 0; input_buf && got < size;) {
		ssize_t n = read(IN_FD, input_buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return input_buf ? 0 : -1;
}
#define LOAD_INPUT(size) load_input(size)
#define CALL_STAGE(size, argc, argv) send_buffer(OUT_FD, input_buf, size)
#else
#error "build with -DZCL_CONTRACT_<NAME> (lab/stages.c names the contracts)"
#endif
#ifndef LOAD_INPUT
#define LOAD_INPUT(size) 0 /* the contract takes the descriptor itself */
#endif
#define MARK_MAGIC 0x5a434c4du /* "ZCLM": see lab/params.h ZCL_MARK_MAGIC */
#define EXIT_TODO 77

/* Stack overflow: SIGSEGV at an address about the stack limit below the
 * top of the stack. The handler runs on a stack of its own, says so on
 * stderr (the lab reads "zcl: stack overflow", lab/sandbox.h) and returns
 * with the default action back, so the program dies of SIGSEGV as before. */
static char *stack_top;
static size_t stack_limit;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char *a = si->si_addr;
	size_t below = stack_top > a ? (size_t)(stack_top - a) : 0;
	if (below && below + (256u << 10) >= stack_limit && below < stack_limit + (1024u << 20)) {
		static const char msg[] = "\nzcl: stack overflow: the program went past its stack limit "
					  "(a large local array, or deep recursion)\n";
		ssize_t n = write(2, msg, sizeof msg - 1);
		(void)n;
	}
	signal(sig, SIG_DFL);
}

static void watch_stack(char *top)
{
	static char alt[1 << 16];
	struct rlimit rl;
	stack_top = top;
	stack_limit = getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 0;
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	if (stack_limit && sigaltstack(&ss, NULL) == 0)
		sigaction(SIGSEGV, &sa, NULL);
}

/* The marker: getppid(MAGIC, token, phase). Phase 1 opens, 2 closes. */
static void mark(unsigned long token, unsigned long phase)
{
	syscall(SYS_getppid, (unsigned long)MARK_MAGIC, token, phase);
}

/* zcl bench: the clocks before and after the call (outside the bracket). */
struct stamp {
	struct timespec wall, cpu;
	struct rusage ru;
};

static void stamp(struct stamp *s)
{
	clock_gettime(CLOCK_MONOTONIC, &s->wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s->cpu);
	getrusage(RUSAGE_SELF, &s->ru);
}

static long long ns(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
}

static long long us(struct timeval a, struct timeval b)
{
	return (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_usec - a.tv_usec);
}

/* "zcl-timing WALL_NS CPU_NS USER_US SYS_US MINFLT MAJFLT" on fd (lab/bench.c). */
static void report_timing(int fd, const struct stamp *a, const struct stamp *b)
{
	dprintf(fd, "zcl-timing %lld %lld %lld %lld %ld %ld\n", ns(a->wall, b->wall), ns(a->cpu, b->cpu),
		us(a->ru.ru_utime, b->ru.ru_utime), us(a->ru.ru_stime, b->ru.ru_stime),
		b->ru.ru_minflt - a->ru.ru_minflt, b->ru.ru_majflt - a->ru.ru_majflt);
}

int main(int argc, char **argv)
{
	char top;
	watch_stack(&top);
	if (argc < 2) {
		fprintf(stderr, "harness: usage: %s SIZE [HEADER]\n", argv[0]);
		return 2;
	}
	size_t size = (size_t)strtoull(argv[1], NULL, 10);

	/* Take the token and wipe it, so the student's code cannot forge the
	 * closing marker by reading the environment. */
	unsigned long token = 0;
	char *t = getenv("ZCL_TOKEN");
	if (t) {
		token = strtoul(t, NULL, 16);
		memset(t, 0, strlen(t));
	}
	unsetenv("ZCL_TOKEN");
	char *tf = getenv("ZCL_TIMING_FD");
	int timing_fd = tf ? atoi(tf) : -1;
	unsetenv("ZCL_TIMING_FD");
	if (LOAD_INPUT(size) < 0) {
		fprintf(stderr, "harness: cannot read the %zu-byte input: %s\n", size, strerror(errno));
		return 2;
	}
	struct stamp before, after;
	if (timing_fd >= 0)
		stamp(&before);

	mark(token, 1);
	int rc = CALL_STAGE(size, argc, argv);
	int saved = errno;
	mark(token, 2);
	token = 0;
	if (timing_fd >= 0) {
		stamp(&after);
		report_timing(timing_fd, &before, &after);
		close(timing_fd);
	}

	close(OUT2_FD); /* EBADF when the contract has one output: harmless */
	close(OUT_FD);
	close(IN_FD);
	if (rc == ZCL_TODO)
		return EXIT_TODO;
	if (rc != 0) {
		fprintf(stderr, "stage function returned %d: %s\n", rc,
			rc == -1 ? strerror(saved) : "expected 0 or -1");
		return 1;
	}
	return 0;
}
