/*
 * runner.c - one stage run, start to finish.
 *
 *   build  -> the stage binary (a compile error is a verdict)
 *   input  -> seeded bytes in a scratch file (or the user's file), evicted
 *             from the page cache unless --warm
 *   socket -> a TCP loopback connection; the receiver thread holds one end
 *   trace  -> the binary runs under the tracer with the file on fd 3 and
 *             the socket on fd 4; every step goes to the accounting and to
 *             the caller's sinks
 *   check  -> the checker turns what happened into a verdict
 *
 * Everything the run creates lives in a scratch directory that is removed
 * at the end, whatever the verdict. The program itself sees its own view of
 * the filesystem (view.c), writes into a tmpfs that dies with it, is
 * counted by a memory cgroup (memcg.c) and talks to the lab only through
 * descriptors the lab holds: the input, the socket, and a pipe for its
 * output (capture.c).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <elf.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "build.h"
#include "capture.h"
#include "fdclass.h"
#include "input.h"
#include "pagecache.h"
#include "params.h"
#include "receiver.h"
#include "runner.h"
#include "memcg.h"
#include "sandbox.h"
#include "scratch.h"
#include "view.h"

/* What the child needs between fork and exec, prepared by the lab. */
struct child_env {
	int file_fd, sock_fd, out_fd, report_fd;
	const struct zcl_memcg *memcg;
	struct zcl_view view;
	struct zcl_limits limits;
};

static void die(const char *msg)
{
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
	_exit(126);
}

/* In the child: the memory cgroup, no terminal, its own view, descriptors
 * 0-4, then the limits and the uid. Only async-signal-safe calls: the
 * parent has threads. The layers in force go to report_fd. */
static void child_setup(void *arg)
{
	struct child_env *c = arg;
	int layers = 0;
	/* stdout and stderr first: every message below reaches the lab */
	dup2(c->out_fd, 1);
	dup2(c->out_fd, 2);
	if (zcl_memcg_join(c->memcg) < 0)
		die("zcl: sandbox: cannot join the memory cgroup\n");
	if (c->memcg->on)
		layers |= ZCL_LAYER_MEMCG;
	if (zcl_sandbox_detach_tty())
		layers |= ZCL_LAYER_NOTTY;
	int v = zcl_view_enter(&c->view);
	if (v < 0)
		die("zcl: sandbox: cannot build the program's filesystem view\n");
	layers |= v;
	int in = open("/dev/null", O_RDONLY);
	/* Move the two lab descriptors above 4 first, so dup2 cannot clobber them. */
	int f = fcntl(c->file_fd, F_DUPFD, 10), s = fcntl(c->sock_fd, F_DUPFD, 10);
	if (in < 0 || f < 0 || s < 0)
		die("zcl: sandbox: cannot set up descriptors\n");
	dup2(in, 0);
	dup2(f, ZCL_FILE_FD);
	dup2(s, ZCL_SOCK_FD);
	if (chdir(c->view.work) < 0)
		die("zcl: sandbox: cannot enter the scratch directory\n");
	int w = zcl_sandbox_enter(c->view.run_dir, c->view.work, &c->limits);
	if (w < 0)
		die("zcl: sandbox: cannot drop privileges\n");
	layers |= w;
	ssize_t n = write(c->report_fd, &layers, sizeof layers);
	(void)n;
	syscall(SYS_close_range, 5u, ~0u, 0u);
}

/* A connected TCP pair on loopback: *lab is the receiver's end. */
static int tcp_pair(int *lab, int *stage)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return -1;
	int c = -1;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) < 0)
		goto fail;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		goto fail;
	*lab = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (*lab < 0)
		goto fail;
	*stage = c;
	close(ls);
	return 0;
fail:
	if (c >= 0)
		close(c);
	close(ls);
	return -1;
}

/* Copy the stage binary into the scratch directory: the program then needs
 * no access to the lab's tree (it may run as another uid). 0 or -1. */
static int copy_exe(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, ret = -1;
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[1 << 16];
	ssize_t n;
	while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto done;
	ret = out >= 0 && n == 0 ? 0 : -1;
done:
	close(in);
	if (out >= 0 && close(out) < 0)
		ret = -1;
	return ret;
}

/* Bring the whole file into the page cache (--warm). */
static void warm_up(int fd)
{
	char buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	while ((n = pread(fd, buf, sizeof buf, off)) > 0)
		off += n;
}

