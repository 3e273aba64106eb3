/*
 * maps.h - file mappings of the traced processes (see maps.c).
 */
#ifndef ZCL_MAPS_H
#define ZCL_MAPS_H

#include <stdint.h>
#include <sys/types.h>

/* Forget every mapping. Can't fail. */
void zcl_map_reset(void);

/* The watched file (its slot) mapped at addr in process tgid, or -1. */
int zcl_map_lookup(pid_t tgid, uint64_t addr);

/* Remember [start, end) of tgid as a mapping of watched file w (pinned in
 * pcwatch while mapped). Only out of memory drops it (counted in
 * zcl_map_lost; its writes then count as plain memory). */
void zcl_map_add(pid_t tgid, uint64_t start, uint64_t end, int w);

/* Forget [start, end) of tgid: entries are trimmed or split. */
void zcl_map_remove(pid_t tgid, uint64_t start, uint64_t end);

/* fork: the child starts with a copy of the parent's mappings. */
void zcl_map_copy(pid_t from, pid_t to);

/* Mappings dropped for want of memory this run. */
uint64_t zcl_map_lost(void);

/* The page-rounded end of [start, start+len). */
uint64_t zcl_page_end(uint64_t start, uint64_t len);

#endif
