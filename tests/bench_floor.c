/*
 * bench_floor.c - the least a seccomp+ptrace tracer can do per traced call,
 * so `make bench` can say what zcl costs above it.
 *
 *   bench_floor one PROG ARGS...   stop at every read()/write() (seccomp
 *                                  stop), read the call, continue: what zcl
 *                                  trace's default mode must pay at least
 *   bench_floor two PROG ARGS...   the same, then stop again at the call's
 *                                  exit and read its result: the floor of
 *                                  zcl trace --exact
 *
 * Pinned as zcl pins: the tracer to the CPU it is on, before forking, so
 * the program runs there too. Reading the call (PTRACE_GET_SYSCALL_INFO at
 * each stop) is part of the floor: a tracer that does not learn which call
 * stopped has traced nothing. Single-process programs only (no fork events
 * are asked for). Exits with the program's status (128 + N for signal N);
 * 125 when the tracer itself fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if !defined(__x86_64__)
#error "bench_floor.c: the filter below is written for x86-64"
#endif

/* TRACE read and write, ALLOW everything else, KILL another ABI. */
static struct sock_filter code[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_read, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
};

static int fail(const char *what)
{
	fprintf(stderr, "bench_floor: %s: %s\n", what, strerror(errno));
	return 125;
}

static void pin_here(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	sched_setaffinity(0, sizeof one, &one);
}

static void child(char **argv)
{
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(fail("child setup"));
	execvp(argv[0], argv);
	_exit(fail(argv[0]));
}

/* Follow the one process until it is gone; its status as a shell has it. */
static int trace(pid_t pid, int two)
{
	struct __ptrace_syscall_info si;
	unsigned long calls = 0;
	int st;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return fail("waitpid");
		}
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (ev == PTRACE_EVENT_SECCOMP) {
			ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si);
			calls++;
			ptrace(two ? PTRACE_SYSCALL : PTRACE_CONT, pid, 0, 0);
		} else if (sig == (SIGTRAP | 0x80)) {
			ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof si, &si);
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else {
			ptrace(PTRACE_CONT, pid, 0, ev ? 0 : sig); /* deliver its signals */
		}
	}
	(void)calls;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "one") && strcmp(argv[1], "two"))) {
		fputs("usage: bench_floor one|two PROG ARGS...\n", stderr);
		return 2;
	}
	pin_here();
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0)
		child(argv + 2);
	int st;
	if (waitpid(pid, &st, __WALL) < 0 || !WIFSTOPPED(st))
		return fail("the child did not stop");
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC |
		   PTRACE_O_EXITKILL) < 0)
		return fail("PTRACE_SETOPTIONS");
	ptrace(PTRACE_CONT, pid, 0, 0);
	return trace(pid, strcmp(argv[1], "two") == 0);
}