/* Open the input: the user's file (checked, streamed) or freshly
 * generated bytes in the run's directory. */
static int open_input(struct zcl_run *r, const char *dir, int *check_fd, char *err, size_t errlen)
{
	*check_fd = -1;
	if (r->file)
		return zcl_input_open_user(r->file, &r->size, check_fd, err, errlen);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/input.bin", dir);
	if (zcl_gen_file(path, r->seed, r->size) < 0) {
		snprintf(err, errlen, "%s: cannot write the input: %s", path, strerror(errno));
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

/* The run's directory: DIR (the lab's, read-only to the program) holding
 * the binary and the input, DIR/work (the program's scratch, its own) and
 * DIR/view (where its filesystem view is built). 0 or -1 with err. */
static int make_run_dir(char *dir, size_t len, char *err, size_t errlen)
{
	zcl_scratch_sweep();
	snprintf(dir, len, "%s/zcl-XXXXXX", zcl_scratch_base());
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "%s: cannot make a scratch directory: %s", zcl_scratch_base(), strerror(errno));
		return -1;
	}
	char sub[PATH_MAX];
	uid_t id = geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
	snprintf(sub, sizeof sub, "%s/view", dir);
	int rc = chmod(dir, 0755) < 0 || mkdir(sub, 0755) < 0 ? -1 : 0;
	snprintf(sub, sizeof sub, "%s/work", dir);
	if (rc == 0 && (mkdir(sub, 0700) < 0 || (geteuid() == 0 && chown(sub, id, id) < 0)))
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", sub, strerror(errno));
	return rc;
}

/* "CPU 10 s, memory 1 GiB ..." : the limits and layers in force. */
static void describe_sandbox(struct zcl_run *r, const struct zcl_limits *lim)
{
	char layers[160];
	zcl_layers_describe(r->layers, layers, sizeof layers);
	char time[48];
	if (r->timeout_s > 0)
		snprintf(time, sizeof time, "time %g s (CPU, and blocked)", r->timeout_s);
	else
		snprintf(time, sizeof time, "no time limit (CPU %d s)", ZCL_RLIMIT_CPU_S);
	snprintf(r->sandbox, sizeof r->sandbox,
		 "limits: %s, address space %llu MiB, stack %llu MiB, %s"
		 "files %llu MiB, %d processes; layers: %s",
		 time, (unsigned long long)(lim->as_bytes >> 20), (unsigned long long)(ZCL_RLIMIT_STACK >> 20),
		 r->layers & ZCL_LAYER_MEMCG ? "memory 1 GiB (all of it), " : "memory: no cgroup here, ",
		 (unsigned long long)(ZCL_RLIMIT_FSIZE >> 20), ZCL_RLIMIT_NPROC, layers[0] ? layers : "none");
}

/* Bytes the ELF file at path maps before it runs (its PT_LOAD segments). */
static uint64_t load_size(const char *path)
{
	Elf64_Ehdr eh;
	uint64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64)
		for (int i = 0; i < eh.e_phnum && i < 256; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != sizeof ph)
				break;
			if (ph.p_type == PT_LOAD)
				total += ph.p_memsz;
		}
	close(fd);
	return total;
}

/* Does the program's code and static data leave no room under the
 * address-space limit (whatever the input)? */
static bool too_big(uint64_t need)
{
	return need + ZCL_START_HEADROOM > ZCL_RLIMIT_AS;
}

/* The program never ran: say why, as a verdict (the lab is not at fault). */
static void cannot_start(struct zcl_run *r, uint64_t need)
{
	if (too_big(need))
		snprintf(r->start_error, sizeof r->start_error,
			 "cannot start: the program's code and static data take %llu MiB, and with the C library "
			 "and a stack they do not fit in the %llu MiB address-space limit (use a smaller buffer, "
			 "or malloc/mmap what the input needs)",
			 (unsigned long long)(need >> 20), (unsigned long long)(ZCL_RLIMIT_AS >> 20));
	else if (r->tr.term_signal)
		snprintf(r->start_error, sizeof r->start_error, "cannot start: loading the program failed (%s)",
			 strsignal(r->tr.term_signal));
	else
		snprintf(r->start_error, sizeof r->start_error, "cannot start: loading the program failed");
	r->verdict = ZV_CRASH;
	snprintf(r->reason, sizeof r->reason, "%s", r->start_error);
}

