/*
 * inject.c - the seeded plan of which bytes' calls get disturbed.
 *
 * Each stream has a position (bytes moved so far) and the next target
 * offset. Offsets come from splitmix64 seeded with the run's seed and the
 * stream, so the file side and the socket side are disturbed at unrelated
 * places, and a run with the same seed is disturbed at the same bytes.
 *
 * Cutting a call short is register surgery on its count (the tracer does
 * it) or, for an iovec array, surgery on the array in the tracee's memory
 * (PTRACE_POKEDATA, which also writes a read-only array), undone at the
 * call's exit so the program never sees its iovecs change.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdclass.h"
#include "inject.h"

static struct {
	uint64_t rng[2];
	uint64_t pos[2];
	uint64_t next[2];
} P;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void undo_forget(void);

void zcl_inject_begin(uint64_t seed)
{
	undo_forget(); /* a thread killed inside a shortened call never reached its exit */
	for (int s = 0; s < 2; s++) {
		P.rng[s] = seed * 2 + (uint64_t)s;
		P.pos[s] = 0;
		P.next[s] = splitmix(&P.rng[s]) % ZCL_INJECT_FIRST;
	}
}

bool zcl_inject_due(enum zcl_stream s, uint64_t len, uint64_t moves)
{
	if (s == ZS_NONE || len == 0)
		return false;
	while (P.next[s] < P.pos[s]) /* passed by a call that could not be disturbed */
		P.next[s] += ZCL_INJECT_GAP + splitmix(&P.rng[s]) % ZCL_INJECT_SPREAD;
	uint64_t end = P.pos[s] + len;
	if (P.next[s] >= end)
		return false;
	uint64_t upto = P.pos[s] + moves > P.next[s] ? P.pos[s] + moves : P.next[s] + 1;
	while (P.next[s] < upto)
		P.next[s] += ZCL_INJECT_GAP + splitmix(&P.rng[s]) % ZCL_INJECT_SPREAD;
	return true;
}

void zcl_inject_moved(enum zcl_stream s, uint64_t n)
{
	if (s != ZS_NONE)
		P.pos[s] += n;
}

enum zcl_stream zcl_inject_stream(const struct zcl_sysrec *r)
{
	if (r->out.lab_socket)
		return ZS_SOCKET;
	if (r->in.lab_input)
		return ZS_FILE;
	return ZS_NONE;
}

struct iovec *zcl_iov_peek(const struct zcl_sysrec *r, const struct zcl_rule *rule,
			   uint64_t *addr, uint64_t *cnt)
{
	uint64_t a = r->args[rule->buf], n = r->args[2]; /* (fd, iov, iovcnt, ...) */
	if (r->nr == SYS_sendmsg || r->nr == SYS_recvmsg) {
		struct msghdr mh;
		struct iovec l = {&mh, sizeof mh}, t = {(void *)(uintptr_t)a, sizeof mh};
		if (process_vm_readv(r->pid, &l, 1, &t, 1, 0) != (ssize_t)sizeof mh)
			return NULL;
		a = (uint64_t)(uintptr_t)mh.msg_iov;
		n = mh.msg_iovlen;
	}
	if (n == 0 || n > IOV_MAX) /* the kernel refuses more (UIO_MAXIOV) */
		return NULL;
	struct iovec *v = malloc(n * sizeof *v);
	struct iovec l = {v, n * sizeof *v}, t = {(void *)(uintptr_t)a, n * sizeof *v};
	if (!v || process_vm_readv(r->pid, &l, 1, &t, 1, 0) != (ssize_t)(n * sizeof *v)) {
		free(v);
		return NULL;
	}
	*addr = a;
	*cnt = n;
	return v;
}

/* Calls with a file offset of their own: the argument, and whether it is a
 * pointer to the offset (NULL: the file position) or the offset itself. */
static const struct { long nr; int arg; bool ptr; } offsets[] = {
	{SYS_pread64, 3, false}, {SYS_preadv, 3, false}, {SYS_preadv2, 3, false},
	{SYS_sendfile, 2, true}, {SYS_splice, 1, true}, {SYS_copy_file_range, 1, true},
};

/* Bytes left in the input file from the call's offset (UINT64_MAX: unknown). */
static uint64_t file_left(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	long fd = (long)(int)r->args[rule->in_fd];
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)r->pid, fd);
	if (stat(path, &st) < 0)
		return UINT64_MAX;
	int64_t off = -2;
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		if (offsets[i].nr != r->nr)
			continue;
		uint64_t a = r->args[offsets[i].arg];
		if (!offsets[i].ptr && a != UINT64_MAX)
			off = (int64_t)a;
		else if (offsets[i].ptr && a) {
			struct iovec l = {&off, sizeof off}, t = {(void *)(uintptr_t)a, sizeof off};
			if (process_vm_readv(r->pid, &l, 1, &t, 1, 0) != (ssize_t)sizeof off)
				return UINT64_MAX;
		}
	}
	if (off == -2)
		off = zcl_fd_pos(r->pid, fd);
	if (off < 0)
		return UINT64_MAX;
	return st.st_size > off ? (uint64_t)(st.st_size - off) : 0;
}

