/*
 * sandbox.c - the policy table and the walls.
 *
 * The lab must see every byte a submission moves. Anything that would move
 * bytes where ptrace cannot see them (io_uring, another process's memory,
 * a seccomp filter of its own that answers syscalls in user space; io_uring
 * but in a stage whose row allows it, and even there no SQPOLL or registered
 * rings, which the lab could not read), leave
 * the tracer (CLONE_UNTRACED, a new process group), or reach past the run
 * (sockets, signals to other processes, mounts, namespaces, BPF) is refused
 * by name. The table is the policy; the few calls that depend on their
 * arguments have a small check function.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <sched.h>
#include <signal.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "params.h"
#include "sandbox.h"
#include "uring_abi.h"
#include "view.h"

typedef bool (*allow_fn)(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st);

/* Signals only to the program's own processes. */
static bool own_target(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	pid_t pid = (pid_t)r->args[0];
	if (pid == 0 || pid == -st->group)
		return true; /* its own process group */
	return pid > 0 && st->is_ours && st->is_ours(pid);
}

/* pid 0 (itself) or one of its own processes. */
static bool ours(long pid, const struct zcl_sandbox_state *st)
{
	return pid == 0 || (pid > 0 && st->is_ours && st->is_ours((pid_t)pid));
}

/* prlimit, sched_set*: only on itself, never on the lab. */
static bool own_pid_arg0(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	return ours((long)(int)r->args[0], st);
}

static bool own_priority(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	long who = (long)(int)r->args[1];
	if (r->args[0] == PRIO_PROCESS)
		return ours(who, st);
	return r->args[0] == PRIO_PGRP && (who == 0 || who == st->group);
}

static bool own_ioprio(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	return r->args[0] == 1 /* IOPRIO_WHO_PROCESS */ && ours((long)(int)r->args[1], st);
}

/* F_SETOWN aims SIGIO (or F_SETSIG's signal) at a process: only its own.
 * A lease (F_SETLEASE) would make the lab's own open of the file wait for
 * the lease-break time (fcntl(2): /proc/sys/fs/lease-break-time, 45 s). */
static bool own_fcntl(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	if (r->args[1] == F_SETOWN_EX || r->args[1] == F_SETLEASE)
		return false;
	return r->args[1] != F_SETOWN || ours((long)(int)r->args[2], st);
}

/* ioctl: FIOSETOWN and SIOCSPGRP are F_SETOWN by another name (the owner
 * is behind a pointer the lab would have to read: refused whatever it
 * says); TIOCSTI types into a terminal, TIOCSCTTY takes one, TIOCLINUX
 * can paste the console's selection (ioctl_tty(2)). */
static bool safe_ioctl(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	(void)st;
	static const unsigned long refused[] = {FIOSETOWN, SIOCSPGRP, TIOCSTI, TIOCSCTTY, TIOCLINUX};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if ((unsigned int)r->args[1] == refused[i])
			return false;
	return true;
}

/* Only the first exec: the stage binary itself. */
static bool first_exec(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	(void)r;
	return !st->exec_seen;
}

static bool traced_clone(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	(void)st;
	unsigned long bad = CLONE_UNTRACED | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
			    CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	return (r->args[0] & bad) == 0;
}

static bool no_filter(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	(void)st;
	return r->args[0] != PR_SET_SECCOMP;
}

#define REGISTER_RING_FDS 20 /* IORING_REGISTER_RING_FDS (an enum in the header) */

/*
 * io_uring_setup(entries, params): only where the stage's row allows
 * io_uring, and never a ring the lab could not read: SQPOLL (a kernel
 * thread submits with no syscall), NO_MMAP (rings in the program's own
 * memory, not mapped from the ring descriptor) or REGISTERED_FD_ONLY (no
 * descriptor to map). The flags are read from the tracee's params at entry;
 * unreadable params are refused (the kernel would fail them with EFAULT).
 */