/* What the sandbox knows about how the program ended. */
static void after_run(struct zcl_run *r, struct zcl_budget *b, bool fired, bool oom)
{
	r->memory_limit_hit = oom;
	r->stack_overflow = r->tr.term_signal == SIGSEGV && strstr(r->output, ZCL_STACK_OVERFLOW_MSG);
	if (fired || r->tr.term_signal == SIGXCPU)
		r->tr.timed_out = true;
	if (r->tr.timed_out) {
		char what[128];
		zcl_budget_describe(b, what, sizeof what);
		snprintf(r->timeout_detail, sizeof r->timeout_detail, "%s (%s); %llu of %llu bytes delivered%s",
			 r->tr.term_signal == SIGXCPU ? "its CPU time ran out" : "it was still running", what,
			 (unsigned long long)r->received_bytes, (unsigned long long)r->expected_bytes,
			 r->first_mismatch >= 0 ? ", and a byte differs" : "");
		if (r->first_mismatch >= 0) {
			size_t u = strlen(r->timeout_detail);
			snprintf(r->timeout_detail + u, sizeof r->timeout_detail - u, " (byte %lld)",
				 (long long)r->first_mismatch);
		}
	}
}

/* The checker judged the run; the sandbox knows why some runs ended:
 * name the stack overflow, the memory limit, and what a timed-out program
 * was doing. */
static void sandbox_facts(struct zcl_run *r, const struct zcl_limits *lim)
{
	(void)lim;
	if (r->verdict == ZV_CRASH && r->stack_overflow)
		snprintf(r->reason, sizeof r->reason,
			 "stack overflow: killed by SIGSEGV past the %llu MiB stack limit (a large local array "
			 "or deep recursion: use static or malloc'd memory)",
			 (unsigned long long)(ZCL_RLIMIT_STACK >> 20));
	else if (r->verdict == ZV_CRASH && r->memory_limit_hit)
		snprintf(r->reason, sizeof r->reason,
			 "killed at the memory limit: %llu MiB of memory in all (heap, mappings, shared memory, "
			 "files in its scratch)", (unsigned long long)(ZCL_MEMCG_BYTES >> 20));
	if (r->verdict == ZV_TIMEOUT && r->timeout_detail[0] && r->nviolations < ZCL_MAX_VIOLATIONS)
		snprintf(r->violations[r->nviolations++], sizeof r->violations[0], "%.*s",
			 (int)sizeof r->violations[0] - 1, r->timeout_detail);
}

