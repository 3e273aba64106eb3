/*
 * progress.h - which stages the student has passed, kept in ROOT/.zcl-progress.
 *
 * One line per passed stage: "NN-slug <FNV-1a 64 of the exercise's bytes>".
 * Progress is re-verified, never trusted: a stage counts as done only while
 * its exercise file still has the bytes that passed. Edit a passed exercise
 * and it is pending again until it is re-checked.
 */
#ifndef ZCL_PROGRESS_H
#define ZCL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "stages.h"

#define ZCL_PROGRESS_FILE ".zcl-progress" /* in zcl_root() */
#define ZCL_PROGRESS_MAX 32               /* lines kept; more make the file garbled */

struct zcl_progress {
	int n;
	struct {
		char name[64];   /* "NN-slug" */
		uint64_t hash;   /* of the exercise file when it passed */
	} passed[ZCL_PROGRESS_MAX];
};

/* FNV-1a 64 of a file's bytes into *hash. 0, or -1 with errno (missing,
 * unreadable). */
int zcl_progress_hash_file(const char *path, uint64_t *hash);

/* Read ROOT/.zcl-progress into p. A missing, unreadable or garbled file is
 * no progress (p->n = 0): it can't fail. */
void zcl_progress_load(struct zcl_progress *p);

/* Record that stage s passed while its exercise had this hash (hash the file
 * before the run, so a save during the run is not credited), replacing any
 * older line for s, and rewrite the file atomically (temporary file, then
 * rename). 0, or -1 with errno (lab root not writable: the progress is then
 * simply not kept). */
int zcl_progress_mark(const struct zcl_stage *s, uint64_t hash);

/* Drop stage s's line (a re-check of the same bytes failed). 0, or -1 with
 * errno as for zcl_progress_mark. */
int zcl_progress_forget(const struct zcl_stage *s);

/* True only if s passed with exactly the bytes its exercise file has now.
 * Reads the progress file and hashes the exercise on each call; a missing
 * file of either kind is false. Can't fail. */
bool zcl_progress_verified(const struct zcl_stage *s);

#endif
