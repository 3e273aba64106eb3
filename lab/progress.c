/*
 * progress.c - the passed-stages file, ROOT/.zcl-progress.
 *
 * The file is small text a student may read (and may break): one line
 * "NN-slug 0123456789abcdef" per passed stage. Anything unexpected in it
 * counts as no progress at all, which is safe: the stages are simply
 * checked again. Writes go to a temporary file that is renamed over the
 * old one, so a crash mid-write leaves the old file or the new, never half.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "fingerprint.h"
#include "progress.h"

int zcl_progress_hash_file(const char *path, uint64_t *hash)
{
	uint64_t h = ZCL_FNV_START;
	if (zcl_fnv_read(&h, path) < 0)
		return -1;
	*hash = h;
	return 0;
}

static void progress_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", zcl_root(), ZCL_PROGRESS_FILE);
}

static void stage_name(const struct zcl_stage *s, char *buf, size_t len)
{
	snprintf(buf, len, "%02d-%s", s->num, s->slug);
}

/* "NN-slug": two digits, a dash, then letters, digits, '-' or '_'. */
static bool name_ok(const char *name)
{
	if (!(name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == '-'))
		return false;
	if (!name[3])
		return false;
	for (const char *c = name + 3; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	return true;
}

/* One line into p's next slot. false when the line is not "NN-slug <16 hex>". */
static bool parse_line(struct zcl_progress *p, char *line)
{
	size_t len = strlen(line);
	if (len == 0 || line[len - 1] != '\n')
		return false; /* cut short: the file was truncated */
	line[--len] = 0;
	char *sp = strchr(line, ' ');
	if (!sp || (size_t)(sp - line) >= sizeof p->passed[0].name || strlen(sp + 1) != 16)
		return false;
	*sp = 0;
	if (!name_ok(line) || strspn(sp + 1, "0123456789abcdef") != 16)
		return false;
	if (p->n >= ZCL_PROGRESS_MAX)
		return false;
	snprintf(p->passed[p->n].name, sizeof p->passed[p->n].name, "%s", line);
	p->passed[p->n].hash = strtoull(sp + 1, NULL, 16);
	p->n++;
	return true;
}

void zcl_progress_load(struct zcl_progress *p)
{
	char path[PATH_MAX];
	progress_path(path, sizeof path);
	p->n = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[128];
	while (fgets(line, sizeof line, f))
		if (!parse_line(p, line)) {
			p->n = 0; /* garbled: no progress, the stages are checked again */
			break;
		}
	if (ferror(f))
		p->n = 0;
	fclose(f);
}

/* The index of name in p, or -1. */
static int find(const struct zcl_progress *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp(p->passed[i].name, name) == 0)
			return i;
	return -1;
}

/* Write p to the progress file through a temporary file and rename(2). */
static int save(const struct zcl_progress *p)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	progress_path(path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	for (int i = 0; i < p->n; i++)
		fprintf(f, "%s %016llx\n", p->passed[i].name, (unsigned long long)p->passed[i].hash);
	int e = 0;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		e = errno;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int zcl_progress_mark(const struct zcl_stage *s, uint64_t hash)
{
	struct zcl_progress p;
	char name[64];
	zcl_progress_load(&p);
	stage_name(s, name, sizeof name);
	int i = find(&p, name);
	if (i < 0) {
		if (p.n >= ZCL_PROGRESS_MAX) {
			errno = ENOSPC;
			return -1;
		}
		i = p.n++;
		snprintf(p.passed[i].name, sizeof p.passed[i].name, "%s", name);
	}
	p.passed[i].hash = hash;
	return save(&p);
}

int zcl_progress_forget(const struct zcl_stage *s)
{
	struct zcl_progress p;
	char name[64];
	zcl_progress_load(&p);
	stage_name(s, name, sizeof name);
	int i = find(&p, name);
	if (i < 0)
		return 0;
	p.passed[i] = p.passed[--p.n];
	return save(&p);
}

bool zcl_progress_verified(const struct zcl_stage *s)
{
	struct zcl_progress p;
	char name[64], src[PATH_MAX];
	uint64_t now;
	zcl_progress_load(&p);
	stage_name(s, name, sizeof name);
	int i = find(&p, name);
	if (i < 0)
		return false;
	zcl_stage_source(s, false, src, sizeof src);
	return zcl_progress_hash_file(src, &now) == 0 && now == p.passed[i].hash;
}
