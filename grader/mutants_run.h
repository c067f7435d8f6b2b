/* mutants_run.h - what the parts of `grader mutants` share: its options,
 * its jobs (a file to grade each) and the run (cmd_mutants.c plans it,
 * mutants_jobs.c grades the files in children and collects their reports,
 * mutants_output.c writes the --junit, --report and --html files);
 * private to those three files
 */
#ifndef GRADER_MUTANTS_RUN_H
#define GRADER_MUTANTS_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "matrix.h"
#include "options.h"
#include "spec.h"

struct mutants_opts {
	struct grade_opts grading;      /* -s, --seed, --no-valgrind */
	const char *reference;  /* -r: must pass everything first */
	const char *junit;      /* --junit FILE, or NULL */
	const char *report;     /* --report FILE (Stryker JSON), or NULL */
	const char *html;       /* --html FILE, or NULL */
	const char *changed_since;      /* a git revision, or NULL */
	unsigned    jobs;       /* files graded at once */
	bool        validate;   /* exit 1 when an expectation fails */
	bool        json;
};

/* One file to grade. */
struct job {
	const char *path;       /* what grade_file() reads */
	const char *file;       /* as shown */
	struct matrix_row *row; /* NULL for the baseline */
	char   *json;           /* <scratch>/<index>.json, the report */
	char   *code;           /* <scratch>/<index>.code, the compiled code */
	char   *err;            /* <scratch>/<index>.err, a system error */
};

struct run {
	const struct mutants_opts *o;
	const struct spec *spec;
	struct matrix *m;
	char   *scratch;
	struct job *jobs;
	size_t  njobs;
	bool    tty;
	size_t  ndone;
	int     ret;            /* EXIT_PASS until a job fails the run */
	char   *err;            /* why, when it did */
};

/* Grades every job, at most o->jobs at a time, the baseline first in the
 * list.  The others start with it, on the cores it leaves free, but none
 * is judged unless it passes.  Returns EXIT_PASS, EXIT_BAD_SPEC (broken
 * baseline) or EXIT_USAGE (system error). */
int mutants_run_jobs(struct run *rn);

/* --junit, --report and --html: 0, or -1 (said on stderr). */
int mutants_write_reports(const struct run *rn);

#endif /* GRADER_MUTANTS_RUN_H */
