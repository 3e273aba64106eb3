/*
 * test_tables.c - the collector's tables grow with the traced program:
 * the hash map under them, the mappings of a process, the watched files
 * (more than the lab may keep open at once), the per-thread table; and
 * the tables sized by the stage manifest hold every stage in it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "htab.h"
#include "input.h"
#include "maps.h"
#include "pagecache.h"
#include "pcwatch.h"
#include "stages.h"
#include "state.h"
#include "tasks.h"

Test(tables, the_hash_map_keeps_every_key_through_growth_and_deletes)
{
	struct zcl_htab h = {0};
	enum { N = 20000 };
	for (uint32_t i = 0; i < N; i++)
		cr_assert_eq(zcl_htab_put(&h, i * 7919u, i % 3, i), 0);
	for (uint32_t i = 0; i < N; i += 2)
		cr_assert(zcl_htab_del(&h, i * 7919u, i % 3));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v = 0;
		bool there = zcl_htab_get(&h, i * 7919u, i % 3, &v);
		cr_assert_eq(there, i % 2 == 1, "key %u", i);
		if (there)
			cr_assert_eq(v, i);
	}
	cr_expect_eq(h.n, N / 2);
	uint32_t v;
	cr_expect_not(zcl_htab_get(&h, 7919u, 2, &v), "the second word is part of the key");
	zcl_htab_free(&h);
}

Test(tables, a_process_may_map_thousands_of_windows_and_cut_holes)
{
	zcl_map_reset();
	for (uint64_t i = 0; i < 3000; i++)
		zcl_map_add(42, 0x100000 + i * 0x10000, 0x100000 + i * 0x10000 + 0x8000, (int)(i % 5));
	cr_expect_eq(zcl_map_lookup(42, 0x100000 + 2999 * 0x10000 + 10), 4, "the last of 3000 is found");
	zcl_map_remove(42, 0x100000 + 0x2000, 0x100000 + 0x3000); /* a hole in the first */
	cr_expect_eq(zcl_map_lookup(42, 0x100000 + 0x1000), 0, "before the hole");
	cr_expect_eq(zcl_map_lookup(42, 0x100000 + 0x2800), -1, "in the hole");
	cr_expect_eq(zcl_map_lookup(42, 0x100000 + 0x4000), 0, "after the hole");
	zcl_map_copy(42, 43);
	cr_expect_eq(zcl_map_lookup(43, 0x100000 + 1500 * 0x10000), 0, "fork copies them all");
	zcl_map_remove(42, 0, UINT64_MAX);
	cr_expect_eq(zcl_map_lookup(42, 0x100000 + 0x1000), -1);
	cr_expect_eq(zcl_map_lookup(43, 0x100000 + 0x1000), 0, "the child keeps its copy");
	cr_expect_eq(zcl_map_lost(), 0);
	zcl_map_reset();
}

/* More files than the lab keeps descriptors for: each one's fill is still
 * measured, through a reopen. */
Test(tables, fills_are_measured_past_the_descriptor_budget)
{
	struct rlimit rl = {64, 64}, old;
	getrlimit(RLIMIT_NOFILE, &old);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0); /* budget: 16 descriptors */
	enum { FILES = 40, SIZE = 16384 };
	char dir[] = "/var/tmp/zcl-pcw-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	int ids[FILES];
	zcl_pcw_reset();
	for (int i = 0; i < FILES; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s/f%d", dir, i);
		cr_assert_eq(zcl_gen_file(p, (uint64_t)i, SIZE), 0);
		int fd = open(p, O_RDONLY);
		struct stat st;
		fstat(fd, &st);
		zcl_pc_evict(fd);
		ids[i] = zcl_pcw_fd(getpid(), fd, st.st_dev, st.st_ino);
		cr_assert_geq(ids[i], 0, "file %d is watched", i);
		char buf[SIZE];
		cr_assert_eq(read(fd, buf, sizeof buf), SIZE);
		uint64_t fill = zcl_pcw_fill(ids[i]);
		if (zcl_pc_on_tmpfs(fd))
			cr_expect_eq(fill, 0, "tmpfs: nothing comes from a disk");
		else
			cr_expect_eq(fill, SIZE, "file %d: the whole file came in (%llu)", i, (unsigned long long)fill);
		close(fd); /* the file stays: its inode number is not given away */
	}
	struct zcl_pcw_stats s = zcl_pcw_stats();
	cr_expect_eq(s.files, FILES);
	cr_expect_leq(s.open_fds, s.fd_budget, "never more descriptors than the budget");
	cr_expect_eq(s.unwatched, 0);
	zcl_pcw_reset();
	cr_expect_eq(zcl_pcw_stats().files, 0, "freed at the end of the run");
	for (int i = 0; i < FILES; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s/f%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
	setrlimit(RLIMIT_NOFILE, &old);
}

Test(tables, threads_are_remembered_and_forgotten)
{
	zcl_tasks_reset();
	cr_expect_eq(zcl_task_tgid(getpid()), getpid());
	cr_expect(zcl_task_known(getpid()));
	cr_expect_not(zcl_task_known(1234567));
	struct zcl_taskio *t = zcl_taskio_of(getpid(), getpid()), now;
	cr_assert_not_null(t);
	cr_assert_eq(zcl_taskio_sample(t, &now), 0);
	char buf[100];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	struct zcl_taskio later;
	cr_assert_eq(zcl_taskio_sample(zcl_taskio_of(getpid(), getpid()), &later), 0);
	cr_expect_geq(later.rchar - now.rchar, (uint64_t)n, "rchar moved by the read");
	zcl_cork_set(77, true);
	cr_expect(zcl_cork_get(77));
	cr_expect_not(zcl_cork_get(78));
	zcl_task_forget(getpid());
	cr_expect_not(zcl_task_known(getpid()));
	zcl_tasks_reset();
}

Test(tables, the_comparison_view_has_a_row_for_every_stage_of_the_manifest)
{
	size_t n;
	const struct zcl_stage *st = zcl_stages(&n);
	struct zcl_viz_state s;
	for (size_t i = 0; i < n; i++)
		cr_expect(st[i].num >= 1 && (size_t)st[i].num <= sizeof s.rows / sizeof s.rows[0],
			  "stage %d has no row in the comparison view: grow ZCL_VIZ_MAX_STAGES", st[i].num);
}

/* A call a signal interrupts ends, at its exit stop, with a kernel restart
 * code the program never sees: named as strace names it, never "?". */
Test(tables, errors_are_named_with_the_kernels_restart_codes)
{
	cr_expect_str_eq(zcl_errno_name(516), "ERESTART_RESTARTBLOCK");
	cr_expect_str_eq(zcl_errno_name(512), "ERESTARTSYS");
	cr_expect_str_eq(zcl_errno_words(512), "To be restarted if SA_RESTART is set");
	cr_expect_str_eq(zcl_errno_name(2), "ENOENT");
	cr_expect_str_eq(zcl_errno_words(2), "No such file or directory");
	cr_expect_str_eq(zcl_errno_name(4000), "?");
	cr_expect_str_eq(zcl_errno_words(4000), "unknown error");
}
