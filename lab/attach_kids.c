/*
 * attach_kids.c - a process's children at attach, looked for again at the
 * end (see attach_kids.h for why). /proc/PID/stat's ppid field (proc(5))
 * tells a process's parent; every process is scanned, as /proc keeps no
 * list of children that all kernels have (task/TID/children needs
 * CONFIG_PROC_CHILDREN).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>

#include "attach.h"
#include "attach_kids.h"

static struct {
	pid_t *v;
	size_t n, cap;
} kids;

void zcl_kids_note(pid_t parent)
{
	DIR *d = opendir("/proc");
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid <= 0 || zcl_proc_parent(pid) != parent)
			continue;
		if (kids.n == kids.cap) {
			size_t cap = kids.cap ? 2 * kids.cap : 16;
			pid_t *v = realloc(kids.v, cap * sizeof *v);
			if (!v)
				break;
			kids.v = v, kids.cap = cap;
		}
		kids.v[kids.n++] = pid;
	}
	closedir(d);
}

bool zcl_kids_one_ended(pid_t parent)
{
	for (size_t i = 0; i < kids.n; i++)
		if (zcl_proc_parent(kids.v[i]) != parent)
			return true;
	return false;
}

void zcl_kids_free(void)
{
	free(kids.v);
	kids.v = NULL;
	kids.n = kids.cap = 0;
}
