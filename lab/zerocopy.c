/*
 * zerocopy.c - MSG_ZEROCOPY bookkeeping (zerocopy.h): per socket, whether
 * SO_ZEROCOPY is on and the bytes of each zerocopy send not yet completed,
 * by the number the kernel gave it; the error queue's completions read
 * from the program's msghdr at recvmsg's exit.
 *
 * Sockets are found by inode (the program may dup or pass them); the
 * tables grow with the program and are freed at the end of the run.
 */
#define _GNU_SOURCE
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "fdclass.h"
#include "grow.h"
#include "model.h"
#include "zerocopy.h"

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

struct send { uint32_t id; uint64_t bytes; };

struct sock {
	ino_t ino;
	bool armed;        /* SO_ZEROCOPY on */
	uint32_t next;     /* the number of the next zerocopy send (sk_zckey) */
	struct send *v;    /* sends not completed yet */
	size_t n, cap;
};

static struct {
	struct sock *s;
	size_t n, cap;
} Z;

/* The entry of socket ino, made if make; NULL if none (or no memory). */
static struct sock *sock_of(ino_t ino, bool make)
{
	for (size_t i = 0; i < Z.n; i++)
		if (Z.s[i].ino == ino)
			return &Z.s[i];
	if (!make)
		return NULL;
	if (Z.n == Z.cap && ZCL_GROW(Z.s, Z.cap, 8) < 0)
		return NULL;
	Z.s[Z.n] = (struct sock){.ino = ino};
	return &Z.s[Z.n++];
}

static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	return addr && process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -1;
}

static struct sock *sock_at(const struct zcl_sysrec *r, int arg, bool make)
{
	ino_t ino = 0;
	struct zcl_fdinfo fi = zcl_fd_class(r->pid, (long)(int)r->args[arg], NULL, &ino);
	return fi.kind == ZF_SOCKET ? sock_of(ino, make) : NULL;
}

void zcl_zc_entry(struct zcl_sysrec *r)
{
	const struct zcl_rule *rule = zcl_rule_for(r->nr);
	if (!rule || rule->fam != ZM_SEND || rule->flags < 0 || !(r->args[rule->flags] & MSG_ZEROCOPY))
		return;
	struct sock *s = sock_at(r, rule->out_fd, false);
	r->zerocopy = s && s->armed;
}

static void sent(struct zcl_sysrec *r)
{
	struct sock *s = sock_at(r, 0, false);
	if (!s)
		return;
	uint32_t id = s->next++;
	if (s->n == s->cap && ZCL_GROW(s->v, s->cap, 16) < 0)
		return; /* its bytes stay unknown: the completion shows 0 */
	s->v[s->n++] = (struct send){id, (uint64_t)r->ret};
}

/* The bytes of sends [lo, hi] (numbers wrap at 2^32), forgotten. */
static uint64_t take(struct sock *s, uint32_t lo, uint32_t hi)
{
	uint64_t b = 0;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].id - lo <= hi - lo)
			b += s->v[i].bytes;
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
	return b;
}

/* recvmsg(MSG_ERRQUEUE): the completion in its control data, if any. */
static void completion(struct zcl_sysrec *r)
{
	struct msghdr m;
	char ctl[512];
	if (peek(r->pid, r->args[1], &m, sizeof m) < 0 || m.msg_controllen == 0)
		return;
	size_t len = m.msg_controllen < sizeof ctl ? m.msg_controllen : sizeof ctl;
	if (peek(r->pid, (uint64_t)(uintptr_t)m.msg_control, ctl, len) < 0)
		return;
	m.msg_control = ctl;
	m.msg_controllen = len;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		bool recverr = (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			       (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
		struct sock_extended_err ee;
		if (!recverr || c->cmsg_len < CMSG_LEN(sizeof ee))
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof ee);
		if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY)
			continue;
		struct sock *s = sock_at(r, 0, false);
		r->zc_done = true;
		r->zc_lo = ee.ee_info;
		r->zc_hi = ee.ee_data;
		r->zc_copied = ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
		r->zc_bytes = s ? take(s, ee.ee_info, ee.ee_data) : 0;
		return;
	}
}

void zcl_zc_exit(struct zcl_sysrec *r)
{
	if (r->ret < 0)
		return;
	if (r->nr == SYS_setsockopt && (int)r->args[1] == SOL_SOCKET && (int)r->args[2] == SO_ZEROCOPY) {
		int v = 0;
		struct sock *s = peek(r->pid, r->args[3], &v, sizeof v) == 0 ? sock_at(r, 0, true) : NULL;
		if (s)
			s->armed = v != 0;
	} else if (r->zerocopy && r->ret > 0) {
		sent(r);
	} else if (r->nr == SYS_recvmsg && (r->args[2] & MSG_ERRQUEUE)) {
		completion(r);
	}
}

void zcl_zc_reset(void)
{
	for (size_t i = 0; i < Z.n; i++)
		free(Z.s[i].v);
	free(Z.s);
	memset(&Z, 0, sizeof Z);
}
