/*
 * content.h - the first bytes of the generated input stream, kept in
 * memory once per process, so that a grader's many runs of one seed
 * neither generate them again for every input file nor for every check.
 */
#ifndef ZCL_CONTENT_H
#define ZCL_CONTENT_H

#include <stdint.h>

/* Bytes [0, size) of the generated stream for seed (input.h: zcl_gen), or
 * NULL when size is past what is kept in memory (the caller generates then)
 * or memory ran out. The buffer is this module's; it stays valid until the
 * next call (which may move or regenerate it). Not thread-safe: one run at
 * a time calls it, before the run's threads start. */
const uint8_t *zcl_content(uint64_t seed, uint64_t size);

/* Write the generated stream's first size bytes for seed to a new file at
 * path (from memory when kept, else generated as zcl_gen_file does).
 * 0 or -1 with errno. */
int zcl_content_file(const char *path, uint64_t seed, uint64_t size);

#endif
