/*
 * trace_prog.c - small programs that once went wrong under `zcl trace`,
 * one per mode; tests/test_trace.c builds this file and runs each mode
 * traced and untraced. Every mode prints one line on stdout and exits 0
 * unless its point is another status.
 *
 *   threads N     N threads alive at once, each reads 4 KiB and writes it
 *   procs N       N processes alive at once, each writes one byte to a pipe
 *   sigstop       stops its worker with SIGSTOP; checks it stayed stopped
 *   daemon FILE   a child outlives us by 0.3 s, then writes "done" to FILE
 *   exit N        exits with status N
 *   kill SIG      kills itself with signal SIG
 *   int80         getpid through int 0x80 (the i386 ABI)
 *   argv0         prints argv[0]
 *   cpus          prints how many CPUs it may run on, alone and from a thread
 *   pin           sets its own affinity to one CPU, then does what cpus does
 *   hang          prints a child's pid, then both wait forever
 *   churn N       N threads that start short-lived threads for ever; prints
 *                 "ready" once they run (zcl trace -p must still detach)
 *   onint N       on SIGINT exits with status N 0.3 s later (N < 0: ignores
 *                 SIGINT);
 *                 prints "ready", then waits
 *   loop T R S    T threads each read 4 KiB and write it to /dev/null every
 *                 10 ms, R rounds (0: for ever; < 0: until a byte or EOF on
 *                 stdin); prints "ready" once all run, exits S (for zcl
 *                 trace -p: tests/test_attach.c)
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static pthread_barrier_t bar;
static atomic_int done;

static void *worker(void *arg)
{
	(void)arg;
	char buf[4096];
	pthread_barrier_wait(&bar); /* all alive at once */
	int in = open("/proc/self/exe", O_RDONLY), out = open("/dev/null", O_WRONLY);
	ssize_t n = in >= 0 ? pread(in, buf, sizeof buf, 0) : -1;
	if (n > 0 && out >= 0 && write(out, buf, (size_t)n) == n)
		atomic_fetch_add(&done, 1);
	close(in);
	close(out);
	return NULL;
}

static int threads(int n)
{
	pthread_t *t = calloc((size_t)n, sizeof *t);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_barrier_init(&bar, NULL, (unsigned)n);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], &a, worker, NULL) != 0)
			return printf("pthread_create %d failed\n", i), 3;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("%d of %d threads done\n", atomic_load(&done), n);
	return 0;
}

static int procs(int n)
{
	int go[2], res[2];
	if (pipe(go) < 0 || pipe(res) < 0)
		return 2;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return printf("fork %d failed\n", i), 3;
		if (p == 0) {
			char c;
			close(go[1]);
			while (read(go[0], &c, 1) > 0) /* until the parent has made all of us */
				;
			_exit(write(res[1], "x", 1) == 1 ? 0 : 1);
		}
	}
	close(go[1]);
	close(res[1]);
	int got = 0;
	char buf[512];
	ssize_t k;
	while ((k = read(res[0], buf, sizeof buf)) > 0)
		got += (int)k;
	int ok = 0, st;
	while (wait(&st) > 0)
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("%d of %d processes wrote, %d exited 0\n", got, n, ok);
	return 0;
}

/* /work/shared/cases/trace/02-sigstop-worker.c, shorter. */
static int sigstop(void)
{
	int p[2];
	if (pipe(p) < 0)
		return 2;
	pid_t w = fork();
	if (w == 0) {
		for (int i = 0; i < 40; i++) {
			if (write(p[1], "t", 1) != 1)
				_exit(3);
			usleep(10000);
		}
		_exit(0);
	}
	char c;
	if (read(p[0], &c, 1) != 1)
		return 2;
	kill(w, SIGSTOP);
	int st;
	if (waitpid(w, &st, WUNTRACED) != w || !WIFSTOPPED(st))
		return printf("waitpid did not report the stop\n"), 1;
	struct pollfd pf = {p[0], POLLIN, 0};
	usleep(30000);
	while (poll(&pf, 1, 0) == 1 && read(p[0], &c, 1) == 1)
		;
	int ticks = 0;
	while (poll(&pf, 1, 150) == 1 && read(p[0], &c, 1) == 1)
		ticks++;
	kill(w, SIGCONT);
	close(p[1]);
	waitpid(w, &st, 0);
	if (ticks)
		return printf("worker ran %d ticks while stopped\n", ticks), 1;
	printf("worker stayed stopped\n");
	return 0;
}

