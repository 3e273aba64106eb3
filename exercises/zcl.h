/*
 * zcl.h - what Zero-Copy Lab hands your stage function.
 *
 * You never write main(): the lab compiles your exercise together with its
 * harness (lab/harness.c). The harness opens nothing itself; the lab gives it
 * the input (a file, or a pipe) and the outputs (a connected TCP socket whose
 * far end checks every byte, two of them, or an output file it checks after).
 * The harness marks the start and the end of your function with a marker
 * syscall, and the lab counts every copy and mode switch in between.
 */
#ifndef ZCL_H
#define ZCL_H

#include <stddef.h>

/* Return this from a stage you have not written yet: verdict "not-implemented". */
#define ZCL_TODO (-77)

/*
 * Stages 1-3: send the whole input file to the socket.
 *   file_fd  the input file, opened read-only, offset 0
 *   sock_fd  a connected TCP socket (loopback); the receiver reads it
 *   size     the file's size in bytes (may be 0)
 * Return 0 once all `size` bytes were handed to the socket, -1 on error with
 * errno set. Do not close either descriptor: the harness does.
 */
int send_file(int file_fd, int sock_fd, size_t size);

/*
 * Stage 4: send an HTTP-style response: `header` (header_len bytes, not
 * NUL-terminated on the wire) followed by the whole input file.
 * Same contract as send_file().
 */
int send_response(int sock_fd, const char *header, size_t header_len,
                  int file_fd, size_t size);

/*
 * Stage 6: send the live stream on in_pipe (a pipe the lab writes `size`
 * bytes into, then closes) to both connected sockets: every byte to each.
 * Same return contract as send_file(). Do not close the three descriptors.
 */
int broadcast(int in_pipe, int sock_a, int sock_b, size_t size);

/*
 * Stage 7: copy the whole input file into out_fd, an empty file the lab
 * opened for writing on the same filesystem, starting at its offset 0.
 *   in_fd   the input file, opened read-only, offset 0
 *   out_fd  the output file, opened write-only, empty
 *   size    the input's size in bytes (may be 0)
 * Return 0 once out_fd holds exactly the input, -1 on error with errno set.
 */
int copy_file(int in_fd, int out_fd, size_t size);

/*
 * Stage 8: send the len bytes at buf (the input, which the lab read into
 * memory for you) to the connected TCP socket sock_fd.
 * Return 0 once every byte was sent and the kernel gave every page back,
 * -1 on error with errno set. Do not free buf or close sock_fd.
 */
int send_buffer(int sock_fd, const void *buf, size_t len);

/* Stage 9 is send_file() again (file -> socket), through io_uring. */

#endif