/* Bytes waiting in the pipe the call reads from (UINT64_MAX: unknown):
 * FIONREAD on the pipe, reopened through /proc/PID/fd (pipe(7)). */
static uint64_t pipe_left(const struct zcl_sysrec *r, const struct zcl_rule *rule)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd/%ld", (int)r->pid, (long)(int)r->args[rule->in_fd]);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int n = -1;
	if (fd >= 0 && ioctl(fd, FIONREAD, &n) < 0)
		n = -1;
	if (fd >= 0)
		close(fd);
	return n < 0 ? UINT64_MAX : (uint64_t)n;
}

/* iovec arrays shortened in a tracee, to put back at the call's exit. */
static struct undo { pid_t pid; uint64_t addr; size_t n; struct iovec *saved; } *undo;
static size_t nundo, capundo;

static int poke(pid_t pid, uint64_t addr, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i + sizeof(long) <= len; i += sizeof(long)) {
		long w;
		memcpy(&w, p + i, sizeof w);
		if (ptrace(PTRACE_POKEDATA, pid, (void *)(uintptr_t)(addr + i), (void *)w) < 0)
			return -1;
	}
	return 0;
}

static void undo_forget(void)
{
	for (size_t i = 0; i < nundo; i++)
		free(undo[i].saved);
	nundo = 0;
}

static int undo_push(struct undo u)
{
	if (nundo == capundo) {
		size_t cap = capundo ? 2 * capundo : 4;
		struct undo *p = realloc(undo, cap * sizeof *p);
		if (!p)
			return -1;
		undo = p;
		capundo = cap;
	}
	undo[nundo++] = u;
	return 0;
}

/* Cut the array v[0..n) at address addr to move want bytes in all: the
 * entry that crosses want is trimmed, the ones after it emptied. 0 or -1. */
static int shorten_iov(pid_t pid, uint64_t addr, const struct iovec *v, uint64_t n, uint64_t want)
{
	uint64_t total = 0, first = n;
	for (uint64_t i = 0; i < n && first == n; i++) {
		if (total + v[i].iov_len > want)
			first = i;
		total += v[i].iov_len;
	}
	if (first == n)
		return -1; /* it moves no more than want anyway */
	size_t k = (size_t)(n - first), bytes = k * sizeof *v;
	uint64_t at = addr + first * sizeof *v;
	struct iovec *m = malloc(bytes), *saved = malloc(bytes);
	int rc = -1;
	if (m && saved) {
		memcpy(saved, v + first, bytes);
		memcpy(m, v + first, bytes);
		m[0].iov_len = want - (total - v[first].iov_len);
		for (size_t i = 1; i < k; i++)
			m[i].iov_len = 0;
		rc = undo_push((struct undo){pid, at, k, saved});
		if (rc == 0 && (rc = poke(pid, at, m, bytes)) < 0) {
			poke(pid, at, saved, bytes); /* whatever got written goes back */
			nundo--;
		}
	}
	if (rc < 0)
		free(saved);
	free(m);
	return rc;
}

void zcl_inject_restore(pid_t pid)
{
	for (size_t i = 0; i < nundo; i++) {
		if (undo[i].pid != pid)
			continue;
		poke(pid, undo[i].addr, undo[i].saved, undo[i].n * sizeof *undo[i].saved);
		free(undo[i].saved);
		undo[i--] = undo[--nundo];
	}
}

enum zcl_inject zcl_inject_decide(struct zcl_sysrec *r, const struct zcl_rule *rule,
				  enum zcl_inject kind, int *count_arg)
{
	enum zcl_stream s = zcl_inject_stream(r);
	if (s == ZS_NONE || (kind != ZI_SHORT && kind != ZI_EINTR))
		return ZI_NONE;
	struct iovec *v = NULL;
	uint64_t addr = 0, n = 0, len = 0;
	if (rule->count >= 0) {
		len = r->args[rule->count];
	} else if (rule->iov && (v = zcl_iov_peek(r, rule, &addr, &n))) {
		for (uint64_t i = 0; i < n; i++)
			len += v[i].iov_len;
	}
	if (len > 0 && rule->in_fd >= 0 && (r->in.lab_input || r->in.kind == ZF_PIPE)) {
		/* the lab's input may be a pipe too (a live stream): what is in it */
		uint64_t left = r->in.kind == ZF_PIPE ? pipe_left(r, rule) : file_left(r, rule);
		len = left < len ? left : len; /* short means short of what can move */
	}
	uint64_t want = len / 2;
	enum zcl_inject done = ZI_NONE;
	if ((kind == ZI_EINTR ? len > 0 : want > 0) && zcl_inject_due(s, len, kind == ZI_EINTR ? 0 : want)) {
		if (kind == ZI_EINTR) {
			done = ZI_EINTR;
		} else if (rule->count >= 0) {
			r->args[rule->count] = want;
			*count_arg = rule->count;
			done = ZI_SHORT;
		} else if (v && shorten_iov(r->pid, addr, v, n, want) == 0) {
			*count_arg = -1;
			done = ZI_SHORT;
		}
	}
	free(v);
	return done;
}
