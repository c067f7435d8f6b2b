/* report_lms.h - what the learning platforms' reporters share
 *
 * report_gradescope.c, report_prairielearn.c and report_autolab.c: each
 * platform's documented results format, the same grade as report_json.
 */
#ifndef GRADER_REPORT_LMS_H
#define GRADER_REPORT_LMS_H

#include <jansson.h>
#include <stdio.h>

#include "grade.h"
#include "report.h"
#include "util.h"

report_fn report_gradescope;
report_fn report_prairielearn;
report_fn report_autolab;

/* PrairieLearn's answer when the grader could not grade: gradable false. */
void report_prairielearn_error(FILE *out, const char *message);

/* "passed" or "refused: a crash in test_x — blocking", malloc'd. */
char *lms_verdict_line(const struct grade *g);
/* The text report without colour, malloc'd. */
char *lms_text_report(const struct grade *g, const struct report_info *ri);
/* One test's status, message and reproduce command, malloc'd. */
char *lms_test_output(const struct test_result *r);

/* A platform's entry for one test: r, named name (the bonus table's with
 * "bonus: " before), output its lms_test_output(). */
typedef json_t *lms_test_fn(const struct test_result *r, const char *name,
			    const char *output);
/* Appends to tests one entry of one() per test of the base table, then of
 * the bonus table when it was graded. */
void lms_add_tests(json_t *tests, const struct grade *g, lms_test_fn *one);
/* root, indented, and a newline on out; root is released. */
void lms_dump(FILE *out, json_t *root);

#endif /* GRADER_REPORT_LMS_H */
