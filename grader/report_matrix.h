/* report_matrix.h - the reporters of `grader mutants`: the kill matrix as
 * text, as JSON, as JUnit XML, as a Stryker mutation-testing report and as
 * that report's offline HTML viewer
 *
 * They only read the judged matrix (matrix_judge() done).  Text and JSON go
 * to stdout, the others to the files the options name; none prints a
 * diagnostic.
 */
#ifndef GRADER_REPORT_MATRIX_H
#define GRADER_REPORT_MATRIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "matrix.h"

/* The matrix, files by tests, with a legend, the problems and what to do
 * about each, the mutation score. */
void report_matrix_text(FILE *out, const struct matrix *m, bool color);

/* {ok, mutation_score, submissions[] {file, expected, verdict, ok, score,
 * killed_by[], ...}, ...} on one line. */
void report_matrix_json(FILE *out, const struct matrix *m);

/* One testsuite, one testcase per file (and per missing or unlisted file);
 * a failure says what was expected and what happened. */
void report_junit(FILE *out, const struct matrix *m);

/* The report in Stryker's mutation-testing-report-schema (version 2): each
 * mutant is placed in the accepted solution it differs least from, at the
 * lines where it differs (diff(1) runs in scratch).  NULL with *err when a
 * source cannot be read. */
json_t *report_stryker(const struct matrix *m, const char *scratch, char **err);

/* The file of the mutation-testing-elements bundle: $GRADER_ELEMENTS_JS,
 * else <dir of this executable>/../build/npm/node_modules/
 * mutation-testing-elements/dist/mutation-test-elements.js.  Malloc'd. */
char *report_html_bundle(void);

/* One HTML file that shows the Stryker report offline: the bundle and the
 * report inlined.  -1 with *err when the bundle cannot be read. */
int report_html(FILE *out, const json_t *stryker, const char *title,
		const char *bundle, char **err);

#endif /* GRADER_REPORT_MATRIX_H */
