/*
 * htab.c - open-addressing hash map, (a, b) -> v (see htab.h).
 *
 * The table is a power of two long and at most half full, so a probe run
 * stays short. Deleting shifts the following run back (Knuth's algorithm R)
 * instead of leaving tombstones, so lookups never slow down with churn
 * (threads come and go by the thousand in a busy server).
 */
#include <stdlib.h>

#include "htab.h"

struct zcl_htab_slot {
	uint64_t a, b;
	uint32_t v;
	bool used;
};

static size_t hash(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6) + (a >> 2));
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (size_t)x;
}

/* The slot holding (a, b), or the empty slot ending its probe run. */
static size_t find(const struct zcl_htab *h, uint64_t a, uint64_t b)
{
	size_t m = h->cap - 1, i = hash(a, b) & m;
	while (h->s[i].used && !(h->s[i].a == a && h->s[i].b == b))
		i = (i + 1) & m;
	return i;
}

bool zcl_htab_get(const struct zcl_htab *h, uint64_t a, uint64_t b, uint32_t *v)
{
	if (!h->s)
		return false;
	size_t i = find(h, a, b);
	if (!h->s[i].used)
		return false;
	*v = h->s[i].v;
	return true;
}

static int grow(struct zcl_htab *h)
{
	size_t cap = h->cap ? h->cap * 2 : 64;
	struct zcl_htab_slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	struct zcl_htab old = *h;
	h->s = s;
	h->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.s[i].used)
			h->s[find(h, old.s[i].a, old.s[i].b)] = old.s[i];
	free(old.s);
	return 0;
}

int zcl_htab_put(struct zcl_htab *h, uint64_t a, uint64_t b, uint32_t v)
{
	if ((h->n + 1) * 2 > h->cap && grow(h) < 0)
		return -1;
	size_t i = find(h, a, b);
	if (!h->s[i].used)
		h->n++;
	h->s[i] = (struct zcl_htab_slot){a, b, v, true};
	return 0;
}

bool zcl_htab_del(struct zcl_htab *h, uint64_t a, uint64_t b)
{
	if (!h->s)
		return false;
	size_t m = h->cap - 1, i = find(h, a, b);
	if (!h->s[i].used)
		return false;
	h->s[i].used = false;
	h->n--;
	/* Move back every later member of the run whose home is not in (i, j]. */
	for (size_t j = (i + 1) & m; h->s[j].used; j = (j + 1) & m) {
		size_t home = hash(h->s[j].a, h->s[j].b) & m;
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		h->s[i] = h->s[j];
		h->s[j].used = false;
		i = j;
	}
	return true;
}

void zcl_htab_free(struct zcl_htab *h)
{
	free(h->s);
	*h = (struct zcl_htab){0};
}