static int daemonize(const char *file)
{
	pid_t p = fork();
	if (p == 0) {
		setsid();
		usleep(300000);
		FILE *f = fopen(file, "w");
		if (f) {
			fputs("done\n", f);
			fclose(f);
		}
		_exit(0);
	}
	printf("parent leaves\n");
	return 0;
}

static int int80(void)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L /* i386 getpid */) : "memory");
	printf("int 0x80 getpid %s\n", r == getpid() ? "agrees" : "DISAGREES");
	return 0;
#else
	printf("int 0x80 getpid agrees\n");
	return 0;
#endif
}

static void *count_cpus(void *arg)
{
	cpu_set_t s;
	*(int *)arg = sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : -1;
	return NULL;
}

static int cpus(void)
{
	int alone, in_thread;
	pthread_t t;
	count_cpus(&alone);
	pthread_create(&t, NULL, count_cpus, &in_thread);
	pthread_join(t, NULL);
	printf("cpus %d alone, %d from a thread\n", alone, in_thread);
	return 0;
}

static int pin(void)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0)
		return printf("sched_setaffinity failed\n"), 1;
	return cpus();
}

__attribute__((noreturn)) static void hang(void)
{
	pid_t p = fork();
	if (p == 0)
		for (;;)
			pause();
	printf("%d\n", (int)p);
	fflush(stdout);
	for (;;)
		pause();
}

static void *short_lived(void *arg)
{
	return arg;
}

static void *spawner(void *arg)
{
	for (;;) {
		pthread_t t;
		if (pthread_create(&t, NULL, short_lived, NULL) == 0)
			pthread_detach(t);
	}
	return arg;
}

__attribute__((noreturn)) static void churn(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, spawner, NULL);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int onint_status;

static void onint_exit(int sig)
{
	(void)sig;
	usleep(300000); /* its shutdown takes a moment */
	_exit(onint_status);
}

/* A program that ends its own way on Ctrl-C, or shrugs it off. */
__attribute__((noreturn)) static void onint(int status)
{
	onint_status = status;
	signal(SIGINT, status < 0 ? SIG_IGN : onint_exit);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static atomic_int loop_rounds;

/* One reader-writer of the loop mode: 4 KiB of our own binary to /dev/null
 * every 10 ms (pread and write: both modelled), for loop_rounds rounds. */
static void *loop_worker(void *arg)
{
	(void)arg;
	char buf[4096];
	int in = open("/proc/self/exe", O_RDONLY), out = open("/dev/null", O_WRONLY);
	for (int i = 0; loop_rounds <= 0 || i < loop_rounds; i++) {
		ssize_t n = pread(in, buf, sizeof buf, 0);
		if (n > 0 && write(out, buf, (size_t)n) != n)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	close(in);
	close(out);
	return NULL;
}

static int loop(int nthreads, int rounds, int status)
{
	loop_rounds = rounds;
	nthreads = nthreads < 1 ? 1 : nthreads;
	pthread_t *t = calloc((size_t)nthreads, sizeof *t);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&t[i], &a, loop_worker, NULL) != 0)
			return printf("pthread_create %d failed\n", i), 3;
	printf("ready\n");
	fflush(stdout);
	if (rounds < 0) {
		char c;
		ssize_t r = read(0, &c, 1);
		(void)r;
		fflush(stdout);
		_exit(status); /* every thread with it */
	}
	loop_worker(NULL);
	for (int i = 1; i < nthreads; i++)
		pthread_join(t[i], NULL);
	free(t);
	return status;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0;
	if (!strcmp(m, "threads"))
		return threads(n);
	if (!strcmp(m, "procs"))
		return procs(n);
	if (!strcmp(m, "sigstop"))
		return sigstop();
	if (!strcmp(m, "daemon") && argc > 2)
		return daemonize(argv[2]);
	if (!strcmp(m, "exit"))
		return n;
	if (!strcmp(m, "kill"))
		return raise(n), 99;
	if (!strcmp(m, "int80"))
		return int80();
	if (!strcmp(m, "argv0"))
		return printf("argv0=%s\n", argv[0]), 0;
	if (!strcmp(m, "cpus"))
		return cpus();
	if (!strcmp(m, "pin"))
		return pin();
	if (!strcmp(m, "hang"))
		hang();
	if (!strcmp(m, "onint"))
		onint(n);
	if (!strcmp(m, "churn"))
		churn(n);
	if (!strcmp(m, "loop") && argc > 4)
		return loop(n, atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "trace_prog: unknown mode %s\n", m);
	return 2;
}
