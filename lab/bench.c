/*
 * bench.c - one timed round of a stage: the sender alone, measured by the
 * kernel.
 *
 * The stage binary runs without the tracer (a tracer would time itself),
 * with the input on fd 3, a loopback TCP socket on fd 4 (the outputs the
 * stage's row names: a second socket on fd 5, or an output file on fd 4;
 * an input that is a pipe, fed by a lab thread) and a pipe on fd 6.
 * The harness writes the call's wall time, CPU time and page faults to the
 * pipe (ZCL_TIMING_FD), so starting the program is not in the figures. The
 * receiver is a thread here that either discards what arrives without
 * copying it (recv(MSG_TRUNC): tcp(7)) or read()s it like a plain client;
 * either way its own CPU time is taken apart (CLOCK_THREAD_CPUTIME_ID), so
 * the receiver's copy out of the socket never lands in the sender's figure.
 * The bytes are counted, not compared: the checker judged them already.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "loopback.h"
#include "bench.h"
#include "build.h"
#include "copyfile.h"
#include "input.h"
#include "pagecache.h"
#include "params.h"
#include "sandbox.h"
#include "tracer.h"

#define TIMING_FD 6               /* where the stage binary finds the timing pipe */
#define OUT2_FD 5                 /* a second output (lab/harness.c) */
#define RECV_GULP (4u << 20)      /* bytes asked per recv(): big, so the receiver never paces */
#define RECV_GRACE_S 2            /* seconds the receiver may take to drain after the program exits */

/* The receiver thread's state. */
struct rx {
	int fd;
	bool copy;
	int cpu;          /* the CPU it runs on, or -1: anywhere */
	uint64_t received;
	double cpu_s;
	int error;
};

static double thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Drain the socket to EOF. MSG_TRUNC on a TCP socket drops the bytes in the
 * kernel without copying them to user space (tcp(7), Linux >= 2.4.4). With
 * a CPU of its own the receiver never sleeps (MSG_DONTWAIT, like a NIC that
 * is always ready): a receiver that sleeps and wakes paces the sender, and
 * the sender's cost per byte then depends on how the two happened to meet.
 * Its CPU is counted inside the calls that returned bytes only, so the
 * spinning is not in it. */
static void *rx_loop(void *arg)
{
	struct rx *r = arg;
	char *buf = r->copy ? malloc(RECV_GULP) : NULL;
	if (r->cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(r->cpu, &one);
		sched_setaffinity(0, sizeof one, &one);
	}
	int flags = r->cpu >= 0 ? MSG_DONTWAIT : 0;
	for (;;) {
		double t0 = thread_cpu();
		ssize_t n = r->copy ? recv(r->fd, buf, buf ? RECV_GULP : 0, flags)
				    : recv(r->fd, NULL, RECV_GULP, MSG_TRUNC | flags);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			r->error = errno;
		if (n <= 0)
			break;
		r->cpu_s += thread_cpu() - t0;
		r->received += (uint64_t)n;
	}
	free(buf);
	return NULL;
}

