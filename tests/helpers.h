/*
 * helpers.h - shared by the Criterion tests: run a stage through the
 * library, run the zcl binary as a user would, and make a throwaway lab
 * tree holding one hand-written (often hostile) exercise.
 */
#ifndef ZCL_TEST_HELPERS_H
#define ZCL_TEST_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "runner.h"

/*
 * The body of a ParameterizedTestParameters over a static case table: the
 * parameters are indices into it. Criterion copies parameters into the
 * test's process, and pointers inside the cases would not survive the trip.
 */
#define INDEX_PARAMS(table)                                                   \
	do {                                                                  \
		static int idx_[sizeof(table) / sizeof((table)[0])];          \
		for (size_t i_ = 0; i_ < sizeof idx_ / sizeof idx_[0]; i_++)  \
			idx_[i_] = (int)i_;                                   \
		return cr_make_param_array(int, idx_, sizeof idx_ / sizeof idx_[0]); \
	} while (0)

/* Run stage `num` once through zcl_run_stage and return the result (the
 * test fails if the run could not happen at all). */
struct zcl_run run_stage(int num, bool solution, uint64_t size, bool warm, bool sg,
			 enum zcl_inject inject, double timeout_s);

/* Make a temporary lab tree whose exercise for stage `num` is `src`, and
 * point ZCL_ROOT at it. Returns the tree's path (static storage). */
const char *fake_root(int num, const char *src);

/* Remove the tree fake_root made (a Criterion .fini). */
void drop_fake_root(void);

/* Run the zcl binary ($ZCL_BIN) with argv (NULL-terminated, without argv[0]);
 * capture stdout and stderr (each up to 64 KiB, static storage). Returns the
 * exit status. */
/* One test's scratch directory, /var/tmp/zcl-TAG-XXXXXX (made by
 * make_test_dir, removed by drop_test_dir: a .fini). */
extern char test_dir[64];
const char *make_test_dir(const char *tag);
void drop_test_dir(void);

/* tests/trace_prog.c built into a new test_dir (make_test_dir(tag)); the
 * program's path (static storage). */
const char *build_trace_prog(const char *tag);

/* Made-up records of the lab's own run (tests of the pace and the scene):
 * a 64 KiB read() of the lab's input into the buffer at REC_BUF that
 * returned ret and filled `filled` bytes of page cache, and a write() of
 * count bytes from buf to the lab's socket (map: from a mapping of the
 * input). */
#define REC_BUF 0x7ffd4c3e2000ull
extern const struct zcl_fdinfo rec_lab_file, rec_lab_sock; /* the lab's input and socket */
struct zcl_sysrec rec_read(int64_t ret, uint64_t filled);
struct zcl_sysrec rec_write(uint64_t buf, uint64_t count, int64_t ret, bool map, uint64_t filled);

struct cli { int status; char *out; char *err; };
struct cli run_cli(const char *const argv[]);

#endif
