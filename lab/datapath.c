/*
 * datapath.c - tell the lab's data path from the program's other I/O.
 *
 * For each data call the question is: were these bytes the lab's? A call
 * touching the input file or the socket, or writing from the input's
 * mapping, is on the path. Any other object (a log file, stderr, a pipe, a
 * temporary file) is followed by (device, inode): the lab's bytes moved
 * into it taint it, and copies out of a tainted object are on the path; CPU
 * copies into an untainted object wait as "pending" and join the path if
 * the object ever feeds the socket. What never joins it is the program's
 * own I/O, shown in the note and not scored.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"
#include "fdclass.h"

/* The object behind descriptor arg of r, or NULL (user memory, no object,
 * or the table is full: *full is then set). */
static struct zcl_dp_object *object(struct zcl_datapath *d, const struct zcl_sysrec *r, int arg,
				    bool *full)
{
	if (arg < 0)
		return NULL;
	long fd = (long)(int)r->args[arg];
	dev_t dev;
	ino_t ino;
	struct zcl_fdinfo fi = zcl_fd_class(r->pid, fd, &dev, &ino);
	if (fi.kind == ZF_NONE)
		return NULL;
	for (int i = 0; i < d->nobj; i++)
		if (d->obj[i].dev == dev && d->obj[i].ino == ino)
			return &d->obj[i];
	if (d->nobj >= ZCL_DATAPATH_OBJECTS) {
		*full = true;
		return NULL;
	}
	struct zcl_dp_object *o = &d->obj[d->nobj++];
	memset(o, 0, sizeof *o);
	o->dev = dev;
	o->ino = ino;
	if (fd == 1 || fd == 2) {
		snprintf(o->name, sizeof o->name, "stdout/stderr");
		return o;
	}
	char link[64], path[PATH_MAX] = "", cwd[PATH_MAX] = "";
	snprintf(link, sizeof link, "/proc/%d/fd/%ld", (int)r->pid, fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	path[n > 0 ? n : 0] = 0;
	snprintf(link, sizeof link, "/proc/%d/cwd", (int)r->pid);
	n = readlink(link, cwd, sizeof cwd - 1);
	cwd[n > 0 ? n : 0] = 0;
	size_t cl = strlen(cwd);
	const char *show = path[0] ? path : "an unnamed object";
	if (cl > 1 && strncmp(path, cwd, cl) == 0 && path[cl] == '/')
		show = path + cl + 1; /* relative to the program's directory */
	snprintf(o->name, sizeof o->name, "%s", show);
	return o;
}

static bool is_lab(const struct zcl_fdinfo *f)
{
	return f->lab_input || f->lab_socket;
}

uint64_t zcl_datapath_step(struct zcl_datapath *d, const struct zcl_sysrec *r,
			   const struct zcl_rule *rule, uint64_t cpu)
{
	uint64_t n = r->ret > 0 ? (uint64_t)r->ret : 0;
	bool full = false;
	struct zcl_dp_object *src = is_lab(&r->in) ? NULL : object(d, r, rule->in_fd, &full);
	struct zcl_dp_object *dst = is_lab(&r->out) ? NULL : object(d, r, rule->out_fd, &full);
	if (full) {
		d->untracked_cpu += cpu;
		return cpu; /* cannot follow it: count it, and say so */
	}
	if (src)
		src->read += n;
	if (dst)
		dst->written += n;
	if (is_lab(&r->out)) { /* into the socket (or the input itself) */
		uint64_t fed = 0;
		if (src) { /* what it cost to get the bytes into src joins the path */
			fed = src->pending;
			src->pending = 0;
			src->feeds = true;
		}
		return cpu + fed;
	}
	if (is_lab(&r->in) || r->src_in_filemap || (src && src->tainted)) {
		if (dst)
			dst->tainted = true; /* the lab's bytes are in it now */
		return cpu;
	}
	if (dst && (dst->feeds || dst->tainted))
		return cpu;
	if (dst)
		dst->pending += cpu + (src ? src->pending : 0);
	return 0; /* the program's own I/O (so far) */
}

void zcl_datapath_note(const struct zcl_datapath *d, char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = 0;
	for (int i = 0; i < d->nobj && used < len; i++) {
		const struct zcl_dp_object *o = &d->obj[i];
		if (o->tainted || o->feeds || (!o->written && !o->read))
			continue;
		char what[160];
		if (o->written && o->read)
			snprintf(what, sizeof what, "wrote %llu bytes to and read %llu bytes from %s",
				 (unsigned long long)o->written, (unsigned long long)o->read, o->name);
		else if (o->written)
			snprintf(what, sizeof what, "wrote %llu bytes to %s", (unsigned long long)o->written, o->name);
		else
			snprintf(what, sizeof what, "read %llu bytes from %s", (unsigned long long)o->read, o->name);
		int w = snprintf(buf + used, len - used, "%s%s", used ? "; " : "your program also ", what);
		if (w > 0)
			used += (size_t)w;
	}
	if (used && used < len) {
		int w = snprintf(buf + used, len - used, ": not part of the target, not scored");
		if (w > 0)
			used += (size_t)w;
	}
	if (d->untracked_cpu && used < len)
		snprintf(buf + used, len - used, "%smore than %d files and pipes: %llu CPU bytes on the ones past "
			 "that were counted towards the target", used ? "; " : "",
			 ZCL_DATAPATH_OBJECTS, (unsigned long long)d->untracked_cpu);
}
