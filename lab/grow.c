/*
 * grow.c - see grow.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

int zcl_grow(void *pv, size_t *cap, size_t elem, size_t first)
{
	size_t n = *cap ? *cap * 2 : first;
	if (n < *cap || (elem && n > SIZE_MAX / elem)) {
		errno = ENOMEM;
		return -1;
	}
	void *old;
	memcpy(&old, pv, sizeof old);
	void *v = realloc(old, n * elem);
	if (!v)
		return -1;
	memcpy(pv, &v, sizeof v);
	*cap = n;
	return 0;
}