static bool uring_setup_ok(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	if (!st->allow_uring)
		return false;
	uint32_t flags;
	struct iovec local = {&flags, sizeof flags};
	struct iovec remote = {(void *)(uintptr_t)(r->args[1] + offsetof(struct io_uring_params, flags)),
			       sizeof flags};
	if (!r->args[1] || process_vm_readv(r->pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof flags)
		return false;
	return (flags & (IORING_SETUP_SQPOLL | IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY)) == 0;
}

/* io_uring_enter(fd, to_submit, min_complete, flags, ...): no registered
 * ring index in place of the descriptor (the lab names rings by it). */
static bool uring_enter_ok(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	return st->allow_uring && (r->args[3] & IORING_ENTER_REGISTERED_RING) == 0;
}

/* io_uring_register(fd, opcode, ...): not IORING_REGISTER_RING_FDS. */
static bool uring_register_ok(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st)
{
	return st->allow_uring && (unsigned)r->args[1] != REGISTER_RING_FDS;
}

static const struct {
	long nr;
	int err;
	allow_fn allow;  /* NULL: always refused */
	const char *why; /* NULL: refused quietly */
} policy[] = {
	{SYS_io_uring_setup, ENOSYS, uring_setup_ok,
	 "io_uring would move data the lab cannot see (only a stage that allows it may, and never with "
	 "SQPOLL, NO_MMAP or REGISTERED_FD_ONLY)"},
	{SYS_io_uring_enter, ENOSYS, uring_enter_ok,
	 "io_uring would move data the lab cannot see (only a stage that allows it may, and never through "
	 "a registered ring: IORING_ENTER_REGISTERED_RING)"},
	{SYS_io_uring_register, ENOSYS, uring_register_ok,
	 "io_uring would move data the lab cannot see (only a stage that allows it may, and never "
	 "IORING_REGISTER_RING_FDS)"},
	{SYS_io_setup, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_io_submit, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_io_getevents, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_io_pgetevents, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_io_cancel, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_io_destroy, ENOSYS, NULL, "Linux AIO would move data the lab cannot see"},
	{SYS_ioctl, EPERM, safe_ioctl, "signals to another process (FIOSETOWN, SIOCSPGRP) or typing into a terminal (TIOCSTI)"},
	{SYS_seccomp, EPERM, NULL, "a seccomp filter of its own could hide syscalls"},
	{SYS_prctl, EPERM, no_filter, "a seccomp filter of its own could hide syscalls"},
	{SYS_ptrace, EPERM, NULL, "ptrace of another process"},
	{SYS_process_vm_readv, EPERM, NULL, "reading another process's memory"},
	{SYS_process_vm_writev, EPERM, NULL, "writing another process's memory"},
	{SYS_pidfd_getfd, EPERM, NULL, "taking another process's descriptors"},
	{SYS_clone, EPERM, traced_clone, "a child the tracer cannot follow, or new namespaces"},
	{SYS_clone3, ENOSYS, NULL, NULL}, /* flags in memory: glibc falls back to clone */
	{SYS_execve, EPERM, first_exec, "running another program"},
	{SYS_execveat, EPERM, first_exec, "running another program"},
	{SYS_kill, EPERM, own_target, "a signal to a process that is not its own"},
	{SYS_tkill, EPERM, own_target, "a signal to a process that is not its own"},
	{SYS_tgkill, EPERM, own_target, "a signal to a process that is not its own"},
	{SYS_rt_sigqueueinfo, EPERM, own_target, "a signal to a process that is not its own"},
	{SYS_rt_tgsigqueueinfo, EPERM, own_target, "a signal to a process that is not its own"},
	{SYS_pidfd_send_signal, EPERM, NULL, "a signal through a pidfd"},
	{SYS_setpgid, EPERM, NULL, "leaving its process group"},
	{SYS_setsid, EPERM, NULL, "leaving its process group"},
	{SYS_socket, EACCES, NULL, "a new socket"},
	{SYS_socketpair, EACCES, NULL, "a new socket"},
	{SYS_connect, EACCES, NULL, "connecting a socket"},
	{SYS_bind, EACCES, NULL, "binding a socket"},
	{SYS_listen, EACCES, NULL, "listening on a socket"},
	{SYS_mount, EPERM, NULL, "mounting"},
	{SYS_umount2, EPERM, NULL, "unmounting"},
	{SYS_pivot_root, EPERM, NULL, "changing the root"},
	{SYS_chroot, EPERM, NULL, "changing the root"},
	{SYS_bpf, EPERM, NULL, "BPF"},
	{SYS_perf_event_open, EPERM, NULL, "perf events"},
	{SYS_keyctl, EPERM, NULL, "the kernel keyring"},
	{SYS_add_key, EPERM, NULL, "the kernel keyring"},
	{SYS_request_key, EPERM, NULL, "the kernel keyring"},
	{SYS_unshare, EPERM, NULL, "new namespaces"},
	{SYS_setns, EPERM, NULL, "entering namespaces"},
	{SYS_userfaultfd, EPERM, NULL, "userfaultfd"},
	{SYS_prlimit64, EPERM, own_pid_arg0, "limits of a process that is not its own"},
	{SYS_setpriority, EPERM, own_priority, "the priority of a process that is not its own"},
	{SYS_sched_setaffinity, EPERM, own_pid_arg0, "scheduling a process that is not its own"},
	{SYS_sched_setscheduler, EPERM, own_pid_arg0, "scheduling a process that is not its own"},
	{SYS_sched_setparam, EPERM, own_pid_arg0, "scheduling a process that is not its own"},
	{SYS_sched_setattr, EPERM, own_pid_arg0, "scheduling a process that is not its own"},
	{SYS_ioprio_set, EPERM, own_ioprio, "the I/O priority of a process that is not its own"},
	{SYS_fcntl, EPERM, own_fcntl, "signals (F_SETOWN) to a process that is not its own, or a file lease"},
	{SYS_chmod, EPERM, NULL, "changing file attributes"},
	{SYS_fchmod, EPERM, NULL, "changing file attributes"},
	{SYS_fchmodat, EPERM, NULL, "changing file attributes"},
	{SYS_chown, EPERM, NULL, "changing file attributes"},
	{SYS_fchown, EPERM, NULL, "changing file attributes"},
	{SYS_lchown, EPERM, NULL, "changing file attributes"},
	{SYS_fchownat, EPERM, NULL, "changing file attributes"},
	{SYS_utime, EPERM, NULL, "changing file attributes"},
	{SYS_utimes, EPERM, NULL, "changing file attributes"},
	{SYS_utimensat, EPERM, NULL, "changing file attributes"},
	{SYS_futimesat, EPERM, NULL, "changing file attributes"},
	{SYS_setxattr, EPERM, NULL, "changing file attributes"},
	{SYS_lsetxattr, EPERM, NULL, "changing file attributes"},
	{SYS_fsetxattr, EPERM, NULL, "changing file attributes"},
	{SYS_removexattr, EPERM, NULL, "changing file attributes"},
	{SYS_lremovexattr, EPERM, NULL, "changing file attributes"},
	{SYS_fremovexattr, EPERM, NULL, "changing file attributes"},
};

int zcl_sandbox_check(const struct zcl_sysrec *r, const struct zcl_sandbox_state *st,
		      const char **why)
{
	for (size_t i = 0; i < sizeof policy / sizeof policy[0]; i++) {
		if (policy[i].nr != r->nr)
			continue;
		if (policy[i].allow && policy[i].allow(r, st))
			return 0;
		*why = policy[i].why;
		return policy[i].err;
	}
	return 0;
}

uid_t zcl_sandbox_uid(void)
{
	return (uid_t)(ZCL_SANDBOX_UID_BASE + (unsigned)getpid() % 50000u);
}

static void limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};
	setrlimit(res, &rl);
}

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Give rights on path (a directory, or a file with file rights only). */
static void allow(int rs, const char *path, __u64 rights)
{
	struct landlock_path_beneath_attr rule = {.allowed_access = rights};
	rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd >= 0) {
		syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
		close(rule.parent_fd);
	}
}

