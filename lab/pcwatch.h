/*
 * pcwatch.h - the files whose page-cache fills the lab measures.
 *
 * Every regular file a traced call touches gets an entry, found by
 * (device, inode), kept for the whole run and freed at its end: however
 * many files a program opens (a shell loading its locale, tar walking a
 * tree), each one's fills are measured. The lab keeps its own descriptor
 * on a file only while it is in use (see pcwatch.c); an entry whose
 * descriptor had to be closed is reopened through the program's one.
 */
#ifndef ZCL_PCWATCH_H
#define ZCL_PCWATCH_H

#include <stdint.h>
#include <sys/types.h>

/* Watch the file behind pid's descriptor fd, identified by (dev, ino).
 * Returns its id (>= 0, stable for the run), or -1 when the file cannot be
 * opened (it is then counted in zcl_pcw_stats().unwatched). The first
 * sight measures the residency the fills are counted from. */
int zcl_pcw_fd(pid_t pid, long fd, dev_t dev, ino_t ino);

/* Bytes that entered the page cache since the last measurement of file id
 * (residency now minus then; 0 if it shrank). 0 for a bad id, or when the
 * lab's descriptor was closed and the program's is gone (counted in
 * unmeasured). Can't fail otherwise. */
uint64_t zcl_pcw_fill(int id);

/* A mapping of file id exists (pin) or went away (unpin): a pinned file's
 * descriptor is never closed, since a write from the mapping has no
 * program descriptor to reopen it through. */
void zcl_pcw_pin(int id);
void zcl_pcw_unpin(int id);

struct zcl_pcw_stats {
	uint64_t files;      /* distinct files watched this run */
	uint64_t open_fds;   /* the lab's descriptors on them right now */
	uint64_t fd_budget;  /* most descriptors the lab keeps open at once */
	uint64_t reopened;   /* times a closed descriptor was opened again */
	uint64_t unwatched;  /* files that could not be opened: their fills are not measured */
	uint64_t unmeasured; /* fills lost: no descriptor to measure through */
};
/* The counters of the current run, by value (open_fds and fd_budget as
 * of now). Can't fail. */
struct zcl_pcw_stats zcl_pcw_stats(void);

/* Close every descriptor and free the table (end of a run). Can't fail. */
void zcl_pcw_reset(void);

#endif