void zcl_bench_cpus(int cpu[2])
{
	cpu_set_t set;
	cpu[0] = cpu[1] = -1;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return;
	for (int i = 0, k = 0; i < CPU_SETSIZE && k < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[k++] = i;
	if (cpu[1] < 0)
		cpu[0] = -1;
}

/* What the child needs between fork and exec. */
struct child {
	int file_fd, sock_fd, sock2_fd, timing_fd; /* sock2_fd -1: none */
	int cpu;          /* the CPU the program runs on, or -1: anywhere */
	const struct zcl_bench_job *j;
	char *const *argv, *const *envp;
};

/* In the child: fds 3, 4, 5, no output, the walls, exec. Async-signal-safe
 * calls only (the parent has a thread). */
static void child_exec(const struct child *c)
{
	setpgid(0, 0);
	if (c->cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(c->cpu, &one);
		sched_setaffinity(0, sizeof one, &one);
	}
	int null = open("/dev/null", O_RDWR);
	int f = fcntl(c->file_fd, F_DUPFD, 10), s = fcntl(c->sock_fd, F_DUPFD, 10);
	int t = fcntl(c->timing_fd, F_DUPFD, 10);
	if (null < 0 || f < 0 || s < 0 || t < 0)
		_exit(126);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	int s2 = c->sock2_fd >= 0 ? fcntl(c->sock2_fd, F_DUPFD, 10) : -1;
	dup2(f, ZCL_FILE_FD), dup2(s, ZCL_SOCK_FD), dup2(t, TIMING_FD);
	if (s2 >= 0)
		dup2(s2, OUT2_FD);
	else
		close(OUT2_FD);
	syscall(SYS_close_range, (unsigned)TIMING_FD + 1, ~0u, 0u);
	/* the walls of a graded run: its limits, room to map the input */
	struct zcl_limits lim = {
		.cpu_s = c->j->timeout_s > ZCL_RLIMIT_CPU_S ? (rlim_t)c->j->timeout_s + 1 : ZCL_RLIMIT_CPU_S,
		.as_bytes = ZCL_RLIMIT_AS + c->j->size,
	};
	if (chdir(c->j->dir) < 0 || (c->j->sandbox && zcl_sandbox_enter(c->j->dir, c->j->dir, &lim) < 0))
		_exit(126);
	execve(c->argv[0], c->argv, c->envp);
	_exit(127);
}

/* Read the harness's line from the pipe until EOF or the deadline. Returns
 * the bytes read (the line, NUL-terminated), or -1 on timeout. */
static int read_timing(int fd, char *line, size_t len, double timeout_s)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t got = 0;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double left = timeout_s - (double)(now.tv_sec - t0.tv_sec) - (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (left <= 0)
			return -1;
		struct pollfd p = {fd, POLLIN, 0};
		int k = poll(&p, 1, (int)(left * 1000) + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			continue;
		ssize_t n = read(fd, line + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) >= len - 1)
			break;
	}
	line[got] = 0;
	return (int)got;
}

/* "zcl-timing WALL_NS CPU_NS USER_US SYS_US MINFLT MAJFLT" into *s. 0 or -1. */
static int parse_timing(const char *line, struct zcl_bench_sample *s)
{
	long long wall, cpu, user, sys;
	if (sscanf(line, "zcl-timing %lld %lld %lld %lld %ld %ld", &wall, &cpu, &user, &sys, &s->minflt,
		   &s->majflt) != 6 || wall <= 0 || cpu < 0)
		return -1;
	s->wall_s = (double)wall / 1e9;
	s->cpu_s = (double)cpu / 1e9;
	s->user_s = (double)user / 1e6;
	s->sys_s = (double)sys / 1e6;
	return 0;
}

/* Open the input, cold or warm. The fd, or -1 with a message. */
static int open_input(const struct zcl_bench_job *j, char *why, size_t whylen)
{
	int fd = open(j->input, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", j->input, strerror(errno));
		return -1;
	}
	if (j->warm) {
		static char buf[1 << 16];
		off_t off = 0;
		ssize_t n;
		while ((n = pread(fd, buf, sizeof buf, off)) > 0)
			off += n;
	} else {
		zcl_pc_evict(fd);
	}
	return fd;
}

/* Fork and exec the stage with the job's environment. The pid, or -1. */
static pid_t start(const struct zcl_bench_job *j, int file_fd, const int sock[2], int timing_fd, int cpu)
{
	char size_arg[32], header[256], chunk_env[48], preload[PATH_MAX + 16];
	snprintf(size_arg, sizeof size_arg, "%" PRIu64, j->size);
	snprintf(header, sizeof header, ZCL_GATHER_HEADER_FMT, (unsigned long long)j->size);
	snprintf(chunk_env, sizeof chunk_env, "ZCL_CHUNK=%" PRIu64, j->chunk);
	snprintf(preload, sizeof preload, "LD_PRELOAD=%s", j->shim ? j->shim : "");
	char *argv[] = {(char *)j->bin, size_arg, j->stage->gather ? header : NULL, NULL};
	char *envp[6] = {"ZCL_TIMING_FD=6", "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C"};
	if (j->chunk && j->shim)
		envp[3] = chunk_env, envp[4] = preload; /* envp[5] stays NULL */
	struct child c = {file_fd, sock[0], sock[1], timing_fd, cpu, j, argv, envp};
	pid_t pid = fork();
	if (pid == 0)
		child_exec(&c);
	if (pid > 0) {
		setpgid(pid, pid);
		zcl_trace_set_current(pid, true);
	}
	return pid;
}

