/*
 * tracee_table.c - a hash of tracees by pid that grows, and a list of them.
 *
 * Open addressing with linear probing over a power-of-two array of pointers,
 * kept at most half full, so a lookup touches one or two slots. The index is
 * Fibonacci hashing (pid times 2^32/phi, top bits). Removal shifts the
 * following run of the cluster back (no tombstones), so lookups stay short
 * however many threads came and went. The tracees themselves are allocated
 * one by one: their addresses never move while the array grows.
 */
#include <errno.h>
#include <stdlib.h>

#include "tracee_table.h"

#define FIRST_CAP 64 /* slots at the first add; doubles when half full */

static size_t home(const struct zcl_tracee_table *tt, pid_t pid)
{
	unsigned bits = (unsigned)__builtin_ctzl(tt->cap); /* cap = 2^bits, 6 <= bits < 32 */
	return (size_t)(((uint32_t)pid * 2654435769u) >> (32 - bits));
}

void zcl_tt_init(struct zcl_tracee_table *tt)
{
	*tt = (struct zcl_tracee_table){0};
}

static size_t slot_of(const struct zcl_tracee_table *tt, pid_t pid)
{
	size_t i = home(tt, pid);
	while (tt->slot[i] && tt->slot[i]->pid != pid)
		i = (i + 1) & (tt->cap - 1);
	return i; /* its slot, or the empty slot that ends the probe */
}

struct zcl_tracee *zcl_tt_find(const struct zcl_tracee_table *tt, pid_t pid)
{
	return tt->cap ? tt->slot[slot_of(tt, pid)] : NULL;
}

/* Put t in its slot; there is room (the table is at most half full). */
static void place(struct zcl_tracee_table *tt, struct zcl_tracee *t)
{
	tt->slot[slot_of(tt, t->pid)] = t;
}

/* Take the slot of t out, moving back the entries probed past it. */
static void unplace(struct zcl_tracee_table *tt, struct zcl_tracee *t)
{
	size_t mask = tt->cap - 1, hole = slot_of(tt, t->pid);
	tt->slot[hole] = NULL;
	for (size_t j = (hole + 1) & mask; tt->slot[j]; j = (j + 1) & mask) {
		size_t h = home(tt, tt->slot[j]->pid);
		/* j may fill the hole only if its home is not within (hole, j] */
		bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
		if (!stays) {
			tt->slot[hole] = tt->slot[j];
			tt->slot[j] = NULL;
			hole = j;
		}
	}
}

static int grow(struct zcl_tracee_table *tt)
{
	size_t cap = tt->cap ? tt->cap * 2 : FIRST_CAP;
	struct zcl_tracee **slot = calloc(cap, sizeof *slot);
	if (!slot)
		return -1; /* errno ENOMEM from calloc */
	struct zcl_tracee_table bigger = {slot, cap, tt->n, tt->head};
	for (size_t i = 0; i < tt->cap; i++)
		if (tt->slot[i])
			place(&bigger, tt->slot[i]);
	free(tt->slot);
	*tt = bigger;
	return 0;
}

struct zcl_tracee *zcl_tt_add(struct zcl_tracee_table *tt, pid_t pid)
{
	struct zcl_tracee *t = zcl_tt_find(tt, pid);
	if (t)
		return t;
	if (2 * (tt->n + 1) > tt->cap && grow(tt) < 0)
		return NULL;
	t = calloc(1, sizeof *t);
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->pid = pid;
	place(tt, t);
	tt->n++;
	t->next = tt->head;
	if (tt->head)
		tt->head->prev = t;
	tt->head = t;
	return t;
}

void zcl_tt_remove(struct zcl_tracee_table *tt, struct zcl_tracee *t)
{
	unplace(tt, t);
	tt->n--;
	if (t->prev)
		t->prev->next = t->next;
	else
		tt->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

void zcl_tt_rekey(struct zcl_tracee_table *tt, struct zcl_tracee *t, pid_t pid)
{
	unplace(tt, t);
	t->pid = pid;
	place(tt, t);
}

void zcl_tt_free(struct zcl_tracee_table *tt)
{
	while (tt->head)
		zcl_tt_remove(tt, tt->head);
	free(tt->slot);
	zcl_tt_init(tt);
}
