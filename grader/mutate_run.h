/* mutate_run.h - grade a reference's mutants: the reference first, then
 * each selected mutant in a forked child (pool.c), -j at a time
 *
 * A mutant's child writes its source, builds it and compares its object
 * code (without debug information) with the reference's and the other
 * mutants' (equivalent, or a duplicate of an earlier mutant in source
 * order whatever -j's children's order: not graded), then runs its tests
 * natively, stopping at the first refusing result.  Only a mutant the
 * native run did not kill runs again under valgrind, as a student's grade
 * would, unless the instructor listed it as equivalent (its native pass
 * confirms the record; under valgrind it could only be killed, which
 * changes no score): --recheck-equivalents runs those too.
 *
 * The child leaves a fixed-size outcome record and, when it graded, its
 * `grader test --json` report; the parent reads both, fills each mutant's
 * verdict and a kill-matrix row (for the Stryker report).
 */
#ifndef GRADER_MUTATE_RUN_H
#define GRADER_MUTATE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "matrix.h"
#include "mutate.h"
#include "options.h"
#include "spec.h"

struct mutate_run {
	/* in */
	const struct spec *spec;
	const struct grade_opts *grading;       /* -s, --seed, --no-valgrind */
	const char *reference;  /* the mutated file */
	const char *scratch;    /* where the mutants, codes and reports go */
	uint64_t seed;          /* the one seed of the whole run */
	bool     valgrind;      /* valgrind is installed and asked for */
	bool     recheck;       /* --recheck-equivalents */
	unsigned jobs;
	bool     tty;           /* a progress line on stderr */
	/* out */
	bool     baseline_broken;       /* the reference does not pass: *err
					 * says why (a spec problem, not a
					 * system error) */
	/* private */
	char    *ref_code;      /* the reference's object code */
	size_t   ref_code_len;
	size_t  *todo;          /* the selected mutants' indexes */
	size_t  *group;         /* per mutant: the claimer of its code */
	struct mutant_set *set;
	struct matrix *m;
	char    *err;           /* the first child's error */
};

/* Grades the reference (it must pass everything), then every selected
 * mutant of set, filling each one's verdict and a row of m per graded
 * mutant.  Returns -1 with *err (malloc'd) when the reference is broken
 * (r->baseline_broken) or a mutant could not be graded. */
int mutate_run(struct mutate_run *r, struct mutant_set *set, struct matrix *m,
	       char **err);

void mutate_run_release(struct mutate_run *r);

#endif /* GRADER_MUTATE_RUN_H */
