/*
 * inputcache.h - a grade's generated inputs, written once per (seed, size)
 * and opened again by every run that asks for the same bytes.
 */
#ifndef ZCL_INPUTCACHE_H
#define ZCL_INPUTCACHE_H

#include <stdbool.h>
#include <stdint.h>

/* Turn the cache on for the runs of one grade (on), or off: the cached
 * files and their directory are removed. Only as root (see inputcache.c
 * for why); otherwise on does nothing. */
void zcl_inputcache_use(bool on);

/* A read-only descriptor (the caller closes it) on the generated input of
 * (seed, size) bytes: the cached file if it is as written, else written
 * now (content.c) and kept. -1 when the cache is off or cannot be used
 * (the caller writes its own file), errno set. */
int zcl_inputcache_open(uint64_t seed, uint64_t size);

#endif
