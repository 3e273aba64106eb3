/*
 * test_grow.c - the lab's one way of growing an array (grow.h).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

Test(grow, an_array_starts_at_first_then_doubles_keeping_what_it_holds)
{
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 100; i++) {
		if (n == cap)
			cr_assert_eq(ZCL_GROW(v, cap, 3), 0);
		v[n++] = i;
		if (i == 0)
			cr_assert_eq(cap, 3, "the first size");
	}
	cr_assert_eq(cap, 192, "3, 6, 12, ... 192");
	for (int i = 0; i < 100; i++)
		cr_assert_eq(v[i], i);
	free(v);
}

Test(grow, a_size_past_memory_fails_and_leaves_the_array_as_it_was)
{
	char *v = malloc(4);
	size_t cap = 4;
	cr_assert_not_null(v);
	v[0] = 'x';
	errno = 0;
	cr_assert_eq(zcl_grow(&v, &cap, SIZE_MAX / 4, 1), -1);
	cr_assert_eq(errno, ENOMEM);
	cr_assert_eq(cap, 4);
	cr_assert_eq(v[0], 'x', "still the caller's, untouched");
	free(v);
}