static const char *const system_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

/* A Landlock ruleset handling reads, execution and writes; -1 without
 * Landlock. *file_w: the write rights a single file may be given. */
static int ruleset(__u64 *read, __u64 *exec, __u64 *write, __u64 *file_w)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return -1; /* no Landlock in this kernel: the uid and limits still hold */
	*read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	*exec = LANDLOCK_ACCESS_FS_EXECUTE;
	*write = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
		 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
	*file_w = LANDLOCK_ACCESS_FS_WRITE_FILE;
	if (abi >= 2)
		*write |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3) {
		*write |= LANDLOCK_ACCESS_FS_TRUNCATE;
		*file_w |= LANDLOCK_ACCESS_FS_TRUNCATE;
	}
	struct landlock_ruleset_attr attr = {.handled_access_fs = *read | *exec | *write};
	return (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
}

static bool restrict_self(int rs)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	long rc = syscall(SYS_landlock_restrict_self, rs, 0);
	close(rs);
	return rc == 0;
}

/* A Landlock ruleset (ruleset()) in which the system's directories
 * (system_dirs) may be read and run: the start of both walls below. */
static int system_ruleset(__u64 *read, __u64 *exec, __u64 *write, __u64 *file_w)
{
	int rs = ruleset(read, exec, write, file_w);
	for (size_t i = 0; rs >= 0 && i < sizeof system_dirs / sizeof system_dirs[0]; i++)
		allow(rs, system_dirs[i], *read | *exec);
	return rs;
}

/* Landlock (landlock(7)): reads only of the system (/usr and the links
 * into it), a few files of /etc and /dev, and the run's directory; writes,
 * creations and removals only below work (and to /dev/null). A second
 * wall behind the filesystem view, and the only one where there is no
 * view. True when the rules are in force. */
