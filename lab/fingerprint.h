/*
 * fingerprint.h - FNV-1a, 64 bits, over bytes and files: a fingerprint of
 * what was built or graded (a cache key), not a defence against someone
 * crafting a collision.
 */
#ifndef ZCL_FINGERPRINT_H
#define ZCL_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define ZCL_FNV_START 0xcbf29ce484222325ull /* FNV-1a's offset basis */

/* h extended with n bytes at p. Can't fail. */
uint64_t zcl_fnv(uint64_t h, const void *p, size_t n);

/* *h extended with the content of the file at path (followed if a link).
 * 0, or -1 with errno of open(2) or read(2) (*h unchanged). */
int zcl_fnv_read(uint64_t *h, const char *path);

/* h extended with the content of the file at path (followed if a link),
 * or with the word "missing" when it cannot be read. Can't fail. */
uint64_t zcl_fnv_file(uint64_t h, const char *path);

#endif
