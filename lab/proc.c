/*
 * proc.c - see proc.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

ssize_t zcl_proc_slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

long zcl_proc_field(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ':')
			return strtol(p + k + 1, NULL, 10);
	return -1;
}

long zcl_proc_status(pid_t pid, const char *key)
{
	char path[64], text[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	return zcl_proc_slurp(path, text, sizeof text) > 0 ? zcl_proc_field(text, key) : -1;
}

void zcl_proc_comm(pid_t pid, char *name, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (zcl_proc_slurp(path, name, len) <= 0)
		snprintf(name, len, "?");
	name[strcspn(name, "\n")] = 0;
}

pid_t zcl_proc_parent(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (zcl_proc_slurp(path, buf, sizeof buf) <= 0)
		return 0;
	const char *p = strrchr(buf, ')'); /* the name may hold anything but ends there */
	return p && p[1] && p[2] ? (pid_t)strtol(p + 3, NULL, 10) : 0;
}
