/* grade.h - the verdict of one submission, as the reporters print it
 *
 * Filled in order by build (compile, norm), sandbox (the tests' statuses and
 * messages) and score (points, passed).  Owns all its strings; release with
 * grade_release().
 */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

enum test_status {
	ST_PASS,
	ST_FAIL,
	ST_CRASH,
	ST_TIMEOUT,
	ST_LEAK,
	ST_MEMORY_ERROR,
	ST_NOT_RUN,
};

/* "pass", "fail", ... as in the JSON report. */
const char *status_name(enum test_status st);
/* The status named s, or -1. */
int status_parse(const char *s);

struct test_result {
	const struct spec_test *spec;   /* NULL for an edge case */
	const struct spec_edge *edge;   /* NULL for a test */
	const char *name;               /* the spec's */
	enum test_status status;
	int         points, max_points;
	bool        trap;
	const char *trap_explanation;   /* the spec's, or NULL */
	char       *message;            /* why it did not pass ("" if it did) */
	char       *output;             /* what the submission printed (excerpt) */
	size_t      output_bytes;
	unsigned    ms;
	char       *reproduce;
	/* raw material the sandbox resolves into the message */
	char       *frames;
	unsigned    vg_errors;
};

struct table_result {
	struct test_result *tests;
	size_t  n;
	int     score, max_score;
	bool    graded;                 /* false: not run (bonus not asked for) */
};

struct norm_violation {
	char *function;
	char *location;                 /* "file.c:12 (func)" or "" */
	char *why;                      /* "forbidden", "not in allowed_functions", ... */
};

struct grade {
	char       *file;               /* as given on the command line */
	uint64_t    seed;
	bool        valgrind;
	char       *note;               /* e.g. valgrind missing; NULL */

	bool        compiled;
	char       *compile_message;    /* "" when compiled */

	bool        norm_ok;
	bool        norm_blocking;
	struct norm_violation *violations;
	size_t      nviolations;

	struct table_result base, bonus, edges;
	bool        has_bonus_function;

	int         passing_score;
	bool        passed;
	unsigned    total_ms;
};

void grade_add_violation(struct grade *g, const char *function,
			 const char *location, const char *why);
void grade_release(struct grade *g);

#endif /* GRADER_GRADE_H */
