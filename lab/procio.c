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
#include "proc.h"

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
	if (zcl_proc_slurp(path, buf, sizeof buf) > 0) {
		io->vol_cs = field(buf, "\nvoluntary_ctxt_switches:\t");
		io->invol_cs = field(buf, "nonvoluntary_ctxt_switches:\t");
	}
	return 0;
}

int zcl_procio_read_io(pid_t pid, struct zcl_procio *io)
{
	char path[64], buf[4096];
	memset(io, 0, sizeof *io);
	snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
	if (zcl_proc_slurp(path, buf, sizeof buf) <= 0)
		return -1;
	io->rchar = field(buf, "rchar: ");
	io->wchar = field(buf, "wchar: ");
	io->syscr = field(buf, "syscr: ");
	io->syscw = field(buf, "syscw: ");
	io->read_bytes = field(buf, "\nread_bytes: ");
	io->write_bytes = field(buf, "\nwrite_bytes: ");
	io->valid = true;
	return 0;
}
