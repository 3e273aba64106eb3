/*
 * maps.c - which address ranges of each process map which watched file.
 *
 * The collector needs one fact about a write's buffer: does it lie in a
 * mapping of a file (then the CPU copies page cache -> socket buffer, the
 * mmap stage's lesson) or in plain memory? Mappings belong to a process
 * (its threads share them); fork copies them; munmap can cut a hole in the
 * middle of one, so entries are trimmed or split, never just dropped.
 */
#include <stdbool.h>
#include <string.h>

#include "maps.h"
#include "params.h"

struct map { bool used; pid_t tgid; uint64_t start, end; int w; };

static struct map maps[ZCL_MAX_MAPS];

void zcl_map_reset(void)
{
	memset(maps, 0, sizeof maps);
}

/* Mappings belong to a process (its threads share them). */
int zcl_map_lookup(pid_t tgid, uint64_t addr)
{
	for (int i = 0; i < ZCL_MAX_MAPS; i++)
		if (maps[i].used && maps[i].tgid == tgid && addr >= maps[i].start && addr < maps[i].end)
			return maps[i].w;
	return -1;
}

void zcl_map_add(pid_t tgid, uint64_t start, uint64_t end, int w)
{
	if (end <= start)
		return;
	for (int i = 0; i < ZCL_MAX_MAPS; i++)
		if (!maps[i].used) {
			maps[i] = (struct map){true, tgid, start, end, w};
			return;
		}
}

/* Forget [start, end): mappings are trimmed, or split when the hole is
 * in their middle (munmap of one window of a big mapping). */
void zcl_map_remove(pid_t tgid, uint64_t start, uint64_t end)
{
	for (int i = 0; i < ZCL_MAX_MAPS; i++) {
		struct map m = maps[i];
		if (!m.used || m.tgid != tgid || m.start >= end || m.end <= start)
			continue;
		maps[i].used = false;
		zcl_map_add(tgid, m.start, start < m.start ? m.start : start, m.w); /* the part before */
		zcl_map_add(tgid, end > m.end ? m.end : end, m.end, m.w);          /* the part after */
	}
}

void zcl_map_copy(pid_t from, pid_t to)
{
	for (int i = 0; i < ZCL_MAX_MAPS; i++)
		if (maps[i].used && maps[i].tgid == from)
			zcl_map_add(to, maps[i].start, maps[i].end, maps[i].w);
}

uint64_t zcl_page_end(uint64_t start, uint64_t len)
{
	return (start + len + 4095) & ~(uint64_t)4095;
}
