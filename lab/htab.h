/*
 * htab.h - a growable hash map from a two-word key to a 32-bit value.
 *
 * The collectors look things up on every ptrace stop by a number the traced
 * program controls (a thread id, a (device, inode) pair, a socket inode):
 * an O(1) lookup that grows as the program does, with no fixed ceiling
 * (STYLE.md "Growth without fixed limits"). Open addressing, linear probing,
 * backward-shift deletion (no tombstones).
 */
#ifndef ZCL_HTAB_H
#define ZCL_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zcl_htab_slot;

struct zcl_htab {
	struct zcl_htab_slot *s; /* cap slots, NULL until the first put */
	size_t cap, n;
};

/* Look (a, b) up: true and *v set when present. Can't fail. */
bool zcl_htab_get(const struct zcl_htab *h, uint64_t a, uint64_t b, uint32_t *v);

/* Set (a, b) -> v, adding or replacing. 0, or -1 (ENOMEM) leaving h as it was. */
int zcl_htab_put(struct zcl_htab *h, uint64_t a, uint64_t b, uint32_t v);

/* Remove (a, b); true if it was there. Can't fail. */
bool zcl_htab_del(struct zcl_htab *h, uint64_t a, uint64_t b);

/* Free the slots; h is empty and reusable afterwards. Can't fail. */
void zcl_htab_free(struct zcl_htab *h);

#endif
