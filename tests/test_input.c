/*
 * test_input.c - the seeded input stream and the expected-bytes view.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "input.h"

Test(input, same_seed_same_bytes_other_seed_other_bytes)
{
	uint8_t a[256], b[256], c[256];
	zcl_gen(1, 0, a, sizeof a);
	zcl_gen(1, 0, b, sizeof b);
	zcl_gen(2, 0, c, sizeof c);
	cr_expect_arr_eq(a, b, sizeof a);
	cr_expect_neq(memcmp(a, c, sizeof a), 0);
}

Test(input, any_offset_gives_the_same_bytes_as_a_full_read)
{
	uint8_t whole[1000], part[333];
	zcl_gen(9, 0, whole, sizeof whole);
	zcl_gen(9, 101, part, sizeof part);
	cr_expect_arr_eq(part, whole + 101, sizeof part);
}

Test(input, expected_stream_is_header_then_content)
{
	struct zcl_expect e = {.header = "HDR", .header_len = 3, .seed = 5, .size = 10};
	uint8_t got[13], body[10];
	zcl_expect_bytes(&e, 0, got, sizeof got);
	zcl_gen(5, 0, body, sizeof body);
	cr_expect_arr_eq(got, "HDR", 3);
	cr_expect_arr_eq(got + 3, body, 10);
	zcl_expect_bytes(&e, 2, got, 4); /* straddles the boundary */
	cr_expect_eq(got[0], 'R');
	cr_expect_arr_eq(got + 1, body, 3);
}
