/* class.h - grading a class: the students, the plan, the cache
 *
 * grader class finds the students in the layouts it knows
 * (class_input.c), keys each submission by the hash of everything its
 * grade depends on (class_plan.c), grades what the cache lacks in a pool
 * of children or as Slurm tasks (class_grade.c), then builds the
 * gradebook, the summary and the class page from the cache
 * (class_book.c, class_html.c).  The plan (OUTDIR/plan.json) is what the
 * Slurm tasks and --collect read: the students, their files and keys.
 */
#ifndef GRADER_CLASS_H
#define GRADER_CLASS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

enum class_state {
	CS_PENDING,             /* to grade */
	CS_PROBLEM,             /* cannot be graded: problem says why */
	CS_CACHED,              /* graded by an earlier run (same key) */
	CS_GRADED,              /* graded by this run */
	CS_FAILED,              /* the grader failed on it: error says why */
	CS_UNGRADED,            /* not graded: interrupted, budget, a lost task */
};

struct class_student {
	char   *id;             /* login or ID: names its files; unique */
	char   *name;           /* full name when the layout has one, or NULL */
	char   *layout;         /* "folder", "flat", "gradescope", "moodle" */
	char   *origin;         /* the path it was found at */
	char   *source;         /* the C file, or NULL */
	char   *header;         /* its hypervisor_sim.h, or NULL */
	char   *problem;        /* why it cannot be graded, or NULL */
	char    key[65];        /* sha256 of what its grade depends on */
	enum class_state state;
	char   *error;
	json_t *report;         /* the grade (grader test --json), when graded */
	unsigned ms;            /* grading time (this run or the cached one) */
};

struct class_plan {
	char   *spec_path;
	char    spec_sha[65];
	char    grader_sha[65];
	uint64_t seed;
	bool    no_valgrind;
	struct class_student *s;
	size_t  n;
};

/* Finds the students of each path (a class folder, a student folder, a
 * LOGIN.c file, a Gradescope or Moodle export) and appends them to plan,
 * sorted by id.  A path that does not exist is an error (-1, *err);
 * anything wrong with one student is that student's problem. */
int class_input_scan(struct class_plan *plan, char **paths, size_t npaths, char **err);

/* The hashes: spec, grader (this executable and the harness library),
 * and each student's key.  -1 with *err when a file cannot be read. */
int class_plan_hash(struct class_plan *plan, const char *spec_header,
		    const char *libdir, char **err);
/* OUTDIR/plan.json, written then renamed. */
int class_plan_save(const struct class_plan *plan, const char *outdir, char **err);
int class_plan_load(struct class_plan *plan, const char *outdir, char **err);
void class_plan_release(struct class_plan *plan);

/* sha256 of a file's bytes (hex), or -1 with errno. */
int class_sha256_file(const char *path, char hex[65]);

/* OUTDIR/cache/KEY.json: the grade and its provenance.  Loads the
 * students' cached grades (state CS_CACHED); returns how many. */
size_t class_cache_load(struct class_plan *plan, const char *outdir);
/* The same for one student: true when it has a grade. */
bool class_cache_load_one(struct class_student *s, const char *outdir);
char *class_cache_path(const char *outdir, const char *key, const char *ext);

/* Writes text to path through path.tmp.PID and rename(): a reader never
 * sees half a file.  0, or -1 with errno. */
int class_write_atomic(const char *path, const char *text, size_t len);

#endif /* GRADER_CLASS_H */
