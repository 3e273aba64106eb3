/*
 * uring_abi.h - <linux/io_uring.h>, with the flags the lab checks defined
 * where the installed headers are older than the kernel that may run the
 * program (include/uapi/linux/io_uring.h, Linux 6.5+). For sandbox.c's
 * refusals and uring.c's decoding alike.
 */
#ifndef ZCL_URING_ABI_H
#define ZCL_URING_ABI_H

#include <linux/io_uring.h>

#ifndef IORING_SETUP_NO_MMAP
#define IORING_SETUP_NO_MMAP (1U << 14)
#endif
#ifndef IORING_SETUP_REGISTERED_FD_ONLY
#define IORING_SETUP_REGISTERED_FD_ONLY (1U << 15)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif
#ifndef IORING_ENTER_REGISTERED_RING
#define IORING_ENTER_REGISTERED_RING (1U << 4)
#endif

#endif
