/*
 * content.c - the generated input stream's first bytes, in memory.
 *
 * Byte i of the stream depends only on (seed, i) (input.c), so the bytes of
 * a smaller input are a prefix of a larger one's. A grade runs one seed at
 * sizes from 0 to 8 MiB + 1 about a hundred times: the prefix is generated
 * once, grown by doubling, and every run writes its input file from it and
 * checks what arrives against it (memcmp, where the receiver would otherwise
 * generate the same bytes again). Past CONTENT_MAX the caller generates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "content.h"
#include "input.h"
#include "params.h"


/* The buffer is reserved once (CONTENT_MAX of address space; pages appear
 * as they are written) and marked MADV_DONTFORK: every run forks the lab,
 * and a child that only sets up walls and execs must not copy the page
 * table entries of megabytes it never reads (madvise(2)). */
static struct {
	uint8_t *buf;     /* NULL: not reserved yet; MAP_FAILED: cannot be */
	uint64_t seed, len;
} kept;

const uint8_t *zcl_content(uint64_t seed, uint64_t size)
{
	if (size > CONTENT_MAX || kept.buf == MAP_FAILED)
		return NULL;
	if (!kept.buf) {
		kept.buf = mmap(NULL, CONTENT_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);
		if (kept.buf == MAP_FAILED)
			return NULL;
		madvise(kept.buf, CONTENT_MAX, MADV_DONTFORK);
		kept.len = 0;
	}
	if (kept.seed != seed)
		kept.len = 0; /* another seed: nothing kept is of use */
	if (kept.len >= size)
		return kept.buf;
	uint64_t want = kept.len * 2 > size ? kept.len * 2 : size;
	if (want > CONTENT_MAX)
		want = CONTENT_MAX;
	zcl_gen(seed, kept.len, kept.buf + kept.len, want - kept.len);
	kept.seed = seed;
	kept.len = want;
	return kept.buf;
}

int zcl_content_file(const char *path, uint64_t seed, uint64_t size)
{
	const uint8_t *c = zcl_content(seed, size);
	if (!c)
		return zcl_gen_file(path, seed, size);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (zcl_write_all(fd, c, (size_t)size) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}
