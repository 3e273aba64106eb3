/*
 * watch.c - inotify on ROOT/exercises, with a debounce.
 *
 * Editors save in different ways: write in place (IN_CLOSE_WRITE), write a
 * temporary file and rename it over the exercise (IN_MOVED_TO), or move the
 * old file away and create a new one (IN_CREATE, then IN_CLOSE_WRITE). Each
 * event on a stage's file restarts that stage's quiet timer; when it has
 * been quiet for ZCL_WATCH_DEBOUNCE_MS the change is reported once. If the
 * directory itself is removed or renamed (an unpacked tarball, a restored
 * copy) the watch re-attaches when it is back and reports every stage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "grader.h"
#include "progress.h"
#include "stages.h"
#include "watch.h"

#define FILE_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
#define DIR_EVENTS (IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define REATTACH_MS 250 /* how often to look for a vanished exercises/ */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The stage whose exercise file is called name, or 0. */
static int stage_of(const char *name)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	char want[128];
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof want, "%02d-%s.c", s[i].num, s[i].slug);
		if (strcmp(name, want) == 0 && s[i].num > 0 && s[i].num <= ZCL_WATCH_MAX_STAGE)
			return s[i].num;
	}
	return 0;
}

/* Every stage whose exercise exists counts as changed now (events were
 * lost, or the directory was replaced). */
static void touch_all(struct zcl_watch *w)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	int64_t t = now_ns();
	char src[PATH_MAX];
	for (size_t i = 0; i < n; i++) {
		zcl_stage_source(&s[i], false, src, sizeof src);
		if (s[i].num > 0 && s[i].num <= ZCL_WATCH_MAX_STAGE && access(src, F_OK) == 0)
			w->last_ns[s[i].num] = t;
	}
}

static int attach(struct zcl_watch *w)
{
	w->wd = inotify_add_watch(w->fd, w->dir, FILE_EVENTS | DIR_EVENTS);
	return w->wd < 0 ? -1 : 0;
}

int zcl_watch_open(struct zcl_watch *w)
{
	memset(w, 0, sizeof *w);
	w->wd = -1;
	snprintf(w->dir, sizeof w->dir, "%s/exercises", zcl_root());
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(w->err, sizeof w->err, "inotify unavailable: inotify_init1: %s: "
			 "saves are not noticed, press r to re-check", strerror(errno));
		return -1;
	}
	if (attach(w) < 0) {
		int e = errno;
		snprintf(w->err, sizeof w->err, "inotify unavailable: %.300s: %s: "
			 "saves are not noticed, press r to re-check", w->dir,
			 e == ENOSPC ? "the inotify watch limit is reached "
				       "(fs.inotify.max_user_watches)" : strerror(e));
		zcl_watch_close(w);
		return -1;
	}
	return 0;
}

int zcl_watch_fd(const struct zcl_watch *w)
{
	return w->fd;
}

int zcl_watch_timeout(const struct zcl_watch *w)
{
	int64_t t = now_ns(), soonest = -1;
	for (int s = 1; s <= ZCL_WATCH_MAX_STAGE; s++) {
		if (!w->last_ns[s])
			continue;
		int64_t left = w->last_ns[s] + (int64_t)ZCL_WATCH_DEBOUNCE_MS * 1000000 - t;
		if (left < 0)
			left = 0;
		if (soonest < 0 || left < soonest)
			soonest = left;
	}
	int ms = soonest < 0 ? -1 : (int)((soonest + 999999) / 1000000);
	if (w->fd >= 0 && w->wd < 0 && (ms < 0 || ms > REATTACH_MS))
		ms = REATTACH_MS; /* exercises/ vanished: look for it again soon */
	return ms;
}

/* Read every queued event without blocking. 0, or -1 with w->err set. */
static int drain(struct zcl_watch *w)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			snprintf(w->err, sizeof w->err, "watch: read inotify: %s",
				 n < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		int64_t t = now_ns();
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				touch_all(w); /* events were lost: assume everything changed */
				continue;
			}
			if (ev->wd != w->wd)
				continue; /* a watch already dropped */
			if (ev->mask & IN_MOVE_SELF)
				inotify_rm_watch(w->fd, w->wd); /* follow the path, not the inode */
			if (ev->mask & (IN_MOVE_SELF | IN_IGNORED)) {
				w->wd = -1;
				continue;
			}
			int s = (ev->len && !(ev->mask & IN_ISDIR)) ? stage_of(ev->name) : 0;
			if (s && (ev->mask & FILE_EVENTS))
				w->last_ns[s] = t;
		}
	}
}

/* The lowest stage that has been quiet long enough, or 0. */
static int settled(const struct zcl_watch *w, int64_t t)
{
	for (int s = 1; s <= ZCL_WATCH_MAX_STAGE; s++)
		if (w->last_ns[s] && t - w->last_ns[s] >= (int64_t)ZCL_WATCH_DEBOUNCE_MS * 1000000)
			return s;
	return 0;
}

int zcl_watch_changed(struct zcl_watch *w, int timeout_ms, int *stage_num)
{
	if (w->fd < 0) {
		snprintf(w->err, sizeof w->err, "watch: not open");
		return -1;
	}
	int64_t deadline = timeout_ms < 0 ? -1 : now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		if (w->wd < 0 && attach(w) == 0)
			touch_all(w); /* exercises/ is back, maybe with new files */
		if (drain(w) < 0)
			return -1;
		int64_t t = now_ns();
		int s = settled(w, t);
		if (s) {
			w->last_ns[s] = 0;
			*stage_num = s;
			return 1;
		}
		int wait = zcl_watch_timeout(w);
		if (deadline >= 0) {
			if (t >= deadline)
				return 0;
			int left = (int)((deadline - t + 999999) / 1000000);
			if (wait < 0 || left < wait)
				wait = left;
		}
		struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR)
				return 0; /* the caller has a signal to look at (a resize) */
			snprintf(w->err, sizeof w->err, "watch: poll: %s", strerror(errno));
			return -1;
		}
	}
}

void zcl_watch_close(struct zcl_watch *w)
{
	if (w->fd >= 0)
		close(w->fd); /* drops the watch with it */
	w->fd = -1;
	w->wd = -1;
}

int zcl_watch_first_pending(void)
{
	size_t n;
	const struct zcl_stage *s = zcl_stages(&n);
	for (size_t i = 0; i < n; i++)
		if (!zcl_progress_verified(&s[i]))
			return s[i].num;
	return 0;
}

bool zcl_watch_full_grade(const struct zcl_stage *s, uint64_t seed, double timeout_s,
			  double *score, double *max, char *why, size_t len)
{
	struct zcl_grade *g = malloc(sizeof *g); /* large: off the stack */
	*score = *max = 0;
	if (len)
		why[0] = 0;
	if (!g) {
		snprintf(why, len, "grade: out of memory");
		return false;
	}
	bool full = false;
	if (zcl_grade_run(g, s->num, false, seed, timeout_s) < 0 || g->nstages != 1) {
		snprintf(why, len, "grade: %s", g->internal_error);
	} else {
		const struct zcl_stage_result *sr = &g->stages[0];
		*score = sr->score;
		*max = sr->max_score;
		full = sr->score == sr->max_score;
		for (int i = 0; i < sr->ntests && !why[0]; i++) {
			const struct zcl_test_result *t = &sr->tests[i];
			if (t->score < t->max_score || t->status == ZT_FAILED)
				snprintf(why, len, "%s: %.*s", t->name + strcspn(t->name, ":") + 2,
					 (int)strcspn(t->output, "\n"), t->output);
		}
	}
	free(g);
	return full;
}
