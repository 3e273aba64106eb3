/*
 * procio.c - the kernel's own accounting of a process: /proc/PID/io (bytes
 * and calls through read- and write-type syscalls) and the scheduler's
 * context switches from /proc/PID/status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

static uint64_t field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

int zcl_procio_read(pid_t pid, struct zcl_procio *io)
{
	if (zcl_procio_read_io(pid, io) < 0)
		return -1;
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			io->vol_cs = field(buf, "\nvoluntary_ctxt_switches:\t");
			io->invol_cs = field(buf, "nonvoluntary_ctxt_switches:\t");
		}
	}
	return 0;
}

int zcl_procio_read_io(pid_t pid, struct zcl_procio *io)
{
	char path[64], buf[4096];
	memset(io, 0, sizeof *io);
	snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	io->rchar = field(buf, "rchar: ");
	io->wchar = field(buf, "wchar: ");
	io->syscr = field(buf, "syscr: ");
	io->syscw = field(buf, "syscw: ");
	io->read_bytes = field(buf, "\nread_bytes: ");
	io->write_bytes = field(buf, "\nwrite_bytes: ");
	io->valid = true;
	return 0;
}
