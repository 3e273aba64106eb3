/*
 * fingerprint.c - FNV-1a (Fowler, Noll, Vo), 64 bits: each byte is XORed
 * into the hash, which is then multiplied by the FNV prime 2^40 + 0x1b3.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "fingerprint.h"

uint64_t zcl_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

uint64_t zcl_fnv_file(uint64_t h, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zcl_fnv(h, "missing", 7);
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		h = zcl_fnv(h, buf, (size_t)n);
	close(fd);
	return h;
}
