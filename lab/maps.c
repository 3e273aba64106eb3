/*
 * maps.c - which address ranges of each process map which watched file.
 *
 * The collector needs one fact about a write's buffer: does it lie in a
 * mapping of a file (then the CPU copies page cache -> socket buffer, the
 * mmap stage's lesson) or in plain memory? Mappings belong to a process
 * (its threads share them); fork copies them; munmap can cut a hole in the
 * middle of one, so entries are trimmed or split, never just dropped.
 *
 * Each process has its own growable list (a program may map as many files
 * as it likes), found by a hash of its id. A mapped file is pinned in the
 * watch table (pcwatch.h) so its fills can always be measured.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "htab.h"
#include "maps.h"
#include "pcwatch.h"

struct map { uint64_t start, end; int w; };
struct proc { pid_t tgid; struct map *m; size_t n, cap; };

static struct {
	struct proc *p;
	size_t n, cap;
	struct zcl_htab by_tgid;
	uint64_t lost; /* mappings not remembered: out of memory */
} M;

void zcl_map_reset(void)
{
	for (size_t i = 0; i < M.n; i++)
		free(M.p[i].m);
	free(M.p);
	zcl_htab_free(&M.by_tgid);
	memset(&M, 0, sizeof M);
}

static struct proc *proc_of(pid_t tgid, bool make)
{
	uint32_t i;
	if (zcl_htab_get(&M.by_tgid, (uint64_t)tgid, 0, &i))
		return &M.p[i];
	if (!make)
		return NULL;
	if (M.n == M.cap && ZCL_GROW(M.p, M.cap, 16) < 0)
		return NULL;
	if (zcl_htab_put(&M.by_tgid, (uint64_t)tgid, 0, (uint32_t)M.n) < 0)
		return NULL;
	M.p[M.n] = (struct proc){tgid, NULL, 0, 0};
	return &M.p[M.n++];
}

/* Mappings belong to a process (its threads share them). */
int zcl_map_lookup(pid_t tgid, uint64_t addr)
{
	struct proc *p = proc_of(tgid, false);
	for (size_t i = 0; p && i < p->n; i++)
		if (addr >= p->m[i].start && addr < p->m[i].end)
			return p->m[i].w;
	return -1;
}

void zcl_map_add(pid_t tgid, uint64_t start, uint64_t end, int w)
{
	if (end <= start)
		return;
	struct proc *p = proc_of(tgid, true);
	if (p && p->n == p->cap && ZCL_GROW(p->m, p->cap, 8) < 0) {
		M.lost++;
		return;
	}
	if (!p) {
		M.lost++;
		return;
	}
	p->m[p->n++] = (struct map){start, end, w};
	zcl_pcw_pin(w);
}

/* Forget [start, end): mappings are trimmed, or split when the hole is
 * in their middle (munmap of one window of a big mapping). */
void zcl_map_remove(pid_t tgid, uint64_t start, uint64_t end)
{
	struct proc *p = proc_of(tgid, false);
	if (!p)
		return;
	size_t n = p->n; /* pieces added below land past n and are not revisited */
	for (size_t i = 0; i < n;) {
		struct map m = p->m[i];
		if (m.start >= end || m.end <= start) {
			i++;
			continue;
		}
		p->m[i] = p->m[--p->n]; /* swap-remove; what moved here is looked at next */
		if (p->n >= n)
			i++; /* the moved one was a new piece: done with this slot */
		else
			n--;
		zcl_map_add(tgid, m.start, start < m.start ? m.start : start, m.w); /* the part before */
		zcl_map_add(tgid, end > m.end ? m.end : end, m.end, m.w);          /* the part after */
		zcl_pcw_unpin(m.w);
		p = proc_of(tgid, false); /* (adding never moves a proc, only its list) */
	}
}

void zcl_map_copy(pid_t from, pid_t to)
{
	struct proc *f = proc_of(from, false);
	if (!f || from == to)
		return;
	size_t n = f->n;
	for (size_t i = 0; i < n; i++) {
		f = proc_of(from, false); /* adding a proc may move the array */
		struct map m = f->m[i];
		zcl_map_add(to, m.start, m.end, m.w);
	}
}

uint64_t zcl_map_lost(void)
{
	return M.lost;
}

uint64_t zcl_page_end(uint64_t start, uint64_t len)
{
	return (start + len + 4095) & ~(uint64_t)4095;
}
