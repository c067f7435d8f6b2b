/* matrix.h - the kill matrix of a pack: for each file of the spec's
 * validation lists, which test killed it, its verdict, whether that is what
 * the spec expects, and the mutation score
 *
 * Built by `grader mutants` (cmd_mutants.c): matrix_init() takes the columns
 * (the base table's tests, then the bonus table's) from the spec,
 * matrix_add_row() one row per file, matrix_row_set_report() fills a row
 * from the `grader test --json` report of that file, and matrix_judge()
 * gives every row its verdict once all are graded.  The reporters
 * (report_matrix.h) only read it.  Owns all its strings; release with
 * matrix_release().
 */
#ifndef GRADER_MATRIX_H
#define GRADER_MATRIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child_report.h"
#include "grade.h"
#include "spec.h"

enum verdict {
	VERDICT_NONE,           /* not graded (yet) */
	VERDICT_PASSED,         /* the student verdict is PASS, and a solution
				 * was expected */
	VERDICT_KILLED,         /* the student verdict is refused */
	VERDICT_NOTICED,        /* a mutant that lost points in some tests but
				 * whose student verdict is still PASS: not
				 * caught */
	VERDICT_SURVIVED,       /* every test passed, and a mutant was expected */
	VERDICT_STILLBORN,      /* does not build: never a kill */
	VERDICT_EQUIVALENT,     /* a mutant whose code is the reference's */
};

/* "passed", "killed", ... as in the JSON report. */
const char *verdict_name(enum verdict v);

enum expectation {
	EXPECT_PASS,            /* validation.expected_pass */
	EXPECT_FAIL,            /* validation.expected_fail */
};

struct matrix_cell {
	bool     graded;                /* false: the table was not graded, or
					 * the file did not build */
	enum test_status status;
	bool     blocking;              /* its finding refuses the file */
	char    *message;               /* why it did not pass ("" if it did) */
	unsigned ms;
};

struct matrix_row {
	char   *file;           /* as the spec writes it */
	char   *path;           /* resolved from the spec's directory */
	enum expectation expected;
	bool    graded;
	bool    compiled;
	char   *compile_message;        /* "" when compiled */
	int     score, max_score;       /* the base table */
	int     bonus_score;            /* -1 when the bonus was not graded */
	bool    passed;                 /* the verdict a student would get */
	char   *refused_because;        /* its first blocking finding, or NULL */
	char   *norm_problem;           /* a blocking norm violation, or NULL */
	struct matrix_cell *cells;      /* one per column */
	unsigned ms;                    /* grading time */
	char   *code;                   /* compiled code, to compare (NULL: none) */
	size_t  code_len;
	char   *equivalent_to;          /* the file whose code it has, or NULL */

	/* set by matrix_judge() */
	enum verdict verdict;
	bool    ok;                     /* the expectation holds */
	char   *why;                    /* what happened and what to do; "" if ok */
};

struct matrix {
	const char *spec_path;
	const char *reference;          /* -r, as given */
	struct matrix_row baseline;     /* the reference's own grade */
	char  **columns;                /* test names: base, then bonus */
	size_t  ncolumns, nbase;
	struct matrix_row *rows;
	size_t  nrows;
	struct strlist missing;         /* "expected_fail: mutants/x.c" with no file */
	struct strlist unlisted;        /* pack files in neither list */
	uint64_t seed;
	bool    valgrind;
	bool    partial;                /* --changed-since left files out */
	unsigned ms;                    /* the whole run */

	/* set by matrix_judge() */
	size_t  mutants, killed, noticed, survived, stillborn, equivalent;
	size_t  solutions, solutions_passed;
	double  mutation_score;         /* killed / (mutants - equivalent); -1: none */
	bool    ok;                     /* every expectation holds, nothing missing */
};

/* The columns from the spec; the baseline row for reference (-r, as given),
 * resolved as path. */
void matrix_init(struct matrix *m, const struct spec *spec, const char *reference,
		 const char *path);

/* Appends a row (file as the spec writes it, path resolved); returns it.
 * Pointers to earlier rows stay valid only until the next call. */
struct matrix_row *matrix_add_row(struct matrix *m, const char *file,
				  const char *path, enum expectation expected);

/* Removes the row of file, if there is one. */
void matrix_remove_row(struct matrix *m, const char *file);

/* Fills r from the report of `grader test --json` on its file: read
 * (child_report.h), or as JSON (read by child_report_read()). */
void matrix_row_set(const struct matrix *m, struct matrix_row *r,
		    const struct child_report *rep);
void matrix_row_set_report(const struct matrix *m, struct matrix_row *r,
			   const json_t *report);

/* True when the baseline passed every test it was graded on (base table,
 * bonus table if graded, the driver's edge cases); else *why says which
 * failed. */
bool matrix_baseline_passes(const struct child_report *rep, char **why);
bool matrix_baseline_ok(const struct matrix *m, const json_t *report, char **why);

/* Verdict and expectation of every graded row, the counts and the score. */
void matrix_judge(struct matrix *m);

/* The columns that killed r (indexes into m->columns), count in *n;
 * malloc'd.  The tests that ran and whose finding refuses the file when
 * there are any (a test not run killed nothing), else every test that did
 * not pass (those that noticed a mutant that still passes). */
size_t *matrix_row_killers(const struct matrix *m, const struct matrix_row *r,
			   size_t *n);

void matrix_release(struct matrix *m);

#endif /* GRADER_MATRIX_H */