int zcl_run_stage(struct zcl_run *r, char *err, size_t errlen)
{
	char dir[PATH_MAX / 4], bin[PATH_MAX], header[256], outdir[PATH_MAX + 16];
	int fd = -1, check_fd = -1, lab = -1, st = -1, ret = -1, out_wr = -1, rep[2] = {-1, -1};
	bool have_dir = false, have_receiver = false, have_capture = false;
	struct zcl_receiver rx;
	static struct zcl_capture cap;
	struct zcl_memcg mcg = {.procs_fd = -1};

	r->diag = NULL;
	r->first_mismatch = -1;
	r->crosscheck_bad = -1;
	r->cache_after_evict = 0;
	r->layers = 0;
	r->sandbox[0] = r->start_error[0] = r->timeout_detail[0] = 0;
	r->stack_overflow = r->memory_limit_hit = false;
	zcl_account_init(&r->totals);

	if (make_run_dir(dir, sizeof dir, err, errlen) < 0)
		goto out;
	have_dir = true;

	/* 1. build */
	snprintf(outdir, sizeof outdir, "%s/build", zcl_root());
	if (access(outdir, W_OK) != 0 && mkdir(outdir, 0755) < 0)
		snprintf(outdir, sizeof outdir, "%s", dir);
	else
		snprintf(outdir, sizeof outdir, "%s/build/stages", zcl_root());
	int b = zcl_build_stage(r->stage, r->solution, outdir, bin, sizeof bin, &r->diag, err, errlen);
	if (b < 0)
		goto out;
	if (b == 1) {
		r->verdict = ZV_COMPILE_ERROR;
		zcl_check_run(r);
		ret = 0;
		goto out;
	}

	/* 2. input, cold or warm */
	fd = open_input(r, dir, &check_fd, err, errlen);
	if (fd < 0)
		goto out;
	r->tmpfs = zcl_pc_on_tmpfs(fd);
	if (r->warm) {
		warm_up(fd);
	} else {
		r->cache_after_evict = zcl_pc_evict(fd);
		if (r->cache_after_evict < 0)
			r->cache_after_evict = 0;
	}
	struct zcl_expect ex = {.seed = r->seed, .size = r->size, .fd = check_fd};
	if (r->stage->gather) {
		snprintf(header, sizeof header, ZCL_GATHER_HEADER_FMT, (unsigned long long)r->size);
		ex.header = header;
		ex.header_len = strlen(header);
	}
	r->header_len = ex.header_len;
	r->expected_bytes = ex.header_len + r->size;

	/* 3. the connection and its far end */
	if (tcp_pair(&lab, &st) < 0) {
		snprintf(err, errlen, "loopback TCP connection: %s", strerror(errno));
		goto out;
	}
	if (r->sndbuf > 0)
		setsockopt(st, SOL_SOCKET, SO_SNDBUF, &r->sndbuf, sizeof r->sndbuf);
	struct stat fst, sst;
	fstat(fd, &fst);
	fstat(st, &sst);
	zcl_fd_set_lab(fst.st_dev, fst.st_ino, sst.st_ino);
	if (zcl_receiver_start(&rx, lab, &ex) < 0) {
		snprintf(err, errlen, "receiver: %s", strerror(errno));
		close(lab);
		goto out;
	}
	have_receiver = true;
	r->received_live = &rx.received;

	/* 4. trace */
	unsigned long token = 0;
	if (getrandom(&token, sizeof token, 0) != sizeof token)
		token = (unsigned long)getpid() * 2654435761u;
	token &= 0xffffffffffffUL;
	char tok_env[64], size_arg[32];
	snprintf(tok_env, sizeof tok_env, "ZCL_TOKEN=%lx", token);
	snprintf(size_arg, sizeof size_arg, "%llu", (unsigned long long)r->size);
	char exe[PATH_MAX];
	snprintf(exe, sizeof exe, "%s/stage", dir);
	if (copy_exe(bin, exe) < 0) {
		snprintf(err, errlen, "%s: cannot copy the stage binary: %s", exe, strerror(errno));
		goto out;
	}
	uint64_t need = load_size(exe);
	if (too_big(need)) { /* the same verdict whatever the input's size */
		cannot_start(r, need);
		ret = 0;
		goto out;
	}
	if (zcl_capture_start(&cap, &out_wr) < 0 || pipe2(rep, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "output pipe: %s", strerror(errno));
		goto out;
	}
	have_capture = true;
	zcl_memcg_create(&mcg, ZCL_MEMCG_BYTES);
	char *argv[] = {exe, size_arg, r->stage->gather ? header : NULL, NULL};
	char tmp_env[PATH_MAX];
	snprintf(tmp_env, sizeof tmp_env, "TMPDIR=%s/work", dir);
	char *envp[] = {tok_env, "PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", tmp_env, NULL};

	static struct zcl_budget budget;
	struct zcl_sink sinks[9];
	size_t ns = 0;
	sinks[ns++] = (struct zcl_sink){.ctx = &r->totals, .step = zcl_account_step};
	sinks[ns++] = zcl_budget_sink(&budget);
	for (size_t i = 0; i < r->nsinks && ns < 9; i++)
		sinks[ns++] = r->sinks[i];
	struct zcl_collect_opts co = {.sg = r->sg, .bracket = true, .token = token, .inject = r->inject,
				      .sandbox = true};
	zcl_collect_begin(&co, sinks, ns);

	static struct child_env ce;
	ce = (struct child_env){.file_fd = fd, .sock_fd = st, .out_fd = out_wr, .report_fd = rep[1], .memcg = &mcg};
	uid_t id = geteuid() == 0 ? zcl_sandbox_uid() : geteuid();
	zcl_view_prepare(&ce.view, dir, id, id);
	/* The watchdog (budget.c) holds the program to its limit plus the
	 * tracer's allowance; RLIMIT_CPU is the kernel's backstop at the cap,
	 * since ptrace stops are charged to the tracee's system time too.
	 * timeout_s <= 0: no time limit (the animated view's step mode); the
	 * CPU limit then stays at ZCL_RLIMIT_CPU_S. */
	double limit = r->timeout_s > 0 ? r->timeout_s : 0;
	rlim_t cpu = limit > 0 ? (rlim_t)(limit * (r->untraced ? 1 : ZCL_WALL_FACTOR)) + 1 : ZCL_RLIMIT_CPU_S;
	ce.limits = (struct zcl_limits){.cpu_s = cpu, .as_bytes = ZCL_RLIMIT_AS + r->size};
	struct zcl_trace_opts to = {
		.trap_all = true, .timeout_s = limit > 0 ? limit * ZCL_WALL_FACTOR + 1 : 0, .pin_cpu = true,
		.own_group = true, .child_setup = child_setup, .child_arg = &ce,
	};
	int t;
	zcl_budget_start(&budget, limit, !r->untraced);
	if (r->untraced) {
		/* the same program, walls and input, without the tracer: its speed */
		struct timespec t0, t1;
		to.timeout_s = limit;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t = zcl_spawn_untraced(argv, envp, &to, &r->tr, err, errlen);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	} else {
		t = zcl_trace_run(argv, envp, &to, zcl_collect_hooks(), &r->tr, err, errlen);
	}
	bool fired = zcl_budget_stop(&budget);
	r->kernel = zcl_collect_kernel();
	zcl_collect_end();
	close(out_wr);
	out_wr = -1;
	close(st);
	st = -1;
	zcl_receiver_finish(&rx, 2.0);
	have_receiver = false;
	r->received_live = NULL;
	zcl_capture_finish(&cap, 1.0, r->output, sizeof r->output);
	have_capture = false;
	int layers = 0;
	if (read(rep[0], &layers, sizeof layers) == (ssize_t)sizeof layers)
		r->layers = (unsigned)layers;
	bool oom = zcl_memcg_destroy(&mcg);
	if (!(r->layers & ZCL_LAYER_IPCNS)) /* as root its uid is its own: all its SysV objects go */
		zcl_sandbox_sweep_ipc(geteuid() == 0 ? id : (uid_t)-1, r->tr.pid);
	describe_sandbox(r, &ce.limits);
	if (t < 0) {
		const char *ours = strstr(r->output, "zcl: sandbox: ");
		if (ours) /* the child said why it could not start: better than the tracer's status */
			snprintf(err, errlen, "%.*s", (int)strcspn(ours, "\n"), ours);
		goto out;
	}
	r->received_bytes = rx.received;
	r->first_mismatch = rx.first_mismatch;
	/* exec failed, or the dynamic loader could not map the program (it
	 * exits 127 before main: "error while loading shared libraries") */
	bool loader_failed = r->tr.exited && r->tr.exit_code == 127 && r->totals.marks == 0 &&
			     strstr(r->output, "error while loading shared libraries");
	if (r->tr.exec_failed || loader_failed) {
		if (r->tr.exited && r->tr.exit_code == 126 && strstr(r->output, "zcl: ")) {
			/* our own walls could not be put up: the lab's fault, not the program's */
			snprintf(err, errlen, "%s", strstr(r->output, "zcl: "));
			err[strcspn(err, "\n")] = 0;
			goto out;
		}
		cannot_start(r, need);
		ret = 0;
		goto out;
	}
	after_run(r, &budget, fired, oom);
	r->crosscheck_bad = zcl_account_crosscheck(&r->totals, &r->kernel, r->crosscheck, sizeof r->crosscheck);
	zcl_check_run(r);
	sandbox_facts(r, &ce.limits);
	ret = 0;
out:
	if (have_receiver) {
		if (st >= 0)
			close(st);
		st = -1;
		zcl_receiver_finish(&rx, 0.1);
	}
	if (out_wr >= 0)
		close(out_wr);
	if (have_capture)
		zcl_capture_finish(&cap, 0.1, r->output, sizeof r->output);
	if (mcg.on)
		zcl_memcg_destroy(&mcg);
	for (int i = 0; i < 2; i++)
		if (rep[i] >= 0)
			close(rep[i]);
	if (st >= 0)
		close(st);
	if (fd >= 0)
		close(fd);
	if (check_fd >= 0)
		close(check_fd);
	if (have_dir)
		zcl_rm_rf(dir);
	return ret;
}

void zcl_run_free(struct zcl_run *r)
{
	free(r->diag);
	r->diag = NULL;
}
