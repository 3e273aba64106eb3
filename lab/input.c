/*
 * input.c - seeded input: byte i of the stream depends only on (seed, i).
 *
 * Each 8-byte word is splitmix64(seed ^ word index): cheap, random enough
 * that no two stages, seeds or offsets look alike, and addressable, so the
 * receiver can check any received byte without keeping the file around.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void zcl_gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t key = splitmix64(seed);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* whole words in one store: byte i of a word is bits 8i..8i+7 */
	if (off % 8 == 0) {
		for (; len >= 8; len -= 8, off += 8, buf += 8) {
			uint64_t word = splitmix64(key ^ (off / 8));
			memcpy(buf, &word, 8);
		}
	}
#endif
	while (len > 0) {
		uint64_t word = splitmix64(key ^ (off / 8));
		size_t at = (size_t)(off % 8);
		size_t take = 8 - at < len ? 8 - at : len;
		for (size_t i = 0; i < take; i++)
			buf[i] = (uint8_t)(word >> (8 * (at + i)));
		buf += take;
		off += take;
		len -= take;
	}
}

void zcl_expect_bytes(const struct zcl_expect *e, uint64_t off, uint8_t *buf, size_t len)
{
	while (len > 0 && off < e->header_len) {
		*buf++ = (uint8_t)e->header[off++];
		len--;
	}
	if (len == 0)
		return;
	uint64_t at = off - e->header_len;
	if (e->data)
		memcpy(buf, e->data + at, len);
	else
		zcl_gen(e->seed, at, buf, len);
}

int zcl_gen_file(const char *path, uint64_t seed, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	uint8_t buf[1 << 16];
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
		zcl_gen(seed, off, buf, n);
		for (size_t done = 0; done < n;) {
			ssize_t w = write(fd, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				int e = errno;
				close(fd);
				errno = e;
				return -1;
			}
			done += (size_t)w;
		}
		off += n;
	}
	return close(fd);
}
