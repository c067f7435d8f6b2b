/* grade_file.h - grade one submission: build it, run its tests, score it
 *
 * What `grader test` does between reading its options and printing its
 * report, shared with `grader mutants`, which grades many files in forked
 * children.  The spec must be loaded and valid.
 */
#ifndef GRADER_GRADE_FILE_H
#define GRADER_GRADE_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "build.h"
#include "grade.h"
#include "options.h"
#include "score.h"
#include "spec.h"

/* Called once the submission is built (or found not to build), before its
 * tests run, while b->object and the scratch directory still exist. */
typedef void grade_built_fn(const struct build *b, const struct grade *g, void *arg);

struct grade_file_opts {
	struct grade_opts grading;      /* the command's options */
	const char *file;
	bool        progress;   /* "building ..." lines on stderr (a terminal) */
	bool        stop_first; /* stop the tests at the first refusing result */
	grade_built_fn *built;  /* NULL: none */
	void       *built_arg;
};

/* Fills g (release it with grade_release() whatever the result).
 * A submission that does not build is a verdict (g->compiled false), not an
 * error.  Returns -1 with a message in *err (malloc'd) when the grader
 * itself cannot work: unreadable file, no compiler, no harness. */
int grade_file(const struct spec *spec, const struct grade_file_opts *o,
	       struct grade *g, char **err);

/* The fuzzing seed: the one given (--seed), else the spec's, else a
 * random one.  grader mutants picks one for all its files. */
uint64_t grade_pick_seed(const struct spec *spec, bool has_seed, uint64_t seed);

#endif /* GRADER_GRADE_FILE_H */
