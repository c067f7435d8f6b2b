/* child_report.h - a grading child's report, read back by its parent
 *
 * `grader mutants` grades each file in a forked child (pool.c), which
 * leaves the file's `grader test --json` report in the scratch directory;
 * the parent reads it back here, and only here: child_report_read() is the
 * one function that knows the report's field names, and everything after
 * it (the kill matrix's rows, the baseline's check, the progress line)
 * reads struct child_report's fields.  Owns its strings; release with
 * child_report_release().
 */
#ifndef GRADER_CHILD_REPORT_H
#define GRADER_CHILD_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "grade.h"

/* One entry of a report's tests, edge_cases or bonus.tests. */
struct child_test {
	char   *name;
	enum test_status status;        /* ST_NOT_RUN when the report's is unknown */
	char   *message;                /* "" when it passed */
	bool    blocking;               /* its finding refuses the file */
	unsigned ms;
};

struct child_tests {
	struct child_test *v;
	size_t  n;
};

/* One entry of refused_because. */
struct child_refusal {
	char   *test;                   /* the test it is about, or NULL */
	char   *text;
};

struct child_report {
	bool    compiled;
	char   *compile_message;        /* "" when compiled */
	int     score, max_score;       /* the base table */
	bool    has_bonus;              /* the bonus table was graded */
	int     bonus_score, bonus_max_score;
	bool    passed;                 /* the verdict a student would get */
	struct child_refusal *refused;  /* refused_because, in order */
	size_t  nrefused;
	unsigned ms;                    /* grading time */
	char   *norm_problem;           /* a blocking norm violation ("f() at
					 * x.c:3: why; ..."), or NULL */
	struct child_tests tests, edge_cases, bonus_tests;
};

/* Fills r from the JSON report of `grader test --json`. */
void child_report_read(struct child_report *r, const json_t *report);

/* Reads the report a child left in path: 0, or -1 with *err (jansson's
 * reason). */
int child_report_load(struct child_report *r, const char *path, char **err);

/* The entry named name of t, or NULL. */
const struct child_test *child_tests_find(const struct child_tests *t,
					  const char *name);

/* Every graded test passed: the base table at full score, and the bonus
 * table too when it was graded. */
bool child_report_all_pass(const struct child_report *r);

void child_report_release(struct child_report *r);

#endif /* GRADER_CHILD_REPORT_H */
