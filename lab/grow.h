/*
 * grow.h - make room in a growing array, the one way the lab does it:
 * double the allocation, from a first size, keep it on failure.
 */
#ifndef ZCL_GROW_H
#define ZCL_GROW_H

#include <stddef.h>

/* *pv points to a malloc'd array (or NULL) of *cap elements of elem bytes:
 * realloc it to twice as many (first when *cap is 0) and set *cap. 0, or
 * -1 out of memory (errno ENOMEM; the array and *cap unchanged, still the
 * caller's). pv is the address of the array's pointer (T **). */
int zcl_grow(void *pv, size_t *cap, size_t elem, size_t first);

/* zcl_grow on array `arr` (an lvalue of type T *) and its size_t `cap`. */
#define ZCL_GROW(arr, cap, first) zcl_grow(&(arr), &(cap), sizeof *(arr), (first))

#endif