static bool landlock_confine(const char *run_dir, const char *work)
{
	__u64 read, exec, write, file_w;
	int rs = system_ruleset(&read, &exec, &write, &file_w);
	if (rs < 0)
		return false;
	static const char *const files[] = {"/etc/ld.so.cache", "/etc/localtime", "/dev/zero", "/dev/random",
					    "/dev/urandom"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		allow(rs, files[i], LANDLOCK_ACCESS_FS_READ_FILE);
	allow(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | file_w);
	allow(rs, "/dev/full", LANDLOCK_ACCESS_FS_READ_FILE | file_w);
	allow(rs, run_dir, read | exec);
	allow(rs, work, read | write);
	return restrict_self(rs);
}

bool zcl_sandbox_confine_compiler(const char *job)
{
	__u64 read, exec, write, file_w;
	int rs = system_ruleset(&read, &exec, &write, &file_w);
	if (rs < 0)
		return false;
	allow(rs, "/etc", read); /* alternatives (cc -> gcc), ld.so.cache */
	allow(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | file_w);
	allow(rs, job, read | write);
	return restrict_self(rs);
}

bool zcl_sandbox_detach_tty(void)
{
	int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t < 0)
		return true; /* ENXIO: no controlling terminal to begin with */
	int rc = ioctl(t, TIOCNOTTY);
	close(t);
	return rc == 0;
}

int zcl_sandbox_enter(const char *run_dir, const char *work, const struct zcl_limits *lim)
{
	int layers = 0;
	/* CPU: SIGXCPU at the soft limit, SIGKILL a second later */
	struct rlimit cpu = {lim->cpu_s, lim->cpu_s + 1};
	setrlimit(RLIMIT_CPU, &cpu);
	limit(RLIMIT_FSIZE, ZCL_RLIMIT_FSIZE);
	limit(RLIMIT_NPROC, ZCL_RLIMIT_NPROC);
	limit(RLIMIT_AS, lim->as_bytes);
	limit(RLIMIT_STACK, ZCL_RLIMIT_STACK);
	limit(RLIMIT_NOFILE, ZCL_RLIMIT_NOFILE);
	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_MEMLOCK, lim->memlock_bytes);
	limit(RLIMIT_MSGQUEUE, 0);
	if (geteuid() == 0) {
		/* the caller made the ids from its own pid before forking */
		uid_t id = (uid_t)(ZCL_SANDBOX_UID_BASE + (unsigned)getppid() % 50000u);
		if (setgroups(0, NULL) < 0 || setgid(id) < 0 || setuid(id) < 0)
			return -1;
		layers |= ZCL_LAYER_UID;
	}
	if (landlock_confine(run_dir, work))
		layers |= ZCL_LAYER_LANDLOCK;
	return layers;
}

/* The column named name in a /proc/sysvipc header line, or -1. */
static int column(char *header, const char *name)
{
	int col = 0;
	for (char *save = NULL, *t = strtok_r(header, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
		if (!strcmp(t, name))
			return col;
	return -1;
}

/* One /proc/sysvipc table: remove each object whose creator uid is uid
 * ((uid_t)-1: none) or, where the table says (shm), whose creator
 * process is pid (0: none). */
static void sweep_table(const char *file, uid_t uid, pid_t pid, int (*rm)(int id))
{
	FILE *f = fopen(file, "re");
	if (!f)
		return;
	char line[512], copy[512];
	int cuid_col = -1, cpid_col = -1;
	if (fgets(line, sizeof line, f)) {
		memcpy(copy, line, sizeof copy);
		cuid_col = column(line, "cuid");
		cpid_col = column(copy, "cpid");
	}
	while (cuid_col >= 0 && fgets(line, sizeof line, f)) {
		long id = -1, cuid = -1, cpid = -1;
		int col = 0;
		for (char *save = NULL, *t = strtok_r(line, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++) {
			if (col == 1)
				id = atol(t);
			if (col == cuid_col)
				cuid = atol(t);
			if (col == cpid_col)
				cpid = atol(t);
		}
		if (id >= 0 && ((uid != (uid_t)-1 && cuid == (long)uid) || (pid > 0 && cpid == (long)pid)))
			rm((int)id);
	}
	fclose(f);
}

static int rm_shm(int id) { return shmctl(id, IPC_RMID, NULL); }
static int rm_msg(int id) { return msgctl(id, IPC_RMID, NULL); }
static int rm_sem(int id) { return semctl(id, 0, IPC_RMID); }

void zcl_sandbox_sweep_ipc(uid_t uid, pid_t pid)
{
	sweep_table("/proc/sysvipc/shm", uid, pid, rm_shm);
	sweep_table("/proc/sysvipc/msg", uid, pid, rm_msg);
	sweep_table("/proc/sysvipc/sem", uid, pid, rm_sem);
}
