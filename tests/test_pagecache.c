/*
 * test_pagecache.c - residency is measured, eviction works, reads fill.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "input.h"
#include "pagecache.h"

#define SIZE (256 * 1024)

static int make_input(char *path)
{
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert_eq(zcl_gen_file(path, 3, SIZE), 0);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	return fd;
}

Test(pagecache, cold_after_evict_warm_after_read)
{
	char path[] = "/var/tmp/zcl-pc-XXXXXX";
	int fd = make_input(path);
	int64_t left = zcl_pc_evict(fd);
	cr_assert_geq(left, 0);
	if (zcl_pc_on_tmpfs(fd)) {
		cr_expect_eq(left, SIZE, "tmpfs keeps every page: no disk to drop to");
	} else {
		cr_expect_eq(left, 0, "a disk file is fully evicted");
		char buf[4096];
		cr_assert_eq(pread(fd, buf, sizeof buf, 0), (ssize_t)sizeof buf);
		int64_t now = zcl_pc_resident(fd);
		cr_expect_geq(now, 4096, "the read page is cached");
		cr_expect_leq(now, SIZE, "never more than the file");
	}
	char all[8192];
	while (read(fd, all, sizeof all) > 0)
		;
	cr_expect_eq(zcl_pc_resident(fd), SIZE, "a full read caches the whole file");
	close(fd);
	unlink(path);
}

Test(pagecache, names_its_method)
{
	const char *m = zcl_pc_method();
	cr_expect(m[0] == 'c' || m[0] == 'm', "cachestat or mincore, got %s", m);
}