/* The verdict of a finished round: 0 timed, 1 not (why says so). */
static int judge(const struct zcl_bench_job *j, int status, const char *line, const struct rx *r,
		 struct zcl_bench_sample *out, char *why, size_t whylen)
{
	uint64_t want = j->size * (uint64_t)zcl_stage_outputs(j->stage);
	if (j->stage->gather) {
		char header[256];
		want += (uint64_t)snprintf(header, sizeof header, ZCL_GATHER_HEADER_FMT, (unsigned long long)j->size);
	}
	if (WIFSIGNALED(status))
		snprintf(why, whylen, "killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, whylen, "exited with status %d", WEXITSTATUS(status));
	else if (r->received != want)
		snprintf(why, whylen, "the receiver got %" PRIu64 " bytes of %" PRIu64, r->received, want);
	else if (parse_timing(line, out) < 0)
		snprintf(why, whylen, "the harness reported no timing (a stage binary built before it could)");
	else
		return 0;
	return 1;
}

/* What a stage's row adds to a round (stages.h): an output file in place
 * of the socket, a second socket with its own receiver (it sleeps in
 * recv(): the first one has the spare CPU), an input pipe a lab thread
 * feeds from the input file. */
struct extras {
	int outf, st2, lab2, in_rd;
	char outp[PATH_MAX];
	struct rx r2;
	pthread_t th2;
	bool have_th2, have_feeder, ended;
	struct zcl_feeder feeder;
	struct zcl_expect ex;
};

static void extras_init(struct extras *x)
{
	memset(x, 0, sizeof *x);
	x->outf = x->st2 = x->lab2 = x->in_rd = x->feeder.fd = -1;
}

/* 0, or -1 with why. */
static int extras_start(const struct zcl_bench_job *j, int file_fd, struct extras *x, char *why, size_t whylen)
{
	snprintf(x->outp, sizeof x->outp, "%s/bench-output.bin", j->dir);
	if (j->stage->output == ZOUT_FILE &&
	    (x->outf = open(x->outp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(why, whylen, "%s: %s", x->outp, strerror(errno));
		return -1;
	}
	if (zcl_stage_outputs(j->stage) > 1) {
		if (zcl_tcp_pair(&x->lab2, &x->st2) < 0) {
			snprintf(why, whylen, "loopback socket: %s", strerror(errno));
			return -1;
		}
		x->r2 = (struct rx){.fd = x->lab2, .copy = j->copy_receiver, .cpu = -1};
		if ((errno = pthread_create(&x->th2, NULL, rx_loop, &x->r2)) != 0) {
			snprintf(why, whylen, "receiver thread: %s", strerror(errno));
			return -1;
		}
		x->have_th2 = true;
	}
	if (j->stage->input == ZIN_PIPE) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			snprintf(why, whylen, "input pipe: %s", strerror(errno));
			return -1;
		}
		x->in_rd = p[0];
		x->feeder.fd = p[1];
		x->ex = (struct zcl_expect){.size = j->size, .fd = file_fd};
		if (zcl_feeder_start(&x->feeder, &x->ex) < 0) {
			snprintf(why, whylen, "input pipe's feeder: %s", strerror(errno));
			return -1;
		}
		x->have_feeder = true;
	}
	return 0;
}

/* After the program: the feeder stopped, the second receiver's bytes and
 * CPU joined r's, an output file's size counted as received. Once. */
static void extras_end(struct extras *x, struct rx *r)
{
	if (x->ended)
		return;
	x->ended = true;
	if (x->in_rd >= 0)
		close(x->in_rd); /* a feeder still writing gets EPIPE */
	if (x->have_feeder)
		zcl_feeder_finish(&x->feeder);
	else if (x->feeder.fd >= 0)
		close(x->feeder.fd);
	if (x->st2 >= 0)
		close(x->st2);
	if (x->have_th2) {
		if (!zcl_join_within(x->th2, RECV_GRACE_S)) {
			shutdown(x->lab2, SHUT_RDWR);
			pthread_join(x->th2, NULL);
		}
		r->received += x->r2.received;
		r->cpu_s += x->r2.cpu_s;
	}
	if (x->lab2 >= 0)
		close(x->lab2);
	if (x->outf >= 0) {
		struct stat sb;
		r->received = fstat(x->outf, &sb) == 0 ? (uint64_t)sb.st_size : 0;
		close(x->outf);
		unlink(x->outp);
	}
}

int zcl_bench_round(const struct zcl_bench_job *j, struct zcl_bench_sample *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof *out);
	int fd = open_input(j, why, whylen), lab = -1, st = -1, pipefd[2] = {-1, -1}, ret = -1;
	struct rx r = {.copy = j->copy_receiver};
	pthread_t th;
	bool have_th = false;
	static struct extras x; /* one round at a time */
	extras_init(&x);
	if (fd < 0)
		return -1;
	if (zcl_tcp_pair(&lab, &st) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "loopback socket or pipe: %s", strerror(errno));
		goto out;
	}
	r.fd = lab;
	int cpus[2];
	zcl_bench_cpus(cpus);
	r.cpu = cpus[1];
	if ((errno = pthread_create(&th, NULL, rx_loop, &r)) != 0) {
		snprintf(why, whylen, "receiver thread: %s", strerror(errno));
		goto out;
	}
	have_th = true;
	if (extras_start(j, fd, &x, why, whylen) < 0)
		goto out;
	int sock[2] = {x.outf >= 0 ? x.outf : st, x.st2};
	pid_t pid = start(j, x.in_rd >= 0 ? x.in_rd : fd, sock, pipefd[1], cpus[0]);
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto out;
	}
	close(st), close(pipefd[1]);
	st = pipefd[1] = -1;
	char line[256];
	bool late = read_timing(pipefd[0], line, sizeof line, j->timeout_s) < 0;
	if (late)
		kill(-pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* nothing it started outlives it */
	zcl_trace_set_current(0, false);
	/* The receiver ends at EOF, once the last byte in flight is drained; a
	 * child the program left behind could hold the socket open: a grace
	 * period, then shutdown(2) ends the wait. */
	if (!zcl_join_within(th, RECV_GRACE_S)) {
		shutdown(lab, SHUT_RDWR);
		pthread_join(th, NULL);
	}
	have_th = false;
	extras_end(&x, &r);
	if (late)
		snprintf(why, whylen, "did not finish within %g s", j->timeout_s);
	ret = late ? 1 : judge(j, status, line, &r, out, why, whylen);
	out->recv_cpu_s = r.cpu_s;
out:
	if (have_th) {
		shutdown(lab, SHUT_RDWR);
		pthread_join(th, NULL);
	}
	extras_end(&x, &r);
	for (int k = 0; k < 2; k++)
		if (pipefd[k] >= 0)
			close(pipefd[k]);
	if (st >= 0)
		close(st);
	if (lab >= 0)
		close(lab);
	close(fd);
	return ret;
}

/* Run argv to completion, output to /dev/null. Its exit status, or -1. */
static int run_quiet(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1), dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int zcl_bench_shim(const char *dir, char *path, size_t pathlen, char *err, size_t errlen)
{
	char src[PATH_MAX];
	snprintf(src, sizeof src, "%s/lab/shim/chunkcap.c", zcl_root());
	snprintf(path, pathlen, "%s/chunkcap.so", dir);
	const char *cc = getenv("CC");
	char *argv[] = {(char *)(cc && *cc ? cc : "cc"), "-std=gnu17", "-O2", "-shared", "-fPIC", "-o", path, src,
			"-ldl", NULL};
	if (access(src, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	if (run_quiet(argv) != 0) {
		snprintf(err, errlen, "--chunk: cannot build %s with %s (apt-get install gcc)", src, argv[0]);
		return -1;
	}
	return 0;
}

int zcl_bench_copy_exe(const char *from, const char *dir, const char *name, char *to, size_t tolen)
{
	snprintf(to, tolen, "%s/%s", dir, name);
	return zcl_copy_file(from, to, 0755, ZCL_COPY_FOLLOW);
}
